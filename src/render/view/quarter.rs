//! A quarter's views: its scorecard (`quarter.html`, page 1 of its PDF), a
//! row per KPI with the quarter's value, its three months and its changes on
//! the quarter before and a year before; and per accountability, each KPI's
//! quarters charted and tabulated (`quarter-accountability.html`).
//!
//! Made once per quarter and read by its pages, its PDF and its single-file
//! report, so they never disagree about a number.

use serde::Serialize;

use super::{tally, written, Tally};
use crate::base::i18n::Lang;
use crate::base::period::{Month, Quarter};
use crate::base::status::{Change, Status, Trend};
use crate::compute::commentary::mentioned;
use crate::compute::quarter::{QuarterReading, QuarterTable, CHART_QUARTERS};
use crate::compute::report::{Report, StatusCounts, Window};
use crate::load::catalogue::{Kpi, Medium, Thresholds};
use crate::load::project::{MonthContent, QuarterContent};
use crate::load::theme::Palette;
use crate::render::{chart, markdown};
use crate::Error;

/// A quarter as a link: its id (`2026-Q3`) and its name (`Q3 2026`).
#[derive(Serialize, Clone, Debug)]
pub(crate) struct QuarterLink {
    pub(crate) id: String,
    pub(crate) name: String,
}

impl QuarterLink {
    pub(crate) fn new(lang: &Lang, q: Quarter) -> QuarterLink {
        QuarterLink { id: q.to_string(), name: lang.quarter(q) }
    }
}

/// One of a quarter's months in a KPI's row.
#[derive(Serialize, Clone, Debug)]
pub(crate) struct MonthCellView {
    /// The month's id, when its report is published (for a link).
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) value: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_label: String,
}

/// A change on an earlier quarter: "−0.4 days on Q2 2026 (2.8 days)".
#[derive(Serialize, Clone, Debug)]
pub(crate) struct Compared {
    pub(crate) quarter: String,
    pub(crate) value: String,
    pub(crate) delta: String,
    pub(crate) arrow: &'static str,
    pub(crate) trend: &'static str,
    pub(crate) trend_word: String,
    /// The whole phrase, in the report's language.
    pub(crate) text: String,
}

/// One KPI's row on the quarter's scorecard.
#[derive(Serialize, Clone, Debug)]
pub(crate) struct QuarterRow {
    pub(crate) id: String,
    pub(crate) accountability: String,
    pub(crate) name: String,
    pub(crate) value: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_label: String,
    pub(crate) target: Option<String>,
    pub(crate) red: Option<String>,
    pub(crate) better: String,
    /// How the quarter value was made, in words.
    pub(crate) made: String,
    pub(crate) note: Option<String>,
    pub(crate) months: Vec<MonthCellView>,
    pub(crate) previous: Option<Compared>,
    pub(crate) year: Option<Compared>,
    /// The months it was red or amber in, named: "August 2026 (red)".
    pub(crate) off_months: Vec<String>,
}

/// An accountability's part of a quarter.
#[derive(Serialize, Debug)]
pub(crate) struct QuarterAccountability {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) question: String,
    pub(crate) rows: Vec<QuarterRow>,
    /// Sanitised HTML of the quarter's commentary, when written.
    pub(crate) commentary: Option<String>,
}

/// A KPI that needs the board's attention this quarter (red or amber).
#[derive(Serialize, Debug)]
pub(crate) struct QuarterAttention {
    pub(crate) id: String,
    pub(crate) accountability: String,
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) value: Option<String>,
    pub(crate) target: Option<String>,
    pub(crate) made: String,
    pub(crate) note: Option<String>,
    pub(crate) off_months: Vec<String>,
    pub(crate) in_commentary: bool,
    pub(crate) in_summary: bool,
}

