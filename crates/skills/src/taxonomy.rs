//! The skills and occupations taxonomy: ESCO concepts plus the curated technology list.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::description::{DescriptionKind, LabelBoundaries, split_description};
use super::error::{DATA_HINT, FETCH_HINT, TaxonomyError};
use super::tech::{TechSkill, parse_tech_list};

/// Where a concept comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConceptSource {
    /// ESCO, preferred label from the curated preferred-label table.
    Esco,
    /// ESCO, preferred label guessed by splitting the description (no table entry).
    EscoGuessedLabel,
    /// A technology skill from `data/skills/tech.toml` that ESCO does not name.
    Curated,
}

/// One skill or occupation.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// ESCO URI, or `intellicv:tech/<slug>` for a curated technology skill.
    pub uri: String,
    pub preferred_label: String,
    /// Alternative labels, best effort (see [`super::description`]).
    pub alt_labels: Vec<String>,
    /// Definition text; empty for curated skills.
    pub definition: String,
    pub source: ConceptSource,
}

/// In-memory taxonomy, built once at start-up and shared read-only.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    skills: Vec<Concept>,
    occupations: Vec<Concept>,
    skill_by_uri: HashMap<String, usize>,
    skill_by_label: HashMap<String, usize>,
    occupation_by_uri: HashMap<String, usize>,
    tech: Vec<TechSkill>,
}

/// Paths of the files the taxonomy is read from.
#[derive(Debug, Clone)]
pub struct TaxonomyFiles {
    /// `models/esco/skills.csv`, placed by `scripts/fetch-models.sh`.
    pub skills_csv: PathBuf,
    /// `models/esco/occupations.csv`, placed by `scripts/fetch-models.sh`.
    pub occupations_csv: PathBuf,
    /// `data/esco/skill-preferred-labels.tsv`, committed.
    pub preferred_labels_tsv: PathBuf,
    /// `data/skills/tech.toml`, committed.
    pub tech_toml: PathBuf,
}

impl TaxonomyFiles {
    /// The standard layout under a models directory and the repository's `data/` directory.
    pub fn new(models_dir: &Path, data_dir: &Path) -> Self {
        Self {
            skills_csv: models_dir.join("esco/skills.csv"),
            occupations_csv: models_dir.join("esco/occupations.csv"),
            preferred_labels_tsv: data_dir.join("esco/skill-preferred-labels.tsv"),
            tech_toml: data_dir.join("skills/tech.toml"),
        }
    }
}

impl Taxonomy {
    /// Loads the taxonomy from `models_dir` (ESCO CSVs) and `data_dir` (the repository's
    /// `data/`: preferred-label table and curated technology list).
    pub fn load(models_dir: &Path, data_dir: &Path) -> Result<Self, TaxonomyError> {
        let started = Instant::now();
        let files = TaxonomyFiles::new(models_dir, data_dir);
        let skills = open(&files.skills_csv, FETCH_HINT)?;
        let occupations = open(&files.occupations_csv, FETCH_HINT)?;
        let preferred = open(&files.preferred_labels_tsv, DATA_HINT)?;
        let tech = read_to_string(&files.tech_toml)?;
        let taxonomy = Self::from_readers(skills, occupations, preferred, &tech)
            .map_err(|e| e.with_paths(&files))?;
        tracing::info!(
            skills.count = taxonomy.skills.len(),
            occupations.count = taxonomy.occupations.len(),
            tech.count = taxonomy.tech.len(),
            duration_ms = started.elapsed().as_millis() as u64,
            "skills taxonomy loaded"
        );
        Ok(taxonomy)
    }

    /// Builds the taxonomy from already opened sources (used by [`Taxonomy::load`] and tests).
    /// Paths in errors are the placeholders `skills.csv`, `occupations.csv`,
    /// `skill-preferred-labels.tsv` and `tech.toml`.
    pub fn from_readers(
        skills_csv: impl Read,
        occupations_csv: impl Read,
        preferred_labels_tsv: impl Read,
        tech_toml: &str,
    ) -> Result<Self, TaxonomyError> {
        let preferred = read_preferred_labels(preferred_labels_tsv)?;
        let boundaries = LabelBoundaries::learn(preferred.values().map(String::as_str));
        let skills = read_concepts(skills_csv, "skills.csv", |uri, description| {
            let known = preferred.get(uri).map(String::as_str);
            let split = split_description(description, known, &boundaries, DescriptionKind::Skill);
            let source = if known == Some(split.preferred_label.as_str()) {
                ConceptSource::Esco
            } else {
                ConceptSource::EscoGuessedLabel
            };
            (split, source)
        })?;
        let occupations = read_concepts(occupations_csv, "occupations.csv", |_, description| {
            let split =
                split_description(description, None, &boundaries, DescriptionKind::Occupation);
            (split, ConceptSource::EscoGuessedLabel)
        })?;
        let tech = parse_tech_list(tech_toml).map_err(|reason| TaxonomyError::Invalid {
            path: PathBuf::from("tech.toml"),
            reason,
        })?;
        Ok(Self::assemble(skills, occupations, tech))
    }

