//! One behaviour per component: recency, rarity, requirement, seniority, location,
//! salary, re-weighting of missing signals and the order of improvements.

use super::*;
use crate::{Component, ImprovementKind};

fn component(e: &MatchExplanation, c: Component) -> Option<f32> {
    e.component(c).and_then(|c| c.score)
}

fn one_role(bullet: &str, dates: &str, skills: &str) -> ResumeProfile {
    profile(&resume_text(
        "Backend Engineer",
        &[("Backend Engineer, Acme Ltd", dates, bullet)],
        skills,
    ))
}

#[test]
fn a_skill_shown_in_a_recent_role_counts_more_than_one_listed_bare_or_used_long_ago() {
    let job = job("Backend Engineer", "Requirements:\n- Rust\n- Kafka\n");
    let current = one_role("Wrote Rust and Kafka services.", "Jan 2021 - Present", "");
    let old = profile(&resume_text(
        "Backend Engineer",
        &[
            (
                "Backend Engineer, Acme Ltd",
                "Jan 2020 - Present",
                "Ran the team.",
            ),
            (
                "Developer, Beta Ltd",
                "Jan 2008 - Dec 2012",
                "Wrote Rust and Kafka services.",
            ),
        ],
        "",
    ));
    let bare = one_role("Ran the team.", "Jan 2021 - Present", "Rust, Kafka");
    let [current, old, bare] =
        [&current, &old, &bare].map(|p| score(p, None, &job, Signals::default()));
    let weight = |e: &MatchExplanation| e.matched_skills[0].recency_weight;
    assert_eq!(weight(&current), 1.0);
    assert_eq!(weight(&bare), MatchConfig::default().bare_skill_credit);
    assert!(
        weight(&old) < weight(&bare),
        "{} vs {}",
        weight(&old),
        weight(&bare)
    );
    assert_eq!(
        current.matched_skills[0].resume_evidence[0]
            .placement
            .years_ago,
        Some(0.0)
    );
    assert!(current.score > bare.score && bare.score > old.score);
}

#[test]
fn a_rare_skill_weighs_more_than_a_common_one_when_counts_are_known() {
    let job = job("Backend Engineer", "Requirements:\n- Python\n- Kafka\n");
    let python = one_role("Wrote Python.", "Jan 2021 - Present", "");
    let kafka = one_role("Ran Kafka.", "Jan 2021 - Present", "");
    let counts = SkillRarity::from_counts(1000, [(uri("Python"), 600), (uri("Kafka"), 15)]);
    let scored = |p: &ResumeProfile, rarity: &SkillRarity| {
        score_with(
            p,
            None,
            &job,
            Signals::default(),
            rarity,
            MatchOptions::default(),
        )
        .score
    };
    assert!(scored(&kafka, &counts) > scored(&python, &counts));
    let neutral = SkillRarity::default();
    assert_eq!(scored(&kafka, &neutral), scored(&python, &neutral));
}

#[test]
fn a_required_skill_weighs_more_than_a_preferred_one() {
    let job = job(
        "Backend Engineer",
        "Requirements:\n- Rust\nNice to have:\n- Terraform\n",
    );
    let requirement = |u: &str| {
        job.skills
            .iter()
            .find(|s| s.uri == u)
            .map(|s| s.requirement)
    };
    assert_eq!(
        requirement(&uri("Rust")),
        Some(intellicv_core::Requirement::Required)
    );
    assert_eq!(
        requirement(&uri("Terraform")),
        Some(intellicv_core::Requirement::Preferred)
    );
    let rust = score(
        &one_role("Wrote Rust.", "Jan 2021 - Present", ""),
        None,
        &job,
        Signals::default(),
    );
    let terraform = score(
        &one_role("Wrote Terraform.", "Jan 2021 - Present", ""),
        None,
        &job,
        Signals::default(),
    );
    assert!(
        rust.score > terraform.score,
        "{} vs {}",
        rust.score,
        terraform.score
    );
    assert_eq!(terraform.missing_required[0].uri, uri("Rust"));
    assert_eq!(rust.missing_preferred[0].uri, uri("Terraform"));
}

#[test]
fn years_of_experience_fit_the_postings_seniority() {
    let mut senior = draft("Senior Backend Engineer", "Requirements:\n- Rust\n");
    senior.seniority = Some(Seniority::Senior);
    let senior = store(1, senior);
    let stated = job(
        "Backend Engineer",
        "You have 5+ years of experience with Rust.\n",
    );
    let seasoned = one_role("Wrote Rust.", "Jan 2018 - Present", "");
    let fresh = one_role("Wrote Rust.", "Jan 2025 - Present", "");
    for job in [&senior, &stated] {
        let a = score(&seasoned, None, job, Signals::default());
        let b = score(&fresh, None, job, Signals::default());
        assert_eq!(component(&a, Component::Experience), Some(1.0));
        let low = component(&b, Component::Experience).unwrap();
        assert!(low < 0.5, "{low}");
        assert!(a.score > b.score);
    }
    let junior = job("Junior Backend Engineer", "Requirements:\n- Rust\n");
    let over = component(
        &score(&seasoned, None, &junior, Signals::default()),
        Component::Experience,
    );
    let fit = component(
        &score(&fresh, None, &junior, Signals::default()),
        Component::Experience,
    );
    assert_eq!(fit, Some(1.0));
    assert!(over.unwrap() < 1.0 && over.unwrap() >= 0.6, "{over:?}");
}

