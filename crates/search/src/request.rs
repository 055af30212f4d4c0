//! A search request and its response, shared by the CLI and the HTTP API.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fusion::{Fusion, ListEntry};
use super::{DocId, DocMeta, SearchError, SearchFilters};

/// The deepest result a request may reach (`offset + limit`).
pub const MAX_DEPTH: usize = 10_000;
/// The most results on one page.
pub const MAX_LIMIT: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SearchRequest {
    /// Free text. Empty: every document that passes the filters, newest first.
    pub query: String,
    pub filters: SearchFilters,
    pub fusion: Fusion,
    /// Facets to count over the whole result set (not just the page).
    pub facets: Vec<FacetField>,
    pub offset: usize,
    pub limit: usize,
    /// Highlighted snippets of the page's hits.
    pub highlight: bool,
    /// Tolerate typos in longer query words.
    pub fuzzy: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        Self {
            query: String::new(),
            filters: SearchFilters::default(),
            fusion: Fusion::default(),
            facets: Vec::new(),
            offset: 0,
            limit: 10,
            highlight: true,
            fuzzy: true,
        }
    }
}

impl SearchRequest {
    pub fn validate(&self) -> Result<(), SearchError> {
        let invalid = |reason: String| Err(SearchError::InvalidQuery { reason });
        if self.limit == 0 || self.limit > MAX_LIMIT {
            return invalid(format!("limit must be between 1 and {MAX_LIMIT}"));
        }
        // Checked: an offset near usize::MAX must not wrap past the limit.
        if self
            .offset
            .checked_add(self.limit)
            .is_none_or(|depth| depth > MAX_DEPTH)
        {
            return invalid(format!("offset + limit must be at most {MAX_DEPTH}"));
        }
        if self.query.chars().count() > 1_000 {
            return invalid("query must be at most 1000 characters".to_owned());
        }
        if let Some(near) = self.filters.near {
            let ok = (-90.0..=90.0).contains(&near.lat)
                && (-180.0..=180.0).contains(&near.lon)
                && near.radius_km.is_finite()
                && near.radius_km > 0.0;
            if !ok {
                return invalid(
                    "near needs lat in [-90, 90], lon in [-180, 180] and a positive radius_km"
                        .to_owned(),
                );
            }
        }
        self.fusion.validate()
    }
}

/// The facets a search can count.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FacetField {
    RemoteMode,
    EmploymentType,
    Seniority,
    Category,
    Skills,
}

impl FacetField {
    pub fn as_str(self) -> &'static str {
        match self {
            FacetField::RemoteMode => "remote_mode",
            FacetField::EmploymentType => "employment_type",
            FacetField::Seniority => "seniority",
            FacetField::Category => "category",
            FacetField::Skills => "skills",
        }
    }

    /// The facet values of one document.
    pub fn values(self, meta: &DocMeta) -> Vec<String> {
        match self {
            FacetField::RemoteMode => meta
                .remote_mode
                .map(|v| v.as_str().to_owned())
                .into_iter()
                .collect(),
            FacetField::EmploymentType => meta
                .employment_type
                .map(|v| v.as_str().to_owned())
                .into_iter()
                .collect(),
            FacetField::Seniority => meta
                .seniority
                .map(|v| v.as_str().to_owned())
                .into_iter()
                .collect(),
            FacetField::Category => meta.category.clone().into_iter().collect(),
            FacetField::Skills => meta.skill_uris.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: usize,
}

/// Facet values shown per field, most frequent first.
pub const FACET_VALUES_SHOWN: usize = 20;

/// Counts facet values over the metadata of a result set.
pub fn count_facets<'a>(
    fields: &[FacetField],
    metas: impl Iterator<Item = &'a DocMeta> + Clone,
) -> BTreeMap<String, Vec<FacetCount>> {
    let mut out = BTreeMap::new();
    for &field in fields {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for meta in metas.clone() {
            for value in field.values(meta) {
                *counts.entry(value).or_default() += 1;
            }
        }
        let mut counts: Vec<FacetCount> = counts
            .into_iter()
            .map(|(value, count)| FacetCount { value, count })
            .collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        counts.truncate(FACET_VALUES_SHOWN);
        out.insert(field.as_str().to_owned(), counts);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    #[schema(value_type = i64)]
    pub id: DocId,
    /// In [0, 1]; 0 for every hit of a query without text (ordered by date).
    pub score: f32,
    pub lexical: Option<ListEntry>,
    pub vector: Option<ListEntry>,
    /// Highlighted snippets per field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub highlights: Option<super::Highlights>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResponse {
    /// Documents in the fused result set (bounded by the lists' depth).
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<SearchHit>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    pub took_ms: f64,
    /// Served from the result cache.
    pub cached: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_core::RemoteMode;

    #[test]
    fn requests_read_from_json_with_defaults() {
        let r: SearchRequest = serde_json::from_str(r#"{"query":"nurse"}"#).unwrap();
        assert_eq!(r.limit, 10);
        assert_eq!(r.fusion, Fusion::default());
        assert!(r.validate().is_ok());
        let bad = serde_json::from_str::<SearchRequest>(r#"{"query":"x","colour":"red"}"#);
        assert!(bad.is_err(), "unknown fields are rejected");
    }

    #[test]
    fn paging_limits_are_enforced() {
        let deep = SearchRequest {
            offset: MAX_DEPTH,
            ..Default::default()
        };
        assert!(deep.validate().is_err());
        let zero = SearchRequest {
            limit: 0,
            ..Default::default()
        };
        assert!(zero.validate().is_err());
        let wrapping = SearchRequest {
            offset: usize::MAX,
            ..Default::default()
        };
        assert!(wrapping.validate().is_err(), "offset + limit must not wrap");
    }

    #[test]
    fn facets_count_the_whole_set_most_frequent_first() {
        let remote = DocMeta {
            remote_mode: Some(RemoteMode::Remote),
            ..Default::default()
        };
        let onsite = DocMeta {
            remote_mode: Some(RemoteMode::Onsite),
            ..Default::default()
        };
        let metas = [remote.clone(), onsite, remote];
        let facets = count_facets(&[FacetField::RemoteMode], metas.iter());
        let counts = &facets["remote_mode"];
        assert_eq!(
            counts[0],
            FacetCount {
                value: "remote".into(),
                count: 2
            }
        );
        assert_eq!(
            counts[1],
            FacetCount {
                value: "onsite".into(),
                count: 1
            }
        );
    }
}
