//! Years of experience against what the posting asks for: the years it states ("5+ years
//! of experience") or else the usual years of its seniority level (stated, or read from its
//! title). Falls back to comparing seniority levels when the resume's years are unknown.

use std::sync::LazyLock;

use regex::Regex;

use crate::Posting;
use intellicv_core::{ResumeProfile, Seniority};
use intellicv_ingest::profile::seniority_from_title;

/// ASCII word boundaries and digits: a Unicode `\b` keeps the regex off its DFA, and this
/// runs over every candidate posting's description in matching.
static STATED_YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)([0-9]{1,2})\s*(?:\+|plus)?\s*(?:(?:-|–|to)\s*[0-9]{1,2}\s*)?\+?\s*years?(?:'|’)?\s+(?:of\s+)?(?:[a-z/+#-]+\s+){0,4}?(?:experience|exp(?-u:\b))",
    )
    .expect("the stated years pattern is valid")
});

/// The usual years of experience of a level: `(least, most)`.
pub fn level_years(level: Seniority) -> (f32, f32) {
    match level {
        Seniority::Intern => (0.0, 1.0),
        Seniority::Junior => (0.0, 2.0),
        Seniority::Mid => (2.0, 5.0),
        Seniority::Senior => (5.0, 10.0),
        Seniority::Lead => (7.0, 15.0),
        Seniority::Executive => (10.0, f32::INFINITY),
    }
}

fn level_rank(level: Seniority) -> i32 {
    Seniority::ALL.iter().position(|l| *l == level).unwrap_or(0) as i32
}

/// The least years a description states it wants, if any (the smallest stated number).
pub fn stated_years(description: &str) -> Option<f32> {
    STATED_YEARS
        .captures_iter(description)
        .filter_map(|c| c[1].parse::<u8>().ok())
        .filter(|n| (1..=30).contains(n))
        .min()
        .map(f32::from)
}

/// What a posting asks for: a years range and the level it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wanted {
    pub least: f32,
    pub most: f32,
    pub level: Option<Seniority>,
}

pub fn wanted(job: &Posting) -> Option<Wanted> {
    let level = job.seniority.or_else(|| seniority_from_title(&job.title));
    let stated = stated_years(&job.description);
    match (stated, level) {
        (Some(least), level) => Some(Wanted {
            least,
            most: level.map_or(f32::INFINITY, |l| level_years(l).1.max(least + 5.0)),
            level,
        }),
        (None, Some(level)) => {
            let (least, most) = level_years(level);
            Some(Wanted {
                least,
                most,
                level: Some(level),
            })
        }
        (None, None) => None,
    }
}

/// Fit 0..=1 of `years` to a wanted range: 1 inside; below, the fraction of the least
/// years the candidate has; above, 0.05 less per extra year down to 0.6.
pub fn years_fit(years: f32, wanted: &Wanted) -> f32 {
    if years < wanted.least {
        (years / wanted.least).clamp(0.0, 1.0)
    } else if years > wanted.most {
        (1.0 - 0.05 * (years - wanted.most)).max(0.6)
    } else {
        1.0
    }
}

/// Fit 0..=1 of two levels: 0.3 less per level apart.
pub fn level_fit(have: Seniority, want: Seniority) -> f32 {
    (1.0 - 0.3 * (level_rank(have) - level_rank(want)).abs() as f32).max(0.0)
}

/// The experience score and its detail; `None` when either side is unknown.
pub fn experience_fit(profile: &ResumeProfile, job: &Posting) -> Option<(f32, String)> {
    let want = wanted(job)?;
    let wanted_text = match want.level {
        Some(level) => format!("{level} role wanting {:.0}+ years", want.least),
        None => format!("{:.0}+ years wanted", want.least),
    };
    if let Some(years) = profile.total_years_experience {
        let fit = years_fit(years, &want);
        return Some((
            fit,
            format!("{years:.1} years of experience; {wanted_text}"),
        ));
    }
    let (have, want_level) = (profile.seniority?, want.level?);
    Some((
        level_fit(have, want_level),
        format!("{have} profile for a {want_level} role (years unknown)"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stated_years_are_read_from_descriptions() {
        assert_eq!(
            stated_years("You have 5+ years of experience with Rust."),
            Some(5.0)
        );
        assert_eq!(stated_years("3-5 years professional experience"), Some(3.0));
        assert_eq!(stated_years("Founded 20 years ago. We ship weekly."), None);
        // Non-ASCII text around the phrase, typographic apostrophes and dashes.
        assert_eq!(
            stated_years("Über uns – you bring 4 years’ experience in café retail."),
            Some(4.0)
        );
        assert_eq!(stated_years("2–3 years relevant exp. wanted"), Some(2.0));
        assert_eq!(stated_years("room 12years experience"), Some(12.0));
        assert_eq!(stated_years("x25 years of experience"), None);
    }

    #[test]
    fn too_few_years_cost_more_than_too_many() {
        let senior = Wanted {
            least: 5.0,
            most: 10.0,
            level: Some(Seniority::Senior),
        };
        assert_eq!(years_fit(7.0, &senior), 1.0);
        assert!((years_fit(2.5, &senior) - 0.5).abs() < 1e-6);
        assert!(years_fit(14.0, &senior) > years_fit(2.5, &senior));
        assert_eq!(level_fit(Seniority::Senior, Seniority::Senior), 1.0);
        assert!(level_fit(Seniority::Junior, Seniority::Lead) < 0.5);
    }
}
