//! Blind mode: a copy of a resume (profile and text) without the details a fair screening
//! should not see: name, e-mail, phone, links, date of birth and age, gender cues (pronouns,
//! honorifics, gendered words), marital status, nationality and similar personal lines.
//! Profiles hold no photos. The city-level location is kept: location fit is part of the
//! match. Graduation years are dropped from the profile (an age proxy).
//!
//! The redacted text is what should be embedded and indexed for blind matching; every span
//! in the redacted profile points into the redacted text.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use intellicv_core::{Contact, Field, ResumeProfile, SourceSpan};

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").expect("email pattern")
});
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://|www\.)[^\s,;|]+|\b(?:linkedin|github|gitlab|twitter|x|facebook|instagram|behance|dribbble)\.com/[^\s,;|]+")
        .expect("link pattern")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\b)\d{1,5}(?:[ .-]\d{2,6}){1,4}\b")
        .expect("phone pattern")
});
/// "Date of birth: ...", "Nationality - ...", "Age: 34": the label and its value.
static PERSONAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date|place\s+of\s+birth|marital\s+status|civil\s+status|family\s+status|nationality|citizenship|religion|gender|sex|age|pronouns|number\s+of\s+children|children|dependants|dependents|photo(?:graph)?)\s*[:–-]\s*[^|;•\n]*",
    )
    .expect("personal details pattern")
});
/// "Born 12 March 1985", "aged 34", "34 years old".
static AGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bborn\s+(?:on\s+|in\s+)?[^|;•\n]*?\d{4}\b|\baged?\s+\d{2}\b|\b\d{2}\s+years\s+old\b",
    )
    .expect("age pattern")
});
static HONORIFIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Mister|Sir|Madam|Dame)\b\.?[ \t]*")
        .expect("honorific pattern")
});
static GENDERED: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<&str> = NEUTRAL.iter().map(|(w, _)| *w).collect();
    Regex::new(&format!(r"(?i)\b(?:{})\b", words.join("|"))).expect("gendered words pattern")
});

/// Gendered words and their neutral forms ("" removes the word).
const NEUTRAL: &[(&str, &str)] = &[
    // One neutral word for every form: "her" is both "him" and "his", and only the same
    // replacement for each keeps two otherwise equal resumes equal.
    ("he", "they"),
    ("she", "they"),
    ("him", "they"),
    ("her", "they"),
    ("his", "they"),
    ("hers", "they"),
    ("himself", "themselves"),
    ("herself", "themselves"),
    ("man", "person"),
    ("woman", "person"),
    ("men", "people"),
    ("women", "people"),
    ("male", ""),
    ("female", ""),
    ("chairman", "chair"),
    ("chairwoman", "chair"),
    ("salesman", "salesperson"),
    ("saleswoman", "salesperson"),
    ("salesmen", "salespeople"),
    ("saleswomen", "salespeople"),
    ("businessman", "businessperson"),
    ("businesswoman", "businessperson"),
    ("spokesman", "spokesperson"),
    ("spokeswoman", "spokesperson"),
    ("foreman", "supervisor"),
    ("forewoman", "supervisor"),
    ("waiter", "server"),
    ("waitress", "server"),
    ("actress", "actor"),
    ("hostess", "host"),
    ("steward", "flight attendant"),
    ("stewardess", "flight attendant"),
    ("headmaster", "head teacher"),
    ("headmistress", "head teacher"),
    ("policeman", "police officer"),
    ("policewoman", "police officer"),
    ("fireman", "firefighter"),
    ("craftsman", "craftsperson"),
    ("husband", "spouse"),
    ("wife", "spouse"),
    ("mother", "parent"),
    ("father", "parent"),
    ("maternity", "parental"),
    ("paternity", "parental"),
    ("fraternity", "society"),
    ("sorority", "society"),
];

/// A resume with personal details removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    pub profile: ResumeProfile,
    pub text: String,
}

/// A replacement of `start..end` of a text.
#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

/// The neutral form of a gendered word, keeping its capitalisation.
fn neutral_word(caps: &Captures<'_>) -> String {
    let word = &caps[0];
    let lower = word.to_lowercase();
    let neutral = NEUTRAL
        .iter()
        .find(|(w, _)| *w == lower)
        .map_or("", |(_, n)| *n);
    let mut chars = word.chars();
    match chars.next() {
        Some(_) if word.len() > 1 && word.chars().all(|c| c.is_uppercase()) => {
            neutral.to_uppercase()
        }
        Some(first) if first.is_uppercase() => {
            let mut n = neutral.chars();
            n.next()
                .map(|f| f.to_uppercase().chain(n).collect())
                .unwrap_or_default()
        }
        _ => neutral.to_owned(),
    }
}

