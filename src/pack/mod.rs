//! The board pack: a month's report as a PDF, a single-file HTML report, its
//! charts, data and sources, in one deterministic zip.
//!
//! The heavy part (Typst) sits behind [`pdf::render`]: markup and files in,
//! PDF bytes out. Everything here is pure until [`pack`] writes the zip.

mod archive;
pub mod cache;
mod markup;
pub mod pdf;
mod typeset;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tera::Context;

use crate::period::Month;
use crate::project::{MonthContent, Project, SUMMARY_STEM};
use crate::render::{catalogue_view, month_bundle, CatalogueAccountability, MonthBundle, SiteView};
use crate::report::Report;
use crate::theme::Theme;
use crate::{export, Error};

/// The PDF's name, in the zip and beside each month in the site.
pub const PDF_NAME: &str = "board-report.pdf";
/// The single-file HTML report's name, in the zip and beside each month in the site.
pub const HTML_NAME: &str = "board-report.html";

/// A month's two documents.
pub struct MonthDocuments {
    pub pdf: Vec<u8>,
    pub html: String,
    /// The key of the PDF's inputs, for [`cache::PdfCache`].
    pub pdf_key: String,
}

/// Makes the PDF and the single-file HTML report of one month.
pub(crate) fn documents(
    report: &Report<'_>,
    theme: &Theme,
    site: &SiteView<'_>,
    catalogue: &[CatalogueAccountability],
    bundle: &MonthBundle,
    content: &MonthContent,
    cache: &cache::PdfCache,
) -> Result<MonthDocuments, Error> {
    let config = &report.project.config;
    let html = single_file_html(report, theme, site, catalogue, bundle)?;
    let (markup, files) = typeset::report_markup(report, bundle, content, &config.pack);
    let ident = format!("{}/{}", config.organisation, bundle.view.id);
    let pdf_key = cache::key(&markup, &files, content.month, &ident);
    let pdf = match cache.get(&pdf_key) {
        Some(pdf) => pdf,
        None => pdf::render(markup, files, content.month, &ident).map_err(|e| Error::Internal(e.to_string()))?,
    };
    Ok(MonthDocuments { pdf, html, pdf_key })
}

/// The report as one HTML file with its CSS and charts inline: it opens from an
/// email attachment with no other file and no network.
fn single_file_html(
    report: &Report<'_>,
    theme: &Theme,
    site: &SiteView<'_>,
    catalogue: &[CatalogueAccountability],
    bundle: &MonthBundle,
) -> Result<String, Error> {
    let css = theme.statics.get("style.css").map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    let sections: Vec<(&crate::render::AccountabilityView, &Vec<crate::render::ChartView>)> =
        bundle.view.accountabilities.iter().zip(&bundle.charts).collect();
    let file = crate::render::page(theme, "pack.html", HTML_NAME, site, "", |c: &mut Context| {
        c.insert("month", &bundle.view);
        c.insert("sections", &sections);
        c.insert("accountabilities", catalogue);
        c.insert("css", &css);
        c.insert("confidentiality", &report.project.config.pack.confidentiality);
    })?;
    String::from_utf8(file.bytes).map_err(|e| Error::Internal(format!("single-file report is not UTF-8: {e}")))
}

/// What `pack` was asked to do.
#[derive(Debug, Clone)]
pub struct PackOptions {
    pub root: PathBuf,
    /// Default: the latest month.
    pub month: Option<Month>,
    /// Default: `dist/` under the root.
    pub output: Option<PathBuf>,
}

