use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use super::jobs::NullableText;
use super::{Store, StoreError, with_pool};
use intellicv_core::{ResumeProfile, Seniority};

/// Writes the skill, experience and education rows of a resume's profile inside a
/// transaction (both backends: the macro expands into each pool's arm).
macro_rules! write_profile_rows {
    ($tx:expr, $id:expr, $profile:expr) => {{
        for skill in &$profile.skills {
            sqlx::query(
                "INSERT INTO resume_skills (resume_id, skill_uri, label, confidence, \
                         source, evidence) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (resume_id, skill_uri) DO NOTHING",
            )
            .bind($id)
            .bind(&skill.uri)
            .bind(&skill.label)
            .bind(f64::from(skill.confidence))
            .bind(skill.method.as_str())
            .bind(Json(&skill.evidence))
            .execute($tx)
            .await?;
        }
        for (i, e) in $profile.experience.iter().enumerate() {
            sqlx::query(
                "INSERT INTO resume_experiences (resume_id, position, title, company, \
                         location, start_date, end_date, is_current, description, span) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind($id)
            .bind(i as i32)
            .bind(&e.title)
            .bind(&e.company)
            .bind(&e.location)
            .bind(e.start.map(year_month_text))
            .bind(e.end.map(year_month_text))
            .bind(e.is_current)
            .bind(e.bullets.join("\n"))
            .bind(Json(&e.source))
            .execute($tx)
            .await?;
        }
        for (i, e) in $profile.education.iter().enumerate() {
            sqlx::query(
                "INSERT INTO resume_educations (resume_id, position, degree, field, \
                         institution, graduation_year, span) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind($id)
            .bind(i as i32)
            .bind(&e.degree)
            .bind(&e.field)
            .bind(&e.institution)
            .bind(e.year)
            .bind(Json(&e.source))
            .execute($tx)
            .await?;
        }
    }};
}

/// The parse outcome of a stored resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParseStatus {
    Pending,
    Parsed,
    Failed,
}

impl ParseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ParseStatus::Pending => "pending",
            ParseStatus::Parsed => "parsed",
            ParseStatus::Failed => "failed",
        }
    }
}

impl std::fmt::Display for ParseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read from the `parse_status` column, which a CHECK constraint keeps to these names.
impl TryFrom<String> for ParseStatus {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).ok_or_else(|| format!("unknown parse status `{raw}`"))
    }
}

impl ParseStatus {
    pub const NAMES: &'static str = "pending, parsed, failed";

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "pending" => ParseStatus::Pending,
            "parsed" => ParseStatus::Parsed,
            "failed" => ParseStatus::Failed,
            _ => return None,
        })
    }
}

/// What `query_resumes` returns: filters (`None` matches all), order and page.
#[derive(Debug, Clone)]
pub struct ResumeQuery {
    pub owner_id: Option<i64>,
    pub parse_status: Option<ParseStatus>,
    pub format: Option<String>,
    pub sort: ResumeSort,
    pub descending: bool,
    pub page: Page,
    /// Leaves out the resumes of candidates whose private profile the caller may not see.
    pub reach: super::CandidateReach,
}

/// The fields a resume list may be sorted by; each maps to a fixed column name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeSort {
    Id,
    CreatedAt,
    UpdatedAt,
    SourceFilename,
}

impl ResumeSort {
    pub const NAMES: &'static str = "id, created_at, updated_at, source_filename";

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "id" => ResumeSort::Id,
            "created_at" => ResumeSort::CreatedAt,
            "updated_at" => ResumeSort::UpdatedAt,
            "source_filename" => ResumeSort::SourceFilename,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            ResumeSort::Id => "id",
            ResumeSort::CreatedAt => "created_at",
            ResumeSort::UpdatedAt => "updated_at",
            ResumeSort::SourceFilename => "source_filename",
        }
    }
}

/// A resume to store: the original bytes always, the parse result when there is one, or
/// the typed failure.
#[derive(Debug)]
pub struct NewResume<'a> {
    pub owner_id: Option<i64>,
    pub source_filename: &'a str,
    pub content_hash: &'a str,
    pub bytes: &'a [u8],
    pub format: &'a str,
    pub outcome: ParseOutcome<'a>,
    /// The resume's category in the pool (an import's), written by the same insert.
    pub category: Option<&'a str>,
}

