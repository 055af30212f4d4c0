use intellicv_core::{
    EmploymentType, ExtractedSkill, JobPostingDraft, JobSkill, RemoteMode, Requirement, Salary,
    SalaryPeriod, SkillEvidence, SkillMethod, SourceSpan, YearMonth,
};
use intellicv_ingest::profile::parse_profile;
use intellicv_store::{JobInsertOutcome, NewResume, ParseOutcome, ParseStatus, StoreError};

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

const RESUME: &str = "Ada Lovelace\nSenior Rust Engineer\nExperience\nRust Engineer, Acme Ltd, London, UK\nJan 2020 - Present\n- Wrote Rust.\nEducation\nBSc in Mathematics, University of London, 2012\n";

fn skill(uri: &str, label: &str) -> ExtractedSkill {
    ExtractedSkill {
        uri: uri.into(),
        label: label.into(),
        confidence: 0.9,
        method: SkillMethod::Gazetteer,
        evidence: vec![SkillEvidence {
            text: label.into(),
            source: SourceSpan::new(Some("experience"), 0, label.len()),
        }],
    }
}

async fn a_parsed_resume_is_stored_with_its_profile_rows_and_bytes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut profile = parse_profile(
        RESUME,
        YearMonth {
            year: 2024,
            month: Some(1),
        },
    );
    profile.skills.push(skill("intellicv:tech/rust", "Rust"));
    let stored = app
        .store
        .insert_resume(&NewResume {
            owner_id: None,
            source_filename: "ada.txt",
            content_hash: "abc123",
            bytes: RESUME.as_bytes(),
            format: "text",
            outcome: ParseOutcome::Parsed {
                text: RESUME,
                profile: &profile,
            },
            category: None,
        })
        .await
        .unwrap();
    assert_eq!(stored.parse_status, ParseStatus::Parsed);
    assert_eq!(stored.headline.as_deref(), Some("Senior Rust Engineer"));
    // Jan 2020 through Jan 2024 inclusive: 49 months.
    assert_eq!(stored.years_experience, Some(4.1));
    let again = app.store.get_resume(stored.id).await.unwrap();
    assert_eq!(again.profile.unwrap().0, profile);
    assert_eq!(
        app.store.resume_bytes(stored.id).await.unwrap(),
        RESUME.as_bytes()
    );
    let found = app.store.find_resume_by_hash(None, "abc123").await.unwrap();
    assert_eq!(found.map(|r| r.id), Some(stored.id));
    assert!(
        app.store
            .find_resume_by_hash(Some(1), "abc123")
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_failed_parse_is_stored_with_its_reason_and_bytes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let junk = [0u8, 159, 146, 150];
    let stored = app
        .store
        .insert_resume(&NewResume {
            owner_id: None,
            source_filename: "junk.pdf",
            content_hash: "def456",
            bytes: &junk,
            format: "unknown",
            outcome: ParseOutcome::Failed {
                code: "unknown_format",
                reason: "not a document",
            },
            category: None,
        })
        .await
        .unwrap();
    assert_eq!(stored.parse_status, ParseStatus::Failed);
    assert_eq!(stored.parse_error_code.as_deref(), Some("unknown_format"));
    assert!(stored.profile.is_none());
    assert_eq!(app.store.resume_bytes(stored.id).await.unwrap(), junk);
    assert!(matches!(
        app.store.get_resume(stored.id + 1).await,
        Err(StoreError::NotFound { entity: "resume" })
    ));
}

fn job(external_id: &str) -> JobPostingDraft {
    JobPostingDraft {
        source: "test".into(),
        external_id: Some(external_id.into()),
        title: "Rust Engineer".into(),
        company: Some("Acme".into()),
        location: Some("London".into()),
        country: Some("GB".into()),
        latitude: Some(51.5),
        longitude: Some(-0.12),
        remote_mode: RemoteMode::Hybrid,
        employment_type: EmploymentType::FullTime,
        seniority: None,
        salary: Some(Salary {
            min: Some(60000.0),
            max: Some(80000.0),
            currency: Some("GBP".into()),
            period: Some(SalaryPeriod::Year),
        }),
        description: "Build search.".into(),
        skills: vec![JobSkill {
            skill: skill("intellicv:tech/kubernetes", "Kubernetes"),
            requirement: Requirement::Required,
        }],
        posted_at: None,
        valid_through: None,
    }
}

