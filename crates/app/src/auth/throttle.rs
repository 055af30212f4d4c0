//! Login throttling: after too many failed logins for one account or from one IP within a
//! window, further attempts are refused until the window ends.
//!
//! Every attempt reserves its place before the password is checked: [`LoginThrottle::reserve`]
//! checks the limit and counts the attempt in one atomic statement per account and per IP,
//! so concurrent attempts can never check more passwords than the limit allows. A
//! reservation that is not released stays counted as a failure (also when the request is
//! dropped half-way); a successful login clears the account's count and gives back the IP's
//! place.
//!
//! The counts live in the database (`login_throttle`), so every server process on it
//! shares them, on SQLite and PostgreSQL alike, and a restart keeps them.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use intellicv_store::{Store, StoreError, ThrottleScope};

use super::AuthSettings;

/// Counts older than their window are swept once every this many reservations.
const SWEEP_EVERY: u64 = 256;

pub struct LoginThrottle {
    window: Duration,
    max_per_account: u32,
    max_per_ip: u32,
    reservations: AtomicU64,
}

/// One login attempt's counted place. Dropping it keeps the attempt counted as a failure;
/// [`LoginThrottle::succeeded`] and [`LoginThrottle::release`] give the place back.
#[derive(Debug)]
#[must_use = "a reservation is a counted attempt: settle it or let it count as a failure"]
pub struct Reservation {
    account: String,
    /// The start of the account's window the attempt was counted in (`None`: not counted).
    account_window: Option<i64>,
    ip: Option<(String, i64)>,
}

/// Now, in unix milliseconds.
fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl LoginThrottle {
    pub fn new(settings: &AuthSettings) -> Self {
        Self {
            window: Duration::from_secs(settings.failed_login_window_secs.max(1)),
            max_per_account: settings.max_failed_logins_per_account,
            max_per_ip: settings.max_failed_logins_per_ip,
            reservations: AtomicU64::new(0),
        }
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX / 4)
    }

    /// Counts one attempt for `account` and `ip`, or `Err(retry_after)` when either has
    /// used up its failures (then nothing is counted).
    pub async fn reserve(
        &self,
        store: &Store,
        account: &str,
        ip: Option<IpAddr>,
    ) -> Result<Result<Reservation, Duration>, StoreError> {
        self.reserve_at(store, account, ip, now_ms()).await
    }

    /// The attempt was a wrong guess: it stays counted. (Dropping the reservation does the
    /// same; this names it.)
    pub fn failed(&self, _reservation: Reservation) {}

    /// The attempt failed for a reason that is not a guess (a disabled account, a missing
    /// TOTP code): it does not count.
    pub async fn release(&self, store: &Store, reservation: Reservation) -> Result<(), StoreError> {
        if let Some(started) = reservation.account_window {
            store
                .refund_login_attempt(ThrottleScope::Account, &reservation.account, started)
                .await?;
        }
        if let Some((ip, started)) = reservation.ip {
            store
                .refund_login_attempt(ThrottleScope::Ip, &ip, started)
                .await?;
        }
        Ok(())
    }

    /// A successful login clears the account's count and gives back the IP's place (the
    /// IP's earlier failures stay counted).
    pub async fn succeeded(
        &self,
        store: &Store,
        reservation: Reservation,
    ) -> Result<(), StoreError> {
        store
            .clear_login_attempts(ThrottleScope::Account, &reservation.account)
            .await?;
        if let Some((ip, started)) = reservation.ip {
            store
                .refund_login_attempt(ThrottleScope::Ip, &ip, started)
                .await?;
        }
        Ok(())
    }

    async fn reserve_at(
        &self,
        store: &Store,
        account: &str,
        ip: Option<IpAddr>,
        now: i64,
    ) -> Result<Result<Reservation, Duration>, StoreError> {
        let window = self.window_ms();
        if self
            .reservations
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY)
        {
            store.forget_login_attempts_before(now - window).await?;
        }
        let account_window = match self
            .take(
                store,
                ThrottleScope::Account,
                account,
                self.max_per_account,
                now,
            )
            .await?
        {
            Ok(started) => started,
            Err(wait) => {
                // Report the longer wait when the IP is blocked too.
                let ip_wait = match ip {
                    Some(ip) if self.max_per_ip > 0 => store
                        .login_attempts_blocked(
                            ThrottleScope::Ip,
                            &ip.to_string(),
                            now,
                            window,
                            i64::from(self.max_per_ip),
                        )
                        .await?
                        .map(millis),
                    _ => None,
                };
                return Ok(Err(ip_wait.map_or(wait, |w| w.max(wait))));
            }
        };
        let ip_window = match ip {
            None => None,
            Some(ip) => {
                let key = ip.to_string();
                match self
                    .take(store, ThrottleScope::Ip, &key, self.max_per_ip, now)
                    .await?
                {
                    Ok(started) => started.map(|s| (key, s)),
                    Err(wait) => {
                        if let Some(started) = account_window {
                            store
                                .refund_login_attempt(ThrottleScope::Account, account, started)
                                .await?;
                        }
                        return Ok(Err(wait));
                    }
                }
            }
        };
        Ok(Ok(Reservation {
            account: account.to_owned(),
            account_window,
            ip: ip_window,
        }))
    }

    /// Atomically: `Err(wait)` when `key` has used up `max`, else counts one more attempt
    /// and answers the start of the window it was counted in (`None` when the limit is 0,
    /// which turns counting off).
    async fn take(
        &self,
        store: &Store,
        scope: ThrottleScope,
        key: &str,
        max: u32,
        now: i64,
    ) -> Result<Result<Option<i64>, Duration>, StoreError> {
        if max == 0 {
            return Ok(Ok(None));
        }
        let taken = store
            .take_login_attempt(scope, key, now, self.window_ms(), i64::from(max))
            .await?;
        Ok(taken.map(Some).map_err(millis))
    }
}

