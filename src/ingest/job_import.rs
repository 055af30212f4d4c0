//! Importing job posting files: read every record, extract skills in parallel, store in
//! batches, report what happened to each bad row. Shared by `intellicv ingest jobs` and the
//! admin API.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::domain::JobPostingDraft;
use crate::ingest::job_skills::attach_skills;
use crate::ingest::jobs::{CsvMapping, RecordResult, read_csv, read_json};
use crate::skills::SkillExtractor;
use crate::store::{JobInsertOutcome, Store, StoreError};

/// How many postings go into one database transaction.
const BATCH: usize = 500;
/// How many bad rows a report lists one by one (all are counted).
const LISTED_FAILURES: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum JobImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordFailure {
    pub record: usize,
    pub line: Option<u64>,
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct JobImportReport {
    pub file: String,
    pub records: usize,
    pub inserted: usize,
    pub duplicates: usize,
    pub failed: usize,
    pub failures_by_code: BTreeMap<String, usize>,
    /// The first bad rows, with their record number, line and reason.
    pub failures: Vec<RecordFailure>,
}

/// The file's format, from its first bytes: JSON (array or lines) or else CSV.
fn is_json(head: &[u8]) -> bool {
    let decompressed_magic = head.starts_with(&[0x1f, 0x8b]);
    decompressed_magic
        || head
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['))
}

/// The header row of a CSV file.
fn csv_header(path: &Path) -> std::io::Result<Vec<String>> {
    let mut reader =
        csv::Reader::from_reader(crate::ingest::jobs::reader::decompress(File::open(path)?)?);
    Ok(reader
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default())
}

/// Drops optional columns that still carry their default name (the field's own name) but
/// are not in the file, so a CSV needs only the columns it has. Columns mapped explicitly
/// to another name stay, and a missing one is reported per row.
fn prune_absent_defaults(mapping: &CsvMapping, header: &[String]) -> CsvMapping {
    let defaults = CsvMapping::draft_names();
    let mut out = mapping.clone();
    let keep = |column: &mut Option<String>, default: &Option<String>| {
        if column.is_some()
            && column == default
            && !header.iter().any(|h| Some(h) == column.as_ref())
        {
            *column = None;
        }
    };
    keep(&mut out.external_id, &defaults.external_id);
    keep(&mut out.company, &defaults.company);
    keep(&mut out.location, &defaults.location);
    keep(&mut out.country, &defaults.country);
    keep(&mut out.latitude, &defaults.latitude);
    keep(&mut out.longitude, &defaults.longitude);
    keep(&mut out.description, &defaults.description);
    keep(&mut out.salary, &defaults.salary);
    keep(&mut out.salary_min, &defaults.salary_min);
    keep(&mut out.salary_max, &defaults.salary_max);
    keep(&mut out.salary_currency, &defaults.salary_currency);
    keep(&mut out.salary_period, &defaults.salary_period);
    keep(&mut out.employment_type, &defaults.employment_type);
    keep(&mut out.remote_mode, &defaults.remote_mode);
    keep(&mut out.seniority, &defaults.seniority);
    keep(&mut out.posted_at, &defaults.posted_at);
    keep(&mut out.valid_through, &defaults.valid_through);
    out
}

/// Reads and parses every record of `path` and extracts skills. CPU-bound: call it from a
/// blocking thread.
pub fn parse_job_file(
    path: &Path,
    source: &str,
    mapping: &CsvMapping,
    extractor: &SkillExtractor,
) -> Result<(Vec<JobPostingDraft>, JobImportReport), JobImportError> {
    let io = |source| JobImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut head = [0u8; 64];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(io)?;
    let file = BufReader::new(File::open(path).map_err(io)?);
    let records: Box<dyn Iterator<Item = RecordResult>> = if is_json(&head[..n]) {
        read_json(file, source)
    } else {
        let mapping = prune_absent_defaults(mapping, &csv_header(path).map_err(io)?);
        read_csv(file, &mapping, source)
    };
    let mut report = JobImportReport {
        file: path.display().to_string(),
        ..JobImportReport::default()
    };
    let mut drafts = Vec::new();
    for record in records {
        report.records += 1;
        match record {
            Ok(draft) => drafts.push(draft),
            Err(e) => {
                report.failed += 1;
                let code = e.kind.label().to_owned();
                *report.failures_by_code.entry(code.clone()).or_default() += 1;
                if report.failures.len() < LISTED_FAILURES {
                    report.failures.push(RecordFailure {
                        record: e.record,
                        line: e.line,
                        code,
                        reason: e.to_string(),
                    });
                }
            }
        }
    }
    drafts
        .par_iter_mut()
        .for_each(|draft| attach_skills(draft, extractor));
    Ok((drafts, report))
}

/// Stores parsed postings in batches; `on_batch` is told how many were stored so far.
pub async fn store_jobs(
    store: &Store,
    drafts: &[JobPostingDraft],
    report: &mut JobImportReport,
    mut on_batch: impl FnMut(usize),
) -> Result<Vec<i64>, JobImportError> {
    let mut inserted_ids = Vec::new();
    let mut done = 0;
    for batch in drafts.chunks(BATCH) {
        for outcome in store.insert_jobs(batch, None).await? {
            match outcome {
                JobInsertOutcome::Inserted(id) => {
                    report.inserted += 1;
                    inserted_ids.push(id);
                }
                JobInsertOutcome::Duplicate(_) => report.duplicates += 1,
            }
        }
        done += batch.len();
        on_batch(done);
    }
    Ok(inserted_ids)
}
