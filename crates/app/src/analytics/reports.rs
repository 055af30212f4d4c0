//! Fixed reports: `skills_demand_supply`, `application_funnel`, `ingest_health`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::dashboard::{SkillGap, market, series, top_by};
use super::{AnalyticsError, share};
use intellicv_core::ApplicationStatus;
use intellicv_core::{Bucket, TimeRange};
use intellicv_store::Store;

pub const REPORT_IDS: [&str; 3] = [
    "skills_demand_supply",
    "application_funnel",
    "ingest_health",
];

/// One report; `report` names which.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "report", rename_all = "snake_case")]
pub enum Report {
    SkillsDemandSupply(SkillsReport),
    ApplicationFunnel(FunnelReport),
    IngestHealth(IngestReport),
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SkillsReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Postings created in the range.
    pub postings: i64,
    /// Parsed resumes stored in the range.
    pub resumes: i64,
    /// Skills either side names, most demanded first (at most `limit`).
    pub skills: Vec<SkillGap>,
    /// Demand share above supply share, largest gap first.
    pub shortages: Vec<SkillGap>,
    /// Supply share above demand share, largest surplus first.
    pub surpluses: Vec<SkillGap>,
    /// Distinct skills either side names.
    pub distinct_skills: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FunnelReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Applications made in the range.
    pub applications: i64,
    /// The pipeline in order: submitted, reviewing, interview, offered, hired.
    pub stages: Vec<FunnelStage>,
    /// How applications left the pipeline: rejected, withdrawn.
    pub exits: Vec<FunnelStage>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FunnelStage {
    pub status: String,
    /// Applications that ever reached this status.
    pub reached: i64,
    /// Applications in this status now.
    pub current: i64,
    /// `reached` over the previous stage's `reached` (null for the first stage and
    /// exits).
    pub conversion: Option<f64>,
    /// How long applications stayed in this status before moving on (completed stays).
    pub time_in_stage: Option<StageDuration>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageDuration {
    /// Moves out of this stage measured.
    pub transitions: i64,
    pub avg_hours: f64,
    pub min_hours: f64,
    pub max_hours: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IngestReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket: Bucket,
    pub buckets: Vec<String>,
    pub overall: FormatHealth,
    /// Per detected format, most documents first.
    pub by_format: Vec<FormatHealth>,
    /// Per format and failure code, most first.
    pub failure_reasons: Vec<FailureReason>,
    /// Resumes stored and failed per bucket, and the failure rate.
    pub stored: Vec<i64>,
    pub failed: Vec<i64>,
    pub failure_rate: Vec<f64>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct FormatHealth {
    pub format: String,
    pub total: i64,
    pub parsed: i64,
    pub failed: i64,
    pub pending: i64,
    /// parsed / total.
    pub success_rate: f64,
    /// failed / total.
    pub failure_rate: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FailureReason {
    pub format: String,
    pub reason: String,
    pub count: i64,
    /// Of all failures in the range.
    pub share: f64,
}

/// Runs report `id` over `range`, with at most `limit` rows per list.
pub async fn report(
    store: &Store,
    id: &str,
    range: &TimeRange,
    limit: usize,
) -> Result<Report, AnalyticsError> {
    match id {
        "skills_demand_supply" => Ok(Report::SkillsDemandSupply(
            skills(store, range, limit).await?,
        )),
        "application_funnel" => Ok(Report::ApplicationFunnel(funnel(store, range).await?)),
        "ingest_health" => Ok(Report::IngestHealth(ingest(store, range).await?)),
        other => Err(AnalyticsError::UnknownReport(other.to_owned())),
    }
}

async fn skills(
    store: &Store,
    range: &TimeRange,
    limit: usize,
) -> Result<SkillsReport, AnalyticsError> {
    let market = market(store, range).await?;
    Ok(SkillsReport {
        from: range.from,
        to: range.to,
        postings: market.postings,
        resumes: market.resumes,
        distinct_skills: market.skills.len(),
        skills: top_by(&market.skills, limit, |_| true, |s| (s.demand, s.supply)),
        shortages: top_by(&market.skills, limit, |s| s.gap > 0.0, |s| s.gap),
        surpluses: top_by(&market.skills, limit, |s| s.gap < 0.0, |s| -s.gap),
    })
}

async fn funnel(store: &Store, range: &TimeRange) -> Result<FunnelReport, AnalyticsError> {
    let reach: BTreeMap<String, i64> = store
        .application_stage_reach(range)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.k1?, r.n)))
        .collect();
    let current: BTreeMap<String, i64> = store
        .application_current_status(range)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.k1?, r.n)))
        .collect();
    let times: BTreeMap<String, StageDuration> = store
        .application_stage_times(range)
        .await?
        .into_iter()
        .map(|t| {
            let hours = |s: Option<f64>| (s.unwrap_or(0.0) / 3600.0 * 100.0).round() / 100.0;
            let duration = StageDuration {
                transitions: t.n,
                avg_hours: hours(t.avg_secs),
                min_hours: hours(t.min_secs),
                max_hours: hours(t.max_secs),
            };
            (t.stage, duration)
        })
        .collect();
    let stage = |status: ApplicationStatus, previous: Option<i64>| {
        let name = status.as_str();
        let reached = reach.get(name).copied().unwrap_or(0);
        FunnelStage {
            status: name.to_owned(),
            reached,
            current: current.get(name).copied().unwrap_or(0),
            conversion: previous.map(|p| share(reached, p)),
            time_in_stage: times.get(name).cloned(),
        }
    };
    let mut stages: Vec<FunnelStage> = Vec::new();
    let mut step = Some(ApplicationStatus::Submitted);
    while let Some(status) = step {
        let previous = stages.last().map(|s| s.reached);
        stages.push(stage(status, previous));
        step = status.next();
    }
    let exits = [ApplicationStatus::Rejected, ApplicationStatus::Withdrawn]
        .into_iter()
        .map(|s| stage(s, None))
        .collect();
    Ok(FunnelReport {
        from: range.from,
        to: range.to,
        applications: current.values().sum(),
        stages,
        exits,
    })
}

