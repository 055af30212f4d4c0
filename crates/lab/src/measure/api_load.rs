//! A load test of the HTTP API: many simulated users, each signed up with a resume of its
//! own, going through a realistic mix of requests (log in, search, read postings, match,
//! apply, upload) with think time between them, for a fixed time, against a running
//! server. Every request is timed and checked; anything but the expected 2xx is an error.
//!
//! The users are set up first (sign up, log in, upload a resume), which is timed and
//! reported apart from the measured phase. Each user can present a client address of its
//! own (`X-Forwarded-For`), so per-IP rate limits apply per user as they would behind a
//! proxy; the server must then trust the load generator's address as a proxy.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::{BenchError, LatencyStats};

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadTestConfig {
    /// Where the API is, e.g. `http://127.0.0.1:8080` (without `/api/v1`).
    pub base_url: String,
    pub users: usize,
    /// How long the measured phase lasts.
    pub duration: Duration,
    /// Mean think time between two requests of one user (exponentially distributed).
    pub think_time: Duration,
    /// Requests in flight at once while the users are set up.
    pub setup_concurrency: usize,
    /// Send `X-Forwarded-For` with an address per user.
    pub distinct_client_ips: bool,
    pub seed: u64,
    /// Per-request timeout; a request that takes longer counts as an error.
    pub request_timeout: Duration,
}

impl Default for LoadTestConfig {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".to_owned(),
            users: 500,
            duration: Duration::from_secs(60),
            think_time: Duration::from_secs(3),
            setup_concurrency: 8,
            distinct_client_ips: true,
            seed: 7,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Counts and latencies of one route.
#[derive(Debug, Clone, Serialize)]
pub struct RouteReport {
    pub route: String,
    pub requests: usize,
    pub errors: usize,
    /// Latency of every request, failed ones included.
    pub latency: Option<LatencyStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoadTestReport {
    pub users: usize,
    pub think_time_ms: f64,
    pub setup_secs: f64,
    pub setup: Vec<RouteReport>,
    pub measured_secs: f64,
    pub routes: Vec<RouteReport>,
    pub total: RouteReport,
    /// Up to 20 failures: route, status or transport error, and the start of the body.
    pub error_samples: Vec<String>,
}

impl LoadTestReport {
    pub fn errors(&self) -> usize {
        self.setup.iter().map(|r| r.errors).sum::<usize>() + self.total.errors
    }
}

/// The requests a simulated user makes, with their share of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Search,
    ViewJob,
    ListJobs,
    Match,
    Login,
    Me,
    Applications,
    Apply,
    Upload,
}

const MIX: [(Action, u32); 9] = [
    (Action::Search, 34),
    (Action::ViewJob, 18),
    (Action::ListJobs, 10),
    (Action::Match, 12),
    (Action::Login, 5),
    (Action::Me, 6),
    (Action::Applications, 8),
    (Action::Apply, 5),
    (Action::Upload, 2),
];

impl Action {
    fn pick(rng: &mut StdRng) -> Self {
        let total: u32 = MIX.iter().map(|(_, w)| w).sum();
        let mut roll = rng.gen_range(0..total);
        for (action, weight) in MIX {
            if roll < weight {
                return action;
            }
            roll -= weight;
        }
        Action::Search
    }
}

/// What job seekers type: role names, skills and a few misspellings.
const QUERIES: &[&str] = &[
    "rust engineer",
    "backend developer",
    "senior software engineer",
    "python data engineer",
    "frontend react",
    "golang",
    "devops kubernetes",
    "engineering manager",
    "nurse",
    "data scientist",
    "machine learning",
    "site reliability",
    "typescript developer",
    "platform engineer remote",
    "qa automation",
    "product manager",
    "sotware engineer",
    "postgres",
    "cloud architect aws",
    "team lead",
    "java developer",
    "graduate developer",
    "security engineer",
    "mobile developer",
];

/// Records every request's outcome, per route.
#[derive(Default)]
struct Recorder {
    samples: Mutex<BTreeMap<&'static str, Vec<(Duration, bool)>>>,
    errors: Mutex<Vec<String>>,
}

impl Recorder {
    fn record(&self, route: &'static str, took: Duration, error: Option<String>) {
        let ok = error.is_none();
        self.samples
            .lock()
            .expect("recorder lock")
            .entry(route)
            .or_default()
            .push((took, ok));
        if let Some(e) = error {
            let mut errors = self.errors.lock().expect("recorder lock");
            if errors.len() < 20 {
                errors.push(format!("{route}: {e}"));
            }
        }
    }

