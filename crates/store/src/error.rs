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
    Database(sqlx::Error),
    /// The change would remove, demote or disable the last active admin.
    #[error(
        "the last active admin cannot be removed, demoted or disabled; make another admin first"
    )]
    LastAdmin,
    /// The disk (or quota) holding the database is full: nothing was written.
    #[error("the disk holding the database is full; free space and retry")]
    StorageFull(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if sqlx_storage_full(&e) {
            StoreError::StorageFull(e)
        } else {
            StoreError::Database(e)
        }
    }
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

    /// [`StoreError::Unavailable`], or [`StoreError::StorageFull`] when that is why
    /// (opening a database on a full disk fails to create its shared-memory file).
    pub fn unavailable(e: sqlx::Error) -> Self {
        if sqlx_storage_full(&e) {
            StoreError::StorageFull(e)
        } else {
            StoreError::Unavailable(e)
        }
    }

    /// Whether the error says the database cannot be reached (as opposed to a bad query).
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Database(e) => sqlx_unavailable(e),
            _ => false,
        }
    }

    /// Whether the error says the disk (or quota) holding the database is full.
    pub fn is_storage_full(&self) -> bool {
        match self {
            StoreError::StorageFull(_) => true,
            StoreError::Database(e) | StoreError::Unavailable(e) => sqlx_storage_full(e),
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => sqlx_storage_full(e),
            StoreError::DataDir { source, .. } => io_storage_full(source),
            _ => false,
        }
    }
}

/// The connection failed rather than the statement: no connection in time, the socket
/// broke or was closed mid-conversation (sqlx reports a cut during the handshake as a
/// protocol error), or PostgreSQL says it cannot serve now (class 08 connection
/// exception, 57P01-57P03 shutting down or starting, 53300 too many connections).
fn sqlx_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// SQLite's `SQLITE_FULL` (13) or `SQLITE_IOERR_SHMSIZE` (4874: the WAL's shared-memory
/// file cannot grow, which on open is how a full disk shows), PostgreSQL's `disk_full`
/// (53100), or the OS saying so.
fn sqlx_storage_full(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("13" | "4874" | "53100"))
        }
        sqlx::Error::Io(io) => io_storage_full(io),
        _ => false,
    }
}

/// `ENOSPC` or `EDQUOT`: no space left on the device, or the disk quota is used up.
pub fn io_storage_full(e: &std::io::Error) -> bool {
    const ENOSPC: i32 = 28;
    const EDQUOT: i32 = 122;
    e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(ENOSPC | EDQUOT))
}

/// For errors that only keep the OS error's text (some index errors): `os error 28`/`122`.
pub fn text_says_storage_full(text: &str) -> bool {
    text.contains("(os error 28)") || text.contains("(os error 122)")
}

impl intellicv_core::ServiceError for StoreError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            StoreError::NotFound { entity } => ErrorKind::NotFound { what: entity },
            StoreError::Conflict { .. } => ErrorKind::Conflict { code: "conflict" },
            StoreError::LastAdmin => ErrorKind::Conflict { code: "last_admin" },
            e if e.is_storage_full() => ErrorKind::StorageFull,
            e if e.is_unavailable() => ErrorKind::Unavailable,
            _ => ErrorKind::Internal,
        }
    }
}
