//! Why one record of an import could not become a job posting draft.

/// The typed reason a record was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordErrorKind {
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("record is not a JSON object")]
    NotAnObject,
    #[error(
        "record shape is not a schema.org JobPosting, a Hacker News post or a flat job posting"
    )]
    UnknownShape,
    #[error("missing title")]
    MissingTitle,
    #[error("not a job posting: {0}")]
    NotAJobPosting(String),
    #[error("mapped column `{0}` is missing")]
    MissingColumn(String),
    #[error("field `{field}` is not a number: {value:?}")]
    BadNumber { field: String, value: String },
    #[error("invalid CSV: {0}")]
    InvalidCsv(String),
    #[error("the input is not a JSON array: {0}")]
    NotAnArray(String),
    #[error("read failed: {0}")]
    Io(String),
}

impl RecordErrorKind {
    /// A short stable label, for counting failures by reason.
    pub fn label(&self) -> &'static str {
        match self {
            Self::InvalidJson(_) => "invalid_json",
            Self::NotAnObject => "not_an_object",
            Self::UnknownShape => "unknown_shape",
            Self::MissingTitle => "missing_title",
            Self::NotAJobPosting(_) => "not_a_job_posting",
            Self::MissingColumn(_) => "missing_column",
            Self::BadNumber { .. } => "bad_number",
            Self::InvalidCsv(_) => "invalid_csv",
            Self::NotAnArray(_) => "not_an_array",
            Self::Io(_) => "io",
        }
    }
}

/// A record that failed, with where it sits in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record {record}{}: {kind}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
pub struct RecordError {
    /// 1-based record number in the input (0 for the CSV header or the input as a whole).
    pub record: usize,
    /// 1-based line of the record's start, when the format has lines.
    pub line: Option<u64>,
    pub kind: RecordErrorKind,
}

impl RecordError {
    pub fn new(record: usize, line: Option<u64>, kind: RecordErrorKind) -> Self {
        Self { record, line, kind }
    }
}
