//! `intellicv-lab eval match`: how well the match score ranks candidates for a posting, on a
//! labelled resume corpus with each query resume rewritten as the posting for its owner's
//! role (see [`crate::match_tuning`]), and the scoring model tuned on one half of the
//! queries and reported on the other.

use intellicv_app::telemetry::spawn_blocking_with_span;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::similar::Pool;
use crate::match_tuning::{
    BudgetCell, Pair, Quality, QueryPairs, choose_budget, only, pseudo_posting, quality,
    requirement_budget, retrieval_quality, tune_field_weights,
};
use crate::similar::{Half, similar_hits};
use intellicv_app::config::Settings;
use intellicv_app::matching::service::to_signals;
use intellicv_app::matching::{
    CandidateView, Component, JobView, MatchConfig, MatchOptions, MatchWeights, SkillRarity,
    score_match,
};
use intellicv_core::ResumeProfile;
use intellicv_search::{SimilarHit, SimilarityWeights};

/// Candidates the matcher retrieves and scores per posting (as `Matcher` does).
const CANDIDATES: usize = 100;
/// Rarity boosts tried for the skills component.
const RARITY_BOOSTS: [f32; 5] = [0.0, 1.0, 2.0, 4.0, 8.0];
/// Posting sizes (skills asked for) the chosen model is checked on.
const POSTING_SIZES: [usize; 3] = [5, 10, 20];
/// The hand-set weights the defaults replaced, kept as the baseline they were chosen
/// against.
const STARTING_WEIGHTS: MatchWeights = MatchWeights {
    semantic: 0.20,
    lexical: 0.10,
    skills: 0.35,
    title: 0.15,
    experience: 0.10,
    location: 0.05,
    salary: 0.05,
};
/// Skills and experience weights tried for the requirement budget.
const SKILLS_SHARES: [f32; 9] = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5];
const EXPERIENCE_SHARES: [f32; 5] = [0.0, 0.05, 0.1, 0.15, 0.2];

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Directory of resumes (walked recursively); stored and indexed in the data dir
    /// (use --data-dir to keep the evaluation apart)
    #[arg(long)]
    pub corpus: PathBuf,
    /// CSV with `id,category`: the id is the file name without extension
    #[arg(long)]
    pub labels: PathBuf,
    /// Skills each pseudo-posting asks for (its most distinctive ones)
    #[arg(long, default_value_t = 10)]
    pub posting_skills: usize,
    /// Grid step for tuning the field weights (share of their total)
    #[arg(long, default_value_t = 0.05)]
    pub step: f32,
    /// Precision@10 (on the tuning queries) the requirement components may cost against
    /// the best split: the chosen split gives skills and experience the most weight within it
    #[arg(long, default_value_t = 0.01)]
    pub tolerance: f64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    index_half: usize,
    tuning_queries: usize,
    test_queries: usize,
    posting_skills: usize,
    /// Share of scored pairs for which each component could be computed.
    coverage: Vec<(Component, f64)>,
    /// The skills component's rarity boost: each tried, with the field weights tuned for it.
    rarity: Vec<RarityTrial>,
    /// With the chosen rarity boost; on the tuning and test queries.
    methods: Vec<MethodQuality>,
    /// Skills and experience weights against field precision (tuning queries).
    budget: Vec<BudgetCell>,
    tolerance: f64,
    /// The chosen model checked on postings of other sizes.
    posting_sizes: Vec<(usize, MethodQuality)>,
    /// The model chosen on the tuning queries.
    rarity_boost: f32,
    chosen: MatchWeights,
}

#[derive(Debug, Serialize)]
struct RarityTrial {
    rarity_boost: f32,
    skills_alone: MethodQuality,
    tuned: MethodQuality,
}

#[derive(Debug, Clone, Serialize)]
struct MethodQuality {
    method: String,
    weights: Option<MatchWeights>,
    tuning: Quality,
    test: Quality,
}

