//! ESCO occupations with the skills each one needs, and their label vectors.
//!
//! The ESCO files we ship carry no occupation → skill relations, so each occupation's
//! skills are derived here: the skills gazetteer runs over the occupation's ESCO text (its
//! labels and its definition) and keeps the literal hits. At request time
//! [`super::pathways`] adds the skills that open postings whose title names the occupation
//! commonly ask for ([`super::CareerSettings::posting_skill_share`]).
//!
//! The file runs each occupation's labels together before its definition; the preferred
//! label is recovered from the definition, which starts with it in the plural
//! ([`occupation_label`]). The occupation vectors (the label and the definition's first
//! sentence, embedded once) are cached on disk beside the skill-label vectors, keyed by the
//! model's sha256 and the embedded texts, and built on first use (about 3,000 short texts).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

use intellicv_search::embedder::{Embedder, EmbedderError};
use intellicv_skills::semantic::{CacheLoad, cache_key, load_cache, store_cache};
use intellicv_skills::{SkillExtractor, Taxonomy};

/// The cache file under the vector cache directory.
pub const CACHE_FILE: &str = "occupation-vectors.bin";

/// URIs of occupations (the file also holds ISCO groups, which are not roles).
const OCCUPATION_URI: &str = "/esco/occupation/";

/// A skill an occupation needs, and where that was read.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OccupationSkill {
    pub uri: String,
    pub label: String,
}

/// One ESCO occupation.
#[derive(Debug, Clone, PartialEq)]
pub struct Occupation {
    pub uri: String,
    pub label: String,
    /// The taxonomy's guesses at the other labels (the file runs them together, so these
    /// are approximate and only shown, never matched on).
    pub alt_labels: Vec<String>,
    /// The first sentence of the ESCO definition.
    pub summary: String,
    /// Skills the gazetteer finds in the occupation's ESCO labels and definition.
    pub skills: Vec<OccupationSkill>,
}

impl Occupation {
    /// The phrases a posting title naming this occupation contains: its preferred label.
    pub fn title_phrases(&self) -> Vec<String> {
        vec![self.label.clone()]
    }

