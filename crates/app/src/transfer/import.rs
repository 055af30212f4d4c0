//! Reading an import file: every row validated, stored unless already there, and each bad
//! row reported with its line, field and reason while the import goes on. Stored
//! documents are indexed before the import answers, like any other write.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::rows::{ApplicationRow, JobRow, ResumeRow, UserRow};
use super::{Entity, Format, TransferError};
use crate::auth::accounts::{AccountError, AccountInput, create_account};
use crate::documents::jobs::JobInput;
use crate::documents::pipeline;
use crate::documents::resumes::UploadOutcome;
use crate::portal::applications::MAX_COVER_NOTE_CHARS;
use crate::telemetry::spawn_blocking_with_span;
use intellicv_core::parse_display_name;
use intellicv_core::{
    ApplicationStatus, Email, EmploymentType, PostingStatus, RemoteMode, ResumeProfile, Role,
    SalaryPeriod, Seniority, UserStatus, ValidationError,
};
use intellicv_skills::resume::content_hash;
use intellicv_store::{
    JobInsertOutcome, NewApplication, NewResume, ParseOutcome, ResumeRecord, StoreError,
    TransferTable, UserUpdate,
};

/// Bad rows listed one by one (all are counted).
const LISTED_ERRORS: usize = 1000;
/// The source of imported postings that name none.
const DEFAULT_SOURCE: &str = "import";

/// A bad row: where, which field, why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// 1-based line of the file (for CSV, the line the record starts on).
    pub line: u64,
    pub field: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Rows read (blank lines not counted).
    pub rows: usize,
    /// Rows stored, per entity (`user`, `resume`, `job`, `application`).
    pub inserted: BTreeMap<String, usize>,
    /// Rows already stored (by their natural key), left as they were.
    pub duplicates: BTreeMap<String, usize>,
    pub failed: usize,
    /// The first 1,000 bad rows.
    pub errors: Vec<RowError>,
}

pub use crate::documents::Services;

enum Row {
    User(UserRow),
    Resume(ResumeRow),
    Job(JobRow),
    Application(ApplicationRow),
}

impl Row {
    fn entity(&self) -> Entity {
        match self {
            Row::User(_) => Entity::User,
            Row::Resume(_) => Entity::Resume,
            Row::Job(_) => Entity::Job,
            Row::Application(_) => Entity::Application,
        }
    }

    fn id(&self) -> Option<i64> {
        match self {
            Row::User(r) => r.id,
            Row::Resume(r) => r.id,
            Row::Job(r) => r.id,
            Row::Application(r) => r.id,
        }
    }
}

/// Why a row was not stored: a bad field, or the database failing (which stops the import).
enum Bad {
    Field(String, String),
    Fatal(TransferError),
}

fn bad(field: &str, reason: impl Into<String>) -> Bad {
    Bad::Field(field.to_owned(), reason.into())
}

impl From<ValidationError> for Bad {
    fn from(e: ValidationError) -> Self {
        Bad::Field(e.field.to_owned(), e.reason)
    }
}

impl From<StoreError> for Bad {
    fn from(e: StoreError) -> Self {
        Bad::Fatal(e.into())
    }
}

enum Stored {
    Inserted,
    Duplicate,
}

