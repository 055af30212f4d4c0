//! Resume text extraction: detect a document's format from its content and turn it into clean,
//! line-structured text, with a typed [`ExtractError`] for every way that can fail.
//!
//! Supported: PDF, DOCX, HTML, plain text, JSON Resume and e-mail (`.eml`, the resume taken
//! from an attachment or the body). The file name is never consulted.
//!
//! [`extract`] is a plain CPU-bound function: run it on rayon or `spawn_blocking`. For
//! untrusted uploads, [`extract_with_timeout`] adds a wall-clock limit.

mod detect;
mod docx;
mod email;
mod error;
mod guard;
pub(crate) mod json_resume;
mod normalize;
mod pdf;
mod settings;
#[doc(hidden)]
pub mod testdoc;
mod text;

use std::time::{Duration, Instant};

pub use detect::detect_format;
pub use error::ExtractError;
pub use normalize::normalize_text;
pub use pdf::{FastError, PdfEngine, fast_pdf_text};
pub use settings::ExtractionSettings;

use crate::html::{HtmlStyle, html_to_text};
use normalize::alphanumeric_count;

/// Fewer letters and digits than this is not a resume.
pub const MIN_TEXT_CHARS: usize = 20;

/// A document format, as detected from content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    Pdf,
    Docx,
    Html,
    Text,
    JsonResume,
    Email,
}

impl DocumentFormat {
    /// Stable lowercase name, as in serde (`"json_resume"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Html => "html",
            Self::Text => "text",
            Self::JsonResume => "json_resume",
            Self::Email => "email",
        }
    }
}

/// Which part of a container (an e-mail) the text came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourcePart {
    /// An attachment, with its declared file name and its detected format.
    Attachment {
        file_name: Option<String>,
        format: DocumentFormat,
    },
    /// The message body (`Text` for text/plain, `Html` for text/html).
    Body { format: DocumentFormat },
}

/// The text of a document and what it was extracted from.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractedDocument {
    /// Detected format of the input (`Email` for an e-mail, whatever part was used).
    pub format: DocumentFormat,
    /// Normalised text: one line per line of the document, at most one blank line in a row.
    pub text: String,
    /// The parsed JSON Resume, when the resume was one.
    pub json_resume: Option<serde_json::Value>,
    /// For e-mail: the part the resume was taken from.
    pub source_part: Option<SourcePart>,
}

/// Resource limits for one extraction. Each limit, when reached, stops the work and fails
/// the extraction with its own [`ExtractError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractLimits {
    /// Largest accepted input.
    pub max_input_bytes: usize,
    /// Most bytes one archive part or one PDF stream may inflate to.
    pub max_uncompressed_bytes: u64,
    /// Most entries an archive may hold.
    pub max_archive_entries: usize,
    /// Highest accepted uncompressed:compressed ratio of an archive part.
    pub max_compression_ratio: u64,
    /// Wall-clock limit used by [`extract_with_timeout`].
    pub timeout: Duration,
    /// Most bytes all the streams read from one PDF may inflate to.
    pub max_inflated_bytes: u64,
    /// Most pages a PDF may have.
    pub max_pages: usize,
    /// Most content operators one PDF page may run, its forms included as drawn.
    pub max_operators_per_page: u64,
    /// How deep PDF form XObjects may nest.
    pub max_form_depth: usize,
    /// Most bytes of text one document may give.
    pub max_text_bytes: usize,
    /// When the work must stop (set by [`extract_with_timeout`] from `timeout`); checked
    /// as the work goes, so it ends at the limit instead of running on unobserved.
    pub deadline: Option<Instant>,
}

impl Default for ExtractLimits {
    /// The limits from the `[extraction]` settings this process installed, else the
    /// built-in ones.
    fn default() -> Self {
        settings::configured()
            .cloned()
            .unwrap_or_else(Self::builtin)
    }
}

impl ExtractLimits {
    /// The built-in limits.
    pub fn builtin() -> Self {
        Self {
            max_input_bytes: 10 << 20,
            max_uncompressed_bytes: 32 << 20,
            max_archive_entries: 2_000,
            max_compression_ratio: 200,
            timeout: Duration::from_secs(20),
            max_inflated_bytes: 128 << 20,
            max_pages: 500,
            max_operators_per_page: 1_000_000,
            max_form_depth: 12,
            max_text_bytes: 4 << 20,
            deadline: None,
        }
    }
}

/// Detect the format of `bytes` and extract normalised text.
pub fn extract(bytes: &[u8], limits: &ExtractLimits) -> Result<ExtractedDocument, ExtractError> {
    extract_with_engine(bytes, limits, PdfEngine::default())
}

