//! JSON Resume (jsonresume.org) → profile, field by field: `basics` gives contact, headline
//! and summary, `work` the experience, `education`, `certificates` and `languages` their
//! lists. Nothing goes through text rules. Provenance points into the rendered text the
//! extractor keeps for search (the values appear there in the same order as in the JSON), so
//! an explanation can show each field in context; a value that cannot be found has none.

use serde_json::Value;

use super::experience::total_years;
use super::sections::split_sections;
use super::seniority::infer_seniority;
use crate::extract::json_resume::{entries as items, field as str_at};
use intellicv_core::{Education, Experience, Field, ResumeProfile, SourceSpan, YearMonth};

/// Builds the profile of a checked JSON Resume. `text` is its rendered text.
pub fn profile_from_json_resume(resume: &Value, text: &str, today: YearMonth) -> ResumeProfile {
    let mut at = Locator { text, cursor: 0 };
    let basics = resume.get("basics");
    let mut profile = ResumeProfile::default();
    profile.contact.name = at.field(str_at(basics, "name"), "header");
    profile.headline = at.field(str_at(basics, "label"), "header");
    profile.contact.email = at.field(str_at(basics, "email"), "header");
    profile.contact.phone = at.field(str_at(basics, "phone"), "header");
    profile
        .contact
        .links
        .extend(at.field(str_at(basics, "url"), "header"));
    let location = basics.and_then(|b| b.get("location"));
    let place: Vec<&str> = ["city", "region", "countryCode"]
        .iter()
        .filter_map(|key| str_at(location, key))
        .collect();
    if let Some(first) = place.first() {
        let span = at.find(first, "header");
        profile.contact.location = Some(Field::new(place.join(", "), span));
    }
    for link in items(basics, "profiles") {
        let url = str_at(Some(link), "url").or(str_at(Some(link), "username"));
        profile.contact.links.extend(at.field(url, "header"));
    }
    profile.summary = at.field(str_at(basics, "summary"), "summary");
    profile.experience = items(Some(resume), "work")
        .map(|job| experience(job, &mut at))
        .collect();
    profile.education = items(Some(resume), "education")
        .map(|school| education(school, &mut at))
        .collect();
    profile.certifications = items(Some(resume), "certificates")
        .filter_map(|c| at.field(str_at(Some(c), "name"), "certifications"))
        .collect();
    profile.languages = items(Some(resume), "languages")
        .filter_map(|l| at.field(str_at(Some(l), "language"), "languages"))
        .collect();
    if profile.headline.is_none()
        && let Some(first) = profile.experience.first()
        && let Some(title) = &first.title
    {
        profile.headline = Some(Field::new(title.clone(), Some(first.source.clone())));
    }
    profile.total_years_experience = total_years(&profile.experience, today);
    profile.seniority = infer_seniority(
        profile.headline.as_ref().map(|h| h.value.as_str()),
        profile.total_years_experience,
    );
    profile.sections = split_sections(text);
    profile
}

fn experience(job: &Value, at: &mut Locator<'_>) -> Experience {
    let job = Some(job);
    let title = str_at(job, "position");
    let company = str_at(job, "name").or(str_at(job, "company"));
    let first = title.or(company).and_then(|v| at.find(v, "experience"));
    let highlights: Vec<String> = items(job, "highlights")
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect();
    let last = highlights
        .last()
        .and_then(|h| at.find(h, "experience"))
        .or_else(|| first.clone());
    let source = match (first, last) {
        (Some(first), Some(last)) => SourceSpan::new(Some("experience"), first.start, last.end),
        _ => SourceSpan::new(Some("experience"), 0, 0),
    };
    let start = str_at(job, "startDate").and_then(iso_date);
    let end = str_at(job, "endDate").and_then(iso_date);
    Experience {
        title: title.map(str::to_owned),
        company: company.map(str::to_owned),
        location: str_at(job, "location").map(str::to_owned),
        start,
        end,
        // JSON Resume leaves `endDate` out for a current role.
        is_current: start.is_some() && end.is_none(),
        bullets: highlights,
        source,
    }
}

fn education(school: &Value, at: &mut Locator<'_>) -> Education {
    let school = Some(school);
    let degree = str_at(school, "studyType");
    let institution = str_at(school, "institution");
    let first = degree.or(institution).and_then(|v| at.find(v, "education"));
    let last = institution
        .and_then(|v| at.find(v, "education"))
        .or_else(|| first.clone());
    let source = match (first, last) {
        (Some(first), Some(last)) => SourceSpan::new(Some("education"), first.start, last.end),
        _ => SourceSpan::new(Some("education"), 0, 0),
    };
    let year = str_at(school, "endDate")
        .or(str_at(school, "startDate"))
        .and_then(iso_date)
        .map(|d| d.year);
    Education {
        degree: degree.map(str::to_owned),
        field: str_at(school, "area").map(str::to_owned),
        institution: institution.map(str::to_owned),
        year,
        source,
    }
}

/// "2019-01-15", "2019-01" or "2019".
fn iso_date(date: &str) -> Option<YearMonth> {
    let mut parts = date.trim().split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    let month = parts
        .next()
        .and_then(|m| m.parse::<u8>().ok())
        .filter(|m| (1..=12).contains(m));
    Some(YearMonth { year, month })
}

/// Finds values in the rendered text in order, so repeated values get their own place.
struct Locator<'t> {
    text: &'t str,
    cursor: usize,
}

