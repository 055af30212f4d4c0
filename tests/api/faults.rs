//! The fault suite: a real `intellicv` process killed (SIGKILL) in the middle of a batch,
//! an ingest, a reindex and a data import; a PostgreSQL outage and its recovery; the data
//! dir filling up during ingest. After each: nothing stored twice, nothing half-stored,
//! and the database and the search index agree.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use intellicv_app::config::{SecretUrl, Settings};
use intellicv_app::transfer::{self, Entity, Format};
use intellicv_core::Role;
use intellicv_ingest::extract::testdoc;
use intellicv_search::layout::IndexLayout;
use intellicv_store::Store;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

use crate::auth_support::{get_as, post_as, user_with_token};
use crate::batch::resume_text;
use crate::helpers::{
    Backend, TestApp, TestDatabase, expect_error, free_port, intellicv_on, run_ok, serve_command,
    settings_for, start_app,
};
use crate::on_both_backends;

const ADMIN: &str = "faults-admin@example.com";
const PASSWORD: &str = "a long enough secret";

// ---------------------------------------------------------------------------------------
// A real server process and the checks made after every fault.

fn create_admin(db: &TestDatabase) {
    run_ok(
        intellicv_on(db)
            .args(["users", "create", "--email", ADMIN, "--role", "admin"])
            .env("INTELLICV_USER_PASSWORD", PASSWORD),
    );
}

/// Where a child's stderr goes (kept in the test's data dir, shown when it fails).
fn log_file(db: &TestDatabase, name: &str) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(db.data_dir().join(name))
        .unwrap()
}

/// `intellicv serve` on the test's database, with a short lease and quick polling.
fn serve(db: &TestDatabase, port: u16) -> Child {
    serve_command(db, port)
        .env("INTELLICV__QUEUE__WORKERS", "1")
        .env("INTELLICV__SERVER__MAX_BODY_BYTES", "104857600")
        .stdout(Stdio::null())
        .stderr(log_file(db, "serve.log"))
        .spawn()
        .expect("start intellicv serve")
}

/// A running `intellicv serve` and an admin token for it.
struct Server {
    child: Child,
    api: Api,
}

/// The API of a server, as its admin.
struct Api {
    base: String,
    client: reqwest::Client,
    token: String,
}

impl Server {
    async fn start(db: &TestDatabase) -> Self {
        let port = free_port();
        let mut child = serve(db, port);
        let base = format!("http://127.0.0.1:{port}");
        let client = intellicv_app::tls::http_client_builder().build().unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = client.get(format!("{base}/readyz")).send().await
                && r.status() == 200
            {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the server exited while starting: {}",
                std::fs::read_to_string(db.data_dir().join("serve.log")).unwrap_or_default()
            );
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let response = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({ "email": ADMIN, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let token = response.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        Self {
            child,
            api: Api {
                base,
                client,
                token,
            },
        }
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().unwrap();
    }
}

impl Api {
    async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: &Value) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "POST {path}");
        response.json().await.unwrap()
    }

    /// Documents the search index holds (an empty query matches every one).
    async fn searched(&self, collection: &str) -> i64 {
        let body = json!({ "query": "", "limit": 1, "highlight": false });
        self.post(&format!("/api/v1/{collection}/search"), &body)
            .await["total"]
            .as_i64()
            .unwrap()
    }
}

/// The test's own connection to its database.
async fn open_store(db: &TestDatabase) -> Store {
    let mut settings = Settings::default();
    settings.database.migrate_on_start = false;
    Store::connect(&db.url, &settings.database).await.unwrap()
}

/// Counts rows while a killed process writes them (a pool of the test's own).
enum Counter {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Counter {
    async fn open(db: &TestDatabase) -> Self {
        match db.url.expose() {
            url if url.starts_with("sqlite") => Counter::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .connect_with(
                        url.parse::<sqlx::sqlite::SqliteConnectOptions>()
                            .unwrap()
                            .create_if_missing(true),
                    )
                    .await
                    .unwrap(),
            ),
            url => Counter::Postgres(sqlx::PgPool::connect(url).await.unwrap()),
        }
    }

    /// Rows in `table`; 0 while it does not exist yet.
    async fn rows(&self, table: &str) -> usize {
        let sql = format!("SELECT count(*) FROM {table}");
        let n: Result<i64, _> = match self {
            Counter::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await,
            Counter::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await,
        };
        n.map_or(0, |n| n as usize)
    }

