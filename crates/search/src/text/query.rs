//! Turning what a user typed into a tantivy query without a query language: any text is
//! valid input. Loose words become boosted term clauses over the text fields (plus fuzzy
//! clauses for longer words), `"quoted phrases"` become required phrase clauses, and the
//! caller's skill URIs become boosted clauses on the `skill_uris` field.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::schema::Fields;
use super::tokenizer::terms;

/// A full-text query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextQuery {
    /// What the user typed. Never a syntax error: quotes mark phrases, everything else is
    /// words. No words (empty, or only symbols) matches every document.
    pub text: String,
    /// Skill URIs the caller found in `text` with the skills gazetteer (so `k8s` and
    /// `Kubernetes` reach the same skill); documents with them score higher.
    pub skill_uris: Vec<String>,
    /// Also match words within a small edit distance (typos).
    pub fuzzy: bool,
}

impl TextQuery {
    pub fn new(text: impl Into<String>) -> Self {
        TextQuery {
            text: text.into(),
            skill_uris: Vec::new(),
            fuzzy: true,
        }
    }
}

/// Field boosts: a title match counts three times a body match.
const TITLE: f32 = 3.0;
const OTHER_TITLES: f32 = 1.5;
const SKILL_LABELS: f32 = 2.0;
const BODY: f32 = 1.0;
const COMPANY: f32 = 1.0;
const LOCATION: f32 = 0.5;
const SKILL_URI: f32 = 2.0;
/// A fuzzy clause scores a constant `boost × FUZZY` (tantivy's automaton queries are
/// constant-score), kept below what an exact match of the same word adds, so exact
/// matches rank above typo matches.
const FUZZY: f32 = 0.3;
/// Words beyond this many are ignored (a pasted document is not a query).
const MAX_TERMS: usize = 32;
/// A word found in at least this many documents is taken as spelled right and gets no
/// fuzzy expansion: typos are rare words, and expanding common words costs time and
/// brings in near-misses (`develop` for `developer`).
pub const FUZZY_MAX_DOC_FREQ: u64 = 10;

/// The analysed terms of a query.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct QueryTerms {
    /// Distinct stemmed terms of the loose words.
    pub words: Vec<String>,
    /// Distinct place words of the loose words (the location field is not stemmed).
    pub places: Vec<String>,
    /// Stemmed terms of each quoted phrase.
    pub phrases: Vec<Vec<String>>,
    pub skill_uris: Vec<String>,
    pub fuzzy: bool,
    /// Words expanded to their typo neighbours, with the edit distance (see
    /// [`QueryTerms::choose_fuzzy`]).
    pub fuzzy_words: Vec<(String, u8)>,
}

impl QueryTerms {
    pub fn analyse(
        query: &TextQuery,
        english: &mut TextAnalyzer,
        place: &mut TextAnalyzer,
    ) -> Self {
        let (loose, quoted) = split_quotes(&query.text);
        let mut words = Vec::new();
        let mut places = Vec::new();
        for w in terms(english, &loose) {
            push_distinct(&mut words, w);
        }
        for w in terms(place, &loose) {
            push_distinct(&mut places, w);
        }
        words.truncate(MAX_TERMS);
        places.truncate(MAX_TERMS);
        let phrases = quoted
            .iter()
            .map(|p| {
                let mut t = terms(english, p);
                t.truncate(MAX_TERMS);
                t
            })
            .filter(|t| !t.is_empty())
            .collect();
        let mut skill_uris = Vec::new();
        for uri in &query.skill_uris {
            push_distinct(&mut skill_uris, uri.clone());
        }
        QueryTerms {
            words,
            places,
            phrases,
            skill_uris,
            fuzzy: query.fuzzy,
            fuzzy_words: Vec::new(),
        }
    }

    /// Picks the words to match fuzzily: long enough (see [`fuzzy_distance`]) and rarer
    /// than [`FUZZY_MAX_DOC_FREQ`] by `doc_freq`.
    pub fn choose_fuzzy<E>(
        &mut self,
        mut doc_freq: impl FnMut(&str) -> Result<u64, E>,
    ) -> Result<(), E> {
        self.fuzzy_words.clear();
        if !self.fuzzy {
            return Ok(());
        }
        for word in &self.words {
            if let Some(distance) = fuzzy_distance(word)
                && doc_freq(word)? < FUZZY_MAX_DOC_FREQ
            {
                self.fuzzy_words.push((word.clone(), distance));
            }
        }
        Ok(())
    }

