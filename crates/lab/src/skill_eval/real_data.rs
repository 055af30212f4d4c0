//! The gazetteer on the shared ESCO-labelled sentences (diagnostics; need the shared data).
//!
//! `INTELLICV_SHARED_DATA=../shared/data cargo test --release -p intellicv-lab \
//!  skill_eval::real_data -- --ignored --nocapture`

use std::path::{Path, PathBuf};
use std::time::Instant;

use intellicv_skills::{SkillExtractor, Taxonomy};

use super::{evaluate, read_annotations};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared data directory (`INTELLICV_SHARED_DATA`) and the real taxonomy.
fn shared_data_and_taxonomy() -> (PathBuf, Taxonomy) {
    let Some(shared) = std::env::var_os("INTELLICV_SHARED_DATA").map(PathBuf::from) else {
        panic!("set INTELLICV_SHARED_DATA to the shared data directory");
    };
    let models = std::env::var_os("INTELLICV_MODELS_DIR")
        .map_or_else(|| repo_root().join("models"), PathBuf::from);
    let taxonomy = Taxonomy::load(&models, &repo_root().join("data")).expect("taxonomy loads");
    (shared, taxonomy)
}

#[test]
#[ignore = "needs INTELLICV_SHARED_DATA and the ESCO CSVs"]
fn gazetteer_scores_on_the_shared_skill_annotations() {
    let (shared, taxonomy) = shared_data_and_taxonomy();
    let extractor = SkillExtractor::new(&taxonomy).expect("builds");
    for name in ["tech", "house"] {
        let path = shared.join(format!("skills/{name}_validation_annotations.csv"));
        let report = evaluate(&extractor, &path).expect("evaluates");
        println!("{}", serde_json::to_string(&report).expect("serialises"));
        assert!(report.sentences > 0);
    }
}

#[test]
#[ignore = "diagnostic: prints predictions next to gold labels"]
fn print_gazetteer_predictions_next_to_gold_labels() {
    let (shared, taxonomy) = shared_data_and_taxonomy();
    let started = Instant::now();
    let extractor = SkillExtractor::new(&taxonomy).expect("builds");
    println!(
        "gazetteer {:?} ({} patterns)",
        started.elapsed(),
        extractor.pattern_count()
    );
    for name in ["tech", "house"] {
        let path = shared.join(format!("skills/{name}_validation_annotations.csv"));
        for sentence in read_annotations(&path).expect("reads") {
            let predicted: Vec<String> = extractor
                .extract(&sentence.text)
                .iter()
                .map(|s| format!("{} [{}] {:.2}", s.label, s.evidence[0].text, s.confidence))
                .collect();
            println!(
                "S: {}\n  gold: {:?}\n  pred: {:?}",
                sentence.text, sentence.gold, predicted
            );
        }
    }
}
