//! Batch processing over HTTP: resume files, a server-side directory and job postings as
//! background jobs, their progress and per-item results, validation, retries and metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use intellicv_app::queue::{JobEvent, JobObserver};
use intellicv_core::Role;
use intellicv_ingest::extract::testdoc;
use serde_json::{Value, json};

use crate::auth_support::{get_as, post_as, user_with_token};
use crate::documents_api::RESUME_RUST;
use crate::helpers::{Backend, TestApp, expect_error, spawn_app, spawn_app_with};
use crate::on_both_backends;

pub const BATCH: &str = "/api/v1/admin/process/batch";

/// Submits resume files as one multipart batch; answers the response.
pub async fn submit_files(
    app: &TestApp,
    token: &str,
    files: &[(&str, Vec<u8>)],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    app.client
        .post(app.url(BATCH))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request")
}

/// The `job_id` of a 202 answer.
pub async fn accepted_job(response: reqwest::Response) -> i64 {
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    body["job_id"].as_i64().expect("job_id")
}

/// Polls the status until the job is no longer queued or running; answers the last body.
pub async fn wait_for_job(app: &TestApp, token: &str, job_id: i64) -> Value {
    let path = format!("/api/v1/admin/process/status/{job_id}?per_page=100");
    for _ in 0..600 {
        let body: Value = get_as(app, &path, token).await.json().await.unwrap();
        let status = body["job"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !["queued", "running"].contains(&status.as_str()) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("job {job_id} did not finish in 120 s");
}

/// A resume text unique to `n`.
pub fn resume_text(n: usize) -> String {
    format!("{RESUME_RUST}\nReference number {n}\n")
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM {table}");
    match app.db.url.expose() {
        url if url.starts_with("sqlite") => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            let n = sqlx::query_scalar(&sql).fetch_one(&pool).await.unwrap();
            pool.close().await;
            n
        }
        url => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let n = sqlx::query_scalar(&sql).fetch_one(&pool).await.unwrap();
            pool.close().await;
            n
        }
    }
}

