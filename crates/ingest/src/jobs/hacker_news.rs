//! Hacker News "Who is hiring" posts to drafts.
//!
//! The company and role sit in the post's first line, by convention
//! `Company | Role | Location | REMOTE | ...`, sometimes separated by dashes or commas, or
//! written as a sentence ("Acme is hiring a Rust engineer"). Posts that are not job ads
//! (thread meta comments, questions) are rejected with a typed reason.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::classify::{employment_type_from_text, remote_mode_from_text, seniority_from_title};
use super::dates::{from_unix, parse_datetime};
use super::error::RecordErrorKind;
use super::fields::{coordinates, flag, number, text, text_at};
use super::salary::parse_salary_text;
use crate::html::job_description_text;
use intellicv_core::{EmploymentType, JobPostingDraft, RemoteMode, Seniority};

/// Longest header segment kept as a company name or a title, in characters.
const MAX_NAME_CHARS: usize = 80;
/// Longest description line searched for a title when the header has none, in characters.
const MAX_TITLE_LINE_CHARS: usize = 80;
/// Most words in a description line taken as a title (longer lines are sentences).
const MAX_TITLE_LINE_WORDS: usize = 8;
/// How many description lines are searched for a title.
const TITLE_SEARCH_LINES: usize = 6;
/// How many leading characters of the body are searched for a hiring phrase.
const ROLE_PHRASE_SEARCH_CHARS: usize = 4000;
/// Posts shorter than this (in characters) are not job ads.
const MIN_AD_CHARS: usize = 30;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("Hacker News patterns are valid")
}

static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:engineers?|developers?|designers?|scientists?|managers?|analysts?|architects?|devops|sre|programmers?|hackers?|lead|head\sof|cto|vp|director|interns?|internships?|recruiters?|researchers?|administrators?|sysadmins?|consultants?|writers?|specialists?|technicians?|coordinators?|officers?|marketers?|marketing|sales|qa|testers?|product\s(?:owner|manager|lead)|full[\s-]?stack|front[\s-]?end|back[\s-]?end|ios|android|devs?|positions|roles|scientist|data\sscientist|machine\slearning|ux|ui)\b",
    )
});
static ROLE_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:looking\s+for|hiring|seeking|searching\s+for|need)\s+(?:an?\s+|some\s+|two\s+|three\s+|several\s+|more\s+|talented\s+|great\s+|good\s+)*(?P<role>(?:[\w.+#/-]+\s+){0,4}?(?:engineers?|developers?|devs?|designers?|scientists?|programmers?|hackers?|architects?|analysts?|managers?|devops|sres?|interns?|administrators?|sysadmins?|researchers?|testers?|marketers?|writers?|recruiters?))\b",
    )
});
static FLAG: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:\W*(?:remote|onsite|on[\s-]site|intern(?:ship)?s?|visa|h-?1b|full[\s-]?time|part[\s-]?time|contract(?:or)?|permanent|relocation|ok|only|preferred|and|or|us|eu|sponsorship|possible|no|not|friendly|welcome|available|freelance|\(|\))\W*)+$",
    )
});
static SALARY_HINT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)[$£€]\s*\d|\b\d{2,3}\s*k\b|\b(?:usd|eur|gbp)\b"));
static URL_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\(?\b(?:https?://|www\.)\S*\)?|\(\s*[\w.-]+\.(?:com|io|co|net|org|ai)\S*\s*\)")
});
static IS_HIRING: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?P<company>.{2,60}?)\s+(?:is|are)\s+(?:hiring|looking\s+for|seeking)\b(?:\s+(?:an?|two|several|multiple)?\s*(?P<role>[^.!(]{3,80}))?",
    )
});
static AT_COMPANY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)^(?P<role>.{3,80}?)\s+(?:@|at)\s+(?P<company>[^,]{2,60})$"));
static COMPANY_LABEL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)^company\s*:\s*(?P<company>.{2,60})$"));
static ROLE_END: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\s+(?:in|at|to|for|-|–|—)\s+.*$|\s*[(,;:].*$"));
static HIRING_SIGNAL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:hiring|hire|apply|applicants?|join\s+(?:us|our)|looking\s+for|positions?|roles?|engineers?|developers?|devs?|programmers?|designers?|co-?founders?|remote|onsite|full[\s-]?time|salary|equity|visa|careers?|jobs?|interns?|resumes?)\b",
    )
});
static META: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)^(?:meta\b|\[meta\]|please\b|can\s+we\b|why\s|is\s+there\b|does\s+anyone\b)")
});

