//! Compute stage: statuses, changes and history windows for every KPI and month.
//!
//! Pure: takes a loaded [`Project`], touches no file. Histories are laid on a
//! continuous calendar (a month with no folder is a gap, not skipped), every
//! month's figures use only data up to and including that month, and each
//! month is judged by the thresholds in force in it, so a past report never
//! changes when a later month is added or a target changes from a later date.
//!
//! A sealed month is shown as the board received it: [`Report::as_sent`] gives
//! its values, notes and thresholds from its seal, and earlier months as they
//! were known then. A value that replaces a sealed one (a restatement) is
//! marked with the month that announced it.

use crate::base::period::Month;
use crate::base::status::{change, status, Change, Status};
use crate::load::catalogue::{Kpi, Thresholds};
use crate::load::project::{MonthContent, Project};
use crate::load::record::{Corrected, Seal};

/// How many months a full chart shows, ending at the report month.
pub(crate) const CHART_MONTHS: usize = 24;
/// How many months a scorecard sparkline shows.
pub(crate) const SPARKLINE_MONTHS: usize = 12;

/// One KPI on the calendar from the first reported month to the last.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub(crate) values: Vec<Option<f64>>,
    pub(crate) notes: Vec<Option<String>>,
    /// The thresholds in force each month (`None`: tracked only).
    pub(crate) thresholds: Vec<Option<Thresholds>>,
    /// Whether the KPI is part of the report each month.
    pub(crate) in_force: Vec<bool>,
    /// The month that announced a restatement, where the value shown replaces a sealed one.
    pub(crate) restated: Vec<Option<Month>>,
    /// For each offset, the latest earlier offset that has a value.
    previous: Vec<Option<usize>>,
    /// For each offset, the change from that earlier value: worked out once,
    /// as every page, table and rule reads it again (rounding is not cheap).
    changes: Vec<Option<Change>>,
}

/// What the board sees for one KPI in one month.
#[derive(Debug, Clone)]
pub(crate) struct Reading<'a> {
    pub(crate) kpi: &'a Kpi,
    pub(crate) value: Option<f64>,
    pub(crate) note: Option<&'a str>,
    pub(crate) thresholds: Option<Thresholds>,
    pub(crate) status: Status,
    pub(crate) change: Option<Change>,
    /// The month the change is measured against.
    pub(crate) compared_with: Option<Month>,
    /// The month that announced a restatement of this value, if it replaces a sealed one.
    pub(crate) restated: Option<Month>,
}

impl Reading<'_> {
    /// The key of the status in words ([`crate::base::status::Status::key`]), or
    /// `status.not_measured` for a KPI with a note and no value (left out on
    /// purpose, and said why). Its status stays `none` either way.
    pub(crate) fn status_key(&self) -> &'static str {
        if self.value.is_none() && self.note.is_some() {
            "status.not_measured"
        } else {
            self.status.key()
        }
    }
}

/// A KPI's value in the same month a year before, and the change since.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct YearBefore {
    pub(crate) month: Month,
    pub(crate) value: f64,
    pub(crate) change: Change,
}

/// A window of history ending at a report month.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window<'a> {
    /// Calendar month of `values[0]`.
    pub(crate) start: Month,
    pub(crate) values: &'a [Option<f64>],
    pub(crate) notes: &'a [Option<String>],
    pub(crate) thresholds: &'a [Option<Thresholds>],
    pub(crate) in_force: &'a [bool],
    pub(crate) restated: &'a [Option<Month>],
}

impl<'a> Window<'a> {
    pub(crate) fn month_at(&self, i: usize) -> Month {
        self.start.plus(i)
    }

    /// The window from the first month the KPI was reported: a KPI added
    /// mid-history is charted from its `since`, not as a long empty stretch
    /// before one point. Unchanged when no month in it is in force.
    pub(crate) fn tracked(&self) -> Window<'a> {
        let skip = self.in_force.iter().position(|&f| f).unwrap_or(0);
        Window {
            start: self.start.plus(skip),
            values: &self.values[skip..],
            notes: &self.notes[skip..],
            thresholds: &self.thresholds[skip..],
            in_force: &self.in_force[skip..],
            restated: &self.restated[skip..],
        }
    }
}

/// The computed report: the project plus one series per KPI.
#[derive(Debug, Clone)]
pub(crate) struct Report<'p> {
    pub(crate) project: &'p Project,
    /// First calendar month of every series.
    pub(crate) first: Month,
    /// In catalogue order.
    pub(crate) series: Vec<Series>,
}

