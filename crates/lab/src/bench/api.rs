//! `intellicv-lab bench api`: the HTTP load test. Drives simulated users through a realistic
//! mix against a running server (`--url`), or starts one of its own first: this binary,
//! `serve --load-samples` on a fresh data directory (or `--database-url`), trusting the
//! load generator as a proxy so that each user's `X-Forwarded-For` address gets its own
//! per-IP rate limit.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use crate::measure::LatencyStats;
use crate::measure::api_load::{self, LoadTestConfig, LoadTestReport, RouteReport};
use intellicv_app::config::Settings;

#[derive(Debug, Args)]
pub struct ApiBenchArgs {
    /// Base URL of a running server (e.g. http://127.0.0.1:8080); without it a server is
    /// started on a fresh data directory with the sample data
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Simulated users
    #[arg(long, default_value_t = 500)]
    pub users: usize,
    /// Length of the measured phase, seconds
    #[arg(long, default_value_t = 60)]
    pub duration_secs: u64,
    /// Mean think time between a user's requests, milliseconds (exponential)
    #[arg(long, default_value_t = 3000)]
    pub think_ms: u64,
    /// Users set up (sign up, log in, upload) at once before the measured phase
    #[arg(long, default_value_t = 8)]
    pub setup_concurrency: usize,
    /// Send every request from the one client address (no X-Forwarded-For)
    #[arg(long)]
    pub same_client_ip: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: ApiBenchArgs, settings: Settings) -> anyhow::Result<()> {
    let mut server = None;
    let base_url = match &args.url {
        Some(url) => url.clone(),
        None => {
            let started = OwnServer::start(&settings).await?;
            let url = started.url.clone();
            server = Some(started);
            url
        }
    };
    let config = LoadTestConfig {
        base_url,
        users: args.users,
        duration: Duration::from_secs(args.duration_secs),
        think_time: Duration::from_millis(args.think_ms),
        setup_concurrency: args.setup_concurrency,
        distinct_client_ips: !args.same_client_ip,
        ..LoadTestConfig::default()
    };
    eprintln!(
        "load test: {} users against {} for {} s (mean think time {} ms); setting users up",
        config.users, config.base_url, args.duration_secs, args.think_ms
    );
    let report = api_load::run(&config).await;
    if let Some(server) = server {
        server.stop().await;
    }
    let report = report?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    let errors = report.errors();
    anyhow::ensure!(errors == 0, "{errors} requests failed");
    Ok(())
}

fn print_report(r: &LoadTestReport) {
    println!("\nset-up: {} users in {:.1} s", r.users, r.setup_secs);
    print_routes(&r.setup, None);
    println!(
        "\nmeasured: {:.1} s, {} users, mean think time {:.0} ms",
        r.measured_secs, r.users, r.think_time_ms
    );
    print_routes(&r.routes, Some(&r.total));
    if !r.error_samples.is_empty() {
        println!("\nerrors (first {}):", r.error_samples.len());
        for e in &r.error_samples {
            println!("  {e}");
        }
    }
}

fn print_routes(routes: &[RouteReport], total: Option<&RouteReport>) {
    println!(
        "  {:<28} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8}",
        "route", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for r in routes.iter().chain(total) {
        let (rps, p50, p99, max) = r
            .latency
            .as_ref()
            .map_or((0.0, 0.0, 0.0, 0.0), |l: &LatencyStats| {
                (l.qps, ms(l.p50), ms(l.p99), ms(l.max))
            });
        println!(
            "  {:<28} {:>8} {:>7} {:>8.1} {:>8.2} {:>8.2} {:>8.2}",
            r.route, r.requests, r.errors, rps, p50, p99, max
        );
    }
}

/// A server started by the load test: this binary serving a fresh data directory.
struct OwnServer {
    child: tokio::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl OwnServer {
    async fn start(settings: &Settings) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("temporary data directory")?;
        let config = dir.path().join("load-test.toml");
        std::fs::write(
            &config,
            "# Written by `intellicv-lab bench api`: the load generator is the proxy.\n\
             [rate_limit]\ntrusted_proxies = [\"127.0.0.1\"]\n",
        )
        .context("writing the server's settings file")?;
        let port = free_port()?;
        let exe = std::env::current_exe().context("locating this binary")?;
        let mut command = tokio::process::Command::new(exe);
        command
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--config")
            .arg(&config);
        if is_postgres(settings) {
            command
                .arg("--database-url")
                .arg(settings.database_url().expose());
        }
        command
            .args(["serve", "--load-samples", "--port", &port.to_string()])
            .env(
                "INTELLICV__SKILLS__VECTOR_CACHE_DIR",
                settings.skill_vector_cache_dir(),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("server.log"))
                    .context("creating the server log")?,
            ))
            .kill_on_drop(true);
        let child = command.spawn().context("starting the server")?;
        let url = format!("http://127.0.0.1:{port}");
        let mut server = Self {
            child,
            url,
            _dir: dir,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let http = intellicv_app::tls::http_client_builder()
            .build()
            .context("http client")?;
        let started = Instant::now();
        let ready = format!("{}/readyz", self.url);
        while started.elapsed() < Duration::from_secs(300) {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!(
                    "the server exited ({status}) before it was ready; see {}",
                    self._dir.path().join("server.log").display()
                );
            }
            if let Ok(r) = http.get(&ready).send().await
                && r.status().is_success()
            {
                eprintln!(
                    "server ready in {:.1} s at {}",
                    started.elapsed().as_secs_f64(),
                    self.url
                );
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        anyhow::bail!("the server was not ready after 300 s")
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

fn is_postgres(settings: &Settings) -> bool {
    settings.database_url().expose().starts_with("postgres")
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
