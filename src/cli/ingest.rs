use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use intellicv_app::components::{IndexesInUse, Models, open_search};
use intellicv_app::config::Settings;
use intellicv_app::documents::pipeline::Writer;
use intellicv_app::ingest::job_import::{JobImportReport, parse_job_file, store_jobs};
use intellicv_app::ingest::resume_import::{
    ResumeImportReport, collect_files_within, parse_files, store_parsed,
};
use intellicv_ingest::extract::ExtractLimits;
use intellicv_ingest::jobs::CsvMapping;
use intellicv_ingest::walk::{WalkError, WalkLimits};
use intellicv_skills::SkillExtractor;
use intellicv_store::Store;

#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// Import job postings from JSON Lines, JSON arrays or CSV files (plain or gzip)
    Jobs(JobsArgs),
    /// Import resumes (PDF, DOCX, HTML, text, JSON Resume, e-mail) from files or directories
    Resumes(ResumesArgs),
}

#[derive(Debug, Args)]
pub struct ResumesArgs {
    /// Files or directories (walked recursively)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print the summary as JSON (no progress bars)
    #[arg(long)]
    pub json: bool,
    /// Only store; a running server (or the next command that opens the indexes) indexes
    /// the new documents
    #[arg(long)]
    pub no_index: bool,
    /// CSV of `id,category` rows (id = file name without extension): sets the category
    /// of each stored resume listed, which similar-candidate search learns from
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Directories deeper than this below a given one are not walked
    #[arg(long, default_value_t = WalkLimits::CLI.max_depth)]
    pub max_depth: usize,
    /// Most files (and most directories) the walk may find; more is an error
    #[arg(long, default_value_t = WalkLimits::CLI.max_files)]
    pub max_files: usize,
}

#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Files to import
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Source label stored with each posting [default: the file name]
    #[arg(long)]
    pub source: Option<String>,
    /// CSV column mapping as FIELD=COLUMN pairs, e.g. `external_id=id,location=city`;
    /// fields not named keep their own name as the column
    #[arg(long, value_delimiter = ',')]
    pub csv_map: Vec<String>,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Only store; a running server (or the next command that opens the indexes) indexes
    /// the new documents
    #[arg(long)]
    pub no_index: bool,
}

pub async fn run(command: IngestCommand, settings: Settings) -> anyhow::Result<()> {
    let store = Store::connect(&settings.database_url(), &settings.database).await?;
    store.migrate().await?;
    let no_index = match &command {
        IngestCommand::Jobs(args) => args.no_index,
        IngestCommand::Resumes(args) => args.no_index,
    };
    let result = async {
        let models = Models::load(&settings).await?;
        // Documents are indexed as they are written, a chunk at a time; the indexes are
        // opened (and caught up) first.
        let engine = if no_index {
            None
        } else {
            match open_search(&settings, &models, &store).await {
                Ok(engine) => Some(engine),
                // A running server holds the indexes: store only, and its catch-up
                // indexes the new documents (as with --no-index).
                Err(e) if e.downcast_ref::<IndexesInUse>().is_some() => {
                    tracing::warn!(error = %e, "indexes in use, storing only");
                    eprintln!(
                        "the indexes are in use by a running server: the documents are \
                         stored, and the server indexes them at its next catch-up (every \
                         search.catch_up_interval_secs)"
                    );
                    None
                }
                Err(e) => return Err(e.context("cannot open the indexes")),
            }
        };
        let started = std::time::Instant::now();
        let writer = Writer {
            store: &store,
            engine: engine.as_ref(),
            skills: &models.skills,
            events: None,
            postings: None,
        };
        match command {
            IngestCommand::Jobs(args) => ingest_jobs(&writer, args).await?,
            IngestCommand::Resumes(args) => ingest_resumes(&writer, args).await?,
        }
        if let Some(engine) = &engine {
            let counts: Vec<String> = intellicv_search::Collection::ALL
                .iter()
                .map(|&c| format!("{} {}", engine.generation().collection(c).len(), c.as_str()))
                .collect();
            eprintln!(
                "stored and indexed in {:.1}s; the indexes hold {}",
                started.elapsed().as_secs_f64(),
                counts.join(", ")
            );
        }
        anyhow::Ok(())
    }
    .await;
    store.close().await;
    result
}

fn csv_mapping(pairs: &[String]) -> anyhow::Result<CsvMapping> {
    let mut mapping = CsvMapping::draft_names();
    for pair in pairs {
        let (field, column) = pair
            .split_once('=')
            .with_context(|| format!("--csv-map takes FIELD=COLUMN pairs, not {pair:?}"))?;
        let name = column.trim().to_owned();
        let column = Some(name.clone());
        match field.trim() {
            "title" => mapping.title = name,
            "external_id" => mapping.external_id = column,
            "company" => mapping.company = column,
            "location" => mapping.location = column,
            "country" => mapping.country = column,
            "latitude" => mapping.latitude = column,
            "longitude" => mapping.longitude = column,
            "description" => mapping.description = column,
            "salary" => mapping.salary = column,
            "employment_type" => mapping.employment_type = column,
            "remote_mode" => mapping.remote_mode = column,
            "seniority" => mapping.seniority = column,
            "posted_at" => mapping.posted_at = column,
            "valid_through" => mapping.valid_through = column,
            other => anyhow::bail!("--csv-map: unknown field {other:?}"),
        }
    }
    Ok(mapping)
}

