//! Salary parsing from free text such as `£38,890 - £44,503 a year` or `$120-150k + equity`.
//!
//! The first amount (or range of amounts) that carries a currency, a `k` multiplier or a pay
//! period is the salary; words such as "negotiable" or "competitive" give no salary. A single
//! amount sets both `min` and `max`. Amounts written with `k` and no period are yearly.

use std::sync::LazyLock;

use regex::Regex;

use intellicv_core::{Salary, SalaryPeriod};

/// How far after a bare number (no currency, no `k`) a pay period must appear.
const PERIOD_WINDOW_CHARS: usize = 12;

/// An amount: optional currency, a number with separators, optional multiplier and currency code.
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?P<cur>(?:us|ca|c|au|a|nz)?\$|£|€|¥|₹|\b(?:gbp|usd|eur|cad|aud|nzd|chf|sek|nok|dkk|inr|jpy|sgd|pln)\b)?
        \s*
        (?P<num>\d{1,3}(?:[,.\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)
        (?P<mult>\s*(?:k|m|thousand)\b)?
        (?:\s*(?P<code>\b(?:gbp|usd|eur|cad|aud|nzd|chf|sek|nok|dkk|inr|jpy|sgd|pln)\b))?",
    )
    .expect("the salary amount pattern is valid")
});

/// What joins the two ends of a range.
static RANGE_JOINER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:-|–|—|to|until|and)\s*").expect("the range joiner pattern is valid")
});

static UP_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:up\s+to|max(?:imum)?\.?|to)\s*$").expect("the up-to pattern is valid")
});

/// Pay period phrases, tried in order.
static PERIODS: LazyLock<Vec<(Regex, SalaryPeriod)>> = LazyLock::new(|| {
    [
        (
            r"(?i)(?:\b(?:per|an|a|each)\s+|/\s*)(?:hour|hr)s?\b|\bp/?h\b|\bhourly\b",
            SalaryPeriod::Hour,
        ),
        (
            r"(?i)(?:\b(?:per|a|each)\s+|/\s*)(?:day|diem)\b|\bp/?d\b|\bdaily\b",
            SalaryPeriod::Day,
        ),
        (
            r"(?i)(?:\b(?:per|a)\s+|/\s*)(?:week|wk)\b|\bp/?w\b|\bweekly\b",
            SalaryPeriod::Week,
        ),
        (
            r"(?i)(?:\b(?:per|a)\s+|/\s*)(?:month|mo|mth)\b|\bpcm\b|\bmonthly\b",
            SalaryPeriod::Month,
        ),
        (
            r"(?i)(?:\b(?:per|an|a)\s+|/\s*)(?:annum|year|yr)\b|\bp\.?a\b|\bannual(?:ly)?\b|\byearly\b|\bsalary\b",
            SalaryPeriod::Year,
        ),
    ]
    .into_iter()
    .map(|(pattern, period)| {
        let regex = Regex::new(pattern).expect("salary period patterns are valid");
        (regex, period)
    })
    .collect()
});

/// The pay period a text names, if any.
pub fn detect_period(text: &str) -> Option<SalaryPeriod> {
    PERIODS
        .iter()
        .find(|(regex, _)| regex.is_match(text))
        .map(|(_, period)| *period)
}

/// The ISO 4217 code for a currency symbol or code.
pub fn currency_code(token: &str) -> Option<&'static str> {
    let lower = token.trim().to_ascii_lowercase();
    let code = match lower.as_str() {
        "£" | "gbp" => "GBP",
        "$" | "us$" | "usd" => "USD",
        "€" | "eur" => "EUR",
        "¥" | "jpy" => "JPY",
        "₹" | "inr" => "INR",
        "ca$" | "c$" | "cad" => "CAD",
        "au$" | "a$" | "aud" => "AUD",
        "nz$" | "nzd" => "NZD",
        "chf" => "CHF",
        "sek" => "SEK",
        "nok" => "NOK",
        "dkk" => "DKK",
        "sgd" => "SGD",
        "pln" => "PLN",
        _ => return None,
    };
    Some(code)
}

#[derive(Debug, Clone, Copy)]
struct Amount {
    value: f64,
    currency: Option<&'static str>,
    multiplied: bool,
    start: usize,
    end: usize,
}

impl Amount {
    /// Whether this number is likely money rather than a count of hours or a band.
    fn is_salary_like(&self) -> bool {
        self.currency.is_some() || self.multiplied || self.value >= 1000.0
    }
}