#[derive(Debug)]
pub enum ParseOutcome<'a> {
    Parsed {
        text: &'a str,
        profile: &'a ResumeProfile,
    },
    Failed {
        code: &'a str,
        reason: &'a str,
    },
}

/// A stored resume without its original bytes (see [`Store::resume_bytes`]).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ResumeRecord {
    pub id: i64,
    pub owner_id: Option<i64>,
    pub source_filename: String,
    pub content_hash: String,
    pub byte_size: i64,
    pub format: String,
    #[sqlx(try_from = "String")]
    pub parse_status: ParseStatus,
    pub parse_error_code: Option<String>,
    pub parse_error: Option<String>,
    pub headline: Option<String>,
    pub years_experience: Option<f64>,
    #[sqlx(try_from = "NullableText")]
    pub seniority: Option<Seniority>,
    #[serde(skip)]
    pub extracted_text: Option<String>,
    pub profile: Option<Json<ResumeProfile>>,
    /// The resume's category in the pool, when one was set (see
    /// [`Store::set_resume_category`]).
    pub category: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub parsed_at: Option<DateTime<Utc>>,
}

pub(super) const RESUME_COLUMNS: &str = "id, owner_id, source_filename, content_hash, byte_size, format, \
    parse_status, parse_error_code, parse_error, headline, years_experience, seniority, \
    extracted_text, profile, category, created_at, updated_at, parsed_at";

impl Store {
    /// Stores a resume with its bytes, profile and skill/experience/education rows in one
    /// transaction. A failed parse is stored too, with its reason.
    pub async fn insert_resume(&self, resume: &NewResume<'_>) -> Result<ResumeRecord, StoreError> {
        let now = Utc::now();
        let (status, text, profile, code, reason) = match &resume.outcome {
            ParseOutcome::Parsed { text, profile } => (
                ParseStatus::Parsed,
                Some(*text),
                Some(Json(*profile)),
                None,
                None,
            ),
            ParseOutcome::Failed { code, reason } => {
                (ParseStatus::Failed, None, None, Some(*code), Some(*reason))
            }
        };
        let headline = profile
            .as_ref()
            .and_then(|p| p.0.headline.as_ref())
            .map(|h| h.value.clone());
        let years = profile
            .as_ref()
            .and_then(|p| p.0.total_years_experience)
            .map(|y| (f64::from(y) * 10.0).round() / 10.0);
        let seniority = profile
            .as_ref()
            .and_then(|p| p.0.seniority)
            .map(Seniority::as_str);
        let parsed_at = (status == ParseStatus::Parsed).then_some(now);
        let sql = format!(
            "INSERT INTO resumes (owner_id, source_filename, content_hash, content_bytes, \
             byte_size, format, extracted_text, profile, parse_status, parse_error_code, \
             parse_error, headline, years_experience, seniority, created_at, updated_at, \
             parsed_at, category) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $15, $16, $17) RETURNING {RESUME_COLUMNS}"
        );
        let profile_ref = profile.as_ref().map(|p| p.0);
        with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let record = sqlx::query_as::<_, ResumeRecord>(&sql)
                .bind(resume.owner_id)
                .bind(resume.source_filename)
                .bind(resume.content_hash)
                .bind(resume.bytes)
                .bind(resume.bytes.len() as i64)
                .bind(resume.format)
                .bind(text)
                .bind(profile_ref.map(Json))
                .bind(status.as_str())
                .bind(code)
                .bind(reason)
                .bind(&headline)
                .bind(years)
                .bind(seniority)
                .bind(now)
                .bind(parsed_at)
                .bind(resume.category)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(profile) = profile_ref {
                write_profile_rows!(&mut *tx, record.id, profile);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(record)
        })
        .map_err(StoreError::from)
    }

    /// The resume of `owner_id` (or an ownerless one) with these exact bytes, if stored.
    pub async fn find_resume_by_hash(
        &self,
        owner_id: Option<i64>,
        content_hash: &str,
    ) -> Result<Option<ResumeRecord>, StoreError> {
        let sql = format!(
            "SELECT {RESUME_COLUMNS} FROM resumes WHERE content_hash = $1 AND \
             (owner_id = $2 OR (owner_id IS NULL AND $2 IS NULL)) ORDER BY id LIMIT 1"
        );
        let found = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ResumeRecord>(&sql)
                .bind(content_hash)
                .bind(owner_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(found)
    }

    pub async fn get_resume(&self, id: i64) -> Result<ResumeRecord, StoreError> {
        let sql = format!("SELECT {RESUME_COLUMNS} FROM resumes WHERE id = $1");
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ResumeRecord>(&sql).bind(id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound { entity: "resume" })
    }

    /// The original bytes of a resume, kept so it can be parsed again.
    pub async fn resume_bytes(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        let sql = "SELECT content_bytes FROM resumes WHERE id = $1";
        with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, Option<Vec<u8>>>(sql).bind(id).fetch_optional(pool).await
        })?
        .flatten()
        .ok_or(StoreError::NotFound { entity: "resume" })
    }

    pub async fn count_resumes(&self) -> Result<i64, StoreError> {
        let n = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM resumes").fetch_one(pool).await
        })?;
        Ok(n)
    }
}

