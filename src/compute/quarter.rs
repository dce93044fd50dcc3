//! Quarter values: each KPI's value for a quarter, made from its three months
//! by the catalogue's rule ([`QuarterRule`]), judged by the thresholds in force
//! in the quarter's last month, and said how it was made.
//!
//! A value typed (or measured) in the quarter's own `kpis.toml` wins. Else
//! `recompute` pools the rows behind the months' measured values, so the
//! quarter's median lead time is the median of all its changes, not a mean of
//! three medians; `last`, `mean`, `sum` and `worst` work on the monthly values.
//! A month with no value is said, never filled in: a sum with a month missing
//! has no value at all, as any figure would understate it.
//!
//! Pure, like the rest of compute: reads the loaded project only.

use crate::base::diagnostic::Diagnostic;
use crate::base::locale::round;
use crate::base::method::Method;
use crate::base::period::{Month, Quarter};
use crate::base::status::{change, status, Change, Status};
use crate::compute::measure::said::Said;
use crate::compute::recompute::recompute;
use crate::compute::report::Report;
use crate::load::catalogue::{Kpi, QuarterRule, Thresholds};
use crate::load::project::QuarterContent;

/// How many quarters a quarter chart shows, ending at the report's quarter.
pub(crate) const CHART_QUARTERS: usize = 8;

/// Every KPI's value in every quarter with a reported month, made once: a
/// quarter's page compares it with the quarter before and a year before, and
/// charts eight, so each value is read many times and recomputing one parses
/// three months of rows.
#[derive(Debug, Clone)]
pub(crate) struct QuarterTable {
    /// Chronological: the quarters with at least one reported month, and
    /// those with a folder of their own.
    pub(crate) quarters: Vec<Quarter>,
    /// By KPI (catalogue order), then by quarter (as `quarters`).
    values: Vec<Vec<QuarterValue>>,
}

impl QuarterTable {
    /// KPI `k`'s value in `q`, when `q` is one of the table's quarters.
    pub(crate) fn value(&self, k: usize, q: Quarter) -> Option<&QuarterValue> {
        let i = self.quarters.binary_search(&q).ok()?;
        self.values.get(k)?.get(i)
    }

    /// What the board sees for KPI `k` in quarter `q`.
    pub(crate) fn reading<'r>(&self, report: &'r Report<'_>, k: usize, q: Quarter) -> QuarterReading<'r> {
        let kpi = &report.project.catalogue.kpis[k];
        let value = self.value(k, q).cloned().unwrap_or_else(|| QuarterValue {
            value: None,
            made: Said::of("quarter_mean", 0),
            note: None,
            rows: None,
        });
        let thresholds = kpi.thresholds_at(q.last());
        let status = status(value.value, kpi.better, thresholds.map(Thresholds::pair));
        let months = q.months().map(|m| match report.covers(m) {
            true => {
                let r = report.reading(k, m);
                MonthCell { month: m, value: r.value, status: r.status }
            }
            false => MonthCell { month: m, value: None, status: Status::None },
        });
        let against = |other: Quarter| {
            let was = self.value(k, other)?.value?;
            Some((other, was, change(value.value, Some(was), kpi.better, kpi.decimals)?))
        };
        let previous = against(q.previous());
        let year_before = against(q.year_before());
        QuarterReading { kpi, value, thresholds, status, months, previous, year_before }
    }

    /// Up to `len` quarters of KPI `k` ending at `q`, oldest first, from the
    /// first quarter the KPI was part of: what a quarter chart draws.
    pub(crate) fn history(&self, report: &Report<'_>, k: usize, q: Quarter, len: usize) -> Vec<(Quarter, Option<f64>)> {
        let kpi = &report.project.catalogue.kpis[k];
        let mut quarters = vec![q];
        while quarters.len() < len {
            let before = quarters[quarters.len() - 1].previous();
            if self.quarters.first().is_none_or(|first| before < *first) || !kpi.in_force(before.last()) {
                break;
            }
            quarters.push(before);
        }
        quarters.reverse();
        quarters.into_iter().map(|q| (q, self.value(k, q).and_then(|v| v.value))).collect()
    }
}

/// One month of a quarter as a KPI's row shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MonthCell {
    pub(crate) month: Month,
    pub(crate) value: Option<f64>,
    pub(crate) status: Status,
}

