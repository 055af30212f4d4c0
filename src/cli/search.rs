//! `intellicv search jobs|resumes QUERY`: the engine's hybrid search from the shell.

use std::collections::HashMap;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;

use intellicv_app::components::{Models, open_search};
use intellicv_app::config::Settings;
use intellicv_search::{
    Collection, FacetCount, FacetField, Fusion, GeoRadius, SearchFilters, SearchHit, SearchRequest,
};
use intellicv_skills::SkillExtractor;
use intellicv_store::Store;

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Search job postings
    Jobs(SearchArgs),
    /// Search resumes
    Resumes(SearchArgs),
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Free text; empty lists everything that passes the filters, newest first
    pub query: String,
    /// Filters as KEY=VALUE: location=PLACE, near=LAT,LON,KM, remote=remote|hybrid|onsite,
    /// type=full_time|part_time|contract|..., seniority=junior|mid|senior|...,
    /// category=NAME, salary_min=N, salary_max=N (yearly), posted_within=DAYS,
    /// skills=NAME[;NAME] (all), any_skill=NAME[;NAME], min_years=N
    #[arg(long = "filter", short = 'f', value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Weighted fusion: 0 = lexical only, 1 = vector only
    #[arg(long, conflicts_with = "rrf")]
    pub semantic_ratio: Option<f32>,
    /// Reciprocal rank fusion (the default)
    #[arg(long)]
    pub rrf: bool,
    /// The k of reciprocal rank fusion
    #[arg(long, default_value_t = intellicv_search::fusion::DEFAULT_RRF_K)]
    pub rrf_k: f32,
    /// Facets to count: remote_mode, employment_type, seniority, category, skills
    #[arg(long = "facet", value_name = "FIELD")]
    pub facets: Vec<String>,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// One result as printed.
#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    title: String,
    subtitle: String,
    #[serde(flatten)]
    hit: SearchHit,
}

#[derive(Debug, Serialize)]
struct Output {
    collection: Collection,
    total: usize,
    took_ms: f64,
    hits: Vec<Row>,
    facets: std::collections::BTreeMap<String, Vec<FacetCount>>,
}

pub async fn run(command: SearchCommand, settings: Settings) -> anyhow::Result<()> {
    let (collection, args) = match command {
        SearchCommand::Jobs(args) => (Collection::Jobs, args),
        SearchCommand::Resumes(args) => (Collection::Resumes, args),
    };
    let store = Store::connect(&settings.database_url(), &settings.database).await?;
    store.migrate().await?;
    let models = Models::load(&settings).await?;
    let request = build_request(&args, &models.skills)?;
    let engine = open_search(&settings, &models, &store).await?;
    let response = {
        let engine = engine.clone();
        let request = request.clone();
        intellicv_app::telemetry::spawn_blocking_with_span(move || {
            engine.search(collection, &request)
        })
        .await??
    };
    let labels = labels(&store, collection, &response.hits).await?;
    let output = Output {
        collection,
        total: response.total,
        took_ms: response.took_ms,
        facets: response.facets,
        hits: response
            .hits
            .into_iter()
            .map(|hit| {
                let (title, subtitle) = labels.get(&hit.id).cloned().unwrap_or_default();
                Row {
                    id: hit.id,
                    title,
                    subtitle,
                    hit,
                }
            })
            .collect(),
    };
    store.close().await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&output)?);
    } else {
        print_table(&output);
    }
    Ok(())
}

