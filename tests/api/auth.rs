use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use intellicv_core::Role;
use serde_json::json;

use crate::auth_support::*;
use crate::helpers::{Backend, expect_error, spawn_app, spawn_app_with};
use crate::on_both_backends;

async fn the_password_form_answers_a_bearer_token_pair_that_opens_me(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let id = create_user(&app, "ada@example.com", Role::Recruiter).await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "Ada@Example.com"),
            ("password", PASSWORD),
            ("scope", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let pair: serde_json::Value = response.json().await.unwrap();
    assert_eq!(pair["token_type"], "bearer");
    assert_eq!(pair["expires_in"], 900);
    assert!(pair["refresh_token"].as_str().unwrap().len() >= 40);
    assert_eq!(access_token(&pair).split('.').count(), 3, "a JWT");

    let me = get_as(&app, "/api/v1/auth/me", &access_token(&pair)).await;
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["id"], id);
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["role"], "recruiter");
    assert!(me["last_login_at"].is_string());
    assert!(me.get("password_hash").is_none());

    let rows = audit_rows(&app, "auth.login").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "success");
    assert_eq!(rows[0].actor_user_id, Some(id));
    assert_eq!(rows[0].ip.as_deref(), Some("127.0.0.1"));
}

async fn the_token_form_also_takes_the_refresh_grant_and_names_missing_fields(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    create_user(&app, "bob@example.com", Role::Candidate).await;
    let pair = login(&app, "bob@example.com").await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token(&pair).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let form = |fields: &'static [(&'static str, &'static str)]| {
        app.client
            .post(app.url("/api/v1/auth/token"))
            .form(fields)
            .send()
    };
    let (status, code, body) = expect_error(form(&[("password", PASSWORD)]).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(body["error"]["details"]["field"], "username");
    let (status, _, body) =
        expect_error(form(&[("grant_type", "client_credentials")]).await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["details"]["field"], "grant_type");
}

async fn a_wrong_password_or_unknown_email_gets_the_same_401(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    create_user(&app, "carol@example.com", Role::Candidate).await;
    let ok = login_json(
        &app,
        json!({"email": "carol@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(ok.status(), 200);
    for body in [
        json!({"email": "carol@example.com", "password": "not the password"}),
        json!({"email": "nobody@example.com", "password": PASSWORD}),
        json!({"email": "not an email", "password": PASSWORD}),
    ] {
        let response = login_json(&app, body).await;
        assert_eq!(challenge(&response), "Bearer");
        let (status, code, body) = expect_error(response).await;
        assert_eq!((status, code.as_str()), (401, "invalid_credentials"));
        assert_eq!(body["error"]["message"], "wrong email or password");
    }
    let failures = audit_rows(&app, "auth.login").await;
    assert_eq!(
        failures.iter().filter(|r| r.outcome == "failure").count(),
        3
    );
}

async fn missing_tampered_and_foreign_tokens_get_401_with_a_bearer_challenge(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "dan@example.com", Role::Admin).await;
    let response = app.get("/api/v1/auth/me").await;
    assert_eq!(challenge(&response), "Bearer");
    let (status, code, _) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (401, "missing_credentials"));

    // Change one character of the signature, then of the payload.
    let mut bad_signature = token.clone().into_bytes();
    let last = bad_signature.len() - 2;
    bad_signature[last] = if bad_signature[last] == b'A' {
        b'B'
    } else {
        b'A'
    };
    // Claim a role the user does not have, keeping the original signature.
    let mut parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = json!("999");
    let other_payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    parts[1] = &other_payload;
    let foreign = {
        let claims = json!({"sub": "1", "role": "admin", "iat": 0, "exp": 4_000_000_000i64,
                            "jti": "x", "sid": "s", "iss": "intellicv"});
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"someone else's secret, 32+ bytes long"),
        )
        .unwrap()
    };
    for bad in [
        String::from_utf8(bad_signature).unwrap(),
        parts.join("."),
        foreign,
        "abc".into(),
    ] {
        let response = get_as(&app, "/api/v1/auth/me", &bad).await;
        assert_eq!(challenge(&response), "Bearer error=\"invalid_token\"");
        let (status, code, _) = expect_error(response).await;
        assert_eq!((status, code.as_str()), (401, "invalid_token"), "{bad}");
    }
}

