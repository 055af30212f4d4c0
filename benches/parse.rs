//! Resume parsing throughput: PDF/DOCX → text → profile, one core.
//!
//! ```sh
//! cargo bench --bench parse
//! INTELLICV_SHARED_DATA=/work/shared/data cargo bench --bench parse   # + real PDFs
//! ```
//!
//! The corpus is generated in-process from a seeded RNG: resumes with a header, summary,
//! experience entries with date ranges and bullets, education and skills, written as
//! - `qt_pdf`: PDFs shaped like wkhtmltopdf's (Identity-H font with ToUnicode and widths,
//!   one `Tj` per glyph), which is what the shared resume set is;
//! - `truetype_pdf`: a WinAnsi TrueType font with widths, `TJ` arrays;
//! - `docx`.
//!
//! For each PDF corpus, `pdf-extract` (the baseline) and `fast` (our content-stream
//! interpreter, pdf-extract as fallback) run in the same group, so criterion's report sets
//! them side by side; "elem/s" is resumes per second. `profile` parses the extracted text
//! (with skills when the taxonomy loads from `models/` and `data/`). With
//! `INTELLICV_SHARED_DATA`, `shared_pdf` does the same over the first
//! `PARSE_BENCH_SHARED_FILES` (default 100) real PDFs.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use intellicv_core::YearMonth;
use intellicv_ingest::extract::{ExtractLimits, PdfEngine, extract_with_engine, testdoc};
use intellicv_ingest::profile::parse_profile;
use intellicv_skills::resume::attach_skills;
use intellicv_skills::{SkillExtractor, Taxonomy};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const RESUMES: usize = 40;
const TODAY: YearMonth = YearMonth {
    year: 2025,
    month: Some(6),
};

const FIRST: &[&str] = &[
    "Jane", "Omar", "Li", "Maria", "Tom", "Aisha", "Pavel", "Sofia",
];
const LAST: &[&str] = &[
    "Doe", "Khan", "Wei", "Garcia", "Brown", "Okafor", "Novak", "Rossi",
];
const TITLES: &[&str] = &[
    "Staff Accountant",
    "Software Engineer",
    "Registered Nurse",
    "Sales Manager",
    "Data Analyst",
    "Project Manager",
    "Chef de Partie",
    "HR Generalist",
];
const COMPANIES: &[&str] = &[
    "Company Name",
    "Acme Ltd",
    "Initech",
    "Globex Corp",
    "Umbrella plc",
];
const CITIES: &[&str] = &["London", "Leeds", "Austin, TX", "Berlin", "Toronto, ON"];
const MONTHS: &[&str] = &["Jan", "March", "May", "Aug", "October", "Dec"];
const VERBS: &[&str] = &[
    "Managed",
    "Built",
    "Reconciled",
    "Led",
    "Designed",
    "Trained",
    "Reduced",
];
const OBJECTS: &[&str] = &[
    "month-end close and payroll journals",
    "a team of 6 analysts",
    "SQL reporting in Excel",
    "patient intake for 40 beds",
    "the CRM migration to Salesforce",
    "vendor contracts and budgets",
    "Python services on Kubernetes",
    "quarterly audits with external auditors",
];
const SKILLS: &[&str] = &[
    "Microsoft Excel",
    "QuickBooks",
    "SQL",
    "Python",
    "Customer service",
    "Budgeting",
    "Project management",
    "Java",
    "Team leadership",
    "Payroll",
    "Kubernetes",
    "Negotiation",
];

/// One resume as pages of lines.
fn resume(rng: &mut StdRng) -> Vec<Vec<String>> {
    let pick =
        |rng: &mut StdRng, list: &[&str]| list.choose(rng).copied().unwrap_or_default().to_owned();
    let mut lines = vec![
        format!("{} {}", pick(rng, FIRST), pick(rng, LAST)),
        pick(rng, TITLES),
        format!(
            "jane{}@example.com | +44 20 7946 {:04} | {}",
            rng.gen_range(1..99),
            rng.gen_range(0..9999),
            pick(rng, CITIES)
        ),
        "Summary".to_owned(),
        format!(
            "{} professional with {} years of experience in {}.",
            pick(rng, TITLES),
            rng.gen_range(3..20),
            pick(rng, OBJECTS)
        ),
        "Experience".to_owned(),
    ];
    let mut year = 2025;
    for _ in 0..rng.gen_range(2..5) {
        let start = year - rng.gen_range(1..5);
        lines.push(pick(rng, TITLES));
        let end = if year == 2025 {
            "Current".to_owned()
        } else {
            format!("{} {year}", pick(rng, MONTHS))
        };
        lines.push(format!(
            "{} {start} to {end} {} - {}",
            pick(rng, MONTHS),
            pick(rng, COMPANIES),
            pick(rng, CITIES)
        ));
        for _ in 0..rng.gen_range(3..7) {
            lines.push(format!("{} {}.", pick(rng, VERBS), pick(rng, OBJECTS)));
        }
        year = start;
    }
    lines.push("Education".to_owned());
    lines.push(format!(
        "Bachelor of Science : Accounting , {} University of Leeds",
        year - 1
    ));
    lines.push("Skills".to_owned());
    let skills: Vec<&str> = SKILLS.choose_multiple(rng, 6).copied().collect();
    lines.push(skills.join(", "));
    let half = lines.len() / 2;
    let second = lines.split_off(half);
    vec![lines, second]
}

