//! Posting dates in the formats job feeds use, to UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Date-time formats with an offset (`2018-12-27T10:50:17+0000`).
const ZONED_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%z",
];

/// Date-time formats without an offset, read as UTC.
const NAIVE_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
];

/// Date formats, read as midnight UTC. Slashed dates are day first (UK boards).
const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
];

/// Earliest and latest plausible Unix timestamps in seconds (2000 to 2100).
const UNIX_SECONDS_RANGE: std::ops::RangeInclusive<i64> = 946_684_800..=4_102_444_800;

/// Parses RFC 3339, ISO dates with `+0000` offsets, plain dates, `27/12/2018`,
/// `27 December 2018`, `Dec 27, 2018`, a year-month (`2013-08`, the first of the month)
/// and Unix seconds or milliseconds. Anything else gives `None`.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Some(dt) = ZONED_FORMATS
        .iter()
        .find_map(|f| DateTime::parse_from_str(text, f).ok())
    {
        return Some(dt.with_timezone(&Utc));
    }
    if let Some(dt) = NAIVE_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    {
        return Some(Utc.from_utc_datetime(&dt));
    }
    if let Some(date) = DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
    {
        return Some(Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN)));
    }
    if let Ok(date) = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d") {
        return Some(Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN)));
    }
    text.parse::<i64>().ok().and_then(from_unix)
}

/// A Unix timestamp in seconds or milliseconds, if it falls in a plausible range.
pub fn from_unix(value: i64) -> Option<DateTime<Utc>> {
    let seconds = if UNIX_SECONDS_RANGE.contains(&value) {
        value
    } else if UNIX_SECONDS_RANGE.contains(&(value / 1000)) {
        value / 1000
    } else {
        return None;
    };
    DateTime::from_timestamp(seconds, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s).single()
    }

    #[test]
    fn offsets_without_a_colon_convert_to_utc() {
        assert_eq!(
            parse_datetime("2019-08-08T11:13:33+0100"),
            utc(2019, 8, 8, 10, 13, 33)
        );
    }

    #[test]
    fn rfc3339_and_naive_date_times_parse() {
        assert_eq!(
            parse_datetime("2020-12-31T23:59:59Z"),
            utc(2020, 12, 31, 23, 59, 59)
        );
        assert_eq!(
            parse_datetime("2020-01-02 03:04:05"),
            utc(2020, 1, 2, 3, 4, 5)
        );
    }

    #[test]
    fn dates_in_several_spellings_are_midnight_utc() {
        let expected = utc(2018, 12, 27, 0, 0, 0);
        assert_eq!(parse_datetime("2018-12-27"), expected);
        assert_eq!(parse_datetime("27/12/2018"), expected);
        assert_eq!(parse_datetime("27 December 2018"), expected);
        assert_eq!(parse_datetime("Dec 27, 2018"), expected);
    }

    #[test]
    fn a_year_month_is_the_first_of_the_month() {
        assert_eq!(parse_datetime("2013-08"), utc(2013, 8, 1, 0, 0, 0));
    }

    #[test]
    fn unix_seconds_and_milliseconds_parse_and_junk_does_not() {
        assert_eq!(parse_datetime("1546300800"), utc(2019, 1, 1, 0, 0, 0));
        assert_eq!(parse_datetime("1546300800000"), utc(2019, 1, 1, 0, 0, 0));
        assert_eq!(parse_datetime("42"), None);
        assert_eq!(parse_datetime("soon"), None);
        assert_eq!(parse_datetime(""), None);
    }
}
