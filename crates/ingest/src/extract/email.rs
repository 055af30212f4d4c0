//! E-mail (`.eml`): the resume is the best attachment, or else a substantial body.

use mail_parser::{MessageParser, MimeHeaders};

use super::error::ExtractError;
use super::normalize::{alphanumeric_count, normalize_text};
use super::{
    DocumentFormat, ExtractLimits, ExtractedDocument, PdfEngine, SourcePart, detect_format,
    extract_as,
};
use crate::html::{HtmlStyle, html_to_text};

/// A body shorter than this is a cover note, not a resume.
pub const MIN_BODY_RESUME_CHARS: usize = 150;

/// File-name words that mark the attachment meant as the resume.
const RESUME_NAME_HINTS: &[&str] = &["cv", "resume", "résumé", "lebenslauf", "curriculum"];

struct Candidate {
    document: ExtractedDocument,
    named_as_resume: bool,
    format_rank: u8,
    text_chars: usize,
}

/// Extract the resume carried by an e-mail.
///
/// Attachments are extracted by content; the best one wins (named like a resume, then
/// PDF/DOCX/JSON Resume over HTML over text, then the longest). Without a usable attachment, a
/// document attachment's own error is returned (an encrypted PDF stays `encrypted_pdf`);
/// failing that, a body of at least [`MIN_BODY_RESUME_CHARS`] letters and digits is used.
pub fn email_document(
    bytes: &[u8],
    limits: &ExtractLimits,
) -> Result<ExtractedDocument, ExtractError> {
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or(ExtractError::EmailWithoutResume)?;
    let mut best: Option<Candidate> = None;
    let mut document_error: Option<(u8, ExtractError)> = None;
    for (index, part) in message.attachments().enumerate() {
        if part.is_message() {
            continue; // forwarded mail: not unpacked, to bound recursion
        }
        let data = part.contents();
        let Ok(format) = detect_format(data) else {
            continue;
        };
        let file_name = part.attachment_name().map(str::to_owned);
        let rank = format_rank(format);
        match extract_as(data, format, limits, PdfEngine::default()) {
            Ok(mut document) => {
                let named_as_resume = file_name.as_deref().is_some_and(named_as_resume);
                tracing::debug!(
                    email.attachment = index,
                    document.format = format.as_str(),
                    "usable attachment"
                );
                document.source_part = Some(SourcePart::Attachment { file_name, format });
                let candidate = Candidate {
                    text_chars: alphanumeric_count(&document.text),
                    document,
                    named_as_resume,
                    format_rank: rank,
                };
                if best.as_ref().is_none_or(|b| candidate.beats(b)) {
                    best = Some(candidate);
                }
            }
            Err(error) if rank >= 2 && document_error.as_ref().is_none_or(|(r, _)| rank > *r) => {
                document_error = Some((rank, error));
            }
            Err(_) => {}
        }
    }
    if let Some(best) = best {
        return Ok(into_email(best.document));
    }
    if let Some((_, error)) = document_error {
        return Err(error);
    }
    body_document(&message).ok_or(ExtractError::EmailWithoutResume)
}

impl Candidate {
    fn beats(&self, other: &Candidate) -> bool {
        (self.named_as_resume, self.format_rank, self.text_chars)
            > (other.named_as_resume, other.format_rank, other.text_chars)
    }
}

fn format_rank(format: DocumentFormat) -> u8 {
    match format {
        DocumentFormat::Pdf | DocumentFormat::Docx | DocumentFormat::JsonResume => 2,
        DocumentFormat::Html => 1,
        DocumentFormat::Text | DocumentFormat::Email => 0,
    }
}

fn named_as_resume(file_name: &str) -> bool {
    let lower = file_name.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric() && c != 'é')
        .any(|word| RESUME_NAME_HINTS.contains(&word))
}

fn into_email(document: ExtractedDocument) -> ExtractedDocument {
    ExtractedDocument {
        format: DocumentFormat::Email,
        ..document
    }
}

