//! The measures of software delivery from deployments and incidents, as DORA
//! defines them (lead time for changes, change failure rate, time to restore
//! service), and rework: the share of deployments that were unplanned.

use std::collections::HashMap;

use crate::base::locale::round;
use crate::base::method::Method;
use crate::load::exports::time::Instant;
use crate::load::exports::{Deployment, Incident, Kind};

use super::said::Said;
use super::{median, month_deployments, num, percent, yes, Computed, Data, Outcome, Period, DAY, HOUR};

/// Lead time for changes: for every change (a non-merge commit) a production
/// deployment of the month brought, deploy time − its author time, in days;
/// the median. Without repositories, a deployment's `first_commit_at` stands
/// for its one change.
pub(crate) fn lead_time(data: &Data, p: &Period) -> Outcome {
    let t = data.deployments.table()?;
    let deployments = month_deployments(t, p);
    if deployments.is_empty() {
        return Err(format!("no production deployments in {}", p.name()));
    }
    let git = !data.repositories.is_empty();
    let mut by_deployment: HashMap<usize, Vec<(&str, Instant)>> = HashMap::new();
    for c in &data.brought.changes {
        by_deployment.entry(c.deployment).or_default().push((c.sha.as_str(), c.committed_at));
    }
    let mut rows: Vec<(Instant, usize, Instant, String, Vec<String>)> = Vec::new();
    let mut days = Vec::new();
    let mut contributing = 0;
    let mut unknown = 0;
    let mut baseline = Vec::new();
    for (i, d) in &deployments {
        let changes: Vec<(String, Instant)> = if git && d.sha.is_some() {
            if data.brought.unlocated.contains(i) {
                unknown += 1;
                continue;
            }
            if data.brought.without_baseline.contains(i) {
                baseline.push(*d);
            }
            by_deployment.get(i).map(|v| v.iter().map(|(s, at)| (s.to_string(), *at)).collect()).unwrap_or_default()
        } else if let Some(first) = d.first_commit_at {
            vec![(String::new(), first)]
        } else {
            unknown += 1;
            continue;
        };
        if !changes.is_empty() {
            contributing += 1;
        }
        for (sha, committed) in changes {
            let lead = (d.at - committed) as f64 / DAY;
            days.push(lead);
            rows.push((
                d.at,
                d.line,
                committed,
                sha.clone(),
                vec![
                    d.label(),
                    p.zone.format(d.at),
                    d.service.clone(),
                    sha,
                    p.zone.format(committed),
                    num(lead),
                    t.source(d.line).to_string(),
                ],
            ));
        }
    }
    if days.is_empty() {
        return Err(if !t.has("sha") && !t.has("first_commit_at") {
            format!("{} has neither a `sha` nor a `first_commit_at` column", t.file.display())
        } else if !git && !t.has("first_commit_at") {
            "deployments name their commits (`sha`) but boardpack.toml lists no [[measure.repository]] to read them in"
                .to_string()
        } else if baseline.len() == deployments.len() {
            format!(
                "each production deployment of {} is the first of its service in {}, so which commits it brought is unknown: include the previous deployment in the export",
                p.name(),
                t.file.display()
            )
        } else {
            format!("the production deployments of {} brought no new commits", p.name())
        });
    }
    rows.sort_by(|a, b| (a.0, a.1, a.2, &a.3).cmp(&(b.0, b.1, b.2, &b.3)));
    let measured = Said::of("lead_time", days.len())
        .count("deployments", "deployments", contributing)
        .leaving("no_commit", unknown);
    let notes = baseline
        .iter()
        .map(|d| {
            let service = if d.service.is_empty() { String::new() } else { format!(" `{}`", d.service) };
            format!(
                "deployment {} ({}) is the first of its service{service} in the export, so which commits it brought is unknown and they are not counted: include the deployment before it in the export",
                d.label(),
                t.source(d.line)
            )
        })
        .collect();
    Ok(Computed::new(Method::LeadTime, round(median(&mut days), 2), measured, rows.into_iter().map(|r| r.4).collect())
        .noting(notes))
}

