//! The ten measuring methods, each a pure function from parsed exports and git
//! history to a value, a one-line account of how it was computed, and the
//! evidence rows behind it; or the reason it cannot be computed.
//!
//! Each follows its KPI's `how_to_measure` in the built-in catalogue. Times are
//! medians (DORA's advice: a few outliers must not move the number), reported
//! to two decimals; percentages to one. "This month" is `[start, end)` in the
//! report's time zone, and which event places a row in a month is stated per
//! method below and in FORMAT.md.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::base::period::Month;

use super::git::{Brought, Repository};
use super::input::{Deployment, Incident, Kind, Quarter, Table, WorkItem};
use super::time::{Instant, Zone};

/// The month being measured.
#[derive(Debug, Clone)]
pub(crate) struct Period {
    pub(crate) month: Month,
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub(crate) zone: Zone,
}

impl Period {
    pub(crate) fn new(month: Month, zone: Zone) -> Period {
        let (start, end) = zone.month_bounds(month);
        Period { month, start, end, zone }
    }

    fn holds(&self, t: Instant) -> bool {
        (self.start..self.end).contains(&t)
    }

    fn name(&self) -> String {
        self.month.long_name()
    }
}

/// An export: read, or absent (with the path it was looked for at).
#[derive(Debug, Clone)]
pub(crate) enum Export<T> {
    Missing(PathBuf),
    Read(Table<T>),
}

impl<T> Export<T> {
    fn table(&self) -> Result<&Table<T>, String> {
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
}

/// The rows behind a number, one per input row (or component) that made it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evidence {
    pub(crate) header: Vec<&'static str>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// A computed value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Computed {
    pub(crate) value: f64,
    /// One line: how it was computed.
    pub(crate) measured: String,
    pub(crate) evidence: Evidence,
    /// Things the author should know (a reference that matches nothing, …).
    pub(crate) notes: Vec<String>,
}

/// A value, or why there is none.
pub(crate) type Outcome = Result<Computed, String>;

