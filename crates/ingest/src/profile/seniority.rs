//! Seniority inferred from a title's words, or else from years of experience.

use intellicv_core::Seniority;

/// The seniority a title states outright ("Senior", "Lead", "Director", ...), if any.
pub fn seniority_from_title(title: &str) -> Option<Seniority> {
    let lower = title.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if [
        "chief",
        "ceo",
        "cfo",
        "cto",
        "coo",
        "vp",
        "president",
        "director",
        "head",
        "executive",
    ]
    .iter()
    .any(|w| has(w))
        || lower.contains("vice president")
    {
        return Some(Seniority::Executive);
    }
    let staff_engineer = [
        "staff engineer",
        "staff software",
        "staff data",
        "staff scientist",
    ]
    .iter()
    .any(|p| lower.contains(p));
    if staff_engineer
        || ["lead", "principal", "manager", "supervisor", "architect"]
            .iter()
            .any(|w| has(w))
    {
        return Some(Seniority::Lead);
    }
    if ["senior", "sr", "snr"].iter().any(|w| has(w)) {
        return Some(Seniority::Senior);
    }
    if ["intern", "internship", "trainee", "apprentice", "student"]
        .iter()
        .any(|w| has(w))
    {
        return Some(Seniority::Intern);
    }
    if ["junior", "jr", "graduate", "entry", "assistant"]
        .iter()
        .any(|w| has(w))
    {
        return Some(Seniority::Junior);
    }
    None
}

/// Seniority from the headline's words when they say it, else from years of experience.
pub fn infer_seniority(headline: Option<&str>, years: Option<f32>) -> Option<Seniority> {
    if let Some(s) = headline.and_then(seniority_from_title) {
        return Some(s);
    }
    let years = years?;
    Some(match years {
        y if y < 2.0 => Seniority::Junior,
        y if y < 5.0 => Seniority::Mid,
        y if y < 10.0 => Seniority::Senior,
        _ => Seniority::Lead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_state_seniority_before_years_do() {
        assert_eq!(
            infer_seniority(Some("Senior Rust Engineer"), Some(1.0)),
            Some(Seniority::Senior)
        );
        assert_eq!(
            infer_seniority(Some("VP Engineering"), None),
            Some(Seniority::Executive)
        );
        assert_eq!(
            infer_seniority(Some("Software Engineer"), Some(3.5)),
            Some(Seniority::Mid)
        );
        assert_eq!(
            infer_seniority(Some("Software Engineer"), Some(12.0)),
            Some(Seniority::Lead)
        );
        assert_eq!(infer_seniority(Some("Software Engineer"), None), None);
        assert_eq!(seniority_from_title("Staff Accountant"), None);
        assert_eq!(
            seniority_from_title("Staff Software Engineer"),
            Some(Seniority::Lead)
        );
    }
}
