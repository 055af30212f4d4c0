use std::sync::Once;

use intellicv::startup::Application;
use intellicv_app::components::Models;
use intellicv_app::config::{Overrides, Settings};
use intellicv_store::Store;
pub use intellicv_testkit::{Backend, TestDatabase, run_ok, skill_vector_cache_dir};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

static TRACING: Once = Once::new();

fn init_tracing() {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            intellicv_app::telemetry::init(&Default::default());
        }
    });
}

pub fn settings_for(db: &TestDatabase) -> Settings {
    let mut settings = Settings::load(
        None,
        &Overrides {
            data_dir: Some(db.data_dir()),
            database_url: Some(db.url.expose().to_owned()),
            bind: Some([127, 0, 0, 1].into()),
            port: Some(0),
        },
    )
    .expect("settings");
    settings.server.shutdown_grace_secs = 5;
    // Debug builds on two shared cores: at the end of the full suite an upload (parse,
    // embed, index) has taken over the default 30 s and answered 503. The tests of the
    // timeout itself set their own.
    settings.server.request_timeout_secs = 120;
    // Tests send many requests from 127.0.0.1: the limits stay on but out of reach, and
    // the rate-limit tests set low ones of their own.
    let unreachable = intellicv_app::config::Quota {
        per_minute: 1_000_000,
        burst: 100_000,
    };
    settings.rate_limit.per_ip = unreachable;
    settings.rate_limit.per_user = unreachable;
    settings.rate_limit.auth_per_ip = unreachable;
    settings.rate_limit.ai = unreachable;
    settings
}

static MODELS: tokio::sync::OnceCell<Models> = tokio::sync::OnceCell::const_new();

/// The taxonomy and embedding model, loaded once for the whole test binary.
pub async fn shared_models() -> Models {
    MODELS
        .get_or_init(|| async {
            let mut settings = Settings::load(None, &Overrides::default()).expect("settings");
            settings.skills.vector_cache_dir = Some(skill_vector_cache_dir());
            Models::load(&settings)
                .await
                .expect("models load (run scripts/fetch-models.sh)")
        })
        .await
        .clone()
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub store: Store,
    pub search: std::sync::Arc<intellicv_search::SearchEngine>,
    /// The application's real-time event hub (tests publish to it directly).
    pub events: std::sync::Arc<intellicv_app::events::EventHub>,
    pub queue: std::sync::Arc<intellicv_app::queue::Queue>,
    pub db: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    pub server: Option<JoinHandle<std::io::Result<()>>>,
}

/// Starts the real application on a random port with a fresh database.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let db = TestDatabase::create(backend).await?;
    let mut settings = settings_for(&db);
    configure(&mut settings);
    let app = start_app(db, settings).await;
    // The indexes catch up in the background; tests start once they have.
    tokio::time::timeout(std::time::Duration::from_secs(120), app.search.wait_ready())
        .await
        .expect("the indexes catch up");
    Some(app)
}

/// Starts the real application on `db` (which may hold data already) and returns as soon
/// as it listens: the indexes may still be catching up.
pub async fn start_app(db: TestDatabase, settings: Settings) -> TestApp {
    init_tracing();
    let app = Application::build_with(settings, shared_models().await)
        .await
        .expect("application builds");
    let port = app.port();
    let store = app.state().store.clone();
    let search = app.state().search.clone();
    let events = app.state().events.clone();
    let queue = app.state().queue.clone();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: intellicv_app::tls::http_client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        store,
        search,
        events,
        queue,
        db,
        shutdown: Some(tx),
        server: Some(server),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Stops the server and waits until it has let go of its indexes; returns the
    /// database (and data dir) to start another on.
    pub async fn stop(mut self) -> TestDatabase {
        self.request_shutdown();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        let search = std::sync::Arc::downgrade(&self.search);
        let db = self.db;
        drop((
            self.search,
            self.store,
            self.events,
            self.queue,
            self.client,
        ));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while search.strong_count() > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the engine is still open"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        db
    }

    /// Asks the server to stop, as SIGTERM would.
    pub fn request_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Reads a response that must be in the API's error shape; returns (status, code, body).
pub async fn expect_error(response: reqwest::Response) -> (u16, String, serde_json::Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "status {status}: content type {content_type:?}"
    );
    let body: serde_json::Value = response.json().await.expect("json error body");
    let error = &body["error"];
    assert!(error.is_object(), "no error object in {body}");
    assert!(error["message"].is_string(), "no message in {body}");
    assert!(error.get("details").is_some(), "no details in {body}");
    let code = error["code"].as_str().expect("code").to_owned();
    (status, code, body)
}

/// The `intellicv` binary, run from the repository root (so `models/` and `data/` resolve),
/// with quiet logs and no config file from the environment.
pub fn intellicv_cli() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_intellicv"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "warn")
        .env(
            "INTELLICV__SKILLS__VECTOR_CACHE_DIR",
            skill_vector_cache_dir(),
        )
        .env_remove("INTELLICV_CONFIG");
    cmd
}

/// [`intellicv_cli`] on the test's own data dir and database.
pub fn intellicv_on(db: &TestDatabase) -> std::process::Command {
    let mut cmd = intellicv_cli();
    cmd.arg("--data-dir")
        .arg(db.data_dir())
        .arg("--database-url")
        .arg(db.url.expose());
    cmd
}

/// A free loopback port for a server process the test starts itself.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `intellicv serve` on the test's database and `port`, with a short queue lease, quick
/// polling and catch-up, and no rate limits; callers add their own settings and spawn it.
pub fn serve_command(db: &TestDatabase, port: u16) -> std::process::Command {
    let mut command = intellicv_on(db);
    command
        .args(["serve", "--port", &port.to_string()])
        .env("INTELLICV__QUEUE__LEASE_SECS", "3")
        .env("INTELLICV__QUEUE__HEARTBEAT_SECS", "1")
        .env("INTELLICV__QUEUE__POLL_INTERVAL_MS", "200")
        .env("INTELLICV__SEARCH__CATCH_UP_INTERVAL_SECS", "1")
        .env("INTELLICV__RATE_LIMIT__ENABLED", "false");
    command
}
