//! Remote mode, employment type and seniority from structured values and free text.

use std::sync::LazyLock;

use regex::Regex;

use intellicv_core::{EmploymentType, RemoteMode, Seniority};

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("classifier patterns are valid")
}

static REMOTE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:remote|telecommut\w*|work(?:ing)? from home|wfh|distributed team|anywhere)\b")
});
static NOT_REMOTE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:no|not|non)[\s-]+remote\b|\bremote:?\s*no\b"));
static ONSITE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\bon[\s-]?site\b|\bin[\s-]office\b|\bon[\s-]premises?\b"));
static HYBRID: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bhybrid\b|\bpartly remote\b"));

/// Remote mode named in a short text (a header line, a location, a flag value).
///
/// Both remote and onsite wording ("ONSITE or REMOTE") count as hybrid; a negated remote
/// ("no remote") counts as onsite.
pub fn remote_mode_from_text(text: &str) -> RemoteMode {
    if HYBRID.is_match(text) {
        return RemoteMode::Hybrid;
    }
    let onsite = ONSITE.is_match(text) || NOT_REMOTE.is_match(text);
    let remote = REMOTE.is_match(&NOT_REMOTE.replace_all(text, ""));
    match (remote, onsite) {
        (true, true) => RemoteMode::Hybrid,
        (true, false) => RemoteMode::Remote,
        (false, true) => RemoteMode::Onsite,
        (false, false) => RemoteMode::Unknown,
    }
}

/// Employment type from a schema.org value (`FULL_TIME`, `CONTRACTOR`) or free text
/// (`Permanent`, `Fixed term`, `Full-time, contract`). The first type named wins, except that
/// an internship or a contract outranks a full-time mention.
pub fn employment_type_from_text(text: &str) -> EmploymentType {
    let lower = text.to_lowercase().replace(['_', '-'], " ");
    let has = |words: &[&str]| words.iter().any(|w| contains_word(&lower, w));
    if has(&["intern", "internship", "interns", "placement student"]) {
        EmploymentType::Internship
    } else if has(&[
        "contractor",
        "contract",
        "fixed term",
        "freelance",
        "freelancer",
        "locum",
    ]) {
        EmploymentType::Contract
    } else if has(&["temporary", "temp", "seasonal", "secondment"]) {
        EmploymentType::Temporary
    } else if has(&["part time", "parttime", "sessional"]) {
        EmploymentType::PartTime
    } else if has(&["full time", "fulltime", "permanent", "ft"]) {
        EmploymentType::FullTime
    } else if has(&["volunteer", "voluntary", "unpaid"]) {
        EmploymentType::Volunteer
    } else if has(&["other", "bank", "per diem"]) {
        EmploymentType::Other
    } else {
        EmploymentType::Unknown
    }
}

/// True when `word` (which may hold spaces) appears in `text` between non-alphanumerics.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

static EXECUTIVE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:head of|director|vp|vice[\s-]president|chief|c[teofi]o|president)\b")
});
static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:lead|leader|principal|staff\s+(?:\w+\s+)?(?:engineer|developer|scientist|architect|designer)|architect)\b",
    )
});
static SENIOR: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:senior|sr\.?|snr|experienced)(?:\s|\b)"));
static MID: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:mid[\s-]?level|intermediate|mid)\b"));
static JUNIOR: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:junior|jr\.?|graduate|grad|entry[\s-]level|trainee|apprentice|newly qualified|assistant)(?:\s|\b)",
    )
});
static INTERN: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:intern|internship|interns|student|placement)\b"));
static NHS_BAND: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\bband\s*(?P<band>[1-9])\s*(?P<sub>[a-d])?\b"));

/// Seniority of a role from its title. Executive words win over lead words, lead over senior,
/// and so on down to intern.
pub fn seniority_from_title(title: &str) -> Option<Seniority> {
    let checks: [(&Regex, Seniority); 6] = [
        (&EXECUTIVE, Seniority::Executive),
        (&LEAD, Seniority::Lead),
        (&SENIOR, Seniority::Senior),
        (&MID, Seniority::Mid),
        (&INTERN, Seniority::Intern),
        (&JUNIOR, Seniority::Junior),
    ];
    checks
        .into_iter()
        .find(|(regex, _)| regex.is_match(title))
        .map(|(_, seniority)| seniority)
}

