//! The fonts the fast path reads: composite (Type0, Identity-H) and simple (TrueType, Type1)
//! fonts with explicit widths, decoded through their ToUnicode map or WinAnsi. Anything else
//! is [`Unsupported`], and the caller falls back to pdf-extract.

use pdf_extract::{Dictionary, Document, Object};

use super::cmap::ToUnicode;

/// Why the fast path does not handle a font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

/// A loaded font: how to split a string into codes, each code's width and its text.
#[derive(Debug)]
pub struct Font {
    /// Composite fonts use 2-byte codes (Identity-H), simple fonts 1-byte codes.
    two_byte: bool,
    /// Glyph widths in 1/1000 text space units, indexed by code.
    widths: Vec<f32>,
    default_width: f32,
    to_unicode: Option<ToUnicode>,
    /// Fallback for simple fonts: WinAnsi.
    win_ansi: bool,
}

/// Dereferences `object` if it is a reference (one level, as lopdf stores objects).
pub fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    match object {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

pub fn dict_get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    resolve(doc, dict.get(key).ok()?)
}

/// A page attribute, looked up the page tree (Resources, MediaBox are inheritable).
pub fn inherited<'a>(doc: &'a Document, node: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = node;
    for _ in 0..32 {
        if let Some(value) = dict_get(doc, node, key) {
            return Some(value);
        }
        node = dict_get(doc, node, b"Parent")?.as_dict().ok()?;
    }
    None
}

pub fn number(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    dict_get(doc, dict, key)?.as_name().ok()
}

impl Font {
    pub fn load(doc: &Document, font: &Dictionary) -> Result<Self, Unsupported> {
        let to_unicode = match dict_get(doc, font, b"ToUnicode") {
            Some(Object::Stream(stream)) => {
                let data = stream
                    .decompressed_content()
                    .unwrap_or_else(|_| stream.content.clone());
                Some(ToUnicode::parse(&data))
            }
            _ => None,
        };
        match name(doc, font, b"Subtype") {
            Some(b"Type0") => Self::composite(doc, font, to_unicode),
            Some(b"TrueType" | b"Type1" | b"MMType1") => Self::simple(doc, font, to_unicode),
            _ => Err(Unsupported("font subtype")),
        }
    }

    fn composite(
        doc: &Document,
        font: &Dictionary,
        to_unicode: Option<ToUnicode>,
    ) -> Result<Self, Unsupported> {
        if name(doc, font, b"Encoding") != Some(&b"Identity-H"[..]) {
            return Err(Unsupported("composite font encoding other than Identity-H"));
        }
        let Some(to_unicode) = to_unicode else {
            return Err(Unsupported("composite font without ToUnicode"));
        };
        let descendant = dict_get(doc, font, b"DescendantFonts")
            .and_then(|d| d.as_array().ok())
            .and_then(|d| d.first())
            .and_then(|d| resolve(doc, d))
            .and_then(|d| d.as_dict().ok())
            .ok_or(Unsupported("composite font without a descendant"))?;
        let default_width = dict_get(doc, descendant, b"DW")
            .and_then(number)
            .unwrap_or(1000.0) as f32;
        let mut widths = Vec::new();
        if let Some(Object::Array(w)) = dict_get(doc, descendant, b"W") {
            cid_widths(doc, w, default_width, &mut widths)?;
        }
        Ok(Self {
            two_byte: true,
            widths,
            default_width,
            to_unicode: Some(to_unicode),
            win_ansi: false,
        })
    }

    fn simple(
        doc: &Document,
        font: &Dictionary,
        to_unicode: Option<ToUnicode>,
    ) -> Result<Self, Unsupported> {
        let first = dict_get(doc, font, b"FirstChar").and_then(number);
        let widths = dict_get(doc, font, b"Widths").and_then(|w| w.as_array().ok());
        let (Some(first), Some(widths)) = (first, widths) else {
            // The standard 14 fonts carry no widths; pdf-extract has their metrics.
            return Err(Unsupported("simple font without widths"));
        };
        let first = first.clamp(0.0, 255.0) as usize;
        let missing = dict_get(doc, font, b"MissingWidth")
            .and_then(number)
            .unwrap_or(0.0) as f32;
        let mut table = vec![missing; 256];
        for (slot, width) in table.iter_mut().skip(first).zip(widths) {
            *slot = resolve(doc, width).and_then(number).unwrap_or(0.0) as f32;
        }
        let encoding = dict_get(doc, font, b"Encoding");
        let win_ansi = match encoding {
            Some(Object::Name(n)) => n == b"WinAnsiEncoding",
            None => name(doc, font, b"Subtype") == Some(&b"TrueType"[..]),
            _ => false,
        };
        if !win_ansi && to_unicode.as_ref().is_none_or(ToUnicode::is_empty) {
            return Err(Unsupported(
                "simple font with a custom encoding and no ToUnicode",
            ));
        }
        Ok(Self {
            two_byte: false,
            widths: table,
            default_width: missing,
            to_unicode,
            win_ansi,
        })
    }

