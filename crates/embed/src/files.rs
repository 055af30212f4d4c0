//! The files a model needs, and their sha256 verification against `models/.checksums`.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::config::{DEFAULT_MODEL_NAME, EmbedderConfig};
use super::error::EmbedderError;

/// The sha256 of the default model's `model.onnx`, used when the manifest lacks it.
pub const DEFAULT_MODEL_ONNX_SHA256: &str =
    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6";

/// The manifest `scripts/fetch-models.sh` writes (`sha256  relative/path` lines).
pub const MANIFEST_FILE: &str = ".checksums";

/// Files read from the model directory, besides `model.onnx`.
pub const TOKENIZER_FILES: [&str; 4] = [
    "tokenizer.json",
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
];

/// The verified paths of everything a model load reads.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    pub runtime_library: PathBuf,
    pub model_onnx: PathBuf,
    /// sha256 of `model.onnx` (verified).
    pub model_sha256: String,
    pub model_dir: PathBuf,
}

/// Checks that every file exists and that each file with a known sha256 matches it.
/// `model.onnx` must have a known sum: from the manifest, or the built-in one for the
/// default model.
pub fn verify(config: &EmbedderConfig) -> Result<ModelFiles, EmbedderError> {
    let model_dir = config.model_dir();
    let runtime_library = config.runtime_library();
    let model_onnx = model_dir.join("model.onnx");
    let manifest_path = config.models_dir.join(MANIFEST_FILE);
    let manifest = read_manifest(&manifest_path)?;

    let mut required = vec![runtime_library.clone(), model_onnx.clone()];
    required.extend(TOKENIZER_FILES.iter().map(|name| model_dir.join(name)));
    for path in &required {
        if !path.is_file() {
            return Err(EmbedderError::MissingFile { path: path.clone() });
        }
    }

    let expected_for = |path: &Path| -> Option<String> {
        let resolved = std::fs::canonicalize(path).ok()?;
        manifest.iter().find_map(|(rel, sum)| {
            let listed = std::fs::canonicalize(config.models_dir.join(rel)).ok()?;
            (listed == resolved).then(|| sum.clone())
        })
    };

    let model_expected = expected_for(&model_onnx)
        .or_else(|| {
            (config.model_name == DEFAULT_MODEL_NAME).then(|| DEFAULT_MODEL_ONNX_SHA256.to_owned())
        })
        .ok_or_else(|| EmbedderError::UnknownChecksum {
            path: model_onnx.clone(),
            manifest: manifest_path.clone(),
        })?;
    let model_sha256 = check_sum(&model_onnx, &model_expected)?;

    for path in required.iter().filter(|path| **path != model_onnx) {
        if let Some(expected) = expected_for(path) {
            check_sum(path, &expected)?;
        }
    }

    Ok(ModelFiles {
        runtime_library,
        model_onnx,
        model_sha256,
        model_dir,
    })
}

/// Reads the manifest into `relative path -> sha256`; an absent manifest is empty.
fn read_manifest(path: &Path) -> Result<HashMap<String, String>, EmbedderError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(source) => {
            return Err(EmbedderError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    Ok(parse_manifest(&text))
}

/// Parses `sha256sum` output: `<64 hex>  <path>` per line (a `*` before the path marks
/// binary mode); other lines are ignored.
fn parse_manifest(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (sum, rel) = line.trim().split_once(char::is_whitespace)?;
            let rel = rel.trim_start().trim_start_matches('*');
            let is_sum = sum.len() == 64 && sum.bytes().all(|b| b.is_ascii_hexdigit());
            (is_sum && !rel.is_empty()).then(|| (rel.to_owned(), sum.to_ascii_lowercase()))
        })
        .collect()
}

/// Hashes `path` and compares with `expected`; returns the sum.
fn check_sum(path: &Path, expected: &str) -> Result<String, EmbedderError> {
    let actual = sha256_file(path)?;
    if actual != expected {
        return Err(EmbedderError::CorruptFile {
            path: path.to_owned(),
            expected: expected.to_owned(),
            actual,
        });
    }
    Ok(actual)
}

/// The lowercase hex sha256 of a file's bytes.
pub fn sha256_file(path: &Path) -> Result<String, EmbedderError> {
    let read_error = |source| EmbedderError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer).map_err(read_error)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lines_map_paths_to_sums() {
        let sum = "ab".repeat(32);
        let text = format!("{sum}  dir/model.onnx\n{sum} *bin.so\nnot a sum line\n\n");
        let manifest = parse_manifest(&text);
        assert_eq!(manifest.len(), 2);
        assert_eq!(manifest.get("dir/model.onnx"), Some(&sum));
        assert_eq!(manifest.get("bin.so"), Some(&sum));
    }

    #[test]
    fn sha256_of_a_known_file_matches_sha256sum() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("abc.txt");
        std::fs::write(&path, b"abc").expect("write");
        assert_eq!(
            sha256_file(&path).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
