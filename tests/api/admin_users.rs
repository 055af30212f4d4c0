use intellicv_core::Role;
use intellicv_store::{NewResume, ParseOutcome, StoreError};
use serde_json::{Value, json};

use crate::applications::{post_job, upload_resume};
use crate::auth_support::*;
use crate::documents_api::RESUME_RUST;
use crate::helpers::{Backend, TestApp, expect_error, spawn_app};
use crate::on_both_backends;

async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let response = get_as(app, &format!("/api/v1/admin/users/list{query}"), token).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn emails(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

async fn an_admin_creates_updates_and_deletes_users_with_audit_rows(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (admin_id, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let response = post_as(
        &app,
        "/api/v1/admin/users/create",
        &admin,
        &json!({"email": "Rita@Example.com", "password": PASSWORD, "role": "recruiter",
                "display_name": " Rita "}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let rita: Value = response.json().await.unwrap();
    let id = rita["id"].as_i64().unwrap();
    assert_eq!(
        (&rita["email"], &rita["role"], &rita["display_name"]),
        (
            &json!("rita@example.com"),
            &json!("recruiter"),
            &json!("Rita")
        )
    );
    let again = post_as(
        &app,
        "/api/v1/admin/users/create",
        &admin,
        &json!({"email": "rita@example.com", "password": PASSWORD, "role": "candidate"}),
    )
    .await;
    let (status, code, _) = expect_error(again).await;
    assert_eq!((status, code.as_str()), (409, "email_taken"));

    let path = format!("/api/v1/admin/users/{id}/update");
    let response = put_as(
        &app,
        &path,
        &admin,
        &json!({"role": "admin", "display_name": "Rita R."}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(
        (&updated["role"], &updated["display_name"]),
        (&json!("admin"), &json!("Rita R."))
    );
    assert_eq!(updated["status"], "active");
    let cleared: Value = put_as(&app, &path, &admin, &json!({"display_name": ""}))
        .await
        .json()
        .await
        .unwrap();
    assert!(cleared["display_name"].is_null());

    // Rita owns a resume and a session; deleting her removes both.
    let resume = app
        .store
        .insert_resume(&NewResume {
            owner_id: Some(id),
            source_filename: "rita.txt",
            content_hash: "h",
            bytes: b"resume",
            format: "text",
            outcome: ParseOutcome::Failed {
                code: "binary_junk",
                reason: "test",
            },
            category: None,
        })
        .await
        .unwrap();
    let rita_session = login(&app, "rita@example.com").await;
    let response = delete_as(&app, &format!("/api/v1/admin/users/{id}"), &admin).await;
    assert_eq!(response.status(), 204);
    assert!(matches!(
        app.store.get_user(id).await,
        Err(StoreError::NotFound { entity: "user" })
    ));
    assert!(matches!(
        app.store.get_resume(resume.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        refresh(&app, &refresh_token(&rita_session)).await.status(),
        401
    );
    assert_eq!(
        get_as(&app, "/api/v1/auth/me", &access_token(&rita_session))
            .await
            .status(),
        401
    );
    let (status, _, _) =
        expect_error(delete_as(&app, &format!("/api/v1/admin/users/{id}"), &admin).await).await;
    assert_eq!(status, 404);
    let (status, _, _) =
        expect_error(put_as(&app, &path, &admin, &json!({"role": "admin"})).await).await;
    assert_eq!(status, 404);

    for (action, count) in [
        ("admin.user_create", 1),
        ("admin.user_update", 2),
        ("admin.user_delete", 1),
    ] {
        let rows = audit_rows(&app, action).await;
        assert_eq!(rows.len(), count, "{action}");
        assert!(
            rows.iter()
                .all(|r| r.actor_user_id == Some(admin_id) && r.outcome == "success")
        );
        assert_eq!(rows[0].target_kind.as_deref(), Some("user"));
        assert_eq!(rows[0].target_id.as_deref(), Some(id.to_string().as_str()));
    }
    let delete_row = &audit_rows(&app, "admin.user_delete").await[0];
    assert_eq!(delete_row.details.0["email"], "rita@example.com");
}

async fn the_user_list_pages_sorts_and_filters(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    for (email, role) in [
        ("amy@example.com", Role::Candidate),
        ("ben@corp.example", Role::Recruiter),
        ("cat@example.com", Role::Candidate),
        ("dan_x@corp.example", Role::Candidate),
        ("danax@corp.example", Role::Candidate),
    ] {
        create_user(&app, email, role).await;
    }
    let dan = app
        .store
        .find_user_by_email(&intellicv_core::Email::parse("danax@corp.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let path = format!("/api/v1/admin/users/{}/update", dan.id);
    assert_eq!(
        put_as(&app, &path, &admin, &json!({"status": "disabled"}))
            .await
            .status(),
        200
    );

    let all = list(&app, &admin, "?sort=email&order=asc&per_page=2").await;
    assert_eq!(
        (all["total"].as_i64(), all["total_pages"].as_i64()),
        (Some(6), Some(3))
    );
    assert_eq!(emails(&all), ["admin@example.com", "amy@example.com"]);
    let page2 = list(&app, &admin, "?sort=email&order=asc&per_page=2&page=2").await;
    assert_eq!(emails(&page2), ["ben@corp.example", "cat@example.com"]);
    let desc = list(&app, &admin, "?sort=email&order=desc&per_page=1").await;
    assert_eq!(emails(&desc), ["danax@corp.example"]);

    let candidates = list(
        &app,
        &admin,
        "?role=candidate&status=active&sort=email&order=asc",
    )
    .await;
    assert_eq!(
        emails(&candidates),
        ["amy@example.com", "cat@example.com", "dan_x@corp.example"]
    );
    let corp = list(&app, &admin, "?email=CORP&sort=email&order=asc").await;
    assert_eq!(
        emails(&corp),
        [
            "ben@corp.example",
            "dan_x@corp.example",
            "danax@corp.example"
        ]
    );
    // `_` in the filter is a literal underscore, not a wildcard.
    let underscore = list(&app, &admin, "?email=dan_").await;
    assert_eq!(emails(&underscore), ["dan_x@corp.example"]);
    let disabled = list(&app, &admin, "?status=disabled").await;
    assert_eq!(emails(&disabled), ["danax@corp.example"]);
    let beyond = list(&app, &admin, "?page=9").await;
    assert_eq!(
        (
            beyond["items"].as_array().unwrap().len(),
            beyond["total"].as_i64()
        ),
        (0, Some(6))
    );
}

async fn bad_admin_requests_get_422_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (admin_id, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let other = create_user(&app, "other@example.com", Role::Candidate).await;
    let create = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move { post_as(app, "/api/v1/admin/users/create", &admin, &body).await }
    };
    for (body, field) in [
        (
            json!({"email": "x@example.com", "password": PASSWORD, "role": "root"}),
            "role",
        ),
        (
            json!({"email": "nope", "password": PASSWORD, "role": "candidate"}),
            "email",
        ),
        (
            json!({"email": "x@example.com", "password": "short", "role": "candidate"}),
            "password",
        ),
        (
            json!({"email": "x@example.com", "password": PASSWORD, "role": "candidate",
                   "display_name": "n".repeat(201)}),
            "display_name",
        ),
    ] {
        let (status, code, error) = expect_error(create(body.clone()).await).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "validation_failed"),
            "{body}"
        );
        assert_eq!(error["error"]["details"]["field"], field);
        assert!(error["error"]["details"]["reason"].is_string());
    }
    expect_422_fields(
        &app,
        "/api/v1/admin/users/list",
        &admin,
        &[
            ("?per_page=0", "per_page"),
            ("?page=abc", "page"),
            ("?sort=password_hash", "sort"),
            ("?order=sideways", "order"),
            ("?role=root", "role"),
            ("?status=gone", "status"),
        ],
    )
    .await;
    let path = format!("/api/v1/admin/users/{other}/update");
    for (body, field) in [
        (json!({}), "body"),
        (json!({"status": "sleeping"}), "status"),
        (json!({"role": "boss"}), "role"),
    ] {
        let (status, _, error) = expect_error(put_as(&app, &path, &admin, &body).await).await;
        assert_eq!(
            (status, &error["error"]["details"]["field"]),
            (422, &json!(field)),
            "{body}"
        );
    }
    // An admin cannot lock themselves out.
    let own = format!("/api/v1/admin/users/{admin_id}/update");
    let (status, code, _) =
        expect_error(put_as(&app, &own, &admin, &json!({"role": "candidate"})).await).await;
    assert_eq!((status, code.as_str()), (409, "self_lockout"));
    let (status, code, _) =
        expect_error(delete_as(&app, &format!("/api/v1/admin/users/{admin_id}"), &admin).await)
            .await;
    assert_eq!((status, code.as_str()), (409, "self_lockout"));
    assert_eq!(
        put_as(&app, &own, &admin, &json!({"display_name": "Me"}))
            .await
            .status(),
        200
    );
}

async fn admin_user_routes_need_an_admin(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (id, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let calls = [
        post_as(&app, "/api/v1/admin/users/create", &recruiter, &json!({})).await,
        get_as(&app, "/api/v1/admin/users/list", &recruiter).await,
        put_as(
            &app,
            &format!("/api/v1/admin/users/{id}/update"),
            &recruiter,
            &json!({}),
        )
        .await,
        delete_as(&app, &format!("/api/v1/admin/users/{id}"), &recruiter).await,
    ];
    for response in calls {
        let (status, code, _) = expect_error(response).await;
        assert_eq!((status, code.as_str()), (403, "forbidden"));
    }
    let anonymous = app.get("/api/v1/admin/users/list").await;
    assert_eq!(anonymous.status(), 401);
}

/// Rows about `user_id` in each table holding a candidate's portal data; the status
/// history is counted by `application_id`, as its rows name the application.
async fn portal_rows(
    app: &TestApp,
    backend: Backend,
    user_id: i64,
    application_id: i64,
) -> Vec<(&'static str, i64)> {
    let queries = [
        (
            "applications",
            "SELECT count(*) FROM applications WHERE user_id = $1",
            user_id,
        ),
        (
            "application_status_history",
            "SELECT count(*) FROM application_status_history WHERE application_id = $1",
            application_id,
        ),
        (
            "profiles",
            "SELECT count(*) FROM profiles WHERE user_id = $1",
            user_id,
        ),
        (
            "profile_skills",
            "SELECT count(*) FROM profile_skills WHERE user_id = $1",
            user_id,
        ),
        (
            "user_preferences",
            "SELECT count(*) FROM user_preferences WHERE user_id = $1",
            user_id,
        ),
    ];
    let url = app.db.url.expose().to_owned();
    let mut counts = Vec::new();
    for (table, sql, key) in queries {
        let n: i64 = match backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::query_scalar(sql)
                    .bind(key)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query_scalar(sql)
                    .bind(key)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        counts.push((table, n));
    }
    counts
}

async fn deleting_a_candidate_removes_their_applications_history_profile_and_skills(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let (_, recruiter) = user_with_token(&app, "rex@example.com", Role::Recruiter).await;
    let mut applications = Vec::new();
    let mut candidates = Vec::new();
    for email in ["gone@example.com", "kept@example.com"] {
        let (id, token) = user_with_token(&app, email, Role::Candidate).await;
        let resume = upload_resume(&app, &token, RESUME_RUST).await;
        let job = post_job(&app, &recruiter, &format!("Engineer for {email}")).await;
        let response = post_as(
            &app,
            "/api/v1/jobs/applications",
            &token,
            &json!({ "job_id": job, "resume_id": resume }),
        )
        .await;
        assert_eq!(response.status(), 201);
        let application = response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();
        let moved = put_as(
            &app,
            &format!("/api/v1/jobs/applications/{application}/status"),
            &recruiter,
            &json!({ "status": "reviewing", "note": "strong resume" }),
        )
        .await;
        assert_eq!(moved.status(), 200);
        let profile = json!({
            "display_name": "Some Candidate",
            "headline": "Backend engineer",
            "desired_roles": ["Backend Engineer"],
            "desired_salary_min": 60000,
            "desired_salary_currency": "GBP",
        });
        let response = put_as(
            &app,
            &format!("/api/v1/profile/{id}/update"),
            &token,
            &profile,
        )
        .await;
        assert_eq!(response.status(), 200);
        let skills = json!({ "changes": [{ "action": "add", "text": "Kubernetes", "rating": 4 }] });
        let response = post_as(&app, "/api/v1/profile/skills/update", &token, &skills).await;
        assert_eq!(response.status(), 200);
        candidates.push(id);
        applications.push(application);
    }
    let (gone, kept) = (candidates[0], candidates[1]);
    let before = portal_rows(&app, backend, gone, applications[0]).await;
    for (table, n) in &before {
        assert!(*n > 0, "the fixture has no {table} rows");
    }

    let response = delete_as(&app, &format!("/api/v1/admin/users/{gone}"), &admin).await;
    assert_eq!(response.status(), 204);

    let after = portal_rows(&app, backend, gone, applications[0]).await;
    assert_eq!(
        after.iter().filter(|(_, n)| *n > 0).collect::<Vec<_>>(),
        Vec::<&(&str, i64)>::new(),
        "rows left behind by the deleted candidate"
    );
    assert_eq!(
        portal_rows(&app, backend, kept, applications[1]).await,
        before,
        "the other candidate's rows are untouched"
    );
    let (status, _, _) = expect_error(
        get_as(
            &app,
            &format!("/api/v1/jobs/applications/{}", applications[0]),
            &recruiter,
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}

on_both_backends!(
    deleting_a_candidate_removes_their_applications_history_profile_and_skills,
    an_admin_creates_updates_and_deletes_users_with_audit_rows,
    the_user_list_pages_sorts_and_filters,
    bad_admin_requests_get_422_naming_the_field,
    admin_user_routes_need_an_admin,
);
