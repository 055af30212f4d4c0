//! Importing job posting files: read every record, extract skills in parallel, store in
//! batches, report what happened to each bad row. Shared by `intellicv ingest jobs` and the
//! admin API.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::documents::DocumentError;
use crate::documents::pipeline::{self, Writer};
use intellicv_core::JobPostingDraft;
use intellicv_ingest::jobs::{CsvMapping, RecordResult, read_csv, read_json};
use intellicv_skills::SkillExtractor;
use intellicv_skills::posting::attach_skills;
use intellicv_store::{JobInsertOutcome, StoreError};

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
    let mut reader = csv::Reader::from_reader(intellicv_ingest::jobs::reader::decompress(
        File::open(path)?,
    )?);
    Ok(reader
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default())
}

/// Resolves the optional columns that still carry their default name (the field's own
/// name) against the file's header: kept when present, else a common alias (`id`, `city`,
/// `remote`, `type`, `posted`, ...) when the file has one, else dropped, so a CSV needs only
/// the columns it has. Columns mapped explicitly stay, and a missing one is reported per row.
fn prune_absent_defaults(mapping: &CsvMapping, header: &[String]) -> CsvMapping {
    let defaults = CsvMapping::draft_names();
    let mut out = mapping.clone();
    let resolve = |column: &mut Option<String>, default: &Option<String>, aliases: &[&str]| {
        if column.is_none() || column != default {
            return;
        }
        let has = |name: &str| header.iter().any(|h| h.eq_ignore_ascii_case(name));
        if column.as_deref().is_some_and(has) {
            return;
        }
        *column = aliases
            .iter()
            .find(|a| has(a))
            .and_then(|a| header.iter().find(|h| h.eq_ignore_ascii_case(a)).cloned());
    };
    resolve(
        &mut out.external_id,
        &defaults.external_id,
        &["id", "job_id", "identifier"],
    );
    resolve(
        &mut out.company,
        &defaults.company,
        &["employer", "organisation", "organization"],
    );
    resolve(
        &mut out.location,
        &defaults.location,
        &["city", "town", "place"],
    );
    resolve(&mut out.country, &defaults.country, &["country_code"]);
    resolve(&mut out.latitude, &defaults.latitude, &["lat"]);
    resolve(&mut out.longitude, &defaults.longitude, &["lon", "lng"]);
    resolve(
        &mut out.description,
        &defaults.description,
        &["body", "text"],
    );
    resolve(&mut out.salary, &defaults.salary, &["pay", "compensation"]);
    resolve(&mut out.salary_min, &defaults.salary_min, &[]);
    resolve(&mut out.salary_max, &defaults.salary_max, &[]);
    resolve(
        &mut out.salary_currency,
        &defaults.salary_currency,
        &["currency"],
    );
    resolve(&mut out.salary_period, &defaults.salary_period, &[]);
    resolve(
        &mut out.employment_type,
        &defaults.employment_type,
        &["type", "job_type", "contract"],
    );
    resolve(
        &mut out.remote_mode,
        &defaults.remote_mode,
        &["remote", "workplace"],
    );
    resolve(&mut out.seniority, &defaults.seniority, &["level"]);
    resolve(
        &mut out.posted_at,
        &defaults.posted_at,
        &["posted", "date_posted", "date"],
    );
    resolve(
        &mut out.valid_through,
        &defaults.valid_through,
        &["closing_date", "expires"],
    );
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

/// Writes parsed postings through the write pipeline in batches (each stored in one
/// transaction and indexed with one commit); `on_batch` is told how many were written so
/// far.
pub async fn store_jobs(
    writer: &Writer<'_>,
    drafts: &[JobPostingDraft],
    report: &mut JobImportReport,
    mut on_batch: impl FnMut(usize),
) -> Result<Vec<i64>, DocumentError> {
    let mut inserted_ids = Vec::new();
    let mut done = 0;
    for batch in drafts.chunks(BATCH) {
        for outcome in pipeline::write_jobs(writer, batch, None).await? {
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
