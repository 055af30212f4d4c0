//! Tuning the semantic matcher on the tuning half of the shared annotation files and
//! reporting the held-out half (diagnostic; prints tables, asserts nothing about scores).
//!
//! `INTELLICV_SHARED_DATA=/work/shared/data cargo test --release -p intellicv-lab \
//!  skill_eval::tuning -- --ignored --nocapture`

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::skill_eval::{EvalReport, LabelledSentence, Split, read_annotations, score};
use intellicv_core::{ExtractedSkill, SkillMethod};
use intellicv_search::embedder::{Embedder, EmbedderConfig, EmbedderError, MODELS_DIR_ENV};
use intellicv_skills::covered_ranges;
use intellicv_skills::rank::literal_first;
use intellicv_skills::semantic::*;
use intellicv_skills::{SkillExtractor, Taxonomy};

struct Prepared {
    name: &'static str,
    sentences: Vec<LabelledSentence>,
    literal: Vec<Vec<ExtractedSkill>>,
    scores: Vec<SentenceScores>,
    dense: Vec<Vec<ExtractedSkill>>,
}

fn split_score(
    prepared: &Prepared,
    predictions: &[Vec<ExtractedSkill>],
    split: Split,
) -> EvalReport {
    let keep = |i: usize| match split {
        Split::All => true,
        Split::Tuning => i.is_multiple_of(2),
        Split::HeldOut => i % 2 == 1,
    };
    let sentences: Vec<LabelledSentence> = prepared
        .sentences
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, s)| s.clone())
        .collect();
    let predicted: Vec<Vec<ExtractedSkill>> = predictions
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, p)| p.clone())
        .collect();
    score(&sentences, &predicted, prepared.name.to_owned())
}

fn hybrid(
    matcher: &SemanticMatcher,
    prepared: &Prepared,
    config: &SemanticConfig,
) -> Vec<Vec<ExtractedSkill>> {
    prepared
        .sentences
        .iter()
        .zip(&prepared.literal)
        .zip(&prepared.scores)
        .map(|((sentence, literal), scores)| {
            let input = SentenceInput {
                text: &sentence.text,
                base_offset: 0,
                section: None,
                covered: Vec::new(),
            };
            literal_first(literal.clone(), matcher.select(&input, scores, config))
        })
        .collect()
}

/// Fits `σ(a·x + b)` to `(x, correct)` by gradient descent on the log loss.
fn fit_logistic(points: &[(f32, bool)]) -> Calibration {
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..20_000 {
        let (mut ga, mut gb) = (0.0, 0.0);
        for &(x, y) in points {
            let p = 1.0 / (1.0 + (-(a * x as f64 + b)).exp());
            let err = p - if y { 1.0 } else { 0.0 };
            ga += err * x as f64;
            gb += err;
        }
        let n = points.len().max(1) as f64;
        a -= 2.0 * ga / n;
        b -= 2.0 * gb / n;
    }
    Calibration {
        slope: a as f32,
        intercept: b as f32,
    }
}

