//! Career services over HTTP: recommendations (skills to learn ranked by the match-score
//! gain they bring), pathways to ESCO occupations with their gaps, and stored coaching
//! plans (who may read which), with validation.

use std::collections::HashSet;

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::applications::upload_resume;
use crate::auth_support::{get_as, post_as, put_as, user_with_token};
use crate::documents_api::RESUME_RUST;
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

const RECOMMENDATIONS: &str = "/api/v1/career/recommendations";
const COACHING: &str = "/api/v1/career/coaching/session";
const SESSIONS: &str = "/api/v1/career/coaching/sessions";

/// A resume whose SQL shows in a role (for a plan's evidence).
pub const RESUME_SQL: &str = "Sam Example\nsam@example.com\nBackend Engineer\n\n\
    Experience\nBackend Engineer, Initech, Mar 2019 - Present\n\
    - Wrote SQL reports for the finance team\n- Built services in Rust\n\n\
    Skills\nRust, SQL\n\n\
    Education\nBSc Mathematics, University of York, 2014\n";

/// A recruiter's open posting with this title and required skills; answers its id.
pub async fn post_job_with(app: &TestApp, recruiter: &str, title: &str, skills: &[&str]) -> i64 {
    let list: String = skills.iter().map(|s| format!("- {s}\n")).collect();
    let job = json!({
        "title": title,
        "company": "Acme",
        "description": format!("We are hiring.\n\nRequirements:\n{list}"),
        "remote_mode": "remote",
    });
    let response = post_as(app, "/api/v1/jobs", recruiter, &job).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn ok_json(response: reqwest::Response, status: u16) -> Value {
    let code = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(code, status, "{body}");
    body
}

fn labels(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_str().unwrap().to_owned())
        .collect()
}