/// Does `reference` name deployment `d` (its id, or its SHA, 7+ characters)?
fn names(reference: &str, d: &Deployment) -> bool {
    let r = reference.trim();
    d.id.as_deref() == Some(r)
        || (r.len() >= 7 && d.sha.as_deref().is_some_and(|s| s.starts_with(&r.to_ascii_lowercase())))
}

/// Change failure rate: the production deployments of the month that led to a
/// failure: it caused an incident (its `incident` cell, or an incident's
/// `caused_by` naming it), a fix or rollback names it in `fixes`, or it is the
/// deployment a rollback (without `fixes`) replaced: the previous one of the
/// same service. As a share of the month's production deployments.
pub(crate) fn change_failure_rate(data: &Data, p: &Period) -> Outcome {
    let t = data.deployments.table()?;
    let incidents = data.incidents.table().ok();
    let linked =
        ["incident", "kind", "fixes"].iter().any(|f| t.has(f)) || incidents.is_some_and(|i| i.has("caused_by"));
    if !linked {
        return Err(format!(
            "nothing links deployments to failures: {} has no `incident`, `kind` or `fixes` column and there is no incidents export with `caused_by`",
            t.file.display()
        ));
    }
    let deployments = month_deployments(t, p);
    if deployments.is_empty() {
        return Err(format!("no production deployments in {}", p.name()));
    }
    // Every counting deployment, by service, in time order: for rollbacks.
    let mut by_service: HashMap<&str, Vec<&Deployment>> = HashMap::new();
    for d in t.rows.iter().filter(|d| d.counts()) {
        by_service.entry(d.service.as_str()).or_default().push(d);
    }
    for v in by_service.values_mut() {
        v.sort_by_key(|d| (d.at, d.line));
    }
    let mut why: HashMap<usize, Vec<String>> = HashMap::new();
    let mut notes = Vec::new();
    for (i, d) in &deployments {
        if let Some(inc) = &d.incident {
            why.entry(*i).or_default().push(format!("caused incident {inc}"));
        }
    }
    if let Some(incidents) = incidents {
        for inc in &incidents.rows {
            let Some(cause) = &inc.caused_by else { continue };
            let mut matched = false;
            for (i, d) in &deployments {
                if names(cause, d) {
                    matched = true;
                    let reason = format!("incident {} names it", inc.label());
                    let list = why.entry(*i).or_default();
                    if !list.contains(&reason) {
                        list.push(reason);
                    }
                }
            }
            if !matched && p.holds(inc.detected) && !t.rows.iter().any(|d| names(cause, d)) {
                notes.push(format!(
                    "incident {} ({}) names deployment `{cause}`, which is not in {}",
                    inc.label(),
                    incidents.source(inc.line),
                    t.file.display()
                ));
            }
        }
    }
    for r in t.rows.iter().filter(|r| r.counts() && r.kind != Kind::Planned) {
        let verb = if r.kind == Kind::Rollback { "rolled back by" } else { "fixed by" };
        match &r.fixes {
            Some(target) => {
                let mut matched = false;
                for (i, d) in &deployments {
                    if names(target, d) {
                        matched = true;
                        why.entry(*i).or_default().push(format!("{verb} {}", r.label()));
                    }
                }
                if !matched && p.holds(r.at) && !t.rows.iter().any(|d| names(target, d)) {
                    notes.push(format!(
                        "deployment {} ({}) fixes `{target}`, which is not in {}",
                        r.label(),
                        t.source(r.line),
                        t.file.display()
                    ));
                }
            }
            None if r.kind == Kind::Rollback => {
                let Some(chain) = by_service.get(r.service.as_str()) else { continue };
                let pos = chain.iter().position(|d| std::ptr::eq(*d, r)).unwrap_or(0);
                if let Some(prev) = pos.checked_sub(1).map(|k| chain[k]) {
                    if let Some((i, _)) = deployments.iter().find(|(_, d)| std::ptr::eq(*d, prev)) {
                        why.entry(*i).or_default().push(format!("{verb} {}", r.label()));
                    }
                }
            }
            None => {}
        }
    }
    let mut rows = Vec::new();
    for (i, d) in &deployments {
        let reasons = why.get(i).map(|v| v.join("; ")).unwrap_or_default();
        rows.push(vec![
            d.label(),
            p.zone.format(d.at),
            d.service.clone(),
            d.kind.as_str().into(),
            yes(!reasons.is_empty()),
            reasons,
            t.source(d.line).to_string(),
        ]);
    }
    let failed = why.len();
    Ok(Computed::new(
        Method::ChangeFailureRate,
        percent(failed as f64, deployments.len() as f64),
        Said::of("change_failure_rate", failed).count("deployments", "production_deployments", deployments.len()),
        rows,
    )
    .noting(notes))
}

