//! `POST /admin/ai/enrich`: re-runs, for chosen resumes and postings, skill normalisation
//! (the current gazetteer and semantic matcher over the stored text, compared with the
//! stored skills), seniority inference, a resume quality score with suggestions, and the
//! document embeddings (re-embedded only when the model or the text changed), and stores
//! each result as an `ai_enrichments` row of one run (history is kept).
//!
//! A run is synchronous and bounded by `ai.max_enrich_documents`; larger sets belong on
//! the background job queue.

use crate::telemetry::spawn_blocking_with_span;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{AiError, AiSettings, quality};
use intellicv_core::{PostingStatus, ResumeProfile, ValidationError};
use intellicv_ingest::profile::{infer_seniority, seniority_from_title};
use intellicv_search::embedder::Embedder;
use intellicv_search::{Collection, SearchEngine, sync};
use intellicv_skills::SkillExtractor;
use intellicv_skills::posting::posting_skills;
use intellicv_skills::resume::attach_skills;
use intellicv_store::{
    EnrichmentRunRecord, JobRecord, ModelRegistration, NewEnrichment, ParseStatus, ResumeRecord,
    Store,
};

/// Which documents to enrich.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrichRequest {
    #[serde(default)]
    pub resume_ids: Vec<i64>,
    #[serde(default)]
    pub job_ids: Vec<i64>,
    /// Every resume and posting (up to `ai.max_enrich_documents` in all).
    #[serde(default)]
    pub all: bool,
}

/// One document's results.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentEnrichment {
    /// `resume` or `job`.
    pub target_kind: &'static str,
    pub target_id: i64,
    /// `enriched`, or `failed` with `error`.
    pub status: &'static str,
    pub error: Option<String>,
    /// Per kind (`skills`, `seniority`, `quality`, `embedding`): the stored result.
    #[schema(value_type = Object)]
    pub results: BTreeMap<&'static str, Value>,
}

/// What a run did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnrichReport {
    pub run: EnrichmentRunRecord,
    /// Document embeddings computed now (model or text changed) and reused.
    pub embedded: usize,
    pub embeddings_reused: usize,
    pub documents: Vec<DocumentEnrichment>,
}

/// What an enrichment run reads.
pub struct Enricher<'a> {
    pub store: &'a Store,
    pub engine: &'a Arc<SearchEngine>,
    pub skills: &'a Arc<SkillExtractor>,
    pub embedder: &'a Arc<Embedder>,
    pub settings: &'a AiSettings,
}

