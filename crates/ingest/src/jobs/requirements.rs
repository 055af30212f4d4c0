//! Splits a cleaned job description into required and preferred parts, so skills found in each
//! part get the right [`Requirement`].
//!
//! Headings ("Requirements", "Must have", "Essential" versus "Nice to have", "Desirable",
//! "Bonus points") open a part that runs until the next heading of any kind (a short line
//! ending with `:` or a known section name such as "Benefits"). A single line that calls
//! something "a plus" or "nice to have" is preferred on its own. Text outside any part is not
//! returned: the caller decides its default.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use intellicv_core::Requirement;

/// A byte range of the description and whether skills in it are required or preferred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementSpan {
    pub range: Range<usize>,
    pub requirement: Requirement,
}

/// Longest line (in characters) still read as a heading.
const MAX_HEADING_CHARS: usize = 60;

static REQUIRED_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            (?:key\s|minimum\s|basic\s|essential\s|job\s|technical\s|core\s)?(?:requirements?|qualifications?|skills(?:\s(?:required|needed))?|experience(?:\srequired)?)
            |must[\s-]haves?|must\shave|essentials?|essential\s(?:criteria|skills|requirements|qualifications|experience)
            |what\syou(?:'|’)?ll\sneed|what\syou\sneed|what\swe(?:'|’)?re\slooking\sfor|what\swe\sare\slooking\sfor
            |you\shave|you\sshould\shave|about\syou|who\syou\sare|required(?:\s(?:skills|experience|qualifications))?
            |person\sspecification|you\swill\sneed|we\sexpect
        )$",
    )
    .expect("the required heading pattern is valid")
});

static PREFERRED_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            nice[\s-]to[\s-]haves?|nice\sto\shave\sskills|desirable(?:\s(?:criteria|skills|requirements|qualifications|experience))?
            |desired(?:\s(?:skills|qualifications|experience))?|bonus(?:\spoints)?(?:\sif\syou\shave)?|preferred(?:\s(?:skills|qualifications|experience))?
            |pluses|plusses|extra\scredit|good\sto\shave|even\sbetter\sif(?:\syou\shave)?|it\swould\sbe\snice\sif(?:\syou\shave)?
            |would\sbe\sa\splus|additional\sskills
        )$",
    )
    .expect("the preferred heading pattern is valid")
});

static OTHER_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            about\sus|about\sthe\s(?:role|company|team|job)|benefits|perks|what\swe\soffer|we\soffer|the\srole
            |responsibilities|key\sresponsibilities|main\sduties|duties|job\ssummary|job\sdescription
            |how\sto\sapply|salary|location|contact|why\sjoin\sus|our\sstack|tech\sstack
        )$",
    )
    .expect("the other heading pattern is valid")
});

static PREFERRED_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bnice[\s-]to[\s-]have\b|\b(?:is|are|would\sbe)\s(?:a\s)?(?:big\s|huge\s)?(?:plus|bonus|advantage)\b|\bdesirable\b|\bpreferred\b|\bbonus\spoints?\b|\bideally\b",
    )
    .expect("the preferred phrase pattern is valid")
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heading {
    Opens(Requirement),
    Other,
}

/// Classifies a line as a heading, with whether it carries content after a colon
/// (`Essential: a degree`).
fn heading(line: &str) -> Option<Heading> {
    let bare = line.trim().trim_start_matches(['-', '*', '#', '•']).trim();
    let (label, has_content) = match bare.split_once(':') {
        Some((label, rest)) => (label.trim(), !rest.trim().is_empty()),
        None => (bare, false),
    };
    let label = label.trim_end_matches(['.', '!', '?', ')', '(']).trim();
    if label.is_empty() || label.chars().count() > MAX_HEADING_CHARS {
        return None;
    }
    if REQUIRED_HEADING.is_match(label) {
        return Some(Heading::Opens(Requirement::Required));
    }
    if PREFERRED_HEADING.is_match(label) {
        return Some(Heading::Opens(Requirement::Preferred));
    }
    let short_line_with_colon = bare.ends_with(':') && !has_content;
    (OTHER_HEADING.is_match(label) || short_line_with_colon).then_some(Heading::Other)
}

