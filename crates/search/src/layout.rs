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
//!
//! Every process that builds or serves a generation holds a shared lock on its `lease`
//! file ([`GenerationLease`]). A generation that is not `CURRENT` and whose lease nobody
//! holds (a finished one that no process serves any more, or a half-built one whose
//! builder was killed: the kernel drops the lock with the process) is removed by
//! [`IndexLayout::remove_unused_generations`]; one a live process builds or serves is left
//! alone.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{Collection, SearchError};

const CURRENT: &str = "CURRENT";
const MANIFEST: &str = "manifest.json";
const LEASE: &str = "lease";
const GENERATION_PREFIX: &str = "gen-";

/// A process's claim on a generation directory (a shared lock on its `lease` file): while
/// any process holds one, no other removes the directory. Released on drop, or by the
/// kernel when the process dies.
#[derive(Debug)]
pub struct GenerationLease {
    dir: PathBuf,
    _file: File,
}

impl GenerationLease {
    /// Claims an existing generation directory. Fails when the directory is gone or being
    /// removed.
    pub fn acquire(dir: &Path) -> Result<Self, SearchError> {
        let path = dir.join(LEASE);
        let file = open_lease(&path)?;
        match file.try_lock_shared() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(SearchError::Corrupt {
                    path: dir.to_owned(),
                    reason: "the generation is being removed".to_owned(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(SearchError::io(path, e)),
        }
        // A cleaner may have removed the directory between our open and our lock: then
        // the lock is on a file no longer there.
        if !same_file(&file, &path) {
            return Err(SearchError::Corrupt {
                path: dir.to_owned(),
                reason: "the generation was removed".to_owned(),
            });
        }
        Ok(Self {
            dir: dir.to_owned(),
            _file: file,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn open_lease(path: &Path) -> Result<File, SearchError> {
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| SearchError::io(path, e))
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

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

    /// The name `CURRENT` holds, if it exists (whether or not that directory does).
    fn current_name(&self) -> Option<String> {
        fs::read_to_string(self.root.join(CURRENT))
            .ok()
            .map(|name| name.trim().to_owned())
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

    /// A fresh, empty generation directory (not yet live), claimed by the caller: keep
    /// the lease until the generation is built and live, or it is removed as half-built.
    pub fn new_generation(&self) -> Result<GenerationLease, SearchError> {
        let mut attempt = 0;
        loop {
            let stamp = Utc::now().format("%Y%m%dT%H%M%S%.6f");
            let dir = self.root.join(format!("{GENERATION_PREFIX}{stamp}"));
            if dir.exists() {
                std::thread::sleep(std::time::Duration::from_micros(10));
                continue;
            }
            fs::create_dir_all(&dir).map_err(|e| SearchError::io(&dir, e))?;
            match GenerationLease::acquire(&dir) {
                Ok(lease) => return Ok(lease),
                // Removed by a cleaner in the moment between creating and claiming it.
                Err(e) if attempt >= 3 => return Err(e),
                Err(_) => attempt += 1,
            }
        }
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

    /// Removes every generation directory that is not `CURRENT` and that no process
    /// holds a lease on: ones no process serves any more and half-built ones whose
    /// builder died. Returns the directories removed.
    pub fn remove_unused_generations(&self) -> Result<Vec<PathBuf>, SearchError> {
        let mut removed = Vec::new();
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
            Err(e) => return Err(SearchError::io(&self.root, e)),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            if !name.starts_with(GENERATION_PREFIX) || !path.is_dir() {
                continue;
            }
            if self.current_name().as_deref() == Some(name.as_str()) {
                continue;
            }
            let lease = path.join(LEASE);
            let Ok(file) = open_lease(&lease) else {
                continue; // removed meanwhile
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    tracing::debug!(path = %path.display(), "index generation in use, kept");
                    continue;
                }
                Err(TryLockError::Error(e)) => return Err(SearchError::io(lease, e)),
            }
            // Nobody can claim it now; it may have become live just before we locked.
            if self.current_name().as_deref() == Some(name.as_str()) {
                continue;
            }
            match fs::remove_dir_all(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(SearchError::io(&path, e)),
            }
            drop(file);
            tracing::info!(path = %path.display(), "unused index generation removed");
            removed.push(path);
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
    fn a_new_generation_becomes_current_and_unused_ones_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let layout = IndexLayout::new(root.path());
        assert_eq!(layout.current().unwrap(), None);
        let first = layout.new_generation().unwrap();
        layout.make_current(first.dir()).unwrap();
        assert_eq!(layout.current().unwrap(), Some(first.dir().to_owned()));
        let second = layout.new_generation().unwrap();
        layout.make_current(second.dir()).unwrap();
        assert_eq!(layout.current().unwrap(), Some(second.dir().to_owned()));
        // Still claimed by its (imagined) server: kept.
        assert!(layout.remove_unused_generations().unwrap().is_empty());
        let first_dir = first.dir().to_owned();
        drop(first);
        drop(second);
        assert_eq!(
            layout.remove_unused_generations().unwrap(),
            vec![first_dir.clone()]
        );
        assert!(!first_dir.exists());
        assert!(layout.current().unwrap().unwrap().exists());
    }

    #[test]
    fn a_half_built_generation_is_removed_only_once_its_builder_is_gone() {
        let root = tempfile::tempdir().unwrap();
        let layout = IndexLayout::new(root.path());
        let live = layout.new_generation().unwrap();
        layout.make_current(live.dir()).unwrap();
        let building = layout.new_generation().unwrap();
        fs::write(building.dir().join("half"), "x").unwrap();
        assert!(layout.remove_unused_generations().unwrap().is_empty());
        assert!(building.dir().exists());
        // A killed builder: its lock is gone with it (here: dropped).
        let dir = building.dir().to_owned();
        drop(building);
        // A directory left by an older version, without a lease file at all.
        let old = root.path().join("gen-20000101T000000.000000");
        fs::create_dir_all(old.join("jobs")).unwrap();
        let mut removed = layout.remove_unused_generations().unwrap();
        removed.sort();
        assert_eq!(removed, vec![old.clone(), dir.clone()]);
        assert!(live.dir().exists());
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
