//! The admin dashboard: documents, parse failures, searches, matches and applications per
//! time bucket, and the skills postings ask for against those resumes show.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::usage::kinds;
use super::{AnalyticsError, share};
use intellicv_core::ApplicationStatus;
use intellicv_core::{Bucket, TimeRange};
use intellicv_store::{GroupCount, SkillSide, Store};

/// Most skills per list.
pub const MAX_TOP: usize = 100;
pub const DEFAULT_TOP: usize = 10;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket: Bucket,
    /// The first day of every bucket; each series has one value per bucket.
    pub buckets: Vec<String>,
    pub totals: Totals,
    pub series: Series,
    pub skills: SkillsOverview,
}

/// Counts over the whole range.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub resumes: i64,
    pub jobs: i64,
    pub parse_failures: i64,
    pub searches: i64,
    pub matches: i64,
    pub applications: i64,
    /// Applications made in the range, by their status now.
    pub applications_by_status: BTreeMap<String, i64>,
}

/// Per-bucket counts.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Series {
    pub resumes: Vec<i64>,
    pub jobs: Vec<i64>,
    pub parse_failures: Vec<i64>,
    pub searches: Vec<i64>,
    pub matches: Vec<i64>,
    /// Applications made in each bucket, by their status now (every status listed).
    pub applications: BTreeMap<String, Vec<i64>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SkillsOverview {
    /// Postings created in the range (the demand shares' denominator).
    pub postings: i64,
    /// Parsed resumes stored in the range (the supply shares' denominator).
    pub resumes: i64,
    /// Skills the most postings ask for.
    pub demanded: Vec<SkillTrend>,
    /// Skills the most resumes show.
    pub supplied: Vec<SkillTrend>,
    /// The largest shortages: demand share minus supply share, largest first.
    pub gaps: Vec<SkillGap>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SkillTrend {
    pub uri: String,
    pub label: String,
    /// Postings (demand) or resumes (supply) naming the skill.
    pub documents: i64,
    pub share: f64,
    /// Documents per bucket.
    pub series: Vec<i64>,
}

/// One skill on both sides of the market.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SkillGap {
    pub uri: String,
    pub label: String,
    /// Postings asking for it, and of those, requiring it.
    pub demand: i64,
    pub required: i64,
    pub demand_share: f64,
    /// Parsed resumes showing it.
    pub supply: i64,
    pub supply_share: f64,
    /// `demand_share - supply_share`: above 0, postings ask for it more than resumes
    /// show it.
    pub gap: f64,
}

/// Values per bucket label, in `buckets` order (0 where a bucket has no row).
pub(crate) fn series<'a>(
    buckets: &[String],
    rows: impl IntoIterator<Item = (&'a str, i64)>,
) -> Vec<i64> {
    let index: HashMap<&str, usize> = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| (b.as_str(), i))
        .collect();
    let mut out = vec![0; buckets.len()];
    for (bucket, n) in rows {
        if let Some(&i) = index.get(bucket) {
            out[i] += n;
        }
    }
    out
}

fn key(k: &Option<String>) -> &str {
    k.as_deref().unwrap_or("")
}

/// Both sides of the skills market over the range, every skill either side names.
pub(crate) struct Market {
    pub postings: i64,
    pub resumes: i64,
    pub skills: Vec<SkillGap>,
}

pub(crate) async fn market(store: &Store, range: &TimeRange) -> Result<Market, AnalyticsError> {
    let (demand, postings) = store.skill_counts(SkillSide::Demand, range).await?;
    let (supply, resumes) = store.skill_counts(SkillSide::Supply, range).await?;
    let mut by_uri: BTreeMap<String, SkillGap> = BTreeMap::new();
    let blank = |uri: &str, label: &str| SkillGap {
        uri: uri.to_owned(),
        label: label.to_owned(),
        demand: 0,
        required: 0,
        demand_share: 0.0,
        supply: 0,
        supply_share: 0.0,
        gap: 0.0,
    };
    for row in &demand {
        let entry = by_uri
            .entry(key(&row.k1).to_owned())
            .or_insert_with(|| blank(key(&row.k1), key(&row.k2)));
        entry.demand = row.n;
        entry.required = row.m;
    }
    for row in &supply {
        let entry = by_uri
            .entry(key(&row.k1).to_owned())
            .or_insert_with(|| blank(key(&row.k1), key(&row.k2)));
        entry.supply = row.n;
    }
    let skills = by_uri
        .into_values()
        .map(|mut s| {
            s.demand_share = share(s.demand, postings);
            s.supply_share = share(s.supply, resumes);
            s.gap = ((s.demand_share - s.supply_share) * 10_000.0).round() / 10_000.0;
            s
        })
        .collect();
    Ok(Market {
        postings,
        resumes,
        skills,
    })
}

