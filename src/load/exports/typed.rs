//! Typed rows from a raw export: each cell read as what its field means
//! (a date-time, a status, a kind of deployment, a quarter, …), with a
//! located error for every cell that cannot be, and rows of one work item
//! merged.

use std::collections::{BTreeSet, HashMap};

use crate::base::diagnostic::Diagnostic;

use super::columns::{tokens, Columns, Problems, PRODUCTION_WORDS};
use super::rows::{Deployment, Incident, Kind, Quarter, Table, WorkItem};
use super::time::{self, Instant, When, Zone};
use super::Raw;

/// Turns a raw export into typed rows with `rows`, unless its required column is missing.
fn typed<T>(
    raw: Raw,
    problems: &mut Vec<Diagnostic>,
    rows: impl FnOnce(&Sheetless<'_>, &mut RowReader<'_>) -> Vec<T>,
) -> Table<T> {
    let present: BTreeSet<&'static str> = raw.input.fields().iter().copied().filter(|f| raw.columns.has(f)).collect();
    let mut table = Table {
        file: raw.file.clone(),
        rows: Vec::new(),
        present,
        headers: raw.columns.headers.clone(),
        unusable: None,
    };
    let required = raw.input.required();
    if !raw.columns.has(required) {
        table.unusable = Some(table.lacks(required));
        return table;
    }
    let mut reader = RowReader {
        problems: Problems::new(&raw.file, &raw.text, &raw.columns),
        zone: raw.zone.clone(),
        production: &raw.production,
    };
    let view = Sheetless { records: &raw.records, columns: &raw.columns };
    table.rows = rows(&view, &mut reader);
    problems.extend(reader.problems.finish());
    table
}

/// Reads the deployments export.
pub(crate) fn deployments(raw: Raw, problems: &mut Vec<Diagnostic>) -> Table<Deployment> {
    typed(raw, problems, deployment_rows)
}

/// Reads the incidents export.
pub(crate) fn incidents(raw: Raw, problems: &mut Vec<Diagnostic>) -> Table<Incident> {
    typed(raw, problems, incident_rows)
}

/// Reads the work-items export.
pub(crate) fn work_items(raw: Raw, problems: &mut Vec<Diagnostic>) -> Table<WorkItem> {
    typed(raw, problems, work_item_rows)
}

/// The rows of a sheet and their columns, for the per-input row parsers.
struct Sheetless<'a> {
    records: &'a [(usize, csv::StringRecord)],
    columns: &'a Columns,
}

/// Reads typed cells, recording what cannot be read.
struct RowReader<'a> {
    problems: Problems<'a>,
    zone: Zone,
    production: &'a [String],
}

impl RowReader<'_> {
    fn text(&self, s: &Sheetless<'_>, r: &csv::StringRecord, field: &str) -> Option<String> {
        s.columns.get(r, field).map(str::to_string)
    }

    fn when(&mut self, s: &Sheetless<'_>, r: &csv::StringRecord, line: usize, field: &'static str) -> Option<When> {
        let cell = s.columns.get(r, field)?;
        match time::parse(cell, &self.zone) {
            Ok(w) => Some(w),
            Err(e) => {
                self.problems.cell(field, line, e, &format!("write date-times as {}", time::FORMS));
                None
            }
        }
    }

    fn at(&mut self, s: &Sheetless<'_>, r: &csv::StringRecord, line: usize, field: &'static str) -> Option<Instant> {
        self.when(s, r, line, field).map(|w| w.at)
    }

    /// [`RowReader::at`] for the field a row cannot do without: an empty cell
    /// is a problem too, said with `missing` and `help`.
    fn required_at(
        &mut self,
        s: &Sheetless<'_>,
        r: &csv::StringRecord,
        line: usize,
        field: &'static str,
        missing: &str,
        help: &str,
    ) -> Option<Instant> {
        if s.columns.get(r, field).is_none() {
            self.problems.cell(field, line, missing.to_string(), help);
            return None;
        }
        self.at(s, r, line, field)
    }
}