/// A KPI's value for a quarter, and how it was made.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuarterValue {
    pub(crate) value: Option<f64>,
    /// How it was made, in words the board reads (rendered in the report's language).
    pub(crate) made: Said,
    /// A note typed for the quarter (`id = { note = "…" }`), when there is one.
    pub(crate) note: Option<String>,
    /// The rows it is made from, when it was recomputed or measured.
    pub(crate) rows: Option<u64>,
}

/// What the board sees for one KPI in one quarter.
#[derive(Debug, Clone)]
pub(crate) struct QuarterReading<'a> {
    pub(crate) kpi: &'a Kpi,
    pub(crate) value: QuarterValue,
    /// In force in the quarter's last month.
    pub(crate) thresholds: Option<Thresholds>,
    pub(crate) status: Status,
    /// Its three months, in order.
    pub(crate) months: [MonthCell; 3],
    /// The change on the quarter before, and on the same quarter a year before.
    pub(crate) previous: Option<(Quarter, f64, Change)>,
    pub(crate) year_before: Option<(Quarter, f64, Change)>,
}

impl QuarterReading<'_> {
    /// As [`crate::compute::report::Reading::status_key`]: a note without a
    /// value reads "not measured".
    pub(crate) fn status_key(&self) -> &'static str {
        if self.value.value.is_none() && self.value.note.is_some() {
            "status.not_measured"
        } else {
            self.status.key()
        }
    }
}

