//! Job applications over HTTP: applying, reading and listing (candidates only their own),
//! withdrawing, the recruiters' status pipeline with its history and audit rows, and what
//! deleting a resume or a posting does to applications.

use intellicv_core::{ApplicationStatus, Role};
use serde_json::{Value, json};

use crate::auth_support::{audit_rows, delete_as, get_as, post_as, put_as, user_with_token};
use crate::documents_api::{RESUME_RUST, upload, with_kubernetes};
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

const APPLICATIONS: &str = "/api/v1/jobs/applications";

/// A recruiter's posting; answers its id.
pub async fn post_job(app: &TestApp, recruiter: &str, title: &str) -> i64 {
    let job = json!({
        "title": title,
        "company": "Acme",
        "description": "We build payment systems.\n\nRequirements:\n- Rust\n- Kubernetes\n",
        "remote_mode": "remote",
    });
    let response = post_as(app, "/api/v1/jobs", recruiter, &job).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// A candidate's uploaded, parsed resume; answers its id.
pub async fn upload_resume(app: &TestApp, token: &str, text: &str) -> i64 {
    let response = upload(app, token, "resume.txt", text.as_bytes().to_vec()).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["resume"]["id"]
        .as_i64()
        .unwrap()
}

async fn apply(app: &TestApp, token: &str, job_id: i64, resume_id: i64) -> reqwest::Response {
    post_as(
        app,
        APPLICATIONS,
        token,
        &json!({ "job_id": job_id, "resume_id": resume_id, "cover_note": "I would love to." }),
    )
    .await
}

/// Applies and answers the created application.
async fn applied(app: &TestApp, token: &str, job_id: i64, resume_id: i64) -> Value {
    let response = apply(app, token, job_id, resume_id).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn apply_id(app: &TestApp, token: &str, job_id: i64, resume_id: i64) -> i64 {
    applied(app, token, job_id, resume_id).await["id"]
        .as_i64()
        .unwrap()
}

/// Moves an application as `token`, which must succeed.
async fn moved(app: &TestApp, token: &str, id: i64, to: &str) {
    let response = set_status(app, token, id, to).await;
    assert_eq!(response.status(), 200, "to {to}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], to);
}

async fn set_status(app: &TestApp, token: &str, id: i64, status: &str) -> reqwest::Response {
    put_as(
        app,
        &format!("{APPLICATIONS}/{id}/status"),
        token,
        &json!({ "status": status, "note": format!("to {status}") }),
    )
    .await
}

async fn withdraw(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    post_as(
        app,
        &format!("{APPLICATIONS}/{id}/withdraw"),
        token,
        &json!({ "note": "found another job" }),
    )
    .await
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

/// Asserts a validation error naming `field`; answers its reason.
async fn expect_invalid(response: reqwest::Response, field: &str) -> String {
    let (status, code, body) = expect_error(response).await;
    assert_eq!(
        (status, code.as_str()),
        (422, "validation_failed"),
        "{body}"
    );
    assert_eq!(body["error"]["details"]["field"], field, "{body}");
    body["error"]["details"]["reason"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_candidate_applies_once_per_job_and_sees_the_score_and_history(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let job_id = post_job(&app, &recruiter, "Backend Engineer").await;
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let resume_id = upload_resume(&app, &jane, RESUME_RUST).await;

    let created = applied(&app, &jane, job_id, resume_id).await;
    assert_eq!(created["status"], "submitted");
    assert_eq!(created["user_id"], jane_id);
    assert_eq!(created["resume_id"], resume_id);
    assert_eq!(created["job_title"], "Backend Engineer");
    assert_eq!(created["cover_note"], "I would love to.");
    let score = created["match_score"].as_f64().expect("a match score");
    assert!((0.0..=100.0).contains(&score) && score > 0.0, "{created}");
    let history = created["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["from_status"], Value::Null);
    assert_eq!(history[0]["to_status"], "submitted");
    assert_eq!(history[0]["changed_by"], jane_id);

    let id = created["id"].as_i64().unwrap();
    let read = json_of(
        get_as(&app, &format!("{APPLICATIONS}/{id}"), &jane).await,
        200,
    )
    .await;
    assert_eq!(read["id"], id);
    assert_eq!(read["match_score"], created["match_score"]);

    // A second application to the same posting, even with another resume, is a conflict.
    let other_resume = upload_resume(&app, &jane, &with_kubernetes(RESUME_RUST)).await;
    let (status, code, _) = expect_error(apply(&app, &jane, job_id, other_resume).await).await;
    assert_eq!((status, code.as_str()), (409, "already_applied"));
    let list = json_of(get_as(&app, APPLICATIONS, &jane).await, 200).await;
    assert_eq!(list["total"], 1);
}

async fn applying_needs_an_own_resume_and_an_open_job(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let open = post_job(&app, &recruiter, "Backend Engineer").await;
    let closed = post_job(&app, &recruiter, "Platform Engineer").await;
    let draft = post_job(&app, &recruiter, "Data Engineer").await;
    for (id, status) in [(closed, "closed"), (draft, "draft")] {
        let response = put_as(
            &app,
            &format!("/api/v1/jobs/{id}/status"),
            &recruiter,
            &json!({ "status": status }),
        )
        .await;
        assert_eq!(response.status(), 200);
    }
    let (_, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let (_, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let jane_resume = upload_resume(&app, &jane, RESUME_RUST).await;

    let (status, _, body) = expect_error(apply(&app, &other, open, jane_resume).await).await;
    assert_eq!(
        status, 404,
        "another candidate's resume looks missing: {body}"
    );
    let (status, _, _) = expect_error(apply(&app, &jane, 999_999, jane_resume).await).await;
    assert_eq!(status, 404);
    let (status, _, _) = expect_error(apply(&app, &jane, draft, jane_resume).await).await;
    assert_eq!(status, 404, "a draft posting is not public");
    let reason = expect_invalid(apply(&app, &jane, closed, jane_resume).await, "job_id").await;
    assert!(reason.contains("closed"), "{reason}");
    let response = post_as(
        &app,
        APPLICATIONS,
        &jane,
        &json!({ "job_id": open, "resume_id": jane_resume, "cover_note": "x".repeat(5001) }),
    )
    .await;
    expect_invalid(response, "cover_note").await;
    let (status, _, _) = expect_error(apply(&app, &recruiter, open, jane_resume).await).await;
    assert_eq!(status, 403, "recruiters do not apply");
    let expired = json!({
        "title": "Site Reliability Engineer",
        "description": "Keep payments up.\n\nRequirements:\n- Rust\n",
        "valid_through": "2020-01-31T00:00:00Z",
    });
    let response = post_as(&app, "/api/v1/jobs", &recruiter, &expired).await;
    let expired = json_of(response, 201).await["id"].as_i64().unwrap();
    let reason = expect_invalid(apply(&app, &jane, expired, jane_resume).await, "job_id").await;
    assert!(reason.contains("closing date"), "{reason}");
    let list = json_of(get_as(&app, APPLICATIONS, &recruiter).await, 200).await;
    assert_eq!(list["total"], 0, "nothing was stored: {list}");
}

async fn candidates_never_learn_of_other_candidates_applications(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let job_id = post_job(&app, &recruiter, "Backend Engineer").await;
    let (_, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let (other_id, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &jane, RESUME_RUST).await;
    let id = apply_id(&app, &jane, job_id, resume).await;

    let missing = 999_999;
    for target in [id, missing] {
        let (status, code, _) =
            expect_error(get_as(&app, &format!("{APPLICATIONS}/{target}"), &other).await).await;
        assert_eq!((status, code.as_str()), (404, "not_found"));
        let (status, _, _) = expect_error(withdraw(&app, &other, target).await).await;
        assert_eq!(status, 404);
    }
    for query in [
        "",
        &format!("?user_id={other_id}"),
        &format!("?job_id={job_id}"),
    ] {
        let list = json_of(
            get_as(&app, &format!("{APPLICATIONS}{query}"), &other).await,
            200,
        )
        .await;
        assert_eq!(list["total"], 0, "{query}: {list}");
    }
    // Candidates do not move applications, not even their own; recruiters do not withdraw.
    let (status, _, _) = expect_error(set_status(&app, &jane, id, "reviewing").await).await;
    assert_eq!(status, 403);
    let (status, _, _) = expect_error(withdraw(&app, &recruiter, id).await).await;
    assert_eq!(status, 403);
    let seen = json_of(
        get_as(&app, &format!("{APPLICATIONS}/{id}"), &recruiter).await,
        200,
    )
    .await;
    assert_eq!(seen["status"], "submitted");
}

async fn recruiters_move_applications_through_the_pipeline_with_history_and_audit(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (recruiter_id, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let job_id = post_job(&app, &recruiter, "Backend Engineer").await;
    let (_, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &jane, RESUME_RUST).await;
    let id = apply_id(&app, &jane, job_id, resume).await;

    let reason = expect_invalid(
        set_status(&app, &recruiter, id, "interview").await,
        "status",
    )
    .await;
    assert!(reason.contains("from submitted to interview"), "{reason}");
    let reason = expect_invalid(
        set_status(&app, &recruiter, id, "withdrawn").await,
        "status",
    )
    .await;
    assert!(reason.contains("only the candidate"), "{reason}");
    expect_invalid(set_status(&app, &recruiter, id, "offer").await, "status").await;

    for (who, to) in [
        (&recruiter, "reviewing"),
        (&recruiter, "interview"),
        (&admin, "offered"),
        (&recruiter, "hired"),
    ] {
        moved(&app, who, id, to).await;
    }
    let reason = expect_invalid(set_status(&app, &recruiter, id, "rejected").await, "status").await;
    assert!(
        reason.contains("from hired to rejected") && reason.contains("closed"),
        "{reason}"
    );

    let read = json_of(
        get_as(&app, &format!("{APPLICATIONS}/{id}"), &jane).await,
        200,
    )
    .await;
    let history = read["history"].as_array().unwrap();
    let steps: Vec<(&str, &str)> = history
        .iter()
        .skip(1)
        .map(|h| {
            (
                h["from_status"].as_str().unwrap(),
                h["to_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("submitted", "reviewing"),
            ("reviewing", "interview"),
            ("interview", "offered"),
            ("offered", "hired")
        ]
    );
    assert_eq!(history[1]["changed_by"], recruiter_id);
    assert_eq!(history[1]["note"], "to reviewing");

    let rows = audit_rows(&app, "application.status_change").await;
    assert_eq!(rows.len(), 4, "one row per move, none for refused ones");
    let newest = &rows[0];
    assert_eq!(newest.actor_user_id, Some(recruiter_id));
    assert_eq!(newest.target_id.as_deref(), Some(id.to_string().as_str()));
    assert_eq!(newest.details.0["from"], "offered");
    assert_eq!(newest.details.0["to"], "hired");

    // A move computed from a status that has changed since is refused, not applied twice.
    let stale = app
        .store
        .change_application_status(
            id,
            ApplicationStatus::Offered,
            ApplicationStatus::Hired,
            Some(recruiter_id),
            None,
        )
        .await
        .unwrap();
    assert!(stale.is_none());
    let history = app.store.application_history(id).await.unwrap();
    assert_eq!(history.len(), 5, "no history row for a refused move");
}

async fn a_candidate_withdraws_an_open_application_but_not_a_closed_one(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let first = post_job(&app, &recruiter, "Backend Engineer").await;
    let second = post_job(&app, &recruiter, "Platform Engineer").await;
    let (_, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &jane, RESUME_RUST).await;
    let open = apply_id(&app, &jane, first, resume).await;
    let rejected = apply_id(&app, &jane, second, resume).await;

    moved(&app, &recruiter, open, "reviewing").await;
    let withdrawn = json_of(withdraw(&app, &jane, open).await, 200).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["history"][2]["note"], "found another job");
    let reason = expect_invalid(withdraw(&app, &jane, open).await, "status").await;
    assert!(reason.contains("from withdrawn to withdrawn"), "{reason}");
    expect_invalid(
        set_status(&app, &recruiter, open, "interview").await,
        "status",
    )
    .await;

    moved(&app, &recruiter, rejected, "rejected").await;
    let reason = expect_invalid(withdraw(&app, &jane, rejected).await, "status").await;
    assert!(reason.contains("from rejected to withdrawn"), "{reason}");

    // Withdrawing needs no body at all.
    let third = post_job(&app, &recruiter, "Data Engineer").await;
    let bare = apply_id(&app, &jane, third, resume).await;
    let response = app
        .client
        .post(app.url(&format!("{APPLICATIONS}/{bare}/withdraw")))
        .bearer_auth(&jane)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(response, 200).await["status"], "withdrawn");
}

async fn application_lists_filter_sort_and_paginate(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let jobs = [
        post_job(&app, &recruiter, "Backend Engineer").await,
        post_job(&app, &recruiter, "Platform Engineer").await,
        post_job(&app, &recruiter, "Data Engineer").await,
    ];
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let (_, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let jane_resume = upload_resume(&app, &jane, RESUME_RUST).await;
    let other_resume = upload_resume(&app, &other, &with_kubernetes(RESUME_RUST)).await;
    let mut jane_apps = Vec::new();
    for job in jobs {
        jane_apps.push(apply_id(&app, &jane, job, jane_resume).await);
    }
    applied(&app, &other, jobs[0], other_resume).await;
    moved(&app, &recruiter, jane_apps[1], "reviewing").await;

    let list = |query: String, token: String| {
        let app = &app;
        async move {
            json_of(
                get_as(app, &format!("{APPLICATIONS}{query}"), &token).await,
                200,
            )
            .await
        }
    };
    let all = list(String::new(), recruiter.clone()).await;
    assert_eq!(all["total"], 4);
    let for_job = list(format!("?job_id={}", jobs[0]), recruiter.clone()).await;
    assert_eq!(for_job["total"], 2);
    let reviewing = list("?status=reviewing".into(), recruiter.clone()).await;
    assert_eq!(reviewing["total"], 1);
    assert_eq!(reviewing["items"][0]["id"], jane_apps[1]);
    let by_user = list(format!("?user_id={jane_id}"), recruiter.clone()).await;
    assert_eq!(by_user["total"], 3);

    let page_two = list("?sort=id&order=asc&per_page=2&page=2".into(), jane.clone()).await;
    assert_eq!(page_two["total"], 3);
    assert_eq!(page_two["total_pages"], 2);
    let ids: Vec<i64> = page_two["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [jane_apps[2]]);
    let newest_first = list("?sort=id".into(), jane.clone()).await;
    assert_eq!(newest_first["items"][0]["id"], jane_apps[2]);

    for (query, field) in [
        ("?sort=salary", "sort"),
        ("?order=up", "order"),
        ("?status=offer", "status"),
        ("?job_id=abc", "job_id"),
        ("?per_page=0", "per_page"),
    ] {
        expect_invalid(
            get_as(&app, &format!("{APPLICATIONS}{query}"), &recruiter).await,
            field,
        )
        .await;
    }
}

async fn deleting_a_resume_withdraws_its_open_applications_and_deleting_a_job_removes_its_own(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let first = post_job(&app, &recruiter, "Backend Engineer").await;
    let second = post_job(&app, &recruiter, "Platform Engineer").await;
    let third = post_job(&app, &recruiter, "Data Engineer").await;
    let (_, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &jane, RESUME_RUST).await;
    let kept_resume = upload_resume(&app, &jane, &with_kubernetes(RESUME_RUST)).await;
    let open = apply_id(&app, &jane, first, resume).await;
    let hired = apply_id(&app, &jane, second, resume).await;
    let on_deleted_job = apply_id(&app, &jane, third, kept_resume).await;
    moved(&app, &recruiter, open, "reviewing").await;
    for to in ["reviewing", "interview", "offered", "hired"] {
        moved(&app, &recruiter, hired, to).await;
    }

    let response = delete_as(&app, &format!("/api/v1/resumes/{resume}"), &jane).await;
    assert_eq!(response.status(), 204);
    let withdrawn = json_of(
        get_as(&app, &format!("{APPLICATIONS}/{open}"), &recruiter).await,
        200,
    )
    .await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["resume_id"], Value::Null);
    let last = withdrawn["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&last["from_status"], &last["to_status"], &last["note"]),
        (
            &json!("reviewing"),
            &json!("withdrawn"),
            &json!("resume deleted")
        )
    );
    let closed = json_of(
        get_as(&app, &format!("{APPLICATIONS}/{hired}"), &jane).await,
        200,
    )
    .await;
    assert_eq!(
        closed["status"], "hired",
        "a closed application keeps its outcome"
    );
    assert_eq!(closed["resume_id"], Value::Null);

    let response = delete_as(&app, &format!("/api/v1/jobs/{third}"), &recruiter).await;
    assert_eq!(response.status(), 204);
    let (status, _, _) =
        expect_error(get_as(&app, &format!("{APPLICATIONS}/{on_deleted_job}"), &jane).await).await;
    assert_eq!(status, 404);
    let list = json_of(get_as(&app, APPLICATIONS, &jane).await, 200).await;
    assert_eq!(list["total"], 2);
}

on_both_backends!(
    a_candidate_applies_once_per_job_and_sees_the_score_and_history,
    applying_needs_an_own_resume_and_an_open_job,
    candidates_never_learn_of_other_candidates_applications,
    recruiters_move_applications_through_the_pipeline_with_history_and_audit,
    a_candidate_withdraws_an_open_application_but_not_a_closed_one,
    application_lists_filter_sort_and_paginate,
    deleting_a_resume_withdraws_its_open_applications_and_deleting_a_job_removes_its_own,
);
