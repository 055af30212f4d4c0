use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("{entity} already exists")]
    Conflict { entity: &'static str },
    #[error("database unreachable")]
    Unavailable(#[source] sqlx::Error),
    #[error("invalid database url")]
    InvalidUrl(#[source] sqlx::Error),
    #[error("unsupported database url {0}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot create or protect the data directory or database file {path}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("migrations not applied: {0:?}")]
    PendingMigrations(Vec<i64>),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// The change would remove, demote or disable the last active admin.
    #[error(
        "the last active admin cannot be removed, demoted or disabled; make another admin first"
    )]
    LastAdmin,
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Conflict`], anything else to
    /// the generic database error.
    pub(crate) fn conflict_or(entity: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict { entity }
            }
            _ => StoreError::from(e),
        }
    }

    /// Whether the error says the database cannot be reached (as opposed to a bad query).
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Database(e) => matches!(
                e,
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
            ),
            _ => false,
        }
    }
}
