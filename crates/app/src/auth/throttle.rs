//! Login throttling: after too many failed logins for one account or from one IP within a
//! window, further attempts are refused until the window ends.
//!
//! Every attempt reserves its place before the password is checked: [`LoginThrottle::reserve`]
//! checks the limit and counts the attempt in one atomic step per account and per IP, so
//! concurrent attempts can never check more passwords than the limit allows. A reservation
//! that is not released stays counted as a failure (also when the request is dropped
//! half-way); a successful login clears the account's count and gives back the IP's place.
//!
//! The counts live in memory (moka caches, updated with `and_compute_with`, which runs one
//! update per key at a time), so they are per process: several replicas behind a load
//! balancer each count on their own, and a restart forgets them.

use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use moka::ops::compute::Op;
use moka::sync::Cache;

use super::AuthSettings;

/// Most accounts and IPs tracked at once; the least recently used are forgotten first.
const MAX_TRACKED: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    started: Instant,
    failures: u32,
}

pub struct LoginThrottle {
    window: Duration,
    max_per_account: u32,
    max_per_ip: u32,
    accounts: Cache<String, Window>,
    ips: Cache<IpAddr, Window>,
}

/// One login attempt's counted place. Dropping it keeps the attempt counted as a failure;
/// [`LoginThrottle::succeeded`] and [`LoginThrottle::release`] give the place back.
#[derive(Debug)]
#[must_use = "a reservation is a counted attempt: settle it or let it count as a failure"]
pub struct Reservation {
    account: String,
    account_window: Option<Instant>,
    ip: Option<(IpAddr, Instant)>,
}

impl LoginThrottle {
    pub fn new(settings: &AuthSettings) -> Self {
        let window = Duration::from_secs(settings.failed_login_window_secs.max(1));
        Self {
            window,
            max_per_account: settings.max_failed_logins_per_account,
            max_per_ip: settings.max_failed_logins_per_ip,
            accounts: window_cache(window),
            ips: window_cache(window),
        }
    }

    /// Counts one attempt for `account` and `ip`, or `Err(retry_after)` when either has
    /// used up its failures (then nothing is counted).
    pub fn reserve(&self, account: &str, ip: Option<IpAddr>) -> Result<Reservation, Duration> {
        self.reserve_at(account, ip, Instant::now())
    }

    /// The attempt was a wrong guess: it stays counted. (Dropping the reservation does the
    /// same; this names it.)
    pub fn failed(&self, _reservation: Reservation) {}

    /// The attempt failed for a reason that is not a guess (a disabled account, a missing
    /// TOTP code): it does not count.
    pub fn release(&self, reservation: Reservation) {
        if let Some(started) = reservation.account_window {
            refund(&self.accounts, reservation.account, started);
        }
        if let Some((ip, started)) = reservation.ip {
            refund(&self.ips, ip, started);
        }
    }

    /// A successful login clears the account's count and gives back the IP's place (the
    /// IP's earlier failures stay counted).
    pub fn succeeded(&self, reservation: Reservation) {
        self.accounts.invalidate(&reservation.account);
        if let Some((ip, started)) = reservation.ip {
            refund(&self.ips, ip, started);
        }
    }

    fn reserve_at(
        &self,
        account: &str,
        ip: Option<IpAddr>,
        now: Instant,
    ) -> Result<Reservation, Duration> {
        let account_window = match self.take(
            &self.accounts,
            account.to_owned(),
            self.max_per_account,
            now,
        ) {
            Ok(started) => started,
            Err(wait) => {
                // Report the longer wait when the IP is blocked too.
                let ip_wait = ip.and_then(|ip| self.blocked(&self.ips, &ip, self.max_per_ip, now));
                return Err(ip_wait.map_or(wait, |w| w.max(wait)));
            }
        };
        let ip_window = match ip {
            None => None,
            Some(ip) => match self.take(&self.ips, ip, self.max_per_ip, now) {
                Ok(started) => started.map(|s| (ip, s)),
                Err(wait) => {
                    if let Some(started) = account_window {
                        refund(&self.accounts, account.to_owned(), started);
                    }
                    return Err(wait);
                }
            },
        };
        Ok(Reservation {
            account: account.to_owned(),
            account_window,
            ip: ip_window,
        })
    }

    /// How long until `key` may try again, when it is blocked. A limit of 0 never blocks.
    fn blocked<K, Q>(
        &self,
        cache: &Cache<K, Window>,
        key: &Q,
        max: u32,
        now: Instant,
    ) -> Option<Duration>
    where
        K: Hash + Eq + Send + Sync + 'static + std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let window = cache.get(key)?;
        let elapsed = now.saturating_duration_since(window.started);
        (max > 0 && window.failures >= max && elapsed < self.window).then(|| self.window - elapsed)
    }

    /// Atomically: `Err(wait)` when `key` has used up `max`, else counts one more attempt
    /// and answers the start of the window it was counted in (`None` when the limit is 0,
    /// which turns counting off).
    fn take<K>(
        &self,
        cache: &Cache<K, Window>,
        key: K,
        max: u32,
        now: Instant,
    ) -> Result<Option<Instant>, Duration>
    where
        K: Hash + Eq + Send + Sync + Clone + 'static,
    {
        if max == 0 {
            return Ok(None);
        }
        let length = self.window;
        let mut outcome = Err(Duration::ZERO);
        cache.entry(key).and_compute_with(|entry| {
            let current = entry
                .map(|e| e.into_value())
                .filter(|w| now.saturating_duration_since(w.started) < length);
            match current {
                Some(w) if w.failures >= max => {
                    outcome = Err(length - now.saturating_duration_since(w.started));
                    Op::Nop
                }
                Some(w) => {
                    outcome = Ok(Some(w.started));
                    Op::Put(Window {
                        started: w.started,
                        failures: w.failures + 1,
                    })
                }
                None => {
                    outcome = Ok(Some(now));
                    Op::Put(Window {
                        started: now,
                        failures: 1,
                    })
                }
            }
        });
        outcome
    }

    #[cfg(test)]
    fn record_failure_at(&self, account: &str, ip: Option<IpAddr>, now: Instant) {
        // A failure is an attempt whose reservation is never given back.
        let _ = self.reserve_at(account, ip, now);
    }

    #[cfg(test)]
    fn check_at(&self, account: &str, ip: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let by_account = self.blocked(&self.accounts, account, self.max_per_account, now);
        let by_ip = ip.and_then(|ip| self.blocked(&self.ips, &ip, self.max_per_ip, now));
        match by_account.into_iter().chain(by_ip).max() {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }
}

