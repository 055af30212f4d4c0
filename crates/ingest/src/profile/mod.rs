//! Resume text → structured profile: sections, contact, headline, summary, experience,
//! education, certifications, languages, years of experience and seniority. Every field
//! keeps the section and byte range it came from. Skills are added by the caller with the
//! skills extractor, per section.
//!
//! Pure CPU work: call it from a blocking thread or rayon.

mod contact;
mod dates;
mod education;
mod experience;
mod json_resume;
mod lines;
mod sections;
mod seniority;
mod titles;

pub use dates::{find_range, parse_date};
pub use json_resume::profile_from_json_resume;
pub use sections::{body_range, split_sections};
pub use seniority::{infer_seniority, seniority_from_title};
pub use titles::looks_like_job_title;

use intellicv_core::{Field, ResumeProfile, SectionKind, SourceSpan, YearMonth};
use lines::lines_in;

/// Parses extracted resume text. `today` anchors "Present" for years of experience.
pub fn parse_profile(text: &str, today: YearMonth) -> ResumeProfile {
    let sections = split_sections(text);
    let header = sections
        .iter()
        .find(|s| s.kind == SectionKind::Header)
        .map(|s| s.start..s.end)
        .unwrap_or(0..0);
    let mut profile = ResumeProfile {
        contact: contact::extract_contact(text, header.clone()),
        headline: contact::extract_headline(text, header),
        ..ResumeProfile::default()
    };
    for section in &sections {
        let body = body_range(text, section);
        match section.kind {
            SectionKind::Experience => {
                profile
                    .experience
                    .extend(experience::extract_experience(text, body));
            }
            SectionKind::Education => {
                profile
                    .education
                    .extend(education::extract_education(text, body));
            }
            SectionKind::Summary if profile.summary.is_none() => {
                profile.summary = paragraph(text, body, "summary");
            }
            SectionKind::Certifications => {
                profile.certifications.extend(certifications(text, body));
            }
            SectionKind::Languages => {
                let items = list_items(text, body, "languages");
                profile
                    .languages
                    .extend(items.into_iter().map(language_name));
            }
            _ => {}
        }
    }
    if profile.headline.is_none()
        && let Some(title) = profile.experience.iter().find_map(|e| e.title.clone())
    {
        let source = profile.experience.first().map(|e| e.source.clone());
        profile.headline = Some(Field::new(title, source));
    }
    profile.total_years_experience = experience::total_years(&profile.experience, today);
    profile.seniority = infer_seniority(
        profile.headline.as_ref().map(|h| h.value.as_str()),
        profile.total_years_experience,
    );
    profile.sections = sections;
    profile
}

/// The section body as one paragraph (lines joined by spaces).
fn paragraph(text: &str, body: std::ops::Range<usize>, section: &str) -> Option<Field<String>> {
    let lines = lines_in(text, body);
    let first = lines.first()?;
    let last = lines.last()?;
    let joined = lines.iter().map(|l| l.text).collect::<Vec<_>>().join(" ");
    Some(Field::new(
        joined,
        Some(SourceSpan::new(Some(section), first.start, last.end)),
    ))
}

/// One certification per line. "Name, Issuer, 2022" keeps only the name; a line without a
/// trailing year is a comma-separated list of names.
fn certifications(text: &str, body: std::ops::Range<usize>) -> Vec<Field<String>> {
    let mut out = Vec::new();
    for line in lines_in(text, body.clone()) {
        let content = line.text.trim_start_matches(['-', '*', '•', '·']).trim();
        let ends_with_year = content.rsplit(',').next().is_some_and(|last| {
            dates::find_single(last.trim()).is_some() && last.trim().len() <= 12
        });
        if ends_with_year {
            let name = content.split(',').next().unwrap_or(content).trim();
            let start = line.start + (name.as_ptr() as usize - line.text.as_ptr() as usize);
            out.push(Field::new(
                name.to_owned(),
                Some(SourceSpan::new(
                    Some("certifications"),
                    start,
                    start + name.len(),
                )),
            ));
        } else {
            out.extend(list_items(text, line.start..line.end, "certifications"));
        }
    }
    out
}

/// "English (Native speaker)" → "English"; "French - fluent" → "French".
fn language_name(mut item: Field<String>) -> Field<String> {
    let name = item
        .value
        .split(['(', '-', ':', '–'])
        .next()
        .unwrap_or(&item.value)
        .trim()
        .to_owned();
    if !name.is_empty() && name.len() < item.value.len() {
        if let Some(source) = item.source.as_mut() {
            source.end = source.start + name.len();
        }
        item.value = name;
    }
    item
}

