//! HTML to plain text, for resumes (HTML files, e-mail bodies) and job descriptions alike.
//!
//! One walker strips tags (scripts, styles and other hidden elements with their content),
//! decodes entities, collapses whitespace outside `<pre>`, ends lines at block elements,
//! turns list items into bullets and separates table cells. An [`HtmlStyle`] says what differs
//! between the two uses: [`HtmlStyle::RESUME`] keeps page structure line by line (`•`
//! bullets, tab-separated cells, page chrome dropped); [`HtmlStyle::JOB_DESCRIPTION`] puts
//! blank lines between paragraphs, uses `-` bullets and first decodes markup that job boards
//! escaped once or twice (`&amp;lt;p&amp;gt;`).

use std::borrow::Cow;

use html_escape::decode_html_entities;

/// Rounds of entity decoding before giving up on ever deeper escaping.
const MAX_DECODE_ROUNDS: usize = 4;

/// What differs between resume HTML and job description HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HtmlStyle {
    /// Elements dropped with their content.
    pub hidden: &'static [&'static str],
    /// Elements that end a paragraph (see `paragraph_break`).
    pub paragraph: &'static [&'static str],
    /// Elements that end a line.
    pub line: &'static [&'static str],
    /// Line breaks a paragraph element asks for: 1 (a new line) or 2 (a blank line).
    pub paragraph_break: u8,
    /// Put before a list item's text.
    pub bullet: &'static str,
    /// Put between table cells on a row.
    pub cell_separator: char,
    /// Decode markup that arrives entity-escaped, and text entities until stable; otherwise
    /// entities are decoded once.
    pub unescape_markup: bool,
}

impl HtmlStyle {
    /// Resume documents: every block element is a line of its own.
    pub const RESUME: Self = Self {
        hidden: &[
            "script", "style", "head", "noscript", "template", "svg", "iframe", "object", "canvas",
            "footer", "nav",
        ],
        paragraph: &[],
        line: &[
            "address",
            "article",
            "aside",
            "blockquote",
            "br",
            "caption",
            "dd",
            "div",
            "dl",
            "dt",
            "fieldset",
            "figcaption",
            "figure",
            "form",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "header",
            "hr",
            "li",
            "main",
            "ol",
            "p",
            "pre",
            "section",
            "table",
            "tbody",
            "thead",
            "tfoot",
            "tr",
            "ul",
            "body",
            "html",
        ],
        paragraph_break: 1,
        bullet: "\u{2022} ",
        cell_separator: '\t',
        unescape_markup: false,
    };

    /// Job descriptions: paragraphs separated by blank lines, `- ` bullets.
    pub const JOB_DESCRIPTION: Self = Self {
        hidden: &["script", "style", "noscript", "head", "template", "svg"],
        paragraph: &[
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
        ],
        line: &[
            "br", "div", "tr", "dd", "dt", "li", "address", "figure", "form", "main", "nav",
        ],
        paragraph_break: 2,
        bullet: "- ",
        cell_separator: ' ',
        unescape_markup: true,
    };
}

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

/// Converts HTML to plain text in the given style.
pub fn html_to_text(html: &str, style: &HtmlStyle) -> String {
    let mut markup: Cow<'_, str> = Cow::Borrowed(html);
    if style.unescape_markup {
        for _ in 0..MAX_DECODE_ROUNDS {
            if !has_escaped_markup(&markup) {
                break;
            }
            markup = Cow::Owned(decode_html_entities(markup.as_ref()).into_owned());
        }
    }
    let mut out = TextBuilder::new(style, markup.len());
    strip_tags(&markup, style, &mut out);
    out.out
}

/// A job description (possibly entity-escaped markup) as plain text.
pub fn job_description_text(html: &str) -> String {
    html_to_text(html, &HtmlStyle::JOB_DESCRIPTION)
}