/// The labelled pool and the candidates retrieved for every query.
struct Experiment {
    profiles: HashMap<i64, ResumeProfile>,
    label_of: HashMap<i64, String>,
    /// Indexed resumes per label.
    per_label: HashMap<String, usize>,
    rarity: SkillRarity,
    tuning: Vec<Retrieved>,
    test: Vec<Retrieved>,
}

struct Retrieved {
    query: i64,
    label: String,
    hits: Vec<SimilarHit>,
}

/// Component scores of the tuning and test queries under one model.
struct Scored {
    tuning: Vec<QueryPairs>,
    test: Vec<QueryPairs>,
}

impl Scored {
    fn method(&self, method: impl Into<String>, weights: MatchWeights) -> MethodQuality {
        MethodQuality {
            method: method.into(),
            weights: Some(weights),
            tuning: quality(&self.tuning, &weights),
            test: quality(&self.test, &weights),
        }
    }
}

pub async fn run(args: MatchArgs, settings: Settings) -> anyhow::Result<()> {
    let pool = Pool::open(&args.corpus, &args.labels, &settings).await?;
    let experiment = Experiment::retrieve(&pool).await?;
    let index_half = pool.corpus.iter().filter(|d| d.half == Half::Index).count();
    pool.store.close().await;
    let config = settings.matching.clone();
    let json = args.json;
    let report =
        spawn_blocking_with_span(move || experiment.report(&config, index_half, &args)).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    print_report(&report);
    Ok(())
}

