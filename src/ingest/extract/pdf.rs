//! PDF text through `pdf-extract`, with its failures mapped to typed errors.

use super::error::ExtractError;
use super::guard::catch_panic;
use super::normalize::alphanumeric_count;

/// Fewer alphanumeric characters than this means the PDF has no usable text layer.
pub const MIN_TEXT_LAYER_CHARS: usize = 20;

/// Raw (unnormalised) text of a PDF.
///
/// Pages are separated by blank lines. A PDF that opens only with a user password is
/// [`ExtractError::EncryptedPdf`]; one that reads but yields almost no text (scans) is
/// [`ExtractError::NoTextLayer`].
pub fn pdf_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let text =
        catch_panic(|| pdf_extract::extract_text_from_mem(bytes))?.map_err(map_output_error)?;
    if alphanumeric_count(&text) < MIN_TEXT_LAYER_CHARS {
        return Err(ExtractError::NoTextLayer);
    }
    Ok(text)
}

fn map_output_error(error: pdf_extract::OutputError) -> ExtractError {
    match error {
        pdf_extract::OutputError::PdfError(pdf_extract::Error::Decryption(_)) => {
            ExtractError::EncryptedPdf
        }
        pdf_extract::OutputError::PdfError(e) => ExtractError::CorruptPdf {
            reason: e.to_string(),
        },
        other => ExtractError::CorruptPdf {
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::extract::testdoc;

    const PAGE_ONE: &[&str] = &[
        "Jane Doe",
        "Experience",
        "Senior Engineer, Acme Ltd (2019-2024)",
    ];
    const PAGE_TWO: &[&str] = &["Skills", "Rust, SQL, Kubernetes"];

    #[test]
    fn text_of_a_two_page_pdf_keeps_every_line_in_order() {
        let text = pdf_text(&testdoc::text_pdf(&[PAGE_ONE, PAGE_TWO])).unwrap();
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(
            lines,
            [
                "Jane Doe",
                "Experience",
                "Senior Engineer, Acme Ltd (2019-2024)",
                "Skills",
                "Rust, SQL, Kubernetes"
            ]
        );
    }

    #[test]
    fn a_pdf_locked_with_a_user_password_is_encrypted_pdf() {
        let pdf = testdoc::encrypted_pdf(&[PAGE_ONE], "secret");
        assert_eq!(pdf_text(&pdf), Err(ExtractError::EncryptedPdf));
    }

    #[test]
    fn a_pdf_with_only_an_owner_password_reads_normally() {
        let pdf = testdoc::encrypted_pdf(&[PAGE_ONE], "");
        assert!(
            pdf_text(&pdf)
                .unwrap()
                .contains("Senior Engineer, Acme Ltd")
        );
    }

    #[test]
    fn an_image_only_pdf_has_no_text_layer() {
        assert_eq!(
            pdf_text(&testdoc::image_only_pdf()),
            Err(ExtractError::NoTextLayer)
        );
    }

    #[test]
    fn a_truncated_pdf_is_corrupt() {
        let pdf = testdoc::text_pdf(&[PAGE_ONE, PAGE_TWO]);
        let error = pdf_text(&pdf[..pdf.len() / 2]).unwrap_err();
        assert_eq!(error.code(), "corrupt_pdf", "{error}");
    }

    #[test]
    fn a_header_without_a_body_is_corrupt() {
        let error = pdf_text(b"%PDF-1.7\n").unwrap_err();
        assert_eq!(error.code(), "corrupt_pdf", "{error}");
    }
}
