//! Profiles over HTTP: reading and replacing them (who may do which), validation, and the
//! caller's skills by ESCO id or free text normalised to ESCO.

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::applications::{post_job, upload_resume};
use crate::auth_support::{get_as, post_as, put_as, user_with_token};
use crate::documents_api::RESUME_RUST;
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

const SKILLS: &str = "/api/v1/profile/skills/update";

fn profile_path(user_id: i64) -> String {
    format!("/api/v1/profile/{user_id}")
}

fn update_path(user_id: i64) -> String {
    format!("/api/v1/profile/{user_id}/update")
}

fn full_profile() -> Value {
    json!({
        "display_name": "Jane Example",
        "headline": "Backend engineer, payments",
        "location": "Leeds, UK",
        "desired_roles": ["Backend Engineer", "Platform Engineer"],
        "desired_locations": ["Leeds", "Manchester"],
        "remote_modes": ["remote", "hybrid"],
        "employment_types": ["full_time"],
        "desired_salary_min": 65000,
        "desired_salary_currency": "GBP",
        "visibility": "recruiters",
        "open_to_work": true,
    })
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

/// Asserts a validation error naming `field`; answers its reason.
async fn expect_invalid(response: reqwest::Response, field: &str) -> String {
    let (status, _, body) = expect_error(response).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["field"], field, "{body}");
    body["error"]["details"]["reason"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn change_skills(app: &TestApp, token: &str, changes: Value) -> reqwest::Response {
    post_as(app, SKILLS, token, &json!({ "changes": changes })).await
}

async fn a_user_reads_and_replaces_their_profile(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let fresh = json_of(get_as(&app, &profile_path(jane_id), &jane).await, 200).await;
    assert_eq!(fresh["user_id"], jane_id);
    assert_eq!(fresh["visibility"], "recruiters");
    assert_eq!(fresh["open_to_work"], false);
    assert_eq!(fresh["skills"], json!([]));
    assert_eq!(fresh["updated_at"], Value::Null);

    let saved = json_of(
        put_as(&app, &update_path(jane_id), &jane, &full_profile()).await,
        200,
    )
    .await;
    let read = json_of(get_as(&app, &profile_path(jane_id), &jane).await, 200).await;
    assert_eq!(saved, read);
    for field in [
        "display_name",
        "headline",
        "location",
        "desired_roles",
        "desired_locations",
        "remote_modes",
        "employment_types",
        "desired_salary_currency",
        "visibility",
        "open_to_work",
    ] {
        assert_eq!(read[field], full_profile()[field], "{field}");
    }
    assert_eq!(read["desired_salary_min"].as_f64(), Some(65000.0));
    assert!(read["updated_at"].is_string());
    let me = json_of(get_as(&app, "/api/v1/auth/me", &jane).await, 200).await;
    assert_eq!(me["display_name"], "Jane Example", "{me}");

    // PUT replaces: what is left out is cleared.
    let cleared = json_of(
        put_as(
            &app,
            &update_path(jane_id),
            &jane,
            &json!({ "headline": "Engineer" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cleared["headline"], "Engineer");
    assert_eq!(cleared["desired_roles"], json!([]));
    assert_eq!(cleared["display_name"], Value::Null);
}

async fn invalid_profile_fields_are_422_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let with = |field: &str, value: Value| {
        let mut body = full_profile();
        body[field] = value;
        body
    };
    for (field, value) in [
        ("headline", json!("x".repeat(201))),
        ("remote_modes", json!(["moon"])),
        ("employment_types", json!(["gig"])),
        ("desired_roles", json!([""])),
        ("desired_salary_min", json!(-5)),
        ("desired_salary_currency", json!("pounds")),
        ("visibility", json!("public")),
        ("display_name", json!("x".repeat(500))),
    ] {
        let response = put_as(&app, &update_path(jane_id), &jane, &with(field, value)).await;
        expect_invalid(response, field).await;
    }
    let response = put_as(&app, &update_path(jane_id), &jane, &with("age", json!(40))).await;
    let (status, _, body) = expect_error(response).await;
    assert_eq!(status, 422, "unknown fields are refused: {body}");
    let unchanged = json_of(get_as(&app, &profile_path(jane_id), &jane).await, 200).await;
    assert_eq!(unchanged["updated_at"], Value::Null, "nothing was saved");
}

async fn candidates_see_only_their_own_profile_and_recruiters_read_visible_candidates(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let (_, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let (hr_id, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let (_, recruiter2) = user_with_token(&app, "hr2@example.com", Role::Recruiter).await;
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    assert_eq!(
        put_as(&app, &update_path(jane_id), &jane, &full_profile())
            .await
            .status(),
        200
    );

    for (token, path) in [
        (&other, profile_path(jane_id)),
        (&other, profile_path(999_999)),
        (&recruiter2, profile_path(hr_id)),
    ] {
        let (status, _, _) = expect_error(get_as(&app, &path, token).await).await;
        assert_eq!(status, 404, "{path}");
    }
    for token in [&other, &recruiter] {
        let response = put_as(&app, &update_path(jane_id), token, &full_profile()).await;
        let (status, _, _) = expect_error(response).await;
        assert_eq!(status, 404);
    }
    let seen = json_of(get_as(&app, &profile_path(jane_id), &recruiter).await, 200).await;
    assert_eq!(seen["headline"], "Backend engineer, payments");

    let mut private = full_profile();
    private["visibility"] = json!("private");
    let saved = json_of(
        put_as(&app, &update_path(jane_id), &admin, &private).await,
        200,
    )
    .await;
    assert_eq!(saved["visibility"], "private", "admins change any profile");
    let (status, _, _) = expect_error(get_as(&app, &profile_path(jane_id), &recruiter).await).await;
    assert_eq!(status, 404, "a private profile is hidden from recruiters");
    assert_eq!(
        get_as(&app, &profile_path(jane_id), &admin).await.status(),
        200
    );
    assert_eq!(
        get_as(&app, &profile_path(jane_id), &jane).await.status(),
        200
    );
}

async fn skills_are_added_rated_and_removed_by_esco_id_or_free_text(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let added = json_of(
        change_skills(
            &app,
            &jane,
            json!([
                { "action": "add", "text": "Kubernetes", "rating": 4 },
                { "action": "add", "text": "Rust, PostgreSQL" },
            ]),
        )
        .await,
        200,
    )
    .await;
    let skills = added["skills"].as_array().unwrap();
    assert_eq!(skills.len(), 3, "{added}");
    let find = |skills: &[Value], word: &str| -> Value {
        skills
            .iter()
            .find(|s| s["label"].as_str().unwrap().to_lowercase().contains(word))
            .cloned()
            .unwrap_or_else(|| panic!("no {word} in {skills:?}"))
    };
    let kubernetes = find(skills, "kubernetes");
    assert_eq!(kubernetes["rating"], 4);
    assert_eq!(kubernetes["source"], "text");
    assert_eq!(kubernetes["source_text"], "Kubernetes");
    let rust = find(skills, "rust");
    assert_eq!(rust["rating"], Value::Null);
    let rust_id = rust["esco_id"].as_str().unwrap().to_owned();

    let changed = json_of(
        change_skills(
            &app,
            &jane,
            json!([
                { "action": "rate", "esco_id": rust_id, "rating": 5 },
                { "action": "remove", "text": "kubernetes" },
                { "action": "add", "esco_id": kubernetes["esco_id"] },
            ]),
        )
        .await,
        200,
    )
    .await;
    let skills = changed["skills"].as_array().unwrap();
    assert_eq!(skills.len(), 3, "{changed}");
    assert_eq!(find(skills, "rust")["rating"], 5);
    let readded = find(skills, "kubernetes");
    assert_eq!(readded["source"], "esco_id");
    assert_eq!(
        readded["rating"],
        Value::Null,
        "removed, so its rating went too"
    );

    let removed = json_of(
        change_skills(
            &app,
            &jane,
            json!([{ "action": "remove", "esco_id": rust_id }]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(removed["skills"].as_array().unwrap().len(), 2);
}

async fn skill_changes_that_name_nothing_are_422_with_the_reason_and_change_nothing(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let reason = expect_invalid(
        change_skills(
            &app,
            &jane,
            json!([
                { "action": "add", "text": "Kubernetes" },
                { "action": "add", "text": "zzqx blorft" },
            ]),
        )
        .await,
        "text",
    )
    .await;
    assert!(
        reason.starts_with("change 1: ") && reason.contains("names no skill"),
        "{reason}"
    );
    let reason = expect_invalid(
        change_skills(
            &app,
            &jane,
            json!([{ "action": "add", "esco_id": "http://data.europa.eu/esco/skill/nope" }]),
        )
        .await,
        "esco_id",
    )
    .await;
    assert!(reason.contains("not a skill id"), "{reason}");
    let reason = expect_invalid(
        change_skills(
            &app,
            &jane,
            json!([{ "action": "rate", "text": "Rust", "rating": 3 }]),
        )
        .await,
        "text",
    )
    .await;
    assert!(reason.contains("not in the profile"), "{reason}");
    expect_invalid(change_skills(&app, &jane, json!([])).await, "changes").await;
    expect_invalid(
        change_skills(
            &app,
            &jane,
            json!([{ "action": "add", "text": "Rust", "rating": 9 }]),
        )
        .await,
        "rating",
    )
    .await;
    let profile = json_of(get_as(&app, &profile_path(jane_id), &jane).await, 200).await;
    assert_eq!(profile["skills"], json!([]), "all or nothing");
}

async fn stated_profile_skills_count_when_matching_jobs_for_the_user(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let job_id = post_job(&app, &recruiter, "Backend Engineer").await;
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    upload_resume(&app, &jane, RESUME_RUST).await;
    let matches_path = format!("/api/v1/jobs/matches/{jane_id}");
    let labels = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|s| s["label"].as_str().unwrap().to_lowercase())
            .collect()
    };

    let before = json_of(get_as(&app, &matches_path, &jane).await, 200).await;
    let before = &before[0];
    assert_eq!(before["job_id"], job_id);
    let missing = labels(&before["explanation"]["missing_required"]);
    assert!(missing.iter().any(|s| s.contains("kubernetes")), "{before}");

    let response = change_skills(
        &app,
        &jane,
        json!([{ "action": "add", "text": "Kubernetes" }]),
    )
    .await;
    assert_eq!(response.status(), 200);
    let after = json_of(get_as(&app, &matches_path, &jane).await, 200).await;
    let after = &after[0];
    let missing = labels(&after["explanation"]["missing_required"]);
    let matched = labels(&after["explanation"]["matched_skills"]);
    assert!(!missing.iter().any(|s| s.contains("kubernetes")), "{after}");
    assert!(matched.iter().any(|s| s.contains("kubernetes")), "{after}");
    assert!(
        after["score"].as_f64().unwrap() > before["score"].as_f64().unwrap(),
        "{before} -> {after}"
    );
}

on_both_backends!(
    stated_profile_skills_count_when_matching_jobs_for_the_user,
    a_user_reads_and_replaces_their_profile,
    invalid_profile_fields_are_422_naming_the_field,
    candidates_see_only_their_own_profile_and_recruiters_read_visible_candidates,
    skills_are_added_rated_and_removed_by_esco_id_or_free_text,
    skill_changes_that_name_nothing_are_422_with_the_reason_and_change_nothing,
);
