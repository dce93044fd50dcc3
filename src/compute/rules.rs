//! What a report must get right beyond its files parsing: problems found by
//! looking at the computed report, reported by `check` and `build` alike.
//!
//! Pure: takes a loaded project and its report, returns diagnostics located
//! in its files. Months already sealed are not judged again: they were sent.

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::base::i18n::Lang;
use crate::base::period::{Month, Quarter};
use crate::base::status::Status;
use crate::compute::commentary::{mentioned, too_deep, MAX_NESTING};
use crate::compute::quarter::QuarterTable;
use crate::compute::report::Report;
use crate::load::catalogue::Medium;
use crate::load::config::{Explain, CONFIG_FILE};
use crate::load::fonts::{missing_glyphs, missing_glyphs_help};
use crate::load::project::{MonthContent, Project, CONTENT_DIR, SUMMARY_STEM, VALUES_FILE};
use crate::load::theme::Theme;

/// Every rule's findings for the project's months not yet sealed, in month order.
pub(crate) fn check(project: &Project, report: &Report<'_>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for month in project.months.iter().filter(|m| m.seal.is_none()) {
        found.extend(nesting(month));
        found.extend(unexplained(project, report, month.month));
        found.extend(fractions(project, report, month));
    }
    match report.quarter_table() {
        Ok(table) => {
            for q in project.quarters.iter().filter(|q| q.seal().is_none() && !q.files.draft) {
                found.extend(nesting(&q.files));
                found.extend(unexplained_in_quarter(project, report, &table, q.quarter));
            }
        }
        // Evidence a quarter would be recomputed from, and cannot be read.
        Err(d) => found.push(*d),
    }
    found
}

/// [`unexplained`] for a quarter with a folder: its red (or amber) KPIs need
/// a note typed for the quarter, or its commentary naming them.
pub(crate) fn unexplained_in_quarter(
    project: &Project,
    report: &Report<'_>,
    table: &QuarterTable,
    q: Quarter,
) -> Vec<Diagnostic> {
    let rule = project.config.rules.explain;
    let Some(content) = report.quarter_content(q) else {
        return Vec::new();
    };
    let dir = Path::new(CONTENT_DIR).join(q.to_string());
    let mut found = Vec::new();
    for k in report.kpis_in_quarter(q) {
        let r = table.reading(report, k, q);
        if !needs_explaining(rule, r.status) || r.value.note.is_some() {
            continue;
        }
        let said = mentioned(&content.files, r.kpi);
        if said.commentary || said.summary {
            continue;
        }
        let kpi = r.kpi;
        let text = |v: f64| kpi.show(Lang::english(), v, Medium::Text);
        let value = r.value.value.map(text).unwrap_or_default();
        let target = r.thresholds.map(|t| format!(", target {}", text(t.target))).unwrap_or_default();
        found.push(
            Diagnostic::warning(
                dir.join(format!("{}.md", kpi.accountability)),
                format!("{} is {} in {q} ({value}{target}) and nothing in the quarter's commentary explains it", kpi.name, r.status.label().to_lowercase()),
            )
            .help(format!(
                "the board will ask why: say it in content/{q}/{}.md or summary.md, naming the KPI, or type a note for the quarter in content/{q}/kpis.toml ({} = {{ value = …, note = \"…\" }})",
                kpi.accountability, kpi.id
            )),
        );
    }
    found
}

/// Whether a KPI in `status` needs an explanation under `rule`.
fn needs_explaining(rule: Explain, status: Status) -> bool {
    match rule {
        Explain::Red => status == Status::Red,
        Explain::Amber => status == Status::Red || status == Status::Amber,
        Explain::None => false,
    }
}

/// What the report's language lacks: the words its theme has no translation
/// for (they are written in English), and characters of its words, month
/// names and numbers that no font the PDF may use can draw (Japanese month
/// names with only the embedded fonts). Characters in the project's own files
/// are checked as they are read, at their line.
pub(crate) fn language(project: &Project, theme: &Theme) -> Vec<Diagnostic> {
    let locale = &project.config.language;
    let words = match theme.translations(locale) {
        Ok(words) => words,
        Err(problems) => return problems,
    };
    let mut found = words.diagnostics();
    let lang = Lang::new(locale.clone(), words);
    let mut text = String::new();
    collect_text(lang.tree(), &mut text);
    for m in &project.months {
        text.push_str(&lang.month(m.month));
        text.push(' ');
        text.push_str(&lang.month_short(m.month));
        text.push('\n');
    }
    text.push_str(&lang.locale.number(-1_234_567.89, 2));
    text.push_str(&lang.locale.percent(12.5, 1));
    let missing = missing_glyphs(&text, &project.fonts);
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(8).map(|c| format!("`{c}`")).collect();
        found.push(
            Diagnostic::warning(
                CONFIG_FILE,
                format!(
                    "in the PDF, the words, months and numbers boardpack writes for locale `{}` need {}, which no font it may use has",
                    locale.tag(),
                    shown.join(", ")
                ),
            )
            .help(missing_glyphs_help(&missing)),
        );
    }
    found
}

