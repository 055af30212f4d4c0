//! Resumes and job postings over HTTP: upload (a failed parse still stored), ownership,
//! and two-way matching with explanations.

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::auth_support::{expect_422_fields, get_as, post_as, user_with_token};
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

pub const RESUME_RUST: &str = "Jane Example\njane@example.com\nBackend Engineer\n\n\
    Experience\nBackend Engineer, Acme Ltd, Jan 2020 - Present\n\
    - Built payment services in Rust\n- Ran PostgreSQL in production\n\n\
    Skills\nRust, PostgreSQL\n\n\
    Education\nBSc Computer Science, University of Leeds, 2015\n";

pub fn with_kubernetes(resume: &str) -> String {
    resume.replace(
        "- Ran PostgreSQL in production\n",
        "- Ran PostgreSQL in production\n- Deployed everything on Kubernetes\n",
    )
}

pub async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    app.client
        .post(app.url("/api/v1/resumes/upload"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request")
}

async fn an_unparseable_upload_answers_422_and_is_still_stored(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let response = upload(&app, &token, "scan.pdf", b"%PDF-1.7\n%broken".to_vec()).await;
    let (status, code, body) = expect_error(response).await;
    assert_eq!(status, 422, "{body}");
    assert_ne!(code, "internal_error");
    let id = body["error"]["details"]["resume_id"]
        .as_i64()
        .expect("stored id");
    let stored: Value = get_as(&app, &format!("/api/v1/resumes/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["parse_status"], "failed");
    assert_eq!(stored["parse_error_code"], code.as_str());
}

async fn a_resume_is_parsed_and_only_its_owner_sees_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let (_, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let response = upload(&app, &jane, "jane.txt", RESUME_RUST.as_bytes().to_vec()).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let id = body["resume"]["id"].as_i64().unwrap();
    assert_eq!(body["resume"]["headline"], "Backend Engineer");
    let again = upload(&app, &jane, "jane.txt", RESUME_RUST.as_bytes().to_vec()).await;
    assert_eq!(again.status(), 200, "the same file is not stored twice");
    let (status, _, _) =
        expect_error(get_as(&app, &format!("/api/v1/resumes/{id}"), &other).await).await;
    assert_eq!(status, 404, "another candidate's resume looks missing");
    let list: Value = get_as(&app, "/api/v1/resumes/list", &other)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
}

async fn matching_explains_matched_and_missing_skills_and_improves_with_kubernetes(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let job = json!({
        "title": "Backend Engineer",
        "company": "Acme",
        "description": "We build payment systems.\n\nRequirements:\n- Rust\n- Kubernetes\n",
        "remote_mode": "remote",
        "employment_type": "full_time",
    });
    let response = post_as(&app, "/api/v1/jobs", &recruiter, &job).await;
    assert_eq!(response.status(), 201);
    let job_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();

    let (user_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let response = upload(&app, &jane, "jane.txt", RESUME_RUST.as_bytes().to_vec()).await;
    let resume_id = response.json::<Value>().await.unwrap()["resume"]["id"]
        .as_i64()
        .unwrap();
    let matches: Value = get_as(&app, &format!("/api/v1/jobs/matches/{user_id}"), &jane)
        .await
        .json()
        .await
        .unwrap();
    let first = &matches[0];
    assert_eq!(first["job_id"], job_id, "{matches}");
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|s| s["label"].as_str().unwrap().to_lowercase())
            .collect()
    };
    let matched = names(&first["explanation"]["matched_skills"]);
    let missing = names(&first["explanation"]["missing_required"]);
    assert!(matched.iter().any(|s| s.contains("rust")), "{first}");
    assert!(missing.iter().any(|s| s.contains("kubernetes")), "{first}");
    let before = first["score"].as_f64().unwrap();

    // The same resume with Kubernetes shown in the current role scores higher.
    let part = reqwest::multipart::Part::bytes(with_kubernetes(RESUME_RUST).into_bytes())
        .file_name("jane-v2.txt");
    let response = app
        .client
        .put(app.url(&format!("/api/v1/resumes/{resume_id}/update")))
        .bearer_auth(&jane)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let explained: Value = get_as(
        &app,
        &format!("/api/v1/matches/explain?resume_id={resume_id}&job_id={job_id}"),
        &jane,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(explained["score"].as_f64().unwrap() > before, "{explained}");
    assert!(
        explained["missing_required"].as_array().unwrap().is_empty(),
        "{explained}"
    );

    // Recruiters see the candidate for the job; candidates may not ask.
    let candidates: Value = get_as(
        &app,
        &format!("/api/v1/jobs/{job_id}/candidates"),
        &recruiter,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(candidates[0]["resume_id"], resume_id, "{candidates}");
    let (status, _, _) =
        expect_error(get_as(&app, &format!("/api/v1/jobs/{job_id}/candidates"), &jane).await).await;
    assert_eq!(status, 403);
}

async fn list_json(app: &TestApp, path: &str, token: &str) -> Value {
    let response = get_as(app, path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

fn field_of(list: &Value, field: &str) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item[field].as_str().expect(field).to_owned())
        .collect()
}

async fn the_resume_list_sorts_and_filters_and_candidates_see_only_their_own(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let (other_id, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let kubernetes = with_kubernetes(RESUME_RUST);
    for (token, name, bytes) in [
        (&jane, "b.txt", RESUME_RUST.as_bytes().to_vec()),
        (&jane, "a.txt", kubernetes.as_bytes().to_vec()),
        (&jane, "c.pdf", b"%PDF-1.7\n%broken".to_vec()),
        (&other, "d.txt", RESUME_RUST.as_bytes().to_vec()),
    ] {
        let status = upload(&app, token, name, bytes).await.status();
        assert!(status == 201 || status == 422, "{name}: {status}");
    }

    let path = format!("/api/v1/resumes/list?owner_id={jane_id}&sort=source_filename");
    let asc = list_json(&app, &format!("{path}&order=asc"), &recruiter).await;
    assert_eq!(
        field_of(&asc, "source_filename"),
        ["a.txt", "b.txt", "c.pdf"]
    );
    let desc = list_json(&app, &format!("{path}&order=desc"), &recruiter).await;
    assert_eq!(
        field_of(&desc, "source_filename"),
        ["c.pdf", "b.txt", "a.txt"]
    );
    let by_id = list_json(&app, "/api/v1/resumes/list?sort=id&order=asc", &recruiter).await;
    let ids: Vec<i64> = by_id["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 4, "recruiters see every resume");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    let failed = list_json(&app, "/api/v1/resumes/list?parse_status=failed", &recruiter).await;
    assert_eq!(field_of(&failed, "source_filename"), ["c.pdf"]);
    let pdf = list_json(&app, "/api/v1/resumes/list?format=pdf", &recruiter).await;
    assert_eq!(field_of(&pdf, "format"), ["pdf"]);
    let other_only = list_json(
        &app,
        &format!("/api/v1/resumes/list?owner_id={other_id}"),
        &recruiter,
    )
    .await;
    assert_eq!(field_of(&other_only, "source_filename"), ["d.txt"]);

    let own = list_json(
        &app,
        &format!("/api/v1/resumes/list?owner_id={other_id}&sort=source_filename&order=asc"),
        &jane,
    )
    .await;
    assert_eq!(
        field_of(&own, "source_filename"),
        ["a.txt", "b.txt", "c.pdf"],
        "a candidate's owner_id cannot reach another user's resumes"
    );
    let parsed = list_json(&app, "/api/v1/resumes/list?parse_status=parsed", &jane).await;
    assert_eq!(parsed["total"], 2);

    expect_422_fields(
        &app,
        "/api/v1/resumes/list",
        &recruiter,
        &[
            ("?sort=content_hash", "sort"),
            ("?order=sideways", "order"),
            ("?parse_status=done", "parse_status"),
            ("?owner_id=me", "owner_id"),
        ],
    )
    .await;
}

async fn the_job_list_sorts_and_filters(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "hr@example.com", Role::Recruiter).await;
    let (_, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    for (title, company, remote_mode, employment_type) in [
        ("Beta Engineer", "Acme", "remote", "full_time"),
        ("Alpha Engineer", "Globex", "hybrid", "contract"),
        ("Gamma Engineer", "Acme", "onsite", "full_time"),
    ] {
        let job = json!({
            "title": title,
            "company": company,
            "description": "We build payment systems.\n\nRequirements:\n- Rust\n",
            "remote_mode": remote_mode,
            "employment_type": employment_type,
        });
        let response = post_as(&app, "/api/v1/jobs", &recruiter, &job).await;
        assert_eq!(response.status(), 201, "{title}");
    }

    let asc = list_json(&app, "/api/v1/jobs/list?sort=title&order=asc", &recruiter).await;
    assert_eq!(
        field_of(&asc, "title"),
        ["Alpha Engineer", "Beta Engineer", "Gamma Engineer"]
    );
    let desc = list_json(&app, "/api/v1/jobs/list?sort=title&order=desc", &jane).await;
    assert_eq!(
        field_of(&desc, "title"),
        ["Gamma Engineer", "Beta Engineer", "Alpha Engineer"]
    );
    let hybrid = list_json(&app, "/api/v1/jobs/list?remote_mode=hybrid", &jane).await;
    assert_eq!(field_of(&hybrid, "title"), ["Alpha Engineer"]);
    let acme = list_json(
        &app,
        "/api/v1/jobs/list?company=acme&employment_type=full_time&sort=title&order=asc",
        &jane,
    )
    .await;
    assert_eq!(
        field_of(&acme, "title"),
        ["Beta Engineer", "Gamma Engineer"]
    );
    assert_eq!(acme["total"], 2);

    expect_422_fields(
        &app,
        "/api/v1/jobs/list",
        &jane,
        &[
            ("?sort=salary_secret", "sort"),
            ("?order=up", "order"),
            ("?remote_mode=moon", "remote_mode"),
            ("?employment_type=gig", "employment_type"),
        ],
    )
    .await;
}

on_both_backends!(
    an_unparseable_upload_answers_422_and_is_still_stored,
    a_resume_is_parsed_and_only_its_owner_sees_it,
    matching_explains_matched_and_missing_skills_and_improves_with_kubernetes,
    the_resume_list_sorts_and_filters_and_candidates_see_only_their_own,
    the_job_list_sorts_and_filters,
);
