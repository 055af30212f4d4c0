//! Career services: stored coaching plans, and what stored postings with a given title
//! ask for (used to ground an occupation's skills in real postings).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use super::{Store, StoreError, with_pool};

/// A stored coaching plan.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CoachingSessionRecord {
    pub id: i64,
    pub user_id: i64,
    pub target_role: String,
    pub occupation_uri: Option<String>,
    pub resume_id: Option<i64>,
    pub plan: Json<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewCoachingSession<'a> {
    pub user_id: i64,
    pub target_role: &'a str,
    pub occupation_uri: Option<&'a str>,
    pub resume_id: Option<i64>,
    pub plan: &'a serde_json::Value,
}

/// How often open postings whose title contains one of some phrases ask for each skill.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TitleSkillCounts {
    /// Open postings whose title matched.
    pub postings: i64,
    /// `(uri, label, postings asking for it)`, most asked first.
    pub skills: Vec<(String, String, i64)>,
}

const COLUMNS: &str = "id, user_id, target_role, occupation_uri, resume_id, plan, created_at";

/// `%phrase%` for `LIKE`, with the pattern characters of the phrase escaped (`\`).
fn like_pattern(phrase: &str) -> String {
    let mut out = String::from("%");
    for c in phrase.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    pub async fn insert_coaching_session(
        &self,
        new: &NewCoachingSession<'_>,
    ) -> Result<CoachingSessionRecord, StoreError> {
        let sql = format!(
            "INSERT INTO coaching_sessions (user_id, target_role, occupation_uri, resume_id, \
             plan, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
        );
        let row = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, CoachingSessionRecord>(&sql)
                .bind(new.user_id)
                .bind(new.target_role)
                .bind(new.occupation_uri)
                .bind(new.resume_id)
                .bind(Json(new.plan))
                .bind(Utc::now())
                .fetch_one(pool)
                .await
        })?;
        Ok(row)
    }

    pub async fn get_coaching_session(&self, id: i64) -> Result<CoachingSessionRecord, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM coaching_sessions WHERE id = $1");
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, CoachingSessionRecord>(&sql).bind(id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound {
            entity: "coaching session",
        })
    }

    /// A user's plans, newest first, and how many there are.
    pub async fn list_coaching_sessions(
        &self,
        user_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<CoachingSessionRecord>, i64), StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM coaching_sessions WHERE user_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        );
        let count = "SELECT count(*) FROM coaching_sessions WHERE user_id = $1";
        let (rows, total) = with_pool!(self.db(), pool => {
            let rows = sqlx::query_as::<_, CoachingSessionRecord>(&sql)
                .bind(user_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(count).bind(user_id).fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        Ok((rows, total))
    }

    /// The skills open postings ask for whose title contains any of `phrases`
    /// (case-insensitive; at most 8 phrases are used).
    pub async fn title_skill_counts(
        &self,
        phrases: &[String],
    ) -> Result<TitleSkillCounts, StoreError> {
        let patterns: Vec<String> = phrases
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .take(8)
            .map(like_pattern)
            .collect();
        if patterns.is_empty() {
            return Ok(TitleSkillCounts::default());
        }
        let condition = (1..=patterns.len())
            .map(|i| format!("lower(j.title) LIKE ${i} ESCAPE '\\'"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let postings_sql = format!(
            "SELECT count(*) FROM job_postings j WHERE j.status = 'open' AND ({condition})"
        );
        let skills_sql = format!(
            "SELECT s.skill_uri, min(s.label), count(*) FROM job_skills s \
             JOIN job_postings j ON j.id = s.job_id \
             WHERE j.status = 'open' AND ({condition}) \
             GROUP BY s.skill_uri ORDER BY count(*) DESC, s.skill_uri"
        );
        let (postings, skills) = with_pool!(self.db(), pool => {
            let mut q = sqlx::query_scalar::<_, i64>(&postings_sql);
            for p in &patterns {
                q = q.bind(p);
            }
            let postings = q.fetch_one(pool).await?;
            let mut q = sqlx::query_as::<_, (String, String, i64)>(&skills_sql);
            for p in &patterns {
                q = q.bind(p);
            }
            let skills = q.fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((postings, skills))
        })?;
        Ok(TitleSkillCounts { postings, skills })
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_escape_wildcards_and_fold_case() {
        assert_eq!(like_pattern("Data_Analyst 100%"), "%data\\_analyst 100\\%%");
    }
}
