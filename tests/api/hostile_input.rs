//! Hostile documents over HTTP: a self-drawing PDF form, a 4 GiB flate bomb and a batch
//! with poisoned files fail with their own codes, cost bounded memory, and leave the server
//! and the good files of the batch alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use intellicv_core::Role;
use intellicv_ingest::extract::testdoc;
use serde_json::{Value, json};

use crate::auth_support::{get_as, user_with_token};
use crate::batch::{accepted_job, resume_text, submit_files, wait_for_job};
use crate::documents_api::upload;
use crate::helpers::{Backend, expect_error, spawn_app};
use crate::on_both_backends;

const LINE: &str = "Jane Doe, Senior Engineer, Rust and SQL";

/// This process's resident set size in bytes, from /proc.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS")
        * 1024
}

/// Samples the RSS every 10 ms until stopped; answers the highest value seen.
fn sample_peak_rss() -> (Arc<AtomicBool>, std::thread::JoinHandle<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(rss_bytes()));
    let handle = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_bytes(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
            peak.load(Ordering::Relaxed)
        })
    };
    (stop, handle)
}

async fn a_self_drawing_pdf_form_is_a_422_and_the_server_lives_on(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "poison@example.com", Role::Candidate).await;
    let pdf = testdoc::self_drawing_form_pdf(LINE, 1, false);
    let (status, code, details) = expect_error(upload(&app, &token, "cv.pdf", pdf).await).await;
    assert_eq!(
        (status, code.as_str()),
        (422, "pdf_too_complex"),
        "{details}"
    );
    // Stored with its reason, like any upload that does not parse.
    let id = details["error"]["details"]["resume_id"]
        .as_i64()
        .expect("resume_id");
    let resume: Value = get_as(&app, &format!("/api/v1/resumes/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resume["parse_error_code"], "pdf_too_complex");
    assert_eq!(app.get("/healthz").await.status(), 200);
    // The same form in a font the fast path reads is drawn once and parsed.
    let pdf = testdoc::self_drawing_form_pdf(LINE, 3, true);
    assert_eq!(upload(&app, &token, "cv2.pdf", pdf).await.status(), 201);
}

async fn a_4_gib_flate_bomb_is_a_422_within_bounded_memory(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "bomb@example.com", Role::Candidate).await;
    let pdf = testdoc::flate_bomb_pdf(LINE, b"\0", 4 << 30);
    let (stop, sampler) = sample_peak_rss();
    let before = rss_bytes();
    let response = upload(&app, &token, "bomb.pdf", pdf).await;
    stop.store(true, Ordering::Relaxed);
    let peak = sampler.join().unwrap();
    let (status, code, details) = expect_error(response).await;
    assert_eq!(
        (status, code.as_str()),
        (422, "decompression_limit"),
        "{details}"
    );
    // Other tests share this process, so the margin is wide; inflating the bomb would
    // take 4 GiB.
    let grown = peak.saturating_sub(before);
    assert!(grown < 512 << 20, "RSS grew by {} MiB", grown >> 20);
}

async fn a_poisoned_batch_fails_those_items_only_and_stores_the_good_files(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "batch-poison@example.com", Role::Admin).await;
    let files = [
        ("one.txt", resume_text(1).into_bytes()),
        ("form.pdf", testdoc::self_drawing_form_pdf(LINE, 1, false)),
        ("bomb.pdf", testdoc::flate_bomb_pdf(LINE, b"\0", 1 << 30)),
        ("two.txt", resume_text(2).into_bytes()),
    ];
    let job_id = accepted_job(submit_files(&app, &admin, &files).await).await;
    let body = wait_for_job(&app, &admin, job_id).await;
    let job = &body["job"];
    assert_eq!(job["status"], "succeeded", "{body}");
    assert_eq!(job["attempts"], 1, "{body}");
    assert_eq!(
        job["result"],
        json!({ "items": 4, "succeeded": 2, "failed": 2 })
    );
    let items = body["items"]["items"].as_array().unwrap();
    let outcome: Vec<(&str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["status"].as_str().unwrap(),
                i["error"]
                    .as_str()
                    .map_or("", |e| e.split(':').next().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        outcome,
        [
            ("succeeded", ""),
            ("failed", "pdf_too_complex"),
            ("failed", "decompression_limit"),
            ("succeeded", "")
        ]
    );
}

on_both_backends!(
    a_self_drawing_pdf_form_is_a_422_and_the_server_lives_on,
    a_4_gib_flate_bomb_is_a_422_within_bounded_memory,
    a_poisoned_batch_fails_those_items_only_and_stores_the_good_files,
);