/// Whether an object's keys look like a Hacker News post.
pub fn looks_like(object: &Map<String, Value>) -> bool {
    object.contains_key("full_html")
        || (object.contains_key("text")
            && (object.contains_key("by") || object.contains_key("parent")))
}

/// Maps a Hacker News post to a draft, or says why it is not a job ad.
pub fn to_draft(
    object: &Map<String, Value>,
    source: &str,
) -> Result<JobPostingDraft, RecordErrorKind> {
    let html = text_at(object, &["full_html"])
        .or_else(|| text_at(object, &["text"]))
        .unwrap_or_default();
    let description = job_description_text(&html);
    let header: String = description
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    reject_non_ads(&description, &header)?;

    let segments = header_segments(&header);
    let recorded_location = text_at(object, &["location"]).filter(|l| plausible_location(l));
    let (company, header_title) = company_and_title(&segments, recorded_location.as_deref());
    let title = header_title
        .or_else(|| title_from_header_clauses(&segments, recorded_location.as_deref()))
        .or_else(|| title_from_body(&description))
        .or_else(|| role_phrase(&description))
        .ok_or(RecordErrorKind::MissingTitle)?;

    let (latitude, longitude) = match recorded_location {
        Some(_) => coordinates(
            object.get("lat").and_then(number),
            object.get("lon").and_then(number),
        )
        .unzip(),
        None => (None, None),
    };
    let mut remote_mode = remote_mode_from_text(&header);
    if remote_mode == RemoteMode::Unknown && object.get("remote").is_some_and(flag) {
        remote_mode = RemoteMode::Remote;
    }
    let mut employment_type = employment_type_from_text(&header);
    let intern = object.get("intern").is_some_and(flag);
    if employment_type == EmploymentType::Unknown && intern && ROLE_INTERN.is_match(&title) {
        employment_type = EmploymentType::Internship;
    }
    let seniority = seniority_from_title(&title)
        .or((employment_type == EmploymentType::Internship).then_some(Seniority::Intern));
    let salary = segments
        .iter()
        .filter(|s| SALARY_HINT.is_match(s))
        .find_map(|s| parse_salary_text(s, None, None));
    let posted_at = text_at(object, &["month"])
        .and_then(|m| parse_datetime(&m))
        .or_else(|| {
            object
                .get("time")
                .and_then(Value::as_i64)
                .and_then(from_unix)
        });
    Ok(JobPostingDraft {
        source: source.to_owned(),
        external_id: external_id(object),
        title,
        company,
        location: recorded_location,
        country: text_at(object, &["country"]),
        latitude,
        longitude,
        remote_mode,
        employment_type,
        seniority,
        salary,
        description,
        skills: Vec::new(),
        posted_at,
        valid_through: None,
    })
}

static ROLE_INTERN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bintern(?:ship)?s?\b"));

fn reject_non_ads(description: &str, header: &str) -> Result<(), RecordErrorKind> {
    if description.chars().count() < MIN_AD_CHARS {
        return Err(RecordErrorKind::NotAJobPosting(
            "the post is too short".to_owned(),
        ));
    }
    if META.is_match(header) && !header.contains('|') {
        return Err(RecordErrorKind::NotAJobPosting(
            "the post is a comment about the thread".to_owned(),
        ));
    }
    if !HIRING_SIGNAL.is_match(description) {
        return Err(RecordErrorKind::NotAJobPosting(
            "the post names no role and no hiring terms".to_owned(),
        ));
    }
    Ok(())
}

