//! A sealed quarter kept honest: its values, its own files and the months it
//! was made from are compared with its seal, and every correction must be
//! announced (`[[restatement]] quarter = "2026-Q3"` in a later month).
//!
//! A quarter is made from its months, so an edit to one of them after the
//! quarter was sent changes what the board received even when the month
//! itself was never sealed: the seal records each month's files and values,
//! and a difference is an error naming the month's file and the quarter.
//!
//! Pure, compute stage, like the audit of months ([`crate::compute::audit`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Correction;
use crate::base::diagnostic::{Diagnostic, Location};
use crate::base::i18n::Lang;
use crate::base::period::{Month, Quarter};
use crate::compute::quarter::QuarterTable;
use crate::compute::report::Report;
use crate::load::catalogue::{Kpi, Medium, Thresholds};
use crate::load::project::quarter_record::{files_of, QuarterSeal};
use crate::load::project::{MonthContent, Project, QuarterContent, CATALOGUE_FILE, CONTENT_DIR, VALUES_FILE};
use crate::load::record::{quarter_restatements, Corrected, QuarterRestatement, RESTATEMENTS_FILE, SEALED_FILE};

/// A correction of a sealed quarter, as the board is told it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuarterCorrection {
    /// The sealed quarter corrected.
    pub(crate) quarter: Quarter,
    /// The month whose report announces it.
    pub(crate) announced: Month,
    pub(crate) target: Corrected,
    pub(crate) reason: String,
}

/// Every correction of a sealed quarter a published month announces, in
/// the order announced. One whose quarter is not named as this report names
/// quarters, or is not sealed, is an error of [`quarter_audit`] instead.
pub(crate) fn quarter_corrections(project: &Project) -> Vec<QuarterCorrection> {
    announced(project)
        .filter_map(|(month, r)| {
            let quarter = Quarter::parse(&r.quarter, project.config.report.fiscal_year_start).ok()?;
            sealed_quarter(project, quarter)?;
            Some(QuarterCorrection { quarter, announced: month, target: r.target, reason: r.reason })
        })
        .collect()
}

/// Each quarter restatement of a published month, with the month.
fn announced(project: &Project) -> impl Iterator<Item = (Month, QuarterRestatement)> + '_ {
    // A draft announces nothing: its corrections take effect when it is published.
    project.months.iter().filter(|m| !m.draft).flat_map(|m| {
        let found = m.restatements_text.as_deref().map(quarter_restatements).unwrap_or_default();
        found.into_iter().map(move |r| (m.month, r))
    })
}

fn sealed_quarter(project: &Project, quarter: Quarter) -> Option<(&QuarterContent, &QuarterSeal)> {
    project.quarters.iter().find(|q| q.quarter == quarter).and_then(|q| Some((q, q.seal()?)))
}

/// Every difference between a sealed quarter (its values, its files, its
/// months) and what was sent, and every quarter restatement that is wrong.
pub(crate) fn quarter_audit(project: &Project, report: &Report<'_>, months: &[Correction]) -> Vec<Diagnostic> {
    let corrections = quarter_corrections(project);
    let latest = project.months.iter().filter(|m| !m.draft).map(|m| m.month).max();
    let mut found = restatements(project, report);
    for q in project.quarters.iter().filter(|q| q.files.restatements_text.is_some()) {
        found.push(
            Diagnostic::warning(
                Path::new(CONTENT_DIR).join(q.quarter.to_string()).join(RESTATEMENTS_FILE),
                "corrections are announced in a month's restatements.toml, not a quarter's: this one announces nothing",
            )
            .help("move its [[restatement]] entries to the restatements.toml of the month the board will read them in"),
        );
    }
    if project.quarters.iter().all(|q| q.files.quarter_seal.is_none()) {
        return found;
    }
    let table = match report.quarter_table() {
        Ok(t) => t,
        Err(d) => {
            found.push(*d);
            return found;
        }
    };
    for q in &project.quarters {
        if let Some(seal) = &q.files.quarter_seal {
            let ctx =
                SealedQuarter { project, report, table: &table, q, seal, corrections: &corrections, months, latest };
            found.extend(ctx.own_files());
            found.extend(ctx.values());
            for month in q.quarter.months() {
                found.extend(ctx.month(month));
            }
            let now = project.config.language.tag();
            if let Some(was) = seal.locale.as_deref().filter(|was| !was.eq_ignore_ascii_case(now)) {
                found.push(Diagnostic::error(crate::load::config::CONFIG_FILE, format!("{} was sent to the board in `{was}`; the report's locale is now `{now}`, which would change its words", q.quarter))
                    .help(format!("set `locale = \"{was}\"` again; a report keeps the language its sealed quarters were sent in")));
            }
        }
    }
    found
}

