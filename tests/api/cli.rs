use crate::helpers::{Backend, TestDatabase, intellicv_cli, intellicv_on, run_ok};
use crate::on_both_backends;

async fn migrate_and_users_create_work_from_the_command_line(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let migrate = intellicv_on(&db).arg("migrate").output().unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("up to date"));

    let create = intellicv_on(&db)
        .args([
            "users",
            "create",
            "--email",
            "Root@Example.com",
            "--role",
            "admin",
        ])
        .env("INTELLICV_USER_PASSWORD", "a long enough secret")
        .output()
        .unwrap();
    assert!(
        create.status.success(),
        "{}",
        String::from_utf8_lossy(&create.stderr)
    );
    assert!(String::from_utf8_lossy(&create.stdout).contains("<root@example.com> with role admin"));

    let duplicate = intellicv_on(&db)
        .args([
            "users",
            "create",
            "--email",
            "root@example.com",
            "--role",
            "admin",
        ])
        .args(["--password", "a long enough secret"])
        .output()
        .unwrap();
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));

    let bad_role = intellicv_on(&db)
        .args([
            "users",
            "create",
            "--email",
            "x@example.com",
            "--role",
            "root",
        ])
        .args(["--password", "a long enough secret"])
        .output()
        .unwrap();
    assert_eq!(bad_role.status.code(), Some(2), "clap rejects the role");
}

/// With no database URL, the SQLite file is created in the data dir.
#[test]
fn the_default_database_is_a_sqlite_file_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = intellicv_cli()
        .arg("--data-dir")
        .arg(dir.path())
        .arg("migrate")
        .env_remove("INTELLICV__DATABASE__URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("intellicv.db").is_file());
}

#[test]
fn every_command_answers_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["users", "create", "--help"],
    ] {
        let out = intellicv_cli().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn a_bad_config_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("intellicv.toml");
    std::fs::write(&config, "[server]\nport = \"eighty\"\n").unwrap();
    let out = intellicv_cli()
        .arg("--config")
        .arg(&config)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid configuration"));
}

on_both_backends!(migrate_and_users_create_work_from_the_command_line);

/// `migrate` (and `serve`) create a missing PostgreSQL database instead of failing.
#[tokio::test]
async fn a_missing_postgres_database_is_created_on_first_use() {
    let Some(mut db) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let url = db.url.expose().to_owned();
    db.drop_now().await;
    let fresh = format!("{url}_fresh");
    run_ok(intellicv_cli().args(["--database-url", &fresh, "migrate"]));
    let pool = sqlx::PgPool::connect(&fresh).await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(tables >= 20, "{tables} tables");
    pool.close().await;
    let name = fresh.rsplit('/').next().unwrap();
    let admin = sqlx::PgPool::connect(
        &url.replace(&url.rsplit('/').next().unwrap().to_string(), "postgres"),
    )
    .await
    .unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
}
