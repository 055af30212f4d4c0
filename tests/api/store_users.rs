use intellicv_core::{Email, Role};
use intellicv_store::{NewUser, StoreError};

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: Email::parse(email).unwrap(),
        password_hash: "$argon2id$placeholder".into(),
        role,
        display_name: None,
    }
}

async fn users_round_trip_through_the_store(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let created = app
        .store
        .create_user(&new_user("eve@example.com", Role::Recruiter))
        .await
        .unwrap();
    assert_eq!(created.role, "recruiter");
    assert_eq!(created.status, "active");
    let by_id = app.store.get_user(created.id).await.unwrap();
    assert_eq!(by_id.email, "eve@example.com");
    assert_eq!(by_id.created_at, created.created_at);
    let by_email = app
        .store
        .find_user_by_email(&Email::parse("EVE@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_email.id, created.id);
    assert!(matches!(
        app.store.get_user(created.id + 1000).await,
        Err(StoreError::NotFound { entity: "user" })
    ));
}

async fn a_duplicate_email_is_a_conflict(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.store
        .create_user(&new_user("dup@example.com", Role::Candidate))
        .await
        .unwrap();
    let again = app
        .store
        .create_user(&new_user("dup@example.com", Role::Admin))
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Conflict { entity: "user" })
    ));
}

/// Every table of the data model exists, with the constraints the backends must agree on.
async fn the_schema_has_every_table_and_enforces_constraints(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let tables = [
        "users",
        "user_sessions",
        "user_preferences",
        "api_keys",
        "resumes",
        "resume_skills",
        "resume_experiences",
        "resume_educations",
        "job_postings",
        "job_skills",
        "job_matches",
        "applications",
        "application_status_history",
        "processing_jobs",
        "processing_job_items",
        "background_jobs",
        "background_job_items",
        "ai_enrichments",
        "ai_models",
        "analytics_events",
        "system_metrics",
        "audit_log",
    ];
    let url = app.db.url.expose().to_owned();
    let now = chrono::Utc::now();
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            for table in tables {
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                )
                .bind(table)
                .fetch_one(&pool)
                .await
                .unwrap();
                assert_eq!(n, 1, "table {table}");
            }
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            for table in tables {
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = $1",
                )
                .bind(table)
                .fetch_one(&pool)
                .await
                .unwrap();
                assert_eq!(n, 1, "table {table}");
            }
        }
    }
    // Constraints, through the app's own pool so SQLite's foreign keys pragma applies.
    let bad_role = "INSERT INTO users (email, password_hash, role, created_at, updated_at) \
                    VALUES ('x@example.com', 'h', 'root', $1, $1)";
    let orphan_skill = "INSERT INTO job_skills (job_id, skill_uri, label, requirement, confidence) \
                        VALUES (999, 'esco:x', 'x', 'required', 0.5)";
    let bad_salary = "INSERT INTO job_postings (title, salary_min, salary_max, created_at, updated_at) \
                      VALUES ('t', 10, 5, $1, $1)";
    for sql in [bad_role, orphan_skill, bad_salary] {
        let result = match backend {
            Backend::Sqlite => {
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .connect_with(
                        url.parse::<sqlx::sqlite::SqliteConnectOptions>()
                            .unwrap()
                            .foreign_keys(true),
                    )
                    .await
                    .unwrap();
                sqlx::query(sql).bind(now).execute(&pool).await.map(|_| ())
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query(sql).bind(now).execute(&pool).await.map(|_| ())
            }
        };
        assert!(result.is_err(), "accepted: {sql}");
    }
}

on_both_backends!(
    users_round_trip_through_the_store,
    a_duplicate_email_is_a_conflict,
    the_schema_has_every_table_and_enforces_constraints,
);
