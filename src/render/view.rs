//! View models: the computed report turned into the plain, formatted values
//! that every renderer shows — pages, the PDF and the single-file report all
//! read the same [`MonthBundle`], so they can never disagree about a number.
//!
//! Render stage, pure: charts are drawn here (SVG text), nothing touches disk.

use serde::Serialize;

use crate::chart;
use crate::markdown;
use crate::period::Month;
use crate::project::MonthContent;
use crate::report::{Reading, Report, StatusCounts, CHART_MONTHS, SPARKLINE_MONTHS};
use crate::status::{Status, Trend};
use crate::theme::Palette;
use crate::Error;

/// The report's identity, on every page.
#[derive(Serialize)]
pub(crate) struct SiteView<'a> {
    pub(crate) title: &'a str,
    pub(crate) organisation: &'a str,
    /// Where the site is published, ending in `/`, for canonical links.
    pub(crate) base_url: Option<&'a str>,
}

/// A month as a link: its id (`2026-10`) and its name (`October 2026`).
#[derive(Serialize, Clone)]
pub(crate) struct MonthLink {
    pub(crate) id: String,
    pub(crate) name: String,
}

impl From<Month> for MonthLink {
    fn from(m: Month) -> MonthLink {
        MonthLink { id: m.to_string(), name: m.long_name() }
    }
}

/// One KPI on a scorecard.
#[derive(Serialize, Clone)]
pub(crate) struct Tile {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) value: Option<String>,
    pub(crate) target: String,
    pub(crate) red: String,
    pub(crate) better: &'static str,
    pub(crate) status: &'static str,
    pub(crate) status_label: &'static str,
    pub(crate) delta: Option<String>,
    /// Which way the number moved (not whether that is good: `trend` says that).
    pub(crate) arrow: &'static str,
    pub(crate) trend: Option<&'static str>,
    pub(crate) compared_with: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) sparkline: String,
    /// With no value this month: the latest earlier value, and its month.
    pub(crate) last_value: Option<String>,
    pub(crate) last_month: Option<String>,
}

/// An accountability's part of a month: its tiles and commentary.
#[derive(Serialize)]
pub(crate) struct AccountabilityView {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) question: String,
    pub(crate) tiles: Vec<Tile>,
    /// Sanitised HTML, when commentary was written.
    pub(crate) commentary: Option<String>,
}

/// A KPI that needs the board's attention this month (red or amber).
#[derive(Serialize)]
pub(crate) struct Attention {
    pub(crate) id: String,
    pub(crate) accountability: String,
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) status_label: &'static str,
    pub(crate) value: Option<String>,
    pub(crate) target: String,
    pub(crate) delta: Option<String>,
    pub(crate) trend: Option<&'static str>,
    pub(crate) note: Option<String>,
}

/// One month's scorecard.
#[derive(Serialize)]
pub(crate) struct MonthView {
    pub(crate) id: String,
    pub(crate) name: String,
    /// Sanitised HTML of the executive summary, when written.
    pub(crate) summary: Option<String>,
    pub(crate) accountabilities: Vec<AccountabilityView>,
    pub(crate) counts: StatusCounts,
    /// Red first, then amber, in catalogue order within each.
    pub(crate) attention: Vec<Attention>,
    pub(crate) previous: Option<MonthLink>,
    /// Whether this month's PDF and single-file report are published beside it.
    pub(crate) documents: bool,
}

/// One KPI's section on an accountability page: chart, definition, numbers.
#[derive(Serialize)]
pub(crate) struct ChartView {
    pub(crate) tile: Tile,
    pub(crate) chart: String,
    pub(crate) alt: String,
    pub(crate) definition: String,
    pub(crate) how_to_measure: Option<String>,
    pub(crate) notes: Vec<NoteView>,
    pub(crate) rows: Vec<RowView>,
}

/// A note written for a month, shown under a chart.
#[derive(Serialize)]
pub(crate) struct NoteView {
    pub(crate) month: String,
    pub(crate) text: String,
}

/// One month's row in a KPI's table of numbers.
#[derive(Serialize)]
pub(crate) struct RowView {
    pub(crate) month: String,
    pub(crate) value: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_label: &'static str,
    pub(crate) note: Option<String>,
}

/// A month's line in the archive.
#[derive(Serialize)]
pub(crate) struct ArchiveRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) counts: StatusCounts,
}

/// A KPI on the definitions page and in the PDF's appendix.
#[derive(Serialize)]
pub(crate) struct CatalogueKpi {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) better: &'static str,
    pub(crate) target: String,
    pub(crate) red: String,
    /// HTML.
    pub(crate) definition: String,
    /// HTML, when written.
    pub(crate) how_to_measure: Option<String>,
}

