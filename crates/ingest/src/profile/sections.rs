//! Splits resume text into sections by recognising heading lines ("Work History",
//! "EDUCATION:", "Skills" alone or at the start of a line).

use super::lines::{Line, lines_in};
use intellicv_core::{Section, SectionKind};

/// Heading phrases (lowercase, `&` written as `and`) and the section each one opens.
const HEADINGS: &[(&str, SectionKind)] = &[
    ("summary", SectionKind::Summary),
    ("professional summary", SectionKind::Summary),
    ("executive summary", SectionKind::Summary),
    ("career summary", SectionKind::Summary),
    ("summary of qualifications", SectionKind::Summary),
    ("qualifications summary", SectionKind::Summary),
    ("profile", SectionKind::Summary),
    ("professional profile", SectionKind::Summary),
    ("personal profile", SectionKind::Summary),
    ("career profile", SectionKind::Summary),
    ("objective", SectionKind::Summary),
    ("career objective", SectionKind::Summary),
    ("professional objective", SectionKind::Summary),
    ("about me", SectionKind::Summary),
    ("career overview", SectionKind::Summary),
    ("overview", SectionKind::Summary),
    ("experience", SectionKind::Experience),
    ("work experience", SectionKind::Experience),
    ("professional experience", SectionKind::Experience),
    ("relevant experience", SectionKind::Experience),
    ("employment", SectionKind::Experience),
    ("employment history", SectionKind::Experience),
    ("work history", SectionKind::Experience),
    ("career history", SectionKind::Experience),
    ("professional background", SectionKind::Experience),
    ("experience details", SectionKind::Experience),
    ("employment experience", SectionKind::Experience),
    ("teaching experience", SectionKind::Experience),
    ("education", SectionKind::Education),
    ("education and training", SectionKind::Education),
    ("educational background", SectionKind::Education),
    ("academic background", SectionKind::Education),
    ("academic qualifications", SectionKind::Education),
    ("education and qualifications", SectionKind::Education),
    ("education and certifications", SectionKind::Education),
    ("qualifications", SectionKind::Education),
    ("training", SectionKind::Education),
    ("skills", SectionKind::Skills),
    ("technical skills", SectionKind::Skills),
    ("key skills", SectionKind::Skills),
    ("core skills", SectionKind::Skills),
    ("skill highlights", SectionKind::Skills),
    ("skills and abilities", SectionKind::Skills),
    ("skills summary", SectionKind::Skills),
    ("core competencies", SectionKind::Skills),
    ("competencies", SectionKind::Skills),
    ("areas of expertise", SectionKind::Skills),
    ("expertise", SectionKind::Skills),
    ("highlights", SectionKind::Skills),
    ("core qualifications", SectionKind::Skills),
    ("technical proficiencies", SectionKind::Skills),
    ("computer skills", SectionKind::Skills),
    ("tools and technologies", SectionKind::Skills),
    ("technologies", SectionKind::Skills),
    ("certifications", SectionKind::Certifications),
    ("certification", SectionKind::Certifications),
    ("certificates", SectionKind::Certifications),
    ("licenses", SectionKind::Certifications),
    ("licenses and certifications", SectionKind::Certifications),
    ("certifications and licenses", SectionKind::Certifications),
    ("professional certifications", SectionKind::Certifications),
    ("accreditations", SectionKind::Certifications),
    ("languages", SectionKind::Languages),
    ("language skills", SectionKind::Languages),
    ("projects", SectionKind::Projects),
    ("key projects", SectionKind::Projects),
    ("awards", SectionKind::Awards),
    ("honors", SectionKind::Awards),
    ("honors and awards", SectionKind::Awards),
    ("awards and honors", SectionKind::Awards),
    ("accomplishments", SectionKind::Awards),
    ("achievements", SectionKind::Awards),
    ("interests", SectionKind::Interests),
    ("hobbies", SectionKind::Interests),
    ("activities", SectionKind::Interests),
    ("activities and honors", SectionKind::Interests),
    ("references", SectionKind::References),
    ("additional information", SectionKind::Other),
    ("affiliations", SectionKind::Other),
    ("professional affiliations", SectionKind::Other),
    ("volunteer experience", SectionKind::Other),
    ("volunteer work", SectionKind::Other),
    ("publications", SectionKind::Other),
    ("presentations", SectionKind::Other),
];

