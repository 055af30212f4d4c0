//! The behaviour issue 5 pins: matched and missing skills with evidence, and a missing
//! skill gained raising the score by what the improvement promised.

use super::*;
use crate::{Component, ImprovementKind};
use intellicv_core::Requirement;

const POSTING: &str =
    "We build a search platform.\nRequirements:\n- Rust in production\n- Kubernetes operations\n";

fn rust_only() -> String {
    resume_text(
        "Backend Engineer",
        &[(
            "Backend Engineer, Acme Ltd",
            "Jan 2021 - Present",
            "Built services in Rust.",
        )],
        "",
    )
}

fn rust_and_kubernetes() -> String {
    resume_text(
        "Backend Engineer",
        &[(
            "Backend Engineer, Acme Ltd",
            "Jan 2021 - Present",
            "Built services in Rust on Kubernetes.",
        )],
        "",
    )
}

#[test]
fn a_posting_requiring_rust_and_kubernetes_matches_rust_and_misses_kubernetes() {
    let job = job("Backend Engineer", POSTING);
    let text = rust_only();
    let resume = profile(&text);
    let explanation = score(&resume, None, &job, Signals::default());

    assert_eq!(explanation.matched_skills.len(), 1, "{explanation:#?}");
    let rust = &explanation.matched_skills[0];
    assert_eq!(rust.uri, uri("Rust"));
    assert_eq!(rust.requirement, Requirement::Required);
    let on_resume = &rust.resume_evidence[0];
    assert_eq!(&text[on_resume.source.start..on_resume.source.end], "Rust");
    assert_eq!(
        on_resume.placement.role_label.as_deref(),
        Some("Backend Engineer, Acme Ltd")
    );
    let in_posting = &rust.job_evidence[0];
    assert_eq!(
        &POSTING[in_posting.source.start..in_posting.source.end],
        "Rust"
    );

    let missing: Vec<&str> = explanation
        .missing_required
        .iter()
        .map(|m| m.uri.as_str())
        .collect();
    assert_eq!(missing, vec![uri("Kubernetes")]);
    let k8s = &explanation.missing_required[0];
    assert_eq!(
        &POSTING[k8s.job_evidence[0].source.start..k8s.job_evidence[0].source.end],
        "Kubernetes"
    );
}

#[test]
fn adding_kubernetes_to_the_resume_raises_the_score_by_the_promised_gain() {
    let job = job("Backend Engineer", POSTING);
    let before = score(&profile(&rust_only()), None, &job, Signals::default());
    let after = score(
        &profile(&rust_and_kubernetes()),
        None,
        &job,
        Signals::default(),
    );
    assert!(
        after.score > before.score,
        "{} -> {}",
        before.score,
        after.score
    );
    assert!(after.missing_required.is_empty());

    let best = &before.improvements[0];
    assert_eq!(best.kind, ImprovementKind::AddSkill);
    assert_eq!(best.skill_uri.as_deref(), Some(uri("Kubernetes").as_str()));
    let gained = after.score - before.score;
    assert!(
        (best.score_gain - gained).abs() < 0.02,
        "promised {} gained {gained}",
        best.score_gain
    );
    let skills = after.component(Component::Skills).unwrap();
    assert_eq!(skills.score, Some(1.0));
}

#[test]
fn scores_and_explanations_are_deterministic() {
    let job = job("Backend Engineer", POSTING);
    let resume = profile(&rust_only());
    let signals = Signals {
        semantic: Some(0.51),
        lexical: Some(0.33),
        title_semantic: Some(0.8),
    };
    let a = score(&resume, None, &job, signals);
    let b = score(&resume, None, &job, signals);
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    let contributions: f32 = a.components.iter().map(|c| c.contribution).sum();
    assert!(
        (contributions - a.score).abs() < 0.05,
        "{contributions} vs {}",
        a.score
    );
}
