//! `intellicv reindex`: rebuild both indexes from the database into a new generation and
//! make it live atomically. Safe beside a running server, which switches to the new
//! generation at its next check.

use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use intellicv_app::components::Models;
use intellicv_app::config::Settings;
use intellicv_search::layout::IndexLayout;
use intellicv_search::{Collection, EngineSettings, sync};
use intellicv_store::Store;

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Embed every document again instead of reusing stored embeddings
    #[arg(long)]
    pub reembed: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: ReindexArgs, settings: Settings) -> anyhow::Result<()> {
    let store = Store::connect(&settings.database_url(), &settings.database).await?;
    store.migrate().await?;
    let models = Models::load(&settings).await?;
    let layout = IndexLayout::new(settings.index_dir());
    let engine_settings = EngineSettings {
        hnsw: settings.search.hnsw,
        result_cache_capacity: settings.search.result_cache_capacity,
    };
    let bars = MultiProgress::with_draw_target(if args.json {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    });
    let style =
        ProgressStyle::with_template("{prefix:>8} {bar:40} {pos}/{len} {per_sec} eta {eta}")
            .expect("valid template");
    let jobs = bars.add(
        ProgressBar::new(0)
            .with_style(style.clone())
            .with_prefix("jobs"),
    );
    let resumes = bars.add(ProgressBar::new(0).with_style(style).with_prefix("resumes"));
    let progress = |c: Collection, done: usize, total: usize| {
        let bar = match c {
            Collection::Jobs => &jobs,
            Collection::Resumes => &resumes,
        };
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    // Never opens the live generation: a server may be serving it (see `rebuild_beside`).
    let report = sync::rebuild_beside(
        &store,
        &layout,
        &models.embedder,
        engine_settings,
        args.reembed,
        &progress,
    )
    .await?;
    jobs.finish();
    resumes.finish();
    store.close().await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "generation {} is live ({:.1} s)",
            report.generation, report.seconds
        );
        println!(
            "{:<8} {:>9} {:>9} {:>9}",
            "", "documents", "embedded", "reused"
        );
        for (c, r) in &report.collections {
            println!(
                "{:<8} {:>9} {:>9} {:>9}",
                c.as_str(),
                r.documents,
                r.embedded,
                r.embeddings_reused
            );
        }
    }
    Ok(())
}
