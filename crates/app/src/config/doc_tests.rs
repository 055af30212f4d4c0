//! docs/configuration.md against the settings types: every setting has a row, with its
//! environment variable and (where the row states one plainly) its default, and every row
//! names a real setting.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{ENV_PREFIX, Settings};

const DOC: &str = include_str!("../../../../docs/configuration.md");

/// One row of the settings table.
#[derive(Debug)]
struct Row {
    /// Full dotted names; a name ending in `.*` stands for everything under it.
    names: Vec<String>,
    env: String,
    default: String,
}

/// The `code spans` of a cell, in order.
fn code_spans(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

fn rows(doc: &str) -> Vec<Row> {
    doc.lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line
                .trim_start_matches('|')
                .splitn(4, '|')
                .map(str::trim)
                .collect();
            assert_eq!(cells.len(), 4, "a settings row has four cells: {line}");
            let mut names: Vec<String> = Vec::new();
            for span in code_spans(cells[0]) {
                let name = match span.strip_prefix('.') {
                    // `.x` after `a.b.c` is `a.b.x`.
                    Some(rest) => {
                        let previous = names.last().expect("a relative name follows a full one");
                        let parent = previous.rsplit_once('.').map_or("", |(p, _)| p);
                        format!("{parent}.{rest}")
                    }
                    None => span.to_owned(),
                };
                names.push(name);
            }
            Row {
                names,
                env: cells[1].to_owned(),
                default: cells[2].to_owned(),
            }
        })
        .collect()
}

/// Every leaf of the settings' default value, by dotted name.
fn leaves(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                leaves(&name, v, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.clone());
        }
    }
}

fn env_var(name: &str) -> String {
    format!("{ENV_PREFIX}{}", name.to_uppercase().replace('.', "__"))
}

/// A default as the table writes it: the value itself, `none` for an unset one, `[]`.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "none".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(a) if a.is_empty() => "[]".to_owned(),
        other => other.to_string(),
    }
}

fn defaults() -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    leaves(
        "",
        &serde_json::to_value(Settings::default()).expect("settings serialise"),
        &mut out,
    );
    out
}

fn covers(doc_name: &str, setting: &str) -> bool {
    match doc_name.strip_suffix(".*") {
        Some(prefix) => setting.starts_with(&format!("{prefix}.")),
        None => doc_name == setting,
    }
}

#[test]
fn every_setting_has_a_row() {
    let rows = rows(DOC);
    let missing: Vec<String> = defaults()
        .into_keys()
        .filter(|setting| {
            !rows
                .iter()
                .any(|r| r.names.iter().any(|n| covers(n, setting)))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "settings without a row in docs/configuration.md: {missing:?}"
    );
}

#[test]
fn every_row_names_real_settings_and_their_environment_variable() {
    let defaults = defaults();
    for row in rows(DOC) {
        for name in &row.names {
            assert!(
                defaults.keys().any(|setting| covers(name, setting)),
                "docs/configuration.md names `{name}`, which is not a setting"
            );
        }
        // The first environment variable written, or its start before `...`.
        let env = code_spans(&row.env);
        let first = env
            .first()
            .unwrap_or_else(|| panic!("no environment variable for {:?}", row.names));
        let wanted = env_var(row.names[0].trim_end_matches(".*"));
        match first.strip_suffix("...") {
            Some(start) => assert!(
                wanted.starts_with(start),
                "{:?}: {first} does not start {wanted}",
                row.names
            ),
            None => assert_eq!(*first, wanted, "{:?}", row.names),
        }
    }
}

#[test]
fn the_defaults_in_the_table_are_the_defaults() {
    let defaults = defaults();
    let mut compared = 0;
    for row in rows(DOC) {
        let parts: Vec<&str> = row.default.split(" / ").map(str::trim).collect();
        if parts.len() != row.names.len() {
            continue;
        }
        for (name, part) in row.names.iter().zip(parts) {
            // Only plain values: `x`, a bare number or `none`; descriptions are skipped. f32
            // settings compare as numbers (0.2 is 0.20000000298 once widened).
            let plain = match code_spans(part).as_slice() {
                [one] if part == format!("`{one}`") => one.to_string(),
                _ if part == "none" || part.parse::<f64>().is_ok() => part.to_owned(),
                _ => continue,
            };
            if plain.contains('<') {
                continue;
            }
            let Some(value) = defaults.get(name) else {
                continue;
            };
            let actual = shown(value);
            let same_number = matches!(
                (actual.parse::<f64>(), plain.parse::<f64>()),
                (Ok(a), Ok(b)) if (a - b).abs() <= 1e-6 * b.abs().max(1.0)
            );
            assert!(
                same_number || actual == plain,
                "docs/configuration.md gives `{name}` the default {plain}, the code {actual}"
            );
            compared += 1;
        }
    }
    assert!(compared > 40, "only {compared} defaults compared");
}

#[test]
fn the_row_reader_expands_relative_names() {
    let rows = rows(
        "| `a.b.c` / `.d` | `INTELLICV__A__B__...` | `1` / `2` | x |\n| `m.*` | `INTELLICV__M__...` | see | y |\n",
    );
    assert_eq!(rows[0].names, ["a.b.c", "a.b.d"]);
    assert_eq!(rows[1].names, ["m.*"]);
    assert!(covers("m.*", "m.weights.skills"));
    assert!(!covers("m.*", "mm.x"));
    assert_eq!(env_var("a.b_c"), "INTELLICV__A__B_C");
}