    fn report(&self, wall: Duration) -> (Vec<RouteReport>, RouteReport) {
        let samples = self.samples.lock().expect("recorder lock");
        let route = |name: &str, all: &[(Duration, bool)]| RouteReport {
            route: name.to_owned(),
            requests: all.len(),
            errors: all.iter().filter(|(_, ok)| !ok).count(),
            latency: LatencyStats::from_samples(
                &all.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
                wall,
            ),
        };
        let routes = samples.iter().map(|(name, all)| route(name, all)).collect();
        let everything: Vec<_> = samples.values().flatten().copied().collect();
        (routes, route("all", &everything))
    }
}

/// One simulated user's client side.
struct User {
    index: usize,
    email: String,
    password: String,
    user_id: i64,
    token: String,
    forwarded_for: Option<String>,
    resume_ids: Vec<i64>,
    applied: std::collections::HashSet<i64>,
    uploads: usize,
}

struct Shared {
    http: reqwest::Client,
    api: String,
    recorder: Recorder,
    job_ids: Mutex<Vec<i64>>,
    run_id: u64,
}

/// A response that was not what the user expected.
struct Failure(String);

impl Shared {
    /// Sends `request` as `user`, times it under `route`, and returns the JSON body of a
    /// response with the expected status; anything else is recorded as an error.
    async fn call(
        &self,
        route: &'static str,
        user: &User,
        request: reqwest::RequestBuilder,
        expected: &[u16],
    ) -> Result<Value, Failure> {
        let mut request = request;
        if !user.token.is_empty() {
            request = request.bearer_auth(&user.token);
        }
        if let Some(ip) = &user.forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        let started = Instant::now();
        let outcome = async {
            let response = request.send().await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let body = response.bytes().await.map_err(|e| e.to_string())?;
            if !expected.contains(&status) {
                let text = String::from_utf8_lossy(&body);
                return Err(format!(
                    "{status}: {}",
                    text.chars().take(200).collect::<String>()
                ));
            }
            Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
        }
        .await;
        let took = started.elapsed();
        match outcome {
            Ok(body) => {
                self.recorder.record(route, took, None);
                Ok(body)
            }
            Err(e) => {
                self.recorder.record(route, took, Some(e.clone()));
                Err(Failure(e))
            }
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    async fn sign_up(&self, index: usize, distinct_ip: bool) -> Result<User, Failure> {
        let email = format!("load-{}-{index}@example.com", self.run_id);
        let password = format!("load-test-password-{index}");
        let mut user = User {
            index,
            email,
            password,
            user_id: 0,
            token: String::new(),
            forwarded_for: distinct_ip.then(|| client_ip(index)),
            resume_ids: Vec::new(),
            applied: Default::default(),
            uploads: 0,
        };
        let created = self
            .call(
                "POST /auth/register",
                &user,
                self.http.post(self.url("/auth/register")).json(&json!({
                    "email": user.email,
                    "password": user.password,
                    "display_name": format!("Load User {index}"),
                })),
                &[201],
            )
            .await?;
        user.user_id = created["id"].as_i64().unwrap_or_default();
        self.log_in(&mut user).await?;
        self.upload(&mut user).await?;
        Ok(user)
    }

    async fn log_in(&self, user: &mut User) -> Result<(), Failure> {
        let saved = std::mem::take(&mut user.token);
        let pair = self
            .call(
                "POST /auth/login",
                user,
                self.http
                    .post(self.url("/auth/login"))
                    .json(&json!({ "email": user.email, "password": user.password })),
                &[200],
            )
            .await;
        match pair {
            Ok(pair) => {
                user.token = pair["access_token"].as_str().unwrap_or_default().to_owned();
                Ok(())
            }
            Err(e) => {
                user.token = saved;
                Err(e)
            }
        }
    }

    async fn upload(&self, user: &mut User) -> Result<(), Failure> {
        user.uploads += 1;
        let text = synthetic_resume(user.index, user.uploads, self.run_id);
        let part = reqwest::multipart::Part::bytes(text.into_bytes())
            .file_name(format!("load-{}-{}.txt", user.index, user.uploads))
            .mime_str("text/plain")
            .expect("static mime type");
        let form = reqwest::multipart::Form::new().part("file", part);
        let body = self
            .call(
                "POST /resumes/upload",
                user,
                self.http.post(self.url("/resumes/upload")).multipart(form),
                &[201],
            )
            .await?;
        if let Some(id) = body["resume"]["id"].as_i64() {
            user.resume_ids.push(id);
        }
        Ok(())
    }

    fn random_job(&self, rng: &mut StdRng) -> Option<i64> {
        let ids = self.job_ids.lock().expect("job ids lock");
        (!ids.is_empty()).then(|| ids[rng.gen_range(0..ids.len())])
    }

    async fn act(&self, user: &mut User, action: Action, rng: &mut StdRng) -> Result<(), Failure> {
        match action {
            Action::Search => {
                let query = QUERIES[rng.gen_range(0..QUERIES.len())];
                let mut body = json!({ "query": query, "limit": 10 });
                if rng.gen_bool(0.25) {
                    body["filters"] = json!({ "remote_modes": ["remote"] });
                }
                if rng.gen_bool(0.2) {
                    body["offset"] = json!(10);
                }
                self.call(
                    "POST /jobs/search",
                    user,
                    self.http.post(self.url("/jobs/search")).json(&body),
                    &[200],
                )
                .await?;
            }
            Action::ViewJob => {
                if let Some(id) = self.random_job(rng) {
                    self.call(
                        "GET /jobs/{id}",
                        user,
                        self.http.get(self.url(&format!("/jobs/{id}"))),
                        &[200],
                    )
                    .await?;
                }
            }
            Action::ListJobs => {
                let page = rng.gen_range(1..=3);
                self.call(
                    "GET /jobs/list",
                    user,
                    self.http
                        .get(self.url(&format!("/jobs/list?page={page}&per_page=20"))),
                    &[200],
                )
                .await?;
            }
            Action::Match => {
                self.call(
                    "GET /jobs/matches/{user}",
                    user,
                    self.http
                        .get(self.url(&format!("/jobs/matches/{}?limit=10", user.user_id))),
                    &[200],
                )
                .await?;
            }
            Action::Login => self.log_in(user).await?,
            Action::Me => {
                self.call(
                    "GET /auth/me",
                    user,
                    self.http.get(self.url("/auth/me")),
                    &[200],
                )
                .await?;
            }
            Action::Applications => {
                self.call(
                    "GET /jobs/applications",
                    user,
                    self.http.get(self.url("/jobs/applications")),
                    &[200],
                )
                .await?;
            }
            Action::Apply => {
                let (Some(job_id), Some(&resume_id)) =
                    (self.random_job(rng), user.resume_ids.last())
                else {
                    return Ok(());
                };
                if !user.applied.insert(job_id) {
                    return Ok(());
                }
                self.call(
                    "POST /jobs/applications",
                    user,
                    self.http.post(self.url("/jobs/applications")).json(&json!({
                        "job_id": job_id,
                        "resume_id": resume_id,
                        "cover_note": "I would like to apply.",
                    })),
                    &[201],
                )
                .await?;
            }
            Action::Upload => self.upload(user).await?,
        }
        Ok(())
    }
}

/// A documentation-range-free private address per user (10.x.y.z).
fn client_ip(index: usize) -> String {
    let n = index as u32 + 1;
    Ipv4Addr::new(10, (n >> 16) as u8, (n >> 8) as u8, n as u8).to_string()
}

/// A plain-text resume of our own making, different for every user and upload.
pub fn synthetic_resume(index: usize, upload: usize, run_id: u64) -> String {
    const TITLES: &[(&str, &[&str])] = &[
        (
            "Software Engineer",
            &["Rust", "PostgreSQL", "Docker", "Linux", "Git"],
        ),
        (
            "Backend Developer",
            &["Go", "Kubernetes", "gRPC", "SQL", "AWS"],
        ),
        (
            "Data Engineer",
            &["Python", "Apache Spark", "SQL", "Airflow", "AWS"],
        ),
        (
            "Frontend Developer",
            &["TypeScript", "React", "CSS", "HTML", "JavaScript"],
        ),
        (
            "DevOps Engineer",
            &["Kubernetes", "Terraform", "Docker", "Linux", "Ansible"],
        ),
        (
            "Data Scientist",
            &["Python", "machine learning", "pandas", "SQL", "statistics"],
        ),
        (
            "Staff Nurse",
            &[
                "patient care",
                "medication administration",
                "record keeping",
            ],
        ),
    ];
    const EMPLOYERS: &[&str] = &[
        "Quillfeather Systems",
        "Harbourline Data",
        "Northgate Software",
        "Copperleaf Analytics",
        "Brightwater Labs",
    ];
    let (title, skills) = TITLES[(index + upload) % TITLES.len()];
    let first = EMPLOYERS[index % EMPLOYERS.len()];
    let second = EMPLOYERS[(index / EMPLOYERS.len() + 1) % EMPLOYERS.len()];
    let years = 2 + index % 9;
    let start = 2025 - years as i32;
    format!(
        "Load Candidate {index}-{upload}\n{title}\nload.{run_id}.{index}.{upload}@example.com | Leeds, United Kingdom\n\n\
         SUMMARY\n{title} with {years} years of experience using {s0} and {s1}.\n\n\
         WORK HISTORY\n{title}, {first}, Leeds | {mid} - Present\n\
         - Built services in {s0} used by {teams} teams\n- Improved {s1} workflows, cutting costs by {pct}%\n\n\
         Junior {title}, {second}, York | {start} - {mid}\n- Maintained {s2} tooling for the team\n\n\
         EDUCATION\nBSc in Computer Science, Riverside University, {start}\n\n\
         SKILLS\n{all}\n",
        s0 = skills[0],
        s1 = skills[1],
        s2 = skills[2 % skills.len()],
        mid = start + years as i32 / 2,
        teams = 2 + index % 5,
        pct = 5 + index % 30,
        all = skills.join(", "),
    )
}

/// Sets the users up, then runs the mix for `config.duration` and reports per route.
pub async fn run(config: &LoadTestConfig) -> Result<LoadTestReport, BenchError> {
    let http = intellicv_app::tls::http_client_builder()
        .timeout(config.request_timeout)
        .pool_max_idle_per_host(config.users.max(1))
        .build()
        .map_err(|e| BenchError::Load(format!("http client: {e}")))?;
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let shared = Arc::new(Shared {
        http,
        api: format!("{}/api/v1", config.base_url.trim_end_matches('/')),
        recorder: Recorder::default(),
        job_ids: Mutex::new(Vec::new()),
        run_id,
    });

    // Set-up: sign up, log in and upload a resume for every user.
    let setup_started = Instant::now();
    let mut users = Vec::with_capacity(config.users);
    let mut tasks = JoinSet::new();
    let mut next = 0;
    let mut setup_failures = 0;
    while next < config.users || !tasks.is_empty() {
        while next < config.users && tasks.len() < config.setup_concurrency.max(1) {
            let shared = shared.clone();
            let distinct = config.distinct_client_ips;
            let index = next;
            tasks.spawn(async move { shared.sign_up(index, distinct).await });
            next += 1;
        }
        match tasks.join_next().await {
            Some(Ok(Ok(user))) => users.push(user),
            Some(Ok(Err(_))) => setup_failures += 1,
            Some(Err(e)) => return Err(BenchError::Load(format!("set-up task: {e}"))),
            None => break,
        }
    }
    let setup_wall = setup_started.elapsed();
    if users.is_empty() {
        let (setup, _) = shared.recorder.report(setup_wall);
        let sample = shared
            .recorder
            .errors
            .lock()
            .expect("lock")
            .first()
            .cloned();
        return Err(BenchError::Load(format!(
            "no user could be set up ({setup_failures} failures; {})",
            sample.unwrap_or_else(|| format!("{} routes tried", setup.len()))
        )));
    }
    let (setup, _) = shared.recorder.report(setup_wall);
    let setup_errors = std::mem::take(&mut *shared.recorder.errors.lock().expect("lock"));
    // Also clears the set-up samples, reported above.
    load_job_ids(&shared, &users[0]).await?;

    // The measured phase.
    let started = Instant::now();
    let deadline = started + config.duration;
    let think_ms = config.think_time.as_secs_f64() * 1000.0;
    let mut tasks = JoinSet::new();
    for mut user in users {
        let shared = shared.clone();
        let seed = config.seed ^ (user.index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        tasks.spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed);
            // Spread the first requests over one think time.
            tokio::time::sleep(Duration::from_secs_f64(
                rng.gen_range(0.0..think_ms.max(1.0)) / 1000.0,
            ))
            .await;
            while Instant::now() < deadline {
                let action = Action::pick(&mut rng);
                let _ = shared.act(&mut user, action, &mut rng).await;
                let u: f64 = rng.gen_range(f64::EPSILON..1.0);
                let pause = Duration::from_secs_f64(-u.ln() * think_ms / 1000.0);
                let now = Instant::now();
                if now + pause >= deadline {
                    break;
                }
                tokio::time::sleep(pause).await;
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.map_err(|e| BenchError::Load(format!("user task: {e}")))?;
    }
    let measured = started.elapsed();
    let (routes, total) = shared.recorder.report(measured);
    let mut error_samples = setup_errors;
    error_samples.extend(shared.recorder.errors.lock().expect("lock").drain(..));
    error_samples.truncate(20);
    Ok(LoadTestReport {
        users: config.users,
        think_time_ms: think_ms,
        setup_secs: setup_wall.as_secs_f64(),
        setup,
        measured_secs: measured.as_secs_f64(),
        routes,
        total,
        error_samples,
    })
}

/// Whether a listed posting still takes applications: no closing date, or one to come.
fn open_for_applications(job: &Value, now: chrono::DateTime<chrono::Utc>) -> bool {
    job["valid_through"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .is_none_or(|closes| closes > now)
}

/// The open postings users read and apply to (the first few pages of the list).
async fn load_job_ids(shared: &Shared, user: &User) -> Result<(), BenchError> {
    let mut ids = Vec::new();
    let now = chrono::Utc::now();
    for page in 1..=5 {
        let body = shared
            .call(
                "GET /jobs/list",
                user,
                shared
                    .http
                    .get(shared.url(&format!("/jobs/list?page={page}&per_page=100"))),
                &[200],
            )
            .await
            .map_err(|Failure(e)| BenchError::Load(format!("listing postings: {e}")))?;
        let items = body["items"].as_array().cloned().unwrap_or_default();
        ids.extend(
            items
                .iter()
                .filter(|j| j["status"].as_str().is_none_or(|s| s == "open"))
                .filter(|j| open_for_applications(j, now))
                .filter_map(|j| j["id"].as_i64()),
        );
        if items.len() < 100 {
            break;
        }
    }
    if ids.is_empty() {
        return Err(BenchError::Load(
            "the server has no open job postings to search and apply to (serve with --load-samples)"
                .to_owned(),
        ));
    }
    *shared.job_ids.lock().expect("job ids lock") = ids;
    shared.recorder.samples.lock().expect("lock").clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_picks_every_action_in_roughly_its_share() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut counts = BTreeMap::new();
        for _ in 0..100_000 {
            *counts
                .entry(format!("{:?}", Action::pick(&mut rng)))
                .or_insert(0u32) += 1;
        }
        let total: u32 = MIX.iter().map(|(_, w)| w).sum();
        for (action, weight) in MIX {
            let share = counts[&format!("{action:?}")] as f64 / 100_000.0;
            let expected = weight as f64 / total as f64;
            assert!(
                (share - expected).abs() < 0.01,
                "{action:?}: {share} vs {expected}"
            );
        }
    }

    #[test]
    fn synthetic_resumes_differ_per_user_and_upload() {
        let a = synthetic_resume(1, 1, 9);
        assert_ne!(a, synthetic_resume(2, 1, 9));
        assert_ne!(a, synthetic_resume(1, 2, 9));
        assert!(a.contains("SKILLS"));
    }

    #[test]
    fn postings_past_their_closing_date_are_not_applied_to() {
        let now = chrono::Utc::now();
        assert!(open_for_applications(&json!({"id": 1}), now));
        assert!(open_for_applications(
            &json!({"valid_through": "2999-01-01T00:00:00Z"}),
            now
        ));
        assert!(!open_for_applications(
            &json!({"valid_through": "2020-01-01T00:00:00Z"}),
            now
        ));
    }

    #[test]
    fn client_addresses_are_distinct() {
        let ips: std::collections::HashSet<_> = (0..70_000).map(client_ip).collect();
        assert_eq!(ips.len(), 70_000);
    }
}
