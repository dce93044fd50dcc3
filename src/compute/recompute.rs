//! A quarter's value from the rows behind its months' values, not from the
//! months' values: the median of three monthly medians, or the mean of three
//! ratios over different denominators, is not the quarter's number. The rows
//! are the evidence files `boardpack measure` wrote for each month
//! (`content/YYYY-MM/evidence/KPI.csv`), so the quarter is computed as the
//! monthly methods compute a month, over all of them:
//!
//! - times (lead time, time to restore, cycle time): the median of every row,
//!   each from its two date-times exactly as the month computed it;
//! - ratios (change failure, defect escape, rework, business outcome): the sum
//!   of the numerators over the sum of the denominators;
//! - delivery predictability: the mean of the shares of every sprint that
//!   ended in the quarter's months, each sprint once;
//! - roadmap accuracy: the month's number is already the quarter to date, so
//!   each roadmap item counts once, as its latest month saw it;
//! - key-person concentration: a 90-day window already, so the last month's.
//!
//! A work item or sprint named in two months' evidence (an item reopened and
//! finished again, a sprint dated by its last finished item before it ended)
//! counts once, as the later month saw it: that month was measured from the
//! later export. An evidence file edited since `measure` wrote it (a column,
//! a number, a BOM or Windows line endings from a spreadsheet) is an error
//! at its line, never a value made from half of it.

mod evidence;

use std::collections::{BTreeMap, BTreeSet};

use crate::base::diagnostic::Diagnostic;
use crate::base::locale::round;
use crate::base::method::Method;
use crate::base::period::Month;
use crate::compute::measure::said::Said;
use crate::compute::measure::{median, num, percent, DAY, HOUR};

use evidence::{Row, Sheet};

/// A quarter value made from the rows behind its months' values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recomputed {
    pub(crate) value: f64,
    /// How it was made, in words the board reads ("median of 212 changes
    /// deployed in 212 deployments"): a phrase of the theme's `measured.*`.
    pub(crate) said: Said,
    /// How many rows it counts (changes, incidents, items, sprints).
    pub(crate) rows: usize,
}

/// `evidence`: each month of the quarter that has an evidence file for this
/// KPI, in month order, with the file's bytes. `kpi` is the KPI id (for error
/// messages: the file is content/YYYY-MM/evidence/KPI.csv).
/// Ok(None): nothing to compute from (no rows).
pub(crate) fn recompute(
    method: Method,
    kpi: &str,
    evidence: &[(Month, &[u8])],
) -> Result<Option<Recomputed>, Box<Diagnostic>> {
    let files = evidence.iter().map(|(m, bytes)| Sheet::read(method, kpi, *m, bytes)).collect::<Result<Vec<_>, _>>()?;
    let rows = || files.iter().flat_map(|f| f.rows.iter().map(move |r| (f, r)));
    if rows().next().is_none() {
        return Ok(None);
    }
    let made = match method {
        Method::LeadTime => {
            let days = spans(rows(), "committed_at", "deployed_at", DAY, "lead_time_days")?;
            let deployments: BTreeSet<[&str; 3]> = rows()
                .map(|(f, r)| [f.cell(r, "deployment"), f.cell(r, "deployed_at"), f.cell(r, "service")])
                .collect();
            let said = Said::of("lead_time", days.len()).count("deployments", "deployments", deployments.len());
            timed(days, said)
        }
        Method::TimeToRestore => {
            let hours = spans(rows(), "detected_at", "restored_at", HOUR, "hours_to_restore")?;
            let said = Said::of("time_to_restore", hours.len());
            timed(hours, said)
        }
        Method::CycleTime => {
            let days = spans(latest(&files, "item"), "started_at", "finished_at", DAY, "cycle_time_days")?;
            let said = Said::of("cycle_time", days.len());
            timed(days, said)
        }
        Method::ChangeFailureRate => {
            let (failed, all) = share(rows(), "failed")?;
            let said = Said::of("change_failure_rate", failed).count("deployments", "production_deployments", all);
            ratio(failed, all, said)
        }
        Method::ReworkRatio => {
            let (unplanned, all) = share(rows(), "unplanned")?;
            let said = Said::of("rework_ratio", unplanned).count("deployments", "production_deployments", all);
            ratio(unplanned, all, said)
        }
        Method::DefectEscapeRate => {
            let (escaped, all) = share(latest(&files, "item"), "in_production")?;
            let said = Said::of("defect_escape_rate", escaped).count("defects", "defects", all);
            ratio(escaped, all, said)
        }
        Method::BusinessOutcomeShare => business_outcome_share(latest(&files, "item"))?,
        Method::RoadmapAccuracy => roadmap_accuracy(latest(&files, "item"))?,
        Method::DeliveryPredictability => delivery_predictability(&files)?,
        Method::KeyPersonConcentration => match files.iter().rev().find(|f| !f.rows.is_empty()) {
            Some(last) => key_person_concentration(last)?,
            None => None,
        },
    };
    Ok(made)
}