/// How many KPIs are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct StatusCounts {
    pub(crate) green: usize,
    pub(crate) amber: usize,
    pub(crate) red: usize,
    pub(crate) none: usize,
    /// Tracked without a target: counted apart from the statuses.
    pub(crate) neutral: usize,
}

impl StatusCounts {
    /// Counts one more KPI in `status`.
    pub(crate) fn add(&mut self, status: Status) {
        match status {
            Status::Green => self.green += 1,
            Status::Amber => self.amber += 1,
            Status::Red => self.red += 1,
            Status::Neutral => self.neutral += 1,
            Status::None => self.none += 1,
        }
    }
}

impl<'p> Report<'p> {
    pub(crate) fn new(project: &'p Project) -> Report<'p> {
        let first = project.months.first().map_or_else(Month::default, |m| m.month);
        let len = project.months.last().map_or(0, |m| m.month.months_since(first) + 1);
        let series = project
            .catalogue
            .kpis
            .iter()
            .map(|k| {
                let mut s = current_series(&project.months, first, len, k);
                mark_restated(&mut s, project, first, k);
                s.link(k);
                s
            })
            .collect();
        Report { project, first, series }
    }

    /// Calendar offset of a month from the first reported month.
    pub(crate) fn offset(&self, month: Month) -> usize {
        month.months_since(self.first)
    }

    /// The reading of KPI number `k` (catalogue order) in `month`.
    pub(crate) fn reading(&self, k: usize, month: Month) -> Reading<'_> {
        let kpi = &self.project.catalogue.kpis[k];
        let s = &self.series[k];
        let i = self.offset(month);
        let value = s.values[i];
        let prev = s.previous[i];
        let thresholds = s.thresholds[i];
        Reading {
            kpi,
            value,
            note: s.notes[i].as_deref(),
            thresholds,
            status: status(value, kpi.better, thresholds.map(Thresholds::pair)),
            change: s.changes[i],
            compared_with: prev.map(|p| self.first.plus(p)),
            restated: s.restated[i],
        }
    }

    /// Up to `len` months of KPI `k` ending at `month`, as slices (no copying).
    pub(crate) fn window(&self, k: usize, month: Month, len: usize) -> Window<'_> {
        let end = self.offset(month) + 1;
        let start = end.saturating_sub(len);
        let s = &self.series[k];
        Window {
            start: self.first.plus(start),
            values: &s.values[start..end],
            notes: &s.notes[start..end],
            thresholds: &s.thresholds[start..end],
            in_force: &s.in_force[start..end],
            restated: &s.restated[start..end],
        }
    }

    /// KPI `k` in `month` against the same month a year before, for boards
    /// that read seasonality: that month's value and the change from it.
    /// `None` when either month has no value, or the KPI was not part of the
    /// report a year before.
    pub(crate) fn year_before(&self, k: usize, month: Month) -> Option<YearBefore> {
        let i = self.offset(month);
        let j = i.checked_sub(12)?;
        let s = &self.series[k];
        let value = s.values[j].filter(|_| s.in_force[j])?;
        let kpi = &self.project.catalogue.kpis[k];
        let change = change(s.values[i], Some(value), kpi.better, kpi.decimals)?;
        Some(YearBefore { month: self.first.plus(j), value, change })
    }

    /// The catalogue indexes of the KPIs part of `month`'s report.
    pub(crate) fn kpis_in(&self, month: Month) -> impl Iterator<Item = usize> + '_ {
        self.project.catalogue.kpis.iter().enumerate().filter(move |(_, k)| k.in_force(month)).map(|(i, _)| i)
    }

    /// Count of the month's KPIs in each status.
    pub(crate) fn counts(&self, month: Month) -> StatusCounts {
        let mut c = StatusCounts::default();
        for k in self.kpis_in(month) {
            c.add(self.reading(k, month).status);
        }
        c
    }

    /// The report as the board received `month`, when it is sealed and that
    /// differs from today's data: the month's values, notes and thresholds from
    /// its seal, and each earlier sealed month as it was known then (sealed, or
    /// restated by a month up to this one). `None` when nothing differs.
    pub(crate) fn as_sent(&self, month: Month) -> Option<Report<'p>> {
        let months = &self.project.months;
        months.iter().find(|m| m.month == month)?.seal.as_ref()?;
        let mut series = self.series.clone();
        for (k, kpi) in self.project.catalogue.kpis.iter().enumerate() {
            let s = &mut series[k];
            for content in months.iter().filter(|m| m.month <= month) {
                let Some(seal) = &content.seal else {
                    continue;
                };
                let i = content.month.months_since(self.first);
                match restatement(months, content.month, &kpi.id, month) {
                    Some((announced, now)) => {
                        s.values[i] = now.or(s.values[i]);
                        s.restated[i] = Some(announced);
                    }
                    None => {
                        let sealed = seal.kpis.get(&kpi.id);
                        s.values[i] = sealed.and_then(|v| v.value);
                        s.notes[i] = sealed.and_then(|v| v.note.clone());
                        s.thresholds[i] = sealed_thresholds(seal, &kpi.id).unwrap_or(s.thresholds[i]);
                        s.restated[i] = None;
                    }
                }
            }
            s.link(kpi);
        }
        (series != self.series).then_some(Report { project: self.project, first: self.first, series })
    }
}

