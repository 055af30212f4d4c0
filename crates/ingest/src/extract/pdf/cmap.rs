//! ToUnicode CMaps (ISO 32000-1 §9.10.3): character code → Unicode text, from `bfchar` and
//! `bfrange` blocks. Other CMap content is ignored.

use super::lexer::{Lexer, Token};

/// Most codes one `bfrange` may expand to; a larger range is cut (a font has at most 65,536).
const MAX_RANGE: u32 = 1 << 16;

/// A parsed ToUnicode map: sorted codes with their text.
#[derive(Debug, Default, Clone)]
pub struct ToUnicode {
    codes: Vec<u32>,
    spans: Vec<(u32, u32)>,
    text: String,
}

impl ToUnicode {
    /// Parses a CMap program. Entries it cannot read are skipped; later entries win.
    pub fn parse(data: &[u8]) -> Self {
        let mut pairs: Vec<(u32, String)> = Vec::new();
        let mut lexer = Lexer::new(data);
        let mut scratch = Vec::new();
        let mut block = Block::None;
        let mut operands: Vec<Operand> = Vec::new();
        while let Some(token) = lexer.next_token(&mut scratch) {
            match token {
                Token::Keyword(b"beginbfchar") => block = Block::Char,
                Token::Keyword(b"beginbfrange") => block = Block::Range,
                Token::Keyword(b"endbfchar" | b"endbfrange") => block = Block::None,
                Token::Str(range) if block != Block::None => {
                    operands.push(Operand::Str(scratch[range].to_vec()));
                }
                Token::ArrayStart if block == Block::Range => operands.push(Operand::ArrayStart),
                Token::ArrayEnd if block == Block::Range => operands.push(Operand::ArrayEnd),
                _ => {}
            }
            match block {
                Block::Char => take_char(&mut operands, &mut pairs),
                Block::Range => take_range(&mut operands, &mut pairs),
                Block::None => operands.clear(),
            }
            if operands.is_empty() {
                scratch.clear();
            }
        }
        Self::from_pairs(pairs)
    }

    fn from_pairs(mut pairs: Vec<(u32, String)>) -> Self {
        // Stable sort keeps file order among equal codes; the last one wins.
        pairs.sort_by_key(|(code, _)| *code);
        let mut map = Self::default();
        for (code, value) in pairs {
            let start = map.text.len() as u32;
            map.text.push_str(&value);
            let span = (start, map.text.len() as u32);
            if map.codes.last() == Some(&code) {
                *map.spans.last_mut().expect("spans parallel codes") = span;
            } else {
                map.codes.push(code);
                map.spans.push(span);
            }
        }
        map
    }

    /// The text of `code`, if the map has it.
    pub fn get(&self, code: u32) -> Option<&str> {
        let index = self.codes.binary_search(&code).ok()?;
        let (start, end) = self.spans[index];
        self.text.get(start as usize..end as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    None,
    Char,
    Range,
}

#[derive(Debug)]
enum Operand {
    Str(Vec<u8>),
    ArrayStart,
    ArrayEnd,
}

fn code_of(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some(bytes.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|pair| u16::from(pair[0]) << 8 | u16::from(*pair.get(1).unwrap_or(&0)))
        .collect()
}

/// `<src> <dst>` pairs.
fn take_char(operands: &mut Vec<Operand>, pairs: &mut Vec<(u32, String)>) {
    if let [Operand::Str(src), Operand::Str(dst)] = operands.as_slice() {
        if let (Some(code), Ok(text)) = (code_of(src), String::from_utf16(&utf16_units(dst))) {
            pairs.push((code, text));
        }
        operands.clear();
    } else if operands.len() >= 2 {
        operands.clear();
    }
}

/// `<lo> <hi> <dst>` (the last UTF-16 unit of `dst` counts up) or `<lo> <hi> [<d1> <d2> ...]`.
fn take_range(operands: &mut Vec<Operand>, pairs: &mut Vec<(u32, String)>) {
    let (lo, hi) = match operands.as_slice() {
        [Operand::Str(lo), Operand::Str(hi), ..] => match (code_of(lo), code_of(hi)) {
            (Some(lo), Some(hi)) if lo <= hi => (lo, hi.min(lo.saturating_add(MAX_RANGE - 1))),
            _ => {
                operands.clear();
                return;
            }
        },
        [_, _, ..] => {
            operands.clear();
            return;
        }
        _ => return,
    };
    match &operands[2..] {
        [Operand::Str(dst)] => {
            let mut units = utf16_units(dst);
            if let Some(last) = units.len().checked_sub(1) {
                let base = units[last];
                for (i, code) in (lo..=hi).enumerate() {
                    units[last] = base.wrapping_add(i as u16);
                    if let Ok(text) = String::from_utf16(&units) {
                        pairs.push((code, text));
                    }
                }
            }
            operands.clear();
        }
        [Operand::ArrayStart, rest @ ..] if matches!(rest.last(), Some(Operand::ArrayEnd)) => {
            for (code, dst) in (lo..=hi).zip(rest) {
                if let Operand::Str(dst) = dst
                    && let Ok(text) = String::from_utf16(&utf16_units(dst))
                {
                    pairs.push((code, text));
                }
            }
            operands.clear();
        }
        [Operand::ArrayStart, ..] | [] => {}
        _ => operands.clear(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMAP: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
        /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
        /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
        1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
        3 beginbfchar <0001> <0053> <0002> <00540041> <0003> <D835DC00> endbfchar\n\
        2 beginbfrange <0010> <0012> <0061> <0020> <0021> [<0031> <FB01>] endbfrange\n\
        1 beginbfchar <0001> <0073> endbfchar\n\
        endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn chars_ranges_and_arrays_map_codes_to_text() {
        let map = ToUnicode::parse(CMAP);
        assert_eq!(map.get(0x0002), Some("TA"));
        assert_eq!(map.get(0x0003), Some("\u{1D400}"));
        assert_eq!(map.get(0x0010), Some("a"));
        assert_eq!(map.get(0x0012), Some("c"));
        assert_eq!(map.get(0x0020), Some("1"));
        assert_eq!(map.get(0x0021), Some("\u{FB01}"));
        assert_eq!(map.get(0x0013), None);
    }

    #[test]
    fn a_later_entry_for_the_same_code_wins() {
        assert_eq!(ToUnicode::parse(CMAP).get(0x0001), Some("s"));
    }

    #[test]
    fn broken_cmaps_give_what_they_can_without_panicking() {
        let map = ToUnicode::parse(b"beginbfchar <01> <0041> <02> endbfchar beginbfrange <05> <03> <0041> <FFFFFFFFFF> <01> <0041> endbfrange");
        assert_eq!(map.get(1), Some("A"));
        assert_eq!(map.get(2), None);
        assert!(
            ToUnicode::parse(b"beginbfrange <00> <FF> [<0041>")
                .get(0)
                .is_none()
        );
    }
}