/// Walks the markup, feeding text runs and structural breaks to the builder.
fn strip_tags(markup: &str, style: &HtmlStyle, out: &mut TextBuilder<'_>) {
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
        if !tag.closing && !tag.self_closing && style.hidden.contains(&tag.name.as_str()) {
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
    self_closing: bool,
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
        Self {
            name,
            closing,
            self_closing: inner.trim_end().ends_with('/'),
        }
    }
}

/// Accumulates text with collapsed whitespace and at most one blank line between blocks.
struct TextBuilder<'s> {
    style: &'s HtmlStyle,
    out: String,
    /// Pending break: 0 none, 1 line break, 2 paragraph break.
    pending_break: u8,
    pending_space: bool,
    pending_cell: bool,
    pending_bullet: bool,
    pre_depth: usize,
}

impl<'s> TextBuilder<'s> {
    fn new(style: &'s HtmlStyle, input_len: usize) -> Self {
        Self {
            style,
            out: String::with_capacity(input_len / 2),
            pending_break: 0,
            pending_space: false,
            pending_cell: false,
            pending_bullet: false,
            pre_depth: 0,
        }
    }

    fn element(&mut self, tag: &Tag) {
        let name = tag.name.as_str();
        if name == "pre" {
            self.pre_depth = if tag.closing {
                self.pre_depth.saturating_sub(1)
            } else {
                self.pre_depth + 1
            };
        }
        if self.style.paragraph.contains(&name) {
            self.request_break(self.style.paragraph_break);
        } else if self.style.line.contains(&name) {
            self.request_break(1);
        } else if name == "td" || name == "th" {
            if tag.closing {
                self.pending_cell = true;
            } else {
                self.pending_space = true;
            }
        }
        if name == "li" && !tag.closing {
            self.pending_bullet = true;
        }
    }

