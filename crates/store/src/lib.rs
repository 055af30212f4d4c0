//! Persistence on two backends behind one API: SQLite (embedded default) and PostgreSQL.
//!
//! Queries are written once in the SQL both backends accept (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`) and run on whichever pool is configured through [`with_pool!`]. Row types
//! derive `sqlx::FromRow`, which is generic over the backend.

mod analytics;
mod api_keys;
mod applications;
mod audit;
mod background_jobs;
mod career;
mod enrichments;
mod error;
mod index_feed;
mod job_edits;
mod jobs;
mod login_throttle;
mod organisations;
mod private_files;
mod profiles;
mod realtime;
mod resumes;
mod sessions;
mod summaries;
mod transfer;
mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use analytics::{
    CustomRow, Dialect, GroupCount, NewUsageEvent, SkillSide, SqlParam, StageTime,
};
pub use api_keys::{ApiKeyRecord, ApiKeySort, NewApiKey};
pub use applications::{
    ApplicationQuery, ApplicationRecord, ApplicationSort, NewApplication, StatusChangeRecord,
};
pub use audit::{AuditEntry, AuditOutcome, AuditRecord};
pub use background_jobs::{
    AfterFailure, BackgroundJobRecord, ItemOutcome, JobItemRecord, NewBackgroundJob, NewJobItem,
    PendingItem,
};
pub use career::{CoachingSessionRecord, NewCoachingSession, TitleSkillCounts};
pub use enrichments::{EnrichmentRecord, EnrichmentRunRecord, ModelRegistration, NewEnrichment};
pub use error::StoreError;
pub use error::{io_storage_full, text_says_storage_full};
pub use index_feed::{DocVersion, StoredEmbedding};
pub use job_edits::{JobQuery, JobSort};
pub use jobs::{JobInsertOutcome, JobRecord, JobSkillRecord};
pub use login_throttle::ThrottleScope;
pub use organisations::CandidateReach;
pub use private_files::{create_private_dir, prepare_sqlite_file};
pub use profiles::{ProfileRecord, ProfileSkillRecord, ProfileSkillWrite};
pub use resumes::{
    NewResume, Page, ParseOutcome, ParseStatus, ResumeQuery, ResumeRecord, ResumeSort,
};
pub use sessions::{NewSession, Rotation, SessionRecord, SessionUser};
pub use summaries::{JobSummary, ResumeSummary};
pub use transfer::{ApplicationExport, JobExport, ResumeExport, TransferTable, UserExport};
pub use users::{NewUser, TotpState, UserQuery, UserRecord, UserSort, UserUpdate};

use intellicv_core::SecretUrl;

/// The database: where it is and how many connections to keep.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://...`; empty means the SQLite file in the data dir.
    pub url: Option<SecretUrl>,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    /// Run pending migrations at start (`serve`); `migrate` always runs them.
    pub migrate_on_start: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 10,
            acquire_timeout_secs: 5,
            migrate_on_start: true,
        }
    }
}

static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Runs `$body` with `$pool` bound to the concrete pool of either backend.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Creates the PostgreSQL database named in `url` when the server is up but the database
/// does not exist yet, so a first `serve` or `migrate` needs no manual `createdb`.
async fn create_postgres_database_if_missing(url: &str) -> Result<(), StoreError> {
    use sqlx::migrate::MigrateDatabase;
    let exists = sqlx::Postgres::database_exists(url)
        .await
        .map_err(StoreError::unavailable)?;
    if !exists {
        sqlx::Postgres::create_database(url)
            .await
            .map_err(StoreError::unavailable)?;
        tracing::info!("created database");
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The handle every other layer uses to read and write data. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Connects to the database named by `url`, creating the SQLite file (and its
    /// directory) when it does not exist yet.
    pub async fn connect(url: &SecretUrl, settings: &DatabaseSettings) -> Result<Self, StoreError> {
        let raw = url.expose();
        let acquire_timeout = Duration::from_secs(settings.acquire_timeout_secs);
        let db = if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(raw).map_err(StoreError::InvalidUrl)?;
            create_postgres_database_if_missing(raw).await?;
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await
                .map_err(StoreError::unavailable)?;
            Db::Postgres(pool)
        } else if raw.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(raw)
                .map_err(StoreError::InvalidUrl)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // The data dir 0700, the database and its journal files 0600.
            let file = options.get_filename();
            if file != Path::new(":memory:") {
                prepare_sqlite_file(file).map_err(|source| StoreError::DataDir {
                    path: file.to_owned(),
                    source,
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await
                .map_err(StoreError::unavailable)?;
            Db::Sqlite(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(url.redacted()));
        };
        Ok(Self { db })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    fn migrator(&self) -> &'static Migrator {
        match self.db {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await.unwrap_or_default().len();
        with_pool!(&self.db, pool => self.migrator().run(pool).await)?;
        let after = self.applied_migrations().await?.len();
        Ok(after.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        let versions = with_pool!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(sql).fetch_all(pool).await
        })?;
        Ok(versions)
    }

    /// Ready means: the database answers, and every migration this binary knows is applied.
    pub async fn check_ready(&self) -> Result<(), StoreError> {
        with_pool!(&self.db, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
            .map_err(StoreError::unavailable)?;
        let applied = self.applied_migrations().await?;
        let pending: Vec<i64> = self
            .migrator()
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| m.version)
            .filter(|v| !applied.contains(v))
            .collect();
        if pending.is_empty() {
            Ok(())
        } else {
            Err(StoreError::PendingMigrations(pending))
        }
    }

    pub async fn close(&self) {
        with_pool!(&self.db, pool => pool.close().await);
    }
}
