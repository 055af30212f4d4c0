//! Candidate phrases: the parts of a sentence that may name a skill without using its label.
//!
//! A sentence is cut into words (letters, digits and the symbols of technology names such
//! as `c++`, `c#`, `node.js`) and into clauses at punctuation. Within a clause, every window
//! of 1 to `max_window` words that neither starts nor ends with a function word is a
//! candidate (`"ability to work in teams"` gives `work in teams`, `ability to work`, ...);
//! a whole clause of at most `max_clause` words is one too. Candidates are deduplicated
//! case-insensitively and keep the byte span of their first occurrence.

use std::ops::Range;

/// Function words a candidate may contain but not start or end with.
const STOPWORDS: &[&str] = &[
    "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "being",
    "both", "but", "by", "can", "could", "do", "does", "each", "either", "etc", "for", "from",
    "good", "great", "has", "have", "having", "he", "her", "his", "i", "if", "in", "into", "is",
    "it", "its", "least", "less", "more", "most", "must", "my", "new", "nor", "not", "of", "on",
    "or", "other", "our", "own", "per", "plus", "should", "similar", "so", "some", "strong",
    "such", "than", "that", "the", "their", "them", "they", "this", "those", "to", "under", "up",
    "us", "very", "via", "was", "we", "well", "were", "what", "when", "where", "which", "while",
    "who", "will", "with", "within", "would", "year", "years", "you", "your",
];

/// How candidates are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseConfig {
    /// Longest window, in words.
    pub max_window: usize,
    /// Longest clause taken whole, in words.
    pub max_clause: usize,
    /// Whether one-word windows are candidates.
    pub single_words: bool,
}

impl Default for PhraseConfig {
    fn default() -> Self {
        Self {
            max_window: 4,
            max_clause: 12,
            single_words: true,
        }
    }
}

/// A candidate phrase and its byte span in the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub text: String,
    pub span: Range<usize>,
    /// A whole clause (else a window inside one).
    pub clause: bool,
}

/// The candidate phrases of `sentence` (see the module documentation).
pub fn candidate_phrases(sentence: &str, config: &PhraseConfig) -> Vec<Phrase> {
    let mut phrases: Vec<Phrase> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push = |words: &[Range<usize>], clause: bool| {
        let span = words[0].start..words[words.len() - 1].end;
        let text = &sentence[span.clone()];
        if seen.insert(text.to_lowercase()) {
            phrases.push(Phrase {
                text: text.to_owned(),
                span,
                clause,
            });
        }
    };
    for clause in clauses(sentence) {
        let stop: Vec<bool> = clause
            .iter()
            .map(|w| is_stopword(&sentence[w.clone()]))
            .collect();
        let content = stop.iter().filter(|s| !**s).count();
        if clause.len() <= config.max_clause && content >= 2 {
            let first = stop.iter().position(|s| !s).unwrap_or(0);
            let last = stop.iter().rposition(|s| !s).unwrap_or(0);
            push(&clause[first..=last], true);
        }
        let shortest = if config.single_words { 1 } else { 2 };
        for start in 0..clause.len() {
            if stop[start] {
                continue;
            }
            for len in shortest..=config.max_window {
                let end = start + len;
                if end > clause.len() {
                    break;
                }
                if stop[end - 1] || (len == 1 && sentence[clause[start].clone()].len() < 3) {
                    continue;
                }
                push(&clause[start..end], false);
            }
        }
    }
    phrases
}

/// Words of `sentence` grouped into clauses; each word is a byte range.
fn clauses(sentence: &str) -> Vec<Vec<Range<usize>>> {
    let mut clauses = vec![Vec::new()];
    let mut word: Option<usize> = None;
    let mut chars = sentence.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let next_is_word = next.is_some_and(char::is_alphanumeric);
        let in_word = c.is_alphanumeric()
            || (matches!(c, '+' | '#') && word.is_some())
            || (matches!(c, '.' | '-' | '\'' | '&') && word.is_some() && next_is_word);
        match (in_word, word) {
            (true, None) => word = Some(at),
            (false, Some(start)) => {
                if let Some(clause) = clauses.last_mut() {
                    clause.push(start..at);
                }
                word = None;
            }
            _ => {}
        }
        if !in_word && !c.is_whitespace() && clauses.last().is_some_and(|c| !c.is_empty()) {
            clauses.push(Vec::new());
        }
    }
    if let (Some(start), Some(clause)) = (word, clauses.last_mut()) {
        clause.push(start..sentence.len());
    }
    clauses.retain(|c| !c.is_empty());
    clauses
}

fn is_stopword(word: &str) -> bool {
    let lower = word.to_lowercase();
    STOPWORDS.binary_search(&lower.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sentence: &str, config: &PhraseConfig) -> Vec<String> {
        candidate_phrases(sentence, config)
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn the_stopword_list_is_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn windows_do_not_start_or_end_with_function_words() {
        let config = PhraseConfig {
            max_window: 3,
            max_clause: 12,
            single_words: false,
        };
        let phrases = texts("Ability to work in teams", &config);
        assert_eq!(
            phrases,
            vec![
                "Ability to work in teams",
                "Ability to work",
                "work in teams"
            ]
        );
    }

    #[test]
    fn punctuation_cuts_clauses_and_spans_point_into_the_sentence() {
        let config = PhraseConfig {
            max_window: 2,
            max_clause: 12,
            single_words: true,
        };
        let sentence = "Fix cars, train apprentices (C++ and node.js).";
        let phrases = candidate_phrases(sentence, &config);
        let found: Vec<&str> = phrases.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            found,
            vec![
                "Fix cars",
                "Fix",
                "cars",
                "train apprentices",
                "train",
                "apprentices",
                "C++ and node.js",
                "C++",
                "node.js"
            ]
        );
        for phrase in &phrases {
            assert_eq!(&sentence[phrase.span.clone()], phrase.text);
        }
    }

    #[test]
    fn repeated_phrases_are_kept_once_and_short_words_alone_are_skipped() {
        let config = PhraseConfig::default();
        let phrases = texts("Go, go; QA testing, qa testing", &config);
        assert_eq!(phrases, vec!["QA testing", "testing"]);
    }
}