fn phone_like(m: &regex::Match<'_>) -> bool {
    let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
    (9..=15).contains(&digits)
}

/// Words of a name worth removing wherever they stand (capitalised as in the name).
fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphabetic() && c != '\'' && c != '-')
        .filter(|w| w.chars().count() >= 2 && w.chars().next().is_some_and(char::is_uppercase))
        .map(str::to_owned)
        .collect()
}

/// All edits that redact `text`, non-overlapping and in order. A line left holding only
/// separators is removed whole.
fn edits(text: &str, names: &[String]) -> Vec<Edit> {
    let mut found: Vec<Edit> = Vec::new();
    let mut remove = |start: usize, end: usize| {
        found.push(Edit {
            start,
            end,
            with: String::new(),
        });
    };
    for re in [&*PERSONAL, &*AGE, &*EMAIL, &*LINK, &*HONORIFIC] {
        for m in re.find_iter(text) {
            remove(m.start(), m.end());
        }
    }
    for m in PHONE.find_iter(text).filter(phone_like) {
        remove(m.start(), m.end());
    }
    for (i, name) in names.iter().enumerate() {
        // The full name (first) in any case; its words only capitalised as written.
        let flags = if i == 0 { "(?i)" } else { "" };
        let pattern = format!(r"{flags}\b{}\b", regex::escape(name));
        if let Ok(re) = Regex::new(&pattern) {
            for m in re.find_iter(text) {
                remove(m.start(), m.end());
            }
        }
    }
    for caps in GENDERED.captures_iter(text) {
        let m = caps.get(0).expect("whole match");
        found.push(Edit {
            start: m.start(),
            end: m.end(),
            with: neutral_word(&caps),
        });
    }
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut edits: Vec<Edit> = Vec::with_capacity(found.len());
    for edit in found {
        if edits.last().is_none_or(|last| edit.start >= last.end) {
            edits.push(edit);
        }
    }
    remove_emptied_lines(text, edits)
}