/// Parses the first salary in a text. `default_currency` (an ISO code) applies when the text
/// names none; `default_period` when the text names no period and uses no `k`.
pub fn parse_salary_text(
    text: &str,
    default_currency: Option<&str>,
    default_period: Option<SalaryPeriod>,
) -> Option<Salary> {
    let mut search_from = 0;
    while let Some(first) = amount_at(text, search_from) {
        if !first.is_salary_like() && detect_period(following(text, first.end)).is_none() {
            search_from = first.end;
            continue;
        }
        let period_in_text = detect_period(&text[first.end..]).or_else(|| detect_period(text));
        let second = RANGE_JOINER
            .find(&text[first.end..])
            .and_then(|joiner| amount_starting_at(text, first.end + joiner.end()));
        let (mut min, mut max) = match second {
            Some(second) => scale_range(first, second),
            None => (Some(first.value), Some(first.value)),
        };
        if second.is_none() && UP_TO.is_match(&text[..first.start]) {
            min = None;
        }
        if let (Some(low), Some(high)) = (min, max)
            && high < low
        {
            max = None;
        }
        let currency = first
            .currency
            .or_else(|| second.and_then(|s| s.currency))
            .map(str::to_owned)
            .or_else(|| default_currency.map(str::to_owned));
        let multiplied = first.multiplied || second.is_some_and(|s| s.multiplied);
        let period = period_in_text.or(if multiplied {
            Some(SalaryPeriod::Year)
        } else {
            default_period
        });
        return Some(Salary {
            min,
            max,
            currency,
            period,
        });
    }
    None
}

/// The few characters after an amount, where a bare number's pay period would be.
fn following(text: &str, from: usize) -> &str {
    let rest = &text[from..];
    let end = rest
        .char_indices()
        .nth(PERIOD_WINDOW_CHARS)
        .map_or(rest.len(), |(i, _)| i);
    &rest[..end]
}

/// Applies a `k` written on one end of a range to the other (`$120-150k`).
fn scale_range(first: Amount, second: Amount) -> (Option<f64>, Option<f64>) {
    let mut low = first.value;
    let mut high = second.value;
    if second.multiplied && !first.multiplied && low < 1000.0 && high >= 1000.0 {
        low *= 1000.0;
    }
    if first.multiplied && !second.multiplied && high < 1000.0 && low >= 1000.0 {
        high *= 1000.0;
    }
    (Some(low), Some(high))
}

/// The first amount at or after `from`.
fn amount_at(text: &str, from: usize) -> Option<Amount> {
    AMOUNT
        .captures_at(text, from)
        .and_then(|caps| to_amount(&caps))
}

/// An amount that starts exactly at `at`.
fn amount_starting_at(text: &str, at: usize) -> Option<Amount> {
    let caps = AMOUNT.captures_at(text, at)?;
    let whole = caps.get(0)?;
    if whole.start() != at {
        return None;
    }
    to_amount(&caps)
}

fn to_amount(caps: &regex::Captures<'_>) -> Option<Amount> {
    let number = parse_number(caps.name("num")?.as_str())?;
    let multiplier = caps
        .name("mult")
        .map(|m| m.as_str().trim().to_ascii_lowercase());
    let factor = match multiplier.as_deref() {
        Some("k" | "thousand") => 1_000.0,
        Some("m") => 1_000_000.0,
        _ => 1.0,
    };
    let currency = caps
        .name("cur")
        .or_else(|| caps.name("code"))
        .and_then(|c| currency_code(c.as_str()));
    Some(Amount {
        value: number * factor,
        currency,
        multiplied: factor > 1.0,
        start: caps.get(0)?.start(),
        end: caps.get(0)?.end(),
    })
}

