//! Timestamps and time zones: reading the date-times that exports write, and
//! placing them in the report's months.
//!
//! Every instant is kept as whole seconds since the Unix epoch (UTC), so
//! comparisons and differences are plain integer arithmetic. A month runs from
//! 00:00 on its first day to 00:00 on the next month's first day in the
//! report's time zone (`[measure] timezone`, default UTC).
//!
//! Time zones and date-times both come from `jiff`, with its bundled copy of
//! the IANA database and no system zoneinfo: the same exports give the same
//! numbers on every machine (and on Windows, which has no zoneinfo), and jiff
//! handles the daylight-saving gaps and folds that a hand-written offset
//! table would get wrong. Exports use shapes no single parser accepts, so a
//! cell is read by jiff's RFC 3339 / ISO 8601 parser first, after moving a
//! zone written the way GitLab writes it (`2026-10-05 14:22:05 UTC`) into
//! RFC 3339's place, and else by jiff's `strptime` in the few shapes left
//! (Jira's `05/Oct/26 2:22 PM`, a one-digit hour or day).

use std::borrow::Cow;
use std::fmt;

use jiff::civil::{DateTime, Time};
use jiff::fmt::strtime;
use jiff::fmt::temporal::{DateTimeParser, Pieces};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::base::period::Month;

/// Seconds since 1970-01-01T00:00:00Z.
pub(crate) type Instant = i64;

/// The accepted date-time forms, for help texts.
pub(crate) const FORMS: &str = "RFC 3339 with an offset (2026-10-05T14:22:05Z, 2026-10-05T15:22:05+01:00), \
YYYY-MM-DD HH:MM[:SS] in the file's time zone, a date YYYY-MM-DD (its first moment), \
GitLab's 2026-10-05 14:22:05 UTC, or Jira's 05/Oct/26 2:22 PM (or 14:22)";

