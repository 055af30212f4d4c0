//! The one write path for resumes and postings: parse, store, index, publish. The upload
//! API, the batch worker, `intellicv ingest` (and the sample loader) and `import` all write
//! through here, one document or many. Many documents are indexed with one commit, so a
//! chunk of N costs O(N); what a call wrote is searchable when it returns, and each new
//! document is announced to admins (`document.stored` or `document.parse_failed`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::DocumentError;
use super::resumes::UploadOutcome;
use crate::events::EventHub;
use crate::events::matches::PostingAnnouncer;
use crate::telemetry::spawn_blocking_with_span;
use intellicv_core::{JobPostingDraft, YearMonth};
use intellicv_ingest::extract::{ExtractError, ExtractLimits};
use intellicv_search::sync::{index_documents, index_resume_records};
use intellicv_search::{Collection, SearchEngine};
use intellicv_skills::SkillExtractor;
use intellicv_skills::resume::{ParsedResume, content_hash, parse_resume_file, this_month};
use intellicv_store::{JobInsertOutcome, NewResume, ParseOutcome, ResumeRecord, Store};

/// Where a write goes.
pub struct Writer<'a> {
    pub store: &'a Store,
    /// `None`: store only (`ingest --no-index`); the indexes catch up with the database
    /// when they are next opened.
    pub engine: Option<&'a Arc<SearchEngine>>,
    pub skills: &'a Arc<SkillExtractor>,
    /// `None`: nobody listens (the CLI).
    pub events: Option<&'a EventHub>,
    /// Tells connected users about new open postings that match their resumes
    /// (`match.new`); `None` in the CLI.
    pub postings: Option<&'a PostingAnnouncer>,
}

/// A resume file to write: its name and bytes.
pub struct ResumeFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A resume file parsed, ready to store. A parse failure is a value: the file is stored
/// with its reason.
pub struct ParsedFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub hash: String,
    /// The detected format's name (`unknown` when it is not one the server reads),
    /// detected once.
    pub format: &'static str,
    pub result: Result<ParsedResume, ParseFailure>,
}

/// Why a file could not be parsed: the typed code and its reason, as stored.
#[derive(Debug, Clone)]
pub struct ParseFailure {
    pub code: &'static str,
    pub reason: String,
}

impl From<ExtractError> for ParseFailure {
    fn from(e: ExtractError) -> Self {
        Self {
            code: e.code(),
            reason: e.to_string(),
        }
    }
}

impl ParsedFile {
    /// Parses one file. CPU-bound: call it off the async runtime.
    pub fn parse(
        file: ResumeFile,
        limits: &ExtractLimits,
        skills: &SkillExtractor,
        today: YearMonth,
    ) -> Self {
        let parse = parse_resume_file(&file.bytes, limits, skills, today);
        Self {
            hash: content_hash(&file.bytes),
            format: parse.format_name(),
            name: file.name,
            bytes: file.bytes,
            result: parse.result.map_err(ParseFailure::from),
        }
    }

    /// The row this file is stored as.
    pub fn new_resume(&self, owner_id: Option<i64>) -> NewResume<'_> {
        NewResume {
            owner_id,
            source_filename: &self.name,
            content_hash: &self.hash,
            bytes: &self.bytes,
            format: self.format,
            outcome: match &self.result {
                Ok(parsed) => ParseOutcome::Parsed {
                    text: &parsed.text,
                    profile: &parsed.profile,
                },
                Err(failure) => ParseOutcome::Failed {
                    code: failure.code,
                    reason: &failure.reason,
                },
            },
            category: None,
        }
    }
}

/// Parses files in parallel (rayon) off the async runtime, in order.
pub async fn parse_files(
    skills: &Arc<SkillExtractor>,
    files: Vec<ResumeFile>,
) -> Result<Vec<ParsedFile>, DocumentError> {
    let skills = skills.clone();
    Ok(spawn_blocking_with_span(move || {
        let (limits, today) = (ExtractLimits::default(), this_month());
        files
            .into_par_iter()
            .map(|file| ParsedFile::parse(file, &limits, &skills, today))
            .collect()
    })
    .await?)
}