/// Time to restore service: every incident restored this month (so one that
/// spans the month boundary counts when it is over), restored − detected in
/// hours; the median.
pub(crate) fn time_to_restore(data: &Data, p: &Period) -> Outcome {
    let t = data.incidents.table()?;
    if !t.has("restored_at") {
        return Err(t.lacks("restored_at"));
    }
    let mut incidents: Vec<&Incident> = t.rows.iter().filter(|i| i.restored.is_some_and(|r| p.holds(r))).collect();
    let open = t.rows.iter().filter(|i| i.detected < p.end && i.restored.is_none_or(|r| r >= p.end)).count();
    if incidents.is_empty() {
        return Err(format!("no incident was restored in {}", p.name()));
    }
    incidents.sort_by_key(|i| (i.restored, i.line));
    let mut hours = Vec::new();
    let mut rows = Vec::new();
    for i in incidents {
        let Some(r) = i.restored else { continue };
        let h = (r - i.detected) as f64 / HOUR;
        hours.push(h);
        rows.push(vec![
            i.label(),
            i.service.clone(),
            i.severity.clone(),
            p.zone.format(i.detected),
            p.zone.format(r),
            num(h),
            t.source(i.line).to_string(),
        ]);
    }
    let measured = Said::of("time_to_restore", hours.len()).leaving("still_open", open);
    Ok(Computed::new(Method::TimeToRestore, round(median(&mut hours), 2), measured, rows))
}

