//! `intellicv-lab bench parse DIR`: PDF → profile throughput on a rayon pool, per phase
//! (extraction, profile parsing with skills, both), and the same files through `pdftotext`
//! (spawned per file, same parallelism) for speed and agreement.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;

use crate::agreement::{ProfileAgreement, word_similarity};
use intellicv_app::config::Settings;
use intellicv_app::ingest::resume_import::collect_files;
use intellicv_core::{ResumeProfile, YearMonth};
use intellicv_ingest::extract::{
    DocumentFormat, ExtractLimits, ExtractedDocument, PdfEngine, detect_format,
    extract_with_engine, fast_pdf_text, normalize_text,
};
use intellicv_ingest::profile::parse_profile;
use intellicv_skills::SkillExtractor;
use intellicv_skills::resume::{attach_skills, profile_document, this_month};

#[derive(Debug, Args)]
pub struct ParseBenchArgs {
    /// Directory of resumes (walked recursively; PDFs are detected by content)
    pub dir: PathBuf,
    /// Use at most this many PDFs (the first by path)
    #[arg(long)]
    pub limit: Option<usize>,
    /// Worker threads, for us and for the pdftotext processes
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// PDF text engine: the fast path (pdf-extract as fallback) or pdf-extract alone
    #[arg(long, value_enum, default_value_t = Engine::Fast)]
    pub engine: Engine,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    Fast,
    PdfExtract,
}

impl From<Engine> for PdfEngine {
    fn from(engine: Engine) -> Self {
        match engine {
            Engine::Fast => PdfEngine::Fast,
            Engine::PdfExtract => PdfEngine::PdfExtract,
        }
    }
}

/// Timing of one phase over all files.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub files: usize,
    pub wall_s: f64,
    pub per_sec: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Phase {
    fn new(wall: Duration, mut per_file: Vec<Duration>) -> Self {
        per_file.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let at = |q: f64| {
            let index = ((per_file.len() as f64 * q).ceil() as usize).saturating_sub(1);
            per_file.get(index).map_or(0.0, |d| ms(*d))
        };
        let n = per_file.len();
        Self {
            files: n,
            wall_s: wall.as_secs_f64(),
            per_sec: n as f64 / wall.as_secs_f64().max(1e-9),
            mean_ms: per_file.iter().map(|d| ms(*d)).sum::<f64>() / n.max(1) as f64,
            p50_ms: at(0.5),
            p99_ms: at(0.99),
        }
    }
}