    fn assemble(mut skills: Vec<Concept>, occupations: Vec<Concept>, tech: Vec<TechSkill>) -> Self {
        skills.extend(
            tech.iter()
                .filter(|t| t.esco_uri.is_none())
                .map(|t| Concept {
                    uri: t.uri(),
                    preferred_label: t.name.clone(),
                    alt_labels: t.synonyms.clone(),
                    definition: String::new(),
                    source: ConceptSource::Curated,
                }),
        );
        let skill_by_uri = index_by(&skills, |c| c.uri.clone());
        let mut skill_by_label = HashMap::new();
        for (i, concept) in skills.iter().enumerate() {
            skill_by_label
                .entry(concept.preferred_label.to_lowercase())
                .or_insert(i);
        }
        let occupation_by_uri = index_by(&occupations, |c| c.uri.clone());
        Self {
            skills,
            occupations,
            skill_by_uri,
            skill_by_label,
            occupation_by_uri,
            tech,
        }
    }

    /// The skill with this URI (ESCO or `intellicv:tech/...`).
    pub fn skill(&self, uri: &str) -> Option<&Concept> {
        self.skill_by_uri.get(uri).map(|&i| &self.skills[i])
    }

    /// The skill whose preferred label is `label` (case-insensitive).
    pub fn skill_by_label(&self, label: &str) -> Option<&Concept> {
        self.skill_by_label
            .get(&label.to_lowercase())
            .map(|&i| &self.skills[i])
    }

    /// The occupation with this ESCO URI.
    pub fn occupation(&self, uri: &str) -> Option<&Concept> {
        self.occupation_by_uri
            .get(uri)
            .map(|&i| &self.occupations[i])
    }

    /// All skills: ESCO skills, then curated technology skills ESCO does not name.
    pub fn skills(&self) -> impl Iterator<Item = &Concept> {
        self.skills.iter()
    }

    /// All ESCO occupations.
    pub fn occupations(&self) -> impl Iterator<Item = &Concept> {
        self.occupations.iter()
    }

    /// The curated technology list, including entries mapped to ESCO skills.
    pub fn tech_skills(&self) -> &[TechSkill] {
        &self.tech
    }
}

impl TaxonomyError {
    /// Replaces the placeholder file names of [`Taxonomy::from_readers`] with real paths.
    fn with_paths(self, files: &TaxonomyFiles) -> Self {
        let real = |path: PathBuf| match path.to_str() {
            Some("skills.csv") => files.skills_csv.clone(),
            Some("occupations.csv") => files.occupations_csv.clone(),
            Some("skill-preferred-labels.tsv") => files.preferred_labels_tsv.clone(),
            Some("tech.toml") => files.tech_toml.clone(),
            _ => path,
        };
        match self {
            Self::Csv { path, source } => Self::Csv {
                path: real(path),
                source,
            },
            Self::Invalid { path, reason } => Self::Invalid {
                path: real(path),
                reason,
            },
            other => other,
        }
    }
}

fn index_by(concepts: &[Concept], key: impl Fn(&Concept) -> String) -> HashMap<String, usize> {
    concepts
        .iter()
        .enumerate()
        .map(|(i, c)| (key(c), i))
        .collect()
}

fn open(path: &Path, hint: &'static str) -> Result<std::fs::File, TaxonomyError> {
    std::fs::File::open(path).map_err(|source| io_error(path, hint, source))
}

fn read_to_string(path: &Path) -> Result<String, TaxonomyError> {
    std::fs::read_to_string(path).map_err(|source| io_error(path, DATA_HINT, source))
}

