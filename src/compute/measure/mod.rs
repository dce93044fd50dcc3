//! The ten measuring methods, each a pure function from parsed exports and git
//! history to a value, a one-line account of how it was computed, and the
//! evidence rows behind it; or the reason it cannot be computed.
//!
//! Each follows its KPI's `how_to_measure` in the built-in catalogue. Times are
//! medians (DORA's advice: a few outliers must not move the number), reported
//! to two decimals; percentages to one. "This month" is `[start, end)` in the
//! report's time zone, and which event places a row in a month is stated per
//! method below and in FORMAT.md.
//!
//! The methods by what they read: deployments and incidents (the DORA
//! measures and rework, [`dora`]), work items ([`work`]), and git history
//! ([`history`]: which commits each deployment brought, and who wrote each
//! component's changes).

pub(crate) mod dora;
pub(crate) mod history;
pub(crate) mod said;
pub(crate) mod work;

#[cfg(test)]
pub(super) mod testdata;

use std::path::PathBuf;

use crate::base::locale::round;
use crate::base::method::Method;
use crate::base::period::{Month, Quarter};
use crate::load::config::People;
use crate::load::exports::time::{Instant, Zone};
use crate::load::exports::{Deployment, Incident, Table, WorkItem};
use crate::load::git::Repository;

use said::Said;

use dora::{change_failure_rate, lead_time, rework_ratio, time_to_restore};
use history::{key_person_concentration, Brought};
use work::{business_outcome_share, cycle_time, defect_escape_rate, delivery_predictability, roadmap_accuracy};

/// The month being measured, or the quarter: from the first moment of its
/// first month to the end of its last, in the report's time zone.
#[derive(Debug, Clone)]
pub(crate) struct Period {
    /// The month, or a quarter's last month: the 90 days of key-person
    /// concentration and the roadmap's quarter end there.
    pub(crate) month: Month,
    /// The same month, or a quarter's first.
    pub(crate) first: Month,
    pub(crate) quarter: Option<Quarter>,
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub(crate) zone: Zone,
}

impl Period {
    pub(crate) fn new(month: Month, zone: Zone) -> Period {
        let (start, end) = zone.month_bounds(month);
        Period { month, first: month, quarter: None, start, end, zone }
    }

    /// The quarter `q`, measured as one period.
    pub(crate) fn of_quarter(q: Quarter, zone: Zone) -> Period {
        let (start, end) = (zone.month_bounds(q.first()).0, zone.month_bounds(q.last()).1);
        Period { month: q.last(), first: q.first(), quarter: Some(q), start, end, zone }
    }

    pub(super) fn holds(&self, t: Instant) -> bool {
        (self.start..self.end).contains(&t)
    }

    pub(super) fn name(&self) -> String {
        self.quarter.map_or_else(|| self.month.long_name(), |q| q.to_string())
    }
}

/// An export: read, or absent (with the path it was looked for at).
#[derive(Debug, Clone)]
pub(crate) enum Export<T> {
    Missing(PathBuf),
    Read(Table<T>),
}

impl<T> Export<T> {
    pub(super) fn table(&self) -> Result<&Table<T>, String> {
        match self {
            Export::Missing(path) => Err(format!("there is no {}", path.display())),
            Export::Read(t) => match &t.unusable {
                Some(why) => Err(why.clone()),
                None => Ok(t),
            },
        }
    }
}

/// Everything the methods read.
#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) deployments: Export<Deployment>,
    pub(crate) incidents: Export<Incident>,
    pub(crate) work_items: Export<WorkItem>,
    pub(crate) repositories: Vec<Repository>,
    /// The commits each deployment of the month brought (from the repositories).
    pub(crate) brought: Brought,
    /// How evidence names people.
    pub(crate) people: People,
}

/// The rows behind a number, one per input row (or component) that made it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evidence {
    /// Its method's columns.
    pub(crate) header: &'static [&'static str],
    pub(crate) rows: Vec<Vec<String>>,
}

/// A computed value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Computed {
    pub(crate) value: f64,
    /// One line: how it was computed, in words for the board (written in
    /// the report's language by `measure`).
    pub(crate) measured: Said,
    pub(crate) evidence: Evidence,
    /// Things the author should know (a reference that matches nothing, …).
    pub(crate) notes: Vec<String>,
}

