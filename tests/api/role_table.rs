//! The access table: each endpoint called by every kind of caller (no token, an expired
//! token, a tampered token, a candidate, a recruiter, an admin) against fixtures that fix
//! the answer, asserting the status each gets. Every route of `api::api_routes` must be
//! either in the table or in `NOT_YET_TABLED`, so a new route cannot be forgotten.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use intellicv_core::Role;
use serde_json::{Value, json};

use crate::applications::{post_job, upload_resume};
use crate::auth_support::{
    PASSWORD, create_user, get_as, login, post_as, refresh_token, user_with_token, with_token,
};
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
    Delete,
}

/// What a request sends.
#[derive(Clone, Copy)]
enum Body {
    Empty,
    Json(fn() -> Value),
    /// An application to the open posting with the candidate's resume (fixture ids).
    Apply,
    /// A resume file, different for each caller (multipart).
    Resume,
    /// `?resume_id=&job_id=` of the candidate's resume and the open posting.
    Explain,
    /// A self-service sign-up whose email differs for each caller.
    Register,
    /// A new account (admin-made) whose email differs for each caller.
    NewUser,
    /// The fixture candidate's email and password (JSON).
    Login,
    /// The fixture candidate's email and password (OAuth2 form).
    TokenForm,
    /// An unused refresh token of the fixture candidate, one per caller.
    Refresh,
    /// A WebSocket handshake (a GET with the upgrade headers): 101 when accepted.
    WsHandshake,
}

/// One endpoint: its method, its path as routed (with `{placeholders}`), the body it is
/// sent, and the status each caller of `CALLERS` gets.
struct Row {
    method: Method,
    path: &'static str,
    body: Body,
    expect: [u16; 6],
}

