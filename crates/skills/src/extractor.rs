//! Literal skill extraction: an Aho-Corasick automaton over normalised labels.

use std::ops::Range;
use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::context::{has_context_word, is_list_neighbour};
use super::normalize::{Normalized, normalize};
use super::patterns::{PatternOrigin, PatternSet, PatternTarget, Requirement};
use super::rank::merge;
use super::semantic::SemanticMatcher;
use super::taxonomy::Taxonomy;
use intellicv_core::{ExtractedSkill, SkillEvidence, SkillMethod, SourceSpan};

/// Gazetteer skill extractor. Build once with [`SkillExtractor::new`] and share it (it is
/// `Send + Sync`); extraction is a plain CPU-bound function.
#[derive(Debug)]
pub struct SkillExtractor {
    automaton: AhoCorasick,
    patterns: PatternSet,
    /// Embedding matcher for skills literal matching misses (see [`super::hybrid`]).
    pub(super) semantic: Option<SemanticMatcher>,
}

/// Why the automaton could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the skill gazetteer: {0}")]
pub struct GazetteerBuildError(#[from] aho_corasick::BuildError);

/// A pattern occurrence: normalised token range and original byte range.
#[derive(Debug, Clone)]
struct Occurrence {
    pattern: usize,
    normalized: Range<usize>,
    original: Range<usize>,
}

impl SkillExtractor {
    /// Builds the gazetteer from the taxonomy's labels and the curated technology list.
    pub fn new(taxonomy: &Taxonomy) -> Result<Self, GazetteerBuildError> {
        let started = Instant::now();
        let patterns = PatternSet::build(taxonomy);
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::Standard)
            .build(patterns.patterns.iter().map(|p| format!(" {p} ")))?;
        tracing::info!(
            patterns.count = patterns.patterns.len(),
            duration_ms = started.elapsed().as_millis() as u64,
            "skill gazetteer built"
        );
        Ok(Self {
            automaton,
            patterns,
            semantic: None,
        })
    }

    /// Number of distinct normalised patterns searched for.
    pub fn pattern_count(&self) -> usize {
        self.patterns.patterns.len()
    }

    /// The preferred label of a skill by its id (ESCO URI or `intellicv:tech/<slug>`);
    /// `None` for an id the taxonomy does not hold.
    pub fn skill_label(&self, uri: &str) -> Option<&str> {
        self.patterns.label_of(uri)
    }

    /// Extracts skills from `text`; spans are byte offsets into `text`, section `None`.
    pub fn extract(&self, text: &str) -> Vec<ExtractedSkill> {
        self.extract_in(text, 0, None)
    }

    /// Extracts skills from a slice of a larger document: spans are shifted by
    /// `base_offset` and carry `section`. A section named like `skills` lets short
    /// ambiguous names (`Go`, `R`, `C`) match without further context.
    pub fn extract_in(
        &self,
        text: &str,
        base_offset: usize,
        section: Option<&str>,
    ) -> Vec<ExtractedSkill> {
        let normalized = normalize(text);
        let occurrences = self.occurrences(&normalized);
        let (plain, contextual): (Vec<_>, Vec<_>) = occurrences
            .into_iter()
            .partition(|o| !self.needs_context(o.pattern));
        let mut accepted = longest_non_overlapping(plain);
        let in_skills_section = section.is_some_and(|s| s.to_lowercase().contains("skill"));
        let mut pending = longest_non_overlapping(contextual);
        loop {
            let before = pending.len();
            let (ok, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|o| {
                !overlaps_any(o, &accepted)
                    && (in_skills_section
                        || has_context_word(normalized.as_str(), &o.normalized)
                        || accepted.iter().any(|a| {
                            self.is_tech(a.pattern)
                                && is_list_neighbour(text, &o.original, &a.original)
                        }))
            });
            accepted.extend(ok);
            pending = rest;
            if pending.len() == before {
                break;
            }
        }
        let candidates = accepted
            .iter()
            .flat_map(|occurrence| self.candidates(text, occurrence, base_offset, section));
        merge(candidates.collect::<Vec<_>>())
    }

    fn occurrences(&self, normalized: &Normalized) -> Vec<Occurrence> {
        self.automaton
            .find_overlapping_iter(normalized.as_str())
            .filter_map(|m| {
                let inner = m.start() + 1..m.end() - 1;
                Some(Occurrence {
                    pattern: m.pattern().as_usize(),
                    original: normalized.original_range(inner.clone())?,
                    normalized: inner,
                })
            })
            .collect()
    }

    fn needs_context(&self, pattern: usize) -> bool {
        self.patterns.targets[pattern]
            .iter()
            .all(|t| matches!(t.requirement, Requirement::ExactCaseWithContext(_)))
    }

    fn is_tech(&self, pattern: usize) -> bool {
        self.patterns.targets[pattern]
            .iter()
            .any(|t| t.origin == PatternOrigin::Tech)
    }

    fn candidates<'a>(
        &'a self,
        text: &'a str,
        occurrence: &'a Occurrence,
        base_offset: usize,
        section: Option<&'a str>,
    ) -> impl Iterator<Item = ExtractedSkill> + 'a {
        let surface = text.get(occurrence.original.clone()).unwrap_or_default();
        let targets = &self.patterns.targets[occurrence.pattern];
        let strongest = targets.iter().map(|t| t.origin).min();
        let eligible: Vec<&PatternTarget> = targets
            .iter()
            .filter(|t| Some(t.origin) == strongest && spelling_ok(&t.requirement, surface))
            .collect();
        let share = 1.0 / (eligible.len().max(1) as f32).sqrt();
        eligible.into_iter().map(move |target| {
            let (uri, label) = &self.patterns.skills[target.skill];
            ExtractedSkill {
                uri: uri.clone(),
                label: label.clone(),
                confidence: target.confidence * share,
                method: SkillMethod::Gazetteer,
                evidence: vec![SkillEvidence {
                    text: surface.to_owned(),
                    source: SourceSpan::new(
                        section,
                        base_offset + occurrence.original.start,
                        base_offset + occurrence.original.end,
                    ),
                }],
            }
        })
    }
}

