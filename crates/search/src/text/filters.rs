//! [`SearchFilters`] as tantivy queries. Each filter becomes a query whose matches are
//! exactly the documents [`SearchFilters::matches`] keeps for that filter: term sets on
//! keyword fields, ranges on fast fields, and a radius as a latitude/longitude bounding
//! box checked exactly with the same haversine on the stored coordinates.

use std::ops::Bound;

use tantivy::query::doc_predicate_query::{DocPredicateQuery, FunctionPredicate};
use tantivy::query::{BooleanQuery, EmptyQuery, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, SegmentReader, Term};

use super::schema::{Fields, boxable, category_key, indexable, names};
use crate::document::EARTH_RADIUS_KM;
use crate::{GeoPoint, GeoRadius, SearchFilters, place_words};

/// The queries every matching document must pass; empty for an empty filter.
pub fn filter_queries(f: &Fields, filters: &SearchFilters, now: i64) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if let Some(place) = &filters.location {
        let words = place_words(place);
        if !words.is_empty() {
            out.push(all_terms(f.location, &words));
        }
    }
    if let Some(near) = filters.near {
        out.push(radius_query(f, near));
    }
    let keyword_sets = [
        (f.remote_mode, strs(&filters.remote_modes, |v| v.as_str())),
        (
            f.employment_type,
            strs(&filters.employment_types, |v| v.as_str()),
        ),
        (f.seniority, strs(&filters.seniorities, |v| v.as_str())),
    ];
    for (field, values) in keyword_sets {
        if !values.is_empty() {
            out.push(any_term(field, values));
        }
    }
    if !filters.categories.is_empty() {
        let keys = filters.categories.iter().map(|c| category_key(c)).collect();
        out.push(any_term(f.category, keys));
    }
    if let Some(min) = filters.salary_min {
        out.push(f64_at_least(f.salary_top, min));
    }
    if let Some(max) = filters.salary_max {
        out.push(f64_at_most(f.salary_bottom, max));
    }
    if let Some(since) = filters.posted_since(now) {
        out.push(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(f.posted_at, since)),
            Bound::Unbounded,
        )));
    }
    if !filters.skills_all.is_empty() {
        out.push(all_terms(f.skill_uris, &filters.skills_all));
    }
    if !filters.skills_any.is_empty() {
        out.push(any_term(f.skill_uris, filters.skills_any.clone()));
    }
    if let Some(min) = filters.min_years_experience {
        out.push(f64_at_least(f.years_experience, f64::from(min)));
    }
    out
}

fn strs<T: Copy>(values: &[T], as_str: impl Fn(T) -> &'static str) -> Vec<String> {
    values.iter().map(|v| as_str(*v).to_owned()).collect()
}

fn term_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn all_terms(field: Field, values: &[String]) -> Box<dyn Query> {
    Box::new(BooleanQuery::intersection(
        values.iter().map(|v| term_query(field, v)).collect(),
    ))
}

fn any_term(field: Field, values: Vec<String>) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(
        values.iter().map(|v| Term::from_field_text(field, v)),
    ))
}

fn f64_range(field: Field, lower: Bound<f64>, upper: Bound<f64>) -> Box<dyn Query> {
    let term = |x: f64| Term::from_field_f64(field, x);
    Box::new(RangeQuery::new(lower.map(term), upper.map(term)))
}

/// Values `>= min`; nothing passes a NaN bound, as in the reference.
fn f64_at_least(field: Field, min: f64) -> Box<dyn Query> {
    match indexable(min) {
        Some(min) => f64_range(field, Bound::Included(min), Bound::Unbounded),
        None => Box::new(EmptyQuery),
    }
}

fn f64_at_most(field: Field, max: f64) -> Box<dyn Query> {
    match indexable(max) {
        Some(max) => f64_range(field, Bound::Unbounded, Bound::Included(max)),
        None => Box::new(EmptyQuery),
    }
}

