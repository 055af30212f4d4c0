//! Search filters. The same filter value is applied by the text index (as index queries)
//! and by the vector index (as a predicate over [`DocMeta`] during graph traversal);
//! [`SearchFilters::matches`] is the reference semantics both must agree with.

use serde::{Deserialize, Serialize};

use super::document::{DocMeta, EARTH_RADIUS_KM, GeoPoint, place_word_spans};

/// Whether two words are equal once lowercased (as `str::to_lowercase` folds them).
fn same_word(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
    }
}
use intellicv_core::{EmploymentType, RemoteMode, Seniority};

/// A circle on the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GeoRadius {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
}

/// Every set field narrows the result; lists match any of their values, except
/// `skills_all`. An empty filter keeps everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SearchFilters {
    /// Place name: every word of it must be a word of the document's location.
    pub location: Option<String>,
    /// Within a radius of a point; documents without coordinates do not match.
    pub near: Option<GeoRadius>,
    pub remote_modes: Vec<RemoteMode>,
    pub employment_types: Vec<EmploymentType>,
    pub seniorities: Vec<Seniority>,
    /// Category labels, compared case-insensitively.
    pub categories: Vec<String>,
    /// Yearly salary: the posting's range must reach at least this much.
    pub salary_min: Option<f64>,
    /// Yearly salary: the posting's range must start at or below this much.
    pub salary_max: Option<f64>,
    /// Posted within this many days of now; documents without a date do not match.
    pub posted_within_days: Option<u32>,
    /// ESCO URIs that must all be present.
    pub skills_all: Vec<String>,
    /// ESCO URIs of which at least one must be present.
    pub skills_any: Vec<String>,
    /// Years of experience at least this many (resumes).
    pub min_years_experience: Option<f32>,
}

impl SearchFilters {
    pub fn is_empty(&self) -> bool {
        *self == SearchFilters::default()
    }

    /// Whether a document passes every filter. `now` is unix seconds.
    pub fn matches(&self, meta: &DocMeta, now: i64) -> bool {
        self.location_matches(meta)
            && self.near_matches(meta)
            && any_of(&self.remote_modes, meta.remote_mode)
            && any_of(&self.employment_types, meta.employment_type)
            && any_of(&self.seniorities, meta.seniority)
            && (self.categories.is_empty()
                || meta.category.as_deref().is_some_and(|c| {
                    self.categories
                        .iter()
                        .any(|want| want.eq_ignore_ascii_case(c))
                }))
            && self.salary_matches(meta)
            && self.posted_matches(meta, now)
            && self.skills_all.iter().all(|s| has_skill(meta, s))
            && (self.skills_any.is_empty() || self.skills_any.iter().any(|s| has_skill(meta, s)))
            && self
                .min_years_experience
                .is_none_or(|min| meta.years_experience.is_some_and(|y| y >= min))
    }

    /// The earliest `posted_at` (unix seconds) that passes `posted_within_days`.
    pub fn posted_since(&self, now: i64) -> Option<i64> {
        self.posted_within_days.map(|d| now - i64::from(d) * 86_400)
    }

    /// Every word of the wanted place is a word of the document's location, case folded:
    /// [`place_words`](super::place_words) semantics without allocating (this runs for every document a
    /// filtered vector search visits).
    fn location_matches(&self, meta: &DocMeta) -> bool {
        let Some(wanted) = self.location.as_deref() else {
            return true;
        };
        let have = meta.location.as_deref().unwrap_or_default();
        place_word_spans(wanted).all(|w| place_word_spans(have).any(|h| same_word(w, h)))
    }

    fn near_matches(&self, meta: &DocMeta) -> bool {
        let Some(near) = self.near else {
            return true;
        };
        let centre = GeoPoint {
            lat: near.lat,
            lon: near.lon,
        };
        // The great-circle distance is at least the distance along the meridian: most
        // documents fail on latitude alone, without the trigonometry.
        let latitude_km = |p: GeoPoint| (p.lat - near.lat).abs().to_radians() * EARTH_RADIUS_KM;
        meta.coordinates.is_some_and(|p| {
            latitude_km(p) <= near.radius_km * (1.0 + 1e-9)
                && p.distance_km(centre) <= near.radius_km
        })
    }

    fn salary_matches(&self, meta: &DocMeta) -> bool {
        // A posting with only one end of the range known is compared on that end.
        let top = meta.salary_yearly_max.or(meta.salary_yearly_min);
        let bottom = meta.salary_yearly_min.or(meta.salary_yearly_max);
        self.salary_min
            .is_none_or(|min| top.is_some_and(|t| t >= min))
            && self
                .salary_max
                .is_none_or(|max| bottom.is_some_and(|b| b <= max))
    }

    fn posted_matches(&self, meta: &DocMeta, now: i64) -> bool {
        self.posted_since(now)
            .is_none_or(|since| meta.posted_at.is_some_and(|p| p >= since))
    }
}

fn any_of<T: PartialEq + Copy>(wanted: &[T], have: Option<T>) -> bool {
    wanted.is_empty() || have.is_some_and(|h| wanted.contains(&h))
}

