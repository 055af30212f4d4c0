//! A client of an OpenAI-compatible chat completions endpoint, with a timeout per
//! attempt, retries with exponential backoff and jitter on failures worth retrying
//! (timeouts, connection errors, 429, 5xx), and a client-side rate limit.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;
use serde::Serialize;
use serde_json::json;

use crate::ai::AiSettings;

/// Why the endpoint gave no usable answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("the client-side rate limit of the endpoint is reached")]
    RateLimited,
    #[error("the endpoint did not answer within {0} ms")]
    Timeout(u64),
    #[error("the endpoint answered HTTP {0}")]
    Status(u16),
    #[error("cannot reach the endpoint: {0}")]
    Transport(String),
    #[error("the endpoint's answer has no text: {0}")]
    BadAnswer(String),
}

impl LlmError {
    fn retryable(&self) -> bool {
        match self {
            LlmError::Timeout(_) | LlmError::Transport(_) => true,
            LlmError::Status(s) => *s == 429 || *s >= 500,
            LlmError::RateLimited | LlmError::BadAnswer(_) => false,
        }
    }
}

/// A completion and how many attempts it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub attempts: u32,
}

/// Counters of the client since start.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LlmStats {
    /// Generations that asked the endpoint.
    pub requests: u64,
    /// HTTP attempts (requests plus retries).
    pub attempts: u64,
    pub completions: u64,
    pub failures: u64,
    /// Completions the grounding check refused.
    pub rejected: u64,
    pub rate_limited: u64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    attempts: AtomicU64,
    completions: AtomicU64,
    failures: AtomicU64,
    rejected: AtomicU64,
    rate_limited: AtomicU64,
}

/// The endpoint, its settings and its limiter.
pub struct LlmClient {
    http: reqwest::Client,
    url: String,
    model: String,
    api_key: Option<String>,
    settings: AiSettings,
    /// GCRA: the theoretical arrival time of the next request.
    next_arrival: Mutex<Option<Instant>>,
    counters: Counters,
}

impl std::fmt::Debug for LlmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmClient")
            .field("url", &self.url)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

