//! Candidate signals measured on top of "more like this" before they go into the engine:
//! the first-stage hits (the engine's hybrid similarity, 100 deep) re-ranked with
//! - skills: IDF-weighted cosine of the two resumes' ESCO skill sets (IDF over the index
//!   half), and
//! - titles: cosine of the embeddings of every job title of a resume (headline and
//!   experience titles joined), where the engine's title vector holds the headline only.
//!
//! `intellicv eval similar` tunes the two weights on the tuning queries and reports them on
//! the test queries.

use std::collections::{HashMap, HashSet};

use super::DocId;
use super::embedder::cosine;
use super::eval_similar::{K, Labelled, ndcg_at, precision_at};
use crate::domain::ResumeProfile;

/// One document for [`RerankSignals::new`]: id, whether it is in the index half, its
/// skill URIs and its all-titles vector.
pub type RerankDoc = (DocId, bool, Vec<String>, Option<Vec<f32>>);

/// What a re-ranking needs of every document.
#[derive(Debug, Default)]
pub struct RerankSignals {
    /// Skill URI → IDF weight (over the index half).
    idf: HashMap<String, f32>,
    skills: HashMap<DocId, Vec<String>>,
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
    /// `docs`: (id, in the index half, skill URIs, all-titles vector).
    pub fn new(docs: Vec<RerankDoc>) -> Self {
        let indexed = docs.iter().filter(|d| d.1).count().max(1) as f32;
        let mut df: HashMap<String, usize> = HashMap::new();
        for (_, in_index, uris, _) in &docs {
            if *in_index {
                for u in uris.iter().collect::<HashSet<_>>() {
                    *df.entry(u.clone()).or_default() += 1;
                }
            }
        }
        let idf = df
            .into_iter()
            .map(|(u, n)| (u, (1.0 + indexed / n as f32).ln()))
            .collect();
        let mut out = Self {
            idf,
            ..Self::default()
        };
        for (id, _, uris, titles) in docs {
            out.skills.insert(id, uris);
            if let Some(v) = titles {
                out.titles.insert(id, v);
            }
        }
        out
    }

    fn weight(&self, uri: &str) -> f32 {
        // A skill no indexed document has gets the highest weight.
        self.idf
            .get(uri)
            .copied()
            .unwrap_or(1.0 + (self.idf.len().max(1) as f32).ln())
    }

    /// IDF-weighted cosine of the two skill sets, in [0, 1].
    pub fn skills(&self, a: DocId, b: DocId) -> f32 {
        let (Some(sa), Some(sb)) = (self.skills.get(&a), self.skills.get(&b)) else {
            return 0.0;
        };
        let set_b: HashSet<&String> = sb.iter().collect();
        let norm = |s: &[String]| {
            s.iter()
                .collect::<HashSet<_>>()
                .iter()
                .map(|u| self.weight(u).powi(2))
                .sum::<f32>()
                .sqrt()
        };
        let shared: f32 = sa
            .iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .filter(|u| set_b.contains(u))
            .map(|u| self.weight(u).powi(2))
            .sum();
        let denominator = norm(sa) * norm(sb);
        if denominator > 0.0 {
            shared / denominator
        } else {
            0.0
        }
    }

    pub fn titles(&self, a: DocId, b: DocId) -> f32 {
        match (self.titles.get(&a), self.titles.get(&b)) {
            (Some(x), Some(y)) => cosine(x, y).max(0.0),
            _ => 0.0,
        }
    }
}

/// One query's first-stage hits: (id, the engine's score).
pub struct FirstStage {
    pub query: DocId,
    pub label: String,
    pub hits: Vec<(DocId, f32)>,
}

/// P@10 and nDCG@10 of the first stage re-ranked by
/// `score + w_skills * skills + w_titles * titles`.
pub fn rerank_score(
    stages: &[FirstStage],
    signals: &RerankSignals,
    corpus: &[Labelled],
    w_skills: f32,
    w_titles: f32,
) -> (f64, f64) {
    let label_of: HashMap<DocId, &str> = corpus.iter().map(|d| (d.id, d.label.as_str())).collect();
    let mut per_label: HashMap<&str, usize> = HashMap::new();
    for d in corpus
        .iter()
        .filter(|d| d.half == super::eval_similar::Half::Index)
    {
        *per_label.entry(d.label.as_str()).or_default() += 1;
    }
    let (mut p, mut n) = (0.0, 0.0);
    for stage in stages {
        let mut scored: Vec<(DocId, f32)> = stage
            .hits
            .iter()
            .map(|&(id, s)| {
                (
                    id,
                    s + w_skills * signals.skills(stage.query, id)
                        + w_titles * signals.titles(stage.query, id),
                )
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let relevant: Vec<bool> = scored
            .iter()
            .take(K)
            .map(|(id, _)| label_of.get(id) == Some(&stage.label.as_str()))
            .collect();
        p += precision_at(&relevant, K);
        n += ndcg_at(
            &relevant,
            K,
            per_label.get(stage.label.as_str()).copied().unwrap_or(0),
        );
    }
    let q = stages.len().max(1) as f64;
    (p / q, n / q)
}