/// What `pack` wrote.
#[derive(Debug)]
pub struct PackSummary {
    pub path: PathBuf,
    pub month: Month,
    pub entries: usize,
    pub bytes: usize,
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

/// Builds the month's board pack and writes it as `ORGANISATION-YYYY-MM-board-pack.zip`.
pub fn pack(options: &PackOptions) -> Result<PackSummary, Error> {
    let loaded = crate::project::load(&options.root);
    let Some(project) = loaded.project else {
        return Err(Error::Content(loaded.diagnostics));
    };
    let index = match options.month {
        None => project.months.len().checked_sub(1),
        Some(m) => project.months.iter().position(|c| c.month == m),
    }
    .ok_or_else(|| missing_month(options.month, "in content/", project.months.iter().map(|m| m.month)))?;
    let theme = Theme::load(&project).map_err(Error::Content)?;
    let month = project.months[index].month;
    let dir = options.output.clone().unwrap_or_else(|| project.root.join("dist"));
    let path = dir.join(format!("{}-{month}-board-pack.zip", slug(&project.config.organisation)));
    let (entries, bytes) = crate::pool().install(|| pack_month(&project, &theme, index, &path))?;
    Ok(PackSummary { path, month, entries, bytes, warnings: loaded.diagnostics })
}

/// `where_` says where months live: `in content/`, or for a portfolio's companies.
fn missing_month(asked: Option<Month>, where_: &str, months: impl Iterator<Item = Month>) -> Error {
    Error::Refused {
        what: format!("there is no month {} {where_}", asked.map(|m| m.to_string()).unwrap_or_default()),
        help: format!(
            "pack one of the months that exist: {}",
            months.map(|m| m.to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Packs month `index` of `project` into the zip at `path`; returns its entries and bytes.
fn pack_month(project: &Project, theme: &Theme, index: usize, path: &Path) -> Result<(usize, usize), Error> {
    let report = Report::new(project);
    let content = &project.months[index];
    let previous = index.checked_sub(1).map(|p| project.months[p].month);
    let catalogue = catalogue_view(&report);
    let bundle = month_bundle(&report, &catalogue, content, previous)?;
    let site = SiteView { title: &project.config.title, organisation: &project.config.organisation };
    let docs = documents(&report, theme, &site, &catalogue, &bundle, content, &cache::PdfCache::default())?;
    let entries = entries(&report, &bundle, content, &project.months[..=index], docs)?;
    let zip = archive::zip(&entries, content.month)?;
    archive::write_atomically(path, &zip)?;
    Ok((entries.len() + 1, zip.len()))
}

/// What `pack` wrote for a portfolio.
#[derive(Debug)]
pub struct PortfolioPackSummary {
    pub month: Month,
    /// The overview matrix as a PDF.
    pub overview: PathBuf,
    /// One pack per company that reported that month.
    pub packs: Vec<PackSummary>,
    /// Companies with no report that month: nothing to pack.
    pub skipped: Vec<String>,
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

/// Packs a portfolio's month: each company's board pack (exactly what packing
/// it alone makes, named by its folder so names never collide) and the
/// portfolio overview as a PDF.
pub fn pack_portfolio(options: &PackOptions) -> Result<PortfolioPackSummary, Error> {
    let (portfolio, warnings) = crate::portfolio::load(&options.root);
    let Some(portfolio) = portfolio else {
        return Err(Error::Content(warnings));
    };
    let months = crate::portfolio::months(&portfolio);
    let month = match options.month {
        None => months.last().copied(),
        Some(m) => months.contains(&m).then_some(m),
    }
    .ok_or_else(|| missing_month(options.month, "for any company", months.iter().copied()))?;
    let theme = crate::portfolio::theme(&portfolio)?;
    let dir = options.output.clone().unwrap_or_else(|| portfolio.root.join("dist"));
    let packs: Vec<Option<PackSummary>> = crate::pool().install(|| {
        use rayon::prelude::*;
        portfolio
            .companies
            .par_iter()
            .map(|company| {
                let Some(index) = company.project.months.iter().position(|m| m.month == month) else {
                    return Ok(None);
                };
                let own = crate::portfolio::own_theme(company)?;
                let path = dir.join(format!("{}-{month}-board-pack.zip", company.slug));
                let (entries, bytes) = pack_month(&company.project, own.as_ref().unwrap_or(&theme), index, &path)?;
                Ok(Some(PackSummary { path, month, entries, bytes, warnings: Vec::new() }))
            })
            .collect::<Result<_, Error>>()
    })?;
    let skipped = portfolio
        .companies
        .iter()
        .zip(&packs)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| c.project.config.organisation.clone())
        .collect();
    let view = crate::portfolio::overview_of(&portfolio, month);
    let markup = typeset::portfolio_markup(&view, crate::config::Paper::A4);
    let ident = format!("{}/{}/{month}", portfolio.config.owner, portfolio.config.title);
    let pdf = crate::pool()
        .install(|| pdf::render(markup, Vec::new(), month, &ident))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let overview = dir.join(format!("{}-{month}-portfolio-overview.pdf", slug(&portfolio.config.title)));
    archive::write_atomically(&overview, &pdf)?;
    Ok(PortfolioPackSummary { month, overview, packs: packs.into_iter().flatten().collect(), skipped, warnings })
}

/// The files of the pack, by name (MANIFEST.txt is added by the archive).
fn entries(
    report: &Report<'_>,
    bundle: &MonthBundle,
    content: &MonthContent,
    history: &[MonthContent],
    docs: MonthDocuments,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = vec![(PDF_NAME.to_string(), docs.pdf), (HTML_NAME.to_string(), docs.html.into_bytes())];
    for charts in &bundle.charts {
        for chart in charts {
            files.push((format!("charts/{}.svg", chart.tile.id), chart.chart.clone().into_bytes()));
        }
    }
    let catalogue = &report.project.catalogue;
    let months: Vec<(Month, Vec<crate::report::Reading<'_>>)> = history
        .iter()
        .map(|m| (m.month, (0..catalogue.kpis.len()).map(|k| report.reading(k, m.month)).collect()))
        .collect();
    files.push(("data/kpis.csv".into(), export::history_csv(&months)?));
    files.push(("data/kpis.json".into(), export::history_json(&report.project.config.organisation, &months)?));
    if let Some(summary) = &content.summary {
        files.push((format!("commentary/{SUMMARY_STEM}.md"), summary.clone().into_bytes()));
    }
    for (id, md) in &content.commentary {
        files.push((format!("commentary/{id}.md"), md.clone().into_bytes()));
    }
    files.push(("kpi-definitions.md".into(), definitions_markdown(report).into_bytes()));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// The catalogue as one Markdown document, for readers of the pack without the site.
fn definitions_markdown(report: &Report<'_>) -> String {
    let catalogue = &report.project.catalogue;
    let mut out =
        format!("# KPI definitions\n\n{} · {}\n", report.project.config.organisation, report.project.config.title);
    for acc in &catalogue.accountabilities {
        let _ = write!(out, "\n## {}\n\n_{}_\n", acc.name, acc.question);
        for k in catalogue.kpis_of(&acc.id) {
            let better = k.better.words();
            let _ = write!(
                out,
                "\n### {} (`{}`)\n\nUnit: {} · {better} · target {} · red beyond {}\n\n{}\n",
                k.name,
                k.id,
                k.unit,
                k.format_value(k.target),
                k.format_value(k.red),
                k.definition.trim()
            );
            if !k.how_to_measure.trim().is_empty() {
                let _ = write!(out, "\n**How it is measured.** {}\n", k.how_to_measure.trim());
            }
        }
    }
    out
}

/// "Larkspur Freight & Co." → "larkspur-freight-co": a file-name-safe organisation.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "report".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("Larkspur Freight & Co."), "larkspur-freight-co");
        assert_eq!(slug("R&D <Labs>"), "r-d-labs");
        assert_eq!(slug("***"), "report");
    }

    #[test]
    fn path_for_is_inside_dir() {
        let p = std::path::Path::new("dist").join(format!("{}-2026-10-board-pack.zip", slug("../../etc")));
        assert_eq!(p, std::path::Path::new("dist/etc-2026-10-board-pack.zip"));
    }
}
