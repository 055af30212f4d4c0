//! IntelliCV's services, shared by the HTTP server and the CLI: documents (the one write
//! path), the queue and its workers, events, portal, analytics, career, ai, auth,
//! transfer, settings (`config`) and the models and engines built at start
//! (`components`).

pub mod ai;
pub mod analytics;
pub mod auth;
pub mod career;
pub mod components;
pub mod config;
pub mod documents;
pub mod events;
pub mod ingest;
pub mod matching;
pub mod metrics;
pub mod portal;
pub mod queue;
pub mod rate_limit;
pub mod telemetry;
pub mod tls;
pub mod transfer;
