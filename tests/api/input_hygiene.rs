//! Control characters (NUL above all, which PostgreSQL cannot store in text) are a 422
//! naming the field on every route and both backends; offsets cannot wrap; enum-like
//! query parameters are validated.

use intellicv_core::Role;
use serde_json::{Map, Value, json};

use crate::auth_support::{get_as, post_as, user_with_token, with_token};
use crate::helpers::{Backend, expect_error, spawn_app};
use crate::on_both_backends;

/// Asserts a 422 `validation_failed` whose `details.field` is `field`.
async fn expect_field(response: reqwest::Response, field: &str, what: &str) {
    let (status, code, body) = expect_error(response).await;
    assert_eq!(
        (
            status,
            code.as_str(),
            body["error"]["details"]["field"].as_str()
        ),
        (422, "validation_failed", Some(field)),
        "{what}: {body}"
    );
}

async fn a_nul_in_the_display_name_of_a_sign_up_is_a_422_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let body = json!({
        "email": "nul@example.com",
        "password": "a long enough secret",
        "display_name": "Ada\u{0}Lovelace",
    });
    let response = app.post_json("/api/v1/auth/register", &body).await;
    expect_field(response, "display_name", "register").await;
    // Other control characters too, but line breaks and tabs are text.
    let body = json!({
        "email": "bell@example.com",
        "password": "a long enough secret",
        "display_name": "Ada\u{7}",
    });
    let response = app.post_json("/api/v1/auth/register", &body).await;
    expect_field(response, "display_name", "register BEL").await;
    // Nothing was stored, and a clean sign-up still works.
    let body = json!({
        "email": "nul@example.com",
        "password": "a long enough secret",
        "display_name": "Ada Lovelace",
    });
    let response = app.post_json("/api/v1/auth/register", &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

/// `path` with every `{param}` replaced by `1`.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        out.push('1');
        rest = &rest[rest[open..].find('}').map_or(rest.len(), |c| open + c + 1)..];
    }
    out.push_str(rest);
    out
}

/// The schema `schema` refers to, followed through `$ref`s.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(doc, doc.pointer(pointer).expect("a $ref that resolves"))
        }
        None => schema,
    }
}

fn is_string(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(types) => types.iter().any(|t| t == "string"),
        _ => schema["oneOf"]
            .as_array()
            .is_some_and(|options| options.iter().any(is_string)),
    }
}

/// Every top-level string property of a JSON request body, per operation.
fn json_string_fields(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") else {
                continue;
            };
            let schema = resolve(doc, schema);
            let Some(props) = schema["properties"].as_object() else {
                continue;
            };
            for (name, prop) in props {
                if is_string(resolve(doc, prop)) {
                    out.push((method.to_owned(), path.clone(), name.clone()));
                }
            }
        }
    }
    out
}

async fn every_json_body_route_refuses_a_nul_in_each_string_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "nul-admin@example.com", Role::Admin).await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let cases = json_string_fields(&doc);
    assert!(cases.len() >= 30, "too few cases found: {cases:?}");
    let mut routes = std::collections::BTreeSet::new();
    for (method, path, field) in &cases {
        let url = app.url(&concrete(path));
        let mut body = Map::new();
        body.insert(field.clone(), Value::from("x\u{0}y"));
        let request = match method.as_str() {
            "post" => app.client.post(url),
            "put" => app.client.put(url),
            "patch" => app.client.patch(url),
            _ => app.client.delete(url),
        };
        let response = with_token(request, &admin)
            .json(&Value::Object(body))
            .send()
            .await
            .unwrap();
        expect_field(response, field, &format!("{method} {path} {field}")).await;
        routes.insert((method.clone(), path.clone()));
    }
    assert!(routes.len() >= 15, "too few routes: {routes:?}");

    // Nested strings and array items name their path.
    let search = json!({ "query": "rust", "filters": { "skills_any": ["rust", "a\u{0}"] } });
    let response = post_as(&app, "/api/v1/jobs/search", &admin, &search).await;
    expect_field(response, "filters.skills_any[1]", "nested").await;
    let batch = json!({ "postings": [{ "title": "ok" }, { "title": "Chef\u{0}" }] });
    let response = post_as(&app, "/api/v1/admin/process/batch", &admin, &batch).await;
    expect_field(response, "postings[1].title", "batch postings").await;
    // A body the extractor reads in pieces (the AI generator) is checked too.
    let generate = json!({ "kind": "job_description", "title": "Chef\u{0}" });
    let response = post_as(&app, "/api/v1/admin/ai/content/generate", &admin, &generate).await;
    expect_field(response, "title", "generate").await;
}

async fn query_and_path_parameters_with_a_nul_are_a_422_naming_them(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "nul-admin@example.com", Role::Admin).await;
    for (path, field) in [
        ("/api/v1/jobs/list?company=Acme%00", "company"),
        ("/api/v1/admin/users/list?email=a%00", "email"),
        ("/api/v1/resumes/list?format=pdf%00", "format"),
        ("/api/v1/admin/analytics/reports/skills%00", "report_id"),
    ] {
        expect_field(get_as(&app, path, &admin).await, field, path).await;
    }
}

async fn a_search_offset_that_would_wrap_is_a_422(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "offset@example.com", Role::Recruiter).await;
    for (path, offset) in [
        ("/api/v1/jobs/search", u64::MAX),
        ("/api/v1/resumes/search", u64::MAX),
        ("/api/v1/jobs/search", u64::MAX - 5),
    ] {
        let body = json!({ "query": "rust", "offset": offset, "limit": 10 });
        let (status, _, error) = expect_error(post_as(&app, path, &token, &body).await).await;
        assert_eq!(status, 422, "{path} {offset}: {error}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("offset"),
            "{error}"
        );
    }
}

async fn an_unknown_status_on_the_jobs_list_is_a_422_naming_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "list-r@example.com", Role::Recruiter).await;
    let (_, candidate) = user_with_token(&app, "list-c@example.com", Role::Candidate).await;
    for token in [&recruiter, &candidate] {
        let response = get_as(&app, "/api/v1/jobs/list?status=bogus", token).await;
        expect_field(response, "status", "jobs/list status").await;
    }
    let response = get_as(&app, "/api/v1/resumes/list?format=txt", &recruiter).await;
    expect_field(response, "format", "resumes/list format").await;
    for path in [
        "/api/v1/jobs/list?status=closed",
        "/api/v1/resumes/list?format=pdf",
    ] {
        let response = get_as(&app, path, &recruiter).await;
        assert_eq!(response.status(), 200, "{path}");
    }
}

on_both_backends!(
    a_nul_in_the_display_name_of_a_sign_up_is_a_422_naming_the_field,
    every_json_body_route_refuses_a_nul_in_each_string_field,
    query_and_path_parameters_with_a_nul_are_a_422_naming_them,
    a_search_offset_that_would_wrap_is_a_422,
    an_unknown_status_on_the_jobs_list_is_a_422_naming_it,
);
