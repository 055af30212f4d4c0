//! Reading loosely typed JSON fields: strings or numbers, nested paths, coordinates.

use serde_json::{Map, Value};

/// The value at a path of object keys.
pub fn at<'a>(object: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = object.get(*first)?;
    for key in rest {
        value = value.as_object()?.get(*key)?;
    }
    Some(value)
}

/// A non-empty trimmed string from a string, number or boolean value; control characters
/// other than line breaks and tabs are dropped (see `domain::text`).
pub fn text(value: &Value) -> Option<String> {
    let raw = match value {
        Value::String(s) if intellicv_core::text::refused_char(s).is_some() => s
            .chars()
            .filter(|&c| intellicv_core::text::allowed_char(c))
            .collect::<String>()
            .trim()
            .to_owned(),
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!raw.is_empty()).then_some(raw)
}

/// A non-empty string at a path.
pub fn text_at(object: &Map<String, Value>, path: &[&str]) -> Option<String> {
    at(object, path).and_then(text)
}

/// A finite number from a number or a numeric string (`"-.262406"`).
pub fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

/// A latitude and longitude pair when both are in range and not the `(0, 0)` placeholder.
pub fn coordinates(latitude: Option<f64>, longitude: Option<f64>) -> Option<(f64, f64)> {
    let (lat, lon) = (latitude?, longitude?);
    let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
    (valid && (lat, lon) != (0.0, 0.0)).then_some((lat, lon))
}

/// A boolean from `true`, `"true"`, `"yes"` or `1`.
pub fn flag(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|v| v != 0.0),
        Value::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "1"),
        _ => false,
    }
}

/// Title-cases a text written entirely in capitals (`ARLESEY` becomes `Arlesey`).
pub fn soften_capitals(text: &str) -> String {
    if text.chars().any(char::is_lowercase) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut start_of_word = true;
    for c in text.chars() {
        if start_of_word {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        start_of_word = !c.is_alphanumeric() && c != '\'';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_paths_and_numeric_strings_are_read() {
        let value = json!({"geo": {"latitude": "52.01", "longitude": "-.262406"}});
        let object = value.as_object().cloned().unwrap_or_default();
        assert_eq!(
            at(&object, &["geo", "longitude"]).and_then(number),
            Some(-0.262406)
        );
        assert_eq!(
            text_at(&object, &["geo", "latitude"]),
            Some("52.01".to_owned())
        );
        assert_eq!(text_at(&object, &["geo", "missing"]), None);
    }

    #[test]
    fn out_of_range_and_zero_coordinates_are_dropped() {
        assert_eq!(coordinates(Some(52.0), Some(-2.0)), Some((52.0, -2.0)));
        assert_eq!(coordinates(Some(95.0), Some(-2.0)), None);
        assert_eq!(coordinates(Some(0.0), Some(0.0)), None);
        assert_eq!(coordinates(Some(52.0), None), None);
    }

    #[test]
    fn all_capitals_are_softened_and_mixed_case_is_kept() {
        assert_eq!(soften_capitals("BARTLE, PRESTON"), "Bartle, Preston");
        assert_eq!(soften_capitals("King's Lynn"), "King's Lynn");
    }
}