/// A time zone: an IANA name or a fixed offset.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    tz: TimeZone,
    name: String,
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Zone {
    pub(crate) fn utc() -> Zone {
        Zone { tz: TimeZone::UTC, name: "UTC".to_string() }
    }

    /// `UTC`, an IANA name (`Europe/London`) or a fixed offset (`+01:00`, `-0530`).
    pub(crate) fn parse(spec: &str) -> Result<Zone, String> {
        let spec = spec.trim();
        if spec.eq_ignore_ascii_case("utc") || spec == "Z" {
            return Ok(Zone::utc());
        }
        if spec.starts_with(['+', '-']) {
            let bad = || format!("`{spec}` is not an offset: write it as +01:00 or -05:30");
            let tz = PARSER.parse_time_zone(spec).map_err(|_| bad())?;
            // jiff takes offsets to ±25:59:59, for POSIX zones; no place on Earth is a day away from UTC.
            let within_a_day = tz.to_fixed_offset().is_ok_and(|o| o.seconds().abs() < 86_400);
            return if within_a_day { Ok(Zone { tz, name: spec.to_string() }) } else { Err(bad()) };
        }
        TimeZone::get(spec)
            .map(|tz| Zone { tz, name: spec.to_string() })
            .map_err(|_| format!("`{spec}` is not a time zone boardpack knows"))
    }

    /// The instant of a wall-clock time in this zone. In a daylight-saving gap
    /// the clock is read forward; in a fold, the earlier of the two instants.
    pub(crate) fn instant(&self, dt: DateTime) -> Result<Instant, String> {
        self.tz.to_timestamp(dt).map(Timestamp::as_second).map_err(|e| e.to_string())
    }

    /// `[start, end)` of a month in this zone.
    pub(crate) fn month_bounds(&self, month: Month) -> (Instant, Instant) {
        let start = self.month_start(month);
        (start, self.month_start(month.next()))
    }

    fn month_start(&self, month: Month) -> Instant {
        let year = i16::try_from(month.year()).unwrap_or(i16::MAX);
        let m = i8::try_from(month.number()).unwrap_or(1);
        // The first of a month at midnight always exists as a civil date-time,
        // and jiff resolves a zone's gap, so this fails only past jiff's last
        // year, 9999: the month after December 9999 begins after every instant.
        DateTime::new(year, m, 1, 0, 0, 0, 0)
            .ok()
            .and_then(|dt| self.instant(dt).ok())
            .unwrap_or(Timestamp::MAX.as_second())
    }

    /// The start of the day after the one holding `t`: the deadline a date-only
    /// value (`due = 2026-10-15`) means.
    pub(crate) fn next_day_start(&self, t: Instant) -> Instant {
        let dt = self.civil(t);
        let next = dt.date().tomorrow().map(|d| d.to_datetime(jiff::civil::Time::midnight()));
        next.ok().and_then(|dt| self.instant(dt).ok()).unwrap_or(t + 86_400)
    }

    /// The start of the day `days` calendar days before the day holding `t`,
    /// in this zone: across a change of clock, 90 days back from midnight is
    /// midnight, not 90 × 24 hours (an hour off).
    pub(crate) fn days_before(&self, t: Instant, days: i32) -> Instant {
        let date = self.civil(t).date();
        date.checked_sub(jiff::Span::new().days(days))
            .ok()
            .and_then(|d| self.instant(d.to_datetime(jiff::civil::Time::midnight())).ok())
            .unwrap_or(t - i64::from(days) * 86_400)
    }

    fn civil(&self, t: Instant) -> DateTime {
        let ts = Timestamp::from_second(t).unwrap_or(Timestamp::UNIX_EPOCH);
        self.tz.to_datetime(ts)
    }

    /// The month holding `t` in this zone.
    pub(crate) fn month_of(&self, t: Instant) -> Month {
        let dt = self.civil(t);
        let year = u16::try_from(dt.year()).unwrap_or(1970);
        let m = u8::try_from(dt.month()).unwrap_or(1);
        Month::new(year, m).unwrap_or_else(|| Month::new(1970, 1).expect("1970-01 is a month"))
    }

    /// The current month in this zone.
    pub(crate) fn current_month(&self) -> Month {
        self.month_of(Timestamp::now().as_second())
    }

    /// RFC 3339 in this zone, e.g. `2026-10-05T15:22:05+01:00`, and `Z` for
    /// an offset of zero: the form evidence files use.
    pub(crate) fn format(&self, t: Instant) -> String {
        let ts = Timestamp::from_second(t).unwrap_or(Timestamp::UNIX_EPOCH);
        let zoned = ts.to_zoned_datetime(self.tz.clone());
        let form = if zoned.offset().seconds() == 0 { "%Y-%m-%dT%H:%M:%SZ" } else { "%Y-%m-%dT%H:%M:%S%:z" };
        zoned.strftime(form).to_string()
    }

    /// `YYYY-MM-DD` of the day holding `t` in this zone.
    pub(crate) fn date(&self, t: Instant) -> String {
        self.civil(t).date().to_string()
    }

    /// "31 October 2026": the last day before `end`, as a board reads it.
    pub(crate) fn long_day_before(&self, end: Instant) -> String {
        let dt = self.civil(end - 1);
        let month = Month::new(u16::try_from(dt.year()).unwrap_or(1970), u8::try_from(dt.month()).unwrap_or(1))
            .map(|m| m.long_name())
            .unwrap_or_default();
        format!("{} {month}", dt.day())
    }
}

/// jiff's parser of RFC 3339, RFC 9557 and ISO 8601 date-times, and of time zones.
static PARSER: DateTimeParser = DateTimeParser::new();

