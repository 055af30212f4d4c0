//! Tracing setup. Logs go to stderr, so command output on stdout stays machine-readable.
//! Logs are structured: lowercase messages, dotted field names with units.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

use serde::{Deserialize, Serialize};

/// Installs the global subscriber. `RUST_LOG`, when set, overrides the configured filter.
/// Calling it twice is harmless (the second call does nothing), which tests rely on.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match settings.format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                fmt::layer()
                    .with_target(false)
                    .with_ansi(ansi)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}

pub use intellicv_core::spawn_blocking_with_span;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// An `EnvFilter` directive such as `info` or `intellicv=debug,tower_http=info`.
    /// `RUST_LOG`, when set, wins.
    pub filter: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            filter: "info,hnsw_rs=warn".into(),
            format: LogFormat::Pretty,
        }
    }
}