/// One sealed quarter being compared with its seal.
struct SealedQuarter<'a> {
    project: &'a Project,
    report: &'a Report<'a>,
    table: &'a QuarterTable,
    q: &'a QuarterContent,
    seal: &'a QuarterSeal,
    corrections: &'a [QuarterCorrection],
    /// The corrections of months.
    months: &'a [Correction],
    latest: Option<Month>,
}

impl SealedQuarter<'_> {
    fn dir(&self) -> PathBuf {
        Path::new(CONTENT_DIR).join(self.q.quarter.to_string())
    }

    fn corrected(&self, target: &Corrected) -> bool {
        self.corrections.iter().any(|c| c.quarter == self.q.quarter && c.target == *target)
    }

    /// Whether any of the quarter's values is announced as corrected: a
    /// month's values file or evidence may then differ (each value is
    /// compared on its own).
    fn values_corrected(&self) -> bool {
        self.corrections.iter().any(|c| c.quarter == self.q.quarter && matches!(c.target, Corrected::Kpi(_)))
    }

    /// The two ways out of a difference.
    fn ways_out(&self, undo: &str, what: &str) -> String {
        let q = self.q.quarter;
        let announce = match self.latest.filter(|l| *l > q.last()) {
            Some(l) => format!("content/{l}/{RESTATEMENTS_FILE}"),
            None => format!("the {RESTATEMENTS_FILE} of a month after {}", q.last().long_name()),
        };
        format!(
            "{q} was sealed as the board received it. Either {undo}, or record the correction so the board sees it: add\n  [[restatement]]\n  quarter = \"{q}\"\n  {what}\n  reason = \"…\"\nto {announce}"
        )
    }

    /// The quarter folder's own files: its commentary, typed values and evidence.
    fn own_files(&self) -> Vec<Diagnostic> {
        let now = files_of(&self.q.files);
        let mut found = Vec::new();
        for name in names(&self.seal.files, &now) {
            let commentary = name.ends_with(".md");
            let accepted =
                if commentary { self.corrected(&Corrected::File(name.clone())) } else { self.values_corrected() };
            if accepted {
                continue;
            }
            let change = change(self.seal.files.get(&name), now.get(&name));
            let (message, what) = if commentary {
                (format!("this commentary {change} after {} was sealed", self.q.quarter), format!("file = \"{name}\""))
            } else {
                (
                    format!("{name} {change} after {} was sealed: the quarter's values come from it", self.q.quarter),
                    "kpi = \"…\"   # each quarter value that changed".to_string(),
                )
            };
            found.push(
                Diagnostic::error(self.dir().join(&name), message)
                    .help(self.ways_out("undo the edit (git restore the file)", &what)),
            );
        }
        found
    }

    /// Each quarter value, recomputed, against the value sent.
    fn values(&self) -> Vec<Diagnostic> {
        let q = self.q.quarter;
        let catalogue_file = Path::new(CONTENT_DIR).join(CATALOGUE_FILE);
        let mut found = Vec::new();
        for k in self.report.kpis_in_quarter(q) {
            let kpi = &self.project.catalogue.kpis[k];
            let Some(sent) = self.seal.kpis.get(&kpi.id) else {
                found.push(
                    Diagnostic::error(&catalogue_file, format!("KPI `{}` was added to {q}, which is sealed: the board never saw it there", kpi.id))
                        .help(format!("give it `since = \"{}\"` (or a later month) in the catalogue, so quarters already sent stay as they were; or undo the change", q.last().next())),
                );
                continue;
            };
            let in_pack = self.q.files.sent.as_ref().and_then(|p| p.kpis.get(&kpi.id)).map(|p| p.value);
            if in_pack.is_some_and(|v| v != sent.value) {
                let said = in_pack.flatten().map_or_else(|| "no value".to_string(), |v| v.to_string());
                found.push(
                    Diagnostic::error(self.dir().join(SEALED_FILE), format!("sealed.toml and the sealed board pack of {q} disagree on `{}`: the pack the board received says {said}", kpi.id))
                        .help("sealed.toml was edited: restore it from git (it must say what the pack says)"),
                );
                continue;
            }
            let reading = self.table.reading(self.report, k, q);
            let (value, note) = (reading.value.value, reading.value.note.as_deref());
            let sent_lines = sent.target.zip(sent.red).map(|(target, red)| Thresholds { target, red });
            let differs = value != sent.value || note != sent.note.as_deref() || reading.thresholds != sent_lines;
            if !differs || self.corrected(&Corrected::Kpi(kpi.id.clone())) {
                continue;
            }
            let was = if value != sent.value || note == sent.note.as_deref() {
                format!("{} ({})", show(kpi, sent.value), sent.status)
            } else {
                format!("the note “{}”", sent.note.as_deref().unwrap_or(""))
            };
            let would = if value != sent.value || note == sent.note.as_deref() {
                format!("{} ({})", show(kpi, value), reading.status.as_str())
            } else {
                format!("the note “{}”", note.unwrap_or(""))
            };
            let typed = self.q.files.values.contains_key(&kpi.id);
            let file = if typed { self.dir().join(VALUES_FILE) } else { self.dir() };
            let undo = if typed {
                format!("undo the edit to `{}` in {}", kpi.id, file.display())
            } else {
                format!("undo the edit that changed it (to its months, or to `{}` in the catalogue)", kpi.id)
            };
            found.push(
                Diagnostic::error(
                    file,
                    format!("{} in {q} was sent to the board as {was}; it would now be {would}", kpi.name),
                )
                .help(self.ways_out(&undo, &format!("kpi = \"{}\"", kpi.id))),
            );
        }
        for id in
            self.seal.kpis.keys().filter(|id| self.project.catalogue.kpi(id).is_none_or(|k| !k.in_force(q.last())))
        {
            found.push(
                Diagnostic::error(
                    &catalogue_file,
                    format!("KPI `{id}` is no longer part of {q}, but the board saw it there"),
                )
                .help(format!(
                    "keep it in the catalogue with `until = \"{}\"` instead of removing it, or undo the change",
                    q.last()
                )),
            );
        }
        found
    }

    /// One of the quarter's months against what the quarter was made from.
    fn month(&self, month: Month) -> Vec<Diagnostic> {
        let q = self.q.quarter;
        let key = month.to_string();
        let dir = Path::new(CONTENT_DIR).join(&key);
        let values_file = dir.join(VALUES_FILE);
        let sent = self.seal.months.get(&key).cloned().unwrap_or_default();
        let now: Option<&MonthContent> = self.project.months.iter().find(|m| m.month == month && !m.draft);
        let made_from = "the quarter the board received was made from it";
        let mut found = Vec::new();
        match (sent.reported, now) {
            (false, None) => return found,
            (false, Some(_)) if !self.values_corrected() => {
                found.push(
                    Diagnostic::error(
                        &values_file,
                        format!(
                            "{} was not reported when {q} was sealed: the board received the quarter without it",
                            month.long_name()
                        ),
                    )
                    .help(self.ways_out(
                        &format!("move {} away (or mark it `draft = true`)", dir.display()),
                        "kpi = \"…\"   # each quarter value it changes",
                    )),
                );
                return found;
            }
            (true, None) if !self.values_corrected() => {
                found.push(
                    Diagnostic::error(
                        &dir,
                        format!(
                            "{} is gone or a draft, but {q} was made from it when it was sealed",
                            month.long_name()
                        ),
                    )
                    .help(self.ways_out(
                        &format!("restore {} from git", dir.display()),
                        "kpi = \"…\"   # each quarter value it changes",
                    )),
                );
                return found;
            }
            (_, None) | (false, Some(_)) => return found,
            (true, Some(_)) => {}
        }
        let Some(content) = now else { return found };
        let catalogue = &self.project.catalogue;
        let mut ids: Vec<&String> = sent.values.keys().chain(content.values.keys()).collect();
        ids.sort();
        ids.dedup();
        let mut values_differ = false;
        for id in ids {
            let (was, is) = (sent.values.get(id).copied(), content.values.get(id).and_then(|e| e.value));
            if was == is {
                continue;
            }
            values_differ = true;
            if self.corrected(&Corrected::Kpi(id.clone())) {
                continue;
            }
            let Some(kpi) = catalogue.kpi(id) else { continue };
            let d =
                Diagnostic::error(
                    &values_file,
                    format!(
                        "{} in {} was {} when {q} was sealed; it is now {}: {made_from}",
                        kpi.name,
                        month.long_name(),
                        show(kpi, was),
                        show(kpi, is)
                    ),
                )
                .help(self.ways_out(
                    &format!("undo the edit to `{id}` in {}", values_file.display()),
                    &format!("kpi = \"{id}\""),
                ));
            found.push(match content.values.get(id) {
                Some(entry) => d.at_line_of(entry.line, &entry.source_line),
                None => d,
            });
        }
        let now_files = files_of(content);
        for name in names(&sent.files, &now_files) {
            let commentary = name.ends_with(".md");
            let accepted = if commentary {
                self.corrected(&Corrected::File(format!("{key}/{name}")))
                    || self.months.iter().any(|c| c.month == month && c.target == Corrected::File(name.clone()))
            } else {
                // A value that changed is said above, KPI by KPI.
                values_differ
                    || self.values_corrected()
                    || self.months.iter().any(|c| c.month == month && matches!(c.target, Corrected::Kpi(_)))
            };
            if accepted {
                continue;
            }
            let change = change(sent.files.get(&name), now_files.get(&name));
            let what = if commentary {
                format!("file = \"{key}/{name}\"")
            } else {
                "kpi = \"…\"   # each quarter value it changes".to_string()
            };
            found.push(
                Diagnostic::error(dir.join(&name), format!("this file {change} after {q} was sealed: {made_from}"))
                    .help(self.ways_out("undo the edit (git restore the file)", &what)),
            );
        }
        found
    }
}

