//! Why a document could not be turned into text.

/// A typed reason for refusing or failing to extract text from a document.
///
/// Every variant has a stable snake_case [`code`](ExtractError::code) that callers can put in
/// API responses and metrics; the `Display` text is a human-readable reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("document is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("document is empty")]
    Empty,
    #[error("document format is not recognised")]
    UnknownFormat,
    #[error("{format} documents are not supported")]
    UnsupportedFormat { format: &'static str },
    #[error("document is binary data, not a resume")]
    BinaryJunk,
    #[error("text is not valid UTF-8 (first bad byte at offset {offset})")]
    InvalidUtf8 { offset: usize },
    #[error("PDF is encrypted with a password")]
    EncryptedPdf,
    #[error("PDF is corrupt: {reason}")]
    CorruptPdf { reason: String },
    #[error("PDF has no text layer (scanned or image-only)")]
    NoTextLayer,
    #[error("DOCX is corrupt: {reason}")]
    CorruptDocx { reason: String },
    #[error("archive looks like a zip bomb: {reason}")]
    ZipBomb { reason: String },
    #[error("archive entry has an unsafe path: {path:?}")]
    UnsafeArchivePath { path: String },
    #[error("not a JSON Resume: {reason}")]
    InvalidJsonResume { reason: String },
    #[error("e-mail has no attachment or body that holds a resume")]
    EmailWithoutResume,
    #[error("document has too little text to be a resume")]
    NoText,
    #[error("text extractor crashed on this document")]
    ExtractorPanicked,
    #[error("text extraction took longer than {limit_ms} ms")]
    TimedOut { limit_ms: u64 },
    #[error("PDF is too complex to read: {reason}")]
    PdfTooComplex { reason: String },
    #[error("document streams inflate to more than the limit of {limit} bytes")]
    DecompressionLimit { limit: u64 },
    #[error("document gives more than the limit of {limit} bytes of text")]
    TextTooLarge { limit: usize },
}

impl ExtractError {
    /// Stable snake_case identifier of the error kind, e.g. `"encrypted_pdf"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Empty => "empty",
            Self::UnknownFormat => "unknown_format",
            Self::UnsupportedFormat { .. } => "unsupported_format",
            Self::BinaryJunk => "binary_junk",
            Self::InvalidUtf8 { .. } => "invalid_utf8",
            Self::EncryptedPdf => "encrypted_pdf",
            Self::CorruptPdf { .. } => "corrupt_pdf",
            Self::NoTextLayer => "no_text_layer",
            Self::CorruptDocx { .. } => "corrupt_docx",
            Self::ZipBomb { .. } => "zip_bomb",
            Self::UnsafeArchivePath { .. } => "unsafe_archive_path",
            Self::InvalidJsonResume { .. } => "invalid_json_resume",
            Self::EmailWithoutResume => "email_without_resume",
            Self::NoText => "no_text",
            Self::ExtractorPanicked => "extractor_panicked",
            Self::TimedOut { .. } => "extraction_timeout",
            Self::PdfTooComplex { .. } => "pdf_too_complex",
            Self::DecompressionLimit { .. } => "decompression_limit",
            Self::TextTooLarge { .. } => "text_too_large",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_identifiers() {
        assert_eq!(ExtractError::EncryptedPdf.code(), "encrypted_pdf");
        assert_eq!(
            ExtractError::TooLarge { size: 2, limit: 1 }.code(),
            "too_large"
        );
        assert_eq!(
            ExtractError::TimedOut { limit_ms: 5 }.to_string(),
            "text extraction took longer than 5 ms"
        );
    }
}