#[test]
#[ignore = "needs INTELLICV_SHARED_DATA, the ESCO CSVs and the model; slow without --release"]
fn tune_semantic_matching_on_the_tuning_half() {
    let shared = PathBuf::from(
        std::env::var_os("INTELLICV_SHARED_DATA").expect("set INTELLICV_SHARED_DATA"),
    );
    let repo = repo_root();
    let taxonomy = Taxonomy::load(&models_dir(), &repo.join("data")).expect("taxonomy");
    let embedder = embedder().expect("model");
    let cache_dir = repo.join("target/skill-vector-cache");
    let gazetteer = SkillExtractor::new(&taxonomy).expect("gazetteer");
    let preferred = Arc::new(
        SkillVectors::load_or_build(&embedder, &taxonomy, LabelViews::Preferred, &cache_dir)
            .expect("preferred vectors"),
    );
    println!("preferred: {:?}", preferred.origin());
    let baseline = DenseBaseline::new(Arc::clone(&embedder), Arc::clone(&preferred), 5);
    let views_list: Vec<LabelViews> = match std::env::var("TUNE_VIEWS").as_deref() {
        Ok("preferred") => vec![LabelViews::Preferred],
        Ok("alternatives") => vec![LabelViews::WithAlternatives],
        _ => vec![LabelViews::Preferred, LabelViews::WithAlternatives],
    };
    let phrase_configs = [
        PhraseConfig::default(),
        PhraseConfig {
            max_window: 3,
            max_clause: 12,
            single_words: true,
        },
        PhraseConfig {
            max_window: 3,
            max_clause: 8,
            single_words: false,
        },
    ];
    for views in views_list {
        let vectors = match views {
            LabelViews::Preferred => Arc::clone(&preferred),
            _ => Arc::new(
                SkillVectors::load_or_build(&embedder, &taxonomy, views, &cache_dir)
                    .expect("vectors"),
            ),
        };
        println!(
            "views {views:?}: {:?}, {} rows",
            vectors.origin(),
            vectors.row_count()
        );
        for phrases in phrase_configs {
            let base = SemanticConfig {
                views,
                phrases,
                ..SemanticConfig::default()
            };
            let matcher = SemanticMatcher::new(Arc::clone(&embedder), Arc::clone(&vectors), base);
            let mut prepared = Vec::new();
            for name in ["tech", "house"] {
                let path = shared.join(format!("skills/{name}_validation_annotations.csv"));
                let sentences = read_annotations(&path).expect("reads");
                let literal: Vec<Vec<ExtractedSkill>> = sentences
                    .iter()
                    .map(|s| gazetteer.extract(&s.text))
                    .collect();
                let inputs: Vec<SentenceInput<'_>> = sentences
                    .iter()
                    .zip(&literal)
                    .map(|(s, hits)| SentenceInput {
                        text: &s.text,
                        base_offset: 0,
                        section: None,
                        covered: covered_ranges(hits, 0),
                    })
                    .collect();
                let started = Instant::now();
                let scores = matcher.score_sentences(&inputs).expect("scores");
                let elapsed = started.elapsed();
                let phrase_count: usize = scores.iter().map(|s| s.phrases.len()).sum();
                let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
                let dense = baseline.rank(&texts).expect("dense");
                println!(
                    "  {name}: {} sentences, {phrase_count} phrases, scored in {elapsed:?}",
                    sentences.len()
                );
                drop(inputs);
                prepared.push(Prepared {
                    name,
                    sentences,
                    literal,
                    scores,
                    dense,
                });
            }
            let mut results = Vec::new();
            for w in [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] {
                for t in (0..=12).map(|i| 0.3 + 0.05 * i as f32) {
                    for max_hits in [1, 2, 3, 5] {
                        let config = SemanticConfig {
                            sentence_weight: w,
                            threshold: t,
                            max_hits,
                            ..base
                        };
                        let tuning: Vec<EvalReport> = prepared
                            .iter()
                            .map(|p| split_score(p, &hybrid(&matcher, p, &config), Split::Tuning))
                            .collect();
                        let rp = tuning.iter().map(|r| r.r_precision_at_5).sum::<f64>() / 2.0;
                        let precision = tuning.iter().map(|r| r.precision).sum::<f64>() / 2.0;
                        results.push((rp, precision, config));
                    }
                }
            }
            results.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
            println!("  phrases {phrases:?}");
            for p in &prepared {
                for split in [Split::Tuning, Split::HeldOut, Split::All] {
                    let d = split_score(p, &p.dense, split);
                    let g = split_score(p, &p.literal, split);
                    println!(
                        "    {} {split:?}: dense P {:.3} R {:.3} RP5 {:.3} | gazetteer P {:.3} R {:.3} RP5 {:.3}",
                        p.name,
                        d.precision,
                        d.recall,
                        d.r_precision_at_5,
                        g.precision,
                        g.recall,
                        g.r_precision_at_5
                    );
                }
            }
            for (rp, precision, config) in results.iter().take(8) {
                print!(
                    "    w {:.1} t {:.2} hits {} -> tuning RP5 {rp:.3} P {precision:.3} | held-out",
                    config.sentence_weight, config.threshold, config.max_hits
                );
                for p in &prepared {
                    let r = split_score(p, &hybrid(&matcher, p, config), Split::HeldOut);
                    print!(
                        " {} P {:.3} R {:.3} RP5 {:.3} litP {:.3};",
                        p.name, r.precision, r.recall, r.r_precision_at_5, r.literal_precision
                    );
                }
                println!();
            }
            // Calibration of the best setting's mixed score on the tuning half.
            let best = results[0].2;
            let mut points = Vec::new();
            for p in &prepared {
                for (i, (sentence, scores)) in p.sentences.iter().zip(&p.scores).enumerate() {
                    if i % 2 == 1 {
                        continue;
                    }
                    let mut ranked: Vec<(f32, usize)> = scores
                        .skills
                        .iter()
                        .filter(|s| s.phrase.is_some())
                        .map(|s| (mixed(s, best.sentence_weight), s.skill))
                        .collect();
                    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
                    for (score, skill) in ranked.into_iter().take(5) {
                        let label = matcher.vectors().skill(skill).1.to_lowercase();
                        points.push((score, sentence.gold.contains(&label)));
                    }
                }
            }
            println!(
                "    calibration at w {}: {:?}",
                best.sentence_weight,
                fit_logistic(&points)
            );
        }
    }
}

