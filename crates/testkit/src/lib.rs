//! What the integration tests of every IntelliCV crate share: a fresh database per test
//! on SQLite and on PostgreSQL, the macro that runs a test on both, and the repository's
//! own paths.

use std::path::{Path, PathBuf};

use intellicv_core::SecretUrl;
use sqlx::Connection;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `sqlite::NAME` and `postgres::NAME` tests from `async fn NAME(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )+
        }
    };
}

fn pg_server_url() -> String {
    std::env::var("INTELLICV_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A database of its own for one test: a fresh SQLite file, or a fresh PostgreSQL database
/// that is dropped when the test ends. `None` when PostgreSQL is not reachable outside CI
/// (in CI that is a failure).
pub struct TestDatabase {
    pub url: SecretUrl,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("intellicv.db").display());
                Some(Self {
                    url: SecretUrl::new(url),
                    dir,
                    pg_name: None,
                })
            }
            Backend::Postgres => {
                let server = pg_server_url();
                let mut admin =
                    match sqlx::PgConnection::connect(&format!("{server}/postgres")).await {
                        Ok(conn) => conn,
                        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
                            eprintln!("skipping postgres test: cannot reach {server}: {e}");
                            return None;
                        }
                        Err(e) => panic!("CI=true but PostgreSQL at {server} is unreachable: {e}"),
                    };
                let name = format!("intellicv_test_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                Some(Self {
                    url: SecretUrl::new(format!("{server}/{name}")),
                    dir,
                    pg_name: Some(name),
                })
            }
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// Drops the PostgreSQL database now, cutting every connection to it.
    pub async fn drop_now(&mut self) {
        if let Some(name) = self.pg_name.take() {
            drop_pg_database(name).await;
        }
    }
}

async fn drop_pg_database(name: String) {
    if let Ok(mut admin) =
        sqlx::PgConnection::connect(&format!("{}/postgres", pg_server_url())).await
    {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
        let _ = admin.close().await;
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Async work cannot run in Drop; give it a runtime of its own.
            let _ = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(drop_pg_database(name));
            })
            .join();
        }
    }
}

/// The repository root (this crate lives two levels below it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One cache of embedded ESCO labels for every test (built by the first that needs it).
pub fn skill_vector_cache_dir() -> PathBuf {
    repo_root().join("target/skill-vector-cache")
}

/// Runs a command that must succeed; on failure the assertion shows its stderr.
pub fn run_ok(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().expect("run intellicv");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
