//! Experience entries: each one anchored on a date range, with the title, company and
//! location found on the same line, the line before or the line after, depending on how
//! the resume lays entries out.

use std::sync::LazyLock;

use regex::Regex;

use super::contact::clean_title;
use super::dates::{DateRange, find_range, month_index};
use super::lines::{Line, is_prose, lines_in, word_count};
use super::titles::looks_like_job_title;
use intellicv_core::{Experience, SourceSpan, YearMonth};

/// Placeholder the anonymised corpus uses for employers; treated as a company name.
const COMPANY_PLACEHOLDER: &str = "Company Name";

static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:City\s?,\s?State|[A-Z][A-Za-z.'-]+(?:\s[A-Z][A-Za-z.'-]+)?\s?,\s?(?:[A-Z]{2}\b|[A-Z][a-z]+))")
        .expect("location regex")
});
static COMPANY_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:inc|llc|ltd|limited|corp|corporation|company|co|group|plc|gmbh|university|college|hospital|bank|agency|associates|partners|solutions|technologies|systems|services|school|council|trust|foundation)\b\.?")
        .expect("company regex")
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// "Staff Accountant" / "January 2016 to Current Company Name, City"
    TitleBefore,
    /// "SENIOR ACCOUNT MANAGER , 03/2015 to 11/2020"
    SameLine,
    /// "09/2013 to Current" / "Media Specialist Company Name, City"
    TitleAfter,
}

struct Anchor<'a> {
    line: usize,
    range: DateRange,
    before: &'a str,
    after: &'a str,
}

fn trim_separators(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '|' | '-' | '–' | '—' | ':' | '(' | ')' | '•')
    })
}

/// Normalises the separators pdf text leaves between title, company and location,
/// including the mojibake of full-width and dash characters.
fn normalise_separators(s: &str) -> String {
    s.replace("ï¼\u{200b}", " | ")
        .replace("ï¼", " | ")
        .replace("â€“", " | ")
        .replace("â€”", " | ")
        .replace(" – ", " | ")
        .replace(" — ", " | ")
        .replace(" - ", " | ")
        .replace('\t', " | ")
}

#[derive(Debug, Default, PartialEq)]
struct HeaderParts {
    title: Option<String>,
    company: Option<String>,
    location: Option<String>,
    /// Text that followed the header on the same line: the start of the description.
    rest: Option<String>,
}

fn is_location(s: &str) -> bool {
    LOCATION
        .find(s)
        .is_some_and(|m| m.end() + 2 >= s.trim_end().len())
}

/// Splits a header text into title, company and location.
fn split_header(raw: &str) -> HeaderParts {
    let normalised = normalise_separators(raw);
    let mut parts = HeaderParts::default();
    let mut text = normalised.as_str();
    if let Some(at) = text.find(COMPANY_PLACEHOLDER) {
        let title = trim_separators(&text[..at]);
        if !title.is_empty() {
            parts.title = Some(clean_title(title));
        }
        parts.company = Some(COMPANY_PLACEHOLDER.to_owned());
        text = &text[at + COMPANY_PLACEHOLDER.len()..];
        let mut rest_parts: Vec<String> = Vec::new();
        for segment in text
            .split(" | ")
            .map(trim_separators)
            .filter(|s| !s.is_empty())
        {
            let mut segment = segment;
            if parts.location.is_none()
                && let Some(m) = LOCATION.find(segment)
            {
                parts.location = Some(m.as_str().trim().to_owned());
                segment = trim_separators(&segment[m.end()..]);
                if segment.is_empty() {
                    continue;
                }
            }
            if parts.title.is_none()
                && word_count(segment) <= 10
                && (looks_like_job_title(segment) || word_count(segment) <= 5)
            {
                parts.title = Some(clean_title(segment));
            } else {
                rest_parts.push(segment.to_owned());
            }
        }
        if !rest_parts.is_empty() {
            parts.rest = Some(rest_parts.join(" "));
        }
        return parts;
    }
    let mut segments: Vec<&str> = text
        .split(" | ")
        .map(trim_separators)
        .filter(|s| !s.is_empty())
        .collect();
    if segments.len() == 1 {
        segments = segments[0].split(" at ").map(trim_separators).collect();
    }
    if segments.len() == 1 && segments[0].contains(", ") {
        // "Title, Company, City[, Region]": positional.
        let pieces = split_commas(segments[0]);
        if pieces.len() >= 3 {
            parts.title = Some(clean_title(pieces[0]));
            parts.company = Some(pieces[1].to_owned());
            parts.location = Some(pieces[2..].join(", "));
            return parts;
        }
        segments = pieces;
    }
    for seg in segments {
        if parts.location.is_none() && is_location(seg) {
            parts.location = Some(seg.to_owned());
        } else if parts.company.is_none()
            && COMPANY_SUFFIX.is_match(seg)
            && !looks_like_job_title(seg)
        {
            parts.company = Some(seg.to_owned());
        } else if parts.title.is_none() && (looks_like_job_title(seg) || parts.company.is_some()) {
            parts.title = Some(clean_title(seg));
        } else if parts.company.is_none() && parts.title.is_some() {
            parts.company = Some(seg.to_owned());
        } else if parts.title.is_none() {
            parts.title = Some(clean_title(seg));
        } else if parts.location.is_none() && word_count(seg) <= 4 {
            parts.location = Some(seg.to_owned());
        }
    }
    parts
}