/// Rework ratio: the production deployments of the month that were unplanned
/// (`kind` fix or rollback), as a share of all of them.
pub(crate) fn rework_ratio(data: &Data, p: &Period) -> Outcome {
    let t = data.deployments.table()?;
    if !t.has("kind") {
        return Err(t.lacks("kind"));
    }
    let deployments = month_deployments(t, p);
    if deployments.is_empty() {
        return Err(format!("no production deployments in {}", p.name()));
    }
    let unplanned = deployments.iter().filter(|(_, d)| d.kind != Kind::Planned).count();
    let rows = deployments
        .iter()
        .map(|(_, d)| {
            vec![
                d.label(),
                p.zone.format(d.at),
                d.service.clone(),
                d.kind.as_str().into(),
                yes(d.kind != Kind::Planned),
                t.source(d.line).to_string(),
            ]
        })
        .collect();
    Ok(Computed::new(
        Method::ReworkRatio,
        percent(unplanned as f64, deployments.len() as f64),
        Said::of("rework_ratio", unplanned).count("deployments", "production_deployments", deployments.len()),
        rows,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::period::Month;
    use crate::compute::measure::testdata::{data, october, ok, DEPLOYMENTS, INCIDENTS, WORK_ITEMS};
    use crate::compute::measure::{history, Export};
    use crate::load::exports::time::Zone;
    use crate::load::git::{self, tests::repo};

    #[test]
    fn lead_time_from_first_commit_times() {
        // Counted in October: d1, d3, d4, d6, d7 (d2 is staging, d5 failed, d0
        // and d8 are in other months). Lead times 1.0, 4.0, 0.5, 2.0, 2.0 days:
        // sorted 0.5 1 2 2 4, median 2.
        let c = ok(lead_time(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 2.0);
        assert_eq!(c.said(), "median of 5 changes deployed in 5 deployments");
        assert_eq!(c.evidence.rows.len(), 5);
        assert_eq!(
            c.evidence.rows[0],
            ["d1", "2026-10-01T12:00:00Z", "api", "", "2026-09-30T12:00:00Z", "1", "x.csv:3"]
        );
    }

    #[test]
    fn change_failure_rate_follows_incidents_fixes_and_rollbacks() {
        // Of the 5 counted deployments, 3 failed: d3 caused INC-1 (and was
        // rolled back by d4), d1 was fixed by d6, d7 was rolled back by d8 (on
        // 1 November) and named by INC-4. 3 / 5 = 60%.
        let c = ok(change_failure_rate(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 60.0);
        assert_eq!(c.said(), "3 of 5 production deployments led to a rollback, hotfix or incident");
        let why: Vec<&str> = c.evidence.rows.iter().map(|r| r[5].as_str()).collect();
        assert_eq!(
            why,
            [
                "fixed by d6",
                "caused incident INC-1; incident INC-1 names it; rolled back by d4",
                "",
                "",
                "incident INC-4 names it; rolled back by d8",
            ]
        );
        assert!(c.notes.is_empty());
    }

    #[test]
    fn rework_counts_fixes_and_rollbacks() {
        // d4 (rollback) and d6 (fix) of the 5: 40%.
        let c = ok(rework_ratio(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 40.0);
        assert_eq!(c.said(), "2 of 5 production deployments were unplanned fixes or rollbacks");
    }

    #[test]
    fn time_to_restore_counts_incidents_when_they_end() {
        // Restored in October: INC-0 (detected 30 September, 4 h, spans the
        // boundary), INC-1 (1.5 h), INC-2 (0.5 h); INC-4 ends in November and
        // INC-3 is open. Median of 0.5, 1.5, 4 = 1.5 h.
        let c = ok(time_to_restore(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 1.5);
        assert_eq!(c.said(), "median of 3 incidents restored; 2 incidents still open at the month's end");
        assert_eq!(c.evidence.rows[0][0], "INC-0");
        assert_eq!(c.evidence.rows[0][5], "4");
    }

    #[test]
    fn the_month_boundary_is_the_report_time_zone() {
        // INC-4 is restored at 03:00Z on 1 November: in UTC that is November,
        // at -05:00 it is 22:00 on 31 October. INC-0 is restored at 02:00Z on
        // 1 October: at -05:00 that is still September.
        let d = data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS);
        let utc = ok(time_to_restore(&d, &october()));
        let ids = |c: &Computed| c.evidence.rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
        assert_eq!(ids(&utc), ["INC-0", "INC-1", "INC-2"]);
        let west = Period::new(Month::new(2026, 10).unwrap(), Zone::parse("-05:00").unwrap());
        let c = ok(time_to_restore(&d, &west));
        assert_eq!(ids(&c), ["INC-1", "INC-2", "INC-4"]);
        assert_eq!(c.evidence.rows[2][4], "2026-10-31T22:00:00-05:00");
        // Median of 0.5, 1.5 and 4 hours.
        assert_eq!(c.value, 1.5);
    }

    #[test]
    fn lead_time_from_git_counts_each_commit_once() {
        // Days after 1 October 2026 (negative: before). c1 -10, c2 1, c3 2,
        // c4 4, c5 5, f1 5.5 (a branch from c3), m 7 (merge of c5 and f1),
        // n1 9.5.
        let s = october().start;
        let t = |days: f64| s + (days * 86_400.0) as i64;
        let line = |sha: &str, parents: &str, at: f64| format!("{sha} {parents} | Ann | {} |", t(at));
        let lines = [
            line("aaaaaaa9", "aaaaaaa8", 9.5),
            line("aaaaaaa8", "aaaaaaa5 aaaaaaa6", 7.0),
            line("aaaaaaa6", "aaaaaaa3", 5.5),
            line("aaaaaaa5", "aaaaaaa4", 5.0),
            line("aaaaaaa4", "aaaaaaa3", 4.0),
            line("aaaaaaa3", "aaaaaaa2", 2.0),
            line("aaaaaaa2", "aaaaaaa1", 1.0),
            line("aaaaaaa1", "", -10.0),
        ];
        let r = repo(&[], &lines.iter().map(String::as_str).collect::<Vec<_>>());
        // d0 (September, the baseline) c1; d1 c3 brings c2, c3 (leads 2, 1);
        // d2 c3 again brings nothing; d3 c5 brings c4, c5 (2, 1); d4 m brings
        // f1 (2.5) but not the merge itself; d5 rolls back to c5: nothing;
        // d6 n1 brings only n1 (0.5). Median of 0.5 1 1 2 2 2.5 = 1.5.
        let csv = format!(
            "id,deployed_at,sha,kind\nd0,{},aaaaaaa1,\nd1,{},aaaaaaa3,\nd2,{},aaaaaaa3,\nd3,{},aaaaaaa5,\nd4,{},aaaaaaa8,\nd5,{},aaaaaaa5,rollback\nd6,{},aaaaaaa9,\n",
            Zone::utc().format(t(-5.0)),
            Zone::utc().format(t(3.0)),
            Zone::utc().format(t(4.0)),
            Zone::utc().format(t(6.0)),
            Zone::utc().format(t(8.0)),
            Zone::utc().format(t(9.0)),
            Zone::utc().format(t(10.0)),
        );
        let mut d = data(&csv, "detected_at\n", "id\n");
        let Export::Read(table) = &d.deployments else { panic!() };
        let located: Vec<(usize, usize, u32)> = table
            .rows
            .iter()
            .enumerate()
            .map(|(i, dep)| match git::locate(std::slice::from_ref(&r), dep.sha.as_deref().unwrap()) {
                git::Located::At { repo, commit } => (i, repo, commit),
                other => panic!("{other:?}"),
            })
            .collect();
        d.brought = history::brought(std::slice::from_ref(&r), &table.rows, &located, october().start, october().end);
        d.repositories = vec![r];
        let c = ok(lead_time(&d, &october()));
        assert_eq!(c.value, 1.5);
        assert_eq!(c.said(), "median of 6 changes deployed in 4 deployments");
        let shas: Vec<&str> = c.evidence.rows.iter().map(|r| r[3].as_str()).collect();
        assert_eq!(shas, ["aaaaaaa2", "aaaaaaa3", "aaaaaaa4", "aaaaaaa5", "aaaaaaa6", "aaaaaaa9"]);
        // Without the September deployment, d1 is the first of its service: its
        // commits are unknown, and it says so.
        let Export::Read(table) = &d.deployments else { panic!() };
        let later: Vec<(usize, usize, u32)> = located.iter().copied().filter(|(i, _, _)| *i != 0).collect();
        d.brought = history::brought(&d.repositories, &table.rows, &later, october().start, october().end);
        let c = ok(lead_time(&d, &october()));
        assert_eq!(c.said(), "median of 4 changes deployed in 3 deployments");
        assert_eq!(
            c.notes,
            ["deployment d1 (x.csv:3) is the first of its service in the export, so which commits it brought is unknown and they are not counted: include the deployment before it in the export"]
        );
    }
}
