//! A four-skill taxonomy written here, for tests and examples in this crate and those
//! above it (no model files, no ESCO download).

use crate::Taxonomy;

pub(crate) const SKILLS_CSV: &str = "id,description\n\
        esco:s1,\"manage stage crew direct stage crews Lead the people who move scenery.\"\n\
        esco:s2,\"Rustlang (computer programming) Rust The techniques of programming in Rust.\"\n\
        esco:s3,\"direct stage lighting manage stage lighting Plan the light on stage.\"\n\
        esco:s4,\"stagecraft The craft of the stage.\"\n";
pub(crate) const OCCUPATIONS_CSV: &str =
    "id,description\nesco:o1,\"stage director stage manager Stage directors run the stage.\"\n";
pub(crate) const PREFERRED_TSV: &str = "esco_uri\tpreferred_label\n\
        esco:s1\tmanage stage crew\nesco:s2\tRustlang (computer programming)\nesco:s4\tstagecraft\n";
pub(crate) const TECH_TOML: &str = r#"
[[tech]]
name = "Rust"
synonyms = ["rustlang"]
esco = "esco:s2"

[[tech]]
name = "Kubernetes"
synonyms = ["k8s"]

[[tech]]
name = "Go"
synonyms = ["golang"]
context_only = ["Go"]
"#;

pub fn sample_taxonomy() -> Taxonomy {
    Taxonomy::from_readers(
        SKILLS_CSV.as_bytes(),
        OCCUPATIONS_CSV.as_bytes(),
        PREFERRED_TSV.as_bytes(),
        TECH_TOML,
    )
    .expect("sample taxonomy is valid")
}