fn health(format: &str, total: i64, parsed: i64, failed: i64) -> FormatHealth {
    FormatHealth {
        format: format.to_owned(),
        total,
        parsed,
        failed,
        pending: total - parsed - failed,
        success_rate: share(parsed, total),
        failure_rate: share(failed, total),
    }
}

async fn ingest(store: &Store, range: &TimeRange) -> Result<IngestReport, AnalyticsError> {
    let mut formats: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for row in store.resumes_by_format_status(range).await? {
        let entry = formats
            .entry(row.k1.unwrap_or_default())
            .or_insert((0, 0, 0));
        entry.0 += row.n;
        match row.k2.as_deref() {
            Some("parsed") => entry.1 += row.n,
            Some("failed") => entry.2 += row.n,
            _ => {}
        }
    }
    let mut by_format: Vec<FormatHealth> = formats
        .iter()
        .map(|(f, (t, p, x))| health(f, *t, *p, *x))
        .collect();
    by_format.sort_by(|a, b| b.total.cmp(&a.total).then(a.format.cmp(&b.format)));
    let sum = |f: fn(&FormatHealth) -> i64| by_format.iter().map(f).sum::<i64>();
    let overall = health(
        "all",
        sum(|h| h.total),
        sum(|h| h.parsed),
        sum(|h| h.failed),
    );
    let mut failure_reasons: Vec<FailureReason> = store
        .parse_failures_by_reason(range)
        .await?
        .into_iter()
        .map(|r| FailureReason {
            format: r.k1.unwrap_or_default(),
            reason: r.k2.unwrap_or_default(),
            count: r.n,
            share: share(r.n, overall.failed),
        })
        .collect();
    failure_reasons.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| (&a.format, &a.reason).cmp(&(&b.format, &b.reason)))
    });
    let buckets = range.buckets();
    let rows = store.resumes_by_bucket(range).await?;
    let key = |r: &intellicv_store::GroupCount| r.k1.clone().unwrap_or_default();
    let keyed: Vec<(String, i64, i64)> = rows.iter().map(|r| (key(r), r.n, r.m)).collect();
    let stored = series(&buckets, keyed.iter().map(|(k, n, _)| (k.as_str(), *n)));
    let failed = series(&buckets, keyed.iter().map(|(k, _, m)| (k.as_str(), *m)));
    let failure_rate = stored
        .iter()
        .zip(&failed)
        .map(|(s, f)| share(*f, *s))
        .collect();
    Ok(IngestReport {
        from: range.from,
        to: range.to,
        bucket: range.bucket,
        buckets,
        overall,
        by_format,
        failure_reasons,
        stored,
        failed,
        failure_rate,
    })
}
