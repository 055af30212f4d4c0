//! The access table: each endpoint called by every kind of caller (no token, an expired
//! token, a tampered token, a candidate, a recruiter, an admin) against fixtures that fix
//! the answer, asserting the status each gets. Every route of `api::api_routes` must be
//! either in the table or in `NOT_YET_TABLED`, so a new route cannot be forgotten.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use intellicv::domain::Role;
use serde_json::{Value, json};

use crate::applications::{post_job, upload_resume};
use crate::auth_support::{get_as, user_with_token, with_token};
use crate::documents_api::RESUME_RUST;
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

/// Who calls, in the order of the statuses in a `Row`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    NoToken,
    Expired,
    Tampered,
    Candidate,
    Recruiter,
    Admin,
}

const CALLERS: [Caller; 6] = [
    Caller::NoToken,
    Caller::Expired,
    Caller::Tampered,
    Caller::Candidate,
    Caller::Recruiter,
    Caller::Admin,
];

#[derive(Debug, Clone, Copy)]
enum Method {
    Get,
    Post,
    Put,
}

/// What a request sends.
#[derive(Clone, Copy)]
enum Body {
    Empty,
    Json(fn() -> Value),
    /// An application to the open posting with the candidate's resume (fixture ids).
    Apply,
}

/// One endpoint: its method, its path as routed (with `{placeholders}`), the body it is
/// sent, and the status each caller of `CALLERS` gets.
struct Row {
    method: Method,
    path: &'static str,
    body: Body,
    expect: [u16; 6],
}

/// 401 for the three callers without valid credentials, then the three roles.
const fn row(method: Method, path: &'static str, body: Body, roles: [u16; 3]) -> Row {
    Row {
        method,
        path,
        body,
        expect: [401, 401, 401, roles[0], roles[1], roles[2]],
    }
}

fn withdraw_body() -> Value {
    json!({ "note": "found another job" })
}

fn status_body() -> Value {
    json!({ "status": "reviewing", "note": "looks promising" })
}

fn profile_body() -> Value {
    json!({
        "display_name": "Jane Example",
        "headline": "Backend engineer",
        "location": "Leeds, UK",
        "visibility": "recruiters",
        "open_to_work": true,
    })
}

fn skills_body() -> Value {
    json!({ "changes": [{ "action": "add", "text": "Kubernetes", "rating": 4 }] })
}

/// The fixtures (owned by the candidate) make each answer certain:
/// - `POST /jobs/applications` applies to an open posting with the candidate's resume: the
///   candidate creates (201), a recruiter lacks the role (403), an admin holds every role
///   but not the resume (404).
/// - `{application_id}` is one of the candidate's submitted applications, a separate one
///   per caller so that one caller's withdrawal or move does not change another's answer:
///   staff see every application, only the candidate may withdraw (403 for staff), only
///   staff move it through the pipeline (403 for the candidate).
/// - `{user_id}` is the candidate, whose profile is visible to recruiters: recruiters may
///   read it (200) but not replace it (404, as for a missing one).
/// - Skill changes always apply to the caller's own profile.
const TABLE: &[Row] = &[
    row(
        Method::Post,
        "/jobs/applications",
        Body::Apply,
        [201, 403, 404],
    ),
    row(
        Method::Get,
        "/jobs/applications",
        Body::Empty,
        [200, 200, 200],
    ),
    row(
        Method::Get,
        "/jobs/applications/{application_id}",
        Body::Empty,
        [200, 200, 200],
    ),
    row(
        Method::Post,
        "/jobs/applications/{application_id}/withdraw",
        Body::Json(withdraw_body),
        [200, 403, 403],
    ),
    row(
        Method::Put,
        "/jobs/applications/{application_id}/status",
        Body::Json(status_body),
        [403, 200, 200],
    ),
    row(
        Method::Get,
        "/profile/{user_id}",
        Body::Empty,
        [200, 200, 200],
    ),
    row(
        Method::Put,
        "/profile/{user_id}/update",
        Body::Json(profile_body),
        [200, 404, 200],
    ),
    row(
        Method::Post,
        "/profile/skills/update",
        Body::Json(skills_body),
        [200, 200, 200],
    ),
];

/// Routes whose rows are still to be written (their access rules are tested endpoint by
/// endpoint in their own modules). Move a route into `TABLE` when adding its row.
const NOT_YET_TABLED: &[&str] = &[
    "/openapi.json",
    "/auth/register",
    "/jobs/search",
    "/jobs",
    "/jobs/list",
    "/jobs/{job_id}",
    "/jobs/{job_id}/update",
    "/jobs/{job_id}/status",
    "/jobs/{job_id}/candidates",
    "/jobs/matches/{user_id}",
    "/matches/explain",
    "/resumes/upload",
    "/resumes/list",
    "/resumes/{resume_id}",
    "/resumes/{resume_id}/update",
    "/resumes/{resume_id}/similar",
    "/resumes/search",
    "/auth/token",
    "/auth/login",
    "/auth/refresh",
    "/auth/logout",
    "/auth/me",
    "/auth/totp/setup",
    "/auth/totp/verify",
    "/admin/users/create",
    "/admin/users/list",
    "/admin/users/{user_id}/update",
    "/admin/users/{user_id}",
    "/admin/api-keys",
    "/admin/api-keys/{key_id}",
];

