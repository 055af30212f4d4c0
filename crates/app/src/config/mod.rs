//! Settings: defaults, then an optional TOML file, then `INTELLICV__...` environment
//! variables, then command-line flags (applied by the caller through [`Overrides`]).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use crate::auth::AuthSettings;
pub use crate::queue::QueueSettings;
pub use crate::rate_limit::{Quota, RateLimitSettings};
pub use crate::telemetry::{LogFormat, LogSettings};
pub use intellicv_core::{Secret, SecretUrl};
use intellicv_ingest::walk::{ImportRoots, ImportRootsError};
use intellicv_search::embedder::EmbedderConfig;
pub use intellicv_store::DatabaseSettings;

/// The prefix of every environment variable read as a setting, e.g. `INTELLICV__SERVER__PORT`.
pub const ENV_PREFIX: &str = "INTELLICV__";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Directory holding the SQLite file and the on-disk indexes.
    pub data_dir: PathBuf,
    /// Model files and the ESCO taxonomy, fetched by `scripts/fetch-models.sh`.
    pub models_dir: PathBuf,
    /// The repository's `data/` folder: sample documents, the ESCO preferred-label table and
    /// the curated technology skill list.
    pub assets_dir: PathBuf,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub search: SearchSettings,
    pub skills: SkillSettings,
    /// The match scoring model (see `MatchConfig`).
    pub matching: crate::matching::MatchConfig,
    pub auth: AuthSettings,
    pub rate_limit: RateLimitSettings,
    pub metrics: MetricsSettings,
    /// Usage recording and analytics answers (see `AnalyticsSettings`).
    pub analytics: crate::analytics::AnalyticsSettings,
    /// WebSocket events (see `RealtimeSettings`).
    pub realtime: crate::events::RealtimeSettings,
    pub queue: QueueSettings,
    /// Text generation (an optional OpenAI-compatible endpoint) and enrichment.
    pub ai: crate::ai::AiSettings,
    /// Career recommendations, pathways and coaching.
    pub career: crate::career::CareerSettings,
    /// Limits on text extraction from untrusted documents.
    pub extraction: intellicv_ingest::extract::ExtractionSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// Where the indexes live. Default: `./index` with the default data dir, else
    /// `<data_dir>/index`, so a data dir holds one database and its indexes.
    pub index_dir: Option<PathBuf>,
    pub embedding: EmbeddingSettings,
    pub hnsw: intellicv_search::HnswParams,
    /// Search result pages kept in the result cache (cleared by every write).
    pub result_cache_capacity: u64,
    /// How often the server checks that its indexes agree with the database (changes by
    /// other processes, such as `ingest`) and whether `reindex` made a new generation live.
    pub catch_up_interval_secs: u64,
}

/// Skill extraction beyond the gazetteer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkillSettings {
    /// Match the items of resume skills sections that no literal pattern names to their
    /// closest ESCO skill with the embedding model (at ingest), and sentences in
    /// `skills extract`.
    pub semantic: bool,
    /// Where the embedded ESCO labels are cached (built on first use, about 14k short
    /// embeddings). Default: `<data_dir>/cache`.
    pub vector_cache_dir: Option<PathBuf>,
}

impl Default for SkillSettings {
    fn default() -> Self {
        Self {
            semantic: true,
            vector_cache_dir: None,
        }
    }
}

/// The embedding model and how it runs (see `EmbedderConfig`); the model files are read
/// from `models_dir`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddingSettings {
    /// Directory name of the model under `models_dir`.
    pub model_name: String,
    pub max_length: usize,
    pub intra_threads: usize,
    pub pool_size: usize,
    pub batch_size: usize,
    pub batch_tokens: usize,
    pub query_cache_capacity: u64,
    /// Run the weight products on int8 kernels (default); `false`: in f32.
    pub int8_matmul: bool,
    /// Fuse attention blocks and GELUs into single nodes (exact; default on).
    pub fuse_graph: bool,
}

