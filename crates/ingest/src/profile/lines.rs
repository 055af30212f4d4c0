//! Lines of extracted text with their byte offsets, the unit every profile rule works on.

/// One line of the text: `text` is trimmed, `start..end` is its trimmed byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// The non-blank lines of `text[range]`, trimmed, with offsets into `text`.
pub fn lines_in(text: &str, range: std::ops::Range<usize>) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut pos = range.start;
    for raw in text[range.clone()].split_inclusive('\n') {
        let line_start = pos;
        pos += raw.len();
        let body = raw.trim_end_matches(['\n', '\r']);
        let trimmed_start = body.len() - body.trim_start().len();
        let trimmed = body.trim();
        if trimmed.is_empty() {
            continue;
        }
        let start = line_start + trimmed_start;
        out.push(Line {
            text: trimmed,
            start,
            end: start + trimmed.len(),
        });
    }
    out
}

/// Words of a line, split on whitespace.
pub fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Whether a line reads like a bullet or a sentence of prose rather than a heading or title.
pub fn is_prose(s: &str) -> bool {
    let words = word_count(s);
    s.starts_with(['•', '*', '-', '·', '▪', '◦', '●'])
        || words > 12
        || (words > 6 && s.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_offsets_into_the_whole_text() {
        let text = "head\n\n  Experience  \nRust dev\n";
        let lines = lines_in(text, 0..text.len());
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].text, "Experience");
        assert_eq!(&text[lines[1].start..lines[1].end], "Experience");
        let tail = lines_in(text, 6..text.len());
        assert_eq!(tail[0].text, "Experience");
        assert_eq!(tail[1].start, text.find("Rust").unwrap());
    }
}
