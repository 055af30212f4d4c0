use serde::{Deserialize, Serialize};

/// Where an extracted value came from: a section of the document's extracted text and the
/// byte range in that text (`start..end`), so an explanation can point at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSpan {
    /// The section kind the value was found in (`experience`, `skills`, ...), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    pub start: usize,
    pub end: usize,
}

impl SourceSpan {
    pub fn new(section: Option<&str>, start: usize, end: usize) -> Self {
        Self {
            section: section.map(str::to_owned),
            start,
            end,
        }
    }
}

/// A value together with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field<T> {
    pub value: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSpan>,
}

impl<T> Field<T> {
    pub fn new(value: T, source: Option<SourceSpan>) -> Self {
        Self { value, source }
    }
}
