//! The WebSocket event streams with a real client (tokio-tungstenite): who may connect,
//! what each audience hears, and that a client that never reads holds up nobody.

use std::time::Duration;

use futures_util::StreamExt;
use intellicv_app::events::Audience;
use intellicv_core::Role;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::analytics::at_time;
use crate::applications::{post_job, upload_resume};
use crate::auth_support::{post_as, put_as, user_with_token};
use crate::batch::{BATCH, accepted_job, resume_text, submit_files};
use crate::documents_api::{RESUME_RUST, upload};
use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use crate::on_both_backends;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How a client presents its token.
enum Token<'a> {
    None,
    Header(&'a str),
    Query(&'a str),
}

fn ws_url(app: &TestApp, path: &str) -> String {
    format!("ws://127.0.0.1:{}/api/v1/ws/{path}", app.port)
}

/// Connects, or answers the HTTP status the handshake was refused with.
async fn try_connect(app: &TestApp, path: &str, token: Token<'_>) -> Result<Socket, u16> {
    let url = match token {
        Token::Query(t) => format!("{}?access_token={t}", ws_url(app, path)),
        _ => ws_url(app, path),
    };
    let mut request = url.into_client_request().unwrap();
    if let Token::Header(t) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {t}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, response)) => {
            assert_eq!(response.status(), 101);
            Ok(socket)
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("websocket connect failed: {e}"),
    }
}

/// Connects and reads the `connected` message.
async fn connect(app: &TestApp, path: &str, token: Token<'_>) -> Socket {
    let mut socket = try_connect(app, path, token).await.expect("handshake");
    let hello = next_event(&mut socket).await;
    assert_eq!(hello["type"], "connected", "{hello}");
    socket
}

