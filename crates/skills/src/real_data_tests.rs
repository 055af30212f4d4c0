//! Tests on the committed data files and, when the environment points at them, on the
//! fetched ESCO CSVs and the shared evaluation data.
//!
//! `INTELLICV_MODELS_DIR=/path/to/models INTELLICV_SHARED_DATA=/work/shared/data \
//!  cargo test --release -p intellicv-skills --lib real_data_tests -- --ignored --nocapture`

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::tech::parse_tech_list;
use super::{SkillExtractor, Taxonomy};

fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn models_dir() -> PathBuf {
    std::env::var_os("INTELLICV_MODELS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
        PathBuf::from,
    )
}

#[test]
fn every_esco_uri_in_the_tech_list_is_in_the_preferred_label_table() {
    let tech = std::fs::read_to_string(repo_data().join("skills/tech.toml")).expect("tech.toml");
    let table = std::fs::read_to_string(repo_data().join("esco/skill-preferred-labels.tsv"))
        .expect("label table");
    let list = parse_tech_list(&tech).expect("valid tech list");
    assert!(list.len() >= 150, "only {} entries", list.len());
    for skill in list {
        if let Some(uri) = &skill.esco_uri {
            assert!(
                table.contains(&format!("{uri}\t")),
                "{} -> {uri}",
                skill.name
            );
        }
    }
}

#[test]
#[ignore = "needs the ESCO CSVs from scripts/fetch-models.sh"]
fn the_real_taxonomy_loads_and_maps_every_curated_uri() {
    let started = Instant::now();
    let taxonomy = Taxonomy::load(&models_dir(), &repo_data()).expect("taxonomy loads");
    let loaded = started.elapsed();
    assert_eq!(taxonomy.occupations().count(), 3658);
    for tech in taxonomy.tech_skills() {
        assert!(
            taxonomy.skill(&tech.uri()).is_some(),
            "{} -> {}",
            tech.name,
            tech.uri()
        );
    }
    let guessed = taxonomy
        .skills()
        .filter(|c| c.source == super::ConceptSource::EscoGuessedLabel)
        .count();
    let alt_labels: usize = taxonomy.skills().map(|c| c.alt_labels.len()).sum();
    let no_definition = taxonomy
        .skills()
        .filter(|c| c.definition.is_empty())
        .count();
    println!(
        "{} skills ({guessed} with guessed labels, {no_definition} without definition), \
         {alt_labels} alternative labels",
        taxonomy.skills().count()
    );
    let started = Instant::now();
    let extractor = SkillExtractor::new(&taxonomy).expect("builds");
    println!(
        "taxonomy load {loaded:?}, gazetteer build {:?}, {} patterns",
        started.elapsed(),
        extractor.pattern_count()
    );
}