fn year_month_text(ym: intellicv_core::YearMonth) -> String {
    match ym.month {
        Some(m) => format!("{:04}-{:02}", ym.year, m),
        None => format!("{:04}", ym.year),
    }
}

/// A page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// Headline, years and seniority as stored in their own columns.
fn summary_columns(profile: &ResumeProfile) -> (Option<String>, Option<f64>, Option<&'static str>) {
    (
        profile.headline.as_ref().map(|h| h.value.clone()),
        profile
            .total_years_experience
            .map(|y| (f64::from(y) * 10.0).round() / 10.0),
        profile.seniority.map(Seniority::as_str),
    )
}

impl Store {
    /// Resumes, newest first; only `owner_id`'s when given. Returns the page and the total.
    pub async fn list_resumes(
        &self,
        owner_id: Option<i64>,
        page: Page,
    ) -> Result<(Vec<ResumeRecord>, i64), StoreError> {
        self.query_resumes(&ResumeQuery {
            owner_id,
            parse_status: None,
            format: None,
            sort: ResumeSort::CreatedAt,
            descending: true,
            page,
            reach: super::CandidateReach::Everyone,
        })
        .await
    }

    /// One page of resumes matching `query`, and how many match in all.
    pub async fn query_resumes(
        &self,
        query: &ResumeQuery,
    ) -> Result<(Vec<ResumeRecord>, i64), StoreError> {
        let filter = format!(
            "($1 IS NULL OR owner_id = $1) AND ($2 IS NULL OR parse_status = $2) \
             AND ($3 IS NULL OR format = $3) AND ($4 OR NOT {})",
            super::organisations::hidden_candidate("resumes.owner_id", "$5")
        );
        let (everyone, organisation) = match query.reach {
            super::CandidateReach::Everyone => (true, None),
            super::CandidateReach::Organisation(org) => (false, org),
        };
        let direction = if query.descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {RESUME_COLUMNS} FROM resumes WHERE {filter} \
             ORDER BY {} {direction}, id {direction} LIMIT $6 OFFSET $7",
            query.sort.column()
        );
        let count = format!("SELECT count(*) FROM resumes WHERE {filter}");
        let status = query.parse_status.map(ParseStatus::as_str);
        let format = query.format.as_deref();
        let (rows, total) = with_pool!(self.db(), pool => {
            let rows = sqlx::query_as::<_, ResumeRecord>(&sql)
                .bind(query.owner_id)
                .bind(status)
                .bind(format)
                .bind(everyone)
                .bind(organisation)
                .bind(query.page.limit)
                .bind(query.page.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count)
                .bind(query.owner_id)
                .bind(status)
                .bind(format)
                .bind(everyone)
                .bind(organisation)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        Ok((rows, total))
    }

    /// Replaces a resume's file and parse result, keeping its id and owner.
    pub async fn replace_resume(
        &self,
        id: i64,
        resume: &NewResume<'_>,
    ) -> Result<ResumeRecord, StoreError> {
        let now = Utc::now();
        let (status, text, profile, code, reason) = match &resume.outcome {
            ParseOutcome::Parsed { text, profile } => {
                (ParseStatus::Parsed, Some(*text), Some(*profile), None, None)
            }
            ParseOutcome::Failed { code, reason } => {
                (ParseStatus::Failed, None, None, Some(*code), Some(*reason))
            }
        };
        let (headline, years, seniority) = profile.map(summary_columns).unwrap_or_default();
        let sql = format!(
            "UPDATE resumes SET source_filename = $2, content_hash = $3, content_bytes = $4, \
             byte_size = $5, format = $6, extracted_text = $7, profile = $8, parse_status = $9, \
             parse_error_code = $10, parse_error = $11, headline = $12, years_experience = $13, \
             seniority = $14, updated_at = $15, parsed_at = $16 WHERE id = $1 \
             RETURNING {RESUME_COLUMNS}"
        );
        let parsed_at = (status == ParseStatus::Parsed).then_some(now);
        let record = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let record = sqlx::query_as::<_, ResumeRecord>(&sql)
                .bind(id)
                .bind(resume.source_filename)
                .bind(resume.content_hash)
                .bind(resume.bytes)
                .bind(resume.bytes.len() as i64)
                .bind(resume.format)
                .bind(text)
                .bind(profile.map(Json))
                .bind(status.as_str())
                .bind(code)
                .bind(reason)
                .bind(&headline)
                .bind(years)
                .bind(seniority)
                .bind(now)
                .bind(parsed_at)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(record) = &record {
                for table in ["resume_skills", "resume_experiences", "resume_educations"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE resume_id = $1"))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(profile) = profile {
                    write_profile_rows!(&mut *tx, record.id, profile);
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(record)
        })?;
        record.ok_or(StoreError::NotFound { entity: "resume" })
    }

    /// Sets (or with `None` clears) a resume's category; the change counts as an update of
    /// the resume, so the search indexes pick it up. `NotFound` for an unknown id.
    pub async fn set_resume_category(
        &self,
        id: i64,
        category: Option<&str>,
    ) -> Result<ResumeRecord, StoreError> {
        let sql = format!(
            "UPDATE resumes SET category = $2, updated_at = $3 WHERE id = $1 \
             RETURNING {RESUME_COLUMNS}"
        );
        let category = category.map(str::trim).filter(|c| !c.is_empty());
        let record = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ResumeRecord>(&sql)
                .bind(id)
                .bind(category)
                .bind(Utc::now())
                .fetch_optional(pool)
                .await
        })?;
        record.ok_or(StoreError::NotFound { entity: "resume" })
    }

    /// Replaces a parsed resume's profile (a user's corrections), keeping its file.
    pub async fn update_resume_profile(
        &self,
        id: i64,
        profile: &ResumeProfile,
    ) -> Result<ResumeRecord, StoreError> {
        let now = Utc::now();
        let (headline, years, seniority) = summary_columns(profile);
        let sql = format!(
            "UPDATE resumes SET profile = $2, headline = $3, years_experience = $4, \
             seniority = $5, updated_at = $6 WHERE id = $1 AND parse_status = 'parsed' \
             RETURNING {RESUME_COLUMNS}"
        );
        let record = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let record = sqlx::query_as::<_, ResumeRecord>(&sql)
                .bind(id)
                .bind(Json(profile))
                .bind(&headline)
                .bind(years)
                .bind(seniority)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(record) = &record {
                for table in ["resume_skills", "resume_experiences", "resume_educations"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE resume_id = $1"))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                write_profile_rows!(&mut *tx, record.id, profile);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(record)
        })?;
        record.ok_or(StoreError::NotFound {
            entity: "parsed resume",
        })
    }

    /// Deletes a resume and everything hanging off it. `false` when there was none.
    /// Applications made with it stay (the posting's side of the record) without the
    /// resume; the open ones are withdrawn, noted in their history.
    pub async fn delete_resume(&self, id: i64) -> Result<bool, StoreError> {
        let withdraw = super::applications::withdraw_for_deleted_resume();
        let now = Utc::now();
        let n = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            for sql in &withdraw {
                sqlx::query(sql).bind(id).bind(now).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM document_embeddings WHERE collection = 'resumes' AND doc_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query("DELETE FROM resumes WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok::<_, sqlx::Error>(n)
        })?;
        Ok(n > 0)
    }
}
