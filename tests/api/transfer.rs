//! Export and import over HTTP: a round trip between two databases, idempotent re-import,
//! CSV, bad rows reported without stopping, and validation.

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::applications::{post_job, upload_resume};
use crate::auth_support::{audit_rows, get_as, post_as, put_as, user_with_token, with_token};
use crate::documents_api::RESUME_RUST;
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

const EXPORT: &str = "/api/v1/admin/data/export";
const IMPORT: &str = "/api/v1/admin/data/import";

async fn export(app: &TestApp, token: &str, body: &Value) -> (String, String) {
    let response = post_as(app, EXPORT, token, body).await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.text().await.unwrap())
}

async fn import(app: &TestApp, token: &str, query: &str, file: String) -> reqwest::Response {
    with_token(app.client.post(app.url(&format!("{IMPORT}{query}"))), token)
        .body(file)
        .send()
        .await
        .unwrap()
}

async fn import_ok(app: &TestApp, token: &str, query: &str, file: String) -> Value {
    let response = import(app, token, query, file).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A candidate with a parsed resume who applied to a recruiter's posting, moved to
/// `reviewing`.
async fn populate(app: &TestApp) {
    let (_, candidate) = user_with_token(app, "cand@example.com", Role::Candidate).await;
    let (_, recruiter) = user_with_token(app, "rec@example.com", Role::Recruiter).await;
    let resume_id = upload_resume(app, &candidate, RESUME_RUST).await;
    let job_id = post_job(app, &recruiter, "Rust Engineer").await;
    let response = post_as(
        app,
        "/api/v1/jobs/applications",
        &candidate,
        &json!({ "job_id": job_id, "resume_id": resume_id, "cover_note": "Hello" }),
    )
    .await;
    assert_eq!(response.status(), 201);
    let application = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = put_as(
        app,
        &format!("/api/v1/jobs/applications/{application}/status"),
        &recruiter,
        &json!({ "status": "reviewing" }),
    )
    .await;
    assert_eq!(response.status(), 200);
}

fn lines_of_type(file: &str, kind: &str) -> Vec<Value> {
    file.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == kind)
        .collect()
}

async fn an_export_recreates_the_data_in_another_database_and_reimports_as_duplicates(
    backend: Backend,
) {
    let Some(source) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&source, "export-admin@example.com", Role::Admin).await;
    populate(&source).await;
    let stored = source.store.searchable_versions("resumes").await.unwrap();
    source
        .store
        .set_resume_category(stored[0].id, Some("INFORMATION-TECHNOLOGY"))
        .await
        .unwrap();
    let (content_type, file) = export(&source, &admin, &json!({})).await;
    assert_eq!(content_type, "application/x-ndjson");
    for secret in ["password", "totp", "token", "argon2"] {
        assert!(!file.contains(secret), "the export holds {secret}");
    }
    assert_eq!(lines_of_type(&file, "user").len(), 3);
    let resumes = lines_of_type(&file, "resume");
    assert_eq!(resumes.len(), 1);
    assert_eq!(resumes[0]["owner_email"], "cand@example.com");
    assert!(resumes[0]["profile"].is_object() && resumes[0]["content_base64"].is_string());
    assert_eq!(resumes[0]["category"], "INFORMATION-TECHNOLOGY");
    assert_eq!(lines_of_type(&file, "job").len(), 1);
    assert_eq!(
        lines_of_type(&file, "application")[0]["status"],
        "reviewing"
    );
    assert_eq!(audit_rows(&source, "admin.data_export").await.len(), 1);

    let Some(target) = spawn_app(backend).await else {
        return;
    };
    let (_, admin2) = user_with_token(&target, "import-admin@example.com", Role::Admin).await;
    let report = import_ok(&target, &admin2, "", file.clone()).await;
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(
        report["inserted"],
        json!({ "user": 3, "resume": 1, "job": 1, "application": 1 })
    );
    // The data is there, by natural keys, with new ids.
    let users: Value = get_as(&target, "/api/v1/admin/users/list?email=cand@", &admin2)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users["items"][0]["role"], "candidate");
    let applications: Value = get_as(&target, "/api/v1/jobs/applications", &admin2)
        .await
        .json()
        .await
        .unwrap();
    let application = &applications["items"][0];
    assert_eq!(application["status"], "reviewing");
    assert_eq!(application["job_title"], "Rust Engineer");
    assert_eq!(application["cover_note"], "Hello");
    let resume_id = application["resume_id"].as_i64().unwrap();
    let resume: Value = get_as(&target, &format!("/api/v1/resumes/{resume_id}"), &admin2)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resume["parse_status"], "parsed");
    assert_eq!(resume["profile"], resumes[0]["profile"]);
    assert_eq!(resume["category"], "INFORMATION-TECHNOLOGY");
    // Indexed like any other write: searchable at once.
    let hits: Value = post_as(
        &target,
        "/api/v1/resumes/search",
        &admin2,
        &json!({ "query": "Rust PostgreSQL" }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == resume_id),
        "{hits}"
    );

    let again = import_ok(&target, &admin2, "", file).await;
    assert_eq!(again["inserted"], json!({}), "{again}");
    assert_eq!(
        again["duplicates"],
        json!({ "user": 3, "resume": 1, "job": 1, "application": 1 })
    );
    assert_eq!(audit_rows(&target, "admin.data_import").await.len(), 2);
}

