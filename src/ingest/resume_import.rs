//! Importing resume files in bulk: parse in parallel (rayon), store each one (failures too,
//! with their reason), skip exact duplicates by content hash, and report fill rates.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::ingest::resume::{ParsedResume, content_hash, parse_resume, this_month};
use crate::skills::SkillExtractor;
use crate::store::{NewResume, ParseOutcome, Store, StoreError};
use intellicv_ingest::extract::ExtractLimits;
use intellicv_ingest::walk::{Fence, Walk, WalkError, WalkLimits, walk};

/// Every file under `paths` (files as given, directories walked recursively), sorted,
/// within the CLI's walk limits ([`WalkLimits::CLI`]): symlink loops are walked once,
/// special files and entries that cannot be read are left out.
pub fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    Ok(collect_files_within(paths, WalkLimits::CLI)?.files)
}

/// [`collect_files`] with its own limits, answering the entries left out too (logged).
pub fn collect_files_within(paths: &[PathBuf], limits: WalkLimits) -> Result<Walk, WalkError> {
    let walk = walk(paths, &Fence::open(), limits)?;
    for s in &walk.skipped {
        tracing::warn!(path = %s.path.display(), reason = %s.reason, "entry skipped");
    }
    Ok(walk)
}

/// One file read and parsed, ready to store.
pub struct ParsedFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub hash: String,
    pub result: Result<ParsedResume, (String, String)>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ResumeImportReport {
    pub files: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub failed: usize,
    pub failures_by_code: BTreeMap<String, usize>,
    pub failures: Vec<FileFailure>,
    /// Share of parsed resumes with each field filled.
    pub fill_rates: BTreeMap<String, f64>,
    pub stored_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileFailure {
    pub file: String,
    pub code: String,
    pub reason: String,
}

/// Reads and parses files in parallel. CPU-bound: call from a blocking thread. `on_parsed`
/// is called (from rayon workers) after each file, for progress.
pub fn parse_files(
    files: &[PathBuf],
    limits: &ExtractLimits,
    skills: &SkillExtractor,
    on_parsed: &(dyn Fn() + Sync),
) -> Vec<ParsedFile> {
    let today = this_month();
    files
        .par_iter()
        .map(|path| {
            let bytes = std::fs::read(path).unwrap_or_default();
            let hash = content_hash(&bytes);
            let result = match std::fs::metadata(path) {
                Err(e) => Err(("unreadable".to_owned(), e.to_string())),
                Ok(_) => parse_resume(&bytes, limits, skills, today)
                    .map_err(|e| (e.code().to_owned(), e.to_string())),
            };
            on_parsed();
            ParsedFile {
                path: path.clone(),
                bytes,
                hash,
                result,
            }
        })
        .collect()
}

/// Stores parsed files (owner none: bulk imports are the operator's), skipping exact
/// duplicates. `on_file` is called after each file.
pub async fn store_parsed(
    store: &Store,
    parsed: &[ParsedFile],
    mut on_file: impl FnMut(usize),
) -> Result<ResumeImportReport, StoreError> {
    let mut report = ResumeImportReport {
        files: parsed.len(),
        ..ResumeImportReport::default()
    };
    let mut filled: BTreeMap<&str, usize> = BTreeMap::new();
    let mut parsed_ok = 0usize;
    for (i, file) in parsed.iter().enumerate() {
        on_file(i + 1);
        if store.find_resume_by_hash(None, &file.hash).await?.is_some() {
            report.duplicates += 1;
            continue;
        }
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (outcome, format) = match &file.result {
            Ok(p) => {
                parsed_ok += 1;
                let profile = &p.profile;
                let checks = [
                    ("headline", profile.headline.is_some()),
                    (
                        "experience_with_dates",
                        profile.experience.iter().any(|e| e.start.is_some()),
                    ),
                    (
                        "experience_with_title",
                        profile.experience.iter().any(|e| e.title.is_some()),
                    ),
                    ("education", !profile.education.is_empty()),
                    ("skills_at_least_5", profile.skills.len() >= 5),
                    ("summary", profile.summary.is_some()),
                    ("years_experience", profile.total_years_experience.is_some()),
                ];
                for (field, ok) in checks {
                    *filled.entry(field).or_default() += usize::from(ok);
                }
                (
                    ParseOutcome::Parsed {
                        text: &p.text,
                        profile: &p.profile,
                    },
                    p.format.as_str(),
                )
            }
            Err((code, reason)) => {
                report.failed += 1;
                *report.failures_by_code.entry(code.clone()).or_default() += 1;
                report.failures.push(FileFailure {
                    file: file.path.display().to_string(),
                    code: code.clone(),
                    reason: reason.clone(),
                });
                (
                    ParseOutcome::Failed { code, reason },
                    intellicv_ingest::extract::detect_format(&file.bytes)
                        .map(|f| f.as_str())
                        .unwrap_or("unknown"),
                )
            }
        };
        let record = store
            .insert_resume(&NewResume {
                owner_id: None,
                source_filename: &name,
                content_hash: &file.hash,
                bytes: &file.bytes,
                format,
                outcome,
            })
            .await?;
        report.stored += 1;
        report.stored_ids.push(record.id);
    }
    if parsed_ok > 0 {
        report.fill_rates = filled
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_owned(),
                    (v as f64 / parsed_ok as f64 * 1000.0).round() / 1000.0,
                )
            })
            .collect();
    }
    Ok(report)
}
