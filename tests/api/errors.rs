use crate::helpers::{Backend, expect_error, spawn_app, spawn_app_with};
use crate::on_both_backends;

async fn unknown_routes_get_a_json_404(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for path in ["/nope", "/api/v1/nope", "/api/v2/auth/register"] {
        let (status, code, _) = expect_error(app.get(path).await).await;
        assert_eq!((status, code.as_str()), (404, "not_found"), "{path}");
    }
}

async fn a_wrong_method_gets_a_json_405_with_allow(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app.get("/api/v1/auth/register").await;
    assert!(response.headers().contains_key("allow"));
    let (status, code, _) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (405, "method_not_allowed"));
}

async fn malformed_json_gets_a_422_naming_the_body_and_the_reason(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{\"email\": \"a@b.co\", ")
        .send()
        .await
        .unwrap();
    let (status, code, body) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(body["error"]["details"]["field"], "body");
    let reason = body["error"]["details"]["reason"].as_str().unwrap();
    assert!(reason.starts_with("invalid JSON"), "{body}");
}

async fn json_of_the_wrong_shape_gets_a_422(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .post_json("/api/v1/auth/register", &serde_json::json!({"email": 5}))
        .await;
    let (status, code, body) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(body["error"]["details"]["field"], "email");
    let reason = body["error"]["details"]["reason"].as_str().unwrap();
    assert!(reason.starts_with("invalid type: integer `5`"), "{body}");
}

async fn a_body_without_a_json_content_type_gets_a_415(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, code, _) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (415, "unsupported_media_type"));
}

async fn an_oversized_body_gets_a_json_413(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.server.max_body_bytes = 1024).await else {
        return;
    };
    let big = format!(
        "{{\"email\": \"a@b.co\", \"password\": \"{}\"}}",
        "x".repeat(4096)
    );
    let response = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (status, code, _) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (413, "payload_too_large"));
}

async fn responses_carry_a_request_id_and_keep_a_given_one(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
    let generated = app.get("/nope").await;
    assert!(!generated.headers()["x-request-id"].is_empty());
}

async fn responses_are_compressed_when_the_client_asks(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .client
        .get(app.url("/nope"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

on_both_backends!(
    unknown_routes_get_a_json_404,
    a_wrong_method_gets_a_json_405_with_allow,
    malformed_json_gets_a_422_naming_the_body_and_the_reason,
    json_of_the_wrong_shape_gets_a_422,
    a_body_without_a_json_content_type_gets_a_415,
    an_oversized_body_gets_a_json_413,
    responses_carry_a_request_id_and_keep_a_given_one,
    responses_are_compressed_when_the_client_asks,
);
