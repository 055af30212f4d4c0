//! The state every request handler shares.

use std::ops::Deref;
use std::sync::Arc;

use intellicv_app::analytics::usage::UsageRecorder;
use intellicv_app::auth::AuthService;
use intellicv_app::config::Settings;
use intellicv_app::events::EventHub;
use intellicv_app::metrics::Metrics;
use intellicv_app::rate_limit::RateLimits;
use intellicv_search::SearchEngine;
use intellicv_search::embedder::Embedder;
use intellicv_skills::SkillExtractor;
use intellicv_store::Store;

#[derive(Clone)]
pub struct AppState(Arc<App>);

pub struct App {
    pub settings: Settings,
    pub store: Store,
    pub search: Arc<SearchEngine>,
    pub skills: Arc<SkillExtractor>,
    pub embedder: Arc<Embedder>,
    pub matcher: Arc<intellicv_app::matching::service::Matcher>,
    pub career: Arc<intellicv_app::career::CareerService>,
    pub generator: Arc<intellicv_app::ai::generate::Generator>,
    pub auth: AuthService,
    pub rate_limits: RateLimits,
    pub metrics: Metrics,
    /// Real-time events for the WebSocket endpoints.
    pub events: Arc<EventHub>,
    /// Usage events (searches, match requests), written off the request path.
    pub usage: Arc<UsageRecorder>,
    /// The background job queue (its workers run in `startup`).
    pub queue: Arc<intellicv_app::queue::Queue>,
    /// The document write services (store, index, events), shared with the queue's workers.
    pub documents: intellicv_app::documents::Services,
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self(Arc::new(app))
    }
}

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}