async fn tabular_entities_export_and_import_as_csv(backend: Backend) {
    let Some(source) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&source, "export-admin@example.com", Role::Admin).await;
    populate(&source).await;
    let (content_type, users) = export(
        &source,
        &admin,
        &json!({ "entities": ["users"], "format": "csv" }),
    )
    .await;
    assert!(content_type.starts_with("text/csv"));
    let header = users.lines().next().unwrap();
    assert_eq!(header, "id,email,role,status,display_name,created_at");
    assert_eq!(users.lines().count(), 4);
    let (_, jobs) = export(
        &source,
        &admin,
        &json!({ "entities": ["jobs"], "format": "csv" }),
    )
    .await;

    let Some(target) = spawn_app(backend).await else {
        return;
    };
    let (_, admin2) = user_with_token(&target, "import-admin@example.com", Role::Admin).await;
    let report = import_ok(&target, &admin2, "?format=csv&entity=users", users).await;
    assert_eq!(report["inserted"], json!({ "user": 3 }), "{report}");
    let report = import_ok(&target, &admin2, "?format=csv&entity=jobs", jobs.clone()).await;
    assert_eq!(report["inserted"], json!({ "job": 1 }), "{report}");
    let listed: Value = get_as(&target, "/api/v1/jobs/list", &admin2)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["title"], "Rust Engineer");
    assert_eq!(listed["items"][0]["remote_mode"], "remote");
    // No external id: recognised by source, title, company and description.
    let report = import_ok(&target, &admin2, "?format=csv&entity=jobs", jobs).await;
    assert_eq!(report["duplicates"], json!({ "job": 1 }), "{report}");
}

async fn bad_rows_are_reported_by_line_and_field_and_the_rest_imported(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "import-admin@example.com", Role::Admin).await;
    let rows = [
        r#"{"type": "user", "email": "good@example.com", "role": "recruiter"}"#.to_owned(),
        "not json".to_owned(),
        r#"{"email": "x@example.com", "role": "candidate"}"#.to_owned(),
        r#"{"type": "cat", "name": "Tom"}"#.to_owned(),
        String::new(),
        r#"{"type": "user", "email": "not-an-email", "role": "candidate"}"#.to_owned(),
        r#"{"type": "user", "email": "b@example.com", "role": "boss"}"#.to_owned(),
        r#"{"type": "user", "email": "c@example.com", "role": "candidate", "password": "x"}"#
            .to_owned(),
        r#"{"type": "job", "description": "No title"}"#.to_owned(),
        r#"{"type": "job", "title": "T", "description": "D", "salary_min": 10, "salary_max": 5}"#
            .to_owned(),
        r#"{"type": "job", "title": "T", "description": "D", "remote_mode": "moon"}"#.to_owned(),
        r#"{"type": "resume", "source_filename": "a.txt", "content_base64": "SGVsbG8=", "content_hash": "00", "format": "txt", "parse_status": "failed", "parse_error_code": "x"}"#.to_owned(),
        r#"{"type": "resume", "source_filename": "a.txt", "content_base64": "%%%", "format": "txt", "parse_status": "failed"}"#.to_owned(),
        r#"{"type": "application", "user_email": "nobody@example.com", "job_id": 1, "resume_id": 1}"#.to_owned(),
        r#"{"type": "application", "user_email": "good@example.com", "job_id": 424242, "resume_id": 1}"#.to_owned(),
        r#"{"type": "job", "title": "Fine", "description": "A fine posting.", "external_id": "f-1", "status": "closed"}"#.to_owned(),
    ];
    let report = import_ok(&app, &admin, "?format=jsonl", rows.join("\n")).await;
    let errors: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (2, "row"),
            (3, "type"),
            (4, "type"),
            (6, "email"),
            (7, "role"),
            (8, "password"),
            (9, "title"),
            (10, "salary_min"),
            (11, "remote_mode"),
            (12, "content_hash"),
            (13, "content_base64"),
            (14, "user_email"),
            (15, "job_id"),
        ],
        "{report}"
    );
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["reason"].as_str().unwrap().is_empty())
    );
    assert_eq!(report["rows"], 15);
    assert_eq!(report["failed"], 13);
    assert_eq!(report["inserted"], json!({ "user": 1, "job": 1 }));
    let jobs: Value = get_as(&app, "/api/v1/jobs/list?status=closed", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(jobs["items"][0]["title"], "Fine");
}