fn io_error(path: &Path, hint: &'static str, source: std::io::Error) -> TaxonomyError {
    if source.kind() == std::io::ErrorKind::NotFound {
        TaxonomyError::MissingFile {
            path: path.to_owned(),
            hint,
        }
    } else {
        TaxonomyError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

fn read_preferred_labels(reader: impl Read) -> Result<HashMap<String, String>, TaxonomyError> {
    let path = || PathBuf::from("skill-preferred-labels.tsv");
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_reader(reader);
    let mut labels = HashMap::new();
    for record in csv.records() {
        let record = record.map_err(|source| TaxonomyError::Csv {
            path: path(),
            source,
        })?;
        match (record.get(0), record.get(1)) {
            (Some(uri), Some(label)) if !uri.is_empty() && !label.is_empty() => {
                labels.insert(uri.to_owned(), label.to_owned());
            }
            _ => {
                return Err(TaxonomyError::Invalid {
                    path: path(),
                    reason: format!("row {} lacks a URI or a label", labels.len() + 2),
                });
            }
        }
    }
    Ok(labels)
}

fn read_concepts(
    reader: impl Read,
    name: &str,
    split: impl Fn(&str, &str) -> (super::description::SplitDescription, ConceptSource),
) -> Result<Vec<Concept>, TaxonomyError> {
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers().map_err(|source| TaxonomyError::Csv {
        path: PathBuf::from(name),
        source,
    })?;
    let column = |wanted: &str| {
        headers
            .iter()
            .position(|h| h == wanted)
            .ok_or_else(|| TaxonomyError::Invalid {
                path: PathBuf::from(name),
                reason: format!("no `{wanted}` column in the header"),
            })
    };
    let (id_col, description_col) = (column("id")?, column("description")?);
    let mut concepts = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|source| TaxonomyError::Csv {
            path: PathBuf::from(name),
            source,
        })?;
        let (Some(uri), Some(description)) = (record.get(id_col), record.get(description_col))
        else {
            continue;
        };
        let (parts, source) = split(uri, description);
        if uri.is_empty() || parts.preferred_label.is_empty() {
            continue;
        }
        concepts.push(Concept {
            uri: uri.to_owned(),
            preferred_label: parts.preferred_label,
            alt_labels: parts.alt_labels,
            definition: parts.definition,
            source,
        });
    }
    Ok(concepts)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) use crate::sample::sample_taxonomy as sample;
    use crate::sample::{OCCUPATIONS_CSV, PREFERRED_TSV, TECH_TOML};

    #[test]
    fn skills_are_found_by_uri_and_by_preferred_label() {
        let taxonomy = sample();
        let crew = taxonomy.skill("esco:s1").expect("s1 present");
        assert_eq!(crew.preferred_label, "manage stage crew");
        assert_eq!(crew.alt_labels, vec!["direct stage crews"]);
        assert_eq!(crew.definition, "Lead the people who move scenery.");
        assert_eq!(crew.source, ConceptSource::Esco);
        assert_eq!(
            taxonomy
                .skill_by_label("RUSTLANG (computer programming)")
                .map(|c| c.uri.as_str()),
            Some("esco:s2")
        );
    }

    #[test]
    fn a_skill_missing_from_the_label_table_gets_a_guessed_label() {
        let lighting = sample().skill("esco:s3").cloned().expect("s3 present");
        assert_eq!(lighting.source, ConceptSource::EscoGuessedLabel);
        assert_eq!(
            lighting.preferred_label,
            "direct stage lighting manage stage lighting"
        );
    }

    #[test]
    fn unmapped_tech_skills_become_curated_concepts() {
        let taxonomy = sample();
        let k8s = taxonomy
            .skill("intellicv:tech/kubernetes")
            .expect("curated");
        assert_eq!(k8s.preferred_label, "Kubernetes");
        assert_eq!(k8s.alt_labels, vec!["k8s"]);
        assert_eq!(taxonomy.skills().count(), 6);
        assert!(taxonomy.skill("intellicv:tech/rust").is_none());
    }

    #[test]
    fn occupations_are_loaded_with_guessed_labels() {
        let taxonomy = sample();
        let director = taxonomy.occupation("esco:o1").expect("o1 present");
        assert_eq!(director.preferred_label, "stage director");
        assert_eq!(director.alt_labels, vec!["stage manager"]);
        assert_eq!(taxonomy.occupations().count(), 1);
    }

    #[test]
    fn a_missing_file_error_names_the_file_and_the_fix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Taxonomy::load(dir.path(), dir.path()).expect_err("nothing there");
        let message = err.to_string();
        assert!(message.contains("esco/skills.csv is missing"), "{message}");
        assert!(message.contains("scripts/fetch-models.sh"), "{message}");
    }

    #[test]
    fn a_csv_without_a_description_column_is_rejected() {
        let err = Taxonomy::from_readers(
            "id,text\nx,y\n".as_bytes(),
            OCCUPATIONS_CSV.as_bytes(),
            PREFERRED_TSV.as_bytes(),
            TECH_TOML,
        )
        .expect_err("bad header");
        assert_eq!(
            err.to_string(),
            "skills.csv: no `description` column in the header"
        );
    }
}
