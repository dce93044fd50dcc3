//! Timestamps and time zones: reading the date-times that exports write, and
//! placing them in the report's months.
//!
//! Every instant is kept as whole seconds since the Unix epoch (UTC), so
//! comparisons and differences are plain integer arithmetic. A month runs from
//! 00:00 on its first day to 00:00 on the next month's first day in the
//! report's time zone (`[measure] timezone`, default UTC).
//!
//! Time zones come from `jiff` with its bundled copy of the IANA database and
//! no system zoneinfo: the same exports give the same numbers on every machine
//! (and on Windows, which has no zoneinfo), and jiff handles the daylight-saving
//! gaps and folds that a hand-written offset table would get wrong. Parsing is
//! written here because exports use shapes no single parser accepts (Jira's
//! `05/Oct/26 2:22 PM`, GitLab's `2026-10-05 14:22:05 UTC`).

use std::fmt;

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

use crate::base::period::Month;

/// Seconds since 1970-01-01T00:00:00Z.
pub(crate) type Instant = i64;

/// The accepted date-time forms, for help texts.
pub(crate) const FORMS: &str = "RFC 3339 with an offset (2026-10-05T14:22:05Z, 2026-10-05T15:22:05+01:00), \
YYYY-MM-DD HH:MM[:SS] in the file's time zone, a date YYYY-MM-DD (its first moment), \
GitLab's 2026-10-05 14:22:05 UTC, or Jira's 05/Oct/26 2:22 PM";

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
        if spec.starts_with('+') || spec.starts_with('-') {
            let seconds =
                parse_offset(spec).ok_or_else(|| format!("`{spec}` is not an offset: write it as +01:00 or -05:30"))?;
            let offset = Offset::from_seconds(seconds).map_err(|e| format!("`{spec}`: {e}"))?;
            return Ok(Zone { tz: TimeZone::fixed(offset), name: spec.to_string() });
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
        // and jiff resolves a zone's gap, so this cannot fail for years 1900..=9999.
        DateTime::new(year, m, 1, 0, 0, 0, 0)
            .ok()
            .and_then(|dt| self.instant(dt).ok())
            .unwrap_or_else(|| month.epoch_seconds())
    }

    /// The start of the day after the one holding `t`: the deadline a date-only
    /// value (`due = 2026-10-15`) means.
    pub(crate) fn next_day_start(&self, t: Instant) -> Instant {
        let dt = self.civil(t);
        let next = dt.date().tomorrow().map(|d| d.to_datetime(jiff::civil::Time::midnight()));
        next.ok().and_then(|dt| self.instant(dt).ok()).unwrap_or(t + 86_400)
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

    /// RFC 3339 in this zone, e.g. `2026-10-05T15:22:05+01:00`: the form evidence files use.
    pub(crate) fn format(&self, t: Instant) -> String {
        let ts = Timestamp::from_second(t).unwrap_or(Timestamp::UNIX_EPOCH);
        let dt = self.tz.to_datetime(ts);
        let offset = self.tz.to_offset(ts).seconds();
        let zone = if offset == 0 {
            "Z".to_string()
        } else {
            let sign = if offset < 0 { '-' } else { '+' };
            let abs = offset.unsigned_abs();
            format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )
    }

    /// `YYYY-MM-DD` of the day holding `t` in this zone.
    pub(crate) fn date(&self, t: Instant) -> String {
        let dt = self.civil(t);
        format!("{:04}-{:02}-{:02}", dt.year(), dt.month(), dt.day())
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

/// A parsed date-time: the instant, and whether only a date was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct When {
    pub(crate) at: Instant,
    pub(crate) date_only: bool,
}

/// Reads one cell as a date-time. Values without an offset are wall-clock
/// times in `zone`. The error says what was found, for a diagnostic.
pub(crate) fn parse(text: &str, zone: &Zone) -> Result<When, String> {
    let t = text.trim();
    let bad = || format!("`{t}` is not a date and time boardpack can read");
    let parsed = if t.as_bytes().get(2) == Some(&b'/') || t.as_bytes().get(1) == Some(&b'/') {
        parse_jira(t)
    } else {
        parse_iso(t)
    };
    let Some(Parsed { fields, offset, date_only }) = parsed else {
        return Err(bad());
    };
    let [y, mo, d, h, mi, s] = fields;
    let dt = (|| {
        let dt = DateTime::new(
            i16::try_from(y).ok()?,
            i8::try_from(mo).ok()?,
            i8::try_from(d).ok()?,
            i8::try_from(h).ok()?,
            i8::try_from(mi).ok()?,
            i8::try_from(s).ok()?,
            0,
        )
        .ok()?;
        (1900..=9999).contains(&y).then_some(dt)
    })()
    .ok_or_else(|| format!("`{t}` is not a real date and time"))?;
    let at = match offset {
        Some(seconds) => {
            let offset = Offset::from_seconds(seconds).map_err(|_| bad())?;
            offset.to_timestamp(dt).map(Timestamp::as_second).map_err(|_| bad())?
        }
        None => zone.instant(dt)?,
    };
    Ok(When { at, date_only })
}

struct Parsed {
    /// year, month, day, hour, minute, second
    fields: [i32; 6],
    /// Seconds east of UTC, when the text names an offset.
    offset: Option<i32>,
    date_only: bool,
}

/// A small cursor over ASCII text.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, min: usize, max: usize) -> Option<i32> {
        let start = self.i;
        while self.i < self.s.len() && self.i - start < max && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn rest(&self) -> &str {
        std::str::from_utf8(&self.s[self.i..]).unwrap_or("")
    }

    fn done(&self) -> bool {
        self.i == self.s.len()
    }
}

