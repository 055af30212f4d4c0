//! Login throttling: after too many failed logins for one account or from one IP within a
//! window, further attempts are refused until the window ends.
//!
//! The counts live in memory (moka caches), so they are per process: several replicas
//! behind a load balancer each count on their own, and a restart forgets them.

use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use moka::ops::compute::Op;
use moka::sync::Cache;

use crate::config::AuthSettings;

/// Most accounts and IPs tracked at once; the least recently used are forgotten first.
const MAX_TRACKED: u64 = 100_000;

#[derive(Debug, Clone, Copy)]
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

    /// `Err(retry_after)` when the account or the IP has used up its failures.
    pub fn check(&self, account: &str, ip: Option<IpAddr>) -> Result<(), Duration> {
        self.check_at(account, ip, Instant::now())
    }

    pub fn record_failure(&self, account: &str, ip: Option<IpAddr>) {
        self.record_failure_at(account, ip, Instant::now());
    }

    /// A successful login clears the account's count (not the IP's).
    pub fn reset_account(&self, account: &str) {
        self.accounts.invalidate(account);
    }

    fn check_at(&self, account: &str, ip: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let by_account = self.blocked(&self.accounts, account, self.max_per_account, now);
        let by_ip = ip.and_then(|ip| self.blocked(&self.ips, &ip, self.max_per_ip, now));
        match by_account.into_iter().chain(by_ip).max() {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    fn record_failure_at(&self, account: &str, ip: Option<IpAddr>, now: Instant) {
        self.count(&self.accounts, account.to_owned(), now);
        if let Some(ip) = ip {
            self.count(&self.ips, ip, now);
        }
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

    fn count<K>(&self, cache: &Cache<K, Window>, key: K, now: Instant)
    where
        K: Hash + Eq + Send + Sync + Clone + 'static,
    {
        let length = self.window;
        cache.entry(key).and_compute_with(|entry| {
            let next = match entry.map(|e| e.into_value()) {
                Some(w) if now.saturating_duration_since(w.started) < length => Window {
                    started: w.started,
                    failures: w.failures.saturating_add(1),
                },
                _ => Window {
                    started: now,
                    failures: 1,
                },
            };
            Op::Put(next)
        });
    }
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
        let t = throttle(100, 2);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = Instant::now();
        t.record_failure_at("a@example.com", Some(ip), now);
        t.record_failure_at("b@example.com", Some(ip), now);
        assert!(t.check_at("c@example.com", Some(ip), now).is_err());
        assert!(
            t.check_at("c@example.com", Some([10, 0, 0, 2].into()), now)
                .is_ok()
        );
        t.reset_account("c@example.com");
        assert!(t.check_at("c@example.com", Some(ip), now).is_err());
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
