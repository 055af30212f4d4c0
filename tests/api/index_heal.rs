//! The index heals itself: a damaged text index is rebuilt from the database at start,
//! `reindex` runs beside a live server, half-built generations are removed, and the
//! server listens at once while the catch-up runs (`/readyz` says `catching_up`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use intellicv_core::{EmploymentType, JobPostingDraft, RemoteMode, Role};
use intellicv_search::layout::IndexLayout;
use intellicv_search::{Collection, sync};
use intellicv_store::{JobInsertOutcome, Store};
use serde_json::{Value, json};

use crate::auth_support::{post_as, user_with_token};
use crate::helpers::{
    Backend, TestApp, TestDatabase, expect_error, intellicv_on, run_ok, settings_for, spawn_app,
    spawn_app_with, start_app,
};
use crate::on_both_backends;

fn posting(n: usize, title: &str, description: &str) -> JobPostingDraft {
    JobPostingDraft {
        source: "heal".into(),
        external_id: Some(format!("heal-{n}")),
        title: title.into(),
        company: Some("Acme".into()),
        location: Some("Leeds, UK".into()),
        country: Some("GB".into()),
        latitude: None,
        longitude: None,
        remote_mode: RemoteMode::Onsite,
        employment_type: EmploymentType::FullTime,
        seniority: None,
        salary: None,
        description: description.into(),
        skills: Vec::new(),
        posted_at: Some(chrono::Utc::now()),
        valid_through: None,
    }
}

fn three_jobs() -> Vec<JobPostingDraft> {
    vec![
        posting(1, "Glassblower", "Blow glass vessels in a hot workshop."),
        posting(
            2,
            "Staff Nurse",
            "Care for patients on a busy surgical ward.",
        ),
        posting(3, "Rust Engineer", "Build distributed systems in Rust."),
    ]
}

async fn insert_jobs(store: &Store, jobs: &[JobPostingDraft]) -> Vec<i64> {
    store
        .insert_jobs(jobs, None)
        .await
        .expect("insert")
        .into_iter()
        .map(|o| match o {
            JobInsertOutcome::Inserted(id) | JobInsertOutcome::Duplicate(id) => id,
        })
        .collect()
}

/// Stores postings and indexes them the way the API's write paths do.
async fn add_jobs(app: &TestApp, jobs: &[JobPostingDraft]) -> Vec<i64> {
    let ids = insert_jobs(&app.store, jobs).await;
    sync::index_documents(&app.store, &app.search, Collection::Jobs, &ids)
        .await
        .expect("index");
    ids
}