/// Splits "Engineer, Acme Ltd, London, UK" into segments, keeping "London, UK" together
/// when the last piece is a region (a two-letter code or a country).
fn split_commas(s: &str) -> Vec<&str> {
    let pieces: Vec<&str> = s.split(", ").map(str::trim).collect();
    let n = pieces.len();
    if n >= 4 && is_region(pieces[n - 1]) {
        let loc_start = s.len() - (pieces[n - 2].len() + 2 + pieces[n - 1].len());
        let mut out: Vec<&str> = pieces[..n - 2].to_vec();
        out.push(&s[loc_start..]);
        return out;
    }
    pieces
}

/// A US state or country code, or a country name.
fn is_region(s: &str) -> bool {
    const COUNTRIES: &[&str] = &[
        "UK",
        "United Kingdom",
        "England",
        "Scotland",
        "Wales",
        "Ireland",
        "USA",
        "United States",
        "Canada",
        "Germany",
        "France",
        "Netherlands",
        "Spain",
        "Italy",
        "Portugal",
        "Poland",
        "Sweden",
        "Norway",
        "Denmark",
        "Finland",
        "Switzerland",
        "Austria",
        "Belgium",
        "India",
        "Australia",
        "New Zealand",
        "Singapore",
        "Japan",
        "China",
        "Brazil",
        "Mexico",
    ];
    (s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase())) || COUNTRIES.contains(&s)
}

/// "City , State", "Company Name – City , State", "Acme Ltd, London, UK".
fn is_employer_line(line: &Line<'_>) -> bool {
    let text = normalise_separators(line.text);
    let text = text.trim();
    word_count(text) <= 10
        && !is_prose(text)
        && (is_location(text)
            || text.starts_with(COMPANY_PLACEHOLDER)
            || (COMPANY_SUFFIX.is_match(text) && !looks_like_job_title(text)))
}

fn header_like(line: &Line<'_>) -> bool {
    if find_range(line.text).is_some() {
        return false;
    }
    match line.text.find(COMPANY_PLACEHOLDER) {
        Some(at) => word_count(&line.text[..at]) <= 12,
        None => !is_prose(line.text) && word_count(line.text) <= 12,
    }
}

