//! Candidate signals measured on top of "more like this" before they go into the engine:
//! the first-stage hits (the engine's hybrid similarity, 100 deep) re-ranked with
//! - skills: IDF-weighted cosine of the two resumes' ESCO skill sets,
//! - all titles: cosine of the embeddings of every job title of a resume (headline and
//!   experience titles joined), where the engine's title vector holds the headline only,
//! - headline words and title words: IDF-weighted cosine of the words of the headline, or
//!   of all titles (lowercased, a trailing plural `s` dropped).
//!
//! IDF is taken over the index half. `intellicv-lab eval similar` tunes the weights on the
//! tuning queries and reports them on the test queries.

use std::collections::{HashMap, HashSet};

use crate::similar::{FirstStage, Judge, Labelled};
use intellicv_core::ResumeProfile;
use intellicv_search::DocId;
use intellicv_search::embedder::cosine;

/// The re-ranking signals, in the order of a weight array.
pub const SIGNALS: [&str; 4] = ["skills", "all titles", "headline words", "title words"];

/// One document for [`RerankSignals::new`].
#[derive(Debug, Clone)]
pub struct RerankDoc {
    pub id: DocId,
    pub in_index: bool,
    pub skills: Vec<String>,
    pub titles_vector: Option<Vec<f32>>,
    pub headline: String,
    pub titles: String,
}

/// Sets of terms per document with IDF weights over the index half.
#[derive(Debug, Default)]
struct WeightedSets {
    idf: HashMap<String, f32>,
    sets: HashMap<DocId, HashSet<String>>,
    max_idf: f32,
}

impl WeightedSets {
    fn new(docs: impl Iterator<Item = (DocId, bool, HashSet<String>)>) -> Self {
        let mut sets = HashMap::new();
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut indexed = 0usize;
        for (id, in_index, set) in docs {
            if in_index {
                indexed += 1;
                for t in &set {
                    *df.entry(t.clone()).or_default() += 1;
                }
            }
            sets.insert(id, set);
        }
        let n = indexed.max(1) as f32;
        let idf: HashMap<String, f32> = df
            .into_iter()
            .map(|(t, d)| (t, (1.0 + n / d as f32).ln()))
            .collect();
        Self {
            idf,
            sets,
            max_idf: (1.0 + n).ln(),
        }
    }

    fn weight(&self, term: &str) -> f32 {
        self.idf.get(term).copied().unwrap_or(self.max_idf)
    }

    fn cosine(&self, a: DocId, b: DocId) -> f32 {
        let (Some(sa), Some(sb)) = (self.sets.get(&a), self.sets.get(&b)) else {
            return 0.0;
        };
        let norm =
            |s: &HashSet<String>| s.iter().map(|t| self.weight(t).powi(2)).sum::<f32>().sqrt();
        let shared: f32 = sa.intersection(sb).map(|t| self.weight(t).powi(2)).sum();
        let denominator = norm(sa) * norm(sb);
        if denominator > 0.0 {
            shared / denominator
        } else {
            0.0
        }
    }
}

/// The words of a title text: lowercased alphanumeric runs of two or more characters, a
/// trailing plural `s` dropped.
fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem.to_owned(),
                _ => w,
            }
        })
        .collect()
}

/// What a re-ranking needs of every document.
#[derive(Debug, Default)]
pub struct RerankSignals {
    skills: WeightedSets,
    headline_words: WeightedSets,
    title_words: WeightedSets,
    titles: HashMap<DocId, Vec<f32>>,
}

/// The titles of a profile as one text: headline, then experience titles, deduplicated.
pub fn all_titles(profile: &ResumeProfile) -> String {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let headline = profile.headline.as_ref().map(|h| h.value.clone());
    for t in headline
        .into_iter()
        .chain(profile.experience.iter().filter_map(|e| e.title.clone()))
    {
        let key = t.trim().to_lowercase();
        if !key.is_empty() && seen.insert(key) {
            out.push(t.trim().to_owned());
        }
    }
    out.join("; ")
}

