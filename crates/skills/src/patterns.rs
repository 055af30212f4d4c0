//! Which labels the gazetteer searches for, with what confidence and under what condition.
//!
//! Sources, strongest first:
//! - curated technology forms (`data/skills/tech.toml`): confidence 0.9;
//! - ESCO preferred labels: 0.85 (several words) or 0.75 (one word), 0.1 less when the
//!   label was guessed from the description; variants without a parenthesised qualifier
//!   (`Visual Studio .NET (x)` -> `visual studio .net`, multi-word only) and with the last word's plural flipped
//!   (`project plans` <-> `project plan`) lose 0.1 and 0.05;
//! - ESCO alternative labels of 2 to 6 words with at least 2 content words, owned by a
//!   single skill: 0.6 (they are split heuristically).
//!
//! One-word preferred labels that are guessed, or that are label-initial words of other
//! labels ([`LabelBoundaries`]: the verbs `develop`, `identify`), are dropped.
//!
//! Filters: labels shorter than 3 characters after normalisation are left to the curated
//! list; single-word labels in `data/skills/generic-labels.txt` are dropped; short
//! all-capital labels (`LESS`, `MDX`) must match with the same capitals; a string the
//! curated list names is matched only as the curated list says (`Rust` needs context even
//! though no ESCO label forbids it).

use std::collections::HashMap;

use super::description::LabelBoundaries;

use super::normalize::normalize_label;
use super::taxonomy::{ConceptSource, Taxonomy};

const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "have", "in", "into", "of", "on", "or",
    "the", "to", "with",
];

const GENERIC_LABELS: &str = include_str!("../../../data/skills/generic-labels.txt");

/// Which kind of label a pattern came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PatternOrigin {
    Tech,
    Preferred,
    Alternative,
}

/// A condition on the original spelling of a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    None,
    /// The original text must read exactly this.
    ExactCase(String),
    /// Technology context around it, and for forms of 1-2 characters (`Go`, `R`) exactly
    /// this spelling.
    ExactCaseWithContext(String),
}

/// One skill a pattern points to.
#[derive(Debug, Clone)]
pub struct PatternTarget {
    /// Index into [`PatternSet::skills`].
    pub skill: usize,
    pub confidence: f32,
    pub origin: PatternOrigin,
    pub requirement: Requirement,
}

/// The searched strings and, per string, the skills it names.
#[derive(Debug, Default)]
pub struct PatternSet {
    /// Normalised labels, in automaton pattern order.
    pub patterns: Vec<String>,
    /// Targets per pattern, same order as `patterns`.
    pub targets: Vec<Vec<PatternTarget>>,
    /// `(uri, preferred label)` of every skill a pattern can name.
    pub skills: Vec<(String, String)>,
    by_pattern: HashMap<String, usize>,
    by_uri: HashMap<String, usize>,
}

impl PatternSet {
    /// Collects the patterns of a taxonomy (see the module documentation).
    pub fn build(taxonomy: &Taxonomy) -> Self {
        let generic: Vec<&str> = GENERIC_LABELS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let verbs = LabelBoundaries::learn(taxonomy.skills().map(|c| c.preferred_label.as_str()));
        let mut alt_labels: HashMap<String, Vec<(usize, &str)>> = HashMap::new();
        let mut set = Self::default();
        for tech in taxonomy.tech_skills() {
            let uri = tech.uri();
            let Some(concept) = taxonomy.skill(&uri) else {
                tracing::warn!(tech.name = %tech.name, skill.uri = %uri, "curated technology maps to an unknown skill");
                continue;
            };
            let skill = set.skill(&uri, &concept.preferred_label);
            for form in tech.forms() {
                let requirement = if tech.is_context_only(form) {
                    Requirement::ExactCaseWithContext(form.to_owned())
                } else {
                    Requirement::None
                };
                set.add(form, skill, 0.9, PatternOrigin::Tech, requirement);
            }
        }
        for concept in taxonomy.skills() {
            let penalty = match concept.source {
                ConceptSource::Esco => 0.0,
                ConceptSource::EscoGuessedLabel => 0.1,
                ConceptSource::Curated => continue,
            };
            let label = concept.preferred_label.as_str();
            let skill = set.skill(&concept.uri, label);
            let words = normalize_label(label).split(' ').count();
            let base = if words > 1 { 0.85 } else { 0.75 } - penalty;
            let guessed = concept.source == ConceptSource::EscoGuessedLabel;
            for (variant, loss) in label_variants(label) {
                let normalized = normalize_label(&variant);
                let single_word = !normalized.contains(' ');
                if single_word && (guessed || verbs.is_label_initial(&normalized)) {
                    continue;
                }
                let confidence = base - loss;
                set.add_esco(
                    &variant,
                    skill,
                    confidence,
                    PatternOrigin::Preferred,
                    &generic,
                );
            }
            for alt in &concept.alt_labels {
                let normalized = normalize_label(alt);
                if content_words(&normalized) >= 2 && normalized.split(' ').count() <= 6 {
                    alt_labels.entry(normalized).or_default().push((skill, alt));
                }
            }
        }
        // An alternative label shared by several skills says little about any of them.
        for owners in alt_labels.into_values() {
            if let [(skill, alt)] = owners[..] {
                set.add_esco(alt, skill, 0.6, PatternOrigin::Alternative, &generic);
            }
        }
        set
    }

    /// The preferred label of a skill by its id (every skill of the taxonomy has one here).
    pub fn label_of(&self, uri: &str) -> Option<&str> {
        self.by_uri.get(uri).map(|&i| self.skills[i].1.as_str())
    }