impl LlmClient {
    /// A client when `base_url` and `model` are set; `Err` for a base URL that is neither
    /// `http://` nor `https://` (TLS by rustls, certificates checked against the
    /// platform's roots).
    pub fn from_settings(settings: &AiSettings) -> Result<Option<Self>, String> {
        let (Some(base), Some(model)) = (
            settings
                .base_url
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
            settings
                .model
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
        ) else {
            return Ok(None);
        };
        if !base.starts_with("http://") && !base.starts_with("https://") {
            return Err(format!(
                "ai.base_url must be an http:// or https:// URL (got {base})"
            ));
        }
        let http = crate::tls::http_client_builder()
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms.max(1)))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Some(Self {
            http,
            url: format!("{}/chat/completions", base.trim_end_matches('/')),
            model: model.to_owned(),
            api_key: settings.api_key.as_ref().map(|k| k.expose().to_owned()),
            settings: settings.clone(),
            next_arrival: Mutex::new(None),
            counters: Counters::default(),
        }))
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn stats(&self) -> LlmStats {
        let c = &self.counters;
        LlmStats {
            requests: c.requests.load(Ordering::Relaxed),
            attempts: c.attempts.load(Ordering::Relaxed),
            completions: c.completions.load(Ordering::Relaxed),
            failures: c.failures.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// Counts a completion the grounding check refused.
    pub fn count_rejected(&self) {
        self.counters.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes one request from the client-side budget, or refuses.
    fn admit(&self) -> bool {
        let per_minute = self.settings.requests_per_minute;
        if per_minute == 0 {
            return true;
        }
        let interval = Duration::from_secs(60) / per_minute;
        let now = Instant::now();
        let mut next = self.next_arrival.lock().unwrap_or_else(|e| e.into_inner());
        let arrival = next.map_or(now, |t| t.max(now));
        // A burst of a tenth of a minute's budget (at least one).
        let tolerance = interval * (per_minute / 10).max(1).saturating_sub(1);
        if arrival - now > tolerance {
            return false;
        }
        *next = Some(arrival + interval);
        true
    }

    /// The backoff before retry `n` (0 for the first retry): exponential, capped, with
    /// the upper half jittered.
    fn backoff(&self, n: u32) -> Duration {
        let base = self
            .settings
            .backoff_initial_ms
            .saturating_mul(1u64 << n.min(20))
            .min(self.settings.backoff_max_ms);
        let half = base / 2;
        Duration::from_millis(half + rand::thread_rng().gen_range(0..=half))
    }

    /// Asks the endpoint for a completion of `system` + `user`.
    pub async fn complete(&self, system: &str, user: &str) -> Result<Completion, (LlmError, u32)> {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let mut attempts = 0;
        let result = loop {
            if !self.admit() {
                self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                break Err(LlmError::RateLimited);
            }
            attempts += 1;
            self.counters.attempts.fetch_add(1, Ordering::Relaxed);
            match self.attempt(system, user).await {
                Ok(text) => break Ok(text),
                Err(e) if e.retryable() && attempts <= self.settings.max_retries => {
                    let wait = self.backoff(attempts - 1);
                    tracing::info!(error = %e, attempt = attempts, wait_ms = wait.as_millis() as u64, "text generation endpoint failed, retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => break Err(e),
            }
        };
        match result {
            Ok(text) => {
                self.counters.completions.fetch_add(1, Ordering::Relaxed);
                Ok(Completion { text, attempts })
            }
            Err(e) => {
                self.counters.failures.fetch_add(1, Ordering::Relaxed);
                Err((e, attempts))
            }
        }
    }

    async fn attempt(&self, system: &str, user: &str) -> Result<String, LlmError> {
        let body = json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        });
        let timeout = self.settings.timeout_ms.max(1);
        let mut request = self
            .http
            .post(&self.url)
            .timeout(Duration::from_millis(timeout))
            .json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                LlmError::Timeout(timeout)
            } else {
                LlmError::Transport(e.to_string())
            }
        };
        let response = request.send().await.map_err(classify)?;
        let status = response.status();
        if !status.is_success() {
            return Err(LlmError::Status(status.as_u16()));
        }
        let answer: serde_json::Value = response.json().await.map_err(|e| {
            if e.is_timeout() {
                LlmError::Timeout(timeout)
            } else {
                LlmError::BadAnswer(e.to_string())
            }
        })?;
        answer["choices"][0]["message"]["content"]
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| LlmError::BadAnswer("no choices[0].message.content".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(base: &str) -> AiSettings {
        AiSettings {
            base_url: Some(base.to_owned()),
            model: Some("m".to_owned()),
            ..AiSettings::default()
        }
    }

    #[test]
    fn a_client_needs_an_http_or_https_url_and_a_model() {
        assert!(
            LlmClient::from_settings(&AiSettings::default())
                .unwrap()
                .is_none()
        );
        let client = LlmClient::from_settings(&settings("http://127.0.0.1:8000/v1/"))
            .unwrap()
            .unwrap();
        assert_eq!(client.url(), "http://127.0.0.1:8000/v1/chat/completions");
        let https = LlmClient::from_settings(&settings("https://llm.example/v1/"))
            .unwrap()
            .unwrap();
        assert_eq!(https.url(), "https://llm.example/v1/chat/completions");
        let ftp = LlmClient::from_settings(&settings("ftp://llm.example")).unwrap_err();
        assert!(ftp.contains("http:// or https://"), "{ftp}");
    }

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap() {
        let client = LlmClient::from_settings(&AiSettings {
            backoff_initial_ms: 100,
            backoff_max_ms: 1000,
            ..settings("http://127.0.0.1:9/v1")
        })
        .unwrap()
        .unwrap();
        for (n, base) in [
            (0, 100u64),
            (1, 200),
            (2, 400),
            (3, 800),
            (4, 1000),
            (9, 1000),
        ] {
            let wait = client.backoff(n).as_millis() as u64;
            assert!((base / 2..=base).contains(&wait), "retry {n}: {wait} ms");
        }
    }

    #[test]
    fn the_limiter_admits_a_minutes_budget_evenly() {
        let client = LlmClient::from_settings(&AiSettings {
            requests_per_minute: 20,
            ..settings("http://127.0.0.1:9/v1")
        })
        .unwrap()
        .unwrap();
        // A burst of a tenth of the budget, then one every three seconds.
        assert!(client.admit() && client.admit());
        assert!(!client.admit());
    }
}
