use intellicv_core::{
    EmploymentType, ExtractedSkill, JobPostingDraft, JobSkill, RemoteMode, Requirement,
    SkillEvidence, SkillMethod, SourceSpan,
};
use intellicv_store::{JobInsertOutcome, JobSkillRecord};

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

fn skill(name: &str, requirement: Requirement, at: usize) -> JobSkill {
    JobSkill {
        skill: ExtractedSkill {
            uri: format!("intellicv:tech/{}", name.to_lowercase()),
            label: name.into(),
            confidence: 0.9,
            method: SkillMethod::Gazetteer,
            evidence: vec![SkillEvidence {
                text: name.into(),
                source: SourceSpan::new(Some("description"), at, at + name.len()),
            }],
        },
        requirement,
    }
}

fn posting(external_id: &str, skills: Vec<JobSkill>) -> JobPostingDraft {
    JobPostingDraft {
        source: "test".into(),
        external_id: Some(external_id.into()),
        title: "Backend Engineer".into(),
        company: None,
        location: None,
        country: None,
        latitude: None,
        longitude: None,
        remote_mode: RemoteMode::Remote,
        employment_type: EmploymentType::FullTime,
        seniority: None,
        salary: None,
        description: "Rust, Kubernetes; Terraform is a plus.".into(),
        skills,
        posted_at: None,
        valid_through: None,
    }
}

fn ids(outcomes: &[JobInsertOutcome]) -> Vec<i64> {
    outcomes
        .iter()
        .map(|o| match o {
            JobInsertOutcome::Inserted(id) | JobInsertOutcome::Duplicate(id) => *id,
        })
        .collect()
}

async fn job_skills_load_for_a_set_of_postings_with_requirement_and_evidence(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let first = posting(
        "1",
        vec![
            skill("Terraform", Requirement::Preferred, 16),
            skill("Rust", Requirement::Required, 0),
            skill("Kubernetes", Requirement::Required, 6),
        ],
    );
    let second = posting("2", vec![skill("Rust", Requirement::Required, 0)]);
    let third = posting("3", vec![]);
    let stored = app
        .store
        .insert_jobs(&[first.clone(), second, third], None)
        .await
        .unwrap();
    let [a, b, c] = ids(&stored)[..] else {
        panic!("three postings stored")
    };

    let loaded = app.store.job_skills_for(&[c, a, a + 1000]).await.unwrap();
    let expected: Vec<JobSkillRecord> = [&first.skills[2], &first.skills[1], &first.skills[0]]
        .into_iter()
        .map(|s| JobSkillRecord::from_job_skill(a, s))
        .collect();
    assert_eq!(loaded, expected, "required first, then by uri");

    let both = app.store.job_skills_for(&[b, a]).await.unwrap();
    let owners: Vec<i64> = both.iter().map(|s| s.job_id).collect();
    assert_eq!(owners, vec![a, a, a, b]);
    assert!(app.store.job_skills_for(&[]).await.unwrap().is_empty());

    let (postings, counts) = app.store.job_skill_counts().await.unwrap();
    assert_eq!(postings, 3);
    assert_eq!(
        counts,
        vec![
            ("intellicv:tech/kubernetes".to_owned(), 1),
            ("intellicv:tech/rust".to_owned(), 2),
            ("intellicv:tech/terraform".to_owned(), 1),
        ]
    );
}

on_both_backends!(job_skills_load_for_a_set_of_postings_with_requirement_and_evidence);
