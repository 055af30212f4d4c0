//! Analytics storage: usage events (in `analytics_events`) and the grouped counts the
//! dashboard and reports read. Time buckets and JSON attributes need each backend's own
//! SQL; [`Dialect`] holds those fragments, and nothing else differs.
//!
//! Every fragment built here is made of fixed text; values are always bound.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;

use super::{Backend, Store, StoreError, with_pool};
use intellicv_core::{Bucket, TimeRange};

/// A usage event to write.
#[derive(Debug, Clone)]
pub struct NewUsageEvent {
    pub kind: &'static str,
    pub user_id: Option<i64>,
    pub subject_kind: Option<&'static str>,
    pub subject_id: Option<i64>,
    pub attrs: Value,
    pub at: DateTime<Utc>,
}

/// A row of a grouped count: up to two keys, a count and a second count.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupCount {
    pub k1: Option<String>,
    pub k2: Option<String>,
    pub n: i64,
    pub m: i64,
}

/// How long applications stayed in one stage (completed stays only).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StageTime {
    pub stage: String,
    pub n: i64,
    pub avg_secs: Option<f64>,
    pub min_secs: Option<f64>,
    pub max_secs: Option<f64>,
}

/// A value bound to a query built at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Text(String),
    Float(f64),
    Int(i64),
    Time(DateTime<Utc>),
}

/// A row of a custom query: up to two group keys and the aggregate.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CustomRow {
    pub g0: Option<String>,
    pub g1: Option<String>,
    pub value: Option<f64>,
}

/// The SQL fragments that differ between the backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect(pub Backend);

impl Dialect {
    /// The first day (`YYYY-MM-DD` text) of the bucket holding timestamp `column`.
    /// SQLite stores timestamps as RFC 3339 text in UTC; PostgreSQL as `timestamptz`.
    pub fn bucket(self, bucket: Bucket, column: &str) -> String {
        match (self.0, bucket) {
            (Backend::Sqlite, Bucket::Day) => format!("substr({column}, 1, 10)"),
            (Backend::Sqlite, Bucket::Week) => format!(
                "date(substr({column}, 1, 10), '-' || \
                 ((CAST(strftime('%w', substr({column}, 1, 10)) AS INTEGER) + 6) % 7) || ' days')"
            ),
            (Backend::Sqlite, Bucket::Month) => format!("(substr({column}, 1, 7) || '-01')"),
            (Backend::Postgres, b) => {
                let unit = match b {
                    Bucket::Day => "day",
                    Bucket::Week => "week",
                    Bucket::Month => "month",
                };
                format!("to_char(date_trunc('{unit}', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')")
            }
        }
    }

    /// The text value of `key` in JSON column `column`.
    pub fn json_text(self, column: &str, key: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("CAST(json_extract({column}, '$.{key}') AS TEXT)"),
            Backend::Postgres => format!("({column} ->> '{key}')"),
        }
    }

    /// The numeric value of `key` in JSON column `column`.
    pub fn json_number(self, column: &str, key: &str) -> String {
        match self.0 {
            Backend::Sqlite => {
                format!("CAST(json_extract({column}, '$.{key}') AS DOUBLE PRECISION)")
            }
            Backend::Postgres => format!("CAST({column} ->> '{key}' AS DOUBLE PRECISION)"),
        }
    }

    /// Seconds from timestamp `earlier` to `later`.
    pub fn seconds_between(self, later: &str, earlier: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("((julianday({later}) - julianday({earlier})) * 86400.0)"),
            Backend::Postgres => format!("EXTRACT(EPOCH FROM ({later} - {earlier}))"),
        }
    }
}

/// Which side of the skills market: postings' skills (demand) or resumes' (supply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkillSide {
    Demand,
    Supply,
}

impl SkillSide {
    /// `FROM ... WHERE` of skill rows of documents created in `[$1, $2)`.
    fn rows_in_range(self) -> &'static str {
        match self {
            SkillSide::Demand => {
                "FROM job_skills s JOIN job_postings d ON d.id = s.job_id \
                 WHERE d.created_at >= $1 AND d.created_at < $2"
            }
            SkillSide::Supply => {
                "FROM resume_skills s JOIN resumes d ON d.id = s.resume_id \
                 WHERE d.created_at >= $1 AND d.created_at < $2"
            }
        }
    }

    /// Documents a share is taken of: every posting, or every parsed resume.
    fn denominator(self) -> &'static str {
        match self {
            SkillSide::Demand => {
                "SELECT COUNT(*) FROM job_postings WHERE created_at >= $1 AND created_at < $2"
            }
            SkillSide::Supply => {
                "SELECT COUNT(*) FROM resumes WHERE parse_status = 'parsed' \
                 AND created_at >= $1 AND created_at < $2"
            }
        }
    }
}

