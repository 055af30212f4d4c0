//! HTML job descriptions to clean plain text.
//!
//! Job boards escape their HTML once or twice (`&amp;lt;p&amp;gt;`), so escaped markup is
//! decoded until it is real markup, tags are stripped (scripts and styles with their content),
//! block elements become line breaks, list items become `- ` bullets and whitespace collapses.

use std::borrow::Cow;

use html_escape::decode_html_entities;

/// Rounds of entity decoding before giving up on ever deeper escaping.
const MAX_DECODE_ROUNDS: usize = 4;

/// Elements whose content is never text.
const SKIPPED_ELEMENTS: &[&str] = &["script", "style", "noscript", "head", "template", "svg"];

/// Elements that end a paragraph: a blank line around them.
const PARAGRAPH_ELEMENTS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "dl",
    "table",
    "pre",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "hr",
];

/// Elements that end a line.
const LINE_ELEMENTS: &[&str] = &[
    "br", "div", "tr", "dd", "dt", "li", "address", "figure", "form", "main", "nav",
];

/// True when the text holds a tag such as `<p>` or `</div>` (not `a < b`).
pub fn has_markup(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// True when the text holds escaped markup such as `&lt;p&gt;` or `&amp;lt;p&amp;gt;` and
/// no real tags.
fn has_escaped_markup(text: &str) -> bool {
    !has_markup(text)
        && text.match_indices("lt;").any(|(i, _)| {
            let escaped = text[..i].ends_with('&') || text[..i].ends_with("amp;");
            escaped
                && text
                    .as_bytes()
                    .get(i + 3)
                    .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/' || *b == b'!')
        })
}

/// Decodes HTML entities repeatedly until the text no longer changes (at most a few rounds),
/// so `&amp;amp;pound;` becomes `£`.
pub fn decode_entities(text: &str) -> Cow<'_, str> {
    let mut current: Cow<'_, str> = Cow::Borrowed(text);
    for _ in 0..MAX_DECODE_ROUNDS {
        if !current.contains('&') {
            break;
        }
        let decoded = decode_html_entities(current.as_ref()).into_owned();
        if decoded == current.as_ref() {
            break;
        }
        current = Cow::Owned(decoded);
    }
    current
}

/// Converts an HTML fragment (possibly entity-escaped several times) to clean plain text.
pub fn html_to_text(html: &str) -> String {
    let mut markup: Cow<'_, str> = Cow::Borrowed(html);
    for _ in 0..MAX_DECODE_ROUNDS {
        if !has_escaped_markup(&markup) {
            break;
        }
        markup = Cow::Owned(decode_html_entities(markup.as_ref()).into_owned());
    }
    let mut out = TextBuilder::default();
    strip_tags(&markup, &mut out);
    out.finish()
}

/// Walks the markup, feeding text runs and structural breaks to the builder.
fn strip_tags(markup: &str, out: &mut TextBuilder) {
    let bytes = markup.as_bytes();
    let mut pos = 0;
    let mut text_start = 0;
    while pos < bytes.len() {
        if bytes[pos] != b'<' || !starts_tag(bytes, pos) {
            pos += 1;
            continue;
        }
        out.text(&markup[text_start..pos]);
        if markup[pos..].starts_with("<!--") {
            pos = markup[pos + 4..]
                .find("-->")
                .map_or(bytes.len(), |end| pos + 4 + end + 3);
            text_start = pos;
            continue;
        }
        let tag_end = find_tag_end(bytes, pos);
        let inner_end = if bytes[tag_end - 1] == b'>' {
            tag_end - 1
        } else {
            tag_end
        };
        let tag = Tag::parse(&markup[pos + 1..inner_end.max(pos + 1)]);
        pos = tag_end;
        if !tag.closing && SKIPPED_ELEMENTS.contains(&tag.name.as_str()) {
            pos = find_closing(markup, pos, &tag.name);
        } else {
            out.element(&tag);
        }
        text_start = pos;
    }
    out.text(&markup[text_start..]);
}

fn starts_tag(bytes: &[u8], pos: usize) -> bool {
    bytes
        .get(pos + 1)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/' || *b == b'!' || *b == b'?')
}

/// Index just past the `>` closing the tag opened at `start`, honouring quoted attributes.
fn find_tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(start + 1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return i + 1,
            None => {}
        }
    }
    bytes.len()
}

/// Index just past `</name ...>` after `from`, or the end of the input.
fn find_closing(markup: &str, from: usize, name: &str) -> usize {
    let lower = markup[from..].to_ascii_lowercase();
    let needle = format!("</{name}");
    match lower.find(&needle) {
        Some(i) => find_tag_end(markup.as_bytes(), from + i),
        None => markup.len(),
    }
}

struct Tag {
    name: String,
    closing: bool,
}

impl Tag {
    /// Parses the inside of `<...>`.
    fn parse(inner: &str) -> Self {
        let trimmed = inner.trim_start();
        let (closing, rest) = match trimmed.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let name = rest
            .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Self { name, closing }
    }
}

