//! Our own flat JSON shape: fields named like [`JobPostingDraft`], loosely typed.

use serde_json::{Map, Value};

use super::classify::{employment_type_from_text, remote_mode_from_text, seniority_from_title};
use super::dates::{from_unix, parse_datetime};
use super::error::RecordErrorKind;
use super::fields::{coordinates, number, text, text_at};
use super::salary::parse_salary_text;
use crate::html::has_markup;
use crate::html::job_description_text;
use intellicv_core::{EmploymentType, JobPostingDraft, RemoteMode, Salary, SalaryPeriod};

/// Draft field names that mark an object as the flat shape (besides `title`).
const FLAT_KEYS: &[&str] = &[
    "company",
    "description",
    "location",
    "salary",
    "employment_type",
    "remote_mode",
    "posted_at",
];

/// Whether an object's keys look like the flat shape.
pub fn looks_like(object: &Map<String, Value>) -> bool {
    object.contains_key("title") && FLAT_KEYS.iter().any(|k| object.contains_key(*k))
}

/// Maps a flat object to a draft. `source` applies when the object has no `source` field.
/// Numbers may be strings; a present but non-numeric coordinate is a typed error.
pub fn to_draft(
    object: &Map<String, Value>,
    source: &str,
) -> Result<JobPostingDraft, RecordErrorKind> {
    let title = text_at(object, &["title"])
        .map(|t| plain(&t))
        .filter(|t| !t.is_empty())
        .ok_or(RecordErrorKind::MissingTitle)?;
    let latitude = checked_number(object, "latitude")?;
    let longitude = checked_number(object, "longitude")?;
    let (latitude, longitude) = coordinates(latitude, longitude).unzip();
    let seniority = text_at(object, &["seniority"])
        .and_then(|s| s.to_lowercase().parse().ok())
        .or_else(|| seniority_from_title(&title));
    Ok(JobPostingDraft {
        source: text_at(object, &["source"]).unwrap_or_else(|| source.to_owned()),
        external_id: text_at(object, &["external_id"]).or_else(|| text_at(object, &["id"])),
        company: text_at(object, &["company"]).map(|c| plain(&c)),
        location: text_at(object, &["location"]),
        country: text_at(object, &["country"]),
        latitude,
        longitude,
        remote_mode: text_at(object, &["remote_mode"])
            .map(|r| remote_mode_from_text(&r))
            .unwrap_or(RemoteMode::Unknown),
        employment_type: text_at(object, &["employment_type"])
            .map(|e| employment_type_from_text(&e))
            .unwrap_or(EmploymentType::Unknown),
        seniority,
        salary: salary(object.get("salary"))?,
        description: text_at(object, &["description"])
            .map(|d| plain(&d))
            .unwrap_or_default(),
        skills: Vec::new(),
        posted_at: date(object.get("posted_at")),
        valid_through: date(object.get("valid_through")),
        title,
    })
}

/// Plain text as is; HTML converted.
fn plain(text: &str) -> String {
    if has_markup(text) || text.contains("&lt;") {
        job_description_text(text)
    } else {
        text.trim().to_owned()
    }
}

fn checked_number(object: &Map<String, Value>, key: &str) -> Result<Option<f64>, RecordErrorKind> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(value) => number(value)
            .map(Some)
            .ok_or_else(|| RecordErrorKind::BadNumber {
                field: key.to_owned(),
                value: value.to_string(),
            }),
    }
}

/// A salary object (`min`, `max`, `currency`, `period`), a text, or a single number.
fn salary(value: Option<&Value>) -> Result<Option<Salary>, RecordErrorKind> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(parse_salary_text(s, None, None)),
        Some(Value::Number(n)) => Ok(n.as_f64().map(|v| Salary {
            min: Some(v),
            max: Some(v),
            currency: None,
            period: None,
        })),
        Some(Value::Object(o)) => {
            let min = checked_number(o, "min")?;
            let max = checked_number(o, "max")?;
            let period =
                text_at(o, &["period"]).and_then(|p| p.to_lowercase().parse::<SalaryPeriod>().ok());
            Ok((min.is_some() || max.is_some()).then(|| Salary {
                min,
                max,
                currency: text_at(o, &["currency"]).map(|c| c.to_uppercase()),
                period,
            }))
        }
        Some(other) => Err(RecordErrorKind::BadNumber {
            field: "salary".to_owned(),
            value: other.to_string(),
        }),
    }
}

fn date(value: Option<&Value>) -> Option<chrono::DateTime<chrono::Utc>> {
    match value? {
        Value::Number(n) => n.as_i64().and_then(from_unix),
        other => text(other).and_then(|t| parse_datetime(&t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_core::Seniority;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_flat_record_maps_with_loose_types() {
        let draft = to_draft(
            &object(json!({
                "title": "Junior Rust Developer", "company": "Ferrous Ltd",
                "latitude": "48.85", "longitude": 2.35, "remote_mode": "hybrid",
                "employment_type": "full_time", "salary": {"min": 40000, "max": "50000", "currency": "eur", "period": "year"},
                "description": "<p>Write <b>Rust</b></p>", "posted_at": "2024-05-01"
            })),
            "upload.json",
        );
        let draft = draft.as_ref();
        assert_eq!(draft.map(|d| d.source.as_str()), Ok("upload.json"));
        assert_eq!(
            draft.map(|d| (d.latitude, d.longitude)),
            Ok((Some(48.85), Some(2.35)))
        );
        assert_eq!(draft.map(|d| d.remote_mode), Ok(RemoteMode::Hybrid));
        assert_eq!(
            draft.map(|d| d.employment_type),
            Ok(EmploymentType::FullTime)
        );
        assert_eq!(draft.map(|d| d.seniority), Ok(Some(Seniority::Junior)));
        assert_eq!(draft.map(|d| d.description.as_str()), Ok("Write Rust"));
        assert_eq!(
            draft.map(|d| d.salary.clone()),
            Ok(Some(Salary {
                min: Some(40000.0),
                max: Some(50000.0),
                currency: Some("EUR".to_owned()),
                period: Some(SalaryPeriod::Year),
            }))
        );
    }

    #[test]
    fn a_non_numeric_latitude_is_a_bad_number() {
        let result = to_draft(&object(json!({"title": "Chef", "latitude": "north"})), "x");
        assert_eq!(
            result,
            Err(RecordErrorKind::BadNumber {
                field: "latitude".to_owned(),
                value: "\"north\"".to_owned()
            })
        );
    }
}
