//! A batch `directory` is read only inside `queue.import_roots` (none by default): paths
//! outside are refused, symlinks leaving a root and loops are skipped with their reason,
//! walks are bounded, and a root may not overlap the data dir. The operator's CLI walks
//! without roots but with the same loop detection and limits.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use intellicv::startup::Application;
use intellicv_core::Role;
use serde_json::{Value, json};

use crate::auth_support::{post_as, user_with_token};
use crate::batch::{BATCH, resume_text, wait_for_job};
use crate::helpers::{
    Backend, TestApp, TestDatabase, expect_error, intellicv_on, run_ok, settings_for,
    shared_models, spawn_app, spawn_app_with,
};
use crate::on_both_backends;

async fn with_root(backend: Backend, root: &Path) -> Option<TestApp> {
    let root = root.to_owned();
    spawn_app_with(backend, move |s| s.queue.import_roots = vec![root]).await
}

async fn submit_dir(app: &TestApp, token: &str, dir: &str) -> reqwest::Response {
    post_as(app, BATCH, token, &json!({ "directory": dir })).await
}

async fn expect_not_allowed(app: &TestApp, token: &str, dir: &str) {
    let (status, code, body) = expect_error(submit_dir(app, token, dir).await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "directory_not_allowed"),
        "{dir}: {body}"
    );
}

/// Every `source_filename` and text of the stored resumes.
async fn stored_texts(app: &TestApp) -> Vec<String> {
    let sql = "SELECT source_filename || ' ' || COALESCE(extracted_text, '') FROM resumes";
    match app.db.url.expose() {
        url if url.starts_with("sqlite") => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            let rows = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows
        }
        url => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let rows = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows
        }
    }
}

fn reasons(accepted: &Value) -> Vec<(String, String)> {
    accepted["skipped"]
        .as_array()
        .map(|skipped| {
            skipped
                .iter()
                .map(|s| {
                    let path = PathBuf::from(s["path"].as_str().unwrap());
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    (name, s["reason"].as_str().unwrap().to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn with_no_import_root_configured_every_directory_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "roots-admin@example.com", Role::Admin).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), resume_text(1)).unwrap();
    for path in [
        dir.path().display().to_string(),
        "/etc".to_owned(),
        app.db.data_dir().display().to_string(),
        "/nonexistent/place".to_owned(),
    ] {
        expect_not_allowed(&app, &admin, &path).await;
    }
    let (status, _, body) = expect_error(submit_dir(&app, &admin, "relative/dir").await).await;
    assert_eq!(
        (status, body["error"]["details"]["field"].as_str()),
        (422, Some("directory"))
    );
}

async fn a_directory_outside_the_import_roots_is_refused(backend: Backend) {
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("root");
    let other = base.path().join("other");
    std::fs::create_dir_all(root.join("in")).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("a.txt"), resume_text(1)).unwrap();
    symlink(&other, root.join("escape")).unwrap();
    let Some(app) = with_root(backend, &root).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "roots-admin@example.com", Role::Admin).await;
    for path in [
        other.display().to_string(),
        format!("{}/in/../../other", root.display()),
        // A symlinked directory inside the root that leads out of it.
        root.join("escape").display().to_string(),
        "/etc".to_owned(),
        "/".to_owned(),
    ] {
        expect_not_allowed(&app, &admin, &path).await;
    }
    // Inside the root but missing: a 422, as before.
    let missing = root.join("gone").display().to_string();
    let (status, _, body) = expect_error(submit_dir(&app, &admin, &missing).await).await;
    assert_eq!(
        (status, body["error"]["details"]["field"].as_str()),
        (422, Some("directory")),
        "{body}"
    );
    assert!(stored_texts(&app).await.is_empty());
}

async fn symlinks_leaving_the_root_are_skipped_with_their_reason(backend: Backend) {
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("root");
    let outside = base.path().join("outside");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(root.join("good.txt"), resume_text(1)).unwrap();
    std::fs::write(outside.join("leak.txt"), resume_text(2)).unwrap();
    symlink("/etc/passwd", root.join("passwd")).unwrap();
    symlink(outside.join("leak.txt"), root.join("leak.txt")).unwrap();
    symlink(&outside, root.join("outside-dir")).unwrap();
    // A link inside the root to a file inside the root is fine.
    symlink(root.join("good.txt"), root.join("alias.txt")).unwrap();
    let Some(app) = with_root(backend, &root).await else {
        return;
    };
    // The server's own secret, linked from inside the root.
    let secret = app.db.data_dir().join("jwt-secret");
    assert!(secret.is_file(), "the test needs the generated jwt-secret");
    symlink(&secret, root.join("jwt-secret")).unwrap();
    let (_, admin) = user_with_token(&app, "roots-admin@example.com", Role::Admin).await;

    let response = submit_dir(&app, &admin, &root.display().to_string()).await;
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(accepted["items"], 2, "good.txt and its alias: {accepted}");
    let skipped = reasons(&accepted);
    for (name, reason) in [
        ("jwt-secret", "protected_directory"),
        ("leak.txt", "outside_import_roots"),
        ("outside-dir", "outside_import_roots"),
        ("passwd", "outside_import_roots"),
    ] {
        assert!(
            skipped.contains(&(name.to_owned(), reason.to_owned())),
            "{name} {reason} not in {skipped:?}"
        );
    }
    let job_id = accepted["job_id"].as_i64().unwrap();
    let body = wait_for_job(&app, &admin, job_id).await;
    assert_eq!(body["job"]["status"], "succeeded", "{body}");
    assert_eq!(
        body["job"]["payload"]["skipped"].as_array().unwrap().len(),
        4
    );
    let texts = stored_texts(&app).await;
    assert_eq!(texts.len(), 1, "the alias is the same file: {texts:?}");
    let secret_text = std::fs::read_to_string(&secret).unwrap();
    for text in &texts {
        assert!(
            text.starts_with("alias.txt ") || text.starts_with("good.txt "),
            "{text}"
        );
        assert!(!text.contains("root:"), "/etc/passwd was stored");
        assert!(
            !text.contains("Reference number 2"),
            "the outside file was stored"
        );
        assert!(
            !text.contains(secret_text.trim()),
            "the jwt secret was stored"
        );
    }
}