/// The next JSON text message, within 15 s.
async fn next_event(socket: &mut Socket) -> Value {
    let deadline = Duration::from_secs(15);
    loop {
        let message = tokio::time::timeout(deadline, socket.next())
            .await
            .expect("an event in time")
            .expect("the stream is open")
            .expect("a message");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

/// The next event of type `kind`, skipping others.
async fn next_of(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let event = next_event(socket).await;
        if event["type"] == kind {
            return event;
        }
    }
}

async fn only_users_with_valid_tokens_connect(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    for path in ["admin", "user"] {
        assert_eq!(
            try_connect(&app, path, Token::None).await.err(),
            Some(401),
            "{path}"
        );
        for bad in ["not-a-token", ""] {
            assert_eq!(
                try_connect(&app, path, Token::Query(bad)).await.err(),
                Some(401)
            );
        }
        assert_eq!(
            try_connect(&app, path, Token::Header("x.y.z")).await.err(),
            Some(401)
        );
    }
    assert_eq!(
        try_connect(&app, "admin", Token::Header(&candidate))
            .await
            .err(),
        Some(403)
    );
    assert_eq!(
        try_connect(&app, "admin", Token::Query(&candidate))
            .await
            .err(),
        Some(403)
    );
    for (path, token) in [("admin", &admin), ("user", &candidate), ("user", &admin)] {
        let mut socket = connect(&app, path, Token::Query(token)).await;
        socket.close(None).await.unwrap();
        connect(&app, path, Token::Header(token)).await;
    }
    // A plain GET (no handshake) from an allowed caller is refused, in the error shape.
    let response = crate::auth_support::get_as(&app, "/api/v1/ws/user", &candidate).await;
    let (status, _, _) = crate::helpers::expect_error(response).await;
    assert_eq!(status, 400);
}

async fn a_user_hears_their_application_status_changes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let (other_id, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    let job = post_job(&app, &recruiter, "Rust engineer").await;
    let body = json!({ "job_id": job, "resume_id": resume });
    let response = post_as(&app, "/api/v1/jobs/applications", &candidate, &body).await;
    let application = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let mut mine = connect(&app, "user", Token::Header(&candidate)).await;
    let mut theirs = connect(&app, "user", Token::Query(&other)).await;
    let mut author = connect(&app, "user", Token::Header(&recruiter)).await;
    let path = format!("/api/v1/jobs/applications/{application}/status");
    let response = put_as(
        &app,
        &path,
        &recruiter,
        &json!({"status": "reviewing", "note": "promising"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let event = next_of(&mut mine, "application.status_changed").await;
    let data = &event["data"];
    assert_eq!(data["application_id"], application);
    assert_eq!(data["job_id"], job);
    assert_eq!(
        (data["from"].clone(), data["to"].clone()),
        (json!("submitted"), json!("reviewing"))
    );
    assert_eq!(data["note"], "promising");
    // The candidate withdraws: the posting's author hears it too.
    let withdraw = format!("/api/v1/jobs/applications/{application}/withdraw");
    assert_eq!(
        post_as(&app, &withdraw, &candidate, &json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        next_of(&mut mine, "application.status_changed").await["data"]["to"],
        "withdrawn"
    );
    let heard = next_of(&mut author, "application.status_changed").await;
    assert_eq!(heard["data"]["to"], "withdrawn");
    // The other candidate heard nothing of it: the next thing they get is their own.
    app.events
        .publish(Audience::User(other_id), "alert", json!({"n": 1}));
    assert_eq!(next_event(&mut theirs).await["type"], "alert");
}

async fn an_admin_hears_documents_stored_and_parse_failures(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let (candidate_id, candidate) =
        user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let mut socket = connect(&app, "admin", Token::Query(&admin)).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    let event = next_of(&mut socket, "document.stored").await;
    assert_eq!(event["data"]["collection"], "resumes");
    assert_eq!(event["data"]["id"], resume);
    assert_eq!(event["data"]["owner_id"], candidate_id);
    assert_eq!(event["data"]["parse_status"], "parsed");
    let response = upload(&app, &candidate, "scan.pdf", b"%PDF-1.7\n%broken".to_vec()).await;
    assert_eq!(response.status(), 422);
    let failed = next_of(&mut socket, "document.parse_failed").await;
    assert_eq!(failed["data"]["format"], "pdf");
    assert!(failed["data"]["code"].is_string(), "{failed}");
    let job = post_job(&app, &recruiter, "Rust engineer").await;
    let stored = next_of(&mut socket, "document.stored").await;
    assert_eq!(
        (
            stored["data"]["collection"].clone(),
            stored["data"]["id"].clone()
        ),
        (json!("jobs"), json!(job))
    );
    // Job progress, as the job queue will report it.
    assert_eq!(app.events.publish_job_progress(42, 3, 10, "running"), 1);
    let progress = next_of(&mut socket, "job.progress").await;
    assert_eq!(
        progress["data"],
        json!({"job_id": 42, "done": 3, "total": 10, "status": "running"})
    );
}

async fn a_client_that_never_reads_does_not_hold_up_another(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.realtime.client_buffer = 8;
        s.realtime.send_timeout_secs = 2;
    })
    .await
    else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let stalled = connect(&app, "admin", Token::Header(&admin)).await;
    let mut reader = connect(&app, "admin", Token::Header(&admin)).await;
    assert_eq!(app.events.connections(Audience::Admins), 2);
    // 2,000 events of 16 KiB: far more than the socket buffers and the stalled client's
    // 8 queued events hold. The reader gets each one right after it is published.
    let padding = "x".repeat(16 * 1024);
    for i in 0..2000 {
        app.events
            .publish_alert("info", "load", json!({ "i": i, "padding": padding }));
        let event = next_event(&mut reader).await;
        assert_eq!(event["data"]["details"]["i"], i);
    }
    assert_eq!(app.events.lagging_disconnects(), 1);
    assert_eq!(app.events.connections(Audience::Admins), 1);
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("intellicv_ws_lagging_disconnects_total 1"),
        "{}",
        metrics
            .lines()
            .filter(|l| l.contains("ws_"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    drop(stalled);
}

async fn a_new_posting_that_matches_reaches_the_candidate(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.realtime.match_threshold = 1.0).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let (picky_id, picky) = user_with_token(&app, "picky@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    upload_resume(&app, &picky, &format!("{RESUME_RUST}\nReference: picky\n")).await;
    // The picky candidate's own threshold is out of reach.
    let sql = "INSERT INTO user_preferences (user_id, match_alert_threshold, updated_at) \
               VALUES ($2, 100, $1)";
    at_time(&app, sql, chrono::Utc::now(), picky_id).await;
    let mut socket = connect(&app, "user", Token::Header(&candidate)).await;
    let mut picky_socket = connect(&app, "user", Token::Header(&picky)).await;
    let job = post_job(&app, &recruiter, "Rust engineer").await;
    let event = next_of(&mut socket, "match.new").await;
    let data = &event["data"];
    assert_eq!(
        (data["job_id"].clone(), data["resume_id"].clone()),
        (json!(job), json!(resume))
    );
    let score = data["score"].as_f64().unwrap();
    assert!((1.0..=100.0).contains(&score), "{event}");
    assert!(
        data["matched_skills"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "Rust"),
        "{event}"
    );
    // The score matches the pair's explanation.
    let explained = app
        .client
        .get(app.url(&format!(
            "/api/v1/matches/explain?resume_id={resume}&job_id={job}"
        )))
        .bearer_auth(&candidate)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!((explained["score"].as_f64().unwrap() - score).abs() < 1e-3);
    assert!(score < 100.0, "the picky threshold must be out of reach");
    let nothing = tokio::time::timeout(
        Duration::from_secs(2),
        next_of(&mut picky_socket, "match.new"),
    )
    .await;
    assert!(
        nothing.is_err(),
        "a score under the user's own threshold is not announced"
    );
}

/// The queue's events reach admins as `job.progress`: queued, each item, finished.
async fn an_admin_follows_a_batch_job_to_its_end(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let mut socket = connect(&app, "admin", Token::Header(&admin)).await;
    let batch = json!({
        "source": "ws-feed",
        "postings": [
            { "external_id": "w-1", "title": "Rust Engineer", "company": "Ferrous Ltd",
              "description": "Rust and PostgreSQL." },
            { "external_id": "w-2", "title": "Data Analyst", "company": "Numbers plc",
              "description": "SQL and Python." },
        ],
    });
    let job_id = accepted_job(post_as(&app, BATCH, &admin, &batch).await).await;
    let mut seen = Vec::new();
    loop {
        let event = next_of(&mut socket, "job.progress").await;
        assert_eq!(event["data"]["job_id"], job_id, "{event}");
        let status = event["data"]["status"].as_str().unwrap().to_owned();
        if let Some(done) = event["data"]["done"].as_i64() {
            assert_eq!(event["data"]["total"], 2, "{event}");
            seen.push(done);
        }
        if status == "succeeded" {
            break;
        }
        assert!(["queued", "running"].contains(&status.as_str()), "{event}");
    }
    assert_eq!(
        seen,
        vec![0, 1, 2],
        "queued with 0 done, then one event per item"
    );
}

/// A batch announces every document it stores, like single uploads: `document.stored` per
/// resume that parses, `document.parse_failed` per one that does not, and `document.stored`
/// per new posting.
async fn a_batch_announces_each_document_it_stores(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let mut socket = connect(&app, "admin", Token::Header(&admin)).await;
    let files = [
        ("one.txt", resume_text(1).into_bytes()),
        ("two.txt", resume_text(2).into_bytes()),
        ("junk.bin", [0u8, 1, 2, 3, 255, 254, 0, 7].repeat(64)),
    ];
    let job_id = accepted_job(submit_files(&app, &admin, &files).await).await;
    let (mut stored, mut failed) = (Vec::new(), Vec::new());
    loop {
        let event = next_event(&mut socket).await;
        match event["type"].as_str().unwrap_or_default() {
            "document.stored" => {
                assert_eq!(event["data"]["collection"], "resumes", "{event}");
                stored.push(
                    event["data"]["source_filename"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
            "document.parse_failed" => {
                assert_eq!(event["data"]["code"], "binary_junk", "{event}");
                failed.push(
                    event["data"]["source_filename"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
            "job.progress" if event["data"]["status"] == "succeeded" => {
                assert_eq!(event["data"]["job_id"], job_id, "{event}");
                break;
            }
            _ => {}
        }
    }
    stored.sort();
    assert_eq!(stored, ["one.txt", "two.txt"]);
    assert_eq!(failed, ["junk.bin"]);

    let postings = json!({
        "source": "ws-docs",
        "postings": [{ "external_id": "d-1", "title": "Rust Engineer",
                       "description": "Rust and PostgreSQL." }],
    });
    accepted_job(post_as(&app, BATCH, &admin, &postings).await).await;
    let event = next_of(&mut socket, "document.stored").await;
    assert_eq!(event["data"]["collection"], "jobs", "{event}");
    assert_eq!(event["data"]["title"], "Rust Engineer", "{event}");
}

/// Postings written by a batch reach the candidates they match, as a posting created by
/// hand does.
async fn a_batch_of_postings_reaches_the_candidates_they_match(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.realtime.match_threshold = 1.0).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    let mut socket = connect(&app, "user", Token::Header(&candidate)).await;
    let batch = json!({
        "source": "ws-matches",
        "postings": [{ "external_id": "m-1", "title": "Rust Engineer", "company": "Ferrous Ltd",
                       "description": "Build services in Rust with PostgreSQL." }],
    });
    accepted_job(post_as(&app, BATCH, &admin, &batch).await).await;
    let event = next_of(&mut socket, "match.new").await;
    let data = &event["data"];
    assert_eq!(data["title"], "Rust Engineer", "{event}");
    assert_eq!(data["resume_id"], json!(resume), "{event}");
    assert!(
        data["matched_skills"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "Rust"),
        "{event}"
    );
}

on_both_backends!(
    a_batch_announces_each_document_it_stores,
    a_batch_of_postings_reaches_the_candidates_they_match,
    an_admin_follows_a_batch_job_to_its_end,
    only_users_with_valid_tokens_connect,
    a_user_hears_their_application_status_changes,
    an_admin_hears_documents_stored_and_parse_failures,
    a_client_that_never_reads_does_not_hold_up_another,
    a_new_posting_that_matches_reaches_the_candidate,
);