impl Experiment {
    async fn retrieve(pool: &Pool) -> anyhow::Result<Self> {
        let ids: Vec<i64> = pool.corpus.iter().map(|d| d.id).collect();
        let profiles: HashMap<i64, ResumeProfile> = pool
            .store
            .resumes_by_ids(&ids)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.id, r.profile?.0)))
            .collect();
        let indexed: Vec<i64> = pool
            .corpus
            .iter()
            .filter(|d| d.half == Half::Index)
            .map(|d| d.id)
            .collect();
        let mut per_label: HashMap<String, usize> = HashMap::new();
        for d in pool.corpus.iter().filter(|d| d.half == Half::Index) {
            *per_label.entry(d.label.clone()).or_default() += 1;
        }
        // Rarity from the candidate pool: how many indexed resumes show each skill.
        let mut counts: HashMap<String, u64> = HashMap::new();
        for p in indexed.iter().filter_map(|id| profiles.get(id)) {
            let uris: HashSet<&str> = p.skills.iter().map(|s| s.uri.as_str()).collect();
            for uri in uris {
                *counts.entry(uri.to_owned()).or_default() += 1;
            }
        }
        let rarity = SkillRarity::from_counts(indexed.len() as u64, counts);
        // Candidates as the matcher retrieves them for a posting.
        let retrieval = SimilarityWeights {
            category: 0.0,
            ..SimilarityWeights::default()
        };
        let queries = similar_hits(
            &pool.store,
            &pool.engine,
            &pool.corpus,
            retrieval,
            |h| h != Half::Index,
            CANDIDATES,
        )
        .await?;
        let (mut tuning, mut test) = (Vec::new(), Vec::new());
        for (doc, hits) in queries {
            if !profiles.contains_key(&doc.id) {
                continue;
            }
            let retrieved = Retrieved {
                query: doc.id,
                label: doc.label.clone(),
                hits,
            };
            if doc.half == (Half::Query { tuning: true }) {
                tuning.push(retrieved);
            } else {
                test.push(retrieved);
            }
        }
        Ok(Self {
            profiles,
            label_of: pool
                .corpus
                .iter()
                .map(|d| (d.id, d.label.clone()))
                .collect(),
            per_label,
            rarity,
            tuning,
            test,
        })
    }

    /// The component scores of every retrieved candidate under `config`, for postings
    /// asking for `posting_skills` skills.
    fn score(&self, config: &MatchConfig, posting_skills: usize) -> Scored {
        Scored {
            tuning: self.score_queries(&self.tuning, config, posting_skills),
            test: self.score_queries(&self.test, config, posting_skills),
        }
    }

    fn score_queries(
        &self,
        queries: &[Retrieved],
        config: &MatchConfig,
        posting_skills: usize,
    ) -> Vec<QueryPairs> {
        use rayon::prelude::*;
        let today = intellicv_skills::resume::this_month();
        queries
            .par_iter()
            .map(|q| {
                let posting = pseudo_posting(
                    q.query,
                    &self.profiles[&q.query],
                    &self.rarity,
                    posting_skills,
                );
                let job = JobView {
                    job: &posting.job,
                    skills: &posting.skills,
                };
                let pairs = q
                    .hits
                    .iter()
                    .filter_map(|hit| {
                        let explanation = score_match(
                            &CandidateView {
                                profile: self.profiles.get(&hit.id)?,
                                preferences: None,
                                today,
                            },
                            &job,
                            &to_signals(hit, MatchOptions::default()),
                            &self.rarity,
                            config,
                            MatchOptions::default(),
                        );
                        let mut scores = [None; 7];
                        for c in &explanation.components {
                            scores[c.name.index()] = c.score;
                        }
                        Some(Pair {
                            candidate: hit.id,
                            relevant: self.label_of.get(&hit.id) == Some(&q.label),
                            scores,
                        })
                    })
                    .collect();
                QueryPairs {
                    pairs,
                    available: self.per_label.get(&q.label).copied().unwrap_or(0),
                }
            })
            .collect()
    }

    fn report(&self, config: &MatchConfig, index_half: usize, args: &MatchArgs) -> Report {
        // The skills component's rarity boost: the one whose skill coverage alone ranks
        // best on the tuning queries (field weights tuned for each, for reference).
        let mut rarity = Vec::new();
        let mut chosen: Option<(f64, f32, Scored)> = None;
        for boost in RARITY_BOOSTS {
            let config = MatchConfig {
                rarity_boost: boost,
                ..config.clone()
            };
            let scored = self.score(&config, args.posting_skills);
            let tuned = tune_field_weights(&scored.tuning, &config.weights, args.step);
            let trial = RarityTrial {
                rarity_boost: boost,
                skills_alone: scored.method("skills alone", only(Component::Skills)),
                tuned: scored.method("tuned field weights", tuned),
            };
            let p = trial.skills_alone.tuning.precision_at_10;
            if chosen.as_ref().is_none_or(|(b, ..)| p > *b) {
                chosen = Some((p, boost, scored));
            }
            rarity.push(trial);
        }
        let (_, rarity_boost, scored) = chosen.expect("at least one rarity boost");
        let budget = requirement_budget(
            &scored.tuning,
            &config.weights,
            &SKILLS_SHARES,
            &EXPERIENCE_SHARES,
            args.step,
        );
        let weights =
            choose_budget(&budget, args.tolerance).map_or(config.weights, |cell| cell.weights);
        let free = tune_field_weights(&scored.tuning, &config.weights, args.step);
        let mut methods = vec![MethodQuality {
            method: "retrieval order (no scoring)".to_owned(),
            weights: None,
            tuning: retrieval_quality(&scored.tuning),
            test: retrieval_quality(&scored.test),
        }];
        for component in Component::ALL {
            methods.push(scored.method(format!("{} alone", component.as_str()), only(component)));
        }
        methods.push(scored.method("starting weights", STARTING_WEIGHTS));
        methods.push(scored.method("default weights", MatchWeights::default()));
        if config.weights != MatchWeights::default() {
            methods.push(scored.method("configured weights", config.weights));
        }
        methods.push(scored.method("field weights tuned freely", free));
        methods.push(scored.method("chosen (requirement budget)", weights));
        let chosen_config = MatchConfig {
            rarity_boost,
            weights,
            ..config.clone()
        };
        let posting_sizes = POSTING_SIZES
            .iter()
            .map(|&size| {
                let scored = self.score(&chosen_config, size);
                (
                    size,
                    scored.method(format!("chosen model, {size}-skill postings"), weights),
                )
            })
            .collect();
        let all: Vec<&Pair> = scored
            .tuning
            .iter()
            .chain(&scored.test)
            .flat_map(|q| q.pairs.iter())
            .collect();
        let coverage = Component::ALL
            .iter()
            .map(|c| {
                let computed = all.iter().filter(|p| p.scores[c.index()].is_some()).count();
                (*c, computed as f64 / all.len().max(1) as f64)
            })
            .collect();
        Report {
            index_half,
            tuning_queries: scored.tuning.len(),
            test_queries: scored.test.len(),
            posting_skills: args.posting_skills,
            coverage,
            rarity,
            methods,
            budget,
            tolerance: args.tolerance,
            posting_sizes,
            rarity_boost,
            chosen: weights,
        }
    }
}

