//! Render stage: turns the computed report into the files of the site, in memory.
//!
//! Pages are Tera templates fed plain view models built here; charts come from
//! [`crate::chart`], commentary from [`crate::markdown`]. Every link is relative
//! (each page knows how far it is from the site root), so the site works under
//! any sub-path and straight from disk. Nothing here reads the clock or the
//! environment, so the same input renders the same bytes.

use serde::Serialize;
use tera::Context;

use crate::catalogue::Kpi;
use crate::chart;
use crate::export;
use crate::markdown;
use crate::period::Month;
use crate::project::MonthContent;
use crate::report::{Reading, Report, StatusCounts, CHART_MONTHS, SPARKLINE_MONTHS};
use crate::theme::{error_chain, Theme};
use crate::Error;

/// One file of the site: a path relative to the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    organisation: &'a str,
    latest: MonthLink,
}

#[derive(Serialize, Clone)]
struct MonthLink {
    id: String,
    name: String,
}

impl From<Month> for MonthLink {
    fn from(m: Month) -> MonthLink {
        MonthLink { id: m.to_string(), name: m.long_name() }
    }
}

#[derive(Serialize)]
struct Tile {
    id: String,
    name: String,
    value: Option<String>,
    target: String,
    red: String,
    better: &'static str,
    status: &'static str,
    status_label: &'static str,
    delta: Option<String>,
    /// Which way the number moved (not whether that is good: `trend` says that).
    arrow: &'static str,
    trend: Option<&'static str>,
    compared_with: Option<String>,
    note: Option<String>,
    sparkline: String,
}

#[derive(Serialize)]
struct AccountabilityView {
    id: String,
    name: String,
    question: String,
    tiles: Vec<Tile>,
    commentary: Option<String>,
}

#[derive(Serialize)]
struct MonthView {
    id: String,
    name: String,
    summary: Option<String>,
    accountabilities: Vec<AccountabilityView>,
    counts: StatusCounts,
    previous: Option<MonthLink>,
}

#[derive(Serialize)]
struct ChartView {
    tile: Tile,
    chart: String,
    alt: String,
    definition: String,
    how_to_measure: String,
    notes: Vec<NoteView>,
    rows: Vec<RowView>,
}

#[derive(Serialize)]
struct NoteView {
    month: String,
    text: String,
}

#[derive(Serialize)]
struct RowView {
    month: String,
    value: Option<String>,
    status: &'static str,
    status_label: &'static str,
    note: Option<String>,
}

#[derive(Serialize)]
struct ArchiveRow {
    id: String,
    name: String,
    counts: StatusCounts,
}

#[derive(Serialize)]
struct CatalogueKpi {
    id: String,
    name: String,
    unit: String,
    better: &'static str,
    target: String,
    red: String,
    definition: String,
    how_to_measure: String,
}

#[derive(Serialize)]
struct CatalogueAccountability {
    id: String,
    name: String,
    question: String,
    kpis: Vec<CatalogueKpi>,
}

/// Renders every file of the site.
pub fn render_site(report: &Report<'_>, theme: &Theme) -> Result<Vec<SiteFile>, Error> {
    let project = report.project;
    let latest = project.months.last().ok_or_else(|| Error::Internal("no month to render".into()))?;
    let site = SiteView {
        title: &project.config.title,
        organisation: &project.config.organisation,
        latest: latest.month.into(),
    };
    let mut files = Vec::new();
    for (i, content) in project.months.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| project.months[p].month);
        render_month(report, theme, &site, content, previous, &mut files)?;
    }
    let latest_view = month_view(report, latest, project.months.iter().rev().nth(1).map(|m| m.month))?;
    files.push(page(theme, "scorecard.html", "index.html", &site, "", |c| c.insert("month", &latest_view))?);
    let archive: Vec<ArchiveRow> = project
        .months
        .iter()
        .rev()
        .map(|m| ArchiveRow { id: m.month.to_string(), name: m.month.long_name(), counts: report.counts(m.month) })
        .collect();
    files.push(page(theme, "archive.html", "archive/index.html", &site, "../", |c| c.insert("months", &archive))?);
    let catalogue = catalogue_view(report);
    files.push(page(theme, "catalogue.html", "kpis/index.html", &site, "../", |c| {
        c.insert("accountabilities", &catalogue)
    })?);
    for (name, bytes) in &theme.statics {
        files.push(SiteFile { path: format!("static/{name}"), bytes: bytes.clone() });
    }
    Ok(files)
}