fn deployment_rows(s: &Sheetless<'_>, rr: &mut RowReader<'_>) -> Vec<Deployment> {
    let has_env = s.columns.has("environment");
    let has_status = s.columns.has("status");
    let mut out = Vec::with_capacity(s.records.len());
    for (line, r) in s.records {
        let line = *line;
        let at = rr.required_at(
            s,
            r,
            line,
            "deployed_at",
            "this deployment has no time",
            "every deployment needs the time it reached its environment",
        );
        let production = !has_env
            || rr.text(s, r, "environment").is_some_and(|e| rr.production.iter().any(|p| p.eq_ignore_ascii_case(&e)));
        let succeeded = if has_status { status(rr, s, r, line) } else { true };
        let sha = s.columns.get(r, "sha").and_then(|v| {
            let v = v.to_ascii_lowercase();
            if (7..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()) {
                Some(v)
            } else {
                rr.problems.cell(
                    "sha",
                    line,
                    format!("`{v}` is not a commit SHA"),
                    "write the full (or at least 7-character) hexadecimal id of the commit deployed",
                );
                None
            }
        });
        let first_commit_at = rr.at(s, r, line, "first_commit_at");
        let kind = match s.columns.get(r, "kind").map(str::to_lowercase) {
            None => Kind::Planned,
            Some(k) => match k.as_str() {
                "planned" | "release" | "feature" | "normal" | "standard" | "deploy" | "deployment" => Kind::Planned,
                "fix" | "hotfix" | "unplanned" | "unplanned fix" | "unplanned-fix" | "bugfix" | "patch"
                | "emergency" => Kind::Fix,
                "rollback" | "roll back" | "rolled back" | "revert" => Kind::Rollback,
                _ => {
                    rr.problems.cell(
                        "kind",
                        line,
                        format!("`{k}` is not a kind of deployment"),
                        "write planned (or release), fix (an unplanned fix, hotfix) or rollback; empty means planned",
                    );
                    Kind::Planned
                }
            },
        };
        if let Some(at) = at {
            out.push(Deployment {
                line,
                id: rr.text(s, r, "id"),
                at,
                service: rr.text(s, r, "service").unwrap_or_default(),
                production,
                succeeded,
                sha,
                first_commit_at,
                kind,
                incident: rr.text(s, r, "incident"),
                fixes: rr.text(s, r, "fixes"),
            });
        }
    }
    out
}

fn status(rr: &mut RowReader<'_>, s: &Sheetless<'_>, r: &csv::StringRecord, line: usize) -> bool {
    let Some(v) = s.columns.get(r, "status").map(str::to_lowercase) else {
        return true;
    };
    match v.as_str() {
        "success" | "succeeded" | "successful" | "deployed" | "done" | "completed" | "complete" | "finished" | "ok"
        | "inactive" => true,
        "failed" | "failure" | "error" | "errored" | "canceled" | "cancelled" | "running" | "pending" | "queued"
        | "in_progress" | "in progress" | "created" | "blocked" | "skipped" | "waiting" | "aborted" => false,
        _ => {
            rr.problems.cell(
                "status",
                line,
                format!("`{v}` is not a deployment status boardpack knows"),
                "success (or succeeded, inactive) counts; failed, canceled, running, pending, created, blocked and skipped do not",
            );
            false
        }
    }
}

fn incident_rows(s: &Sheetless<'_>, rr: &mut RowReader<'_>) -> Vec<Incident> {
    let mut out = Vec::with_capacity(s.records.len());
    for (line, r) in s.records {
        let line = *line;
        let detected = rr.required_at(
            s,
            r,
            line,
            "detected_at",
            "this incident has no detection time",
            "every incident needs the time it was detected (the alert or first report)",
        );
        let restored = rr.at(s, r, line, "restored_at");
        let Some(detected) = detected else { continue };
        if restored.is_some_and(|r| r < detected) {
            rr.problems.cell(
                "restored_at",
                line,
                "this incident was restored before it was detected".into(),
                "check the two times (and their time zones): restored_at must not be before detected_at",
            );
            continue;
        }
        out.push(Incident {
            line,
            id: rr.text(s, r, "id"),
            detected,
            restored,
            service: rr.text(s, r, "service").unwrap_or_default(),
            severity: rr.text(s, r, "severity").unwrap_or_default(),
            caused_by: rr.text(s, r, "caused_by"),
        });
    }
    out
}

