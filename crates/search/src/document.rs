//! The searchable form of a job posting or a resume: what the text index indexes, what
//! the vector index is keyed by, and what filters and facets read.

use serde::{Deserialize, Serialize};

use intellicv_core::{EmploymentType, RemoteMode, SalaryPeriod, Seniority};

/// A document's id: the database id of the job posting or resume.
pub use intellicv_ann::DocId;

/// The two searchable collections. Each has its own text index and vector index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Collection {
    Jobs,
    Resumes,
}

impl Collection {
    pub const ALL: [Collection; 2] = [Collection::Jobs, Collection::Resumes];

    pub fn as_str(self) -> &'static str {
        match self {
            Collection::Jobs => "jobs",
            Collection::Resumes => "resumes",
        }
    }
}

/// A skill named by its ESCO URI (or curated `intellicv:tech/...` id) and preferred label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SkillRef {
    pub uri: String,
    pub label: String,
}

/// A point on the earth, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// Great-circle distance in kilometres (haversine).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
    }
}

/// Mean radius of the Earth, for great-circle distances.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// What filters and facets read of a document. Small and copied into memory for every
/// document of a collection, so the vector search can filter during graph traversal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    pub remote_mode: Option<RemoteMode>,
    pub employment_type: Option<EmploymentType>,
    pub seniority: Option<Seniority>,
    /// Occupation or job category (free text label, e.g. `Information Technology`).
    pub category: Option<String>,
    /// Location as written, for place-name filters (see [`crate::place_words`]).
    pub location: Option<String>,
    pub coordinates: Option<GeoPoint>,
    /// Salary per year (hourly/daily/weekly/monthly amounts annualised), when known.
    pub salary_yearly_min: Option<f64>,
    pub salary_yearly_max: Option<f64>,
    pub salary_currency: Option<String>,
    /// Unix seconds.
    pub posted_at: Option<i64>,
    pub years_experience: Option<f32>,
    /// ESCO URIs of the document's skills, sorted and deduplicated.
    pub skill_uris: Vec<String>,
    /// Unix seconds of the last change of the source row.
    pub updated_at: i64,
}

/// One document to index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: DocId,
    /// Job title, or the resume's headline.
    pub title: String,
    /// Further titles that describe the document less strongly than `title` (a resume's
    /// earlier job titles). Indexed with a lower boost than `title`.
    pub other_titles: Vec<String>,
    pub skills: Vec<SkillRef>,
    /// Description of a posting, or the full text of a resume.
    pub body: String,
    pub company: Option<String>,
    pub meta: DocMeta,
}

/// Annualises an amount paid per `period` (full-time: 37.5 h/week, 5 days/week, 52 weeks).
pub fn yearly_amount(amount: f64, period: Option<SalaryPeriod>) -> f64 {
    match period {
        Some(SalaryPeriod::Hour) => amount * 37.5 * 52.0,
        Some(SalaryPeriod::Day) => amount * 5.0 * 52.0,
        Some(SalaryPeriod::Week) => amount * 52.0,
        Some(SalaryPeriod::Month) => amount * 12.0,
        Some(SalaryPeriod::Year) | None => amount,
    }
}

/// The lowercase words of a place name, for place filters: `"London, UK"` →
/// `["london", "uk"]`. A place filter matches a document when every word of the filter is
/// among the words of the document's location.
pub fn place_words(place: &str) -> Vec<String> {
    place_word_spans(place).map(str::to_lowercase).collect()
}

/// The words of a place name as written (not lowercased): what [`place_words`] folds.
pub(super) fn place_word_spans(place: &str) -> impl Iterator<Item = &str> + Clone {
    place
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn london_to_manchester_is_about_262_km() {
        let london = GeoPoint {
            lat: 51.5074,
            lon: -0.1278,
        };
        let manchester = GeoPoint {
            lat: 53.4808,
            lon: -2.2426,
        };
        let d = london.distance_km(manchester);
        assert!((d - 262.0).abs() < 3.0, "{d}");
    }

    #[test]
    fn amounts_are_annualised_by_period() {
        assert_eq!(yearly_amount(20.0, Some(SalaryPeriod::Hour)), 39_000.0);
        assert_eq!(yearly_amount(3_000.0, Some(SalaryPeriod::Month)), 36_000.0);
        assert_eq!(yearly_amount(50_000.0, None), 50_000.0);
    }

    #[test]
    fn place_words_fold_case_and_punctuation() {
        assert_eq!(place_words("London, UK"), vec!["london", "uk"]);
        assert!(place_words("  ").is_empty());
    }
}