fn ids(raw: &[i64], field: &'static str) -> Result<Vec<i64>, ValidationError> {
    if raw.iter().any(|id| *id <= 0) {
        return Err(ValidationError::new(
            field,
            "ids are positive whole numbers",
        ));
    }
    let mut out = raw.to_vec();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

impl Enricher<'_> {
    /// Validates `request`, enriches the documents and stores the results.
    pub async fn run(
        &self,
        requested_by: Option<i64>,
        request: EnrichRequest,
    ) -> Result<EnrichReport, AiError> {
        let max = self.settings.max_enrich_documents;
        let (resume_ids, job_ids) = if request.all {
            if !request.resume_ids.is_empty() || !request.job_ids.is_empty() {
                return Err(ValidationError::new(
                    "all",
                    "give either `all: true` or ids, not both",
                )
                .into());
            }
            let (r, j) = self.store.enrichable_ids(max as i64).await?;
            if r.len() + j.len() > max {
                return Err(ValidationError::new(
                    "all",
                    format!(
                        "more than {max} documents: name them by id in runs of at most {max} \
                         (ai.max_enrich_documents), or run enrichment on the background queue"
                    ),
                )
                .into());
            }
            (r, j)
        } else {
            let (r, j) = (
                ids(&request.resume_ids, "resume_ids")?,
                ids(&request.job_ids, "job_ids")?,
            );
            if r.is_empty() && j.is_empty() {
                return Err(ValidationError::new(
                    "resume_ids",
                    "give resume_ids, job_ids or `all: true`",
                )
                .into());
            }
            if r.len() + j.len() > max {
                let field = if r.len() > max {
                    "resume_ids"
                } else {
                    "job_ids"
                };
                return Err(ValidationError::new(
                    field,
                    format!("at most {max} documents per run (ai.max_enrich_documents)"),
                )
                .into());
            }
            (r, j)
        };
        let status = self.embedder.status();
        let model_id = self
            .store
            .register_model(&ModelRegistration {
                name: &status.model_name,
                kind: "embedding",
                version: &status.model_version,
                checksum: Some(&status.model_sha256),
                dimensions: Some(status.dimension as i32),
                config: json!({
                    "max_length": status.max_length,
                    "pool_size": status.pool_size,
                }),
            })
            .await?;
        let total = (resume_ids.len() + job_ids.len()) as i32;
        let request_json = serde_json::to_value(&request).unwrap_or(Value::Null);
        let run = self
            .store
            .start_enrichment_run(requested_by, &request_json, total)
            .await?;
        tracing::info!(run.id = run.id, documents = total, "enrichment run started");
        let result = self
            .enrich_all(run.id, model_id, &resume_ids, &job_ids)
            .await;
        let (documents, embedded, reused) = match result {
            Ok(done) => done,
            Err(error) => {
                tracing::error!(run.id = run.id, %error, "enrichment run failed");
                self.store
                    .finish_enrichment_run(run.id, "failed", 0, total)
                    .await?;
                return Err(error);
            }
        };
        let succeeded = documents.iter().filter(|d| d.status == "enriched").count() as i32;
        let run = self
            .store
            .finish_enrichment_run(run.id, "completed", succeeded, total - succeeded)
            .await?;
        tracing::info!(
            run.id = run.id,
            succeeded,
            failed = total - succeeded,
            "enrichment run finished"
        );
        Ok(EnrichReport {
            run,
            embedded,
            embeddings_reused: reused,
            documents,
        })
    }

    async fn enrich_all(
        &self,
        run_id: i64,
        model_id: i64,
        resume_ids: &[i64],
        job_ids: &[i64],
    ) -> Result<(Vec<DocumentEnrichment>, usize, usize), AiError> {
        let mut docs = Vec::new();
        let (mut embedded, mut reused) = (0, 0);
        if !resume_ids.is_empty() {
            let resumes = self.store.resumes_by_ids(resume_ids).await?;
            let parsed: Vec<i64> = resumes
                .iter()
                .filter(|r| r.parse_status == ParseStatus::Parsed && r.profile.is_some())
                .map(|r| r.id)
                .collect();
            let report =
                sync::index_documents(self.store, self.engine, Collection::Resumes, &parsed)
                    .await?;
            embedded += report.embedded;
            reused += report.embeddings_reused;
            let vectors = self.embedding_results(Collection::Resumes, &parsed).await?;
            let extractor = self.skills.clone();
            let mut computed = spawn_blocking_with_span(move || {
                resumes
                    .iter()
                    .map(|r| (r.id, resume_results(r, &extractor)))
                    .collect::<HashMap<i64, BTreeMap<&'static str, Value>>>()
            })
            .await?;
            for &id in resume_ids {
                let doc = match computed.remove(&id) {
                    Some(mut results) => {
                        if let Some(v) = vectors.get(&id) {
                            results.insert("embedding", v.clone());
                        }
                        enriched("resume", id, results)
                    }
                    None => missing("resume", id),
                };
                self.store_doc(run_id, model_id, &doc).await?;
                docs.push(doc);
            }
        }
        if !job_ids.is_empty() {
            let jobs = self.store.jobs_by_ids(job_ids).await?;
            let open: Vec<i64> = jobs
                .iter()
                .filter(|j| j.status == PostingStatus::Open)
                .map(|j| j.id)
                .collect();
            let report =
                sync::index_documents(self.store, self.engine, Collection::Jobs, &open).await?;
            embedded += report.embedded;
            reused += report.embeddings_reused;
            let vectors = self.embedding_results(Collection::Jobs, &open).await?;
            let stored = self.store.job_skills_for(job_ids).await?;
            let mut stored_by_job: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for s in stored {
                stored_by_job
                    .entry(s.job_id)
                    .or_default()
                    .push((s.uri, s.label));
            }
            let extractor = self.skills.clone();
            let mut computed = spawn_blocking_with_span(move || {
                jobs.iter()
                    .map(|j| {
                        let stored = stored_by_job.remove(&j.id).unwrap_or_default();
                        (j.id, job_results(j, &stored, &extractor))
                    })
                    .collect::<HashMap<i64, BTreeMap<&'static str, Value>>>()
            })
            .await?;
            for &id in job_ids {
                let doc = match computed.remove(&id) {
                    Some(mut results) => {
                        if let Some(v) = vectors.get(&id) {
                            results.insert("embedding", v.clone());
                        }
                        enriched("job", id, results)
                    }
                    None => missing("job", id),
                };
                self.store_doc(run_id, model_id, &doc).await?;
                docs.push(doc);
            }
        }
        Ok((docs, embedded, reused))
    }

    /// The stored embedding of each document and whether the vector index holds it.
    async fn embedding_results(
        &self,
        c: Collection,
        ids: &[i64],
    ) -> Result<HashMap<i64, Value>, AiError> {
        let generation = self.engine.generation();
        let index = generation.collection(c);
        Ok(self
            .store
            .embeddings(c.as_str(), ids)
            .await?
            .into_iter()
            .map(|e| {
                let value = json!({
                    "model_sha256": e.model_sha256,
                    "dimension": e.vector.len(),
                    "chunks": e.chunk_vectors.len(),
                    "has_title_vector": e.title_vector.is_some(),
                    "text_hash": e.text_hash,
                    "in_vector_index": index.vectors.contains(e.doc_id),
                });
                (e.doc_id, value)
            })
            .collect())
    }

    async fn store_doc(
        &self,
        run_id: i64,
        model_id: i64,
        doc: &DocumentEnrichment,
    ) -> Result<(), AiError> {
        let rows: Vec<NewEnrichment<'_>> = if doc.results.is_empty() {
            vec![NewEnrichment {
                target_kind: doc.target_kind,
                target_id: doc.target_id,
                kind: "error",
                model_id: None,
                result: json!({ "error": doc.error }),
            }]
        } else {
            doc.results
                .iter()
                .map(|(kind, result)| NewEnrichment {
                    target_kind: doc.target_kind,
                    target_id: doc.target_id,
                    kind,
                    model_id: (*kind == "embedding").then_some(model_id),
                    result: result.clone(),
                })
                .collect()
        };
        self.store.put_enrichments(run_id, &rows).await?;
        Ok(())
    }
}

