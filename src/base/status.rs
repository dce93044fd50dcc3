//! The rules that turn a number into what a board reacts to: a status and a trend.
//!
//! Pure functions, no I/O: the edges (equal to target, equal to red, missing
//! months, both directions) are pinned by the unit tests below.

use schemars::JsonSchema;
use serde::Serialize;

use crate::base::i18n::Lang;
use crate::base::locale::round;

/// Which way a KPI improves. Spelled `"lower"` / `"higher"` in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Better {
    /// Times, failure rates, shares of rework: less is better.
    Lower,
    /// Shares delivered, accuracy: more is better.
    Higher,
}

impl Better {
    /// True when `a` is strictly better than `b` under this direction.
    pub(crate) fn is_better(self, a: f64, b: f64) -> bool {
        match self {
            Better::Lower => a < b,
            Better::Higher => a > b,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
        }
    }

    /// The key of its words in the theme's translations (`better.lower`).
    pub(crate) fn key(self) -> &'static str {
        match self {
            Better::Lower => "better.lower",
            Better::Higher => "better.higher",
        }
    }
}

/// Red/amber/green; `Neutral` for a value with no target to judge it by (a KPI
/// tracked only); `None` when there is no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Red,
    Amber,
    Green,
    Neutral,
    None,
}

impl Status {
    /// The machine name used in data files and CSS classes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Amber => "amber",
            Status::Red => "red",
            Status::Neutral => "neutral",
            Status::None => "none",
        }
    }

    /// The key of its word in the theme's translations (`status.green`).
    pub(crate) fn key(self) -> &'static str {
        match self {
            Status::Green => "status.green",
            Status::Amber => "status.amber",
            Status::Red => "status.red",
            Status::Neutral => "status.neutral",
            Status::None => "status.none",
        }
    }

    /// The word shown to a reader, so status never rests on colour alone, in
    /// English (a report writes [`Status::key`] in its own language).
    pub(crate) fn label(self) -> &'static str {
        Lang::english().get(self.key())
    }
}

/// Green at or better than `target`; red strictly worse than `red`; amber between
/// (a value exactly equal to `red` is still amber). With no (target, red) the
/// value is tracked only: neutral.
pub(crate) fn status(value: Option<f64>, better: Better, thresholds: Option<(f64, f64)>) -> Status {
    let Some(v) = value else {
        return Status::None;
    };
    let Some((target, red)) = thresholds else {
        return Status::Neutral;
    };
    if !better.is_better(target, v) {
        Status::Green
    } else if better.is_better(red, v) {
        Status::Red
    } else {
        Status::Amber
    }
}

/// Whether `red` sits on the worse side of `target` (or equals it, leaving no amber band).
pub(crate) fn thresholds_are_ordered(better: Better, target: f64, red: f64) -> bool {
    !better.is_better(red, target)
}

/// Direction of the change since the previous month that has a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Trend {
    Improving,
    Worsening,
    Flat,
}

impl Trend {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Trend::Improving => "improving",
            Trend::Worsening => "worsening",
            Trend::Flat => "flat",
        }
    }

    /// The key of its word in the theme's translations (`trend.improving`).
    pub(crate) fn key(self) -> &'static str {
        match self {
            Trend::Improving => "trend.improving",
            Trend::Worsening => "trend.worsening",
            Trend::Flat => "trend.flat",
        }
    }
}

/// The signed change and its direction. Flat when the change does not show at the
/// KPI's displayed precision, so a reader never sees "+0.0, worsening".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Change {
    pub(crate) delta: f64,
    pub(crate) trend: Trend,
}

