//! Walking directories of resume files without following the file system anywhere it
//! should not go: an explicit stack (no recursion), a depth limit, a limit on files and
//! directories, a visited set of canonical directories (a symlink to a parent is walked
//! once, not forever), and, for the server's batch `directory` source, confinement to the
//! configured import roots (see [`ImportRoots`]).

use std::collections::HashSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

/// How far and how wide one walk may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkLimits {
    /// Directories deeper than this below the starting one are not entered (the starting
    /// directory's own entries are at depth 1).
    pub max_depth: usize,
    /// Most files listed, and most directories entered; a walk that finds more fails.
    pub max_files: usize,
}

impl WalkLimits {
    /// The limits of the operator's own `intellicv ingest resumes` (trusted input, large
    /// corpora): 32 levels, a million files.
    pub const CLI: WalkLimits = WalkLimits {
        max_depth: 32,
        max_files: 1_000_000,
    };
}

/// Why an entry under a walked directory was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A symlink whose target is outside every import root.
    OutsideImportRoots,
    /// Inside the server's data or index directory.
    ProtectedDirectory,
    /// A directory already walked: a symlink loop, or a second link to it.
    AlreadyWalked,
    /// A directory deeper than the depth limit.
    TooDeep,
    /// A symlink to nothing, or an entry that cannot be read.
    Unreadable,
    /// A device, socket or pipe.
    NotARegularFile,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutsideImportRoots => "outside_import_roots",
            Self::ProtectedDirectory => "protected_directory",
            Self::AlreadyWalked => "already_walked",
            Self::TooDeep => "too_deep",
            Self::Unreadable => "unreadable",
            Self::NotARegularFile => "not_a_regular_file",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry left out, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

/// What a walk found: the files (sorted) and the entries it left out (in walk order).
#[derive(Debug, Default, Clone)]
pub struct Walk {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("more than {limit} {what} under the directory")]
    TooMany { what: &'static str, limit: usize },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where a walk may go: inside `roots` (when confined) and never inside `protected`.
/// Every path is canonical.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fence {
    roots: Option<Vec<PathBuf>>,
    protected: Vec<PathBuf>,
}

impl Fence {
    /// No confinement (the operator's CLI), but loops, depth and counts still bounded.
    pub fn open() -> Self {
        Self::default()
    }

    /// Whether a canonical path may be read, or why not.
    pub fn check(&self, canonical: &Path) -> Result<(), SkipReason> {
        if self.protected.iter().any(|p| canonical.starts_with(p)) {
            return Err(SkipReason::ProtectedDirectory);
        }
        match &self.roots {
            Some(roots) if !roots.iter().any(|r| canonical.starts_with(r)) => {
                Err(SkipReason::OutsideImportRoots)
            }
            _ => Ok(()),
        }
    }
}