async fn an_expired_access_token_gets_401(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.auth.access_token_ttl_secs = 1).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "erin@example.com", Role::Candidate).await;
    assert_eq!(get_as(&app, "/api/v1/auth/me", &token).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, code, _) = expect_error(get_as(&app, "/api/v1/auth/me", &token).await).await;
    assert_eq!((status, code.as_str()), (401, "token_expired"));
}

async fn refresh_rotates_and_reusing_a_spent_token_revokes_the_family(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let id = create_user(&app, "fay@example.com", Role::Candidate).await;
    let first = login(&app, "fay@example.com").await;
    let other_device = login(&app, "fay@example.com").await;

    let response = refresh(&app, &refresh_token(&first)).await;
    assert_eq!(response.status(), 200);
    let second: serde_json::Value = response.json().await.unwrap();
    assert_ne!(refresh_token(&second), refresh_token(&first));
    assert_ne!(access_token(&second), access_token(&first));
    assert_eq!(
        get_as(&app, "/api/v1/auth/me", &access_token(&second))
            .await
            .status(),
        200
    );

    // The spent token comes back: someone copied it. The family ends.
    let (status, code, _) = expect_error(refresh(&app, &refresh_token(&first)).await).await;
    assert_eq!((status, code.as_str()), (401, "refresh_token_reused"));
    let (status, code, _) = expect_error(refresh(&app, &refresh_token(&second)).await).await;
    assert_eq!((status, code.as_str()), (401, "invalid_refresh_token"));
    for token in [access_token(&first), access_token(&second)] {
        assert_eq!(get_as(&app, "/api/v1/auth/me", &token).await.status(), 401);
    }
    // Another login (another family) is untouched.
    assert_eq!(
        get_as(&app, "/api/v1/auth/me", &access_token(&other_device))
            .await
            .status(),
        200
    );
    assert_eq!(
        refresh(&app, &refresh_token(&other_device)).await.status(),
        200
    );

    let reuse = audit_rows(&app, "auth.refresh_reuse_detected").await;
    assert_eq!(reuse.len(), 1);
    assert_eq!(
        (reuse[0].actor_user_id, reuse[0].outcome.as_str()),
        (Some(id), "denied")
    );
    let (status, code, _) = expect_error(refresh(&app, "never issued").await).await;
    assert_eq!((status, code.as_str()), (401, "invalid_refresh_token"));
}

async fn logout_ends_the_session_and_its_tokens(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    create_user(&app, "gus@example.com", Role::Recruiter).await;
    let pair = login(&app, "gus@example.com").await;
    let kept = login(&app, "gus@example.com").await;
    let response = post_as(
        &app,
        "/api/v1/auth/logout",
        &access_token(&pair),
        &json!({}),
    )
    .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        get_as(&app, "/api/v1/auth/me", &access_token(&pair))
            .await
            .status(),
        401
    );
    let (status, code, _) = expect_error(refresh(&app, &refresh_token(&pair)).await).await;
    assert_eq!((status, code.as_str()), (401, "invalid_refresh_token"));
    assert_eq!(
        get_as(&app, "/api/v1/auth/me", &access_token(&kept))
            .await
            .status(),
        200
    );
    assert_eq!(audit_rows(&app, "auth.logout").await.len(), 1);
    let anonymous = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