/// Every row of `files`, each `key` (a work item) once: from the latest month naming it.
fn latest<'f, 'a>(files: &'f [Sheet<'a>], key: &'static str) -> impl Iterator<Item = (&'f Sheet<'a>, &'f Row)> + Clone {
    let mut last: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        for r in &f.rows {
            last.insert(f.cell(r, key), i);
        }
    }
    files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.rows.iter().map(move |r| (i, f, r)))
        .filter(move |(i, f, r)| last.get(f.cell(r, key)) == Some(i))
        .map(|(_, f, r)| (f, r))
}

/// Per row, `to − from` in `unit`s, as the month computed it; checked against
/// the figure the row shows in `column`.
fn spans<'f, 'a: 'f>(
    rows: impl Iterator<Item = (&'f Sheet<'a>, &'f Row)>,
    from: &str,
    to: &str,
    unit: f64,
    column: &str,
) -> Result<Vec<f64>, Box<Diagnostic>> {
    rows.map(|(f, r)| {
        let span = (f.time(r, to)? - f.time(r, from)?) as f64 / unit;
        let shown = f.number(r, column)?;
        if shown != round(span, 3) {
            return Err(f.bad(
                r.line,
                format!("`{column}` is {shown}, but from `{from}` to `{to}` is {}: the row was edited", num(span)),
            ));
        }
        Ok(span)
    })
    .collect()
}

/// A median of times, to two decimals as the months show them.
fn timed(mut values: Vec<f64>, said: Said) -> Option<Recomputed> {
    let rows = values.len();
    (rows > 0).then(|| Recomputed { value: round(median(&mut values), 2), said, rows })
}

/// The rows whose `column` says yes, and all rows.
fn share<'f, 'a: 'f>(
    rows: impl Iterator<Item = (&'f Sheet<'a>, &'f Row)>,
    column: &str,
) -> Result<(usize, usize), Box<Diagnostic>> {
    let (mut yes, mut all) = (0, 0);
    for (f, r) in rows {
        yes += usize::from(f.yes(r, column)?);
        all += 1;
    }
    Ok((yes, all))
}

/// A share of rows, in percent to one decimal as the months show it.
fn ratio(part: usize, whole: usize, said: Said) -> Option<Recomputed> {
    (whole > 0).then(|| Recomputed { value: percent(part as f64, whole as f64), said, rows: whole })
}

/// The effort on items with an outcome over all the effort. Evidence writes
/// an effort of 1 per item when the export had no effort column; then, and
/// whenever every item weighs 1, "of N work items" is the true phrase.
fn business_outcome_share<'f, 'a: 'f>(
    rows: impl Iterator<Item = (&'f Sheet<'a>, &'f Row)>,
) -> Result<Option<Recomputed>, Box<Diagnostic>> {
    let (mut with, mut total, mut items, mut unit) = (0.0, 0.0, 0, true);
    for (f, r) in rows {
        let effort = f.number(r, "effort")?;
        if f.yes(r, "with_outcome")? {
            with += effort;
        }
        total += effort;
        items += 1;
        unit &= effort == 1.0;
    }
    if total <= 0.0 {
        return Ok(None);
    }
    let said = if unit {
        Said::new("outcome_by_items").number("with", with).count("items", "work_items", items)
    } else {
        Said::new("outcome_by_effort").number("with", with).number("total", total)
    };
    Ok(Some(Recomputed { value: percent(with, total), said, rows: items }))
}