    async fn close(self) {
        match self {
            Counter::Sqlite(pool) => pool.close().await,
            Counter::Postgres(pool) => pool.close().await,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Stored {
    resumes: usize,
    parsed: usize,
    jobs: usize,
}

/// Nothing stored twice, nothing half-stored, and the API's lists (the database) and its
/// searches (the index) agree. The server has caught up (`/readyz` was 200); documents
/// stored since are indexed within a few seconds.
async fn assert_consistent(db: &TestDatabase, server: &Api) -> Stored {
    let store = open_store(db).await;
    let resumes = store.export_resumes().await.unwrap();
    let jobs = store.export_jobs().await.unwrap();
    store.close().await;
    let mut keys = BTreeSet::new();
    for r in &resumes {
        assert!(
            keys.insert((r.owner_email.clone(), r.content_hash.clone())),
            "resume {} ({}) is stored twice",
            r.id,
            r.source_filename
        );
        assert!(
            r.content_bytes.as_ref().is_some_and(|b| !b.is_empty()),
            "resume {} has no bytes",
            r.id
        );
        match r.parse_status.as_str() {
            "parsed" => assert!(
                r.extracted_text.is_some() && r.profile.is_some(),
                "resume {} is parsed without text or profile",
                r.id
            ),
            "failed" => assert!(
                r.parse_error_code.as_deref().is_some_and(|c| !c.is_empty()),
                "resume {} failed without a reason",
                r.id
            ),
            other => panic!("resume {} is half-stored: {other}", r.id),
        }
    }
    let mut job_keys = BTreeSet::new();
    for j in &jobs {
        if let Some(external) = &j.job.external_id {
            assert!(
                job_keys.insert((j.job.source.clone(), external.clone())),
                "posting {}/{external} is stored twice",
                j.job.source
            );
        }
    }
    let parsed = resumes
        .iter()
        .filter(|r| r.parse_status == "parsed")
        .count();
    let open = jobs
        .iter()
        .filter(|j| j.job.status == intellicv_core::PostingStatus::Open)
        .count();

    let listed = server.get("/api/v1/resumes/list?per_page=1").await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(listed as usize, resumes.len(), "the API lists every row");
    let listed_open = server.get("/api/v1/jobs/list?per_page=1&status=open").await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(listed_open as usize, open);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (r, j) = (
            server.searched("resumes").await,
            server.searched("jobs").await,
        );
        if r as usize == parsed && j as usize == open {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the index holds {r} resumes and {j} postings, the database {parsed} parsed \
             resumes and {open} open postings"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Stored {
        resumes: resumes.len(),
        parsed,
        jobs: jobs.len(),
    }
}

/// Resume files in several formats, each unique; every seventh one cannot be read.
fn write_resumes(dir: &Path, n: usize, first: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in first..first + n {
        let text = resume_text(5000 + i);
        let lines: Vec<&str> = text.lines().collect();
        match i % 7 {
            6 => std::fs::write(
                dir.join(format!("r{i}.pdf")),
                testdoc::encrypted_pdf(&[&["Locked Resume", &format!("Rust {i}")]], "secret"),
            ),
            3 => std::fs::write(
                dir.join(format!("r{i}.docx")),
                testdoc::docx_from_lines(&lines),
            ),
            5 => std::fs::write(dir.join(format!("r{i}.pdf")), testdoc::text_pdf(&[&lines])),
            _ => std::fs::write(dir.join(format!("r{i}.txt")), text.as_bytes()),
        }
        .unwrap();
    }
}

/// Polls `done` until it reaches `at_least` (below `total`), then kills `child`: some
/// items stored, not all.
async fn kill_mid_way<F, Fut>(
    child: &mut Child,
    (at_least, total): (usize, usize),
    what: &str,
    mut done: F,
) -> usize
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n = done().await;
        if n >= at_least {
            assert!(
                n < total,
                "the {what} finished ({n} of {total}) before the kill; make it longer"
            );
            child.kill().expect("SIGKILL");
            child.wait().unwrap();
            return n;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the {what} exited before storing anything"
        );
        assert!(Instant::now() < deadline, "no progress in the {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

// ---------------------------------------------------------------------------------------
// kill -9

async fn a_server_killed_during_a_batch_completes_it_after_restart_with_index_and_database_agreeing(
    backend: Backend,
) {
    const FILES: usize = 28;
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    create_admin(&db);
    let server = Server::start(&db).await;
    let files = tempfile::tempdir().unwrap();
    write_resumes(files.path(), FILES, 0);
    let mut form = reqwest::multipart::Form::new();
    for entry in std::fs::read_dir(files.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(std::fs::read(&path).unwrap()).file_name(name),
        );
    }
    let response = server
        .api
        .client
        .post(format!("{}/api/v1/admin/process/batch", server.api.base))
        .bearer_auth(&server.api.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let job_id = response.json::<Value>().await.unwrap()["job_id"]
        .as_i64()
        .unwrap();
    let status = format!("/api/v1/admin/process/status/{job_id}?per_page=1");
    let mut server = server;
    let (api, path) = (&server.api, &status);
    kill_mid_way(&mut server.child, (3, FILES), "batch", || async move {
        api.get(path).await["job"]["progress_done"]
            .as_i64()
            .unwrap_or(0) as usize
    })
    .await;

    let server = Server::start(&db).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let job = loop {
        let job = server.api.get(&status).await["job"].clone();
        if job["status"] != "queued" && job["status"] != "running" {
            break job;
        }
        assert!(Instant::now() < deadline, "the batch did not finish: {job}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["progress_done"], FILES as i64, "{job}");
    let stored = assert_consistent(&db, &server.api).await;
    assert_eq!(stored.resumes, FILES, "each file once");
    assert_eq!(stored.resumes - stored.parsed, FILES / 7, "the locked PDFs");
    server.kill();
}

async fn an_ingest_killed_mid_way_and_run_again_stores_every_file_once(backend: Backend) {
    const FILES: usize = 240;
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    create_admin(&db);
    let files = tempfile::tempdir().unwrap();
    write_resumes(files.path(), FILES, 0);
    let ingest = || {
        let mut cmd = intellicv_on(&db);
        cmd.args(["ingest", "resumes", "--json"])
            .arg(files.path())
            .stdout(Stdio::null())
            .stderr(log_file(&db, "ingest.log"));
        cmd
    };
    let mut child = ingest().spawn().unwrap();
    let counter = Counter::open(&db).await;
    let counter_ref = &counter;
    let at_kill = kill_mid_way(&mut child, (FILES / 4, FILES), "ingest", || {
        counter_ref.rows("resumes")
    })
    .await;
    counter.close().await;
    eprintln!("ingest killed with {at_kill} of {FILES} stored");

    let out = run_ok(ingest().stdout(Stdio::piped()));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"], FILES);
    assert_eq!(
        report["duplicates"].as_u64().unwrap() + report["stored"].as_u64().unwrap(),
        FILES as u64,
        "{report}"
    );
    let server = Server::start(&db).await;
    let stored = assert_consistent(&db, &server.api).await;
    assert_eq!(stored.resumes, FILES);
    assert_eq!(stored.resumes - stored.parsed, FILES / 7);
    server.kill();
}

async fn a_reindex_killed_mid_way_leaves_a_working_index_and_can_run_again(backend: Backend) {
    const FILES: usize = 200;
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    create_admin(&db);
    let files = tempfile::tempdir().unwrap();
    write_resumes(files.path(), FILES, 0);
    run_ok(
        intellicv_on(&db)
            .args(["ingest", "resumes", "--json"])
            .arg(files.path()),
    );
    let root = settings_for(&db).index_dir();
    let layout = IndexLayout::new(&root);
    let live = layout.current().unwrap().expect("a live generation");

    let mut child = intellicv_on(&db)
        .args(["reindex", "--json"])
        .stdout(Stdio::null())
        .stderr(log_file(&db, "reindex.log"))
        .spawn()
        .unwrap();
    // Mid-way: its new generation exists, and it has not made it live yet.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let building = generations(&root).into_iter().any(|g| g != live);
        if building {
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert_eq!(
                layout.current().unwrap().as_ref(),
                Some(&live),
                "the reindex finished before the kill; make it longer"
            );
            child.kill().unwrap();
            child.wait().unwrap();
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "reindex exited");
        assert!(Instant::now() < deadline, "reindex made no generation");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The next server starts on the old generation, and drops the half-built one.
    let server = Server::start(&db).await;
    let stored = assert_consistent(&db, &server.api).await;
    assert_eq!(stored.resumes, FILES);
    assert_eq!(layout.current().unwrap(), Some(live.clone()));
    assert_eq!(generations(&root), vec![live.clone()], "half-built removed");
    server.kill();
    // And a reindex runs to the end afterwards.
    run_ok(intellicv_on(&db).args(["reindex", "--json"]));
    let server = Server::start(&db).await;
    assert_eq!(assert_consistent(&db, &server.api).await, stored);
    server.kill();
}

fn generations(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with("gen-"))
                })
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// A JSON Lines export of `resumes` resume files (ingested into a scratch database of
/// the same backend) and `jobs` postings with external ids.
async fn import_file(backend: Backend, resumes: usize, jobs: usize) -> Vec<u8> {
    let source = TestDatabase::create(backend).await.unwrap();
    let files = tempfile::tempdir().unwrap();
    write_resumes(files.path(), resumes, 10_000);
    run_ok(
        intellicv_on(&source)
            .args(["ingest", "resumes", "--json", "--no-index"])
            .arg(files.path()),
    );
    let store = open_store(&source).await;
    let mut file = transfer::export(&store, &[Entity::Resume], Format::Jsonl)
        .await
        .unwrap();
    store.close().await;
    for n in 0..jobs {
        let row = json!({
            "type": "job",
            "source": "faults",
            "external_id": format!("faults-{n}"),
            "title": format!("Rust Engineer {n}"),
            "company": "Acme",
            "description": format!("Build distributed systems in Rust and PostgreSQL, team {n}."),
        });
        file.extend_from_slice(row.to_string().as_bytes());
        file.push(b'\n');
    }
    file
}

async fn an_import_killed_mid_way_and_sent_again_stores_every_row_once(backend: Backend) {
    const RESUMES: usize = 120;
    const JOBS: usize = 120;
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let file = import_file(backend, RESUMES, JOBS).await;
    create_admin(&db);
    let mut server = Server::start(&db).await;
    let url = format!("{}/api/v1/admin/data/import", server.api.base);
    let request = server
        .api
        .client
        .post(&url)
        .bearer_auth(&server.api.token)
        .body(file.clone())
        .send();
    let import = tokio::spawn(request);
    let counter = Counter::open(&db).await;
    let total = RESUMES + JOBS;
    let counter_ref = &counter;
    let at_kill = kill_mid_way(&mut server.child, (total / 4, total), "import", || async move {
        counter_ref.rows("resumes").await + counter_ref.rows("job_postings").await
    })
    .await;
    counter.close().await;
    eprintln!("import killed with {at_kill} of {total} rows stored");
    assert!(import.await.unwrap().is_err(), "the request was cut");

    let server = Server::start(&db).await;
    // What was stored before the kill is searchable before the import is sent again.
    let before = assert_consistent(&db, &server.api).await;
    assert!(before.resumes + before.jobs >= at_kill, "{before:?}");
    let url = format!("{}/api/v1/admin/data/import", server.api.base);
    let report = server
        .api
        .client
        .post(&url)
        .bearer_auth(&server.api.token)
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), 200);
    let report: Value = report.json().await.unwrap();
    assert_eq!(report["failed"], 0, "{report}");
    let stored = assert_consistent(&db, &server.api).await;
    assert_eq!(stored.resumes, RESUMES, "{report}");
    assert_eq!(stored.jobs, JOBS, "{report}");
    server.kill();
}

on_both_backends!(
    a_server_killed_during_a_batch_completes_it_after_restart_with_index_and_database_agreeing,
    an_ingest_killed_mid_way_and_run_again_stores_every_file_once,
    a_reindex_killed_mid_way_leaves_a_working_index_and_can_run_again,
    an_import_killed_mid_way_and_sent_again_stores_every_row_once,
);

// ---------------------------------------------------------------------------------------
// A PostgreSQL outage

/// A TCP proxy in front of PostgreSQL that can cut every connection and refuse new ones.
struct PgProxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    cut: tokio::sync::watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl PgProxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let (task_up, task_cut) = (up.clone(), cut.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if !task_up.load(Ordering::SeqCst) {
                    // Refused: closed at once, before a byte of the protocol.
                    drop(inbound);
                    continue;
                }
                let mut cut = task_cut.subscribe();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self {
            addr,
            up,
            cut,
            task,
        }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for PgProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `postgres://user@HOST:PORT/db` with HOST:PORT replaced; answers (new url, HOST:PORT).
fn through(url: &str, proxy: SocketAddr) -> (String, String) {
    let at = url.find('@').expect("user@host in the test url") + 1;
    let slash = at + url[at..].find('/').expect("a database name");
    let upstream = url[at..slash].to_owned();
    (format!("{}{proxy}{}", &url[..at], &url[slash..]), upstream)
}

async fn timed(
    request: impl std::future::Future<Output = reqwest::Response>,
) -> (reqwest::Response, Duration) {
    let started = Instant::now();
    let response = request.await;
    (response, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_answers_503_and_the_app_recovers_without_a_restart() {
    const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
    let Some(db) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let (_, upstream) = through(db.url.expose(), "127.0.0.1:1".parse().unwrap());
    let proxy = PgProxy::start(upstream).await;
    let (url, _) = through(db.url.expose(), proxy.addr);
    let mut settings = settings_for(&db);
    settings.database.url = Some(SecretUrl::new(url));
    settings.database.acquire_timeout_secs = 2;
    settings.server.request_timeout_secs = REQUEST_TIMEOUT.as_secs();
    let app = start_app(db, settings).await;
    tokio::time::timeout(Duration::from_secs(120), app.search.wait_ready())
        .await
        .expect("the indexes catch up");
    let (_, recruiter) = user_with_token(&app, "rita@example.com", Role::Recruiter).await;
    let job = |n: u32| json!({"title": format!("Rust Engineer {n}"), "description": "Build services in Rust."});
    let register = |n: u32| json!({"email": format!("new{n}@example.com"), "password": "correct horse battery staple 9", "display_name": "New"});
    assert_eq!(
        post_as(&app, "/api/v1/jobs", &recruiter, &job(0))
            .await
            .status(),
        201
    );
    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.cut();
    let limit = REQUEST_TIMEOUT + Duration::from_secs(2);
    let (response, took) = timed(app.get("/readyz")).await;
    assert!(took < limit, "readyz took {took:?}");
    let (status, code, body) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (503, "not_ready"), "{body}");
    for n in 1..=3 {
        let (response, took) = timed(post_as(&app, "/api/v1/jobs", &recruiter, &job(n))).await;
        assert!(took < limit, "a write took {took:?}");
        let (status, code, body) = expect_error(response).await;
        assert_eq!(status, 503, "a posting during the outage: {body}");
        assert_eq!(code, "unavailable", "{body}");
        let (response, took) = timed(app.post_json("/api/v1/auth/register", &register(n))).await;
        assert!(took < limit, "a registration took {took:?}");
        let (status, _, body) = expect_error(response).await;
        assert_eq!(status, 503, "a registration during the outage: {body}");
    }
    let (response, _) = timed(get_as(&app, "/api/v1/jobs/list", &recruiter)).await;
    assert_eq!(response.status(), 503, "a read during the outage");

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.get("/readyz").await.status() != 200 {
        assert!(Instant::now() < deadline, "readyz never recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let response = post_as(&app, "/api/v1/jobs", &recruiter, &job(4)).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let response = app.post_json("/api/v1/auth/register", &register(4)).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let body = json!({"query": "rust engineer", "highlight": false});
    let response = post_as(&app, "/api/v1/jobs/search", &recruiter, &body).await;
    assert_eq!(response.status(), 200);
    let total = response.json::<Value>().await.unwrap()["total"]
        .as_i64()
        .unwrap();
    assert_eq!(total, 2, "the two postings made while the database was up");
    drop(app.stop().await);
}

// ---------------------------------------------------------------------------------------
// The disk fills up

/// A tmpfs mounted on a directory, unmounted when dropped (also when the test fails).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Self, String> {
        let out = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(Self(dir.to_owned()))
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// Fills the file system holding `path` until a write fails; answers the bytes written.
fn fill(path: &Path) -> u64 {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    let mut written = 0u64;
    while let Ok(n) = file.write(&chunk) {
        if n == 0 {
            break;
        }
        written += n as u64;
    }
    let _ = file.sync_all();
    written
}

async fn upload(app: &TestApp, token: &str, n: usize) -> reqwest::Response {
    // About 40 KB: the resume and project notes unique to `n`.
    let mut text = resume_text(90_000 + n);
    for line in 0..400 {
        text.push_str(&format!("Project note {n}-{line}: tuned a Rust service.\n"));
    }
    let part = reqwest::multipart::Part::bytes(text.into_bytes()).file_name(format!("cv{n}.txt"));
    app.client
        .post(app.url("/api/v1/resumes/upload"))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_during_uploads_is_a_clear_error_without_corruption_and_recovers() {
    let Some(db) = TestDatabase::create(Backend::Sqlite).await else {
        return;
    };
    let data_dir = db.data_dir();
    let mount = match Tmpfs::mount(&data_dir, "8m") {
        Ok(m) => m,
        Err(e) => {
            eprintln!("skipping the disk-full test: cannot mount a tmpfs here: {e}");
            return;
        }
    };
    let settings = settings_for(&db);
    let app = start_app(db, settings).await;
    tokio::time::timeout(Duration::from_secs(120), app.search.wait_ready())
        .await
        .expect("the indexes catch up");
    let (_, token) = user_with_token(&app, "jane@example.com", Role::Candidate).await;
    assert_eq!(upload(&app, &token, 0).await.status(), 201);

    // Leave about 1 MB free, then upload until the disk is full.
    let filler = data_dir.join("filler");
    let written = fill(&filler);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap();
    file.set_len(written.saturating_sub(1024 * 1024)).unwrap();
    drop(file);
    let mut accepted = 1;
    let mut error = None;
    for n in 1..200 {
        let response = upload(&app, &token, n).await;
        if response.status() == 201 {
            accepted += 1;
            continue;
        }
        error = Some((n, expect_error(response).await));
        break;
    }
    let (failed, (status, code, body)) = error.expect("the disk never filled up");
    assert_eq!(status, 507, "{body}");
    assert_eq!(code, "storage_full", "{body}");
    assert_eq!(app.get("/healthz").await.status(), 200, "the server lives");
    assert!(!app.server.as_ref().unwrap().is_finished());

    // Space is freed: uploads work again, without a restart. The refused upload is sent
    // again: the row may have been written before the disk filled (indexing writes too),
    // and then the retry finds it instead of storing it twice.
    std::fs::remove_file(&filler).unwrap();
    let mut recovered = false;
    for _ in 0..5 {
        let response = upload(&app, &token, failed).await;
        if response.status() == 201 || response.status() == 200 {
            accepted += 1;
            recovered = true;
            break;
        }
        let (status, code, body) = expect_error(response).await;
        eprintln!("after freeing space: {status} {code} {body}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(recovered, "uploads never worked again");

    // No corruption: the database checks out and the index opens and agrees.
    let db = app.stop().await;
    // The bulk ingest (server stopped) on a full disk: a clear error, not a panic; and
    // once space is freed it stores everything.
    let written = fill(&filler);
    assert!(written < 8 * 1024 * 1024);
    let files = tempfile::tempdir().unwrap();
    write_resumes(files.path(), 20, 70_000);
    let mut ingest = intellicv_on(&db);
    ingest
        .args(["ingest", "resumes", "--json", "--no-index"])
        .arg(files.path());
    let out = tokio::task::spawn_blocking(move || ingest.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the ingest cannot succeed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("the disk holding the database is full"),
        "a clear error: {stderr}"
    );

    std::fs::remove_file(&filler).unwrap();
    let files_path = files.path().to_owned();
    let mut ingest = intellicv_on(&db);
    ingest
        .args(["ingest", "resumes", "--json", "--no-index"])
        .arg(&files_path);
    tokio::task::spawn_blocking(move || run_ok(&mut ingest))
        .await
        .unwrap();

    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(db.url.expose())
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    let settings = settings_for(&db);
    let app = start_app(db, settings).await;
    tokio::time::timeout(Duration::from_secs(120), app.search.wait_ready())
        .await
        .expect("the indexes open and catch up");
    let store = &app.store;
    let resumes = store.export_resumes().await.unwrap();
    assert_eq!(
        resumes.len(),
        accepted + 20,
        "every accepted upload and file, once: {:?}",
        resumes
            .iter()
            .map(|r| (r.id, &r.source_filename, &r.owner_email, &r.parse_status))
            .collect::<Vec<_>>()
    );
    let mut hashes = BTreeSet::new();
    for r in &resumes {
        assert!(hashes.insert(r.content_hash.clone()), "stored twice");
        assert!(
            r.parse_status == "parsed" || r.parse_error_code.is_some(),
            "half-stored: {}",
            r.id
        );
    }
    let parsed = resumes
        .iter()
        .filter(|r| r.parse_status == "parsed")
        .count();
    let body = json!({"query": "", "limit": 1, "highlight": false});
    let (_, admin) = user_with_token(&app, "root@example.com", Role::Admin).await;
    let response = post_as(&app, "/api/v1/resumes/search", &admin, &body).await;
    assert_eq!(response.status(), 200);
    let total = response.json::<Value>().await.unwrap()["total"]
        .as_i64()
        .unwrap();
    assert_eq!(
        total as usize, parsed,
        "the index holds every parsed resume"
    );
    drop(app.stop().await);
    drop(mount);
}
