//! The AI endpoints over HTTP: enrichment runs stored with history, the models' status
//! with index freshness, grounded generation (and a test that it states nothing the stored
//! data lacks), and an OpenAI-compatible endpoint mocked in the test: a good answer, a
//! hallucinating one, 500s, a slow one and a rate limit, each falling back as it should.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use intellicv_core::Role;
use regex::Regex;
use serde_json::{Value, json};

use crate::applications::upload_resume;
use crate::auth_support::{get_as, post_as, user_with_token};
use crate::career::post_job_with;
use crate::documents_api::RESUME_RUST;
use crate::helpers::{Backend, TestApp, expect_error, shared_models, spawn_app, spawn_app_with};
use crate::on_both_backends;

const ENRICH: &str = "/api/v1/admin/ai/enrich";
const STATUS: &str = "/api/v1/admin/ai/models/status";
const GENERATE: &str = "/api/v1/admin/ai/content/generate";

async fn ok_json(response: reqwest::Response, status: u16) -> Value {
    let code = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(code, status, "{body}");
    body
}

async fn expect_field(response: reqwest::Response, field: &str) {
    let (status, _, body) = expect_error(response).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["field"], field, "{body}");
}

async fn enrichment_stores_each_result_with_history_and_reports_missing_documents(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    let job = post_job_with(
        &app,
        &recruiter,
        "Senior Platform Engineer",
        &["Kubernetes"],
    )
    .await;
    let body = json!({ "resume_ids": [resume, 999_999], "job_ids": [job] });
    let report = ok_json(post_as(&app, ENRICH, &admin, &body).await, 200).await;
    assert_eq!(report["run"]["status"], "completed");
    assert_eq!(report["run"]["documents"], 3);
    assert_eq!(report["run"]["succeeded"], 2);
    assert_eq!(report["run"]["failed"], 1);
    let docs = report["documents"].as_array().unwrap();
    let r = &docs[0]["results"];
    assert_eq!(docs[0]["status"], "enriched");
    let skills: Vec<&str> = r["skills"]["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert!(
        skills.contains(&"Rust") && skills.contains(&"PostgreSQL"),
        "{r}"
    );
    assert_eq!(r["skills"]["changed"], false, "{r}");
    assert!(r["seniority"]["inferred"].is_string(), "{r}");
    let score = r["quality"]["score"].as_u64().unwrap();
    assert!((1..100).contains(&score), "{r}");
    let suggestions = r["quality"]["suggestions"].to_string();
    assert!(
        suggestions.contains("Built payment services in Rust"),
        "{suggestions}"
    );
    assert!(suggestions.contains("too short"), "{suggestions}");
    assert_eq!(r["embedding"]["dimension"], 384);
    assert_eq!(r["embedding"]["in_vector_index"], true);
    assert_eq!(docs[1]["status"], "failed");
    assert!(docs[1]["error"].as_str().unwrap().contains("999999"));
    let j = &docs[2]["results"];
    assert_eq!(j["seniority"]["inferred"], "senior", "{j}");
    assert_eq!(j["skills"]["skills"][0]["label"], "Kubernetes", "{j}");
    assert!(j["quality"].is_null());
    // Stored: the newest row per kind is this run's; a second run keeps the first.
    let latest = app
        .store
        .latest_enrichments("resume", resume)
        .await
        .unwrap();
    let kinds: Vec<&str> = latest.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["embedding", "quality", "seniority", "skills"]);
    let run1 = report["run"]["id"].as_i64().unwrap();
    assert!(latest.iter().all(|e| e.run_id == Some(run1)));
    assert!(
        latest
            .iter()
            .find(|e| e.kind == "embedding")
            .unwrap()
            .model_id
            .is_some()
    );
    let again = ok_json(
        post_as(&app, ENRICH, &admin, &json!({ "resume_ids": [resume] })).await,
        200,
    )
    .await;
    let run2 = again["run"]["id"].as_i64().unwrap();
    assert_ne!(run1, run2);
    let history = app
        .store
        .enrichment_history("resume", resume)
        .await
        .unwrap();
    assert_eq!(history.len(), 8);
    let latest = app
        .store
        .latest_enrichments("resume", resume)
        .await
        .unwrap();
    assert!(latest.iter().all(|e| e.run_id == Some(run2)));
    // All documents at once.
    let all = ok_json(
        post_as(&app, ENRICH, &admin, &json!({ "all": true })).await,
        200,
    )
    .await;
    assert_eq!(all["run"]["documents"], 2);
}

