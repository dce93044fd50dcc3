//! The measures of work items: delivery predictability, cycle time, defect
//! escape rate, the share of work tied to a business outcome, and roadmap
//! accuracy.

use std::collections::BTreeMap;

use crate::base::locale::round;
use crate::base::method::Method;
use crate::load::exports::time::Instant;
use crate::load::exports::{Quarter, WorkItem};

use super::said::Said;
use super::{median, num, percent, source, yes, Computed, Data, Outcome, Period, DAY};

/// Delivery predictability: the sprints that ended this month (by `sprint_end`,
/// or when a sprint has none, its last finished item); per sprint the share of
/// its committed items (rows naming it) delivered in it (`delivered`, or
/// finished by its end); the month's average of those shares. An item carried
/// over was committed to each sprint it was in and not delivered in any it
/// was carried out of; only the sprint it ended in can count it delivered.
pub(crate) fn delivery_predictability(data: &Data, p: &Period) -> Outcome {
    let t = data.work_items.table()?;
    if !t.has("sprint") {
        return Err(t.lacks("sprint"));
    }
    // Sprint → its items, each with whether it was carried out of the sprint.
    let mut sprints: BTreeMap<&str, Vec<(&WorkItem, bool)>> = BTreeMap::new();
    for item in &t.rows {
        for s in &item.carried_from {
            sprints.entry(s.as_str()).or_default().push((item, true));
        }
        if let Some(s) = &item.sprint {
            sprints.entry(s.as_str()).or_default().push((item, false));
        }
    }
    struct Sprint<'a> {
        name: &'a str,
        end: Instant,
        deadline: Instant,
        items: Vec<(&'a WorkItem, bool)>,
    }
    let mut ended = Vec::new();
    let mut estimated = 0;
    for (name, items) in sprints {
        // An item's `sprint_end` and finish belong to the sprint it ended in.
        let ending = || items.iter().filter(|(_, carried)| !carried).map(|(i, _)| i);
        let given = ending().filter_map(|i| i.sprint_end).max_by_key(|w| w.at);
        let (end, deadline) = match given {
            Some(w) if w.date_only => (w.at, p.zone.next_day_start(w.at)),
            Some(w) => (w.at, w.at + 1),
            None => match ending().filter_map(|i| i.finished).max() {
                Some(last) => {
                    if p.holds(last) {
                        estimated += 1;
                    }
                    (last, last + 1)
                }
                None => continue,
            },
        };
        if !p.holds(end) {
            continue;
        }
        let items = items
            .into_iter()
            .map(|(i, carried)| {
                (i, !carried && i.delivered.unwrap_or_else(|| i.finished.is_some_and(|f| f < deadline)))
            })
            .collect();
        ended.push(Sprint { name, end, deadline, items });
    }
    if ended.is_empty() {
        return Err(format!("no sprint in {} ended in {}", t.file.display(), p.name()));
    }
    ended.sort_by(|a, b| (a.end, a.name).cmp(&(b.end, b.name)));
    let mut shares = Vec::new();
    let mut rows = Vec::new();
    let (mut committed, mut delivered) = (0, 0);
    for s in &mut ended {
        let done = s.items.iter().filter(|(_, d)| *d).count();
        let share = done as f64 / s.items.len() as f64 * 100.0;
        shares.push(share);
        committed += s.items.len();
        delivered += done;
        s.items.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        for (item, d) in &s.items {
            rows.push(vec![
                s.name.to_string(),
                p.zone.format(s.deadline - 1),
                num(share),
                item.id.clone(),
                yes(*d),
                item.finished.map(|f| p.zone.format(f)).unwrap_or_default(),
                source(t, &item.lines),
            ]);
        }
    }
    let value = round(shares.iter().sum::<f64>() / shares.len() as f64, 1);
    let measured = if p.first == p.month {
        Said::of("delivery_predictability", ended.len()).month("month", p.month)
    } else {
        Said::of("quarter.delivery_predictability", ended.len()).month("first", p.first).month("last", p.month)
    };
    let measured = measured
        .number("delivered", delivered as f64)
        .count("committed", "committed_items", committed)
        .leaving("no_sprint_end", estimated);
    Ok(Computed::new(Method::DeliveryPredictability, value, measured, rows))
}