fn spelling_ok(requirement: &Requirement, surface: &str) -> bool {
    match requirement {
        Requirement::None => true,
        Requirement::ExactCase(form) => form == surface,
        Requirement::ExactCaseWithContext(form) if form.chars().count() <= 2 => form == surface,
        Requirement::ExactCaseWithContext(form) => form.eq_ignore_ascii_case(surface),
    }
}

/// Keeps the longest occurrences, dropping any that share a token with a longer one.
fn longest_non_overlapping(mut occurrences: Vec<Occurrence>) -> Vec<Occurrence> {
    occurrences.sort_by_key(|o| (std::cmp::Reverse(o.normalized.len()), o.normalized.start));
    let mut kept: Vec<Occurrence> = Vec::new();
    for occurrence in occurrences {
        if !overlaps_any(&occurrence, &kept) {
            kept.push(occurrence);
        }
    }
    kept
}

fn overlaps_any(occurrence: &Occurrence, others: &[Occurrence]) -> bool {
    others.iter().any(|other| {
        occurrence.normalized.start < other.normalized.end
            && other.normalized.start < occurrence.normalized.end
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::tests::sample;

    fn uris(skills: &[ExtractedSkill]) -> Vec<&str> {
        skills.iter().map(|s| s.uri.as_str()).collect()
    }

    #[test]
    fn the_extractor_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<SkillExtractor>();
    }

    #[test]
    fn tech_synonyms_map_to_the_esco_skill_with_original_offsets() {
        let extractor = SkillExtractor::new(&sample()).expect("builds");
        let text = "We run K8S and write RUST daily.";
        let skills = extractor.extract(text);
        assert_eq!(uris(&skills), vec!["intellicv:tech/kubernetes", "esco:s2"]);
        let rust = &skills[1];
        assert_eq!(rust.label, "Rustlang (computer programming)");
        assert_eq!(rust.evidence[0].text, "RUST");
        assert_eq!(rust.evidence[0].source, SourceSpan::new(None, 21, 25));
        assert!((rust.confidence - 0.9).abs() < 1e-6);
    }

    #[test]
    fn words_inside_longer_words_do_not_match() {
        let extractor = SkillExtractor::new(&sample()).expect("builds");
        assert!(
            extractor
                .extract("rusty k8sx trustworthy stagecrafts-")
                .is_empty()
        );
    }

    #[test]
    fn plural_variants_and_section_offsets_are_applied() {
        let extractor = SkillExtractor::new(&sample()).expect("builds");
        let skills = extractor.extract_in("I manage stage crews.", 100, Some("experience"));
        assert_eq!(uris(&skills), vec!["esco:s1"]);
        assert_eq!(
            skills[0].evidence[0].source,
            SourceSpan::new(Some("experience"), 102, 120)
        );
        assert!((skills[0].confidence - 0.8).abs() < 1e-6);
    }

    #[test]
    fn short_ambiguous_names_need_context_and_capitals() {
        let extractor = SkillExtractor::new(&sample()).expect("builds");
        let go = "intellicv:tech/go";
        assert!(extractor.extract("Go to the shop and go home").is_empty());
        assert_eq!(
            uris(&extractor.extract("Rust, Go and K8s")),
            vec!["esco:s2", go, "intellicv:tech/kubernetes"]
        );
        let listed = extractor.extract("Kubernetes, Go");
        assert_eq!(uris(&listed), vec!["intellicv:tech/kubernetes", go]);
        assert_eq!(listed[1].evidence[0].source, SourceSpan::new(None, 12, 14));
        assert_eq!(extractor.extract("Kubernetes, go").len(), 1);
        assert_eq!(uris(&extractor.extract("Go programming")), vec![go]);
        assert_eq!(
            uris(&extractor.extract_in("Go", 0, Some("skills"))),
            vec![go]
        );
    }

    #[test]
    fn repeated_mentions_raise_confidence() {
        let extractor = SkillExtractor::new(&sample()).expect("builds");
        let skills = extractor.extract("k8s here, Kubernetes there");
        assert_eq!(skills.len(), 1);
        assert_eq!(skills[0].evidence.len(), 2);
        assert!((skills[0].confidence - 0.99).abs() < 1e-6);
    }
}