async fn a_directory_with_symlinks_to_its_parent_is_walked_once(backend: Backend) {
    let root = tempfile::tempdir().unwrap();
    let looped = root.path().join("loop");
    std::fs::create_dir_all(&looped).unwrap();
    std::fs::write(root.path().join("a.txt"), resume_text(1)).unwrap();
    std::fs::write(looped.join("b.txt"), resume_text(2)).unwrap();
    symlink(root.path(), looped.join("up")).unwrap();
    symlink(&looped, looped.join("self")).unwrap();
    let Some(app) = with_root(backend, root.path()).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "roots-admin@example.com", Role::Admin).await;
    let started = std::time::Instant::now();
    let response = submit_dir(&app, &admin, &root.path().display().to_string()).await;
    assert_eq!(response.status(), 202);
    assert!(started.elapsed().as_secs() < 10);
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(accepted["items"], 2, "{accepted}");
    assert_eq!(
        reasons(&accepted),
        [
            ("self".to_owned(), "already_walked".to_owned()),
            ("up".to_owned(), "already_walked".to_owned())
        ]
    );
    let body = wait_for_job(&app, &admin, accepted["job_id"].as_i64().unwrap()).await;
    assert_eq!(body["job"]["status"], "succeeded", "{body}");
    assert_eq!(stored_texts(&app).await.len(), 2);
}

async fn walks_stop_at_the_depth_and_file_limits(backend: Backend) {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("1/2/3")).unwrap();
    std::fs::write(root.path().join("1/a.txt"), resume_text(1)).unwrap();
    std::fs::write(root.path().join("1/2/3/deep.txt"), resume_text(2)).unwrap();
    let dir = root.path().to_owned();
    let Some(app) = spawn_app_with(backend, move |s| {
        s.queue.import_roots = vec![dir];
        s.queue.import_max_depth = 2;
        s.queue.import_max_files = 3;
    })
    .await
    else {
        return;
    };
    let (_, admin) = user_with_token(&app, "roots-admin@example.com", Role::Admin).await;
    let path = root.path().display().to_string();
    let response = submit_dir(&app, &admin, &path).await;
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(accepted["items"], 1, "{accepted}");
    assert_eq!(
        reasons(&accepted),
        [("3".to_owned(), "too_deep".to_owned())]
    );
    for i in 0..3 {
        std::fs::write(root.path().join(format!("f{i}.txt")), resume_text(10 + i)).unwrap();
    }
    let (status, _, body) = expect_error(submit_dir(&app, &admin, &path).await).await;
    assert_eq!(
        (status, body["error"]["details"]["field"].as_str()),
        (422, Some("directory")),
        "{body}"
    );
}

async fn an_import_root_overlapping_the_data_dir_stops_the_server_from_starting(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let elsewhere = tempfile::tempdir().unwrap();
    let data = db.data_dir();
    std::fs::create_dir_all(data.join("inbox")).unwrap();
    for root in [
        data.clone(),
        data.parent().unwrap().to_owned(),
        data.join("inbox"),
        PathBuf::from("/"),
        elsewhere.path().join("missing"),
    ] {
        let mut settings = settings_for(&db);
        settings.queue.import_roots = vec![elsewhere.path().to_owned(), root.clone()];
        let built = Application::build_with(settings, shared_models().await).await;
        let error = match built {
            Ok(_) => panic!("started with import root {}", root.display()),
            Err(e) => format!("{e:#}"),
        };
        assert!(error.contains("queue.import_roots"), "{error}");
    }
    let mut settings = settings_for(&db);
    settings.queue.import_roots = vec![elsewhere.path().to_owned()];
    assert!(
        Application::build_with(settings, shared_models().await)
            .await
            .is_ok()
    );
}

async fn the_cli_ingest_walks_a_symlink_loop_once(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let looped = dir.path().join("loop");
    std::fs::create_dir_all(&looped).unwrap();
    std::fs::write(dir.path().join("a.txt"), resume_text(1)).unwrap();
    std::fs::write(looped.join("b.txt"), resume_text(2)).unwrap();
    symlink(dir.path(), looped.join("up")).unwrap();
    let out = run_ok(
        intellicv_on(&db)
            .args(["ingest", "resumes", "--json", "--no-index"])
            .arg(dir.path()),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&report["files"], &report["stored"]),
        (&json!(2), &json!(2))
    );
    let too_many = intellicv_on(&db)
        .args([
            "ingest",
            "resumes",
            "--json",
            "--no-index",
            "--max-files",
            "1",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!too_many.status.success());
    let stderr = String::from_utf8_lossy(&too_many.stderr);
    assert!(stderr.contains("--max-files"), "{stderr}");
}

on_both_backends!(
    with_no_import_root_configured_every_directory_is_refused,
    a_directory_outside_the_import_roots_is_refused,
    symlinks_leaving_the_root_are_skipped_with_their_reason,
    a_directory_with_symlinks_to_its_parent_is_walked_once,
    walks_stop_at_the_depth_and_file_limits,
    an_import_root_overlapping_the_data_dir_stops_the_server_from_starting,
    the_cli_ingest_walks_a_symlink_loop_once,
);
