use intellicv_core::Role;
use serde_json::json;

use crate::auth_support::*;
use crate::helpers::{Backend, expect_error, spawn_app};
use crate::on_both_backends;

async fn get_with_key(app: &crate::helpers::TestApp, path: &str, key: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap()
}

async fn an_admin_creates_lists_uses_and_revokes_api_keys(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (admin_id, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let response = post_as(
        &app,
        "/api/v1/admin/api-keys",
        &admin,
        &json!({"name": "ingest worker", "role": "admin", "expires_in_days": 30}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with(&format!("icv_{}_", created["prefix"].as_str().unwrap())));
    assert_eq!(created["role"], "admin");
    assert_eq!(created["created_by"], admin_id);
    assert!(created["expires_at"].is_string());
    assert!(created.get("key_hash").is_none());

    let recruiter_key: serde_json::Value = post_as(
        &app,
        "/api/v1/admin/api-keys",
        &admin,
        &json!({"name": "matcher", "role": "recruiter"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let recruiter_key = recruiter_key["key"].as_str().unwrap().to_owned();

    let list: serde_json::Value = get_as(&app, "/api/v1/admin/api-keys", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["name"], "matcher", "newest first");
    assert!(list["items"][0].get("key").is_none());
    assert!(
        !list.to_string().contains(&key[20..]),
        "the secret is never listed"
    );

    // Keys act with their role.
    assert_eq!(
        get_with_key(&app, "/api/v1/admin/users/list", &key)
            .await
            .status(),
        200
    );
    let (status, code, _) =
        expect_error(get_with_key(&app, "/api/v1/admin/users/list", &recruiter_key).await).await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let (status, _, _) = expect_error(get_with_key(&app, "/api/v1/auth/me", &key).await).await;
    assert_eq!(status, 403, "a key has no user account");

    // A key's admin actions are audited with the key as the actor.
    let by_key = app
        .client
        .post(app.url("/api/v1/admin/users/create"))
        .header("x-api-key", &key)
        .json(&json!({"email": "made@example.com", "password": PASSWORD, "role": "candidate"}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_key.status(), 201);
    let rows = audit_rows(&app, "admin.user_create").await;
    assert_eq!(
        (rows[0].actor_user_id, rows[0].actor_api_key_id),
        (None, created["id"].as_i64())
    );

    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/api-keys/{id}");
    assert_eq!(delete_as(&app, &path, &admin).await.status(), 204);
    let (status, code, _) =
        expect_error(get_with_key(&app, "/api/v1/admin/users/list", &key).await).await;
    assert_eq!((status, code.as_str()), (401, "invalid_api_key"));
    let list: serde_json::Value = get_as(&app, "/api/v1/admin/api-keys", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "revoked keys are hidden by default");
    let all: serde_json::Value =
        get_as(&app, "/api/v1/admin/api-keys?include_revoked=true", &admin)
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(all["total"], 2);
    assert!(all["items"][1]["revoked_at"].is_string());
    assert_eq!(
        delete_as(&app, "/api/v1/admin/api-keys/9999", &admin)
            .await
            .status(),
        404
    );

    assert_eq!(audit_rows(&app, "admin.api_key_create").await.len(), 2);
    let revokes = audit_rows(&app, "admin.api_key_revoke").await;
    assert_eq!(
        revokes[0].target_id.as_deref(),
        Some(id.to_string().as_str())
    );
}

async fn made_up_keys_get_401(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for key in ["", "icv_000000000000_secret", "nonsense", "icv_zz_zz"] {
        let (status, code, _) =
            expect_error(get_with_key(&app, "/api/v1/admin/users/list", key).await).await;
        assert_eq!((status, code.as_str()), (401, "invalid_api_key"), "{key:?}");
    }
}

async fn bad_key_requests_get_422_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    for (body, field) in [
        (json!({"name": " ", "role": "admin"}), "name"),
        (json!({"name": "x", "role": "root"}), "role"),
        (
            json!({"name": "x", "role": "admin", "expires_in_days": 0}),
            "expires_in_days",
        ),
    ] {
        let (status, _, error) =
            expect_error(post_as(&app, "/api/v1/admin/api-keys", &admin, &body).await).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(error["error"]["details"]["field"], field);
    }
    let (status, _, error) =
        expect_error(get_as(&app, "/api/v1/admin/api-keys?per_page=500", &admin).await).await;
    assert_eq!(
        (status, error["error"]["details"]["field"].as_str()),
        (422, Some("per_page"))
    );
}

async fn the_key_list_sorts_by_name_id_and_created_at(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    for name in ["beta", "alpha", "gamma"] {
        let body = json!({"name": name, "role": "recruiter"});
        let response = post_as(&app, "/api/v1/admin/api-keys", &admin, &body).await;
        assert_eq!(response.status(), 201, "{name}");
    }
    let names = |list: serde_json::Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["name"].as_str().unwrap().to_owned())
            .collect()
    };
    for (query, expected) in [
        ("?sort=name&order=asc", ["alpha", "beta", "gamma"]),
        ("?sort=name&order=desc", ["gamma", "beta", "alpha"]),
        ("?sort=id&order=asc", ["beta", "alpha", "gamma"]),
        ("?sort=id&order=desc", ["gamma", "alpha", "beta"]),
        ("?sort=created_at&order=asc", ["beta", "alpha", "gamma"]),
    ] {
        let response = get_as(&app, &format!("/api/v1/admin/api-keys{query}"), &admin).await;
        assert_eq!(response.status(), 200, "{query}");
        assert_eq!(names(response.json().await.unwrap()), expected, "{query}");
    }
    expect_422_fields(
        &app,
        "/api/v1/admin/api-keys",
        &admin,
        &[("?sort=key_hash", "sort"), ("?order=sideways", "order")],
    )
    .await;
}

on_both_backends!(
    an_admin_creates_lists_uses_and_revokes_api_keys,
    made_up_keys_get_401,
    bad_key_requests_get_422_naming_the_field,
    the_key_list_sorts_by_name_id_and_created_at,
);