/// Gives back one counted attempt of `key`, when it is still in the window it was counted in.
fn refund<K>(cache: &Cache<K, Window>, key: K, started: Instant)
where
    K: Hash + Eq + Send + Sync + Clone + 'static,
{
    cache
        .entry(key)
        .and_compute_with(|entry| match entry.map(|e| e.into_value()) {
            Some(w) if w.started == started && w.failures > 1 => Op::Put(Window {
                started,
                failures: w.failures - 1,
            }),
            Some(w) if w.started == started => Op::Remove,
            _ => Op::Nop,
        });
}

fn window_cache<K>(window: Duration) -> Cache<K, Window>
where
    K: Hash + Eq + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(MAX_TRACKED)
        .time_to_live(window)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(per_account: u32, per_ip: u32) -> LoginThrottle {
        LoginThrottle::new(&AuthSettings {
            max_failed_logins_per_account: per_account,
            max_failed_logins_per_ip: per_ip,
            failed_login_window_secs: 60,
            ..AuthSettings::default()
        })
    }

    #[test]
    fn an_account_is_blocked_after_its_failures_until_the_window_ends() {
        let t = throttle(3, 100);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(t.check_at("ada@example.com", None, start).is_ok());
            t.record_failure_at("ada@example.com", None, start);
        }
        let wait = t
            .check_at("ada@example.com", None, start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(t.check_at("bob@example.com", None, start).is_ok());
        assert!(
            t.check_at("ada@example.com", None, start + Duration::from_secs(60))
                .is_ok()
        );
    }

    #[test]
    fn an_ip_is_blocked_across_accounts_and_success_resets_only_the_account() {
        let t = throttle(100, 3);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = Instant::now();
        t.record_failure_at("a@example.com", Some(ip), now);
        t.record_failure_at("b@example.com", Some(ip), now);
        let ok = t.reserve_at("c@example.com", Some(ip), now).unwrap();
        assert!(t.check_at("d@example.com", Some(ip), now).is_err());
        t.succeeded(ok);
        assert!(t.check_at("d@example.com", Some(ip), now).is_ok());
        assert!(
            t.check_at("d@example.com", Some([10, 0, 0, 2].into()), now)
                .is_ok()
        );
        t.record_failure_at("d@example.com", Some(ip), now);
        assert!(t.check_at("c@example.com", Some(ip), now).is_err());
    }

    #[test]
    fn a_released_attempt_does_not_count_and_a_refused_one_counts_nothing() {
        let t = throttle(2, 3);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = Instant::now();
        let first = t.reserve_at("a@example.com", Some(ip), now).unwrap();
        t.release(first);
        t.record_failure_at("a@example.com", Some(ip), now);
        t.record_failure_at("a@example.com", Some(ip), now);
        // The account is used up: refused, and the IP's count does not move.
        assert!(t.reserve_at("a@example.com", Some(ip), now).is_err());
        assert!(t.reserve_at("b@example.com", Some(ip), now).is_ok());
        assert!(t.reserve_at("c@example.com", Some(ip), now).is_err());
    }

    #[test]
    fn concurrent_attempts_never_pass_the_limit() {
        let t = std::sync::Arc::new(throttle(5, 1000));
        let ip: IpAddr = [10, 0, 0, 1].into();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(40));
        let handles: Vec<_> = (0..40)
            .map(|_| {
                let (t, barrier) = (t.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    t.reserve("ada@example.com", Some(ip)).is_ok()
                })
            })
            .collect();
        let admitted = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count();
        assert_eq!(admitted, 5);
    }

    #[test]
    fn a_failure_after_the_window_starts_a_new_count() {
        let t = throttle(2, 100);
        let start = Instant::now();
        t.record_failure_at("a@example.com", None, start);
        let later = start + Duration::from_secs(61);
        t.record_failure_at("a@example.com", None, later);
        assert!(t.check_at("a@example.com", None, later).is_ok());
        t.record_failure_at("a@example.com", None, later);
        assert!(t.check_at("a@example.com", None, later).is_err());
    }

    #[test]
    fn a_limit_of_zero_turns_throttling_off() {
        let t = throttle(0, 0);
        let now = Instant::now();
        for _ in 0..10 {
            t.record_failure_at("a@example.com", Some([10, 0, 0, 1].into()), now);
        }
        assert!(
            t.check_at("a@example.com", Some([10, 0, 0, 1].into()), now)
                .is_ok()
        );
    }
}
