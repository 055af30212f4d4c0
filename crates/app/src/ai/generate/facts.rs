//! The facts a generated text may state, and the check that it states no other: every
//! skill the gazetteer finds in the text must be one of the facts' skills, every number
//! one of the facts' numbers, and every capitalised word that does not start a sentence
//! (names of employers, schools, places, products) a word of the facts.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use intellicv_skills::SkillExtractor;

/// Capitalised words allowed anywhere (they name nothing).
const NEUTRAL: [&str; 4] = ["I", "OK", "CV", "Q"];

/// Numbers at the start of a line followed by `.` or `)` are list markers up to this.
const MAX_LIST_MARKER: u32 = 30;

/// What generated text may say.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Grounding {
    /// The facts as given to a generator (and returned with the answer).
    pub facts: serde_json::Value,
    #[serde(skip)]
    skills: HashSet<String>,
    #[serde(skip)]
    numbers: HashSet<String>,
    #[serde(skip)]
    words: HashSet<String>,
}

/// Something generated text states that the facts do not support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Violation {
    Skill(String),
    Number(String),
    Name(String),
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::Skill(s) => write!(f, "skill '{s}'"),
            Violation::Number(n) => write!(f, "number {n}"),
            Violation::Name(n) => write!(f, "name '{n}'"),
        }
    }
}

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d[\d,]*(?:\.\d+)?").expect("valid regex"));
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{L}\p{N}][\p{L}\p{N}+#&'’.-]*").expect("valid regex"));

fn normalize_number(raw: &str) -> String {
    let plain = raw.replace(',', "");
    match plain.split_once('.') {
        Some((int, frac)) if frac.chars().all(|c| c == '0') => int.to_owned(),
        _ => plain,
    }
}

fn clean_word(w: &str) -> String {
    w.trim_end_matches(['.', '\'', '’', '-'])
        .trim_end_matches("'s")
        .trim_end_matches("’s")
        .to_lowercase()
}

impl Grounding {
    /// Facts as JSON, and the skills (URIs) text may state: `skills` and those the
    /// gazetteer finds in the facts' own strings.
    pub fn new(
        facts: serde_json::Value,
        skills: impl IntoIterator<Item = String>,
        extractor: Option<&SkillExtractor>,
    ) -> Self {
        let mut g = Self {
            facts,
            skills: skills.into_iter().collect(),
            ..Self::default()
        };
        let mut strings = Vec::new();
        collect_strings(&g.facts, &mut strings);
        for s in &strings {
            g.add_text(s);
            if let Some(extractor) = extractor {
                g.skills.extend(
                    extractor
                        .extract_in(s, 0, Some("skills"))
                        .into_iter()
                        .map(|k| k.uri),
                );
            }
        }
        g
    }

    /// Allows the words and numbers of `text` (e.g. a label the template itself writes).
    pub fn add_text(&mut self, text: &str) {
        for m in NUMBER.find_iter(text) {
            self.numbers.insert(normalize_number(m.as_str()));
        }
        for m in WORD.find_iter(text) {
            let w = clean_word(m.as_str());
            for part in w.split(['-', '.', '\'', '’']) {
                if !part.is_empty() {
                    self.words.insert(part.to_owned());
                }
            }
            self.words.insert(w);
        }
    }

    /// Allows a number (years of experience rounded, a count the facts imply).
    pub fn allow_number(&mut self, n: impl ToString) {
        self.numbers.insert(normalize_number(&n.to_string()));
    }

    /// Everything `text` states that the facts do not support (empty: grounded).
    pub fn violations(&self, text: &str, extractor: &SkillExtractor) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for skill in extractor.extract(text) {
            if !self.skills.contains(&skill.uri) && seen.insert(skill.uri.clone()) {
                out.push(Violation::Skill(skill.label));
            }
        }
        for line in text.lines() {
            let marker = list_marker(line);
            for m in NUMBER.find_iter(line) {
                if marker.is_some_and(|end| m.end() <= end) {
                    continue;
                }
                let n = normalize_number(m.as_str().trim_end_matches([',', '.']));
                if !self.numbers.contains(&n) && seen.insert(format!("#{n}")) {
                    out.push(Violation::Number(n));
                }
            }
            for (word, sentence_start) in words_with_position(line) {
                let first = word.chars().next().unwrap_or(' ');
                if !first.is_uppercase() || sentence_start || NEUTRAL.contains(&word) {
                    continue;
                }
                let w = clean_word(word);
                let known = self.words.contains(&w)
                    || w.split(['-', '.', '\'', '’'])
                        .all(|p| p.is_empty() || self.words.contains(p));
                if !known && seen.insert(format!("@{w}")) {
                    out.push(Violation::Name(word.trim_end_matches('.').to_owned()));
                }
            }
        }
        out
    }
}

/// The end of a leading list marker (`1.`, `2)`, `- `), if the line starts with one.
fn list_marker(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let offset = line.len() - trimmed.len();
    let digits: String = trimmed.chars().take_while(char::is_ascii_digit).collect();
    let n: u32 = digits.parse().ok()?;
    let next = trimmed[digits.len()..].chars().next()?;
    (n <= MAX_LIST_MARKER && matches!(next, '.' | ')' | ':')).then_some(offset + digits.len())
}

/// The words of a line, each with whether it starts a sentence (line start, after a list
/// marker or bullet, or after `.`, `!`, `?`, `:`).
fn words_with_position(line: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut last_end = 0;
    for m in WORD.find_iter(line) {
        let before = line[last_end..m.start()].trim();
        let prior = line[..m.start()].trim_end();
        let start = prior.is_empty()
            || prior.ends_with(['.', '!', '?', ':', '-', '•', '*', '(', '"', '“'])
            || (out.is_empty() && before.chars().all(|c| !c.is_alphanumeric()))
            || list_marker(line).is_some_and(|end| line[end..m.start()].trim().len() <= 1);
        out.push((m.as_str(), start));
        last_end = m.end();
    }
    out
}

fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Number(n) => out.push(n.to_string()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_list_markers() {
        let g = Grounding::new(
            serde_json::json!({"employers": ["Acme Ltd"], "years": 5, "headline": "Backend Engineer"}),
            Vec::new(),
            None,
        );
        assert_eq!(list_marker("12. Why?"), Some(2));
        assert_eq!(list_marker("  3) Why?"), Some(3));
        assert_eq!(list_marker("2019 was good"), None);
        let words = words_with_position("Worked at Acme. Then Globex");
        assert_eq!(
            words,
            vec![
                ("Worked", true),
                ("at", false),
                ("Acme.", false),
                ("Then", true),
                ("Globex", false)
            ]
        );
        assert!(g.numbers.contains("5"));
        assert!(g.words.contains("acme"));
        assert!(g.words.contains("ltd"));
    }
}
