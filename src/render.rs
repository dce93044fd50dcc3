//! Render stage: turns the computed report into the files of the site, in memory.
//!
//! Pages are Tera templates fed plain view models built here; charts come from
//! [`crate::chart`], commentary from [`crate::markdown`]. Every link is relative
//! (each page knows how far it is from the site root), so the site works under
//! any sub-path and straight from disk. Nothing here reads the clock or the
//! environment, so the same input renders the same bytes.

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::chart;
use crate::export;
use crate::markdown;
use crate::pack::cache::{PdfCache, MANIFEST};
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
pub(crate) struct SiteView<'a> {
    pub(crate) title: &'a str,
    pub(crate) organisation: &'a str,
}

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
}

#[derive(Serialize)]
pub(crate) struct AccountabilityView {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) question: String,
    pub(crate) tiles: Vec<Tile>,
    pub(crate) commentary: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct MonthView {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) summary: Option<String>,
    pub(crate) accountabilities: Vec<AccountabilityView>,
    pub(crate) counts: StatusCounts,
    pub(crate) previous: Option<MonthLink>,
    /// Whether this month's PDF and single-file report are published beside it.
    pub(crate) documents: bool,
}

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

#[derive(Serialize)]
pub(crate) struct NoteView {
    pub(crate) month: String,
    pub(crate) text: String,
}

#[derive(Serialize)]
pub(crate) struct RowView {
    pub(crate) month: String,
    pub(crate) value: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_label: &'static str,
    pub(crate) note: Option<String>,
}

#[derive(Serialize)]
struct ArchiveRow {
    id: String,
    name: String,
    counts: StatusCounts,
}

#[derive(Serialize)]
pub(crate) struct CatalogueKpi {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) better: &'static str,
    pub(crate) target: String,
    pub(crate) red: String,
    pub(crate) definition: String,
    pub(crate) how_to_measure: Option<String>,
}

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

/// Whether `build` also writes each month's PDF and single-file HTML report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Documents {
    Include,
    Skip,
}

/// Called with (months done, months in all) as months finish rendering, so a
/// long build can show progress.
pub type Progress = fn(usize, usize);

/// Renders every file of the site. Months render in parallel; the result is in
/// a fixed order, so output never depends on scheduling.
///
/// With documents, PDFs whose inputs are unchanged come from `cache` (the
/// previous build), and the site lists its PDFs for the next build.
pub fn render_site(
    report: &Report<'_>,
    theme: &Theme,
    documents: Documents,
    cache: &PdfCache,
    progress: Option<Progress>,
) -> Result<Vec<SiteFile>, Error> {
    let project = report.project;
    let latest = project.months.last().ok_or_else(|| Error::Internal("no month to render".into()))?.month;
    let site = SiteView { title: &project.config.title, organisation: &project.config.organisation };
    let catalogue = catalogue_view(report);
    let parts = SiteParts { report, theme, site: &site, catalogue: &catalogue, documents, cache, latest };
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = project.months.len();
    let per_month: Vec<(Vec<SiteFile>, Option<String>)> = project
        .months
        .par_iter()
        .enumerate()
        .map(|(i, content)| {
            let previous = i.checked_sub(1).map(|p| project.months[p].month);
            let files = render_month(&parts, content, previous);
            if let Some(report_progress) = progress {
                report_progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
            }
            files
        })
        .collect::<Result<_, Error>>()?;
    let mut lines = Vec::new();
    let mut files = Vec::new();
    for (month_files, line) in per_month {
        files.extend(month_files);
        lines.extend(line);
    }
    if documents == Documents::Include {
        files.push(SiteFile { path: MANIFEST.into(), bytes: crate::pack::cache::manifest(lines).into_bytes() });
    }
    let archive: Vec<ArchiveRow> = project
        .months
        .iter()
        .rev()
        .map(|m| ArchiveRow { id: m.month.to_string(), name: m.month.long_name(), counts: report.counts(m.month) })
        .collect();
    files.push(page(theme, "archive.html", "archive/index.html", &site, "../", |c| c.insert("months", &archive))?);
    files.push(page(theme, "catalogue.html", "kpis/index.html", &site, "../", |c| {
        c.insert("accountabilities", &catalogue)
    })?);
    for (name, bytes) in &theme.statics {
        files.push(SiteFile { path: format!("static/{name}"), bytes: bytes.clone() });
    }
    Ok(files)
}