struct Fixtures {
    candidate_id: i64,
    job_id: i64,
    resume_id: i64,
    /// One submitted application of the candidate per caller, in `CALLERS` order.
    applications: Vec<i64>,
    tokens: Vec<Option<String>>,
}

impl Fixtures {
    async fn new(app: &TestApp) -> Self {
        let (candidate_id, candidate) =
            user_with_token(app, "table-candidate@example.com", Role::Candidate).await;
        let (_, recruiter) =
            user_with_token(app, "table-recruiter@example.com", Role::Recruiter).await;
        let (_, admin) = user_with_token(app, "table-admin@example.com", Role::Admin).await;
        let resume_id = upload_resume(app, &candidate, RESUME_RUST).await;
        let mut applications = Vec::new();
        for caller in CALLERS {
            let job = post_job(app, &recruiter, &format!("Engineer for {caller:?}")).await;
            let response = with_token(
                app.client.post(app.url("/api/v1/jobs/applications")),
                &candidate,
            )
            .json(&json!({ "job_id": job, "resume_id": resume_id }))
            .send()
            .await
            .unwrap();
            assert_eq!(response.status(), 201);
            let body: Value = response.json().await.unwrap();
            applications.push(body["id"].as_i64().unwrap());
        }
        let job_id = post_job(app, &recruiter, "Engineer to apply to").await;
        // The two bad tokens fail for the reason their rows are about.
        for (token, code) in [
            (expired(app, &candidate), "token_expired"),
            (tampered(&candidate), "invalid_token"),
        ] {
            let (status, answered, _) =
                expect_error(get_as(app, "/api/v1/auth/me", &token).await).await;
            assert_eq!((status, answered.as_str()), (401, code));
        }
        let tokens = vec![
            None,
            Some(expired(app, &candidate)),
            Some(tampered(&candidate)),
            Some(candidate),
            Some(recruiter),
            Some(admin),
        ];
        Self {
            candidate_id,
            job_id,
            resume_id,
            applications,
            tokens,
        }
    }

    fn path(&self, template: &str, caller: usize) -> String {
        let path = template
            .replace("{application_id}", &self.applications[caller].to_string())
            .replace("{user_id}", &self.candidate_id.to_string());
        format!("{}{path}", intellicv::api::openapi::API_PREFIX)
    }

    fn body(&self, body: Body) -> Option<Value> {
        match body {
            Body::Empty => None,
            Body::Json(body) => Some(body()),
            Body::Apply => Some(json!({ "job_id": self.job_id, "resume_id": self.resume_id })),
        }
    }
}

/// `token` re-signed with the server's key but with an expiry in the past.
fn expired(app: &TestApp, token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let iat = claims["iat"].as_i64().unwrap();
    claims["iat"] = json!(iat - 3600);
    claims["exp"] = json!(iat - 1800);
    let secret = intellicv::auth::keys::signing_secret(None, &app.db.data_dir()).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&secret),
    )
    .unwrap()
}

/// `token` claiming the admin role under its original signature.
fn tampered(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["role"] = json!("admin");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    parts.join(".")
}

async fn every_caller_gets_the_status_the_access_table_gives(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let fixtures = Fixtures::new(&app).await;
    let mut wrong = Vec::new();
    for row in TABLE {
        for (i, caller) in CALLERS.iter().enumerate() {
            let url = app.url(&fixtures.path(row.path, i));
            let request = match row.method {
                Method::Get => app.client.get(url),
                Method::Post => app.client.post(url),
                Method::Put => app.client.put(url),
            };
            let request = match fixtures.body(row.body) {
                Some(body) => request.json(&body),
                None => request,
            };
            let request = match &fixtures.tokens[i] {
                Some(token) => with_token(request, token),
                None => request,
            };
            let status = request.send().await.unwrap().status().as_u16();
            if status != row.expect[i] {
                wrong.push(format!(
                    "{:?} {} as {caller:?}: {status}, expected {}",
                    row.method, row.path, row.expect[i]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_route_is_in_the_access_table_or_listed_as_not_yet() {
    let routed: BTreeSet<&str> = intellicv::api::api_routes()
        .paths()
        .iter()
        .copied()
        .collect();
    let tabled: BTreeSet<&str> = TABLE.iter().map(|r| r.path).collect();
    let pending: BTreeSet<&str> = NOT_YET_TABLED.iter().copied().collect();
    assert_eq!(
        tabled.intersection(&pending).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "routes both in the table and listed as not yet tabled"
    );
    let known: BTreeSet<&str> = tabled.union(&pending).copied().collect();
    assert_eq!(
        routed.difference(&known).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "routes missing from the access table"
    );
    assert_eq!(
        known.difference(&routed).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "table rows for routes the router does not serve"
    );
}

on_both_backends!(every_caller_gets_the_status_the_access_table_gives);
