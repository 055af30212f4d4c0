use std::net::IpAddr;

use clap::Args;

use crate::startup::Application;
use intellicv_app::config::Settings;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1]
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<IpAddr>,
    /// Port to listen on; 0 picks a free one [default: 8080]
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Load the sample resumes and job postings (data/samples) when the database is empty
    #[arg(long)]
    pub load_samples: bool,
}

pub async fn run(args: &ServeArgs, settings: Settings) -> anyhow::Result<()> {
    tracing::info!(
        database.url = %settings.database_url().redacted(),
        settings = ?settings,
        "effective settings"
    );
    let app = Application::build(settings).await?;
    if args.load_samples {
        load_samples_if_empty(&app).await?;
    }
    app.run_until_stopped().await?;
    Ok(())
}

async fn load_samples_if_empty(app: &Application) -> anyhow::Result<()> {
    let state = app.state();
    let store = &state.store;
    if store.count_resumes().await? > 0 || store.count_jobs().await? > 0 {
        tracing::info!("database has documents, samples not loaded");
        return Ok(());
    }
    let (job_files, resume_dir) =
        intellicv_app::ingest::samples::sample_paths(&state.settings.assets_dir);
    let mapping = intellicv_ingest::jobs::CsvMapping::draft_names();
    let services = &state.documents;
    let writer = services.writer();
    let jobs =
        super::ingest::import_job_files(&writer, &job_files, Some("sample"), &mapping).await?;
    let resumes = super::ingest::import_resumes_with(&writer, &[resume_dir]).await?;
    tracing::info!(
        jobs.stored = jobs.iter().map(|r| r.inserted).sum::<usize>(),
        resumes.stored = resumes.stored,
        resumes.failed = resumes.failed,
        "sample data loaded"
    );
    Ok(())
}
