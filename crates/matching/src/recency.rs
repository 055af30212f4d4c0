//! How much a piece of resume evidence counts, from where it sits: inside a dated role it
//! counts by how long ago the role ended (current roles fully); outside any role (a bare
//! skills list, the summary) it counts a fixed, lower amount.

use serde::Serialize;

use super::MatchConfig;
use intellicv_core::{Experience, ResumeProfile, SourceSpan, YearMonth};

/// Months since the start of year 0, reading a missing month as December for an end date.
fn month_index(ym: YearMonth) -> i32 {
    ym.year * 12 + i32::from(ym.month.unwrap_or(12)) - 1
}

/// Whole years between a role's end and `today`; 0 for a current role, `None` when the
/// role has no usable end date.
pub fn years_since_end(role: &Experience, today: YearMonth) -> Option<f32> {
    if role.is_current {
        return Some(0.0);
    }
    let end = role.end.or(role.start)?;
    let today = YearMonth {
        month: today.month.or(Some(6)),
        ..today
    };
    Some((month_index(today) - month_index(end)).max(0) as f32 / 12.0)
}

/// The weight of evidence from a role that ended `years` ago: halves every
/// `recency_half_life_years`, never below `recency_floor`.
pub fn role_weight(years: Option<f32>, config: &MatchConfig) -> f32 {
    match years {
        Some(y) => {
            let half_life = config.recency_half_life_years.max(0.1);
            0.5f32
                .powf(y / half_life)
                .max(config.recency_floor)
                .min(1.0)
        }
        None => config.undated_role_credit,
    }
}

/// Where a piece of evidence sits and what it is worth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// Index of the experience entry whose span contains the evidence.
    #[serde(skip)]
    pub role: Option<usize>,
    /// "Title, Company" of that role, for the explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years_ago: Option<f32>,
    /// 0..=1
    pub weight: f32,
}

/// The role (index into `profile.experience`) whose text holds `span`, if any.
pub fn role_containing(span: &SourceSpan, profile: &ResumeProfile) -> Option<usize> {
    profile
        .experience
        .iter()
        .position(|e| e.source.start <= span.start && span.end <= e.source.end)
}

/// Places `span` in the profile's experience entries by span containment.
pub fn place(
    span: &SourceSpan,
    profile: &ResumeProfile,
    today: YearMonth,
    config: &MatchConfig,
) -> Placement {
    match role_containing(span, profile) {
        Some(i) => {
            let entry = &profile.experience[i];
            let years = years_since_end(entry, today);
            let label = [entry.title.as_deref(), entry.company.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            Placement {
                role: Some(i),
                role_label: (!label.is_empty()).then_some(label),
                years_ago: years.map(|y| (y * 10.0).round() / 10.0),
                weight: role_weight(years, config),
            }
        }
        None => Placement {
            role: None,
            role_label: None,
            years_ago: None,
            weight: config.bare_skill_credit,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(end: Option<(i32, u8)>, is_current: bool) -> Experience {
        Experience {
            title: Some("Engineer".into()),
            company: None,
            location: None,
            start: Some(YearMonth {
                year: 2010,
                month: Some(1),
            }),
            end: end.map(|(year, m)| YearMonth {
                year,
                month: Some(m),
            }),
            is_current,
            bullets: vec![],
            source: SourceSpan::new(Some("experience"), 10, 100),
        }
    }

    #[test]
    fn recent_roles_weigh_more_than_old_ones_and_old_ones_keep_a_floor() {
        let config = MatchConfig::default();
        let today = YearMonth {
            year: 2026,
            month: Some(1),
        };
        let current = role_weight(years_since_end(&role(None, true), today), &config);
        let recent = role_weight(
            years_since_end(&role(Some((2025, 1)), false), today),
            &config,
        );
        let old = role_weight(
            years_since_end(&role(Some((2012, 1)), false), today),
            &config,
        );
        assert_eq!(current, 1.0);
        assert!(recent < current && recent > 0.8, "{recent}");
        assert_eq!(old, config.recency_floor);
        assert_eq!(
            years_since_end(&role(Some((2024, 1)), false), today),
            Some(2.0)
        );
    }
}
