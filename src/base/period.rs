//! Reporting periods: months (`YYYY-MM`), the unit a monthly report is sent
//! for, and quarters (`2026-Q3`, `FY2027-Q1`), the unit of a board meeting.
//!
//! A month is the unit of history, of URLs and of the `generated` date shown
//! on a page; a quarter is three of them, grouped by the fiscal year.

use std::fmt;
use std::str::FromStr;

/// One calendar month. Ordered chronologically, so a sorted list of months is a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    /// 1..=12
    month: u8,
}

const NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Why a folder name is not a month, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthError(pub String);

impl fmt::Display for MonthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MonthError {}

impl Month {
    /// Builds a month, refusing impossible ones (month 0 or 13, years outside 1900..=9999).
    pub fn new(year: u16, month: u8) -> Option<Month> {
        ((1900..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// The four-digit year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// 1-based month number.
    pub fn number(self) -> u8 {
        self.month
    }

    /// The following month, rolling over the year.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    /// The month before, rolling back over the year.
    pub(crate) fn previous(self) -> Month {
        if self.month == 1 {
            Month { year: self.year.saturating_sub(1).max(1900), month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }

    /// The month `n` months later.
    pub(crate) fn plus(self, n: usize) -> Month {
        let index = usize::from(self.year) * 12 + usize::from(self.month - 1) + n;
        let year = u16::try_from(index / 12).unwrap_or(u16::MAX);
        // index % 12 < 12, so the cast and the +1 stay within 1..=12.
        Month { year, month: (index % 12) as u8 + 1 }
    }

    /// The month `n` months earlier (January 1900 at the earliest).
    pub(crate) fn minus(self, n: usize) -> Month {
        let index = (usize::from(self.year) * 12 + usize::from(self.month - 1)).saturating_sub(n).max(1900 * 12);
        let year = u16::try_from(index / 12).unwrap_or(u16::MAX);
        // index % 12 < 12, so the cast and the +1 stay within 1..=12.
        Month { year, month: (index % 12) as u8 + 1 }
    }

    /// Number of months from `earlier` to `self` (0 when `earlier` is not earlier).
    pub(crate) fn months_since(self, earlier: Month) -> usize {
        let index = |m: Month| usize::from(m.year) * 12 + usize::from(m.month);
        index(self).saturating_sub(index(earlier))
    }

    /// How many days the month has (February 29 in leap years), by jiff's calendar.
    pub fn days(self) -> u8 {
        // A Month's year is 1..=9999 and its month 1..=12, which jiff's civil
        // dates all cover; 31 is never reached but keeps this total.
        let (y, m) = (i16::try_from(self.year()).unwrap_or(i16::MAX), i8::try_from(self.number()).unwrap_or(1));
        jiff::civil::Date::new(y, m, 1).map_or(31, |d| u8::try_from(d.days_in_month()).unwrap_or(31))
    }

    /// "October 2026": how a board reads a month.
    pub fn long_name(self) -> String {
        format!("{} {}", NAMES[usize::from(self.month - 1)], self.year)
    }
}

impl Default for Month {
    /// January 2000: a placeholder where a month is needed before one is known.
    fn default() -> Month {
        Month { year: 2000, month: 1 }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = MonthError;

    /// Accepts exactly `YYYY-MM` (zero-padded), the folder naming the format requires.
    fn from_str(s: &str) -> Result<Month, MonthError> {
        let bytes = s.as_bytes();
        let shape_ok =
            bytes.len() == 7 && bytes[4] == b'-' && bytes.iter().enumerate().all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !shape_ok {
            return Err(MonthError(format!(
                "`{s}` is not a month: month folders are named YYYY-MM, for example 2026-03"
            )));
        }
        let year: u16 = s[..4].parse().map_err(|_| MonthError(format!("`{s}` has no valid year")))?;
        let month: u8 = s[5..].parse().map_err(|_| MonthError(format!("`{s}` has no valid month")))?;
        Month::new(year, month).ok_or_else(|| {
            MonthError(format!("`{s}` is not a real month: the month must be 01 to 12 and the year 1900 or later"))
        })
    }
}

/// Three months of a fiscal year. A fiscal year is named by the calendar
/// year it ends in (with April as its first month, April 2026 to March 2027
/// is FY2027), as most boards name it; when it is the calendar year, a
/// quarter is written the calendar way, `2026-Q3`, else `FY2027-Q1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// The quarter's first month: it orders quarters chronologically.
    first: Month,
    /// 1..=4 within its fiscal year.
    n: u8,
    /// The calendar year the fiscal year ends in.
    fiscal_year: u16,
}

impl Quarter {
    /// The quarter `month` falls in, for a fiscal year starting in month
    /// `fiscal_year_start` (1..=12; anything else is taken as January, the
    /// configuration having refused it already).
    pub fn of(month: Month, fiscal_year_start: u8) -> Quarter {
        let start = if (1..=12).contains(&fiscal_year_start) { fiscal_year_start } else { 1 };
        // Months since the fiscal year began, 0..=11.
        let into = (usize::from(month.month) + 12 - usize::from(start)) % 12;
        let first = month.minus(into % 3);
        let n = u8::try_from(into / 3).unwrap_or(0) + 1;
        // The fiscal year ends in the calendar year of its last month.
        let last_of_year = month.plus(11 - into);
        Quarter { first, n, fiscal_year: last_of_year.year }
    }

    /// Its three months, in order.
    pub fn months(self) -> [Month; 3] {
        [self.first, self.first.plus(1), self.first.plus(2)]
    }

    /// Its first month.
    pub fn first(self) -> Month {
        self.first
    }

    /// Its last month: the thresholds in force then judge the quarter.
    pub fn last(self) -> Month {
        self.first.plus(2)
    }

    /// 1..=4 within its fiscal year.
    pub fn number(self) -> u8 {
        self.n
    }

    /// The calendar year its fiscal year ends in.
    pub fn fiscal_year(self) -> u16 {
        self.fiscal_year
    }

    /// Whether its fiscal year is the calendar year (it is then written `2026-Q3`).
    pub fn calendar(self) -> bool {
        self.fiscal_year_start() == 1
    }

    /// The month its fiscal year starts in (1..=12).
    pub fn fiscal_year_start(self) -> u8 {
        self.first.minus(3 * usize::from(self.n - 1)).month
    }

    /// The quarter before.
    pub fn previous(self) -> Quarter {
        Quarter::of(self.first.minus(3), self.fiscal_year_start())
    }

    /// The quarter after.
    pub fn next(self) -> Quarter {
        Quarter::of(self.first.plus(3), self.fiscal_year_start())
    }

    /// The same quarter a year before.
    pub fn year_before(self) -> Quarter {
        Quarter::of(self.first.minus(12), self.fiscal_year_start())
    }

    /// Reads a quarter folder's name, for a fiscal year starting in month
    /// `fiscal_year_start`: `2026-Q3` when that is January, else `FY2027-Q1`.
    /// A name written the other way is refused with the name to use instead.
    pub fn parse(text: &str, fiscal_year_start: u8) -> Result<Quarter, MonthError> {
        let shape = || {
            MonthError(format!(
                "`{text}` is not a quarter: quarters are named YYYY-Qn (2026-Q3), or FYYYYY-Qn (FY2027-Q1) when the fiscal year does not start in January"
            ))
        };
        let (fiscal, rest) = match text.strip_prefix("FY") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (year, n) = rest.split_once("-Q").ok_or_else(shape)?;
        let year_ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
        let n_ok = n.len() == 1 && (b'1'..=b'4').contains(&n.as_bytes()[0]);
        if !year_ok || !n_ok {
            return Err(shape());
        }
        let year: u16 = year.parse().map_err(|_| shape())?;
        let n = n.as_bytes()[0] - b'0';
        let start = if (1..=12).contains(&fiscal_year_start) { fiscal_year_start } else { 1 };
        // The first month of fiscal year `year`: it ends in `year`, so it
        // begins in `year` when it starts in January, else the year before.
        let begins = if start == 1 { year } else { year.saturating_sub(1) };
        let first = Month::new(begins, start)
            .ok_or_else(|| MonthError(format!("`{text}` is not a real quarter: the year must be 1900 or later")))?
            .plus(3 * usize::from(n - 1));
        let quarter = Quarter::of(first, start);
        if fiscal == quarter.calendar() {
            let (why, meant) = if fiscal {
                ("the fiscal year is the calendar year (`[report] fiscal_year_start` is 1)".to_string(), quarter)
            } else {
                // The calendar quarter the name means, and the fiscal quarter holding its first month.
                let calendar = Month::new(year, 1).ok_or_else(shape)?.plus(3 * usize::from(n - 1));
                let why = format!(
                    "the fiscal year starts in {} (`[report] fiscal_year_start = {start}`)",
                    NAMES[usize::from(start - 1)]
                );
                (why, Quarter::of(calendar, start))
            };
            let [a, _, c] = meant.months();
            return Err(MonthError(format!(
                "`{text}` is not how this report names quarters: {why}, so {} to {} is `{meant}`",
                a.long_name(),
                c.long_name()
            )));
        }
        Ok(quarter)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.calendar() {
            write!(f, "{:04}-Q{}", self.fiscal_year, self.n)
        } else {
            write!(f, "FY{:04}-Q{}", self.fiscal_year, self.n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[test]
    fn calendar_quarters_are_written_the_calendar_way() {
        let q = Quarter::of(month("2026-08"), 1);
        assert_eq!(q.to_string(), "2026-Q3");
        assert_eq!(q.months(), [month("2026-07"), month("2026-08"), month("2026-09")]);
        assert_eq!((q.previous().to_string(), q.next().to_string()), ("2026-Q2".into(), "2026-Q4".into()));
        assert_eq!(q.next().next().to_string(), "2027-Q1");
        assert_eq!(q.year_before().to_string(), "2025-Q3");
        assert_eq!(Quarter::parse("2026-Q3", 1), Ok(q));
    }

    #[test]
    fn fiscal_quarters_from_april_cross_the_calendar_year() {
        // FY2027 is April 2026 to March 2027.
        let q1 = Quarter::of(month("2026-04"), 4);
        assert_eq!(q1.to_string(), "FY2027-Q1");
        let q4 = Quarter::of(month("2027-02"), 4);
        assert_eq!(q4.to_string(), "FY2027-Q4");
        assert_eq!(q4.months(), [month("2027-01"), month("2027-02"), month("2027-03")]);
        let q3 = Quarter::of(month("2026-12"), 4);
        assert_eq!((q3.to_string(), q3.first(), q3.last()), ("FY2027-Q3".into(), month("2026-10"), month("2026-12")));
        assert_eq!(q3.next(), q4);
        assert_eq!(q4.next().to_string(), "FY2028-Q1");
        assert_eq!(q1.previous().to_string(), "FY2026-Q4");
        assert_eq!(q4.year_before().to_string(), "FY2026-Q4");
        for q in [q1, q3, q4] {
            assert_eq!(Quarter::parse(&q.to_string(), 4), Ok(q));
            assert_eq!(q.fiscal_year_start(), 4);
        }
        // Every month of two years lands in the quarter that lists it.
        let mut m = month("2025-01");
        for _ in 0..24 {
            for start in 1..=12 {
                let q = Quarter::of(m, start);
                assert!(q.months().contains(&m), "{m} in {q}");
                assert_eq!(Quarter::parse(&q.to_string(), start), Ok(q), "{m} from {start}");
            }
            m = m.next();
        }
    }

    #[test]
    fn a_quarter_named_for_another_fiscal_year_is_refused_with_the_name_to_use() {
        let e = Quarter::parse("2026-Q3", 4).unwrap_err().0;
        assert!(e.contains("starts in April") && e.contains("July 2026 to September 2026 is `FY2027-Q2`"), "{e}");
        let e = Quarter::parse("FY2026-Q3", 1).unwrap_err().0;
        assert!(e.contains("`2026-Q3`"), "{e}");
        for bad in ["2026-Q5", "2026-Q0", "2026Q3", "26-Q3", "FY26-Q1", "2026-q3", "2026-Q31", ""] {
            assert!(Quarter::parse(bad, 1).is_err() && Quarter::parse(bad, 4).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_month_knows_its_days_leap_years_included() {
        let days = |y, m| Month::new(y, m).unwrap().days();
        assert_eq!((days(2024, 2), days(2100, 2), days(2000, 2), days(2026, 4), days(2026, 10)), (29, 28, 29, 30, 31));
    }

    #[test]
    fn parses_and_prints_round_trip() {
        let m: Month = "2026-03".parse().unwrap();
        assert_eq!(m.to_string(), "2026-03");
        assert_eq!(m.long_name(), "March 2026");
    }

    #[test]
    fn rejects_impossible_and_unpadded_months() {
        for bad in ["2026-13", "2026-00", "2026-1", "26-01", "2026/01", "2026-1a", "abcd-ef", ""] {
            assert!(bad.parse::<Month>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn next_rolls_over_the_year() {
        let dec: Month = "2025-12".parse().unwrap();
        assert_eq!(dec.next().to_string(), "2026-01");
    }

    #[test]
    fn plus_and_months_since_agree() {
        let m: Month = "2025-11".parse().unwrap();
        assert_eq!(m.plus(0), m);
        assert_eq!(m.plus(3).to_string(), "2026-02");
        assert_eq!(m.plus(26).months_since(m), 26);
        assert_eq!(m.months_since(m.plus(1)), 0);
    }

    #[test]
    fn orders_chronologically() {
        let a: Month = "2025-12".parse().unwrap();
        let b: Month = "2026-01".parse().unwrap();
        assert!(a < b);
    }
}