    /// Splits a shown string into `(code, byte length)`; a trailing odd byte of a 2-byte
    /// font is dropped.
    pub fn codes<'s>(&self, bytes: &'s [u8]) -> impl Iterator<Item = (u32, usize)> + 's {
        let step = if self.two_byte { 2 } else { 1 };
        bytes.chunks_exact(step).map(move |chunk| {
            let code = chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
            (code, step)
        })
    }

    /// Width of `code` in 1/1000 text space units.
    pub fn width(&self, code: u32) -> f64 {
        f64::from(
            self.widths
                .get(code as usize)
                .copied()
                .unwrap_or(self.default_width),
        )
    }

    /// Appends the text of `code`; unknown codes add nothing.
    pub fn decode(&self, code: u32, out: &mut String) {
        if let Some(text) = self.to_unicode.as_ref().and_then(|map| map.get(code)) {
            out.push_str(text);
        } else if self.win_ansi
            && let Some(c) = win_ansi(code)
        {
            out.push(c);
        }
    }
}

/// `W` array of a CIDFont: `c [w1 w2 ...]` and `c_first c_last w` runs.
fn cid_widths(
    doc: &Document,
    w: &[Object],
    default_width: f32,
    widths: &mut Vec<f32>,
) -> Result<(), Unsupported> {
    const MAX_CID: usize = 0xFFFF;
    let mut set = |cid: usize, width: f32| {
        if cid <= MAX_CID {
            if widths.len() <= cid {
                widths.resize(cid + 1, default_width);
            }
            widths[cid] = width;
        }
    };
    let mut i = 0;
    while i < w.len() {
        let first = resolve(doc, &w[i])
            .and_then(number)
            .ok_or(Unsupported("malformed W array"))? as usize;
        match w.get(i + 1).and_then(|o| resolve(doc, o)) {
            Some(Object::Array(run)) => {
                for (j, width) in run.iter().enumerate() {
                    set(first + j, number(width).unwrap_or(0.0) as f32);
                }
                i += 2;
            }
            Some(last) => {
                let last = number(last).ok_or(Unsupported("malformed W array"))? as usize;
                let width = w.get(i + 2).and_then(number).unwrap_or(0.0) as f32;
                for cid in first..=last.min(MAX_CID) {
                    set(cid, width);
                }
                i += 3;
            }
            None => break,
        }
    }
    Ok(())
}

/// WinAnsiEncoding (Windows-1252 with the PDF glyph names' meanings).
fn win_ansi(code: u32) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match code {
        0x20..=0x7E => char::from_u32(code),
        0x80..=0x9F => {
            let unit = HIGH[(code - 0x80) as usize];
            (unit != 0)
                .then(|| char::from_u32(u32::from(unit)))
                .flatten()
        }
        0xA0 => Some(' '),
        0xAD => Some('-'),
        0xA1..=0xFF => char::from_u32(code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_ansi_maps_the_windows_1252_specials() {
        assert_eq!(win_ansi(0x41), Some('A'));
        assert_eq!(win_ansi(0x93), Some('\u{201C}'));
        assert_eq!(win_ansi(0x96), Some('\u{2013}'));
        assert_eq!(win_ansi(0xE9), Some('é'));
        assert_eq!(win_ansi(0x81), None);
        assert_eq!(win_ansi(0x0A), None);
    }

    #[test]
    fn cid_widths_read_both_run_forms() {
        let doc = Document::new();
        let w = vec![
            Object::Integer(3),
            Object::Array(vec![Object::Integer(500), Object::Real(250.0)]),
            Object::Integer(10),
            Object::Integer(12),
            Object::Integer(700),
        ];
        let mut widths = Vec::new();
        cid_widths(&doc, &w, 1000.0, &mut widths).unwrap();
        assert_eq!(
            &widths[..],
            &[
                1000.0, 1000.0, 1000.0, 500.0, 250.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0,
                700.0, 700.0, 700.0
            ]
        );
    }
}
