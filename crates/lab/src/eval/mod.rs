//! `intellicv-lab eval ...`: measure extraction and matching against labelled data.

mod matching;
mod similar;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::skill_eval::{
    EvalReport, Mention, Split, evaluate_sentences, file_name, read_annotations, read_mentions,
    threshold_curve,
};
use intellicv_app::config::Settings;
use intellicv_search::embedder::{Embedder, EmbedderConfig};
use intellicv_skills::semantic::{
    DenseBaseline, LabelViews, SemanticConfig, SemanticMatcher, SkillVectors,
};
use intellicv_skills::{SkillExtractor, Taxonomy, TextPart};

/// Where the default annotation files are looked up: `$INTELLICV_SHARED_DATA/skills/`.
pub const SHARED_DATA_ENV: &str = "INTELLICV_SHARED_DATA";
const DEFAULT_FILES: [&str; 2] = [
    "skills/tech_validation_annotations.csv",
    "skills/house_validation_annotations.csv",
];

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Score skill extraction (dense baseline, gazetteer, hybrid) on labelled sentences
    Skills(SkillsArgs),
    /// Precision@10 and nDCG@10 of same-category neighbours for similar candidates
    Similar(similar::SimilarArgs),
    /// Precision@10 and nDCG@10 of match scores ranking same-category candidates for
    /// postings written from resumes; tunes the scoring weights
    Match(matching::MatchArgs),
}

#[derive(Debug, Args)]
pub struct SkillsArgs {
    /// Annotation CSV (`sentence,span,sub_span,label`); repeat for several. Default: the
    /// tech and house files under $INTELLICV_SHARED_DATA/skills/
    #[arg(long = "file", value_name = "CSV")]
    pub files: Vec<PathBuf>,
    /// Which sentences to score: the tuning half, the held-out half, or all
    #[arg(long, value_enum, default_value = "all")]
    pub split: SplitArg,
    /// Print one JSON object per file and method
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    All,
    Tuning,
    HeldOut,
}

impl From<SplitArg> for Split {
    fn from(arg: SplitArg) -> Self {
        match arg {
            SplitArg::All => Split::All,
            SplitArg::Tuning => Split::Tuning,
            SplitArg::HeldOut => Split::HeldOut,
        }
    }
}

/// Why `eval skills` cannot start.
#[derive(Debug, thiserror::Error)]
pub enum EvalArgsError {
    #[error(
        "no annotation files: pass --file CSV, or set {SHARED_DATA_ENV} to the shared data directory"
    )]
    NoFiles,
    #[error("annotation file {} does not exist", .0.display())]
    MissingFile(PathBuf),
}

/// One row of the table.
#[derive(Debug, Serialize)]
struct MethodReport<'a> {
    method: &'a str,
    split: Split,
    #[serde(flatten)]
    report: EvalReport,
    sentences_per_second: f64,
}

pub async fn run(command: EvalCommand, settings: Settings) -> anyhow::Result<()> {
    let args = match command {
        EvalCommand::Skills(args) => args,
        EvalCommand::Similar(args) => return similar::run(args, settings).await,
        EvalCommand::Match(args) => return matching::run(args, settings).await,
    };
    let files = annotation_files(&args.files, std::env::var_os(SHARED_DATA_ENV))?;
    intellicv_app::telemetry::spawn_blocking_with_span(move || {
        eval_skills(&args, &files, &settings)
    })
    .await?
}

/// The files to score: the `--file` arguments, else the shared defaults; each must exist.
pub fn annotation_files(
    given: &[PathBuf],
    shared_data: Option<std::ffi::OsString>,
) -> Result<Vec<PathBuf>, EvalArgsError> {
    let files: Vec<PathBuf> = if given.is_empty() {
        let shared = shared_data
            .filter(|d| !d.is_empty())
            .ok_or(EvalArgsError::NoFiles)?;
        DEFAULT_FILES
            .iter()
            .map(|f| Path::new(&shared).join(f))
            .collect()
    } else {
        given.to_vec()
    };
    match files.iter().find(|f| !f.is_file()) {
        Some(missing) => Err(EvalArgsError::MissingFile(missing.clone())),
        None => Ok(files),
    }
}