/// One quarter's report.
#[derive(Serialize, Debug)]
pub(crate) struct QuarterView {
    pub(crate) id: String,
    pub(crate) name: String,
    /// Its months in words: "July 2026 to September 2026".
    pub(crate) span: String,
    /// Its months, for the column headings, and a link to each month's report.
    pub(crate) months: Vec<MonthCellView>,
    /// The months of the quarter with no report, named: the quarter says so.
    pub(crate) unreported: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) accountabilities: Vec<QuarterAccountability>,
    pub(crate) counts: StatusCounts,
    pub(crate) tally: Vec<Tally>,
    pub(crate) attention: Vec<QuarterAttention>,
    pub(crate) previous: Option<QuarterLink>,
    /// Whether the PDF and single-file report are published beside it.
    pub(crate) documents: bool,
    pub(crate) draft: bool,
    pub(crate) sealed: bool,
    /// Whether any KPI has a value for the quarter before / a year before
    /// (a column with nothing in it is left out).
    pub(crate) has_previous: bool,
    pub(crate) has_year: bool,
    /// How many columns the scorecard's table has.
    pub(crate) columns: usize,
}

/// One KPI's quarters, charted and tabulated on its accountability's page.
#[derive(Serialize, Clone, Debug)]
pub(crate) struct QuarterChart {
    pub(crate) row: QuarterRow,
    /// The quarters chart (SVG text).
    pub(crate) chart: String,
    /// The chart's text alternative.
    pub(crate) alt: String,
    /// The month whose report holds the KPI's monthly chart, when published.
    pub(crate) month_chart: Option<String>,
    /// Each quarter charted, newest first: name, value, status and how it was made.
    pub(crate) quarters: Vec<QuarterHistoryRow>,
}

/// A quarter in a KPI's table of quarters.
#[derive(Serialize, Clone, Debug)]
pub(crate) struct QuarterHistoryRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) value: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_label: String,
    pub(crate) made: String,
}

/// Everything shown for one quarter.
pub(crate) struct QuarterBundle {
    pub(crate) view: QuarterView,
    /// Per accountability shown, its KPIs' charts.
    pub(crate) charts: Vec<Vec<QuarterChart>>,
}

/// What every quarter of one report is made from.
pub(crate) struct QuarterShared<'a> {
    pub(crate) report: &'a Report<'a>,
    pub(crate) table: &'a QuarterTable,
    pub(crate) lang: &'a Lang,
    pub(crate) palette: &'a Palette,
}

/// Which way a number moved (not whether that is good: the trend says that).
fn arrow(change: Change) -> &'static str {
    match change {
        c if c.trend != Trend::Flat && c.delta > 0.0 => "↑",
        c if c.trend != Trend::Flat => "↓",
        _ => "→",
    }
}

fn compared(lang: &Lang, kpi: &Kpi, (q, was, change): (Quarter, f64, Change)) -> Compared {
    let (quarter, value) = (lang.quarter(q), kpi.show(lang, was, Medium::Page));
    let delta = kpi.show_change(lang, change.delta, Medium::Page);
    let text = lang.fill("quarter.compared", &[("delta", &delta), ("quarter", &quarter), ("value", &value)]);
    Compared {
        quarter,
        value,
        delta,
        arrow: arrow(change),
        trend: change.trend.as_str(),
        trend_word: lang.get(change.trend.key()).to_string(),
        text,
    }
}

/// A month of the quarter as its column or cell shows it.
fn month_cell(
    lang: &Lang,
    kpi: Option<&Kpi>,
    month: Month,
    value: Option<f64>,
    status: Status,
    published: bool,
) -> MonthCellView {
    let status_label = match (published, value) {
        (false, _) => lang.get("quarter.not_reported").to_string(),
        (true, _) => lang.get(status.key()).to_string(),
    };
    MonthCellView {
        id: published.then(|| month.to_string()),
        name: lang.month(month),
        value: kpi.zip(value).map(|(k, v)| k.show(lang, v, Medium::Page)),
        status: status.as_str(),
        status_label,
    }
}

