//! Cutting long documents into chunks that fit the model's token window.
//!
//! The model reads at most `max_length` tokens and silently drops the rest, so a resume
//! embedded whole would be represented by its first page. Documents are cut on section
//! boundaries first (a chunk never mixes two sections), then a section too long for the
//! window is cut between lines, a line too long between sentences, and a sentence too
//! long between words. Consecutive pieces are packed back together while they fit, so
//! chunks are as large as the window allows.

use intellicv_core::SourceSpan;

/// A piece of one section, small enough to embed without truncation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Index of the section in the input.
    pub section_index: usize,
    /// Section kind and the chunk's byte range in that section's text.
    pub span: SourceSpan,
    /// The chunk's text (`section_text[span.start..span.end]`).
    pub text: String,
    /// Token count without `[CLS]`/`[SEP]`. Above the budget only when a single word is
    /// longer than the budget (the model then truncates it).
    pub tokens: usize,
}

/// How text is cut when it does not fit, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    Lines,
    Sentences,
    Words,
}

impl Cut {
    fn finer(self) -> Option<Cut> {
        match self {
            Cut::Lines => Some(Cut::Sentences),
            Cut::Sentences => Some(Cut::Words),
            Cut::Words => None,
        }
    }
}

/// A trimmed byte range of a section with its token count.
#[derive(Debug, Clone, Copy)]
struct Piece {
    start: usize,
    end: usize,
    tokens: usize,
}

/// Cuts `(section kind, text)` pairs into chunks of at most `max_tokens` tokens as counted
/// by `count_tokens` (without special tokens). Empty sections produce no chunk.
pub fn chunk_sections_with(
    sections: &[(&str, &str)],
    max_tokens: usize,
    count_tokens: &dyn Fn(&str) -> usize,
) -> Vec<Chunk> {
    let budget = max_tokens.max(1);
    let mut chunks = Vec::new();
    for (section_index, &(kind, text)) in sections.iter().enumerate() {
        let mut pieces = Vec::new();
        for (start, end) in trimmed_ranges(text, 0, text.len(), Cut::Lines, true) {
            split(
                text,
                start,
                end,
                Cut::Lines,
                budget,
                count_tokens,
                &mut pieces,
            );
        }
        for (start, end, tokens) in pack(&pieces, budget) {
            chunks.push(Chunk {
                section_index,
                span: SourceSpan::new(Some(kind), start, end),
                text: text[start..end].to_owned(),
                tokens,
            });
        }
    }
    chunks
}

/// Appends `text[start..end]` as one piece if it fits, else its parts cut by `cut` (or
/// finer), to `out`.
fn split(
    text: &str,
    start: usize,
    end: usize,
    cut: Cut,
    budget: usize,
    count_tokens: &dyn Fn(&str) -> usize,
    out: &mut Vec<Piece>,
) {
    let tokens = count_tokens(&text[start..end]);
    if tokens <= budget {
        out.push(Piece { start, end, tokens });
        return;
    }
    let parts = trimmed_ranges(text, start, end, cut, false);
    match (parts.len(), cut.finer()) {
        (0 | 1, None) => out.push(Piece { start, end, tokens }),
        (0 | 1, Some(finer)) => split(text, start, end, finer, budget, count_tokens, out),
        (_, _) => {
            for (part_start, part_end) in parts {
                split(text, part_start, part_end, cut, budget, count_tokens, out);
            }
        }
    }
}

/// Packs consecutive pieces into `(start, end, tokens)` chunks of at most `budget` tokens.
fn pack(pieces: &[Piece], budget: usize) -> Vec<(usize, usize, usize)> {
    let mut packed: Vec<(usize, usize, usize)> = Vec::new();
    let mut current: Option<(usize, usize, usize)> = None;
    for piece in pieces {
        current = match current {
            Some((start, _, tokens)) if tokens + piece.tokens <= budget => {
                Some((start, piece.end, tokens + piece.tokens))
            }
            Some(full) => {
                packed.push(full);
                Some((piece.start, piece.end, piece.tokens))
            }
            None => Some((piece.start, piece.end, piece.tokens)),
        };
    }
    packed.extend(current);
    packed
}

