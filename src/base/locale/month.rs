//! Months as a report's reader reads them: in full for titles and tables
//! ("Oktober 2026"), short but never ambiguous on chart axes ("Okt. 2026").
//! Report months are Gregorian months, whatever calendar the locale prefers.

use icu_calendar::Date;
use icu_datetime::fieldsets::YM;
use icu_datetime::pattern::{DateTimePattern, FixedCalendarDateTimeNames, MonthNameLength};
use icu_datetime::FixedCalendarDateTimeFormatter;
use writeable::TryWriteable;

use super::{Gregorian, Locale};
use crate::base::period::Month;

/// How a chart axis names a month: the locale's medium year-month format when
/// it spells the month, otherwise its long format with the month abbreviated.
pub(super) enum ShortMonth {
    /// The formatter's own output is short and unambiguous.
    Formatter(Box<FixedCalendarDateTimeFormatter<Gregorian, YM>>),
    /// A pattern derived from the locale's long pattern, with abbreviated names.
    Pattern(Box<(FixedCalendarDateTimeNames<Gregorian, YM>, DateTimePattern)>),
}

impl Locale {
    /// A month in full, as a title or a table reads it: "October 2026",
    /// "Oktober 2026", "octobre 2026", "octubre de 2026", "2026年10月".
    pub fn month_long(&self, m: Month) -> String {
        match gregorian(m) {
            Some(date) => self.inner.month_long.format(&date).to_string(),
            None => m.to_string(),
        }
    }

    /// A month short enough for a chart axis and never mistakable for a date:
    /// the month spelt out or abbreviated, and the year in four digits — "Oct
    /// 2026", "Okt. 2026", "oct. 2026", "oct 2026", "2026年10月".
    pub fn month_short(&self, m: Month) -> String {
        let Some(date) = gregorian(m) else {
            return m.to_string();
        };
        match &self.inner.month_short {
            ShortMonth::Formatter(f) => f.format(&date).to_string(),
            ShortMonth::Pattern(names) => {
                let (names, pattern) = names.as_ref();
                // Missing data is written best-effort and signalled; all is loaded here.
                match names.with_pattern_unchecked(pattern).format(&date).try_write_to_string() {
                    Ok(s) | Err((_, s)) => s.into_owned(),
                }
            }
        }
    }
}

fn gregorian(m: Month) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(i32::from(m.year()), m.number(), 1).ok()
}

/// Chooses how the locale writes a month on a chart axis (see [`ShortMonth`]).
pub(super) fn short_month(locale: &icu_locale_core::Locale) -> Result<ShortMonth, String> {
    let sample = Date::try_new_gregorian(2026, 10, 1).map_err(|e| e.to_string())?;
    let medium: FixedCalendarDateTimeFormatter<Gregorian, YM> =
        FixedCalendarDateTimeFormatter::try_new(locale.into(), YM::medium()).map_err(|e| e.to_string())?;
    let medium_pattern = medium.format(&sample).pattern().to_string();
    if spells_month(&medium_pattern) {
        return Ok(ShortMonth::Formatter(Box::new(medium)));
    }
    let long: FixedCalendarDateTimeFormatter<Gregorian, YM> =
        FixedCalendarDateTimeFormatter::try_new(locale.into(), YM::long()).map_err(|e| e.to_string())?;
    let long_pattern = long.format(&sample).pattern().to_string();
    let abbreviated = long_pattern.replace("MMMM", "MMM").replace("LLLL", "LLL");
    if !spells_month(&abbreviated) {
        // The long form is already numeric and unambiguous ("2026年10月").
        return Ok(ShortMonth::Formatter(Box::new(long)));
    }
    let pattern: DateTimePattern = abbreviated.parse().map_err(|e| format!("{e:?}"))?;
    let mut names: FixedCalendarDateTimeNames<Gregorian, YM> =
        FixedCalendarDateTimeNames::try_new(locale.into()).map_err(|e| e.to_string())?;
    let length =
        if abbreviated.contains("LLL") { MonthNameLength::StandaloneAbbreviated } else { MonthNameLength::Abbreviated };
    names.include_month_names(length).map_err(|e| format!("{e:?}"))?;
    Ok(ShortMonth::Pattern(Box::new((names, pattern))))
}

/// Whether a CLDR date pattern writes the month as a name (`MMM`, `LLLL`…),
/// outside quoted literals.
fn spells_month(pattern: &str) -> bool {
    let mut quoted = false;
    let mut run = 0;
    let mut last = '\0';
    for c in pattern.chars() {
        if c == '\'' {
            quoted = !quoted;
            run = 0;
            continue;
        }
        if quoted {
            continue;
        }
        run = if (c == 'M' || c == 'L') && c == last { run + 1 } else { usize::from(c == 'M' || c == 'L') };
        last = c;
        if run >= 3 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(tag: &str) -> Locale {
        Locale::new(tag).unwrap()
    }

    fn oct() -> Month {
        Month::new(2026, 10).unwrap()
    }

    #[test]
    fn months_in_full() {
        assert_eq!(l("en-GB").month_long(oct()), "October 2026");
        assert_eq!(l("de-DE").month_long(oct()), "Oktober 2026");
        assert_eq!(l("fr-FR").month_long(oct()), "octobre 2026");
        assert_eq!(l("es-ES").month_long(oct()), "octubre de 2026");
        assert_eq!(l("ja-JP").month_long(oct()), "2026年10月");
        assert_eq!(l("ar").month_long(oct()), "أكتوبر 2026");
    }

    #[test]
    fn months_on_axes_are_short_but_unambiguous() {
        assert_eq!(l("en-GB").month_short(oct()), "Oct 2026");
        assert_eq!(l("de-DE").month_short(oct()), "Okt. 2026");
        assert_eq!(l("fr-FR").month_short(oct()), "oct. 2026");
        assert_eq!(l("es-ES").month_short(oct()), "oct 2026");
        assert_eq!(l("ja-JP").month_short(oct()), "2026年10月");
        let june = Month::new(2026, 6).unwrap();
        for tag in ["en-GB", "en-US", "de-DE", "fr-FR", "es-ES", "ja-JP", "ar", "he-IL", "de-CH", "nl", "pt-BR"] {
            let s = l(tag).month_short(june);
            assert!(s.contains("2026") || s.contains("٢٠٢٦"), "{tag}: {s} has a four-digit year");
            assert!(!s.contains("06/") && !s.contains("6/"), "{tag}: {s} spells the month");
        }
    }

    #[test]
    fn spells_month_reads_patterns() {
        assert!(spells_month("MMM y"));
        assert!(spells_month("LLLL y"));
        assert!(!spells_month("MM/y"));
        assert!(!spells_month("y年M月"));
        assert!(!spells_month("'MMM' y"), "quoted text is not a field");
    }
}
