//! A resume quality score (0–100) from checks on the parsed profile, each with the points
//! it earned and a concrete suggestion when it fell short. Pure and deterministic.

use serde::Serialize;

use intellicv_core::{ResumeProfile, SectionKind};

/// Fewer words than this reads as too short.
pub const MIN_WORDS: usize = 150;
/// More words than this reads as too long.
pub const MAX_WORDS: usize = 1500;
/// Share of experience bullets with a number from which achievements count as quantified.
const QUANTIFIED_SHARE: f32 = 0.3;
/// Share of skills shown in a role from which skills count as evidenced.
const EVIDENCED_SHARE: f32 = 0.8;
/// Unquantified bullets quoted in a suggestion.
const QUOTED: usize = 3;

/// One check of the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityCheck {
    pub name: &'static str,
    pub points: f32,
    pub max_points: f32,
    pub passed: bool,
    /// What to change, when the check fell short.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// The score and its checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReport {
    /// 0..=100: the sum of the checks' points.
    pub score: u8,
    pub words: usize,
    pub checks: Vec<QualityCheck>,
    /// The suggestions of the checks that fell short, heaviest shortfall first.
    pub suggestions: Vec<String>,
}

struct Checks(Vec<QualityCheck>);

impl Checks {
    /// `share` (0..=1) of `max` points; passed when full.
    fn add(&mut self, name: &'static str, max: f32, share: f32, suggestion: Option<String>) {
        let share = share.clamp(0.0, 1.0);
        let passed = share >= 1.0;
        self.0.push(QualityCheck {
            name,
            points: (max * share * 10.0).round() / 10.0,
            max_points: max,
            passed,
            suggestion: if passed { None } else { suggestion },
        });
    }
}

fn has_section(profile: &ResumeProfile, kind: SectionKind) -> bool {
    profile.sections.iter().any(|s| s.kind == kind)
}

fn has_digit(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
}

fn quote(s: &str) -> String {
    let s = s.trim();
    let short: String = s.chars().take(80).collect();
    if short.len() < s.len() {
        format!("\"{short}...\"")
    } else {
        format!("\"{short}\"")
    }
}

