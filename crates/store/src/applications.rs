//! Job applications and their status history.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Store, StoreError, with_pool};
use intellicv_core::ApplicationStatus;

/// A stored application with the posting's title and the applicant's name.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApplicationRecord {
    pub id: i64,
    pub user_id: i64,
    pub job_id: i64,
    /// `None` once the resume was deleted (open applications are withdrawn then).
    pub resume_id: Option<i64>,
    pub status: String,
    pub cover_note: Option<String>,
    /// The match score (0-100) of the resume and the posting when the application was made;
    /// `None` when it could not be computed (e.g. a resume whose parse failed).
    pub match_score: Option<f64>,
    pub job_title: String,
    pub job_company: Option<String>,
    pub job_status: String,
    pub applicant_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status_changed_at: DateTime<Utc>,
    /// The organisation of the posting: its recruiters (and admins) see the application.
    pub organisation_id: Option<i64>,
}

const APPLICATION_COLUMNS: &str = "a.id, a.user_id, a.job_id, a.resume_id, a.status, \
    a.cover_note, a.match_score, j.title AS job_title, j.company AS job_company, \
    j.status AS job_status, u.display_name AS applicant_name, a.created_at, a.updated_at, \
    a.status_changed_at, j.organisation_id";

const APPLICATION_FROM: &str = "applications a JOIN job_postings j ON j.id = a.job_id \
    JOIN users u ON u.id = a.user_id";

/// One row of an application's status history.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StatusChangeRecord {
    pub from_status: Option<String>,
    pub to_status: String,
    /// `None` for changes the system made (a deleted resume) or by a deleted user.
    pub changed_by: Option<i64>,
    pub note: Option<String>,
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewApplication {
    pub user_id: i64,
    pub job_id: i64,
    pub resume_id: i64,
    pub cover_note: Option<String>,
    pub match_score: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationSort {
    CreatedAt,
    StatusChangedAt,
    MatchScore,
    Id,
}

impl ApplicationSort {
    pub const NAMES: &'static str = "created_at, status_changed_at, match_score, id";

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "created_at" => Self::CreatedAt,
            "status_changed_at" => Self::StatusChangedAt,
            "match_score" => Self::MatchScore,
            "id" => Self::Id,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            Self::CreatedAt => "a.created_at",
            Self::StatusChangedAt => "a.status_changed_at",
            Self::MatchScore => "a.match_score",
            Self::Id => "a.id",
        }
    }
}

/// Filters, order and page of an application listing; every field already validated.
#[derive(Debug, Clone)]
pub struct ApplicationQuery {
    pub user_id: Option<i64>,
    pub job_id: Option<i64>,
    pub status: Option<ApplicationStatus>,
    pub sort: ApplicationSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
    /// Only applications to postings of this organisation.
    pub organisation_id: Option<i64>,
}

/// The statuses of open applications, as SQL (kept in step with
/// [`ApplicationStatus::is_open`] by a test).
const OPEN_STATUSES_SQL: &str = "('submitted', 'reviewing', 'interview', 'offered')";

/// Run inside [`Store::delete_resume`]'s transaction before the resume row goes (`$1` the
/// resume, `$2` now): the open applications made with it are withdrawn, history first.
pub(super) fn withdraw_for_deleted_resume() -> [String; 2] {
    [
        format!(
            "INSERT INTO application_status_history (application_id, from_status, to_status, \
             changed_by, note, changed_at) SELECT id, status, 'withdrawn', NULL, \
             'resume deleted', $2 FROM applications WHERE resume_id = $1 AND status IN \
             {OPEN_STATUSES_SQL}"
        ),
        format!(
            "UPDATE applications SET status = 'withdrawn', updated_at = $2, \
             status_changed_at = $2 WHERE resume_id = $1 AND status IN {OPEN_STATUSES_SQL}"
        ),
    ]
}

const INSERT_HISTORY: &str = "INSERT INTO application_status_history (application_id, \
    from_status, to_status, changed_by, note, changed_at) VALUES ($1, $2, $3, $4, $5, $6)";

