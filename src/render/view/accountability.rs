//! A KPI's section on its accountability's page (`accountability.html`, and
//! the PDF's pages after the scorecard): its chart and the chart's text
//! alternative, its definition, its notes and its table of numbers.

use serde::Serialize;

use super::catalogue::KpiTexts;
use super::{Shared, Tile, YearView};
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::base::status::Status;
use crate::compute::report::{Reading, CHART_MONTHS};
use crate::load::catalogue::Medium;
use crate::load::project::{MonthContent, EVIDENCE_DIR};
use crate::render::chart;
use crate::Error;

/// One KPI's section on an accountability page: chart, definition, numbers.
#[derive(Serialize)]
pub(crate) struct ChartView {
    pub(crate) tile: Tile,
    pub(crate) chart: String,
    pub(crate) alt: String,
    /// The KPI's definition and how it is measured, as the definitions page has them.
    #[serde(flatten)]
    pub(crate) texts: KpiTexts,
    pub(crate) notes: Vec<NoteView>,
    pub(crate) rows: Vec<RowView>,
    /// Each of `rows` as the theme's `row.html` renders it.
    pub(crate) rows_html: Vec<String>,
    /// Whether the table has its column for the same month a year before:
    /// some row has one (a report's first year has none).
    pub(crate) years: bool,
    /// Whether the chart shows a value restated after it was sent.
    pub(crate) restated: bool,
    #[serde(flatten)]
    pub(crate) provenance: Provenance,
}

/// How `boardpack measure` computed a KPI's value this month, when it did.
#[derive(Serialize, Default)]
pub(crate) struct Provenance {
    /// How `boardpack measure` computed the value, when it did.
    pub(crate) measured: Option<String>,
    /// The evidence file's path from the month's folder (`evidence/KPI.csv`), when there is one.
    pub(crate) evidence: Option<String>,
    /// How many rows of data the computation used.
    pub(crate) rows_used: Option<u64>,
}

impl Provenance {
    /// What the month's values and evidence say of how `kpi` was measured.
    pub(super) fn of(content: &MonthContent, kpi: &str) -> Provenance {
        let entry = content.values.get(kpi);
        let measured = entry.and_then(|e| e.measured.clone());
        let evidence =
            (measured.is_some() && content.evidence.contains_key(kpi)).then(|| format!("{EVIDENCE_DIR}/{kpi}.csv"));
        Provenance { measured, evidence, rows_used: entry.and_then(|e| e.rows) }
    }
}

/// A note written for a month, shown under a chart.
#[derive(Serialize)]
pub(crate) struct NoteView {
    pub(crate) month: String,
    pub(crate) text: String,
}

/// One month's row in a KPI's table of numbers.
#[derive(Serialize, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RowView {
    pub(crate) month: String,
    pub(crate) value: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_label: String,
    pub(crate) note: Option<String>,
    /// The month whose report restated this value.
    pub(crate) restated: Option<String>,
    /// The change on the same month a year before, where both have values.
    pub(crate) year: Option<YearView>,
}

/// Each KPI's row for each month, made once per report: a month's table shows
/// the 24 months up to it, so otherwise every row would be formatted again for
/// each of the 24 months that show it (6 % of a cold build's instructions).
/// A row depends only on the report, the KPI and the month.
pub(crate) type Rows = crate::render::Memo<(usize, Month), RowView>;

pub(super) fn chart_view(
    shared: &Shared<'_>,
    k: usize,
    month: Month,
    tile: Tile,
    texts: KpiTexts,
    provenance: Provenance,
) -> Result<ChartView, Error> {
    let (report, lang) = (shared.report, shared.lang);
    let r = report.reading(k, month);
    let kpi = r.kpi;
    let window = report.window(k, month, CHART_MONTHS);
    let charted = window.tracked();
    let alt = chart_alt(lang, &r, month, charted.start);
    let chart = chart::full_chart(kpi, &charted, r.status, &alt, shared.palette, lang)?;
    let notes = (0..window.values.len())
        .filter_map(|i| {
            window.notes[i].as_ref().map(|n| NoteView { month: lang.month(window.month_at(i)), text: n.clone() })
        })
        .collect();
    let rows = (0..window.values.len())
        .rev()
        .map(|i| {
            let m = window.month_at(i);
            if !window.in_force[i] {
                return RowView {
                    month: lang.month(m),
                    // A dash, not "no data": nothing was due that month.
                    value: Some("—".to_string()),
                    status: Status::None.as_str(),
                    status_label: lang.get("status.not_tracked").to_string(),
                    note: None,
                    restated: None,
                    year: None,
                };
            }
            let row = || {
                let reading = report.reading(k, m);
                RowView {
                    month: lang.month(m),
                    value: reading.value.map(|v| kpi.show(lang, v, Medium::Page)),
                    status: reading.status.as_str(),
                    status_label: lang.get(reading.status_key()).to_string(),
                    note: reading.note.map(str::to_string),
                    restated: reading.restated.map(|m| lang.month(m)),
                    year: report.year_before(k, m).map(|y| YearView::new(lang, kpi, y)),
                }
            };
            match shared.rows {
                Some(rows) => {
                    let Ok(row) = rows.get_or(&(k, m), || Ok::<_, std::convert::Infallible>(row()));
                    row
                }
                None => row(),
            }
        })
        .collect::<Vec<RowView>>();
    // The year-before column only where some month of the table has one.
    let years = rows.iter().any(|r| r.year.is_some());
    let rows_html = rows.iter().map(|r| shared.rows_html.get(&kpi.id, r, years)).collect::<Result<_, Error>>()?;
    Ok(ChartView {
        tile,
        chart,
        alt,
        texts,
        notes,
        rows,
        rows_html,
        years,
        restated: window.restated.iter().any(Option::is_some),
        provenance,
    })
}

/// The text alternative of a chart: what a sighted reader takes from it.
fn chart_alt(lang: &Lang, r: &Reading<'_>, month: Month, start: Month) -> String {
    let kpi = r.kpi;
    let value = r.value.map_or_else(|| lang.get("status.inline.none").to_string(), |v| kpi.show(lang, v, Medium::Page));
    let (start, end) = (lang.month(start), lang.month(month));
    let status = lang.get(&format!("status.inline.{}", r.status_key().trim_start_matches("status."))).to_string();
    let better = lang.get(kpi.better.key());
    let mut args = vec![("kpi", kpi.name.as_str()), ("start", &start), ("end", &end), ("value", &value)];
    args.extend([("better", better), ("status", &status)]);
    match r.thresholds {
        Some(t) => {
            let (target, red) = (kpi.show(lang, t.target, Medium::Page), kpi.show(lang, t.red, Medium::Page));
            args.extend([("target", target.as_str()), ("red", red.as_str())]);
            lang.fill("chart.alt", &args)
        }
        None => lang.fill("chart.alt_no_target", &args),
    }
}
