//! The command line: `intellicv <command>`. Every command shares the global options and
//! the layered settings; each one calls the same core functions as the HTTP API.

pub mod ingest;
pub mod labels;
mod matching;
mod migrate;
mod parse;
mod reindex;
mod search;
mod serve;
mod skills;
mod users;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use intellicv_app::config::{ConfigError, Overrides, Settings};

#[derive(Debug, Parser)]
#[command(name = "intellicv", version, about = "Resume and job matching service", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The options every command of `intellicv` and `intellicv-lab` takes.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Directory for the SQLite file and the indexes [default: ./data/local]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: the SQLite file in the data dir]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// TOML settings file (settings: defaults < file < INTELLICV__* env vars < flags)
    #[arg(long, global = true, value_name = "FILE", env = "INTELLICV_CONFIG")]
    pub config: Option<PathBuf>,
}

impl GlobalArgs {
    /// The overrides these options make to the layered settings.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            ..Overrides::default()
        }
    }

    /// The settings in force with these options and no others.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        Settings::load(self.config.as_deref(), &self.overrides())
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API
    Serve(serve::ServeArgs),
    /// Apply pending database migrations and exit
    Migrate,
    /// Manage user accounts
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Parse resumes and print their profiles, storing nothing
    Parse(parse::ParseArgs),
    /// Store documents in bulk
    #[command(subcommand)]
    Ingest(ingest::IngestCommand),
    /// Work with the skills taxonomy
    #[command(subcommand)]
    Skills(skills::SkillsCommand),
    /// Two-way matching with explanations
    #[command(subcommand)]
    Match(matching::MatchCommand),
    /// Hybrid search over the indexes
    #[command(subcommand)]
    Search(search::SearchCommand),
    /// Rebuild the indexes from the database into a new generation and swap it in
    Reindex(reindex::ReindexArgs),
}

impl Cli {
    /// The settings in force for this invocation.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let mut overrides = self.global.overrides();
        if let Command::Serve(args) = &self.command {
            overrides.bind = args.bind;
            overrides.port = args.port;
        }
        Settings::load(self.global.config.as_deref(), &overrides)
    }

    pub async fn run(self, settings: Settings) -> anyhow::Result<()> {
        settings.extraction.install();
        match self.command {
            Command::Serve(args) => serve::run(&args, settings).await,
            Command::Migrate => migrate::run(settings).await,
            Command::Users(command) => users::run(command, settings).await,
            Command::Parse(args) => parse::run(args, settings).await,
            Command::Ingest(command) => ingest::run(command, settings).await,
            Command::Skills(command) => skills::run(command, settings).await,
            Command::Match(command) => matching::run(command, settings).await,
            Command::Search(command) => search::run(command, settings).await,
            Command::Reindex(args) => reindex::run(args, settings).await,
        }
    }
}

/// Loads the skills taxonomy and builds the gazetteer, off the async runtime.
pub async fn load_skill_extractor(
    settings: &Settings,
) -> anyhow::Result<std::sync::Arc<intellicv_skills::SkillExtractor>> {
    let (models, assets) = (settings.models_dir.clone(), settings.assets_dir.clone());
    intellicv_app::telemetry::spawn_blocking_with_span(move || {
        let taxonomy = intellicv_skills::Taxonomy::load(&models, &assets)?;
        let extractor = intellicv_skills::SkillExtractor::new(&taxonomy)?;
        Ok(std::sync::Arc::new(extractor))
    })
    .await?
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn every_command_has_help_and_the_definition_is_consistent() {
        Cli::command().debug_assert();
        for sub in Cli::command().get_subcommands() {
            assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
        }
    }
}
