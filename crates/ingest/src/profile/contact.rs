//! Contact details and the headline, from the header of a resume.

use std::sync::LazyLock;

use regex::Regex;

use super::lines::{Line, is_prose, lines_in, word_count};
use super::titles::looks_like_job_title;
use intellicv_core::{Contact, Field, SourceSpan};

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").expect("email regex")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]\d{2,6}){1,4}\b")
        .expect("phone regex")
});
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://[^\s,;|]+|(?:www\.)?(?:linkedin\.com|github\.com|gitlab\.com)/[^\s,;|]+)")
        .expect("link regex")
});
static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    // "London, UK", "Austin, TX", "Berlin, Germany", "City , State" (anonymised)
    Regex::new(r"\b[A-Z][A-Za-z.'-]+(?:\s[A-Z][A-Za-z.'-]+)*\s?,\s?(?:[A-Z]{2}\b|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)")
        .expect("location regex")
});

fn span(line_start: usize, m: regex::Match<'_>, section: &str) -> SourceSpan {
    SourceSpan::new(Some(section), line_start + m.start(), line_start + m.end())
}

/// Finds e-mail, phone, links and location anywhere in `text[range]` (the header first,
/// since callers pass it first), and the name in the header's first lines.
pub fn extract_contact(text: &str, header: std::ops::Range<usize>) -> Contact {
    let mut contact = Contact::default();
    let header_lines = lines_in(text, header.clone());
    for line in lines_in(text, 0..text.len()) {
        let section = if line.start < header.end {
            "header"
        } else {
            "body"
        };
        if contact.email.is_none()
            && let Some(m) = EMAIL.find(line.text)
        {
            contact.email = Some(Field::new(
                m.as_str().to_owned(),
                Some(span(line.start, m, section)),
            ));
        }
        for m in LINK.find_iter(line.text) {
            if contact.links.len() < 10 {
                let link = m.as_str().trim_end_matches(['.', ')']).to_owned();
                contact
                    .links
                    .push(Field::new(link, Some(span(line.start, m, section))));
            }
        }
        if contact.phone.is_none()
            && let Some(m) = PHONE.find(line.text)
        {
            let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
            let is_date_like = super::dates::find_range(line.text).is_some();
            if (9..=15).contains(&digits) && !is_date_like {
                contact.phone = Some(Field::new(
                    m.as_str().trim().to_owned(),
                    Some(span(line.start, m, section)),
                ));
            }
        }
    }
    'lines: for line in header_lines.iter().take(6) {
        if contact.location.is_some() {
            break;
        }
        for segment in line.text.split(['|', '•', '·', '\t']) {
            let seg_start = line.start + (segment.as_ptr() as usize - line.text.as_ptr() as usize);
            if EMAIL.is_match(segment) || LINK.is_match(segment) {
                continue;
            }
            if let Some(m) = LOCATION.find(segment) {
                contact.location = Some(Field::new(
                    m.as_str().to_owned(),
                    Some(SourceSpan::new(
                        Some("header"),
                        seg_start + m.start(),
                        seg_start + m.end(),
                    )),
                ));
                continue 'lines;
            }
        }
    }
    contact.name = header_lines
        .iter()
        .take(3)
        .find(|l| looks_like_name(l))
        .map(|l| {
            Field::new(
                l.text.to_owned(),
                Some(SourceSpan::new(Some("header"), l.start, l.end)),
            )
        });
    contact
}

/// "Jane Doe", "Jean-Luc O'Neill": two to four capitalised words of letters, and not a
/// job title.
fn looks_like_name(line: &Line<'_>) -> bool {
    let words = word_count(line.text);
    (2..=4).contains(&words)
        && line.text.split_whitespace().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.'))
        })
        && !looks_like_job_title(line.text)
}

/// The headline: the first header line that reads like a job title.
pub fn extract_headline(text: &str, header: std::ops::Range<usize>) -> Option<Field<String>> {
    lines_in(text, header)
        .into_iter()
        .take(6)
        .find(|l| {
            looks_like_job_title(l.text)
                && !is_prose(l.text)
                && !EMAIL.is_match(l.text)
                && word_count(l.text) <= 10
        })
        .map(|l| {
            Field::new(
                clean_title(l.text),
                Some(SourceSpan::new(Some("header"), l.start, l.end)),
            )
        })
}

/// Title-cases an all-capitals title ("STAFF ACCOUNTANT" → "Staff Accountant").
pub fn clean_title(s: &str) -> String {
    let s = s.trim().trim_matches([',', '-', '|', ':', '–']).trim();
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    let all_caps = letters.len() > 3 && letters.iter().all(|c| c.is_uppercase());
    if !all_caps {
        return s.to_owned();
    }
    s.split(' ')
        .map(|w| {
            if w.len() <= 3
                && matches!(
                    w,
                    "IT" | "HR"
                        | "QA"
                        | "VP"
                        | "CEO"
                        | "CFO"
                        | "CTO"
                        | "PR"
                        | "UX"
                        | "UI"
                        | "RN"
                        | "LPN"
                        | "CPA"
                )
            {
                return w.to_owned();
            }
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_come_with_their_offsets() {
        let text = "Jane Doe\nSenior Rust Engineer\njane.doe@example.com | +44 20 7946 0018 | London, UK\nhttps://github.com/janedoe\nSummary\nBuilds systems.\n";
        let header = 0..text.find("Summary").unwrap();
        let c = extract_contact(text, header.clone());
        assert_eq!(c.name.as_ref().unwrap().value, "Jane Doe");
        let email = c.email.unwrap();
        assert_eq!(email.value, "jane.doe@example.com");
        let s = email.source.unwrap();
        assert_eq!(&text[s.start..s.end], "jane.doe@example.com");
        assert_eq!(c.phone.unwrap().value, "+44 20 7946 0018");
        assert_eq!(c.location.unwrap().value, "London, UK");
        assert_eq!(c.links[0].value, "https://github.com/janedoe");
        assert_eq!(
            extract_headline(text, header).unwrap().value,
            "Senior Rust Engineer"
        );
    }

    #[test]
    fn an_all_caps_title_is_a_headline_not_a_name() {
        let text = "STAFF ACCOUNTANT\nSummary\n";
        let header = 0..text.find("Summary").unwrap();
        assert!(extract_contact(text, header.clone()).name.is_none());
        assert_eq!(
            extract_headline(text, header).unwrap().value,
            "Staff Accountant"
        );
    }
}