/// The required and preferred parts of a cleaned description, in order, not overlapping.
pub fn split_requirements(text: &str) -> Vec<RequirementSpan> {
    let mut spans: Vec<RequirementSpan> = Vec::new();
    let mut current: Option<(Requirement, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        match heading(line) {
            Some(found) => {
                close(&mut spans, current.take(), start);
                if let Heading::Opens(requirement) = found {
                    current = Some((requirement, start));
                }
            }
            None if current.is_none_or(|(r, _)| r == Requirement::Required)
                && PREFERRED_PHRASE.is_match(line) =>
            {
                let resumed = current.take();
                close(&mut spans, resumed, start);
                push(&mut spans, start..offset, Requirement::Preferred);
                current = resumed.map(|(r, _)| (r, offset));
            }
            None => {}
        }
    }
    close(&mut spans, current, text.len());
    spans
}

fn close(spans: &mut Vec<RequirementSpan>, open: Option<(Requirement, usize)>, end: usize) {
    if let Some((requirement, start)) = open {
        push(spans, start..end, requirement);
    }
}

/// Appends a span, merging it with the previous one when they touch and agree.
fn push(spans: &mut Vec<RequirementSpan>, range: Range<usize>, requirement: Requirement) {
    if range.is_empty() {
        return;
    }
    if let Some(last) = spans.last_mut()
        && last.requirement == requirement
        && last.range.end == range.start
    {
        last.range.end = range.end;
        return;
    }
    spans.push(RequirementSpan { range, requirement });
}

/// The requirement of the part holding byte `offset`, if any.
pub fn requirement_at(spans: &[RequirementSpan], offset: usize) -> Option<Requirement> {
    spans
        .iter()
        .find(|span| span.range.contains(&offset))
        .map(|span| span.requirement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(text: &'a str, spans: &[RequirementSpan]) -> Vec<(Requirement, &'a str)> {
        spans
            .iter()
            .map(|s| (s.requirement, text[s.range.clone()].trim_end()))
            .collect()
    }

    #[test]
    fn requirements_and_nice_to_have_headings_split_the_text() {
        let text = "We build maps.\n\nRequirements:\n- Rust\n- SQL\n\nNice to have:\n- Kafka\n\nBenefits:\n- Pension\n";
        let spans = split_requirements(text);
        assert_eq!(
            parts(text, &spans),
            vec![
                (Requirement::Required, "Requirements:\n- Rust\n- SQL"),
                (Requirement::Preferred, "Nice to have:\n- Kafka"),
            ]
        );
    }

    #[test]
    fn nhs_essential_and_desirable_person_specification_parts_are_found() {
        let text = "Person Specification\nQualifications\nEssential\nRegistered nurse\nDesirable\nMentorship course\n";
        let spans = split_requirements(text);
        assert_eq!(
            parts(text, &spans),
            vec![
                (
                    Requirement::Required,
                    "Person Specification\nQualifications\nEssential\nRegistered nurse"
                ),
                (Requirement::Preferred, "Desirable\nMentorship course"),
            ]
        );
    }

    #[test]
    fn an_inline_label_opens_a_part_on_its_own_line() {
        let text = "Essential: degree in nursing\nDesirable: phlebotomy skills\n";
        let spans = split_requirements(text);
        assert_eq!(
            parts(text, &spans),
            vec![
                (Requirement::Required, "Essential: degree in nursing"),
                (Requirement::Preferred, "Desirable: phlebotomy skills"),
            ]
        );
    }

    #[test]
    fn a_plus_line_inside_requirements_is_preferred_alone() {
        let text = "Must have:\n- Python\n- Go is a plus\n- Docker\n";
        let spans = split_requirements(text);
        assert_eq!(
            parts(text, &spans),
            vec![
                (Requirement::Required, "Must have:\n- Python"),
                (Requirement::Preferred, "- Go is a plus"),
                (Requirement::Required, "- Docker"),
            ]
        );
    }

    #[test]
    fn text_without_headings_has_no_parts() {
        assert_eq!(
            split_requirements("We are a friendly team.\nApply today."),
            vec![]
        );
    }

    #[test]
    fn requirement_at_looks_up_the_part_holding_an_offset() {
        let text = "Intro\nRequirements\nRust\nBonus points\nElixir\n";
        let spans = split_requirements(text);
        let rust = text.find("Rust").unwrap_or_default();
        let elixir = text.find("Elixir").unwrap_or_default();
        assert_eq!(requirement_at(&spans, rust), Some(Requirement::Required));
        assert_eq!(requirement_at(&spans, elixir), Some(Requirement::Preferred));
        assert_eq!(requirement_at(&spans, 0), None);
    }
}
