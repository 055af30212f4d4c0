//! What the real-time notifications read: a user's match alert threshold and their
//! latest parsed resumes.

use super::{Store, StoreError, with_pool};

impl Store {
    /// The user's own match alert threshold (0-100), when their preferences set one.
    pub async fn match_alert_threshold(&self, user_id: i64) -> Result<Option<f64>, StoreError> {
        let sql = "SELECT match_alert_threshold FROM user_preferences WHERE user_id = $1";
        let found = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, Option<f64>>(sql)
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(found.flatten())
    }

    /// Ids of the user's parsed resumes, newest first, at most `limit`.
    pub async fn latest_parsed_resumes(
        &self,
        user_id: i64,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT id FROM resumes WHERE owner_id = $1 AND parse_status = 'parsed' \
                   ORDER BY created_at DESC, id DESC LIMIT $2";
        let ids = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(user_id)
                .bind(limit.max(0))
                .fetch_all(pool)
                .await
        })?;
        Ok(ids)
    }
}
