//! Context rules for short, ambiguous technology names (`Go`, `R`, `C`).
//!
//! Such a name counts only when one of these holds (and names of 1-2 characters must also
//! keep their capitals):
//! the text is a skills section; a context word (`programming`, `language`, `developer`,
//! ...) is within two words; or another technology is next to it in a list, separated
//! only by punctuation, whitespace, `and` or `or` (`Java, Go and Rust`).

use std::ops::Range;

/// Words that mark a nearby short name as a technology.
const CONTEXT_WORDS: &[&str] = &[
    "programming",
    "language",
    "languages",
    "lang",
    "developer",
    "developers",
    "development",
    "engineer",
    "engineers",
    "coding",
    "code",
    "scripting",
    "compiler",
];

/// Whether a context word is within two words of the normalised range `at`.
pub fn has_context_word(normalized: &str, at: &Range<usize>) -> bool {
    let (Some(before), Some(after)) = (normalized.get(..at.start), normalized.get(at.end..)) else {
        return false;
    };
    let preceding = before.split_whitespace().rev().take(2);
    let following = after.split_whitespace().take(2);
    preceding
        .chain(following)
        .any(|word| CONTEXT_WORDS.contains(&word))
}

/// Whether the original ranges `a` and `b` are adjacent list items in `text`.
pub fn is_list_neighbour(text: &str, a: &Range<usize>, b: &Range<usize>) -> bool {
    let gap = if a.end <= b.start {
        a.end..b.start
    } else if b.end <= a.start {
        b.end..a.start
    } else {
        return false;
    };
    let Some(between) = text.get(gap) else {
        return false;
    };
    between.len() <= 12
        && between
            .split(|c: char| c.is_whitespace() || ",;/|&()+-•*·".contains(c))
            .all(|word| {
                word.is_empty()
                    || word.eq_ignore_ascii_case("and")
                    || word.eq_ignore_ascii_case("or")
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_words_count_within_two_words() {
        let text = " strong go programming skills ";
        let at = 8..10;
        assert_eq!(&text[at.clone()], "go");
        assert!(has_context_word(text, &at));
        assert!(!has_context_word(" go to the shop now ", &(1..3)));
    }

    #[test]
    fn list_neighbours_are_separated_by_punctuation_or_conjunctions() {
        let text = "Java, Go and Rust; Go to market";
        assert!(is_list_neighbour(text, &(6..8), &(0..4)));
        assert!(is_list_neighbour(text, &(6..8), &(13..17)));
        assert!(!is_list_neighbour(text, &(19..21), &(0..4)));
    }
}