/// Accumulates text with collapsed whitespace and at most one blank line between blocks.
#[derive(Default)]
struct TextBuilder {
    out: String,
    /// Pending break: 0 none, 1 line break, 2 paragraph break.
    pending_break: u8,
    pending_space: bool,
    pending_bullet: bool,
    pre_depth: usize,
}

impl TextBuilder {
    fn element(&mut self, tag: &Tag) {
        let name = tag.name.as_str();
        if name == "pre" {
            self.pre_depth = if tag.closing {
                self.pre_depth.saturating_sub(1)
            } else {
                self.pre_depth + 1
            };
        }
        if PARAGRAPH_ELEMENTS.contains(&name) {
            self.request_break(2);
        } else if LINE_ELEMENTS.contains(&name) {
            self.request_break(1);
        } else if name == "td" || name == "th" {
            self.pending_space = true;
        }
        if name == "li" && !tag.closing {
            self.pending_bullet = true;
        }
    }

    fn request_break(&mut self, strength: u8) {
        self.pending_break = self.pending_break.max(strength);
        self.pending_space = false;
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        if self.pre_depth > 0 {
            let mut lines = decoded.split('\n');
            if let Some(first) = lines.next() {
                self.words(first);
            }
            for line in lines {
                self.request_break(1);
                self.words(line);
            }
        } else {
            self.words(&decoded);
        }
    }

    fn words(&mut self, text: &str) {
        if text.starts_with(is_space) {
            self.pending_space = true;
        }
        for (i, word) in text.split(is_space).filter(|w| !w.is_empty()).enumerate() {
            if i > 0 {
                self.pending_space = true;
            }
            self.push_word(word);
        }
        if text.ends_with(is_space) {
            self.pending_space = true;
        }
    }

    fn push_word(&mut self, word: &str) {
        if !self.out.is_empty() {
            match self.pending_break {
                0 if self.pending_space => self.out.push(' '),
                0 => {}
                1 => self.out.push('\n'),
                _ => self.out.push_str("\n\n"),
            }
        }
        if self.pending_bullet {
            self.out.push_str("- ");
            self.pending_bullet = false;
        }
        self.pending_break = 0;
        self.pending_space = false;
        self.out.push_str(word);
    }

    fn finish(self) -> String {
        self.out
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubly_escaped_paragraphs_become_plain_lines() {
        let html = "&amp;lt;p&amp;gt;We need a nurse.&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;Band 5&amp;lt;/p&amp;gt;";
        assert_eq!(html_to_text(html), "We need a nurse.\n\nBand 5");
    }

    #[test]
    fn singly_escaped_markup_with_escaped_ampersands_decodes_to_text() {
        let html = "&lt;p&gt;Nights &amp;amp; weekends &amp;pound;20&lt;/p&gt;";
        assert_eq!(html_to_text(html), "Nights & weekends £20");
    }

    #[test]
    fn lists_become_dash_bullets_on_their_own_lines() {
        let html =
            "<p>You have:</p><ul><li>Rust</li><li> SQL <b>and</b> Git </li></ul><p>Apply now</p>";
        assert_eq!(
            html_to_text(html),
            "You have:\n\n- Rust\n- SQL and Git\n\nApply now"
        );
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped_with_their_content() {
        let html =
            "<style>p{color:red}</style>Hello<script>alert('x<y')</script> <!-- hidden --> world";
        assert_eq!(html_to_text(html), "Hello world");
    }

    #[test]
    fn whitespace_and_non_breaking_spaces_collapse() {
        let html = "<div>  one\n\t two&nbsp;&nbsp;three </div><br/><br/><div>four</div>";
        assert_eq!(html_to_text(html), "one two three\nfour");
    }

    #[test]
    fn attributes_with_angle_brackets_inside_quotes_do_not_end_the_tag() {
        let html = "<a href=\"x\" title=\"a > b\">link</a> text";
        assert_eq!(html_to_text(html), "link text");
    }

    #[test]
    fn preformatted_blocks_keep_their_line_breaks() {
        let html = "<p>Stack:</p><pre><code>  - Rust\n  - Postgres\n</code></pre>End";
        assert_eq!(html_to_text(html), "Stack:\n\n- Rust\n- Postgres\n\nEnd");
    }

    #[test]
    fn a_less_than_sign_in_text_is_not_a_tag() {
        assert_eq!(html_to_text("teams of < 10 &lt;3"), "teams of < 10 <3");
    }

    #[test]
    fn an_unterminated_tag_drops_the_rest_without_panicking() {
        assert_eq!(html_to_text("before <p class=\"x"), "before");
    }

    #[test]
    fn hex_entities_such_as_slashes_decode() {
        assert_eq!(
            html_to_text("https:&#x2F;&#x2F;example.com &#8211; ok"),
            "https://example.com – ok"
        );
    }

    #[test]
    fn decode_entities_stops_when_stable() {
        assert_eq!(decode_entities("&amp;amp;amp;lt;"), "<");
        assert_eq!(decode_entities("plain"), "plain");
    }
}
