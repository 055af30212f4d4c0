//! The lab's integration tests: its commands and measurements on a fresh database per
//! test, on SQLite and on PostgreSQL.

mod eval_match;
mod pg_baseline;

use intellicv_testkit::{TestDatabase, repo_root, skill_vector_cache_dir};

pub(crate) use intellicv_testkit::on_both_backends;

/// `intellicv-lab` on the test's own data dir and database, run from the repository root
/// (so `models/` and `data/` resolve), with quiet logs and no config file from the
/// environment.
pub fn lab_on(db: &TestDatabase) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_intellicv-lab"));
    cmd.current_dir(repo_root())
        .env("RUST_LOG", "warn")
        .env(
            "INTELLICV__SKILLS__VECTOR_CACHE_DIR",
            skill_vector_cache_dir(),
        )
        .env_remove("INTELLICV_CONFIG")
        .arg("--data-dir")
        .arg(db.data_dir())
        .arg("--database-url")
        .arg(db.url.expose());
    cmd
}
