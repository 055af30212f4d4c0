//! `intellicv eval <what>`: quality measurements over labelled data.

use clap::Subcommand;

use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Precision@10 and nDCG@10 of same-category neighbours for similar candidates
    Similar(super::eval_similar::SimilarArgs),
}

pub async fn run(command: EvalCommand, settings: Settings) -> anyhow::Result<()> {
    match command {
        EvalCommand::Similar(args) => super::eval_similar::run(args, settings).await,
    }
}