fn has_skill(meta: &DocMeta, uri: &str) -> bool {
    meta.skill_uris
        .binary_search_by(|s| s.as_str().cmp(uri))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn meta() -> DocMeta {
        DocMeta {
            remote_mode: Some(RemoteMode::Hybrid),
            employment_type: Some(EmploymentType::FullTime),
            seniority: Some(Seniority::Senior),
            category: Some("Information Technology".into()),
            location: Some("London, UK".into()),
            coordinates: Some(GeoPoint {
                lat: 51.5074,
                lon: -0.1278,
            }),
            salary_yearly_min: Some(60_000.0),
            salary_yearly_max: Some(80_000.0),
            salary_currency: Some("GBP".into()),
            posted_at: Some(NOW - 3 * 86_400),
            years_experience: None,
            skill_uris: vec!["a".into(), "b".into()],
            updated_at: NOW,
        }
    }

    #[test]
    fn place_matching_agrees_with_the_words_of_place_words() {
        let places = [
            "London, UK",
            "Greater London",
            "ZÜRICH / Remote",
            "St. Albans",
            "İstanbul",
            "",
            "New York, NY",
        ];
        let wanted = [
            "london",
            "LONDON uk",
            "zürich",
            "st albans",
            "i̇stanbul",
            "york new",
            "ny",
            " , ",
            "lon",
        ];
        for place in places {
            for want in wanted {
                let meta = DocMeta {
                    location: (!place.is_empty()).then(|| place.to_owned()),
                    ..DocMeta::default()
                };
                let have = crate::place_words(place);
                let expected = crate::place_words(want).iter().all(|w| have.contains(w));
                let filter = SearchFilters {
                    location: Some(want.to_owned()),
                    ..Default::default()
                };
                assert_eq!(
                    filter.matches(&meta, NOW),
                    expected,
                    "{want:?} in {place:?}"
                );
            }
        }
    }

    #[test]
    fn the_latitude_shortcut_never_changes_a_radius_answer() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            let centre = GeoPoint {
                lat: rng.gen_range(-80.0..80.0),
                lon: rng.gen_range(-180.0..180.0),
            };
            let radius_km = rng.gen_range(1.0..500.0);
            // Points around the circle's edge, some due north or south of the centre.
            let point = GeoPoint {
                lat: (centre.lat + rng.gen_range(-6.0..6.0)).clamp(-90.0, 90.0),
                lon: if rng.gen_bool(0.2) {
                    centre.lon
                } else {
                    centre.lon + rng.gen_range(-6.0..6.0)
                },
            };
            let filter = SearchFilters {
                near: Some(GeoRadius {
                    lat: centre.lat,
                    lon: centre.lon,
                    radius_km,
                }),
                ..Default::default()
            };
            let meta = DocMeta {
                coordinates: Some(point),
                ..DocMeta::default()
            };
            assert_eq!(
                filter.matches(&meta, NOW),
                point.distance_km(centre) <= radius_km,
                "{point:?} {centre:?} {radius_km}"
            );
        }
    }

    #[test]
    fn an_empty_filter_keeps_everything() {
        assert!(SearchFilters::default().is_empty());
        assert!(SearchFilters::default().matches(&DocMeta::default(), NOW));
    }

    #[test]
    fn each_filter_narrows() {
        let m = meta();
        let pass = |f: SearchFilters| f.matches(&m, NOW);
        assert!(pass(SearchFilters {
            location: Some("london".into()),
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            location: Some("leeds".into()),
            ..Default::default()
        }));
        let near = |radius_km| GeoRadius {
            lat: 51.75,
            lon: -1.25,
            radius_km,
        }; // Oxford
        assert!(pass(SearchFilters {
            near: Some(near(90.0)),
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            near: Some(near(50.0)),
            ..Default::default()
        }));
        assert!(pass(SearchFilters {
            remote_modes: vec![RemoteMode::Remote, RemoteMode::Hybrid],
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            remote_modes: vec![RemoteMode::Remote],
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            employment_types: vec![EmploymentType::Contract],
            ..Default::default()
        }));
        assert!(pass(SearchFilters {
            seniorities: vec![Seniority::Senior],
            ..Default::default()
        }));
        assert!(pass(SearchFilters {
            categories: vec!["information technology".into()],
            ..Default::default()
        }));
        assert!(pass(SearchFilters {
            salary_min: Some(75_000.0),
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            salary_min: Some(85_000.0),
            ..Default::default()
        }));
        assert!(pass(SearchFilters {
            salary_max: Some(65_000.0),
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            salary_max: Some(55_000.0),
            ..Default::default()
        }));
        assert!(pass(SearchFilters {
            posted_within_days: Some(7),
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            posted_within_days: Some(1),
            ..Default::default()
        }));
        assert!(pass(SearchFilters {
            skills_all: vec!["a".into(), "b".into()],
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            skills_all: vec!["a".into(), "c".into()],
            ..Default::default()
        }));
        assert!(pass(SearchFilters {
            skills_any: vec!["c".into(), "b".into()],
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            skills_any: vec!["c".into()],
            ..Default::default()
        }));
        assert!(!pass(SearchFilters {
            min_years_experience: Some(2.0),
            ..Default::default()
        }));
    }
}