fn render_month(
    report: &Report<'_>,
    theme: &Theme,
    site: &SiteView<'_>,
    content: &MonthContent,
    previous: Option<Month>,
    files: &mut Vec<SiteFile>,
) -> Result<(), Error> {
    let month = content.month;
    let id = month.to_string();
    let view = month_view(report, content, previous)?;
    files.push(page(theme, "scorecard.html", &format!("{id}/index.html"), site, "../", |c| c.insert("month", &view))?);
    let catalogue = &report.project.catalogue;
    for (acc, acc_view) in catalogue.accountabilities.iter().zip(&view.accountabilities) {
        let mut charts = Vec::new();
        for (k, kpi) in catalogue.kpis.iter().enumerate().filter(|(_, k)| k.accountability == acc.id) {
            let chart = chart_view(report, k, month)?;
            files.push(SiteFile {
                path: format!("{id}/charts/{}.svg", kpi.id),
                bytes: chart.chart.clone().into_bytes(),
            });
            charts.push(chart);
        }
        files.push(page(theme, "accountability.html", &format!("{id}/{}/index.html", acc.id), site, "../../", |c| {
            c.insert("month", &view);
            c.insert("accountability", acc_view);
            c.insert("charts", &charts);
        })?);
    }
    let readings: Vec<Reading<'_>> = (0..catalogue.kpis.len()).map(|k| report.reading(k, month)).collect();
    files.push(SiteFile {
        path: format!("{id}/data.json"),
        bytes: export::json(&report.project.config.organisation, month, &readings)?,
    });
    files.push(SiteFile { path: format!("{id}/data.csv"), bytes: export::csv(&readings)? });
    Ok(())
}

fn page(
    theme: &Theme,
    template: &str,
    path: &str,
    site: &SiteView<'_>,
    root: &str,
    fill: impl FnOnce(&mut Context),
) -> Result<SiteFile, Error> {
    let mut ctx = Context::new();
    ctx.insert("site", site);
    ctx.insert("root", root);
    ctx.insert("page_path", path);
    fill(&mut ctx);
    let html = theme.tera.render(template, &ctx).map_err(|e| Error::Template {
        template: theme.origins.get(template).map_or_else(|| template.to_string(), |p| p.display().to_string()),
        page: path.to_string(),
        message: error_chain(&e),
    })?;
    Ok(SiteFile { path: path.to_string(), bytes: html.into_bytes() })
}

fn tile(report: &Report<'_>, k: usize, month: Month) -> Result<Tile, Error> {
    let r = report.reading(k, month);
    let kpi = r.kpi;
    let spark = chart::sparkline(kpi, &report.window(k, month, SPARKLINE_MONTHS), r.status)?;
    Ok(Tile {
        id: kpi.id.clone(),
        name: kpi.name.clone(),
        value: r.value.map(|v| kpi.format_value(v)),
        target: kpi.format_value(kpi.target),
        red: kpi.format_value(kpi.red),
        better: better_words(kpi),
        status: r.status.as_str(),
        status_label: r.status.label(),
        delta: r.change.map(|c| kpi.format_delta(c.delta)),
        arrow: match r.change.map(|c| c.trend) {
            Some(crate::status::Trend::Flat) | None => "→",
            Some(_) if r.change.is_some_and(|c| c.delta > 0.0) => "↑",
            Some(_) => "↓",
        },
        trend: r.change.map(|c| c.trend.as_str()),
        compared_with: r.compared_with.map(Month::long_name),
        note: r.note.map(str::to_string),
        sparkline: spark,
    })
}

fn better_words(kpi: &Kpi) -> &'static str {
    match kpi.better {
        crate::status::Better::Lower => "lower is better",
        crate::status::Better::Higher => "higher is better",
    }
}

fn month_view(report: &Report<'_>, content: &MonthContent, previous: Option<Month>) -> Result<MonthView, Error> {
    let project = report.project;
    let raw = project.config.markdown.allow_raw_html;
    let month = content.month;
    let catalogue = &project.catalogue;
    let mut accountabilities = Vec::new();
    for acc in &catalogue.accountabilities {
        let tiles = catalogue
            .kpis
            .iter()
            .enumerate()
            .filter(|(_, k)| k.accountability == acc.id)
            .map(|(k, _)| tile(report, k, month))
            .collect::<Result<Vec<_>, _>>()?;
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
        accountabilities,
        counts: report.counts(month),
        previous: previous.map(MonthLink::from),
    })
}

/// Commentary that holds only the stub's comment (or nothing) counts as not written.
fn written(html: String) -> Option<String> {
    let text = html.trim();
    let only_comment = text.starts_with("<!--") && text.ends_with("-->") && text.matches("<!--").count() == 1;
    let empty = text.is_empty() || only_comment;
    (!empty).then_some(html)
}

fn chart_view(report: &Report<'_>, k: usize, month: Month) -> Result<ChartView, Error> {
    let r = report.reading(k, month);
    let kpi = r.kpi;
    let window = report.window(k, month, CHART_MONTHS);
    let alt = chart_alt(&r, month, window.start);
    let chart = chart::full_chart(kpi, &window, r.status, &alt)?;
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
                status_label: reading.status.label(),
                note: reading.note.map(str::to_string),
            }
        })
        .collect();
    Ok(ChartView {
        tile: tile(report, k, month)?,
        chart,
        alt,
        definition: markdown::to_html(&kpi.definition, false),
        how_to_measure: markdown::to_html(&kpi.how_to_measure, false),
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
        better_words(kpi),
        kpi.format_value(kpi.red),
        r.status.label().to_lowercase(),
    )
}

fn catalogue_view(report: &Report<'_>) -> Vec<CatalogueAccountability> {
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
                    better: better_words(k),
                    target: k.format_value(k.target),
                    red: k.format_value(k.red),
                    definition: markdown::to_html(&k.definition, false),
                    how_to_measure: markdown::to_html(&k.how_to_measure, false),
                })
                .collect(),
        })
        .collect()
}
