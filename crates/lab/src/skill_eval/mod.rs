//! Evaluation of skill extraction against sentences labelled with ESCO preferred labels.
//!
//! Input: a CSV with the header `sentence,span,sub_span,label`, one row per labelled span;
//! `label` is an ESCO preferred label, or `UNDERSPECIFIED` / `LABEL NOT PRESENT` when no
//! ESCO skill fits (those rows add no gold label). Rows are grouped by identical
//! `sentence` text, and each sentence's gold set is its distinct labels (case-insensitive).
//!
//! Predictions are compared by preferred label, case-insensitively. Only ESCO predictions
//! are scored (URI not starting with `intellicv:`): the benchmark cannot label curated
//! technology skills, so they are counted apart in [`EvalReport::curated_predictions`].
//!
//! Tuning and reporting use disjoint parts of each file ([`Split`]): the semantic matcher's
//! settings were chosen on the even-numbered sentences (0, 2, 4, ... in file order), so
//! the odd-numbered ones are the held-out part.
//!
//! Metrics (micro-averaged over all sentences):
//! - precision = correct predictions / predictions;
//! - recall = gold labels predicted / gold labels;
//! - **R-Precision@5**: for each sentence with `R ≥ 1` gold labels, let `k = min(R, 5)`
//!   and score `|top-k predictions ∩ gold| / k`, the predictions ranked as the extractor
//!   returns them (by confidence); the mean over those sentences. Sentences without gold
//!   labels do not enter it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use intellicv_core::{ExtractedSkill, SkillMethod};
use intellicv_skills::SkillExtractor;
use intellicv_skills::semantic::SemanticError;

/// Labels that mean "no ESCO skill" in the annotation files.
pub const NO_SKILL_LABELS: &[&str] = &["UNDERSPECIFIED", "LABEL NOT PRESENT"];

/// Why an annotation file could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{path}: the header lacks a `{column}` column")]
    MissingColumn { path: PathBuf, column: &'static str },
    #[error("semantic matching failed: {0}")]
    Semantic(#[from] SemanticError),
}

/// Which sentences of a file are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    All,
    /// Even-numbered sentences (0-based, file order): used to tune the semantic matcher.
    Tuning,
    /// Odd-numbered sentences: never used for tuning.
    HeldOut,
}

impl Split {
    /// The items (sentences, mentions) of `items` in this split, by position.
    pub fn apply<T>(self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| match self {
                Split::All => true,
                Split::Tuning => i % 2 == 0,
                Split::HeldOut => i % 2 == 1,
            })
            .map(|(_, s)| s)
            .collect()
    }
}

/// One labelled sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledSentence {
    pub text: String,
    /// Distinct gold preferred labels, lowercased, in file order.
    pub gold: Vec<String>,
}

/// Scores of one annotation file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub file: String,
    pub sentences: usize,
    pub sentences_with_gold: usize,
    pub gold_labels: usize,
    /// ESCO predictions (curated-only predictions excluded).
    pub predictions: usize,
    pub correct: usize,
    /// Predictions of curated skills ESCO does not name (not scored).
    pub curated_predictions: usize,
    pub precision: f64,
    pub recall: f64,
    pub r_precision_at_5: f64,
    /// ESCO predictions made by literal matching, and how many of them are right.
    pub literal_predictions: usize,
    pub literal_correct: usize,
    /// Precision of the literal predictions alone.
    pub literal_precision: f64,
    /// Mean extraction time per sentence, microseconds.
    pub micros_per_sentence: f64,
}