async fn bad_export_and_import_requests_answer_422_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "import-admin@example.com", Role::Admin).await;
    for (body, field) in [
        (json!({ "format": "xml" }), "format"),
        (json!({ "entities": ["cats"] }), "entities"),
        (
            json!({ "entities": ["resumes"], "format": "csv" }),
            "entities",
        ),
        (
            json!({ "entities": ["users", "jobs"], "format": "csv" }),
            "entities",
        ),
        (json!({ "since": "yesterday" }), "since"),
    ] {
        let (status, _, error) = expect_error(post_as(&app, EXPORT, &admin, &body).await).await;
        assert_eq!(
            (status, error["error"]["details"]["field"].as_str()),
            (422, Some(field)),
            "{body}: {error}"
        );
    }
    for (query, field) in [
        ("?format=csv", "entity"),
        ("?format=csv&entity=resumes", "entity"),
        ("?entity=cats", "entity"),
        ("?format=xml", "format"),
        ("?dry_run=true", "dry_run"),
    ] {
        let (status, _, error) =
            expect_error(import(&app, &admin, query, String::new()).await).await;
        assert_eq!(
            (status, error["error"]["details"]["field"].as_str()),
            (422, Some(field)),
            "{query}: {error}"
        );
    }
}

/// Refuses, on the test's database, every later change of a posting's status and of a
/// resume's category: what an import stores must be in the row's one insert.
async fn refuse_status_and_category_updates(app: &TestApp, backend: Backend) {
    let url = app.db.url.expose();
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            for sql in [
                "CREATE TRIGGER refuse_status BEFORE UPDATE OF status ON job_postings \
                 BEGIN SELECT RAISE(ABORT, 'status changed after the insert'); END",
                "CREATE TRIGGER refuse_category BEFORE UPDATE OF category ON resumes \
                 BEGIN SELECT RAISE(ABORT, 'category changed after the insert'); END",
            ] {
                sqlx::query(sql).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            for sql in [
                "CREATE FUNCTION refuse_update() RETURNS trigger AS $$ BEGIN \
                 RAISE EXCEPTION 'changed after the insert'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER refuse_status BEFORE UPDATE OF status ON job_postings \
                 FOR EACH ROW EXECUTE FUNCTION refuse_update()",
                "CREATE TRIGGER refuse_category BEFORE UPDATE OF category ON resumes \
                 FOR EACH ROW EXECUTE FUNCTION refuse_update()",
            ] {
                sqlx::query(sql).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
    }
}

/// A posting imported closed and a resume imported with its category are each written in
/// one statement, so a kill cannot leave the posting open or the resume uncategorised.
async fn an_imported_row_is_written_whole_in_one_insert(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "atomic-admin@example.com", Role::Admin).await;
    refuse_status_and_category_updates(&app, backend).await;
    let rows = [
        r#"{"type": "job", "title": "Closed role", "description": "A closed posting.", "external_id": "c-1", "status": "closed"}"#,
        r#"{"type": "resume", "source_filename": "a.txt", "content_base64": "SGVsbG8gd29ybGQ=", "format": "txt", "parse_status": "failed", "parse_error_code": "unreadable", "category": "ENGINEERING"}"#,
    ];
    let report = import_ok(&app, &admin, "?format=jsonl", rows.join("\n")).await;
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(
        report["inserted"],
        json!({ "job": 1, "resume": 1 }),
        "{report}"
    );
    let jobs: Value = get_as(&app, "/api/v1/jobs/list?status=closed", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(jobs["items"][0]["title"], "Closed role");
    let resumes: Value = get_as(&app, "/api/v1/resumes/list", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resumes["items"].as_array().unwrap().len(), 1, "{resumes}");
    assert_eq!(resumes["items"][0]["category"], "ENGINEERING");
}

on_both_backends!(
    an_export_recreates_the_data_in_another_database_and_reimports_as_duplicates,
    tabular_entities_export_and_import_as_csv,
    bad_rows_are_reported_by_line_and_field_and_the_rest_imported,
    bad_export_and_import_requests_answer_422_naming_the_field,
    an_imported_row_is_written_whole_in_one_insert,
);
