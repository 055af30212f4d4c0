//! The index's filters must keep exactly the documents [`SearchFilters::matches`] keeps.
//! Documents and filters are generated (seeded) with values chosen to hit the edges:
//! bounds equal to stored values, missing fields, odd case and punctuation, coordinates
//! near the antimeridian and the poles and outside the valid range.

use std::collections::BTreeSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::{NOW, doc};
use crate::{
    Collection, DocId, GeoPoint, GeoRadius, SearchDoc, SearchFilters, TextIndex, TextQuery,
};
use intellicv_core::{EmploymentType, RemoteMode, Seniority};

const DAY: i64 = 86_400;
const PLACES: &[&str] = &[
    "London, UK",
    "london",
    "Greater London",
    "New York, NY",
    "new-york",
    "São Paulo",
    "SÃO PAULO (BR)",
    "Leeds / Bradford",
    "İstanbul",
    "",
    "  ,, ",
];
const CATEGORIES: &[&str] = &[
    "Information Technology",
    "information technology",
    "INFORMATION TECHNOLOGY",
    "Nursing",
    "Straße",
    "STRASSE",
    "",
];
const SKILLS: &[&str] = &["s:a", "s:b", "s:c", "s:d", "s:e"];
const SALARIES: &[f64] = &[0.0, 20_000.0, 30_000.0, 45_000.0, 60_000.0, 100_000.0];
const YEARS: &[f32] = &[0.0, 1.5, 3.0, 5.0, 12.0];
const WORDS: &[&str] = &["rust", "nurse", "developer", "care", "data", "kubernetes"];
/// Centres of documents and radius filters: London, Leeds, the antimeridian, near the
/// north pole, the equator and prime meridian.
const CENTRES: &[(f64, f64)] = &[
    (51.5074, -0.1278),
    (53.8008, -1.5491),
    (0.0, 179.95),
    (-16.5, -179.9),
    (89.7, 10.0),
    (0.0, 0.0),
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    items.choose(rng).expect("non-empty")
}

fn maybe<T>(rng: &mut StdRng, p: f64, value: impl FnOnce(&mut StdRng) -> T) -> Option<T> {
    rng.gen_bool(p).then(|| value(rng))
}

fn subset<T: Copy>(rng: &mut StdRng, items: &[T], p: f64) -> Vec<T> {
    items.iter().copied().filter(|_| rng.gen_bool(p)).collect()
}

fn point(rng: &mut StdRng) -> GeoPoint {
    if rng.gen_bool(0.05) {
        // Outside the valid range: only the exact check can place it.
        return GeoPoint {
            lat: *pick(rng, &[95.0, -91.0, 45.0]),
            lon: *pick(rng, &[200.0, -185.0, 10.0, 540.0]),
        };
    }
    let (lat, lon) = *pick(rng, CENTRES);
    let spread = *pick(rng, &[0.0, 0.05, 0.5, 3.0]);
    let lon = lon + rng.gen_range(-spread..=spread) * 2.0;
    GeoPoint {
        lat: (lat + rng.gen_range(-spread..=spread)).clamp(-90.0, 90.0),
        lon: if lon > 180.0 {
            lon - 360.0
        } else if lon < -180.0 {
            lon + 360.0
        } else {
            lon
        },
    }
}

fn generated_doc(rng: &mut StdRng, id: DocId) -> SearchDoc {
    let words: Vec<&str> = (0..3).map(|_| *pick(rng, WORDS)).collect();
    let mut d = doc(id, &words.join(" "), &words.join(" and "));
    let m = &mut d.meta;
    m.remote_mode = maybe(rng, 0.8, |r| *pick(r, RemoteMode::ALL));
    m.employment_type = maybe(rng, 0.8, |r| *pick(r, EmploymentType::ALL));
    m.seniority = maybe(rng, 0.7, |r| *pick(r, Seniority::ALL));
    m.category = maybe(rng, 0.8, |r| pick(r, CATEGORIES).to_string());
    m.location = maybe(rng, 0.85, |r| pick(r, PLACES).to_string());
    m.coordinates = maybe(rng, 0.8, point);
    m.salary_yearly_min = maybe(rng, 0.6, |r| *pick(r, SALARIES));
    m.salary_yearly_max = maybe(rng, 0.6, |r| {
        *pick(r, SALARIES) + *pick(r, &[0.0, 15_000.0])
    });
    m.posted_at = maybe(rng, 0.85, |r| {
        NOW - r.gen_range(0..40) * DAY + *pick(r, &[0, 0, -1, 1, 3_600])
    });
    m.years_experience = maybe(rng, 0.6, |r| *pick(r, YEARS));
    let mut skills: Vec<String> = subset(rng, SKILLS, 0.35)
        .into_iter()
        .map(str::to_owned)
        .collect();
    skills.sort();
    m.skill_uris = skills;
    d
}

