//! The JWT signing key: configured, or generated once and kept in the data dir.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

use super::error::AuthSetupError;
use intellicv_core::Secret;

pub const MIN_SECRET_BYTES: usize = 32;
const GENERATED_SECRET_BYTES: usize = 64;
pub const SECRET_FILE: &str = "jwt-secret";

/// The key bytes: `configured` when given, else the content of `<data_dir>/jwt-secret`,
/// created with a random key (mode 0600) on first use.
pub fn signing_secret(
    configured: Option<&Secret>,
    data_dir: &Path,
) -> Result<Vec<u8>, AuthSetupError> {
    if let Some(secret) = configured.filter(|s| !s.expose().is_empty()) {
        let bytes = secret.expose().as_bytes();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(AuthSetupError::SecretTooShort {
                min: MIN_SECRET_BYTES,
            });
        }
        return Ok(bytes.to_vec());
    }
    let path = data_dir.join(SECRET_FILE);
    let file_error = |source| AuthSetupError::SecretFile {
        path: path.clone(),
        source,
    };
    intellicv_store::create_private_dir(data_dir).map_err(file_error)?;
    match create_secret_file(&path) {
        Ok(secret) => {
            tracing::info!(path = %path.display(), "generated a jwt secret");
            Ok(secret)
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            narrow_to_owner(&path).map_err(file_error)?;
            read_secret_file(&path)
        }
        Err(e) => Err(file_error(e)),
    }
}

/// Creates the file only when it does not exist, so two processes never overwrite each
/// other's key.
fn create_secret_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    let mut secret = vec![0u8; GENERATED_SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    file.write_all(STANDARD.encode(&secret).as_bytes())?;
    file.sync_all()?;
    Ok(secret)
}

/// A key file others can read (written by hand, or by an older version) becomes 0600.
fn narrow_to_owner(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            tracing::warn!(path = %path.display(), "jwt secret file was readable by others; mode set to 600");
        }
    }
    Ok(())
}

fn read_secret_file(path: &Path) -> Result<Vec<u8>, AuthSetupError> {
    let text = std::fs::read_to_string(path).map_err(|source| AuthSetupError::SecretFile {
        path: path.to_owned(),
        source,
    })?;
    let corrupt = || AuthSetupError::CorruptSecretFile(PathBuf::from(path));
    let secret = STANDARD.decode(text.trim()).map_err(|_| corrupt())?;
    if secret.len() < MIN_SECRET_BYTES {
        return Err(corrupt());
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_kept_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let first = signing_secret(None, dir.path()).unwrap();
        let second = signing_secret(None, dir.path()).unwrap();
        assert_eq!(first.len(), GENERATED_SECRET_BYTES);
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_data_dir_is_created_private_and_a_loose_secret_file_is_narrowed() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("fresh");
        signing_secret(None, &dir).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let file = dir.join(SECRET_FILE);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        signing_secret(None, &dir).unwrap();
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn a_configured_secret_wins_and_must_be_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        let long = Secret::new("k".repeat(40));
        assert_eq!(signing_secret(Some(&long), dir.path()).unwrap().len(), 40);
        assert!(!dir.path().join(SECRET_FILE).exists());
        let short = Secret::new("short");
        assert!(matches!(
            signing_secret(Some(&short), dir.path()),
            Err(AuthSetupError::SecretTooShort { .. })
        ));
    }

    #[test]
    fn a_corrupt_secret_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SECRET_FILE), "not base64 !!").unwrap();
        assert!(matches!(
            signing_secret(None, dir.path()),
            Err(AuthSetupError::CorruptSecretFile(_))
        ));
    }
}