/// Stores parsed files for `owner`, indexes them with one commit and announces the new
/// ones; answers one outcome per file, in order. The same bytes already stored for this
/// owner (or earlier in `files`) come back as that resume, a duplicate, and are indexed
/// again (an earlier attempt may have stopped between storing and indexing).
pub async fn write_resumes(
    w: &Writer<'_>,
    owner: Option<i64>,
    files: &[ParsedFile],
) -> Result<Vec<UploadOutcome>, DocumentError> {
    let mut writes = ResumeWrites::new(owner);
    for file in files {
        writes.store(w, file).await?;
    }
    writes.finish(w).await
}

/// Resumes stored one at a time, then indexed and announced together
/// ([`ResumeWrites::finish`]): for callers that record each file as it is stored (the
/// batch worker) yet index a chunk with one commit.
pub struct ResumeWrites {
    owner: Option<i64>,
    outcomes: Vec<UploadOutcome>,
    by_hash: HashMap<String, usize>,
}

impl ResumeWrites {
    pub fn new(owner: Option<i64>) -> Self {
        Self {
            owner,
            outcomes: Vec::new(),
            by_hash: HashMap::new(),
        }
    }

    /// Stores one file (or finds it stored already) and answers what happened.
    pub async fn store(
        &mut self,
        w: &Writer<'_>,
        file: &ParsedFile,
    ) -> Result<UploadOutcome, DocumentError> {
        let outcome = match self.by_hash.get(&file.hash) {
            Some(&i) => UploadOutcome {
                resume: self.outcomes[i].resume.clone(),
                duplicate: true,
            },
            None => match w.store.find_resume_by_hash(self.owner, &file.hash).await? {
                Some(existing) => UploadOutcome {
                    resume: existing,
                    duplicate: true,
                },
                None => UploadOutcome {
                    resume: w.store.insert_resume(&file.new_resume(self.owner)).await?,
                    duplicate: false,
                },
            },
        };
        self.by_hash
            .entry(file.hash.clone())
            .or_insert(self.outcomes.len());
        self.outcomes.push(outcome.clone());
        Ok(outcome)
    }

    /// Indexes what was stored with one commit and announces the new resumes; answers the
    /// outcomes in the order the files were stored.
    pub async fn finish(self, w: &Writer<'_>) -> Result<Vec<UploadOutcome>, DocumentError> {
        finish_resumes(w, &self.outcomes).await?;
        Ok(self.outcomes)
    }
}

/// The tail of every resume write: indexes the rows written (or found) with one commit,
/// without reading them again, then announces the new ones.
pub async fn finish_resumes(
    w: &Writer<'_>,
    written: &[UploadOutcome],
) -> Result<(), DocumentError> {
    if let Some(engine) = w.engine {
        let mut seen = HashSet::new();
        let records: Vec<ResumeRecord> = written
            .iter()
            .filter(|o| seen.insert(o.resume.id))
            .map(|o| o.resume.clone())
            .collect();
        index_resume_records(w.store, engine, &records).await?;
    }
    if let Some(events) = w.events {
        for o in written.iter().filter(|o| !o.duplicate) {
            events.publish_resume_stored(&o.resume);
        }
    }
    for o in written {
        tracing::debug!(
            resume.id = o.resume.id,
            resume.status = %o.resume.parse_status,
            resume.duplicate = o.duplicate,
            "resume written"
        );
    }
    tracing::info!(
        resumes = written.len(),
        resumes.new = written.iter().filter(|o| !o.duplicate).count(),
        "resumes written"
    );
    Ok(())
}

