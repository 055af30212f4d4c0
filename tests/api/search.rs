//! Hybrid search over HTTP and the index's freshness, catch-up and rebuild.

use intellicv_core::{EmploymentType, JobPostingDraft, RemoteMode, Salary, SalaryPeriod};
use intellicv_search::{Collection, sync};
use serde_json::{Value, json};

use intellicv_core::Role;

use crate::auth_support::{post_as, user_with_token};
use crate::helpers::{Backend, TestApp, expect_error, spawn_app, spawn_app_with};
use crate::on_both_backends;

fn posting(id: &str, title: &str, description: &str, remote: RemoteMode) -> JobPostingDraft {
    JobPostingDraft {
        source: "test".into(),
        external_id: Some(id.into()),
        title: title.into(),
        company: Some("Acme".into()),
        location: Some("London, UK".into()),
        country: Some("GB".into()),
        latitude: Some(51.5074),
        longitude: Some(-0.1278),
        remote_mode: remote,
        employment_type: EmploymentType::FullTime,
        seniority: None,
        salary: Some(Salary {
            min: Some(50_000.0),
            max: Some(70_000.0),
            currency: Some("GBP".into()),
            period: Some(SalaryPeriod::Year),
        }),
        description: description.into(),
        skills: Vec::new(),
        posted_at: Some(chrono::Utc::now()),
        valid_through: None,
    }
}

/// Stores postings and indexes them the way the API's write paths do.
async fn add_jobs(app: &TestApp, jobs: &[JobPostingDraft]) -> Vec<i64> {
    let ids: Vec<i64> = app
        .store
        .insert_jobs(jobs, None)
        .await
        .expect("insert")
        .into_iter()
        .map(|o| match o {
            intellicv_store::JobInsertOutcome::Inserted(id)
            | intellicv_store::JobInsertOutcome::Duplicate(id) => id,
        })
        .collect();
    sync::index_documents(&app.store, &app.search, Collection::Jobs, &ids)
        .await
        .expect("index");
    ids
}

fn three_jobs() -> Vec<JobPostingDraft> {
    vec![
        posting(
            "1",
            "Senior Rust Engineer",
            "Build distributed systems in Rust on Kubernetes.",
            RemoteMode::Remote,
        ),
        posting(
            "2",
            "Staff Nurse",
            "Care for patients on a busy surgical ward.",
            RemoteMode::Onsite,
        ),
        posting(
            "3",
            "Backend Developer",
            "Python and PostgreSQL services; some Rust.",
            RemoteMode::Hybrid,
        ),
    ]
}

async fn candidate_token(app: &TestApp) -> String {
    user_with_token(app, "seeker@example.com", Role::Candidate)
        .await
        .1
}

