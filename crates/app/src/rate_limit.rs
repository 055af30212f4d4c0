//! Request rate limiting: per user (or API key) for authenticated requests, per client IP
//! for the others, and a stricter per-IP limit on `/api/v1/auth/*`. The HTTP middleware
//! (`api::rate_limit`) answers 429 with `Retry-After` over a limit.
//!
//! Each limit is a GCRA (generic cell rate algorithm, the continuous token bucket): a
//! quota of `per_minute` requests refilled evenly, of which up to `burst` may come at
//! once. The state is one instant per key in memory, so limits are per process: several
//! replicas each count on their own, and a restart forgets the counts.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use moka::ops::compute::Op;
use moka::sync::Cache;
use serde::{Deserialize, Serialize};

use crate::auth::{AuthUser, Subject};

/// Most keys tracked at once per limit; the least recently used are forgotten first.
const MAX_TRACKED: u64 = 100_000;

/// Routes under this prefix also count against the stricter auth limit.
const AUTH_PREFIX: &str = "/api/v1/auth/";

/// Routes under these prefixes (the model- and matcher-heavy AI and career endpoints) also
/// count against the `ai` limit.
const AI_PREFIXES: [&str; 2] = ["/api/v1/admin/ai/", "/api/v1/career/"];

/// Who a limit counts a request against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Caller {
    Ip(IpAddr),
    User(i64),
    Service(i64),
}

/// One keyed GCRA limiter: for each key, the theoretical arrival time of its next request.
struct Limiter {
    /// Time between two requests at the sustained rate.
    interval: Duration,
    /// How far ahead of now the arrival time may run: `interval * (burst - 1)`.
    tolerance: Duration,
    next_arrival: Cache<Caller, Instant>,
}

impl Limiter {
    /// `None` for a quota of 0 per minute (no limit).
    fn new(quota: Quota) -> Option<Self> {
        if quota.per_minute == 0 {
            return None;
        }
        let interval = Duration::from_secs(60) / quota.per_minute;
        let tolerance = interval * quota.burst.max(1).saturating_sub(1);
        Some(Self {
            interval,
            tolerance,
            next_arrival: Cache::builder()
                .max_capacity(MAX_TRACKED)
                // A key idle this long is back to a full burst: forgetting it changes nothing.
                .time_to_idle(interval + tolerance)
                .build(),
        })
    }

    /// Counts one request of `key` at `now`; `Err(wait)` when it is over the limit (and
    /// then it is not counted).
    fn check(&self, key: Caller, now: Instant) -> Result<(), Duration> {
        let (interval, tolerance) = (self.interval, self.tolerance);
        let mut verdict = Ok(());
        self.next_arrival.entry(key).and_compute_with(|entry| {
            let arrival = entry.map_or(now, |e| e.into_value().max(now));
            let ahead = arrival - now;
            if ahead > tolerance {
                verdict = Err(ahead - tolerance);
                Op::Nop
            } else {
                Op::Put(arrival + interval)
            }
        });
        verdict
    }
}

/// The limits of one process.
pub struct RateLimits {
    enabled: bool,
    trusted_proxies: Vec<IpAddr>,
    per_ip: Option<Limiter>,
    per_user: Option<Limiter>,
    auth_per_ip: Option<Limiter>,
    ai: Option<Limiter>,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            enabled: settings.enabled,
            trusted_proxies: settings.trusted_proxies.clone(),
            per_ip: Limiter::new(settings.per_ip),
            per_user: Limiter::new(settings.per_user),
            auth_per_ip: Limiter::new(settings.auth_per_ip),
            ai: Limiter::new(settings.ai),
        }
    }

    /// `false` when every limit is off.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The peers whose `X-Forwarded-For` header is believed.
    pub fn trusted_proxies(&self) -> &[IpAddr] {
        &self.trusted_proxies
    }

    /// Counts a request to `path` from `ip` by `caller` (when its credentials are valid);
    /// over a limit, the limit's scope (`ip`, `user`, `auth`, `ai`) and the wait.
    pub fn check(
        &self,
        path: &str,
        ip: Option<IpAddr>,
        caller: Option<&AuthUser>,
        now: Instant,
    ) -> Result<(), (&'static str, Duration)> {
        if path.starts_with(AUTH_PREFIX)
            && let (Some(limiter), Some(ip)) = (&self.auth_per_ip, ip)
        {
            limiter
                .check(Caller::Ip(ip), now)
                .map_err(|w| ("auth", w))?;
        }
        let (scope, limiter, key) = match caller.map(|c| &c.subject) {
            Some(Subject::User { id, .. }) => ("user", &self.per_user, Caller::User(*id)),
            Some(Subject::ApiKey { id }) => ("user", &self.per_user, Caller::Service(*id)),
            None => match ip {
                Some(ip) => ("ip", &self.per_ip, Caller::Ip(ip)),
                None => return Ok(()),
            },
        };
        if let Some(limiter) = limiter {
            limiter.check(key.clone(), now).map_err(|w| (scope, w))?;
        }
        match &self.ai {
            Some(limiter) if AI_PREFIXES.iter().any(|p| path.starts_with(p)) => {
                limiter.check(key, now).map_err(|w| ("ai", w))
            }
            _ => Ok(()),
        }
    }
}

