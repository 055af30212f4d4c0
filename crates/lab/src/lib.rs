//! `intellicv-lab`: measurements of IntelliCV beside the server, not inside it. `eval`
//! scores extraction, similar-resume search and matching against labelled data and tunes
//! their weights; `bench` measures parsing, search (against a PostgreSQL baseline) and the
//! HTTP API under load. Both read the same settings and options as `intellicv`.

pub mod agreement;
pub mod bench;
pub mod eval;
pub mod match_tuning;
pub mod measure;
pub mod rerank;
pub mod similar;
pub mod skill_eval;

use clap::{Parser, Subcommand};
use intellicv::cli::GlobalArgs;
use intellicv_app::config::Settings;

#[derive(Debug, Parser)]
#[command(name = "intellicv-lab", version, about = "Evaluation and benchmarks of IntelliCV", long_about = None)]
pub struct LabCli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: LabCommand,
}

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Measure quality on labelled data
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Measure speed and quality on real files
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

pub async fn run(command: LabCommand, settings: Settings) -> anyhow::Result<()> {
    settings.extraction.install();
    match command {
        LabCommand::Eval(command) => eval::run(command, settings).await,
        LabCommand::Bench(command) => bench::run(command, settings).await,
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::LabCli;

    #[test]
    fn every_command_has_help_and_the_definition_is_consistent() {
        LabCli::command().debug_assert();
        for sub in LabCli::command().get_subcommands() {
            assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
        }
    }
}