/// `$from, $from + 1, ...` placeholders.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    pub fn dialect(&self) -> Dialect {
        Dialect(self.backend())
    }

    /// Writes usage events in one statement. A user deleted meanwhile is stored as null.
    pub async fn insert_usage_events(&self, events: &[NewUsageEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let rows: Vec<String> = (0..events.len())
            .map(|i| {
                let p = i * 6;
                format!(
                    "(${}, (SELECT id FROM users WHERE id = ${}), ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO analytics_events (event_type, user_id, subject_kind, subject_id, \
             properties, occurred_at) VALUES {}",
            rows.join(", ")
        );
        with_pool!(self.db(), pool => {
            let mut query = sqlx::query(&sql);
            for e in events {
                query = query
                    .bind(e.kind)
                    .bind(e.user_id)
                    .bind(e.subject_kind)
                    .bind(e.subject_id)
                    .bind(Json(&e.attrs))
                    .bind(e.at);
            }
            query.execute(pool).await.map(|_| ())
        })?;
        Ok(())
    }

    /// Runs a grouped count whose `$1`/`$2` are the range and `$3...` the texts in
    /// `extra`.
    async fn group_counts(
        &self,
        sql: &str,
        range: &TimeRange,
        extra: &[String],
    ) -> Result<Vec<GroupCount>, StoreError> {
        let rows = with_pool!(self.db(), pool => {
            let mut query = sqlx::query_as::<_, GroupCount>(sql).bind(range.from).bind(range.to);
            for text in extra {
                query = query.bind(text);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// Per bucket (`k1`): resumes stored (`n`) and those whose parse failed (`m`).
    pub async fn resumes_by_bucket(
        &self,
        range: &TimeRange,
    ) -> Result<Vec<GroupCount>, StoreError> {
        let b = self.dialect().bucket(range.bucket, "created_at");
        let sql = format!(
            "SELECT {b} AS k1, CAST(NULL AS TEXT) AS k2, COUNT(*) AS n, \
             SUM(CASE WHEN parse_status = 'failed' THEN 1 ELSE 0 END) AS m \
             FROM resumes WHERE created_at >= $1 AND created_at < $2 GROUP BY 1"
        );
        self.group_counts(&sql, range, &[]).await
    }

    /// Per bucket (`k1`) and `column` value (`k2`): rows of `table` created in the range.
    /// `table`, `time` and `column` are fixed names chosen by the caller.
    async fn per_bucket(
        &self,
        table: &'static str,
        time: &'static str,
        column: &'static str,
        range: &TimeRange,
    ) -> Result<Vec<GroupCount>, StoreError> {
        let b = self.dialect().bucket(range.bucket, time);
        let sql = format!(
            "SELECT {b} AS k1, CAST({column} AS TEXT) AS k2, COUNT(*) AS n, CAST(0 AS BIGINT) AS m \
             FROM {table} WHERE {time} >= $1 AND {time} < $2 GROUP BY 1, 2"
        );
        self.group_counts(&sql, range, &[]).await
    }

    /// Per bucket: postings created (`k2` null).
    pub async fn jobs_by_bucket(&self, range: &TimeRange) -> Result<Vec<GroupCount>, StoreError> {
        self.per_bucket("job_postings", "created_at", "NULL", range)
            .await
    }

    /// Per bucket and event type (`k2`): usage events.
    pub async fn usage_by_bucket(&self, range: &TimeRange) -> Result<Vec<GroupCount>, StoreError> {
        self.per_bucket("analytics_events", "occurred_at", "event_type", range)
            .await
    }

    /// Per bucket and current status (`k2`): applications made in the range.
    pub async fn applications_by_bucket(
        &self,
        range: &TimeRange,
    ) -> Result<Vec<GroupCount>, StoreError> {
        self.per_bucket("applications", "created_at", "status", range)
            .await
    }

    /// Per skill (`k1` URI, `k2` label): documents of `side` created in the range that
    /// name it (`n`), and (demand) postings that require it (`m`); with the number of
    /// documents a share is taken of.
    pub async fn skill_counts(
        &self,
        side: SkillSide,
        range: &TimeRange,
    ) -> Result<(Vec<GroupCount>, i64), StoreError> {
        let rows = side.rows_in_range();
        let sql = format!(
            "SELECT s.skill_uri AS k1, MIN(s.label) AS k2, COUNT(*) AS n, \
             {} AS m {rows} GROUP BY 1",
            match side {
                SkillSide::Demand => "SUM(CASE WHEN s.requirement = 'required' THEN 1 ELSE 0 END)",
                SkillSide::Supply => "CAST(0 AS BIGINT)",
            }
        );
        let rows = self.group_counts(&sql, range, &[]).await?;
        let total = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>(side.denominator())
                .bind(range.from)
                .bind(range.to)
                .fetch_one(pool)
                .await
        })?;
        Ok((rows, total))
    }

    /// Per bucket (`k1`) and skill URI (`k2`, one of `uris`): documents of `side`.
    pub async fn skill_counts_by_bucket(
        &self,
        side: SkillSide,
        range: &TimeRange,
        uris: &[String],
    ) -> Result<Vec<GroupCount>, StoreError> {
        if uris.is_empty() {
            return Ok(Vec::new());
        }
        let b = self.dialect().bucket(range.bucket, "d.created_at");
        let sql = format!(
            "SELECT {b} AS k1, s.skill_uri AS k2, COUNT(*) AS n, CAST(0 AS BIGINT) AS m {} \
             AND s.skill_uri IN ({}) GROUP BY 1, 2",
            side.rows_in_range(),
            placeholders(3, uris.len())
        );
        self.group_counts(&sql, range, uris).await
    }

    /// Per status (`k1`): applications made in the range that ever reached it (`n`).
    pub async fn application_stage_reach(
        &self,
        range: &TimeRange,
    ) -> Result<Vec<GroupCount>, StoreError> {
        let sql = "SELECT h.to_status AS k1, CAST(NULL AS TEXT) AS k2, \
                   COUNT(DISTINCT h.application_id) AS n, CAST(0 AS BIGINT) AS m \
                   FROM application_status_history h \
                   JOIN applications a ON a.id = h.application_id \
                   WHERE a.created_at >= $1 AND a.created_at < $2 GROUP BY 1";
        self.group_counts(sql, range, &[]).await
    }

    /// Per status (`k1`): applications made in the range that are in it now (`n`).
    pub async fn application_current_status(
        &self,
        range: &TimeRange,
    ) -> Result<Vec<GroupCount>, StoreError> {
        let sql = "SELECT status AS k1, CAST(NULL AS TEXT) AS k2, COUNT(*) AS n, \
                   CAST(0 AS BIGINT) AS m FROM applications \
                   WHERE created_at >= $1 AND created_at < $2 GROUP BY 1";
        self.group_counts(sql, range, &[]).await
    }

    /// Per stage: how long applications made in the range stayed in it before moving on,
    /// from consecutive rows of their status history.
    pub async fn application_stage_times(
        &self,
        range: &TimeRange,
    ) -> Result<Vec<StageTime>, StoreError> {
        let secs = self.dialect().seconds_between(
            "h.changed_at",
            "LAG(h.changed_at) OVER (PARTITION BY h.application_id ORDER BY h.changed_at, h.id)",
        );
        let sql = format!(
            "SELECT t.from_status AS stage, COUNT(*) AS n, \
             CAST(AVG(t.secs) AS DOUBLE PRECISION) AS avg_secs, \
             CAST(MIN(t.secs) AS DOUBLE PRECISION) AS min_secs, \
             CAST(MAX(t.secs) AS DOUBLE PRECISION) AS max_secs \
             FROM (SELECT h.from_status, {secs} AS secs \
                   FROM application_status_history h \
                   JOIN applications a ON a.id = h.application_id \
                   WHERE a.created_at >= $1 AND a.created_at < $2) t \
             WHERE t.from_status IS NOT NULL AND t.secs IS NOT NULL \
             GROUP BY t.from_status"
        );
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, StageTime>(&sql)
                .bind(range.from)
                .bind(range.to)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows)
    }

    /// Per format (`k1`) and parse status (`k2`): resumes stored in the range.
    pub async fn resumes_by_format_status(
        &self,
        range: &TimeRange,
    ) -> Result<Vec<GroupCount>, StoreError> {
        let sql = "SELECT format AS k1, parse_status AS k2, COUNT(*) AS n, \
                   CAST(0 AS BIGINT) AS m FROM resumes \
                   WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2";
        self.group_counts(sql, range, &[]).await
    }

    /// Per format (`k1`) and failure code (`k2`): resumes stored in the range whose
    /// parse failed.
    pub async fn parse_failures_by_reason(
        &self,
        range: &TimeRange,
    ) -> Result<Vec<GroupCount>, StoreError> {
        let sql = "SELECT format AS k1, parse_error_code AS k2, COUNT(*) AS n, \
                   CAST(0 AS BIGINT) AS m FROM resumes WHERE parse_status = 'failed' \
                   AND created_at >= $1 AND created_at < $2 GROUP BY 1, 2";
        self.group_counts(sql, range, &[]).await
    }

    /// Runs a query compiled by `analytics::custom` from its whitelists: `sql` holds
    /// only fixed text and placeholders, `params` the values in placeholder order.
    pub async fn run_custom_query(
        &self,
        sql: &str,
        params: &[SqlParam],
    ) -> Result<Vec<CustomRow>, StoreError> {
        let rows = with_pool!(self.db(), pool => {
            let mut query = sqlx::query_as::<_, CustomRow>(sql);
            for p in params {
                query = match p {
                    SqlParam::Text(v) => query.bind(v.clone()),
                    SqlParam::Float(v) => query.bind(*v),
                    SqlParam::Int(v) => query.bind(*v),
                    SqlParam::Time(v) => query.bind(*v),
                };
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows)
    }
}
