//! The server binary is killed (SIGKILL) in the middle of a batch and started again: the
//! batch completes with every file stored exactly once and nothing lost.

use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use intellicv_app::config::Settings;
use intellicv_ingest::extract::testdoc;
use intellicv_store::Store;
use serde_json::{Value, json};

use crate::batch::resume_text;
use crate::helpers::{Backend, TestDatabase, free_port, intellicv_on, run_ok, serve_command};
use crate::on_both_backends;

const ADMIN: &str = "restart-admin@example.com";
const PASSWORD: &str = "a long enough secret";
/// Files in the batch: text, DOCX and PDF resumes, and one PDF that cannot be opened.
const FILES: usize = 36;

/// `intellicv serve` on the test's database, with a short lease and quick polling.
fn start_server(db: &TestDatabase, port: u16) -> Child {
    serve_command(db, port)
        .env("INTELLICV__QUEUE__WORKERS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start intellicv serve")
}

async fn wait_until_up(client: &reqwest::Client, base: &str, server: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await
            && response.status() == 200
        {
            return;
        }
        assert!(
            server.try_wait().unwrap().is_none(),
            "the server exited while starting"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the server did not become ready");
}

async fn token(client: &reqwest::Client, base: &str) -> String {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": ADMIN, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn status(client: &reqwest::Client, base: &str, token: &str, job_id: i64) -> Value {
    let mut items = Vec::new();
    let mut job = Value::Null;
    for page in 1.. {
        let url = format!("{base}/api/v1/admin/process/status/{job_id}?per_page=100&page={page}");
        let body: Value = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page_items = body["items"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        job = body["job"].clone();
        if page_items.is_empty() {
            break;
        }
        items.extend(page_items);
    }
    json!({ "job": job, "items": items })
}

fn batch_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for n in 0..FILES - 1 {
        let text = resume_text(1000 + n);
        let lines: Vec<&str> = text.lines().collect();
        let (name, bytes) = match n % 3 {
            0 => (format!("r{n}.txt"), text.clone().into_bytes()),
            1 => (format!("r{n}.docx"), testdoc::docx_from_lines(&lines)),
            _ => (format!("r{n}.pdf"), testdoc::text_pdf(&[&lines])),
        };
        files.push((name, bytes));
    }
    files.push((
        "locked.pdf".to_owned(),
        testdoc::encrypted_pdf(&[&["Locked Resume", "Rust"]], "secret"),
    ));
    files
}

async fn a_batch_survives_a_killed_server_with_nothing_lost_or_stored_twice(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    run_ok(
        intellicv_on(&db)
            .args(["users", "create", "--email", ADMIN, "--role", "admin"])
            .env("INTELLICV_USER_PASSWORD", PASSWORD),
    );
    let client = intellicv_app::tls::http_client_builder().build().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start_server(&db, port);
    wait_until_up(&client, &base, &mut server).await;
    let admin = token(&client, &base).await;

    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in batch_files() {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
    }
    let response = client
        .post(format!("{base}/api/v1/admin/process/batch"))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let job_id = response.json::<Value>().await.unwrap()["job_id"]
        .as_i64()
        .unwrap();

    // Kill it with some items done and some not.
    let deadline = Instant::now() + Duration::from_secs(300);
    let done_at_kill = loop {
        let body = status(&client, &base, &admin, job_id).await;
        let done = body["job"]["progress_done"].as_i64().unwrap_or(0);
        if done >= 4 {
            server.kill().expect("SIGKILL the server");
            server.wait().unwrap();
            break done;
        }
        assert!(Instant::now() < deadline, "no progress: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        (done_at_kill as usize) < FILES,
        "the batch finished before the kill ({done_at_kill} done); make it longer"
    );

    let mut server = start_server(&db, port);
    wait_until_up(&client, &base, &mut server).await;
    let admin = token(&client, &base).await;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let body = status(&client, &base, &admin, job_id).await;
        if body["job"]["status"] != "queued" && body["job"]["status"] != "running" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the batch did not finish: {}",
            body["job"]
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // The pages of a status read are fetched one after another and the job's state comes
    // with the last one, so items read while it ran can predate its end: read them again
    // now that nothing changes.
    let body = status(&client, &base, &admin, job_id).await;
    server.kill().ok();
    server.wait().ok();

    let job = &body["job"];
    assert_eq!(job["status"], "succeeded", "{job}");
    assert!(
        job["attempts"].as_i64().unwrap() >= 2,
        "taken over after the kill: {job}"
    );
    assert_eq!(job["progress_done"], FILES as i64);
    assert_eq!(job["progress_failed"], 1, "only the locked PDF");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), FILES);
    let item_resumes: BTreeSet<i64> = items
        .iter()
        .map(|i| {
            i["result"]["resume_id"]
                .as_i64()
                .unwrap_or_else(|| panic!("every item names its resume: {i} in {body}"))
        })
        .collect();
    assert_eq!(item_resumes.len(), FILES, "each item its own resume");

    // The database: one row per file, no more, no fewer.
    let mut settings = Settings::default();
    settings.database.migrate_on_start = false;
    let store = Store::connect(&db.url, &settings.database).await.unwrap();
    let stored = store.export_resumes().await.unwrap();
    let stored_ids: BTreeSet<i64> = stored.iter().map(|r| r.id).collect();
    let hashes: BTreeSet<&str> = stored.iter().map(|r| r.content_hash.as_str()).collect();
    assert_eq!(stored.len(), FILES, "rows in resumes");
    assert_eq!(hashes.len(), FILES, "distinct files");
    assert_eq!(stored_ids, item_resumes);
    assert_eq!(
        stored.iter().filter(|r| r.parse_status == "failed").count(),
        1
    );
    store.close().await;
}

on_both_backends!(a_batch_survives_a_killed_server_with_nothing_lost_or_stored_twice);