/// `YYYY-MM-DD`, then optionally `[T ]HH:MM[:SS[.fff]]`, then optionally `Z`,
/// ` UTC`, or an offset `±HH[:MM]`.
fn parse_iso(t: &str) -> Option<Parsed> {
    let mut c = Cursor { s: t.as_bytes(), i: 0 };
    let y = c.digits(4, 4)?;
    c.eat(b'-').then_some(())?;
    let mo = c.digits(1, 2)?;
    c.eat(b'-').then_some(())?;
    let d = c.digits(1, 2)?;
    if c.done() {
        return Some(Parsed { fields: [y, mo, d, 0, 0, 0], offset: None, date_only: true });
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let h = c.digits(1, 2)?;
    c.eat(b':').then_some(())?;
    let mi = c.digits(2, 2)?;
    let mut s = 0;
    if c.eat(b':') {
        s = c.digits(2, 2)?;
        if c.eat(b'.') || c.eat(b',') {
            c.digits(1, 9)?;
        }
    }
    let zone = c.rest().trim();
    let offset = match zone {
        "" => None,
        "Z" | "z" | "UTC" | "utc" | "GMT" => Some(0),
        z => Some(parse_offset(z.strip_prefix("UTC").unwrap_or(z))?),
    };
    Some(Parsed { fields: [y, mo, d, h, mi, s], offset, date_only: false })
}

/// `+01:00`, `+0100`, `+01`, `-05:30` → seconds east of UTC.
fn parse_offset(z: &str) -> Option<i32> {
    let sign = match z.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut c = Cursor { s: &z.as_bytes()[1..], i: 0 };
    let h = c.digits(2, 2)?;
    let m = if c.done() {
        0
    } else {
        c.eat(b':');
        c.digits(2, 2)?
    };
    (c.done() && h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

/// Jira's default export format: `05/Oct/26 2:22 PM`, or a date `05/Oct/26`.
fn parse_jira(t: &str) -> Option<Parsed> {
    let mut parts = t.split_whitespace();
    let date = parts.next()?;
    let mut dp = date.split('/');
    let d: i32 = dp.next()?.parse().ok()?;
    let mon = dp.next()?;
    let year: i32 = dp.next()?.parse().ok()?;
    if dp.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let mo = MONTHS.iter().position(|m| mon.eq_ignore_ascii_case(m))? as i32 + 1;
    let y = if year < 100 { 2000 + year } else { year };
    let Some(time) = parts.next() else {
        return Some(Parsed { fields: [y, mo, d, 0, 0, 0], offset: None, date_only: true });
    };
    let mut c = Cursor { s: time.as_bytes(), i: 0 };
    let mut h = c.digits(1, 2)?;
    c.eat(b':').then_some(())?;
    let mi = c.digits(2, 2)?;
    let s = if c.eat(b':') { c.digits(2, 2)? } else { 0 };
    c.done().then_some(())?;
    match parts.next().map(str::to_ascii_uppercase).as_deref() {
        None => {}
        Some("AM") if (1..=12).contains(&h) => h %= 12,
        Some("PM") if (1..=12).contains(&h) => h = h % 12 + 12,
        Some(_) => return None,
    }
    parts.next().is_none().then_some(Parsed { fields: [y, mo, d, h, mi, s], offset: None, date_only: false })
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
            "2026-10-05T14:22:05.123Z",
            "2026-10-05T15:22:05+01:00",
            "2026-10-05T15:22:05+0100",
            "2026-10-05 09:22:05-05:00",
            "2026-10-05 14:22:05 UTC",
            "2026-10-05 14:22:05",
            "2026-10-05T14:22:05",
        ] {
            assert_eq!(at(form, &utc), expected, "{form}");
        }
        assert_eq!(at("2026-10-05 14:22", &utc), expected - 5);
        assert_eq!(at("05/Oct/26 2:22 PM", &utc), expected - 5);
        assert_eq!(at("5/oct/2026 14:22", &utc), expected - 5);
        let date = parse("2026-10-05", &utc).unwrap();
        assert!(date.date_only);
        assert_eq!(date.at, expected - (14 * 3600 + 22 * 60 + 5));
        assert!(parse("05/Oct/26", &utc).unwrap().date_only);
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
    fn rejects_what_is_not_a_date_time() {
        let utc = Zone::utc();
        for bad in
            ["", "yesterday", "2026-13-01", "2026-02-30", "2026-10-05T25:00", "2026/10/05", "31/Foo/26", "1700-01-01"]
        {
            assert!(parse(bad, &utc).is_err(), "{bad} should be rejected");
        }
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert!(Zone::parse("+25:00").is_err());
    }

    #[test]
    fn month_bounds_follow_the_zone() {
        let october = Month::new(2026, 10).unwrap();
        let (start, end) = Zone::utc().month_bounds(october);
        assert_eq!(start, october.epoch_seconds());
        assert_eq!(end, october.next().epoch_seconds());
        let (s, e) = Zone::parse("Europe/London").unwrap().month_bounds(october);
        assert_eq!((s, e), (start - 3600, end));
        let zone = Zone::parse("+01:00").unwrap();
        assert_eq!(zone.format(start), "2026-10-01T01:00:00+01:00");
        assert_eq!(zone.long_day_before(end), "1 November 2026");
        assert_eq!(Zone::utc().long_day_before(end), "31 October 2026");
        assert_eq!(Zone::utc().next_day_start(start + 5), start + 86_400);
    }
}