/// The `(text column, label)` pairs of an annotation file, in file order.
fn annotation_pairs(
    path: &Path,
    text_column: &'static str,
) -> Result<Vec<(String, String)>, EvalError> {
    let csv_error = |source| EvalError::Csv {
        path: path.to_owned(),
        source,
    };
    let mut reader = csv::Reader::from_path(path).map_err(csv_error)?;
    let headers = reader.headers().map_err(csv_error)?.clone();
    let column = |name: &'static str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(EvalError::MissingColumn {
                path: path.to_owned(),
                column: name,
            })
    };
    let (text_col, label_col) = (column(text_column)?, column("label")?);
    let mut pairs = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        if let (Some(text), Some(label)) = (record.get(text_col), record.get(label_col)) {
            pairs.push((text.to_owned(), label.to_owned()));
        }
    }
    Ok(pairs)
}

/// Reads an annotation file into labelled sentences.
pub fn read_annotations(path: &Path) -> Result<Vec<LabelledSentence>, EvalError> {
    let mut sentences: Vec<LabelledSentence> = Vec::new();
    for (text, label) in annotation_pairs(path, "sentence")? {
        let index = match sentences.iter().position(|s| s.text == text) {
            Some(i) => i,
            None => {
                sentences.push(LabelledSentence {
                    text,
                    gold: Vec::new(),
                });
                sentences.len() - 1
            }
        };
        let label = label.trim();
        let gold = &mut sentences[index].gold;
        if !label.is_empty()
            && !NO_SKILL_LABELS.contains(&label)
            && !gold.contains(&label.to_lowercase())
        {
            gold.push(label.to_lowercase());
        }
    }
    Ok(sentences)
}

/// Runs the extractor (literal matching only) on every sentence of an annotation file and
/// scores it.
pub fn evaluate(extractor: &SkillExtractor, path: &Path) -> Result<EvalReport, EvalError> {
    let sentences = read_annotations(path)?;
    evaluate_sentences(&sentences, file_name(path), |texts| {
        Ok(texts.iter().map(|t| extractor.extract(t)).collect())
    })
}

/// The file name of `path`, for reports.
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Scores `predict` (all sentence texts in, one ranked list per sentence out) on
/// `sentences`, timing the call.
pub fn evaluate_sentences(
    sentences: &[LabelledSentence],
    file: String,
    predict: impl FnOnce(&[&str]) -> Result<Vec<Vec<ExtractedSkill>>, EvalError>,
) -> Result<EvalReport, EvalError> {
    let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    let started = Instant::now();
    let predictions = predict(&texts)?;
    let elapsed = started.elapsed();
    let mut report = score(sentences, &predictions, file);
    report.micros_per_sentence = if sentences.is_empty() {
        0.0
    } else {
        elapsed.as_secs_f64() * 1e6 / sentences.len() as f64
    };
    Ok(report)
}

/// Scores predictions (one list per sentence, ranked) against gold labels.
pub fn score(
    sentences: &[LabelledSentence],
    predictions: &[Vec<ExtractedSkill>],
    file: String,
) -> EvalReport {
    let mut report = EvalReport {
        file,
        sentences: sentences.len(),
        sentences_with_gold: 0,
        gold_labels: 0,
        predictions: 0,
        correct: 0,
        curated_predictions: 0,
        precision: 0.0,
        recall: 0.0,
        r_precision_at_5: 0.0,
        literal_predictions: 0,
        literal_correct: 0,
        literal_precision: 0.0,
        micros_per_sentence: 0.0,
    };
    let mut r_precision_sum = 0.0;
    for (sentence, predicted) in sentences.iter().zip(predictions) {
        let gold: HashSet<&str> = sentence.gold.iter().map(String::as_str).collect();
        let (curated, esco): (Vec<&ExtractedSkill>, Vec<&ExtractedSkill>) = predicted
            .iter()
            .partition(|p| p.uri.starts_with("intellicv:"));
        let ranked: Vec<String> = esco.iter().map(|p| p.label.to_lowercase()).collect();
        report.curated_predictions += curated.len();
        report.predictions += ranked.len();
        report.correct += ranked.iter().filter(|l| gold.contains(l.as_str())).count();
        for literal in esco.iter().filter(|p| p.method == SkillMethod::Gazetteer) {
            report.literal_predictions += 1;
            if gold.contains(literal.label.to_lowercase().as_str()) {
                report.literal_correct += 1;
            }
        }
        report.gold_labels += gold.len();
        if !gold.is_empty() {
            report.sentences_with_gold += 1;
            let k = gold.len().min(5);
            let hits = ranked
                .iter()
                .take(k)
                .filter(|l| gold.contains(l.as_str()))
                .count();
            r_precision_sum += hits as f64 / k as f64;
        }
    }
    report.precision = ratio(report.correct, report.predictions);
    report.recall = ratio(report.correct, report.gold_labels);
    report.literal_precision = ratio(report.literal_correct, report.literal_predictions);
    report.r_precision_at_5 = if report.sentences_with_gold == 0 {
        0.0
    } else {
        r_precision_sum / report.sentences_with_gold as f64
    };
    report
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// An annotated skill mention (the `span` column) with its gold preferred label,
/// lowercased; `None` when the annotators found no ESCO skill for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub text: String,
    pub gold: Option<String>,
}