/// Reads `bytes` (JSON Lines, or CSV of `entity`) and stores every valid row.
pub async fn import(
    s: &Services,
    bytes: Vec<u8>,
    format: Format,
    entity: Option<Entity>,
) -> Result<ImportReport, TransferError> {
    let rows = match (format, entity) {
        (Format::Jsonl, _) => spawn_blocking_with_span(move || read_lines(&bytes)).await,
        (Format::Csv, Some(entity)) if entity.is_tabular() => {
            spawn_blocking_with_span(move || read_csv(&bytes, entity)).await
        }
        (Format::Csv, _) => {
            return Err(ValidationError::new(
                "entity",
                "CSV imports name one of users, jobs, applications",
            )
            .into());
        }
    }
    .map_err(|e| TransferError::Write(e.to_string()))?;
    let mut importer = Importer {
        s,
        report: ImportReport::default(),
        resume_ids: HashMap::new(),
        job_ids: HashMap::new(),
        new_resumes: Vec::new(),
        new_jobs: Vec::new(),
    };
    for (line, row) in rows {
        importer.report.rows += 1;
        let row = match row {
            Ok(row) => row,
            Err((field, reason)) => {
                importer.fail(line, field, reason);
                continue;
            }
        };
        let (entity, id) = (row.entity(), row.id());
        match importer.apply(row).await {
            Ok(stored) => {
                let counts = match stored {
                    Stored::Inserted => &mut importer.report.inserted,
                    Stored::Duplicate => &mut importer.report.duplicates,
                };
                *counts.entry(entity.as_str().to_owned()).or_default() += 1;
            }
            Err(Bad::Field(field, reason)) => {
                // Later rows that refer to this one must not fall back to another row
                // that happens to have the same id in the database.
                if let Some(id) = id {
                    match entity {
                        Entity::Resume => importer.resume_ids.insert(id, None),
                        Entity::Job => importer.job_ids.insert(id, None),
                        _ => None,
                    };
                }
                importer.fail(line, field, reason);
            }
            Err(Bad::Fatal(e)) => return Err(e),
        }
    }
    let Importer {
        report,
        new_resumes,
        new_jobs,
        ..
    } = importer;
    // Stored rows go through the tail of the write pipeline: indexed with one commit per
    // collection, and announced to admins like uploads.
    let writer = s.writer();
    let written: Vec<UploadOutcome> = new_resumes
        .into_iter()
        .map(|resume| UploadOutcome {
            resume,
            duplicate: false,
        })
        .collect();
    pipeline::finish_resumes(&writer, &written).await?;
    pipeline::finish_jobs(&writer, &new_jobs, &new_jobs).await?;
    tracing::info!(
        rows = report.rows,
        failed = report.failed,
        "import finished"
    );
    Ok(report)
}

type ParsedRow = (u64, Result<Row, (String, String)>);

/// Parses a row's JSON into `T`; the error names the field (`profile`, `salary_min`).
fn row_from<T: DeserializeOwned>(value: Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let reason = e.into_inner().to_string();
        let named = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|p| reason.strip_prefix(p))
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned);
        let field = match (path.as_str(), named) {
            (_, Some(name)) => name,
            ("." | "", None) => "row".to_owned(),
            (path, None) => path.to_owned(),
        };
        (field, reason)
    })
}

fn typed_row(entity: Entity, value: Value) -> Result<Row, (String, String)> {
    if let Some((path, c)) = intellicv_core::text::refused_in_json(&value) {
        let field = if path.is_empty() {
            "row".to_owned()
        } else {
            path
        };
        return Err((field, intellicv_core::text::refused_reason(c)));
    }
    Ok(match entity {
        Entity::User => Row::User(row_from(value)?),
        Entity::Resume => Row::Resume(row_from(value)?),
        Entity::Job => Row::Job(row_from(value)?),
        Entity::Application => Row::Application(row_from(value)?),
    })
}

fn read_lines(bytes: &[u8]) -> Vec<ParsedRow> {
    let mut rows = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = serde_json::from_slice::<Value>(line)
            .map_err(|e| ("row".to_owned(), format!("invalid JSON: {e}")))
            .and_then(|mut value| {
                let kind = value
                    .as_object_mut()
                    .ok_or_else(|| ("row".to_owned(), "must be a JSON object".to_owned()))?
                    .remove("type")
                    .ok_or_else(|| ("type".to_owned(), "missing field `type`".to_owned()))?;
                let entity = Entity::parse(kind.as_str().unwrap_or_default(), "type")
                    .map_err(|e| (e.field.to_owned(), e.reason))?;
                typed_row(entity, value)
            });
        rows.push((i as u64 + 1, parsed));
    }
    rows
}