/// The header split on `|`, else on spaced dashes; URLs removed, empties dropped. Commas are
/// not separators: they sit inside locations (`Austin, TX`).
fn header_segments(header: &str) -> Vec<String> {
    let without_urls = URL_TOKEN.replace_all(header, " ");
    let mut raw: Vec<&str> = vec![without_urls.as_ref()];
    let separators: &[&str] = if without_urls.contains('|') {
        &["|"]
    } else {
        &[" - ", " – ", " — ", " -- "]
    };
    for separator in separators {
        raw = raw
            .into_iter()
            .flat_map(|part| part.split(separator))
            .collect();
    }
    raw.into_iter()
        .map(|s| {
            s.trim()
                .trim_matches(['-', '–', '—', ',', ';', ':', '*', ' '])
                .trim()
                .to_owned()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// A location field that is not a role or a flag caught by the dataset's location guesser.
fn plausible_location(location: &str) -> bool {
    !ROLE.is_match(location)
        && !FLAG.is_match(location)
        && !location.to_lowercase().contains("full-time")
}

fn is_location(segment: &str, location: Option<&str>) -> bool {
    let lower = segment.to_lowercase();
    location.is_some_and(|l| {
        let l = l.trim_end_matches(',').to_lowercase();
        !l.is_empty() && (lower.contains(&l) || l.contains(&lower))
    })
}

/// Company and title from the header segments.
fn company_and_title(
    segments: &[String],
    location: Option<&str>,
) -> (Option<String>, Option<String>) {
    let mut company: Option<String> = None;
    let mut title: Option<String> = None;
    if let Some(first) = segments.first() {
        if let Some(caps) = IS_HIRING.captures(first) {
            company = caps.name("company").map(|c| c.as_str().to_owned());
            title = caps
                .name("role")
                .map(|r| ROLE_END.replace(r.as_str(), "").trim().to_owned())
                .filter(|r| ROLE.is_match(r));
        } else if let Some(caps) = COMPANY_LABEL.captures(first) {
            company = caps.name("company").map(|c| c.as_str().to_owned());
        } else if let Some(caps) = AT_COMPANY.captures(first)
            && ROLE.is_match(caps.name("role").map_or("", |r| r.as_str()))
        {
            title = caps.name("role").map(|r| r.as_str().to_owned());
            company = caps.name("company").map(|c| c.as_str().to_owned());
        }
    }
    for segment in segments {
        let informative = !FLAG.is_match(segment)
            && !SALARY_HINT.is_match(segment)
            && !is_location(segment, location)
            && segment.chars().count() <= MAX_NAME_CHARS;
        if !informative {
            continue;
        }
        if ROLE.is_match(segment) {
            if title.is_none() && company.as_deref() != Some(segment.as_str()) {
                title = Some(segment.clone());
            }
        } else if company.is_none() {
            company = Some(segment.clone());
        }
    }
    (
        company.map(|c| clean_name(&c)).filter(|c| !c.is_empty()),
        title.map(|t| clean_name(&t)).filter(|t| !t.is_empty()),
    )
}

fn clean_name(name: &str) -> String {
    URL_TOKEN
        .replace_all(name, " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(['-', '–', '—', ',', ';', ':', '*', ' ', '|'])
        .to_owned()
}

/// A role named inside a header segment's clauses ("Stockholm, Fulltime, PHP developers").
fn title_from_header_clauses(segments: &[String], location: Option<&str>) -> Option<String> {
    segments
        .iter()
        .flat_map(|segment| segment.split([',', ':', '.', ';', '(', ')']))
        .map(clean_name)
        .find(|clause| {
            !clause.is_empty()
                && clause.chars().count() <= MAX_NAME_CHARS
                && ROLE.is_match(clause)
                && !FLAG.is_match(clause)
                && !is_location(clause, location)
        })
}

/// The role in a phrase such as "we're looking for a senior Go developer" near the top.
fn role_phrase(description: &str) -> Option<String> {
    let head_end = description
        .char_indices()
        .nth(ROLE_PHRASE_SEARCH_CHARS)
        .map_or(description.len(), |(i, _)| i);
    ROLE_PHRASE
        .captures(&description[..head_end])
        .and_then(|caps| caps.name("role"))
        .map(|role| clean_name(role.as_str()))
}

/// A short role-like line near the top of the body ("-- Senior Python Developer --").
fn title_from_body(description: &str) -> Option<String> {
    description
        .lines()
        .skip(1)
        .take(TITLE_SEARCH_LINES)
        .filter_map(|line| line.split([':', '.', '(']).next())
        .flat_map(|clause| clause.split(" -- ").next())
        .map(clean_name)
        .find(|line| {
            !line.is_empty()
                && line.chars().count() <= MAX_TITLE_LINE_CHARS
                && line.split_whitespace().count() <= MAX_TITLE_LINE_WORDS
                && ROLE.is_match(line)
        })
}

/// The item id from `url` (`item?id=123`) or `id`.
fn external_id(object: &Map<String, Value>) -> Option<String> {
    text_at(object, &["url"])
        .and_then(|url| url.split_once("id=").map(|(_, id)| id.to_owned()))
        .or_else(|| object.get("id").and_then(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use intellicv_core::Salary;
    use intellicv_core::SalaryPeriod;
    use serde_json::json;

    fn post(html: &str, location: &str, remote: bool) -> Map<String, Value> {
        json!({
            "full_html": html, "location": location, "country": "US",
            "lat": 40.7, "lon": -74.0, "remote": remote, "intern": false, "h1b": false,
            "url": "https://news.ycombinator.com/item?id=4242", "month": "2017-03"
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    #[test]
    fn a_pipe_header_gives_company_title_flags_and_salary() {
        let html = "Lumen Labs | Senior Backend Engineer | New York, NY | ONSITE | Full-time | $120k-$150k + equity<p>We build tools for bakers. Apply by email.</p>";
        let draft = to_draft(&post(html, "New York, NY", false), "hn");
        let draft = draft.as_ref();
        assert_eq!(draft.map(|d| d.company.as_deref()), Ok(Some("Lumen Labs")));
        assert_eq!(
            draft.map(|d| d.title.as_str()),
            Ok("Senior Backend Engineer")
        );
        assert_eq!(
            draft.map(|d| d.location.as_deref()),
            Ok(Some("New York, NY"))
        );
        assert_eq!(draft.map(|d| d.remote_mode), Ok(RemoteMode::Onsite));
        assert_eq!(
            draft.map(|d| d.employment_type),
            Ok(EmploymentType::FullTime)
        );
        assert_eq!(draft.map(|d| d.seniority), Ok(Some(Seniority::Senior)));
        assert_eq!(
            draft.map(|d| d.salary.clone()),
            Ok(Some(Salary {
                min: Some(120000.0),
                max: Some(150000.0),
                currency: Some("USD".to_owned()),
                period: Some(SalaryPeriod::Year),
            }))
        );
        assert_eq!(draft.map(|d| d.latitude), Ok(Some(40.7)));
        assert_eq!(draft.map(|d| d.external_id.as_deref()), Ok(Some("4242")));
        assert_eq!(
            draft.map(|d| d.posted_at),
            Ok(Utc.with_ymd_and_hms(2017, 3, 1, 0, 0, 0).single())
        );
    }

    #[test]
    fn a_dash_header_with_the_role_second_is_split() {
        let html = "Quillware - Data Engineer - Austin, TX - REMOTE<p>Our team of eight needs help with pipelines.</p>";
        let draft = to_draft(&post(html, "Austin, TX", true), "hn");
        assert_eq!(
            draft
                .as_ref()
                .map(|d| (d.company.as_deref(), d.title.as_str(), d.remote_mode)),
            Ok((Some("Quillware"), "Data Engineer", RemoteMode::Remote))
        );
    }

    #[test]
    fn an_is_hiring_sentence_names_company_and_role() {
        let html = "Pebblebyte (<a href=\"https://pebble.example\">https://pebble.example</a>) is hiring a Site Reliability Engineer in Denver<p>Details follow about the team and the work.</p>";
        let draft = to_draft(&post(html, "Denver", false), "hn");
        assert_eq!(
            draft
                .as_ref()
                .map(|d| (d.company.as_deref(), d.title.as_str())),
            Ok((Some("Pebblebyte"), "Site Reliability Engineer"))
        );
    }

    #[test]
    fn a_role_at_company_header_is_split() {
        let html = "Frontend Developer @ Tallyhouse<p>We are a small remote-first team hiring for our web app.</p>";
        let draft = to_draft(&post(html, "", true), "hn");
        assert_eq!(
            draft
                .as_ref()
                .map(|d| (d.company.as_deref(), d.title.as_str())),
            Ok((Some("Tallyhouse"), "Frontend Developer"))
        );
    }

    #[test]
    fn a_title_missing_from_the_header_is_taken_from_the_body() {
        let html = "Glimmer Co - Portland, OR<p>-- Senior Python Developer --</p><p>We make weather maps for shipping firms.</p>";
        let draft = to_draft(&post(html, "Portland, OR", false), "hn");
        assert_eq!(
            draft
                .as_ref()
                .map(|d| (d.company.as_deref(), d.title.as_str())),
            Ok((Some("Glimmer Co"), "Senior Python Developer"))
        );
    }

    #[test]
    fn a_location_that_is_really_a_role_is_dropped_with_its_coordinates() {
        let html = "Etchwork | Senior Software Engineer, Big Data | Brooklyn<p>We index every print shop in the city.</p>";
        let draft = to_draft(&post(html, "Software Engineer, Big", false), "hn");
        assert_eq!(
            draft.as_ref().map(|d| (d.location.clone(), d.latitude)),
            Ok((None, None))
        );
    }

    #[test]
    fn a_role_in_a_comma_clause_of_the_header_is_the_title() {
        let html = "Oslo, Fulltime, Elixir developers wanted<p>Small studio, big clients, good coffee.</p>";
        let draft = to_draft(&post(html, "Oslo", false), "hn");
        assert_eq!(
            draft.as_ref().map(|d| d.title.as_str()),
            Ok("Elixir developers wanted")
        );
    }

    #[test]
    fn a_hiring_phrase_in_the_body_gives_the_title_when_the_header_has_none() {
        let html = "Dunmore Analytics - Leeds, UK<p>We sell forecasts to farmers.</p><p>We are looking for a senior Go developer to own our ingestion.</p>";
        let draft = to_draft(&post(html, "Leeds, UK", false), "hn");
        assert_eq!(
            draft
                .as_ref()
                .map(|d| (d.company.as_deref(), d.title.as_str())),
            Ok((Some("Dunmore Analytics"), "senior Go developer"))
        );
    }

    #[test]
    fn a_post_naming_no_role_anywhere_is_missing_a_title() {
        let html =
            "Corvid Press - Bristol<p>We publish maps and guides, and we are hiring this year.</p>";
        assert_eq!(
            to_draft(&post(html, "Bristol", false), "hn"),
            Err(RecordErrorKind::MissingTitle)
        );
    }

    #[test]
    fn a_meta_comment_is_not_a_job_posting() {
        let html =
            "META<p>Could everyone please put the location in the first line of the post?</p>";
        assert!(matches!(
            to_draft(&post(html, "", false), "hn"),
            Err(RecordErrorKind::NotAJobPosting(_))
        ));
    }

    #[test]
    fn a_post_without_any_role_or_hiring_terms_is_not_a_job_posting() {
        let html =
            "Thanks for organising this thread every month, it is really useful for everyone here.";
        assert!(matches!(
            to_draft(&post(html, "", false), "hn"),
            Err(RecordErrorKind::NotAJobPosting(_))
        ));
    }
}