/// Cost of semantic matching per resume: the first PDF of each category folder, sections
/// as ingestion finds them, literal only vs literal + semantic.
#[test]
#[ignore = "needs INTELLICV_SHARED_DATA, the ESCO CSVs and the model; run with --release"]
fn semantic_matching_cost_per_resume() {
    use intellicv_ingest::extract::{ExtractLimits, extract};
    use intellicv_ingest::profile::{body_range, split_sections};
    use intellicv_skills::TextPart;

    let shared = PathBuf::from(
        std::env::var_os("INTELLICV_SHARED_DATA").expect("set INTELLICV_SHARED_DATA"),
    );
    let repo = repo_root();
    let taxonomy = Taxonomy::load(&models_dir(), &repo.join("data")).expect("taxonomy");
    let embedder = embedder().expect("model");
    let config = SemanticConfig::default();
    let vectors = Arc::new(
        SkillVectors::load_or_build(
            &embedder,
            &taxonomy,
            config.views,
            &repo.join("target/skill-vector-cache"),
        )
        .expect("vectors"),
    );
    let literal = SkillExtractor::new(&taxonomy).expect("gazetteer");
    let hybrid = SkillExtractor::new(&taxonomy)
        .expect("gazetteer")
        .with_semantic(SemanticMatcher::new(Arc::clone(&embedder), vectors, config));
    let mut texts = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(shared.join("resumes"))
        .expect("resumes dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        pdfs.sort();
        if let Some(pdf) = pdfs.first() {
            let bytes = std::fs::read(pdf).expect("pdf");
            if let Ok(document) = extract(&bytes, &ExtractLimits::default()) {
                texts.push(document.text);
            }
        }
    }
    let documents: Vec<Vec<(std::ops::Range<usize>, String)>> = texts
        .iter()
        .map(|text| {
            split_sections(text)
                .iter()
                .map(|s| (body_range(text, s), s.kind.as_str().to_owned()))
                .collect()
        })
        .collect();
    let run = |extractor: &SkillExtractor| {
        let started = Instant::now();
        let (mut skills, mut semantic) = (0, 0);
        for (text, sections) in texts.iter().zip(&documents) {
            let parts: Vec<TextPart<'_>> = sections
                .iter()
                .map(|(range, kind)| TextPart {
                    text: &text[range.clone()],
                    base_offset: range.start,
                    section: Some(kind.as_str()),
                })
                .collect();
            let found = extractor.extract_document(&parts).expect("extracts");
            skills += found.len();
            semantic += found
                .iter()
                .filter(|s| s.method == SkillMethod::Semantic)
                .count();
        }
        (started.elapsed(), skills, semantic)
    };
    let sentences: usize = texts
        .iter()
        .zip(&documents)
        .map(|(t, d)| {
            d.iter()
                .map(|(r, _)| intellicv_skills::sentence_ranges(&t[r.clone()]).len())
                .sum::<usize>()
        })
        .sum();
    let (literal_time, literal_skills, _) = run(&literal);
    let (cold, hybrid_skills, semantic) = run(&hybrid);
    let (warm, _, _) = run(&hybrid);
    let n = texts.len() as f64;
    println!(
        "{} resumes, {sentences} sentences: literal {:.1} ms/resume ({:.1} skills); \
         hybrid cold cache {:.0} ms/resume, warm {:.0} ms/resume ({:.1} skills, {:.1} semantic)",
        texts.len(),
        literal_time.as_secs_f64() * 1e3 / n,
        literal_skills as f64 / n,
        cold.as_secs_f64() * 1e3 / n,
        warm.as_secs_f64() * 1e3 / n,
        hybrid_skills as f64 / n,
        semantic as f64 / n
    );
}

/// The repository root: the lab crate lives two levels below it.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn models_dir() -> PathBuf {
    std::env::var_os(MODELS_DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("models"))
}

fn embedder() -> Option<Arc<Embedder>> {
    let config = EmbedderConfig {
        models_dir: models_dir(),
        pool_size: 2,
        batch_size: 32,
        ..EmbedderConfig::default()
    };
    match Embedder::load(&config) {
        Ok(embedder) => Some(Arc::new(embedder)),
        Err(error @ EmbedderError::MissingFile { .. }) => {
            eprintln!("skipping semantic tuning: {error}");
            None
        }
        Err(error) => panic!("semantic tuning needs the model: {error}"),
    }
}