fn generated_filter(rng: &mut StdRng) -> SearchFilters {
    let p = 0.25;
    SearchFilters {
        location: maybe(rng, p, |r| {
            pick(
                r,
                &[
                    "london",
                    "LONDON uk",
                    "New York",
                    "são",
                    "paulo br",
                    "leeds",
                    "",
                    "istanbul",
                    "İstanbul",
                ],
            )
            .to_string()
        }),
        near: maybe(rng, p, |r| {
            let centre = if r.gen_bool(0.8) {
                let (lat, lon) = *pick(r, CENTRES);
                GeoPoint { lat, lon }
            } else {
                point(r)
            };
            GeoRadius {
                lat: centre.lat,
                lon: centre.lon,
                radius_km: *pick(
                    r,
                    &[
                        0.0, 1.0, 10.0, 60.0, 250.0, 400.0, 2_000.0, 15_000.0, 30_000.0,
                    ],
                ),
            }
        }),
        remote_modes: maybe(rng, p, |r| subset(r, RemoteMode::ALL, 0.4)).unwrap_or_default(),
        employment_types: maybe(rng, p, |r| subset(r, EmploymentType::ALL, 0.3))
            .unwrap_or_default(),
        seniorities: maybe(rng, p, |r| subset(r, Seniority::ALL, 0.4)).unwrap_or_default(),
        categories: maybe(rng, p, |r| {
            subset(r, CATEGORIES, 0.3)
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default(),
        salary_min: maybe(rng, p, |r| *pick(r, SALARIES)),
        salary_max: maybe(rng, p, |r| *pick(r, SALARIES)),
        posted_within_days: maybe(rng, p, |r| *pick(r, &[0, 1, 7, 30])),
        skills_all: maybe(rng, p, |r| subset(r, SKILLS, 0.3))
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        skills_any: maybe(rng, p, |r| subset(r, SKILLS, 0.3))
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        min_years_experience: maybe(rng, p, |r| *pick(r, YEARS)),
    }
}

fn found(index: &TextIndex, query: &str, filters: &SearchFilters) -> BTreeSet<DocId> {
    index
        .search(&TextQuery::new(query), filters, NOW, 10_000)
        .expect("search")
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn index_filters_keep_exactly_what_the_reference_keeps() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut docs: Vec<SearchDoc> = (1..=600).map(|id| generated_doc(&mut rng, id)).collect();
    let index = TextIndex::in_memory(Collection::Jobs).expect("index");
    // Several commits (several segments), then updates and deletes across them.
    for chunk in docs.chunks(150) {
        index.upsert(chunk).expect("upsert");
        index.commit().expect("commit");
    }
    for id in [3, 150, 151, 420] {
        let fresh = generated_doc(&mut rng, id);
        docs[(id - 1) as usize] = fresh;
    }
    index
        .upsert(&[3, 150, 151, 420].map(|id| docs[id - 1].clone()))
        .expect("update");
    let deleted = [10, 11, 300, 599];
    index.delete(&deleted).expect("delete");
    index.commit().expect("commit");
    docs.retain(|d| !deleted.contains(&d.id));
    assert_eq!(index.num_docs(), docs.len() as u64);

    let mut filters: Vec<SearchFilters> = (0..400).map(|_| generated_filter(&mut rng)).collect();
    // One filter per field alone, so each translation is checked without the others.
    for _ in 0..60 {
        let mut one = SearchFilters::default();
        let f = generated_filter(&mut rng);
        match rng.gen_range(0..12) {
            0 => one.location = f.location.or(Some("london".into())),
            1 => one.near = f.near,
            2 => one.remote_modes = f.remote_modes,
            3 => one.employment_types = f.employment_types,
            4 => one.seniorities = f.seniorities,
            5 => one.categories = f.categories,
            6 => one.salary_min = f.salary_min,
            7 => one.salary_max = f.salary_max,
            8 => one.posted_within_days = f.posted_within_days,
            9 => one.skills_all = f.skills_all,
            10 => one.skills_any = f.skills_any,
            _ => one.min_years_experience = f.min_years_experience,
        }
        filters.push(one);
    }
    filters.push(SearchFilters::default());

    let mut non_trivial = 0;
    for (i, filter) in filters.iter().enumerate() {
        let expected: BTreeSet<DocId> = docs
            .iter()
            .filter(|d| filter.matches(&d.meta, NOW))
            .map(|d| d.id)
            .collect();
        if !expected.is_empty() && expected.len() < docs.len() {
            non_trivial += 1;
        }
        assert_eq!(
            found(&index, "", filter),
            expected,
            "filter #{i}: {filter:?}"
        );
        // With words: the filtered subset of what the words find unfiltered.
        let query = WORDS[i % WORDS.len()];
        let unfiltered = found(&index, query, &SearchFilters::default());
        let expected_with_words: BTreeSet<DocId> =
            unfiltered.intersection(&expected).copied().collect();
        assert_eq!(
            found(&index, query, filter),
            expected_with_words,
            "filter #{i} with {query:?}: {filter:?}"
        );
    }
    assert!(
        non_trivial > filters.len() / 3,
        "only {non_trivial} filters split the documents"
    );
}
