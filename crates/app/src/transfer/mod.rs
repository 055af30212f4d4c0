//! Data export and import: JSON Lines for every entity (users without secrets, resumes
//! with their bytes, text and profile, postings, applications), CSV for the tabular ones
//! (users, postings, applications).
//!
//! A JSON Lines file holds one object per line with a `type` (`user`, `resume`, `job`,
//! `application`) and the row's fields; an export writes users, resumes, postings and
//! applications in that order, so references point backwards. Import is idempotent by
//! natural keys (user email; resume owner + content hash; posting source + external id,
//! or source + title + company + description when it has no external id; application
//! user + posting), validates every row and reports each bad one (line, field, reason)
//! without stopping. Applications name postings and resumes by id: an id of a row earlier
//! in the same file means the row imported from it, any other id one already stored.

mod export;
mod import;
mod rows;

use std::str::FromStr;

pub use export::export;
pub use import::{ImportReport, RowError, Services, import};
pub use rows::{ApplicationRow, JobRow, ResumeRow, UserRow};

use intellicv_core::ValidationError;

/// What a transfer file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jsonl,
    Csv,
}

impl FromStr for Format {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, ValidationError> {
        match s {
            "jsonl" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            _ => Err(ValidationError::new("format", "must be jsonl or csv")),
        }
    }
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jsonl => "application/x-ndjson",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The kinds of rows, in the order an export writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    User,
    Resume,
    Job,
    Application,
}

impl Entity {
    pub const ALL: [Entity; 4] = [
        Entity::User,
        Entity::Resume,
        Entity::Job,
        Entity::Application,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Resume => "resume",
            Entity::Job => "job",
            Entity::Application => "application",
        }
    }

    /// Plural names (`users`) as requests give them; the singular as `type` in a line.
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        Ok(match raw {
            "users" | "user" => Entity::User,
            "resumes" | "resume" => Entity::Resume,
            "jobs" | "job" => Entity::Job,
            "applications" | "application" => Entity::Application,
            _ => {
                return Err(ValidationError::new(
                    field,
                    "must be one of users, resumes, jobs, applications",
                ));
            }
        })
    }

    /// Whether the entity has a CSV form (resumes carry bytes and a nested profile).
    pub fn is_tabular(self) -> bool {
        self != Entity::Resume
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] intellicv_store::StoreError),
    #[error("cannot index imported documents: {0}")]
    Index(#[from] intellicv_search::sync::SyncError),
    #[error("cannot write the export: {0}")]
    Write(String),
}

impl intellicv_core::ServiceError for TransferError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        match self {
            TransferError::Invalid(v) => v.kind(),
            TransferError::Store(s) => s.kind(),
            TransferError::Index(s) => s.kind(),
            TransferError::Write(_) => intellicv_core::ErrorKind::Internal,
        }
    }
}

impl From<crate::documents::DocumentError> for TransferError {
    fn from(e: crate::documents::DocumentError) -> Self {
        use crate::documents::DocumentError;
        match e {
            DocumentError::Invalid(v) => TransferError::Invalid(v),
            DocumentError::Store(s) => TransferError::Store(s),
            DocumentError::Index(e) => TransferError::Index(e),
            e => TransferError::Write(e.to_string()),
        }
    }
}
