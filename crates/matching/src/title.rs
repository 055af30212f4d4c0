//! Title similarity: the candidate's headline and role titles against the posting title,
//! by words (level words and filler dropped, near-synonyms folded), each role discounted
//! by how long ago it ended. The search engine's title embedding similarity, when given,
//! can only raise the literal score (either kind of evidence of the same occupation counts).

use std::collections::BTreeSet;

use super::MatchConfig;
use super::recency::{role_weight, years_since_end};
use intellicv_core::{ResumeProfile, YearMonth};

/// Words that say the level or the contract, not the occupation.
const NOISE: &[&str] = &[
    "a",
    "an",
    "and",
    "the",
    "of",
    "for",
    "in",
    "at",
    "to",
    "with",
    "on",
    "senior",
    "sr",
    "snr",
    "junior",
    "jr",
    "lead",
    "principal",
    "staff",
    "head",
    "chief",
    "entry",
    "level",
    "i",
    "ii",
    "iii",
    "iv",
    "graduate",
    "trainee",
    "intern",
    "remote",
    "hybrid",
    "onsite",
    "full",
    "part",
    "time",
    "contract",
    "permanent",
    "temporary",
    "fixed",
    "term",
    "m",
    "f",
    "d",
    "x",
    "w",
];

/// Folds near-synonyms and plurals so "Software Developer" meets "Software Engineer".
fn fold(word: &str) -> String {
    let word = match word {
        "developer" | "programmer" | "dev" | "engineering" | "swe" => "engineer",
        "mgr" | "management" => "manager",
        "admin" | "administration" => "administrator",
        "analytics" | "analysis" => "analyst",
        "frontend" => "front",
        "backend" => "back",
        "fullstack" => "stack",
        "sales" => "sale",
        other => other,
    };
    match word.strip_suffix('s') {
        Some(stem) if stem.len() > 3 && !stem.ends_with('s') => stem.to_owned(),
        _ => word.to_owned(),
    }
}

/// The occupation words of a title.
pub fn title_words(title: &str) -> BTreeSet<String> {
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '+' && c != '#')
        .filter(|w| !w.is_empty() && !NOISE.contains(w))
        .map(fold)
        .collect()
}

/// Dice coefficient of the two titles' occupation words, 0..=1.
pub fn word_similarity(a: &str, b: &str) -> f32 {
    let (a, b) = (title_words(a), title_words(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(&b).count();
    2.0 * shared as f32 / (a.len() + b.len()) as f32
}

/// The best title match, its score 0..=1 and the candidate title it came from; `None`
/// when the resume names no title at all.
pub fn best_title(
    profile: &ResumeProfile,
    job_title: &str,
    today: YearMonth,
    config: &MatchConfig,
) -> Option<(f32, String)> {
    let headline = profile
        .headline
        .as_ref()
        .map(|h| (h.value.as_str(), 1.0f32));
    let roles = profile.experience.iter().filter_map(|e| {
        let title = e.title.as_deref()?;
        Some((title, role_weight(years_since_end(e, today), config)))
    });
    let mut best: Option<(f32, String)> = None;
    for (title, recency) in headline.into_iter().chain(roles) {
        let score = word_similarity(title, job_title) * recency;
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, title.to_owned()));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_words_are_ignored_and_synonyms_meet() {
        assert_eq!(
            word_similarity("Senior Software Developer", "Software Engineer (Remote)"),
            1.0
        );
        assert_eq!(
            word_similarity("Registered Nurse", "Software Engineer"),
            0.0
        );
        let partial = word_similarity("Data Engineer", "Software Engineer");
        assert!((partial - 0.5).abs() < 1e-6, "{partial}");
    }
}
