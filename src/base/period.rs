//! Reporting months: the `YYYY-MM` folder names that key every report page.
//!
//! A month is the unit a board report is sent for, so it is the unit of history,
//! of URLs and of the `generated` date shown on a page.

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

#[cfg(test)]
mod tests {
    use super::*;

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