fn row(shared: &QuarterShared<'_>, r: &QuarterReading<'_>) -> QuarterRow {
    let (report, lang) = (shared.report, shared.lang);
    let kpi = r.kpi;
    let show = |v: f64| kpi.show(lang, v, Medium::Page);
    let published = |m: Month| report.project.months.iter().any(|c| c.month == m);
    let months: Vec<MonthCellView> =
        r.months.iter().map(|c| month_cell(lang, Some(kpi), c.month, c.value, c.status, published(c.month))).collect();
    let off_months = r
        .months
        .iter()
        .filter(|c| matches!(c.status, Status::Red | Status::Amber))
        .map(|c| {
            format!("{} ({})", lang.month_short(c.month), lang.get(&format!("status.inline.{}", c.status.as_str())))
        })
        .collect();
    QuarterRow {
        id: kpi.id.clone(),
        accountability: kpi.accountability.clone(),
        name: kpi.name.clone(),
        value: r.value.value.map(show),
        status: r.status.as_str(),
        status_label: lang.get(r.status_key()).to_string(),
        target: r.thresholds.map(|t| show(t.target)),
        red: r.thresholds.map(|t| show(t.red)),
        better: lang.get(kpi.better.key()).to_string(),
        made: r.value.made.in_language(lang),
        note: r.value.note.clone(),
        months,
        previous: r.previous.map(|c| compared(lang, kpi, c)),
        year: r.year_before.map(|c| compared(lang, kpi, c)),
        off_months,
    }
}

/// The quarter's folder, or an empty one for a quarter reported without one.
fn content_of(report: &Report<'_>, q: Quarter) -> QuarterContent {
    report.quarter_content(q).cloned().unwrap_or_else(|| QuarterContent {
        quarter: q,
        files: MonthContent { month: q.last(), ..MonthContent::default() },
    })
}

/// Computes the views and charts of quarter `q`.
pub(crate) fn quarter_bundle(shared: &QuarterShared<'_>, q: Quarter) -> Result<QuarterBundle, Error> {
    let (report, lang) = (shared.report, shared.lang);
    let project = report.project;
    let raw = project.config.markdown.allow_raw_html;
    let content = content_of(report, q);
    let files = &content.files;
    let html = |md: Option<&String>| md.and_then(|md| written(markdown::to_html(md, raw)));
    let mut counts = StatusCounts::default();
    let mut accountabilities = Vec::new();
    let mut charts = Vec::new();
    for acc in project.catalogue.accountabilities_in(q.last()) {
        let mut rows = Vec::new();
        let mut acc_charts = Vec::new();
        let kpis = report.kpis_in_quarter(q).filter(|&k| project.catalogue.kpis[k].accountability == acc.id);
        for k in kpis {
            let reading = shared.table.reading(report, k, q);
            counts.add(reading.status);
            let row = row(shared, &reading);
            acc_charts.push(quarter_chart(shared, k, q, reading.status, row.clone())?);
            rows.push(row);
        }
        accountabilities.push(QuarterAccountability {
            id: acc.id.clone(),
            name: acc.name.clone(),
            question: acc.question.clone(),
            rows,
            commentary: html(files.commentary.get(&acc.id)),
        });
        charts.push(acc_charts);
    }
    let published = |m: Month| project.months.iter().any(|c| c.month == m);
    let months = q.months().iter().map(|&m| month_cell(lang, None, m, None, Status::None, published(m))).collect();
    let missing: Vec<String> = q.months().into_iter().filter(|m| !published(*m)).map(|m| lang.month(m)).collect();
    let unreported = (!missing.is_empty()).then(|| {
        let phrase = lang.count("quarter.unreported", missing.len());
        crate::base::i18n::fill(&phrase, &[("months", &missing.join(lang.get("measured.list")))])
    });
    let attention = attention(&accountabilities, files, report);
    let has_previous = accountabilities.iter().flat_map(|a| &a.rows).any(|r| r.previous.is_some());
    let has_year = accountabilities.iter().flat_map(|a| &a.rows).any(|r| r.year.is_some());
    // The quarter before that has a report of its own to link to.
    let previous = project.quarters.iter().rev().find(|p| p.quarter < q).map(|p| QuarterLink::new(lang, p.quarter));
    let view = QuarterView {
        id: q.to_string(),
        name: lang.quarter(q),
        span: lang.quarter_span(q),
        months,
        unreported,
        summary: html(files.summary.as_ref()),
        accountabilities,
        tally: tally(lang, &counts),
        counts,
        attention,
        previous,
        documents: false,
        draft: files.draft,
        sealed: content.seal().is_some(),
        has_previous,
        has_year,
        columns: 6 + usize::from(has_previous) + usize::from(has_year),
    };
    Ok(QuarterBundle { view, charts })
}

