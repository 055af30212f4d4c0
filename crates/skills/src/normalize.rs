//! Text normalisation for literal matching, with a map back to original byte offsets.
//!
//! Both the labels and the searched text go through [`normalize`], so the rules only need
//! to be consistent: letters are lowercased, every run of separators becomes one space, and
//! the text is wrapped in spaces so that a pattern `" java "` only matches whole words.
//! Symbols that are part of technology names survive: `+` and `#` after a word character
//! (`c++`, `c#`), and `.` before a word character (`.net`, `node.js`, `asp.net`). A `.`
//! ending a sentence, `/` (`CI/CD` -> `ci cd`), `-` and all other punctuation separate words.

use std::ops::Range;

/// Normalised text and, for each of its bytes, the original byte range it came from.
#[derive(Debug, Clone)]
pub struct Normalized {
    text: String,
    origin: Vec<Range<usize>>,
}

impl Normalized {
    /// The normalised text, starting and ending with a space.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The original byte range covered by the normalised range `range` (which must not
    /// start or end on a separator space).
    pub fn original_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        let first = self.origin.get(range.start)?;
        let last = self.origin.get(range.end.checked_sub(1)?)?;
        Some(first.start..last.end)
    }
}

/// Normalises `text` (see the module documentation).
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len() + 2),
        origin: Vec::with_capacity(text.len() + 2),
    };
    out.push_space(0..0);
    let mut chars = text.char_indices().peekable();
    let mut previous_kept = false;
    while let Some((at, c)) = chars.next() {
        let range = at..at + c.len_utf8();
        let next_is_word = chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        let keep = c.is_alphanumeric()
            || (matches!(c, '+' | '#') && previous_kept)
            || (c == '.' && next_is_word);
        if keep {
            for lower in c.to_lowercase() {
                let mut buf = [0u8; 4];
                for _ in lower.encode_utf8(&mut buf).bytes() {
                    out.origin.push(range.clone());
                }
                out.text.push(lower);
            }
        } else if previous_kept {
            out.push_space(range);
        }
        previous_kept = keep;
    }
    if !out.text.ends_with(' ') || out.text.len() == 1 {
        out.push_space(text.len()..text.len());
    }
    out
}

/// Normalises a label to the string searched for: [`normalize`] without the wrapping spaces.
pub fn normalize_label(label: &str) -> String {
    normalize(label).as_str().trim().to_owned()
}

impl Normalized {
    fn push_space(&mut self, range: Range<usize>) {
        self.text.push(' ');
        self.origin.push(range);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn technology_names_keep_their_symbols() {
        assert_eq!(
            normalize("C++, C# and .NET; Node.js / CI/CD.").as_str(),
            " c++ c# and .net node.js ci cd "
        );
    }

    #[test]
    fn separators_collapse_and_case_folds() {
        assert_eq!(
            normalize("  Server-side   JAVA!! ").as_str(),
            " server side java "
        );
        assert_eq!(normalize("").as_str(), "  ");
        assert_eq!(
            normalize_label("Python (computer programming)"),
            "python computer programming"
        );
    }

    #[test]
    fn normalised_ranges_map_back_to_the_original_bytes() {
        let text = "Skills: Ünïcode-Rust, Node.js.";
        let normalized = normalize(text);
        let at = normalized.as_str().find("node.js").expect("present");
        let original = normalized
            .original_range(at..at + "node.js".len())
            .expect("mapped");
        assert_eq!(&text[original], "Node.js");
        let at = normalized.as_str().find("ünïcode").expect("present");
        let original = normalized
            .original_range(at..at + "ünïcode".len())
            .expect("mapped");
        assert_eq!(&text[original], "Ünïcode");
    }
}