/// An accountability on the definitions page.
#[derive(Serialize)]
pub(crate) struct CatalogueAccountability {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) question: String,
    pub(crate) kpis: Vec<CatalogueKpi>,
}

/// Everything shown for one month, computed once and used by its pages, its
/// single-file HTML report and its PDF.
pub(crate) struct MonthBundle {
    pub(crate) view: MonthView,
    /// Per accountability (catalogue order), its KPIs' charts and numbers.
    pub(crate) charts: Vec<Vec<ChartView>>,
}

/// Computes the views, charts and numbers of one month. `catalogue` is the
/// report's [`catalogue_view`], made once: its definitions are the same every month.
pub(crate) fn month_bundle(
    report: &Report<'_>,
    palette: &Palette,
    catalogue: &[CatalogueAccountability],
    content: &MonthContent,
    previous: Option<Month>,
) -> Result<MonthBundle, Error> {
    let view = month_view(report, palette, content, previous)?;
    let charts = view
        .accountabilities
        .iter()
        .zip(catalogue)
        .map(|(acc, texts)| {
            kpi_indexes(report, &acc.id)
                .zip(&acc.tiles)
                .zip(&texts.kpis)
                .map(|((k, tile), text)| chart_view(report, palette, k, content.month, tile.clone(), text))
                .collect::<Result<Vec<_>, Error>>()
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(MonthBundle { view, charts })
}

/// The catalogue indexes of an accountability's KPIs, in catalogue order: the
/// order of its tiles, charts and definitions.
fn kpi_indexes<'a>(report: &'a Report<'_>, accountability: &'a str) -> impl Iterator<Item = usize> + 'a {
    report
        .project
        .catalogue
        .kpis
        .iter()
        .enumerate()
        .filter(move |(_, k)| k.accountability == accountability)
        .map(|(k, _)| k)
}

fn tile(report: &Report<'_>, palette: &Palette, k: usize, month: Month) -> Result<Tile, Error> {
    let r = report.reading(k, month);
    let kpi = r.kpi;
    let spark = chart::sparkline(kpi, &report.window(k, month, SPARKLINE_MONTHS), r.status, palette)?;
    Ok(Tile {
        id: kpi.id.clone(),
        name: kpi.name.clone(),
        value: r.value.map(|v| kpi.format_value(v)),
        target: kpi.format_value(kpi.target),
        red: kpi.format_value(kpi.red),
        better: kpi.better.words(),
        status: r.status.as_str(),
        status_label: r.status_label(),
        delta: r.change.map(|c| kpi.format_delta(c.delta)),
        arrow: match r.change.map(|c| c.trend) {
            Some(Trend::Flat) | None => "→",
            Some(_) if r.change.is_some_and(|c| c.delta > 0.0) => "↑",
            Some(_) => "↓",
        },
        trend: r.change.map(|c| c.trend.as_str()),
        compared_with: r.compared_with.map(Month::long_name),
        note: r.note.map(str::to_string),
        sparkline: spark,
        last_value: r
            .compared_with
            .filter(|_| r.value.is_none())
            .and_then(|m| report.reading(k, m).value)
            .map(|v| kpi.format_value(v)),
        last_month: r.compared_with.filter(|_| r.value.is_none()).map(Month::long_name),
    })
}

fn month_view(
    report: &Report<'_>,
    palette: &Palette,
    content: &MonthContent,
    previous: Option<Month>,
) -> Result<MonthView, Error> {
    let project = report.project;
    let raw = project.config.markdown.allow_raw_html;
    let month = content.month;
    let catalogue = &project.catalogue;
    let mut accountabilities = Vec::new();
    for acc in &catalogue.accountabilities {
        let tiles =
            kpi_indexes(report, &acc.id).map(|k| tile(report, palette, k, month)).collect::<Result<Vec<_>, _>>()?;
        accountabilities.push(AccountabilityView {
            id: acc.id.clone(),
            name: acc.name.clone(),
            question: acc.question.clone(),
            tiles,
            commentary: content.commentary.get(&acc.id).and_then(|md| written(markdown::to_html(md, raw))),
        });
    }
    Ok(MonthView {
        id: month.to_string(),
        name: month.long_name(),
        summary: content.summary.as_deref().and_then(|md| written(markdown::to_html(md, raw))),
        attention: attention(&accountabilities),
        accountabilities,
        counts: report.counts(month),
        previous: previous.map(MonthLink::from),
        documents: false,
    })
}