/// A progress bar on stderr, hidden when stderr is not a terminal or `visible` is false.
fn progress(len: usize, what: &str, visible: bool) -> ProgressBar {
    let bar = if visible && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::new(len as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// Imports job files through the write pipeline; shared by the CLI and the sample loader.
pub async fn import_job_files(
    writer: &Writer<'_>,
    files: &[PathBuf],
    source: Option<&str>,
    mapping: &CsvMapping,
) -> anyhow::Result<Vec<JobImportReport>> {
    let mut reports = Vec::new();
    for path in files {
        let source = source
            .map(str::to_owned)
            .unwrap_or_else(|| file_label(path));
        let (path_owned, mapping, extractor) =
            (path.clone(), mapping.clone(), writer.skills.clone());
        let (drafts, mut report) = intellicv_app::telemetry::spawn_blocking_with_span(move || {
            parse_job_file(&path_owned, &source, &mapping, &extractor)
        })
        .await??;
        let bar = progress(drafts.len(), "storing", true);
        store_jobs(writer, &drafts, &mut report, |done| {
            bar.set_position(done as u64)
        })
        .await?;
        bar.finish_and_clear();
        tracing::info!(
            file = %report.file,
            records = report.records,
            inserted = report.inserted,
            duplicates = report.duplicates,
            failed = report.failed,
            "job file imported"
        );
        reports.push(report);
    }
    Ok(reports)
}

fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".to_owned())
}

async fn ingest_jobs(writer: &Writer<'_>, args: JobsArgs) -> anyhow::Result<()> {
    let mapping = csv_mapping(&args.csv_map)?;
    let reports = import_job_files(writer, &args.files, args.source.as_deref(), &mapping).await?;
    if args.json {
        println!("{}", serde_json::to_string(&reports)?);
        return Ok(());
    }
    for r in &reports {
        println!(
            "{}: {} records, {} stored, {} already stored, {} failed",
            r.file, r.records, r.inserted, r.duplicates, r.failed
        );
        for (code, n) in &r.failures_by_code {
            println!("  {n} × {code}");
        }
        for f in r.failures.iter().take(10) {
            println!("  record {} (line {:?}): {}", f.record, f.line, f.reason);
        }
    }
    Ok(())
}

/// Stores resume files without indexing them (the indexes catch up when next opened);
/// for tools that open the indexes afterwards.
pub async fn import_resume_paths(
    store: &Store,
    extractor: Arc<SkillExtractor>,
    paths: &[PathBuf],
) -> anyhow::Result<ResumeImportReport> {
    let writer = Writer {
        store,
        engine: None,
        skills: &extractor,
        events: None,
        postings: None,
    };
    import_resumes_with(&writer, paths).await
}

/// Imports resume files through the write pipeline; shared by the CLI and the sample
/// loader.
pub async fn import_resumes_with(
    writer: &Writer<'_>,
    paths: &[PathBuf],
) -> anyhow::Result<ResumeImportReport> {
    import_resumes(writer, paths, WalkLimits::CLI, true).await
}

/// [`import_resume_paths`], with progress bars for the parse and store phases when
/// `show_progress` is set and stderr is a terminal.
async fn import_resumes(
    writer: &Writer<'_>,
    paths: &[PathBuf],
    limits: WalkLimits,
    show_progress: bool,
) -> anyhow::Result<ResumeImportReport> {
    let walk = collect_files_within(paths, limits).map_err(|e| match e {
        WalkError::TooMany { .. } => anyhow::anyhow!("{e} (raise --max-files to allow more)"),
        e => e.into(),
    })?;
    if !walk.skipped.is_empty() {
        eprintln!(
            "{} entries skipped (symlink loops, too deep, special or unreadable files; see the log)",
            walk.skipped.len()
        );
    }
    let files = walk.files;
    let started = std::time::Instant::now();
    let parse_bar = progress(files.len(), "parsing", show_progress);
    let bar = parse_bar.clone();
    let extractor = writer.skills.clone();
    let parsed = intellicv_app::telemetry::spawn_blocking_with_span(move || {
        parse_files(&files, &ExtractLimits::default(), &extractor, &|| {
            bar.inc(1)
        })
    })
    .await?;
    parse_bar.finish_and_clear();
    let parse_secs = started.elapsed().as_secs_f64();
    let bar = progress(parsed.len(), "storing", show_progress);
    let report = store_parsed(writer, parsed, |n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    tracing::info!(
        files = report.files,
        stored = report.stored,
        duplicates = report.duplicates,
        failed = report.failed,
        parse_secs,
        "resumes imported"
    );
    Ok(report)
}

async fn ingest_resumes(writer: &Writer<'_>, args: ResumesArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let labels = args
        .labels
        .as_deref()
        .map(super::labels::read_labels)
        .transpose()?;
    let limits = WalkLimits {
        max_depth: args.max_depth,
        max_files: args.max_files,
    };
    let report = import_resumes(writer, &args.paths, limits, !args.json).await?;
    if let Some(labels) = &labels {
        let changed = super::labels::apply_labels(writer.store, labels, |_| true).await?;
        tracing::info!(changed, labels = labels.len(), "resume categories set");
        if let Some(engine) = writer.engine.filter(|_| changed > 0) {
            intellicv_search::sync::catch_up_all(writer.store, engine).await?;
        }
    }
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    println!(
        "{} files in {:.1}s: {} stored, {} already stored, {} failed",
        report.files,
        started.elapsed().as_secs_f64(),
        report.stored,
        report.duplicates,
        report.failed
    );
    for (field, rate) in &report.fill_rates {
        println!("  {field}: {:.1}%", rate * 100.0);
    }
    for (code, n) in &report.failures_by_code {
        println!("  {n} × {code}");
    }
    for f in report.failures.iter().take(10) {
        println!("  {}: {} ({})", f.file, f.reason, f.code);
    }
    Ok(())
}