fn read_csv(bytes: &[u8], entity: Entity) -> Vec<ParsedRow> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return vec![(1, Err(("header".to_owned(), e.to_string())))],
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let row = match record {
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                rows.push((line, Err(("row".to_owned(), e.to_string()))));
                continue;
            }
            Ok(record) => record,
        };
        let line = row.position().map_or(0, csv::Position::line);
        // Cells become JSON: empty is null, numbers stay numbers where the row type wants
        // them (serde_json reads a number from a string only when asked, so try both).
        let mut object = serde_json::Map::new();
        for (name, cell) in headers.iter().zip(row.iter()) {
            let value = if cell.is_empty() {
                Value::Null
            } else if let Ok(n) = cell.parse::<serde_json::Number>()
                && is_numeric_column(name)
            {
                Value::Number(n)
            } else {
                Value::from(cell)
            };
            object.insert(name.to_owned(), value);
        }
        rows.push((line, typed_row(entity, Value::Object(object))));
    }
    rows
}

/// Columns whose values are numbers in the row types.
fn is_numeric_column(name: &str) -> bool {
    matches!(
        name,
        "id" | "job_id"
            | "resume_id"
            | "latitude"
            | "longitude"
            | "salary_min"
            | "salary_max"
            | "match_score"
    )
}

struct Importer<'a> {
    s: &'a Services,
    report: ImportReport,
    /// Ids of the file's rows: the stored row each became, `None` when it failed.
    resume_ids: HashMap<i64, Option<i64>>,
    job_ids: HashMap<i64, Option<i64>>,
    new_resumes: Vec<ResumeRecord>,
    new_jobs: Vec<i64>,
}