    /// What is embedded: the label and the definition's first sentence.
    fn embedded_text(&self) -> String {
        if self.summary.is_empty() {
            self.label.clone()
        } else {
            format!("{}. {}", self.label, self.summary)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot embed the occupation labels: {0}")]
    Embedder(#[from] EmbedderError),
    #[error("cannot write the occupation vector cache {path}: {source}")]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The occupations, an index from skill to the occupations needing it, and the label
/// vectors (built on first use).
pub struct OccupationCatalog {
    occupations: Vec<Occupation>,
    by_skill: HashMap<String, Vec<usize>>,
    /// Lowercase preferred labels → occupation.
    by_label: HashMap<String, usize>,
    embedder: Arc<Embedder>,
    cache_path: PathBuf,
    vectors: Mutex<Option<Arc<Vec<f32>>>>,
}

impl std::fmt::Debug for OccupationCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OccupationCatalog")
            .field("occupations", &self.occupations.len())
            .field("cache_path", &self.cache_path)
            .finish_non_exhaustive()
    }
}

/// The skills the gazetteer finds in an occupation's text, in order of first mention.
pub fn derive_skills(
    extractor: &SkillExtractor,
    label: &str,
    alt_labels: &[String],
    definition: &str,
) -> Vec<OccupationSkill> {
    let mut text = String::from(label);
    for alt in alt_labels {
        text.push_str(".\n");
        text.push_str(alt);
    }
    text.push_str(".\n");
    text.push_str(definition);
    let mut found = extractor.extract_in(&text, 0, Some("occupation"));
    found.sort_by_key(|s| s.evidence.first().map_or(usize::MAX, |e| e.source.start));
    let mut seen = HashSet::new();
    found
        .into_iter()
        // One- and two-letter names (C, R, Go) in occupation text are initials, not skills.
        .filter(|s| s.evidence.iter().any(|e| e.text.chars().count() > 2))
        .filter(|s| seen.insert(s.uri.clone()))
        .map(|s| OccupationSkill {
            uri: s.uri,
            label: s.label,
        })
        .collect()
}

impl OccupationCatalog {
    /// Derives every occupation's skills (CPU work: call from a blocking thread). Vectors
    /// are read or built later, on first use, into `cache_dir`.
    pub fn build(
        taxonomy: &Taxonomy,
        extractor: &SkillExtractor,
        embedder: Arc<Embedder>,
        cache_dir: &Path,
    ) -> Self {
        let started = Instant::now();
        let occupations: Vec<Occupation> = taxonomy
            .occupations()
            .filter(|c| c.uri.contains(OCCUPATION_URI))
            .map(|c| Occupation {
                uri: c.uri.clone(),
                label: occupation_label(c),
                alt_labels: c.alt_labels.clone(),
                summary: c
                    .definition
                    .split(". ")
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('.')
                    .to_owned(),
                skills: derive_skills(extractor, &c.preferred_label, &c.alt_labels, &c.definition),
            })
            .collect();
        let catalog = Self::from_occupations(occupations, embedder, cache_dir.join(CACHE_FILE));
        tracing::info!(
            occupations.count = catalog.occupations.len(),
            occupations.with_skills = catalog.with_skills(),
            duration_ms = started.elapsed().as_millis() as u64,
            "occupation skills derived"
        );
        catalog
    }

    /// A catalog of the given occupations (tests build small ones).
    pub fn from_occupations(
        occupations: Vec<Occupation>,
        embedder: Arc<Embedder>,
        cache_path: PathBuf,
    ) -> Self {
        let mut by_skill: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_label = HashMap::new();
        for (i, o) in occupations.iter().enumerate() {
            for s in &o.skills {
                by_skill.entry(s.uri.clone()).or_default().push(i);
            }
            by_label.entry(o.label.to_lowercase()).or_insert(i);
        }
        Self {
            occupations,
            by_skill,
            by_label,
            embedder,
            cache_path,
            vectors: Mutex::new(None),
        }
    }

    pub fn len(&self) -> usize {
        self.occupations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.occupations.is_empty()
    }

    /// Occupations with at least one derived skill.
    pub fn with_skills(&self) -> usize {
        self.occupations
            .iter()
            .filter(|o| !o.skills.is_empty())
            .count()
    }

    pub fn get(&self, index: usize) -> &Occupation {
        &self.occupations[index]
    }

    /// The occupation with this ESCO URI.
    pub fn by_uri(&self, uri: &str) -> Option<usize> {
        self.occupations.iter().position(|o| o.uri == uri)
    }

    /// The occupation whose preferred label is `title` (case-insensitive).
    pub fn by_label(&self, title: &str) -> Option<usize> {
        self.by_label.get(&title.trim().to_lowercase()).copied()
    }

    /// The occupations whose label a title names (as whole words, any case).
    pub fn named_in(&self, title: &str) -> Vec<usize> {
        let folded = fold_words(title);
        self.occupations
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                let label = fold_words(&o.label);
                label.trim().len() > 2 && folded.contains(&label)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// How many of `skills` each occupation needs (occupations needing none are absent).
    pub fn overlap_counts<'a>(
        &self,
        skills: impl IntoIterator<Item = &'a str>,
    ) -> HashMap<usize, usize> {
        let mut counts = HashMap::new();
        for uri in skills {
            for &i in self.by_skill.get(uri).map_or(&[][..], Vec::as_slice) {
                *counts.entry(i).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Whether the vectors are in memory already.
    pub fn vectors_ready(&self) -> bool {
        self.vectors.lock().map(|v| v.is_some()).unwrap_or(false)
    }

    pub fn cache_path(&self) -> &Path {
        &self.cache_path
    }

    /// The label vectors, row-major (one row per occupation): from memory, else from the
    /// cache file, else embedded now and cached. Blocking; the first call may take tens of
    /// seconds when there is no cache.
    pub fn vectors(&self) -> Result<Arc<Vec<f32>>, CatalogError> {
        let mut slot = self.vectors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = slot.as_ref() {
            return Ok(v.clone());
        }
        let started = Instant::now();
        let texts: Vec<String> = self
            .occupations
            .iter()
            .map(Occupation::embedded_text)
            .collect();
        let model = self.embedder.status().model_version;
        let key = cache_key(
            &model,
            self.occupations
                .iter()
                .zip(&texts)
                .map(|(o, t)| (o.uri.as_str(), t.as_str())),
        );
        let (rows, dim) = (texts.len(), self.embedder.dimension());
        let (values, cached) = match load_cache(&self.cache_path, &key, rows, dim) {
            CacheLoad::Fresh(values) => (values, true),
            outcome => {
                if let CacheLoad::Stale(reason) = outcome {
                    tracing::info!(path = %self.cache_path.display(), %reason, "occupation vector cache is stale, rebuilding");
                }
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                let values = self.embedder.embed_batch(&refs)?.concat();
                store_cache(&self.cache_path, &key, rows, dim, &values).map_err(|source| {
                    CatalogError::Cache {
                        path: self.cache_path.clone(),
                        source,
                    }
                })?;
                (values, false)
            }
        };
        tracing::info!(
            occupations.count = rows,
            cached,
            duration_ms = started.elapsed().as_millis() as u64,
            "occupation vectors ready"
        );
        let values = Arc::new(values);
        *slot = Some(values.clone());
        Ok(values)
    }

    /// The `k` occupations whose label vectors are closest to `query` (a unit vector),
    /// with their cosine similarity, best first. Blocking (builds the vectors on first use).
    pub fn nearest(&self, query: &[f32], k: usize) -> Result<Vec<(usize, f32)>, CatalogError> {
        let vectors = self.vectors()?;
        let dim = query.len().max(1);
        let mut scored: Vec<(usize, f32)> = vectors
            .chunks_exact(dim)
            .enumerate()
            .map(|(i, row)| (i, intellicv_search::embedder::cosine(row, query)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        Ok(scored)
    }

    /// The cosine similarity of `query` and one occupation's label vector.
    pub fn similarity(&self, query: &[f32], index: usize) -> Result<f32, CatalogError> {
        let vectors = self.vectors()?;
        let dim = query.len().max(1);
        Ok(vectors
            .chunks_exact(dim)
            .nth(index)
            .map_or(0.0, |row| intellicv_search::embedder::cosine(row, query)))
    }
}

/// ` word word `: lowercase alphanumeric words between single spaces, padded, so that
/// `contains` finds whole words.
fn fold_words(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!(" {} ", words.join(" "))
}

/// The preferred label of an ESCO occupation. The occupations file gives the labels as
/// one run of words before the definition, which begins with the preferred label in the
/// plural ("software developer ... Software developers implement ..."): the longest
/// leading run of label words whose plural starts the definition is the label; otherwise
/// the taxonomy's guess stands.
pub fn occupation_label(c: &intellicv_skills::Concept) -> String {
    let run: Vec<&str> = c
        .preferred_label
        .split_whitespace()
        .chain(c.alt_labels.iter().flat_map(|a| a.split_whitespace()))
        .collect();
    let definition = c.definition.to_lowercase();
    let mut best = None;
    for k in 1..=run.len().min(8) {
        let candidate = run[..k].join(" ").to_lowercase();
        if plurals(&candidate).iter().any(|p| {
            definition.starts_with(&format!("{p} ")) || definition.starts_with(&format!("{p},"))
        }) {
            best = Some(candidate);
        }
    }
    best.unwrap_or_else(|| c.preferred_label.clone())
}

/// Plural forms of a label (its last word pluralised), and the label itself.
fn plurals(label: &str) -> Vec<String> {
    let (head, last) = match label.rsplit_once(' ') {
        Some((h, l)) => (format!("{h} "), l),
        None => (String::new(), label),
    };
    let mut forms = vec![
        format!("{head}{last}s"),
        format!("{head}{last}es"),
        label.to_owned(),
    ];
    if let Some(stem) = last.strip_suffix('y') {
        forms.push(format!("{head}{stem}ies"));
    }
    if let Some(stem) = last.strip_suffix("man") {
        forms.push(format!("{head}{stem}men"));
    }
    if let Some(stem) = last.strip_suffix("person") {
        forms.push(format!("{head}{stem}people"));
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_skills::{Concept, ConceptSource};

    fn concept(label: &str, alts: &[&str], definition: &str) -> Concept {
        Concept {
            uri: "esco:o".to_owned(),
            preferred_label: label.to_owned(),
            alt_labels: alts.iter().map(|a| (*a).to_owned()).collect(),
            definition: definition.to_owned(),
            source: ConceptSource::EscoGuessedLabel,
        }
    }

    #[test]
    fn the_label_is_the_run_of_words_the_definition_starts_with_in_the_plural() {
        let c = concept(
            "fluid power",
            &["engineer", "assembler"],
            "Fluid power engineers design hydraulic systems.",
        );
        assert_eq!(occupation_label(&c), "fluid power engineer");
        let c = concept("nanny au pair", &[], "Nannies care for children.");
        assert_eq!(occupation_label(&c), "nanny");
        let c = concept("fisher", &["man"], "Fishermen fish.");
        assert_eq!(occupation_label(&c), "fisher");
        let c = concept("odd label", &[], "Workers do things.");
        assert_eq!(occupation_label(&c), "odd label");
    }
}
