//! A job posting as parsed from an import or a recruiter's input, before it is stored.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ExtractedSkill, ValidationError};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Written by hand: the derive does not see the variants' `serde(rename)` through
        // this macro and would document the Rust names.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        /// Read from a text column, which a CHECK constraint keeps to these names.
        impl TryFrom<String> for $name {
            type Error = ValidationError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ValidationError::new(
                        stringify!($name),
                        format!("must be one of {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }
    };
}

text_enum!(
    /// Where the work happens.
    RemoteMode { Remote = "remote", Hybrid = "hybrid", Onsite = "onsite", Unknown = "unknown" }
);

text_enum!(
    EmploymentType {
        FullTime = "full_time",
        PartTime = "part_time",
        Contract = "contract",
        Temporary = "temporary",
        Internship = "internship",
        Volunteer = "volunteer",
        Other = "other",
        Unknown = "unknown",
    }
);

text_enum!(
    /// Career level, of a person (inferred from a resume) or of a role (from a posting).
    Seniority {
        Intern = "intern",
        Junior = "junior",
        Mid = "mid",
        Senior = "senior",
        Lead = "lead",
        Executive = "executive",
    }
);

text_enum!(
    /// Where a posting is in its life: only `open` postings are searchable and matched.
    PostingStatus { Draft = "draft", Open = "open", Closed = "closed", Archived = "archived" }
);

text_enum!(
    SalaryPeriod { Hour = "hour", Day = "day", Week = "week", Month = "month", Year = "year" }
);

text_enum!(
    /// Whether a posting requires a skill or merely prefers it.
    Requirement { Required = "required", Preferred = "preferred" }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Salary {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// ISO 4217 code such as `GBP`.
    pub currency: Option<String>,
    pub period: Option<SalaryPeriod>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobSkill {
    #[serde(flatten)]
    pub skill: ExtractedSkill,
    pub requirement: Requirement,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobPostingDraft {
    /// Where the posting came from (`manual`, `nhs`, `hn`, a file name, ...).
    pub source: String,
    /// The posting's id in its source, for idempotent imports.
    pub external_id: Option<String>,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub remote_mode: RemoteMode,
    pub employment_type: EmploymentType,
    pub seniority: Option<Seniority>,
    pub salary: Option<Salary>,
    /// Clean plain text.
    pub description: String,
    pub skills: Vec<JobSkill>,
    pub posted_at: Option<DateTime<Utc>>,
    pub valid_through: Option<DateTime<Utc>>,
}
