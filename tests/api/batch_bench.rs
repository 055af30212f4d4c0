//! Batch throughput: time from submitting a batch of generated resumes to its job being
//! done. Ignored (it takes minutes); run it on purpose, SQLite backend:
//!
//! ```text
//! cargo test --test api -- --ignored --nocapture a_batch_of_generated_resumes_is_timed
//! ```
//!
//! (add `--release` for a release build; the figures in docs/benchmarks.md are debug).
//!
//! `BENCH_SIZES=100,500` (the default) sets the batch sizes; each size runs on a fresh
//! database. The resumes come from `intellicv_ingest::extract::testdoc` (a third each PDF,
//! DOCX and plain text, every one unique). Figures go in docs/benchmarks.md.

use std::time::Instant;

use intellicv_core::Role;
use intellicv_ingest::extract::testdoc;

use serde_json::Value;

use crate::auth_support::{get_as, user_with_token};
use crate::batch::{accepted_job, resume_text, submit_files};
use crate::helpers::{Backend, TestApp, spawn_app};

/// Resume `n` of a generated batch: PDF, DOCX or text in turn.
fn generated_resume(n: usize) -> (String, Vec<u8>) {
    let text = resume_text(n);
    let lines: Vec<&str> = text.lines().collect();
    match n % 3 {
        0 => (format!("r{n}.pdf"), testdoc::text_pdf(&[&lines])),
        1 => (format!("r{n}.docx"), testdoc::docx_from_lines(&lines)),
        _ => (format!("r{n}.txt"), text.into_bytes()),
    }
}

/// Polls every 50 ms until the job is no longer queued or running; answers its status.
async fn job_status_when_done(app: &TestApp, token: &str, job_id: i64) -> Value {
    let path = format!("/api/v1/admin/process/status/{job_id}?per_page=1");
    loop {
        let body: Value = get_as(app, &path, token).await.json().await.unwrap();
        if !["queued", "running"].contains(&body["job"]["status"].as_str().unwrap_or_default()) {
            return body["job"]["status"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn sizes() -> Vec<usize> {
    std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "100,500".to_owned())
        .split(',')
        .map(|s| s.trim().parse().expect("BENCH_SIZES: numbers"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: minutes of work"]
async fn a_batch_of_generated_resumes_is_timed() {
    for n in sizes() {
        let app = spawn_app(Backend::Sqlite).await.expect("sqlite app");
        let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
        let files: Vec<(String, Vec<u8>)> = (0..n).map(generated_resume).collect();
        let named: Vec<(&str, Vec<u8>)> = files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.clone()))
            .collect();
        let started = Instant::now();
        let job_id = accepted_job(submit_files(&app, &admin, &named).await).await;
        let status = job_status_when_done(&app, &admin, job_id).await;
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(status, "succeeded");
        println!(
            "batch of {n} resumes: {secs:.2} s, {:.1} ms per resume",
            secs * 1000.0 / n as f64
        );
        app.stop().await;
    }
}