impl Computed {
    /// `method`'s value, how it was computed, and the evidence rows behind it
    /// (in the method's columns).
    pub(super) fn new(method: Method, value: f64, measured: Said, rows: Vec<Vec<String>>) -> Computed {
        Computed { value, measured, evidence: Evidence { header: method.columns(), rows }, notes: Vec::new() }
    }

    /// How it was computed, in English: what the tests read.
    #[cfg(test)]
    pub(super) fn said(&self) -> String {
        self.measured.in_language(crate::base::i18n::Lang::english())
    }

    /// With things the author should know.
    pub(super) fn noting(self, notes: Vec<String>) -> Computed {
        Computed { notes, ..self }
    }
}

/// A value, or why there is none.
pub(crate) type Outcome = Result<Computed, String>;

/// Runs `method`.
pub(crate) fn compute(method: Method, data: &Data, period: &Period) -> Outcome {
    match method {
        Method::LeadTime => lead_time(data, period),
        Method::DeliveryPredictability => delivery_predictability(data, period),
        Method::CycleTime => cycle_time(data, period),
        Method::KeyPersonConcentration => key_person_concentration(data, period),
        Method::ChangeFailureRate => change_failure_rate(data, period),
        Method::TimeToRestore => time_to_restore(data, period),
        Method::DefectEscapeRate => defect_escape_rate(data, period),
        Method::ReworkRatio => rework_ratio(data, period),
        Method::BusinessOutcomeShare => business_outcome_share(data, period),
        Method::RoadmapAccuracy => roadmap_accuracy(data, period),
    }
}

pub(super) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

pub(super) fn percent(part: f64, whole: f64) -> f64 {
    round(part / whole * 100.0, 1)
}

/// A number for evidence: rounded to three decimals by boardpack's one
/// rounding rule, written in its shortest form (`2`, `0.5`, `1.063`).
pub(super) fn num(v: f64) -> String {
    round(v, 3).to_string()
}

pub(super) fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

pub(super) const DAY: f64 = 86_400.0;
pub(super) const HOUR: f64 = 3_600.0;

pub(super) fn source<T>(table: &Table<T>, lines: &[usize]) -> String {
    let first = table.source(lines.first().copied().unwrap_or(0)).to_string();
    if lines.len() <= 1 {
        first
    } else {
        let rest: Vec<String> = lines[1..].iter().map(usize::to_string).collect();
        format!("{first},{}", rest.join(","))
    }
}

/// Production deployments that succeeded in the period, in time order.
pub(super) fn month_deployments<'a>(t: &'a Table<Deployment>, p: &Period) -> Vec<(usize, &'a Deployment)> {
    let mut d: Vec<(usize, &Deployment)> =
        t.rows.iter().enumerate().filter(|(_, d)| d.counts() && p.holds(d.at)).collect();
    d.sort_by_key(|(_, d)| (d.at, d.line));
    d
}
#[cfg(test)]
mod tests {
    use super::testdata::{data, october, DEPLOYMENTS, INCIDENTS, WORK_ITEMS};
    use super::*;

    #[test]
    fn a_month_with_no_events_says_why_for_every_kpi() {
        let d = data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS);
        let empty = Period::new(Month::new(2026, 6).unwrap(), Zone::utc());
        for method in Method::all() {
            let reason = compute(method, &d, &empty).unwrap_err();
            assert!(
                reason.contains("June 2026") || reason.contains("30 June") || reason.contains("[[measure.repository]]"),
                "{method}: {reason}"
            );
        }
    }

    #[test]
    fn missing_files_and_columns_are_reasons() {
        let mut d = data("deployed_at\n2026-10-01T00:00:00Z\n", "detected_at\n2026-10-01T00:00:00Z\n", "id\nA\n");
        let p = october();
        assert_eq!(rework_ratio(&d, &p).unwrap_err(), "x.csv has no `kind` column");
        assert_eq!(time_to_restore(&d, &p).unwrap_err(), "x.csv has no `restored_at` column");
        assert_eq!(lead_time(&d, &p).unwrap_err(), "x.csv has neither a `sha` nor a `first_commit_at` column");
        assert!(change_failure_rate(&d, &p).unwrap_err().starts_with("nothing links deployments to failures"));
        d.work_items = Export::Missing("data/2026-10/work-items.csv".into());
        assert_eq!(cycle_time(&d, &p).unwrap_err(), "there is no data/2026-10/work-items.csv");
    }
}