/// The plain-text body, or the HTML body as text, when long enough to be a resume.
fn body_document(message: &mail_parser::Message<'_>) -> Option<ExtractedDocument> {
    let (text, format) = if let Some(part) = message.text_bodies().find(|p| !p.is_text_html()) {
        (part.text_contents()?.to_owned(), DocumentFormat::Text)
    } else {
        let part = message.html_bodies().next()?;
        (
            html_to_text(part.text_contents()?, &HtmlStyle::RESUME),
            DocumentFormat::Html,
        )
    };
    let text = normalize_text(&text);
    if alphanumeric_count(&text) < MIN_BODY_RESUME_CHARS {
        return None;
    }
    Some(ExtractedDocument {
        format: DocumentFormat::Email,
        text,
        json_resume: None,
        source_part: Some(SourcePart::Body { format }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testdoc::{self, Attachment};

    const COVER_NOTE: &str = "Hello,\r\nplease find my CV attached.\r\nJane";

    fn extract_email(bytes: &[u8]) -> Result<ExtractedDocument, ExtractError> {
        email_document(bytes, &ExtractLimits::default())
    }

    #[test]
    fn a_pdf_attachment_is_the_resume() {
        let pdf =
            testdoc::text_pdf(&[&["Jane Doe", "Experience", "Engineer at Acme Ltd since 2019"]]);
        let mail = testdoc::email(
            "Application",
            COVER_NOTE,
            &[Attachment {
                file_name: "jane.pdf",
                content_type: "application/pdf",
                data: &pdf,
            }],
        );
        let document = extract_email(&mail).unwrap();
        assert_eq!(document.format, DocumentFormat::Email);
        assert_eq!(
            document.text,
            "Jane Doe\nExperience\nEngineer at Acme Ltd since 2019"
        );
        assert_eq!(
            document.source_part,
            Some(SourcePart::Attachment {
                file_name: Some("jane.pdf".into()),
                format: DocumentFormat::Pdf
            })
        );
    }

    #[test]
    fn an_attachment_named_cv_beats_a_longer_one() {
        let cv = testdoc::docx_from_lines(&["Jane Doe", "Rust engineer with ten years"]);
        let other = testdoc::text_pdf(&[&[
            "Reference letter for Jane Doe",
            "She was a great colleague at Acme Ltd",
        ]]);
        let mail = testdoc::email(
            "Application",
            COVER_NOTE,
            &[
                Attachment {
                    file_name: "reference.pdf",
                    content_type: "application/pdf",
                    data: &other,
                },
                Attachment {
                    file_name: "Jane_Doe_CV.docx",
                    content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    data: &cv,
                },
            ],
        );
        let document = extract_email(&mail).unwrap();
        assert_eq!(document.text, "Jane Doe\nRust engineer with ten years");
    }

    #[test]
    fn an_encrypted_pdf_attachment_reports_its_own_error() {
        let pdf = testdoc::encrypted_pdf(&[&["Jane Doe"]], "secret");
        let mail = testdoc::email(
            "Application",
            COVER_NOTE,
            &[Attachment {
                file_name: "cv.pdf",
                content_type: "application/pdf",
                data: &pdf,
            }],
        );
        assert_eq!(extract_email(&mail), Err(ExtractError::EncryptedPdf));
    }

    #[test]
    fn a_long_plain_body_is_used_when_there_is_no_attachment() {
        let body = "Jane Doe\r\nBackend engineer\r\n\r\nExperience\r\n".to_owned()
            + &"Built search and matching systems in Rust at Acme Ltd.\r\n".repeat(4);
        let document = extract_email(&testdoc::email("My resume", &body, &[])).unwrap();
        assert!(
            document
                .text
                .starts_with("Jane Doe\nBackend engineer\n\nExperience\nBuilt search")
        );
        assert_eq!(
            document.source_part,
            Some(SourcePart::Body {
                format: DocumentFormat::Text
            })
        );
    }

    #[test]
    fn a_cover_note_with_only_a_logo_has_no_resume() {
        let mail = testdoc::email(
            "Application",
            COVER_NOTE,
            &[Attachment {
                file_name: "logo.png",
                content_type: "image/png",
                data: b"\x89PNG\r\n\x1a\n\0\0",
            }],
        );
        assert_eq!(extract_email(&mail), Err(ExtractError::EmailWithoutResume));
    }

    #[test]
    fn quoted_printable_html_body_is_decoded() {
        let paragraph =
            "<p>Built search and matching systems in Rust at Acme Ltd =E2=80=93 London.</p>";
        let mail = format!(
            "From: jane@example.com\r\nSubject: CV\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
             <html><body><h1>Jane Doe</h1>{}</body></html>\r\n",
            paragraph.repeat(3)
        );
        let document = extract_email(mail.as_bytes()).unwrap();
        let line = "Built search and matching systems in Rust at Acme Ltd \u{2013} London.";
        assert_eq!(document.text, format!("Jane Doe\n{line}\n{line}\n{line}"));
        assert_eq!(
            document.source_part,
            Some(SourcePart::Body {
                format: DocumentFormat::Html
            })
        );
    }
}