/// The experience entries in `text[body]` (an experience section's body).
pub fn extract_experience(text: &str, body: std::ops::Range<usize>) -> Vec<Experience> {
    let lines = lines_in(text, body);
    let anchors: Vec<Anchor<'_>> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let range = find_range(l.text)?;
            Some(Anchor {
                line: i,
                range,
                before: trim_separators(&l.text[..range.start]),
                after: trim_separators(&l.text[range.end..]),
            })
        })
        .collect();
    let Some(first) = anchors.first() else {
        return Vec::new();
    };
    let layout = if !first.before.is_empty() {
        Layout::SameLine
    } else if first.line > 0 && header_like(&lines[first.line - 1]) {
        Layout::TitleBefore
    } else {
        Layout::TitleAfter
    };

    // For each anchor: the lines that form its header (inclusive range of line indexes).
    let mut headers: Vec<(usize, usize)> = Vec::with_capacity(anchors.len());
    for (k, anchor) in anchors.iter().enumerate() {
        let floor = if k == 0 { 0 } else { headers[k - 1].1 + 1 };
        let mut first_line = anchor.line;
        let mut last_line = anchor.line;
        match layout {
            Layout::TitleBefore
                if anchor.before.is_empty()
                    && anchor.line > floor
                    && header_like(&lines[anchor.line - 1]) =>
            {
                first_line = anchor.line - 1;
            }
            Layout::TitleAfter if anchor.after.is_empty() => {
                let next = anchor.line + 1;
                let next_is_anchor = anchors.get(k + 1).is_some_and(|a| a.line == next);
                if next < lines.len() && !next_is_anchor && header_like(&lines[next]) {
                    last_line = next;
                }
            }
            _ => {}
        }
        // A following line naming only the employer and/or place belongs to the header.
        let next = last_line + 1;
        let next_is_anchor = anchors.get(k + 1).is_some_and(|a| a.line == next);
        if next < lines.len() && !next_is_anchor && is_employer_line(&lines[next]) {
            last_line = next;
        }
        headers.push((first_line, last_line));
    }

    let mut entries = Vec::with_capacity(anchors.len());
    for (k, anchor) in anchors.iter().enumerate() {
        let (h_first, h_last) = headers[k];
        let body_end = headers.get(k + 1).map(|h| h.0).unwrap_or(lines.len());
        let mut header_text = String::new();
        for (i, line) in lines.iter().enumerate().take(h_last + 1).skip(h_first) {
            let piece = if i == anchor.line {
                format!("{} | {}", anchor.before, anchor.after)
            } else {
                line.text.to_owned()
            };
            if !header_text.is_empty() {
                header_text.push_str(" | ");
            }
            header_text.push_str(&piece);
        }
        let parts = split_header(&header_text);
        let mut bullets: Vec<String> = Vec::new();
        if let Some(rest) = parts.rest.filter(|r| word_count(r) > 2) {
            bullets.push(rest);
        }
        for line in &lines[(h_last + 1).min(body_end)..body_end] {
            push_bullet(&mut bullets, line.text);
        }
        let start = lines[h_first].start;
        let end = lines[body_end.max(h_last + 1) - 1].end;
        entries.push(Experience {
            title: parts.title.filter(|t| !t.is_empty()),
            company: parts.company,
            location: parts.location,
            start: anchor.range.start_date,
            end: anchor.range.end_date,
            is_current: anchor.range.is_current,
            bullets,
            source: SourceSpan::new(Some("experience"), start, end),
        });
    }
    entries
}

/// Adds a line as a bullet, joining a wrapped continuation onto the previous bullet.
fn push_bullet(bullets: &mut Vec<String>, line: &str) {
    let stripped = line
        .trim_start_matches(['•', '*', '-', '·', '▪', '◦', '●'])
        .trim();
    if stripped.is_empty() {
        return;
    }
    let continues = !line.starts_with(['•', '*', '-', '·', '▪', '◦', '●'])
        && stripped.chars().next().is_some_and(char::is_lowercase);
    match bullets.last_mut() {
        Some(last) if continues => {
            last.push(' ');
            last.push_str(stripped);
        }
        _ => bullets.push(stripped.to_owned()),
    }
}

