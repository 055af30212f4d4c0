//! Time ranges and buckets (of analytics answers): `from`/`to` (RFC 3339 instants or
//! `YYYY-MM-DD` days, UTC) and `bucket` (`day`, `week` starting Monday, `month`).

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

/// A bad `from`, `to` or `bucket`; `field` names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RangeError {
    pub field: String,
    pub reason: String,
}

impl RangeError {
    fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Default range: the last 30 days.
pub const DEFAULT_DAYS: u64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    pub const NAMES: &'static str = "day, week, month";

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "day" => Bucket::Day,
            "week" => Bucket::Week,
            "month" => Bucket::Month,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }

    /// The first day of the bucket holding `day`.
    pub fn floor(self, day: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => day,
            Bucket::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Bucket::Month => day.with_day(1).expect("day 1 exists"),
        }
    }

    /// The first day of the bucket after the one starting on `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + Days::new(1),
            Bucket::Week => start + Days::new(7),
            Bucket::Month => start + Months::new(1),
        }
    }
}

/// `[from, to)` in UTC, with the bucket size of a time series over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket: Bucket,
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// An instant: RFC 3339, or a day (its midnight; with `day_end`, the next midnight, so
/// `to=2026-11-30` includes that day).
fn parse_instant(raw: &str, field: &str, day_end: bool) -> Result<DateTime<Utc>, RangeError> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(day) if day_end => Ok(midnight(day + Days::new(1))),
        Ok(day) => Ok(midnight(day)),
        Err(_) => Err(RangeError::invalid(
            field,
            format!("`{raw}` is neither an RFC 3339 time nor a YYYY-MM-DD day"),
        )),
    }
}

impl TimeRange {
    /// Parses the request's `from`, `to` and `bucket` (defaults: the last 30 days, by
    /// day); at most `max_buckets` buckets.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        bucket: Option<&str>,
        max_buckets: usize,
    ) -> Result<Self, RangeError> {
        let to = match present(to) {
            Some(raw) => parse_instant(raw, "to", true)?,
            None => Utc::now(),
        };
        let from = match present(from) {
            Some(raw) => parse_instant(raw, "from", false)?,
            None => to - chrono::Duration::days(DEFAULT_DAYS as i64),
        };
        if from >= to {
            return Err(RangeError::invalid("from", "must be before `to`"));
        }
        let bucket = match present(bucket) {
            None => Bucket::Day,
            Some(raw) => Bucket::parse(raw).ok_or_else(|| {
                RangeError::invalid("bucket", format!("must be one of {}", Bucket::NAMES))
            })?,
        };
        let range = Self { from, to, bucket };
        if range.buckets_walked(max_buckets + 1).len() > max_buckets {
            return Err(RangeError::invalid(
                "bucket",
                format!(
                    "the range holds more than {max_buckets} {} buckets: use a larger bucket \
                     or a shorter range",
                    bucket.as_str()
                ),
            ));
        }
        Ok(range)
    }

    fn buckets_walked(&self, cap: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut start = self.bucket.floor(self.from.date_naive());
        while midnight(start) < self.to && out.len() < cap {
            out.push(start.format("%Y-%m-%d").to_string());
            start = self.bucket.next(start);
        }
        out
    }

    /// The label (first day, `YYYY-MM-DD`) of every bucket the range touches, oldest
    /// first: the keys of every time series.
    pub fn buckets(&self) -> Vec<String> {
        self.buckets_walked(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: &str, to: &str, bucket: &str) -> TimeRange {
        TimeRange::parse(Some(from), Some(to), Some(bucket), 1000).unwrap()
    }

    #[test]
    fn days_include_the_day_named_by_to() {
        let r = range("2026-11-29", "2026-11-30", "day");
        assert_eq!(r.buckets(), vec!["2026-11-29", "2026-11-30"]);
        assert_eq!(r.to.to_rfc3339(), "2026-12-01T00:00:00+00:00");
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2026-11-04 is a Wednesday.
        let r = range("2026-11-04", "2026-11-17", "week");
        assert_eq!(r.buckets(), vec!["2026-11-02", "2026-11-09", "2026-11-16"]);
        let r = range("2026-01-31", "2026-03-01", "month");
        assert_eq!(r.buckets(), vec!["2026-01-01", "2026-02-01", "2026-03-01"]);
    }

    #[test]
    fn bad_input_names_its_parameter() {
        let err = |from, to, bucket| {
            TimeRange::parse(Some(from), Some(to), Some(bucket), 400)
                .unwrap_err()
                .field
        };
        assert_eq!(err("yesterday", "2026-11-30", "day"), "from");
        assert_eq!(err("2026-11-01", "2026-13-01", "day"), "to");
        assert_eq!(err("2026-11-30", "2026-11-01", "day"), "from");
        assert_eq!(err("2026-11-01", "2026-11-30", "hour"), "bucket");
        assert_eq!(err("2020-01-01", "2026-11-30", "day"), "bucket");
        assert!(
            TimeRange::parse(Some("2020-01-01"), Some("2026-11-30"), Some("month"), 400).is_ok()
        );
    }

    #[test]
    fn the_default_range_is_the_last_thirty_days_by_day() {
        let r = TimeRange::parse(None, None, None, 400).unwrap();
        assert_eq!((r.to - r.from).num_days(), 30);
        assert_eq!(r.bucket, Bucket::Day);
        assert_eq!(r.buckets().len(), 31);
    }
}
