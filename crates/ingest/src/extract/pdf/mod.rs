//! PDF text. A fast path (our own content-stream interpreter on lopdf, [`fast`]) handles
//! the common fonts; pdf-extract is the fallback for anything it does not (encryption, Type3,
//! standard-14 fonts without widths, custom encodings) and for documents where the fast path
//! finds no text. Failures map to typed errors either way.

mod cmap;
mod fallback;
mod fast;
mod font;
mod layout;
mod lexer;
mod limits;

use super::error::ExtractError;
use super::guard::catch_panic;
use super::normalize::alphanumeric_count;
use crate::extract::ExtractLimits;

pub use fast::FastError;
use limits::{Budget, load as load_pdf};

/// Fewer alphanumeric characters than this means the PDF has no usable text layer.
pub const MIN_TEXT_LAYER_CHARS: usize = 20;

/// Which PDF text extractor to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfEngine {
    /// The fast path, falling back to pdf-extract when it cannot handle a document.
    #[default]
    Fast,
    /// pdf-extract only (the baseline).
    PdfExtract,
}

/// Raw (unnormalised) text of a PDF, within `limits`.
///
/// Pages are separated by blank lines. A PDF that opens only with a user password is
/// [`ExtractError::EncryptedPdf`]; one that reads but yields almost no text (scans) is
/// [`ExtractError::NoTextLayer`]; one past a limit is [`ExtractError::DecompressionLimit`],
/// [`ExtractError::PdfTooComplex`], [`ExtractError::TextTooLarge`] or
/// [`ExtractError::TimedOut`], whichever engine meets it.
pub fn pdf_text_with(
    bytes: &[u8],
    engine: PdfEngine,
    limits: &ExtractLimits,
) -> Result<String, ExtractError> {
    let budget = Budget::new(limits.clone());
    let doc = load_pdf(bytes, &budget)?.map_err(map_pdf_error)?;
    let text = match engine {
        PdfEngine::PdfExtract => pdf_extract_text(doc, &budget)?,
        PdfEngine::Fast => match catch_panic(|| fast::fast_document_text(&doc, &budget)) {
            Ok(Ok(text)) if alphanumeric_count(&text) >= MIN_TEXT_LAYER_CHARS => text,
            Ok(Err(FastError::Load(e))) => return Err(map_pdf_error(e)),
            Ok(Err(FastError::Limit(e))) => return Err(e),
            outcome => {
                let reason = match &outcome {
                    Ok(Err(FastError::Unsupported(reason))) => *reason,
                    Ok(_) => "no text found",
                    Err(_) => "fast path panicked",
                };
                tracing::debug!(
                    pdf.fallback = reason,
                    "pdf fast path fell back to pdf-extract"
                );
                pdf_extract_text(doc, &budget)?
            }
        },
    };
    if alphanumeric_count(&text) < MIN_TEXT_LAYER_CHARS {
        return Err(ExtractError::NoTextLayer);
    }
    Ok(text)
}

/// The fast path alone, without the fallback: for benchmarks and agreement checks.
pub fn fast_pdf_text(bytes: &[u8]) -> Result<String, FastError> {
    fast::fast_pdf_text(bytes)
}

fn pdf_extract_text(doc: pdf_extract::Document, budget: &Budget) -> Result<String, ExtractError> {
    catch_panic(|| fallback::pdf_extract_text(doc, budget))??.map_err(map_output_error)
}

fn map_pdf_error(error: pdf_extract::Error) -> ExtractError {
    match error {
        pdf_extract::Error::Decryption(_) => ExtractError::EncryptedPdf,
        e => ExtractError::CorruptPdf {
            reason: e.to_string(),
        },
    }
}

