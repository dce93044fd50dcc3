//! The board's record kept honest: every sealed month is recomputed and
//! compared with what was sent, and every correction must be announced.
//!
//! Pure, compute stage: takes the loaded project and its report, returns the
//! corrections (restatements with their before and after values) and a
//! diagnostic for each difference nobody announced. A difference names the
//! month, the KPI or file, what was sent and what it would become, and the
//! ways out: undo the edit, or record a restatement.

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::compute::report::Report;
use crate::load::catalogue::{Kpi, Medium, Thresholds};
use crate::load::project::{MonthContent, Project, CATALOGUE_FILE, CONTENT_DIR, VALUES_FILE};
use crate::load::record::{Corrected, Previous, Restatement, Seal, RESTATEMENTS_FILE};

pub(crate) mod quarter;

/// A correction of a sealed month, as the board is told it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Correction {
    /// The sealed month corrected.
    pub(crate) month: Month,
    /// The month whose report announces it.
    pub(crate) announced: Month,
    pub(crate) target: Corrected,
    /// The value before (as sealed, or as a previous correction left it).
    pub(crate) was: Option<f64>,
    /// The value now (as announced: from the announcing month's seal once it is sealed).
    pub(crate) now: Option<f64>,
    pub(crate) reason: String,
}

/// Every announced correction, in the order announced, with its values.
pub(crate) fn corrections(project: &Project) -> Vec<Correction> {
    let mut out: Vec<Correction> = Vec::new();
    // A draft announces nothing: its corrections take effect when it is published.
    for announcing in project.months.iter().filter(|m| !m.draft) {
        for r in &announcing.restatements {
            let Some(corrected) = sealed_month(project, r.month) else {
                continue;
            };
            let (was, now) = match &r.target {
                Corrected::Kpi(id) => {
                    let before = out
                        .iter()
                        .rev()
                        .find(|c| c.month == r.month && c.target == r.target)
                        .map(|c| c.now)
                        .unwrap_or_else(|| sealed(corrected, id).and_then(|k| k.value));
                    let recorded = announcing.seal.as_ref().and_then(|s| {
                        s.restatements.iter().find(|x| x.month == r.month.to_string() && x.kpi.as_deref() == Some(id))
                    });
                    let now = match recorded {
                        Some(x) => x.now,
                        None => corrected.values.get(id).and_then(|e| e.value),
                    };
                    (before, now)
                }
                Corrected::File(_) => (None, None),
            };
            out.push(Correction {
                month: r.month,
                announced: announcing.month,
                target: r.target.clone(),
                was,
                now,
                reason: r.reason.clone(),
            });
        }
    }
    out
}

fn sealed_month(project: &Project, month: Month) -> Option<&MonthContent> {
    project.months.iter().find(|m| m.month == month && m.seal.is_some())
}

fn sealed<'a>(month: &'a MonthContent, id: &str) -> Option<&'a crate::load::record::SealedKpi> {
    month.seal.as_ref()?.kpis.get(id)
}

/// Every difference between the project and what was sent, and every
/// restatement that is wrong; each an error.
pub(crate) fn audit(project: &Project, report: &Report<'_>) -> Vec<Diagnostic> {
    let corrections = corrections(project);
    let latest = project.months.last().map(|m| m.month);
    let mut found = Vec::new();
    for month in &project.months {
        if let Some(seal) = &month.seal {
            let ctx = Sealed { project, report, month, seal, corrections: &corrections, latest };
            found.extend(ctx.kpis());
            found.extend(ctx.as_shown());
            found.extend(ctx.against_pack());
            found.extend(ctx.files());
        }
        found.extend(restatements(project, month, &corrections));
    }
    found.extend(quarter::quarter_audit(project, report, &corrections));
    found
}

/// One sealed month being compared with its seal.
struct Sealed<'a> {
    project: &'a Project,
    report: &'a Report<'a>,
    month: &'a MonthContent,
    seal: &'a Seal,
    corrections: &'a [Correction],
    latest: Option<Month>,
}