/// pdftotext in one mode, against our extraction of the same files.
#[derive(Debug, Clone, Serialize)]
pub struct PdftotextRun {
    pub mode: &'static str,
    pub phase: Phase,
    pub failed: usize,
    /// Their mean per-file time over our mean extraction time.
    pub per_file_ratio: f64,
    /// Our extraction throughput over theirs.
    pub throughput_ratio: f64,
    /// Over files both extracted.
    pub compared: usize,
    pub word_similarity_mean: f64,
    pub word_similarity_min: f64,
    pub same_headline: f64,
    pub same_experience_count: f64,
    pub skill_jaccard_mean: f64,
    pub same_profile: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParseBenchReport {
    pub dir: String,
    pub files: usize,
    pub threads: usize,
    pub engine: Engine,
    /// Files the fast path read by itself (the rest fell back to pdf-extract).
    pub fast_path_files: Option<usize>,
    pub extraction: Phase,
    pub profile: Phase,
    pub total: Phase,
    pub failures_by_code: BTreeMap<String, usize>,
    pub pdftotext: Vec<PdftotextRun>,
    pub pdftotext_note: Option<String>,
}

pub async fn run(args: ParseBenchArgs, settings: Settings) -> anyhow::Result<()> {
    let extractor = intellicv::cli::load_skill_extractor(&settings).await?;
    let json = args.json;
    let report =
        intellicv_app::telemetry::spawn_blocking_with_span(move || bench(&args, extractor))
            .await??;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

/// Reads the PDFs under `dir`, sorted by path; `limit` keeps the first ones.
fn read_pdfs(dir: &Path, limit: Option<usize>) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut pdfs = Vec::new();
    for path in collect_files(&[dir.to_path_buf()])? {
        if limit.is_some_and(|n| pdfs.len() >= n) {
            break;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        if detect_format(&bytes) == Ok(DocumentFormat::Pdf) {
            pdfs.push((path, bytes));
        }
    }
    anyhow::ensure!(!pdfs.is_empty(), "no PDF files under {}", dir.display());
    Ok(pdfs)
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let value = f();
    (started.elapsed(), value)
}

fn bench(args: &ParseBenchArgs, skills: Arc<SkillExtractor>) -> anyhow::Result<ParseBenchReport> {
    let pdfs = read_pdfs(&args.dir, args.limit)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.max(1))
        .build()?;
    let (limits, engine, today) = (
        ExtractLimits::default(),
        PdfEngine::from(args.engine),
        this_month(),
    );
    let extract_one = |bytes: &[u8]| extract_with_engine(bytes, &limits, engine);
    // Warm up lazily built state (regexes, the gazetteer) outside the timings.
    if let Ok(document) = extract_one(&pdfs[0].1) {
        profile_document(&document, &skills, today);
    }

    let (wall, extracted): (_, Vec<_>) = timed(|| {
        pool.install(|| {
            pdfs.par_iter()
                .map(|(_, bytes)| timed(|| extract_one(bytes)))
                .collect()
        })
    });
    let extraction = Phase::new(wall, extracted.iter().map(|(d, _)| *d).collect());
    let documents: Vec<&ExtractedDocument> = extracted
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .collect();
    let (wall, profiled): (_, Vec<_>) = timed(|| {
        pool.install(|| {
            documents
                .par_iter()
                .map(|document| timed(|| profile_document(document, &skills, today)).0)
                .collect()
        })
    });
    let profile = Phase::new(wall, profiled);
    let (wall, totals): (_, Vec<_>) = timed(|| {
        pool.install(|| {
            pdfs.par_iter()
                .map(|(_, bytes)| {
                    timed(|| {
                        extract_one(bytes).map(|document| {
                            (profile_document(&document, &skills, today), document.text)
                        })
                    })
                })
                .collect()
        })
    });
    let total = Phase::new(wall, totals.iter().map(|(d, _)| *d).collect());

    let mut failures_by_code = BTreeMap::new();
    for (_, result) in &totals {
        if let Err(error) = result {
            *failures_by_code.entry(error.code().to_owned()).or_default() += 1;
        }
    }
    let fast_path_files = (args.engine == Engine::Fast).then(|| {
        pool.install(|| {
            pdfs.par_iter()
                .filter(|(_, bytes)| fast_pdf_text(bytes).is_ok())
                .count()
        })
    });
    let ours: Vec<Option<(ResumeProfile, String)>> =
        totals.into_iter().map(|(_, r)| r.ok()).collect();
    let (pdftotext, pdftotext_note) = match pdftotext_version() {
        Ok(_) => {
            let compare = Compare {
                pool: &pool,
                pdfs: &pdfs,
                ours: &ours,
                skills: &skills,
                today,
                extraction: &extraction,
            };
            (
                vec![
                    compare.run("layout", &["-layout"]),
                    compare.run("plain", &[]),
                ],
                None,
            )
        }
        Err(note) => (Vec::new(), Some(note)),
    };
    Ok(ParseBenchReport {
        dir: args.dir.display().to_string(),
        files: pdfs.len(),
        threads: args.threads.max(1),
        engine: args.engine,
        fast_path_files,
        extraction,
        profile,
        total,
        failures_by_code,
        pdftotext,
        pdftotext_note,
    })
}

/// `pdftotext -v`, or a note saying why the comparison is skipped.
fn pdftotext_version() -> Result<String, String> {
    match Command::new("pdftotext").arg("-v").output() {
        Ok(output) => Ok(String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or("").to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(
            "pdftotext not found on PATH: comparison skipped (install poppler-utils, e.g. `apt-get install -y poppler-utils`)".to_owned(),
        ),
        Err(e) => Err(format!("pdftotext could not be run ({e}): comparison skipped")),
    }
}

struct Compare<'a> {
    pool: &'a rayon::ThreadPool,
    pdfs: &'a [(PathBuf, Vec<u8>)],
    ours: &'a [Option<(ResumeProfile, String)>],
    skills: &'a SkillExtractor,
    today: YearMonth,
    extraction: &'a Phase,
}

impl Compare<'_> {
    fn run(&self, mode: &'static str, flags: &[&str]) -> PdftotextRun {
        let (wall, outputs): (_, Vec<_>) = timed(|| {
            self.pool.install(|| {
                self.pdfs
                    .par_iter()
                    .map(|(path, _)| timed(|| pdftotext(path, flags)))
                    .collect()
            })
        });
        let phase = Phase::new(wall, outputs.iter().map(|(d, _)| *d).collect());
        let failed = outputs.iter().filter(|(_, text)| text.is_none()).count();
        let agreements: Vec<(f64, ProfileAgreement)> = self.pool.install(|| {
            outputs
                .par_iter()
                .zip(self.ours)
                .filter_map(|((_, theirs), ours)| {
                    let (our_profile, our_text) = ours.as_ref()?;
                    let theirs = normalize_text(theirs.as_deref()?);
                    let mut their_profile = parse_profile(&theirs, self.today);
                    attach_skills(&mut their_profile, &theirs, self.skills);
                    Some((
                        word_similarity(our_text, &theirs),
                        ProfileAgreement::between(our_profile, &their_profile),
                    ))
                })
                .collect()
        });
        let n = agreements.len().max(1) as f64;
        let share = |f: &dyn Fn(&ProfileAgreement) -> bool| {
            agreements.iter().filter(|(_, a)| f(a)).count() as f64 / n
        };
        PdftotextRun {
            mode,
            per_file_ratio: phase.mean_ms / self.extraction.mean_ms.max(1e-9),
            throughput_ratio: self.extraction.per_sec / phase.per_sec.max(1e-9),
            phase,
            failed,
            compared: agreements.len(),
            word_similarity_mean: agreements.iter().map(|(s, _)| s).sum::<f64>() / n,
            word_similarity_min: agreements.iter().map(|(s, _)| *s).fold(1.0, f64::min),
            same_headline: share(&|a| a.same_headline),
            same_experience_count: share(&|a| a.same_experience_count),
            skill_jaccard_mean: agreements.iter().map(|(_, a)| a.skill_jaccard).sum::<f64>() / n,
            same_profile: share(&|a| a.is_same_profile()),
        }
    }
}