/// The `n` skills with the largest `by`, ties by label.
pub(crate) fn top_by<K: PartialOrd>(
    skills: &[SkillGap],
    n: usize,
    keep: impl Fn(&SkillGap) -> bool,
    by: impl Fn(&SkillGap) -> K,
) -> Vec<SkillGap> {
    let mut kept: Vec<&SkillGap> = skills.iter().filter(|s| keep(s)).collect();
    kept.sort_by(|a, b| {
        by(b)
            .partial_cmp(&by(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.label.cmp(&b.label))
    });
    kept.into_iter().take(n).cloned().collect()
}

async fn trends(
    store: &Store,
    range: &TimeRange,
    buckets: &[String],
    side: SkillSide,
    top: Vec<SkillGap>,
    total: i64,
) -> Result<Vec<SkillTrend>, AnalyticsError> {
    let uris: Vec<String> = top.iter().map(|s| s.uri.clone()).collect();
    let rows = store.skill_counts_by_bucket(side, range, &uris).await?;
    Ok(top
        .into_iter()
        .map(|s| {
            let documents = match side {
                SkillSide::Demand => s.demand,
                SkillSide::Supply => s.supply,
            };
            let mine = rows
                .iter()
                .filter(|r| key(&r.k2) == s.uri)
                .map(|r| (key(&r.k1), r.n));
            SkillTrend {
                series: series(buckets, mine),
                share: share(documents, total),
                documents,
                uri: s.uri,
                label: s.label,
            }
        })
        .collect())
}

fn total(rows: &[GroupCount]) -> i64 {
    rows.iter().map(|r| r.n).sum()
}

/// The dashboard over `range` with `top` skills per list.
pub async fn dashboard(
    store: &Store,
    range: &TimeRange,
    top: usize,
) -> Result<Dashboard, AnalyticsError> {
    let buckets = range.buckets();
    let resumes = store.resumes_by_bucket(range).await?;
    let jobs = store.jobs_by_bucket(range).await?;
    let usage = store.usage_by_bucket(range).await?;
    let applications = store.applications_by_bucket(range).await?;
    let usage_of = |kind: &str| {
        series(
            &buckets,
            usage
                .iter()
                .filter(|r| key(&r.k2) == kind)
                .map(|r| (key(&r.k1), r.n)),
        )
    };
    let mut by_status = BTreeMap::new();
    let mut status_totals = BTreeMap::new();
    for status in ApplicationStatus::ALL {
        let name = status.as_str();
        let rows: Vec<(&str, i64)> = applications
            .iter()
            .filter(|r| key(&r.k2) == name)
            .map(|r| (key(&r.k1), r.n))
            .collect();
        status_totals.insert(name.to_owned(), rows.iter().map(|r| r.1).sum());
        by_status.insert(name.to_owned(), series(&buckets, rows));
    }
    let series_ = Series {
        resumes: series(&buckets, resumes.iter().map(|r| (key(&r.k1), r.n))),
        parse_failures: series(&buckets, resumes.iter().map(|r| (key(&r.k1), r.m))),
        jobs: series(&buckets, jobs.iter().map(|r| (key(&r.k1), r.n))),
        searches: usage_of(kinds::SEARCH),
        matches: usage_of(kinds::MATCH),
        applications: by_status,
    };
    let totals = Totals {
        resumes: total(&resumes),
        parse_failures: resumes.iter().map(|r| r.m).sum(),
        jobs: total(&jobs),
        searches: series_.searches.iter().sum(),
        matches: series_.matches.iter().sum(),
        applications: total(&applications),
        applications_by_status: status_totals,
    };
    let market = market(store, range).await?;
    let demanded = top_by(&market.skills, top, |s| s.demand > 0, |s| s.demand);
    let supplied = top_by(&market.skills, top, |s| s.supply > 0, |s| s.supply);
    let gaps = top_by(&market.skills, top, |s| s.gap > 0.0, |s| s.gap);
    let skills = SkillsOverview {
        postings: market.postings,
        resumes: market.resumes,
        demanded: trends(
            store,
            range,
            &buckets,
            SkillSide::Demand,
            demanded,
            market.postings,
        )
        .await?,
        supplied: trends(
            store,
            range,
            &buckets,
            SkillSide::Supply,
            supplied,
            market.resumes,
        )
        .await?,
        gaps,
    };
    Ok(Dashboard {
        from: range.from,
        to: range.to,
        bucket: range.bucket,
        buckets,
        totals,
        series: series_,
        skills,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_has_a_value_for_every_bucket() {
        let buckets: Vec<String> = ["2026-11-01", "2026-11-02", "2026-11-03"]
            .map(String::from)
            .to_vec();
        let rows = [("2026-11-03", 2), ("2026-11-01", 5), ("2026-10-31", 9)];
        assert_eq!(series(&buckets, rows), vec![5, 0, 2]);
    }

    #[test]
    fn top_lists_order_by_the_key_then_label() {
        let skill = |label: &str, demand: i64| SkillGap {
            uri: format!("u:{label}"),
            label: label.into(),
            demand,
            required: 0,
            demand_share: 0.0,
            supply: 0,
            supply_share: 0.0,
            gap: 0.0,
        };
        let skills = vec![skill("b", 2), skill("a", 2), skill("c", 5), skill("d", 0)];
        let top = top_by(&skills, 3, |s| s.demand > 0, |s| s.demand);
        let labels: Vec<&str> = top.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, vec!["c", "a", "b"]);
    }
}
