//! A zero-copy tokenizer for PDF content streams and CMaps (ISO 32000-1 §7.2–7.3).
//!
//! Strings are decoded into a caller-owned scratch buffer, so steady-state lexing does not
//! allocate. Malformed input never panics: unknown bytes are skipped.

use std::borrow::Cow;
use std::ops::Range;

/// One lexical token.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<'a> {
    Number(f64),
    /// A name without its slash, `#xx` escapes decoded.
    Name(Cow<'a, [u8]>),
    /// A literal or hex string: its decoded bytes in the scratch buffer.
    Str(Range<usize>),
    ArrayStart,
    ArrayEnd,
    DictStart,
    DictEnd,
    /// An operator or other bare keyword (`Tj`, `true`, `begincmap`).
    Keyword(&'a [u8]),
}

pub struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0C' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// A lexer that resumes at byte `pos` of `data` (where [`Lexer::position`] left off).
    pub fn at(data: &'a [u8], pos: usize) -> Self {
        Self { data, pos }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next token, or `None` at the end of the data.
    pub fn next_token(&mut self, scratch: &mut Vec<u8>) -> Option<Token<'a>> {
        loop {
            let b = *self.data.get(self.pos)?;
            match b {
                _ if is_whitespace(b) => self.pos += 1,
                b'%' => self.skip_line(),
                b'/' => return Some(self.name()),
                b'(' => return Some(self.literal_string(scratch)),
                b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                    self.pos += 2;
                    return Some(Token::DictStart);
                }
                b'<' => return Some(self.hex_string(scratch)),
                b'>' if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Some(Token::DictEnd);
                }
                b'[' => {
                    self.pos += 1;
                    return Some(Token::ArrayStart);
                }
                b']' => {
                    self.pos += 1;
                    return Some(Token::ArrayEnd);
                }
                b'0'..=b'9' | b'+' | b'-' | b'.' => {
                    if let Some(number) = self.number() {
                        return Some(Token::Number(number));
                    }
                }
                _ if is_regular(b) => {
                    let start = self.pos;
                    while self.data.get(self.pos).is_some_and(|&b| is_regular(b)) {
                        self.pos += 1;
                    }
                    return Some(Token::Keyword(&self.data[start..self.pos]));
                }
                // A stray delimiter (`)`, `>`, `{`, `}`): skip it.
                _ => self.pos += 1,
            }
        }
    }

    /// Skips the binary data of an inline image, after its `ID` operator, up to and including
    /// the `EI` that ends it.
    pub fn skip_inline_image(&mut self) {
        // One whitespace byte follows ID.
        self.pos += 1;
        while self.pos + 1 < self.data.len() {
            let preceded = self.pos == 0 || is_whitespace(self.data[self.pos - 1]);
            let followed = self
                .data
                .get(self.pos + 2)
                .is_none_or(|&b| is_whitespace(b));
            if preceded && followed && &self.data[self.pos..self.pos + 2] == b"EI" {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
        self.pos = self.data.len();
    }

    fn skip_line(&mut self) {
        while self
            .data
            .get(self.pos)
            .is_some_and(|&b| b != b'\n' && b != b'\r')
        {
            self.pos += 1;
        }
    }

    fn name(&mut self) -> Token<'a> {
        self.pos += 1;
        let start = self.pos;
        while self.data.get(self.pos).is_some_and(|&b| is_regular(b)) {
            self.pos += 1;
        }
        let raw = &self.data[start..self.pos];
        if !raw.contains(&b'#') {
            return Token::Name(Cow::Borrowed(raw));
        }
        let mut decoded = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            let escaped = raw
                .get(i + 1..i + 3)
                .and_then(|h| Some(hex_value(h[0])? << 4 | hex_value(h[1])?));
            match (raw[i], escaped) {
                (b'#', Some(byte)) => {
                    decoded.push(byte);
                    i += 3;
                }
                (b, _) => {
                    decoded.push(b);
                    i += 1;
                }
            }
        }
        Token::Name(Cow::Owned(decoded))
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.pos;
        let mut end = start;
        if matches!(self.data[end], b'+' | b'-') {
            end += 1;
        }
        let (mut value, mut digits, mut scale, mut fraction) = (0f64, 0usize, 1f64, false);
        while let Some(&b) = self.data.get(end) {
            match b {
                b'0'..=b'9' => {
                    value = value * 10.0 + f64::from(b - b'0');
                    if fraction {
                        scale *= 10.0;
                    }
                    digits += 1;
                }
                b'.' if !fraction => fraction = true,
                _ => break,
            }
            end += 1;
        }
        if digits == 0 {
            // "-" or "." alone: a keyword-like oddity; skip the byte.
            self.pos = end.max(start + 1);
            return None;
        }
        self.pos = end;
        let value = value / scale;
        Some(if self.data[start] == b'-' {
            -value
        } else {
            value
        })
    }

    fn literal_string(&mut self, scratch: &mut Vec<u8>) -> Token<'a> {
        self.pos += 1;
        let start = scratch.len();
        let mut depth = 1usize;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    scratch.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    scratch.push(b);
                }
                b'\\' => self.escape(scratch),
                _ => scratch.push(b),
            }
        }
        Token::Str(start..scratch.len())
    }

    fn escape(&mut self, scratch: &mut Vec<u8>) {
        let Some(&b) = self.data.get(self.pos) else {
            return;
        };
        self.pos += 1;
        match b {
            b'n' => scratch.push(b'\n'),
            b'r' => scratch.push(b'\r'),
            b't' => scratch.push(b'\t'),
            b'b' => scratch.push(8),
            b'f' => scratch.push(12),
            b'0'..=b'7' => {
                let mut value = u32::from(b - b'0');
                for _ in 0..2 {
                    match self.data.get(self.pos) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                scratch.push((value & 0xFF) as u8);
            }
            // A backslash before an end of line continues the string on the next line.
            b'\r' => {
                if self.data.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                }
            }
            b'\n' => {}
            other => scratch.push(other),
        }
    }

    fn hex_string(&mut self, scratch: &mut Vec<u8>) -> Token<'a> {
        self.pos += 1;
        let start = scratch.len();
        let mut high: Option<u8> = None;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            let Some(value) = hex_value(b) else {
                continue;
            };
            match high.take() {
                Some(h) => scratch.push(h << 4 | value),
                None => high = Some(value),
            }
        }
        // An odd digit count pads the last digit with 0.
        if let Some(h) = high {
            scratch.push(h << 4);
        }
        Token::Str(start..scratch.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(data: &[u8]) -> (Vec<Token<'_>>, Vec<u8>) {
        let mut scratch = Vec::new();
        let mut lexer = Lexer::new(data);
        let mut out = Vec::new();
        while let Some(token) = lexer.next_token(&mut scratch) {
            out.push(token);
        }
        (out, scratch)
    }

    #[test]
    fn operators_numbers_names_and_strings_are_told_apart() {
        let (tokens, scratch) =
            tokens(b"/F6 19 Tf 1 0 0 -1 0 .5 Tm\n8 -15.25 Td <0001> Tj (a\\(b\\)) Tj");
        assert_eq!(tokens[0], Token::Name(Cow::Borrowed(b"F6")));
        assert_eq!(tokens[1], Token::Number(19.0));
        assert_eq!(tokens[2], Token::Keyword(b"Tf"));
        assert_eq!(tokens[8], Token::Number(0.5));
        assert_eq!(tokens[11], Token::Number(-15.25));
        assert_eq!(tokens[13], Token::Str(0..2));
        assert_eq!(tokens[15], Token::Str(2..6));
        assert_eq!(&scratch[..2], &[0, 1]);
        assert_eq!(&scratch[2..6], b"a(b)");
    }

    #[test]
    fn escapes_nested_parentheses_and_odd_hex_digits_decode() {
        let (_, scratch) = tokens(b"(x\\101\\n(y)) <4142 4> /A#20B");
        assert_eq!(scratch, b"xA\n(y)AB\x40");
        let (tokens, _) = tokens(b"/A#20B");
        assert_eq!(tokens[0], Token::Name(Cow::Owned(b"A B".to_vec())));
    }

    #[test]
    fn arrays_dictionaries_and_comments() {
        let (tokens, _) = tokens(b"[(a) -250 (b)] TJ % comment\n<< /MCID 0 >> BDC");
        assert_eq!(tokens[0], Token::ArrayStart);
        assert_eq!(tokens[2], Token::Number(-250.0));
        assert_eq!(tokens[4], Token::ArrayEnd);
        assert_eq!(tokens[5], Token::Keyword(b"TJ"));
        assert_eq!(tokens[6], Token::DictStart);
        assert_eq!(tokens[9], Token::DictEnd);
        assert_eq!(tokens[10], Token::Keyword(b"BDC"));
    }

    #[test]
    fn inline_image_data_is_skipped() {
        let data = b"BI /W 2 /H 1 ID \x00EI\xFF EI (after) Tj";
        let mut lexer = Lexer::new(data);
        let mut scratch = Vec::new();
        while let Some(token) = lexer.next_token(&mut scratch) {
            if token == Token::Keyword(b"ID") {
                lexer.skip_inline_image();
                break;
            }
        }
        assert_eq!(lexer.next_token(&mut scratch), Some(Token::Str(0..5)));
        assert_eq!(&scratch, b"after");
    }

    #[test]
    fn garbage_never_panics() {
        for data in [
            &b"((("[..],
            b"<<<",
            b"\\",
            b"-",
            b".",
            b"/#",
            b"/#4",
            b"(\\",
            b"<a",
        ] {
            let _ = tokens(data);
        }
    }
}
