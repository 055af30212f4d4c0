//! The structured profile parsed from a resume.

use serde::{Deserialize, Serialize};

use super::{ExtractedSkill, Field, Seniority, SourceSpan};

/// A calendar month, or a year when the month is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<Field<String>>,
    pub email: Option<Field<String>>,
    pub phone: Option<Field<String>>,
    pub location: Option<Field<String>>,
    pub links: Vec<Field<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Experience {
    pub title: Option<String>,
    pub company: Option<String>,
    pub location: Option<String>,
    pub start: Option<YearMonth>,
    pub end: Option<YearMonth>,
    /// "Present", "Current", "to date": the role is ongoing.
    pub is_current: bool,
    pub bullets: Vec<String>,
    pub source: SourceSpan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Education {
    pub degree: Option<String>,
    pub field: Option<String>,
    pub institution: Option<String>,
    pub year: Option<i32>,
    pub source: SourceSpan,
}

/// The kind of a resume section, recognised from its heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Header,
    Summary,
    Experience,
    Education,
    Skills,
    Certifications,
    Languages,
    Projects,
    Awards,
    Interests,
    References,
    Other,
}

impl SectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Header => "header",
            SectionKind::Summary => "summary",
            SectionKind::Experience => "experience",
            SectionKind::Education => "education",
            SectionKind::Skills => "skills",
            SectionKind::Certifications => "certifications",
            SectionKind::Languages => "languages",
            SectionKind::Projects => "projects",
            SectionKind::Awards => "awards",
            SectionKind::Interests => "interests",
            SectionKind::References => "references",
            SectionKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub kind: SectionKind,
    pub heading: String,
    /// Byte range of the section (heading included) in the extracted text.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResumeProfile {
    pub contact: Contact,
    /// Current or most recent title, or the headline line under the name.
    pub headline: Option<Field<String>>,
    pub summary: Option<Field<String>>,
    pub experience: Vec<Experience>,
    pub education: Vec<Education>,
    pub certifications: Vec<Field<String>>,
    pub languages: Vec<Field<String>>,
    pub skills: Vec<ExtractedSkill>,
    /// From the experience date ranges, overlaps merged.
    pub total_years_experience: Option<f32>,
    pub seniority: Option<Seniority>,
    pub sections: Vec<Section>,
}