    fn request_break(&mut self, strength: u8) {
        self.pending_break = self.pending_break.max(strength);
        self.pending_space = false;
        self.pending_cell = false;
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = if self.style.unescape_markup {
            decode_entities(raw)
        } else {
            decode_html_entities(raw)
        };
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
                0 if self.pending_cell => self.out.push(self.style.cell_separator),
                0 if self.pending_space => self.out.push(' '),
                0 => {}
                1 => self.out.push('\n'),
                _ => self.out.push_str("\n\n"),
            }
        }
        if self.pending_bullet {
            self.out.push_str(self.style.bullet);
            self.pending_bullet = false;
        }
        self.pending_break = 0;
        self.pending_space = false;
        self.pending_cell = false;
        self.out.push_str(word);
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::normalize_text;

    fn resume(html: &str) -> String {
        normalize_text(&html_to_text(html, &HtmlStyle::RESUME))
    }

    fn job(html: &str) -> String {
        html_to_text(html, &HtmlStyle::JOB_DESCRIPTION)
    }

    // Resume style.

    #[test]
    fn blocks_become_lines_and_inline_tags_vanish() {
        let html = "<html><head><title>CV</title><style>p{color:red}</style></head><body>\
            <h1>Jane   Doe</h1><p>Senior <b>Rust</b>\n engineer</p><div>Berlin</div></body></html>";
        assert_eq!(resume(html), "Jane Doe\nSenior Rust engineer\nBerlin");
    }

    #[test]
    fn scripts_comments_and_entities_are_handled() {
        let html = "<p>R&amp;D &eacute;quipe&nbsp;lead &#8211; 2020</p><!-- <p>hidden</p> -->\
            <script type=\"text/javascript\">if (a < b) { x = '</p>'; }</script><p>after</p>";
        assert_eq!(resume(html), "R&D \u{E9}quipe lead \u{2013} 2020\nafter");
    }

    #[test]
    fn lists_become_bullets_and_tables_tab_separated_rows() {
        let html = "<ul><li>Rust</li><li>SQL</li></ul>\
            <table><tr><th>Skill</th><th>Level</th></tr><tr><td>Go</td><td>Expert</td></tr></table>";
        assert_eq!(resume(html), "• Rust\n• SQL\nSkill\tLevel\nGo\tExpert");
    }

    #[test]
    fn quoted_greater_than_signs_do_not_end_a_tag() {
        assert_eq!(
            resume(r#"<a title="a > b" href='x'>link</a> text"#),
            "link text"
        );
    }

    #[test]
    fn a_bare_less_than_sign_stays_text() {
        assert_eq!(resume("<p>latency < 5 ms</p>"), "latency < 5 ms");
    }

    #[test]
    fn preformatted_text_keeps_its_lines() {
        assert_eq!(resume("<pre>a  b\nc</pre>"), "a b\nc");
    }

    #[test]
    fn page_chrome_is_dropped_from_resumes_but_escaped_text_stays_escaped() {
        let html = "<nav>Home | About</nav><p>Jane &amp;lt;3 Rust</p><footer>© 2024</footer>";
        assert_eq!(resume(html), "Jane &lt;3 Rust");
    }

    // Job description style.

    #[test]
    fn doubly_escaped_paragraphs_become_plain_lines() {
        let html = "&amp;lt;p&amp;gt;We need a nurse.&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;Band 5&amp;lt;/p&amp;gt;";
        assert_eq!(job(html), "We need a nurse.\n\nBand 5");
    }

    #[test]
    fn singly_escaped_markup_with_escaped_ampersands_decodes_to_text() {
        let html = "&lt;p&gt;Nights &amp;amp; weekends &amp;pound;20&lt;/p&gt;";
        assert_eq!(job(html), "Nights & weekends £20");
    }

    #[test]
    fn lists_become_dash_bullets_on_their_own_lines() {
        let html =
            "<p>You have:</p><ul><li>Rust</li><li> SQL <b>and</b> Git </li></ul><p>Apply now</p>";
        assert_eq!(job(html), "You have:\n\n- Rust\n- SQL and Git\n\nApply now");
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped_with_their_content() {
        let html =
            "<style>p{color:red}</style>Hello<script>alert('x<y')</script> <!-- hidden --> world";
        assert_eq!(job(html), "Hello world");
    }

    #[test]
    fn whitespace_and_non_breaking_spaces_collapse() {
        let html = "<div>  one\n\t two&nbsp;&nbsp;three </div><br/><br/><div>four</div>";
        assert_eq!(job(html), "one two three\nfour");
    }

    #[test]
    fn attributes_with_angle_brackets_inside_quotes_do_not_end_the_tag() {
        let html = "<a href=\"x\" title=\"a > b\">link</a> text";
        assert_eq!(job(html), "link text");
    }

    #[test]
    fn preformatted_blocks_keep_their_line_breaks() {
        let html = "<p>Stack:</p><pre><code>  - Rust\n  - Postgres\n</code></pre>End";
        assert_eq!(job(html), "Stack:\n\n- Rust\n- Postgres\n\nEnd");
    }

    #[test]
    fn a_less_than_sign_in_text_is_not_a_tag() {
        assert_eq!(job("teams of < 10 &lt;3"), "teams of < 10 <3");
    }

    #[test]
    fn an_unterminated_tag_drops_the_rest_without_panicking() {
        assert_eq!(job("before <p class=\"x"), "before");
    }

    #[test]
    fn hex_entities_such_as_slashes_decode() {
        assert_eq!(
            job("https:&#x2F;&#x2F;example.com &#8211; ok"),
            "https://example.com – ok"
        );
    }

    #[test]
    fn table_cells_are_space_separated_in_job_descriptions() {
        assert_eq!(
            job("<table><tr><td>Band</td><td>5</td></tr></table>"),
            "Band 5"
        );
    }

    #[test]
    fn decode_entities_stops_when_stable() {
        assert_eq!(decode_entities("&amp;amp;amp;lt;"), "<");
        assert_eq!(decode_entities("plain"), "plain");
    }
}