fn enriched(
    kind: &'static str,
    id: i64,
    results: BTreeMap<&'static str, Value>,
) -> DocumentEnrichment {
    DocumentEnrichment {
        target_kind: kind,
        target_id: id,
        status: "enriched",
        error: None,
        results,
    }
}

fn missing(kind: &'static str, id: i64) -> DocumentEnrichment {
    DocumentEnrichment {
        target_kind: kind,
        target_id: id,
        status: "failed",
        error: Some(format!("{kind} {id} not found")),
        results: BTreeMap::new(),
    }
}

/// How a re-extraction differs from the stored skills.
fn skill_diff(now: &[(String, String)], stored: &[(String, String)], extra: Value) -> Value {
    let stored_uris: HashSet<&str> = stored.iter().map(|(u, _)| u.as_str()).collect();
    let now_uris: HashSet<&str> = now.iter().map(|(u, _)| u.as_str()).collect();
    let added: Vec<&str> = now
        .iter()
        .filter(|(u, _)| !stored_uris.contains(u.as_str()))
        .map(|(_, l)| l.as_str())
        .collect();
    let removed: Vec<&str> = stored
        .iter()
        .filter(|(u, _)| !now_uris.contains(u.as_str()))
        .map(|(_, l)| l.as_str())
        .collect();
    let mut value = json!({
        "count": now.len(),
        "skills": now.iter().map(|(u, l)| json!({"uri": u, "label": l})).collect::<Vec<_>>(),
        "added": added,
        "removed": removed,
        "changed": !added.is_empty() || !removed.is_empty(),
    });
    if let (Value::Object(v), Value::Object(e)) = (&mut value, extra) {
        v.extend(e);
    }
    value
}

/// Skills, seniority and quality of one resume (blocking: runs the skill matchers).
fn resume_results(r: &ResumeRecord, extractor: &SkillExtractor) -> BTreeMap<&'static str, Value> {
    let mut out = BTreeMap::new();
    let Some(profile) = r.profile.as_ref().map(|p| &p.0) else {
        out.insert(
            "quality",
            json!({
                "score": 0,
                "suggestions": [format!(
                    "the file could not be read ({}); upload a PDF with a text layer, a DOCX or a text file",
                    r.parse_error.as_deref().unwrap_or("parse failed")
                )],
            }),
        );
        return out;
    };
    let text = r.extracted_text.as_deref().unwrap_or_default();
    let mut redone: ResumeProfile = profile.clone();
    attach_skills(&mut redone, text, extractor);
    let pairs = |p: &ResumeProfile| -> Vec<(String, String)> {
        p.skills
            .iter()
            .map(|s| (s.uri.clone(), s.label.clone()))
            .collect()
    };
    let semantic = redone
        .skills
        .iter()
        .filter(|s| s.method == intellicv_core::SkillMethod::Semantic)
        .count();
    out.insert(
        "skills",
        skill_diff(
            &pairs(&redone),
            &pairs(profile),
            json!({ "semantic": semantic }),
        ),
    );
    let headline = profile.headline.as_ref().map(|h| h.value.as_str());
    let inferred = infer_seniority(headline, profile.total_years_experience);
    let stored = profile.seniority;
    out.insert(
        "seniority",
        json!({
            "inferred": inferred,
            "stored": stored,
            "changed": inferred != stored,
            "from": if headline.and_then(seniority_from_title).is_some() { "headline" }
                    else if profile.total_years_experience.is_some() { "years_of_experience" }
                    else { "nothing" },
            "years_of_experience": profile.total_years_experience,
        }),
    );
    out.insert(
        "quality",
        serde_json::to_value(quality::assess(profile, text)).unwrap_or(Value::Null),
    );
    out
}

/// Skills and seniority of one posting (blocking).
fn job_results(
    j: &JobRecord,
    stored: &[(String, String)],
    extractor: &SkillExtractor,
) -> BTreeMap<&'static str, Value> {
    let mut out = BTreeMap::new();
    let now: Vec<(String, String)> = posting_skills(&j.title, &j.description, extractor)
        .into_iter()
        .map(|s| (s.skill.uri, s.skill.label))
        .collect();
    out.insert("skills", skill_diff(&now, stored, json!({})));
    let inferred = seniority_from_title(&j.title);
    let stored_seniority = j.seniority;
    out.insert(
        "seniority",
        json!({
            "inferred": inferred,
            "stored": stored_seniority,
            "changed": inferred.is_some() && inferred != stored_seniority,
            "from": if inferred.is_some() { "title" } else { "nothing" },
        }),
    );
    out
}
