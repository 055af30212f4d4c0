//! End-to-end tests of [`extract`]: one exact-text test per format, the typed error for every
//! bad input, and no panics on truncated documents.

use super::*;

fn extract_default(bytes: &[u8]) -> Result<ExtractedDocument, ExtractError> {
    extract(bytes, &ExtractLimits::default())
}

fn text_of(bytes: &[u8], format: DocumentFormat) -> String {
    let document = extract_default(bytes).unwrap();
    assert_eq!(document.format, format);
    document.text
}

const RESUME_LINES: &[&str] = &[
    "Jane Doe",
    "Senior Engineer",
    "Experience",
    "Acme Ltd, London (2019 - 2024)",
    "Skills",
    "Rust, SQL, Kubernetes",
];
const RESUME_TEXT: &str = "Jane Doe\nSenior Engineer\nExperience\nAcme Ltd, London (2019 - 2024)\nSkills\nRust, SQL, Kubernetes";

#[test]
fn a_pdf_resume_yields_its_lines_with_pages_separated_by_a_blank_line() {
    let pdf = testdoc::text_pdf(&[&RESUME_LINES[..4], &RESUME_LINES[4..]]);
    assert_eq!(
        text_of(&pdf, DocumentFormat::Pdf),
        "Jane Doe\nSenior Engineer\nExperience\nAcme Ltd, London (2019 - 2024)\n\nSkills\nRust, SQL, Kubernetes"
    );
}

#[test]
fn a_docx_resume_yields_one_line_per_paragraph() {
    let docx = testdoc::docx_from_lines(RESUME_LINES);
    assert_eq!(text_of(&docx, DocumentFormat::Docx), RESUME_TEXT);
}

#[test]
fn an_html_resume_yields_its_visible_text() {
    let html = "<!DOCTYPE html><html><head><title>CV</title></head><body>\
        <h1>Jane Doe</h1><p>Senior&nbsp;Engineer</p><h2>Experience</h2>\
        <p>Acme Ltd, London (2019 &ndash; 2024)</p><h2>Skills</h2><ul><li>Rust</li><li>SQL</li></ul>\
        </body></html>";
    assert_eq!(
        text_of(html.as_bytes(), DocumentFormat::Html),
        "Jane Doe\nSenior Engineer\nExperience\nAcme Ltd, London (2019 \u{2013} 2024)\nSkills\n• Rust\n• SQL"
    );
}

#[test]
fn a_plain_text_resume_is_normalised() {
    let text = "\u{FEFF}Jane Doe\r\nSenior\u{A0}Engineer  \r\nExperience\r\n\
        Acme Ltd, London (2019 - 2024)\r\nSkills\r\nRust, SQL, Kubernetes\r\n\r\n";
    assert_eq!(text_of(text.as_bytes(), DocumentFormat::Text), RESUME_TEXT);
}

#[test]
fn a_json_resume_keeps_its_value_and_renders_text() {
    let json = r#"{"basics": {"name": "Jane Doe", "label": "Senior Engineer"},
        "work": [{"name": "Acme Ltd", "position": "Engineer", "startDate": "2019-01", "endDate": "2024-06"}],
        "skills": [{"name": "Rust"}]}"#;
    let document = extract_default(json.as_bytes()).unwrap();
    assert_eq!(document.format, DocumentFormat::JsonResume);
    assert_eq!(
        document.text,
        "Jane Doe\nSenior Engineer\n\nExperience\nEngineer, Acme Ltd\n2019-01 - 2024-06\n\nSkills\nRust"
    );
    let value = document.json_resume.unwrap();
    assert_eq!(value["basics"]["name"], "Jane Doe");
}

#[test]
fn an_email_resume_comes_from_its_attachment() {
    let docx = testdoc::docx_from_lines(RESUME_LINES);
    let mail = testdoc::email(
        "Application",
        "Please see attached.",
        &[testdoc::Attachment {
            file_name: "cv.docx",
            content_type: "application/octet-stream",
            data: &docx,
        }],
    );
    let document = extract_default(&mail).unwrap();
    assert_eq!(document.format, DocumentFormat::Email);
    assert_eq!(document.text, RESUME_TEXT);
}

