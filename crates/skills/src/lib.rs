//! Skills: the ESCO taxonomy with a curated technology list, literal (gazetteer) skill
//! extraction, semantic (embedding) matching for what literal matching misses, and their
//! evaluation against labelled sentences.

mod context;
pub mod description;
mod error;
mod extractor;
mod hybrid;
mod normalize;
mod patterns;
pub mod posting;
pub mod rank;
#[cfg(test)]
mod real_data_tests;
pub mod resume;
mod sample;
pub mod semantic;
mod taxonomy;
mod tech;

pub use error::TaxonomyError;
pub use extractor::{GazetteerBuildError, SkillExtractor};
pub use hybrid::{TextPart, covered_ranges, sentence_ranges};
pub use sample::sample_taxonomy;
pub use taxonomy::{Concept, ConceptSource, Taxonomy, TaxonomyFiles};
pub use tech::TechSkill;