impl Locator<'_> {
    fn find(&mut self, value: &str, section: &str) -> Option<SourceSpan> {
        let start = self.text[self.cursor..]
            .find(value)
            .map(|i| i + self.cursor)
            .or_else(|| self.text.find(value))?;
        let end = start + value.len();
        self.cursor = self.cursor.max(end);
        Some(SourceSpan::new(Some(section), start, end))
    }

    fn field(&mut self, value: Option<&str>, section: &str) -> Option<Field<String>> {
        let value = value?;
        let span = self.find(value, section);
        Some(Field::new(value.to_owned(), span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{ExtractLimits, extract};
    use intellicv_core::Seniority;

    const RESUME: &str = r#"{
      "basics": {
        "name": "Jane Doe", "label": "Senior Backend Engineer", "email": "jane@example.com",
        "phone": "+44 20 7946 0000", "url": "https://jane.example.com",
        "summary": "Builds search systems.",
        "location": {"city": "London", "countryCode": "GB"},
        "profiles": [{"network": "GitHub", "url": "https://github.com/janedoe"}]
      },
      "work": [
        {"name": "Acme Ltd", "position": "Senior Engineer", "location": "London",
         "startDate": "2019-01-07", "highlights": ["Cut latency by 40%", " "]},
        {"company": "Initech", "position": "Engineer", "startDate": "2015-06", "endDate": "2018-12"}
      ],
      "education": [{"institution": "University of Leeds", "area": "Computer Science",
                     "studyType": "BSc", "startDate": "2011", "endDate": "2014"}],
      "certificates": [{"name": "AWS Certified Developer", "issuer": "Amazon", "date": "2021-03-01"}],
      "skills": [{"name": "Rust", "keywords": ["tokio"]}],
      "languages": [{"language": "English", "fluency": "Native"}, {"language": "French"}]
    }"#;

    fn parsed() -> (ResumeProfile, String) {
        let document = extract(RESUME.as_bytes(), &ExtractLimits::default()).unwrap();
        let value = document.json_resume.expect("a JSON Resume");
        let today = YearMonth {
            year: 2024,
            month: Some(7),
        };
        (
            profile_from_json_resume(&value, &document.text, today),
            document.text,
        )
    }

    #[test]
    fn every_field_comes_straight_from_the_json() {
        let (p, _) = parsed();
        let value = |f: &Option<Field<String>>| f.as_ref().map(|f| f.value.clone());
        assert_eq!(value(&p.contact.name).as_deref(), Some("Jane Doe"));
        assert_eq!(value(&p.contact.email).as_deref(), Some("jane@example.com"));
        assert_eq!(value(&p.contact.phone).as_deref(), Some("+44 20 7946 0000"));
        assert_eq!(value(&p.contact.location).as_deref(), Some("London, GB"));
        let links: Vec<&str> = p.contact.links.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(
            links,
            ["https://jane.example.com", "https://github.com/janedoe"]
        );
        assert_eq!(
            value(&p.headline).as_deref(),
            Some("Senior Backend Engineer")
        );
        assert_eq!(value(&p.summary).as_deref(), Some("Builds search systems."));
        assert_eq!(p.experience.len(), 2);
        let acme = &p.experience[0];
        assert_eq!(acme.title.as_deref(), Some("Senior Engineer"));
        assert_eq!(acme.company.as_deref(), Some("Acme Ltd"));
        assert_eq!(acme.location.as_deref(), Some("London"));
        assert_eq!(
            acme.start,
            Some(YearMonth {
                year: 2019,
                month: Some(1)
            })
        );
        assert!(acme.is_current && acme.end.is_none());
        assert_eq!(acme.bullets, ["Cut latency by 40%"]);
        let initech = &p.experience[1];
        assert_eq!(initech.company.as_deref(), Some("Initech"));
        assert!(!initech.is_current);
        assert_eq!(
            initech.end,
            Some(YearMonth {
                year: 2018,
                month: Some(12)
            })
        );
        let school = &p.education[0];
        assert_eq!(school.degree.as_deref(), Some("BSc"));
        assert_eq!(school.field.as_deref(), Some("Computer Science"));
        assert_eq!(school.institution.as_deref(), Some("University of Leeds"));
        assert_eq!(school.year, Some(2014));
        let certs: Vec<&str> = p.certifications.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(certs, ["AWS Certified Developer"]);
        let languages: Vec<&str> = p.languages.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(languages, ["English", "French"]);
        // 2015-06 .. 2024-07 as one merged span.
        assert_eq!(p.total_years_experience, Some(9.2));
        assert_eq!(p.seniority, Some(Seniority::Senior));
    }

    #[test]
    fn provenance_points_at_each_value_in_the_rendered_text() {
        let (p, text) = parsed();
        let span = |s: &SourceSpan| &text[s.start..s.end];
        let email = p.contact.email.as_ref().unwrap().source.as_ref().unwrap();
        assert_eq!(span(email), "jane@example.com");
        assert_eq!(email.section.as_deref(), Some("header"));
        let acme = &p.experience[0].source;
        assert!(
            span(acme).starts_with("Senior Engineer, Acme Ltd"),
            "{:?}",
            span(acme)
        );
        assert!(span(acme).ends_with("Cut latency by 40%"));
        assert_eq!(span(&p.experience[1].source), "Engineer");
        let school = &p.education[0].source;
        assert_eq!(span(school), "BSc in Computer Science, University of Leeds");
        let french = p.languages[1].source.as_ref().unwrap();
        assert_eq!(
            (span(french), french.section.as_deref()),
            ("French", Some("languages"))
        );
        assert!(
            p.sections
                .iter()
                .any(|s| s.kind == intellicv_core::SectionKind::Skills)
        );
    }

    #[test]
    fn iso_dates_of_every_precision_parse() {
        assert_eq!(
            iso_date("2019"),
            Some(YearMonth {
                year: 2019,
                month: None
            })
        );
        assert_eq!(
            iso_date("2019-13"),
            Some(YearMonth {
                year: 2019,
                month: None
            })
        );
        assert_eq!(iso_date("soon"), None);
    }
}
