//! Rate limits: per client IP without credentials, per user with them, stricter on
//! `/api/v1/auth/*`; 429 with `Retry-After` in the API's error shape.

use intellicv_app::config::Quota;
use intellicv_core::Role;

use crate::auth_support::{PASSWORD, audit_rows, create_user, get_as, post_as, user_with_token};
use crate::helpers::{Backend, TestApp, expect_error, spawn_app_with};
use crate::on_both_backends;

const GENEROUS: Quota = Quota {
    per_minute: 1_000_000,
    burst: 100_000,
};

/// `per_minute: 1` refills one request a minute, so a test never sees a refill.
fn tight(burst: u32) -> Quota {
    Quota {
        per_minute: 1,
        burst,
    }
}

/// Asserts a 429 in the API's shape whose `Retry-After` agrees with its body; answers the
/// seconds.
async fn expect_429(response: reqwest::Response) -> u64 {
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let (status, code, body) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (429, "rate_limited"), "{body}");
    assert_eq!(body["error"]["details"]["retry_after_secs"], retry_after);
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    retry_after
}

async fn get_from(app: &TestApp, path: &str, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(ip) = forwarded_for {
        request = request.header("x-forwarded-for", ip);
    }
    request.send().await.expect("request")
}

async fn anonymous_requests_over_the_per_ip_limit_get_429_with_retry_after(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.rate_limit.per_ip = tight(3)).await else {
        return;
    };
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/jobs/list").await.status(), 401);
    }
    expect_429(app.get("/api/v1/jobs/list").await).await;
    expect_429(app.get("/nope").await).await;
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "probes are not limited"
    );
    assert_eq!(
        app.get("/readyz").await.status(),
        200,
        "probes are not limited"
    );
}

async fn auth_endpoints_have_a_stricter_limit_of_their_own(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.rate_limit.per_ip = GENEROUS;
        s.rate_limit.auth_per_ip = tight(2);
    })
    .await
    else {
        return;
    };
    let login = serde_json::json!({"email": "nobody@example.com", "password": "wrong password"});
    for _ in 0..2 {
        let response = app.post_json("/api/v1/auth/login", &login).await;
        assert_eq!(response.status(), 401);
    }
    expect_429(app.post_json("/api/v1/auth/login", &login).await).await;
    expect_429(app.post_json("/api/v1/auth/register", &login).await).await;
    assert_eq!(
        app.get("/api/v1/jobs/list").await.status(),
        401,
        "other routes keep the general limit"
    );
}

/// Three requests per user (or API key), and no limit per IP that a test could reach.
async fn spawn_with_user_burst_of_3(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |s| {
        s.rate_limit.per_ip = GENEROUS;
        s.rate_limit.per_user = tight(3);
    })
    .await
}

async fn one_users_exhaustion_does_not_limit_another(backend: Backend) {
    let Some(app) = spawn_with_user_burst_of_3(backend).await else {
        return;
    };
    let (_, ada) = user_with_token(&app, "ada@example.com", Role::Candidate).await;
    let (_, bob) = user_with_token(&app, "bob@example.com", Role::Candidate).await;
    for _ in 0..3 {
        assert_eq!(
            get_as(&app, "/api/v1/resumes/list", &ada).await.status(),
            200
        );
    }
    expect_429(get_as(&app, "/api/v1/resumes/list", &ada).await).await;
    for _ in 0..3 {
        assert_eq!(
            get_as(&app, "/api/v1/resumes/list", &bob).await.status(),
            200
        );
    }
    expect_429(get_as(&app, "/api/v1/resumes/list", &bob).await).await;
    assert_eq!(
        app.get("/api/v1/resumes/list").await.status(),
        401,
        "anonymous requests from the same IP count per IP, not against the users"
    );
}

async fn an_api_key_has_a_limit_of_its_own(backend: Backend) {
    let Some(app) = spawn_with_user_burst_of_3(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let body = serde_json::json!({"name": "indexer", "role": "recruiter"});
    let created = post_as(&app, "/api/v1/admin/api-keys", &admin, &body).await;
    assert_eq!(created.status(), 201);
    let key = created.json::<serde_json::Value>().await.unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_key = || {
        app.client
            .get(app.url("/api/v1/jobs/list"))
            .header("x-api-key", &key)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(with_key().await.unwrap().status(), 200);
    }
    expect_429(with_key().await.unwrap()).await;
    assert_eq!(
        get_as(&app, "/api/v1/jobs/list", &admin).await.status(),
        200,
        "the key's creator keeps their own quota"
    );
}

async fn forwarded_for_counts_only_behind_a_trusted_proxy(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.rate_limit.per_ip = tight(1)).await else {
        return;
    };
    let first = get_from(&app, "/api/v1/jobs/list", Some("203.0.113.1")).await;
    assert_eq!(first.status(), 401);
    let spoofed = get_from(&app, "/api/v1/jobs/list", Some("203.0.113.2")).await;
    expect_429(spoofed).await;

    let Some(app) = spawn_app_with(backend, |s| {
        s.rate_limit.per_ip = tight(1);
        s.rate_limit.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    else {
        return;
    };
    for ip in ["203.0.113.1", "203.0.113.2"] {
        let response = get_from(&app, "/api/v1/jobs/list", Some(ip)).await;
        assert_eq!(response.status(), 401, "{ip} has a limit of its own");
    }
    expect_429(get_from(&app, "/api/v1/jobs/list", Some("203.0.113.1")).await).await;
    // The client address behind the proxy is also the one the audit log keeps.
    create_user(&app, "ada@example.com", Role::Candidate).await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", "198.51.100.7")
        .json(&serde_json::json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let rows = audit_rows(&app, "auth.login").await;
    assert_eq!(rows[0].ip.as_deref(), Some("198.51.100.7"));
}

on_both_backends!(
    anonymous_requests_over_the_per_ip_limit_get_429_with_retry_after,
    auth_endpoints_have_a_stricter_limit_of_their_own,
    one_users_exhaustion_does_not_limit_another,
    an_api_key_has_a_limit_of_its_own,
    forwarded_for_counts_only_behind_a_trusted_proxy,
);
