//! The index directory: generations and the pointer to the live one.
//!
//! ```text
//! index/
//!   CURRENT                 name of the live generation
//!   gen-<timestamp>/
//!     manifest.json         what the generation holds and when it last caught up
//!     jobs/text/            tantivy index
//!     jobs/vectors/         HNSW graph and content vectors
//!     jobs/titles/          HNSW graph and title vectors
//!     resumes/text/
//!     resumes/vectors/
//! ```
//! A rebuild writes a new generation beside the live one and then replaces `CURRENT`
//! atomically (write a temporary file, rename it over), so readers see either the old
//! generation or the new one, never a half-built index.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{Collection, SearchError};

const CURRENT: &str = "CURRENT";
const MANIFEST: &str = "manifest.json";

/// The root index directory.
#[derive(Debug, Clone)]
pub struct IndexLayout {
    root: PathBuf,
}

/// What a generation holds, per collection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The embedding model version the vectors came from (`EmbedderStatus::model_version`:
    /// the model file's sha256, plus the compute mode).
    pub model_sha256: String,
    pub jobs: CollectionState,
    pub resumes: CollectionState,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CollectionState {
    pub documents: usize,
    /// Unix seconds of the newest source change the text index holds.
    pub last_change: i64,
    /// Unix seconds when the vectors were last written to disk.
    pub vectors_saved_at: i64,
}

impl Manifest {
    pub fn collection(&self, c: Collection) -> &CollectionState {
        match c {
            Collection::Jobs => &self.jobs,
            Collection::Resumes => &self.resumes,
        }
    }

    pub fn collection_mut(&mut self, c: Collection) -> &mut CollectionState {
        match c {
            Collection::Jobs => &mut self.jobs,
            Collection::Resumes => &mut self.resumes,
        }
    }
}

impl IndexLayout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The live generation's directory, if one exists.
    pub fn current(&self) -> Result<Option<PathBuf>, SearchError> {
        let pointer = self.root.join(CURRENT);
        match fs::read_to_string(&pointer) {
            Ok(name) => {
                let dir = self.root.join(name.trim());
                if dir.is_dir() {
                    Ok(Some(dir))
                } else {
                    Err(SearchError::Corrupt {
                        path: pointer,
                        reason: format!("it names {}, which does not exist", name.trim()),
                    })
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SearchError::io(pointer, e)),
        }
    }

    /// A fresh, empty generation directory (not yet live).
    pub fn new_generation(&self) -> Result<PathBuf, SearchError> {
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.6f");
        let dir = self.root.join(format!("gen-{stamp}"));
        fs::create_dir_all(&dir).map_err(|e| SearchError::io(&dir, e))?;
        Ok(dir)
    }

    /// Makes `generation` the live one, atomically.
    pub fn make_current(&self, generation: &Path) -> Result<(), SearchError> {
        let name = generation
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| SearchError::Corrupt {
                path: generation.to_owned(),
                reason: "not a generation directory".to_owned(),
            })?;
        let tmp = self.root.join(format!("{CURRENT}.tmp"));
        fs::write(&tmp, name).map_err(|e| SearchError::io(&tmp, e))?;
        let pointer = self.root.join(CURRENT);
        fs::rename(&tmp, &pointer).map_err(|e| SearchError::io(&pointer, e))
    }

    /// Removes every generation but the live one and `keep`.
    pub fn remove_old_generations(&self, keep: Option<&Path>) -> Result<usize, SearchError> {
        let current = self.current()?;
        let mut removed = 0;
        let entries = fs::read_dir(&self.root).map_err(|e| SearchError::io(&self.root, e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let is_generation = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("gen-"));
            if !is_generation || Some(&path) == current.as_ref() || Some(path.as_path()) == keep {
                continue;
            }
            fs::remove_dir_all(&path).map_err(|e| SearchError::io(&path, e))?;
            removed += 1;
        }
        Ok(removed)
    }
}

/// Where a collection's indexes live inside a generation.
pub fn text_dir(generation: &Path, c: Collection) -> PathBuf {
    generation.join(c.as_str()).join("text")
}

pub fn vectors_dir(generation: &Path, c: Collection) -> PathBuf {
    generation.join(c.as_str()).join("vectors")
}

pub fn titles_dir(generation: &Path, c: Collection) -> PathBuf {
    generation.join(c.as_str()).join("titles")
}

pub fn read_manifest(generation: &Path) -> Result<Manifest, SearchError> {
    let path = generation.join(MANIFEST);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| SearchError::Corrupt {
            path,
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(e) => Err(SearchError::io(path, e)),
    }
}

/// Writes the manifest atomically.
pub fn write_manifest(generation: &Path, manifest: &Manifest) -> Result<(), SearchError> {
    let path = generation.join(MANIFEST);
    let tmp = generation.join(format!("{MANIFEST}.tmp"));
    let bytes = serde_json::to_vec_pretty(manifest).expect("a manifest serialises");
    fs::write(&tmp, bytes).map_err(|e| SearchError::io(&tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| SearchError::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_generation_becomes_current_and_old_ones_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let layout = IndexLayout::new(root.path());
        assert_eq!(layout.current().unwrap(), None);
        let first = layout.new_generation().unwrap();
        layout.make_current(&first).unwrap();
        assert_eq!(layout.current().unwrap(), Some(first.clone()));
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = layout.new_generation().unwrap();
        layout.make_current(&second).unwrap();
        assert_eq!(layout.current().unwrap(), Some(second.clone()));
        assert_eq!(layout.remove_old_generations(None).unwrap(), 1);
        assert!(!first.exists() && second.exists());
    }

    #[test]
    fn a_pointer_to_a_missing_generation_is_reported_as_corrupt() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join(CURRENT), "gen-gone").unwrap();
        let err = IndexLayout::new(root.path()).current().unwrap_err();
        assert!(matches!(err, SearchError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn manifests_round_trip_and_default_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_manifest(dir.path()).unwrap(), Manifest::default());
        let mut m = Manifest::default();
        m.jobs.documents = 3;
        m.resumes.last_change = 42;
        write_manifest(dir.path(), &m).unwrap();
        assert_eq!(read_manifest(dir.path()).unwrap(), m);
    }
}