/// The red and amber KPIs of the quarter, red first, each with its explanation.
fn attention(
    accountabilities: &[QuarterAccountability],
    files: &MonthContent,
    report: &Report<'_>,
) -> Vec<QuarterAttention> {
    let mut flagged: Vec<(&QuarterAccountability, &QuarterRow)> = accountabilities
        .iter()
        .flat_map(|a| a.rows.iter().map(move |r| (a, r)))
        .filter(|(_, r)| r.status == Status::Red.as_str() || r.status == Status::Amber.as_str())
        .collect();
    flagged.sort_by_key(|(_, r)| r.status != Status::Red.as_str());
    flagged
        .into_iter()
        .filter_map(|(a, r)| report.project.catalogue.kpi(&r.id).map(|k| (a, r, mentioned(files, k))))
        .map(|(a, r, said)| QuarterAttention {
            id: r.id.clone(),
            accountability: a.id.clone(),
            name: r.name.clone(),
            status: r.status,
            value: r.value.clone(),
            target: r.target.clone(),
            made: r.made.clone(),
            note: r.note.clone(),
            off_months: r.off_months.clone(),
            in_commentary: said.commentary,
            in_summary: said.summary,
        })
        .collect()
}

/// KPI `k`'s quarters up to `q`, charted and tabulated.
fn quarter_chart(
    shared: &QuarterShared<'_>,
    k: usize,
    q: Quarter,
    status: Status,
    row: QuarterRow,
) -> Result<QuarterChart, Error> {
    let (report, lang) = (shared.report, shared.lang);
    let kpi = &report.project.catalogue.kpis[k];
    let history = shared.table.history(report, k, q, CHART_QUARTERS);
    let values: Vec<Option<f64>> = history.iter().map(|(_, v)| *v).collect();
    let thresholds: Vec<Option<Thresholds>> = history.iter().map(|(q, _)| kpi.thresholds_at(q.last())).collect();
    let notes = vec![None; history.len()];
    let in_force = vec![true; history.len()];
    let restated = vec![None; history.len()];
    let window = Window {
        start: history.first().map_or(q.first(), |(q, _)| q.first()),
        values: &values,
        notes: &notes,
        thresholds: &thresholds,
        in_force: &in_force,
        restated: &restated,
    };
    let labels: Vec<String> = history.iter().map(|(q, _)| lang.quarter(*q)).collect();
    let now = row.value.clone().unwrap_or_else(|| row.status_label.clone());
    let alt = format!("{}: {now}, {}", lang.fill("quarter.by_quarter", &[("kpi", &kpi.name)]), row.status_label);
    let chart = chart::full_chart_labelled(kpi, &window, status, &alt, shared.palette, lang, &labels)?;
    let published: Vec<Month> = report.project.months.iter().map(|m| m.month).collect();
    let month_chart = q.months().into_iter().rev().find(|m| published.contains(m)).map(|m| m.to_string());
    let quarters = history
        .iter()
        .rev()
        .map(|&(hq, _)| {
            let r = shared.table.reading(report, k, hq);
            QuarterHistoryRow {
                id: hq.to_string(),
                name: lang.quarter(hq),
                value: r.value.value.map(|v| kpi.show(lang, v, Medium::Page)),
                status: r.status.as_str(),
                status_label: lang.get(r.status_key()).to_string(),
                made: r.value.made.in_language(lang),
            }
        })
        .collect();
    Ok(QuarterChart { row, chart, alt, month_chart, quarters })
}