/// Documents of one kind, as bytes.
type Files = Vec<Vec<u8>>;

fn corpus() -> (Files, Files, Files) {
    let mut rng = StdRng::seed_from_u64(7);
    let (mut qt, mut truetype, mut docx) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RESUMES {
        let pages = resume(&mut rng);
        let pages: Vec<Vec<&str>> = pages
            .iter()
            .map(|p| p.iter().map(String::as_str).collect())
            .collect();
        let refs: Vec<&[&str]> = pages.iter().map(Vec::as_slice).collect();
        qt.push(testdoc::cid_text_pdf(&refs, 11));
        truetype.push(testdoc::truetype_text_pdf(&refs));
        docx.push(testdoc::docx_from_lines(&refs.concat()));
    }
    (qt, truetype, docx)
}

fn shared_pdfs() -> Vec<Vec<u8>> {
    let Some(root) = std::env::var_os("INTELLICV_SHARED_DATA").map(PathBuf::from) else {
        return Vec::new();
    };
    let limit = std::env::var("PARSE_BENCH_SHARED_FILES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let files = intellicv_app::ingest::resume_import::collect_files(&[root.join("resumes")])
        .expect("read INTELLICV_SHARED_DATA/resumes");
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .take(limit)
        .map(|p| std::fs::read(p).expect("read a shared PDF"))
        .collect()
}

fn extract_all(documents: &[Vec<u8>], engine: PdfEngine) -> usize {
    let limits = ExtractLimits::default();
    documents
        .iter()
        .map(|bytes| extract_with_engine(bytes, &limits, engine).map_or(0, |d| d.text.len()))
        .sum()
}

fn pdf_engines(c: &mut Criterion, name: &str, documents: &[Vec<u8>]) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(documents.len() as u64));
    for (label, engine) in [
        ("pdf-extract", PdfEngine::PdfExtract),
        ("fast", PdfEngine::Fast),
    ] {
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| extract_all(documents, engine))
        });
    }
    group.finish();
}

fn parse(c: &mut Criterion) {
    let (qt, truetype, docx) = corpus();
    pdf_engines(c, "qt_pdf", &qt);
    pdf_engines(c, "truetype_pdf", &truetype);
    let shared = shared_pdfs();
    if !shared.is_empty() {
        pdf_engines(c, "shared_pdf", &shared);
    }

    let mut group = c.benchmark_group("docx");
    group.throughput(Throughput::Elements(docx.len() as u64));
    group.bench_function("extract", |b| {
        b.iter(|| extract_all(&docx, PdfEngine::Fast))
    });
    group.finish();

    let limits = ExtractLimits::default();
    let source = if shared.is_empty() { &qt } else { &shared };
    let texts: Vec<String> = source
        .iter()
        .filter_map(|bytes| extract_with_engine(bytes, &limits, PdfEngine::Fast).ok())
        .map(|d| d.text)
        .collect();
    let skills = Taxonomy::load(&PathBuf::from("models"), &PathBuf::from("data"))
        .ok()
        .and_then(|taxonomy| SkillExtractor::new(&taxonomy).ok());
    let mut group = c.benchmark_group("profile");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("sections_and_fields", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| parse_profile(t, TODAY).experience.len())
                .sum::<usize>()
        })
    });
    if let Some(skills) = &skills {
        group.bench_function("with_skills", |b| {
            b.iter(|| {
                texts
                    .iter()
                    .map(|t| {
                        let mut profile = parse_profile(t, TODAY);
                        attach_skills(&mut profile, t, skills);
                        profile.skills.len()
                    })
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5)).sample_size(20);
    targets = parse
}
criterion_main!(benches);