#[test]
fn bad_inputs_get_their_typed_errors() {
    let pdf = testdoc::text_pdf(&[RESUME_LINES]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "encrypted pdf",
            testdoc::encrypted_pdf(&[RESUME_LINES], "pw"),
            "encrypted_pdf",
        ),
        (
            "truncated pdf",
            pdf[..pdf.len() * 2 / 3].to_vec(),
            "corrupt_pdf",
        ),
        (
            "corrupt pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog".to_vec(),
            "corrupt_pdf",
        ),
        ("image-only pdf", testdoc::image_only_pdf(), "no_text_layer"),
        ("empty file", Vec::new(), "empty"),
        ("whitespace file", b"  \r\n ".to_vec(), "empty"),
        (
            "binary junk",
            (0u8..=255).cycle().take(4096).collect(),
            "binary_junk",
        ),
        (
            "latin-1 text",
            b"Jos\xE9 Garc\xEDa, Ingeniero de software".to_vec(),
            "invalid_utf8",
        ),
        (
            "not a resume json",
            br#"{"order": 17, "items": []}"#.to_vec(),
            "invalid_json_resume",
        ),
        (
            "broken json",
            br#"{"basics": {"name": "Jane"}"#.to_vec(),
            "invalid_json_resume",
        ),
        ("too little text", b"Jane".to_vec(), "no_text"),
        (
            "empty docx",
            testdoc::docx("<w:p><w:r><w:t>  </w:t></w:r></w:p>"),
            "no_text",
        ),
        (
            "email without parts",
            testdoc::email("Hi", "See you tomorrow, Jane", &[]),
            "email_without_resume",
        ),
    ];
    for (name, bytes, code) in cases {
        let error = extract_default(&bytes).expect_err(name);
        assert_eq!(error.code(), code, "{name}: {error}");
    }
}

#[test]
fn an_input_over_the_size_limit_is_too_large() {
    let limits = ExtractLimits {
        max_input_bytes: 10,
        ..ExtractLimits::default()
    };
    assert_eq!(
        extract(b"Jane Doe, engineer", &limits),
        Err(ExtractError::TooLarge {
            size: 18,
            limit: 10
        })
    );
}

#[test]
fn the_docx_zip_bomb_and_path_trick_surface_through_extract() {
    let bomb = testdoc::docx(&format!(
        "<w:p><w:r><w:t>a{}</w:t></w:r></w:p>",
        " ".repeat(300_000)
    ));
    assert_eq!(extract_default(&bomb).unwrap_err().code(), "zip_bomb");
    let trick = testdoc::docx_with_extra_entries("<w:p/>", &[("../evil.sh", b"x")]);
    assert_eq!(
        extract_default(&trick).unwrap_err().code(),
        "unsafe_archive_path"
    );
}

fn assert_every_truncation_is_handled(document: &[u8], step: usize) {
    for length in (0..document.len()).step_by(step) {
        match extract_default(&document[..length]) {
            Ok(extracted) => assert!(!extracted.text.is_empty()),
            Err(ExtractError::ExtractorPanicked) => panic!("extractor panicked at length {length}"),
            Err(_) => {}
        }
    }
}

#[test]
fn truncated_pdfs_never_panic() {
    let pdf = testdoc::text_pdf(&[RESUME_LINES, RESUME_LINES]);
    assert_every_truncation_is_handled(&pdf, 7);
}

#[test]
fn truncated_docx_files_never_panic() {
    let docx = testdoc::docx_from_lines(RESUME_LINES);
    assert_every_truncation_is_handled(&docx, 5);
}

#[test]
fn truncated_emails_and_json_never_panic() {
    let pdf = testdoc::text_pdf(&[RESUME_LINES]);
    let mail = testdoc::email(
        "Application",
        "Hello",
        &[testdoc::Attachment {
            file_name: "cv.pdf",
            content_type: "application/pdf",
            data: &pdf,
        }],
    );
    assert_every_truncation_is_handled(&mail, 11);
    let json =
        br#"{"basics": {"name": "Jane Doe", "summary": "Rust engineer in London"}, "work": []}"#;
    assert_every_truncation_is_handled(json, 1);
}

/// pdf-extract panics on some damaged PDFs (e.g. a font dictionary it expects); those must
/// come back as `extractor_panicked`, everything else as a PDF error or text.
#[test]
fn flipped_bytes_in_a_pdf_give_text_or_a_typed_error() {
    let pdf = testdoc::text_pdf(&[RESUME_LINES]);
    for position in (0..pdf.len()).step_by(13) {
        let mut damaged = pdf.clone();
        damaged[position] ^= 0xFF;
        match extract_default(&damaged) {
            Ok(document) => assert!(!document.text.is_empty()),
            Err(error) => assert!(
                [
                    "corrupt_pdf",
                    "no_text_layer",
                    "extractor_panicked",
                    "binary_junk",
                    "invalid_utf8",
                    "no_text",
                    "unknown_format"
                ]
                .contains(&error.code()),
                "byte {position}: {error}"
            ),
        }
    }
}

#[test]
fn extraction_with_a_timeout_returns_the_document() {
    let document = extract_with_timeout(RESUME_TEXT.as_bytes(), &ExtractLimits::default()).unwrap();
    assert_eq!(document.text, RESUME_TEXT);
}

