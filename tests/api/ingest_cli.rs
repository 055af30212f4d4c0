//! `intellicv parse` and `intellicv ingest` on documents the test writes itself.

use intellicv_ingest::extract::testdoc;
use serde_json::Value;

use crate::helpers::{Backend, TestDatabase, intellicv_cli, intellicv_on, run_ok};
use crate::on_both_backends;

const RESUME: &[&str] = &[
    "Grace Hopper",
    "Senior Rust Engineer",
    "grace.hopper@example.com | +44 20 7946 0999 | London, UK",
    "Experience",
    "Senior Rust Engineer, Compilers Ltd, London, UK",
    "Jan 2018 - Present",
    "- Built a Rust compiler backend and ran it on Kubernetes.",
    "Education",
    "BSc in Mathematics, University of York, 2012",
    "Skills",
    "Rust, Kubernetes, PostgreSQL, Docker, Linux",
];

async fn ingest_stores_good_and_bad_resumes_and_skips_duplicates(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs/nested");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("grace.pdf"), testdoc::text_pdf(&[RESUME])).unwrap();
    std::fs::write(docs.join("grace.docx"), testdoc::docx_from_lines(RESUME)).unwrap();
    std::fs::write(
        docs.join("locked.pdf"),
        testdoc::encrypted_pdf(&[RESUME], "secret"),
    )
    .unwrap();
    std::fs::write(
        docs.join("junk.txt"),
        [0u8, 1, 2, 3, 255, 254, 0, 7].repeat(64),
    )
    .unwrap();

    let run = |db: &TestDatabase| {
        let out = run_ok(
            intellicv_on(db)
                .args(["ingest", "resumes", "--json"])
                .arg(dir.path().join("docs")),
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let first = run(&db);
    assert_eq!(first["files"], 4);
    assert_eq!(first["stored"], 4, "failures are stored too: {first}");
    assert_eq!(first["failed"], 2);
    assert_eq!(first["failures_by_code"]["encrypted_pdf"], 1);
    assert_eq!(first["failures_by_code"]["binary_junk"], 1, "{first}");
    assert_eq!(first["fill_rates"]["headline"], 1.0);
    assert_eq!(first["fill_rates"]["skills_at_least_5"], 1.0, "{first}");

    let second = run(&db);
    assert_eq!(second["duplicates"], 4);
    assert_eq!(second["stored"], 0);
}

#[test]
fn parse_prints_profiles_and_typed_errors_without_storing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("grace.pdf");
    let bad = dir.path().join("locked.pdf");
    std::fs::write(&good, testdoc::text_pdf(&[RESUME])).unwrap();
    std::fs::write(&bad, testdoc::encrypted_pdf(&[RESUME], "secret")).unwrap();
    let out = intellicv_cli()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["parse", "--json"])
        .args([&good, &bad])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a failed file makes the exit status non-zero"
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let profile = &lines[0]["profile"];
    assert_eq!(lines[0]["format"], "pdf");
    assert_eq!(profile["contact"]["name"]["value"], "Grace Hopper");
    assert_eq!(profile["headline"]["value"], "Senior Rust Engineer");
    assert_eq!(profile["experience"][0]["company"], "Compilers Ltd");
    assert_eq!(profile["education"][0]["institution"], "University of York");
    let labels: Vec<&str> = profile["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    for skill in ["Rust", "Kubernetes", "PostgreSQL", "Docker", "Linux"] {
        assert!(labels.contains(&skill), "{skill} missing from {labels:?}");
    }
    assert_eq!(lines[1]["error"]["code"], "encrypted_pdf");
    assert!(
        !dir.path().join("intellicv.db").exists(),
        "parse stores nothing"
    );
}

on_both_backends!(ingest_stores_good_and_bad_resumes_and_skips_duplicates);
