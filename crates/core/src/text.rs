//! Which characters a text of the input may hold: anything but a control character,
//! except line feed, carriage return and tab. NUL cannot be stored in PostgreSQL text
//! (SQLite would store it), and no field has a use for the other control characters, so
//! every input boundary refuses them the same way on both backends.

use serde_json::Value;

/// Whether `c` may appear in a text of the input.
pub fn allowed_char(c: char) -> bool {
    !c.is_control() || matches!(c, '\n' | '\r' | '\t')
}

/// The first character of `text` that [`allowed_char`] refuses.
pub fn refused_char(text: &str) -> Option<char> {
    text.chars().find(|&c| !allowed_char(c))
}

/// The reason given for a refused character.
pub fn refused_reason(c: char) -> String {
    format!(
        "must not contain control characters (found U+{:04X})",
        u32::from(c)
    )
}

/// The first refused character in any string or object key of `value`, with where it is
/// in the notation of serde's paths (`skills[2].name`; empty: the value itself).
pub fn refused_in_json(value: &Value) -> Option<(String, char)> {
    let mut path = String::new();
    find(value, &mut path).map(|c| (path, c))
}

fn find(value: &Value, path: &mut String) -> Option<char> {
    match value {
        Value::String(text) => refused_char(text),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = find(item, path);
            if found.is_none() {
                path.truncate(len);
            }
            found
        }),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.extend(key.escape_debug());
            let found = refused_char(key).or_else(|| find(item, path));
            if found.is_none() {
                path.truncate(len);
            }
            found
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn control_characters_are_found_with_their_path() {
        assert_eq!(refused_in_json(&json!({"a": "fine\n\t\r é 😀"})), None);
        assert_eq!(
            refused_in_json(&json!({"a": {"b": [1, "x", "\u{0}"]}})),
            Some(("a.b[2]".into(), '\0'))
        );
        assert_eq!(
            refused_in_json(&json!({"k\u{1}": 1})),
            Some(("k\\u{1}".into(), '\u{1}'))
        );
        assert_eq!(
            refused_in_json(&json!("\u{7f}")),
            Some((String::new(), '\u{7f}'))
        );
        assert_eq!(refused_char("a\u{85}"), Some('\u{85}'));
        assert_eq!(refused_char("a\u{200b}b"), None);
    }
}