#[test]
fn formats_serialise_as_their_stable_names() {
    assert_eq!(
        serde_json::to_string(&DocumentFormat::JsonResume).unwrap(),
        "\"json_resume\""
    );
    assert_eq!(DocumentFormat::JsonResume.as_str(), "json_resume");
    assert_eq!(DocumentFormat::Pdf.as_str(), "pdf");
}

/// Measurement over the shared resume PDFs; run with
/// `INTELLICV_SHARED_DATA=/work/shared/data cargo test --release --lib extract::tests::measure -- --ignored --nocapture`.
#[test]
#[ignore = "needs INTELLICV_SHARED_DATA and a release build"]
fn measure_extraction_over_shared_resume_pdfs() {
    let root = std::env::var("INTELLICV_SHARED_DATA").expect("INTELLICV_SHARED_DATA");
    let mut paths = Vec::new();
    collect_pdfs(&std::path::Path::new(&root).join("resumes"), &mut paths);
    paths.sort();
    let mut failures: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut slowest = (Duration::ZERO, String::new());
    let (mut ok, mut total_bytes, mut total_chars) = (0usize, 0usize, 0usize);
    let started = Instant::now();
    let mut extract_time = Duration::ZERO;
    for path in &paths {
        let bytes = std::fs::read(path).expect("read pdf");
        total_bytes += bytes.len();
        let one = Instant::now();
        let result = extract_default(&bytes);
        let elapsed = one.elapsed();
        extract_time += elapsed;
        if elapsed > slowest.0 {
            slowest = (elapsed, path.display().to_string());
        }
        match result {
            Ok(document) => {
                ok += 1;
                total_chars += document.text.chars().count();
            }
            Err(error) => {
                println!("failed {}: {error}", path.display());
                *failures.entry(error.code()).or_default() += 1;
            }
        }
    }
    let wall = started.elapsed();
    println!(
        "files={} ok={ok} failures={failures:?} wall_s={:.2} extract_s={:.2} files_per_s={:.1} mean_ms={:.1} slowest_ms={} ({}) mean_bytes={} mean_chars={}",
        paths.len(),
        wall.as_secs_f64(),
        extract_time.as_secs_f64(),
        paths.len() as f64 / extract_time.as_secs_f64(),
        extract_time.as_secs_f64() * 1000.0 / paths.len() as f64,
        slowest.0.as_millis(),
        slowest.1,
        total_bytes / paths.len().max(1),
        total_chars / ok.max(1),
    );
    assert!(!paths.is_empty());
}

/// The fast PDF path against pdf-extract over the shared resume PDFs: every file must be read
/// by the fast path itself and give the same text. Run with
/// `INTELLICV_SHARED_DATA=/work/shared/data cargo test --release --lib fast_path_agrees -- --ignored --nocapture`.
#[test]
#[ignore = "needs INTELLICV_SHARED_DATA and a release build"]
fn fast_path_agrees_with_pdf_extract_on_shared_resume_pdfs() {
    let root = std::env::var("INTELLICV_SHARED_DATA").expect("INTELLICV_SHARED_DATA");
    let mut paths = Vec::new();
    collect_pdfs(&std::path::Path::new(&root).join("resumes"), &mut paths);
    paths.sort();
    let (mut same, mut fell_back, mut fast_time, mut baseline_time) =
        (0usize, Vec::new(), Duration::ZERO, Duration::ZERO);
    let mut differ = Vec::new();
    for path in &paths {
        let bytes = std::fs::read(path).expect("read pdf");
        let started = Instant::now();
        let fast = fast_pdf_text(&bytes);
        fast_time += started.elapsed();
        let started = Instant::now();
        let baseline = pdf::pdf_text_with(&bytes, PdfEngine::PdfExtract, &ExtractLimits::default());
        baseline_time += started.elapsed();
        match (fast, baseline) {
            (Ok(fast), Ok(baseline)) if fast == baseline => same += 1,
            (Err(error), _) => fell_back.push(format!("{}: {error:?}", path.display())),
            _ => differ.push(path.display().to_string()),
        }
    }
    let n = paths.len().max(1) as f64;
    println!(
        "files={} identical={same} fell_back={} differ={} fast_ms={:.2} pdf_extract_ms={:.2}",
        paths.len(),
        fell_back.len(),
        differ.len(),
        fast_time.as_secs_f64() * 1000.0 / n,
        baseline_time.as_secs_f64() * 1000.0 / n
    );
    assert!(fell_back.is_empty(), "{fell_back:?}");
    assert!(differ.is_empty(), "{differ:?}");
}

fn collect_pdfs(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_pdfs(&path, out);
        } else if path.extension().is_some_and(|e| e == "pdf") {
            out.push(path);
        }
    }
}