/// Title and a second line (company and place, or file name) of each hit.
async fn labels(
    store: &Store,
    c: Collection,
    hits: &[SearchHit],
) -> anyhow::Result<HashMap<i64, (String, String)>> {
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    let mut out = HashMap::new();
    match c {
        Collection::Jobs => {
            for job in store.job_summaries(&ids).await? {
                let place = [job.company.as_deref(), job.location.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                out.insert(job.id, (job.title, place));
            }
        }
        Collection::Resumes => {
            for resume in store.resume_summaries(&ids).await? {
                out.insert(
                    resume.id,
                    (resume.headline.unwrap_or_default(), resume.source_filename),
                );
            }
        }
    }
    Ok(out)
}

fn print_table(output: &Output) {
    println!(
        "{} {} of {} in {:.1} ms",
        output.hits.len(),
        output.collection.as_str(),
        output.total,
        output.took_ms
    );
    println!("{:>4}  {:>7}  {:>6}  title", "rank", "id", "score");
    for (i, row) in output.hits.iter().enumerate() {
        println!(
            "{:>4}  {:>7}  {:>6.3}  {}",
            i + 1,
            row.id,
            row.hit.score,
            row.title
        );
        if !row.subtitle.is_empty() {
            println!("{:>23}{}", "", row.subtitle);
        }
    }
    for (field, counts) in &output.facets {
        let shown: Vec<String> = counts
            .iter()
            .map(|c| format!("{} ({})", c.value, c.count))
            .collect();
        println!("{field}: {}", shown.join(", "));
    }
}

/// Builds the request from the command line, naming the offending option on error.
fn build_request(args: &SearchArgs, skills: &SkillExtractor) -> anyhow::Result<SearchRequest> {
    let fusion = match args.semantic_ratio {
        Some(semantic_ratio) => Fusion::Weighted { semantic_ratio },
        None => Fusion::Rrf {
            k: args.rrf_k,
            lexical_weight: 1.0,
            vector_weight: 1.0,
        },
    };
    let facets = args
        .facets
        .iter()
        .map(|f| {
            serde_json::from_value::<FacetField>(serde_json::Value::String(f.clone()))
                .with_context(|| format!("unknown facet {f:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let filters = parse_filters(&args.filters, skills)?;
    let request = SearchRequest {
        query: args.query.clone(),
        filters,
        fusion,
        facets,
        offset: args.offset,
        limit: args.limit,
        ..SearchRequest::default()
    };
    request.validate()?;
    Ok(request)
}

/// `KEY=VALUE` filter options (see `SearchArgs::filters`) as a filter.
pub(crate) fn parse_filters(
    pairs: &[String],
    skills: &SkillExtractor,
) -> anyhow::Result<SearchFilters> {
    let mut filters = SearchFilters::default();
    for pair in pairs {
        apply_filter(&mut filters, pair, skills)?;
    }
    Ok(filters)
}

fn apply_filter(
    filters: &mut SearchFilters,
    pair: &str,
    skills: &SkillExtractor,
) -> anyhow::Result<()> {
    let (key, value) = pair
        .split_once('=')
        .with_context(|| format!("--filter takes KEY=VALUE, not {pair:?}"))?;
    let value = value.trim();
    let number = |v: &str| -> anyhow::Result<f64> {
        v.parse::<f64>()
            .with_context(|| format!("filter {key} needs a number, not {v:?}"))
    };
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    match key.trim() {
        "location" => filters.location = Some(value.to_owned()),
        "near" => {
            let parts = list(value);
            let [lat, lon, km] = parts.as_slice() else {
                anyhow::bail!("filter near takes LAT,LON,KM, not {value:?}");
            };
            filters.near = Some(GeoRadius {
                lat: number(lat)?,
                lon: number(lon)?,
                radius_km: number(km)?,
            });
        }
        "remote" => filters.remote_modes = parse_list(key, value)?,
        "type" => filters.employment_types = parse_list(key, value)?,
        "seniority" => filters.seniorities = parse_list(key, value)?,
        "category" => filters.categories = list(value),
        "salary_min" => filters.salary_min = Some(number(value)?),
        "salary_max" => filters.salary_max = Some(number(value)?),
        "posted_within" => {
            filters.posted_within_days = Some(
                value
                    .parse()
                    .with_context(|| format!("posted_within takes days, not {value:?}"))?,
            );
        }
        "min_years" => filters.min_years_experience = Some(number(value)? as f32),
        "skills" => filters.skills_all = skill_uris(value, skills)?,
        "any_skill" => filters.skills_any = skill_uris(value, skills)?,
        other => anyhow::bail!("unknown filter {other:?}"),
    }
    Ok(())
}

/// A comma-separated list of enum values such as `remote,hybrid`.
fn parse_list<T>(key: &str, value: &str) -> anyhow::Result<Vec<T>>
where
    T: std::str::FromStr<Err = intellicv_core::ValidationError>,
{
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|e| anyhow::anyhow!("filter {key}: {e}")))
        .collect()
}

/// Skill names (`;`-separated, since labels contain commas) to ESCO URIs.
fn skill_uris(value: &str, skills: &SkillExtractor) -> anyhow::Result<Vec<String>> {
    value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            if name.starts_with("http") || name.starts_with("intellicv:") {
                return Ok(name.to_owned());
            }
            skills
                .extract(name)
                .into_iter()
                .next()
                .map(|s| s.uri)
                .with_context(|| format!("no skill in the taxonomy matches {name:?}"))
        })
        .collect()
}