/// The UTF-8 text pdftotext writes for one file, or `None` when it fails.
fn pdftotext(path: &Path, flags: &[&str]) -> Option<String> {
    let output = Command::new("pdftotext")
        .args(flags)
        .args(["-enc", "UTF-8", "-q"])
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn print_table(r: &ParseBenchReport) {
    let engine = match r.engine {
        Engine::Fast => "fast path, pdf-extract fallback",
        Engine::PdfExtract => "pdf-extract",
    };
    println!(
        "bench parse: {} PDFs from {}, {} threads, engine: {engine}",
        r.files, r.dir, r.threads
    );
    if let Some(n) = r.fast_path_files {
        println!("fast path read {n} of {} files by itself", r.files);
    }
    println!(
        "\n{:<28}{:>11}{:>10}{:>9}{:>9}{:>9}",
        "phase", "resumes/s", "mean ms", "p50 ms", "p99 ms", "wall s"
    );
    for (name, p) in [
        ("extraction (PDF -> text)", &r.extraction),
        ("profile (text -> profile)", &r.profile),
        ("total (PDF -> profile)", &r.total),
    ] {
        println!(
            "{name:<28}{:>11.1}{:>10.2}{:>9.2}{:>9.2}{:>9.2}",
            p.per_sec, p.mean_ms, p.p50_ms, p.p99_ms, p.wall_s
        );
    }
    if r.failures_by_code.is_empty() {
        println!("failures: none");
    } else {
        let failures: Vec<String> = r
            .failures_by_code
            .iter()
            .map(|(c, n)| format!("{n} × {c}"))
            .collect();
        println!("failures: {}", failures.join(", "));
    }
    if let Some(note) = &r.pdftotext_note {
        println!("\n{note}");
        return;
    }
    println!("\npdftotext (spawned per file, same threads) against our extraction:");
    println!(
        "{:<9}{:>9}{:>9}{:>9}{:>13}{:>13}{:>8}{:>8}{:>10}{:>9}{:>8}{:>9}",
        "mode",
        "files/s",
        "mean ms",
        "p99 ms",
        "x/file",
        "x/throughput",
        "words",
        "min",
        "headline",
        "exp #",
        "skills",
        "profile"
    );
    for t in &r.pdftotext {
        println!(
            "{:<9}{:>9.1}{:>9.2}{:>9.2}{:>12.1}x{:>12.1}x{:>8.3}{:>8.3}{:>9.1}%{:>8.1}%{:>8.3}{:>8.1}%",
            t.mode,
            t.phase.per_sec,
            t.phase.mean_ms,
            t.phase.p99_ms,
            t.per_file_ratio,
            t.throughput_ratio,
            t.word_similarity_mean,
            t.word_similarity_min,
            t.same_headline * 100.0,
            t.same_experience_count * 100.0,
            t.skill_jaccard_mean,
            t.same_profile * 100.0
        );
    }
    println!(
        "(x/file: pdftotext's mean time per file over ours; words: word-multiset similarity of the texts; \
         headline, exp #, profile: share of files whose profiles agree; skills: mean skill-set Jaccard)"
    );
}