impl RerankSignals {
    pub fn new(docs: Vec<RerankDoc>) -> Self {
        let skills = WeightedSets::new(
            docs.iter()
                .map(|d| (d.id, d.in_index, d.skills.iter().cloned().collect())),
        );
        let headline_words =
            WeightedSets::new(docs.iter().map(|d| (d.id, d.in_index, words(&d.headline))));
        let title_words =
            WeightedSets::new(docs.iter().map(|d| (d.id, d.in_index, words(&d.titles))));
        let titles = docs
            .into_iter()
            .filter_map(|d| d.titles_vector.map(|v| (d.id, v)))
            .collect();
        Self {
            skills,
            headline_words,
            title_words,
            titles,
        }
    }

    /// The signals of a pair, in the order of [`SIGNALS`], each in [0, 1].
    pub fn pair(&self, a: DocId, b: DocId) -> [f32; 4] {
        let titles = match (self.titles.get(&a), self.titles.get(&b)) {
            (Some(x), Some(y)) => cosine(x, y).max(0.0),
            _ => 0.0,
        };
        [
            self.skills.cosine(a, b),
            titles,
            self.headline_words.cosine(a, b),
            self.title_words.cosine(a, b),
        ]
    }
}

/// P@10 and nDCG@10 of the first stage re-ranked by `score + Σ weights[i] * signal[i]`.
pub fn rerank_score(
    stages: &[FirstStage],
    signals: &RerankSignals,
    corpus: &[Labelled],
    weights: [f32; 4],
) -> (f64, f64) {
    let judge = Judge::new(corpus);
    let (mut p, mut n) = (0.0, 0.0);
    for stage in stages {
        let mut scored: Vec<(DocId, f32)> = stage
            .hits
            .iter()
            .map(|&(id, s)| {
                let signal = signals.pair(stage.query, id);
                (
                    id,
                    s + weights.iter().zip(signal).map(|(w, x)| w * x).sum::<f32>(),
                )
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let (sp, sn) = judge.judge(&stage.label, scored.iter().map(|s| s.0));
        p += sp;
        n += sn;
    }
    let q = stages.len().max(1) as f64;
    (p / q, n / q)
}

/// Weights tuned by coordinate ascent over `grid` (each signal in turn, three rounds),
/// maximising P@10 on `stages`; `only` restricts tuning to one signal.
pub fn tune(
    stages: &[FirstStage],
    signals: &RerankSignals,
    corpus: &[Labelled],
    grid: &[f32],
    only: Option<usize>,
) -> [f32; 4] {
    let mut weights = [0.0; 4];
    let mut best = rerank_score(stages, signals, corpus, weights).0;
    for _ in 0..3 {
        for i in 0..4 {
            if only.is_some_and(|o| o != i) {
                continue;
            }
            for &w in grid {
                let mut trial = weights;
                trial[i] = w;
                let p = rerank_score(stages, signals, corpus, trial).0;
                if p > best {
                    best = p;
                    weights = trial;
                }
            }
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_words_fold_case_and_plurals() {
        let w = words("Senior ACCOUNTANTS / Accountant; HR");
        assert!(w.contains("accountant") && w.contains("senior") && w.contains("hr"));
        assert_eq!(w.len(), 3);
        assert!(words("Business").contains("business"));
    }

    #[test]
    fn rare_shared_terms_weigh_more_than_common_ones() {
        let sets = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        let w = WeightedSets::new(
            [
                (1, true, sets(&["manager", "chef"])),
                (2, true, sets(&["manager", "accountant"])),
                (3, true, sets(&["manager", "chef"])),
                (4, true, sets(&["manager"])),
            ]
            .into_iter(),
        );
        assert!(w.cosine(1, 3) > w.cosine(1, 2));
        assert!((w.cosine(1, 1) - 1.0).abs() < 1e-6);
        assert_eq!(w.cosine(1, 99), 0.0);
    }
}