/// Cycle time: every work item finished this month, finished − started in
/// days; the median. Items finished without a start are left out (and said).
pub(crate) fn cycle_time(data: &Data, p: &Period) -> Outcome {
    let t = data.work_items.table()?;
    for field in ["finished_at", "started_at"] {
        if !t.has(field) {
            return Err(t.lacks(field));
        }
    }
    let mut items: Vec<&WorkItem> = t.rows.iter().filter(|i| i.finished.is_some_and(|f| p.holds(f))).collect();
    if items.is_empty() {
        return Err(format!("no work item was finished in {}", p.name()));
    }
    let unstarted = items.iter().filter(|i| i.started.is_none()).count();
    items.retain(|i| i.started.is_some());
    if items.is_empty() {
        return Err(format!("none of the work items finished in {} has a start time", p.name()));
    }
    items.sort_by(|a, b| (a.finished, &a.id).cmp(&(b.finished, &b.id)));
    let mut days = Vec::new();
    let mut rows = Vec::new();
    for i in &items {
        let (Some(s), Some(f)) = (i.started, i.finished) else { continue };
        let d = (f - s) as f64 / DAY;
        days.push(d);
        rows.push(vec![
            i.id.clone(),
            if i.bug { "bug" } else { "other" }.into(),
            p.zone.format(s),
            p.zone.format(f),
            num(d),
            source(t, &i.lines),
        ]);
    }
    let measured = Said::of("cycle_time", days.len()).leaving("no_start", unstarted);
    Ok(Computed::new(Method::CycleTime, round(median(&mut days), 2), measured, rows))
}

/// Defect escape rate: the bugs logged (`created_at`) this month, and the
/// share of them whose `found_in` says production. Bugs with no `found_in`
/// are left out (and said).
pub(crate) fn defect_escape_rate(data: &Data, p: &Period) -> Outcome {
    let t = data.work_items.table()?;
    for field in ["type", "created_at", "found_in"] {
        if !t.has(field) {
            return Err(t.lacks(field));
        }
    }
    let mut bugs: Vec<&WorkItem> = t.rows.iter().filter(|i| i.bug && i.created.is_some_and(|c| p.holds(c))).collect();
    let unclassified = bugs.iter().filter(|b| b.found_in_production.is_none()).count();
    bugs.retain(|b| b.found_in_production.is_some());
    if bugs.is_empty() {
        return Err(format!("no defect was logged in {}", p.name()));
    }
    bugs.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    let escaped = bugs.iter().filter(|b| b.found_in_production == Some(true)).count();
    let rows = bugs
        .iter()
        .map(|b| {
            vec![
                b.id.clone(),
                b.created.map(|c| p.zone.format(c)).unwrap_or_default(),
                b.found_in.clone().unwrap_or_default(),
                yes(b.found_in_production == Some(true)),
                source(t, &b.lines),
            ]
        })
        .collect();
    let measured = Said::of("defect_escape_rate", escaped)
        .count("defects", "defects", bugs.len())
        .leaving("no_stage", unclassified);
    Ok(Computed::new(Method::DefectEscapeRate, percent(escaped as f64, bugs.len() as f64), measured, rows))
}

/// Work tied to a business outcome: of the effort (`effort`, or one per item
/// when there is no effort column) on work items finished this month, the
/// share on items with an outcome. Items with an empty effort are left out.
pub(crate) fn business_outcome_share(data: &Data, p: &Period) -> Outcome {
    let t = data.work_items.table()?;
    for field in ["finished_at", "outcome"] {
        if !t.has(field) {
            return Err(t.lacks(field));
        }
    }
    let by_effort = t.has("effort");
    let mut items: Vec<&WorkItem> = t.rows.iter().filter(|i| i.finished.is_some_and(|f| p.holds(f))).collect();
    if items.is_empty() {
        return Err(format!("no work item was finished in {}", p.name()));
    }
    let unestimated = if by_effort { items.iter().filter(|i| i.effort.is_none()).count() } else { 0 };
    if by_effort {
        items.retain(|i| i.effort.is_some());
    }
    items.sort_by(|a, b| (a.finished, &a.id).cmp(&(b.finished, &b.id)));
    let effort = |i: &WorkItem| if by_effort { i.effort.unwrap_or(0.0) } else { 1.0 };
    let total: f64 = items.iter().map(|i| effort(i)).sum();
    if total <= 0.0 {
        return Err(format!("the work items finished in {} carry no effort", p.name()));
    }
    let with: f64 = items.iter().filter(|i| i.outcome.is_some()).map(|i| effort(i)).sum();
    let rows = items
        .iter()
        .map(|i| {
            vec![
                i.id.clone(),
                i.finished.map(|f| p.zone.format(f)).unwrap_or_default(),
                i.outcome.clone().unwrap_or_default(),
                num(effort(i)),
                yes(i.outcome.is_some()),
                source(t, &i.lines),
            ]
        })
        .collect();
    let measured = if by_effort {
        Said::new("outcome_by_effort").number("with", with).number("total", total)
    } else {
        Said::new("outcome_by_items").number("with", with).count("items", "work_items", items.len())
    };
    let measured = measured.leaving("no_effort", unestimated);
    Ok(Computed::new(Method::BusinessOutcomeShare, percent(with, total), measured, rows))
}

