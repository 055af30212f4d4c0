//! Location and remote compatibility: a remote posting suits anyone; otherwise the
//! candidate's places (preferences, else the resume's location) are compared with the
//! posting's city and country.

use crate::Posting;
use intellicv_core::RemoteMode;

const US_STATES: &[&str] = &[
    "al", "ak", "az", "ar", "ca", "co", "ct", "de", "dc", "fl", "ga", "hi", "id", "il", "in", "ia",
    "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm",
    "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa",
    "wv", "wi", "wy",
];

/// A country code for a country name, code or (US) state code.
fn country_of(part: &str) -> Option<String> {
    let p = part.trim().trim_end_matches('.').to_lowercase();
    let code = match p.as_str() {
        "uk" | "gb" | "united kingdom" | "great britain" | "england" | "scotland" | "wales"
        | "northern ireland" | "britain" => "gb",
        "us"
        | "usa"
        | "u.s"
        | "u.s.a"
        | "united states"
        | "united states of america"
        | "america" => "us",
        "germany" | "deutschland" => "de",
        "france" => "fr",
        "canada" => "ca",
        "ireland" => "ie",
        "netherlands" | "the netherlands" => "nl",
        "spain" => "es",
        "india" => "in",
        "australia" => "au",
        s if US_STATES.contains(&s) => "us",
        s if s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic()) => s,
        _ => return None,
    };
    Some(code.to_owned())
}

/// A place: its first part as the city (unless it is itself a country) and a country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub city: Option<String>,
    pub country: Option<String>,
}

pub fn parse_place(text: &str, country: Option<&str>) -> Option<Place> {
    let parts: Vec<&str> = text
        .split([',', '|', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let first = parts.first().copied();
    let named_country = parts.iter().rev().find_map(|p| country_of(p));
    let city = first
        .filter(|f| parts.len() > 1 || country_of(f).is_none())
        .map(|f| f.to_lowercase());
    let country = named_country.or_else(|| country.and_then(country_of));
    (city.is_some() || country.is_some()).then_some(Place { city, country })
}

/// How well one candidate place suits an on-site or hybrid posting place.
fn place_fit(candidate: &Place, job: &Place, mode: RemoteMode) -> f32 {
    let same_city = candidate.city.is_some() && candidate.city == job.city;
    let same_country = candidate.country.is_some() && candidate.country == job.country;
    match (same_city, same_country, mode) {
        (true, _, _) => 1.0,
        (false, true, RemoteMode::Hybrid) => 0.6,
        (false, true, _) => 0.5,
        (false, false, RemoteMode::Hybrid) => 0.2,
        (false, false, _) => 0.1,
    }
}

/// The location score and its detail; `None` when a non-remote posting or the candidate
/// has no usable place. `show_places` is false in blind mode.
pub fn location_fit(
    candidate_places: &[String],
    remote_only: bool,
    job: &Posting,
    show_places: bool,
) -> Option<(f32, String)> {
    let mode = job.remote_mode;
    if mode == RemoteMode::Remote {
        return Some((1.0, "remote role".to_owned()));
    }
    if remote_only {
        let score = match mode {
            RemoteMode::Hybrid => 0.4,
            RemoteMode::Onsite => 0.0,
            _ => 0.5,
        };
        return Some((
            score,
            format!("candidate wants remote work; role is {mode}"),
        ));
    }
    let job_place = parse_place(
        job.location.as_deref().unwrap_or(""),
        job.country.as_deref(),
    )?;
    let (score, best) = candidate_places
        .iter()
        .filter_map(|p| parse_place(p, None).map(|place| (place, p)))
        .map(|(place, text)| (place_fit(&place, &job_place, mode), text))
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))?;
    let job_location = job.location.as_deref().unwrap_or("its country");
    let detail = if show_places {
        format!("candidate in {best}; {mode} role in {job_location}")
    } else {
        format!("{mode} role in {job_location}")
    };
    Some((score, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_parse_cities_countries_and_us_states() {
        assert_eq!(
            parse_place("Austin, TX", None),
            Some(Place {
                city: Some("austin".into()),
                country: Some("us".into())
            })
        );
        assert_eq!(
            parse_place("London", Some("GB")).and_then(|p| p.country),
            Some("gb".into())
        );
        assert_eq!(
            parse_place("United Kingdom", None).and_then(|p| p.city),
            None
        );
        assert_eq!(parse_place("", None), None);
    }
}