/// A public endpoint: every caller, whatever token it sends, gets `status`.
const fn public(method: Method, path: &'static str, body: Body, status: u16) -> Row {
    Row {
        method,
        path,
        body,
        expect: [status; 6],
    }
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

fn job_body() -> Value {
    json!({
        "title": "Platform engineer",
        "company": "Acme",
        "description": "We run clusters.\n\nRequirements:\n- Kubernetes\n",
        "remote_mode": "remote",
    })
}

fn job_status_body() -> Value {
    json!({ "status": "closed" })
}

fn search_body() -> Value {
    json!({ "query": "Rust" })
}

fn category_body() -> Value {
    json!({ "category": "Backend engineering" })
}

fn user_update_body() -> Value {
    json!({ "display_name": "Renamed User" })
}

fn api_key_body() -> Value {
    json!({ "name": "table key", "role": "recruiter" })
}

fn totp_body() -> Value {
    json!({ "code": "not-a-code" })
}

fn custom_query_body() -> Value {
    json!({ "metric": "applications", "group_by": ["status"] })
}

fn export_body() -> Value {
    json!({ "entities": ["users"], "format": "csv" })
}

/// One JSON Lines row (the body is sent as JSON, which is one line).
fn import_body() -> Value {
    json!({ "type": "user", "email": "table-imported@example.com", "role": "candidate" })
}

fn coaching_body() -> Value {
    json!({ "target_role": "Backend Engineer" })
}

fn enrich_body() -> Value {
    json!({ "all": true })
}

fn generate_body() -> Value {
    json!({ "kind": "job_description", "title": "Platform engineer", "skills": ["Kubernetes"] })
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
/// - Public endpoints (the OpenAPI document, register, login, token, refresh) ignore any
///   token sent: every caller gets the same answer. Sign-ups and logins use per-caller
///   emails or refresh tokens so that each call succeeds on its own.
/// - `/admin/...` and TOTP setup are for admins only (403 for the other roles); a TOTP
///   code that is not six digits is refused (422) whatever the secret.
/// - `{user_id}` under `/admin/users/` is a candidate account of its own per caller.
/// - `{resume_id}` is a parsed resume of the candidate, one per caller: recruiters and
///   admins read every resume, only they ask for similar candidates (403 for the
///   candidate), only the owner and admins change or delete it (404 for a recruiter).
/// - `{job_id}` is an open posting of the recruiter, one per caller: anyone reads an open
///   posting, only its author and admins change or delete it (403 for the candidate, who
///   lacks the role); closing comes after the reads, deleting last.
/// - `{key_id}` is an API key of its own per caller.
/// - `{job_id}` under `/admin/process/status/` is a batch job the admin queued; batches,
///   their status, export and import are for admins only.
/// - `/jobs/matches/{user_id}` and `/matches/explain` concern the candidate's resume:
///   the candidate and staff may ask.
/// - `{report_id}` is `application_funnel`; analytics are for admins only.
/// - The WebSocket routes get a real handshake: 101 when accepted; `/ws/admin` is for
///   admins, `/ws/user` for any signed-in user.
/// - `/career/recommendations` reads the caller's own resume or profile skills: every
///   caller has stated a skill by then (the skills row comes first). Pathways concern the candidate (visible to recruiters). Every
///   user may ask for a coaching plan (without a resume every needed skill is missing)
///   and list their own; `{session_id}` is the candidate's plan (404 for a recruiter).
/// - `/admin/ai/*` is for admins only.
/// - Logout ends the caller's session, so its row comes last.
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
    public(Method::Get, "/openapi.json", Body::Empty, 200),
    public(Method::Post, "/auth/register", Body::Register, 201),
    public(Method::Post, "/auth/login", Body::Login, 200),
    public(Method::Post, "/auth/token", Body::TokenForm, 200),
    public(Method::Post, "/auth/refresh", Body::Refresh, 200),
    row(Method::Get, "/auth/me", Body::Empty, [200, 200, 200]),
    row(
        Method::Post,
        "/auth/totp/setup",
        Body::Empty,
        [403, 403, 200],
    ),
    row(
        Method::Post,
        "/auth/totp/verify",
        Body::Json(totp_body),
        [403, 403, 422],
    ),
    row(
        Method::Post,
        "/admin/users/create",
        Body::NewUser,
        [403, 403, 201],
    ),
    row(
        Method::Get,
        "/admin/users/list",
        Body::Empty,
        [403, 403, 200],
    ),
    row(
        Method::Put,
        "/admin/users/{user_id}/update",
        Body::Json(user_update_body),
        [403, 403, 200],
    ),
    row(
        Method::Delete,
        "/admin/users/{user_id}/totp",
        Body::Empty,
        [403, 403, 204],
    ),
    row(
        Method::Delete,
        "/admin/users/{user_id}",
        Body::Empty,
        [403, 403, 204],
    ),
    row(
        Method::Post,
        "/admin/api-keys",
        Body::Json(api_key_body),
        [403, 403, 201],
    ),
    row(Method::Get, "/admin/api-keys", Body::Empty, [403, 403, 200]),
    row(
        Method::Delete,
        "/admin/api-keys/{key_id}",
        Body::Empty,
        [403, 403, 204],
    ),
    row(
        Method::Post,
        "/admin/process/batch",
        Body::Resume,
        [403, 403, 202],
    ),
    row(
        Method::Get,
        "/admin/process/status/{job_id}",
        Body::Empty,
        [403, 403, 200],
    ),
    row(
        Method::Post,
        "/admin/data/export",
        Body::Json(export_body),
        [403, 403, 200],
    ),
    row(
        Method::Post,
        "/admin/data/import",
        Body::Json(import_body),
        [403, 403, 200],
    ),
    row(
        Method::Post,
        "/resumes/upload",
        Body::Resume,
        [201, 201, 201],
    ),
    row(Method::Get, "/resumes/list", Body::Empty, [200, 200, 200]),
    row(
        Method::Get,
        "/resumes/{resume_id}",
        Body::Empty,
        [200, 200, 200],
    ),
    row(
        Method::Get,
        "/resumes/{resume_id}/similar",
        Body::Empty,
        [403, 200, 200],
    ),
    row(
        Method::Put,
        "/resumes/{resume_id}/update",
        Body::Resume,
        [200, 404, 200],
    ),
    row(
        Method::Put,
        "/resumes/{resume_id}/category",
        Body::Json(category_body),
        [403, 200, 200],
    ),
    row(
        Method::Delete,
        "/resumes/{resume_id}",
        Body::Empty,
        [204, 404, 204],
    ),
    row(
        Method::Post,
        "/resumes/search",
        Body::Json(search_body),
        [403, 200, 200],
    ),
    row(Method::Post, "/jobs", Body::Json(job_body), [403, 201, 201]),
    row(Method::Get, "/jobs/list", Body::Empty, [200, 200, 200]),
    row(Method::Get, "/jobs/{job_id}", Body::Empty, [200, 200, 200]),
    row(
        Method::Get,
        "/jobs/{job_id}/candidates",
        Body::Empty,
        [403, 200, 200],
    ),
    row(
        Method::Put,
        "/jobs/{job_id}/update",
        Body::Json(job_body),
        [403, 200, 200],
    ),
    row(
        Method::Put,
        "/jobs/{job_id}/status",
        Body::Json(job_status_body),
        [403, 200, 200],
    ),
    row(
        Method::Delete,
        "/jobs/{job_id}",
        Body::Empty,
        [403, 204, 204],
    ),
    row(
        Method::Post,
        "/jobs/search",
        Body::Json(search_body),
        [200, 200, 200],
    ),
    row(
        Method::Get,
        "/jobs/matches/{user_id}",
        Body::Empty,
        [200, 200, 200],
    ),
    row(
        Method::Get,
        "/matches/explain",
        Body::Explain,
        [200, 200, 200],
    ),
    row(
        Method::Get,
        "/admin/analytics/dashboard",
        Body::Empty,
        [403, 403, 200],
    ),
    row(
        Method::Get,
        "/admin/analytics/reports/{report_id}",
        Body::Empty,
        [403, 403, 200],
    ),
    row(
        Method::Post,
        "/admin/analytics/custom",
        Body::Json(custom_query_body),
        [403, 403, 200],
    ),
    row(Method::Get, "/ws/admin", Body::WsHandshake, [403, 403, 101]),
    row(Method::Get, "/ws/user", Body::WsHandshake, [101, 101, 101]),
    row(
        Method::Get,
        "/career/recommendations",
        Body::Empty,
        [200, 200, 200],
    ),
    row(
        Method::Get,
        "/career/pathways/{user_id}",
        Body::Empty,
        [200, 200, 200],
    ),
    row(
        Method::Post,
        "/career/coaching/session",
        Body::Json(coaching_body),
        [201, 201, 201],
    ),
    row(
        Method::Get,
        "/career/coaching/sessions",
        Body::Empty,
        [200, 200, 200],
    ),
    row(
        Method::Get,
        "/career/coaching/sessions/{session_id}",
        Body::Empty,
        [200, 404, 200],
    ),
    row(
        Method::Post,
        "/admin/ai/enrich",
        Body::Json(enrich_body),
        [403, 403, 200],
    ),
    row(
        Method::Get,
        "/admin/ai/models/status",
        Body::Empty,
        [403, 403, 200],
    ),
    row(
        Method::Post,
        "/admin/ai/content/generate",
        Body::Json(generate_body),
        [403, 403, 200],
    ),
    // Last: it ends the caller's session.
    row(Method::Post, "/auth/logout", Body::Empty, [204, 204, 204]),
];

/// Routes whose rows are still to be written. Every route is tabled today; a new route
/// goes into `TABLE`, or here only until its row is written.
const NOT_YET_TABLED: &[&str] = &[];

const CANDIDATE_EMAIL: &str = "table-candidate@example.com";

struct Fixtures {
    candidate_id: i64,
    job_id: i64,
    resume_id: i64,
    /// One submitted application of the candidate per caller, in `CALLERS` order.
    applications: Vec<i64>,
    /// Per caller: an open posting of the recruiter.
    jobs: Vec<i64>,
    /// Per caller: a parsed resume of the candidate.
    resumes: Vec<i64>,
    /// Per caller: a candidate account for the admin user endpoints.
    users: Vec<i64>,
    /// Per caller: an API key.
    keys: Vec<i64>,
    /// A coaching plan of the candidate.
    session_id: i64,
    /// Per caller: an unused refresh token of the candidate.
    refresh_tokens: Vec<String>,
    /// A batch job the admin queued.
    batch_job: i64,
    tokens: Vec<Option<String>>,
}

/// What a request carries besides its token.
enum Payload {
    None,
    Json(Value),
    Form(Vec<(&'static str, String)>),
    File(String),
    Query(String),
    Upgrade,
}

/// A resume text that differs for each `tag` (the same file twice is a duplicate).
fn resume_text(tag: &str) -> String {
    format!("{RESUME_RUST}\nReference: {tag}\n")
}

impl Fixtures {
    async fn new(app: &TestApp) -> Self {
        let (candidate_id, candidate) =
            user_with_token(app, CANDIDATE_EMAIL, Role::Candidate).await;
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
        let response = post_as(
            app,
            "/api/v1/career/coaching/session",
            &candidate,
            &coaching_body(),
        )
        .await;
        assert_eq!(response.status(), 201);
        let session_id = response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();
        let (mut jobs, mut resumes, mut users, mut keys, mut refresh_tokens) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for caller in CALLERS {
            let tag = format!("{caller:?}");
            jobs.push(post_job(app, &recruiter, &format!("Posting for {tag}")).await);
            resumes.push(upload_resume(app, &candidate, &resume_text(&tag)).await);
            let email = format!("table-user-{}@example.com", tag.to_lowercase());
            users.push(create_user(app, &email, Role::Candidate).await);
            let key = json!({ "name": format!("key for {tag}"), "role": "recruiter" });
            let response = post_as(app, "/api/v1/admin/api-keys", &admin, &key).await;
            assert_eq!(response.status(), 201);
            keys.push(
                response.json::<Value>().await.unwrap()["id"]
                    .as_i64()
                    .unwrap(),
            );
            refresh_tokens.push(refresh_token(&login(app, CANDIDATE_EMAIL).await));
        }
        // The two bad tokens fail for the reason their rows are about.
        for (token, code) in [
            (expired(app, &candidate), "token_expired"),
            (tampered(&candidate), "invalid_token"),
        ] {
            let (status, answered, _) =
                expect_error(get_as(app, "/api/v1/auth/me", &token).await).await;
            assert_eq!((status, answered.as_str()), (401, code));
        }
        let batch = crate::batch::submit_files(
            app,
            &admin,
            &[("batch.txt", resume_text("batch").into_bytes())],
        )
        .await;
        let batch_job = crate::batch::accepted_job(batch).await;
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
            jobs,
            resumes,
            users,
            keys,
            session_id,
            refresh_tokens,
            batch_job,
            tokens,
        }
    }

    fn path(&self, template: &str, caller: usize) -> String {
        let user = if template.starts_with("/admin/users/") {
            self.users[caller]
        } else {
            self.candidate_id
        };
        let job = if template.starts_with("/admin/process/status/") {
            self.batch_job
        } else {
            self.jobs[caller]
        };
        let path = template
            .replace("{application_id}", &self.applications[caller].to_string())
            .replace("{user_id}", &user.to_string())
            .replace("{job_id}", &job.to_string())
            .replace("{resume_id}", &self.resumes[caller].to_string())
            .replace("{key_id}", &self.keys[caller].to_string())
            .replace("{report_id}", "application_funnel")
            .replace("{session_id}", &self.session_id.to_string());
        format!("{}{path}", intellicv::api::openapi::API_PREFIX)
    }

    fn payload(&self, body: Body, caller: usize) -> Payload {
        let tag = format!("{:?}", CALLERS[caller]).to_lowercase();
        match body {
            Body::Empty => Payload::None,
            Body::Json(body) => Payload::Json(body()),
            Body::Apply => {
                Payload::Json(json!({ "job_id": self.job_id, "resume_id": self.resume_id }))
            }
            Body::Resume => Payload::File(resume_text(&format!("upload by {tag}"))),
            Body::Explain => Payload::Query(format!(
                "resume_id={}&job_id={}",
                self.resume_id, self.job_id
            )),
            Body::Register => Payload::Json(json!({
                "email": format!("table-register-{tag}@example.com"),
                "password": PASSWORD,
            })),
            Body::NewUser => Payload::Json(json!({
                "email": format!("table-new-{tag}@example.com"),
                "password": PASSWORD,
                "role": "candidate",
            })),
            Body::Login => Payload::Json(json!({ "email": CANDIDATE_EMAIL, "password": PASSWORD })),
            Body::TokenForm => Payload::Form(vec![
                ("grant_type", "password".to_owned()),
                ("username", CANDIDATE_EMAIL.to_owned()),
                ("password", PASSWORD.to_owned()),
            ]),
            Body::Refresh => Payload::Json(json!({ "refresh_token": self.refresh_tokens[caller] })),
            Body::WsHandshake => Payload::Upgrade,
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
    let secret = intellicv_app::auth::keys::signing_secret(None, &app.db.data_dir()).unwrap();
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
            let mut url = app.url(&fixtures.path(row.path, i));
            let payload = fixtures.payload(row.body, i);
            if let Payload::Query(query) = &payload {
                url = format!("{url}?{query}");
            }
            let request = match row.method {
                Method::Get => app.client.get(url),
                Method::Post => app.client.post(url),
                Method::Put => app.client.put(url),
                Method::Delete => app.client.delete(url),
            };
            let request = match payload {
                Payload::None | Payload::Query(_) => request,
                Payload::Upgrade => request
                    .header("connection", "Upgrade")
                    .header("upgrade", "websocket")
                    .header("sec-websocket-version", "13")
                    .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
                Payload::Json(body) => request.json(&body),
                Payload::Form(form) => request.form(&form),
                Payload::File(text) => {
                    let part =
                        reqwest::multipart::Part::bytes(text.into_bytes()).file_name("resume.txt");
                    request.multipart(reqwest::multipart::Form::new().part("file", part))
                }
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