async fn resume_files_are_stored_one_item_each_and_a_bad_file_is_its_items_error(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "batch-admin@example.com", Role::Admin).await;
    let docx_lines: Vec<String> = resume_text(2).lines().map(str::to_owned).collect();
    let docx_refs: Vec<&str> = docx_lines.iter().map(String::as_str).collect();
    let files = [
        ("one.txt", resume_text(1).into_bytes()),
        ("two.docx", testdoc::docx_from_lines(&docx_refs)),
        (
            "locked.pdf",
            testdoc::encrypted_pdf(&[&["Jane Example", "Rust"]], "secret"),
        ),
    ];
    let job_id = accepted_job(submit_files(&app, &admin, &files).await).await;
    let body = wait_for_job(&app, &admin, job_id).await;
    let job = &body["job"];
    assert_eq!(job["status"], "succeeded", "{body}");
    assert_eq!(job["kind"], "resume_batch");
    assert_eq!(
        (
            &job["progress_done"],
            &job["progress_failed"],
            &job["progress_total"]
        ),
        (&json!(3), &json!(1), &json!(3))
    );
    assert_eq!(
        job["result"],
        json!({ "items": 3, "succeeded": 2, "failed": 1 })
    );
    let items = body["items"]["items"].as_array().unwrap();
    assert_eq!(body["items"]["total"], 3);
    let keys: Vec<&str> = items
        .iter()
        .map(|i| i["item_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["one.txt", "two.docx", "locked.pdf"]);
    assert_eq!(items[0]["status"], "succeeded");
    assert_eq!(items[1]["status"], "succeeded");
    assert_eq!(items[2]["status"], "failed");
    let error = items[2]["error"].as_str().unwrap();
    assert!(error.starts_with("encrypted_pdf"), "{error}");
    // The failed file is stored with its reason, as an upload would be.
    let failed_id = items[2]["result"]["resume_id"].as_i64().unwrap();
    let resume: Value = get_as(&app, &format!("/api/v1/resumes/{failed_id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resume["parse_status"], "failed");
    assert_eq!(resume["parse_error_code"], "encrypted_pdf");
    let parsed_id = items[1]["result"]["resume_id"].as_i64().unwrap();
    let resume: Value = get_as(&app, &format!("/api/v1/resumes/{parsed_id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resume["parse_status"], "parsed");
    assert_eq!(resume["format"], "docx");
    assert_eq!(count(&app, "resumes").await, 3);
    // Filtered and paged items.
    let failed: Value = get_as(
        &app,
        &format!("/api/v1/admin/process/status/{job_id}?item_status=failed"),
        &admin,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(failed["items"]["total"], 1);
    let page: Value = get_as(
        &app,
        &format!("/api/v1/admin/process/status/{job_id}?per_page=2&page=2"),
        &admin,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(page["items"]["items"][0]["item_key"], "locked.pdf");
    assert_eq!(page["items"]["total_pages"], 2);
}

async fn postings_are_stored_once_even_when_the_batch_is_sent_twice(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "batch-admin@example.com", Role::Admin).await;
    let batch = json!({
        "source": "partner-feed",
        "postings": [
            { "external_id": "a-1", "title": "Rust Engineer", "company": "Ferrous Ltd",
              "description": "We need Rust and PostgreSQL.", "location": "Leeds" },
            { "title": "Data Analyst", "company": "Numbers plc",
              "description": "SQL and Python every day." },
            { "company": "No Title Ltd", "description": "A posting without a title." },
        ],
    });
    let mut results = Vec::new();
    for _ in 0..2 {
        let job_id = accepted_job(post_as(&app, BATCH, &admin, &batch).await).await;
        let body = wait_for_job(&app, &admin, job_id).await;
        assert_eq!(body["job"]["status"], "succeeded", "{body}");
        assert_eq!(body["job"]["kind"], "job_batch");
        assert_eq!(body["job"]["progress_failed"], 1);
        results.push(body["items"]["items"].clone());
    }
    let (first, second) = (&results[0], &results[1]);
    assert_eq!(first[0]["result"]["duplicate"], false);
    assert_eq!(second[0]["result"]["duplicate"], true);
    assert_eq!(
        second[1]["result"]["duplicate"], true,
        "no external id: the record's hash"
    );
    assert_eq!(first[0]["result"]["job_id"], second[0]["result"]["job_id"]);
    assert_eq!(first[2]["status"], "failed");
    assert!(!first[2]["error"].as_str().unwrap().is_empty());
    assert_eq!(count(&app, "job_postings").await, 2);
    // Stored postings are searchable at once, like any other write.
    let job_id = first[0]["result"]["job_id"].as_i64().unwrap();
    let posting: Value = get_as(&app, &format!("/api/v1/jobs/{job_id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(posting["source"], "partner-feed");
    let hits: Value = post_as(
        &app,
        "/api/v1/jobs/search",
        &admin,
        &json!({ "query": "Rust" }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == job_id),
        "{hits}"
    );
}

async fn a_server_side_directory_is_read_file_by_file(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let Some(app) = spawn_app_with(backend, move |s| s.queue.import_roots = vec![root]).await
    else {
        return;
    };
    let (_, admin) = user_with_token(&app, "batch-admin@example.com", Role::Admin).await;
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::write(dir.path().join("a.txt"), resume_text(1)).unwrap();
    std::fs::write(dir.path().join("nested/b.txt"), resume_text(2)).unwrap();
    std::fs::write(dir.path().join(".hidden"), "skipped").unwrap();
    let body = json!({ "directory": dir.path().display().to_string() });
    let response = post_as(&app, BATCH, &admin, &body).await;
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(accepted["items"], 2);
    let job_id = accepted["job_id"].as_i64().unwrap();
    let body = wait_for_job(&app, &admin, job_id).await;
    assert_eq!(body["job"]["status"], "succeeded", "{body}");
    assert_eq!(body["job"]["progress_failed"], 0);
    assert_eq!(count(&app, "resumes").await, 2);
}

async fn bad_batches_answer_422_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "batch-admin@example.com", Role::Admin).await;
    let cases = [
        (json!({}), "directory"),
        (json!({ "directory": "/tmp", "postings": [] }), "directory"),
        (json!({ "directory": "relative/path" }), "directory"),
        (json!({ "postings": [] }), "postings"),
        (json!({ "postings": ["not an object"] }), "postings"),
        (
            json!({ "postings": [{ "title": "x" }], "source": " " }),
            "source",
        ),
        (
            json!({ "postings": [{ "title": "x" }], "owner": 1 }),
            "owner",
        ),
        (json!({ "postings": "many" }), "postings"),
    ];
    for (body, field) in cases {
        let (status, _, error) = expect_error(post_as(&app, BATCH, &admin, &body).await).await;
        assert_eq!(
            (status, error["error"]["details"]["field"].as_str()),
            (422, Some(field)),
            "{body}: {error}"
        );
    }
    let (status, _, _) = expect_error(submit_files(&app, &admin, &[]).await).await;
    assert_eq!(status, 422, "a multipart batch without files");
    crate::auth_support::expect_422_fields(
        &app,
        "/api/v1/admin/process/status/",
        &admin,
        &[
            ("abc", "job_id"),
            ("1?item_status=done", "item_status"),
            ("1?page=0", "page"),
        ],
    )
    .await;
    let (status, code, _) =
        expect_error(get_as(&app, "/api/v1/admin/process/status/999999", &admin).await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
}

/// Panics on the first item event it sees, ending that attempt as a crash would.
struct PanicOnce(AtomicUsize);

impl JobObserver for PanicOnce {
    fn on_event(&self, event: &JobEvent) {
        if matches!(event, JobEvent::Item { .. }) && self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("observer failure injected by the test");
        }
    }
}

/// Panics on every item event.
struct PanicAlways;

impl JobObserver for PanicAlways {
    fn on_event(&self, event: &JobEvent) {
        if matches!(event, JobEvent::Item { .. }) {
            panic!("observer failure injected by the test");
        }
    }
}

fn fast_retries(settings: &mut intellicv_app::config::Settings) {
    settings.queue.backoff_base_secs = 0;
    settings.queue.max_attempts = 2;
    settings.queue.poll_interval_ms = 100;
}

async fn a_failed_attempt_is_retried_and_skips_the_items_already_done(backend: Backend) {
    let Some(app) = spawn_app_with(backend, fast_retries).await else {
        return;
    };
    app.queue.observe(Arc::new(PanicOnce(AtomicUsize::new(0))));
    let (_, admin) = user_with_token(&app, "batch-admin@example.com", Role::Admin).await;
    let files: Vec<(String, Vec<u8>)> = (0..3)
        .map(|n| (format!("r{n}.txt"), resume_text(n).into_bytes()))
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let job_id = accepted_job(submit_files(&app, &admin, &refs).await).await;
    let body = wait_for_job(&app, &admin, job_id).await;
    let job = &body["job"];
    assert_eq!(job["status"], "succeeded", "{body}");
    assert_eq!(
        job["attempts"], 2,
        "the first attempt failed after its first item"
    );
    assert_eq!(job["progress_done"], 3);
    let items = body["items"]["items"].as_array().unwrap();
    assert!(
        items.iter().all(|i| i["result"]["duplicate"] == false),
        "{body}"
    );
    assert_eq!(count(&app, "resumes").await, 3);
}

async fn a_job_that_keeps_failing_is_dead_after_its_last_attempt(backend: Backend) {
    let Some(app) = spawn_app_with(backend, fast_retries).await else {
        return;
    };
    app.queue.observe(Arc::new(PanicAlways));
    let mut admins = app
        .events
        .subscribe(intellicv_app::events::Audience::Admins);
    let (_, admin) = user_with_token(&app, "batch-admin@example.com", Role::Admin).await;
    let files = [
        ("a.txt", resume_text(1).into_bytes()),
        ("b.txt", resume_text(2).into_bytes()),
        ("c.txt", resume_text(3).into_bytes()),
    ];
    let job_id = accepted_job(submit_files(&app, &admin, &files).await).await;
    let body = wait_for_job(&app, &admin, job_id).await;
    let job = &body["job"];
    assert_eq!(job["status"], "dead", "{body}");
    assert_eq!(job["attempts"], 2);
    assert!(
        job["last_error"].as_str().unwrap().contains("panicked"),
        "{job}"
    );
    // Admins were alerted: a warning for the retried attempt, then the dead job.
    let mut alerts = Vec::new();
    while let Ok(Some(event)) =
        tokio::time::timeout(std::time::Duration::from_millis(500), admins.recv()).await
    {
        if event.kind == "alert" {
            let parsed: Value = serde_json::from_str(&event.json).unwrap();
            alerts.push(parsed["data"].clone());
        }
    }
    let levels: Vec<&str> = alerts
        .iter()
        .map(|a| a["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, vec!["warning", "critical"], "{alerts:?}");
    assert_eq!(alerts[1]["details"]["job_id"], job_id);
    assert_eq!(alerts[1]["details"]["status"], "dead");
    // Each attempt got one item done before failing; nothing was done twice.
    assert_eq!(job["progress_done"], 2);
    assert_eq!(count(&app, "resumes").await, 2);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for line in [
        "intellicv_background_jobs{status=\"dead\"} 1",
        "intellicv_background_job_attempts_total{kind=\"resume_batch\",outcome=\"retried\"} 1",
        "intellicv_background_job_attempts_total{kind=\"resume_batch\",outcome=\"dead\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
}

async fn a_job_whose_lease_ran_out_is_taken_over(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.queue.workers = 0).await else {
        return;
    };
    // No workers in this server: the job is claimed by a "process" that then dies.
    let job = intellicv_store::NewBackgroundJob {
        kind: "resume_batch".into(),
        payload: json!({ "origin": "upload" }),
        max_attempts: 3,
        created_by: None,
        items: vec![intellicv_store::NewJobItem {
            key: "a.txt".into(),
            input: Some(resume_text(1).into_bytes()),
        }],
    };
    let id = app.store.enqueue_job(&job).await.unwrap();
    let expired = chrono::Utc::now() - chrono::Duration::seconds(1);
    let claimed = app
        .store
        .claim_job("ghost", expired)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((claimed.id, claimed.attempts), (id, 1));
    let live = chrono::Utc::now() + chrono::Duration::seconds(60);
    let taken = app
        .store
        .claim_job("heir", live)
        .await
        .unwrap()
        .expect("expired lease");
    assert_eq!(
        (taken.id, taken.attempts, taken.locked_by.as_deref()),
        (id, 2, Some("heir"))
    );
    assert!(
        app.store.claim_job("third", live).await.unwrap().is_none(),
        "a live lease holds"
    );
    assert!(
        !app.store.renew_lease(id, "ghost", live).await.unwrap(),
        "the ghost lost it"
    );
    assert!(app.store.renew_lease(id, "heir", live).await.unwrap());
    assert_eq!(app.store.release_jobs(&["heir".into()]).await.unwrap(), 1);
    let released = app.store.get_background_job(id).await.unwrap();
    assert_eq!((released.status.as_str(), released.attempts), ("queued", 1));
}

async fn queue_depth_and_job_outcomes_are_in_the_metrics(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "batch-admin@example.com", Role::Admin).await;
    let job_id =
        accepted_job(submit_files(&app, &admin, &[("a.txt", resume_text(1).into_bytes())]).await)
            .await;
    wait_for_job(&app, &admin, job_id).await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for line in [
        "intellicv_background_jobs{status=\"succeeded\"} 1",
        "intellicv_background_jobs{status=\"queued\"} 0",
        "intellicv_background_job_attempts_total{kind=\"resume_batch\",outcome=\"succeeded\"} 1",
        "intellicv_background_job_duration_seconds_count{kind=\"resume_batch\",outcome=\"succeeded\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
}

on_both_backends!(
    resume_files_are_stored_one_item_each_and_a_bad_file_is_its_items_error,
    postings_are_stored_once_even_when_the_batch_is_sent_twice,
    a_server_side_directory_is_read_file_by_file,
    bad_batches_answer_422_naming_the_field,
    a_failed_attempt_is_retried_and_skips_the_items_already_done,
    a_job_that_keeps_failing_is_dead_after_its_last_attempt,
    a_job_whose_lease_ran_out_is_taken_over,
    queue_depth_and_job_outcomes_are_in_the_metrics,
);