/// The distinct mentions of an annotation file, in file order.
pub fn read_mentions(path: &Path) -> Result<Vec<Mention>, EvalError> {
    let mut mentions: Vec<Mention> = Vec::new();
    for (span, label) in annotation_pairs(path, "span")? {
        let (span, label) = (span.trim(), label.trim());
        if span.is_empty() || label.is_empty() {
            continue;
        }
        let mention = Mention {
            text: span.to_owned(),
            gold: (!NO_SKILL_LABELS.contains(&label)).then(|| label.to_lowercase()),
        };
        if !mentions.contains(&mention) {
            mentions.push(mention);
        }
    }
    Ok(mentions)
}

/// Item matching at one threshold: how many mentions were matched, how many of those to
/// their gold skill, precision and recall (over the mentions that have a gold skill).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdPoint {
    pub threshold: f32,
    pub matched: usize,
    pub right: usize,
    pub precision: f64,
    pub recall: f64,
}

/// Scores nearest-skill predictions (`(label, cosine)` per mention) at each threshold.
pub fn threshold_curve(
    mentions: &[Mention],
    nearest: &[Option<(String, f32)>],
    thresholds: &[f32],
) -> Vec<ThresholdPoint> {
    let with_gold = mentions.iter().filter(|m| m.gold.is_some()).count();
    thresholds
        .iter()
        .map(|&threshold| {
            let (mut matched, mut right) = (0, 0);
            for (mention, best) in mentions.iter().zip(nearest) {
                let Some((label, cosine)) = best else {
                    continue;
                };
                if *cosine >= threshold {
                    matched += 1;
                    right += usize::from(mention.gold.as_deref() == Some(&label.to_lowercase()));
                }
            }
            ThresholdPoint {
                threshold,
                matched,
                right,
                precision: right as f64 / matched.max(1) as f64,
                recall: right as f64 / with_gold.max(1) as f64,
            }
        })
        .collect()
}

#[cfg(test)]
mod real_data;
#[cfg(test)]
mod tuning;

#[cfg(test)]
mod tests {
    #[test]
    fn the_threshold_curve_counts_matches_and_right_answers() {
        let mention = |text: &str, gold: Option<&str>| Mention {
            text: text.to_owned(),
            gold: gold.map(str::to_owned),
        };
        let mentions = [
            mention("rust", Some("rust")),
            mention("team player", None),
            mention("k8s", Some("kubernetes")),
        ];
        let nearest = [
            Some(("Rust".to_owned(), 0.9)),
            Some(("teamwork principles".to_owned(), 0.7)),
            Some(("Docker".to_owned(), 0.65)),
        ];
        let curve = threshold_curve(&mentions, &nearest, &[0.6, 0.8]);
        assert_eq!((curve[0].matched, curve[0].right), (3, 1));
        assert!((curve[0].precision - 1.0 / 3.0).abs() < 1e-9);
        assert!((curve[0].recall - 0.5).abs() < 1e-9);
        assert_eq!((curve[1].matched, curve[1].right), (1, 1));
        assert_eq!(curve[1].precision, 1.0);
    }

