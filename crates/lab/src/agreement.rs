//! How far two extractions of the same document agree: on words, and on the profile parsed
//! from each. Used to compare our PDF text with `pdftotext` (`intellicv-lab bench parse`).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use intellicv_core::ResumeProfile;

/// Word-level similarity of two texts: the Dice coefficient of their word multisets
/// (lowercased runs of letters and digits), from 0 (nothing shared) to 1 (same words, same
/// counts, in any order or layout). Two texts without words are identical.
pub fn word_similarity(a: &str, b: &str) -> f64 {
    let counts = |text: &str| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            *counts.entry(word.to_lowercase()).or_default() += 1;
        }
        counts
    };
    let (a, b) = (counts(a), counts(b));
    let total: usize = a.values().sum::<usize>() + b.values().sum::<usize>();
    if total == 0 {
        return 1.0;
    }
    let shared: usize = a
        .iter()
        .map(|(word, n)| (*n).min(b.get(word).copied().unwrap_or(0)))
        .sum();
    2.0 * shared as f64 / total as f64
}

/// Whether two profiles of the same resume agree on the fields a search depends on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProfileAgreement {
    pub same_headline: bool,
    pub same_experience_count: bool,
    /// Jaccard index of the two skill sets (by ESCO URI); 1 when both are empty.
    pub skill_jaccard: f64,
}

impl ProfileAgreement {
    pub fn between(a: &ResumeProfile, b: &ResumeProfile) -> Self {
        let headline = |p: &ResumeProfile| p.headline.as_ref().map(|h| h.value.clone());
        let skills = |p: &ResumeProfile| -> BTreeSet<String> {
            p.skills.iter().map(|s| s.uri.clone()).collect()
        };
        let (sa, sb) = (skills(a), skills(b));
        let union = sa.union(&sb).count();
        let skill_jaccard = if union == 0 {
            1.0
        } else {
            sa.intersection(&sb).count() as f64 / union as f64
        };
        Self {
            same_headline: headline(a) == headline(b),
            same_experience_count: a.experience.len() == b.experience.len(),
            skill_jaccard,
        }
    }

    /// The same headline, experience count and skill set.
    pub fn is_same_profile(&self) -> bool {
        self.same_headline && self.same_experience_count && self.skill_jaccard == 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_core::{Field, YearMonth};
    use intellicv_ingest::profile::parse_profile;

    #[test]
    fn word_similarity_ignores_layout_case_and_order() {
        assert_eq!(word_similarity("Rust  SQL\nGo", "go rust, sql"), 1.0);
        assert_eq!(word_similarity("", " \n"), 1.0);
        assert_eq!(word_similarity("a b c d", "e f g h"), 0.0);
        // {a, a, b} vs {a, b, c}: 2 shared of 6 words.
        let s = word_similarity("a a b", "a b c");
        assert!((s - 4.0 / 6.0).abs() < 1e-9, "{s}");
    }

    #[test]
    fn profiles_from_the_same_text_agree_and_a_changed_headline_does_not() {
        let today = YearMonth {
            year: 2024,
            month: None,
        };
        let text =
            "Jane Doe\nData Engineer\n\nExperience\nData Engineer, Acme Ltd\n2019 - Present\n";
        let a = parse_profile(text, today);
        let mut b = a.clone();
        assert!(ProfileAgreement::between(&a, &b).is_same_profile());
        b.headline = Some(Field::new("Chef".to_owned(), None));
        b.experience.clear();
        let agreement = ProfileAgreement::between(&a, &b);
        assert!(!agreement.same_headline && !agreement.same_experience_count);
        assert_eq!(agreement.skill_jaccard, 1.0);
    }
}
