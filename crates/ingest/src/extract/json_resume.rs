//! JSON Resume (jsonresume.org schema): shape checks and a text rendering with the section
//! headings the rest of the pipeline looks for.

use serde_json::{Map, Value};

use super::error::ExtractError;

/// Top-level sections of the JSON Resume schema.
pub const SECTIONS: &[&str] = &[
    "basics",
    "work",
    "volunteer",
    "education",
    "awards",
    "certificates",
    "publications",
    "skills",
    "languages",
    "interests",
    "references",
    "projects",
];

/// True when the value is an object with at least one JSON Resume section key.
pub fn has_resume_sections(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|object| SECTIONS.iter().any(|key| object.contains_key(*key)))
}

/// Parse and check a JSON Resume; `basics` must be an object and list sections arrays of
/// objects.
pub fn parse_json_resume(text: &str) -> Result<Value, ExtractError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| invalid(format!("not valid JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(invalid("top level is not a JSON object".into()));
    };
    if !has_resume_sections(&value) {
        return Err(invalid(format!(
            "object has none of the JSON Resume sections ({})",
            SECTIONS.join(", ")
        )));
    }
    check_shape(object)?;
    Ok(value)
}

fn check_shape(object: &Map<String, Value>) -> Result<(), ExtractError> {
    if let Some(basics) = object.get("basics")
        && !basics.is_object()
    {
        return Err(invalid("\"basics\" is not an object".into()));
    }
    for key in SECTIONS.iter().filter(|key| **key != "basics") {
        let Some(section) = object.get(*key) else {
            continue;
        };
        let Some(entries) = section.as_array() else {
            return Err(invalid(format!("\"{key}\" is not an array")));
        };
        if let Some(index) = entries.iter().position(|entry| !entry.is_object()) {
            return Err(invalid(format!("\"{key}[{index}]\" is not an object")));
        }
    }
    Ok(())
}

fn invalid(reason: String) -> ExtractError {
    ExtractError::InvalidJsonResume { reason }
}

/// Render a checked JSON Resume as resume-like text: name, label, contact line, then
/// Summary, Experience, Education, Skills and Languages sections.
pub fn render_text(resume: &Value) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let basics = resume.get("basics");
    let mut header = Vec::new();
    header.extend(field(basics, "name").map(str::to_owned));
    header.extend(field(basics, "label").map(str::to_owned));
    let contact = joined(
        &[
            field(basics, "email"),
            field(basics, "phone"),
            field(basics, "url"),
        ],
        " | ",
    );
    header.extend(contact);
    let location = basics.and_then(|b| b.get("location"));
    let place =
        ["address", "city", "region", "postalCode", "countryCode"].map(|key| field(location, key));
    header.extend(joined(&place, ", "));
    for profile in entries(basics, "profiles") {
        let link = field(Some(profile), "url").or(field(Some(profile), "username"));
        header.extend(joined(&[field(Some(profile), "network"), link], ": "));
    }
    push_block(&mut blocks, header);
    if let Some(summary) = field(basics, "summary") {
        blocks.push(format!("Summary\n{summary}"));
    }
    let work: Vec<String> = entries(Some(resume), "work").map(render_work).collect();
    push_section(&mut blocks, "Experience", work);
    let education: Vec<String> = entries(Some(resume), "education")
        .map(render_education)
        .collect();
    push_section(&mut blocks, "Education", education);
    let skills: Vec<String> = entries(Some(resume), "skills")
        .filter_map(render_skill)
        .collect();
    push_section(&mut blocks, "Skills", skills);
    let certificates: Vec<String> = entries(Some(resume), "certificates")
        .filter_map(|c| {
            let year = field(Some(c), "date").map(|d| d.chars().take(4).collect::<String>());
            joined(
                &[
                    field(Some(c), "name"),
                    field(Some(c), "issuer"),
                    year.as_deref(),
                ],
                ", ",
            )
        })
        .collect();
    push_section(&mut blocks, "Certifications", certificates);
    let languages: Vec<String> = entries(Some(resume), "languages")
        .filter_map(|l| {
            let fluency = field(Some(l), "fluency").map(|f| format!("({f})"));
            joined(&[field(Some(l), "language"), fluency.as_deref()], " ")
        })
        .collect();
    push_section(&mut blocks, "Languages", languages);
    blocks.join("\n\n")
}

fn render_work(job: &Value) -> String {
    let job = Some(job);
    let employer = field(job, "name").or(field(job, "company"));
    // The layout the profile parser reads: "Title, Company, Place" then the dates.
    let mut lines = Vec::new();
    lines.extend(joined(
        &[field(job, "position"), employer, field(job, "location")],
        ", ",
    ));
    lines.extend(date_range(job));
    lines.extend(field(job, "summary").map(str::to_owned));
    lines.extend(highlights(job));
    lines.join("\n")
}

fn render_education(school: &Value) -> String {
    let school = Some(school);
    let degree = joined(&[field(school, "studyType"), field(school, "area")], " in ");
    let year = field(school, "endDate")
        .or(field(school, "startDate"))
        .map(|d| d.chars().take(4).collect::<String>());
    let mut lines = Vec::new();
    lines.extend(joined(
        &[
            degree.as_deref(),
            field(school, "institution"),
            year.as_deref(),
        ],
        ", ",
    ));
    lines.extend(field(school, "score").map(|score| format!("Score: {score}")));
    lines.join("\n")
}

