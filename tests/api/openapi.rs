//! `GET /api/v1/openapi.json`: generated from the handlers, it documents every route the
//! router serves, with the security schemes and body schemas.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200, "served without credentials");
    response.json().await.expect("the document is JSON")
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

async fn the_document_lists_every_route_of_the_router(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    let routed: BTreeSet<String> = intellicv::api::api_routes()
        .paths()
        .iter()
        .map(|p| format!("{}{p}", intellicv::api::openapi::API_PREFIX))
        .collect();
    let documented: BTreeSet<String> = paths.keys().cloned().collect();
    assert_eq!(
        routed.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "routes missing from the OpenAPI document"
    );
    assert_eq!(
        documented.difference(&routed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "documented paths the router does not serve"
    );
    // Each path's documented methods are exactly the ones the server routes (405 for others).
    for (path, item) in paths {
        for method in METHODS {
            let response = app
                .client
                .request(
                    reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    app.url(&concrete(path)),
                )
                .send()
                .await
                .unwrap();
            let served = response.status() != 405;
            assert_eq!(
                served,
                item.get(method).is_some(),
                "{method} {path}: status {}",
                response.status()
            );
        }
    }
}

async fn the_document_has_security_schemes_and_body_schemas(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let doc = document(&app).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["api_key"]["in"], "header");
    assert_eq!(schemes["api_key"]["name"], "X-API-Key");
    let global: Vec<&str> = doc["security"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_object().unwrap().keys().map(String::as_str))
        .collect();
    assert_eq!(global, ["bearer", "api_key"]);
    let register = &doc["paths"]["/api/v1/auth/register"]["post"];
    assert_eq!(
        register["security"],
        serde_json::json!([{}]),
        "sign-up needs no token"
    );

    let schemas = &doc["components"]["schemas"];
    for name in [
        "ErrorResponse",
        "SearchRequest",
        "SearchFilters",
        "JobInput",
        "UserRecord",
        "TokenPair",
        "ApplyRequest",
        "ApplicationView",
        "ProfileInput",
        "ProfileRecord",
        "SkillsRequest",
    ] {
        assert!(schemas.get(name).is_some(), "schema {name}");
    }
    let job_input = &schemas["JobInput"];
    let required: BTreeSet<&str> = job_input["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        required.contains("title") && required.contains("description"),
        "{job_input}"
    );
    assert!(
        schemas["UserRecord"]["properties"]
            .get("password_hash")
            .is_none(),
        "hidden fields stay hidden"
    );
    let create = &doc["paths"]["/api/v1/jobs"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/JobInput"
    );
    assert_eq!(
        create["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorResponse"
    );
    let token = &doc["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"];
    assert!(
        token.get("application/x-www-form-urlencoded").is_some(),
        "{token}"
    );
}

async fn the_docs_page_is_served_with_no_remote_assets(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app.get("/docs").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = response.text().await.unwrap();
    assert!(page.contains("fetch(\"/api/v1/openapi.json\")"));
    for remote in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "@import",
    ] {
        assert!(!page.contains(remote), "the page loads {remote}...");
    }
}

on_both_backends!(
    the_docs_page_is_served_with_no_remote_assets,
    the_document_lists_every_route_of_the_router,
    the_document_has_security_schemes_and_body_schemas,
);
