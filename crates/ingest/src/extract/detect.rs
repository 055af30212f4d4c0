//! Format detection from content alone: magic bytes first, then the structure of text.

use std::borrow::Cow;
use std::io::Cursor;

use super::DocumentFormat;
use super::docx::DOCUMENT_PART;
use super::error::ExtractError;
use super::text::{decode_text, looks_binary};

/// A PDF header may follow some junk; readers accept it within the first KiB.
const PDF_HEADER_WINDOW: usize = 1024;
/// How much of a text document the structural checks look at.
const TEXT_SNIFF_BYTES: usize = 64 * 1024;

/// Detect a document's format from its bytes.
///
/// Binary formats other than PDF and DOCX are [`ExtractError::UnsupportedFormat`] (legacy
/// `.doc`, RTF, images, other zip packages) or [`ExtractError::BinaryJunk`]. Text is checked
/// for JSON, an RFC 822 header block and HTML, in that order; anything else is plain text
/// (whose encoding is checked when it is extracted).
///
/// Opening a zip package is not free: detect once per document and pass the format along
/// ([`super::extract_format_with_timeout`]).
pub fn detect_format(bytes: &[u8]) -> Result<DocumentFormat, ExtractError> {
    let detected = detect(bytes);
    tracing::debug!(
        document.bytes = bytes.len(),
        document.format = detected.as_ref().map_or("unknown", |f| f.as_str()),
        "document format detected"
    );
    detected
}

fn detect(bytes: &[u8]) -> Result<DocumentFormat, ExtractError> {
    if bytes.trim_ascii().is_empty() {
        return Err(ExtractError::Empty);
    }
    if pdf_header_offset(bytes).is_some() {
        return Ok(DocumentFormat::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_format(bytes);
    }
    if let Some(format) = unsupported_binary(bytes) {
        return Err(ExtractError::UnsupportedFormat { format });
    }
    if looks_binary(bytes) {
        return Err(ExtractError::BinaryJunk);
    }
    let head = text_head(bytes);
    let trimmed = head.trim_start_matches('\u{FEFF}').trim_start();
    if looks_like_json(trimmed, bytes) {
        Ok(DocumentFormat::JsonResume)
    } else if looks_like_email(trimmed) {
        Ok(DocumentFormat::Email)
    } else if looks_like_html(trimmed) {
        Ok(DocumentFormat::Html)
    } else {
        Ok(DocumentFormat::Text)
    }
}

/// Where `%PDF-` starts, if it does within the first KiB.
pub fn pdf_header_offset(bytes: &[u8]) -> Option<usize> {
    bytes[..bytes.len().min(PDF_HEADER_WINDOW)]
        .windows(5)
        .position(|window| window == b"%PDF-")
}

fn zip_format(bytes: &[u8]) -> Result<DocumentFormat, ExtractError> {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // Truncated or damaged: judge by the entry names in the local headers.
        let named = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
        return if named(DOCUMENT_PART.as_bytes()) || named(b"[Content_Types].xml") {
            Ok(DocumentFormat::Docx)
        } else {
            Err(ExtractError::UnknownFormat)
        };
    };
    let has_prefix = |prefix: &[u8]| {
        archive
            .file_names_raw()
            .any(|name| name.starts_with(prefix))
    };
    if archive.index_for_name(DOCUMENT_PART).is_some() || has_prefix(b"word/") {
        Ok(DocumentFormat::Docx)
    } else if has_prefix(b"xl/") {
        Err(ExtractError::UnsupportedFormat {
            format: "spreadsheet (xlsx)",
        })
    } else if has_prefix(b"ppt/") {
        Err(ExtractError::UnsupportedFormat {
            format: "presentation (pptx)",
        })
    } else if bytes
        .windows(29)
        .any(|w| w == b"application/vnd.oasis.opendoc")
    {
        Err(ExtractError::UnsupportedFormat {
            format: "OpenDocument",
        })
    } else {
        Err(ExtractError::UnsupportedFormat {
            format: "zip archive",
        })
    }
}

fn unsupported_binary(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "legacy Word (doc)"),
        (b"{\\rtf", "RTF"),
        (b"\x89PNG", "image"),
        (b"\xFF\xD8\xFF", "image"),
        (b"GIF8", "image"),
        (b"II*\0", "image"),
        (b"MM\0*", "image"),
        (b"\x1F\x8B", "gzip archive"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, name)| *name)
}

/// The start of a text document, decoded leniently (encoding errors surface at extraction).
fn text_head(bytes: &[u8]) -> Cow<'_, str> {
    match decode_text(bytes) {
        Ok(text) => text,
        Err(_) => String::from_utf8_lossy(&bytes[..bytes.len().min(TEXT_SNIFF_BYTES)]),
    }
}