impl Default for SearchSettings {
    fn default() -> Self {
        Self {
            index_dir: None,
            embedding: EmbeddingSettings::default(),
            hnsw: intellicv_search::HnswParams::default(),
            result_cache_capacity: 10_000,
            catch_up_interval_secs: 5,
        }
    }
}

impl Default for EmbeddingSettings {
    fn default() -> Self {
        let defaults = EmbedderConfig::default();
        Self {
            model_name: defaults.model_name,
            max_length: defaults.max_length,
            intra_threads: defaults.intra_threads,
            pool_size: defaults.pool_size,
            batch_size: defaults.batch_size,
            batch_tokens: defaults.batch_tokens,
            query_cache_capacity: defaults.query_cache_capacity,
            int8_matmul: defaults.int8_matmul,
            fuse_graph: defaults.fuse_graph,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: IpAddr,
    pub port: u16,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Requests running longer than this are answered with 503.
    pub request_timeout_secs: u64,
    /// After a shutdown signal, in-flight requests get this long to finish.
    pub shutdown_grace_secs: u64,
}

/// Who may read `GET /metrics`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// `false`: `/metrics` answers 404.
    pub enabled: bool,
    /// Scrapes from a loopback address (the connection's, never a forwarded one) need no
    /// token.
    pub allow_loopback: bool,
    /// When set, a scrape with `Authorization: Bearer <token>` is allowed from anywhere.
    pub bearer_token: Option<Secret>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data/local"),
            models_dir: PathBuf::from("./models"),
            assets_dir: PathBuf::from("./data"),
            server: ServerSettings::default(),
            database: DatabaseSettings::default(),
            log: LogSettings::default(),
            search: SearchSettings::default(),
            skills: SkillSettings::default(),
            matching: crate::matching::MatchConfig::default(),
            auth: AuthSettings::default(),
            rate_limit: RateLimitSettings::default(),
            metrics: MetricsSettings::default(),
            analytics: Default::default(),
            realtime: Default::default(),
            queue: QueueSettings::default(),
            ai: crate::ai::AiSettings::default(),
            career: crate::career::CareerSettings::default(),
            extraction: Default::default(),
        }
    }
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            allow_loopback: true,
            bearer_token: None,
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            max_body_bytes: 16 * 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 30,
        }
    }
}

/// Values given on the command line; each one, when present, wins over every other source.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub bind: Option<IpAddr>,
    pub port: Option<u16>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
}

impl Settings {
    /// Layers defaults, `file` (if any), the environment and `overrides`, in that order.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::load_from_env(file, overrides, Env::prefixed(ENV_PREFIX).split("__"))
    }

    fn load_from_env(
        file: Option<&Path>,
        overrides: &Overrides,
        env: Env,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::MissingFile(path.to_owned()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(env);
        if let Some(dir) = &overrides.data_dir {
            figment = figment.merge(Serialized::default("data_dir", dir));
        }
        if let Some(url) = &overrides.database_url {
            figment = figment.merge(Serialized::default("database.url", url));
        }
        if let Some(bind) = overrides.bind {
            figment = figment.merge(Serialized::default("server.bind", bind));
        }
        if let Some(port) = overrides.port {
            figment = figment.merge(Serialized::default("server.port", port));
        }
        figment
            .extract()
            .map_err(|e| ConfigError::Invalid(Box::new(e)))
    }

    /// The database URL in force: the configured one, or the SQLite file in the data dir.
    pub fn database_url(&self) -> SecretUrl {
        match &self.database.url {
            Some(url) if !url.expose().trim().is_empty() => url.clone(),
            _ => SecretUrl::new(format!(
                "sqlite://{}",
                self.data_dir.join("intellicv.db").display()
            )),
        }
    }

    /// The index directory in force (see [`SearchSettings::index_dir`]).
    pub fn index_dir(&self) -> PathBuf {
        match &self.search.index_dir {
            Some(dir) => dir.clone(),
            None if self.data_dir == Settings::default().data_dir => PathBuf::from("./index"),
            None => self.data_dir.join("index"),
        }
    }

    /// The batch import roots, `queue.import_roots`, fenced off from the data dir, the index
    /// dir and the SQLite file's directory.
    pub fn import_roots(&self) -> Result<ImportRoots, ImportRootsError> {
        let mut protected = vec![self.data_dir.clone(), self.index_dir()];
        let url = self.database_url();
        if let Some(file) = url.expose().strip_prefix("sqlite://") {
            let file = file.split('?').next().unwrap_or(file);
            if let Some(dir) = Path::new(file).parent() {
                protected.push(dir.to_owned());
            }
        }
        ImportRoots::new(&self.queue.import_roots, &protected)
    }

    /// Where the embedded ESCO labels are cached (see [`SkillSettings::vector_cache_dir`]).
    pub fn skill_vector_cache_dir(&self) -> PathBuf {
        self.skills
            .vector_cache_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("cache"))
    }

    /// How to load the embedding model.
    pub fn embedder_config(&self) -> EmbedderConfig {
        let e = &self.search.embedding;
        EmbedderConfig {
            models_dir: self.models_dir.clone(),
            model_name: e.model_name.clone(),
            max_length: e.max_length,
            intra_threads: e.intra_threads,
            pool_size: e.pool_size,
            batch_size: e.batch_size,
            batch_tokens: e.batch_tokens,
            query_cache_capacity: e.query_cache_capacity,
            int8_matmul: e.int8_matmul,
            fuse_graph: e.fuse_graph,
        }
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.server.request_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.server.shutdown_grace_secs)
    }
}

