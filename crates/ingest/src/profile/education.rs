//! Education entries: degree, field, institution and year.

use std::sync::LazyLock;

use regex::Regex;

use super::dates::find_single;
use super::lines::{Line, lines_in};
use intellicv_core::{Education, SourceSpan};

/// Degrees written as words, in any case.
static DEGREE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:bachelor|master|doctor|associate)(?:'?s)?(?:\s+(?:degree\s+)?(?:of|in)\s+(?:science|arts|business\s+administration|engineering|education|fine\s+arts|laws|applied\s+science|technology|philosophy|nursing|music|social\s+work))?|high\s+school\s+diploma|high\s+school|diploma|certificate)\b",
    )
    .expect("degree regex")
});
/// Degree acronyms, which only count in capitals (so "ma" or "bs" in prose do not).
static DEGREE_ACRONYMS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:Ph\.?\s?D|MBA|M\.B\.A|B\.?\s?Sc|M\.?\s?Sc|B\.S|M\.S|B\.A|M\.A|BS|MS|BA|MA|BEng|MEng|BEd|MEd|PGCE|HND|HNC|NVQ Level \d|NVQ|BBA|LLB|LLM|JD|MD|MPH|MSN|BSN|AAS|GED|GCSEs?|A-Levels?)\b\.?",
    )
    .expect("degree acronym regex")
});
static INSTITUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:university|college|institute|school|academy|polytechnic|conservatory|seminary)\b")
        .expect("institution regex")
});
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:\s*[:,-]\s*|\s+(?:in|of)\s+)(?P<field>[A-Za-z][A-Za-z &/,'-]{2,60}?)\s*(?:$|[|,;(:]|\s(?:from|at)\s|\s(?:19|20)\d{2})")
        .expect("field regex")
});

/// The first degree named in `line`, whichever form comes first.
fn find_degree(line: &str) -> Option<regex::Match<'_>> {
    let words = DEGREE_WORDS.find(line);
    let acronym = DEGREE_ACRONYMS.find(line);
    match (words, acronym) {
        (Some(w), Some(a)) => Some(if a.start() < w.start() { a } else { w }),
        (w, a) => w.or(a),
    }
}

/// The education entries in `text[body]` (an education section's body).
pub fn extract_education(text: &str, body: std::ops::Range<usize>) -> Vec<Education> {
    let lines = lines_in(text, body);
    let mut entries: Vec<(Education, Vec<Line<'_>>)> = Vec::new();
    for line in lines {
        let degree = find_degree(line.text);
        let institution = INSTITUTION.is_match(line.text);
        let year = find_single(line.text).map(|(d, _, _)| d.year);
        let starts_new = match entries.last() {
            None => degree.is_some() || institution,
            Some((current, _)) => {
                (degree.is_some() && current.degree.is_some())
                    || (institution && current.institution.is_some())
            }
        };
        if starts_new {
            entries.push((
                Education {
                    degree: None,
                    field: None,
                    institution: None,
                    year: None,
                    source: SourceSpan::new(Some("education"), line.start, line.end),
                },
                Vec::new(),
            ));
        }
        let Some((entry, entry_lines)) = entries.last_mut() else {
            continue;
        };
        if let Some(m) = degree
            && entry.degree.is_none()
        {
            entry.degree = Some(
                m.as_str()
                    .trim()
                    .trim_end_matches(['.', ',', ':'])
                    .to_owned(),
            );
            if let Some(c) = FIELD.captures(&line.text[m.end()..]) {
                let field = c["field"].trim().trim_end_matches([',', ' ', '-']);
                if !field.is_empty() && !INSTITUTION.is_match(field) {
                    entry.field = Some(field.to_owned());
                }
            }
        }
        if institution && entry.institution.is_none() {
            entry.institution = Some(institution_name(line.text));
        }
        if entry.year.is_none() {
            entry.year = year;
        }
        entry.source.end = line.end;
        entry_lines.push(line);
    }
    entries.into_iter().map(|(e, _)| e).collect()
}

/// The part of a line that names the institution.
fn institution_name(line: &str) -> String {
    let normalised = line.replace("ï¼\u{200b}", "|").replace("â€“", "|");
    normalised
        .split(['|', '\t', ';', ','])
        .flat_map(|s| s.split(" - "))
        .map(str::trim)
        .find(|s| INSTITUTION.is_match(s))
        .map(str::to_owned)
        .unwrap_or_else(|| line.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_fields_institutions_and_years() {
        let text = "Bachelor of Science : Accounting 2010\nUniversity of Somewhere ï¼\u{200b} City , State\nMBA in Finance, 2014\nNorthfield Business School\n";
        let e = extract_education(text, 0..text.len());
        assert_eq!(e.len(), 2, "{e:#?}");
        assert_eq!(e[0].degree.as_deref(), Some("Bachelor of Science"));
        assert_eq!(e[0].field.as_deref(), Some("Accounting"));
        assert_eq!(e[0].year, Some(2010));
        assert_eq!(e[0].institution.as_deref(), Some("University of Somewhere"));
        assert_eq!(e[1].degree.as_deref(), Some("MBA"));
        assert_eq!(e[1].field.as_deref(), Some("Finance"));
        assert_eq!(e[1].year, Some(2014));
        assert_eq!(
            e[1].institution.as_deref(),
            Some("Northfield Business School")
        );
    }

    #[test]
    fn lowercase_acronym_lookalikes_are_not_degrees() {
        let text = "ba bs ma\n";
        assert!(extract_education(text, 0..text.len()).is_empty());
    }
}
