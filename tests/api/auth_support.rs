//! Helpers for the auth tests: accounts made through the real account code, logins over
//! HTTP, and requests with a bearer token or an API key.

use intellicv_app::auth::accounts::{AccountInput, create_account};
use intellicv_core::Role;
use intellicv_store::AuditRecord;
use serde_json::Value;

use crate::helpers::TestApp;

pub const PASSWORD: &str = "a long enough secret";

/// Creates an active account with [`PASSWORD`]; returns its id.
pub async fn create_user(app: &TestApp, email: &str, role: Role) -> i64 {
    create_account(
        &app.store,
        AccountInput {
            email,
            password: PASSWORD,
            role,
            display_name: None,
        },
    )
    .await
    .expect("account created")
    .id
}

pub async fn login_json(app: &TestApp, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/auth/login", &body).await
}

/// Logs in with [`PASSWORD`] and answers the token pair.
pub async fn login(app: &TestApp, email: &str) -> Value {
    let response = login_json(
        app,
        serde_json::json!({"email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status(), 200, "login of {email}");
    response.json().await.unwrap()
}

/// Creates a user with `role` and answers its id and access token.
pub async fn user_with_token(app: &TestApp, email: &str, role: Role) -> (i64, String) {
    let id = create_user(app, email, role).await;
    let pair = login(app, email).await;
    (id, access_token(&pair))
}

pub fn access_token(pair: &Value) -> String {
    pair["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

pub fn refresh_token(pair: &Value) -> String {
    pair["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned()
}

pub fn with_token(request: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
    request.bearer_auth(token)
}

pub async fn get_as(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    with_token(app.client.get(app.url(path)), token)
        .send()
        .await
        .expect("request")
}

pub async fn post_as(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    with_token(app.client.post(app.url(path)), token)
        .json(body)
        .send()
        .await
        .expect("request")
}

pub async fn put_as(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    with_token(app.client.put(app.url(path)), token)
        .json(body)
        .send()
        .await
        .expect("request")
}

pub async fn delete_as(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    with_token(app.client.delete(app.url(path)), token)
        .send()
        .await
        .expect("request")
}

pub async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/refresh",
        &serde_json::json!({ "refresh_token": token }),
    )
    .await
}

/// The audit rows of `action`, newest first.
pub async fn audit_rows(app: &TestApp, action: &str) -> Vec<AuditRecord> {
    app.store.recent_audit(Some(action), 100).await.unwrap()
}

/// The `WWW-Authenticate` header of a 401.
pub fn challenge(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Asserts that each query on `path` answers 422 naming its field.
pub async fn expect_422_fields(app: &TestApp, path: &str, token: &str, cases: &[(&str, &str)]) {
    for (query, field) in cases {
        let response = get_as(app, &format!("{path}{query}"), token).await;
        let (status, _, error) = crate::helpers::expect_error(response).await;
        assert_eq!(
            (status, error["error"]["details"]["field"].as_str()),
            (422, Some(*field)),
            "{path}{query}: {error}"
        );
    }
}