/// The red and amber KPIs, red first: what the board will ask about.
fn attention(accountabilities: &[AccountabilityView]) -> Vec<Attention> {
    let mut flagged: Vec<(&AccountabilityView, &Tile)> = accountabilities
        .iter()
        .flat_map(|a| a.tiles.iter().map(move |t| (a, t)))
        .filter(|(_, t)| t.status == Status::Red.as_str() || t.status == Status::Amber.as_str())
        .collect();
    flagged.sort_by_key(|(_, t)| t.status != Status::Red.as_str());
    flagged
        .into_iter()
        .map(|(a, t)| Attention {
            id: t.id.clone(),
            accountability: a.id.clone(),
            name: t.name.clone(),
            status: t.status,
            status_label: t.status_label,
            value: t.value.clone(),
            target: t.target.clone(),
            delta: t.delta.clone(),
            trend: t.trend,
            note: t.note.clone(),
        })
        .collect()
}

/// Commentary that holds only the stub's comment (or nothing) counts as not written.
pub(crate) fn written(html: String) -> Option<String> {
    let text = html.trim();
    let only_comment = text.starts_with("<!--") && text.ends_with("-->") && text.matches("<!--").count() == 1;
    let empty = text.is_empty() || only_comment;
    (!empty).then_some(html)
}

fn chart_view(
    report: &Report<'_>,
    palette: &Palette,
    k: usize,
    month: Month,
    tile: Tile,
    texts: &CatalogueKpi,
) -> Result<ChartView, Error> {
    let r = report.reading(k, month);
    let kpi = r.kpi;
    let window = report.window(k, month, CHART_MONTHS);
    let alt = chart_alt(&r, month, window.start);
    let chart = chart::full_chart(kpi, &window, r.status, &alt, palette)?;
    let notes = (0..window.values.len())
        .filter_map(|i| {
            window.notes[i].as_ref().map(|n| NoteView { month: window.month_at(i).long_name(), text: n.clone() })
        })
        .collect();
    let rows = (0..window.values.len())
        .rev()
        .map(|i| {
            let m = window.month_at(i);
            let reading = report.reading(k, m);
            RowView {
                month: m.long_name(),
                value: reading.value.map(|v| kpi.format_value(v)),
                status: reading.status.as_str(),
                status_label: reading.status_label(),
                note: reading.note.map(str::to_string),
            }
        })
        .collect();
    Ok(ChartView {
        tile,
        chart,
        alt,
        definition: texts.definition.clone(),
        how_to_measure: texts.how_to_measure.clone(),
        notes,
        rows,
    })
}

/// The text alternative of a chart: what a sighted reader takes from it.
fn chart_alt(r: &Reading<'_>, month: Month, start: Month) -> String {
    let kpi = r.kpi;
    let value = r.value.map_or_else(|| "no data".to_string(), |v| kpi.format_value(v));
    format!(
        "{} from {} to {}: {} in {}, target {} ({}), red beyond {}; status {}.",
        kpi.name,
        start.long_name(),
        month.long_name(),
        value,
        month.long_name(),
        kpi.format_value(kpi.target),
        kpi.better.words(),
        kpi.format_value(kpi.red),
        r.status_label().to_lowercase(),
    )
}

/// The catalogue as the definitions page and the PDF's appendix show it.
pub(crate) fn catalogue_view(report: &Report<'_>) -> Vec<CatalogueAccountability> {
    let catalogue = &report.project.catalogue;
    catalogue
        .accountabilities
        .iter()
        .map(|a| CatalogueAccountability {
            id: a.id.clone(),
            name: a.name.clone(),
            question: a.question.clone(),
            kpis: catalogue
                .kpis_of(&a.id)
                .map(|k| CatalogueKpi {
                    id: k.id.clone(),
                    name: k.name.clone(),
                    unit: k.unit.clone(),
                    better: k.better.words(),
                    target: k.format_value(k.target),
                    red: k.format_value(k.red),
                    definition: markdown::to_html(&k.definition, false),
                    how_to_measure: written(markdown::to_html(&k.how_to_measure, false)),
                })
                .collect(),
        })
        .collect()
}

/// Every month's line in the archive, newest first.
pub(crate) fn archive_rows(report: &Report<'_>) -> Vec<ArchiveRow> {
    report
        .project
        .months
        .iter()
        .rev()
        .map(|m| ArchiveRow { id: m.month.to_string(), name: m.month.long_name(), counts: report.counts(m.month) })
        .collect()
}