/// The shapes jiff's RFC 3339 parser does not read, as `strptime` formats,
/// each with whether it is a date only. `%y` before `%Y`, which would read
/// `26` as the year 26.
const OTHER_FORMS: [(&str, bool); 14] = [
    // Jira's default export format, with a 12- or 24-hour clock, and its date.
    ("%d/%b/%y %I:%M %p", false),
    ("%d/%b/%y %I:%M:%S %p", false),
    ("%d/%b/%y %H:%M", false),
    ("%d/%b/%y %H:%M:%S", false),
    ("%d/%b/%y", true),
    ("%d/%b/%Y %I:%M %p", false),
    ("%d/%b/%Y %H:%M", false),
    ("%d/%b/%Y %H:%M:%S", false),
    ("%d/%b/%Y", true),
    // ISO 8601 with a one-digit month, day or hour (`2026-10-05 9:22`), in the file's time zone.
    ("%Y-%m-%d %H:%M", false),
    ("%Y-%m-%d %H:%M:%S", false),
    ("%Y-%m-%dT%H:%M", false),
    ("%Y-%m-%dT%H:%M:%S", false),
    ("%Y-%m-%d", true),
];

/// A parsed date-time: the instant, and whether only a date was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct When {
    pub(crate) at: Instant,
    pub(crate) date_only: bool,
}

/// Reads one cell as a date-time. Values without an offset are wall-clock
/// times in `zone`. The error says what was found, for a diagnostic: a value
/// in a known shape that names no real moment (`2026-02-30`, `25:00`) is
/// told apart from one boardpack cannot read at all.
pub(crate) fn parse(text: &str, zone: &Zone) -> Result<When, String> {
    let t = text.trim();
    let (dt, written, date_only) = read(t).map_err(|e| {
        if e.is_range() {
            format!("`{t}` is not a real date and time")
        } else {
            format!("`{t}` is not a date and time boardpack can read")
        }
    })?;
    if !(1900..=9999).contains(&dt.year()) {
        return Err(format!("`{t}` is not a real date and time"));
    }
    let at = match written {
        Some(tz) => tz.to_timestamp(dt).map(Timestamp::as_second).map_err(|e| format!("`{t}`: {e}"))?,
        None => zone.instant(dt)?,
    };
    Ok(When { at, date_only })
}

/// The civil date-time of a cell, the zone written in it (if any), and
/// whether it is a date only; else the error of the most telling attempt
/// (one that found an impossible date, if any did).
fn read(t: &str) -> Result<(DateTime, Option<TimeZone>, bool), jiff::Error> {
    let first = match Pieces::parse(rfc3339_zone(t).as_ref()) {
        Ok(p) => {
            let written = match (p.to_numeric_offset(), p.to_time_zone()?) {
                (Some(offset), _) => Some(TimeZone::fixed(offset)),
                (None, zone) => zone,
            };
            let dt = p.date().to_datetime(p.time().unwrap_or(Time::midnight()));
            return Ok((dt, written, p.time().is_none()));
        }
        Err(e) => e,
    };
    let mut error = first;
    for (format, date_only) in OTHER_FORMS {
        let parsed = strtime::parse(format, t).and_then(|b| {
            if date_only {
                b.to_date().map(|d| d.to_datetime(Time::midnight()))
            } else {
                b.to_datetime()
            }
        });
        match parsed {
            Ok(dt) => return Ok((dt, None, date_only)),
            Err(e) if e.is_range() && !error.is_range() => error = e,
            Err(_) => {}
        }
    }
    Err(error)
}