/// Every text of a words tree, one per line.
fn collect_text(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_text(v, out)),
        _ => {}
    }
}

fn values_file(month: Month) -> PathBuf {
    Path::new(CONTENT_DIR).join(month.to_string()).join(VALUES_FILE)
}

/// Red (and, with `explain = "amber"`, amber) KPIs with no explanation: no
/// note, and no mention in their accountability's commentary. `seal` refuses
/// a month with any.
pub(crate) fn unexplained(project: &Project, report: &Report<'_>, month: Month) -> Vec<Diagnostic> {
    let rule = project.config.rules.explain;
    let Some(content) = project.months.iter().find(|m| m.month == month) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for k in report.kpis_in(month) {
        let r = report.reading(k, month);
        if !needs_explaining(rule, r.status) || r.note.is_some() {
            continue;
        }
        let kpi = r.kpi;
        let said = mentioned(content, kpi);
        if said.commentary || said.summary {
            continue;
        }
        let text = |v: f64| kpi.show(Lang::english(), v, Medium::Text);
        let value = r.value.map(text).unwrap_or_default();
        let target = r.thresholds.map(|t| format!(", target {}", text(t.target))).unwrap_or_default();
        let mut d = Diagnostic::warning(
            values_file(month),
            format!("{} is {} in {} ({value}{target}) and nothing explains it", kpi.name, r.status.label().to_lowercase(), month.long_name()),
        )
        .help(format!(
            "the board will ask why: add a note ({} = {{ value = …, note = \"…\" }}) or say it in {}.md or summary.md, naming the KPI. The rule is [rules] explain = \"{}\" in boardpack.toml",
            kpi.id,
            kpi.accountability,
            match rule {
                Explain::Red => "red",
                Explain::Amber => "amber",
                Explain::None => "none",
            }
        ));
        if let Some(e) = content.values.get(&kpi.id) {
            d = d.at_line_of(e.line, &e.source_line);
        }
        found.push(d);
    }
    found
}

/// A percentage written as a fraction (`0.84` where the history is around 80).
fn fractions(project: &Project, report: &Report<'_>, month: &MonthContent) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (k, kpi) in project.catalogue.kpis.iter().enumerate().filter(|(_, k)| k.is_percentage()) {
        let Some(entry) = month.values.get(&kpi.id) else {
            continue;
        };
        let Some(v) = entry.value.filter(|v| *v > 0.0 && *v <= 1.0) else {
            continue;
        };
        let mut others: Vec<f64> = report.series[k].values.iter().flatten().copied().filter(|o| *o != v).collect();
        if others.is_empty() {
            continue;
        }
        others.sort_by(f64::total_cmp);
        let typical = others[others.len() / 2];
        if typical >= 10.0 {
            let percent = crate::load::catalogue::format_number(v * 100.0, kpi.decimals);
            found.push(
                Diagnostic::warning(
                    values_file(month.month),
                    format!("`{}` is {v}%, but it is usually around {typical}%: did you mean {percent}?", kpi.id),
                )
                .at_line_of(entry.line, &entry.source_line)
                .help(format!("percentages are written as 0 to 100: {} = {percent} for {percent}%", kpi.id)),
            );
        }
    }
    found
}

/// Commentary nested deeper than the PDF keeps: its text stays, its structure
/// below that depth does not.
fn nesting(month: &MonthContent) -> Vec<Diagnostic> {
    let dir = Path::new(CONTENT_DIR).join(month.month.to_string());
    month
        .summary
        .iter()
        .map(|md| (SUMMARY_STEM, md))
        .chain(month.commentary.iter().map(|(id, md)| (id.as_str(), md)))
        .filter_map(|(stem, md)| {
            let line = too_deep(md)?;
            Some(
                Diagnostic::warning(
                    dir.join(format!("{stem}.md")),
                    format!("this commentary nests more than {MAX_NESTING} levels deep (quotes, lists, emphasis inside one another)"),
                )
                .at_line(md, line)
                .help("the page shows it as written; the PDF keeps its text but lays it out flat from this line on. Nest less deeply to keep the structure in the PDF"),
            )
        })
        .collect()
}