    use super::*;
    use intellicv_core::SkillMethod;

    fn predicted(uri: &str, label: &str) -> ExtractedSkill {
        ExtractedSkill {
            uri: uri.to_owned(),
            label: label.to_owned(),
            confidence: 0.5,
            method: SkillMethod::Gazetteer,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn annotations_group_by_sentence_and_drop_no_skill_labels() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.csv");
        std::fs::write(
            &path,
            "sentence,span,sub_span,label\n\
             We use Rust,Rust,,Rust (programming)\n\
             We use Rust,use,,UNDERSPECIFIED\n\
             We use Rust,Rust,,rust (programming)\n\
             Be kind,kind,,LABEL NOT PRESENT\n",
        )
        .expect("write");
        let sentences = read_annotations(&path).expect("reads");
        assert_eq!(
            sentences,
            vec![
                LabelledSentence {
                    text: "We use Rust".to_owned(),
                    gold: vec!["rust (programming)".to_owned()],
                },
                LabelledSentence {
                    text: "Be kind".to_owned(),
                    gold: vec![],
                },
            ]
        );
    }

    #[test]
    fn scores_count_micro_precision_recall_and_r_precision() {
        let sentences = vec![
            LabelledSentence {
                text: "one".to_owned(),
                gold: vec!["a".to_owned(), "b".to_owned()],
            },
            LabelledSentence {
                text: "two".to_owned(),
                gold: vec!["c".to_owned()],
            },
            LabelledSentence {
                text: "three".to_owned(),
                gold: vec![],
            },
        ];
        let predictions = vec![
            vec![
                predicted("u:x", "X"),
                predicted("u:a", "A"),
                predicted("u:b", "b"),
            ],
            vec![predicted("intellicv:tech/k", "K")],
            vec![predicted("u:d", "d")],
        ];
        let report = score(&sentences, &predictions, "f".to_owned());
        assert_eq!(report.predictions, 4);
        assert_eq!((report.literal_predictions, report.literal_correct), (4, 2));
        assert_eq!(report.correct, 2);
        assert_eq!(report.curated_predictions, 1);
        assert_eq!(report.gold_labels, 3);
        assert_eq!(report.sentences_with_gold, 2);
        assert!((report.precision - 0.5).abs() < 1e-9);
        assert!((report.recall - 2.0 / 3.0).abs() < 1e-9);
        // sentence one: top-2 = [x, a] -> 1/2; sentence two: top-1 = [] -> 0.
        assert!((report.r_precision_at_5 - 0.25).abs() < 1e-9);
    }

    #[test]
    fn the_tuning_and_held_out_splits_alternate_and_cover_the_file() {
        let sentences: Vec<LabelledSentence> = (0..5)
            .map(|i| LabelledSentence {
                text: i.to_string(),
                gold: vec![],
            })
            .collect();
        let texts = |split: Split| -> Vec<String> {
            split
                .apply(sentences.clone())
                .into_iter()
                .map(|s| s.text)
                .collect()
        };
        assert_eq!(texts(Split::Tuning), vec!["0", "2", "4"]);
        assert_eq!(texts(Split::HeldOut), vec!["1", "3"]);
        assert_eq!(texts(Split::All).len(), 5);
    }

    #[test]
    fn a_file_without_a_label_column_is_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("b.csv");
        std::fs::write(&path, "sentence,tag\nx,y\n").expect("write");
        let err = read_annotations(&path).expect_err("no label column");
        assert!(
            err.to_string()
                .ends_with("the header lacks a `label` column"),
            "{err}"
        );
    }
}