async fn enrichment_requests_are_validated_and_admin_only(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.ai.max_enrich_documents = 2).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    for (body, field) in [
        (json!({}), "resume_ids"),
        (json!({ "resume_ids": [] }), "resume_ids"),
        (json!({ "resume_ids": [0] }), "resume_ids"),
        (json!({ "job_ids": [-3] }), "job_ids"),
        (json!({ "resume_ids": [1, 2, 3] }), "resume_ids"),
        (json!({ "all": true, "job_ids": [1] }), "all"),
        (json!({ "resume_ids": "1" }), "resume_ids"),
        (json!({ "resume_id": [1] }), "resume_id"),
    ] {
        expect_field(post_as(&app, ENRICH, &admin, &body).await, field).await;
    }
    for title in ["A Engineer", "B Engineer", "C Engineer"] {
        post_job_with(&app, &recruiter, title, &["Rust"]).await;
    }
    expect_field(
        post_as(&app, ENRICH, &admin, &json!({ "all": true })).await,
        "all",
    )
    .await;
    let response = post_as(&app, ENRICH, &recruiter, &json!({ "job_ids": [1] })).await;
    assert_eq!(response.status(), 403);
}

async fn model_status_reports_checksum_throughput_and_index_freshness(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.search.catch_up_interval_secs = 3600).await
    else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    upload_resume(&app, &candidate, RESUME_RUST).await;
    let status = ok_json(get_as(&app, STATUS, &admin).await, 200).await;
    let e = &status["embedding"];
    let sha = e["model_sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(sha.chars().all(|c| c.is_ascii_hexdigit()));
    let version = e["model_version"].as_str().unwrap();
    assert!(version.starts_with(sha), "{version}");
    if let Some(built_with) = status["index_model_sha256"].as_str() {
        assert_eq!(built_with, version);
    }
    assert_eq!(e["dimension"], 384);
    assert!(e["model_path"].as_str().unwrap().ends_with("model.onnx"));
    assert!(e["throughput"]["texts"].as_u64().unwrap() > 0, "{e}");
    assert!(
        e["throughput"]["texts_per_second"].as_f64().unwrap() > 0.0,
        "{e}"
    );
    assert_eq!(status["generation"]["configured"], false);
    assert!(status["occupations"]["occupations"].as_u64().unwrap() > 1000);
    let resumes = status["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["collection"] == "resumes")
        .unwrap()
        .clone();
    assert_eq!(resumes["database_documents"], 1);
    assert_eq!(resumes["text_documents"], 1);
    assert_eq!(resumes["vector_documents"], 1);
    assert_eq!(resumes["fresh"], true, "{resumes}");
    // A posting written to the database behind the index's back is reported missing.
    let draft = intellicv_core::JobPostingDraft {
        source: "test".into(),
        external_id: Some("behind".into()),
        title: "Behind the index".into(),
        company: None,
        location: None,
        country: None,
        latitude: None,
        longitude: None,
        remote_mode: intellicv_core::RemoteMode::Remote,
        employment_type: intellicv_core::EmploymentType::FullTime,
        seniority: None,
        salary: None,
        description: "Requirements: Rust".into(),
        skills: Vec::new(),
        posted_at: None,
        valid_through: None,
    };
    app.store.insert_jobs(&[draft], None).await.unwrap();
    let status = ok_json(get_as(&app, STATUS, &admin).await, 200).await;
    let jobs = status["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["collection"] == "jobs")
        .unwrap()
        .clone();
    assert_eq!(jobs["database_documents"], 1, "{jobs}");
    assert_eq!(jobs["missing_from_index"], 1, "{jobs}");
    assert_eq!(jobs["fresh"], false, "{jobs}");
    assert_eq!(get_as(&app, STATUS, &candidate).await.status(), 403);
}

/// Every skill the gazetteer finds in `text` is one of `skills`; every number occurs in
/// `source` (the stored text) or is one of `numbers` (stored values such as the whole years
/// of experience), and every capitalised word that does not start a sentence occurs in
/// `source`.
fn assert_states_only_stored_facts(
    text: &str,
    skills: &[String],
    source: &str,
    numbers: &[String],
) {
    let models = futures_lite_block(shared_models());
    for found in models.skills.extract(text) {
        assert!(
            skills.contains(&found.uri),
            "'{}' is not a stored skill: {text}",
            found.label
        );
    }
    let source_lower = source.to_lowercase();
    // Numbered lines: the numbers are list markers.
    let text = &Regex::new(r"(?m)^\d+\. ").unwrap().replace_all(text, "");
    for m in Regex::new(r"\d+").unwrap().find_iter(text) {
        assert!(
            source.contains(m.as_str()) || numbers.iter().any(|n| n == m.as_str()),
            "number {} is not in the data: {text}",
            m.as_str()
        );
    }
    let word = Regex::new(r"[A-Za-z][A-Za-z+#]*").unwrap();
    let mut previous_end = 0;
    for m in word.find_iter(text) {
        let before = text[previous_end..m.start()].trim();
        let starts_sentence =
            text[..m.start()].trim_end().is_empty() || before.ends_with(['.', ':', '?', '!']);
        previous_end = m.end();
        let w = m.as_str();
        if starts_sentence || !w.starts_with(char::is_uppercase) {
            continue;
        }
        assert!(
            source_lower.contains(&w.to_lowercase()),
            "'{w}' is not in the data: {text}"
        );
    }
}

fn futures_lite_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

async fn grounded_generation_states_no_fact_absent_from_the_stored_data(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let resume = upload_resume(&app, &candidate, crate::career::RESUME_SQL).await;
    let body = json!({ "kind": "professional_summary", "resume_id": resume });
    let out = ok_json(post_as(&app, GENERATE, &admin, &body).await, 200).await;
    assert_eq!(out["generator"], "grounded");
    assert!(out["fallback_reason"].is_null());
    let text = out["text"].as_str().unwrap();
    assert!(text.starts_with("Backend Engineer with"), "{text}");
    assert!(text.contains("Initech"), "{text}");
    let stored = app.store.get_resume(resume).await.unwrap();
    let profile = &stored.profile.as_ref().unwrap().0;
    let skills: Vec<String> = profile.skills.iter().map(|s| s.uri.clone()).collect();
    for s in &profile.skills {
        assert!(text.contains(&s.label), "{} missing from {text}", s.label);
    }
    let years = profile.total_years_experience.unwrap().floor().to_string();
    assert!(text.contains(&format!("with {years} years")), "{text}");
    assert_states_only_stored_facts(
        text,
        &skills,
        stored.extracted_text.as_deref().unwrap(),
        &[years],
    );

    // Interview questions come from the gap between the resume and the posting.
    let job = post_job_with(
        &app,
        &recruiter,
        "Data Engineer",
        &["SQL", "Python", "Rust"],
    )
    .await;
    let body = json!({ "kind": "interview_questions", "resume_id": resume, "job_id": job });
    let out = ok_json(post_as(&app, GENERATE, &admin, &body).await, 200).await;
    let questions = out["questions"].as_array().unwrap();
    assert!(
        questions[0].as_str().unwrap().contains("requires Python"),
        "{out}"
    );
    assert!(
        questions
            .iter()
            .any(|q| q.as_str().unwrap().contains("Backend Engineer, Initech")),
        "{out}"
    );
    let job_skills: Vec<String> = app
        .store
        .job_skills_for(&[job])
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.uri)
        .chain(skills.iter().cloned())
        .collect();
    let source = format!(
        "{}\nData Engineer Acme SQL Python Rust",
        stored.extracted_text.as_deref().unwrap()
    );
    assert_states_only_stored_facts(out["text"].as_str().unwrap(), &job_skills, &source, &[]);

    // A job description: the given skills, and what stored postings with the title ask.
    for _ in 0..2 {
        post_job_with(
            &app,
            &recruiter,
            "Platform Engineer",
            &["Kubernetes", "Terraform"],
        )
        .await;
    }
    let body = json!({ "kind": "job_description", "title": "Platform Engineer", "skills": ["Kubernetes", "rust"] });
    let out = ok_json(post_as(&app, GENERATE, &admin, &body).await, 200).await;
    let text = out["text"].as_str().unwrap();
    assert!(text.contains("- Kubernetes\n- Rust\n"), "{text}");
    assert!(text.contains("- Terraform (100% of them)"), "{text}");
    assert_eq!(out["facts"]["similar_postings"], 2);
}

async fn generation_requests_are_validated_and_admin_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    for (body, field) in [
        (json!({ "kind": "poem" }), "kind"),
        (json!({ "resume_id": 1 }), "kind"),
        (
            json!({ "kind": "job_description", "title": "", "skills": [] }),
            "title",
        ),
        (
            json!({ "kind": "job_description", "title": "Cook", "skills": ["qqq zzz"] }),
            "skills",
        ),
        (json!({ "kind": "job_description", "skills": [] }), "title"),
        (
            json!({ "kind": "professional_summary", "resume_id": "x" }),
            "resume_id",
        ),
    ] {
        expect_field(post_as(&app, GENERATE, &admin, &body).await, field).await;
    }
    let body = json!({ "kind": "professional_summary", "resume_id": 424242 });
    assert_eq!(post_as(&app, GENERATE, &admin, &body).await.status(), 404);
    let body = json!({ "kind": "job_description", "title": "Cook", "skills": [] });
    assert_eq!(
        post_as(&app, GENERATE, &recruiter, &body).await.status(),
        403
    );
}

