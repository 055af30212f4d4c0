//! The `intellicv-lab` binary: see the library for its commands.

use std::process::ExitCode;

use clap::Parser;
use intellicv_lab::{LabCli, run};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = LabCli::parse();
    let settings = match cli.global.settings() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    intellicv_app::telemetry::init(&settings.log);
    match run(cli.command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "command failed");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