/// Parses `38,890`, `28,333.20`, `50.000`, `50.000,00`, `15.50` or `1 200`.
pub fn parse_number(raw: &str) -> Option<f64> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let last_dot = compact.rfind('.');
    let last_comma = compact.rfind(',');
    let decimal = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(i), None) | (None, Some(i)) => {
            let sep = compact.as_bytes()[i];
            let occurrences = compact.bytes().filter(|b| *b == sep).count();
            let digits_after = compact.len() - i - 1;
            if occurrences > 1 || digits_after == 3 {
                None
            } else {
                Some(i)
            }
        }
        (None, None) => None,
    };
    let normalised: String = compact
        .char_indices()
        .filter_map(|(i, c)| match c {
            '.' | ',' if Some(i) == decimal => Some('.'),
            '.' | ',' => None,
            c => Some(c),
        })
        .collect();
    normalised.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn salary(
        min: Option<f64>,
        max: Option<f64>,
        currency: Option<&str>,
        period: Option<SalaryPeriod>,
    ) -> Option<Salary> {
        Some(Salary {
            min,
            max,
            currency: currency.map(str::to_owned),
            period,
        })
    }

    fn parse(text: &str) -> Option<Salary> {
        parse_salary_text(text, None, None)
    }

    #[test]
    fn a_pound_range_a_year_parses_with_thousands_separators() {
        assert_eq!(
            parse("£38,890 - £44,503 a year"),
            salary(
                Some(38890.0),
                Some(44503.0),
                Some("GBP"),
                Some(SalaryPeriod::Year)
            )
        );
    }

    #[test]
    fn a_single_amount_per_annum_sets_min_and_max() {
        assert_eq!(
            parse("£25,000 per annum"),
            salary(
                Some(25000.0),
                Some(25000.0),
                Some("GBP"),
                Some(SalaryPeriod::Year)
            )
        );
    }

    #[test]
    fn a_k_on_the_upper_end_scales_the_lower_end() {
        assert_eq!(
            parse("$120-150k"),
            salary(
                Some(120000.0),
                Some(150000.0),
                Some("USD"),
                Some(SalaryPeriod::Year)
            )
        );
    }

    #[test]
    fn a_k_range_with_an_en_dash_and_equity_parses() {
        assert_eq!(
            parse("$120k–$150k + equity"),
            salary(
                Some(120000.0),
                Some(150000.0),
                Some("USD"),
                Some(SalaryPeriod::Year)
            )
        );
    }

    #[test]
    fn a_euro_amount_with_a_dot_thousands_separator_parses() {
        assert_eq!(
            parse("€50.000"),
            salary(Some(50000.0), Some(50000.0), Some("EUR"), None)
        );
    }

    #[test]
    fn an_hourly_rate_keeps_its_pence() {
        assert_eq!(
            parse("£15.50 per hour"),
            salary(
                Some(15.5),
                Some(15.5),
                Some("GBP"),
                Some(SalaryPeriod::Hour)
            )
        );
    }

    #[test]
    fn negotiable_and_competitive_give_no_salary() {
        assert_eq!(parse("negotiable"), None);
        assert_eq!(parse("Competitive salary plus benefits"), None);
    }

    #[test]
    fn a_band_number_is_not_a_salary() {
        assert_eq!(parse_salary_text("Band 5", Some("GBP"), None), None);
    }

    #[test]
    fn to_joins_a_range_and_pa_means_yearly() {
        assert_eq!(
            parse("£24,907 to £30,615 pa pro rata"),
            salary(
                Some(24907.0),
                Some(30615.0),
                Some("GBP"),
                Some(SalaryPeriod::Year)
            )
        );
    }

    #[test]
    fn per_hour_abbreviations_and_spaces_before_the_dash_parse() {
        assert_eq!(
            parse("£25- £30 p/h"),
            salary(
                Some(25.0),
                Some(30.0),
                Some("GBP"),
                Some(SalaryPeriod::Hour)
            )
        );
    }

    #[test]
    fn day_week_and_month_periods_are_detected() {
        assert_eq!(
            parse("£450 per day").and_then(|s| s.period),
            Some(SalaryPeriod::Day)
        );
        assert_eq!(
            parse("$900 a week").and_then(|s| s.period),
            Some(SalaryPeriod::Week)
        );
        assert_eq!(
            parse("€3.200 per month").map(|s| (s.min, s.period)),
            Some((Some(3200.0), Some(SalaryPeriod::Month)))
        );
    }

    #[test]
    fn a_currency_code_after_the_number_is_used() {
        assert_eq!(
            parse("90k - 110k EUR"),
            salary(
                Some(90000.0),
                Some(110000.0),
                Some("EUR"),
                Some(SalaryPeriod::Year)
            )
        );
    }

    #[test]
    fn canadian_dollars_are_not_us_dollars() {
        assert_eq!(
            parse("CA$80,000").and_then(|s| s.currency),
            Some("CAD".to_owned())
        );
    }

    #[test]
    fn the_default_currency_and_period_apply_when_the_text_names_none() {
        assert_eq!(
            parse_salary_text("28333 - 31000", Some("GBP"), Some(SalaryPeriod::Year)),
            salary(
                Some(28333.0),
                Some(31000.0),
                Some("GBP"),
                Some(SalaryPeriod::Year)
            )
        );
    }

    #[test]
    fn up_to_gives_only_a_maximum() {
        assert_eq!(
            parse("up to £40k"),
            salary(None, Some(40000.0), Some("GBP"), Some(SalaryPeriod::Year))
        );
    }

    #[test]
    fn an_upper_end_below_the_lower_end_is_dropped() {
        assert_eq!(
            parse("£35007.97 - £5K Welcome Bonus"),
            salary(Some(35007.97), None, Some("GBP"), Some(SalaryPeriod::Year))
        );
    }

    #[test]
    fn leading_hours_are_skipped_for_the_money_after_them() {
        assert_eq!(
            parse("37.5 hours, £31,365 - £37,890 per annum"),
            salary(
                Some(31365.0),
                Some(37890.0),
                Some("GBP"),
                Some(SalaryPeriod::Year)
            )
        );
    }

    #[test]
    fn numbers_with_mixed_separators_parse_either_way() {
        assert_eq!(parse_number("28,333.20"), Some(28333.2));
        assert_eq!(parse_number("50.000,00"), Some(50000.0));
        assert_eq!(parse_number("1 200"), Some(1200.0));
        assert_eq!(parse_number("17.5"), Some(17.5));
        assert_eq!(parse_number("1.234.567"), Some(1234567.0));
    }
}
