//! Dates and date ranges as resumes write them: "Aug 2007 to Current", "2015 - Present",
//! "03/2019", "January 2016 to January 2018", "2012-2015".

use std::sync::LazyLock;

use regex::Regex;

use intellicv_core::YearMonth;

/// A date range found in a line: `start..end` are byte offsets into that line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub start_date: Option<YearMonth>,
    pub end_date: Option<YearMonth>,
    pub is_current: bool,
    pub start: usize,
    pub end: usize,
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";

fn date_pattern() -> String {
    // month-name year | mm/yyyy | yyyy-mm | yyyy
    format!(
        r"(?:{MONTH}\s*,?\s*(?:19|20)\d{{2}}|(?:0?[1-9]|1[0-2])\s*/\s*(?:19|20)\d{{2}}|(?:19|20)\d{{2}}\s*[-/]\s*(?:0[1-9]|1[0-2])\b|(?:19|20)\d{{2}})"
    )
}

static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    let date = date_pattern();
    let current = r"(?:present|current(?:ly)?|now|today|to\s+date|date|ongoing)";
    Regex::new(&format!(
        r"(?i)\b(?P<from>{date})\s*(?:-|–|—|to|until|till|through|thru|→)\s*(?P<to>{date}|{current})\b"
    ))
    .expect("valid range regex")
});

static SINGLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\b(?P<d>{})\b", date_pattern())).expect("valid date regex")
});

static MONTH_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i)^{MONTH}")).expect("valid month regex"));

/// Parses one date token such as "Aug 2007", "03/2019", "2019-03" or "2015".
pub fn parse_date(token: &str) -> Option<YearMonth> {
    let t = token.trim();
    let digits: Vec<u32> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    let year = digits.iter().copied().find(|d| (1900..2100).contains(d))? as i32;
    let month = if let Some(m) = MONTH_NAME.find(t) {
        month_from_name(m.as_str())
    } else {
        digits
            .iter()
            .copied()
            .find(|d| (1..=12).contains(d))
            .map(|m| m as u8)
    };
    Some(YearMonth { year, month })
}

fn month_from_name(name: &str) -> Option<u8> {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.to_ascii_lowercase();
    NAMES
        .iter()
        .position(|n| lower.starts_with(n))
        .map(|i| i as u8 + 1)
}

/// The first date range in `line`, or a lone date (a start with unknown end).
pub fn find_range(line: &str) -> Option<DateRange> {
    if let Some(c) = RANGE.captures(line) {
        let whole = c.get(0)?;
        let from = parse_date(c.name("from")?.as_str());
        let to_text = c.name("to")?.as_str();
        let to = parse_date(to_text);
        let is_current = to.is_none();
        return Some(DateRange {
            start_date: from,
            end_date: to,
            is_current,
            start: whole.start(),
            end: whole.end(),
        });
    }
    None
}

/// The first single date in `line` (no range).
pub fn find_single(line: &str) -> Option<(YearMonth, usize, usize)> {
    let c = SINGLE.captures(line)?;
    let m = c.name("d")?;
    Some((parse_date(m.as_str())?, m.start(), m.end()))
}

/// Months between two year-months, inclusive of the start month. Unknown months count as
/// January for starts and December for ends.
pub fn month_index(ym: YearMonth, is_end: bool) -> i32 {
    let month = ym
        .month
        .map(i32::from)
        .unwrap_or(if is_end { 12 } else { 1 });
    ym.year * 12 + (month - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(year: i32, month: Option<u8>) -> Option<YearMonth> {
        Some(YearMonth { year, month })
    }

    #[test]
    fn resume_date_ranges_parse() {
        let cases = [
            ("Aug 2007 to Current", ym(2007, Some(8)), None, true),
            ("2015 - Present", ym(2015, None), None, true),
            (
                "09/2013 to 08/2014",
                ym(2013, Some(9)),
                ym(2014, Some(8)),
                false,
            ),
            (
                "January 2016 to January 2018",
                ym(2016, Some(1)),
                ym(2018, Some(1)),
                false,
            ),
            ("2012-2015", ym(2012, None), ym(2015, None), false),
            (
                "Sept. 2019 – Mar 2021",
                ym(2019, Some(9)),
                ym(2021, Some(3)),
                false,
            ),
            (
                "2019-03 to 2020-11",
                ym(2019, Some(3)),
                ym(2020, Some(11)),
                false,
            ),
            ("May 2010 - now", ym(2010, Some(5)), None, true),
        ];
        for (text, from, to, current) in cases {
            let r = find_range(text).unwrap_or_else(|| panic!("no range in {text:?}"));
            assert_eq!(
                (r.start_date, r.end_date, r.is_current),
                (from, to, current),
                "{text}"
            );
            assert_eq!(&text[r.start..r.end], text, "{text}");
        }
    }

    #[test]
    fn a_range_is_found_inside_a_line() {
        let line = "SENIOR ACCOUNT MANAGER , 03/2015 to 11/2020 ";
        let r = find_range(line).unwrap();
        assert_eq!(&line[r.start..r.end], "03/2015 to 11/2020");
        assert_eq!(r.start_date, ym(2015, Some(3)));
    }

    #[test]
    fn single_dates_and_non_dates() {
        assert_eq!(
            find_single("Graduated 03/2019").unwrap().0,
            YearMonth {
                year: 2019,
                month: Some(3)
            }
        );
        assert!(find_range("Managed a budget of 1500 - 2000 units").is_none());
        assert!(find_range("call 555-1234").is_none());
    }

    #[test]
    fn month_indexes_order_dates() {
        let a = month_index(
            YearMonth {
                year: 2020,
                month: Some(1),
            },
            false,
        );
        let b = month_index(
            YearMonth {
                year: 2020,
                month: None,
            },
            true,
        );
        assert_eq!(b - a, 11);
    }
}
