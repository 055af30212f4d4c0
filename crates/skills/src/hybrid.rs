//! Literal and semantic extraction together.
//!
//! The gazetteer runs on every part; when a [`SemanticMatcher`] is attached, the parts are
//! also matched semantically in one batch (phrases inside literal matches are skipped).
//! Literal hits keep their confidence and rank first; semantic hits follow, minus any
//! skill a literal hit already names ([`literal_first`]).

use std::ops::Range;

use super::extractor::SkillExtractor;
use super::rank::{literal_first, merge};
use super::semantic::{SemanticError, SemanticMatcher, SentenceInput};
use intellicv_core::ExtractedSkill;

/// A piece of a document to extract from: spans are shifted by `base_offset` and carry
/// `section`, as in [`SkillExtractor::extract_in`].
#[derive(Debug, Clone, Copy)]
pub struct TextPart<'a> {
    pub text: &'a str,
    pub base_offset: usize,
    pub section: Option<&'a str>,
}

impl SkillExtractor {
    /// Attaches a semantic matcher: [`SkillExtractor::extract_parts`] and
    /// [`SkillExtractor::extract_document`] then use it.
    pub fn with_semantic(mut self, matcher: SemanticMatcher) -> Self {
        self.semantic = Some(matcher);
        self
    }

    /// The attached semantic matcher, if any.
    pub fn semantic(&self) -> Option<&SemanticMatcher> {
        self.semantic.as_ref()
    }

    /// The skills of each part: literal hits, then (with a matcher) semantic hits.
    pub fn extract_parts(
        &self,
        parts: &[TextPart<'_>],
    ) -> Result<Vec<Vec<ExtractedSkill>>, SemanticError> {
        let literal: Vec<Vec<ExtractedSkill>> = parts
            .iter()
            .map(|p| self.extract_in(p.text, p.base_offset, p.section))
            .collect();
        let Some(matcher) = &self.semantic else {
            return Ok(literal);
        };
        let inputs: Vec<SentenceInput<'_>> = parts
            .iter()
            .zip(&literal)
            .map(|(part, hits)| SentenceInput {
                text: part.text,
                base_offset: part.base_offset,
                section: part.section,
                covered: covered_ranges(hits, part.base_offset),
            })
            .collect();
        let semantic = matcher.match_sentences(&inputs)?;
        Ok(literal
            .into_iter()
            .zip(semantic)
            .map(|(literal, semantic)| literal_first(literal, semantic))
            .collect())
    }

    /// The skills of a document given as parts (typically one per section). Literal
    /// matching runs on each whole part, exactly as [`SkillExtractor::extract_in`];
    /// semantic matching (when attached) runs on the part's sentences
    /// ([`sentence_ranges`]), in one batch for the whole document. Literal hits are merged
    /// over the document and ranked first, then the merged semantic ones.
    pub fn extract_document(
        &self,
        parts: &[TextPart<'_>],
    ) -> Result<Vec<ExtractedSkill>, SemanticError> {
        let literal: Vec<Vec<ExtractedSkill>> = parts
            .iter()
            .map(|p| self.extract_in(p.text, p.base_offset, p.section))
            .collect();
        let Some(matcher) = &self.semantic else {
            return Ok(merge(literal.into_iter().flatten()));
        };
        let mut inputs = Vec::new();
        for (part, hits) in parts.iter().zip(&literal) {
            let covered = covered_ranges(hits, part.base_offset);
            for range in sentence_ranges(part.text) {
                inputs.push(SentenceInput {
                    text: &part.text[range.clone()],
                    base_offset: part.base_offset + range.start,
                    section: part.section,
                    covered: covered
                        .iter()
                        .filter(|c| range.start <= c.start && c.end <= range.end)
                        .map(|c| c.start - range.start..c.end - range.start)
                        .collect(),
                });
            }
        }
        let semantic = matcher.match_sentences(&inputs)?;
        Ok(literal_first(
            merge(literal.into_iter().flatten()),
            merge(semantic.into_iter().flatten()),
        ))
    }
}

/// Byte ranges (relative to the part) of the literal evidence.
pub fn covered_ranges(hits: &[ExtractedSkill], base_offset: usize) -> Vec<Range<usize>> {
    hits.iter()
        .flat_map(|h| &h.evidence)
        .map(|e| e.source.start - base_offset..e.source.end - base_offset)
        .collect()
}

/// Sentences of `text`: lines, cut again after `.`, `!`, `?` or `;` followed by a space;
/// trimmed, empty ones dropped.
pub fn sentence_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
        let end = match c {
            '\n' => Some(at),
            '.' | '!' | '?' | ';' if next_is_space => Some(at + 1),
            _ => None,
        };
        if let Some(end) = end {
            push_trimmed(text, start..end, &mut ranges);
            start = at + c.len_utf8();
        }
    }
    push_trimmed(text, start..text.len(), &mut ranges);
    ranges
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let leading = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if !trimmed.is_empty() {
        let start = range.start + leading;
        out.push(start..start + trimmed.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::tests::sample;

    #[test]
    fn sentences_are_cut_at_lines_and_final_punctuation() {
        let text = "Led a team. Built v1.2 tools;\n\n  Cooked!\nend";
        let found: Vec<&str> = sentence_ranges(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            found,
            vec!["Led a team.", "Built v1.2 tools;", "Cooked!", "end"]
        );
    }

    #[test]
    fn without_a_matcher_parts_get_literal_hits_only() {
        let extractor = SkillExtractor::new(&sample()).expect("builds");
        assert!(extractor.semantic().is_none());
        let parts = [
            TextPart {
                text: "We run k8s",
                base_offset: 0,
                section: None,
            },
            TextPart {
                text: "I manage stage crews",
                base_offset: 40,
                section: Some("experience"),
            },
        ];
        let found = extractor
            .extract_parts(&parts)
            .expect("no embedding needed");
        assert_eq!(found[0][0].uri, "intellicv:tech/kubernetes");
        assert_eq!(found[1][0].evidence[0].source.start, 42);
        let document = extractor
            .extract_document(&[TextPart {
                text: "Rust. K8s\nRust",
                base_offset: 7,
                section: Some("skills"),
            }])
            .expect("no embedding needed");
        let uris: Vec<&str> = document.iter().map(|s| s.uri.as_str()).collect();
        assert_eq!(uris, vec!["esco:s2", "intellicv:tech/kubernetes"]);
        assert_eq!(document[0].evidence.len(), 2);
        assert_eq!(document[0].evidence[1].source.start, 17);
    }
}
