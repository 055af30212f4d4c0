//! Salary fit: the candidate's desired yearly salary against the top of the posting's
//! range, both yearly and in the same currency.

use crate::Posting;
use intellicv_core::SalaryPeriod;

/// Yearly amount of `amount` paid per `period` (full-time: 52 weeks of 5 days of 8 hours).
pub fn yearly(amount: f64, period: Option<SalaryPeriod>) -> f64 {
    amount
        * match period {
            Some(SalaryPeriod::Hour) => 2080.0,
            Some(SalaryPeriod::Day) => 260.0,
            Some(SalaryPeriod::Week) => 52.0,
            Some(SalaryPeriod::Month) => 12.0,
            Some(SalaryPeriod::Year) | None => 1.0,
        }
}

/// The top of the posting's range per year, and its currency.
pub fn job_top_yearly(job: &Posting) -> Option<(f64, Option<&str>)> {
    let top = job.salary_max.or(job.salary_min)?;
    Some((
        yearly(top, job.salary_period),
        job.salary_currency.as_deref(),
    ))
}

/// Fit 0..=1: 1 when the desired salary is within the range, falling linearly to 0 when it
/// is `tolerance` (a fraction of the desired salary) above the top.
pub fn fit(desired: f64, top: f64, tolerance: f32) -> f32 {
    if desired <= top {
        return 1.0;
    }
    let gap = (desired - top) / desired;
    (1.0 - gap / f64::from(tolerance.max(0.01))).clamp(0.0, 1.0) as f32
}

/// The salary score and detail; `None` when either side is unknown or currencies differ.
pub fn salary_fit(
    desired: Option<f64>,
    desired_currency: Option<&str>,
    job: &Posting,
    tolerance: f32,
) -> Option<(f32, String)> {
    let desired = desired?;
    let (top, currency) = job_top_yearly(job)?;
    if let (Some(a), Some(b)) = (desired_currency, currency)
        && !a.eq_ignore_ascii_case(b)
    {
        return None;
    }
    let unit = currency.unwrap_or("");
    Some((
        fit(desired, top, tolerance),
        format!("desired {desired:.0} {unit} a year; posting pays up to {top:.0} {unit} a year")
            .replace("  ", " "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salaries_are_annualised_and_fit_falls_above_the_range() {
        assert_eq!(yearly(50.0, Some(SalaryPeriod::Hour)), 104_000.0);
        assert_eq!(fit(70_000.0, 80_000.0, 0.3), 1.0);
        let over = fit(100_000.0, 85_000.0, 0.3);
        assert!((over - 0.5).abs() < 1e-4, "{over}");
        assert_eq!(fit(200_000.0, 80_000.0, 0.3), 0.0);
    }
}
