//! The curated technology list (`data/skills/tech.toml`): languages, frameworks, databases,
//! clouds and tools that ESCO names poorly or not at all.
//!
//! ```toml
//! [[tech]]
//! name = "Go"                       # canonical name, matched case-insensitively
//! synonyms = ["golang"]             # more surface forms (acronyms, spellings)
//! context_only = ["Go"]             # forms that match only with context (see below)
//! esco = "http://data.europa.eu/esco/skill/..."   # optional ESCO skill it maps to
//! slug = "go"                       # optional; derived from the name otherwise
//! ```
//!
//! A form listed in `context_only` must appear next to
//! technology context (a skills section, another technology in the same list, or a word
//! like "programming"), and forms of 1-2 characters must keep their capitals; see
//! [`super::context`].

use serde::Deserialize;

/// One curated technology skill.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechSkill {
    /// Canonical name (`PostgreSQL`).
    pub name: String,
    /// Other surface forms (`postgres`, `psql`).
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Forms that only count with context (`Go`, `R`, `C`, `Rust`).
    #[serde(default)]
    pub context_only: Vec<String>,
    /// The ESCO skill this technology is, when ESCO has one.
    #[serde(default, rename = "esco")]
    pub esco_uri: Option<String>,
    /// URI slug for technologies ESCO does not name; derived from `name` when absent.
    #[serde(default)]
    slug: Option<String>,
}

impl TechSkill {
    /// The skill URI: the mapped ESCO URI, else `intellicv:tech/<slug>`.
    pub fn uri(&self) -> String {
        match &self.esco_uri {
            Some(uri) => uri.clone(),
            None => format!("intellicv:tech/{}", self.slug()),
        }
    }

    /// The slug used in `intellicv:tech/<slug>`.
    pub fn slug(&self) -> String {
        self.slug.clone().unwrap_or_else(|| slugify(&self.name))
    }

    /// Every surface form: name, synonyms and context-only forms.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.synonyms.iter().map(String::as_str))
            .chain(self.context_only.iter().map(String::as_str))
    }

    /// Whether `form` may only match with context.
    pub fn is_context_only(&self, form: &str) -> bool {
        self.context_only.iter().any(|f| f == form)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TechFile {
    tech: Vec<TechSkill>,
}

/// Parses the TOML list; the error names the offending entry.
pub fn parse_tech_list(text: &str) -> Result<Vec<TechSkill>, String> {
    let file: TechFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut slugs = std::collections::HashSet::new();
    for skill in &file.tech {
        if skill.name.trim().is_empty() {
            return Err("an entry has an empty name".to_owned());
        }
        if skill.esco_uri.is_none() && !slugs.insert(skill.slug()) {
            return Err(format!("slug `{}` is used twice", skill.slug()));
        }
        if let Some(form) = skill.forms().find(|f| f.trim().is_empty()) {
            return Err(format!("`{}` has an empty form `{form}`", skill.name));
        }
    }
    Ok(file.tech)
}

/// `C++` -> `cplusplus`, `C#` -> `csharp`, `.NET` -> `dotnet`, `Node.js` -> `node-js`.
fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for (i, c) in name.chars().enumerate() {
        match c {
            '+' => slug.push_str("plus"),
            '#' => slug.push_str("sharp"),
            '.' if i == 0 => slug.push_str("dot"),
            c if c.is_alphanumeric() => slug.extend(c.to_lowercase()),
            _ if !slug.ends_with('-') && !slug.is_empty() => slug.push('-'),
            _ => {}
        }
    }
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_spell_out_symbols() {
        assert_eq!(slugify("C++"), "cplusplus");
        assert_eq!(slugify("C#"), "csharp");
        assert_eq!(slugify(".NET"), "dotnet");
        assert_eq!(slugify("Node.js"), "node-js");
        assert_eq!(slugify("Google Cloud Platform"), "google-cloud-platform");
    }

    #[test]
    fn an_entry_without_esco_gets_an_intellicv_uri() {
        let list = parse_tech_list(
            "[[tech]]\nname = \"Go\"\nsynonyms = [\"golang\"]\ncontext_only = [\"Go\"]\n",
        )
        .expect("valid");
        assert_eq!(list[0].uri(), "intellicv:tech/go");
        assert!(list[0].is_context_only("Go"));
        assert!(!list[0].is_context_only("golang"));
        assert_eq!(
            list[0].forms().collect::<Vec<_>>(),
            vec!["Go", "golang", "Go"]
        );
    }

    #[test]
    fn duplicate_slugs_are_rejected() {
        let err = parse_tech_list("[[tech]]\nname = \"Vue\"\n[[tech]]\nname = \"vue\"\n")
            .expect_err("duplicate");
        assert_eq!(err, "slug `vue` is used twice");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(parse_tech_list("[[tech]]\nname = \"Vue\"\nsynonym = [\"x\"]\n").is_err());
    }
}