/// Change from `previous` to `current`; `None` when either is missing.
pub(crate) fn change(current: Option<f64>, previous: Option<f64>, better: Better, decimals: u8) -> Option<Change> {
    let (c, p) = (current?, previous?);
    // Two values far apart at the ends of f64's range have no finite
    // difference: not comparable, rather than "−inf pts, worsening".
    let delta = Some(c - p).filter(|d| d.is_finite())?;
    let delta = round(delta, decimals.saturating_add(3));
    let shown = round(delta, decimals);
    let trend = if shown == 0.0 {
        Trend::Flat
    } else if better.is_better(c, p) {
        Trend::Improving
    } else {
        Trend::Worsening
    };
    Some(Change { delta, trend })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_too_large_for_a_number_is_not_comparable() {
        assert_eq!(change(Some(-1.7e308), Some(1.7e308), Better::Lower, 1), None);
        assert_eq!(change(Some(f64::MAX), Some(-f64::MAX), Better::Higher, 0), None);
        assert!(change(Some(1e15), Some(-1e15), Better::Higher, 0).is_some());
    }

    #[test]
    fn lower_is_better_edges() {
        let s = |v| status(Some(v), Better::Lower, Some((2.0, 7.0)));
        assert_eq!(s(1.0), Status::Green);
        assert_eq!(s(2.0), Status::Green, "equal to target is green");
        assert_eq!(s(2.01), Status::Amber);
        assert_eq!(s(7.0), Status::Amber, "equal to red is amber");
        assert_eq!(s(7.01), Status::Red);
    }

    #[test]
    fn higher_is_better_edges() {
        let s = |v| status(Some(v), Better::Higher, Some((80.0, 60.0)));
        assert_eq!(s(95.0), Status::Green);
        assert_eq!(s(80.0), Status::Green, "equal to target is green");
        assert_eq!(s(79.9), Status::Amber);
        assert_eq!(s(60.0), Status::Amber, "equal to red is amber");
        assert_eq!(s(59.9), Status::Red);
    }

    #[test]
    fn missing_value_has_no_status() {
        assert_eq!(status(None, Better::Lower, Some((1.0, 2.0))), Status::None);
        assert_eq!(status(None, Better::Lower, None), Status::None);
        assert_eq!(status(Some(3.0), Better::Lower, None), Status::Neutral, "tracked only: never red, amber or green");
    }

    #[test]
    fn target_equal_to_red_has_no_amber_band() {
        assert!(thresholds_are_ordered(Better::Lower, 5.0, 5.0));
        assert_eq!(status(Some(5.0), Better::Lower, Some((5.0, 5.0))), Status::Green);
        assert_eq!(status(Some(5.1), Better::Lower, Some((5.0, 5.0))), Status::Red);
    }

    #[test]
    fn red_on_the_wrong_side_is_detected() {
        assert!(!thresholds_are_ordered(Better::Lower, 5.0, 3.0));
        assert!(!thresholds_are_ordered(Better::Higher, 80.0, 90.0));
        assert!(thresholds_are_ordered(Better::Higher, 80.0, 60.0));
    }

    #[test]
    fn change_follows_direction() {
        let down = change(Some(3.0), Some(4.0), Better::Lower, 1).unwrap();
        assert_eq!(down.delta, -1.0);
        assert_eq!(down.trend, Trend::Improving);
        let down_bad = change(Some(3.0), Some(4.0), Better::Higher, 1).unwrap();
        assert_eq!(down_bad.trend, Trend::Worsening);
        let up = change(Some(81.0), Some(78.0), Better::Higher, 0).unwrap();
        assert_eq!((up.delta, up.trend), (3.0, Trend::Improving));
    }

    #[test]
    fn change_is_flat_when_invisible_at_display_precision() {
        let c = change(Some(3.04), Some(3.0), Better::Lower, 1).unwrap();
        assert_eq!(c.trend, Trend::Flat);
        let c = change(Some(3.0), Some(3.0), Better::Lower, 1).unwrap();
        assert_eq!((c.delta, c.trend), (0.0, Trend::Flat));
    }

    #[test]
    fn change_needs_both_values() {
        assert!(change(None, Some(1.0), Better::Lower, 1).is_none());
        assert!(change(Some(1.0), None, Better::Lower, 1).is_none());
    }

    #[test]
    fn delta_has_no_float_noise() {
        let c = change(Some(0.3), Some(0.1), Better::Lower, 1).unwrap();
        assert_eq!(c.delta, 0.2);
    }

    #[test]
    fn a_half_rounds_the_same_way_for_the_value_and_the_change() {
        // 74 → 74.5 with no decimals: shown as 75, so the change must read +1, not flat.
        let c = change(Some(74.5), Some(74.0), Better::Higher, 0).unwrap();
        assert_eq!(c.trend, Trend::Improving);
        let c = change(Some(-74.5), Some(-74.0), Better::Lower, 0).unwrap();
        assert_eq!(c.trend, Trend::Improving, "−74.5 is shown as −75");
    }

    #[test]
    fn a_change_that_rounds_to_nothing_is_an_unsigned_zero() {
        // −0.00001 at 1 + 3 places: never "−0", so nothing shows a signed zero.
        let c = change(Some(3.0), Some(3.00001), Better::Lower, 1).unwrap();
        assert!(c.delta == 0.0 && c.delta.is_sign_positive(), "{c:?}");
        assert_eq!(c.trend, Trend::Flat);
    }
}