/// Computes the views, charts and numbers of one month. `catalogue` is the
/// report's [`catalogue_view`], made once: its definitions are the same every month.
pub(crate) fn month_bundle(
    report: &Report<'_>,
    catalogue: &[CatalogueAccountability],
    content: &MonthContent,
    previous: Option<Month>,
) -> Result<MonthBundle, Error> {
    let view = month_view(report, content, previous)?;
    let charts = view
        .accountabilities
        .iter()
        .zip(catalogue)
        .map(|(acc, texts)| {
            kpi_indexes(report, &acc.id)
                .zip(&acc.tiles)
                .zip(&texts.kpis)
                .map(|((k, tile), text)| chart_view(report, k, content.month, tile.clone(), text))
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

/// What every month of one site is rendered with.
struct SiteParts<'a> {
    report: &'a Report<'a>,
    theme: &'a Theme,
    site: &'a SiteView<'a>,
    catalogue: &'a [CatalogueAccountability],
    documents: Documents,
    cache: &'a PdfCache,
    /// The latest month, whose scorecard is also the site's `index.html`.
    latest: Month,
}

/// One month's files, and its PDF's line in the PDF manifest when it has a PDF.
fn render_month(
    parts: &SiteParts<'_>,
    content: &MonthContent,
    previous: Option<Month>,
) -> Result<(Vec<SiteFile>, Option<String>), Error> {
    let SiteParts { report, theme, site, catalogue, documents, cache, latest } = *parts;
    let mut files = Vec::new();
    let month = content.month;
    let id = month.to_string();
    let mut bundle = month_bundle(report, catalogue, content, previous)?;
    bundle.view.documents = documents == Documents::Include;
    let view = &bundle.view;
    // One context for the month's pages: the month's view is converted for
    // Tera once, not once per page (that conversion was a fifth of the build).
    let mut ctx = Context::new();
    ctx.insert("site", site);
    ctx.insert("month", view);
    files.push(render_page(theme, "scorecard.html", &format!("{id}/index.html"), "../", &mut ctx)?);
    if month == latest {
        files.push(render_page(theme, "scorecard.html", "index.html", "", &mut ctx)?);
    }
    for (acc_view, charts) in view.accountabilities.iter().zip(&bundle.charts) {
        for chart in charts {
            files.push(SiteFile {
                path: format!("{id}/charts/{}.svg", chart.tile.id),
                bytes: chart.chart.clone().into_bytes(),
            });
        }
        ctx.insert("accountability", acc_view);
        ctx.insert("charts", charts);
        files.push(render_page(
            theme,
            "accountability.html",
            &format!("{id}/{}/index.html", acc_view.id),
            "../../",
            &mut ctx,
        )?);
    }
    let kpis = report.project.catalogue.kpis.len();
    let readings: Vec<Reading<'_>> = (0..kpis).map(|k| report.reading(k, month)).collect();
    files.push(SiteFile {
        path: format!("{id}/data.json"),
        bytes: export::json(&report.project.config.organisation, month, &readings)?,
    });
    files.push(SiteFile { path: format!("{id}/data.csv"), bytes: export::csv(&readings)? });
    let mut manifest_line = None;
    if documents == Documents::Include {
        let docs = crate::pack::documents(report, theme, site, catalogue, &bundle, content, cache)?;
        let path = format!("{id}/{}", crate::pack::PDF_NAME);
        manifest_line = Some(crate::pack::cache::line(&path, &docs.pdf_key, &docs.pdf));
        files.push(SiteFile { path, bytes: docs.pdf });
        files.push(SiteFile { path: format!("{id}/{}", crate::pack::HTML_NAME), bytes: docs.html.into_bytes() });
    }
    Ok((files, manifest_line))
}

pub(crate) fn page(
    theme: &Theme,
    template: &str,
    path: &str,
    site: &SiteView<'_>,
    root: &str,
    fill: impl FnOnce(&mut Context),
) -> Result<SiteFile, Error> {
    let mut ctx = Context::new();
    ctx.insert("site", site);
    fill(&mut ctx);
    render_page(theme, template, path, root, &mut ctx)
}

/// Renders one page from a context that may be shared by several pages: it sets
/// the page's own `root` and `page_path`.
pub(crate) fn render_page(
    theme: &Theme,
    template: &str,
    path: &str,
    root: &str,
    ctx: &mut Context,
) -> Result<SiteFile, Error> {
    ctx.insert("root", root);
    ctx.insert("page_path", path);
    let html = theme.tera.render(template, ctx).map_err(|e| Error::Template {
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
        better: kpi.better.words(),
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

fn month_view(report: &Report<'_>, content: &MonthContent, previous: Option<Month>) -> Result<MonthView, Error> {
    let project = report.project;
    let raw = project.config.markdown.allow_raw_html;
    let month = content.month;
    let catalogue = &project.catalogue;
    let mut accountabilities = Vec::new();
    for acc in &catalogue.accountabilities {
        let tiles = kpi_indexes(report, &acc.id).map(|k| tile(report, k, month)).collect::<Result<Vec<_>, _>>()?;
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
        documents: false,
    })
}

/// Commentary that holds only the stub's comment (or nothing) counts as not written.
fn written(html: String) -> Option<String> {
    let text = html.trim();
    let only_comment = text.starts_with("<!--") && text.ends_with("-->") && text.matches("<!--").count() == 1;
    let empty = text.is_empty() || only_comment;
    (!empty).then_some(html)
}

fn chart_view(
    report: &Report<'_>,
    k: usize,
    month: Month,
    tile: Tile,
    texts: &CatalogueKpi,
) -> Result<ChartView, Error> {
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
        r.status.label().to_lowercase(),
    )
}

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
