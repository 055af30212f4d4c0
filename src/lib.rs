//! IntelliCV: resume and job matching service.

pub mod ai;
pub mod analytics;
pub mod api;
pub mod auth;
pub mod career;
pub mod cli;
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
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tls;
pub mod transfer;