impl<'p> Report<'p> {
    /// The quarter folder of the months of `q`, when there is one: named for
    /// the report's fiscal year, which a portfolio's quarters may not be.
    pub(crate) fn quarter_content(&self, q: Quarter) -> Option<&'p QuarterContent> {
        self.project.quarters.iter().find(|c| c.quarter.first() == q.first())
    }

    /// The KPIs part of quarter `q`'s report: those in force in its last
    /// month, whose thresholds judge it.
    pub(crate) fn kpis_in_quarter(&self, q: Quarter) -> impl Iterator<Item = usize> + '_ {
        self.kpis_in(q.last())
    }

    /// Every KPI's value in every quarter reported. An evidence file that
    /// cannot be read is an error at its line.
    pub(crate) fn quarter_table(&self) -> Result<QuarterTable, Box<Diagnostic>> {
        self.quarter_table_by(self.project.config.report.fiscal_year_start)
    }

    /// [`Report::quarter_table`] with quarters of a fiscal year starting in
    /// month `start`, which may not be the report's own: a portfolio compares
    /// its companies by its own quarters.
    pub(crate) fn quarter_table_by(&self, start: u8) -> Result<QuarterTable, Box<Diagnostic>> {
        let quarters = self.quarters_reported_by(start);
        let values = (0..self.project.catalogue.kpis.len())
            .map(|k| quarters.iter().map(|q| self.quarter_value(k, *q)).collect::<Result<Vec<_>, _>>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(QuarterTable { quarters, values })
    }

    /// Whether `month` lies within the report's calendar.
    pub(crate) fn covers(&self, month: Month) -> bool {
        month >= self.first && self.series.first().is_some_and(|s| self.offset(month) < s.values.len())
    }

    /// KPI `k`'s value in `month`, when the month is reported.
    fn month_value(&self, k: usize, month: Month) -> Option<f64> {
        self.covers(month).then(|| self.series[k].values[self.offset(month)]).flatten()
    }

    /// KPI `k`'s value for quarter `q`, and how it was made. An evidence file
    /// that cannot be read is an error at its line.
    pub(crate) fn quarter_value(&self, k: usize, q: Quarter) -> Result<QuarterValue, Box<Diagnostic>> {
        let kpi = &self.project.catalogue.kpis[k];
        if let Some(entry) = self.quarter_content(q).and_then(|c| c.files.values.get(&kpi.id)) {
            let made = match &entry.measured {
                Some(text) => Said::new("quarter_measured").text("how", text.clone()),
                None => Said::new("quarter_typed"),
            };
            return Ok(QuarterValue { value: entry.value, made, note: entry.note.clone(), rows: entry.rows });
        }
        let values: Vec<(Month, Option<f64>)> = q.months().map(|m| (m, self.month_value(k, m))).to_vec();
        let missing: Vec<Month> = values.iter().filter(|(_, v)| v.is_none()).map(|(m, _)| *m).collect();
        let present: Vec<(Month, f64)> = values.iter().filter_map(|(m, v)| Some((*m, (*v)?))).collect();
        let said_missing = |said: Said| match missing.as_slice() {
            [] => said,
            months => said.then(Said::of("quarter_missing", months.len()).months("months", months)),
        };
        let rule = kpi.quarter;
        if rule == QuarterRule::Recompute {
            if let Some(v) = self.recomputed(k, &present)? {
                return Ok(QuarterValue { made: said_missing(v.made), ..v });
            }
        }
        let (value, made) = match rule {
            QuarterRule::Last => {
                let last = values[2];
                (last.1, Said::new("quarter_last").month("month", last.0))
            }
            QuarterRule::Sum if !missing.is_empty() => (None, Said::new("quarter_no_sum")),
            QuarterRule::Sum => (Some(present.iter().map(|(_, v)| v).sum()), Said::of("quarter_sum", present.len())),
            QuarterRule::Worst => {
                match present.iter().copied().reduce(|a, b| if kpi.better.is_better(b.1, a.1) { a } else { b }) {
                    Some((m, v)) => (Some(v), Said::of("quarter_worst", present.len()).month("month", m)),
                    None => (None, Said::of("quarter_mean", 0)),
                }
            }
            // The mean; also what `recompute` falls back to when no month has rows.
            QuarterRule::Mean | QuarterRule::Recompute => {
                // Kept to two places beyond those shown: a mean of three
                // one-decimal values is not written as 3.2666666666666666.
                let mean = (!present.is_empty()).then(|| {
                    let sum: f64 = present.iter().map(|(_, v)| v).sum();
                    round(sum / present.len() as f64, kpi.decimals.saturating_add(2))
                });
                let said = Said::of("quarter_mean", present.len());
                // Which months were typed by hand: their rows are not there to pool.
                let typed: Vec<Month> =
                    present.iter().map(|(m, _)| *m).filter(|m| !self.has_evidence(*m, &kpi.id)).collect();
                let said = if rule == QuarterRule::Recompute && !typed.is_empty() {
                    said.then(Said::of("quarter_no_rows", typed.len()).months("months", &typed))
                } else {
                    said
                };
                (mean, said)
            }
        };
        let made = if rule == QuarterRule::Last { made } else { said_missing(made) };
        let made = if rule == QuarterRule::Last && value.is_none() {
            made.then(Said::new("quarter_last_missing"))
        } else {
            made
        };
        Ok(QuarterValue { value, made, note: None, rows: None })
    }

    /// The quarter value pooled from the rows of every month that has a value,
    /// when each of them was measured (has its evidence); `None` when a month
    /// was typed by hand, as its rows are not there to pool.
    fn recomputed(&self, k: usize, present: &[(Month, f64)]) -> Result<Option<QuarterValue>, Box<Diagnostic>> {
        let kpi = &self.project.catalogue.kpis[k];
        let Some(method) = Method::named(kpi.measure.as_deref().unwrap_or(&kpi.id)) else {
            return Ok(None);
        };
        let mut evidence = Vec::new();
        for (m, _) in present {
            match self.evidence(*m, &kpi.id) {
                Some(bytes) => evidence.push((*m, bytes)),
                None => return Ok(None),
            }
        }
        if evidence.is_empty() {
            return Ok(None);
        }
        Ok(recompute(method, &kpi.id, &evidence)?.map(|r| QuarterValue {
            value: Some(r.value),
            made: r.said,
            note: None,
            rows: u64::try_from(r.rows).ok(),
        }))
    }

    /// The rows `measure` kept for KPI `id` in `month`, when it measured it.
    fn evidence(&self, month: Month, id: &str) -> Option<&'p [u8]> {
        let content = self.project.months.iter().find(|c| c.month == month)?;
        content.evidence.get(id).map(Vec::as_slice)
    }

    fn has_evidence(&self, month: Month, id: &str) -> bool {
        self.evidence(month, id).is_some()
    }

    /// Every quarter of a fiscal year starting in month `start` with at least
    /// one reported month, or a folder of its own, chronological.
    pub(crate) fn quarters_reported_by(&self, start: u8) -> Vec<Quarter> {
        let mut quarters: Vec<Quarter> = self.project.months.iter().map(|m| Quarter::of(m.month, start)).collect();
        let folders = self.project.quarters.iter().map(|q| q.quarter);
        quarters.extend(folders.filter(|q| q.fiscal_year_start() == start));
        quarters.sort_unstable();
        quarters.dedup();
        quarters
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::i18n::Lang;
    use crate::compute::report::tests::{month, project};

    fn q(s: &str) -> Quarter {
        Quarter::parse(s, 1).unwrap()
    }

    fn made(v: &QuarterValue) -> String {
        v.made.in_language(Lang::english())
    }

    #[test]
    fn each_rule_makes_the_quarter_from_its_months_and_says_how() {
        // Lead time is the first KPI of the built-in catalogue; better lower.
        let mut p =
            project(vec![month("2026-07", Some(2.0)), month("2026-08", Some(9.0)), month("2026-09", Some(4.0))]);
        let value = |p: &crate::load::project::Project| Report::new(p).quarter_value(0, q("2026-Q3")).unwrap();
        p.catalogue.kpis[0].quarter = QuarterRule::Mean;
        let v = value(&p);
        assert_eq!((v.value, made(&v).as_str()), (Some(5.0), "mean of 3 months"));
        p.catalogue.kpis[0].quarter = QuarterRule::Last;
        let v = value(&p);
        assert_eq!((v.value, made(&v).as_str()), (Some(4.0), "the value of September 2026, the quarter's last month"));
        p.catalogue.kpis[0].quarter = QuarterRule::Sum;
        assert_eq!(value(&p).value, Some(15.0));
        p.catalogue.kpis[0].quarter = QuarterRule::Worst;
        let v = value(&p);
        assert_eq!((v.value, made(&v).as_str()), (Some(9.0), "worst of 3 months (August 2026)"));
        // Measured without its rows kept: said, and the mean shown.
        p.catalogue.kpis[0].quarter = QuarterRule::Recompute;
        let v = value(&p);
        assert_eq!(v.value, Some(5.0));
        assert_eq!(
            made(&v),
            "mean of 3 months; July 2026, August 2026, September 2026 typed by hand, with no rows to pool"
        );
    }

    #[test]
    fn a_missing_month_is_said_and_never_filled_in() {
        let mut p = project(vec![month("2026-07", Some(2.0)), month("2026-09", Some(4.0))]);
        let value = |p: &crate::load::project::Project| Report::new(p).quarter_value(0, q("2026-Q3")).unwrap();
        p.catalogue.kpis[0].quarter = QuarterRule::Mean;
        let v = value(&p);
        assert_eq!((v.value, made(&v).as_str()), (Some(3.0), "mean of 2 months; no value for August 2026"));
        p.catalogue.kpis[0].quarter = QuarterRule::Sum;
        assert_eq!(value(&p).value, None, "a sum without August would understate the quarter");
        // The last month missing: no value, not August's or July's.
        let mut p = project(vec![month("2026-07", Some(2.0)), month("2026-08", Some(3.0))]);
        p.catalogue.kpis[0].quarter = QuarterRule::Last;
        let v = value(&p);
        assert_eq!(v.value, None);
        assert!(made(&v).ends_with("that month has no value"), "{}", made(&v));
    }

    #[test]
    fn a_quarter_is_judged_by_its_last_months_thresholds_and_compared_with_the_quarters_before() {
        let months =
            ["2025-07", "2025-08", "2025-09", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"];
        let values = [6.0, 6.0, 6.0, 5.0, 5.0, 5.0, 1.0, 1.0, 1.0];
        let mut p = project(months.iter().zip(values).map(|(m, v)| month(m, Some(v))).collect());
        p.catalogue.kpis[0].quarter = QuarterRule::Mean;
        let r = Report::new(&p);
        let table = r.quarter_table().unwrap();
        let reading = table.reading(&r, 0, q("2026-Q3"));
        assert_eq!(reading.value.value, Some(1.0));
        assert_eq!(reading.status, Status::Green);
        assert_eq!(reading.months.map(|c| c.value), [Some(1.0); 3]);
        let (before, was, c) = reading.previous.unwrap();
        assert_eq!((before.to_string(), was, c.delta), ("2026-Q2".to_string(), 5.0, -4.0));
        let (year, was, _) = reading.year_before.unwrap();
        assert_eq!((year.to_string(), was), ("2025-Q3".to_string(), 6.0));
        assert_eq!(
            r.quarters_reported_by(1).iter().map(|q| q.to_string()).collect::<Vec<_>>(),
            ["2025-Q3", "2026-Q2", "2026-Q3"]
        );
        // The chart stops at the first quarter reported, skipped quarters included as gaps.
        let history = table.history(&r, 0, q("2026-Q3"), 8);
        assert_eq!(history.len(), 5);
        assert_eq!(history[0], (q("2025-Q3"), Some(6.0)));
        assert_eq!(history[1], (q("2025-Q4"), None));
    }
}
