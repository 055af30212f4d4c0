//! Every JSON body, query string and path: malformed JSON and fields or parameters of the
//! wrong type are a 422 naming the field and the reason.

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::auth_support::{get_as, post_as, user_with_token, with_token};
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: String,
) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    with_token(app.client.request(method, app.url(path)), token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request")
}

/// Answers (field, reason) of a 422 `validation_failed`.
async fn expect_field_error(response: reqwest::Response, what: &str) -> (String, String) {
    let (status, code, body) = expect_error(response).await;
    assert_eq!(
        (status, code.as_str()),
        (422, "validation_failed"),
        "{what}: {body}"
    );
    let details = &body["error"]["details"];
    let field = details["field"].as_str().unwrap_or_default().to_owned();
    let reason = details["reason"].as_str().unwrap_or_default().to_owned();
    assert!(!reason.is_empty(), "{what}: {body}");
    (field, reason)
}

async fn every_json_body_names_the_bad_field_and_the_reason(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (admin_id, admin) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let job = json!({"title": "Rust Engineer", "description": "Build services in Rust."});
    let response = post_as(&app, "/api/v1/jobs", &admin, &job).await;
    let job_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let part = reqwest::multipart::Part::bytes(b"Jane Example\nBackend Engineer\n".to_vec())
        .file_name("cv.txt");
    let resume: Value = with_token(app.client.post(app.url("/api/v1/resumes/upload")), &admin)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resume_id = resume["resume"]["id"].as_i64().expect("uploaded");

    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "POST",
            "/api/v1/auth/register".into(),
            json!({"email": 5, "password": "x"}),
            "email",
        ),
        (
            "POST",
            "/api/v1/auth/login".into(),
            json!({"email": "a@b.co", "password": 1}),
            "password",
        ),
        (
            "POST",
            "/api/v1/auth/refresh".into(),
            json!({"refresh_token": []}),
            "refresh_token",
        ),
        (
            "POST",
            "/api/v1/auth/totp/verify".into(),
            json!({"code": 123456}),
            "code",
        ),
        (
            "POST",
            "/api/v1/admin/users/create".into(),
            json!({"email": "x@y.co", "password": "long enough pw", "role": 7}),
            "role",
        ),
        (
            "PUT",
            format!("/api/v1/admin/users/{admin_id}/update"),
            json!({"status": true}),
            "status",
        ),
        (
            "POST",
            "/api/v1/admin/api-keys".into(),
            json!({"name": "k", "role": "admin", "expires_in_days": "soon"}),
            "expires_in_days",
        ),
        (
            "POST",
            "/api/v1/jobs".into(),
            json!({"title": "T", "description": "D", "salary_min": "lots"}),
            "salary_min",
        ),
        (
            "PUT",
            format!("/api/v1/jobs/{job_id}/update"),
            json!({"title": ["T"], "description": "D"}),
            "title",
        ),
        (
            "PUT",
            format!("/api/v1/jobs/{job_id}/status"),
            json!({"status": 3}),
            "status",
        ),
        (
            "POST",
            "/api/v1/jobs/search".into(),
            json!({"limit": "ten"}),
            "limit",
        ),
        (
            "POST",
            "/api/v1/resumes/search".into(),
            json!({"query": 1}),
            "query",
        ),
        (
            "PUT",
            format!("/api/v1/resumes/{resume_id}/update"),
            json!({"profile": 5}),
            "profile",
        ),
        (
            "POST",
            "/api/v1/jobs/applications".into(),
            json!({"job_id": "the rust one", "resume_id": resume_id}),
            "job_id",
        ),
        (
            "POST",
            "/api/v1/jobs/applications/1/withdraw".into(),
            json!({"note": 5}),
            "note",
        ),
        (
            "PUT",
            "/api/v1/jobs/applications/1/status".into(),
            json!({"status": "reviewing", "note": ["n"]}),
            "note",
        ),
        (
            "PUT",
            format!("/api/v1/profile/{admin_id}/update"),
            json!({"open_to_work": "yes"}),
            "open_to_work",
        ),
        (
            "POST",
            "/api/v1/profile/skills/update".into(),
            json!({"changes": [{"action": "add", "text": "Rust", "rating": "high"}]}),
            "changes[0].rating",
        ),
        (
            "POST",
            "/api/v1/auth/register".into(),
            json!({"password": "x"}),
            "email",
        ),
    ];
    for (method, path, body, field) in cases {
        let what = format!("{method} {path} {body}");
        let response = send(&app, method, &path, &admin, body.to_string()).await;
        let (got, reason) = expect_field_error(response, &what).await;
        assert_eq!(got, field, "{what}: {reason}");
        assert!(!reason.contains(" at line "), "{what}: {reason}");

        let response = send(&app, method, &path, &admin, "{ not json".into()).await;
        let (got, reason) = expect_field_error(response, &what).await;
        assert_eq!(got, "body", "{what}");
        assert!(reason.starts_with("invalid JSON"), "{what}: {reason}");
    }
}

async fn nested_fields_are_named_by_their_path(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "ada@example.com", Role::Candidate).await;
    let body = json!({"query": "rust", "filters": {"salary_min": "high"}});
    let response = post_as(&app, "/api/v1/jobs/search", &token, &body).await;
    let (field, reason) = expect_field_error(response, "salary_min").await;
    assert_eq!(field, "filters.salary_min");
    assert!(reason.contains("invalid type"), "{reason}");
    let body = json!({"query": "rust", "colour": "blue"});
    let response = post_as(&app, "/api/v1/jobs/search", &token, &body).await;
    let (field, reason) = expect_field_error(response, "unknown").await;
    assert_eq!(field, "colour");
    assert!(reason.starts_with("unknown field"), "{reason}");
}

async fn query_and_path_parameters_of_the_wrong_type_name_the_parameter(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (id, token) = user_with_token(&app, "rita@example.com", Role::Recruiter).await;
    for (path, field) in [
        (format!("/api/v1/jobs/matches/{id}?limit=ten"), "limit"),
        (format!("/api/v1/jobs/matches/{id}?blind=maybe"), "blind"),
        ("/api/v1/jobs/1/candidates?limit=-1".into(), "limit"),
        (
            "/api/v1/matches/explain?resume_id=x&job_id=1".into(),
            "resume_id",
        ),
        ("/api/v1/matches/explain?resume_id=1".into(), "job_id"),
        (
            "/api/v1/matches/explain?resume_id=1&job_id=1&colour=red".into(),
            "colour",
        ),
        ("/api/v1/resumes/1/similar?limit=many".into(), "limit"),
        ("/api/v1/jobs/abc".into(), "job_id"),
        ("/api/v1/jobs/matches/me".into(), "user_id"),
        ("/api/v1/resumes/99999999999999999999".into(), "resume_id"),
        (
            "/api/v1/jobs/applications?job_id=1&colour=red".into(),
            "colour",
        ),
        ("/api/v1/jobs/applications/first".into(), "application_id"),
        ("/api/v1/profile/me".into(), "user_id"),
    ] {
        let response = get_as(&app, &path, &token).await;
        let (got, reason) = expect_field_error(response, &path).await;
        assert_eq!(got, field, "{path}: {reason}");
    }
    let response = get_as(&app, "/api/v1/jobs/abc", &token).await;
    let (_, reason) = expect_field_error(response, "job id").await;
    assert_eq!(reason, "cannot parse `abc` as i64");
}

on_both_backends!(
    every_json_body_names_the_bad_field_and_the_reason,
    nested_fields_are_named_by_their_path,
    query_and_path_parameters_of_the_wrong_type_name_the_parameter,
);
