//! The heavy parts a process loads once and shares: the skills gazetteer, the embedding
//! model and the search engine over them.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::career::occupations::OccupationCatalog;
use crate::config::Settings;
use crate::search::embedder::Embedder;
use crate::search::layout::IndexLayout;
use crate::search::{EngineSettings, SearchEngine, sync};
use crate::skills::semantic::{SemanticConfig, SemanticMatcher, SkillVectors};
use crate::skills::{SkillExtractor, Taxonomy};
use crate::store::Store;
use crate::telemetry::spawn_blocking_with_span;

/// The loaded models. Cheap to clone.
#[derive(Clone)]
pub struct Models {
    pub skills: Arc<SkillExtractor>,
    pub embedder: Arc<Embedder>,
    /// ESCO occupations with their derived skills (label vectors built on first use).
    pub occupations: Arc<OccupationCatalog>,
}

impl Models {
    /// Loads the taxonomy (building the gazetteer) and the embedding model side by side,
    /// off the async runtime, then (with `skills.semantic`) the embedded ESCO labels for
    /// semantic skill matching, from their cache or embedded once. Missing or corrupt model
    /// files are an error naming the file and the command that fetches it.
    pub async fn load(settings: &Settings) -> anyhow::Result<Self> {
        let (models, assets) = (settings.models_dir.clone(), settings.assets_dir.clone());
        let skills = spawn_blocking_with_span(move || -> anyhow::Result<_> {
            let taxonomy = Taxonomy::load(&models, &assets)?;
            let extractor = SkillExtractor::new(&taxonomy)?;
            Ok((taxonomy, extractor))
        });
        let config = settings.embedder_config();
        let embedder = spawn_blocking_with_span(move || Embedder::load(&config).map(Arc::new));
        let (skills, embedder) = tokio::join!(skills, embedder);
        let (taxonomy, extractor) = skills?.context("cannot load the skills taxonomy")?;
        let embedder = embedder?.context("cannot load the embedding model")?;
        let (cache_dir, embedder2) = (settings.skill_vector_cache_dir(), embedder.clone());
        let (taxonomy, extractor, occupations) = spawn_blocking_with_span(move || {
            let catalog = OccupationCatalog::build(&taxonomy, &extractor, embedder2, &cache_dir);
            (taxonomy, extractor, Arc::new(catalog))
        })
        .await?;
        let skills = if settings.skills.semantic {
            let (cache_dir, embedder) = (settings.skill_vector_cache_dir(), embedder.clone());
            spawn_blocking_with_span(move || -> anyhow::Result<_> {
                let config = SemanticConfig::default();
                let vectors =
                    SkillVectors::load_or_build(&embedder, &taxonomy, config.views, &cache_dir)
                        .context("cannot build the ESCO label vectors")?;
                let matcher = SemanticMatcher::new(embedder, Arc::new(vectors), config);
                Ok(extractor.with_semantic(matcher))
            })
            .await??
        } else {
            extractor
        };
        Ok(Self {
            skills: Arc::new(skills),
            embedder,
            occupations,
        })
    }
}

/// Opens the search engine on the index directory and catches it up with the database.
pub async fn open_search(
    settings: &Settings,
    models: &Models,
    store: &Store,
) -> anyhow::Result<Arc<SearchEngine>> {
    let layout = IndexLayout::new(settings.index_dir());
    let engine_settings = EngineSettings {
        hnsw: settings.search.hnsw,
        result_cache_capacity: settings.search.result_cache_capacity,
    };
    let (embedder, skills) = (models.embedder.clone(), models.skills.clone());
    let engine = spawn_blocking_with_span(move || {
        SearchEngine::open(layout, embedder, Some(skills), engine_settings)
    })
    .await?
    .with_context(|| {
        format!(
            "cannot open the indexes in {}",
            settings.index_dir().display()
        )
    })?;
    let engine = Arc::new(engine);
    sync::catch_up_all(store, &engine)
        .await
        .context("cannot bring the indexes up to date with the database")?;
    Ok(engine)
}

/// Keeps a server's indexes current: every `interval`, serves a generation that `reindex`
/// made live, and catches up with changes other processes made to the database.
pub async fn keep_indexes_current(store: Store, engine: Arc<SearchEngine>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        if let Err(error) = follow_generation(&store, &engine).await {
            tracing::warn!(%error, "cannot switch to the new index generation, will retry");
        }
        if let Err(error) = sync::catch_up_all(&store, &engine).await {
            tracing::warn!(%error, "index catch-up failed, will retry");
        }
    }
}

async fn follow_generation(store: &Store, engine: &Arc<SearchEngine>) -> anyhow::Result<()> {
    let Some(current) = engine.layout().current()? else {
        return Ok(());
    };
    if current == engine.generation().dir {
        return Ok(());
    }
    let (dim, params) = (engine.embedder().dimension(), engine.settings().hnsw);
    let dir = current.clone();
    let generation =
        spawn_blocking_with_span(move || crate::search::Generation::open(&dir, dim, params))
            .await??;
    let generation = Arc::new(generation);
    for c in crate::search::Collection::ALL {
        sync::catch_up(store, engine, &generation, c).await?;
    }
    let generation = Arc::try_unwrap(generation)
        .map_err(|_| anyhow::anyhow!("the new generation is still borrowed"))?;
    engine.swap(generation);
    tracing::info!(generation = %current.display(), "serving the rebuilt index generation");
    Ok(())
}