impl Store {
    /// Stores an application with its first history row (`submitted`, by the applicant).
    /// A second application of the same user to the same posting is a
    /// [`StoreError::Conflict`].
    pub async fn insert_application(
        &self,
        new: &NewApplication,
    ) -> Result<ApplicationRecord, StoreError> {
        let now = Utc::now();
        let insert = "INSERT INTO applications (user_id, job_id, resume_id, status, cover_note, \
            match_score, created_at, updated_at, status_changed_at) \
            VALUES ($1, $2, $3, 'submitted', $4, $5, $6, $6, $6) RETURNING id";
        // An async block, so that `?` on the insert reaches the unique-violation mapping
        // instead of returning from the function.
        let id = with_pool!(self.db(), pool => async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(insert)
                .bind(new.user_id)
                .bind(new.job_id)
                .bind(new.resume_id)
                .bind(&new.cover_note)
                .bind(new.match_score)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(INSERT_HISTORY)
                .bind(id)
                .bind(None::<String>)
                .bind(ApplicationStatus::Submitted.as_str())
                .bind(new.user_id)
                .bind(None::<String>)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }.await)
        .map_err(StoreError::conflict_or("application"))?;
        self.get_application(id).await
    }

    pub async fn get_application(&self, id: i64) -> Result<ApplicationRecord, StoreError> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM {APPLICATION_FROM} WHERE a.id = $1");
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ApplicationRecord>(&sql).bind(id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound {
            entity: "application",
        })
    }

    /// The status history of an application, oldest first.
    pub async fn application_history(
        &self,
        id: i64,
    ) -> Result<Vec<StatusChangeRecord>, StoreError> {
        let sql = "SELECT from_status, to_status, changed_by, note, changed_at \
                   FROM application_status_history WHERE application_id = $1 \
                   ORDER BY changed_at, id";
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, StatusChangeRecord>(sql).bind(id).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// One page of applications matching `query`, and how many match in all. Applications
    /// without a match score sort last either way.
    pub async fn list_applications(
        &self,
        query: &ApplicationQuery,
    ) -> Result<(Vec<ApplicationRecord>, i64), StoreError> {
        let filter = "($1 IS NULL OR a.user_id = $1) AND ($2 IS NULL OR a.job_id = $2) \
                      AND ($3 IS NULL OR a.status = $3) AND ($4 IS NULL OR j.organisation_id = $4)";
        let direction = if query.descending { "DESC" } else { "ASC" };
        let nulls = if query.sort == ApplicationSort::MatchScore {
            "a.match_score IS NULL, "
        } else {
            ""
        };
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM {APPLICATION_FROM} WHERE {filter} \
             ORDER BY {nulls}{} {direction}, a.id {direction} LIMIT $5 OFFSET $6",
            query.sort.column()
        );
        let count = format!(
            "SELECT count(*) FROM applications a JOIN job_postings j ON j.id = a.job_id \
             WHERE {filter}"
        );
        let status = query.status.map(ApplicationStatus::as_str);
        let (rows, total) = with_pool!(self.db(), pool => {
            let rows = sqlx::query_as::<_, ApplicationRecord>(&sql)
                .bind(query.user_id)
                .bind(query.job_id)
                .bind(status)
                .bind(query.organisation_id)
                .bind(query.limit)
                .bind(query.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count)
                .bind(query.user_id)
                .bind(query.job_id)
                .bind(status)
                .bind(query.organisation_id)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        Ok((rows, total))
    }

    /// Moves an application from `from` to `to` and records the change. `None` when its
    /// status is no longer `from` (someone else moved it first).
    pub async fn change_application_status(
        &self,
        id: i64,
        from: ApplicationStatus,
        to: ApplicationStatus,
        changed_by: Option<i64>,
        note: Option<&str>,
    ) -> Result<Option<ApplicationRecord>, StoreError> {
        let now = Utc::now();
        let update = "UPDATE applications SET status = $3, updated_at = $4, \
                      status_changed_at = $4 WHERE id = $1 AND status = $2";
        let changed = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(update)
                .bind(id)
                .bind(from.as_str())
                .bind(to.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                sqlx::query(INSERT_HISTORY)
                    .bind(id)
                    .bind(from.as_str())
                    .bind(to.as_str())
                    .bind(changed_by)
                    .bind(note)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(n == 1)
        })?;
        if !changed {
            return Ok(None);
        }
        self.get_application(id).await.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_statuses_in_sql_are_the_open_statuses() {
        let open: Vec<String> = ApplicationStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{s}'"))
            .collect();
        assert_eq!(OPEN_STATUSES_SQL, format!("({})", open.join(", ")));
    }
}
