//! Category profiles: for each category that documents of a collection carry (a resume's
//! category in the pool, set with `ingest resumes --labels`), the mean of their content
//! and title vectors. A document's affinity to each category is a softmax over its cosine
//! to the profiles: a nearest-centroid classifier learnt from the pool's own labels, which
//! similar-candidate search uses to prefer candidates of the query's likely category (see
//! docs/evaluation.md, "Similar candidates", for the measurements that chose it).

use std::collections::HashMap;

use super::embedder::{cosine, l2_norm};

/// Softmax temperature over cosines, chosen with `intellicv-lab eval similar`.
pub const TEMPERATURE: f32 = 0.02;

#[derive(Debug, Default)]
pub struct CategoryProfiles {
    names: Vec<String>,
    /// One unit vector per category: the normalised mean of its documents' features
    /// (content vector, then title vector or zeros).
    profiles: Vec<Vec<f32>>,
    index: HashMap<String, usize>,
}

/// The feature of a document: its content vector then its title vector (zeros without a
/// title), each of unit length.
fn feature(content: &[f32], title: Option<&[f32]>) -> Vec<f32> {
    let mut out = Vec::with_capacity(content.len() * 2);
    out.extend_from_slice(content);
    match title {
        Some(t) if t.len() == content.len() => out.extend_from_slice(t),
        _ => out.resize(content.len() * 2, 0.0),
    }
    out
}

/// Scales `v` to unit length; false (and untouched) for a zero or non-finite vector.
fn normalise(v: &mut [f32]) -> bool {
    let n = l2_norm(v);
    if n > 0.0 && n.is_finite() {
        v.iter_mut().for_each(|x| *x /= n);
        true
    } else {
        false
    }
}

impl CategoryProfiles {
    /// Profiles of the categories of `docs` (category, content vector, title vector).
    pub fn build<'a>(
        docs: impl IntoIterator<Item = (&'a str, &'a [f32], Option<&'a [f32]>)>,
    ) -> Self {
        let mut sums: Vec<(String, Vec<f32>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (category, content, title) in docs {
            let f = feature(content, title);
            let i = *index.entry(category.to_owned()).or_insert_with(|| {
                sums.push((category.to_owned(), vec![0.0; f.len()]));
                sums.len() - 1
            });
            let sum = &mut sums[i].1;
            if sum.len() == f.len() {
                sum.iter_mut().zip(&f).for_each(|(s, x)| *s += x);
            }
        }
        let mut out = Self::default();
        for (name, mut sum) in sums {
            if normalise(&mut sum) {
                out.index.insert(name.clone(), out.names.len());
                out.names.push(name);
                out.profiles.push(sum);
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether `category` has a profile.
    pub fn knows(&self, category: &str) -> bool {
        self.index.contains_key(category)
    }

    /// The probability of each category (in [`Self::names`] order) for a document with
    /// these vectors: softmax of its cosines to the profiles over [`TEMPERATURE`].
    pub fn posterior(&self, content: &[f32], title: Option<&[f32]>) -> Vec<f32> {
        let f = feature(content, title);
        if self.is_empty() || l2_norm(&f) == 0.0 {
            return Vec::new();
        }
        let logits: Vec<f32> = self
            .profiles
            .iter()
            .map(|p| cosine(p, &f) / TEMPERATURE)
            .collect();
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
        let total: f32 = exp.iter().sum();
        exp.into_iter().map(|e| e / total).collect()
    }

    /// How likely a document of `category` (or, without one, with posterior `other`) is
    /// to share the query's category, given the query's posterior: in [0, 1].
    pub fn affinity(&self, query: &[f32], category: Option<&str>, other: &[f32]) -> f32 {
        if query.len() != self.len() {
            return 0.0;
        }
        match category.and_then(|c| self.index.get(c)) {
            Some(&i) => query[i],
            None if other.len() == query.len() => query
                .iter()
                .zip(other)
                .map(|(q, o)| q * o)
                .sum::<f32>()
                .clamp(0.0, 1.0),
            None => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(dim: usize, i: usize) -> Vec<f32> {
        let mut v = vec![0.0; dim];
        v[i] = 1.0;
        v
    }

    #[test]
    fn a_document_is_most_likely_in_the_category_whose_profile_it_is_nearest() {
        let a = unit(4, 0);
        let b = unit(4, 1);
        let profiles = CategoryProfiles::build([
            ("a", a.as_slice(), Some(a.as_slice())),
            ("b", b.as_slice(), None),
        ]);
        assert_eq!(profiles.names(), ["a", "b"]);
        let p = profiles.posterior(&a, Some(&a));
        assert!(p[0] > 0.99, "{p:?}");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(profiles.affinity(&p, Some("a"), &[]) > 0.99);
        assert!(profiles.affinity(&p, Some("b"), &[]) < 0.01);
        // An uncategorised document: the overlap of the two posteriors.
        let other = profiles.posterior(&b, None);
        assert!(profiles.affinity(&p, None, &other) < 0.01);
        assert!(profiles.affinity(&p, None, &p) > 0.98);
        // A category without a profile counts as unknown.
        assert_eq!(profiles.affinity(&p, Some("c"), &[]), 0.0);
    }

    #[test]
    fn no_categories_give_no_posterior_and_no_affinity() {
        let profiles = CategoryProfiles::build([]);
        assert!(profiles.is_empty());
        let v = unit(4, 2);
        assert!(profiles.posterior(&v, None).is_empty());
        assert_eq!(profiles.affinity(&[], Some("a"), &[]), 0.0);
    }
}
