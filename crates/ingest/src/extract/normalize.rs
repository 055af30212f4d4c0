//! Text cleanup shared by every format, keeping line structure intact.
//!
//! Later stages find section headings line by line, so this never joins lines: it only
//! cleans characters inside lines, trims line ends and collapses runs of blank lines.

use unicode_normalization::UnicodeNormalization;

/// The bullet every bullet-like glyph becomes.
pub const BULLET: char = '•';

/// Clean raw extracted text: NFC, `\r\n`/`\r` to `\n`, odd spaces to a plain space, ligatures
/// expanded, bullet glyphs unified to [`BULLET`], control and zero-width characters dropped,
/// runs of spaces collapsed, lines trimmed, at most one blank line in a row, no blank lines at
/// the start or end.
pub fn normalize_text(raw: &str) -> String {
    let mut cleaned = String::with_capacity(raw.len());
    let mut chars = raw.nfc().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    cleaned.push('\n');
                }
            }
            '\n' | '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}' => cleaned.push('\n'),
            '\t' => cleaned.push('\t'),
            '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}' => cleaned.push(' '),
            '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            c if c.is_control() => {}
            c => match expand_ligature(c) {
                Some(expanded) => cleaned.push_str(expanded),
                None if is_bullet(c) => cleaned.push(BULLET),
                None => cleaned.push(c),
            },
        }
    }
    tidy_lines(&cleaned)
}

/// Collapse space runs inside lines, trim each line and keep at most one blank line in a row.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_blank = false;
    for line in text.split('\n') {
        let line = collapse_spaces(line.trim_matches([' ', '\t']));
        if line.is_empty() {
            pending_blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if pending_blank {
                out.push('\n');
            }
        }
        pending_blank = false;
        out.push_str(&line);
    }
    out
}

fn collapse_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match (c, out.chars().next_back()) {
            // Spaces next to a tab or another space are layout noise.
            (' ', Some(' ' | '\t')) => {}
            ('\t', Some(' ')) => {
                out.pop();
                out.push('\t');
            }
            _ => out.push(c),
        }
    }
    out
}

fn expand_ligature(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{FB00}' => "ff",
        '\u{FB01}' => "fi",
        '\u{FB02}' => "fl",
        '\u{FB03}' => "ffi",
        '\u{FB04}' => "ffl",
        '\u{FB05}' | '\u{FB06}' => "st",
        '\u{0132}' => "IJ",
        '\u{0133}' => "ij",
        '\u{0152}' => "OE",
        '\u{0153}' => "oe",
        _ => return None,
    })
}

/// Bullet glyphs seen in resumes, including Symbol/Wingdings private-use code points that
/// Word exports for list markers. The middle dot is not here: it often separates items.
fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '•' | '●'
            | '▪'
            | '■'
            | '◦'
            | '○'
            | '◆'
            | '◇'
            | '►'
            | '▸'
            | '▶'
            | '‣'
            | '⁃'
            | '∙'
            | '➢'
            | '➤'
            | '✓'
            | '✔'
            | '\u{F0A7}'
            | '\u{F0B7}'
            | '\u{F076}'
            | '\u{F0D8}'
            | '\u{F0FC}'
    )
}

/// Number of alphanumeric characters, the measure of "has real text".
pub fn alphanumeric_count(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_spaces_and_blank_lines_are_normalised() {
        let raw = "  Jane\u{A0}\u{A0}Doe  \r\n\r\n\r\n\r\nSkills\rRust   and\u{202F}SQL\n\n";
        assert_eq!(normalize_text(raw), "Jane Doe\n\nSkills\nRust and SQL");
    }

    #[test]
    fn ligatures_bullets_and_controls_are_cleaned() {
        let raw = "\u{FB01}nance o\u{FB03}ce\n\u{F0B7} Rust\n● SQL\u{0}\u{7}\n▪\tGo\u{200B}";
        assert_eq!(normalize_text(raw), "finance office\n• Rust\n• SQL\n•\tGo");
    }

    #[test]
    fn tabs_survive_but_spaces_around_them_do_not() {
        assert_eq!(normalize_text("Skill \t Level\n"), "Skill\tLevel");
        assert_eq!(normalize_text("a\tb"), "a\tb");
    }

    #[test]
    fn decomposed_accents_are_composed() {
        assert_eq!(normalize_text("Jose\u{301}"), "Jos\u{E9}");
    }

    #[test]
    fn form_feed_and_vertical_tab_become_line_breaks() {
        assert_eq!(
            normalize_text("page one\u{0C}page two\u{0B}x"),
            "page one\npage two\nx"
        );
    }
}
