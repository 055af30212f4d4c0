use std::time::{SystemTime, UNIX_EPOCH};

use intellicv_core::Role;
use serde_json::json;
use totp_rs::{Builder, Secret};

use intellicv_app::auth::sealing::SecretCipher;

use crate::auth_support::*;
use crate::helpers::{Backend, expect_error, spawn_app};
use crate::on_both_backends;

/// The code an authenticator app shows for `secret`, `offset_secs` from now.
fn code(secret: &str, offset_secs: u64) -> String {
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now + offset_secs).to_string()
}

fn other_code(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

/// A secret sealed under another server secret (the key was rotated) makes the login a
/// clear 409, not a 500; an admin resets the factor and the user signs in again.
async fn an_unreadable_totp_secret_is_a_409_until_an_admin_resets_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (id, token) = user_with_token(&app, "lost@example.com", Role::Admin).await;
    let (_, admin) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let setup: serde_json::Value = post_as(&app, "/api/v1/auth/totp/setup", &token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let verify = post_as(
        &app,
        "/api/v1/auth/totp/verify",
        &token,
        &json!({ "code": code(&secret, 0) }),
    )
    .await;
    assert_eq!(verify.status(), 200);
    // The same secret, sealed with a key from another server secret.
    let stored = app.store.totp_state(id).await.unwrap().totp_secret.unwrap();
    let other = SecretCipher::derive(b"a server secret from before the rotation", "totp");
    assert!(
        app.store
            .replace_totp_secret(id, &stored, &other.seal(id, &secret))
            .await
            .unwrap()
    );
    let credentials = json!({
        "email": "lost@example.com", "password": PASSWORD, "totp": code(&secret, 30)
    });
    let (status, code_name, body) = expect_error(login_json(&app, credentials).await).await;
    assert_eq!(
        (status, code_name.as_str()),
        (409, "totp_unreadable"),
        "{body}"
    );

    let path = format!("/api/v1/admin/users/{id}/totp");
    let (status, _, _) = expect_error(delete_as(&app, &path, &candidate).await).await;
    assert_eq!(status, 403, "only admins reset a second factor");
    let (status, _, _) =
        expect_error(delete_as(&app, "/api/v1/admin/users/999999/totp", &admin).await).await;
    assert_eq!(status, 404);
    assert_eq!(delete_as(&app, &path, &admin).await.status(), 204);
    assert_eq!(audit_rows(&app, "admin.user_totp_reset").await.len(), 1);
    let state = app.store.totp_state(id).await.unwrap();
    assert!(state.totp_secret.is_none() && state.totp_enabled_at.is_none());
    // The password alone signs in again, and the factor can be set up anew.
    let token = access_token(&login(&app, "lost@example.com").await);
    let response = post_as(&app, "/api/v1/auth/totp/setup", &token, &json!({})).await;
    assert_eq!(response.status(), 200);
}

async fn an_admin_enables_totp_and_then_needs_a_fresh_code_to_log_in(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (id, token) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let response = post_as(&app, "/api/v1/auth/totp/setup", &token, &json!({})).await;
    assert_eq!(response.status(), 200);
    let setup: serde_json::Value = response.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let url = setup["otpauth_url"].as_str().unwrap();
    assert!(
        url.starts_with("otpauth://totp/IntelliCV:root%40example.com?"),
        "{url}"
    );
    assert!(url.contains(&format!("secret={secret}")));

    // Not on until verified: login still works without a code.
    login(&app, "root@example.com").await;
    let verify = |code: String| {
        let token = token.clone();
        let app = &app;
        async move {
            post_as(
                app,
                "/api/v1/auth/totp/verify",
                &token,
                &json!({ "code": code }),
            )
            .await
        }
    };
    let now_code = code(&secret, 0);
    let (status, code_name, body) = expect_error(verify(other_code(&now_code)).await).await;
    assert_eq!((status, code_name.as_str()), (422, "validation_failed"));
    assert_eq!(body["error"]["details"]["field"], "code");
    assert_eq!(verify(now_code.clone()).await.status(), 200);
    let me: serde_json::Value = get_as(&app, "/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(me["totp_enabled_at"].is_string());

    let credentials = |totp: Option<&str>| {
        let mut body = json!({"email": "root@example.com", "password": PASSWORD});
        if let Some(code) = totp {
            body["totp"] = json!(code);
        }
        body
    };
    let (status, code_name, _) = expect_error(login_json(&app, credentials(None)).await).await;
    assert_eq!((status, code_name.as_str()), (401, "totp_required"));
    let (status, code_name, _) =
        expect_error(login_json(&app, credentials(Some(&other_code(&now_code)))).await).await;
    assert_eq!((status, code_name.as_str()), (401, "invalid_totp"));
    // The code that enabled the factor is spent; the next step's code is accepted once.
    let (status, code_name, _) =
        expect_error(login_json(&app, credentials(Some(&now_code))).await).await;
    assert_eq!((status, code_name.as_str()), (401, "invalid_totp"));
    let next = code(&secret, 30);
    assert_eq!(
        login_json(&app, credentials(Some(&next))).await.status(),
        200
    );
    assert_eq!(
        login_json(&app, credentials(Some(&next))).await.status(),
        401
    );

    // Once on, it cannot be set up again (that would let a stolen session replace it).
    let (status, code_name, _) =
        expect_error(post_as(&app, "/api/v1/auth/totp/setup", &token, &json!({})).await).await;
    assert_eq!((status, code_name.as_str()), (409, "totp_already_enabled"));

    assert_eq!(audit_rows(&app, "auth.totp_setup").await.len(), 1);
    let enables = audit_rows(&app, "auth.totp_enable").await;
    assert_eq!(enables.len(), 2);
    assert_eq!(enables[0].outcome, "success");
    assert_eq!(enables[1].outcome, "failure");
    assert_eq!(enables[0].actor_user_id, Some(id));
    let totp_failures = audit_rows(&app, "auth.login")
        .await
        .into_iter()
        .filter(|r| r.details.0["reason"] == "invalid_totp")
        .count();
    assert_eq!(totp_failures, 3);
}

async fn verifying_without_a_setup_is_a_conflict(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "ops@example.com", Role::Admin).await;
    let (status, code_name, _) = expect_error(
        post_as(
            &app,
            "/api/v1/auth/totp/verify",
            &token,
            &json!({"code": "123456"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code_name.as_str()), (409, "totp_not_set_up"));
}

on_both_backends!(
    an_unreadable_totp_secret_is_a_409_until_an_admin_resets_it,
    an_admin_enables_totp_and_then_needs_a_fresh_code_to_log_in,
    verifying_without_a_setup_is_a_conflict,
);