/// The non-empty, whitespace-trimmed parts of `text[start..end]` cut at `cut` boundaries.
/// With `whole`, the range is only trimmed, not cut.
fn trimmed_ranges(
    text: &str,
    start: usize,
    end: usize,
    cut: Cut,
    whole: bool,
) -> Vec<(usize, usize)> {
    let slice = &text[start..end];
    let mut bounds = vec![0];
    if !whole {
        let mut chars = slice.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let next_is_space = chars.peek().is_some_and(|&(_, n)| n.is_whitespace());
            let boundary = match cut {
                Cut::Lines => c == '\n',
                Cut::Sentences => matches!(c, '.' | '!' | '?' | ';') && next_is_space,
                Cut::Words => c.is_whitespace(),
            };
            if boundary {
                bounds.push(i + c.len_utf8());
            }
        }
    }
    bounds.push(slice.len());
    bounds
        .windows(2)
        .filter_map(|w| {
            let part = &slice[w[0]..w[1]];
            let lead = part.len() - part.trim_start().len();
            let trimmed = part.trim();
            (!trimmed.is_empty()).then(|| {
                let s = start + w[0] + lead;
                (s, s + trimmed.len())
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One token per whitespace-separated word.
    fn words(text: &str) -> usize {
        text.split_whitespace().count()
    }

    #[test]
    fn a_short_section_is_one_trimmed_chunk() {
        let chunks = chunk_sections_with(&[("summary", "  Rust developer.\n")], 10, &words);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].text, "Rust developer.");
        assert_eq!(chunks[0].span, SourceSpan::new(Some("summary"), 2, 17));
        assert_eq!(chunks[0].tokens, 2);
    }

    #[test]
    fn sections_are_never_merged_and_empty_ones_are_dropped() {
        let sections = [
            ("skills", "Rust SQL"),
            ("empty", "  \n "),
            ("education", "BSc"),
        ];
        let chunks = chunk_sections_with(&sections, 10, &words);
        let got: Vec<(usize, &str)> = chunks
            .iter()
            .map(|c| (c.section_index, c.text.as_str()))
            .collect();
        assert_eq!(got, vec![(0, "Rust SQL"), (2, "BSc")]);
    }

    #[test]
    fn long_sections_are_cut_between_lines_then_packed() {
        let text = "one two three\nfour five\nsix seven eight nine";
        let chunks = chunk_sections_with(&[("experience", text)], 5, &words);
        let got: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            got,
            vec!["one two three\nfour five", "six seven eight nine"]
        );
        for chunk in &chunks {
            assert_eq!(&text[chunk.span.start..chunk.span.end], chunk.text);
        }
    }

    #[test]
    fn a_long_line_is_cut_between_sentences_then_words() {
        let text = "Built a search engine. Led a team of five engineers for two years! Ok";
        let chunks = chunk_sections_with(&[("experience", text)], 4, &words);
        let got: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            got,
            vec![
                "Built a search engine.",
                "Led a team of",
                "five engineers for two",
                "years! Ok"
            ]
        );
        assert!(chunks.iter().all(|c| c.tokens <= 4));
    }

    #[test]
    fn a_single_word_longer_than_the_budget_stays_whole() {
        let chunks = chunk_sections_with(&[("x", "aaaa bbbb")], 1, &|t: &str| t.len());
        let got: Vec<(&str, usize)> = chunks.iter().map(|c| (c.text.as_str(), c.tokens)).collect();
        assert_eq!(got, vec![("aaaa", 4), ("bbbb", 4)]);
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let text = "Développeur expérimenté. Ingénieur logiciel à Zürich.";
        let chunks = chunk_sections_with(&[("résumé", text)], 3, &words);
        let got: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            got,
            vec!["Développeur expérimenté. Ingénieur", "logiciel à Zürich."]
        );
    }
}