/// Scores a parsed resume from its profile and extracted text.
pub fn assess(profile: &ResumeProfile, text: &str) -> QualityReport {
    let mut c = Checks(Vec::new());
    let words = text.split_whitespace().count();

    let contact = profile.contact.email.is_some() || profile.contact.phone.is_some();
    c.add(
        "contact_details",
        5.0,
        if contact { 1.0 } else { 0.0 },
        Some("add an email address or a phone number at the top".to_owned()),
    );
    c.add(
        "headline",
        5.0,
        if profile.headline.is_some() { 1.0 } else { 0.0 },
        Some("add a headline under your name naming the role you do or want".to_owned()),
    );
    let summary = profile.summary.is_some() || has_section(profile, SectionKind::Summary);
    c.add(
        "summary_section",
        10.0,
        if summary { 1.0 } else { 0.0 },
        Some("add a short summary section (two or three sentences on what you do)".to_owned()),
    );
    let experience = !profile.experience.is_empty();
    c.add(
        "experience_section",
        20.0,
        if experience { 1.0 } else { 0.0 },
        Some("add an experience section with your roles, employers and dates".to_owned()),
    );
    c.add(
        "education_section",
        10.0,
        if profile.education.is_empty() && !has_section(profile, SectionKind::Education) {
            0.0
        } else {
            1.0
        },
        Some("add an education section (degree, institution, year)".to_owned()),
    );
    c.add(
        "skills_section",
        10.0,
        if has_section(profile, SectionKind::Skills) {
            1.0
        } else {
            0.0
        },
        Some("add a skills section listing the tools and methods you use".to_owned()),
    );

    // Dates on every role.
    let undated: Vec<String> = profile
        .experience
        .iter()
        .filter(|e| e.start.is_none() && e.end.is_none() && !e.is_current)
        .map(|e| e.title.clone().unwrap_or_else(|| "a role".to_owned()))
        .collect();
    let dated_share = if experience {
        1.0 - undated.len() as f32 / profile.experience.len() as f32
    } else {
        0.0
    };
    c.add(
        "dated_roles",
        10.0,
        dated_share,
        Some(if experience {
            format!(
                "give start and end dates (month and year) for: {}",
                undated.join(", ")
            )
        } else {
            "give each role its start and end dates".to_owned()
        }),
    );

    // Quantified achievements.
    let bullets: Vec<&str> = profile
        .experience
        .iter()
        .flat_map(|e| e.bullets.iter().map(String::as_str))
        .filter(|b| !b.trim().is_empty())
        .collect();
    let unquantified: Vec<&str> = bullets.iter().copied().filter(|b| !has_digit(b)).collect();
    let quantified_share = if bullets.is_empty() {
        0.0
    } else {
        (1.0 - unquantified.len() as f32 / bullets.len() as f32) / QUANTIFIED_SHARE
    };
    c.add(
        "quantified_achievements",
        15.0,
        quantified_share,
        Some(if bullets.is_empty() {
            "describe what you achieved in each role as bullet points, with numbers (users, \
             revenue, time saved, team size)"
                .to_owned()
        } else {
            format!(
                "{} of {} achievements have no number; quantify them, e.g. {}",
                unquantified.len(),
                bullets.len(),
                unquantified
                    .iter()
                    .take(QUOTED)
                    .map(|b| quote(b))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    );

    // Skills stated without evidence in any role.
    let listed: Vec<&intellicv_core::ExtractedSkill> = profile.skills.iter().collect();
    let unevidenced: Vec<&str> = listed
        .iter()
        .filter(|s| {
            !s.evidence.iter().any(|e| {
                profile
                    .experience
                    .iter()
                    .any(|r| r.source.start <= e.source.start && e.source.end <= r.source.end)
            })
        })
        .map(|s| s.label.as_str())
        .collect();
    let evidenced_share = if listed.is_empty() {
        0.0
    } else {
        1.0 - unevidenced.len() as f32 / listed.len() as f32
    };
    c.add(
        "skills_with_evidence",
        10.0,
        // Four in five skills shown in roles earns full points.
        evidenced_share / EVIDENCED_SHARE,
        Some(if listed.is_empty() {
            "name the skills you use, in your roles and in a skills section".to_owned()
        } else {
            format!(
                "{} of {} skills appear in no role; show where you used them: {}",
                unevidenced.len(),
                listed.len(),
                unevidenced
                    .iter()
                    .take(8)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    );

    let length_share = if words < MIN_WORDS {
        words as f32 / MIN_WORDS as f32
    } else if words > MAX_WORDS {
        (MAX_WORDS as f32 / words as f32).powi(2)
    } else {
        1.0
    };
    c.add(
        "length",
        5.0,
        length_share,
        Some(if words < MIN_WORDS {
            format!("at {words} words the resume is too short; aim for {MIN_WORDS} to {MAX_WORDS}")
        } else {
            format!("at {words} words the resume is too long; aim for {MIN_WORDS} to {MAX_WORDS}")
        }),
    );

    let checks = c.0;
    let total: f32 = checks.iter().map(|c| c.points).sum();
    let mut short: Vec<&QualityCheck> = checks.iter().filter(|c| !c.passed).collect();
    short.sort_by(|a, b| (b.max_points - b.points).total_cmp(&(a.max_points - a.points)));
    let suggestions = short
        .into_iter()
        .filter_map(|c| c.suggestion.clone())
        .collect();
    QualityReport {
        score: total.round().clamp(0.0, 100.0) as u8,
        words,
        checks,
        suggestions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_core::{
        Experience, ExtractedSkill, Field, Section, SkillEvidence, SkillMethod, SourceSpan,
        YearMonth,
    };

    fn skill(label: &str, start: usize) -> ExtractedSkill {
        ExtractedSkill {
            uri: format!("x:{label}"),
            label: label.to_owned(),
            confidence: 1.0,
            method: SkillMethod::Gazetteer,
            evidence: vec![SkillEvidence {
                text: label.to_owned(),
                source: SourceSpan::new(None, start, start + label.len()),
            }],
        }
    }

    fn role(bullets: &[&str], dated: bool) -> Experience {
        Experience {
            title: Some("Engineer".to_owned()),
            company: Some("Acme".to_owned()),
            location: None,
            start: dated.then_some(YearMonth {
                year: 2020,
                month: Some(1),
            }),
            end: None,
            is_current: dated,
            bullets: bullets.iter().map(|b| (*b).to_owned()).collect(),
            source: SourceSpan::new(Some("experience"), 100, 200),
        }
    }

    fn section(kind: SectionKind) -> Section {
        Section {
            kind,
            heading: kind.as_str().to_owned(),
            start: 0,
            end: 10,
        }
    }

    #[test]
    fn a_complete_quantified_resume_scores_full_marks() {
        let profile = ResumeProfile {
            headline: Some(Field::new("Engineer".to_owned(), None)),
            summary: Some(Field::new("Builds things".to_owned(), None)),
            experience: vec![role(&["Cut costs by 30%", "Led 4 people"], true)],
            education: vec![],
            skills: vec![skill("Rust", 120)],
            sections: [
                SectionKind::Education,
                SectionKind::Skills,
                SectionKind::Summary,
            ]
            .map(section)
            .to_vec(),
            contact: intellicv_core::Contact {
                email: Some(Field::new("a@b.c".to_owned(), None)),
                ..Default::default()
            },
            ..Default::default()
        };
        let text = "word ".repeat(300);
        let report = assess(&profile, &text);
        assert_eq!(report.score, 100, "{report:#?}");
        assert!(report.suggestions.is_empty());
    }

    #[test]
    fn shortfalls_name_the_bullets_skills_and_sections_to_fix() {
        let profile = ResumeProfile {
            experience: vec![role(&["Built the billing service", "Ran on-call"], false)],
            skills: vec![skill("Rust", 120), skill("Kubernetes", 500)],
            ..Default::default()
        };
        let report = assess(&profile, "too short");
        assert!(report.score < 50, "{}", report.score);
        let all = report.suggestions.join("\n");
        assert!(all.contains("\"Built the billing service\""), "{all}");
        assert!(all.contains("1 of 2 skills appear in no role"), "{all}");
        assert!(all.contains("Kubernetes"), "{all}");
        assert!(all.contains("give start and end dates"), "{all}");
        assert!(
            all.contains("add a summary section") || all.contains("short summary"),
            "{all}"
        );
        assert!(all.contains("too short"), "{all}");
        assert!(all.contains("education section"), "{all}");
    }
}
