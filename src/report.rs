//! Compute stage: statuses, changes and history windows for every KPI and month.
//!
//! Pure: takes a loaded [`Project`], touches no file. Histories are laid on a
//! continuous calendar (a month with no folder is a gap, not skipped), and every
//! month's figures use only data up to and including that month, so a past
//! report never changes when a later month is added.

use crate::catalogue::Kpi;
use crate::period::Month;
use crate::project::{MonthContent, Project};
use crate::status::{change, status, Change, Status};

/// How many months a full chart shows, ending at the report month.
pub(crate) const CHART_MONTHS: usize = 24;
/// How many months a scorecard sparkline shows.
pub(crate) const SPARKLINE_MONTHS: usize = 12;

/// One KPI's values on the calendar from the first reported month to the last.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub(crate) values: Vec<Option<f64>>,
    pub(crate) notes: Vec<Option<String>>,
    /// For each offset, the latest earlier offset that has a value.
    previous: Vec<Option<usize>>,
}

/// What the board sees for one KPI in one month.
#[derive(Debug, Clone)]
pub(crate) struct Reading<'a> {
    pub(crate) kpi: &'a Kpi,
    pub(crate) value: Option<f64>,
    pub(crate) note: Option<&'a str>,
    pub(crate) status: Status,
    pub(crate) change: Option<Change>,
    /// The month the change is measured against.
    pub(crate) compared_with: Option<Month>,
}

/// A window of history ending at a report month.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window<'a> {
    /// Calendar month of `values[0]`.
    pub(crate) start: Month,
    pub(crate) values: &'a [Option<f64>],
    pub(crate) notes: &'a [Option<String>],
}

impl Window<'_> {
    pub(crate) fn month_at(&self, i: usize) -> Month {
        self.start.plus(i)
    }
}

/// The computed report: the project plus one series per KPI.
#[derive(Debug)]
pub(crate) struct Report<'p> {
    pub(crate) project: &'p Project,
    /// First calendar month of every series.
    pub(crate) first: Month,
    /// In catalogue order.
    pub(crate) series: Vec<Series>,
}

impl<'p> Report<'p> {
    pub(crate) fn new(project: &'p Project) -> Report<'p> {
        let first = project.months.first().map_or_else(|| Month::new(2000, 1).expect("valid constant"), |m| m.month);
        let len = project.months.last().map_or(0, |m| offset(first, m.month) + 1);
        let series = project.catalogue.kpis.iter().map(|k| build_series(&project.months, first, len, &k.id)).collect();
        Report { project, first, series }
    }

    /// Calendar offset of a month from the first reported month.
    pub(crate) fn offset(&self, month: Month) -> usize {
        offset(self.first, month)
    }

    /// The reading of KPI number `k` (catalogue order) in `month`.
    pub(crate) fn reading(&self, k: usize, month: Month) -> Reading<'_> {
        let kpi = &self.project.catalogue.kpis[k];
        let s = &self.series[k];
        let i = self.offset(month);
        let value = s.values[i];
        let prev = s.previous[i];
        Reading {
            kpi,
            value,
            note: s.notes[i].as_deref(),
            status: status(value, kpi.better, kpi.target, kpi.red),
            change: change(value, prev.and_then(|p| s.values[p]), kpi.better, kpi.decimals),
            compared_with: prev.map(|p| self.month_at(p)),
        }
    }

    /// Up to `len` months of KPI `k` ending at `month`, as a slice (no copying).
    pub(crate) fn window(&self, k: usize, month: Month, len: usize) -> Window<'_> {
        let end = self.offset(month) + 1;
        let start = end.saturating_sub(len);
        let s = &self.series[k];
        Window { start: self.month_at(start), values: &s.values[start..end], notes: &s.notes[start..end] }
    }

    fn month_at(&self, i: usize) -> Month {
        self.first.plus(i)
    }

    /// Count of KPIs in each status for a month: (green, amber, red, none).
    pub(crate) fn counts(&self, month: Month) -> StatusCounts {
        let mut c = StatusCounts::default();
        for k in 0..self.series.len() {
            match self.reading(k, month).status {
                Status::Green => c.green += 1,
                Status::Amber => c.amber += 1,
                Status::Red => c.red += 1,
                Status::None => c.none += 1,
            }
        }
        c
    }
}

/// How many KPIs are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct StatusCounts {
    pub(crate) green: usize,
    pub(crate) amber: usize,
    pub(crate) red: usize,
    pub(crate) none: usize,
}

fn offset(first: Month, month: Month) -> usize {
    month.months_since(first)
}

fn build_series(months: &[MonthContent], first: Month, len: usize, id: &str) -> Series {
    let mut values = vec![None; len];
    let mut notes = vec![None; len];
    for m in months {
        if let Some(e) = m.values.get(id) {
            let i = offset(first, m.month);
            values[i] = e.value;
            notes[i] = e.note.clone();
        }
    }
    let mut previous = Vec::with_capacity(len);
    let mut last = None;
    for (i, v) in values.iter().enumerate() {
        previous.push(last);
        if v.is_some() {
            last = Some(i);
        }
    }
    Series { values, notes, previous }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::config::Config;
    use crate::project::Entry;
    use crate::status::Trend;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn month(s: &str, lead: Option<f64>) -> MonthContent {
        let mut values = BTreeMap::new();
        if let Some(v) = lead {
            values.insert("lead-time".to_string(), Entry { value: Some(v), note: None });
        }
        MonthContent { month: s.parse().unwrap(), values, summary: None, commentary: BTreeMap::new() }
    }

    fn project(months: Vec<MonthContent>) -> Project {
        Project {
            root: PathBuf::from("."),
            config: Config::parse("title = \"T\"\norganisation = \"O\"\n", std::path::Path::new("b")).unwrap(),
            catalogue: Catalogue::builtin(),
            months,
            fonts: crate::fonts::FontSet::embedded(),
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
    fn counts_include_no_data() {
        let p = project(vec![month("2026-01", Some(0.5))]);
        let c = Report::new(&p).counts("2026-01".parse().unwrap());
        assert_eq!((c.green, c.none), (1, 9));
    }
}