/// How the mock endpoint answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(usize)]
enum Mode {
    Good = 0,
    Hallucinating = 1,
    AlwaysFails = 2,
    FailsTwice = 3,
    Slow = 4,
}

#[derive(Clone, Default)]
struct Mock {
    mode: Arc<AtomicUsize>,
    hits: Arc<AtomicUsize>,
}

fn completion(text: &str) -> axum::response::Response {
    axum::Json(json!({ "choices": [{ "message": { "role": "assistant", "content": text } }] }))
        .into_response()
}

async fn mock_chat(State(mock): State<Mock>, body: axum::Json<Value>) -> axum::response::Response {
    let n = mock.hits.fetch_add(1, Ordering::SeqCst);
    assert!(
        body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Facts:")
    );
    match mock.mode.load(Ordering::SeqCst) {
        0 => completion(
            "Backend Engineer at Acme Ltd, building payment services in Rust and PostgreSQL.",
        ),
        1 => completion("Backend Engineer with 15 years at Globex, expert in Kubernetes and Rust."),
        2 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        3 if n < 2 => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        3 => completion("Backend Engineer at Acme Ltd who works in Rust."),
        _ => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            completion("Backend Engineer.")
        }
    }
}

/// A mock OpenAI-compatible server on a random local port; answers its base URL.
async fn start_mock(mock: Mock) -> String {
    let app = axum::Router::new()
        .route("/v1/chat/completions", post(mock_chat))
        .with_state(mock);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

async fn summary(app: &TestApp, admin: &str, resume: i64) -> Value {
    let body = json!({ "kind": "professional_summary", "resume_id": resume });
    ok_json(post_as(app, GENERATE, admin, &body).await, 200).await
}

async fn an_endpoint_is_used_when_grounded_and_the_template_answers_otherwise(backend: Backend) {
    let mock = Mock::default();
    let base = start_mock(mock.clone()).await;
    let Some(app) = spawn_app_with(backend, |s| {
        s.ai.base_url = Some(base);
        s.ai.model = Some("mock-model".to_owned());
        s.ai.api_key = Some(intellicv_app::config::Secret::new("test-key"));
        s.ai.timeout_ms = 300;
        s.ai.max_retries = 2;
        s.ai.backoff_initial_ms = 10;
        s.ai.backoff_max_ms = 40;
        s.ai.requests_per_minute = 0;
    })
    .await
    else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    let set = |m: Mode| {
        mock.mode.store(m as usize, Ordering::SeqCst);
        mock.hits.store(0, Ordering::SeqCst);
    };

    set(Mode::Good);
    let out = summary(&app, &admin, resume).await;
    assert_eq!(out["generator"], "llm", "{out}");
    assert_eq!(out["model"], "mock-model");
    assert_eq!(out["llm_attempts"], 1);
    assert!(out["text"].as_str().unwrap().contains("payment services"));

    set(Mode::Hallucinating);
    let out = summary(&app, &admin, resume).await;
    assert_eq!(out["generator"], "grounded", "{out}");
    let reason = out["fallback_reason"].as_str().unwrap();
    for named in ["Kubernetes", "Globex", "15"] {
        assert!(reason.contains(named), "{reason}");
    }
    assert!(!out["text"].as_str().unwrap().contains("Globex"));

    set(Mode::AlwaysFails);
    let out = summary(&app, &admin, resume).await;
    assert_eq!(out["generator"], "grounded");
    assert_eq!(out["llm_attempts"], 3, "{out}");
    assert_eq!(mock.hits.load(Ordering::SeqCst), 3);
    assert!(
        out["fallback_reason"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "{out}"
    );

    set(Mode::FailsTwice);
    let out = summary(&app, &admin, resume).await;
    assert_eq!(out["generator"], "llm", "{out}");
    assert_eq!(out["llm_attempts"], 3);

    set(Mode::Slow);
    let started = Instant::now();
    let out = summary(&app, &admin, resume).await;
    assert_eq!(out["generator"], "grounded");
    assert_eq!(out["llm_attempts"], 3, "{out}");
    assert!(
        out["fallback_reason"]
            .as_str()
            .unwrap()
            .contains("within 300 ms"),
        "{out}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let status = ok_json(get_as(&app, STATUS, &admin).await, 200).await;
    let g = &status["generation"];
    assert_eq!(g["configured"], true);
    assert!(
        g["endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/v1/chat/completions")
    );
    assert!(!g.to_string().contains("test-key"));
    assert_eq!(g["stats"]["requests"], 5);
    assert_eq!(g["stats"]["rejected"], 1);
    assert_eq!(g["stats"]["failures"], 2);
}

async fn the_client_side_rate_limit_falls_back_without_calling(backend: Backend) {
    let mock = Mock::default();
    let base = start_mock(mock.clone()).await;
    let Some(app) = spawn_app_with(backend, |s| {
        s.ai.base_url = Some(base);
        s.ai.model = Some("mock-model".to_owned());
        s.ai.requests_per_minute = 1;
    })
    .await
    else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    assert_eq!(summary(&app, &admin, resume).await["generator"], "llm");
    let out = summary(&app, &admin, resume).await;
    assert_eq!(out["generator"], "grounded");
    assert!(
        out["fallback_reason"]
            .as_str()
            .unwrap()
            .contains("rate limit"),
        "{out}"
    );
    assert_eq!(mock.hits.load(Ordering::SeqCst), 1);
}

async fn the_ai_rate_limit_refuses_bursts_on_ai_routes_only(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.rate_limit.ai = intellicv_app::config::Quota {
            per_minute: 2,
            burst: 2,
        };
    })
    .await
    else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    for _ in 0..2 {
        assert_eq!(get_as(&app, STATUS, &admin).await.status(), 200);
    }
    let response = get_as(&app, STATUS, &admin).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let (_, code, _) = expect_error(response).await;
    assert_eq!(code, "rate_limited");
    let response = get_as(&app, "/api/v1/career/coaching/sessions", &admin).await;
    assert_eq!(response.status(), 429);
    assert_eq!(get_as(&app, "/api/v1/auth/me", &admin).await.status(), 200);
}

on_both_backends!(
    enrichment_stores_each_result_with_history_and_reports_missing_documents,
    enrichment_requests_are_validated_and_admin_only,
    model_status_reports_checksum_throughput_and_index_freshness,
    grounded_generation_states_no_fact_absent_from_the_stored_data,
    generation_requests_are_validated_and_admin_only,
    an_endpoint_is_used_when_grounded_and_the_template_answers_otherwise,
    the_client_side_rate_limit_falls_back_without_calling,
    the_ai_rate_limit_refuses_bursts_on_ai_routes_only,
);