async fn skills_to_learn_are_the_missing_skills_that_raise_the_most_match_scores(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let resume_id = upload_resume(&app, &candidate, RESUME_RUST).await;
    let mut jobs = Vec::new();
    for title in ["Backend Engineer", "Rust Engineer", "Payments Engineer"] {
        jobs.push(post_job_with(&app, &recruiter, title, &["Rust", "Kubernetes"]).await);
    }
    jobs.push(
        post_job_with(
            &app,
            &recruiter,
            "Platform Engineer",
            &["Rust", "Terraform"],
        )
        .await,
    );

    let body = ok_json(get_as(&app, RECOMMENDATIONS, &candidate).await, 200).await;
    assert_eq!(body["resume_id"], resume_id);
    assert_eq!(body["jobs_considered"], 4, "{body}");
    let skills = &body["skills_to_learn"];
    let names = labels(skills, "label");
    assert_eq!(names[0], "Kubernetes", "{body}");
    assert!(names.contains(&"Terraform".to_owned()), "{body}");
    let first = &skills[0];
    assert_eq!(first["jobs"], 3);
    assert_eq!(first["required_in"], 3);
    // The gains agree with the matcher's own simulation of gaining the skill.
    let mut from_explanations = 0.0;
    for &job in &jobs[..3] {
        let explain = ok_json(
            get_as(
                &app,
                &format!("/api/v1/matches/explain?resume_id={resume_id}&job_id={job}"),
                &candidate,
            )
            .await,
            200,
        )
        .await;
        let gain = explain["improvements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| {
                i["kind"] == "add_skill" && i["action"].as_str().unwrap().contains("Kubernetes")
            })
            .map(|i| i["score_gain"].as_f64().unwrap())
            .expect("gaining Kubernetes is an improvement");
        from_explanations += gain;
    }
    let total = first["total_score_gain"].as_f64().unwrap();
    assert!(
        (total - from_explanations).abs() < 0.1,
        "total {total} vs explanations {from_explanations}"
    );
    assert!(
        total > skills[1]["total_score_gain"].as_f64().unwrap(),
        "{body}"
    );
    let ids: HashSet<i64> = first["job_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids, jobs[..3].iter().copied().collect());
    // Jobs come from matching, best first, and roles from the pathways.
    let scores: Vec<f64> = body["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(!body["roles_to_aim_for"].as_array().unwrap().is_empty());
}

async fn recommendations_need_a_resume_or_profile_and_a_user_login(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, candidate) = user_with_token(&app, "empty@example.com", Role::Candidate).await;
    let (status, code, _) = expect_error(get_as(&app, RECOMMENDATIONS, &candidate).await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    // Profile skills alone are enough to recommend from.
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    post_job_with(&app, &recruiter, "Rust Engineer", &["Rust", "Kubernetes"]).await;
    let changes = json!({ "changes": [{ "action": "add", "text": "Rust" }] });
    let response = post_as(&app, "/api/v1/profile/skills/update", &candidate, &changes).await;
    assert_eq!(response.status(), 200);
    let body = ok_json(get_as(&app, RECOMMENDATIONS, &candidate).await, 200).await;
    assert!(body["resume_id"].is_null());
    assert_eq!(
        labels(&body["skills_to_learn"], "label"),
        vec!["Kubernetes"]
    );
    let response = app.get(RECOMMENDATIONS).await;
    assert_eq!(response.status(), 401);
}

async fn pathways_list_occupations_with_their_overlap_and_gap(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (candidate_id, candidate) =
        user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let (_, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    upload_resume(&app, &candidate, RESUME_SQL).await;
    // Postings titled like an occupation add the skills they share to it.
    for _ in 0..2 {
        post_job_with(
            &app,
            &recruiter,
            "Software Developer",
            &["Rust", "SQL", "Docker"],
        )
        .await;
    }
    let path = format!("/api/v1/career/pathways/{candidate_id}?limit=8");
    let body = ok_json(get_as(&app, &path, &candidate).await, 200).await;
    let pathways = body["pathways"].as_array().unwrap();
    assert_eq!(pathways.len(), 8, "{body}");
    assert_eq!(body["titles"][0], "Backend Engineer");
    let scores: Vec<f64> = pathways
        .iter()
        .map(|p| p["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // The titles are close to software occupations.
    assert!(
        pathways.iter().take(5).any(|p| {
            let text = format!("{} {}", p["label"], p["alt_labels"]).to_lowercase();
            text.contains("developer") || text.contains("engineer") || text.contains("programmer")
        }),
        "{body}"
    );
    // Overlap and gap partition what each occupation needs by what the profile holds.
    let resume = ok_json(get_as(&app, "/api/v1/resumes/list", &candidate).await, 200).await;
    let id = resume["items"][0]["id"].as_i64().unwrap();
    let detail = ok_json(
        get_as(&app, &format!("/api/v1/resumes/{id}"), &candidate).await,
        200,
    )
    .await;
    let held: HashSet<String> = detail["profile"]["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["uri"].as_str().unwrap().to_owned())
        .collect();
    let mut any_overlap = false;
    for p in pathways {
        for s in p["overlap"].as_array().unwrap() {
            assert!(held.contains(s["uri"].as_str().unwrap()), "{p}");
            any_overlap = true;
        }
        for s in p["gap"].as_array().unwrap() {
            assert!(!held.contains(s["uri"].as_str().unwrap()), "{p}");
        }
        let needed = p["overlap"].as_array().unwrap().len() + p["gap"].as_array().unwrap().len();
        if needed > 0 {
            let coverage = p["overlap"].as_array().unwrap().len() as f64 / needed as f64;
            assert!(
                (p["skill_coverage"].as_f64().unwrap() - coverage).abs() < 0.001,
                "{p}"
            );
        }
    }
    assert!(
        any_overlap,
        "some occupation shares a skill with the profile: {body}"
    );
    let developer = pathways
        .iter()
        .find(|p| p["label"] == "software developer")
        .unwrap_or_else(|| panic!("software developer is a pathway: {body}"));
    assert_eq!(developer["postings_with_title"], 2, "{developer}");
    let overlap = labels(&developer["overlap"], "label");
    assert!(
        overlap.contains(&"Rust".to_owned()) && overlap.contains(&"SQL".to_owned()),
        "{developer}"
    );
    let docker = developer["gap"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == "Docker")
        .unwrap_or_else(|| panic!("Docker is in the gap: {developer}"));
    assert_eq!(docker["sources"], json!(["postings"]));
    assert_eq!(docker["posting_share"], 1.0);
    // Recruiters read a visible candidate's pathways; other candidates do not.
    assert_eq!(get_as(&app, &path, &recruiter).await.status(), 200);
    assert_eq!(get_as(&app, &path, &other).await.status(), 404);
    let private = json!({ "visibility": "private" });
    let response = put_as(
        &app,
        &format!("/api/v1/profile/{candidate_id}/update"),
        &candidate,
        &private,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(get_as(&app, &path, &recruiter).await.status(), 404);
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=x", "limit"),
        ("?bogus=1", "bogus"),
    ] {
        let url = format!("/api/v1/career/pathways/{candidate_id}{query}");
        let (status, _, error) = expect_error(get_as(&app, &url, &candidate).await).await;
        assert_eq!(status, 422, "{error}");
        if field != "bogus" {
            assert_eq!(error["error"]["details"]["field"], field);
        }
    }
    let (status, _, error) =
        expect_error(get_as(&app, "/api/v1/career/pathways/abc", &candidate).await).await;
    assert_eq!(
        (status, &error["error"]["details"]["field"]),
        (422, &json!("user_id"))
    );
}

async fn a_coaching_plan_is_grounded_stored_and_readable_by_its_owner(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let (_, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let resume_id = upload_resume(&app, &candidate, RESUME_SQL).await;
    for title in [
        "Data Analyst",
        "Senior Data Analyst",
        "Data Analyst (Finance)",
    ] {
        post_job_with(&app, &recruiter, title, &["SQL", "Python", "Tableau"]).await;
    }
    post_job_with(
        &app,
        &recruiter,
        "Backend Engineer",
        &["Rust", "Kubernetes"],
    )
    .await;

    let body = json!({ "target_role": "Data Analyst" });
    let plan = ok_json(post_as(&app, COACHING, &candidate, &body).await, 201).await;
    let p = &plan["plan"];
    assert_eq!(p["resume_id"], resume_id);
    assert_eq!(p["postings_with_title"], 3, "{plan}");
    let held = &p["gap_analysis"]["held"];
    let sql = held
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["label"] == "SQL")
        .unwrap_or_else(|| panic!("SQL is held: {plan}"));
    assert!(
        sql["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["role"] == "Backend Engineer, Initech"),
        "{sql}"
    );
    let steps = &p["skills_to_acquire"];
    let step_labels = labels(steps, "label");
    assert!(
        step_labels.iter().any(|l| l.starts_with("Python")),
        "{plan}"
    );
    assert!(step_labels.contains(&"Tableau".to_owned()), "{plan}");
    assert!(!step_labels.contains(&"SQL".to_owned()), "{plan}");
    let python = steps
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"].as_str().unwrap().starts_with("Python"))
        .unwrap();
    assert!(
        python["reasons"][0]
            .as_str()
            .unwrap()
            .contains("asked for by 3 of the 3 open postings"),
        "{python}"
    );
    let orders: Vec<i64> = steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["order"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, (1..=orders.len() as i64).collect::<Vec<_>>());
    assert!(p["gap_analysis"]["coverage"].as_f64().unwrap() > 0.0);
    // Suggested jobs are stored postings titled like the role.
    for job in p["suggested_jobs"].as_array().unwrap() {
        assert!(
            job["title"].as_str().unwrap().contains("Data Analyst"),
            "{job}"
        );
    }

    let id = plan["id"].as_i64().unwrap();
    let path = format!("{SESSIONS}/{id}");
    let again = ok_json(get_as(&app, &path, &candidate).await, 200).await;
    assert_eq!(again, plan);
    assert_eq!(get_as(&app, &path, &admin).await.status(), 200);
    assert_eq!(get_as(&app, &path, &other).await.status(), 404);
    assert_eq!(get_as(&app, &path, &recruiter).await.status(), 404);
    let list = ok_json(get_as(&app, SESSIONS, &candidate).await, 200).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
    let list = ok_json(get_as(&app, SESSIONS, &other).await, 200).await;
    assert_eq!(list["total"], 0);
}

async fn coaching_requests_are_validated(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let (_, other) = user_with_token(&app, "other@example.com", Role::Candidate).await;
    let theirs = upload_resume(&app, &other, RESUME_RUST).await;
    let long = "x".repeat(201);
    for (body, field) in [
        (json!({ "target_role": "" }), "target_role"),
        (json!({ "target_role": "  " }), "target_role"),
        (json!({ "target_role": long }), "target_role"),
        (json!({ "target_role": "a\nb" }), "target_role"),
        (json!({}), "target_role"),
        (json!({ "target_role": 5 }), "target_role"),
        (
            json!({ "target_role": "Data Analyst", "mood": "good" }),
            "mood",
        ),
        (
            json!({ "target_role": "Data Analyst", "occupation_uri": "http://example.com/x" }),
            "occupation_uri",
        ),
    ] {
        let (status, _, error) =
            expect_error(post_as(&app, COACHING, &candidate, &body).await).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert_eq!(error["error"]["details"]["field"], field, "{body}: {error}");
    }
    let body = json!({ "target_role": "Data Analyst", "resume_id": theirs });
    let (status, _, _) = expect_error(post_as(&app, COACHING, &candidate, &body).await).await;
    assert_eq!(status, 404);
    let (status, _, _) =
        expect_error(get_as(&app, &format!("{SESSIONS}/x"), &candidate).await).await;
    assert_eq!(status, 422);
    let (status, _, _) =
        expect_error(get_as(&app, &format!("{SESSIONS}?per_page=0"), &candidate).await).await;
    assert_eq!(status, 422);
}

on_both_backends!(
    skills_to_learn_are_the_missing_skills_that_raise_the_most_match_scores,
    recommendations_need_a_resume_or_profile_and_a_user_login,
    pathways_list_occupations_with_their_overlap_and_gap,
    a_coaching_plan_is_grounded_stored_and_readable_by_its_owner,
    coaching_requests_are_validated,
);