#[test]
fn remote_roles_suit_everyone_and_onsite_roles_suit_people_nearby() {
    let resume = one_role("Wrote Rust.", "Jan 2021 - Present", "");
    let onsite = job("Backend Engineer", "Requirements:\n- Rust\n");
    let mut remote = draft("Backend Engineer", "Requirements:\n- Rust\n");
    remote.remote_mode = RemoteMode::Remote;
    remote.location = None;
    let remote = store(2, remote);
    let austin = CandidatePreferences {
        locations: vec!["Austin, TX".into()],
        ..Default::default()
    };
    let remote_only = CandidatePreferences {
        remote_only: true,
        ..Default::default()
    };
    let loc = |p: Option<&CandidatePreferences>, j: &Job| {
        component(
            &score(&resume, p, j, Signals::default()),
            Component::Location,
        )
    };
    // The resume says London, UK; the posting is on site in London, GB.
    assert_eq!(loc(None, &onsite), Some(1.0));
    assert_eq!(loc(Some(&austin), &onsite), Some(0.1));
    assert_eq!(loc(Some(&remote_only), &onsite), Some(0.0));
    assert_eq!(loc(Some(&remote_only), &remote), Some(1.0));
    assert_eq!(loc(Some(&austin), &remote), Some(1.0));
    let manchester = CandidatePreferences {
        locations: vec!["Manchester, UK".into()],
        ..Default::default()
    };
    assert_eq!(loc(Some(&manchester), &onsite), Some(0.5));
}

#[test]
fn a_desired_salary_above_the_range_lowers_the_salary_fit() {
    let resume = one_role("Wrote Rust.", "Jan 2021 - Present", "");
    let mut paid = draft("Backend Engineer", "Requirements:\n- Rust\n");
    paid.salary = salary(60_000.0, 80_000.0);
    let paid = store(1, paid);
    let wants = |amount: f64, currency: &str| CandidatePreferences {
        desired_salary_yearly: Some(amount),
        salary_currency: Some(currency.into()),
        ..Default::default()
    };
    let fit = |p: &CandidatePreferences| {
        component(
            &score(&resume, Some(p), &paid, Signals::default()),
            Component::Salary,
        )
    };
    assert_eq!(fit(&wants(75_000.0, "GBP")), Some(1.0));
    let high = fit(&wants(100_000.0, "GBP")).unwrap();
    assert!(high > 0.0 && high < 1.0, "{high}");
    assert_eq!(fit(&wants(200_000.0, "GBP")), Some(0.0));
    assert_eq!(fit(&wants(75_000.0, "USD")), None);
}

#[test]
fn missing_signals_are_reweighted_not_counted_as_zero() {
    let resume = one_role("Wrote Rust.", "Jan 2021 - Present", "");
    let job = job("Backend Engineer", "Requirements:\n- Rust\n- Kafka\n");
    let none = score(&resume, None, &job, Signals::default());
    let zero = score(
        &resume,
        None,
        &job,
        Signals {
            semantic: Some(0.0),
            lexical: Some(0.0),
            title_semantic: None,
        },
    );
    assert_eq!(component(&none, Component::Semantic), None);
    assert_eq!(
        none.component(Component::Semantic)
            .unwrap()
            .effective_weight,
        0.0
    );
    let effective: f32 = none.components.iter().map(|c| c.effective_weight).sum();
    assert!((effective - 1.0).abs() < 0.01, "{effective}");
    assert!(none.score > zero.score, "{} vs {}", none.score, zero.score);
    // Re-weighting: the score is the weighted mean of the computed components alone.
    let w = MatchConfig::default().weights;
    let computed: Vec<(f32, f32)> = none
        .components
        .iter()
        .filter_map(|c| c.score.map(|s| (w.get(c.name), s)))
        .collect();
    let expected = 100.0 * computed.iter().map(|(w, s)| w * s).sum::<f32>()
        / computed.iter().map(|(w, _)| w).sum::<f32>();
    assert!(
        (none.score - expected).abs() < 0.05,
        "{} vs {expected}",
        none.score
    );
}

#[test]
fn improvements_are_ranked_by_gain_with_required_skills_first() {
    let job = job(
        "Backend Engineer",
        "Requirements:\n- Rust\n- Kafka\nNice to have:\n- Terraform\n",
    );
    let resume = one_role("Ran the team.", "Jan 2021 - Present", "Rust");
    let e = score(&resume, None, &job, Signals::default());
    let gains: Vec<f32> = e.improvements.iter().map(|i| i.score_gain).collect();
    assert!(gains.windows(2).all(|w| w[0] >= w[1]), "{gains:?}");
    let position = |u: &str| {
        e.improvements
            .iter()
            .position(|i| i.skill_uri.as_deref() == Some(u))
            .unwrap_or_else(|| panic!("{u} missing from {:#?}", e.improvements))
    };
    assert_eq!(e.improvements[0].kind, ImprovementKind::AddSkill);
    // Kafka (required, missing) before Terraform (preferred, missing); Rust is listed
    // bare, so showing it in a role gains a little too.
    assert_eq!(position(&uri("Kafka")), 0);
    assert!(position(&uri("Terraform")) > position(&uri("Kafka")));
    let show = &e.improvements[position(&uri("Rust"))];
    assert_eq!(show.kind, ImprovementKind::ShowRecentSkill);
    assert!(
        show.action.contains("listed without a role"),
        "{}",
        show.action
    );
}
