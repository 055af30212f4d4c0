//! Issue 17, auth: the login throttle under concurrency, API keys bound to their creator's
//! current rights, the last active admin, password strength, TOTP secrets sealed at rest,
//! and private data files.

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::auth_support::*;
use crate::helpers::{Backend, TestApp, expect_error, spawn_app, spawn_app_with};
use crate::on_both_backends;

fn with_key(request: reqwest::RequestBuilder, key: &str) -> reqwest::RequestBuilder {
    request.header("x-api-key", key)
}

async fn create_key(app: &TestApp, token: &str, role: &str) -> String {
    let response = post_as(
        app,
        "/api/v1/admin/api-keys",
        token,
        &json!({"name": format!("{role} key"), "role": role}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["key"].as_str().unwrap().to_owned()
}

async fn status_with_key(app: &TestApp, path: &str, key: &str) -> (u16, String) {
    let response = with_key(app.client.get(app.url(path)), key)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        return (200, String::new());
    }
    let (status, code, _) = expect_error(response).await;
    (status, code)
}

async fn forty_concurrent_wrong_logins_for_one_account_check_at_most_five_passwords(
    backend: Backend,
) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.auth.max_failed_logins_per_account = 5;
        s.auth.max_failed_logins_per_ip = 1000;
    })
    .await
    else {
        return;
    };
    create_user(&app, "target@example.com", Role::Candidate).await;
    let wrong = json!({"email": "target@example.com", "password": "not the right one"});
    let answers = futures_util::future::join_all((0..40).map(|_| {
        let (client, url, body) = (app.client.clone(), app.url("/api/v1/auth/login"), &wrong);
        async move { client.post(url).json(body).send().await.unwrap() }
    }))
    .await;
    let mut checked = 0;
    let mut throttled = 0;
    for answer in answers {
        let (status, code, _) = expect_error(answer).await;
        match (status, code.as_str()) {
            (401, "invalid_credentials") => checked += 1,
            (429, "rate_limited") => throttled += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(
        (checked, throttled),
        (5, 35),
        "only the limit's worth of passwords is checked"
    );
    let failures = audit_rows(&app, "auth.login")
        .await
        .into_iter()
        .filter(|r| r.details.0["reason"] == "invalid_credentials")
        .count();
    assert_eq!(failures, 5);
    // Even the right password now waits for the window.
    let response = login_json(
        &app,
        json!({"email": "target@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status(), 429);
}

async fn a_key_is_refused_once_its_creator_is_disabled_or_demoted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (ada_id, ada) = user_with_token(&app, "ada@example.com", Role::Admin).await;
    let (_, bob) = user_with_token(&app, "bob@example.com", Role::Admin).await;
    let admin_key = create_key(&app, &ada, "admin").await;
    let recruiter_key = create_key(&app, &ada, "recruiter").await;
    // A key made with a key answers to the same person.
    let response = with_key(
        app.client.post(app.url("/api/v1/admin/api-keys")),
        &admin_key,
    )
    .json(&json!({"name": "minted", "role": "admin"}))
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let minted: Value = response.json().await.unwrap();
    assert_eq!(minted["created_by"], ada_id);
    let minted = minted["key"].as_str().unwrap().to_owned();
    let admin_path = "/api/v1/admin/users/list";
    assert_eq!(status_with_key(&app, admin_path, &admin_key).await.0, 200);

    let ada_path = format!("/api/v1/admin/users/{ada_id}/update");
    let disable = put_as(&app, &ada_path, &bob, &json!({"status": "disabled"})).await;
    assert_eq!(disable.status(), 200);
    for key in [&admin_key, &minted, &recruiter_key] {
        assert_eq!(
            status_with_key(&app, admin_path, key).await,
            (401, "api_key_creator_lacks_rights".to_owned())
        );
    }

    // Enabled again but demoted to recruiter: the admin keys stay refused, the recruiter
    // key works within its role.
    let demote = put_as(
        &app,
        &ada_path,
        &bob,
        &json!({"status": "active", "role": "recruiter"}),
    )
    .await;
    assert_eq!(demote.status(), 200);
    assert_eq!(
        status_with_key(&app, admin_path, &admin_key).await,
        (401, "api_key_creator_lacks_rights".to_owned())
    );
    assert_eq!(
        status_with_key(&app, admin_path, &recruiter_key).await,
        (403, "forbidden".to_owned()),
        "the recruiter key is accepted, and limited to its role"
    );
    // Made admin again: the key works again (it was never revoked).
    let promote = put_as(&app, &ada_path, &bob, &json!({"role": "admin"})).await;
    assert_eq!(promote.status(), 200);
    assert_eq!(status_with_key(&app, admin_path, &admin_key).await.0, 200);
}

async fn the_last_active_admin_cannot_be_deleted_demoted_or_disabled_even_by_a_key(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (ada_id, ada) = user_with_token(&app, "ada@example.com", Role::Admin).await;
    let key = create_key(&app, &ada, "admin").await;
    let ada_path = format!("/api/v1/admin/users/{ada_id}");
    let update_path = format!("{ada_path}/update");

    let refused = |response: reqwest::Response| async move {
        let (status, code, body) = expect_error(response).await;
        assert_eq!((status, code.as_str()), (409, "last_admin"), "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("last active admin")
        );
    };
    let delete = with_key(app.client.delete(app.url(&ada_path)), &key)
        .send()
        .await
        .unwrap();
    refused(delete).await;
    for change in [json!({"role": "recruiter"}), json!({"status": "disabled"})] {
        let response = with_key(app.client.put(app.url(&update_path)), &key)
            .json(&change)
            .send()
            .await
            .unwrap();
        refused(response).await;
    }
    let ada_now = app.store.get_user(ada_id).await.unwrap();
    assert_eq!(
        (ada_now.role.as_str(), ada_now.status.as_str()),
        ("admin", "active")
    );
    // A harmless change to the last admin still goes through.
    let rename = with_key(app.client.put(app.url(&update_path)), &key)
        .json(&json!({"display_name": "Ada"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rename.status(), 200);

    // With a second active admin, one of them may go; a disabled admin does not count.
    let (bob_id, bob) = user_with_token(&app, "bob@example.com", Role::Admin).await;
    let carl_id = create_user(&app, "carl@example.com", Role::Admin).await;
    let carl_path = format!("/api/v1/admin/users/{carl_id}/update");
    assert_eq!(
        put_as(&app, &carl_path, &ada, &json!({"status": "disabled"}))
            .await
            .status(),
        200
    );
    // Ada and Bob demote each other at the same time: exactly one of them wins.
    let bob_path = format!("/api/v1/admin/users/{bob_id}/update");
    let demote = json!({"role": "candidate"});
    let (first, second) = tokio::join!(
        put_as(&app, &bob_path, &ada, &demote),
        put_as(&app, &update_path, &bob, &demote),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert!(
        statuses == [200, 409] || statuses == [200, 401] || statuses == [200, 403],
        "{statuses:?}"
    );
    let admins = app
        .store
        .list_users(&intellicv_store::UserQuery {
            role: Some(Role::Admin),
            status: Some(intellicv_core::UserStatus::Active),
            email_contains: None,
            sort: intellicv_store::UserSort::Id,
            descending: false,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap()
        .1;
    assert_eq!(admins, 1, "one active admin is left");
}

async fn weak_passwords_are_refused_with_a_422_naming_the_password(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for weak in [
        "aaaaaaaaaa",
        "password123",
        "qwertyuiop",
        "1234567890",
        "zoe@example.com",
    ] {
        let response = app
            .post_json(
                "/api/v1/auth/register",
                &json!({"email": "zoe@example.com", "password": weak}),
            )
            .await;
        let (status, code, body) = expect_error(response).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "validation_failed"),
            "{weak}"
        );
        assert_eq!(body["error"]["details"]["field"], "password", "{weak}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("too easy to guess"), "{weak}: {message}");
        assert!(
            !message.contains(weak),
            "the password is not echoed: {message}"
        );
    }
    let response = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "zoe@example.com", "password": "violet kettle under moss"}),
        )
        .await;
    assert_eq!(response.status(), 201);
}

fn totp_code(secret: &str, offset_secs: u64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now + offset_secs).to_string()
}

async fn totp_secrets_are_stored_sealed_and_legacy_plaintext_ones_keep_working(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (id, token) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let setup: Value = post_as(&app, "/api/v1/auth/totp/setup", &token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let stored = app.store.totp_state(id).await.unwrap().totp_secret.unwrap();
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(!stored.contains(&secret), "the base32 secret is not stored");
    let verify = post_as(
        &app,
        "/api/v1/auth/totp/verify",
        &token,
        &json!({ "code": totp_code(&secret, 0) }),
    )
    .await;
    assert_eq!(verify.status(), 200);
    let login_with = |code: String| {
        let app = &app;
        async move {
            login_json(
                app,
                json!({"email": "root@example.com", "password": PASSWORD, "totp": code}),
            )
            .await
        }
    };
    assert_eq!(login_with(totp_code(&secret, 30)).await.status(), 200);

    // A row from before encryption at rest holds the base32 secret itself.
    let (old_id, old_token) = user_with_token(&app, "old@example.com", Role::Admin).await;
    let legacy = totp_rs::Secret::generate().to_base32();
    assert!(
        app.store
            .set_pending_totp_secret(old_id, &legacy)
            .await
            .unwrap()
    );
    let verify = post_as(
        &app,
        "/api/v1/auth/totp/verify",
        &old_token,
        &json!({ "code": totp_code(&legacy, 0) }),
    )
    .await;
    assert_eq!(verify.status(), 200);
    let resealed = app
        .store
        .totp_state(old_id)
        .await
        .unwrap()
        .totp_secret
        .unwrap();
    assert!(resealed.starts_with("v1:") && !resealed.contains(&legacy));
    let response = login_json(
        &app,
        json!({"email": "old@example.com", "password": PASSWORD, "totp": totp_code(&legacy, 30)}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(
        app.store.plaintext_totp_secrets().await.unwrap().is_empty(),
        "no plaintext secret is left"
    );
}

async fn a_new_data_dir_database_and_key_file_are_private(backend: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let mut fresh = None;
    let Some(app) = spawn_app_with(backend, |s| {
        let dir = s.data_dir.join("fresh").join("data");
        if backend == Backend::Sqlite {
            s.database.url = None;
        }
        s.data_dir = dir.clone();
        fresh = Some(dir);
    })
    .await
    else {
        return;
    };
    let dir = fresh.unwrap();
    // Something is written, so SQLite has its journal files open.
    create_user(&app, "ada@example.com", Role::Candidate).await;
    let mode = |name: &str| {
        std::fs::metadata(dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(""), 0o700, "the data dir");
    assert_eq!(mode("jwt-secret"), 0o600);
    if backend == Backend::Sqlite {
        for file in ["intellicv.db", "intellicv.db-wal", "intellicv.db-shm"] {
            assert_eq!(mode(file), 0o600, "{file}");
        }
    }
}

on_both_backends!(
    forty_concurrent_wrong_logins_for_one_account_check_at_most_five_passwords,
    a_key_is_refused_once_its_creator_is_disabled_or_demoted,
    the_last_active_admin_cannot_be_deleted_demoted_or_disabled_even_by_a_key,
    weak_passwords_are_refused_with_a_422_naming_the_password,
    totp_secrets_are_stored_sealed_and_legacy_plaintext_ones_keep_working,
    a_new_data_dir_database_and_key_file_are_private,
);