impl Importer<'_> {
    fn fail(&mut self, line: u64, field: String, reason: String) {
        self.report.failed += 1;
        if self.report.errors.len() < LISTED_ERRORS {
            self.report.errors.push(RowError {
                line,
                field,
                reason,
            });
        }
    }

    async fn apply(&mut self, row: Row) -> Result<Stored, Bad> {
        match row {
            Row::User(r) => self.user(r).await,
            Row::Resume(r) => self.resume(r).await,
            Row::Job(r) => self.job(r).await,
            Row::Application(r) => self.application(r).await,
        }
    }

    async fn user_id(&self, email: &str, field: &str) -> Result<i64, Bad> {
        let email = Email::parse(email).map_err(|e| bad(field, e.reason))?;
        match self.s.store.find_user_by_email(&email).await? {
            Some(user) => Ok(user.id),
            None => Err(bad(field, "no user with this email")),
        }
    }

    async fn user(&mut self, row: UserRow) -> Result<Stored, Bad> {
        let email = Email::parse(&row.email)?;
        let role = Role::from_str(&row.role)?;
        let status = row
            .status
            .as_deref()
            .map(UserStatus::from_str)
            .transpose()?;
        let display_name = parse_display_name(row.display_name.as_deref())?;
        if self.s.store.find_user_by_email(&email).await?.is_some() {
            return Ok(Stored::Duplicate);
        }
        // No password travels: the account gets a random one an admin resets.
        let password = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let input = AccountInput {
            email: email.as_str(),
            password: &password,
            role,
            display_name: display_name.as_deref(),
        };
        let user = match create_account(&self.s.store, input).await {
            Ok(user) => user,
            Err(AccountError::EmailTaken) => return Ok(Stored::Duplicate),
            Err(AccountError::Invalid(e)) => return Err(e.into()),
            Err(AccountError::Store(e)) => return Err(e.into()),
        };
        if let Some(status) = status.filter(|s| *s != UserStatus::Active) {
            let update = UserUpdate {
                status: Some(status),
                ..UserUpdate::default()
            };
            self.s.store.update_user(user.id, &update).await?;
        }
        Ok(Stored::Inserted)
    }

    async fn resume(&mut self, row: ResumeRow) -> Result<Stored, Bad> {
        let owner = match &row.owner_email {
            Some(email) => Some(self.user_id(email, "owner_email").await?),
            None => None,
        };
        let bytes = STANDARD
            .decode(row.content_base64.trim())
            .map_err(|e| bad("content_base64", format!("not base64: {e}")))?;
        if bytes.is_empty() {
            return Err(bad("content_base64", "the file is empty"));
        }
        let hash = content_hash(&bytes);
        if row.content_hash.as_ref().is_some_and(|h| *h != hash) {
            return Err(bad("content_hash", "does not match the content"));
        }
        if row.format.trim().is_empty() {
            return Err(bad("format", "must not be empty"));
        }
        let profile: Option<ResumeProfile>;
        let outcome = match row.parse_status.as_str() {
            "parsed" => {
                let value = row
                    .profile
                    .clone()
                    .ok_or_else(|| bad("profile", "required for a parsed resume"))?;
                profile = Some(
                    serde_json::from_value(value)
                        .map_err(|e| bad("profile", format!("not a profile: {e}")))?,
                );
                let text = row
                    .extracted_text
                    .as_deref()
                    .ok_or_else(|| bad("extracted_text", "required for a parsed resume"))?;
                ParseOutcome::Parsed {
                    text,
                    profile: profile.as_ref().expect("set above"),
                }
            }
            "failed" => ParseOutcome::Failed {
                code: row
                    .parse_error_code
                    .as_deref()
                    .ok_or_else(|| bad("parse_error_code", "required for a failed resume"))?,
                reason: row.parse_error.as_deref().unwrap_or(""),
            },
            _ => return Err(bad("parse_status", "must be parsed or failed")),
        };
        if let Some(existing) = self.s.store.find_resume_by_hash(owner, &hash).await? {
            self.map_id(Entity::Resume, row.id, existing.id);
            return Ok(Stored::Duplicate);
        }
        let record = self
            .s
            .store
            .insert_resume(&NewResume {
                owner_id: owner,
                source_filename: &row.source_filename,
                content_hash: &hash,
                bytes: &bytes,
                format: &row.format,
                outcome,
                category: row.category.as_deref(),
            })
            .await?;
        self.map_id(Entity::Resume, row.id, record.id);
        self.new_resumes.push(record);
        Ok(Stored::Inserted)
    }

    fn map_id(&mut self, entity: Entity, from: Option<i64>, to: i64) {
        if let Some(from) = from {
            match entity {
                Entity::Resume => self.resume_ids.insert(from, Some(to)),
                Entity::Job => self.job_ids.insert(from, Some(to)),
                _ => None,
            };
        }
    }

    async fn job(&mut self, row: JobRow) -> Result<Stored, Bad> {
        fn parse<T: FromStr<Err = ValidationError>>(
            raw: Option<&str>,
            field: &str,
        ) -> Result<Option<T>, Bad> {
            raw.map(|r| T::from_str(r).map_err(|e| bad(field, e.reason)))
                .transpose()
        }
        let status = match row.status.as_deref() {
            None => PostingStatus::Open,
            Some(raw) => raw
                .parse::<PostingStatus>()
                .map_err(|_| bad("status", "must be one of draft, open, closed, archived"))?,
        };
        let source = row
            .source
            .as_deref()
            .unwrap_or(DEFAULT_SOURCE)
            .trim()
            .to_owned();
        if source.is_empty() {
            return Err(bad("source", "must not be empty"));
        }
        let created_by = match &row.created_by_email {
            Some(email) => Some(self.user_id(email, "created_by_email").await?),
            None => None,
        };
        let input = JobInput {
            title: row.title.clone(),
            description: row.description.clone(),
            company: row.company.clone(),
            location: row.location.clone(),
            country: row.country.clone(),
            latitude: row.latitude,
            longitude: row.longitude,
            remote_mode: parse(row.remote_mode.as_deref(), "remote_mode")?
                .unwrap_or(RemoteMode::Unknown),
            employment_type: parse(row.employment_type.as_deref(), "employment_type")?
                .unwrap_or(EmploymentType::Unknown),
            seniority: parse::<Seniority>(row.seniority.as_deref(), "seniority")?,
            salary_min: row.salary_min,
            salary_max: row.salary_max,
            salary_currency: row.salary_currency.clone(),
            salary_period: parse::<SalaryPeriod>(row.salary_period.as_deref(), "salary_period")?,
            valid_through: row.valid_through,
        };
        let skills = self.s.skills.clone();
        let mut draft = spawn_blocking_with_span(move || input.parse(&skills))
            .await
            .map_err(|e| Bad::Fatal(TransferError::Write(e.to_string())))??;
        draft.source = source;
        draft.external_id = row.external_id.clone();
        draft.posted_at = row.posted_at.or(draft.posted_at);
        if draft.external_id.is_none()
            && let Some(id) = self
                .s
                .store
                .find_job_by_content(
                    &draft.source,
                    &draft.title,
                    draft.company.as_deref(),
                    &draft.description,
                )
                .await?
        {
            self.map_id(Entity::Job, row.id, id);
            return Ok(Stored::Duplicate);
        }
        let outcome = self
            .s
            .store
            .insert_jobs_as(&[draft], created_by, status)
            .await?;
        let (id, stored) = match outcome.first() {
            Some(JobInsertOutcome::Inserted(id)) => (*id, Stored::Inserted),
            Some(JobInsertOutcome::Duplicate(id)) => (*id, Stored::Duplicate),
            None => return Err(bad("row", "not stored")),
        };
        self.map_id(Entity::Job, row.id, id);
        if matches!(stored, Stored::Inserted) {
            self.new_jobs.push(id);
        }
        Ok(stored)
    }

    /// The stored id an application's reference means: the row of the file with that id,
    /// else a stored row with that id.
    async fn reference(&self, table: TransferTable, id: i64, field: &str) -> Result<i64, Bad> {
        let mapped = match table {
            TransferTable::Resumes => self.resume_ids.get(&id),
            TransferTable::Jobs => self.job_ids.get(&id),
        };
        match mapped {
            Some(Some(stored)) => Ok(*stored),
            Some(None) => Err(bad(field, "the row with this id failed to import")),
            None if self.s.store.row_exists(table, id).await? => Ok(id),
            None => Err(bad(
                field,
                "no row with this id in the file or the database",
            )),
        }
    }

    async fn application(&mut self, row: ApplicationRow) -> Result<Stored, Bad> {
        let status = row
            .status
            .as_deref()
            .map(ApplicationStatus::from_str)
            .transpose()?
            .unwrap_or(ApplicationStatus::Submitted);
        if row
            .cover_note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_COVER_NOTE_CHARS)
        {
            return Err(bad(
                "cover_note",
                format!("must be at most {MAX_COVER_NOTE_CHARS} characters"),
            ));
        }
        if row.match_score.is_some_and(|s| !(0.0..=100.0).contains(&s)) {
            return Err(bad("match_score", "must be between 0 and 100"));
        }
        let user_id = self.user_id(&row.user_email, "user_email").await?;
        let job_id = self
            .reference(TransferTable::Jobs, row.job_id, "job_id")
            .await?;
        let resume = row.resume_id.ok_or_else(|| bad("resume_id", "required"))?;
        let resume_id = self
            .reference(TransferTable::Resumes, resume, "resume_id")
            .await?;
        if self
            .s
            .store
            .find_application(user_id, job_id)
            .await?
            .is_some()
        {
            return Ok(Stored::Duplicate);
        }
        let new = NewApplication {
            user_id,
            job_id,
            resume_id,
            cover_note: row.cover_note.clone(),
            match_score: row.match_score,
        };
        let application = match self.s.store.insert_application(&new).await {
            Ok(a) => a,
            Err(StoreError::Conflict { .. }) => return Ok(Stored::Duplicate),
            Err(e) => return Err(e.into()),
        };
        if status != ApplicationStatus::Submitted {
            self.s
                .store
                .change_application_status(
                    application.id,
                    ApplicationStatus::Submitted,
                    status,
                    None,
                    Some("imported"),
                )
                .await?;
        }
        Ok(Stored::Inserted)
    }
}
