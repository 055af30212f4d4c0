//! Tests against the real embedding model on a small taxonomy written here. They run when
//! the model files are present; when absent they fail under `CI=true` and are skipped
//! otherwise (as the embedder's own tests do).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::*;
use crate::{SkillExtractor, Taxonomy, TextPart};
use intellicv_ann::VectorIndex;
use intellicv_embed::{EmbedderConfig, MODELS_DIR_ENV};

pub(crate) fn models_dir() -> PathBuf {
    std::env::var_os(MODELS_DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"))
}

/// The real model, loaded once, or `None` (skip) when its files are missing outside CI.
pub(crate) fn embedder() -> Option<Arc<Embedder>> {
    static SHARED: OnceLock<Option<Arc<Embedder>>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let config = EmbedderConfig {
                models_dir: models_dir(),
                pool_size: 2,
                batch_size: 32,
                ..EmbedderConfig::default()
            };
            let in_ci = std::env::var("CI").is_ok_and(|ci| ci == "true");
            match Embedder::load(&config) {
                Ok(embedder) => Some(Arc::new(embedder)),
                Err(error @ EmbedderError::MissingFile { .. }) if !in_ci => {
                    eprintln!("skipping semantic skill test: {error}");
                    None
                }
                Err(error) => panic!("semantic skill tests need the model: {error}"),
            }
        })
        .clone()
}

const SKILLS_CSV: &str = "id,description\n\
    esco:cs,\"provide customer service help customers Assist customers with questions.\"\n\
    esco:bread,\"bake bread make bread Prepare dough and bake loaves.\"\n\
    esco:rust,\"Rust (computer programming) Rust The techniques of programming in Rust.\"\n\
    esco:forklift,\"operate forklift drive forklift Drive a forklift truck in a warehouse.\"\n\
    esco:accounts,\"manage accounts keep accounts Keep the financial records of a company.\"\n";
const PREFERRED_TSV: &str = "esco_uri\tpreferred_label\n\
    esco:cs\tprovide customer service\nesco:bread\tbake bread\n\
    esco:rust\tRust (computer programming)\nesco:forklift\toperate forklift\n\
    esco:accounts\tmanage accounts\n";
const TECH_TOML: &str = "[[tech]]\nname = \"Rust\"\nsynonyms = []\nesco = \"esco:rust\"\n";

fn taxonomy(preferred_tsv: &str) -> Taxonomy {
    Taxonomy::from_readers(
        SKILLS_CSV.as_bytes(),
        "id,description\n".as_bytes(),
        preferred_tsv.as_bytes(),
        TECH_TOML,
    )
    .expect("test taxonomy is valid")
}

#[test]
fn label_vectors_are_cached_and_rebuilt_when_a_label_changes() {
    let Some(embedder) = embedder() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let first = SkillVectors::load_or_build(
        &embedder,
        &taxonomy(PREFERRED_TSV),
        LabelViews::Preferred,
        dir.path(),
    )
    .expect("builds");
    assert!(!first.origin().cached);
    assert_eq!((first.skill_count(), first.row_count()), (5, 5));
    let again = SkillVectors::load_or_build(
        &embedder,
        &taxonomy(PREFERRED_TSV),
        LabelViews::Preferred,
        dir.path(),
    )
    .expect("loads");
    assert!(again.origin().cached);
    let query = embedder.embed_query("baking bread").expect("embeds");
    assert_eq!(first.top_k(&query, 2), again.top_k(&query, 2));
    assert_eq!(first.top_k(&query, 1)[0].0, 1);

    let renamed = PREFERRED_TSV.replace("bake bread", "bake bread and pastries");
    let rebuilt = SkillVectors::load_or_build(
        &embedder,
        &taxonomy(&renamed),
        LabelViews::Preferred,
        dir.path(),
    )
    .expect("rebuilds");
    assert!(
        !rebuilt.origin().cached,
        "a changed label must invalidate the cache"
    );
}

#[test]
fn the_label_graph_is_cached_beside_the_vectors_and_rebuilt_when_damaged() {
    let Some(embedder) = embedder() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let load = || {
        SkillVectors::load_or_build(
            &embedder,
            &taxonomy(PREFERRED_TSV),
            LabelViews::Preferred,
            dir.path(),
        )
        .expect("builds")
    };
    let graphs = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("skill-graph-")
            })
            .collect()
    };
    let query = embedder.embed_query("baking bread").expect("embeds");
    let first = load().nearest_skill(&query);
    assert_eq!(first.map(|(skill, _)| skill), Some(1));
    let cached = graphs();
    assert_eq!(cached.len(), 1, "one graph, no leftovers: {cached:?}");
    assert_eq!(load().nearest_skill(&query), first, "from the cached graph");
    // A damaged cache is rebuilt, not trusted.
    for entry in walk(&cached[0]) {
        std::fs::write(entry, b"damaged").unwrap();
    }
    assert_eq!(load().nearest_skill(&query), first, "rebuilt");
    assert_eq!(
        graphs(),
        cached,
        "the rebuilt graph replaced the damaged one"
    );
    assert!(VectorIndex::load(&cached[0]).is_ok());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn hybrid_extractor(dir: &Path) -> Option<SkillExtractor> {
    let embedder = embedder()?;
    let taxonomy = taxonomy(PREFERRED_TSV);
    let config = SemanticConfig::default();
    let vectors =
        SkillVectors::load_or_build(&embedder, &taxonomy, config.views, dir).expect("builds");
    let matcher = SemanticMatcher::new(embedder, Arc::new(vectors), config);
    Some(
        SkillExtractor::new(&taxonomy)
            .expect("builds")
            .with_semantic(matcher),
    )
}