fn remove_emptied_lines(text: &str, edits: Vec<Edit>) -> Vec<Edit> {
    let is_filler = |c: char| c.is_whitespace() || "|,;:•·*-–—/()".contains(c);
    let mut out = Vec::with_capacity(edits.len());
    let mut i = 0;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        let mut j = i;
        while j < edits.len() && edits[j].start < line_end {
            j += 1;
        }
        let in_line = &edits[i..j];
        let removes = in_line.iter().any(|e| e.with.is_empty());
        let mut kept = String::new();
        let mut pos = line_start;
        for e in in_line {
            kept.push_str(&text[pos..e.start.max(pos)]);
            kept.push_str(&e.with);
            pos = e.end.max(pos);
        }
        kept.push_str(&text[pos.min(line_end)..line_end]);
        let spills = in_line.iter().any(|e| e.end > line_end);
        if removes && !spills && kept.chars().all(is_filler) {
            out.push(Edit {
                start: line_start,
                end: line_end,
                with: String::new(),
            });
        } else {
            out.extend_from_slice(in_line);
        }
        i = j;
        line_start = line_end;
    }
    out.extend_from_slice(&edits[i..]);
    out
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for e in edits {
        out.push_str(&text[pos..e.start]);
        out.push_str(&e.with);
        pos = e.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Maps an offset of the original text to the redacted text. A position inside a replaced
/// range maps to the start of its replacement (or its end, for span ends).
fn map_offset(edits: &[Edit], pos: usize, is_end: bool) -> usize {
    let mut delta: isize = 0;
    for e in edits {
        if pos <= e.start {
            break;
        }
        if pos >= e.end {
            delta += e.with.len() as isize - (e.end - e.start) as isize;
            continue;
        }
        let at = (e.start as isize + delta) as usize;
        return if is_end { at + e.with.len() } else { at };
    }
    (pos as isize + delta) as usize
}

fn redact_string(s: &str, names: &[String]) -> String {
    apply(s, &edits(s, names))
}

fn names_of(profile: &ResumeProfile) -> Vec<String> {
    let Some(name) = profile.contact.name.as_ref().map(|n| n.value.trim()) else {
        return Vec::new();
    };
    let mut names = vec![name.to_owned()];
    names.extend(name_words(name));
    names.retain(|n| !n.is_empty());
    names
}

/// Spans of the personal details the profile found in the text.
fn contact_spans(contact: &Contact) -> Vec<SourceSpan> {
    [&contact.name, &contact.email, &contact.phone]
        .into_iter()
        .flatten()
        .chain(&contact.links)
        .filter_map(|f| f.source.clone())
        .collect()
}

/// The profile's fields without personal details; spans left as they are, evidence inside
/// the name, e-mail, phone or links dropped (and skills with no evidence left).
pub fn redact_profile(profile: &ResumeProfile) -> ResumeProfile {
    let names = names_of(profile);
    let personal = contact_spans(&profile.contact);
    let clean = |s: &str| redact_string(s, &names);
    let field = |f: &Field<String>| Field::new(clean(&f.value), f.source.clone());
    let mut out = profile.clone();
    out.contact = Contact {
        location: profile.contact.location.clone(),
        ..Contact::default()
    };
    out.headline = profile.headline.as_ref().map(field);
    out.summary = profile.summary.as_ref().map(field);
    out.certifications = profile.certifications.iter().map(field).collect();
    out.languages = profile.languages.iter().map(field).collect();
    for e in &mut out.experience {
        e.title = e.title.as_deref().map(clean);
        e.company = e.company.as_deref().map(clean);
        e.bullets = e.bullets.iter().map(|b| clean(b)).collect();
    }
    for e in &mut out.education {
        e.year = None;
    }
    out.skills.retain_mut(|skill| {
        let had = !skill.evidence.is_empty();
        skill.evidence.retain(|e| {
            !personal
                .iter()
                .any(|p| p.start < e.source.end && e.source.start < p.end)
        });
        for e in &mut skill.evidence {
            e.text = clean(&e.text);
        }
        !had || !skill.evidence.is_empty()
    });
    out
}

/// Redacts a text on its own; `name` (when known) is removed wherever it appears.
pub fn redact_text(text: &str, name: Option<&str>) -> String {
    let mut names: Vec<String> = name.map(|n| vec![n.trim().to_owned()]).unwrap_or_default();
    if let Some(n) = name {
        names.extend(name_words(n));
    }
    names.retain(|n| !n.is_empty());
    redact_string(text, &names)
}

/// Redacts a resume's text and profile together; the profile's spans are moved to point
/// into the redacted text, and evidence that fell inside removed text is dropped.
pub fn redact(profile: &ResumeProfile, text: &str) -> Redacted {
    let names = names_of(profile);
    let edits = edits(text, &names);
    let map = |span: &SourceSpan| SourceSpan {
        section: span.section.clone(),
        start: map_offset(&edits, span.start, false),
        end: map_offset(&edits, span.end, true),
    };
    let mut out = redact_profile(profile);
    let remap_field = |f: &mut Field<String>| f.source = f.source.as_ref().map(map);
    out.contact.location.iter_mut().for_each(remap_field);
    out.headline.iter_mut().for_each(remap_field);
    out.summary.iter_mut().for_each(remap_field);
    out.certifications.iter_mut().for_each(remap_field);
    out.languages.iter_mut().for_each(remap_field);
    for e in &mut out.experience {
        e.source = map(&e.source);
    }
    for e in &mut out.education {
        e.source = map(&e.source);
    }
    for s in &mut out.sections {
        s.start = map_offset(&edits, s.start, false);
        s.end = map_offset(&edits, s.end, true);
    }
    out.skills.retain_mut(|skill| {
        let had = !skill.evidence.is_empty();
        for e in &mut skill.evidence {
            e.source = map(&e.source);
        }
        skill
            .evidence
            .retain(|e| e.source.start < e.source.end || e.text.is_empty());
        !had || !skill.evidence.is_empty()
    });
    Redacted {
        profile: out,
        text: apply(text, &edits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_details_and_gender_cues_are_removed_and_offsets_follow() {
        let text = "Ms Jane Doe\njane.doe@example.com | +44 20 7946 0958 | 07700 900123\n\
                    Date of birth: 12/03/1985 | Nationality: British\n\
                    She led a team of five; her salesmen beat targets.\nJane wrote Rust.\n";
        let redacted = redact_text(text, Some("Jane Doe"));
        assert_eq!(
            redacted,
            "They led a team of five; they salespeople beat targets.\n wrote Rust.\n"
        );
        let edits = edits(text, &[String::from("Jane Doe"), String::from("Jane")]);
        let rust = text.find("Rust").unwrap();
        let mapped = map_offset(&edits, rust, false);
        assert_eq!(&redacted[mapped..mapped + 4], "Rust");
    }

    #[test]
    fn ordinary_words_survive() {
        let text = "Managed stage crews. Single point of contact. Usage: 2019 - 2021.";
        assert_eq!(redact_text(text, None), text);
    }
}