/// Seniority from an NHS Agenda for Change band named in a text ("Band 6", "Band 8a"):
/// bands 1 to 4 are junior, 5 and 6 mid, 7 senior, 8a and 8b lead, 8c, 8d and 9 executive.
pub fn seniority_from_nhs_band(text: &str) -> Option<Seniority> {
    let caps = NHS_BAND.captures(text)?;
    let band: u8 = caps.name("band")?.as_str().parse().ok()?;
    let sub = caps.name("sub").map(|s| s.as_str().to_ascii_lowercase());
    Some(match (band, sub.as_deref()) {
        (1..=4, _) => Seniority::Junior,
        (5 | 6, _) => Seniority::Mid,
        (7, _) => Seniority::Senior,
        (8, Some("c" | "d")) | (9, _) => Seniority::Executive,
        _ => Seniority::Lead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_onsite_hybrid_and_unknown_are_told_apart() {
        assert_eq!(remote_mode_from_text("REMOTE OK"), RemoteMode::Remote);
        assert_eq!(remote_mode_from_text("Fulltime ONSITE"), RemoteMode::Onsite);
        assert_eq!(
            remote_mode_from_text("ONSITE (preferred), REMOTE (US only)"),
            RemoteMode::Hybrid
        );
        assert_eq!(
            remote_mode_from_text("Hybrid, 2 days in London"),
            RemoteMode::Hybrid
        );
        assert_eq!(remote_mode_from_text("London, UK"), RemoteMode::Unknown);
    }

    #[test]
    fn negated_remote_means_onsite() {
        assert_eq!(
            remote_mode_from_text("Onsite, no remote"),
            RemoteMode::Onsite
        );
        assert_eq!(remote_mode_from_text("NOT REMOTE"), RemoteMode::Onsite);
    }

    #[test]
    fn schema_org_and_nhs_employment_values_map_to_types() {
        assert_eq!(
            employment_type_from_text("FULL_TIME"),
            EmploymentType::FullTime
        );
        assert_eq!(
            employment_type_from_text("PART_TIME"),
            EmploymentType::PartTime
        );
        assert_eq!(
            employment_type_from_text("CONTRACTOR"),
            EmploymentType::Contract
        );
        assert_eq!(
            employment_type_from_text("TEMPORARY"),
            EmploymentType::Temporary
        );
        assert_eq!(
            employment_type_from_text("INTERN"),
            EmploymentType::Internship
        );
        assert_eq!(
            employment_type_from_text("VOLUNTEER"),
            EmploymentType::Volunteer
        );
        assert_eq!(employment_type_from_text("OTHER"), EmploymentType::Other);
        assert_eq!(
            employment_type_from_text("Permanent"),
            EmploymentType::FullTime
        );
        assert_eq!(
            employment_type_from_text("Fixed term"),
            EmploymentType::Contract
        );
        assert_eq!(
            employment_type_from_text("Full-time, contract"),
            EmploymentType::Contract
        );
        assert_eq!(
            employment_type_from_text("weekly team lunch"),
            EmploymentType::Unknown
        );
    }

    #[test]
    fn title_keywords_give_seniority_with_the_highest_level_winning() {
        assert_eq!(
            seniority_from_title("Senior Rust Engineer"),
            Some(Seniority::Senior)
        );
        assert_eq!(
            seniority_from_title("Sr. Data Scientist"),
            Some(Seniority::Senior)
        );
        assert_eq!(
            seniority_from_title("Staff Software Engineer"),
            Some(Seniority::Lead)
        );
        assert_eq!(
            seniority_from_title("Senior Team Lead"),
            Some(Seniority::Lead)
        );
        assert_eq!(
            seniority_from_title("VP of Engineering"),
            Some(Seniority::Executive)
        );
        assert_eq!(
            seniority_from_title("Head of Nursing"),
            Some(Seniority::Executive)
        );
        assert_eq!(
            seniority_from_title("Graduate Analyst"),
            Some(Seniority::Junior)
        );
        assert_eq!(
            seniority_from_title("Summer Intern, Backend"),
            Some(Seniority::Intern)
        );
        assert_eq!(seniority_from_title("Backend Engineer"), None);
    }

    #[test]
    fn a_staff_nurse_is_not_a_staff_engineer() {
        assert_eq!(seniority_from_title("Staff Nurse"), None);
    }

    #[test]
    fn nhs_bands_map_to_seniority() {
        assert_eq!(seniority_from_nhs_band("Band 3"), Some(Seniority::Junior));
        assert_eq!(
            seniority_from_nhs_band("Band 6 equivalent"),
            Some(Seniority::Mid)
        );
        assert_eq!(seniority_from_nhs_band("band 7"), Some(Seniority::Senior));
        assert_eq!(
            seniority_from_nhs_band("Aligned to AFC Band 8a"),
            Some(Seniority::Lead)
        );
        assert_eq!(
            seniority_from_nhs_band("Band 8c"),
            Some(Seniority::Executive)
        );
        assert_eq!(seniority_from_nhs_band("£31,365 pa"), None);
    }
}