#[test]
fn a_skill_described_without_its_label_is_found_with_its_phrase_as_evidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(extractor) = hybrid_extractor(dir.path()) else {
        return;
    };
    let sentence = "Every night I drove forklift trucks around the warehouse.";
    assert!(extractor.extract(sentence).is_empty(), "no literal mention");
    let parts = [TextPart {
        text: sentence,
        base_offset: 100,
        section: Some("experience"),
    }];
    let found = extractor.extract_parts(&parts).expect("matches");
    let top = found[0].first().expect("a semantic hit");
    assert_eq!(top.uri, "esco:forklift");
    assert_eq!(top.method, SkillMethod::Semantic);
    assert!(top.confidence > 0.0 && top.confidence < 1.0);
    let evidence = &top.evidence[0];
    assert_eq!(evidence.source.section.as_deref(), Some("experience"));
    let local = evidence.source.start - 100..evidence.source.end - 100;
    assert_eq!(&sentence[local], evidence.text);
    assert!(
        evidence.text.to_lowercase().contains("forklift"),
        "{}",
        evidence.text
    );
    assert!(found[0].iter().all(|s| s.uri != "esco:bread"), "{found:?}");
}

#[test]
fn literal_hits_stay_first_and_are_not_repeated_by_semantic_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(extractor) = hybrid_extractor(dir.path()) else {
        return;
    };
    let sentence = "I write Rust and I drove forklift trucks in the warehouse.";
    let literal = extractor.extract(sentence);
    let found = extractor
        .extract_parts(&[TextPart {
            text: sentence,
            base_offset: 0,
            section: None,
        }])
        .expect("matches")
        .remove(0);
    assert_eq!(found[0], literal[0]);
    assert_eq!(found[0].uri, "esco:rust");
    let rust = found.iter().filter(|s| s.uri == "esco:rust").count();
    assert_eq!(rust, 1, "{found:?}");
    assert!(
        found
            .iter()
            .any(|s| s.uri == "esco:forklift" && s.method == SkillMethod::Semantic)
    );
}

#[test]
fn ingest_matches_unnamed_skills_list_items_after_the_literal_hits() {
    use crate::resume::{parse_resume, this_month};
    use intellicv_ingest::extract::ExtractLimits;
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(extractor) = hybrid_extractor(dir.path()) else {
        return;
    };
    let text = "Ada Baker\nWarehouse Lead\n\nExperience\nWarehouse Lead, Depot Ltd, 2019 - Present\n\
                - Ran the night shift.\n\nSkills\nRust, forklift operation, baking bread, juggling\n";
    let parsed = parse_resume(
        text.as_bytes(),
        &ExtractLimits::default(),
        &extractor,
        this_month(),
    )
    .expect("parses");
    let skills = &parsed.profile.skills;
    let position = |uri: &str| skills.iter().position(|s| s.uri == uri);
    let rust = position("esco:rust").expect("Rust is named literally");
    assert_ne!(skills[rust].method, SkillMethod::Semantic);
    for (uri, item) in [
        ("esco:forklift", "forklift operation"),
        ("esco:bread", "baking bread"),
    ] {
        let at = position(uri).unwrap_or_else(|| panic!("{uri} missing from {skills:?}"));
        let skill = &skills[at];
        assert_eq!(skill.method, SkillMethod::Semantic);
        assert!(at > rust, "semantic items rank after literal hits");
        let evidence = &skill.evidence[0];
        assert_eq!(evidence.text, item);
        assert_eq!(evidence.source.section.as_deref(), Some("skills"));
        assert_eq!(
            &parsed.text[evidence.source.start..evidence.source.end],
            item
        );
    }
    assert!(
        skills
            .iter()
            .all(|s| s.evidence.iter().all(|e| e.text != "juggling")),
        "an item close to no skill is not matched: {skills:?}"
    );

    let literal_only = SkillExtractor::new(&taxonomy(PREFERRED_TSV)).expect("builds");
    let plain = parse_resume(
        text.as_bytes(),
        &ExtractLimits::default(),
        &literal_only,
        this_month(),
    )
    .expect("parses");
    assert!(
        plain
            .profile
            .skills
            .iter()
            .all(|s| s.method != SkillMethod::Semantic),
        "without a matcher only literal skills"
    );
}