fn millis(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use intellicv_store::DatabaseSettings;
    use intellicv_testkit::{Backend, TestDatabase};

    use super::*;

    const MINUTE: i64 = 60_000;

    fn throttle(per_account: u32, per_ip: u32) -> LoginThrottle {
        LoginThrottle::new(&AuthSettings {
            max_failed_logins_per_account: per_account,
            max_failed_logins_per_ip: per_ip,
            failed_login_window_secs: 60,
            ..AuthSettings::default()
        })
    }

    async fn store(backend: Backend) -> Option<(TestDatabase, Store)> {
        let db = TestDatabase::create(backend).await?;
        let store = Store::connect(&db.url, &DatabaseSettings::default())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        Some((db, store))
    }

    /// Each case on both backends.
    macro_rules! both {
        ($($name:ident),* $(,)?) => {
            mod sqlite {
                $(#[tokio::test]
                async fn $name() {
                    super::$name(intellicv_testkit::Backend::Sqlite).await;
                })*
            }
            mod postgres {
                $(#[tokio::test]
                async fn $name() {
                    super::$name(intellicv_testkit::Backend::Postgres).await;
                })*
            }
        };
    }

    /// A failure is an attempt whose reservation is never given back.
    async fn fail(t: &LoginThrottle, s: &Store, account: &str, ip: Option<IpAddr>, now: i64) {
        let _ = t.reserve_at(s, account, ip, now).await.unwrap();
    }

    async fn allowed(
        t: &LoginThrottle,
        s: &Store,
        account: &str,
        ip: Option<IpAddr>,
        now: i64,
    ) -> bool {
        match t.reserve_at(s, account, ip, now).await.unwrap() {
            Ok(r) => {
                t.release(s, r).await.unwrap();
                true
            }
            Err(_) => false,
        }
    }

    async fn an_account_is_blocked_after_its_failures_until_the_window_ends(backend: Backend) {
        let Some((_db, s)) = store(backend).await else {
            return;
        };
        let t = throttle(3, 100);
        let start = 1_000_000;
        for _ in 0..3 {
            assert!(allowed(&t, &s, "ada@example.com", None, start).await);
            fail(&t, &s, "ada@example.com", None, start).await;
        }
        let wait = t
            .reserve_at(&s, "ada@example.com", None, start + 10_000)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(allowed(&t, &s, "bob@example.com", None, start).await);
        assert!(allowed(&t, &s, "ada@example.com", None, start + MINUTE).await);
    }

    async fn an_ip_is_blocked_across_accounts_and_success_resets_only_the_account(
        backend: Backend,
    ) {
        let Some((_db, s)) = store(backend).await else {
            return;
        };
        let t = throttle(100, 3);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = 1_000_000;
        fail(&t, &s, "a@example.com", Some(ip), now).await;
        fail(&t, &s, "b@example.com", Some(ip), now).await;
        let ok = t
            .reserve_at(&s, "c@example.com", Some(ip), now)
            .await
            .unwrap()
            .unwrap();
        assert!(!allowed(&t, &s, "d@example.com", Some(ip), now).await);
        t.succeeded(&s, ok).await.unwrap();
        assert!(allowed(&t, &s, "d@example.com", Some(ip), now).await);
        assert!(allowed(&t, &s, "d@example.com", Some([10, 0, 0, 2].into()), now).await);
        fail(&t, &s, "d@example.com", Some(ip), now).await;
        assert!(!allowed(&t, &s, "c@example.com", Some(ip), now).await);
    }

    async fn a_released_attempt_does_not_count_and_a_refused_one_counts_nothing(backend: Backend) {
        let Some((_db, s)) = store(backend).await else {
            return;
        };
        let t = throttle(2, 3);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = 1_000_000;
        let first = t
            .reserve_at(&s, "a@example.com", Some(ip), now)
            .await
            .unwrap()
            .unwrap();
        t.release(&s, first).await.unwrap();
        fail(&t, &s, "a@example.com", Some(ip), now).await;
        fail(&t, &s, "a@example.com", Some(ip), now).await;
        // The account is used up: refused, and the IP's count does not move.
        let reserve = |account: &'static str| t.reserve_at(&s, account, Some(ip), now);
        assert!(reserve("a@example.com").await.unwrap().is_err());
        assert!(reserve("b@example.com").await.unwrap().is_ok());
        assert!(reserve("c@example.com").await.unwrap().is_err());
    }

    async fn concurrent_attempts_never_pass_the_limit(backend: Backend) {
        let Some((_db, s)) = store(backend).await else {
            return;
        };
        let t = Arc::new(throttle(5, 1000));
        let ip: IpAddr = [10, 0, 0, 1].into();
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let (t, s) = (t.clone(), s.clone());
                tokio::spawn(async move {
                    t.reserve(&s, "ada@example.com", Some(ip))
                        .await
                        .unwrap()
                        .is_ok()
                })
            })
            .collect();
        let mut admitted = 0;
        for task in tasks {
            admitted += usize::from(task.await.unwrap());
        }
        assert_eq!(admitted, 5);
    }

    async fn a_failure_after_the_window_starts_a_new_count(backend: Backend) {
        let Some((_db, s)) = store(backend).await else {
            return;
        };
        let t = throttle(2, 100);
        let start = 1_000_000;
        fail(&t, &s, "a@example.com", None, start).await;
        let later = start + MINUTE + 1_000;
        fail(&t, &s, "a@example.com", None, later).await;
        assert!(allowed(&t, &s, "a@example.com", None, later).await);
        fail(&t, &s, "a@example.com", None, later).await;
        assert!(!allowed(&t, &s, "a@example.com", None, later).await);
    }

    async fn a_limit_of_zero_turns_throttling_off(backend: Backend) {
        let Some((_db, s)) = store(backend).await else {
            return;
        };
        let t = throttle(0, 0);
        let ip = Some([10, 0, 0, 1].into());
        for _ in 0..10 {
            fail(&t, &s, "a@example.com", ip, 1_000_000).await;
        }
        assert!(allowed(&t, &s, "a@example.com", ip, 1_000_000).await);
    }

    /// Two processes on one database (two throttles, as two servers) share the counts.
    async fn two_servers_on_one_database_share_the_counts(backend: Backend) {
        let Some((_db, s)) = store(backend).await else {
            return;
        };
        let (one, two) = (throttle(4, 100), throttle(4, 100));
        for t in [&one, &two, &one, &two] {
            fail(t, &s, "ada@example.com", None, 1_000_000).await;
        }
        assert!(!allowed(&one, &s, "ada@example.com", None, 1_000_000).await);
        assert!(!allowed(&two, &s, "ada@example.com", None, 1_000_000).await);
    }

    both!(
        an_account_is_blocked_after_its_failures_until_the_window_ends,
        an_ip_is_blocked_across_accounts_and_success_resets_only_the_account,
        a_released_attempt_does_not_count_and_a_refused_one_counts_nothing,
        concurrent_attempts_never_pass_the_limit,
        a_failure_after_the_window_starts_a_new_count,
        a_limit_of_zero_turns_throttling_off,
        two_servers_on_one_database_share_the_counts,
    );
}