fn normalise_heading(s: &str) -> String {
    let s = s.trim().trim_end_matches([':', '.', '-', '–']).trim();
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        let word = if word == "&" { "and" } else { word };
        out.push_str(&word.to_lowercase());
    }
    out
}

fn heading_kind(s: &str) -> Option<SectionKind> {
    let normalised = normalise_heading(s);
    HEADINGS
        .iter()
        .find(|(phrase, _)| *phrase == normalised)
        .map(|(_, kind)| *kind)
}

/// Whether the line opens a section: the whole line is a heading, or it starts with a
/// capitalised heading followed by capitalised content ("Skills Cabinetry, Framing").
/// Returns the kind and the byte length of the heading part.
fn match_heading(line: &Line<'_>) -> Option<(SectionKind, usize)> {
    if line.text.len() <= 48
        && let Some(kind) = heading_kind(line.text)
    {
        return Some((kind, line.text.len()));
    }
    // Heading followed by content on the same line: try the first one to four words.
    let words: Vec<(usize, &str)> = line
        .text
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - line.text.as_ptr() as usize, w))
        .take(5)
        .collect();
    for n in (1..words.len().min(5)).rev() {
        let (last_offset, last_word) = words[n - 1];
        let head_len = last_offset + last_word.len();
        let head = &line.text[..head_len];
        let capitalised = head.chars().next().is_some_and(char::is_uppercase);
        let rest_capitalised = words[n].1.chars().next().is_some_and(char::is_uppercase);
        if capitalised
            && rest_capitalised
            && let Some(kind) = heading_kind(head)
        {
            return Some((kind, head_len));
        }
    }
    None
}

/// The sections of `text`, in order. Text before the first heading is the `Header` section.
pub fn split_sections(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut current = Section {
        kind: SectionKind::Header,
        heading: String::new(),
        start: 0,
        end: text.len(),
    };
    for line in lines_in(text, 0..text.len()) {
        let Some((kind, head_len)) = match_heading(&line) else {
            continue;
        };
        current.end = line.start;
        sections.push(current);
        current = Section {
            kind,
            heading: line.text[..head_len]
                .trim_end_matches(':')
                .trim()
                .to_owned(),
            start: line.start,
            end: text.len(),
        };
    }
    current.end = text.len();
    sections.push(current);
    sections.retain(|s| s.kind != SectionKind::Header || s.end > s.start);
    sections
}

/// The byte range of a section's body: after its heading.
pub fn body_range(text: &str, section: &Section) -> std::ops::Range<usize> {
    if section.kind == SectionKind::Header {
        return section.start..section.end;
    }
    let heading_end = text[section.start..section.end]
        .find(section.heading.as_str())
        .map(|i| section.start + i + section.heading.len())
        .unwrap_or(section.start);
    let after_colon = text[heading_end..section.end]
        .strip_prefix(':')
        .map(|_| heading_end + 1)
        .unwrap_or(heading_end);
    after_colon..section.end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_split_the_text_into_sections() {
        let text = "Jane Doe\nRust Engineer\nPROFESSIONAL SUMMARY:\nBuilds things.\nWork History\n2019 - Present\nEngineer\nEducation & Training\nBSc Physics\nSkills Rust, SQL\n";
        let sections = split_sections(text);
        let kinds: Vec<SectionKind> = sections.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::Header,
                SectionKind::Summary,
                SectionKind::Experience,
                SectionKind::Education,
                SectionKind::Skills
            ]
        );
        assert_eq!(sections[2].heading, "Work History");
        let skills = &sections[4];
        assert_eq!(skills.heading, "Skills");
        assert_eq!(&text[body_range(text, skills)], " Rust, SQL\n");
        assert_eq!(&text[body_range(text, &sections[1])], "\nBuilds things.\n");
    }

    #[test]
    fn prose_starting_with_a_heading_word_is_not_a_heading() {
        let text = "Experience utilizing Microsoft Office\nSkills\nExcel\n";
        let sections = split_sections(text);
        assert_eq!(sections[0].kind, SectionKind::Header);
        assert_eq!(sections[1].kind, SectionKind::Skills);
        assert_eq!(sections.len(), 2);
    }
}
