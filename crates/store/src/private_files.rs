//! Files and directories only the service's own user may read: the data dir (0700), the
//! SQLite database with its `-wal` and `-shm` files (0600). On other platforms than Unix
//! these only create what is missing.

use std::io;
use std::path::{Path, PathBuf};

/// Creates `dir` (and missing parents) with mode 0700. An existing directory keeps its
/// mode; one that others can read is reported once in the log.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %dir.display(),
                mode = format!("{:o}", mode & 0o777),
                "data directory is accessible to other users; chmod 700 it"
            );
        }
    }
    Ok(())
}

/// Makes sure the SQLite database at `path` and its `-wal`/`-shm` files are 0600: creates
/// the (empty) database file with that mode when it is missing, so SQLite, which gives its
/// journal files the database file's mode, never creates them readable by others, and
/// narrows the mode of existing ones.
pub fn prepare_sqlite_file(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for file in sqlite_files(path) {
        narrow_to_owner(&file)?;
    }
    Ok(())
}

/// The database file and the journal files SQLite keeps beside it.
fn sqlite_files(path: &Path) -> Vec<PathBuf> {
    let mut files = vec![path.to_owned()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
}

#[cfg(unix)]
fn narrow_to_owner(file: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match std::fs::metadata(file) {
        Ok(meta) => meta.permissions().mode(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if mode & 0o077 != 0 {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode & 0o700))?;
        tracing::info!(path = %file.display(), "database file mode narrowed to owner only");
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow_to_owner(_file: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_data_dir_and_database_file_are_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data/local");
        let db = dir.join("intellicv.db");
        prepare_sqlite_file(&db).unwrap();
        assert_eq!(mode(&root.path().join("data")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn existing_database_files_are_narrowed_to_their_owner() {
        let root = tempfile::tempdir().unwrap();
        let db = root.path().join("intellicv.db");
        for file in sqlite_files(&db).iter().take(3) {
            std::fs::write(file, b"").unwrap();
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        prepare_sqlite_file(&db).unwrap();
        for file in sqlite_files(&db).iter().take(3) {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
    }
}