fn eval_skills(args: &SkillsArgs, files: &[PathBuf], settings: &Settings) -> anyhow::Result<()> {
    let taxonomy = Taxonomy::load(&settings.models_dir, &settings.assets_dir)?;
    let embedder = Arc::new(Embedder::load(&EmbedderConfig {
        models_dir: settings.models_dir.clone(),
        ..EmbedderConfig::default()
    })?);
    let cache_dir = settings.skill_vector_cache_dir();
    let preferred = Arc::new(SkillVectors::load_or_build(
        &embedder,
        &taxonomy,
        LabelViews::Preferred,
        &cache_dir,
    )?);
    let config = SemanticConfig::default();
    let matcher_vectors = match config.views {
        LabelViews::Preferred => Arc::clone(&preferred),
        views => Arc::new(SkillVectors::load_or_build(
            &embedder, &taxonomy, views, &cache_dir,
        )?),
    };
    for vectors in [&preferred, &matcher_vectors] {
        let origin = vectors.origin();
        eprintln!(
            "skill vectors: {} rows, {} ({} ms) {}",
            vectors.row_count(),
            if origin.cached {
                "read from cache"
            } else {
                "embedded"
            },
            origin.duration_ms,
            origin.path.display()
        );
    }
    let baseline = DenseBaseline::new(Arc::clone(&embedder), preferred, 5);
    let gazetteer = SkillExtractor::new(&taxonomy)?;
    let hybrid = SkillExtractor::new(&taxonomy)?.with_semantic(SemanticMatcher::new(
        Arc::clone(&embedder),
        matcher_vectors,
        config,
    ));
    let split = Split::from(args.split);
    for file in files {
        let sentences = split.apply(read_annotations(file)?);
        let name = file_name(file);
        let rows = [
            (
                "dense baseline",
                evaluate_sentences(&sentences, name.clone(), |texts| Ok(baseline.rank(texts)?))?,
            ),
            (
                "gazetteer",
                evaluate_sentences(&sentences, name.clone(), |texts| {
                    Ok(texts.iter().map(|t| gazetteer.extract(t)).collect())
                })?,
            ),
            (
                "hybrid",
                evaluate_sentences(&sentences, name.clone(), |texts| {
                    let parts: Vec<TextPart<'_>> = texts
                        .iter()
                        .map(|&text| TextPart {
                            text,
                            base_offset: 0,
                            section: None,
                        })
                        .collect();
                    Ok(hybrid.extract_parts(&parts)?)
                })?,
            ),
        ];
        print_file(&name, split, &rows, args.json)?;
        let matcher = hybrid
            .semantic()
            .expect("the hybrid extractor has a matcher");
        print_items(file, split, &gazetteer, matcher, args.json)?;
    }
    Ok(())
}

/// Skill-list item matching (what ingestion runs on skills sections) on the annotated
/// mentions the gazetteer does not match literally: precision and recall by threshold.
fn print_items(
    file: &Path,
    split: Split,
    gazetteer: &SkillExtractor,
    matcher: &SemanticMatcher,
    json: bool,
) -> anyhow::Result<()> {
    let unmatched: Vec<Mention> = read_mentions(file)?
        .into_iter()
        .filter(|m| gazetteer.extract(&m.text).is_empty())
        .collect();
    let mentions = split.apply(unmatched);
    let texts: Vec<&str> = mentions.iter().map(|m| m.text.as_str()).collect();
    let nearest: Vec<Option<(String, f32)>> = matcher
        .nearest_skills(&texts)?
        .into_iter()
        .map(|best| {
            best.map(|(skill, cosine)| (matcher.vectors().skill(skill).1.to_owned(), cosine))
        })
        .collect();
    let thresholds: Vec<f32> = (8..=17).map(|i| i as f32 * 0.05).collect();
    let curve = threshold_curve(&mentions, &nearest, &thresholds);
    let shipped = matcher.config().item_threshold;
    if json {
        let row = serde_json::json!({
            "file": file_name(file),
            "method": "skill-list items",
            "split": split,
            "mentions": mentions.len(),
            "shipped_threshold": shipped,
            "curve": curve,
        });
        println!("{row}");
        return Ok(());
    }
    println!(
        "  skill-list items ({} mentions the gazetteer misses; shipped threshold {shipped:.2}):",
        mentions.len()
    );
    for p in &curve {
        println!(
            "    cosine >= {:.2}: matched {:>3}, right {:>3}, precision {:.3}, recall {:.3}",
            p.threshold, p.matched, p.right, p.precision, p.recall
        );
    }
    Ok(())
}