fn weights_text(w: &MatchWeights) -> String {
    Component::ALL
        .iter()
        .map(|c| format!("{:.3}", w.get(*c)))
        .collect::<Vec<_>>()
        .join("/")
}

fn print_row(m: &MethodQuality) {
    println!(
        "{:<36} {:>9.3} {:>9.3} {:>9.3} {:>9.3}  {}",
        m.method,
        m.tuning.precision_at_10,
        m.test.precision_at_10,
        m.tuning.ndcg_at_10,
        m.test.ndcg_at_10,
        m.weights.as_ref().map(weights_text).unwrap_or_default()
    );
}

fn print_report(report: &Report) {
    println!(
        "{} resumes indexed as candidates; {} tuning and {} test queries, each rewritten as a posting for its role asking for {} skills; {CANDIDATES} candidates scored per posting",
        report.index_half, report.tuning_queries, report.test_queries, report.posting_skills
    );
    let coverage: Vec<String> = report
        .coverage
        .iter()
        .map(|(c, share)| format!("{} {:.0}%", c.as_str(), share * 100.0))
        .collect();
    println!("computed for: {}", coverage.join(", "));
    let header = || {
        println!(
            "{:<36} {:>9} {:>9} {:>9} {:>9}  weights (sem/lex/skills/title/exp/loc/salary)",
            "method", "tune P@10", "test P@10", "tune nDCG", "test nDCG"
        )
    };
    println!();
    println!("skills component, by rarity boost:");
    header();
    for trial in &report.rarity {
        for m in [&trial.skills_alone, &trial.tuned] {
            print_row(&MethodQuality {
                method: format!("boost {:.0}: {}", trial.rarity_boost, m.method),
                ..m.clone()
            });
        }
    }
    println!();
    println!(
        "rarity boost {:.0} (skill coverage alone best on the tuning queries):",
        report.rarity_boost
    );
    header();
    for m in &report.methods {
        print_row(m);
    }
    println!();
    println!(
        "requirement budget: tuning P@10 with semantic/lexical/title tuned for the rest (rows: skills weight, columns: experience weight); chosen: the most weight on skills + experience within {:.3} of the best",
        report.tolerance
    );
    print!("{:>8}", "skills");
    for e in EXPERIENCE_SHARES {
        print!(" {:>7.2}", e);
    }
    println!();
    for s in SKILLS_SHARES {
        print!("{s:>8.2}");
        for e in EXPERIENCE_SHARES {
            let cell = report
                .budget
                .iter()
                .find(|c| c.skills == s && c.experience == e);
            match cell {
                Some(c) => print!(" {:>7.3}", c.tuning.precision_at_10),
                None => print!(" {:>7}", "-"),
            }
        }
        println!();
    }
    println!();
    println!("the chosen model on postings of other sizes:");
    header();
    for (_, m) in &report.posting_sizes {
        print_row(m);
    }
    println!();
    println!(
        "chosen: rarity_boost {:.0}, weights {}",
        report.rarity_boost,
        weights_text(&report.chosen)
    );
}
