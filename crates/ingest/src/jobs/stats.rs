//! Import statistics: counts parsed and failed by reason, and field fill rates.

use std::collections::BTreeMap;
use std::fmt;

use super::reader::RecordResult;
use intellicv_core::{EmploymentType, RemoteMode};

/// Counts for one import run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportStats {
    pub parsed: usize,
    /// Failures keyed by [`RecordErrorKind::label`](super::error::RecordErrorKind::label).
    pub failed: BTreeMap<&'static str, usize>,
    /// Parsed drafts with each field filled, keyed by field name.
    pub filled: BTreeMap<&'static str, usize>,
}

impl ImportStats {
    /// Adds one record's outcome.
    pub fn add(&mut self, result: &RecordResult) {
        let draft = match result {
            Ok(draft) => draft,
            Err(error) => {
                *self.failed.entry(error.kind.label()).or_default() += 1;
                return;
            }
        };
        self.parsed += 1;
        let fields = [
            ("company", draft.company.is_some()),
            ("location", draft.location.is_some()),
            (
                "coordinates",
                draft.latitude.is_some() && draft.longitude.is_some(),
            ),
            ("salary", draft.salary.is_some()),
            (
                "employment_type",
                draft.employment_type != EmploymentType::Unknown,
            ),
            ("remote_mode", draft.remote_mode != RemoteMode::Unknown),
            ("seniority", draft.seniority.is_some()),
            ("posted_at", draft.posted_at.is_some()),
            ("description", !draft.description.is_empty()),
        ];
        for (name, present) in fields {
            let count = self.filled.entry(name).or_default();
            *count += usize::from(present);
        }
    }

    /// Total failed records.
    pub fn failed_total(&self) -> usize {
        self.failed.values().sum()
    }

    /// Share of parsed drafts with `field` filled, from 0 to 1.
    pub fn fill_rate(&self, field: &str) -> f64 {
        match self.parsed {
            0 => 0.0,
            parsed => self.filled.get(field).copied().unwrap_or(0) as f64 / parsed as f64,
        }
    }
}

impl fmt::Display for ImportStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "parsed {} failed {}", self.parsed, self.failed_total())?;
        for (reason, count) in &self.failed {
            writeln!(f, "  failed {reason}: {count}")?;
        }
        for field in self.filled.keys() {
            writeln!(f, "  fill {field}: {:.1}%", 100.0 * self.fill_rate(field))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::reader::read_jsonl;

    #[test]
    fn stats_count_failures_by_reason_and_fill_rates() {
        let sample = include_str!("../../../../data/samples/jobs/mixed.jsonl");
        let mut stats = ImportStats::default();
        for result in read_jsonl(sample.as_bytes(), "sample") {
            stats.add(&result);
        }
        assert_eq!(stats.parsed, 3);
        assert_eq!(stats.failed_total(), 3);
        assert_eq!(stats.failed.get("invalid_json"), Some(&1));
        assert_eq!(stats.filled.get("coordinates"), Some(&1));
        assert_eq!(stats.filled.get("salary"), Some(&3));
        assert!((stats.fill_rate("company") - 1.0).abs() < f64::EPSILON);
    }
}
