use crate::helpers::{Backend, expect_error, spawn_app};
use crate::on_both_backends;

async fn healthz_answers_ok(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

async fn readyz_answers_200_with_the_backend_when_migrated(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn readyz_answers_503_when_the_database_goes_away(backend: Backend) {
    let Some(mut app) = spawn_app(backend).await else {
        return;
    };
    assert_eq!(app.get("/readyz").await.status(), 200);
    match backend {
        // The database itself disappears: every connection is cut and reconnects fail.
        Backend::Postgres => app.db.drop_now().await,
        // An embedded file cannot go down on its own; closing the pool is the outage.
        Backend::Sqlite => app.store.close().await,
    }
    let (status, code, body) = expect_error(app.get("/readyz").await).await;
    assert_eq!(status, 503);
    assert_eq!(code, "not_ready");
    assert!(body["error"]["details"]["database"].is_string());
    // Still alive: liveness is unaffected.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn readyz_answers_503_when_a_migration_is_missing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Forget the record of one applied migration, as if the binary were newer.
    let sql = "DELETE FROM _sqlx_migrations";
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(app.db.url.expose())
                .await
                .unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(app.db.url.expose()).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
    }
    let (status, _, body) = expect_error(app.get("/readyz").await).await;
    assert_eq!(status, 503);
    assert!(
        body["error"]["details"]["database"]
            .as_str()
            .unwrap()
            .contains("migrations not applied"),
        "{body}"
    );
}

on_both_backends!(
    healthz_answers_ok,
    readyz_answers_200_with_the_backend_when_migrated,
    readyz_answers_503_when_the_database_goes_away,
    readyz_answers_503_when_a_migration_is_missing,
);