async fn job_search(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let body = json!({"query": query, "highlight": false});
    let response = post_as(app, "/api/v1/jobs/search", token, &body).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

async fn wait_ready(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while app.get("/readyz").await.status() != 200 {
        assert!(Instant::now() < deadline, "never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn index_root(db: &TestDatabase) -> PathBuf {
    settings_for(db).index_dir()
}

fn current_generation(db: &TestDatabase) -> PathBuf {
    IndexLayout::new(index_root(db))
        .current()
        .unwrap()
        .expect("a live generation")
}

/// The largest file of a segment in a text index directory (tantivy names them
/// `<segment uuid>.<component>`).
fn largest_segment_file(text_dir: &Path) -> PathBuf {
    std::fs::read_dir(text_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.split('.').next().is_some_and(|id| id.len() == 32)
        })
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .expect("a segment file")
}

/// Overwrites a file with pseudo-random bytes of the same length.
fn scramble(path: &Path) {
    let len = std::fs::metadata(path).unwrap().len() as usize;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(path, bytes).unwrap();
}

/// Stores three postings through a running server, stops it, damages the live text index
/// with `damage`, and starts the server again: it must come up, rebuild the index from the
/// database into a new generation and find the postings.
async fn damaged_index_is_healed_at_start(backend: Backend, damage: fn(&Path)) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let ids = add_jobs(&app, &three_jobs()).await;
    let db = app.stop().await;
    let damaged = current_generation(&db);
    damage(&damaged.join("jobs").join("text"));

    let settings = settings_for(&db);
    let app = start_app(db, settings).await;
    wait_ready(&app).await;
    let (_, token) = user_with_token(&app, "seeker@example.com", Role::Candidate).await;
    let hits = job_search(&app, &token, "glassblower").await;
    assert_eq!(hits[0], ids[0], "{hits:?}");
    assert_eq!(sorted(hits), ids, "every posting is back in the index");
    assert_eq!(job_search(&app, &token, "surgical ward").await[0], ids[1]);
    let live = current_generation(&app.db);
    assert_ne!(live, damaged, "healed into a new generation");
    assert!(!damaged.exists(), "the damaged generation is removed");
}

async fn a_corrupt_segment_file_is_rebuilt_from_the_database_at_start(backend: Backend) {
    damaged_index_is_healed_at_start(backend, |text| scramble(&largest_segment_file(text))).await;
}

async fn a_corrupt_meta_json_is_rebuilt_from_the_database_at_start(backend: Backend) {
    damaged_index_is_healed_at_start(backend, |text| {
        std::fs::write(text.join("meta.json"), b"{\"segments\": [{\"broken").unwrap();
    })
    .await;
}

async fn reindex_runs_beside_a_live_server_which_then_serves_the_new_generation(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.search.catch_up_interval_secs = 1).await else {
        return;
    };
    let ids = add_jobs(&app, &three_jobs()).await;
    let (_, token) = user_with_token(&app, "seeker@example.com", Role::Candidate).await;
    let before = app.search.generation().dir.clone();

    let mut reindex = intellicv_on(&app.db);
    reindex.args(["reindex", "--json"]);
    let out = tokio::task::spawn_blocking(move || run_ok(&mut reindex))
        .await
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let name = report["generation"].as_str().unwrap().to_owned();
    let built = index_root(&app.db).join(&name);
    assert_ne!(built, before);
    assert_eq!(
        current_generation(&app.db),
        built,
        "the new generation is live"
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    while app.search.generation().dir != built {
        assert!(
            Instant::now() < deadline,
            "the server never switched to {name}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let hits = job_search(&app, &token, "glassblower").await;
    assert_eq!(hits[0], ids[0], "{hits:?}");
    assert_eq!(sorted(hits), ids);
    // The server writes to the new generation, and the one it left is removed.
    let added = add_jobs(&app, &[posting(4, "Beekeeper", "Tend hives of bees.")]).await;
    assert_eq!(job_search(&app, &token, "beekeeper").await[0], added[0]);
    while before.exists() {
        assert!(
            Instant::now() < deadline,
            "the old generation is never removed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn half_built_generations_are_removed_at_start_but_not_one_being_built(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let root = index_root(&db);
    // What a killed `reindex` leaves: a generation directory nobody holds.
    let leftover = root.join("gen-19990101T000000.000000");
    std::fs::create_dir_all(leftover.join("jobs").join("text")).unwrap();
    std::fs::write(leftover.join("jobs").join("text").join("meta.json"), "{}").unwrap();
    // A `reindex` still running (here: this process holds the generation's lease).
    let building = IndexLayout::new(&root).new_generation().unwrap();

    let settings = settings_for(&db);
    let app = start_app(db, settings).await;
    wait_ready(&app).await;
    assert!(!leftover.exists(), "the half-built generation is removed");
    assert!(building.dir().exists(), "the one being built is kept");
    let live = current_generation(&app.db);
    assert_ne!(live, building.dir());
    assert!(live.exists());
}

async fn readyz_says_catching_up_while_the_index_catches_up_and_healthz_answers_at_once(
    backend: Backend,
) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    // Postings stored but never indexed nor embedded (as after a crash mid-ingest): the
    // catch-up at start must embed every one of them.
    let settings = settings_for(&db);
    let store = Store::connect(&settings.database_url(), &settings.database)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let jobs: Vec<JobPostingDraft> = (0..150)
        .map(|n| {
            posting(
                n,
                &format!("Clockmaker {n}"),
                &format!("Repair antique clock number {n} and its escapement, case {n}."),
            )
        })
        .collect();
    let ids = insert_jobs(&store, &jobs).await;
    store.close().await;

    let app = start_app(db, settings).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let (status, code, body) = expect_error(app.get("/readyz").await).await;
    assert_eq!((status, code.as_str()), (503, "not_ready"), "{body}");
    assert_eq!(body["error"]["details"]["reason"], "catching_up");
    wait_ready(&app).await;
    let (_, token) = user_with_token(&app, "seeker@example.com", Role::Candidate).await;
    assert_eq!(
        job_search(&app, &token, "clockmaker 149").await[0],
        ids[149]
    );
    assert_eq!(app.search.generation().jobs.len(), ids.len());
}

/// `ingest` beside a running server stores the postings, says the server indexes them,
/// and exits 0; the server's catch-up makes them searchable. (`search` and `match` answer
/// a clear error instead of tantivy's lock failure.)
async fn ingest_beside_a_live_server_stores_and_leaves_indexing_to_it(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.search.catch_up_interval_secs = 1).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "seeker@example.com", Role::Candidate).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("postings.jsonl");
    let rows = [
        json!({"title": "Lighthouse Keeper", "description": "Keep the lighthouse lamp lit.",
               "external_id": "lh-1"}),
        json!({"title": "Cheesemaker", "description": "Age cheddar in caves.",
               "external_id": "ch-1"}),
    ];
    let text: Vec<String> = rows.iter().map(Value::to_string).collect();
    std::fs::write(&file, text.join("\n")).unwrap();

    let mut ingest = intellicv_on(&app.db);
    ingest
        .args(["ingest", "jobs", "--source", "beside"])
        .arg(&file);
    let out = tokio::task::spawn_blocking(move || run_ok(&mut ingest))
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("in use by a running server"),
        "the operator is told why indexing is left to the server: {stderr}"
    );
    assert_eq!(app.store.count_jobs().await.unwrap(), 2);

    let deadline = Instant::now() + Duration::from_secs(30);
    while job_search(&app, &token, "lighthouse").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the server never indexed the ingested postings"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let mut search = intellicv_on(&app.db);
    search.args(["search", "jobs", "cheese"]);
    let out = tokio::task::spawn_blocking(move || search.output().unwrap())
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("in use by another process") && stderr.contains("HTTP API"),
        "{stderr}"
    );
}

on_both_backends!(
    a_corrupt_segment_file_is_rebuilt_from_the_database_at_start,
    a_corrupt_meta_json_is_rebuilt_from_the_database_at_start,
    reindex_runs_beside_a_live_server_which_then_serves_the_new_generation,
    ingest_beside_a_live_server_stores_and_leaves_indexing_to_it,
    half_built_generations_are_removed_at_start_but_not_one_being_built,
    readyz_says_catching_up_while_the_index_catches_up_and_healthz_answers_at_once,
);