/// The roadmap items due by the end of the latest month, each as its latest
/// month saw it: delivered by then or not.
fn roadmap_accuracy<'f, 'a: 'f>(
    rows: impl Iterator<Item = (&'f Sheet<'a>, &'f Row)>,
) -> Result<Option<Recomputed>, Box<Diagnostic>> {
    let (mut delivered, mut items) = (0, 0);
    let mut quarters = BTreeSet::new();
    let mut last = None;
    for (f, r) in rows {
        delivered += usize::from(f.yes(r, "delivered")?);
        items += 1;
        quarters.insert(f.cell(r, "quarter"));
        last = last.max(Some(f.month));
    }
    let Some(last) = last else { return Ok(None) };
    let quarters: Vec<&str> = quarters.into_iter().collect();
    let said = Said::new("roadmap_accuracy")
        .number("delivered", delivered as f64)
        .count("items", "roadmap_items", items)
        .text("quarter", quarters.join(", "))
        .last_day("day", last);
    Ok(ratio(delivered, items, said))
}

/// The mean of the sprints' shares delivered, as the month computes it, over
/// every sprint in the months' evidence; a sprint in two months' evidence
/// counts once, with the later month's rows. An item carried from one sprint
/// into the next stays a row of each, as the months have it.
fn delivery_predictability(files: &[Sheet<'_>]) -> Result<Option<Recomputed>, Box<Diagnostic>> {
    let mut sprints: BTreeMap<&str, (&Sheet<'_>, Vec<&Row>)> = BTreeMap::new();
    for f in files {
        let mut own: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
        for r in &f.rows {
            own.entry(f.cell(r, "sprint")).or_default().push(r);
        }
        for (name, rows) in own {
            sprints.insert(name, (f, rows));
        }
    }
    let (mut shares, mut committed, mut delivered) = (Vec::new(), 0, 0);
    for (f, rows) in sprints.values() {
        let mut done = 0;
        for r in rows {
            done += usize::from(f.yes(r, "delivered")?);
        }
        let share = done as f64 / rows.len() as f64 * 100.0;
        for r in rows {
            let shown = f.number(r, "sprint_delivered_percent")?;
            if shown != round(share, 3) {
                let (sprint, n) = (f.cell(r, "sprint"), rows.len());
                return Err(f.bad(
                    r.line,
                    format!("`sprint_delivered_percent` is {shown}, but {done} of the {n} rows of sprint `{sprint}` say delivered: {}%; the file was edited", num(share)),
                ));
            }
        }
        shares.push(share);
        committed += rows.len();
        delivered += done;
    }
    let (Some(first), Some(last), n) = (files.first(), files.last(), shares.len()) else { return Ok(None) };
    let (first, last) = (first.month, last.month);
    if n == 0 {
        return Ok(None);
    }
    let said = if first == last {
        Said::of("delivery_predictability", n).month("month", first)
    } else {
        Said::of("quarter.delivery_predictability", n).month("first", first).month("last", last)
    };
    let said = said.number("delivered", delivered as f64).count("committed", "committed_items", committed);
    let value = round(shares.iter().sum::<f64>() / n as f64, 1);
    Ok(Some(Recomputed { value, said, rows: n }))
}

/// The share of components one author dominated in the 90 days to the end of
/// `last`'s month: that month's number, which already spans the quarter.
fn key_person_concentration(last: &Sheet<'_>) -> Result<Option<Recomputed>, Box<Diagnostic>> {
    let (mut concentrated, mut untouched) = (0, 0);
    for r in &last.rows {
        let changes = last.count(r, "changes")?;
        let top = last.count(r, "top_author_changes")?;
        let flagged = last.yes(r, "concentrated")?;
        if flagged != (top * 2 > changes) {
            return Err(last.bad(
                r.line,
                format!(
                    "`concentrated` is {}, but the top author wrote {top} of {changes} changes: the row was edited",
                    last.cell(r, "concentrated")
                ),
            ));
        }
        concentrated += usize::from(flagged);
        untouched += usize::from(changes == 0);
    }
    let total = last.rows.len();
    let said = Said::new("key_person_concentration")
        .number("concentrated", concentrated as f64)
        .count("components", "components", total)
        .last_day("day", last.month)
        .leaving("unchanged", untouched);
    Ok(ratio(concentrated, total, said))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::i18n::Lang;
    use crate::compute::measure::testdata::{data, october, DEPLOYMENTS, INCIDENTS, WORK_ITEMS};
    use crate::compute::measure::{compute, Evidence};

    fn month(m: u8) -> Month {
        Month::new(2026, m).unwrap()
    }

    /// Evidence as `measure` writes it: a header, then the rows, LF-ended.
    fn csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        w.write_record(header).unwrap();
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn english(said: &Said) -> String {
        said.in_language(Lang::english())
    }

    fn run(method: Method, files: &[(Month, Vec<u8>)]) -> Result<Option<Recomputed>, Box<Diagnostic>> {
        let evidence: Vec<(Month, &[u8])> = files.iter().map(|(m, b)| (*m, b.as_slice())).collect();
        recompute(method, method.name(), &evidence)
    }

    fn value(method: Method, files: &[(Month, Vec<u8>)]) -> Recomputed {
        run(method, files).unwrap().unwrap()
    }

    /// `n` changes deployed in month `m`, each `days` after its commit, two
    /// to a deployment.
    fn changes(m: u8, n: usize, days: f64) -> Vec<Vec<String>> {
        (0..n)
            .map(|i| {
                let day = jiff::civil::date(2026, i8::try_from(m).unwrap(), 1 + (i / 2 % 28) as i8);
                let deployed =
                    jiff::tz::TimeZone::UTC.to_timestamp(day.at(12, i8::try_from(i / 56).unwrap(), 0, 0)).unwrap();
                let committed = deployed - jiff::SignedDuration::from_secs_f64(days * DAY);
                let at = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
                vec![
                    format!("d{m}-{}", i / 2),
                    at(deployed),
                    "api".into(),
                    format!("{i:07x}"),
                    at(committed),
                    num(days),
                    format!("deployments.csv:{}", i / 2 + 2),
                ]
            })
            .collect()
    }

    #[test]
    fn the_quarter_median_is_the_median_of_every_change_not_a_mean_of_monthly_medians() {
        // July: 80 changes at 2 days; August: 4 at 9 days; September: 5 at 3
        // days. The monthly medians 2, 9 and 3 average to 4.67; of the 89
        // changes, 80 took 2 days: the quarter's median is 2.
        let cols = Method::LeadTime.columns();
        let files = [
            (month(7), csv(cols, &changes(7, 80, 2.0))),
            (month(8), csv(cols, &changes(8, 4, 9.0))),
            (month(9), csv(cols, &changes(9, 5, 3.0))),
        ];
        let q = value(Method::LeadTime, &files);
        assert_eq!((q.value, q.rows), (2.0, 89));
        assert_eq!(english(&q.said), "median of 89 changes deployed in 45 deployments");
        // Two months alone: 80 at 2 days and 4 at 9, still 2 (not 5.5).
        assert_eq!(value(Method::LeadTime, &files[..2]).value, 2.0);
        // The middle of an even count is the mean of its two middle rows, as a month's is.
        let even = [(month(8), csv(cols, &changes(8, 2, 9.0))), (month(9), csv(cols, &changes(9, 2, 3.0)))];
        assert_eq!(value(Method::LeadTime, &even).value, 6.0);
    }

    /// `n` production deployments in month `m`, the first `failed` of them failed.
    fn deployments(m: u8, n: usize, failed: usize) -> Vec<Vec<String>> {
        (0..n)
            .map(|i| {
                let fail = i < failed;
                let at = format!("2026-{m:02}-{:02}T{:02}:00:00Z", 1 + i % 28, i / 28);
                let why = if fail { format!("caused incident INC-{m}{i}") } else { String::new() };
                let yes = if fail { "yes" } else { "no" };
                vec![format!("d{m}-{i}"), at, "api".into(), "planned".into(), yes.into(), why, format!("d.csv:{i}")]
            })
            .collect()
    }

    #[test]
    fn a_quarter_ratio_is_the_sum_of_numerators_over_the_sum_of_denominators() {
        // July 1 of 100 failed (1%), August 1 of 2 (50%), September 0 of 10
        // (0%): the three rates average to 17%, but 2 of the quarter's 112
        // deployments failed: 1.8%.
        let cols = Method::ChangeFailureRate.columns();
        let files = [
            (month(7), csv(cols, &deployments(7, 100, 1))),
            (month(8), csv(cols, &deployments(8, 2, 1))),
            (month(9), csv(cols, &deployments(9, 10, 0))),
        ];
        let q = value(Method::ChangeFailureRate, &files);
        assert_eq!((q.value, q.rows), (1.8, 112));
        assert_eq!(english(&q.said), "2 of 112 production deployments led to a rollback, hotfix or incident");
    }

    /// Writes `c`'s evidence as `measure` would.
    fn written(e: &Evidence) -> Vec<u8> {
        csv(e.header, &e.rows)
    }

    #[test]
    fn one_month_s_evidence_gives_back_that_month_s_value_for_every_method() {
        // Every method the test exports can measure (key-person concentration
        // needs a repository: its own test below), from October's evidence.
        let d = data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS);
        for method in Method::all().filter(|m| *m != Method::KeyPersonConcentration) {
            let c = compute(method, &d, &october()).unwrap_or_else(|e| panic!("{method}: {e}"));
            let q = value(method, &[(month(10), written(&c.evidence))]);
            assert_eq!(q.value, c.value, "{method}");
            let (month_said, quarter_said) = (english(&c.measured), english(&q.said));
            assert!(month_said.starts_with(&quarter_said), "{method}: {month_said} / {quarter_said}");
        }
    }

    #[test]
    fn key_person_concentration_is_the_last_month_s_ninety_days() {
        let cols = Method::KeyPersonConcentration.columns();
        let component = |name: &str, changes: usize, top: usize| {
            let share = if changes == 0 { 0.0 } else { top as f64 / changes as f64 * 100.0 };
            let yes = if top * 2 > changes { "yes" } else { "no" };
            ["shop", name, &changes.to_string(), "2", "Ann", &top.to_string(), &num(share), yes, "shop (main)"]
                .map(String::from)
                .to_vec()
        };
        let july = csv(cols, &[component("api/", 4, 3), component("web/", 2, 2)]);
        let september = csv(cols, &[component("api/", 4, 3), component("web/", 2, 1), component("docs/", 0, 0)]);
        let q = value(Method::KeyPersonConcentration, &[(month(7), july.clone()), (month(9), september)]);
        assert_eq!((q.value, q.rows), (33.3, 3));
        assert_eq!(
            english(&q.said),
            "1 of 3 components with one author of more than half of the changes in the 90 days to 30 September 2026; 1 component unchanged"
        );
        // A row whose flag disagrees with its counts was edited.
        let edited = String::from_utf8(july).unwrap().replace(",3,75,yes,", ",3,75,no,");
        let e = run(Method::KeyPersonConcentration, &[(month(7), edited.into_bytes())]).unwrap_err();
        assert_eq!(e.location.unwrap().line, 2);
    }

    /// Delivery-predictability rows of `sprint`: (item, delivered).
    fn sprint(name: &str, end: &str, items: &[(&str, bool)]) -> Vec<Vec<String>> {
        let done = items.iter().filter(|(_, d)| *d).count();
        let share = num(done as f64 / items.len() as f64 * 100.0);
        items
            .iter()
            .map(|(item, d)| {
                let yes = if *d { "yes" } else { "no" };
                [name, end, &share, item, yes, "", "w.csv:2"].map(String::from).to_vec()
            })
            .collect()
    }

    #[test]
    fn a_sprint_in_two_months_evidence_counts_once_and_a_carried_item_in_each_sprint() {
        // July: S4 (ended 10 July) delivered A, not B, which was carried into
        // S5: 50%. July was measured before S5 had an end date, so it was
        // dated by its last finished item in July and counted: C of B, C (50%).
        // August, measured later, has S5 as it ended on 7 August (B and C
        // delivered, D not: 66.67%) and S6 (E: 100%). The quarter counts S4,
        // S5 as August saw it, and S6: (50 + 66.67 + 100) / 3 = 72.2 (counting
        // S5 twice would give 66.7).
        let cols = Method::DeliveryPredictability.columns();
        let mut july = sprint("S4", "2026-07-10T23:59:59Z", &[("A", true), ("B", false)]);
        july.extend(sprint("S5", "2026-07-30T10:00:00Z", &[("B", false), ("C", true)]));
        let mut august = sprint("S5", "2026-08-07T23:59:59Z", &[("B", true), ("C", true), ("D", false)]);
        august.extend(sprint("S6", "2026-08-21T23:59:59Z", &[("E", true)]));
        let q = value(Method::DeliveryPredictability, &[(month(7), csv(cols, &july)), (month(8), csv(cols, &august))]);
        assert_eq!((q.value, q.rows), (72.2, 3));
        assert_eq!(
            english(&q.said),
            "average of 3 sprints ending from July 2026 to August 2026: 4 of 6 committed items delivered"
        );
        // A row deleted from a sprint leaves its percentage wrong: the file was edited.
        let mut cut = august.clone();
        cut.remove(2);
        let e = run(Method::DeliveryPredictability, &[(month(8), csv(cols, &cut))]).unwrap_err();
        assert!(e.message.contains("sprint `S5`"), "{}", e.message);
    }

    #[test]
    fn a_work_item_finished_again_in_a_later_month_counts_once() {
        // W-1 finished on 30 July (1 day), was reopened and finished again on
        // 10 August (12 days): August's row stands. W-2 took 5 days in August.
        let cols = Method::CycleTime.columns();
        let row = |item: &str, start: &str, end: &str, days: f64| {
            [item, "other", start, end, &num(days), "w.csv:2"].map(String::from).to_vec()
        };
        let july = csv(cols, &[row("W-1", "2026-07-29T00:00:00Z", "2026-07-30T00:00:00Z", 1.0)]);
        let august = csv(
            cols,
            &[
                row("W-1", "2026-07-29T00:00:00Z", "2026-08-10T00:00:00Z", 12.0),
                row("W-2", "2026-08-01T00:00:00Z", "2026-08-06T00:00:00Z", 5.0),
            ],
        );
        let q = value(Method::CycleTime, &[(month(7), july), (month(8), august)]);
        assert_eq!((q.value, q.rows), (8.5, 2));
    }

    #[test]
    fn no_rows_is_no_value() {
        let header = csv(Method::ReworkRatio.columns(), &[]);
        assert_eq!(run(Method::ReworkRatio, &[(month(7), header)]).unwrap(), None);
        assert_eq!(run(Method::ReworkRatio, &[]).unwrap(), None);
    }

    /// The error for July's lead-time evidence written as `text`.
    fn error(text: &str) -> Box<Diagnostic> {
        run(Method::LeadTime, &[(month(7), text.as_bytes().to_vec())]).unwrap_err()
    }

    #[test]
    fn an_evidence_file_edited_by_hand_is_an_error_at_its_line_saying_what_to_do() {
        let good = String::from_utf8(csv(Method::LeadTime.columns(), &changes(7, 3, 2.0))).unwrap();
        assert!(run(Method::LeadTime, &[(month(7), good.clone().into_bytes())]).is_ok());
        let line = |d: &Diagnostic| d.location.as_ref().map(|l| l.line);
        // `good` with `from` replaced by `to` on line `n` alone.
        let on = |n: usize, from: &str, to: &str| {
            let lines: Vec<String> = good
                .split_inclusive('\n')
                .enumerate()
                .map(|(i, l)| if i + 1 == n { l.replace(from, to) } else { l.into() })
                .collect();
            lines.concat()
        };
        let cases = [
            (good.replace('\n', "\r\n"), 1, "Windows line break"),
            (on(3, "\n", "\r\n"), 3, "Windows line break"),
            (format!("\u{feff}{good}"), 1, "byte order mark"),
            (on(1, ",lead_time_days", ",days"), 1, "no `lead_time_days` column"),
            (on(1, "service,commit", "commit,service"), 1, "not the ones"),
            (on(3, "Z,2,", "Z,two,"), 3, "`lead_time_days` is `two`, which is not a number"),
            (on(2, "Z,2,", "Z,1.5,"), 2, "`lead_time_days` is 1.5, but from `committed_at` to `deployed_at` is 2"),
            (on(4, "T12:00:00Z", " 12:00"), 4, "`deployed_at` is `2026-07-02 12:00`"),
            (on(4, ",api,", ",api,extra,"), 4, "this row has 8 cells"),
            (good.clone() + "d,\"unclosed\n", 5, "this row has 2 cells"),
            (String::new(), 1, "empty"),
        ];
        for (text, at, says) in cases {
            let e = error(&text);
            assert_eq!(line(&e), Some(at), "{says}: {e:?}");
            assert!(e.message.contains(says), "{says}: {}", e.message);
            assert_eq!(e.file, std::path::Path::new("content/2026-07/evidence/lead-time.csv"));
            assert!(e.help.as_deref().unwrap_or("").contains("boardpack measure 2026-07"));
        }
        let mut latin1 = good.into_bytes();
        latin1.extend_from_slice(b"\xe9t\xe9\n");
        let e = run(Method::LeadTime, &[(month(7), latin1)]).unwrap_err();
        assert_eq!((line(&e), e.message.contains("UTF-8")), (Some(5), true));
        let yes_no = String::from_utf8(csv(
            Method::ReworkRatio.columns(),
            &[["d1", "2026-07-01T00:00:00Z", "api", "fix", "Yes", "d.csv:2"].map(String::from).to_vec()],
        ))
        .unwrap();
        let e = run(Method::ReworkRatio, &[(month(7), yes_no.into_bytes())]).unwrap_err();
        assert!(
            e.message.contains("`unplanned` is `Yes`, where `boardpack measure` writes yes or no"),
            "{}",
            e.message
        );
    }
}
