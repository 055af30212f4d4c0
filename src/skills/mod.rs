//! Skills: the ESCO taxonomy with a curated technology list, literal (gazetteer) skill
//! extraction, and its evaluation against labelled sentences.

mod context;
pub mod description;
mod error;
pub mod eval;
mod extractor;
mod normalize;
mod patterns;
pub mod rank;
#[cfg(test)]
mod real_data_tests;
mod taxonomy;
mod tech;

pub use error::TaxonomyError;
pub use extractor::{GazetteerBuildError, SkillExtractor};
pub use taxonomy::{Concept, ConceptSource, Taxonomy, TaxonomyFiles};
pub use tech::TechSkill;