async fn job_imports_are_idempotent_by_source_and_external_id(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let first = app
        .store
        .insert_jobs(&[job("1"), job("2")], None)
        .await
        .unwrap();
    assert!(matches!(
        first[..],
        [JobInsertOutcome::Inserted(_), JobInsertOutcome::Inserted(_)]
    ));
    let again = app
        .store
        .insert_jobs(&[job("2"), job("3")], None)
        .await
        .unwrap();
    let JobInsertOutcome::Inserted(id2) = first[1] else {
        unreachable!()
    };
    assert_eq!(again[0], JobInsertOutcome::Duplicate(id2));
    assert!(matches!(again[1], JobInsertOutcome::Inserted(_)));
    assert_eq!(app.store.count_jobs().await.unwrap(), 3);
    let stored = app.store.get_job(id2).await.unwrap();
    assert_eq!(stored.remote_mode, intellicv_core::RemoteMode::Hybrid);
    assert_eq!(
        stored.employment_type,
        intellicv_core::EmploymentType::FullTime
    );
    assert_eq!(
        (stored.salary_min, stored.salary_max),
        (Some(60000.0), Some(80000.0))
    );
    assert_eq!(stored.salary_period, Some(SalaryPeriod::Year));
}

/// Search hits show a few fields; the summaries carry exactly those of the full rows, for
/// the ids that exist, in id order.
async fn summaries_carry_the_shown_fields_of_the_stored_rows(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let profile = parse_profile(
        RESUME,
        YearMonth {
            year: 2024,
            month: Some(1),
        },
    );
    let resume = app
        .store
        .insert_resume(&NewResume {
            owner_id: None,
            source_filename: "ada.txt",
            content_hash: "summary",
            bytes: RESUME.as_bytes(),
            format: "text",
            outcome: ParseOutcome::Parsed {
                text: RESUME,
                profile: &profile,
            },
            category: None,
        })
        .await
        .unwrap();
    let summaries = app
        .store
        .resume_summaries(&[resume.id, resume.id + 1000])
        .await
        .unwrap();
    assert_eq!(summaries.len(), 1, "{summaries:?}");
    let r = &summaries[0];
    assert_eq!(r.id, resume.id);
    assert_eq!(r.headline, resume.headline);
    assert_eq!(r.source_filename, resume.source_filename);
    assert_eq!(r.years_experience, resume.years_experience);
    assert_eq!(r.seniority, resume.seniority);

    let outcomes = app
        .store
        .insert_jobs(&[job("s1"), job("s2")], None)
        .await
        .unwrap();
    let ids: Vec<i64> = outcomes
        .iter()
        .map(|o| match o {
            JobInsertOutcome::Inserted(id) | JobInsertOutcome::Duplicate(id) => *id,
        })
        .collect();
    let summaries = app.store.job_summaries(&[ids[1], ids[0]]).await.unwrap();
    assert_eq!(
        summaries.iter().map(|s| s.id).collect::<Vec<_>>(),
        [ids[0], ids[1]]
    );
    for summary in &summaries {
        let full = app.store.get_job(summary.id).await.unwrap();
        assert_eq!(summary.title, full.title);
        assert_eq!(summary.company, full.company);
        assert_eq!(summary.location, full.location);
        assert_eq!(summary.remote_mode, full.remote_mode);
        assert_eq!(summary.employment_type, full.employment_type);
        assert_eq!(summary.seniority, full.seniority);
        assert_eq!(summary.salary_min, full.salary_min);
        assert_eq!(summary.salary_max, full.salary_max);
        assert_eq!(summary.salary_currency, full.salary_currency);
        assert_eq!(summary.salary_period, full.salary_period);
        assert_eq!(summary.posted_at, full.posted_at);
    }
}

on_both_backends!(
    a_parsed_resume_is_stored_with_its_profile_rows_and_bytes,
    a_failed_parse_is_stored_with_its_reason_and_bytes,
    job_imports_are_idempotent_by_source_and_external_id,
    summaries_carry_the_shown_fields_of_the_stored_rows,
);
