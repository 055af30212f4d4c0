//! Skill rarity: an idf-like weight from how many postings ask for a skill, so a rare
//! skill a posting asks for counts more than one nearly every posting asks for.

use std::collections::HashMap;

/// Document frequencies of skills over the stored postings. The default knows no counts
/// and gives every skill the same (neutral) rarity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkillRarity {
    postings: u64,
    counts: HashMap<String, u64>,
}

impl SkillRarity {
    /// From the number of postings and, per skill URI, how many postings ask for it
    /// (see `Store::job_skill_counts`). Counts above `postings` are capped.
    pub fn from_counts(postings: u64, counts: impl IntoIterator<Item = (String, u64)>) -> Self {
        let counts = counts
            .into_iter()
            .map(|(uri, n)| (uri, n.min(postings)))
            .collect();
        Self { postings, counts }
    }

    /// Rarity in 0..=1: `ln((N+1)/(df+1)) / ln(N+1)` for a skill asked for by `df` of `N`
    /// postings; 0 for a skill every posting asks for, 1 for one none does. 0 for every
    /// skill when no counts are known, so rarity then changes nothing.
    pub fn rarity(&self, uri: &str) -> f32 {
        if self.postings == 0 {
            return 0.0;
        }
        let n = self.postings as f64 + 1.0;
        let df = self.counts.get(uri).copied().unwrap_or(0) as f64 + 1.0;
        ((n / df).ln() / n.ln()).clamp(0.0, 1.0) as f32
    }

    /// The weight multiplier of a skill: `1 + boost * rarity`.
    pub fn weight(&self, uri: &str, boost: f32) -> f32 {
        1.0 + boost * self.rarity(uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_skills_weigh_more_than_common_ones_and_no_counts_is_neutral() {
        let rarity =
            SkillRarity::from_counts(100, [("common".to_owned(), 100), ("rare".to_owned(), 2)]);
        assert_eq!(rarity.rarity("common"), 0.0);
        assert!(rarity.rarity("rare") > 0.7, "{}", rarity.rarity("rare"));
        assert_eq!(rarity.rarity("unseen"), 1.0);
        assert!(rarity.weight("rare", 1.0) > rarity.weight("common", 1.0));
        let neutral = SkillRarity::default();
        assert_eq!(neutral.weight("rare", 1.0), neutral.weight("common", 1.0));
    }
}