impl Sealed<'_> {
    fn dir(&self) -> PathBuf {
        Path::new(CONTENT_DIR).join(self.month.month.to_string())
    }

    fn corrected(&self, target: &Corrected) -> bool {
        self.corrections.iter().any(|c| c.month == self.month.month && c.target == *target)
    }

    /// The two ways out of a difference, for a KPI or a file.
    fn ways_out(&self, undo: &str, what: &str) -> String {
        let m = self.month.month;
        let announce = match self.latest.filter(|l| *l > m) {
            Some(l) => format!("content/{l}/{RESTATEMENTS_FILE}"),
            None => format!("the {RESTATEMENTS_FILE} of the next month"),
        };
        format!(
            "{} was sealed as the board received it. Either {undo}, or record the correction so the board sees it: add\n  [[restatement]]\n  month = \"{m}\"\n  {what}\n  reason = \"…\"\nto {announce}",
            m.long_name()
        )
    }

    fn kpis(&self) -> Vec<Diagnostic> {
        let m = self.month.month;
        let catalogue = &self.project.catalogue;
        let mut found = Vec::new();
        let values_file = self.dir().join(VALUES_FILE);
        for (k, kpi) in catalogue.kpis.iter().enumerate() {
            let sent = self.seal.kpis.get(&kpi.id);
            match (kpi.in_force(m), sent) {
                (false, None) => {}
                (true, None) => found.push(
                    Diagnostic::error(Path::new(CONTENT_DIR).join(CATALOGUE_FILE), format!("KPI `{}` was added to {}, which is sealed: the board never saw it there", kpi.id, m.long_name()))
                        .help(format!("give it `since = \"{}\"` (or a later month) in the catalogue, so months already sent stay as they were; or undo the change", self.first_unsealed())),
                ),
                (false, Some(_)) => found.push(
                    Diagnostic::error(Path::new(CONTENT_DIR).join(CATALOGUE_FILE), format!("KPI `{}` is no longer part of {}, which is sealed: the board saw it there", kpi.id, m.long_name()))
                        .help(format!("keep it in the catalogue with `until = \"{}\"` (its last month) instead of removing it, or undo the change", self.last_sealed())),
                ),
                (true, Some(sent)) => {
                    let reading = self.report.reading(k, m);
                    let now_value = reading.value;
                    let value_changed = now_value != sent.value || reading.note.map(str::to_string) != sent.note;
                    let sent_lines = match (sent.target, sent.red) {
                        (Some(target), Some(red)) => Some(Thresholds { target, red }),
                        _ => None,
                    };
                    let lines_changed = reading.thresholds != sent_lines;
                    if (value_changed || lines_changed) && !self.corrected(&Corrected::Kpi(kpi.id.clone())) {
                        found.push(self.kpi_difference(kpi, &values_file, sent, now_value, reading.note, value_changed, reading.thresholds));
                    }
                }
            }
        }
        for id in self.seal.kpis.keys().filter(|id| catalogue.kpi(id).is_none()) {
            found.push(
                Diagnostic::error(
                    Path::new(CONTENT_DIR).join(CATALOGUE_FILE),
                    format!("KPI `{id}` is gone from the catalogue, but the board saw it in {}", m.long_name()),
                )
                .help(format!(
                    "keep it in the catalogue with `until = \"{}\"` instead of removing it, or undo the change",
                    self.last_sealed()
                )),
            );
        }
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn kpi_difference(
        &self,
        kpi: &Kpi,
        file: &Path,
        sent: &crate::load::record::SealedKpi,
        now: Option<f64>,
        note: Option<&str>,
        value_changed: bool,
        lines: Option<Thresholds>,
    ) -> Diagnostic {
        let m = self.month.month;
        let text = |v: f64| kpi.show(Lang::english(), v, Medium::Text);
        let show = |v: Option<f64>| v.map_or_else(|| "no value".to_string(), text);
        let what = format!("kpi = \"{}\"", kpi.id);
        if value_changed {
            let (was, would) = if now != sent.value {
                (show(sent.value), show(now))
            } else {
                (
                    format!("the note “{}”", sent.note.as_deref().unwrap_or("")),
                    format!("the note “{}”", note.unwrap_or("")),
                )
            };
            let found = Diagnostic::error(
                file,
                format!("{} in {} was sent to the board as {was}; it would now be {would}", kpi.name, m.long_name()),
            )
            .help(self.ways_out(&format!("undo the edit to `{}` in {}", kpi.id, file.display()), &what));
            // A value removed altogether has no line to point at.
            return match self.month.values.get(&kpi.id) {
                Some(entry) => found.at_line_of(entry.line, &entry.source_line),
                None => found,
            };
        }
        let lines_text = |t: Option<Thresholds>| match t {
            Some(t) => format!("target {}, red beyond {}", text(t.target), text(t.red)),
            None => "no target".to_string(),
        };
        let sent_lines = match (sent.target, sent.red) {
            (Some(target), Some(red)) => Some(Thresholds { target, red }),
            _ => None,
        };
        Diagnostic::error(
            Path::new(CONTENT_DIR).join(CATALOGUE_FILE),
            format!("{} in {} was judged by {} when it was sent; the catalogue now gives {}", kpi.name, m.long_name(), lines_text(sent_lines), lines_text(lines)),
        )
        .help(format!(
            "a change of target applies from a date: put the old `target` and `red` back and add\n  [[kpi.thresholds]]\n  from = \"{}\"\n  target = …\n  red = …\nto `{}` in the catalogue. Or, if the board agreed the month was judged wrongly: {}",
            self.first_unsealed(),
            kpi.id,
            self.ways_out("undo the catalogue edit", &what)
        ))
    }

    fn files(&self) -> Vec<Diagnostic> {
        let dir = self.dir();
        let hashes = self.month.hashes();
        let mut names: Vec<&String> = self.seal.files.keys().chain(hashes.keys()).collect();
        names.sort();
        names.dedup();
        let mut found = Vec::new();
        for name in names {
            let (sent, now) = (self.seal.files.get(name), hashes.get(name));
            if sent == now {
                continue;
            }
            let file = dir.join(name);
            if name == RESTATEMENTS_FILE {
                found.push(
                    Diagnostic::error(
                        &file,
                        format!(
                            "the corrections {} announced were changed after it was sealed",
                            self.month.month.long_name()
                        ),
                    )
                    .help("announce new corrections in a later month's restatements.toml; restore this one from git"),
                );
                continue;
            }
            if self.corrected(&Corrected::File(name.clone())) {
                continue;
            }
            let change = match (sent, now) {
                (Some(_), None) => "was deleted",
                (None, Some(_)) => "was added",
                _ => "was changed",
            };
            found.push(
                Diagnostic::error(
                    &file,
                    format!("this commentary {change} after {} was sealed", self.month.month.long_name()),
                )
                .help(self.ways_out("undo the edit (git restore the file)", &format!("file = \"{name}\""))),
            );
        }
        found
    }

    /// What the month showed beside each value — the value as printed (its
    /// unit and decimals), its change on the month before and that change's
    /// trend, its status, the KPI's and its accountability's names — compared
    /// with the seal: an edit elsewhere (the month before, the catalogue) must
    /// not change a month the board already received.
    fn as_shown(&self) -> Vec<Diagnostic> {
        let m = self.month.month;
        let catalogue_file = Path::new(CONTENT_DIR).join(CATALOGUE_FILE);
        let mut found = Vec::new();
        for (k, kpi) in self.project.catalogue.kpis.iter().enumerate() {
            let Some(sent) = self.seal.kpis.get(&kpi.id).filter(|_| kpi.in_force(m)) else { continue };
            if self.corrected(&Corrected::Kpi(kpi.id.clone())) {
                continue;
            }
            let r = self.report.reading(k, m);
            let pack = self.month.sent.as_ref().and_then(|p| p.kpis.get(&kpi.id));
            let accountability = self.project.catalogue.accountability(&kpi.accountability);
            let what = format!("kpi = \"{}\"", kpi.id);
            let mut differ = |file: &Path, message: String, undo: &str| {
                found.push(Diagnostic::error(file, message).help(self.ways_out(undo, &what)));
            };
            let named = sent.name.as_deref().or(pack.map(|p| p.name.as_str()));
            // A name the catalogue gives in another language is a translation
            // (a built-in name gained a French form), not a rename.
            if let Some(was) = named.filter(|was| !kpi.names.every().any(|n| n == *was)) {
                differ(
                    &catalogue_file,
                    format!(
                        "KPI `{}` was shown to the board in {} as “{was}”; the catalogue now names it “{}”",
                        kpi.id,
                        m.long_name(),
                        kpi.name
                    ),
                    "undo the rename in the catalogue",
                );
            }
            if let (Some(was), Some(now)) = (sent.accountability.as_deref(), accountability) {
                if !now.names.every().any(|n| n == was) {
                    differ(&catalogue_file, format!("accountability `{}` was shown to the board in {} as “{was}”; the catalogue now names it “{}”", kpi.accountability, m.long_name(), now.name), "undo the rename in the catalogue");
                }
            }
            let entry = self.month.values.get(&kpi.id);
            let provenance = (entry.and_then(|e| e.measured.clone()), entry.and_then(|e| e.rows));
            let recorded = sent.measured.is_some() || sent.rows.is_some();
            if recorded && provenance != (sent.measured.clone(), sent.rows) {
                let values = self.dir().join(VALUES_FILE);
                differ(
                    &values,
                    format!(
                        "how {} in {} was measured was sent as “{}”; it would now read “{}”",
                        kpi.name,
                        m.long_name(),
                        sent.measured.as_deref().unwrap_or("not said"),
                        provenance.0.as_deref().unwrap_or("not said")
                    ),
                    &format!("undo the edit to `measured` or `rows` of `{}` in {}", kpi.id, values.display()),
                );
            }
            let unit = sent.unit.as_deref().or(pack.map(|p| p.unit.as_str()));
            // A seal that disagrees with its own pack is reported as such (`against_pack`), not as what it would show.
            let value_same = r.value == sent.value && pack.is_none_or(|p| p.value == sent.value);
            if let Some(was) = unit.filter(|was| *was != kpi.unit) {
                differ(
                    &catalogue_file,
                    format!(
                        "{} in {} was sent in “{was}”; the catalogue now gives “{}”",
                        kpi.name,
                        m.long_name(),
                        kpi.unit
                    ),
                    "undo the change of unit in the catalogue",
                );
            } else if value_same
                && sent.shown.is_some()
                && r.value.map(|v| kpi.show(Lang::english(), v, Medium::Text)) != sent.shown
            {
                let now = r.value.map_or_else(|| "no value".into(), |v| kpi.show(Lang::english(), v, Medium::Text));
                differ(
                    &catalogue_file,
                    format!(
                        "{} in {} was shown to the board as “{}”; it would now read “{now}”",
                        kpi.name,
                        m.long_name(),
                        sent.shown.as_deref().unwrap_or_default()
                    ),
                    "undo the change of `decimals` (or `unit`) in the catalogue",
                );
            }
            let change = (
                r.change.map(|c| kpi.show_change(Lang::english(), c.delta, Medium::Text)),
                r.change.map(|c| c.trend.as_str().to_string()),
            );
            let previous_corrected =
                self.corrections.iter().any(|c| c.month == m.previous() && c.target == Corrected::Kpi(kpi.id.clone()));
            if value_same && !previous_corrected && change != (sent.change.clone(), sent.trend.clone()) {
                let show = |(d, t): (Option<String>, Option<String>)| match (d, t) {
                    (Some(d), Some(t)) => format!("“{d}” ({t})"),
                    _ => "no change".to_string(),
                };
                let before = m.previous();
                let values = Path::new(CONTENT_DIR).join(before.to_string()).join(VALUES_FILE);
                differ(
                    &values,
                    format!(
                        "the change shown for {} in {} was {}; it would now be {}, because {} was edited or removed",
                        kpi.name,
                        m.long_name(),
                        show((sent.change.clone(), sent.trend.clone())),
                        show(change),
                        before.long_name()
                    ),
                    &format!("undo the edit to `{}` in {}", kpi.id, values.display()),
                );
            } else if value_same
                && r.thresholds.map(|t| (t.target, t.red)) == sent.target.zip(sent.red)
                && r.status.as_str() != sent.status
            {
                differ(
                    &catalogue_file,
                    format!(
                        "{} in {} was sent with the status {}; it would now be {}",
                        kpi.name,
                        m.long_name(),
                        sent.status,
                        r.status.as_str()
                    ),
                    &format!("undo the change to `{}` (its direction, `better`) in the catalogue", kpi.id),
                );
            }
        }
        found
    }

    /// The seal compared with the pack it seals, and the month's language,
    /// evidence and place in the chain of seals compared with what was sent.
    fn against_pack(&self) -> Vec<Diagnostic> {
        let m = self.month.month;
        let dir = self.dir();
        let mut found = Vec::new();
        let sealed_file = dir.join(crate::load::record::SEALED_FILE);
        if let Some(pack) = &self.month.sent {
            for (id, sent) in &self.seal.kpis {
                let in_pack = pack.kpis.get(id).map(|k| k.value);
                if in_pack.is_some_and(|v| v != sent.value) {
                    found.push(Diagnostic::error(&sealed_file, format!("sealed.toml and the sealed board pack of {} disagree on `{id}`: the pack the board received says {}", m.long_name(), in_pack.flatten().map_or_else(|| "no value".to_string(), |v| v.to_string())))
                        .help("sealed.toml was edited: restore it from git (it must say what the pack says)"));
                }
            }
            let now = self.project.config.language.tag();
            if let Some(was) =
                self.seal.locale.as_deref().or(pack.lang.as_deref()).filter(|was| !was.eq_ignore_ascii_case(now))
            {
                found.push(Diagnostic::error(crate::load::config::CONFIG_FILE, format!("{} was sent to the board in `{was}`; the report's locale is now `{now}`, which would change its words", m.long_name()))
                    .help(format!("set `locale = \"{was}\"` again; a report keeps the language its sealed months were sent in")));
            }
            let mut names: Vec<String> =
                pack.entries.keys().filter_map(|n| n.strip_prefix("evidence/")).map(str::to_string).collect();
            names.extend(self.month.evidence.keys().map(|id| format!("{id}.csv")));
            names.sort();
            names.dedup();
            for name in names {
                let id = name.trim_end_matches(".csv");
                let now = self.month.evidence.get(id).map(|b| crate::base::digest::Sha256::of(b));
                if pack.entries.get(&format!("evidence/{name}")) != now.as_ref()
                    && !self.corrected(&Corrected::Kpi(id.to_string()))
                {
                    let file = dir.join(crate::load::project::EVIDENCE_DIR).join(&name);
                    found.push(
                        Diagnostic::error(
                            &file,
                            format!("the evidence behind `{id}` changed after {} was sealed", m.long_name()),
                        )
                        .help(self.ways_out("undo the edit (git restore the file)", &format!("kpi = \"{id}\""))),
                    );
                }
            }
        }
        if let Some(Previous { month, sealed }) = &self.seal.previous {
            let before = self.project.months.iter().find(|c| c.month == *month);
            if before.and_then(|c| c.seal_sha256.as_ref().filter(|_| c.seal.is_some())) != Some(sealed) {
                let problem = match before {
                    None => format!("content/{month}/ is gone"),
                    Some(c) if c.seal.is_none() => format!("content/{month}/sealed.toml is gone"),
                    Some(_) => format!("content/{month}/sealed.toml changed"),
                };
                found.push(
                    Diagnostic::error(
                        &sealed_file,
                        format!("{} was sealed after {month}, which was sealed too; but {problem}", m.long_name()),
                    )
                    .help(format!("restore content/{month}/ from git: a month sent to the board stays in the record")),
                );
            }
        }
        found
    }

    /// The first month after the last sealed one: where dated changes can start.
    fn first_unsealed(&self) -> Month {
        self.last_sealed().next()
    }

    fn last_sealed(&self) -> Month {
        self.project.months.iter().filter(|m| m.seal.is_some()).map(|m| m.month).max().unwrap_or(self.month.month)
    }
}