/// The thresholds a seal recorded for a KPI (`Some(None)`: tracked only then).
fn sealed_thresholds(seal: &Seal, id: &str) -> Option<Option<Thresholds>> {
    let k = seal.kpis.get(id)?;
    Some(match (k.target, k.red) {
        (Some(target), Some(red)) => Some(Thresholds { target, red }),
        _ => None,
    })
}

/// The latest restatement of KPI `id` in sealed month `month` announced by a
/// month up to `upto`: the announcing month and the value it gave (from its
/// seal when it is sealed; `None` means today's data).
fn restatement(months: &[MonthContent], month: Month, id: &str, upto: Month) -> Option<(Month, Option<f64>)> {
    months
        .iter()
        .filter(|r| r.month > month && r.month <= upto)
        .filter(|r| r.restatements.iter().any(|x| x.month == month && x.target == Corrected::Kpi(id.to_string())))
        .map(|r| {
            let sealed_now = r.seal.as_ref().and_then(|s| {
                s.restatements
                    .iter()
                    .find(|x| x.month == month.to_string() && x.kpi.as_deref() == Some(id))
                    .map(|x| x.now)
            });
            (r.month, sealed_now.flatten())
        })
        .next_back()
}

/// A KPI's series from today's data and catalogue.
fn current_series(months: &[MonthContent], first: Month, len: usize, kpi: &Kpi) -> Series {
    let mut s = Series {
        values: vec![None; len],
        notes: vec![None; len],
        thresholds: (0..len).map(|i| kpi.thresholds_at(first.plus(i))).collect(),
        in_force: (0..len).map(|i| kpi.in_force(first.plus(i))).collect(),
        restated: vec![None; len],
        previous: Vec::new(),
        changes: Vec::new(),
    };
    for m in months {
        if let Some(e) = m.values.get(&kpi.id) {
            let i = m.month.months_since(first);
            s.values[i] = e.value;
            s.notes[i] = e.note.clone();
        }
    }
    s
}

/// Marks values that replace a sealed one, with the month that announced the restatement.
fn mark_restated(s: &mut Series, project: &Project, first: Month, kpi: &Kpi) {
    for announcing in &project.months {
        for r in &announcing.restatements {
            if r.target != Corrected::Kpi(kpi.id.clone()) || r.month < first {
                continue;
            }
            let Some(seal) = project.months.iter().find(|m| m.month == r.month).and_then(|m| m.seal.as_ref()) else {
                continue;
            };
            let i = r.month.months_since(first);
            let sealed = seal.kpis.get(&kpi.id).and_then(|v| v.value);
            if i < s.values.len() && s.values[i] != sealed {
                s.restated[i] = Some(announcing.month);
            }
        }
    }
}

