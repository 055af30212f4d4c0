//! `intellicv match jobs|candidates|similar|explain`: two-way matching with explanations.

use std::path::Path;

use anyhow::Context;
use clap::{Args, Subcommand};

use intellicv_app::components::{Models, open_search};
use intellicv_app::config::Settings;
use intellicv_app::matching::service::{Matcher, ResumeSubject};
use intellicv_app::matching::{MatchExplanation, MatchOptions};
use intellicv_ingest::extract::ExtractLimits;
use intellicv_skills::resume::{parse_resume, this_month};
use intellicv_store::Store;

#[derive(Debug, Subcommand)]
pub enum MatchCommand {
    /// Jobs for a resume (a stored resume id, or a file parsed and embedded on the fly)
    Jobs(JobsArgs),
    /// Candidates (stored resumes) for a stored job posting
    Candidates(CandidatesArgs),
    /// Resumes most like a resume (id or file)
    Similar(SimilarArgs),
    /// The explanation of one (resume, job) pair
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct JobsArgs {
    /// A stored resume id, or a resume file (not stored)
    #[arg(long, value_name = "FILE_OR_ID")]
    pub resume: String,
    /// Filters as in `search` (KEY=VALUE)
    #[arg(long = "filter", short = 'f', value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Ignore and hide personal details (fair screening)
    #[arg(long)]
    pub blind: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CandidatesArgs {
    #[arg(long)]
    pub job: i64,
    #[arg(long = "filter", short = 'f', value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long)]
    pub blind: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    #[arg(long, value_name = "FILE_OR_ID")]
    pub resume: String,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[arg(long)]
    pub resume: i64,
    #[arg(long)]
    pub job: i64,
    #[arg(long)]
    pub blind: bool,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(command: MatchCommand, settings: Settings) -> anyhow::Result<()> {
    let store = Store::connect(&settings.database_url(), &settings.database).await?;
    store.migrate().await?;
    let models = Models::load(&settings).await?;
    let engine = open_search(&settings, &models, &store).await?;
    let matcher = Matcher::new(store.clone(), engine, settings.matching.clone());
    matcher.refresh_rarity().await?;
    let result = execute(command, &matcher, &models).await;
    store.close().await;
    result
}

async fn execute(command: MatchCommand, matcher: &Matcher, models: &Models) -> anyhow::Result<()> {
    match command {
        MatchCommand::Jobs(args) => {
            let subject = subject(&args.resume, models).await?;
            let filters = super::search::parse_filters(&args.filters, &models.skills)?;
            let options = MatchOptions { blind: args.blind };
            let matches = matcher
                .jobs_for_resume(&subject, &filters, args.limit, options)
                .await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&matches)?);
            } else {
                for (i, m) in matches.iter().enumerate() {
                    let place = [m.company.as_deref(), m.location.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ");
                    println!(
                        "{:>3}. {:>5.1}  job {}  {}  ({place})",
                        i + 1,
                        m.score,
                        m.job_id,
                        m.title
                    );
                    print_explanation(&m.explanation, "        ");
                }
            }
        }
        MatchCommand::Candidates(args) => {
            let filters = super::search::parse_filters(&args.filters, &models.skills)?;
            let options = MatchOptions { blind: args.blind };
            let matches = matcher
                .candidates_for_job(args.job, &filters, &Default::default(), args.limit, options)
                .await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&matches)?);
            } else {
                for (i, m) in matches.iter().enumerate() {
                    println!(
                        "{:>3}. {:>5.1}  resume {}  {}  [{}]",
                        i + 1,
                        m.score,
                        m.resume_id,
                        m.headline.as_deref().unwrap_or("-"),
                        m.source_filename
                    );
                    print_explanation(&m.explanation, "        ");
                }
            }
        }
        MatchCommand::Similar(args) => {
            let subject = subject(&args.resume, models).await?;
            let similar = matcher
                .similar_candidates(
                    &subject,
                    &Default::default(),
                    &Default::default(),
                    args.limit,
                )
                .await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&similar)?);
            } else {
                for (i, s) in similar.iter().enumerate() {
                    println!(
                        "{:>3}. {:>5.1}  resume {}  {}  [{}]  shared: {}",
                        i + 1,
                        s.score,
                        s.resume_id,
                        s.headline.as_deref().unwrap_or("-"),
                        s.source_filename,
                        s.shared_skills.join(", ")
                    );
                }
            }
        }
        MatchCommand::Explain(args) => {
            let options = MatchOptions { blind: args.blind };
            let explanation = matcher.explain(args.resume, args.job, options).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&explanation)?);
            } else {
                println!("score {:.1}", explanation.score);
                print_explanation(&explanation, "  ");
            }
        }
    }
    Ok(())
}

/// A stored resume id, or a file to parse (an existing path wins over a number).
async fn subject(value: &str, models: &Models) -> anyhow::Result<ResumeSubject> {
    let path = Path::new(value);
    if !path.exists() {
        if let Ok(id) = value.parse::<i64>() {
            return Ok(ResumeSubject::Stored(id));
        }
        anyhow::bail!("{value} is neither a resume id nor a file");
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {value}"))?;
    let skills = models.skills.clone();
    let parsed = intellicv_app::telemetry::spawn_blocking_with_span(move || {
        parse_resume(&bytes, &ExtractLimits::default(), &skills, this_month())
    })
    .await?
    .with_context(|| format!("cannot parse {value}"))?;
    Ok(ResumeSubject::Parsed {
        profile: Box::new(parsed.profile),
        text: parsed.text,
        source_filename: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    })
}

fn print_explanation(e: &MatchExplanation, indent: &str) {
    let parts: Vec<String> = e
        .components
        .iter()
        .filter_map(|c| c.score.map(|s| format!("{} {:.2}", c.name.as_str(), s)))
        .collect();
    println!("{indent}{}", parts.join(" · "));
    if !e.matched_skills.is_empty() {
        let names: Vec<&str> = e.matched_skills.iter().map(|s| s.label.as_str()).collect();
        println!("{indent}matched: {}", names.join(", "));
    }
    if !e.missing_required.is_empty() {
        let names: Vec<&str> = e
            .missing_required
            .iter()
            .map(|s| s.label.as_str())
            .collect();
        println!("{indent}missing (required): {}", names.join(", "));
    }
    if let Some(best) = e.improvements.first() {
        println!(
            "{indent}best improvement: {} (+{:.1})",
            best.action, best.score_gain
        );
    }
}