/// Problems with the restatements a month announces.
fn restatements(project: &Project, month: &MonthContent, corrections: &[Correction]) -> Vec<Diagnostic> {
    let file = Path::new(CONTENT_DIR).join(month.month.to_string()).join(RESTATEMENTS_FILE);
    let at = |r: &Restatement, message: String, help: &str| {
        let mut d = Diagnostic::error(&file, message).help(help.to_string());
        d.location = Some(crate::base::diagnostic::Location {
            line: r.line,
            column: 1,
            source_line: "[[restatement]]".into(),
            width: 15,
        });
        d
    };
    let mut found = Vec::new();
    for r in &month.restatements {
        let what = match &r.target {
            Corrected::Kpi(id) => format!("`{id}`"),
            Corrected::File(f) => format!("`{f}`"),
        };
        if r.month >= month.month {
            found.push(at(
                r,
                format!("a restatement in {} corrects {}, which is not earlier", month.month, r.month),
                "announce a correction in a month after the one it corrects",
            ));
            continue;
        }
        let Some(corrected) = sealed_month(project, r.month) else {
            found.push(at(r, format!("{} is not sealed, so it needs no restatement", r.month.long_name()), "edit the month directly and remove this [[restatement]]; only sealed months, already sent, are restated"));
            continue;
        };
        let differs = match &r.target {
            Corrected::Kpi(id) => match sealed(corrected, id) {
                None => {
                    found.push(at(
                        r,
                        format!("the board saw no KPI `{id}` in {}", r.month.long_name()),
                        "name a KPI of that month's seal (content/YYYY-MM/sealed.toml)",
                    ));
                    continue;
                }
                Some(sent) => {
                    let entry = corrected.values.get(id);
                    let kpi = project.catalogue.kpi(id);
                    let lines = kpi.and_then(|k| k.thresholds_at(r.month));
                    let sent_lines = sent.target.zip(sent.red).map(|(target, red)| Thresholds { target, red });
                    entry.and_then(|e| e.value) != sent.value
                        || entry.and_then(|e| e.note.clone()) != sent.note
                        || lines != sent_lines
                }
            },
            Corrected::File(name) => {
                let sent = corrected.seal.as_ref().and_then(|s| s.files.get(name));
                sent != corrected.hashes().get(name)
            }
        };
        let repeated = corrections
            .iter()
            .find(|c| c.announced == month.month && c.month == r.month && c.target == r.target)
            .is_some_and(|c| matches!(c.target, Corrected::Kpi(_)) && c.was == c.now && differs && c.was.is_some());
        if !differs || repeated {
            found.push(at(
                r,
                format!(
                    "this restatement of {what} in {} matches no difference: it is as the board last saw it",
                    r.month.long_name()
                ),
                "remove it, or make the correction it announces in that month's files",
            ));
        }
    }
    found
}
