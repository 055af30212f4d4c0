//! Skill-list items: the entries of a skills section that no literal pattern names, each
//! matched whole to its closest ESCO skill.
//!
//! Sentence matching ([`SemanticMatcher::match_sentences`]) embeds every candidate phrase of
//! a sentence, tens of embeddings per sentence: too slow to run on every resume at ingest.
//! A skills list is already cut into phrases by its author, so here each item costs one
//! embedding (cached across documents) and one scan of the label vectors. This is what
//! ingestion runs; the threshold was chosen on the annotated skill mentions of the shared
//! validation files (the lab's `skill_eval::tuning::item_threshold`).

use std::ops::Range;

use rayon::prelude::*;

use super::{SemanticError, SemanticMatcher};
use intellicv_core::{ExtractedSkill, SkillEvidence, SkillMethod, SourceSpan};

/// Longest item, in words, that is matched (longer ones are sentences, not list entries).
pub const MAX_ITEM_WORDS: usize = 6;

/// The entries of a list-like text (one per line, or separated by commas, semicolons,
/// bullets, pipes or slashes between spaces), as byte ranges of `text`, trimmed. A label
/// before a colon ("Tools: ...") is not an entry; nor are entries of more than
/// [`MAX_ITEM_WORDS`] words or without a letter.
pub fn list_items(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let push = |from: usize, to: usize, out: &mut Vec<Range<usize>>| {
        let piece = &text[from..to];
        let trimmed = piece.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '-' | '–' | '*' | '·' | '.' | ':' | '(' | ')')
        });
        if trimmed.is_empty() || !trimmed.chars().any(char::is_alphabetic) {
            return;
        }
        if trimmed.split_whitespace().count() > MAX_ITEM_WORDS {
            return;
        }
        let offset = from + piece.find(trimmed).unwrap_or(0);
        out.push(offset..offset + trimmed.len());
    };
    for (i, c) in text.char_indices() {
        // "Languages: Rust, Go": what precedes a colon labels the list; it is not an item.
        if c == ':' && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()) {
            start = i + 1;
            continue;
        }
        let separator = match c {
            '\n' | ',' | ';' | '•' | '|' | '●' | '▪' | '◦' => true,
            '/' => i > 0 && bytes.get(i - 1) == Some(&b' ') && bytes.get(i + 1) == Some(&b' '),
            _ => false,
        };
        if separator {
            push(start, i, &mut out);
            start = i + c.len_utf8();
        }
    }
    push(start, text.len(), &mut out);
    out
}

/// One item to match, with where it sits in the document.
#[derive(Debug, Clone)]
pub struct ItemInput<'a> {
    pub text: &'a str,
    /// Byte offset of `text` in the document.
    pub offset: usize,
    pub section: Option<&'a str>,
}

impl SemanticMatcher {
    /// The closest skill of each text, as `(skill index, cosine)`.
    pub fn nearest_skills(
        &self,
        texts: &[&str],
    ) -> Result<Vec<Option<(usize, f32)>>, SemanticError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let vectors = self.embed_cached(texts)?;
        Ok(vectors
            .par_iter()
            .map(|v| self.vectors.nearest_skill(v))
            .collect())
    }

    /// The closest skill of each item whose cosine reaches
    /// [`super::SemanticConfig::item_threshold`], with the item as evidence.
    pub fn match_items(
        &self,
        items: &[ItemInput<'_>],
    ) -> Result<Vec<ExtractedSkill>, SemanticError> {
        let texts: Vec<&str> = items.iter().map(|i| i.text).collect();
        let best = self.nearest_skills(&texts)?;
        let threshold = self.config.item_threshold;
        Ok(items
            .iter()
            .zip(best)
            .filter_map(|(item, best)| {
                let (skill, score) = best?;
                if score < threshold {
                    return None;
                }
                let (uri, label) = self.vectors.skill(skill);
                Some(ExtractedSkill {
                    uri: uri.to_owned(),
                    label: label.to_owned(),
                    confidence: self.config.item_calibration.confidence(score),
                    method: SkillMethod::Semantic,
                    evidence: vec![SkillEvidence {
                        text: item.text.to_owned(),
                        source: SourceSpan::new(
                            item.section,
                            item.offset,
                            item.offset + item.text.len(),
                        ),
                    }],
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<&str> {
        list_items(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn list_items_split_lines_commas_and_bullets() {
        assert_eq!(
            items("Team leadership, budgeting; • Forecasting\n- Payroll administration\n"),
            vec![
                "Team leadership",
                "budgeting",
                "Forecasting",
                "Payroll administration"
            ]
        );
    }

    #[test]
    fn list_items_keep_slashes_inside_words_and_split_spaced_ones() {
        assert_eq!(
            items("TCP/IP / CI/CD"),
            vec!["TCP/IP", "CI/CD"],
            "a slash between spaces separates, one inside a word does not"
        );
    }

    #[test]
    fn list_items_drop_long_sentences_and_numbers() {
        let text = "Managed a team of twelve people across three sites daily\n2019\nExcel";
        assert_eq!(items(text), vec!["Excel"]);
    }

    #[test]
    fn list_item_ranges_point_into_the_text() {
        let text = "Skills:  Negotiation ,  Coaching";
        for range in list_items(text) {
            let item = &text[range.clone()];
            assert_eq!(item, item.trim());
            assert!(!item.is_empty());
        }
        assert_eq!(items(text), vec!["Negotiation", "Coaching"]);
        assert_eq!(
            items("Tools: Jira, Figma\nSoft skills: mentoring"),
            vec!["Jira", "Figma", "mentoring"],
            "labels before a colon are not items"
        );
    }
}
