//! schema.org `JobPosting` objects (as job boards such as NHS Jobs publish them) to drafts.

use serde_json::{Map, Value};

use super::classify::{
    employment_type_from_text, remote_mode_from_text, seniority_from_nhs_band, seniority_from_title,
};
use super::dates::parse_datetime;
use super::error::RecordErrorKind;
use super::fields::{at, coordinates, number, soften_capitals, text, text_at};
use super::salary::parse_salary_text;
use crate::html::job_description_text;
use intellicv_core::{EmploymentType, JobPostingDraft, RemoteMode, Salary, SalaryPeriod};

/// Whether an object's keys look like a schema.org `JobPosting`.
pub fn looks_like(object: &Map<String, Value>) -> bool {
    let typed = object
        .get("@type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("JobPosting"));
    typed || object.contains_key("hiringOrganization") || object.contains_key("datePosted")
}

/// Maps a schema.org `JobPosting` to a draft.
pub fn to_draft(
    object: &Map<String, Value>,
    source: &str,
) -> Result<JobPostingDraft, RecordErrorKind> {
    let title = text_at(object, &["title"])
        .map(|t| job_description_text(&t))
        .filter(|t| !t.is_empty())
        .ok_or(RecordErrorKind::MissingTitle)?;
    let description = text_at(object, &["description"])
        .map(|d| job_description_text(&d))
        .unwrap_or_default();
    let place = first_item(object.get("jobLocation"));
    let address = place
        .and_then(|p| p.get("address"))
        .and_then(Value::as_object);
    let geo = place.and_then(|p| p.get("geo")).and_then(Value::as_object);
    let (latitude, longitude) = coordinates(
        geo.and_then(|g| g.get("latitude")).and_then(number),
        geo.and_then(|g| g.get("longitude")).and_then(number),
    )
    .unzip();
    let salary_text = at(object, &["baseSalary", "value", "value"]).and_then(text);
    let employment = employment_type(object.get("employmentType"));
    let seniority = seniority_from_title(&title).or_else(|| {
        seniority_from_nhs_band(&title)
            .or_else(|| salary_text.as_deref().and_then(seniority_from_nhs_band))
    });
    Ok(JobPostingDraft {
        source: source.to_owned(),
        external_id: text_at(object, &["identifier", "value"])
            .or_else(|| text_at(object, &["identifier"]))
            .or_else(|| text_at(object, &["url"])),
        company: organisation_name(object.get("hiringOrganization")),
        location: address.and_then(location),
        country: address.and_then(|a| {
            a.get("addressCountry")
                .and_then(|c| text(c).or_else(|| c.get("name").and_then(text)))
        }),
        latitude,
        longitude,
        remote_mode: remote_mode(object, &title),
        employment_type: employment,
        seniority,
        salary: base_salary(object.get("baseSalary")),
        posted_at: text_at(object, &["datePosted"]).and_then(|d| parse_datetime(&d)),
        valid_through: text_at(object, &["validThrough"]).and_then(|d| parse_datetime(&d)),
        title,
        description,
        skills: Vec::new(),
    })
}

/// The object itself, or the first object of an array.
fn first_item(value: Option<&Value>) -> Option<&Map<String, Value>> {
    match value? {
        Value::Array(items) => items.iter().find_map(Value::as_object),
        Value::Object(object) => Some(object),
        _ => None,
    }
}

fn organisation_name(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(name) => Some(name.trim().to_owned()).filter(|n| !n.is_empty()),
        Value::Object(org) => org.get("name").and_then(text),
        _ => None,
    }
    .map(|name| job_description_text(&name))
}

