//! Admin actions on other users' resumes and job postings write audit rows; owners acting
//! on their own objects do not.

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::auth_support::{audit_rows, delete_as, post_as, put_as, user_with_token};
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;

const RESUME: &str = "Jane Example\njane@example.com\nBackend Engineer\n\n\
    Experience\nBackend Engineer, Acme Ltd, Jan 2020 - Present\n- Built services in Rust\n\n\
    Skills\nRust, PostgreSQL\n";

async fn upload(app: &TestApp, token: &str, text: &str) -> Value {
    let part = reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name("cv.txt");
    let form = reqwest::multipart::Form::new().part("file", part);
    let response = app
        .client
        .post(app.url("/api/v1/resumes/upload"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["resume"].clone()
}

async fn an_admin_changing_or_deleting_a_users_resume_is_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (jane_id, jane) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    let (admin_id, admin) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let own = upload(&app, &jane, RESUME).await;
    let own_id = own["id"].as_i64().unwrap();
    let update = json!({ "profile": own["profile"] });
    let path = format!("/api/v1/resumes/{own_id}/update");
    assert_eq!(put_as(&app, &path, &jane, &update).await.status(), 200);
    assert!(
        audit_rows(&app, "admin.resume_update").await.is_empty(),
        "an owner's change is no admin action"
    );

    assert_eq!(put_as(&app, &path, &admin, &update).await.status(), 200);
    let rows = audit_rows(&app, "admin.resume_update").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor_user_id, Some(admin_id));
    assert_eq!(
        (rows[0].target_kind.as_deref(), rows[0].target_id.clone()),
        (Some("resume"), Some(own_id.to_string()))
    );
    assert_eq!(rows[0].details.0["owner_id"], jane_id);
    assert_eq!(rows[0].ip.as_deref(), Some("127.0.0.1"));

    let path = format!("/api/v1/resumes/{own_id}");
    assert_eq!(delete_as(&app, &path, &admin).await.status(), 204);
    let rows = audit_rows(&app, "admin.resume_delete").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor_user_id, Some(admin_id));
    assert_eq!(rows[0].target_id, Some(own_id.to_string()));
    assert_eq!(rows[0].details.0["owner_id"], jane_id);

    let second = upload(&app, &jane, &RESUME.replace("Rust", "Go")).await;
    let path = format!("/api/v1/resumes/{}", second["id"]);
    assert_eq!(delete_as(&app, &path, &jane).await.status(), 204);
    assert_eq!(audit_rows(&app, "admin.resume_delete").await.len(), 1);
}

async fn an_admin_changing_a_recruiters_posting_is_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (rita_id, rita) = user_with_token(&app, "rita@example.com", Role::Recruiter).await;
    let (admin_id, admin) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let job = json!({"title": "Rust Engineer", "description": "Build services in Rust."});
    let response = post_as(&app, "/api/v1/jobs", &rita, &job).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let update = format!("/api/v1/jobs/{id}/update");
    let status = format!("/api/v1/jobs/{id}/status");

    assert_eq!(put_as(&app, &update, &rita, &job).await.status(), 200);
    let closed = json!({"status": "closed"});
    assert_eq!(put_as(&app, &status, &rita, &closed).await.status(), 200);
    for action in ["admin.job_update", "admin.job_status"] {
        assert!(
            audit_rows(&app, action).await.is_empty(),
            "{action} by the author"
        );
    }

    let retitled =
        json!({"title": "Senior Rust Engineer", "description": "Build services in Rust."});
    assert_eq!(put_as(&app, &update, &admin, &retitled).await.status(), 200);
    let open = json!({"status": "open"});
    assert_eq!(put_as(&app, &status, &admin, &open).await.status(), 200);
    assert_eq!(
        delete_as(&app, &format!("/api/v1/jobs/{id}"), &admin)
            .await
            .status(),
        204
    );
    for action in ["admin.job_update", "admin.job_status", "admin.job_delete"] {
        let rows = audit_rows(&app, action).await;
        assert_eq!(rows.len(), 1, "{action}");
        assert_eq!(rows[0].actor_user_id, Some(admin_id), "{action}");
        assert_eq!(rows[0].target_kind.as_deref(), Some("job"), "{action}");
        assert_eq!(rows[0].target_id, Some(id.to_string()), "{action}");
        assert_eq!(rows[0].details.0["created_by"], rita_id, "{action}");
    }
    let status_row = &audit_rows(&app, "admin.job_status").await[0];
    assert_eq!(status_row.details.0["from"], "closed");
    assert_eq!(status_row.details.0["to"], "open");
}

on_both_backends!(
    an_admin_changing_or_deleting_a_users_resume_is_audited,
    an_admin_changing_a_recruiters_posting_is_audited,
);