/// Runs the method named `method`; `None` when there is no such method.
pub(crate) fn compute(method: &str, data: &Data, period: &Period) -> Option<Outcome> {
    Some(match method {
        "lead-time" => lead_time(data, period),
        "delivery-predictability" => delivery_predictability(data, period),
        "cycle-time" => cycle_time(data, period),
        "key-person-concentration" => key_person_concentration(data, period),
        "change-failure-rate" => change_failure_rate(data, period),
        "time-to-restore" => time_to_restore(data, period),
        "defect-escape-rate" => defect_escape_rate(data, period),
        "rework-ratio" => rework_ratio(data, period),
        "business-outcome-share" => business_outcome_share(data, period),
        "roadmap-accuracy" => roadmap_accuracy(data, period),
        _ => return None,
    })
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    let r = (v * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn median(values: &mut [f64]) -> f64 {
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

fn percent(part: f64, whole: f64) -> f64 {
    round(part / whole * 100.0, 1)
}

/// A number for evidence: up to three decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

const DAY: f64 = 86_400.0;
const HOUR: f64 = 3_600.0;

fn source<T>(table: &Table<T>, lines: &[usize]) -> String {
    let first = table.source(lines.first().copied().unwrap_or(0)).to_string();
    if lines.len() <= 1 {
        first
    } else {
        let rest: Vec<String> = lines[1..].iter().map(usize::to_string).collect();
        format!("{first},{}", rest.join(","))
    }
}

/// Production deployments that succeeded in the period, in time order.
fn month_deployments<'a>(t: &'a Table<Deployment>, p: &Period) -> Vec<(usize, &'a Deployment)> {
    let mut d: Vec<(usize, &Deployment)> =
        t.rows.iter().enumerate().filter(|(_, d)| d.counts() && p.holds(d.at)).collect();
    d.sort_by_key(|(_, d)| (d.at, d.line));
    d
}

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
    let mut baseline = 0;
    for (i, d) in &deployments {
        let changes: Vec<(String, Instant)> = if git && d.sha.is_some() {
            if data.brought.without_baseline.contains(i) {
                baseline += 1;
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
        } else if baseline == deployments.len() {
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
    let mut measured = format!(
        "median of {} deployed in {}",
        plural(days.len(), "change", "changes"),
        plural(contributing, "deployment", "deployments")
    );
    if unknown > 0 {
        measured += &format!("; {} without commit information left out", plural(unknown, "deployment", "deployments"));
    }
    let mut notes = Vec::new();
    if baseline > 0 {
        notes.push(format!(
            "{} of {} the first of its service in {}: its commits are not counted (include the deployment before it in the export)",
            plural(baseline, "deployment", "deployments"),
            p.name(),
            if baseline == 1 { "is" } else { "are each" },
        ));
    }
    Ok(Computed {
        value: round(median(&mut days), 2),
        measured,
        evidence: Evidence {
            header: vec!["deployment", "deployed_at", "service", "commit", "committed_at", "lead_time_days", "source"],
            rows: rows.into_iter().map(|r| r.4).collect(),
        },
        notes,
    })
}

/// Delivery predictability: the sprints that ended this month (by `sprint_end`,
/// or when a sprint has none, its last finished item); per sprint the share of
/// its committed items (rows naming it) delivered in it (`delivered`, or
/// finished by its end); the month's average of those shares.
pub(crate) fn delivery_predictability(data: &Data, p: &Period) -> Outcome {
    let t = data.work_items.table()?;
    if !t.has("sprint") {
        return Err(t.lacks("sprint"));
    }
    let mut sprints: BTreeMap<&str, Vec<&WorkItem>> = BTreeMap::new();
    for item in &t.rows {
        if let Some(s) = &item.sprint {
            sprints.entry(s.as_str()).or_default().push(item);
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
        let given = items.iter().filter_map(|i| i.sprint_end).max_by_key(|w| w.at);
        let (end, deadline) = match given {
            Some(w) if w.date_only => (w.at, p.zone.next_day_start(w.at)),
            Some(w) => (w.at, w.at + 1),
            None => match items.iter().filter_map(|i| i.finished).max() {
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
            .map(|i| (i, i.delivered.unwrap_or_else(|| i.finished.is_some_and(|f| f < deadline))))
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
    let mut measured = format!(
        "average of {} ending in {}: {delivered} of {} delivered",
        plural(ended.len(), "sprint", "sprints"),
        p.name(),
        plural(committed, "committed item", "committed items"),
    );
    if estimated > 0 {
        measured += &if estimated == 1 {
            "; 1 sprint has no `sprint_end` and is dated by its last finished item".to_string()
        } else {
            format!("; {estimated} sprints have no `sprint_end` and are dated by their last finished item")
        };
    }
    Ok(Computed {
        value,
        measured,
        evidence: Evidence {
            header: vec![
                "sprint",
                "sprint_end",
                "sprint_delivered_percent",
                "item",
                "delivered",
                "finished_at",
                "source",
            ],
            rows,
        },
        notes: Vec::new(),
    })
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
    let mut measured = format!("median of {} finished", plural(days.len(), "work item", "work items"));
    if unstarted > 0 {
        measured += &format!("; {} without a start time left out", plural(unstarted, "item", "items"));
    }
    Ok(Computed {
        value: round(median(&mut days), 2),
        measured,
        evidence: Evidence {
            header: vec!["item", "type", "started_at", "finished_at", "cycle_time_days", "source"],
            rows,
        },
        notes: Vec::new(),
    })
}

/// Key-person concentration: for each listed component, the non-merge commits
/// touching it whose committer date falls in the 90 days before the month's
/// end; concentrated when one author (after the mailmap) wrote more than half
/// of them. Concentrated components as a share of all listed components.
pub(crate) fn key_person_concentration(data: &Data, p: &Period) -> Outcome {
    if data.repositories.is_empty() {
        return Err("boardpack.toml lists no [[measure.repository]] with the components to check".into());
    }
    let from = p.end - 90 * 86_400;
    let mut rows = Vec::new();
    let (mut total, mut concentrated, mut untouched) = (0, 0, 0);
    for repo in &data.repositories {
        for o in repo.ownership(from, p.end) {
            total += 1;
            if o.concentrated() {
                concentrated += 1;
            }
            if o.changes == 0 {
                untouched += 1;
            }
            let (top, top_changes) = o.top.clone().unwrap_or_default();
            let share = if o.changes == 0 { 0.0 } else { top_changes as f64 / o.changes as f64 * 100.0 };
            rows.push(vec![
                o.repository.clone(),
                o.component.clone(),
                o.changes.to_string(),
                o.authors.to_string(),
                top,
                top_changes.to_string(),
                num(share),
                yes(o.concentrated()),
                format!("{} ({})", repo.path, repo.branch),
            ]);
        }
    }
    let mut measured = format!(
        "{concentrated} of {} with one author of more than half of the changes in the 90 days to {}",
        plural(total, "component", "components"),
        p.zone.long_day_before(p.end)
    );
    if untouched > 0 {
        measured += &format!("; {} unchanged", plural(untouched, "component", "components"));
    }
    Ok(Computed {
        value: percent(concentrated as f64, total as f64),
        measured,
        evidence: Evidence {
            header: vec![
                "repository",
                "component",
                "changes",
                "authors",
                "top_author",
                "top_author_changes",
                "top_author_share_percent",
                "concentrated",
                "source",
            ],
            rows,
        },
        notes: Vec::new(),
    })
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
    Ok(Computed {
        value: percent(failed as f64, deployments.len() as f64),
        measured: format!(
            "{failed} of {} led to a rollback, hotfix or incident",
            plural(deployments.len(), "production deployment", "production deployments")
        ),
        evidence: Evidence {
            header: vec!["deployment", "deployed_at", "service", "kind", "failed", "why", "source"],
            rows,
        },
        notes,
    })
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
    let mut measured = format!("median of {} restored", plural(hours.len(), "incident", "incidents"));
    if open > 0 {
        measured += &format!("; {} still open at the month's end", plural(open, "incident", "incidents"));
    }
    Ok(Computed {
        value: round(median(&mut hours), 2),
        measured,
        evidence: Evidence {
            header: vec!["incident", "service", "severity", "detected_at", "restored_at", "hours_to_restore", "source"],
            rows,
        },
        notes: Vec::new(),
    })
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
    let mut measured =
        format!("{escaped} of {} logged were found in production", plural(bugs.len(), "defect", "defects"));
    if unclassified > 0 {
        measured += &format!("; {} without `found_in` left out", plural(unclassified, "defect", "defects"));
    }
    Ok(Computed {
        value: percent(escaped as f64, bugs.len() as f64),
        measured,
        evidence: Evidence { header: vec!["item", "created_at", "found_in", "in_production", "source"], rows },
        notes: Vec::new(),
    })
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
    Ok(Computed {
        value: percent(unplanned as f64, deployments.len() as f64),
        measured: format!(
            "{unplanned} of {} were unplanned fixes or rollbacks",
            plural(deployments.len(), "production deployment", "production deployments")
        ),
        evidence: Evidence {
            header: vec!["deployment", "deployed_at", "service", "kind", "unplanned", "source"],
            rows,
        },
        notes: Vec::new(),
    })
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
    let mut measured = if by_effort {
        format!("{} of {} points of effort finished served a named outcome", num(with), num(total))
    } else {
        format!("{} of {} finished served a named outcome", num(with), plural(items.len(), "work item", "work items"))
    };
    if unestimated > 0 {
        measured += &format!("; {} without effort left out", plural(unestimated, "item", "items"));
    }
    Ok(Computed {
        value: percent(with, total),
        measured,
        evidence: Evidence { header: vec!["item", "finished_at", "outcome", "effort", "with_outcome", "source"], rows },
        notes: Vec::new(),
    })
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
    Ok(Computed {
        value: percent(done as f64, due.len() as f64),
        measured: format!(
            "{done} of {} of {quarter} due by {} delivered",
            plural(due.len(), "roadmap item", "roadmap items"),
            p.zone.long_day_before(p.end)
        ),
        evidence: Evidence { header: vec!["item", "quarter", "due", "finished_at", "delivered", "source"], rows },
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    //! Small hand-made exports for October 2026 (UTC), with every answer
    //! worked out by hand in the comments.

    use std::path::Path;

    use super::*;
    use crate::commands::measure::git::{self, tests::repo};
    use crate::commands::measure::input::{self, Input, Reading};
    use crate::load::config::InputConfig;

    const DEPLOYMENTS: &str = "\
id,deployed_at,service,environment,status,first_commit_at,kind,incident,fixes
d0,2026-09-29T10:00:00Z,api,production,success,2026-09-28T10:00:00Z,planned,,
d1,2026-10-01T12:00:00Z,api,production,success,2026-09-30T12:00:00Z,planned,,
d2,2026-10-03T00:00:00Z,api,staging,success,2026-10-01T00:00:00Z,planned,,
d3,2026-10-05T06:00:00Z,web,production,success,2026-10-01T06:00:00Z,planned,INC-1,
d4,2026-10-06T06:00:00Z,web,production,success,2026-10-05T18:00:00Z,rollback,,
d5,2026-10-10T00:00:00Z,api,production,failed,2026-10-09T00:00:00Z,planned,,
d6,2026-10-12T00:00:00Z,api,production,success,2026-10-10T00:00:00Z,fix,,d1
d7,2026-10-31T23:00:00Z,web,production,success,2026-10-29T23:00:00Z,planned,,
d8,2026-11-01T01:00:00Z,web,production,success,2026-10-31T01:00:00Z,rollback,,
";

    const INCIDENTS: &str = "\
id,detected_at,restored_at,service,severity,caused_by
INC-0,2026-09-30T22:00:00Z,2026-10-01T02:00:00Z,api,P2,
INC-1,2026-10-05T07:00:00Z,2026-10-05T08:30:00Z,web,P1,d3
INC-2,2026-10-20T10:00:00Z,2026-10-20T10:30:00Z,api,P3,
INC-3,2026-10-31T20:00:00Z,,web,P2,
INC-4,2026-10-31T23:00:00Z,2026-11-01T03:00:00Z,web,P2,d7
";

    const WORK_ITEMS: &str = "\
id,type,created_at,started_at,finished_at,sprint,sprint_end,delivered,quarter,due,outcome,effort,found_in
W-1,story,2026-09-20,2026-10-01,2026-10-04,S20,2026-10-09,,2026-Q4,2026-10-15,Checkout,5,
W-2,bug,2026-10-02,2026-10-02,2026-10-03,S20,2026-10-09,,,,none,1,production
W-3,story,2026-09-25,2026-10-05,2026-10-12,S20,2026-10-09,,2026-Q4,2026-10-31,Checkout,3,
W-4,story,2026-10-01,2026-10-06,,S20,2026-10-09,,2026-Q4,2026-10-20,Billing,8,
W-5,bug,2026-10-08,2026-10-08,2026-10-10,S21,2026-10-23,yes,,,,2,staging
W-6,story,2026-10-08,2026-10-12,2026-10-20,S21,2026-10-23,no,2026-Q4,,Growth,3,
W-7,bug,2026-10-15,,2026-10-16,,,,,,,1,production
W-8,story,2026-08-01,2026-08-02,2026-09-15,S18,2026-09-11,,2026-Q3,,Growth,2,
W-9,bug,2026-10-20,2026-10-21,,,,,,,,,
W-10,story,2026-09-01,2026-09-02,2026-09-10,,,,,,Billing,2,
W-10,story,2026-09-01,2026-10-01,2026-10-07,,,,,,Billing,2,
W-11,story,2026-10-09,2026-10-13,2026-10-22,S21,2026-10-23,,,,Growth,2,
";

    fn raw(input: Input, text: &str) -> input::Raw {
        let config = InputConfig::default();
        let zone = Zone::utc();
        let production = vec!["production".to_string()];
        let reading = Reading { input, config: &config, zone: &zone, production: &production, config_source: "" };
        let mut problems = Vec::new();
        let raw = input::from_text(&reading, None, text.to_string(), Path::new("x.csv"), &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        raw
    }

    fn data(deployments: &str, incidents: &str, work_items: &str) -> Data {
        let mut problems = Vec::new();
        let d = input::deployments(raw(Input::Deployments, deployments), &mut problems);
        let i = input::incidents(raw(Input::Incidents, incidents), &mut problems);
        let w = input::work_items(raw(Input::WorkItems, work_items), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        Data {
            deployments: Export::Read(d),
            incidents: Export::Read(i),
            work_items: Export::Read(w),
            repositories: Vec::new(),
            brought: Brought::default(),
        }
    }

    fn october() -> Period {
        Period::new(Month::new(2026, 10).unwrap(), Zone::utc())
    }

    fn ok(o: Outcome) -> Computed {
        o.unwrap_or_else(|e| panic!("not computed: {e}"))
    }

    #[test]
    fn lead_time_from_first_commit_times() {
        // Counted in October: d1, d3, d4, d6, d7 (d2 is staging, d5 failed, d0
        // and d8 are in other months). Lead times 1.0, 4.0, 0.5, 2.0, 2.0 days:
        // sorted 0.5 1 2 2 4, median 2.
        let c = ok(lead_time(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 2.0);
        assert_eq!(c.measured, "median of 5 changes deployed in 5 deployments");
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
        assert_eq!(c.measured, "3 of 5 production deployments led to a rollback, hotfix or incident");
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
        assert_eq!(c.measured, "2 of 5 production deployments were unplanned fixes or rollbacks");
    }

    #[test]
    fn time_to_restore_counts_incidents_when_they_end() {
        // Restored in October: INC-0 (detected 30 September, 4 h, spans the
        // boundary), INC-1 (1.5 h), INC-2 (0.5 h); INC-4 ends in November and
        // INC-3 is open. Median of 0.5, 1.5, 4 = 1.5 h.
        let c = ok(time_to_restore(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 1.5);
        assert_eq!(c.measured, "median of 3 incidents restored; 2 incidents still open at the month's end");
        assert_eq!(c.evidence.rows[0][0], "INC-0");
        assert_eq!(c.evidence.rows[0][5], "4");
    }

    #[test]
    fn cycle_time_merges_a_reopened_item() {
        // Finished in October with a start: W-2 1 d, W-5 2 d, W-1 3 d, W-3 7 d,
        // W-6 8 d, W-11 9 d, and W-10, reopened: started 2 September, finished
        // again 7 October, 35 d. W-7 has no start. Median of 7 values: 7.
        let c = ok(cycle_time(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 7.0);
        assert_eq!(c.measured, "median of 7 work items finished; 1 item without a start time left out");
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
        assert_eq!(c.measured, "average of 2 sprints ending in October 2026: 4 of 7 committed items delivered");
        assert_eq!(c.evidence.rows.len(), 7);
        assert_eq!(c.evidence.rows[0][..3], ["S20", "2026-10-09T23:59:59Z", "50"]);
    }

    #[test]
    fn defect_escape_rate_leaves_out_unclassified_bugs() {
        // Bugs logged in October: W-2 (production), W-5 (staging), W-7
        // (production), W-9 (no found_in, left out): 2 of 3 = 66.7%.
        let c = ok(defect_escape_rate(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 66.7);
        assert_eq!(c.measured, "2 of 3 defects logged were found in production; 1 defect without `found_in` left out");
    }

    #[test]
    fn business_outcome_share_weighs_by_effort() {
        // Finished in October: W-1 5 (Checkout), W-2 1 (none), W-3 3
        // (Checkout), W-5 2 (empty), W-6 3 (Growth), W-7 1 (empty), W-10 2
        // (Billing), W-11 2 (Growth). 15 of 19 = 78.9%.
        let c = ok(business_outcome_share(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 78.9);
        assert_eq!(c.measured, "15 of 19 points of effort finished served a named outcome");
    }

    #[test]
    fn roadmap_accuracy_counts_items_due_by_the_month_end() {
        // 2026-Q4 items due by 31 October: W-1 (15th, done), W-3 (31st, done),
        // W-4 (20th, not done); W-6 is due at the quarter's end. 2 of 3 = 66.7%.
        let c = ok(roadmap_accuracy(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &october()));
        assert_eq!(c.value, 66.7);
        assert_eq!(c.measured, "2 of 3 roadmap items of 2026-Q4 due by 31 October 2026 delivered");
        // In November nothing new is due before the quarter ends.
        let nov = Period::new(Month::new(2026, 11).unwrap(), Zone::utc());
        let c = ok(roadmap_accuracy(&data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS), &nov));
        assert_eq!(c.value, 66.7, "the same three items, still 2 delivered");
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
    fn a_month_with_no_events_says_why_for_every_kpi() {
        let d = data(DEPLOYMENTS, INCIDENTS, WORK_ITEMS);
        let empty = Period::new(Month::new(2026, 6).unwrap(), Zone::utc());
        for method in crate::load::catalogue::MEASURE_METHODS {
            let reason = compute(method, &d, &empty).unwrap().unwrap_err();
            assert!(
                reason.contains("June 2026") || reason.contains("30 June") || reason.contains("[[measure.repository]]"),
                "{method}: {reason}"
            );
        }
        assert!(compute("velocity", &d, &empty).is_none());
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
        d.brought = git::brought(std::slice::from_ref(&r), &table.rows, &located, october().start, october().end);
        d.repositories = vec![r];
        let c = ok(lead_time(&d, &october()));
        assert_eq!(c.value, 1.5);
        assert_eq!(c.measured, "median of 6 changes deployed in 4 deployments");
        let shas: Vec<&str> = c.evidence.rows.iter().map(|r| r[3].as_str()).collect();
        assert_eq!(shas, ["aaaaaaa2", "aaaaaaa3", "aaaaaaa4", "aaaaaaa5", "aaaaaaa6", "aaaaaaa9"]);
        // Without the September deployment, d1 is the first of its service: its
        // commits are unknown, and it says so.
        let Export::Read(table) = &d.deployments else { panic!() };
        let later: Vec<(usize, usize, u32)> = located.iter().copied().filter(|(i, _, _)| *i != 0).collect();
        d.brought = git::brought(&d.repositories, &table.rows, &later, october().start, october().end);
        let c = ok(lead_time(&d, &october()));
        assert_eq!(c.measured, "median of 4 changes deployed in 3 deployments");
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
    }

    #[test]
    fn key_person_concentration_over_ninety_days() {
        // The 90 days to 31 October start on 2 August. api/: Ann 3, Bob 1 (75%,
        // concentrated); web/: Ann 1, Bob 1 (50% is not more than half); docs/:
        // one change on 1 July only (unchanged). 1 of 3 = 33.3%.
        let end = october().end;
        let t = |days: i64| end - days * 86_400;
        let lines = [
            format!("0000006 0000005 | Ann | {} | api/a.rs web/x.js", t(1)),
            format!("0000005 0000004 | Bob | {} | web/y.js api/b.rs", t(10)),
            format!("0000004 0000003 | Ann | {} | api/c.rs", t(80)),
            format!("0000003 0000002 | Ann | {} | api/d.rs", t(89)),
            format!("0000002 0000001 | Bob | {} | api/e.rs", t(91)),
            format!("0000001 | Cy | {} | docs/readme.md api/f.rs api/g.rs", t(122)),
        ];
        let mut d = data("deployed_at\n", "detected_at\n", "id\n");
        d.repositories = vec![repo(&["api/", "web/", "docs/"], &lines.iter().map(String::as_str).collect::<Vec<_>>())];
        let c = ok(key_person_concentration(&d, &october()));
        assert_eq!(c.value, 33.3);
        assert_eq!(
            c.measured,
            "1 of 3 components with one author of more than half of the changes in the 90 days to 31 October 2026; 1 component unchanged"
        );
        assert_eq!(c.evidence.rows[0][..8], ["shop", "shop:api/", "4", "2", "Ann <ann@example.com>", "3", "75", "yes"]);
        assert_eq!(c.evidence.rows[2][2], "0");
    }
}
