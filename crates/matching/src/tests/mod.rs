//! Behaviour of the scoring model on resumes and postings written here, parsed by the real
//! profile parser and skills extractor (over a small technology list).

mod blind;
mod components;
mod pinned;

use std::sync::LazyLock;

use super::{
    CandidatePreferences, CandidateView, JobView, MatchConfig, MatchExplanation, MatchOptions,
    Posting, PostingSkill, Signals, SkillRarity, score_match,
};
use intellicv_core::{
    EmploymentType, JobPostingDraft, RemoteMode, ResumeProfile, Salary, SalaryPeriod, Seniority,
    YearMonth,
};
use intellicv_ingest::profile::parse_profile;
use intellicv_skills::posting::attach_skills as attach_job_skills;
use intellicv_skills::resume::attach_skills;
use intellicv_skills::{SkillExtractor, Taxonomy};

const TECH: &str = r#"
[[tech]]
name = "Rust"
[[tech]]
name = "Kubernetes"
synonyms = ["k8s"]
[[tech]]
name = "Terraform"
[[tech]]
name = "PostgreSQL"
synonyms = ["postgres"]
[[tech]]
name = "Python"
[[tech]]
name = "Docker"
[[tech]]
name = "Kafka"
[[tech]]
name = "Excel"
[[tech]]
name = "Salesforce"
"#;

pub(super) static EXTRACTOR: LazyLock<SkillExtractor> = LazyLock::new(|| {
    let taxonomy = Taxonomy::from_readers(
        "id,description\nesco:s1,\"negotiate contracts The skill of negotiating.\"\n".as_bytes(),
        "id,description\nesco:o1,\"sales manager Sales managers sell.\"\n".as_bytes(),
        "esco_uri\tpreferred_label\nesco:s1\tnegotiate contracts\n".as_bytes(),
        TECH,
    )
    .expect("test taxonomy is valid");
    SkillExtractor::new(&taxonomy).expect("gazetteer builds")
});

pub(super) const TODAY: YearMonth = YearMonth {
    year: 2026,
    month: Some(1),
};

pub(super) fn uri(name: &str) -> String {
    format!("intellicv:tech/{}", name.to_lowercase())
}

/// A resume parsed the way uploads are: profile first, then skills per section.
pub(super) fn profile(text: &str) -> ResumeProfile {
    let mut profile = parse_profile(text, TODAY);
    attach_skills(&mut profile, text, &EXTRACTOR);
    profile
}

/// A resume text: a header, one role per `(title line, dates, bullet)` and a skills line.
pub(super) fn resume_text(headline: &str, roles: &[(&str, &str, &str)], skills: &str) -> String {
    let mut text = format!("Alex Morgan\n{headline}\nLondon, UK\nExperience\n");
    for (title, dates, bullet) in roles {
        text.push_str(&format!("{title}\n{dates}\n- {bullet}\n"));
    }
    if !skills.is_empty() {
        text.push_str(&format!("Skills\n{skills}\n"));
    }
    text
}

/// A posting as stored: the draft's fields and the skills the extractor found in it.
pub(super) struct Job {
    pub record: Posting,
    pub skills: Vec<PostingSkill>,
}

impl Job {
    pub fn view(&self) -> JobView<'_> {
        JobView {
            job: &self.record,
            skills: &self.skills,
        }
    }
}

pub(super) fn draft(title: &str, description: &str) -> JobPostingDraft {
    JobPostingDraft {
        source: "test".into(),
        external_id: None,
        title: title.into(),
        company: Some("Acme".into()),
        location: Some("London".into()),
        country: Some("GB".into()),
        latitude: None,
        longitude: None,
        remote_mode: RemoteMode::Onsite,
        employment_type: EmploymentType::FullTime,
        seniority: None,
        salary: None,
        description: description.into(),
        skills: vec![],
        posted_at: None,
        valid_through: None,
    }
}

pub(super) fn salary(min: f64, max: f64) -> Option<Salary> {
    Some(Salary {
        min: Some(min),
        max: Some(max),
        currency: Some("GBP".into()),
        period: Some(SalaryPeriod::Year),
    })
}

pub(super) fn store(id: i64, mut draft: JobPostingDraft) -> Job {
    attach_job_skills(&mut draft, &EXTRACTOR);
    let record = Posting::from_draft(id, &draft);
    let skills = draft.skills.iter().map(PostingSkill::from).collect();
    Job { record, skills }
}

pub(super) fn job(title: &str, description: &str) -> Job {
    store(1, draft(title, description))
}

/// Scores with default config, no rarity, not blind.
pub(super) fn score(
    profile: &ResumeProfile,
    prefs: Option<&CandidatePreferences>,
    job: &Job,
    signals: Signals,
) -> MatchExplanation {
    score_with(
        profile,
        prefs,
        job,
        signals,
        &SkillRarity::default(),
        MatchOptions::default(),
    )
}

pub(super) fn score_with(
    profile: &ResumeProfile,
    prefs: Option<&CandidatePreferences>,
    job: &Job,
    signals: Signals,
    rarity: &SkillRarity,
    options: MatchOptions,
) -> MatchExplanation {
    let candidate = CandidateView {
        profile,
        preferences: prefs,
        today: TODAY,
    };
    score_match(
        &candidate,
        &job.view(),
        &signals,
        rarity,
        &MatchConfig::default(),
        options,
    )
}
