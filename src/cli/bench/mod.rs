//! `intellicv bench <what>`: measurements over real files, printed as a table or JSON.

mod parse;

use clap::Subcommand;

use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Resumes/second for PDF → profile, compared with pdftotext on the same files
    Parse(parse::ParseBenchArgs),
}

pub async fn run(command: BenchCommand, settings: Settings) -> anyhow::Result<()> {
    match command {
        BenchCommand::Parse(args) => parse::run(args, settings).await,
    }
}