async fn search(app: &TestApp, token: &str, body: Value) -> Value {
    let response = post_as(app, "/api/v1/jobs/search", token, &body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn hit_ids(body: &Value) -> Vec<i64> {
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

async fn search_ranks_the_best_match_first_with_scores_and_highlights(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = candidate_token(&app).await;
    let ids = add_jobs(&app, &three_jobs()).await;
    let body = search(&app, &token, json!({"query": "rust engineer", "limit": 3})).await;
    let hits = hit_ids(&body);
    assert_eq!(hits[0], ids[0], "{body}");
    for hit in body["hits"].as_array().unwrap() {
        let score = hit["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score), "{hit}");
    }
    assert_eq!(body["hits"][0]["document"]["title"], "Senior Rust Engineer");
    let title = body["hits"][0]["highlights"]["title"]
        .as_str()
        .unwrap_or_default();
    assert!(title.contains("<em>Rust</em>"), "{body}");
}

async fn filters_apply_to_both_lists_and_facets_count_the_result_set(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = candidate_token(&app).await;
    let ids = add_jobs(&app, &three_jobs()).await;
    let body = search(
        &app,
        &token,
        json!({
            "query": "rust",
            "filters": {"remote_modes": ["remote", "hybrid"]},
            "facets": ["remote_mode"],
            "fusion": {"method": "weighted", "semantic_ratio": 0.5},
        }),
    )
    .await;
    let hits = hit_ids(&body);
    assert!(
        !hits.contains(&ids[1]),
        "the onsite nurse job is filtered out: {body}"
    );
    assert!(hits.contains(&ids[0]) && hits.contains(&ids[2]), "{body}");
    let facet: Vec<&str> = body["facets"]["remote_mode"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["value"].as_str().unwrap())
        .collect();
    assert!(!facet.contains(&"onsite"), "{body}");
}

async fn a_new_posting_is_searchable_at_once_and_a_deleted_one_is_gone(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = candidate_token(&app).await;
    add_jobs(&app, &three_jobs()).await;
    let started = std::time::Instant::now();
    let new = add_jobs(
        &app,
        &[posting(
            "4",
            "Marine Biologist",
            "Study coral reefs.",
            RemoteMode::Onsite,
        )],
    )
    .await;
    let body = search(
        &app,
        &token,
        json!({"query": "marine biologist", "limit": 1}),
    )
    .await;
    assert_eq!(hit_ids(&body), new, "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    app.search.delete(Collection::Jobs, &new).unwrap();
    let body = search(&app, &token, json!({"query": "marine biologist"})).await;
    assert!(!hit_ids(&body).contains(&new[0]), "{body}");
}

async fn changes_made_behind_the_engine_are_caught_up(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.search.catch_up_interval_secs = 1).await else {
        return;
    };
    let token = candidate_token(&app).await;
    // Written by "another process": stored, not indexed.
    let outcome = app
        .store
        .insert_jobs(
            &[posting(
                "9",
                "Glassblower",
                "Shape molten glass.",
                RemoteMode::Onsite,
            )],
            None,
        )
        .await
        .unwrap();
    let intellicv_store::JobInsertOutcome::Inserted(id) = outcome[0] else {
        panic!()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let body = search(&app, &token, json!({"query": "glassblower"})).await;
        if hit_ids(&body).first() == Some(&id) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never caught up: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

async fn a_rebuild_swaps_in_a_new_generation_with_the_same_results(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = candidate_token(&app).await;
    add_jobs(&app, &three_jobs()).await;
    let before = search(
        &app,
        &token,
        json!({"query": "nurse ward", "highlight": false}),
    )
    .await;
    let old = app.search.generation().dir.clone();
    let report = sync::rebuild(&app.store, &app.search, false, &|_, _, _| {})
        .await
        .unwrap();
    assert_ne!(app.search.generation().dir, old);
    let jobs = &report.collections[0].1;
    assert_eq!(jobs.documents, 3);
    assert_eq!(jobs.embedded, 0, "stored embeddings are reused");
    let after = search(
        &app,
        &token,
        json!({"query": "nurse ward", "highlight": false}),
    )
    .await;
    assert_eq!(hit_ids(&before), hit_ids(&after));
}

async fn impossible_searches_are_rejected_with_422(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = candidate_token(&app).await;
    for body in [
        json!({"query": "x", "limit": 0}),
        json!({"query": "x", "offset": 20000}),
        json!({"query": "x", "fusion": {"method": "weighted", "semantic_ratio": 2}}),
        json!({"query": "x", "filters": {"near": {"lat": 95, "lon": 0, "radius_km": 5}}}),
    ] {
        let response = post_as(&app, "/api/v1/jobs/search", &token, &body).await;
        let (status, code, _) = expect_error(response).await;
        assert_eq!((status, code.as_str()), (422, "invalid_request"), "{body}");
    }
    let unknown_field = json!({"query": "x", "colour": "red"});
    let response = post_as(&app, "/api/v1/jobs/search", &token, &unknown_field).await;
    let (status, _, _) = expect_error(response).await;
    assert_eq!(status, 422);
}

async fn search_needs_a_login_and_resume_search_needs_a_recruiter(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let body = json!({"query": "nurse"});
    let (status, _, _) = expect_error(app.post_json("/api/v1/jobs/search", &body).await).await;
    assert_eq!(status, 401);
    let token = candidate_token(&app).await;
    let (status, _, _) =
        expect_error(post_as(&app, "/api/v1/resumes/search", &token, &body).await).await;
    assert_eq!(status, 403);
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let response = post_as(&app, "/api/v1/resumes/search", &recruiter, &body).await;
    assert_eq!(response.status(), 200);
}

on_both_backends!(
    search_ranks_the_best_match_first_with_scores_and_highlights,
    filters_apply_to_both_lists_and_facets_count_the_result_set,
    a_new_posting_is_searchable_at_once_and_a_deleted_one_is_gone,
    changes_made_behind_the_engine_are_caught_up,
    a_rebuild_swaps_in_a_new_generation_with_the_same_results,
    impossible_searches_are_rejected_with_422,
    search_needs_a_login_and_resume_search_needs_a_recruiter,
);