/// "Locality, Region, Postcode" from a postal address.
fn location(address: &Map<String, Value>) -> Option<String> {
    let parts: Vec<String> = ["addressLocality", "addressRegion"]
        .iter()
        .filter_map(|key| address.get(*key).and_then(text))
        .map(|part| soften_capitals(&part))
        .chain(address.get("postalCode").and_then(text))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// `TELECOMMUTE` location type, else remote wording in the title.
fn remote_mode(object: &Map<String, Value>, title: &str) -> RemoteMode {
    let telecommute = object
        .get("jobLocationType")
        .and_then(text)
        .is_some_and(|t| t.eq_ignore_ascii_case("TELECOMMUTE"));
    if telecommute {
        RemoteMode::Remote
    } else {
        remote_mode_from_text(title)
    }
}

/// The first known type of a string or an array of strings.
fn employment_type(value: Option<&Value>) -> EmploymentType {
    let values: Vec<String> = match value {
        Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
        Some(other) => text(other).into_iter().collect(),
        None => Vec::new(),
    };
    values
        .iter()
        .map(|v| employment_type_from_text(v))
        .find(|t| *t != EmploymentType::Unknown)
        .unwrap_or(EmploymentType::Unknown)
}

/// A `MonetaryAmount`: the text value when it names an amount (it keeps the real period:
/// boards often annualise `minValue` of an hourly rate), else `minValue`/`maxValue`.
fn base_salary(value: Option<&Value>) -> Option<Salary> {
    let amount = value?.as_object()?;
    let currency = amount.get("currency").and_then(text);
    let quantity = amount.get("value");
    let quantity_object = quantity.and_then(Value::as_object);
    let unit = quantity_object
        .and_then(|q| q.get("unitText"))
        .and_then(text)
        .and_then(|u| period_from_unit(&u));
    let inner_text = match quantity_object {
        Some(q) => q.get("value").and_then(text),
        None => quantity.and_then(text),
    };
    if let Some(parsed) = inner_text
        .as_deref()
        .and_then(|t| parse_salary_text(&job_description_text(t), currency.as_deref(), unit))
    {
        return Some(parsed);
    }
    let min = quantity_object
        .and_then(|q| q.get("minValue"))
        .and_then(number);
    let max = quantity_object
        .and_then(|q| q.get("maxValue"))
        .and_then(number);
    (min.is_some() || max.is_some()).then_some(Salary {
        min,
        max,
        currency,
        period: unit,
    })
}

/// schema.org `unitText` (`HOUR`, `DAY`, `WEEK`, `MONTH`, `YEAR`).
fn period_from_unit(unit: &str) -> Option<SalaryPeriod> {
    match unit.trim().to_ascii_uppercase().as_str() {
        "HOUR" => Some(SalaryPeriod::Hour),
        "DAY" => Some(SalaryPeriod::Day),
        "WEEK" => Some(SalaryPeriod::Week),
        "MONTH" => Some(SalaryPeriod::Month),
        "YEAR" => Some(SalaryPeriod::Year),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use intellicv_core::Seniority;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn posting() -> Value {
        json!({
            "@context": "http://schema.org",
            "@type": "JobPosting",
            "title": "Senior Physiotherapist",
            "description": "&amp;lt;p&amp;gt;Join our &amp;amp;amp; team&amp;lt;/p&amp;gt;",
            "hiringOrganization": {"@type": "Organization", "name": "Riverside Trust"},
            "jobLocation": {"@type": "Place",
                "address": {"addressLocality": "NEWTOWN", "postalCode": "NT1 2AB", "addressCountry": "GB"},
                "geo": {"latitude": "51.5", "longitude": "-.25"}},
            "baseSalary": {"@type": "MonetaryAmount", "currency": "GBP",
                "value": {"@type": "QuantitativeValue", "minValue": "26000", "maxValue": "31000",
                          "unitText": "YEAR", "value": "£13.00 to £16.00 per hour"}},
            "employmentType": "FULL_TIME",
            "datePosted": "2020-03-02T09:00:00+0100",
            "validThrough": "2020-03-31T23:59:59+0000",
            "url": "https://jobs.example/vacancy/1"
        })
    }

    #[test]
    fn a_complete_posting_maps_every_field() {
        let draft = to_draft(&object(posting()), "nhs");
        let expected = JobPostingDraft {
            source: "nhs".to_owned(),
            external_id: Some("https://jobs.example/vacancy/1".to_owned()),
            title: "Senior Physiotherapist".to_owned(),
            company: Some("Riverside Trust".to_owned()),
            location: Some("Newtown, NT1 2AB".to_owned()),
            country: Some("GB".to_owned()),
            latitude: Some(51.5),
            longitude: Some(-0.25),
            remote_mode: RemoteMode::Unknown,
            employment_type: EmploymentType::FullTime,
            seniority: Some(Seniority::Senior),
            salary: Some(Salary {
                min: Some(13.0),
                max: Some(16.0),
                currency: Some("GBP".to_owned()),
                period: Some(SalaryPeriod::Hour),
            }),
            description: "Join our & team".to_owned(),
            skills: Vec::new(),
            posted_at: Utc.with_ymd_and_hms(2020, 3, 2, 8, 0, 0).single(),
            valid_through: Utc.with_ymd_and_hms(2020, 3, 31, 23, 59, 59).single(),
        };
        assert_eq!(draft, Ok(expected));
    }

    #[test]
    fn a_negotiable_salary_without_figures_is_none() {
        let mut value = posting();
        value["baseSalary"]["value"] = json!({"unitText": "YEAR", "value": "negotiable"});
        let draft = to_draft(&object(value), "nhs").map(|d| d.salary);
        assert_eq!(draft, Ok(None));
    }

    #[test]
    fn structured_bounds_are_used_when_the_text_has_no_figures() {
        let mut value = posting();
        value["baseSalary"]["value"] =
            json!({"unitText": "YEAR", "minValue": 40000, "maxValue": "45000", "value": "Band 7"});
        let draft = to_draft(&object(value), "nhs");
        assert_eq!(
            draft.as_ref().map(|d| d.salary.clone()),
            Ok(Some(Salary {
                min: Some(40000.0),
                max: Some(45000.0),
                currency: Some("GBP".to_owned()),
                period: Some(SalaryPeriod::Year),
            }))
        );
    }

    #[test]
    fn an_nhs_band_gives_seniority_when_the_title_has_none() {
        let mut value = posting();
        value["title"] = json!("Staff Nurse");
        value["baseSalary"]["value"]["value"] = json!("Band 6");
        let draft = to_draft(&object(value), "nhs").map(|d| d.seniority);
        assert_eq!(draft, Ok(Some(Seniority::Mid)));
    }

    #[test]
    fn a_posting_without_a_title_is_rejected() {
        let mut value = posting();
        value["title"] = json!("  ");
        assert_eq!(
            to_draft(&object(value), "nhs"),
            Err(RecordErrorKind::MissingTitle)
        );
    }

    #[test]
    fn telecommute_location_type_means_remote() {
        let mut value = posting();
        value["jobLocationType"] = json!("TELECOMMUTE");
        let draft = to_draft(&object(value), "board").map(|d| d.remote_mode);
        assert_eq!(draft, Ok(RemoteMode::Remote));
    }
}