/// Total years of experience from the entries' date ranges, overlapping ranges merged.
/// Ongoing roles run to `today`.
pub fn total_years(entries: &[Experience], today: YearMonth) -> Option<f32> {
    let mut spans: Vec<(i32, i32)> = entries
        .iter()
        .filter_map(|e| {
            let start = month_index(e.start?, false);
            let end = match (e.end, e.is_current) {
                (_, true) => month_index(today, true).min(month_index(today, false)),
                (Some(end), false) => month_index(end, true),
                (None, false) => return None,
            };
            (end >= start && end <= month_index(today, true)).then_some((start, end + 1))
        })
        .collect();
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let mut months = 0;
    let (mut cur_start, mut cur_end) = spans[0];
    for &(s, e) in &spans[1..] {
        if s <= cur_end {
            cur_end = cur_end.max(e);
        } else {
            months += cur_end - cur_start;
            (cur_start, cur_end) = (s, e);
        }
    }
    months += cur_end - cur_start;
    Some((months as f32 / 12.0 * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(year: i32, month: u8) -> Option<YearMonth> {
        Some(YearMonth {
            year,
            month: Some(month),
        })
    }

    fn parse(text: &str) -> Vec<Experience> {
        extract_experience(text, 0..text.len())
    }

    #[test]
    fn title_after_the_dates_layout() {
        let text = "09/2013 to Current\nMedia Specialist Company Name ï¼\u{200b} City , State\nOrganise campus events.\nCreate videos for\ndepartments.\n03/1996 to 08/2013\nMarketing Coordinator\nPlanned budgets.\n";
        let e = parse(text);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].title.as_deref(), Some("Media Specialist"));
        assert_eq!(e[0].company.as_deref(), Some("Company Name"));
        assert_eq!(e[0].location.as_deref(), Some("City , State"));
        assert_eq!(
            (e[0].start, e[0].end, e[0].is_current),
            (ym(2013, 9), None, true)
        );
        assert_eq!(
            e[0].bullets,
            ["Organise campus events.", "Create videos for departments."]
        );
        assert_eq!(e[1].title.as_deref(), Some("Marketing Coordinator"));
        assert_eq!(e[1].end, ym(2013, 8));
        assert_eq!(e[1].bullets, ["Planned budgets."]);
    }

    #[test]
    fn title_before_the_dates_layout() {
        let text = "Staff Accountant\nJanuary 2016 to Current Company Name ï¼\u{200b} City , State\nManaged collections.\nTax Analyst\nJanuary 2012 to January 2015 Company Name ï¼\u{200b} City , State\nPrepared returns.\n";
        let e = parse(text);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].title.as_deref(), Some("Staff Accountant"));
        assert_eq!(e[0].bullets, ["Managed collections."]);
        assert_eq!(e[1].title.as_deref(), Some("Tax Analyst"));
        assert_eq!((e[1].start, e[1].end), (ym(2012, 1), ym(2015, 1)));
        assert_eq!(e[1].company.as_deref(), Some("Company Name"));
    }

    #[test]
    fn title_and_dates_on_one_line_layout() {
        let text = "SENIOR ACCOUNT MANAGER , 03/2015 to 11/2020\nCity , State\nManaged accounts.\nPR COORDINATOR , 09/2012 to 03/2015\nCompany Name â€“ City , State\nRan events.\n";
        let e = parse(text);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].title.as_deref(), Some("Senior Account Manager"));
        assert_eq!(e[0].location.as_deref(), Some("City , State"));
        assert_eq!(e[0].bullets, ["Managed accounts."]);
        assert_eq!(e[1].title.as_deref(), Some("PR Coordinator"));
        assert_eq!(e[1].company.as_deref(), Some("Company Name"));
        assert_eq!(e[1].location.as_deref(), Some("City , State"));
        assert_eq!(e[1].bullets, ["Ran events."]);
    }

    #[test]
    fn plain_comma_separated_headers() {
        let text = "Senior Rust Engineer, Acme Ltd, London, UK\nAug 2019 - Present\n- Built a search engine.\n";
        let e = parse(text);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].title.as_deref(), Some("Senior Rust Engineer"));
        assert_eq!(e[0].company.as_deref(), Some("Acme Ltd"));
        assert_eq!(e[0].location.as_deref(), Some("London, UK"));
        assert_eq!(e[0].bullets, ["Built a search engine."]);
    }

    #[test]
    fn overlapping_ranges_are_merged_into_total_years() {
        let entry = |s: (i32, u8), e: Option<(i32, u8)>| Experience {
            title: None,
            company: None,
            location: None,
            start: ym(s.0, s.1),
            end: e.and_then(|(y, m)| ym(y, m)),
            is_current: e.is_none(),
            bullets: vec![],
            source: SourceSpan::new(None, 0, 0),
        };
        let today = YearMonth {
            year: 2024,
            month: Some(12),
        };
        let entries = [
            entry((2010, 1), Some((2014, 12))), // 5 years
            entry((2012, 1), Some((2013, 12))), // inside the first
            entry((2020, 1), None),             // 5 years to today
        ];
        assert_eq!(total_years(&entries, today), Some(10.0));
    }
}