/// Items of a list section: one per line, or comma/semicolon-separated on a line.
fn list_items(text: &str, body: std::ops::Range<usize>, section: &str) -> Vec<Field<String>> {
    let mut items = Vec::new();
    for line in lines_in(text, body) {
        for piece in line.text.split([',', ';', '•']) {
            let start = line.start + (piece.as_ptr() as usize - line.text.as_ptr() as usize);
            let trimmed = piece.trim().trim_start_matches(['-', '*', '·']).trim();
            if trimmed.is_empty() || trimmed.len() > 120 {
                continue;
            }
            let lead = piece.find(trimmed).unwrap_or(0);
            items.push(Field::new(
                trimmed.to_owned(),
                Some(SourceSpan::new(
                    Some(section),
                    start + lead,
                    start + lead + trimmed.len(),
                )),
            ));
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_core::Seniority;

    const RESUME: &str = "Jane Doe\nSenior Rust Engineer\njane@example.com | +44 20 7946 0018 | London, UK\n\nSummary\nEngineer who builds search systems.\nTwelve years in backend work.\n\nExperience\nSenior Rust Engineer, Acme Ltd, London, UK\nAug 2019 - Present\n- Built a search engine in Rust.\n- Ran Kubernetes clusters.\nSoftware Engineer, Beta Corp, Leeds, UK\n2015 - 2019\n- Wrote Python services.\n\nEducation\nBSc in Computer Science, University of Leeds, 2015\n\nCertifications\nAWS Certified Developer; CKA\n\nLanguages\nEnglish, French\n";

    #[test]
    fn a_written_resume_parses_into_exact_fields() {
        let today = YearMonth {
            year: 2024,
            month: Some(7),
        };
        let p = parse_profile(RESUME, today);
        assert_eq!(p.contact.name.as_ref().unwrap().value, "Jane Doe");
        assert_eq!(p.contact.email.as_ref().unwrap().value, "jane@example.com");
        assert_eq!(p.headline.as_ref().unwrap().value, "Senior Rust Engineer");
        assert_eq!(
            p.summary.as_ref().unwrap().value,
            "Engineer who builds search systems. Twelve years in backend work."
        );
        assert_eq!(p.experience.len(), 2);
        let first = &p.experience[0];
        assert_eq!(first.title.as_deref(), Some("Senior Rust Engineer"));
        assert_eq!(first.company.as_deref(), Some("Acme Ltd"));
        assert_eq!(first.location.as_deref(), Some("London, UK"));
        assert!(first.is_current);
        assert_eq!(
            first.bullets,
            ["Built a search engine in Rust.", "Ran Kubernetes clusters."]
        );
        let second = &p.experience[1];
        assert_eq!(second.title.as_deref(), Some("Software Engineer"));
        assert_eq!(second.company.as_deref(), Some("Beta Corp"));
        assert_eq!(
            second.start,
            Some(YearMonth {
                year: 2015,
                month: None
            })
        );
        assert_eq!(p.education.len(), 1);
        assert_eq!(p.education[0].degree.as_deref(), Some("BSc"));
        assert_eq!(p.education[0].field.as_deref(), Some("Computer Science"));
        assert_eq!(
            p.education[0].institution.as_deref(),
            Some("University of Leeds")
        );
        assert_eq!(p.education[0].year, Some(2015));
        let certs: Vec<&str> = p.certifications.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(certs, ["AWS Certified Developer", "CKA"]);
        let langs: Vec<&str> = p.languages.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(langs, ["English", "French"]);
        // 2015-01 .. 2024-07, one merged span.
        assert_eq!(p.total_years_experience, Some(9.6));
        assert_eq!(p.seniority, Some(Seniority::Senior));
        // Provenance points at the text.
        let src = p.experience[0].source.clone();
        assert!(RESUME[src.start..src.end].starts_with("Senior Rust Engineer, Acme Ltd"));
        let cert = p.certifications[1].source.as_ref().unwrap();
        assert_eq!(&RESUME[cert.start..cert.end], "CKA");
    }

    #[test]
    fn empty_text_gives_an_empty_profile() {
        let p = parse_profile(
            "",
            YearMonth {
                year: 2024,
                month: None,
            },
        );
        assert!(
            p.experience.is_empty() && p.headline.is_none() && p.total_years_experience.is_none()
        );
    }
}

/// Fill rates over a directory of extracted resume texts (`*.txt`), for tuning the rules:
/// `INTELLICV_TEXT_DIR=/path cargo test --release --lib profile_fill_rates -- --ignored --nocapture`
#[cfg(test)]
#[test]
#[ignore = "needs INTELLICV_TEXT_DIR"]
fn profile_fill_rates() {
    let Ok(dir) = std::env::var("INTELLICV_TEXT_DIR") else {
        return;
    };
    let today = YearMonth {
        year: 2024,
        month: Some(1),
    };
    let (mut n, mut headline, mut exp, mut exp_dated, mut edu, mut summary) = (0, 0, 0, 0, 0, 0);
    let mut no_exp = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let p = parse_profile(&text, today);
        n += 1;
        headline += usize::from(p.headline.is_some());
        summary += usize::from(p.summary.is_some());
        exp += usize::from(p.experience.iter().any(|e| e.title.is_some()));
        exp_dated += usize::from(p.experience.iter().any(|e| e.start.is_some()));
        edu += usize::from(!p.education.is_empty());
        if p.experience.is_empty() {
            no_exp.push(path.display().to_string());
        }
    }
    let pct = |x: usize| 100.0 * x as f64 / n as f64;
    println!(
        "n={n} headline={:.1}% summary={:.1}% experience_with_title={:.1}% experience_dated={:.1}% education={:.1}%",
        pct(headline),
        pct(summary),
        pct(exp),
        pct(exp_dated),
        pct(edu)
    );
    println!("no experience: {:?}", &no_exp[..no_exp.len().min(8)]);
}