fn map_output_error(error: pdf_extract::OutputError) -> ExtractError {
    match error {
        pdf_extract::OutputError::PdfError(e) => map_pdf_error(e),
        other => ExtractError::CorruptPdf {
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testdoc;

    fn pdf_text(bytes: &[u8]) -> Result<String, ExtractError> {
        pdf_text_with(bytes, PdfEngine::Fast, &ExtractLimits::default())
    }

    fn pdf_extract_only(bytes: &[u8]) -> Result<String, ExtractError> {
        pdf_text_with(bytes, PdfEngine::PdfExtract, &ExtractLimits::default())
    }

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

    const RESUME: &[&str] = &[
        "Jane Doe",
        "Senior Engineer at Acme (2019 - Present)",
        "Skills: Rust, SQL, Kubernetes; café ‘quotes’ – fine",
    ];

    fn lines(text: &str) -> Vec<&str> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn the_fast_path_reads_a_qt_style_identity_h_pdf_like_pdf_extract() {
        let pdf = testdoc::cid_text_pdf(&[RESUME, PAGE_TWO], 19);
        let fast = fast_pdf_text(&pdf).unwrap();
        let baseline = pdf_extract_only(&pdf).unwrap();
        assert_eq!(fast, baseline);
        assert_eq!(
            lines(&fast),
            [RESUME[0], RESUME[1], RESUME[2], PAGE_TWO[0], PAGE_TWO[1]]
        );
        assert!(
            fast.contains("Kubernetes; café ‘quotes’ – fine\n\nSkills"),
            "{fast:?}"
        );
    }

    #[test]
    fn the_fast_path_reads_tj_arrays_in_a_winansi_truetype_font_like_pdf_extract() {
        let page: &[&str] = &["Jane Doe (Engineer)", "Rust, SQL and café"];
        let pdf = testdoc::truetype_text_pdf(&[page, PAGE_TWO]);
        let fast = fast_pdf_text(&pdf).unwrap();
        assert_eq!(fast, pdf_extract_only(&pdf).unwrap());
        assert_eq!(
            lines(&fast),
            [
                "Jane Doe (Engineer)",
                "Rust, SQL and café",
                PAGE_TWO[0],
                PAGE_TWO[1]
            ]
        );
    }

    #[test]
    fn fonts_the_fast_path_does_not_handle_fall_back_to_pdf_extract() {
        // Helvetica without widths: a standard-14 font whose metrics only pdf-extract has.
        let pdf = testdoc::text_pdf(&[PAGE_ONE]);
        assert!(matches!(
            fast_pdf_text(&pdf),
            Err(FastError::Unsupported("simple font without widths"))
        ));
        assert_eq!(lines(&pdf_text(&pdf).unwrap()), PAGE_ONE);
    }

    #[test]
    fn a_user_password_pdf_is_encrypted_pdf_whichever_path_sees_it() {
        let locked = testdoc::encrypted_pdf(&[PAGE_ONE], "secret");
        assert!(fast_pdf_text(&locked).is_err());
        assert_eq!(pdf_text(&locked), Err(ExtractError::EncryptedPdf));
    }

    const LINE: &str = "Jane Doe, Senior Engineer, Rust and SQL";

    #[test]
    fn a_form_that_draws_itself_is_drawn_once_by_the_fast_path() {
        let pdf = testdoc::self_drawing_form_pdf(LINE, 3, true);
        assert!(matches!(fast_pdf_text(&pdf), Ok(text) if text.matches(LINE).count() == 1));
        assert_eq!(lines(&pdf_text(&pdf).unwrap()), [LINE]);
    }

    #[test]
    fn a_form_that_draws_itself_is_too_complex_for_pdf_extract() {
        // Before the limits this overflowed the stack and aborted the process.
        for pdf in [
            testdoc::self_drawing_form_pdf(LINE, 1, false),
            testdoc::self_drawing_form_pdf(LINE, 1, true),
        ] {
            let error = pdf_extract_only(&pdf).unwrap_err();
            assert_eq!(error.code(), "pdf_too_complex", "{error}");
        }
        let helvetica = testdoc::self_drawing_form_pdf(LINE, 1, false);
        assert_eq!(pdf_text(&helvetica).unwrap_err().code(), "pdf_too_complex");
    }

    #[test]
    fn a_4_gib_flate_bomb_is_refused_without_being_inflated() {
        let pdf = testdoc::flate_bomb_pdf(LINE, b"\0", 4 << 30);
        assert!(pdf.len() < 8 << 20, "{} bytes", pdf.len());
        let started = std::time::Instant::now();
        let error = pdf_text(&pdf).unwrap_err();
        assert_eq!(error.code(), "decompression_limit", "{error}");
        // Inflating 32 MiB to see the limit passed takes well under this; 4 GiB would not.
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn a_stream_of_millions_of_operators_is_too_complex_whichever_engine_reads_it() {
        let pdf = testdoc::flate_bomb_pdf(LINE, b"0 0 m\n", 24 << 20);
        for error in [
            pdf_text(&pdf).unwrap_err(),
            pdf_extract_only(&pdf).unwrap_err(),
        ] {
            assert_eq!(error.code(), "pdf_too_complex", "{error}");
        }
        let few = ExtractLimits {
            max_operators_per_page: 10,
            ..ExtractLimits::default()
        };
        let pdf = testdoc::truetype_text_pdf(&[&[LINE, LINE, LINE, LINE, LINE, LINE, LINE]]);
        let error = pdf_text_with(&pdf, PdfEngine::Fast, &few).unwrap_err();
        assert_eq!(error.code(), "pdf_too_complex", "{error}");
    }

    #[test]
    fn the_deadline_and_the_text_limit_stop_both_engines() {
        let late = ExtractLimits {
            deadline: Some(std::time::Instant::now()),
            ..ExtractLimits::default()
        };
        let short = ExtractLimits {
            max_text_bytes: 16,
            ..ExtractLimits::default()
        };
        let truetype = testdoc::truetype_text_pdf(&[&[LINE]]);
        let helvetica = testdoc::text_pdf(&[&[LINE]]);
        for pdf in [&truetype, &helvetica] {
            for engine in [PdfEngine::Fast, PdfEngine::PdfExtract] {
                let error = pdf_text_with(pdf, engine, &late).unwrap_err();
                assert_eq!(error.code(), "extraction_timeout", "{error}");
                let error = pdf_text_with(pdf, engine, &short).unwrap_err();
                assert_eq!(error.code(), "text_too_large", "{error}");
            }
        }
    }

    #[test]
    fn image_data_is_dropped_at_load_and_pages_past_the_limit_are_refused() {
        let pdf = testdoc::text_pdf(&[&[LINE], &[LINE], &[LINE]]);
        let two = ExtractLimits {
            max_pages: 2,
            ..ExtractLimits::default()
        };
        let error = pdf_text_with(&pdf, PdfEngine::Fast, &two).unwrap_err();
        assert_eq!(error.code(), "pdf_too_complex", "{error}");
    }

    #[test]
    fn truncated_and_damaged_qt_style_pdfs_never_panic_the_fast_path() {
        let pdf = testdoc::cid_text_pdf(&[RESUME], 11);
        for length in (0..pdf.len()).step_by(17) {
            let _ = fast_pdf_text(&pdf[..length]);
        }
        for position in (0..pdf.len()).step_by(7) {
            let mut damaged = pdf.clone();
            damaged[position] ^= 0x55;
            let _ = fast_pdf_text(&damaged);
        }
    }
}