/// Widening of the bounding box, so float rounding never cuts off a point the exact check
/// would keep.
const BOX_SLACK_DEGREES: f64 = 1e-6;

/// Documents within the radius: a bounding box on the coordinate fields (cheap, indexed)
/// intersected with the exact haversine distance on the fast-field values.
fn radius_query(f: &Fields, near: GeoRadius) -> Box<dyn Query> {
    let exact = exact_radius(near);
    match bounding_box(f, near) {
        Some(boxed) => Box::new(BooleanQuery::intersection(vec![boxed, exact])),
        None => exact,
    }
}

/// The box of points that can lie within the radius, or `None` when it cannot be bounded
/// (a radius that is not a finite non-negative number, an invalid centre, a box reaching
/// the poles is still bounded in latitude). Points with coordinates outside the valid range
/// are always let through to the exact check.
fn bounding_box(f: &Fields, near: GeoRadius) -> Option<Box<dyn Query>> {
    let radius = near.radius_km;
    if !(radius.is_finite() && radius >= 0.0 && boxable(near.lat, near.lon)) {
        return None;
    }
    let angle = radius / EARTH_RADIUS_KM; // radians
    if angle >= std::f64::consts::PI {
        return None;
    }
    let dlat = angle.to_degrees() * (1.0 + 1e-9) + BOX_SLACK_DEGREES;
    let (lat_lo, lat_hi) = (near.lat - dlat, near.lat + dlat);
    let mut clauses: Vec<Box<dyn Query>> = vec![f64_range(
        f.lat,
        Bound::Included(lat_lo),
        Bound::Included(lat_hi),
    )];
    if lat_lo > -90.0 && lat_hi < 90.0 {
        // The widest longitude span at any latitude within reach of the centre.
        let ratio = angle.sin() / near.lat.to_radians().cos();
        if ratio < 1.0 {
            let dlon = ratio.asin().to_degrees() * (1.0 + 1e-9) + BOX_SLACK_DEGREES;
            if dlon < 180.0 {
                clauses.push(longitude_spans(f.lon, near.lon - dlon, near.lon + dlon));
            }
        }
    }
    let in_box = Box::new(BooleanQuery::intersection(clauses));
    let unboxed = Box::new(TermQuery::new(
        Term::from_field_u64(f.geo_unboxed, 1),
        IndexRecordOption::Basic,
    ));
    Some(Box::new(BooleanQuery::union(vec![in_box, unboxed])))
}

/// Longitudes in `[lo, hi]` modulo 360, for `hi - lo < 360` and both within 180 of the
/// valid range.
fn longitude_spans(field: Field, lo: f64, hi: f64) -> Box<dyn Query> {
    let span = |a: f64, b: f64| f64_range(field, Bound::Included(a), Bound::Included(b));
    let mut spans = vec![span(lo.max(-180.0), hi.min(180.0))];
    if lo < -180.0 {
        spans.push(span(lo + 360.0, 180.0));
    }
    if hi > 180.0 {
        spans.push(span(-180.0, hi - 360.0));
    }
    Box::new(BooleanQuery::union(spans))
}

/// The reference check: documents whose coordinates are within `radius_km` of the centre,
/// by [`GeoPoint::distance_km`] on the stored values.
fn exact_radius(near: GeoRadius) -> Box<dyn Query> {
    let centre = GeoPoint {
        lat: near.lat,
        lon: near.lon,
    };
    let predicate = FunctionPredicate::from(move |segment: &SegmentReader| -> tantivy::Result<_> {
        let lat = segment.fast_fields().f64(names::LAT)?;
        let lon = segment.fast_fields().f64(names::LON)?;
        Ok(move |doc: DocId| match (lat.first(doc), lon.first(doc)) {
            (Some(lat), Some(lon)) => GeoPoint { lat, lon }.distance_km(centre) <= near.radius_km,
            _ => false,
        })
    });
    Box::new(DocPredicateQuery::from(predicate))
}