/// `t` with a zone written after the time, as GitLab and others write it
/// (`… 14:22:05 UTC`, `… 14:22:05 +01:00`, `…14:22:05 UTC+01:00`), moved into
/// RFC 3339's place (`…14:22:05Z`, `…14:22:05+01:00`).
fn rfc3339_zone(t: &str) -> Cow<'_, str> {
    let is_name = |s: &str| s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("gmt");
    if let Some((body, zone)) = t.rsplit_once(' ') {
        let body = body.trim_end();
        if is_name(zone) || zone.eq_ignore_ascii_case("z") {
            return format!("{body}Z").into();
        }
        let offset = match zone.get(..3) {
            Some(name) if is_name(name) => &zone[3..],
            _ => zone,
        };
        if offset.starts_with(['+', '-']) {
            return format!("{body}{offset}").into();
        }
    }
    match t.len().checked_sub(3).and_then(|i| Some((t.get(..i)?, t.get(i..)?))) {
        Some((body, name)) if is_name(name) => format!("{body}Z").into(),
        _ => t.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, zone: &Zone) -> Instant {
        parse(text, zone).unwrap_or_else(|e| panic!("{e}")).at
    }

    #[test]
    fn reads_every_documented_form() {
        let utc = Zone::utc();
        // 2026-10-05T14:22:05Z
        let expected = 1_791_210_125;
        for form in [
            "2026-10-05T14:22:05Z",
            "2026-10-05t14:22:05z",
            "2026-10-05T14:22:05.123Z",
            "2026-10-05T14:22:05,123Z",
            "2026-10-05T15:22:05+01:00",
            "2026-10-05T15:22:05+0100",
            "2026-10-05T15:22:05+01",
            "2026-10-05 09:22:05-05:00",
            "2026-10-05 14:22:05 UTC",
            "2026-10-05 14:22:05 GMT",
            "2026-10-05 14:22:05UTC",
            "2026-10-05 15:22:05 +01:00",
            "2026-10-05 15:22:05 UTC+01:00",
            "2026-10-05 14:22:05",
            "2026-10-05T14:22:05",
            "  2026-10-05T14:22:05  ",
            "2026-10-05T15:22:05[Europe/London]",
        ] {
            assert_eq!(at(form, &utc), expected, "{form}");
        }
        assert_eq!(at("2026-10-05 14:22", &utc), expected - 5);
        assert_eq!(at("2026-10-05 9:22", &utc), expected - 5 * 3600 - 5);
        assert_eq!(at("2026-1-5", &utc), at("2026-01-05", &utc));
        let date = parse("2026-10-05", &utc).unwrap();
        assert!(date.date_only);
        assert_eq!(date.at, expected - (14 * 3600 + 22 * 60 + 5));
    }

    #[test]
    fn reads_jira_dates_on_either_clock() {
        let utc = Zone::utc();
        let expected = at("2026-10-05T14:22:00Z", &utc);
        for form in [
            "05/Oct/26 2:22 PM",
            "05/OCT/26 02:22 pm",
            "05/Oct/26 2:22PM",
            "5/oct/2026 14:22",
            "05/Oct/26 14:22",
            "05/Oct/2026 2:22 PM",
        ] {
            assert_eq!(at(form, &utc), expected, "{form}");
        }
        assert_eq!(at("05/Oct/26 14:22:07", &utc), expected + 7);
        assert_eq!(at("05/Oct/26 12:05 AM", &utc), at("2026-10-05T00:05:00Z", &utc));
        assert_eq!(at("05/Oct/26 12:05 PM", &utc), at("2026-10-05T12:05:00Z", &utc));
        let date = parse("05/Oct/26", &utc).unwrap();
        assert_eq!((date.at, date.date_only), (at("2026-10-05", &utc), true));
        assert!(parse("05/Oct/2026", &utc).unwrap().date_only);
        // Two-digit years as POSIX reads them: 69 to 99 are 19xx, 00 to 68 are 20xx.
        assert_eq!(at("05/Oct/69", &utc), at("1969-10-05", &utc));
        assert_eq!(at("05/Oct/68", &utc), at("2068-10-05", &utc));
    }

    #[test]
    fn naive_times_are_in_the_given_zone_and_offsets_win() {
        let london = Zone::parse("Europe/London").unwrap();
        // British Summer Time in October before the 25th: UTC+1.
        assert_eq!(at("2026-10-05 15:22:05", &london), at("2026-10-05T14:22:05Z", &Zone::utc()));
        // After the clocks go back on 25 October 2026: UTC+0.
        assert_eq!(at("2026-10-26 14:00", &london), at("2026-10-26T14:00:00Z", &Zone::utc()));
        assert_eq!(at("2026-10-05T14:22:05Z", &london), at("2026-10-05T14:22:05Z", &Zone::utc()));
        let fixed = Zone::parse("-05:30").unwrap();
        assert_eq!(at("2026-10-05 00:00", &fixed), at("2026-10-05T05:30:00Z", &Zone::utc()));
    }

    #[test]
    fn rejects_what_is_not_a_date_time_and_says_which_kind_of_wrong() {
        let utc = Zone::utc();
        for bad in [
            "",
            "yesterday",
            "2026/10/05",
            "31/Foo/26",
            "2026-10-05 14:22 CEST",
            "05/Oct/26 2:22 XM",
            "2026-10-05T14:22[Mars/Olympus]",
        ] {
            assert_eq!(parse(bad, &utc), Err(format!("`{bad}` is not a date and time boardpack can read")));
        }
        for impossible in [
            "2026-13-01",
            "2026-02-30",
            "2026-10-32 10:00",
            "2026-10-05T25:00",
            "31/Feb/26",
            "05/Oct/26 13:22 PM",
            "1700-01-01",
        ] {
            assert_eq!(parse(impossible, &utc), Err(format!("`{impossible}` is not a real date and time")));
        }
    }

    #[test]
    fn zones_are_iana_names_or_offsets_within_a_day() {
        for (spec, offset) in [("UTC", 0), ("utc", 0), ("Z", 0), ("+01:00", 3600), ("-0530", -19_800), ("+01", 3600)] {
            let zone = Zone::parse(spec).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(zone.instant(DateTime::constant(2026, 1, 1, 0, 0, 0, 0)), Ok(1_767_225_600 - offset), "{spec}");
            assert_eq!(zone.to_string(), if offset == 0 { "UTC" } else { spec });
        }
        assert!(Zone::parse("Europe/London").is_ok());
        assert_eq!(Zone::parse("Mars/Olympus").unwrap_err(), "`Mars/Olympus` is not a time zone boardpack knows");
        for bad in ["+25:00", "+1", "+01:0x"] {
            assert_eq!(
                Zone::parse(bad).unwrap_err(),
                format!("`{bad}` is not an offset: write it as +01:00 or -05:30")
            );
        }
    }

    #[test]
    fn month_bounds_follow_the_zone() {
        let october = Month::new(2026, 10).unwrap();
        let (start, end) = Zone::utc().month_bounds(october);
        // 2026-10-01T00:00:00Z and 2026-11-01T00:00:00Z.
        assert_eq!((start, end), (1_790_812_800, 1_790_812_800 + 31 * 86_400));
        let (s, e) = Zone::parse("Europe/London").unwrap().month_bounds(october);
        assert_eq!((s, e), (start - 3600, end));
        let zone = Zone::parse("+01:00").unwrap();
        assert_eq!(zone.format(start), "2026-10-01T01:00:00+01:00");
        assert_eq!(zone.long_day_before(end), "1 November 2026");
        assert_eq!(Zone::utc().long_day_before(end), "31 October 2026");
        assert_eq!(Zone::utc().next_day_start(start + 5), start + 86_400);
    }

    #[test]
    fn ninety_days_back_is_ninety_calendar_days_across_a_clock_change() {
        // 90 days before 1 April 2024 in Los Angeles is midnight on 2 January,
        // Pacific Standard Time; the clocks went forward on 10 March, so 90 ×
        // 24 hours would land at 23:00 on 1 January.
        let la = Zone::parse("America/Los_Angeles").unwrap();
        let (_, end) = la.month_bounds(Month::new(2024, 3).unwrap());
        let from = la.days_before(end, 90);
        assert_eq!(la.format(from), "2024-01-02T00:00:00-08:00");
        assert_eq!(end - from, 90 * 86_400 - 3_600);
        assert_eq!(Zone::utc().days_before(end, 90), end - 90 * 86_400 - 7 * 3_600);
    }
}