/// Stores postings (exact duplicates by source and external id come back as the stored
/// posting), indexes them with one commit and announces the new ones; answers one outcome
/// per draft, in order.
pub async fn write_jobs(
    w: &Writer<'_>,
    drafts: &[JobPostingDraft],
    created_by: Option<i64>,
) -> Result<Vec<JobInsertOutcome>, DocumentError> {
    let outcomes = w.store.insert_jobs(drafts, created_by).await?;
    let (mut ids, mut new) = (Vec::new(), Vec::new());
    for outcome in &outcomes {
        match *outcome {
            JobInsertOutcome::Inserted(id) => {
                ids.push(id);
                new.push(id);
            }
            JobInsertOutcome::Duplicate(id) => ids.push(id),
        }
    }
    finish_jobs(w, &ids, &new).await?;
    Ok(outcomes)
}

/// The tail of every posting write: indexes `ids` with one commit (closed or draft
/// postings leave the index), then announces those of `new` to admins
/// (`document.stored`) and, when open, to the connected users they match (`match.new`).
pub async fn finish_jobs(w: &Writer<'_>, ids: &[i64], new: &[i64]) -> Result<(), DocumentError> {
    if let Some(engine) = w.engine {
        index_documents(w.store, engine, Collection::Jobs, ids).await?;
    }
    if let Some(events) = w.events
        && !new.is_empty()
    {
        for job in w.store.jobs_by_ids(new).await? {
            events.publish_job_stored(&job);
            if let Some(postings) = w.postings {
                postings.announce(job);
            }
        }
    }
    tracing::info!(jobs = ids.len(), jobs.new = new.len(), "postings written");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;
    use intellicv_ingest::extract::testdoc;
    use intellicv_skills::sample_taxonomy as sample;

    /// Counts "document format detected" events, from every thread, for documents of one
    /// byte length (so other tests' documents do not count).
    struct DetectionCounter {
        bytes: AtomicUsize,
        seen: AtomicUsize,
    }

    struct BytesField(Option<u64>);

    impl Visit for BytesField {
        fn record_u64(&mut self, field: &Field, value: u64) {
            if field.name() == "document.bytes" {
                self.0 = Some(value);
            }
        }
        fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
    }

    impl Subscriber for &'static DetectionCounter {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            metadata.target() == "intellicv_ingest::extract::detect"
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut bytes = BytesField(None);
            event.record(&mut bytes);
            if bytes.0 == Some(self.bytes.load(Ordering::SeqCst) as u64) {
                self.seen.fetch_add(1, Ordering::SeqCst);
            }
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    static COUNTER: DetectionCounter = DetectionCounter {
        bytes: AtomicUsize::new(0),
        seen: AtomicUsize::new(0),
    };

    #[test]
    fn a_file_has_its_format_detected_once_whether_or_not_it_parses() {
        // Global: extraction runs on a thread of its own.
        tracing::subscriber::set_global_default(&COUNTER).expect("no other global subscriber");
        let skills = SkillExtractor::new(&sample()).unwrap();
        let lines = ["Jane Doe", "Rust engineer", "Skills", "Rust, Python, SQL"];
        for (bytes, parses) in [
            (testdoc::encrypted_pdf(&[&lines], "secret"), false),
            (testdoc::docx_from_lines(&lines), true),
            ([0u8, 1, 2, 3, 255, 254, 0, 7].repeat(61), false),
        ] {
            COUNTER.bytes.store(bytes.len(), Ordering::SeqCst);
            COUNTER.seen.store(0, Ordering::SeqCst);
            let file = ResumeFile {
                name: "cv".to_owned(),
                bytes,
            };
            let parsed = ParsedFile::parse(file, &ExtractLimits::default(), &skills, this_month());
            assert_eq!(parsed.result.is_ok(), parses, "{}", parsed.format);
            assert_eq!(COUNTER.seen.load(Ordering::SeqCst), 1, "{}", parsed.format);
        }
    }
}
