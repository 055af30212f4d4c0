//! Organisations: recruiters act only on the applications to their organisation's
//! postings (admins on all), and a private profile is shown only to recruiters of
//! organisations the candidate applied to, through every route a person appears in.

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::applications::{post_job, upload_resume};
use crate::auth_support::{get_as, post_as, put_as, user_with_token};
use crate::documents_api::RESUME_RUST;
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

const APPLICATIONS: &str = "/api/v1/jobs/applications";

async fn apply(app: &TestApp, token: &str, job_id: i64, resume_id: i64) -> i64 {
    let response = post_as(
        app,
        APPLICATIONS,
        token,
        &json!({ "job_id": job_id, "resume_id": resume_id }),
    )
    .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn status_of(response: reqwest::Response) -> u16 {
    response.status().as_u16()
}

async fn move_to(app: &TestApp, token: &str, application: i64, status: &str) -> reqwest::Response {
    put_as(
        app,
        &format!("{APPLICATIONS}/{application}/status"),
        token,
        &json!({ "status": status }),
    )
    .await
}

/// The ids of a page of applications.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let response = get_as(app, &format!("{APPLICATIONS}?{query}"), token).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

async fn organisation_of_job(app: &TestApp, token: &str, job: i64) -> i64 {
    let body: Value = get_as(app, &format!("/api/v1/jobs/{job}"), token)
        .await
        .json()
        .await
        .unwrap();
    body["organisation_id"].as_i64().expect("organisation_id")
}

async fn recruiters_act_only_on_their_organisations_applications_and_admins_on_all(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, r1) = user_with_token(&app, "r1@example.com", Role::Recruiter).await;
    let (_, r2) = user_with_token(&app, "r2@example.com", Role::Recruiter).await;
    let (r3_id, r3) = user_with_token(&app, "r3@example.com", Role::Recruiter).await;
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, c1) = user_with_token(&app, "c1@example.com", Role::Candidate).await;
    let (_, c2) = user_with_token(&app, "c2@example.com", Role::Candidate).await;
    let job1 = post_job(&app, &r1, "Engineer at R1's").await;
    let job2 = post_job(&app, &r2, "Engineer at R2's").await;
    let org1 = organisation_of_job(&app, &r1, job1).await;
    let org2 = organisation_of_job(&app, &r2, job2).await;
    assert_ne!(org1, org2, "each recruiter gets a personal organisation");
    let resume1 = upload_resume(&app, &c1, RESUME_RUST).await;
    let resume2 = upload_resume(&app, &c2, RESUME_RUST).await;
    let a1 = apply(&app, &c1, job1, resume1).await;
    let a2 = apply(&app, &c2, job2, resume2).await;

    // A posting of another recruiter is answered 404; its applications the same way.
    let (status, _, _) = expect_error(
        put_as(
            &app,
            &format!("/api/v1/jobs/{job2}/update"),
            &r1,
            &json!({ "title": "Mine now", "description": "x" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    let read = format!("{APPLICATIONS}/{a2}");
    let (status, code, _) = expect_error(get_as(&app, &read, &r1).await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let (status, code, _) = expect_error(move_to(&app, &r1, a2, "rejected").await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let (status, _, _) =
        expect_error(get_as(&app, &format!("{APPLICATIONS}?job_id={job2}"), &r1).await).await;
    assert_eq!(status, 404);
    assert_eq!(listed(&app, &r1, "").await, vec![a1]);
    assert_eq!(listed(&app, &r1, &format!("job_id={job1}")).await, vec![a1]);
    // R1's attempt changed nothing.
    let body: Value = get_as(&app, &read, &r2).await.json().await.unwrap();
    assert_eq!(body["status"], "submitted");
    assert_eq!(body["organisation_id"], org2);

    // R2 reaches its own, not R1's.
    assert_eq!(status_of(get_as(&app, &read, &r2).await).await, 200);
    assert_eq!(
        status_of(get_as(&app, &format!("{APPLICATIONS}/{a1}"), &r2).await).await,
        404
    );
    assert_eq!(
        status_of(move_to(&app, &r2, a2, "reviewing").await).await,
        200
    );
    assert_eq!(listed(&app, &r2, "").await, vec![a2]);

    // Admins reach both organisations.
    for a in [a1, a2] {
        assert_eq!(
            status_of(get_as(&app, &format!("{APPLICATIONS}/{a}"), &admin).await).await,
            200
        );
    }
    assert_eq!(
        status_of(move_to(&app, &admin, a1, "reviewing").await).await,
        200
    );
    assert_eq!(
        status_of(move_to(&app, &admin, a2, "interview").await).await,
        200
    );
    let mut all = listed(&app, &admin, "").await;
    all.sort_unstable();
    assert_eq!(all, vec![a1, a2]);

    // An admin puts R3 into R2's organisation: R3 then reaches R2's applications only.
    let user = format!("/api/v1/admin/users/{r3_id}/update");
    let (status, _, body) =
        expect_error(put_as(&app, &user, &admin, &json!({ "organisation_id": 999_999 })).await)
            .await;
    assert_eq!(
        (status, body["error"]["details"]["field"].as_str()),
        (422, Some("organisation_id"))
    );
    assert_eq!(status_of(get_as(&app, &read, &r3).await).await, 404);
    let response = put_as(&app, &user, &admin, &json!({ "organisation_id": org2 })).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap()["organisation_id"],
        org2
    );
    assert_eq!(status_of(get_as(&app, &read, &r3).await).await, 200);
    assert_eq!(
        status_of(move_to(&app, &r3, a2, "offered").await).await,
        200
    );
    assert_eq!(listed(&app, &r3, "").await, vec![a2]);
    assert_eq!(
        status_of(get_as(&app, &format!("{APPLICATIONS}/{a1}"), &r3).await).await,
        404
    );
}

fn resume_ids(body: &Value, key: &str) -> Vec<i64> {
    body.as_array()
        .expect("a list")
        .iter()
        .map(|m| m[key].as_i64().unwrap())
        .collect()
}

/// Which of the routes a person appears in show `resume` (of `user`) to `token`:
/// (resume read, profile read, jobs for the person, candidates for `job`, resume search,
/// similar to `other`, resume list).
async fn sightings(
    app: &TestApp,
    token: &str,
    user: i64,
    resume: i64,
    job: i64,
    other: i64,
) -> [bool; 7] {
    let ok = |r: reqwest::Response| r.status() == 200;
    let read = ok(get_as(app, &format!("/api/v1/resumes/{resume}"), token).await);
    let profile = ok(get_as(app, &format!("/api/v1/profile/{user}"), token).await);
    let matches = ok(get_as(app, &format!("/api/v1/jobs/matches/{user}"), token).await);
    let response = get_as(
        app,
        &format!("/api/v1/jobs/{job}/candidates?limit=100"),
        token,
    )
    .await;
    assert_eq!(response.status(), 200);
    let candidates = resume_ids(&response.json().await.unwrap(), "resume_id").contains(&resume);
    let response = post_as(
        app,
        "/api/v1/resumes/search",
        token,
        &json!({ "query": "Rust payment services", "limit": 100 }),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let search = resume_ids(&body["hits"], "id").contains(&resume);
    let response = get_as(
        app,
        &format!("/api/v1/resumes/{other}/similar?limit=100"),
        token,
    )
    .await;
    assert_eq!(response.status(), 200);
    let similar = resume_ids(&response.json().await.unwrap(), "resume_id").contains(&resume);
    let response = get_as(app, "/api/v1/resumes/list?per_page=100", token).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let list = resume_ids(&body["items"], "id").contains(&resume);
    [read, profile, matches, candidates, search, similar, list]
}

async fn a_private_profile_is_shown_only_to_recruiters_of_organisations_the_candidate_applied_to(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, r1) = user_with_token(&app, "r1@example.com", Role::Recruiter).await;
    let (_, r2) = user_with_token(&app, "r2@example.com", Role::Recruiter).await;
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (private_id, private) = user_with_token(&app, "private@example.com", Role::Candidate).await;
    let (_, public) = user_with_token(&app, "public@example.com", Role::Candidate).await;
    let job1 = post_job(&app, &r1, "Backend engineer at R1's").await;
    let job2 = post_job(&app, &r2, "Backend engineer at R2's").await;
    let hidden = upload_resume(&app, &private, RESUME_RUST).await;
    let other = upload_resume(
        &app,
        &public,
        &format!("{RESUME_RUST}\nAlso built payment services in Rust.\n"),
    )
    .await;
    let everywhere = [true; 7];

    // Visible to recruiters by default.
    assert_eq!(
        sightings(&app, &r1, private_id, hidden, job1, other).await,
        everywhere
    );
    let response = put_as(
        &app,
        &format!("/api/v1/profile/{private_id}/update"),
        &private,
        &json!({
            "display_name": "Pat Private",
            "headline": "Backend engineer",
            "location": "Leeds, UK",
            "visibility": "private",
            "open_to_work": true,
        }),
    )
    .await;
    assert_eq!(response.status(), 200);
    // Private and applied nowhere: no recruiter sees the person, admins do.
    assert_eq!(
        sightings(&app, &r1, private_id, hidden, job1, other).await,
        [false; 7]
    );
    assert_eq!(
        sightings(&app, &r2, private_id, hidden, job2, other).await,
        [false; 7]
    );
    assert_eq!(
        sightings(&app, &admin, private_id, hidden, job1, other).await,
        everywhere
    );

    // Applying to R2's posting shows them to R2's organisation, not to R1's.
    apply(&app, &private, job2, hidden).await;
    assert_eq!(
        sightings(&app, &r2, private_id, hidden, job2, other).await,
        everywhere
    );
    assert_eq!(
        sightings(&app, &r1, private_id, hidden, job1, other).await,
        [false; 7]
    );
    assert_eq!(
        sightings(&app, &admin, private_id, hidden, job1, other).await,
        everywhere
    );
}
on_both_backends!(
    recruiters_act_only_on_their_organisations_applications_and_admins_on_all,
    a_private_profile_is_shown_only_to_recruiters_of_organisations_the_candidate_applied_to,
);