/// Roadmap accuracy: the items committed to the quarter holding this month
/// (`quarter`) that were due by the month's end (`due`, or the quarter's last
/// day); the share of them finished by the month's end.
pub(crate) fn roadmap_accuracy(data: &Data, p: &Period) -> Outcome {
    let t = data.work_items.table()?;
    for field in ["quarter", "finished_at"] {
        if !t.has(field) {
            return Err(t.lacks(field));
        }
    }
    let quarter = Quarter::of(p.month);
    let quarter_end = p.zone.month_bounds(quarter.last_month()).1;
    let mut due: Vec<(&WorkItem, Instant)> = t
        .rows
        .iter()
        .filter(|i| i.quarter == Some(quarter))
        .map(|i| {
            let deadline = match i.due {
                Some(w) if w.date_only => p.zone.next_day_start(w.at),
                Some(w) => w.at + 1,
                None => quarter_end,
            };
            (i, deadline)
        })
        .filter(|(_, deadline)| *deadline <= p.end)
        .collect();
    if due.is_empty() {
        return Err(format!("no roadmap item of {quarter} was due by {}", p.zone.long_day_before(p.end)));
    }
    due.sort_by(|a, b| (a.1, &a.0.id).cmp(&(b.1, &b.0.id)));
    let delivered = |i: &WorkItem| i.finished.is_some_and(|f| f < p.end);
    let done = due.iter().filter(|(i, _)| delivered(i)).count();
    let rows = due
        .iter()
        .map(|(i, deadline)| {
            vec![
                i.id.clone(),
                quarter.to_string(),
                p.zone.date(deadline - 1),
                i.finished.map(|f| p.zone.format(f)).unwrap_or_default(),
                yes(delivered(i)),
                source(t, &i.lines),
            ]
        })
        .collect();
    Ok(Computed::new(
        Method::RoadmapAccuracy,
        percent(done as f64, due.len() as f64),
        Said::new("roadmap_accuracy")
            .number("delivered", done as f64)
            .count("items", "roadmap_items", due.len())
            .text("quarter", quarter.to_string())
            .last_day("day", p.month),
        rows,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::period::Month;
    use crate::compute::measure::testdata::{data, october, ok, DEPLOYMENTS, INCIDENTS, WORK_ITEMS};
    use crate::load::exports::time::Zone;

    #[test]
    fn values_round_as_the_report_shows_them() {
        // 1 day and 7 min 12 s is 1.005 days: 1.01 to two places, as the
        // report rounds it (binary floating point alone would give 1.0).
        let work = "id,started_at,finished_at\nA,2026-10-01T00:00:00Z,2026-10-02T00:07:12Z\n";
        let c = ok(cycle_time(&data("deployed_at\n", "detected_at\n", work), &october()));
        assert_eq!(c.value, 1.01);
        assert_eq!(c.evidence.rows[0][4], "1.005");
    }

    #[test]
    fn cycle_time_merges_a_reopened_item() {
        // Finished in October with a start: W-2 1 d, W-5 2 d, W-1 3 d, W-3 7 d,
        // W-6 8 d, W-11 9 d, and W-10, reopened: started 2 September, finished
        // again 7 October, 35 d. W-7 has no start. Median of 7 values: 7.
        let c = ok(cycle_time(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 7.0);
        assert_eq!(c.said(), "median of 7 work items finished; 1 item without a start time left out");
        let w10 = c.evidence.rows.iter().find(|r| r[0] == "W-10").unwrap();
        assert_eq!((w10[4].as_str(), w10[5].as_str()), ("35", "x.csv:11,12"));
    }

    #[test]
    fn delivery_predictability_averages_the_sprints_that_ended() {
        // S20 ended 9 October: W-1 and W-2 finished by then, W-3 finished on
        // the 12th, W-4 not at all: 2 of 4 = 50%. S21 ended 23 October: W-5
        // delivered (yes), W-6 not (no, though finished), W-11 finished on the
        // 22nd: 2 of 3 = 66.67%. S18 ended in September. Average 58.33 → 58.3.
        let c = ok(delivery_predictability(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 58.3);
        assert_eq!(c.said(), "average of 2 sprints ending in October 2026: 4 of 7 committed items delivered");
        assert_eq!(c.evidence.rows.len(), 7);
        assert_eq!(c.evidence.rows[0][..3], ["S20", "2026-10-09T23:59:59Z", "50"]);
    }

    #[test]
    fn a_carried_over_item_is_not_delivered_in_the_sprints_it_left() {
        // Jira repeats `Sprint`: 20 items done in S42 (by the 5th), 5 carried
        // from S42 into S43 and done there on the 20th, 20 more done in S43.
        // S42 delivered 20 of 25 (80%), S43 25 of 25: 90%, 45 of 50.
        let mut work = String::from("id,finished_at,sprint,sprint\n");
        for n in 0..20 {
            work += &format!("A-{n},2026-10-05,Sprint 42,\n");
            work += &format!("C-{n},2026-10-18,Sprint 43,\n");
        }
        for n in 0..5 {
            work += &format!("B-{n},2026-10-20,Sprint 42,Sprint 43\n");
        }
        let c = ok(delivery_predictability(&data("deployed_at\n", "detected_at\n", &work), &october()));
        assert_eq!(c.value, 90.0);
        assert!(
            c.said().starts_with("average of 2 sprints ending in October 2026: 45 of 50 committed items"),
            "{}",
            c.said()
        );
        let b0: Vec<_> =
            c.evidence.rows.iter().filter(|r| r[3] == "B-0").map(|r| (r[0].as_str(), r[4].as_str())).collect();
        assert_eq!(b0, [("Sprint 42", "no"), ("Sprint 43", "yes")]);
        // The same history written as one row per sprint (an export of each
        // cycle an issue was in, the item's fields repeated): the same answer.
        let mut rows = String::from("id,finished_at,sprint\n");
        for line in work.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            rows += &format!("{},{},{}\n", cells[0], cells[1], cells[2]);
            if !cells[3].is_empty() {
                rows += &format!("{},{},{}\n", cells[0], cells[1], cells[3]);
            }
        }
        let c = ok(delivery_predictability(&data("deployed_at\n", "detected_at\n", &rows), &october()));
        assert_eq!((c.value, c.evidence.rows.len()), (90.0, 50));
    }

    #[test]
    fn defect_escape_rate_leaves_out_unclassified_bugs() {
        // Bugs logged in October: W-2 (production), W-5 (staging), W-7
        // (production), W-9 (no found_in, left out): 2 of 3 = 66.7%.
        let c = ok(defect_escape_rate(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 66.7);
        assert_eq!(
            c.said(),
            "2 of 3 defects logged were found in production; 1 defect not saying where it was found left out"
        );
    }

    #[test]
    fn business_outcome_share_weighs_by_effort() {
        // Finished in October: W-1 5 (Checkout), W-2 1 (none), W-3 3
        // (Checkout), W-5 2 (empty), W-6 3 (Growth), W-7 1 (empty), W-10 2
        // (Billing), W-11 2 (Growth). 15 of 19 = 78.9%.
        let c = ok(business_outcome_share(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 78.9);
        assert_eq!(c.said(), "15 of 19 points of effort finished served a named outcome");
    }

    #[test]
    fn roadmap_accuracy_counts_items_due_by_the_month_end() {
        // 2026-Q4 items due by 31 October: W-1 (15th, done), W-3 (31st, done),
        // W-4 (20th, not done); W-6 is due at the quarter's end. 2 of 3 = 66.7%.
        let c = ok(roadmap_accuracy(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 66.7);
        assert_eq!(c.said(), "2 of 3 roadmap items of 2026-Q4 due by 31 October 2026 delivered");
        // In November nothing new is due before the quarter ends.
        let nov = Period::new(Month::new(2026, 11).unwrap(), Zone::utc());
        let c = ok(roadmap_accuracy(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &nov));
        assert_eq!(c.value, 66.7, "the same three items, still 2 delivered");
    }
}
