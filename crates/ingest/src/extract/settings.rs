//! The `[extraction]` settings: the limits every untrusted document is extracted under.

use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ExtractLimits;

/// Limits for text extraction; each one reached fails that document with its own error code
/// (in parentheses), stored with the upload and answered as a 422.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtractionSettings {
    /// Wall time for one document (`extraction_timeout`).
    pub timeout_ms: u64,
    /// Largest accepted file (`too_large`).
    pub max_input_bytes: usize,
    /// Most bytes one PDF stream or archive part may inflate to (`decompression_limit`,
    /// `zip_bomb`).
    pub max_stream_bytes: u64,
    /// Most bytes all the streams read from one PDF may inflate to (`decompression_limit`).
    pub max_inflated_bytes: u64,
    /// Most pages in a PDF (`pdf_too_complex`).
    pub max_pages: usize,
    /// Most content operators a PDF page may run, its form XObjects included as drawn
    /// (`pdf_too_complex`).
    pub max_operators_per_page: u64,
    /// How deep PDF form XObjects may nest (`pdf_too_complex` where the fallback engine
    /// would have to follow them; the fast path stops drawing there).
    pub max_form_depth: usize,
    /// Most bytes of text from one document (`text_too_large`).
    pub max_text_bytes: usize,
}

impl Default for ExtractionSettings {
    fn default() -> Self {
        Self::from_limits(&ExtractLimits::builtin())
    }
}

impl ExtractionSettings {
    fn from_limits(limits: &ExtractLimits) -> Self {
        Self {
            timeout_ms: u64::try_from(limits.timeout.as_millis()).unwrap_or(u64::MAX),
            max_input_bytes: limits.max_input_bytes,
            max_stream_bytes: limits.max_uncompressed_bytes,
            max_inflated_bytes: limits.max_inflated_bytes,
            max_pages: limits.max_pages,
            max_operators_per_page: limits.max_operators_per_page,
            max_form_depth: limits.max_form_depth,
            max_text_bytes: limits.max_text_bytes,
        }
    }

    /// The limits these settings give (archive entry count and ratio keep their defaults).
    pub fn limits(&self) -> ExtractLimits {
        ExtractLimits {
            timeout: Duration::from_millis(self.timeout_ms),
            max_input_bytes: self.max_input_bytes,
            max_uncompressed_bytes: self.max_stream_bytes,
            max_inflated_bytes: self.max_inflated_bytes,
            max_pages: self.max_pages,
            max_operators_per_page: self.max_operators_per_page,
            max_form_depth: self.max_form_depth,
            max_text_bytes: self.max_text_bytes,
            ..ExtractLimits::builtin()
        }
    }

    /// Makes these the limits [`ExtractLimits::default`] gives in this process. The first
    /// call wins (settings are loaded once per process); later calls are ignored.
    pub fn install(&self) {
        let _ = CONFIGURED.set(self.limits());
    }
}

static CONFIGURED: OnceLock<ExtractLimits> = OnceLock::new();

pub(super) fn configured() -> Option<&'static ExtractLimits> {
    CONFIGURED.get()
}
