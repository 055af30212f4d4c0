use serde_json::json;

use crate::helpers::{Backend, expect_error, spawn_app};
use crate::on_both_backends;

async fn registering_creates_a_candidate_without_exposing_the_hash(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": " Ada@Example.com", "password": "a long enough secret", "display_name": "Ada"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["role"], "candidate");
    assert_eq!(body["status"], "active");
    assert!(body.get("password_hash").is_none());
    let stored = app
        .store
        .get_user(body["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
}

async fn registering_twice_with_one_email_gets_a_409(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let body = json!({"email": "bob@example.com", "password": "a long enough secret"});
    assert_eq!(
        app.post_json("/api/v1/auth/register", &body).await.status(),
        201
    );
    let again = json!({"email": "BOB@example.com", "password": "another long secret"});
    let (status, code, _) =
        expect_error(app.post_json("/api/v1/auth/register", &again).await).await;
    assert_eq!((status, code.as_str()), (409, "email_taken"));
}

async fn invalid_fields_get_a_422_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let cases = [
        (
            json!({"email": "not-an-email", "password": "a long enough secret"}),
            "email",
        ),
        (
            json!({"email": "c@example.com", "password": "short"}),
            "password",
        ),
    ];
    for (body, field) in cases {
        let (status, code, body) =
            expect_error(app.post_json("/api/v1/auth/register", &body).await).await;
        assert_eq!((status, code.as_str()), (422, "validation_failed"));
        assert_eq!(body["error"]["details"]["field"], field);
        assert!(body["error"]["details"]["reason"].is_string());
    }
}

on_both_backends!(
    registering_creates_a_candidate_without_exposing_the_hash,
    registering_twice_with_one_email_gets_a_409,
    invalid_fields_get_a_422_naming_the_field,
);