impl Series {
    /// Recomputes, for each month, the latest earlier month with a value and
    /// the change from it.
    fn link(&mut self, kpi: &Kpi) {
        self.previous.clear();
        self.changes.clear();
        let mut last = None;
        for (i, v) in self.values.iter().enumerate() {
            self.previous.push(last);
            self.changes.push(change(*v, last.and_then(|p: usize| self.values[p]), kpi.better, kpi.decimals));
            if v.is_some() {
                last = Some(i);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::base::status::Trend;
    use crate::load::catalogue::Catalogue;
    use crate::load::config::Config;
    use crate::load::project::Entry;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    pub(crate) fn month(s: &str, lead: Option<f64>) -> MonthContent {
        let mut values = BTreeMap::new();
        if let Some(v) = lead {
            values.insert("lead-time".to_string(), Entry { value: Some(v), ..Entry::default() });
        }
        MonthContent { month: s.parse().unwrap(), values, ..MonthContent::default() }
    }

    pub(crate) fn project(months: Vec<MonthContent>) -> Project {
        Project {
            root: PathBuf::from("."),
            config: Config::parse("title = \"T\"\norganisation = \"O\"\n", std::path::Path::new("b")).unwrap(),
            catalogue: Catalogue::builtin(),
            months,
            quarters: Vec::new(),
            fonts: crate::load::fonts::FontSet::embedded(),
        }
    }

    #[test]
    fn change_skips_months_without_a_value() {
        let p = project(vec![month("2026-01", Some(4.0)), month("2026-02", None), month("2026-04", Some(3.0))]);
        let r = Report::new(&p);
        let reading = r.reading(0, "2026-04".parse().unwrap());
        assert_eq!(reading.value, Some(3.0));
        let c = reading.change.unwrap();
        assert_eq!((c.delta, c.trend), (-1.0, Trend::Improving));
        assert_eq!(reading.compared_with.unwrap().to_string(), "2026-01");
        assert_eq!(r.reading(0, "2026-02".parse().unwrap()).status, Status::None);
    }

    #[test]
    fn a_month_is_compared_with_the_same_month_a_year_before_when_both_have_values() {
        let p = project(vec![
            month("2025-03", Some(5.0)),
            month("2025-04", None),
            month("2026-02", Some(9.0)),
            month("2026-03", Some(3.5)),
            month("2026-04", Some(2.0)),
        ]);
        let r = Report::new(&p);
        let y = r.year_before(0, "2026-03".parse().unwrap()).expect("March 2025 has a value");
        assert_eq!((y.month.to_string(), y.value), ("2025-03".to_string(), 5.0));
        assert_eq!((y.change.delta, y.change.trend), (-1.5, Trend::Improving));
        assert_eq!(r.year_before(0, "2026-04".parse().unwrap()), None, "April 2025 has no value");
        assert_eq!(r.year_before(0, "2026-02".parse().unwrap()), None, "February 2025 is before the first month");
        assert_eq!(r.year_before(0, "2025-03".parse().unwrap()), None);
    }

    #[test]
    fn first_month_has_no_change() {
        let p = project(vec![month("2026-01", Some(4.0))]);
        let r = Report::new(&p);
        assert!(r.reading(0, "2026-01".parse().unwrap()).change.is_none());
    }

    #[test]
    fn window_is_calendar_and_ends_at_the_month() {
        let p = project(vec![month("2025-01", Some(9.0)), month("2026-06", Some(2.0)), month("2026-10", Some(1.0))]);
        let r = Report::new(&p);
        let w = r.window(0, "2026-06".parse().unwrap(), 12);
        assert_eq!(w.values.len(), 12);
        assert_eq!(w.start.to_string(), "2025-07");
        assert_eq!(w.values.last().copied().flatten(), Some(2.0));
        assert_eq!(w.month_at(11).to_string(), "2026-06");
    }

    #[test]
    fn a_kpi_added_later_is_charted_from_its_first_month() {
        let p = project(vec![month("2026-01", Some(4.0)), month("2026-06", Some(2.0))]);
        let r = Report::new(&p);
        let mut w = r.window(0, "2026-06".parse().unwrap(), 6);
        let in_force = [false, false, false, true, true, true];
        w.in_force = &in_force;
        let t = w.tracked();
        assert_eq!((t.start.to_string(), t.values.len()), ("2026-04".to_string(), 3));
        let never = [false; 6];
        w.in_force = &never;
        assert_eq!(w.tracked().values.len(), 6, "nothing in force: unchanged");
    }

    #[test]
    fn a_note_without_a_value_reads_not_measured_and_keeps_status_none() {
        let mut unmeasured = month("2026-02", None);
        unmeasured.values.insert("lead-time".to_string(), Entry { note: Some("CI moved".into()), ..Entry::default() });
        let p = project(vec![month("2026-01", Some(4.0)), unmeasured, month("2026-03", None)]);
        let r = Report::new(&p);
        let february = r.reading(0, "2026-02".parse().unwrap());
        let label = |r: &Reading<'_>| crate::base::i18n::Lang::english().get(r.status_key());
        assert_eq!((february.status, label(&february)), (Status::None, "Not measured"));
        assert_eq!(february.compared_with.unwrap().to_string(), "2026-01", "the last month with a value");
        assert_eq!(label(&r.reading(0, "2026-03".parse().unwrap())), "No data");
        assert_eq!(label(&r.reading(0, "2026-01".parse().unwrap())), "Watch");
    }

    #[test]
    fn counts_include_no_data() {
        let p = project(vec![month("2026-01", Some(0.5))]);
        let c = Report::new(&p).counts("2026-01".parse().unwrap());
        assert_eq!((c.green, c.none), (1, 9));
    }
}
