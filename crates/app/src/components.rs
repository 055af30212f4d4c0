//! The heavy parts a process loads once and shares: the skills gazetteer, the embedding
//! model and the search engine over them.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::career::occupations::OccupationCatalog;
use crate::config::Settings;
use crate::telemetry::spawn_blocking_with_span;
use intellicv_search::embedder::Embedder;
use intellicv_search::layout::IndexLayout;
use intellicv_search::{EngineSettings, SearchEngine, sync};
use intellicv_skills::semantic::{SemanticConfig, SemanticMatcher, SkillVectors};
use intellicv_skills::{SkillExtractor, Taxonomy};
use intellicv_store::Store;

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

/// Opens the search engine on the index directory (healing a damaged live generation and
/// removing unused ones, see [`SearchEngine::open`]), without catching it up.
pub async fn open_search_engine(
    settings: &Settings,
    models: &Models,
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
    .await?;
    match engine {
        Ok(engine) => Ok(Arc::new(engine)),
        Err(e) if e.is_lock_busy() => Err(IndexesInUse {
            dir: settings.index_dir(),
        }
        .into()),
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "cannot open the indexes in {}",
            settings.index_dir().display()
        ))),
    }
}

/// The indexes are open for writing in another process, normally a running server
/// (tantivy admits one writer per index).
#[derive(Debug, thiserror::Error)]
#[error(
    "the indexes in {} are in use by another process (a running server?); while a \
     server runs, use its HTTP API",
    dir.display()
)]
pub struct IndexesInUse {
    pub dir: std::path::PathBuf,
}

/// Opens the search engine on the index directory and catches it up with the database
/// (for commands that need the indexes complete before they go on).
pub async fn open_search(
    settings: &Settings,
    models: &Models,
    store: &Store,
) -> anyhow::Result<Arc<SearchEngine>> {
    let engine = open_search_engine(settings, models).await?;
    catch_up_healing(store, &engine)
        .await
        .context("cannot bring the indexes up to date with the database")?;
    engine.set_ready();
    Ok(engine)
}

/// Keeps a server's indexes current: at once, then every `interval`, serves a generation
/// that `reindex` made live, verifies the live text indexes' checksums, and catches up
/// with changes other processes made to the database. A damaged index is rebuilt from the
/// database into a new generation. The engine is ready after the first catch-up.
pub async fn keep_indexes_current(store: Store, engine: Arc<SearchEngine>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await; // the first tick is immediate
        if let Err(error) = follow_generation(&store, &engine).await {
            tracing::warn!(error = %format!("{error:#}"), "cannot switch to the new index generation, will retry");
        }
        match catch_up_healing(&store, &engine).await {
            Ok(()) => engine.set_ready(),
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "index catch-up failed, will retry");
            }
        }
        remove_unused_generations(&engine).await;
    }
}

/// Verifies the live generation and catches it up; when it is damaged (before or during
/// the catch-up), rebuilds it from the database into a new generation and serves that.
async fn catch_up_healing(store: &Store, engine: &Arc<SearchEngine>) -> anyhow::Result<()> {
    let live = engine.generation();
    let verified = spawn_blocking_with_span(move || live.verify()).await?;
    let damage = match verified {
        Err(error) if error.is_corruption() => error.to_string(),
        Err(error) => return Err(error.into()),
        Ok(()) => match sync::catch_up_all(store, engine).await {
            Ok(_) => return Ok(()),
            Err(error) if error.is_corruption() => error.to_string(),
            Err(error) => return Err(error.into()),
        },
    };
    heal(store, engine, &damage).await
}

/// Rebuilds the indexes from the database into a new generation and serves it.
async fn heal(store: &Store, engine: &Arc<SearchEngine>, damage: &str) -> anyhow::Result<()> {
    let damaged = engine.generation().dir.clone();
    tracing::warn!(generation = %damaged.display(), error = %damage, "index generation is damaged, rebuilding it from the database");
    let report = sync::rebuild(store, engine, false, &|_, _, _| {})
        .await
        .context("cannot rebuild the damaged index")?;
    tracing::info!(
        generation = %report.generation,
        duration_ms = report.seconds * 1e3,
        "damaged index rebuilt from the database"
    );
    Ok(())
}

/// Switches to the generation `CURRENT` names when it is not the one served (`reindex`
/// made a new one live). One that is damaged is rebuilt from the database instead.
async fn follow_generation(store: &Store, engine: &Arc<SearchEngine>) -> anyhow::Result<()> {
    let current = match engine.layout().current() {
        Ok(Some(current)) => current,
        Ok(None) => return Ok(()),
        Err(error) if error.is_corruption() => {
            return heal(store, engine, &error.to_string()).await;
        }
        Err(error) => return Err(error.into()),
    };
    if current == engine.generation().dir {
        return Ok(());
    }
    let (dim, params) = (engine.embedder().dimension(), engine.settings().hnsw);
    let dir = current.clone();
    let opened =
        spawn_blocking_with_span(move || intellicv_search::Generation::open(&dir, dim, params))
            .await?;
    let generation = match opened {
        Ok(generation) => Arc::new(generation),
        Err(error) if error.is_corruption() => {
            return heal(store, engine, &error.to_string()).await;
        }
        Err(error) => return Err(error.into()),
    };
    for c in intellicv_search::Collection::ALL {
        sync::catch_up(store, engine, &generation, c).await?;
    }
    let generation = Arc::try_unwrap(generation)
        .map_err(|_| anyhow::anyhow!("the new generation is still borrowed"))?;
    engine.swap(generation);
    tracing::info!(generation = %current.display(), "serving the rebuilt index generation");
    Ok(())
}

/// Removes generations nobody uses any more (the one served before a switch, once
/// in-flight requests let go of it; half-built ones a killed `reindex` left).
async fn remove_unused_generations(engine: &Arc<SearchEngine>) {
    let layout = engine.layout().clone();
    let removed = spawn_blocking_with_span(move || layout.remove_unused_generations()).await;
    if let Ok(Err(error)) = removed {
        tracing::warn!(%error, "cannot remove unused index generations");
    }
}