/// The names in either map whose hashes differ, in order.
fn names(
    sent: &BTreeMap<String, crate::base::digest::Sha256>,
    now: &BTreeMap<String, crate::base::digest::Sha256>,
) -> Vec<String> {
    let mut names: Vec<&String> = sent.keys().chain(now.keys()).collect();
    names.sort();
    names.dedup();
    names.into_iter().filter(|n| sent.get(*n) != now.get(*n)).cloned().collect()
}

fn change<T>(sent: Option<T>, now: Option<T>) -> &'static str {
    match (sent, now) {
        (Some(_), None) => "was deleted",
        (None, Some(_)) => "was added",
        _ => "was changed",
    }
}

fn show(kpi: &Kpi, value: Option<f64>) -> String {
    value.map_or_else(|| "no value".to_string(), |v| kpi.show(Lang::english(), v, Medium::Text))
}

/// Problems with the quarter restatements the published months announce.
fn restatements(project: &Project, report: &Report<'_>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (month, r) in announced(project) {
        let file = Path::new(CONTENT_DIR).join(month.to_string()).join(RESTATEMENTS_FILE);
        let at = |message: String, help: String| {
            let mut d = Diagnostic::error(&file, message).help(help);
            d.location = Some(Location { line: r.line, column: 1, source_line: "[[restatement]]".into(), width: 15 });
            d
        };
        let quarter = match Quarter::parse(&r.quarter, project.config.report.fiscal_year_start) {
            Ok(q) => q,
            Err(e) => {
                found.push(at(
                    format!("`quarter` is not a quarter of this report: {e}"),
                    "write quarter = \"2026-Q3\" (or \"FY2027-Q1\" with a fiscal year), the sealed quarter corrected"
                        .into(),
                ));
                continue;
            }
        };
        if month <= quarter.last() {
            found.push(at(
                format!("a restatement in {month} corrects {quarter}, which is not over before it"),
                format!("announce a correction in a month after {}", quarter.last().long_name()),
            ));
            continue;
        }
        let Some((q, seal)) = sealed_quarter(project, quarter) else {
            found.push(at(format!("{quarter} is not sealed, so it needs no restatement"), "edit the quarter directly and remove this [[restatement]]; only sealed quarters, already sent, are restated".into()));
            continue;
        };
        let differs = match &r.target {
            Corrected::Kpi(id) => {
                let Some(sent) = seal.kpis.get(id) else {
                    found.push(at(
                        format!("the board saw no KPI `{id}` in {quarter}"),
                        format!("name a KPI of that quarter's seal (content/{quarter}/sealed.toml)"),
                    ));
                    continue;
                };
                let k = project.catalogue.kpis.iter().position(|kpi| kpi.id == *id);
                let now = k.and_then(|k| report.quarter_value(k, quarter).ok());
                let month_changed = quarter.months().into_iter().any(|m| {
                    let was = seal.months.get(&m.to_string()).and_then(|s| s.values.get(id).copied());
                    let is =
                        project.months.iter().find(|c| c.month == m && !c.draft).and_then(|c| c.values.get(id)?.value);
                    was != is
                });
                now.is_none_or(|v| v.value != sent.value || v.note != sent.note) || month_changed
            }
            Corrected::File(name) => match name.split_once('/') {
                Some((m, file_name)) => {
                    let sent = seal.months.get(m).and_then(|s| s.files.get(file_name));
                    let now = project
                        .months
                        .iter()
                        .find(|c| c.month.to_string() == m)
                        .and_then(|c| files_of(c).get(file_name).cloned());
                    sent != now.as_ref()
                }
                None => seal.files.get(name) != files_of(&q.files).get(name),
            },
        };
        if !differs {
            let what = match &r.target {
                Corrected::Kpi(id) => format!("`{id}`"),
                Corrected::File(f) => format!("`{f}`"),
            };
            found.push(at(
                format!("this restatement of {what} in {quarter} matches no difference: it is as the board saw it"),
                "remove it, or make the correction it announces in the quarter's or its months' files".into(),
            ));
        }
    }
    found
}