    /// Whether the query has nothing to match on, so it matches every document.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.places.is_empty()
            && self.phrases.is_empty()
            && self.skill_uris.is_empty()
    }

    /// Every exact (stemmed) term, for highlighting.
    pub fn exact_terms(&self) -> impl Iterator<Item = &str> {
        self.words
            .iter()
            .chain(self.phrases.iter().flatten())
            .map(String::as_str)
    }

    /// The query, or `None` when it has nothing to match on.
    pub fn to_query(&self, f: &Fields) -> Option<Box<dyn Query>> {
        if self.is_empty() {
            return None;
        }
        let scored = [
            (f.title, TITLE),
            (f.other_titles, OTHER_TITLES),
            (f.skill_labels, SKILL_LABELS),
            (f.body, BODY),
        ];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &self.words {
            for (field, boost) in scored.iter().copied().chain([(f.company, COMPANY)]) {
                clauses.push((Occur::Should, boosted(term(field, word), boost)));
            }
        }
        for (word, distance) in &self.fuzzy_words {
            for (field, boost) in scored {
                let t = Term::from_field_text(field, word);
                let q = Box::new(FuzzyTermQuery::new(t, *distance, true));
                clauses.push((Occur::Should, boosted(q, boost * FUZZY)));
            }
        }
        for place in &self.places {
            clauses.push((Occur::Should, boosted(term(f.location, place), LOCATION)));
        }
        for uri in &self.skill_uris {
            clauses.push((Occur::Should, boosted(term(f.skill_uris, uri), SKILL_URI)));
        }
        let phrases: Vec<(Occur, Box<dyn Query>)> = self
            .phrases
            .iter()
            .map(|p| (Occur::Must, phrase_in_any(&scored, p)))
            .collect();
        if phrases.is_empty() {
            return Some(Box::new(BooleanQuery::new(clauses)));
        }
        // With required phrases, the loose clauses only add to the score.
        let mut all = phrases;
        if !clauses.is_empty() {
            all.push((Occur::Should, Box::new(BooleanQuery::new(clauses))));
        }
        Some(Box::new(BooleanQuery::new(all)))
    }
}

/// Edit distance allowed for a term: none below 5 characters, 1 up to 8, 2 from 9.
pub fn fuzzy_distance(term: &str) -> Option<u8> {
    match term.chars().count() {
        0..=4 => None,
        5..=8 => Some(1),
        _ => Some(2),
    }
}

fn push_distinct(out: &mut Vec<String>, s: String) {
    if !out.contains(&s) {
        out.push(s);
    }
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// The phrase in any of the fields, each match scored with its field's boost.
fn phrase_in_any(fields: &[(Field, f32)], phrase: &[String]) -> Box<dyn Query> {
    let per_field = fields
        .iter()
        .map(|&(field, boost)| {
            let q: Box<dyn Query> = match phrase {
                [one] => term(field, one),
                _ => Box::new(PhraseQuery::new(
                    phrase
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                )),
            };
            (Occur::Should, boosted(q, boost))
        })
        .collect();
    Box::new(BooleanQuery::new(per_field))
}

/// Splits text into the loose part and the quoted phrases. A quote without its closing
/// quote is ignored (its text stays loose).
fn split_quotes(text: &str) -> (String, Vec<String>) {
    let is_quote = |c: char| matches!(c, '"' | '\u{201c}' | '\u{201d}');
    let mut loose = String::new();
    let mut phrases = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(is_quote) {
        let quote_len = rest[open..].chars().next().map_or(1, char::len_utf8);
        let after = &rest[open + quote_len..];
        let Some(close) = after.find(is_quote) else {
            break;
        };
        loose.push_str(&rest[..open]);
        loose.push(' ');
        phrases.push(after[..close].to_owned());
        let close_len = after[close..].chars().next().map_or(1, char::len_utf8);
        rest = &after[close + close_len..];
    }
    loose.push_str(rest);
    (loose, phrases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenizer::{english_analyzer, place_analyzer};

    fn analyse(text: &str) -> QueryTerms {
        QueryTerms::analyse(
            &TextQuery::new(text),
            &mut english_analyzer(),
            &mut place_analyzer(),
        )
    }

    #[test]
    fn quotes_make_phrases_and_an_unclosed_quote_stays_loose() {
        assert_eq!(
            split_quotes(r#"nurse "intensive care" leeds"#),
            (
                "nurse   leeds".to_owned(),
                vec!["intensive care".to_owned()]
            )
        );
        assert_eq!(
            split_quotes(r#"say "hello"#),
            (r#"say "hello"#.to_owned(), vec![])
        );
        assert_eq!(
            split_quotes("\u{201c}data science\u{201d}"),
            (" ".to_owned(), vec!["data science".to_owned()])
        );
    }

    #[test]
    fn words_are_analysed_once_and_phrases_apart() {
        let t = analyse(r#"Developers developer "machine learning" Leeds"#);
        assert_eq!(t.words, vec!["develop", "leed"]);
        assert_eq!(t.places, vec!["developers", "developer", "leeds"]);
        assert_eq!(
            t.phrases,
            vec![vec!["machin".to_owned(), "learn".to_owned()]]
        );
    }

    #[test]
    fn symbols_only_is_an_empty_query() {
        assert!(analyse(r#"🦀 ::: (( "" ]]"#).is_empty());
    }

    #[test]
    fn fuzzy_distance_grows_with_length() {
        assert_eq!(fuzzy_distance("java"), None);
        assert_eq!(fuzzy_distance("kubern"), Some(1));
        assert_eq!(fuzzy_distance("kubernetes"), Some(2));
    }
}
