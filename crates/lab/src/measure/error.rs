/// Errors of the benchmark layer.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("cannot connect to the baseline database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error(
        "the pgvector extension is not usable on this PostgreSQL server ({reason}); \
         start one that has it with scripts/pgvector-server.sh start"
    )]
    VectorExtensionMissing { reason: String },
    #[error("baseline database error while {action}: {source}")]
    Database {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("invalid benchmark input: {reason}")]
    InvalidInput { reason: String },
    #[error("load test failed: {0}")]
    Load(String),
    #[error("benchmark query failed: {0}")]
    Query(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl BenchError {
    pub(crate) fn db(action: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| BenchError::Database { action, source }
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        BenchError::InvalidInput {
            reason: reason.into(),
        }
    }
}