/// [`extract`] with a chosen PDF engine (benchmarks compare them).
pub fn extract_with_engine(
    bytes: &[u8],
    limits: &ExtractLimits,
    engine: PdfEngine,
) -> Result<ExtractedDocument, ExtractError> {
    check_size(bytes, limits)?;
    extract_known(bytes, detect_format(bytes)?, limits, engine)
}

fn check_size(bytes: &[u8], limits: &ExtractLimits) -> Result<(), ExtractError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(ExtractError::TooLarge {
            size: bytes.len(),
            limit: limits.max_input_bytes,
        });
    }
    Ok(())
}

/// [`extract_with_engine`] for a document whose format is already detected (its size
/// checked by the caller).
fn extract_known(
    bytes: &[u8],
    format: DocumentFormat,
    limits: &ExtractLimits,
    engine: PdfEngine,
) -> Result<ExtractedDocument, ExtractError> {
    let started = Instant::now();
    let document = guard::catch_panic(|| extract_as(bytes, format, limits, engine))??;
    tracing::debug!(
        document.format = format.as_str(),
        document.bytes = bytes.len(),
        text.chars = document.text.len(),
        duration_ms = started.elapsed().as_millis() as u64,
        "extracted document text"
    );
    Ok(document)
}

/// [`extract`] on a thread of its own with a large stack, giving up with
/// [`ExtractError::TimedOut`] after `limits.timeout`. The work itself watches the same
/// deadline and stops there, so an abandoned thread does not run on for long.
///
/// Every untrusted document goes through this (uploads, batches, imports, `parse`).
pub fn extract_with_timeout(
    bytes: &[u8],
    limits: &ExtractLimits,
) -> Result<ExtractedDocument, ExtractError> {
    within_timeout(bytes, limits, extract)
}

/// [`extract_with_timeout`] for a document whose format the caller detected
/// ([`detect_format`]), so it is not detected again.
pub fn extract_format_with_timeout(
    bytes: &[u8],
    format: DocumentFormat,
    limits: &ExtractLimits,
) -> Result<ExtractedDocument, ExtractError> {
    within_timeout(bytes, limits, move |bytes, limits| {
        extract_known(bytes, format, limits, PdfEngine::default())
    })
}

/// Runs `job` on a copy of `bytes` on its own thread under `limits.timeout`.
fn within_timeout(
    bytes: &[u8],
    limits: &ExtractLimits,
    job: impl FnOnce(&[u8], &ExtractLimits) -> Result<ExtractedDocument, ExtractError> + Send + 'static,
) -> Result<ExtractedDocument, ExtractError> {
    check_size(bytes, limits)?;
    let timeout = limits.timeout;
    let limits = ExtractLimits {
        deadline: Some(Instant::now() + timeout),
        ..limits.clone()
    };
    let bytes = bytes.to_vec();
    guard::run_with_timeout(timeout, move || job(&bytes, &limits))
}

/// Extract text from a document already known to be in `format`.
fn extract_as(
    bytes: &[u8],
    format: DocumentFormat,
    limits: &ExtractLimits,
    engine: PdfEngine,
) -> Result<ExtractedDocument, ExtractError> {
    let mut json_resume = None;
    let raw = match format {
        DocumentFormat::Pdf => {
            let start = detect::pdf_header_offset(bytes).unwrap_or(0);
            pdf::pdf_text_with(&bytes[start..], engine, limits)?
        }
        DocumentFormat::Docx => docx::docx_text(bytes, limits)?,
        DocumentFormat::Html => html_to_text(&text::decode_text(bytes)?, &HtmlStyle::RESUME),
        DocumentFormat::Text => text::decode_text(bytes)?.into_owned(),
        DocumentFormat::JsonResume => {
            let value = json_resume::parse_json_resume(&text::decode_text(bytes)?)?;
            let rendered = json_resume::render_text(&value);
            json_resume = Some(value);
            rendered
        }
        DocumentFormat::Email => return email::email_document(bytes, limits),
    };
    if raw.len() > limits.max_text_bytes {
        return Err(ExtractError::TextTooLarge {
            limit: limits.max_text_bytes,
        });
    }
    let text = normalize_text(&raw);
    if alphanumeric_count(&text) < MIN_TEXT_CHARS {
        return Err(match format {
            DocumentFormat::Pdf => ExtractError::NoTextLayer,
            _ => ExtractError::NoText,
        });
    }
    Ok(ExtractedDocument {
        format,
        text,
        json_resume,
        source_part: None,
    })
}

#[cfg(test)]
mod tests;