/// Work items. Rows with the same id are one item (an item finished, reopened
/// and finished again): its first start, its creation, and its last finish
/// (none while any of its rows is unfinished); other fields from its last row
/// that has them.
fn work_item_rows(s: &Sheetless<'_>, rr: &mut RowReader<'_>) -> Vec<WorkItem> {
    let mut order: Vec<String> = Vec::new();
    let mut items: HashMap<String, WorkItem> = HashMap::new();
    let mut open: HashMap<String, bool> = HashMap::new();
    for (line, r) in s.records {
        let line = *line;
        let Some(id) = rr.text(s, r, "id") else {
            rr.problems.cell("id", line, "this work item has no id".into(), "every row needs the item's id or key");
            continue;
        };
        let bug = s.columns.joined(r, "type").is_some_and(|t| tokens(&t).any(|w| w == "bug" || w == "defect"));
        let created = rr.at(s, r, line, "created_at");
        let started = rr.at(s, r, line, "started_at");
        let finished = rr.at(s, r, line, "finished_at");
        if let (Some(st), Some(fi)) = (started, finished) {
            if fi < st {
                rr.problems.cell(
                    "finished_at",
                    line,
                    "this item was finished before it was started".into(),
                    "check the two times (and their time zones): finished_at must not be before started_at",
                );
                continue;
            }
        }
        let sprint_end = rr.when(s, r, line, "sprint_end");
        let due = rr.when(s, r, line, "due");
        let delivered = match s.columns.get(r, "delivered").map(str::to_lowercase) {
            None => None,
            Some(v) => match v.as_str() {
                "yes" | "y" | "true" | "1" | "delivered" | "done" => Some(true),
                "no" | "n" | "false" | "0" | "not delivered" | "missed" | "carried over" => Some(false),
                _ => {
                    rr.problems.cell(
                        "delivered",
                        line,
                        format!("`{v}` is neither yes nor no"),
                        "write yes or no (true/false, 1/0); leave it empty to judge by finished_at and sprint_end",
                    );
                    None
                }
            },
        };
        let quarter = s.columns.get(r, "quarter").and_then(|q| {
            let parsed = Quarter::parse(q);
            if parsed.is_none() {
                rr.problems.cell(
                    "quarter",
                    line,
                    format!("`{q}` is not a quarter"),
                    "write the roadmap quarter as 2026-Q4 (or Q4 2026); leave it empty for work not on the roadmap",
                );
            }
            parsed
        });
        let outcome = rr.text(s, r, "outcome").filter(|o| {
            !matches!(o.to_lowercase().as_str(), "none" | "-" | "n/a" | "na" | "no" | "no outcome" | "(none)")
        });
        let effort = s.columns.get(r, "effort").and_then(|e| match e.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
            _ => {
                rr.problems.cell(
                    "effort",
                    line,
                    format!("`{e}` is not an amount of effort"),
                    "write story points or engineer-days as a number, 0 or more",
                );
                None
            }
        });
        let found_in = s.columns.joined(r, "found_in");
        let found_in_production =
            found_in.as_deref().map(|f| tokens(f).any(|w| PRODUCTION_WORDS.contains(&w.as_str())));
        let mut sprints: Vec<String> = Vec::new();
        for name in s.columns.all(r, "sprint") {
            sprints.retain(|s| s != name);
            sprints.push(name.to_string());
        }
        let sprint = sprints.pop();
        let row = WorkItem {
            lines: vec![line],
            id: id.clone(),
            bug,
            created,
            started,
            finished,
            sprint,
            carried_from: sprints,
            sprint_end,
            delivered,
            quarter,
            due,
            outcome,
            effort,
            found_in,
            found_in_production,
        };
        let unfinished = row.finished.is_none();
        match items.get_mut(&id) {
            None => {
                order.push(id.clone());
                open.insert(id.clone(), unfinished);
                items.insert(id, row);
            }
            Some(item) => {
                if unfinished {
                    open.insert(id.clone(), true);
                }
                merge(item, row);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            let mut item = items.remove(&id)?;
            if open.get(&id).copied().unwrap_or(false) {
                item.finished = None;
            }
            Some(item)
        })
        .collect()
}

fn merge(item: &mut WorkItem, row: WorkItem) {
    fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
    item.lines.extend(row.lines);
    item.created = earliest(item.created, row.created);
    item.started = earliest(item.started, row.started);
    item.finished = match (item.finished, row.finished) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    item.bug |= row.bug;
    // A later row in another sprint: the item was carried out of the earlier
    // ones, and that row's sprint end and delivery are the ones that count.
    if let Some(last) = &row.sprint {
        if item.sprint.as_ref() != Some(last) {
            item.sprint_end = None;
            item.delivered = None;
        }
        let earlier: Vec<String> =
            item.carried_from.drain(..).chain(item.sprint.take()).chain(row.carried_from.iter().cloned()).collect();
        for s in earlier {
            if s != *last && !item.carried_from.contains(&s) {
                item.carried_from.push(s);
            }
        }
    }
    macro_rules! latest {
        ($($f:ident),*) => { $( if row.$f.is_some() { item.$f = row.$f; } )* };
    }
    latest!(sprint, sprint_end, delivered, quarter, due, outcome, effort, found_in, found_in_production);
}
