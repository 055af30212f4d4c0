//! Organisations: which one a recruiter belongs to, and which candidates with a private
//! profile an organisation may see (those who applied to one of its postings).

use chrono::Utc;

use super::{Store, StoreError, with_pool};

/// SQL: whether candidate `p.user_id` applied to a posting of the organisation bound as
/// `param` (`NULL` matches no organisation), which lets its recruiters see them even with
/// a private profile.
pub(super) fn applied_to_organisation(param: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM applications a JOIN job_postings j ON j.id = a.job_id \
         WHERE a.user_id = p.user_id AND j.organisation_id = {param})"
    )
}

/// SQL: whether the recruiters of the organisation bound as `param` may not see the
/// candidate `owner` (a column): their profile is private and they never applied to it.
pub(super) fn hidden_candidate(owner: &str, param: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM profiles p WHERE p.user_id = {owner} \
         AND p.visibility = 'private' AND NOT {})",
        applied_to_organisation(param)
    )
}

/// Which candidates a listing or search shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CandidateReach {
    /// Everyone (admins; a candidate's own resumes).
    #[default]
    Everyone,
    /// What the recruiters of this organisation see (`None`: a recruiter without one):
    /// candidates whose profile is not private, and those with a private profile who
    /// applied to a posting of it.
    Organisation(Option<i64>),
}

impl Store {
    /// The organisation of a user; `None` for a user without one (or no such user).
    pub async fn user_organisation(&self, user_id: i64) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT organisation_id FROM users WHERE id = $1";
        let org = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, Option<i64>>(sql).bind(user_id).fetch_optional(pool).await
        })?;
        Ok(org.flatten())
    }

    /// The organisation of the user who created an API key (a key acts for it).
    pub async fn api_key_organisation(&self, key_id: i64) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT u.organisation_id FROM api_keys k JOIN users u ON u.id = k.created_by \
                   WHERE k.id = $1";
        let org = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, Option<i64>>(sql).bind(key_id).fetch_optional(pool).await
        })?;
        Ok(org.flatten())
    }

    pub async fn organisation_exists(&self, id: i64) -> Result<bool, StoreError> {
        let sql = "SELECT count(*) FROM organisations WHERE id = $1";
        let n = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(pool).await
        })?;
        Ok(n > 0)
    }

    /// Puts a user into an organisation (an existing one: see [`Self::organisation_exists`]).
    pub async fn set_user_organisation(
        &self,
        user_id: i64,
        organisation_id: i64,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE users SET organisation_id = $2, updated_at = $3 WHERE id = $1";
        let n = with_pool!(self.db(), pool => {
            sqlx::query(sql)
                .bind(user_id)
                .bind(organisation_id)
                .bind(Utc::now())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(StoreError::NotFound { entity: "user" });
        }
        Ok(())
    }

    /// Gives a recruiter without an organisation a personal one (named after them); does
    /// nothing for other users and for recruiters who have one.
    pub async fn give_personal_organisation(&self, user_id: i64) -> Result<(), StoreError> {
        let insert = "INSERT INTO organisations (name, kind, personal_of, created_at) \
            SELECT COALESCE(display_name, email), 'personal', id, $2 FROM users \
            WHERE id = $1 AND role = 'recruiter' AND organisation_id IS NULL RETURNING id";
        let update =
            "UPDATE users SET organisation_id = $2 WHERE id = $1 AND organisation_id IS NULL";
        with_pool!(self.db(), pool => async {
            let mut tx = pool.begin().await?;
            let org: Option<i64> = sqlx::query_scalar(insert)
                .bind(user_id)
                .bind(Utc::now())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(org) = org {
                sqlx::query(update).bind(user_id).bind(org).execute(&mut *tx).await?;
                tracing::info!(user.id = user_id, organisation.id = org, "personal organisation created");
            }
            tx.commit().await
        }.await)?;
        Ok(())
    }

    /// Whether the recruiters of `organisation` may see candidate `user_id`: yes unless the
    /// candidate's profile is private and they never applied to a posting of it (`None`:
    /// no organisation, which sees no private profile).
    pub async fn candidate_visible_to(
        &self,
        user_id: i64,
        organisation: Option<i64>,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM users WHERE id = $1 AND {}",
            hidden_candidate("$1", "$2")
        );
        let hidden = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(user_id)
                .bind(organisation)
                .fetch_one(pool)
                .await
        })?;
        Ok(hidden == 0)
    }

    /// The resumes the recruiters of `organisation` may not see: those of candidates with
    /// a private profile who never applied to a posting of it.
    pub async fn resumes_hidden_from(
        &self,
        organisation: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "SELECT r.id FROM resumes r WHERE {} ORDER BY r.id",
            hidden_candidate("r.owner_id", "$1")
        );
        let ids = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(organisation)
                .fetch_all(pool)
                .await
        })?;
        Ok(ids)
    }
}
