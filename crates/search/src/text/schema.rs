//! The typed schema of the text index and the conversion of a [`SearchDoc`] to a tantivy
//! document.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::tokenizer::{ENGLISH, PLACE};
use crate::{DocMeta, SearchDoc};

/// Field names, shared with the fast-field readers that look columns up by name.
pub mod names {
    pub const ID: &str = "id";
    pub const POSTED_AT: &str = "posted_at";
    pub const LAT: &str = "lat";
    pub const LON: &str = "lon";
}

/// Handles of every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub other_titles: Field,
    pub skill_labels: Field,
    pub skill_uris: Field,
    pub body: Field,
    pub company: Field,
    pub location: Field,
    pub remote_mode: Field,
    pub employment_type: Field,
    pub seniority: Field,
    pub category: Field,
    /// `salary_yearly_max`, else `salary_yearly_min`: what `salary_min` filters compare.
    pub salary_top: Field,
    /// `salary_yearly_min`, else `salary_yearly_max`: what `salary_max` filters compare.
    pub salary_bottom: Field,
    pub salary_yearly_min: Field,
    pub salary_yearly_max: Field,
    pub posted_at: Field,
    pub years_experience: Field,
    pub lat: Field,
    pub lon: Field,
    /// 1 for coordinates outside the valid range, which the bounding box cannot place.
    pub geo_unboxed: Field,
    pub updated_at: Field,
}

fn english(positions: bool, stored: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ENGLISH)
            .set_index_option(record),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema. Any change to it (or to a tokenizer name) makes indexes built
/// before it fail to open with [`crate::SearchError::Corrupt`].
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let place = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(PLACE)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_i64_field(names::ID, INDEXED | FAST | STORED),
        title: b.add_text_field("title", english(true, true)),
        other_titles: b.add_text_field("other_titles", english(true, false)),
        skill_labels: b.add_text_field("skill_labels", english(true, false)),
        skill_uris: b.add_text_field("skill_uris", STRING),
        body: b.add_text_field("body", english(true, true)),
        company: b.add_text_field("company", english(false, false)),
        location: b.add_text_field("location", place),
        remote_mode: b.add_text_field("remote_mode", STRING | FAST),
        employment_type: b.add_text_field("employment_type", STRING | FAST),
        seniority: b.add_text_field("seniority", STRING | FAST),
        category: b.add_text_field("category", STRING | FAST),
        salary_top: b.add_f64_field("salary_top", INDEXED | FAST),
        salary_bottom: b.add_f64_field("salary_bottom", INDEXED | FAST),
        salary_yearly_min: b.add_f64_field("salary_yearly_min", FAST),
        salary_yearly_max: b.add_f64_field("salary_yearly_max", FAST),
        posted_at: b.add_i64_field(names::POSTED_AT, INDEXED | FAST),
        years_experience: b.add_f64_field("years_experience", INDEXED | FAST),
        lat: b.add_f64_field(names::LAT, INDEXED | FAST),
        lon: b.add_f64_field(names::LON, INDEXED | FAST),
        geo_unboxed: b.add_u64_field("geo_unboxed", INDEXED),
        updated_at: b.add_i64_field("updated_at", FAST),
    };
    (b.build(), fields)
}

/// A float as the index holds it: `None` for NaN (which no comparison passes, exactly like
/// a missing value), and `-0.0` as `0.0` (the index orders `-0.0` below `0.0`).
pub fn indexable(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x + 0.0)
}

/// Whether a point can be placed in the latitude/longitude bounding box of a radius filter.
pub fn boxable(lat: f64, lon: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

/// The lowercase form of a category under which it is indexed and looked up
/// (the reference compares with [`str::eq_ignore_ascii_case`]).
pub fn category_key(category: &str) -> String {
    category.to_ascii_lowercase()
}

pub fn to_document(f: &Fields, doc: &SearchDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_i64(f.id, doc.id);
    d.add_text(f.title, &doc.title);
    for t in &doc.other_titles {
        d.add_text(f.other_titles, t);
    }
    for s in &doc.skills {
        d.add_text(f.skill_labels, &s.label);
    }
    d.add_text(f.body, &doc.body);
    if let Some(c) = &doc.company {
        d.add_text(f.company, c);
    }
    add_meta(f, &doc.meta, &mut d);
    d
}

fn add_meta(f: &Fields, m: &DocMeta, d: &mut TantivyDocument) {
    for uri in &m.skill_uris {
        d.add_text(f.skill_uris, uri);
    }
    if let Some(l) = &m.location {
        d.add_text(f.location, l);
    }
    if let Some(v) = m.remote_mode {
        d.add_text(f.remote_mode, v.as_str());
    }
    if let Some(v) = m.employment_type {
        d.add_text(f.employment_type, v.as_str());
    }
    if let Some(v) = m.seniority {
        d.add_text(f.seniority, v.as_str());
    }
    if let Some(c) = &m.category {
        d.add_text(f.category, category_key(c));
    }
    let floats = [
        (f.salary_top, m.salary_yearly_max.or(m.salary_yearly_min)),
        (f.salary_bottom, m.salary_yearly_min.or(m.salary_yearly_max)),
        (f.salary_yearly_min, m.salary_yearly_min),
        (f.salary_yearly_max, m.salary_yearly_max),
        (f.years_experience, m.years_experience.map(f64::from)),
        (f.lat, m.coordinates.map(|p| p.lat)),
        (f.lon, m.coordinates.map(|p| p.lon)),
    ];
    for (field, value) in floats {
        if let Some(v) = value.and_then(indexable) {
            d.add_f64(field, v);
        }
    }
    if let Some(p) = m.coordinates
        && !boxable(p.lat, p.lon)
    {
        d.add_u64(f.geo_unboxed, 1);
    }
    if let Some(t) = m.posted_at {
        d.add_i64(f.posted_at, t);
    }
    d.add_i64(f.updated_at, m.updated_at);
}