fn print_file(
    name: &str,
    split: Split,
    rows: &[(&str, EvalReport)],
    json: bool,
) -> anyhow::Result<()> {
    let per_second = |r: &EvalReport| {
        if r.micros_per_sentence > 0.0 {
            1e6 / r.micros_per_sentence
        } else {
            0.0
        }
    };
    if json {
        for (method, report) in rows {
            let row = MethodReport {
                method,
                split,
                report: report.clone(),
                sentences_per_second: per_second(report),
            };
            println!("{}", serde_json::to_string(&row)?);
        }
        return Ok(());
    }
    let first = &rows[0].1;
    println!(
        "{name} ({split:?}: {} sentences, {} with gold labels, {} gold labels)",
        first.sentences, first.sentences_with_gold, first.gold_labels
    );
    println!(
        "  {:<15} {:>9} {:>7} {:>6} {:>11} {:>11}",
        "method", "precision", "recall", "RP@5", "literal P", "sentences/s"
    );
    for (method, r) in rows {
        let literal = if r.literal_predictions > 0 {
            format!("{:.3}", r.literal_precision)
        } else {
            "-".to_owned()
        };
        println!(
            "  {:<15} {:>9.3} {:>7.3} {:>6.3} {:>11} {:>11.1}",
            method,
            r.precision,
            r.recall,
            r.r_precision_at_5,
            literal,
            per_second(r)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::{LabCli as Cli, LabCommand as Command};

    #[test]
    fn without_files_or_shared_data_the_error_says_what_to_pass() {
        let err = annotation_files(&[], None).expect_err("nothing to read");
        assert!(err.to_string().contains("pass --file CSV"), "{err}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let given = vec![dir.path().join("nope.csv")];
        let err = annotation_files(&given, None).expect_err("missing");
        assert_eq!(
            err.to_string(),
            format!("annotation file {} does not exist", given[0].display())
        );
        let shared = Some(dir.path().as_os_str().to_owned());
        let err = annotation_files(&[], shared).expect_err("no skills/ under it");
        assert!(
            err.to_string().contains("tech_validation_annotations.csv"),
            "{err}"
        );
    }

    #[test]
    fn given_files_win_over_the_shared_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.csv");
        std::fs::write(&file, "sentence,span,sub_span,label\n").expect("write");
        let shared = Some(std::ffi::OsString::from("/does/not/exist"));
        assert_eq!(
            annotation_files(std::slice::from_ref(&file), shared).expect("exists"),
            vec![file]
        );
    }

    #[test]
    fn the_command_line_parses_repeated_files_and_rejects_a_bad_split() {
        let cli = Cli::try_parse_from([
            "intellicv-lab",
            "eval",
            "skills",
            "--file",
            "a.csv",
            "--file",
            "b.csv",
            "--json",
            "--split",
            "held-out",
        ])
        .expect("parses");
        let Command::Eval(EvalCommand::Skills(args)) = cli.command else {
            panic!("not eval skills");
        };
        assert_eq!(
            args.files,
            vec![PathBuf::from("a.csv"), PathBuf::from("b.csv")]
        );
        assert!(args.json);
        assert_eq!(args.split, SplitArg::HeldOut);
        let err = Cli::try_parse_from(["intellicv-lab", "eval", "skills", "--split", "half"])
            .expect_err("bad split");
        assert!(err.to_string().contains("half"), "{err}");
        let err = Cli::try_parse_from(["intellicv-lab", "eval", "skills", "--file"])
            .expect_err("no value");
        assert!(err.to_string().contains("--file"), "{err}");
    }
}