fn render_skill(skill: &Value) -> Option<String> {
    let skill = Some(skill);
    let keywords: Vec<&str> = entries(skill, "keywords")
        .filter_map(Value::as_str)
        .collect();
    let keywords = (!keywords.is_empty()).then(|| keywords.join(", "));
    let level = field(skill, "level").map(|level| format!("({level})"));
    let name = joined(&[field(skill, "name"), level.as_deref()], " ");
    joined(&[name.as_deref(), keywords.as_deref()], ": ")
}

/// "2019-01 - Present" style range (ISO dates cut to year and month); `None` without a
/// start date.
fn date_range(entry: Option<&Value>) -> Option<String> {
    let month = |d: &str| d.chars().take(7).collect::<String>();
    let start = month(field(entry, "startDate")?);
    let end = field(entry, "endDate").map_or("Present".to_owned(), month);
    Some(format!("{start} - {end}"))
}

fn highlights(entry: Option<&Value>) -> impl Iterator<Item = String> + '_ {
    entries(entry, "highlights")
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| format!("• {h}"))
}

/// A non-empty trimmed string field.
pub(crate) fn field<'a>(value: Option<&'a Value>, key: &str) -> Option<&'a str> {
    value?
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The elements of an array field (none when it is missing or not an array).
pub(crate) fn entries<'a>(
    value: Option<&'a Value>,
    key: &str,
) -> impl Iterator<Item = &'a Value> + use<'a> {
    value
        .and_then(|v| v.get(key))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn joined(parts: &[Option<&str>], separator: &str) -> Option<String> {
    let present: Vec<&str> = parts.iter().flatten().copied().collect();
    (!present.is_empty()).then(|| present.join(separator))
}

fn push_block(blocks: &mut Vec<String>, lines: Vec<String>) {
    if !lines.is_empty() {
        blocks.push(lines.join("\n"));
    }
}

fn push_section(blocks: &mut Vec<String>, heading: &str, items: Vec<String>) {
    let items: Vec<String> = items.into_iter().filter(|item| !item.is_empty()).collect();
    if !items.is_empty() {
        blocks.push(format!("{heading}\n{}", items.join("\n")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESUME: &str = r#"{
      "basics": {
        "name": "Jane Doe", "label": "Backend Engineer", "email": "jane@example.com",
        "phone": "+44 20 7946 0000", "summary": "Builds search systems.",
        "location": {"city": "London", "countryCode": "GB"},
        "profiles": [{"network": "GitHub", "url": "https://github.com/janedoe"}]
      },
      "work": [
        {"name": "Acme Ltd", "position": "Senior Engineer", "startDate": "2019-01",
         "summary": "Search platform.", "highlights": ["Cut latency by 40%", " "]},
        {"company": "Initech", "position": "Engineer", "startDate": "2015-06", "endDate": "2018-12"}
      ],
      "education": [{"institution": "University of Leeds", "area": "Computer Science",
                     "studyType": "BSc", "startDate": "2011", "endDate": "2014"}],
      "skills": [{"name": "Rust", "level": "Expert", "keywords": ["tokio", "axum"]}, {"name": "SQL"}],
      "languages": [{"language": "English", "fluency": "Native"}]
    }"#;

    #[test]
    fn a_full_resume_renders_every_section_in_order() {
        let value = parse_json_resume(RESUME).unwrap();
        assert_eq!(
            render_text(&value),
            "Jane Doe\nBackend Engineer\njane@example.com | +44 20 7946 0000\nLondon, GB\n\
             GitHub: https://github.com/janedoe\n\n\
             Summary\nBuilds search systems.\n\n\
             Experience\nSenior Engineer, Acme Ltd\n2019-01 - Present\nSearch platform.\n\
             • Cut latency by 40%\nEngineer, Initech\n2015-06 - 2018-12\n\n\
             Education\nBSc in Computer Science, University of Leeds, 2014\n\n\
             Skills\nRust (Expert): tokio, axum\nSQL\n\n\
             Languages\nEnglish (Native)"
        );
    }

    #[test]
    fn json_without_resume_sections_is_rejected_with_a_reason() {
        let error = parse_json_resume(r#"{"title": "Engineer", "salary": 5}"#).unwrap_err();
        assert!(
            matches!(&error, ExtractError::InvalidJsonResume { reason } if reason.starts_with("object has none of the JSON Resume sections")),
            "{error}"
        );
    }

    #[test]
    fn a_section_of_the_wrong_type_is_rejected() {
        assert_eq!(
            parse_json_resume(r#"{"basics": {}, "work": [{"name": "A"}, "oops"]}"#),
            Err(ExtractError::InvalidJsonResume {
                reason: "\"work[1]\" is not an object".into()
            })
        );
        assert_eq!(
            parse_json_resume(r#"{"basics": "Jane"}"#),
            Err(ExtractError::InvalidJsonResume {
                reason: "\"basics\" is not an object".into()
            })
        );
    }

    #[test]
    fn a_json_array_is_not_a_resume() {
        assert_eq!(
            parse_json_resume("[1, 2]"),
            Err(ExtractError::InvalidJsonResume {
                reason: "top level is not a JSON object".into()
            })
        );
    }
}