#[cfg(test)]
mod doc_tests;

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn the_jwt_secret_is_redacted() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "INTELLICV__AUTH__JWT_SECRET",
                "a-very-secret-signing-key-of-32-bytes",
            );
            let s = Settings::load(None, &Overrides::default()).unwrap();
            let secret = s.auth.jwt_secret.as_ref().unwrap();
            assert_eq!(secret.expose(), "a-very-secret-signing-key-of-32-bytes");
            assert!(!format!("{s:?}").contains("very-secret"));
            Ok(())
        });
    }

    #[test]
    fn default_database_is_the_sqlite_file_in_the_data_dir() {
        let settings = Settings::load(None, &Overrides::default()).unwrap();
        assert_eq!(
            settings.database_url().expose(),
            "sqlite://./data/local/intellicv.db"
        );
    }

    #[test]
    fn file_then_env_then_flags_take_precedence_in_that_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "intellicv.toml",
                "data_dir = \"/from/file\"\n[server]\nport = 1111\nbind = \"0.0.0.0\"\n",
            )?;
            jail.set_env("INTELLICV__SERVER__PORT", "2222");
            jail.set_env("INTELLICV__DATABASE__MAX_CONNECTIONS", "3");
            let overrides = Overrides {
                port: None,
                ..Overrides::default()
            };
            let s = Settings::load(Some(Path::new("intellicv.toml")), &overrides).unwrap();
            assert_eq!(s.server.port, 2222, "env beats file");
            assert_eq!(s.server.bind.to_string(), "0.0.0.0", "file beats default");
            assert_eq!(s.data_dir, PathBuf::from("/from/file"));
            assert_eq!(s.database.max_connections, 3);

            let overrides = Overrides {
                port: Some(3333),
                data_dir: Some("/from/flag".into()),
                ..Overrides::default()
            };
            let s = Settings::load(Some(Path::new("intellicv.toml")), &overrides).unwrap();
            assert_eq!(s.server.port, 3333, "flag beats env");
            assert_eq!(s.data_dir, PathBuf::from("/from/flag"));
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_missing_files_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "[server]\nprot = 1\n")?;
            let err = Settings::load(Some(Path::new("bad.toml")), &Overrides::default());
            assert!(matches!(err, Err(ConfigError::Invalid(_))));
            let err = Settings::load(Some(Path::new("missing.toml")), &Overrides::default());
            assert!(matches!(err, Err(ConfigError::MissingFile(_))));
            Ok(())
        });
    }
}
