use std::net::IpAddr;

use clap::Args;

use crate::config::Settings;
use crate::startup::Application;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1]
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<IpAddr>,
    /// Port to listen on; 0 picks a free one [default: 8080]
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
}

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    tracing::info!(
        database.url = %settings.database_url().redacted(),
        settings = ?settings,
        "effective settings"
    );
    let app = Application::build(settings).await?;
    app.run_until_stopped().await?;
    Ok(())
}
