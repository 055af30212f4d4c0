//! The process-wide ONNX Runtime environment.
//!
//! ONNX Runtime is a shared library loaded at run time, and ort allows only one
//! environment per process ("only one environment is allowed per process" on a second
//! build), so the first successful load is kept and cloned (it is reference counted) into
//! every session. A failed load is not remembered, so a later load can retry once the
//! files are fixed.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use ort::environment::Environment;

use super::error::EmbedderError;

static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

/// The process's ONNX Runtime environment, loading the library from `library` on first use.
/// Later calls return the same environment whatever path they pass.
pub fn environment(library: &Path) -> Result<Environment, EmbedderError> {
    let mut slot = ENVIRONMENT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(environment) = slot.as_ref() {
        return Ok(environment.clone());
    }
    let runtime_error = |reason: String| EmbedderError::Runtime {
        path: library.to_owned(),
        reason,
    };
    let environment = ort::init_from(library)
        .map_err(|error| runtime_error(error.to_string()))?
        .with_name("intellicv")
        .build()
        .map_err(|error| runtime_error(format!("creating the environment: {error}")))?;
    tracing::info!(runtime.library = %library.display(), "onnx runtime loaded");
    *slot = Some(environment.clone());
    Ok(environment)
}