    fn skill(&mut self, uri: &str, label: &str) -> usize {
        if let Some(&i) = self.by_uri.get(uri) {
            return i;
        }
        self.skills.push((uri.to_owned(), label.to_owned()));
        self.by_uri.insert(uri.to_owned(), self.skills.len() - 1);
        self.skills.len() - 1
    }

    fn add_esco(
        &mut self,
        label: &str,
        skill: usize,
        confidence: f32,
        origin: PatternOrigin,
        generic: &[&str],
    ) {
        let normalized = normalize_label(label);
        if normalized.len() < 3 || generic.contains(&normalized.as_str()) {
            return;
        }
        let is_acronym = label.len() <= 5 && label.chars().all(|c| !c.is_lowercase());
        let requirement = if is_acronym {
            Requirement::ExactCase(label.to_owned())
        } else {
            Requirement::None
        };
        self.add(label, skill, confidence, origin, requirement);
    }

    fn add(
        &mut self,
        label: &str,
        skill: usize,
        confidence: f32,
        origin: PatternOrigin,
        requirement: Requirement,
    ) {
        let normalized = normalize_label(label);
        if normalized.is_empty() {
            return;
        }
        let index = *self
            .by_pattern
            .entry(normalized.clone())
            .or_insert_with(|| {
                self.patterns.push(normalized);
                self.targets.push(Vec::new());
                self.patterns.len() - 1
            });
        let targets = &mut self.targets[index];
        if origin != PatternOrigin::Tech && targets.iter().any(|t| t.origin == PatternOrigin::Tech)
        {
            // The curated list is authoritative for the strings it names.
            return;
        }
        if let Some(existing) = targets.iter_mut().find(|t| t.skill == skill) {
            if confidence > existing.confidence {
                existing.confidence = confidence;
                existing.origin = existing.origin.min(origin);
            }
            if requirement == Requirement::None {
                existing.requirement = Requirement::None;
            }
            return;
        }
        targets.push(PatternTarget {
            skill,
            confidence,
            origin,
            requirement,
        });
    }
}

/// Words of a normalised label that are not function words (`have a` has none).
fn content_words(normalized: &str) -> usize {
    normalized
        .split(' ')
        .filter(|w| !FUNCTION_WORDS.contains(w))
        .count()
}

/// A preferred label and its variants with their confidence loss.
fn label_variants(label: &str) -> Vec<(String, f32)> {
    let mut variants = vec![(label.to_owned(), 0.0)];
    if let (Some(open), true) = (label.find(" ("), label.ends_with(')')) {
        // `Source (digital game creation systems)` must not match every "source"; the
        // curated list names the one-word technologies (`Java`, `Ruby`) instead.
        if label[..open].contains(' ') {
            variants.push((label[..open].to_owned(), 0.1));
        }
    }
    if let Some(flipped) = flip_plural(label) {
        variants.push((flipped, 0.05));
    }
    variants
}

/// The label with its last word's number flipped, for lowercase labels of 2+ words.
fn flip_plural(label: &str) -> Option<String> {
    let (head, last) = label.rsplit_once(' ')?;
    if !last.chars().all(|c| c.is_ascii_lowercase()) || last.len() < 4 {
        return None;
    }
    let flipped = if let Some(stem) = last.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = last.strip_suffix("is") {
        format!("{stem}es")
    } else if last.ends_with("ss") || last.ends_with("us") {
        return None;
    } else if let Some(stem) = last.strip_suffix('s') {
        stem.to_owned()
    } else if let Some(stem) = last.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{last}s")
    };
    Some(format!("{head} {flipped}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_flip_on_the_last_word() {
        assert_eq!(
            flip_plural("project plans").as_deref(),
            Some("project plan")
        );
        assert_eq!(
            flip_plural("manage budget").as_deref(),
            Some("manage budgets")
        );
        assert_eq!(
            flip_plural("ICT technologies").as_deref(),
            Some("ICT technology")
        );
        assert_eq!(
            flip_plural("data analysis").as_deref(),
            Some("data analyses")
        );
        assert_eq!(flip_plural("Rust"), None);
        assert_eq!(flip_plural("use SQL"), None);
    }

    #[test]
    fn function_words_do_not_count_as_content() {
        assert_eq!(content_words("have a"), 0);
        assert_eq!(content_words("have a car"), 1);
        assert_eq!(content_words("manage stage crews"), 3);
    }

    #[test]
    fn parenthesised_qualifiers_give_a_weaker_variant() {
        let variants = label_variants("Rust language (computer programming)");
        assert_eq!(variants[1], ("Rust language".to_owned(), 0.1));
        assert_eq!(label_variants("Source (game engines)").len(), 1);
    }

    #[test]
    fn the_sample_taxonomy_yields_tech_and_esco_patterns() {
        let set = PatternSet::build(&crate::taxonomy::tests::sample());
        let index = |p: &str| set.patterns.iter().position(|q| q == p);
        let rust = index("rust").expect("tech name");
        assert_eq!(set.targets[rust][0].origin, PatternOrigin::Tech);
        assert_eq!(
            set.skills[set.targets[rust][0].skill].1,
            "Rustlang (computer programming)"
        );
        assert!(index("k8s").is_some());
        assert!(index("manage stage crews").is_some());
        assert!(index("direct stage crews").is_some());
        let rustlang = index("rustlang").expect("synonym and variant");
        assert_eq!(set.targets[rustlang].len(), 1);
        assert_eq!(set.targets[rustlang][0].confidence, 0.9);
    }
}