/// The client's address: the connection's peer, or, when the peer is a trusted proxy,
/// the nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    // Walk back from the nearest hop; an entry that does not parse ends the walk.
    for hop in hops.into_iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return Some(ip),
            Err(_) => break,
        }
    }
    Some(peer)
}

/// Request rate limits (see [`RateLimits`]). Counted in memory, per process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// `false` turns every limit off.
    pub enabled: bool,
    /// Requests without valid credentials, per client IP.
    pub per_ip: Quota,
    /// Requests with valid credentials, per user (or API key), from any IP.
    pub per_user: Quota,
    /// Requests to `/api/v1/auth/*`, per client IP, on top of the limits above.
    pub auth_per_ip: Quota,
    /// Requests to the AI and career endpoints (`/api/v1/admin/ai/*`, `/api/v1/career/*`),
    /// which run the embedding model, the matcher or a text generator, per user (or API
    /// key, or client IP without credentials), on top of the limits above.
    pub ai: Quota,
    /// Peers (reverse proxies, load balancers) whose `X-Forwarded-For` header is believed.
    /// From any other peer the header is ignored and the connection's address is the
    /// client's.
    pub trusted_proxies: Vec<IpAddr>,
}

/// `per_minute` requests a minute, refilled evenly, of which up to `burst` may come at
/// once. A `per_minute` of 0 means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quota {
    pub per_minute: u32,
    pub burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_ip: Quota {
                per_minute: 300,
                burst: 100,
            },
            per_user: Quota {
                per_minute: 600,
                burst: 120,
            },
            auth_per_ip: Quota {
                per_minute: 30,
                burst: 20,
            },
            ai: Quota {
                per_minute: 60,
                burst: 20,
            },
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for Quota {
    fn default() -> Self {
        Self {
            per_minute: 0,
            burst: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn limiter(per_minute: u32, burst: u32) -> Limiter {
        Limiter::new(Quota { per_minute, burst }).unwrap()
    }

    #[test]
    fn a_burst_passes_then_requests_wait_one_interval_each() {
        let l = limiter(60, 3);
        let key = || Caller::Ip([10, 0, 0, 1].into());
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check(key(), t).is_ok());
        }
        assert_eq!(l.check(key(), t), Err(Duration::from_secs(1)));
        assert_eq!(
            l.check(key(), t + Duration::from_millis(400)),
            Err(Duration::from_millis(600))
        );
        assert!(l.check(key(), t + Duration::from_secs(1)).is_ok());
        assert!(l.check(key(), t + Duration::from_secs(1)).is_err());
        assert!(l.check(Caller::Ip([10, 0, 0, 2].into()), t).is_ok());
    }

    #[test]
    fn rejected_requests_do_not_count() {
        let l = limiter(60, 1);
        let t = Instant::now();
        assert!(l.check(Caller::User(1), t).is_ok());
        for _ in 0..10 {
            assert!(l.check(Caller::User(1), t).is_err());
        }
        assert!(l.check(Caller::User(1), t + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn a_quota_of_zero_per_minute_is_no_limit() {
        assert!(
            Limiter::new(Quota {
                per_minute: 0,
                burst: 5
            })
            .is_none()
        );
    }

    #[test]
    fn ai_routes_also_count_against_the_ai_limit() {
        let limits = RateLimits::new(&RateLimitSettings {
            ai: Quota {
                per_minute: 60,
                burst: 2,
            },
            ..RateLimitSettings::default()
        });
        let (ip, t) = (Some([10, 0, 0, 1].into()), Instant::now());
        for _ in 0..2 {
            assert!(
                limits
                    .check("/api/v1/career/recommendations", ip, None, t)
                    .is_ok()
            );
        }
        let refused = limits.check("/api/v1/admin/ai/models/status", ip, None, t);
        assert_eq!(refused.map_err(|(scope, _)| scope), Err("ai"));
        // Other routes only count against the general limit.
        assert!(limits.check("/api/v1/jobs/list", ip, None, t).is_ok());
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = [10, 0, 0, 9].into();
        let peer: IpAddr = [192, 0, 2, 1].into();
        let headers = forwarded("203.0.113.5, 10.0.0.9");
        assert_eq!(client_ip(Some(peer), &headers, &[proxy]), Some(peer));
        assert_eq!(
            client_ip(Some(proxy), &headers, &[proxy]),
            Some([203, 0, 113, 5].into())
        );
        assert_eq!(client_ip(Some(proxy), &headers, &[]), Some(proxy));
        // A spoofed leftmost entry is skipped: the nearest untrusted hop wins.
        let spoofed = forwarded("1.2.3.4, 203.0.113.5");
        assert_eq!(
            client_ip(Some(proxy), &spoofed, &[proxy]),
            Some([203, 0, 113, 5].into())
        );
        assert_eq!(
            client_ip(Some(proxy), &forwarded("garbage"), &[proxy]),
            Some(proxy)
        );
    }
}
