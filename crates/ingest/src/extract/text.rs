//! Byte-level text handling: telling text from binary, and decoding with BOM support.

use std::borrow::Cow;

use super::error::ExtractError;

/// How many leading bytes the binary check looks at.
const SNIFF_BYTES: usize = 8 * 1024;

/// True when the bytes are not text: a NUL byte, or more than 1% control characters other
/// than tab, line breaks, form feed and escape. UTF-16 with a BOM counts as text.
pub fn looks_binary(bytes: &[u8]) -> bool {
    if utf16_bom(bytes).is_some() {
        return false;
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let mut controls = 0usize;
    for &b in head {
        match b {
            0 => return true,
            b'\t' | b'\n' | b'\r' | 0x0C | 0x1B => {}
            b if b < 0x20 || b == 0x7F => controls += 1,
            _ => {}
        }
    }
    controls * 100 > head.len()
}

/// Decode text: UTF-8 (a BOM is dropped) or UTF-16 with a BOM. Anything else is
/// [`ExtractError::InvalidUtf8`] naming the first bad byte.
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, ExtractError> {
    if let Some(big_endian) = utf16_bom(bytes) {
        return Ok(Cow::Owned(decode_utf16(&bytes[2..], big_endian)));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(body)
        .map(Cow::Borrowed)
        .map_err(|e| ExtractError::InvalidUtf8 {
            offset: e.valid_up_to() + (bytes.len() - body.len()),
        })
}

/// `Some(true)` for a UTF-16BE BOM, `Some(false)` for UTF-16LE.
fn utf16_bom(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xFE, 0xFF, ..] => Some(true),
        [0xFF, 0xFE, ..] => Some(false),
        _ => None,
    }
}

fn decode_utf16(bytes: &[u8], big_endian: bool) -> String {
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_a_bom_decodes_without_it() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFJane").unwrap(), "Jane");
    }

    #[test]
    fn utf16_little_endian_with_a_bom_decodes() {
        assert_eq!(decode_text(b"\xFF\xFEJ\0o\0").unwrap(), "Jo");
    }

    #[test]
    fn latin1_bytes_are_invalid_utf8_at_their_offset() {
        assert_eq!(
            decode_text(b"Jos\xE9 Garc\xEDa"),
            Err(ExtractError::InvalidUtf8 { offset: 3 })
        );
    }

    #[test]
    fn nul_bytes_and_control_runs_are_binary_but_resume_text_is_not() {
        assert!(looks_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(looks_binary(&[0x01, 0x02, 0x03, b'a', b'b']));
        assert!(!looks_binary(
            "Jane Doe\r\n\tRust \u{2022} SQL\n".as_bytes()
        ));
        assert!(!looks_binary(b"Jos\xE9 Garc\xEDa"));
    }
}
