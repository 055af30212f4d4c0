//! HTML to text: scripts, styles and comments dropped, block elements end lines, list items
//! become bullets, table cells are tab-separated and entities are decoded.

use super::normalize::BULLET;

/// Elements whose content is not document text: invisible, or page chrome (nav, footer).
const HIDDEN: &[&str] = &[
    "script", "style", "head", "noscript", "template", "svg", "iframe", "object", "canvas",
    "footer", "nav",
];

/// Elements that start and end a line of text.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
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
    "nav",
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
];

/// Raw (unnormalised) text of an HTML document.
pub fn html_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() / 2);
    let mut position = 0;
    let mut pre_depth = 0u32;
    while position < html.len() {
        let Some(offset) = html[position..].find('<') else {
            push_text(&mut out, &html[position..], pre_depth > 0);
            break;
        };
        push_text(&mut out, &html[position..position + offset], pre_depth > 0);
        let tag_start = position + offset;
        position = skip_markup(html, &lower, tag_start, &mut out, &mut pre_depth);
    }
    out
}

/// Handle the markup at `start` (a `<`) and return the index just past it.
fn skip_markup(
    html: &str,
    lower: &str,
    start: usize,
    out: &mut String,
    pre_depth: &mut u32,
) -> usize {
    let rest = &lower[start..];
    if rest.starts_with("<!--") {
        return rest
            .find("-->")
            .map_or(html.len(), |end| start + end + "-->".len());
    }
    if rest.starts_with("<!") || rest.starts_with("<?") {
        return after_tag_end(lower, start);
    }
    let closing = rest.starts_with("</");
    let name_start = start + if closing { 2 } else { 1 };
    let name_len = lower[name_start..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        // A bare "<" in text, as in "a < b".
        out.push('<');
        return start + 1;
    }
    let name = &lower[name_start..name_start + name_len];
    let end = after_tag_end(lower, start);
    let self_closing = lower[..end].ends_with("/>");
    if !closing && !self_closing && HIDDEN.contains(&name) {
        let close = format!("</{name}");
        return lower[end..]
            .find(&close)
            .map_or(html.len(), |found| after_tag_end(lower, end + found));
    }
    if BLOCK.contains(&name) && !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    match (name, closing) {
        ("li", false) => {
            out.push(BULLET);
            out.push(' ');
        }
        ("br", _) => out.push('\n'),
        ("td" | "th", true) => out.push('\t'),
        ("pre", false) => *pre_depth += 1,
        ("pre", true) => *pre_depth = pre_depth.saturating_sub(1),
        _ => {}
    }
    end
}

/// Index just past the `>` that closes the tag starting at `start`, skipping quoted values.
fn after_tag_end(lower: &str, start: usize) -> usize {
    let mut quote = None;
    for (i, b) in lower.bytes().enumerate().skip(start + 1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    lower.len()
}

/// Append decoded text; outside `<pre>` any whitespace run is one space, as browsers show it.
fn push_text(out: &mut String, raw: &str, preformatted: bool) {
    if raw.is_empty() {
        return;
    }
    let decoded = html_escape::decode_html_entities(raw);
    if preformatted {
        out.push_str(&decoded);
        return;
    }
    for c in decoded.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}') {
            if !out.ends_with([' ', '\n']) && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::extract::normalize::normalize_text;

    fn text(html: &str) -> String {
        normalize_text(&html_text(html))
    }

    #[test]
    fn blocks_become_lines_and_inline_tags_vanish() {
        let html = "<html><head><title>CV</title><style>p{color:red}</style></head><body>\
            <h1>Jane   Doe</h1><p>Senior <b>Rust</b>\n engineer</p><div>Berlin</div></body></html>";
        assert_eq!(text(html), "Jane Doe\nSenior Rust engineer\nBerlin");
    }

    #[test]
    fn scripts_comments_and_entities_are_handled() {
        let html = "<p>R&amp;D &eacute;quipe&nbsp;lead &#8211; 2020</p><!-- <p>hidden</p> -->\
            <script type=\"text/javascript\">if (a < b) { x = '</p>'; }</script><p>after</p>";
        assert_eq!(text(html), "R&D \u{E9}quipe lead \u{2013} 2020\nafter");
    }

    #[test]
    fn lists_become_bullets_and_tables_tab_separated_rows() {
        let html = "<ul><li>Rust</li><li>SQL</li></ul>\
            <table><tr><th>Skill</th><th>Level</th></tr><tr><td>Go</td><td>Expert</td></tr></table>";
        assert_eq!(text(html), "• Rust\n• SQL\nSkill\tLevel\nGo\tExpert");
    }

    #[test]
    fn quoted_greater_than_signs_do_not_end_a_tag() {
        assert_eq!(
            text(r#"<a title="a > b" href='x'>link</a> text"#),
            "link text"
        );
    }

    #[test]
    fn a_bare_less_than_sign_stays_text() {
        assert_eq!(text("<p>latency < 5 ms</p>"), "latency < 5 ms");
    }

    #[test]
    fn preformatted_text_keeps_its_lines() {
        assert_eq!(text("<pre>a  b\nc</pre>"), "a b\nc");
    }
}