/// An object or array that parses, or an object-shaped text that does not (so that broken
/// JSON is reported as such rather than read as prose).
fn looks_like_json(trimmed: &str, bytes: &[u8]) -> bool {
    let end_trimmed = trimmed.trim_end();
    let object_shaped = trimmed.starts_with('{') && end_trimmed.ends_with('}');
    object_shaped
        || (trimmed.starts_with('[') && serde_json::from_slice::<serde_json::Value>(bytes).is_ok())
}

/// Header names that mark a message; a resume's "Name: ..." lines do not use these.
const MAIL_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "mime-version",
    "message-id",
    "received",
    "return-path",
    "content-type",
    "reply-to",
    "delivered-to",
    "x-mailer",
    "content-transfer-encoding",
    "sender",
];
const MAIL_ONLY_HEADERS: &[&str] = &[
    "from",
    "mime-version",
    "message-id",
    "received",
    "return-path",
];

/// An RFC 822 header block: every line a `Name: value` header or a folded continuation,
/// at least two well-known mail headers, one of them only ever seen in mail.
fn looks_like_email(text: &str) -> bool {
    let mut known = 0;
    let mut mail_only = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if index == 0 && line.starts_with("From ") {
            continue; // mbox separator line
        }
        if line.starts_with([' ', '\t']) && index > 0 {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if MAIL_HEADERS.contains(&name.as_str()) {
            known += 1;
            mail_only |= MAIL_ONLY_HEADERS.contains(&name.as_str());
        }
    }
    known >= 2 && mail_only
}

const HTML_TAGS: &[&str] = &[
    "<p>", "<p ", "<div", "<br", "<h1", "<h2", "<h3", "<li", "<ul", "<table", "<span", "<a ",
    "<b>", "<strong",
];

fn looks_like_html(trimmed: &str) -> bool {
    let head: String = trimmed
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return true;
    }
    if !head.starts_with('<') {
        return false;
    }
    head.contains("<html")
        || head.contains("<body")
        || head.contains("<head")
        || HTML_TAGS.iter().filter(|tag| head.contains(*tag)).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testdoc;

    #[test]
    fn pdf_and_docx_are_known_by_their_bytes() {
        assert_eq!(
            detect_format(&testdoc::text_pdf(&[&["x"]])),
            Ok(DocumentFormat::Pdf)
        );
        assert_eq!(
            detect_format(&testdoc::docx_from_lines(&["x"])),
            Ok(DocumentFormat::Docx)
        );
    }

    #[test]
    fn a_truncated_docx_is_still_a_docx() {
        let docx = testdoc::docx_from_lines(&["Jane Doe"]);
        assert_eq!(
            detect_format(&docx[..docx.len() - 40]),
            Ok(DocumentFormat::Docx)
        );
    }

    #[test]
    fn a_zip_without_word_parts_is_unsupported() {
        let zip = testdoc::zip(&[("xl/workbook.xml", b"<workbook/>")]);
        assert_eq!(
            detect_format(&zip),
            Err(ExtractError::UnsupportedFormat {
                format: "spreadsheet (xlsx)"
            })
        );
    }

    #[test]
    fn text_structures_are_told_apart() {
        assert_eq!(
            detect_format(br#" {"basics": {}} "#),
            Ok(DocumentFormat::JsonResume)
        );
        assert_eq!(
            detect_format(b"From: a@example.com\r\nSubject: CV\r\nMIME-Version: 1.0\r\n\r\nHi"),
            Ok(DocumentFormat::Email)
        );
        assert_eq!(
            detect_format(b"<!DOCTYPE html><html><body>Jane</body></html>"),
            Ok(DocumentFormat::Html)
        );
        assert_eq!(
            detect_format(b"<div><p>Jane</p></div>"),
            Ok(DocumentFormat::Html)
        );
        assert_eq!(
            detect_format(b"Jane Doe\nRust engineer"),
            Ok(DocumentFormat::Text)
        );
    }

    #[test]
    fn resume_header_lines_are_not_mistaken_for_mail_headers() {
        let text = b"Name: Jane Doe\nEmail: jane@example.com\nDate: 2024\n\nExperience";
        assert_eq!(detect_format(text), Ok(DocumentFormat::Text));
    }

    #[test]
    fn empty_binary_and_legacy_inputs_are_typed_errors() {
        assert_eq!(detect_format(b" \n\t "), Err(ExtractError::Empty));
        assert_eq!(
            detect_format(&[7, 1, 2, 3, 4, 5, 200, 201]),
            Err(ExtractError::BinaryJunk)
        );
        assert_eq!(
            detect_format(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
            Err(ExtractError::UnsupportedFormat {
                format: "legacy Word (doc)"
            })
        );
    }
}
