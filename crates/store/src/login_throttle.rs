//! Failed-login counts (`login_throttle`), shared by every process on the database. Each
//! change is one statement, so counting an attempt and checking the limit cannot race, on
//! either backend.

use super::{Store, StoreError, with_pool};

/// What a throttle counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleScope {
    Account,
    Ip,
}

impl ThrottleScope {
    fn as_str(self) -> &'static str {
        match self {
            ThrottleScope::Account => "account",
            ThrottleScope::Ip => "ip",
        }
    }
}

impl Store {
    /// Counts one attempt of `key` at `now_ms` unless it has used up `max` in the window of
    /// `window_ms` it is in: `Ok(window_start)` of the window it was counted in, or
    /// `Err(wait_ms)` until that window ends (and then nothing is counted). A key whose
    /// window has ended starts a new one.
    pub async fn take_login_attempt(
        &self,
        scope: ThrottleScope,
        key: &str,
        now_ms: i64,
        window_ms: i64,
        max: i64,
    ) -> Result<Result<i64, i64>, StoreError> {
        let expired = now_ms - window_ms;
        let take = "INSERT INTO login_throttle (scope, key, window_start, failures) \
            VALUES ($1, $2, $3, 1) ON CONFLICT (scope, key) DO UPDATE SET \
            window_start = CASE WHEN login_throttle.window_start <= $4 THEN $3 \
                ELSE login_throttle.window_start END, \
            failures = CASE WHEN login_throttle.window_start <= $4 THEN 1 \
                ELSE login_throttle.failures + 1 END \
            WHERE login_throttle.window_start <= $4 OR login_throttle.failures < $5 \
            RETURNING window_start";
        let started: Option<i64> = with_pool!(self.db(), pool => {
            sqlx::query_scalar(take)
                .bind(scope.as_str())
                .bind(key)
                .bind(now_ms)
                .bind(expired)
                .bind(max)
                .fetch_optional(pool)
                .await
        })?;
        if let Some(started) = started {
            return Ok(Ok(started));
        }
        let started = self.login_window_start(scope, key).await?.unwrap_or(now_ms);
        Ok(Err((started + window_ms - now_ms).max(1)))
    }

    /// How long until `key` may try again (milliseconds), when it has used up `max` in its
    /// current window.
    pub async fn login_attempts_blocked(
        &self,
        scope: ThrottleScope,
        key: &str,
        now_ms: i64,
        window_ms: i64,
        max: i64,
    ) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT window_start, failures FROM login_throttle WHERE scope = $1 AND key = $2";
        let row: Option<(i64, i64)> = with_pool!(self.db(), pool => {
            sqlx::query_as(sql)
                .bind(scope.as_str())
                .bind(key)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.and_then(|(started, failures)| {
            let left = started + window_ms - now_ms;
            (failures >= max && left > 0).then_some(left)
        }))
    }

    async fn login_window_start(
        &self,
        scope: ThrottleScope,
        key: &str,
    ) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT window_start FROM login_throttle WHERE scope = $1 AND key = $2";
        let started = with_pool!(self.db(), pool => {
            sqlx::query_scalar(sql)
                .bind(scope.as_str())
                .bind(key)
                .fetch_optional(pool)
                .await
        })?;
        Ok(started)
    }

    /// Gives back one attempt of `key`, when it is still in the window it was counted in.
    pub async fn refund_login_attempt(
        &self,
        scope: ThrottleScope,
        key: &str,
        window_start: i64,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE login_throttle SET failures = failures - 1 \
                   WHERE scope = $1 AND key = $2 AND window_start = $3 AND failures > 0";
        with_pool!(self.db(), pool => {
            sqlx::query(sql)
                .bind(scope.as_str())
                .bind(key)
                .bind(window_start)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Forgets `key`'s attempts (a successful login clears its account's count).
    pub async fn clear_login_attempts(
        &self,
        scope: ThrottleScope,
        key: &str,
    ) -> Result<(), StoreError> {
        let sql = "DELETE FROM login_throttle WHERE scope = $1 AND key = $2";
        with_pool!(self.db(), pool => {
            sqlx::query(sql)
                .bind(scope.as_str())
                .bind(key)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Removes the counts whose window started before `before_ms` (they count for nothing).
    pub async fn forget_login_attempts_before(&self, before_ms: i64) -> Result<u64, StoreError> {
        let sql = "DELETE FROM login_throttle WHERE window_start < $1";
        let done = with_pool!(self.db(), pool => {
            sqlx::query(sql)
                .bind(before_ms)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(done)
    }
}
