//! Tokenizers of the text index.
//!
//! - Words ([`Split::Words`]) keep the spelling of technology names that plain
//!   alphanumeric splitting destroys: `C++`, `C#`, `F#`, `.NET` stay whole. They feed the
//!   English analyser (lowercase, ASCII folding, stemming).
//! - Places ([`Split::Places`]) are split exactly like [`place_words`](crate::place_words), so the location
//!   filter is a conjunction of term queries with the same meaning as the reference.
//!
//! The analyser names carry a version: changing what a tokenizer emits must change its
//! name, which changes the schema, so an index built by the old code is refused at open.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenStream, Tokenizer, TokenizerManager,
};

/// English prose: words, lowercased, folded to ASCII, stemmed.
pub const ENGLISH: &str = "icv_english_v1";
/// Place names: the words of [`place_words`](crate::place_words).
pub const PLACE: &str = "icv_place_v1";

/// Terms longer than this many bytes are dropped (base64 blobs, URLs without spaces).
const MAX_TERM_BYTES: usize = 60;

pub fn register(manager: &TokenizerManager) {
    manager.register(ENGLISH, english_analyzer());
    manager.register(PLACE, place_analyzer());
}

pub fn english_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SplitTokenizer::new(Split::Words))
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

pub fn place_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(SplitTokenizer::new(Split::Places))
}

/// The terms `analyzer` makes of `text`, in order.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// Splits text into tokens: [`Split::Words`] for prose, [`Split::Places`] for place names.
#[derive(Clone)]
pub struct SplitTokenizer {
    split: Split,
    token: Token,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Words are runs of alphanumeric characters. A run of `+` or `#` right after a word
    /// and before a non-word character belongs to the word (`c++`, `c#`); a `.` at the
    /// start of a word that follows a non-word character belongs to it (`.net`, but
    /// `asp.net` is two words). Case is left to the analyser's filters.
    Words,
    /// Exactly [`place_words`](crate::place_words): split on every non-alphanumeric character, each word
    /// lowercased with [`str::to_lowercase`].
    Places,
}

impl SplitTokenizer {
    pub fn new(split: Split) -> Self {
        SplitTokenizer {
            split,
            token: Token::default(),
        }
    }
}

pub struct SplitTokenStream<'a> {
    split: Split,
    text: &'a str,
    /// Byte offset where scanning resumes.
    cursor: usize,
    token: &'a mut Token,
}

impl Tokenizer for SplitTokenizer {
    type TokenStream<'a> = SplitTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SplitTokenStream<'a> {
        self.token.reset();
        SplitTokenStream {
            split: self.split,
            text,
            cursor: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for SplitTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let next = match self.split {
            Split::Words => next_word(self.text, self.cursor),
            Split::Places => next_alphanumeric_run(self.text, self.cursor),
        };
        let Some((start, end)) = next else {
            self.cursor = self.text.len();
            return false;
        };
        self.cursor = end;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = start;
        self.token.offset_to = end;
        let word = &self.text[start..end];
        self.token.text = match self.split {
            Split::Words => word.to_owned(),
            Split::Places => word.to_lowercase(),
        };
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The byte range of the next run of alphanumeric characters at or after `from`.
fn next_alphanumeric_run(text: &str, from: usize) -> Option<(usize, usize)> {
    let (rel, _) = text[from..]
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())?;
    let start = from + rel;
    let end = text[start..]
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(text.len(), |(i, _)| start + i);
    Some((start, end))
}

/// The byte range of the next word (see [`Split::Words`]) at or after `from`.
fn next_word(text: &str, from: usize) -> Option<(usize, usize)> {
    let (word_start, word_end) = next_alphanumeric_run(text, from)?;
    // A leading dot after a non-word character (or at the start): `.net`.
    let mut start = word_start;
    if text[..word_start].ends_with('.') {
        let before_dot = text[..word_start - 1].chars().next_back();
        if before_dot.is_none_or(|c| !c.is_alphanumeric()) {
            start -= 1;
        }
    }
    let suffix_len = text[word_end..]
        .bytes()
        .take_while(|b| *b == b'+' || *b == b'#')
        .count();
    let after_suffix = word_end + suffix_len;
    let closes = text[after_suffix..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric());
    let end = if suffix_len > 0 && closes {
        after_suffix
    } else {
        word_end
    };
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::place_words;

    fn english(text: &str) -> Vec<String> {
        terms(&mut english_analyzer(), text)
    }

    #[test]
    fn technology_names_keep_their_symbols() {
        assert_eq!(
            english("C++ and C# on .NET, asp.net, node.js; a+b"),
            vec![
                "c++", "and", "c#", "on", ".net", "asp", "net", "node", "js", "a", "b"
            ]
        );
    }

    #[test]
    fn words_are_stemmed_and_folded() {
        assert_eq!(
            english("Developers developing Café"),
            vec!["develop", "develop", "cafe"]
        );
    }

    #[test]
    fn odd_input_does_not_panic_and_drops_symbols() {
        assert_eq!(
            english("🦀 \"rust\" (( ]] :: ++ # . 😀x"),
            vec!["rust", "x"]
        );
        assert!(english("").is_empty());
        assert!(english("...").is_empty());
        assert_eq!(english("é+"), vec!["e+"]);
    }

    #[test]
    fn place_tokens_are_exactly_place_words() {
        let samples = [
            "London, UK",
            "  São Paulo / BR ",
            "ΣΑΣ Ödön-straße 12",
            "İstanbul",
            "",
            "--",
            "New York (NY) 10001",
            "東京都 渋谷区",
        ];
        for s in samples {
            assert_eq!(terms(&mut place_analyzer(), s), place_words(s), "{s:?}");
        }
    }
}
