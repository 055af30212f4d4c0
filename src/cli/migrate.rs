use intellicv_app::config::Settings;
use intellicv_store::Store;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let url = settings.database_url();
    let store = Store::connect(&url, &settings.database).await?;
    let applied = store.migrate().await?;
    store.check_ready().await?;
    println!(
        "database {} is up to date ({applied} migration(s) applied now)",
        url.redacted()
    );
    store.close().await;
    Ok(())
}
