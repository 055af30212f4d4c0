//! `intellicv-lab bench <what>`: measurements over real files, printed as a table or JSON.

mod api;
mod parse;
mod search;

use clap::Subcommand;

use intellicv_app::config::Settings;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Resumes/second for PDF → profile, compared with pdftotext on the same files
    Parse(parse::ParseBenchArgs),
    /// Index build, query latency and throughput, ANN recall and memory of the search
    /// engine, side by side with PostgreSQL full-text search + pgvector
    Search(search::SearchBenchArgs),
    /// HTTP load test: simulated users log in, search, match, upload and apply for a
    /// minute; throughput and p50/p99 latency per route
    Api(api::ApiBenchArgs),
}

pub async fn run(command: BenchCommand, settings: Settings) -> anyhow::Result<()> {
    match command {
        BenchCommand::Parse(args) => parse::run(args, settings).await,
        BenchCommand::Search(args) => search::run(args, settings).await,
        BenchCommand::Api(args) => api::run(args, settings).await,
    }
}