async fn roles_are_enforced_with_403(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, candidate) = user_with_token(&app, "hal@example.com", Role::Candidate).await;
    let (_, recruiter) = user_with_token(&app, "ivy@example.com", Role::Recruiter).await;
    let (_, admin) = user_with_token(&app, "jon@example.com", Role::Admin).await;
    for token in [&candidate, &recruiter] {
        let (status, code, _) =
            expect_error(get_as(&app, "/api/v1/admin/users/list", token).await).await;
        assert_eq!((status, code.as_str()), (403, "forbidden"));
        let (status, _, _) =
            expect_error(post_as(&app, "/api/v1/auth/totp/setup", token, &json!({})).await).await;
        assert_eq!(status, 403);
    }
    assert_eq!(
        get_as(&app, "/api/v1/admin/users/list", &admin)
            .await
            .status(),
        200
    );
}

async fn a_demoted_or_disabled_user_loses_access_at_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "kim@example.com", Role::Admin).await;
    let (id, other) = user_with_token(&app, "lee@example.com", Role::Admin).await;
    assert_eq!(
        get_as(&app, "/api/v1/admin/users/list", &other)
            .await
            .status(),
        200
    );
    let path = format!("/api/v1/admin/users/{id}/update");
    assert_eq!(
        put_as(&app, &path, &admin, &json!({"role": "recruiter"}))
            .await
            .status(),
        200
    );
    assert_eq!(
        get_as(&app, "/api/v1/admin/users/list", &other)
            .await
            .status(),
        403
    );
    assert_eq!(
        put_as(&app, &path, &admin, &json!({"status": "disabled"}))
            .await
            .status(),
        200
    );
    assert_eq!(get_as(&app, "/api/v1/auth/me", &other).await.status(), 401);
    let (status, code, _) = expect_error(
        login_json(
            &app,
            json!({"email": "lee@example.com", "password": PASSWORD}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "account_disabled"));
}

async fn repeated_failed_logins_get_429_with_retry_after(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.auth.max_failed_logins_per_account = 3;
        s.auth.max_failed_logins_per_ip = 5;
        s.auth.failed_login_window_secs = 600;
    })
    .await
    else {
        return;
    };
    create_user(&app, "mia@example.com", Role::Candidate).await;
    create_user(&app, "ned@example.com", Role::Candidate).await;
    let wrong = json!({"email": "mia@example.com", "password": "wrong password!"});
    for _ in 0..3 {
        assert_eq!(login_json(&app, wrong.clone()).await.status(), 401);
    }
    // Now even the right password waits.
    let response = login_json(
        &app,
        json!({"email": "mia@example.com", "password": PASSWORD}),
    )
    .await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((590..=600).contains(&retry_after), "{retry_after}");
    let (status, code, body) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (429, "rate_limited"));
    assert_eq!(body["error"]["details"]["retry_after_secs"], retry_after);
    // Another account from the same IP still works until the IP's limit.
    assert_eq!(login(&app, "ned@example.com").await["token_type"], "bearer");
    let wrong_ned = json!({"email": "ned@example.com", "password": "wrong password!"});
    assert_eq!(login_json(&app, wrong_ned.clone()).await.status(), 401);
    assert_eq!(login_json(&app, wrong_ned.clone()).await.status(), 401);
    let response = login_json(
        &app,
        json!({"email": "ned@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status(), 429, "the IP used up its 5 failures");
    let denied = audit_rows(&app, "auth.login").await;
    assert_eq!(denied.iter().filter(|r| r.outcome == "denied").count(), 2);
}

on_both_backends!(
    the_password_form_answers_a_bearer_token_pair_that_opens_me,
    the_token_form_also_takes_the_refresh_grant_and_names_missing_fields,
    a_wrong_password_or_unknown_email_gets_the_same_401,
    missing_tampered_and_foreign_tokens_get_401_with_a_bearer_challenge,
    an_expired_access_token_gets_401,
    refresh_rotates_and_reusing_a_spent_token_revokes_the_family,
    logout_ends_the_session_and_its_tokens,
    roles_are_enforced_with_403,
    a_demoted_or_disabled_user_loses_access_at_once,
    repeated_failed_logins_get_429_with_retry_after,
);
