//! The on-disk cache of skill label vectors.
//!
//! Layout (little-endian): the magic `ICVSKV01`, the 32-byte key, the row count and the
//! dimension as `u64`, the `rows × dimension` `f32` values, then the sha256 of those
//! values. The key is the sha256 of the model's sha256 and of every embedded text with its
//! URI (see [`cache_key`]), so a new model or any change to the taxonomy's labels gives a
//! new key and the file is rebuilt. A file is only used when its magic, key, sizes and
//! checksum all match; it is written to a temporary file and renamed into place.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"ICVSKV01";
const HEADER: usize = 8 + 32 + 8 + 8;

/// Identifies what a cache file was built from.
pub type CacheKey = [u8; 32];

/// What reading a cache file found.
#[derive(Debug, Clone, PartialEq)]
pub enum CacheLoad {
    /// The vectors, row-major.
    Fresh(Vec<f32>),
    /// No file.
    Missing,
    /// A file that cannot be used, and why.
    Stale(String),
}

/// The key of vectors embedded by the model with sha256 `model_sha256` from `(uri, text)`
/// rows, in order.
pub fn cache_key<'a>(
    model_sha256: &str,
    rows: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> CacheKey {
    let mut hasher = Sha256::new();
    hasher.update(b"intellicv skill vectors v1\n");
    hasher.update(model_sha256.as_bytes());
    for (uri, text) in rows {
        hasher.update(b"\n");
        hasher.update(uri.as_bytes());
        hasher.update(b"\t");
        hasher.update(text.as_bytes());
    }
    hasher.finalize().into()
}

/// Reads `path` if it holds `rows × dimension` vectors built for `key`.
pub fn load(path: &Path, key: &CacheKey, rows: usize, dimension: usize) -> CacheLoad {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return CacheLoad::Missing,
        Err(error) => return CacheLoad::Stale(format!("unreadable: {error}")),
    };
    let payload = rows * dimension * 4;
    if bytes.len() != HEADER + payload + 32 || &bytes[..8] != MAGIC {
        return CacheLoad::Stale("not a skill vector file of the expected size".to_owned());
    }
    if &bytes[8..40] != key {
        return CacheLoad::Stale("built from another model or taxonomy".to_owned());
    }
    let sizes = (read_u64(&bytes[40..48]), read_u64(&bytes[48..56]));
    if sizes != (rows as u64, dimension as u64) {
        return CacheLoad::Stale("row count or dimension differs".to_owned());
    }
    let values = &bytes[HEADER..HEADER + payload];
    if Sha256::digest(values)[..] != bytes[HEADER + payload..] {
        return CacheLoad::Stale("checksum mismatch".to_owned());
    }
    CacheLoad::Fresh(
        values
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    )
}

/// Writes `values` (`rows × dimension`) for `key` to `path`, atomically.
pub fn store(
    path: &Path,
    key: &CacheKey,
    rows: usize,
    dimension: usize,
    values: &[f32],
) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)?;
    let mut payload = Vec::with_capacity(values.len() * 4);
    for value in values {
        payload.extend_from_slice(&value.to_le_bytes());
    }
    // A temporary file of its own, so processes building the cache at once do not collide.
    let temporary = tempfile::NamedTempFile::new_in(parent)?;
    {
        let mut file = std::io::BufWriter::new(temporary.as_file());
        file.write_all(MAGIC)?;
        file.write_all(key)?;
        file.write_all(&(rows as u64).to_le_bytes())?;
        file.write_all(&(dimension as u64).to_le_bytes())?;
        file.write_all(&payload)?;
        file.write_all(&Sha256::digest(&payload))?;
        file.flush()?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn read_u64(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf.copy_from_slice(bytes);
    u64::from_le_bytes(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_changes_with_the_model_and_with_any_label() {
        let base = cache_key("m1", [("u1", "cook"), ("u2", "bake")]);
        assert_eq!(base, cache_key("m1", [("u1", "cook"), ("u2", "bake")]));
        assert_ne!(base, cache_key("m2", [("u1", "cook"), ("u2", "bake")]));
        assert_ne!(
            base,
            cache_key("m1", [("u1", "cook"), ("u2", "bake bread")])
        );
        assert_ne!(base, cache_key("m1", [("u2", "bake"), ("u1", "cook")]));
    }

    #[test]
    fn vectors_round_trip_only_under_the_same_key_and_shape() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested/vectors.bin");
        let key = cache_key("m", [("u", "cook")]);
        assert_eq!(load(&path, &key, 2, 3), CacheLoad::Missing);
        let values = [0.5, -1.0, 2.0, 0.0, 1e-3, 7.5];
        store(&path, &key, 2, 3, &values).expect("stores");
        assert_eq!(load(&path, &key, 2, 3), CacheLoad::Fresh(values.to_vec()));
        let other = cache_key("m", [("u", "bake")]);
        assert!(matches!(load(&path, &other, 2, 3), CacheLoad::Stale(r) if r.contains("another")));
        assert!(matches!(load(&path, &key, 3, 2), CacheLoad::Stale(_)));
        assert!(matches!(load(&path, &key, 1, 3), CacheLoad::Stale(_)));
    }

    #[test]
    fn a_damaged_file_is_stale() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vectors.bin");
        let key = cache_key("m", [("u", "cook")]);
        store(&path, &key, 1, 2, &[1.0, 2.0]).expect("stores");
        let mut bytes = std::fs::read(&path).expect("reads");
        bytes[HEADER] ^= 0x40;
        std::fs::write(&path, bytes).expect("writes");
        assert_eq!(
            load(&path, &key, 1, 2),
            CacheLoad::Stale("checksum mismatch".to_owned())
        );
    }
}