/// Every file under `paths` (files as given, directories walked), sorted; hidden files
/// (names starting with a dot) are left out silently, other entries with a reason.
pub fn walk(paths: &[PathBuf], fence: &Fence, limits: WalkLimits) -> Result<Walk, WalkError> {
    let mut out = Walk::default();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    for path in paths {
        let io = |source| WalkError::Io {
            path: path.clone(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            walk_dir(path, fence, limits, &mut visited, &mut out)?;
        } else {
            out.files.push(path.clone());
        }
    }
    out.files.sort();
    out.files.dedup();
    Ok(out)
}

fn walk_dir(
    start: &Path,
    fence: &Fence,
    limits: WalkLimits,
    visited: &mut HashSet<PathBuf>,
    out: &mut Walk,
) -> Result<(), WalkError> {
    let canonical = std::fs::canonicalize(start).map_err(|source| WalkError::Io {
        path: start.to_owned(),
        source,
    })?;
    if !visited.insert(canonical) {
        return Ok(());
    }
    let mut dirs = 1usize;
    let mut stack = vec![(start.to_owned(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let entries = match read_sorted(&dir) {
            Ok(entries) => entries,
            Err(source) if depth == 0 => return Err(WalkError::Io { path: dir, source }),
            Err(_) => {
                out.skipped.push(Skipped {
                    path: dir,
                    reason: SkipReason::Unreadable,
                });
                continue;
            }
        };
        let mut subdirs = Vec::new();
        for path in entries {
            let skip = |out: &mut Walk, reason| {
                out.skipped.push(Skipped {
                    path: path.clone(),
                    reason,
                });
            };
            // Follows a symlink to what it names; a broken one cannot be read.
            let (Ok(meta), Ok(canonical)) =
                (std::fs::metadata(&path), std::fs::canonicalize(&path))
            else {
                skip(out, SkipReason::Unreadable);
                continue;
            };
            if let Err(reason) = fence.check(&canonical) {
                skip(out, reason);
                continue;
            }
            if meta.is_dir() {
                if depth + 1 > limits.max_depth {
                    skip(out, SkipReason::TooDeep);
                } else if !visited.insert(canonical) {
                    skip(out, SkipReason::AlreadyWalked);
                } else {
                    dirs += 1;
                    if dirs > limits.max_files {
                        return Err(WalkError::TooMany {
                            what: "directories",
                            limit: limits.max_files,
                        });
                    }
                    subdirs.push(path);
                }
            } else if is_hidden(&path) {
                continue;
            } else if !meta.is_file() {
                skip(out, SkipReason::NotARegularFile);
            } else {
                out.files.push(path);
                if out.files.len() > limits.max_files {
                    return Err(WalkError::TooMany {
                        what: "files",
                        limit: limits.max_files,
                    });
                }
            }
        }
        // Popped in name order.
        stack.extend(subdirs.into_iter().rev().map(|d| (d, depth + 1)));
    }
    Ok(())
}

/// The entries of a directory, sorted by name, so that a walk is the same from run to run.
fn read_sorted(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// The server-side directories an admin's batch may read (`queue.import_roots`), and the
/// server's own directories, which no batch may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRoots {
    fence: Fence,
}

impl Default for ImportRoots {
    /// No root: nothing can be read.
    fn default() -> Self {
        Self {
            fence: Fence {
                roots: Some(Vec::new()),
                protected: Vec::new(),
            },
        }
    }
}

/// Why a batch directory or one of its files is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("must be an absolute path")]
    NotAbsolute,
    /// Outside every import root (or none is configured), or in a protected directory.
    #[error("{0}")]
    NotAllowed(String),
    #[error("not a directory the server can read")]
    Unreadable,
    /// The walk failed (too many files, an unreadable directory).
    #[error("{0}")]
    Invalid(String),
}

/// A configuration that cannot be served safely.
#[derive(Debug, thiserror::Error)]
#[error("queue.import_roots: {0}")]
pub struct ImportRootsError(String);

impl ImportRoots {
    /// Canonicalises `roots`; each must be an existing directory, and none may contain or
    /// lie inside any of `protected` (the data dir, the index dir, the database's
    /// directory), which may not exist yet.
    pub fn new(roots: &[PathBuf], protected: &[PathBuf]) -> Result<Self, ImportRootsError> {
        let protected: Vec<PathBuf> = protected.iter().map(|p| weakly_canonical(p)).collect();
        let mut canonical = Vec::with_capacity(roots.len());
        for root in roots {
            let c = std::fs::canonicalize(root)
                .map_err(|e| ImportRootsError(format!("cannot resolve {}: {e}", root.display())))?;
            if !c.is_dir() {
                return Err(ImportRootsError(format!(
                    "{} is not a directory",
                    root.display()
                )));
            }
            if let Some(p) = protected
                .iter()
                .find(|p| p.starts_with(&c) || c.starts_with(p))
            {
                return Err(ImportRootsError(format!(
                    "{} overlaps the server's own directory {}; an import root may neither \
                     contain nor lie inside the data dir, the index dir or the database's \
                     directory",
                    root.display(),
                    p.display()
                )));
            }
            canonical.push(c);
        }
        Ok(Self {
            fence: Fence {
                roots: Some(canonical),
                protected,
            },
        })
    }

    pub fn fence(&self) -> &Fence {
        &self.fence
    }

    fn roots(&self) -> &[PathBuf] {
        self.fence.roots.as_deref().unwrap_or_default()
    }

    /// The canonical directory a batch asks for, when it is inside an import root.
    pub fn resolve_dir(&self, requested: &str) -> Result<PathBuf, DirectoryError> {
        let path = Path::new(requested);
        if !path.is_absolute() {
            return Err(DirectoryError::NotAbsolute);
        }
        if self.roots().is_empty() {
            return Err(DirectoryError::NotAllowed(
                "no import root is configured (queue.import_roots), so no server \
                 directory can be read"
                    .to_owned(),
            ));
        }
        let outside = || {
            DirectoryError::NotAllowed(
                "not inside a configured import root (queue.import_roots)".to_owned(),
            )
        };
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            // Only a path that names a place inside a root learns that it does not exist.
            Err(_) if self.roots().iter().any(|r| lexical(path).starts_with(r)) => {
                return Err(DirectoryError::Unreadable);
            }
            Err(_) => return Err(outside()),
        };
        match self.fence.check(&canonical) {
            Ok(()) if canonical.is_dir() => Ok(canonical),
            Ok(()) => Err(DirectoryError::Unreadable),
            Err(SkipReason::ProtectedDirectory) => Err(DirectoryError::NotAllowed(
                "inside the server's own data or index directory".to_owned(),
            )),
            Err(_) => Err(outside()),
        }
    }

    /// Checks a listed file again just before it is read (it may have been replaced by a
    /// symlink since): answers the canonical path to read.
    pub fn resolve_file(&self, path: &Path) -> Result<PathBuf, SkipReason> {
        let canonical = std::fs::canonicalize(path).map_err(|_| SkipReason::Unreadable)?;
        if self.roots().is_empty() {
            return Err(SkipReason::OutsideImportRoots);
        }
        self.fence.check(&canonical)?;
        let meta = std::fs::metadata(&canonical).map_err(|_| SkipReason::Unreadable)?;
        if !meta.is_file() {
            return Err(SkipReason::NotARegularFile);
        }
        Ok(canonical)
    }
}

/// `path` with `.` and `..` resolved without the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The canonical form of `path` when it exists; else its deepest existing ancestor's
/// canonical form with the rest appended (a directory that will be created later).
fn weakly_canonical(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let absolute = lexical(&absolute);
    let mut base = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(base) {
            return rest.iter().rev().fold(c, |acc, part| acc.join(part));
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                base = parent;
            }
            _ => return absolute,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    const LIMITS: WalkLimits = WalkLimits {
        max_depth: 8,
        max_files: 100,
    };

    fn names(walk: &Walk, base: &Path) -> Vec<String> {
        walk.files
            .iter()
            .map(|p| p.strip_prefix(base).unwrap().display().to_string())
            .collect()
    }

    fn reasons(walk: &Walk) -> Vec<SkipReason> {
        walk.skipped.iter().map(|s| s.reason).collect()
    }

    #[test]
    fn a_symlink_to_a_parent_is_walked_once_not_forever() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::create_dir(base.join("sub")).unwrap();
        std::fs::write(base.join("a.txt"), "a").unwrap();
        std::fs::write(base.join("sub/b.txt"), "b").unwrap();
        symlink(base, base.join("sub/up")).unwrap();
        symlink(base.join("sub"), base.join("sub/self")).unwrap();
        let walk = walk(&[base.to_owned()], &Fence::open(), LIMITS).unwrap();
        assert_eq!(names(&walk, base), ["a.txt", "sub/b.txt"]);
        assert_eq!(
            reasons(&walk),
            [SkipReason::AlreadyWalked, SkipReason::AlreadyWalked]
        );
    }

    #[test]
    fn depth_and_count_limits_hold() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::create_dir_all(base.join("1/2/3")).unwrap();
        std::fs::write(base.join("1/2/3/deep.txt"), "x").unwrap();
        std::fs::write(base.join("1/top.txt"), "x").unwrap();
        let shallow = WalkLimits {
            max_depth: 2,
            max_files: 100,
        };
        let walk = walk(&[base.to_owned()], &Fence::open(), shallow).unwrap();
        assert_eq!(names(&walk, base), ["1/top.txt"]);
        assert_eq!(reasons(&walk), [SkipReason::TooDeep]);
        for i in 0..5 {
            std::fs::write(base.join(format!("f{i}.txt")), "x").unwrap();
        }
        let few = WalkLimits {
            max_depth: 8,
            max_files: 3,
        };
        assert!(matches!(
            super::walk(&[base.to_owned()], &Fence::open(), few),
            Err(WalkError::TooMany { what: "files", .. })
        ));
    }

    #[test]
    fn special_files_and_hidden_files_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::write(base.join(".hidden"), "x").unwrap();
        symlink("/dev/zero", base.join("zero")).unwrap();
        symlink(base.join("missing"), base.join("broken")).unwrap();
        let walk = walk(&[base.to_owned()], &Fence::open(), LIMITS).unwrap();
        assert!(walk.files.is_empty(), "{:?}", walk.files);
        assert_eq!(
            reasons(&walk),
            [SkipReason::Unreadable, SkipReason::NotARegularFile]
        );
    }

    #[test]
    fn a_confined_walk_refuses_symlinks_that_leave_the_roots() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        let root = tempfile::tempdir().unwrap();
        let base = root.path();
        std::fs::write(base.join("ok.txt"), "x").unwrap();
        symlink(outside.path().join("secret"), base.join("file-link")).unwrap();
        symlink(outside.path(), base.join("dir-link")).unwrap();
        symlink("/etc/passwd", base.join("passwd")).unwrap();
        let roots = ImportRoots::new(&[base.to_owned()], &[]).unwrap();
        let walk = walk(&[base.to_owned()], roots.fence(), LIMITS).unwrap();
        assert_eq!(names(&walk, base), ["ok.txt"]);
        assert_eq!(reasons(&walk), [SkipReason::OutsideImportRoots; 3]);
        assert_eq!(
            roots.resolve_file(&base.join("passwd")),
            Err(SkipReason::OutsideImportRoots)
        );
        assert!(roots.resolve_file(&base.join("ok.txt")).is_ok());
    }

    #[test]
    fn directories_outside_the_roots_are_not_allowed() {
        let root = tempfile::tempdir().unwrap();
        let canonical_root = std::fs::canonicalize(root.path()).unwrap();
        std::fs::create_dir(root.path().join("in")).unwrap();
        let roots = ImportRoots::new(&[root.path().to_owned()], &[]).unwrap();
        let inside = root.path().join("in");
        assert_eq!(
            roots.resolve_dir(inside.to_str().unwrap()),
            Ok(canonical_root.join("in"))
        );
        let escape = format!("{}/in/../..", root.path().display());
        assert!(matches!(
            roots.resolve_dir(&escape),
            Err(DirectoryError::NotAllowed(_))
        ));
        assert!(matches!(
            roots.resolve_dir("/etc"),
            Err(DirectoryError::NotAllowed(_))
        ));
        let missing = format!("{}/gone", canonical_root.display());
        assert_eq!(roots.resolve_dir(&missing), Err(DirectoryError::Unreadable));
        assert_eq!(roots.resolve_dir("rel/x"), Err(DirectoryError::NotAbsolute));
        let none = ImportRoots::new(&[], &[]).unwrap();
        assert!(matches!(
            none.resolve_dir(inside.to_str().unwrap()),
            Err(DirectoryError::NotAllowed(_))
        ));
        assert_eq!(
            none.resolve_file(&inside),
            Err(SkipReason::OutsideImportRoots)
        );
    }

    #[test]
    fn a_root_overlapping_the_data_dir_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let data = base.path().join("data");
        // The data dir inside the root, before it exists.
        assert!(ImportRoots::new(&[base.path().to_owned()], std::slice::from_ref(&data)).is_err());
        std::fs::create_dir_all(data.join("resumes")).unwrap();
        assert!(ImportRoots::new(&[base.path().to_owned()], std::slice::from_ref(&data)).is_err());
        // A root inside the data dir.
        assert!(ImportRoots::new(&[data.join("resumes")], std::slice::from_ref(&data)).is_err());
        let other = tempfile::tempdir().unwrap();
        assert!(ImportRoots::new(&[other.path().to_owned()], &[data]).is_ok());
        assert!(ImportRoots::new(&[base.path().join("missing")], &[]).is_err());
    }
}
