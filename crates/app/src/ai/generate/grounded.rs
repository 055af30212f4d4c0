//! The grounded generator: templates that write only what the facts hold. Each facts type
//! is built from stored data (see `super`) and is also what an external model is given.

use serde::Serialize;

/// A professional summary's facts: all from one parsed resume.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryFacts {
    pub headline: Option<String>,
    /// Whole years of experience (the resume's merged date ranges, rounded down).
    pub years_of_experience: Option<u32>,
    pub latest_role: Option<RoleFact>,
    /// Distinct employers, most recent first.
    pub employers: Vec<String>,
    /// Skill labels: those shown in roles first, then those only listed.
    pub skills: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleFact {
    pub title: Option<String>,
    pub company: Option<String>,
    pub current: bool,
}

/// A job description draft's facts: the caller's title and skills (normalised to the
/// taxonomy) and what stored postings with that title also ask for.
#[derive(Debug, Clone, Serialize)]
pub struct JobDescriptionFacts {
    pub title: String,
    pub required_skills: Vec<String>,
    /// Open postings whose title contains the title.
    pub similar_postings: i64,
    pub also_asked: Vec<AlsoAsked>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlsoAsked {
    pub skill: String,
    /// Share of the similar postings asking for it, in whole percent.
    pub percent: u32,
}

/// Interview questions' facts: the match explanation of one resume and one posting.
#[derive(Debug, Clone, Serialize)]
pub struct InterviewFacts {
    pub job_title: String,
    pub company: Option<String>,
    pub missing_required: Vec<String>,
    pub missing_preferred: Vec<String>,
    /// Posting skills the resume lists but shows in no role.
    pub listed_without_role: Vec<String>,
    /// Posting skills the resume shows in a role.
    pub shown_in_roles: Vec<SkillInRole>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkillInRole {
    pub skill: String,
    /// "Title, Company" of the role.
    pub role: String,
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn years(n: u32) -> String {
    if n == 1 {
        "1 year".to_owned()
    } else {
        format!("{n} years")
    }
}

/// A summary stating only the headline, years, latest role, employers and skills.
pub fn summary(f: &SummaryFacts) -> String {
    let mut sentences = Vec::new();
    let who = f
        .headline
        .clone()
        .unwrap_or_else(|| "Professional".to_owned());
    sentences.push(match f.years_of_experience {
        Some(n) if n > 0 => format!("{who} with {} of experience.", years(n)),
        _ => format!("{who}."),
    });
    let mut others: Vec<String> = f.employers.clone();
    if let Some(role) = &f.latest_role {
        let when = if role.current {
            "Currently"
        } else {
            "Most recently"
        };
        let sentence = match (&role.title, &role.company) {
            (Some(t), Some(c)) => Some(format!("{when} {t} at {c}.")),
            (Some(t), None) => Some(format!("{when} {t}.")),
            (None, Some(c)) => Some(format!("{when} at {c}.")),
            (None, None) => None,
        };
        if let Some(s) = sentence {
            sentences.push(s);
        }
        if let Some(c) = &role.company {
            others.retain(|e| e != c);
        }
    }
    if !others.is_empty() {
        sentences.push(format!("Previously at {}.", join(&others)));
    }
    if !f.skills.is_empty() {
        sentences.push(format!("Skills include {}.", join(&f.skills)));
    }
    sentences.join(" ")
}

/// A job description draft: the title, the requirements given and what similar stored
/// postings also ask for.
pub fn job_description(f: &JobDescriptionFacts) -> String {
    let mut out = format!(
        "{}\n\nAbout the role: we are looking for a {} to join the team.\n",
        f.title, f.title
    );
    if !f.required_skills.is_empty() {
        out.push_str("\nRequirements:\n");
        for s in &f.required_skills {
            out.push_str(&format!("- {s}\n"));
        }
    }
    if !f.also_asked.is_empty() {
        out.push_str(&format!(
            "\nNice to have (asked for by stored postings for this title, {} in all):\n",
            f.similar_postings
        ));
        for a in &f.also_asked {
            out.push_str(&format!("- {} ({}% of them)\n", a.skill, a.percent));
        }
    }
    out
}

/// Questions from the skill gap and the evidence of a match.
pub fn interview_questions(f: &InterviewFacts) -> Vec<String> {
    let mut q = Vec::new();
    for s in f.missing_required.iter().take(4) {
        q.push(format!(
            "This role requires {s}, which your resume does not show. How would you get up to \
             speed with {s}, and what related work have you done?"
        ));
    }
    for s in f.missing_preferred.iter().take(2) {
        q.push(format!(
            "The posting lists {s} as a plus. Have you used {s}, at work or elsewhere?"
        ));
    }
    for s in f.listed_without_role.iter().take(3) {
        q.push(format!(
            "You list {s} but none of your roles shows it. Where have you used {s}, and on what?"
        ));
    }
    for s in f.shown_in_roles.iter().take(3) {
        q.push(format!(
            "In your role as {}, you used {}. Describe a problem you solved with it and what \
             came of it.",
            s.role, s.skill
        ));
    }
    if f.missing_required.is_empty() && f.missing_preferred.is_empty() {
        q.push(
            "Your resume shows every skill the posting names. Which of them would you like to \
             grow next in this role?"
                .to_owned(),
        );
    }
    q
}

/// Numbered lines.
pub fn numbered(questions: &[String]) -> String {
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| format!("{}. {q}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_states_only_what_its_facts_hold() {
        let facts = SummaryFacts {
            headline: Some("Backend Engineer".to_owned()),
            years_of_experience: Some(5),
            latest_role: Some(RoleFact {
                title: Some("Backend Engineer".to_owned()),
                company: Some("Acme Ltd".to_owned()),
                current: true,
            }),
            employers: vec!["Acme Ltd".to_owned(), "Initech".to_owned()],
            skills: vec!["Rust".to_owned(), "PostgreSQL".to_owned()],
        };
        assert_eq!(
            summary(&facts),
            "Backend Engineer with 5 years of experience. Currently Backend Engineer at Acme \
             Ltd. Previously at Initech. Skills include Rust and PostgreSQL."
        );
        let bare = SummaryFacts {
            headline: None,
            years_of_experience: None,
            latest_role: None,
            employers: vec![],
            skills: vec![],
        };
        assert_eq!(summary(&bare), "Professional.");
    }
}
