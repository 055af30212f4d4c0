//! Builds the application (store, migrations, router) and binds its port, so tests can
//! start the real thing on port 0.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::api;
use crate::state::{App, AppState};
use intellicv_app::ai::generate::Generator;
use intellicv_app::ai::generate::llm::LlmClient;
use intellicv_app::analytics::usage::UsageRecorder;
use intellicv_app::auth::AuthService;
use intellicv_app::career::CareerService;
use intellicv_app::components::{Models, keep_indexes_current, open_search_engine};
use intellicv_app::config::Settings;
use intellicv_app::documents;
use intellicv_app::events::EventHub;
use intellicv_app::events::matches::PostingAnnouncer;
use intellicv_app::matching::service::Matcher;
use intellicv_app::metrics::Metrics;
use intellicv_app::queue::{Queue, WorkerContext, Workers};
use intellicv_app::rate_limit::RateLimits;
use intellicv_store::Store;

pub struct Application {
    listener: TcpListener,
    state: AppState,
    local_addr: SocketAddr,
}

impl Application {
    /// Loads the models, connects the store, applies migrations (unless disabled), opens
    /// the indexes (healing damaged ones), and binds the listener. The indexes catch up
    /// with the database in the background once the server runs.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let models = Models::load(&settings).await?;
        Self::build_with(settings, models).await
    }

    /// [`Application::build`] with models loaded already (tests share one copy).
    pub async fn build_with(settings: Settings, models: Models) -> anyhow::Result<Self> {
        let import_roots = settings.import_roots()?;
        let url = settings.database_url();
        intellicv_store::create_private_dir(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
        let store = Store::connect(&url, &settings.database)
            .await
            .with_context(|| format!("cannot open database {}", url.redacted()))?;
        if settings.database.migrate_on_start {
            let applied = store.migrate().await.context("cannot apply migrations")?;
            tracing::info!(migrations.applied = applied, database.backend = ?store.backend(), "database ready");
        }
        // Not caught up here: the port opens at once and the catch-up runs in the
        // background (`run_until`), with `/readyz` at 503 `catching_up` meanwhile.
        let search = open_search_engine(&settings, &models).await?;
        let matcher = Arc::new(Matcher::new(
            store.clone(),
            search.clone(),
            settings.matching.clone(),
        ));
        matcher
            .refresh_rarity()
            .await
            .context("cannot count how often postings ask for each skill")?;
        let career = Arc::new(CareerService::new(
            store.clone(),
            matcher.clone(),
            models.occupations.clone(),
            models.embedder.clone(),
            settings.career.clone(),
        ));
        let llm = LlmClient::from_settings(&settings.ai).map_err(|e| anyhow::anyhow!(e))?;
        let generator = Arc::new(Generator::new(
            store.clone(),
            matcher.clone(),
            models.skills.clone(),
            llm,
        ));
        let auth = AuthService::new(&settings.auth, &settings.data_dir)
            .context("cannot set up authentication")?;
        // Secrets met later are sealed when read, so a failure here is not fatal.
        if let Err(e) = intellicv_app::auth::totp::seal_legacy_secrets(&auth, &store).await {
            tracing::warn!(error = %e, "cannot seal legacy plaintext totp secrets now");
        }
        let addr = SocketAddr::new(settings.server.bind, settings.server.port);
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local_addr = listener.local_addr()?;
        let metrics = Metrics::new(search.clone()).context("cannot set up metrics")?;
        let rate_limits = RateLimits::new(&settings.rate_limit);
        let events = EventHub::new(&settings.realtime);
        events
            .register_metrics(metrics.registry())
            .context("cannot set up event metrics")?;
        let usage = UsageRecorder::start(store.clone(), &settings.analytics);
        usage
            .register_metrics(metrics.registry())
            .context("cannot set up usage metrics")?;
        let queue = Arc::new(Queue::new(settings.queue.clone()).with_import_roots(import_roots));
        queue.observe(events.clone());
        let postings = Arc::new(PostingAnnouncer {
            hub: events.clone(),
            store: store.clone(),
            matcher: matcher.clone(),
            settings: settings.realtime.clone(),
        });
        let documents = documents::Services {
            store: store.clone(),
            engine: search.clone(),
            skills: models.skills.clone(),
            events: Some(events.clone()),
            postings: Some(postings),
        };
        let state = AppState::new(App {
            documents,
            events,
            usage,
            queue,
            rate_limits,
            metrics,
            settings,
            store,
            matcher,
            career,
            generator,
            search,
            skills: models.skills,
            embedder: models.embedder,
            auth,
        });
        Ok(Self {
            listener,
            state,
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `signal` completes, then stops accepting connections and lets in-flight
    /// requests finish for up to `server.shutdown_grace_secs`.
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let grace = self.state.settings.shutdown_grace();
        let store = self.state.store.clone();
        let keeper = tokio::spawn(keep_indexes_current(
            store.clone(),
            self.state.search.clone(),
            Duration::from_secs(self.state.settings.search.catch_up_interval_secs.max(1)),
        ));
        let search = self.state.search.clone();
        let (events, usage) = (self.state.events.clone(), self.state.usage.clone());
        let workers = Workers::spawn(&WorkerContext {
            queue: self.state.queue.clone(),
            documents: self.state.documents.clone(),
            metrics: self.state.metrics.clone(),
        });
        let router = api::router(self.state);
        let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
        let signal = async move {
            signal.await;
            tracing::info!("shutdown requested, draining in-flight requests");
            let _ = stopping_tx.send(true);
        };
        tracing::info!(addr = %self.local_addr, "listening");
        let server = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .into_future();
        let deadline = async move {
            let _ = stopping_rx.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        let result = tokio::select! {
            result = server => result,
            () = deadline => {
                tracing::warn!(grace_secs = grace.as_secs(), "grace period over, closing remaining connections");
                Ok(())
            }
        };
        keeper.abort();
        workers.stop(&store).await;
        events.close_all();
        usage.shutdown().await;
        let saved = intellicv_app::telemetry::spawn_blocking_with_span(move || {
            search.generation().save_vectors()
        })
        .await;
        if let Ok(Err(error)) = saved {
            tracing::warn!(%error, "cannot save the vector indexes; they are rebuilt from stored embeddings at next start");
        }
        store.close().await;
        tracing::info!("stopped");
        result
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for sigterm");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
