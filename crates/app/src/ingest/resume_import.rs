//! Importing resume files in bulk: read and parse in parallel (rayon), write them through
//! the write pipeline a chunk at a time (failures too, with their reason; exact duplicates
//! skipped by content hash), report files that cannot be read by name, and report fill
//! rates.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::documents::DocumentError;
use crate::documents::pipeline::{self, ParsedFile, ResumeFile, Writer};
use intellicv_core::ResumeProfile;
use intellicv_ingest::extract::ExtractLimits;
use intellicv_ingest::walk::{Fence, Walk, WalkError, WalkLimits, walk};
use intellicv_skills::SkillExtractor;
use intellicv_skills::resume::this_month;

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

/// A file of an import that cannot be read: reported with its path, not stored (there
/// is nothing to store), and the import goes on.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct UnreadableFile {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

impl UnreadableFile {
    pub const CODE: &'static str = "unreadable";
}

/// One file of an import: read and parsed, or unreadable.
pub type ImportFile = (PathBuf, Result<ParsedFile, UnreadableFile>);

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

impl ResumeImportReport {
    fn fail(&mut self, file: &std::path::Path, code: &str, reason: String) {
        self.failed += 1;
        *self.failures_by_code.entry(code.to_owned()).or_default() += 1;
        self.failures.push(FileFailure {
            file: file.display().to_string(),
            code: code.to_owned(),
            reason,
        });
    }
}

/// Files written (and indexed, with one commit) per step of an import.
const FILES_PER_CHUNK: usize = 64;

/// Reads and parses files in parallel. CPU-bound: call from a blocking thread. `on_parsed`
/// is called (from rayon workers) after each file, for progress.
pub fn parse_files(
    files: &[PathBuf],
    limits: &ExtractLimits,
    skills: &SkillExtractor,
    on_parsed: &(dyn Fn() + Sync),
) -> Vec<ImportFile> {
    let today = this_month();
    files
        .par_iter()
        .map(|path| {
            let parsed = std::fs::read(path)
                .map_err(|source| UnreadableFile {
                    path: path.display().to_string(),
                    source,
                })
                .map(|bytes| {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    ParsedFile::parse(ResumeFile { name, bytes }, limits, skills, today)
                });
            on_parsed();
            (path.clone(), parsed)
        })
        .collect()
}

/// Writes parsed files through the pipeline a chunk at a time (owner none: bulk imports
/// are the operator's), skipping exact duplicates; unreadable files are reported, not
/// stored. `on_file` is told how many files are done.
pub async fn store_parsed(
    writer: &Writer<'_>,
    parsed: Vec<ImportFile>,
    mut on_file: impl FnMut(usize),
) -> Result<ResumeImportReport, DocumentError> {
    let mut report = ResumeImportReport {
        files: parsed.len(),
        ..ResumeImportReport::default()
    };
    let (mut paths, mut files) = (Vec::new(), Vec::new());
    for (path, file) in parsed {
        match file {
            Ok(file) => {
                paths.push(path);
                files.push(file);
            }
            Err(e) => {
                tracing::warn!(path = %e.path, error = %e.source, "resume file unreadable");
                report.fail(&path, UnreadableFile::CODE, e.to_string());
            }
        }
    }
    let mut filled: BTreeMap<&str, usize> = BTreeMap::new();
    let mut parsed_ok = 0usize;
    let mut done = report.failed;
    for (chunk, chunk_paths) in files
        .chunks(FILES_PER_CHUNK)
        .zip(paths.chunks(FILES_PER_CHUNK))
    {
        let written = pipeline::write_resumes(writer, None, chunk).await?;
        for ((file, path), outcome) in chunk.iter().zip(chunk_paths).zip(&written) {
            if outcome.duplicate {
                report.duplicates += 1;
                continue;
            }
            report.stored += 1;
            report.stored_ids.push(outcome.resume.id);
            match &file.result {
                Ok(p) => {
                    parsed_ok += 1;
                    for (field, ok) in filled_fields(&p.profile) {
                        *filled.entry(field).or_default() += usize::from(ok);
                    }
                }
                Err(failure) => report.fail(path, failure.code, failure.reason.clone()),
            }
        }
        done += chunk.len();
        on_file(done);
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

/// The fields whose fill rate an import reports, and whether `profile` has each.
fn filled_fields(profile: &ResumeProfile) -> [(&'static str, bool); 7] {
    [
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
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_skills::sample_taxonomy as sample;

    #[test]
    fn a_file_that_cannot_be_read_is_a_typed_error_naming_it_and_the_rest_is_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.txt");
        std::fs::write(
            &good,
            "Jane Doe\nRust engineer\nSkills\nRust, Python, SQL\n",
        )
        .unwrap();
        // A directory where a file was listed: it exists, yet cannot be read as a file.
        let unreadable = dir.path().join("gone.pdf");
        std::fs::create_dir(&unreadable).unwrap();
        let missing = dir.path().join("missing.docx");
        let skills = SkillExtractor::new(&sample()).unwrap();
        let files = [good.clone(), unreadable.clone(), missing.clone()];
        let parsed = parse_files(&files, &ExtractLimits::default(), &skills, &|| {});
        assert_eq!(parsed.len(), 3);
        assert!(parsed[0].1.as_ref().is_ok_and(|f| f.result.is_ok()));
        for (i, path) in [(1, &unreadable), (2, &missing)] {
            let Err(e) = &parsed[i].1 else {
                panic!("{} must be unreadable, not empty bytes", path.display());
            };
            assert_eq!(e.path, path.display().to_string());
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        }
    }
}
