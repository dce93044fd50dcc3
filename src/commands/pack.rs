//! `boardpack pack`: a month's board pack as one deterministic zip — the PDF,
//! the single-file HTML report, its charts, data and sources — and, for a
//! portfolio, every company's pack and the overview as a PDF.
//!
//! Pure until the end: everything is made in memory, then each file is
//! written atomically ([`crate::write::archive::write_atomically`]).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::parallel::pool;
use crate::base::period::Month;
use crate::compute::audit::corrections;
use crate::compute::report::{Reading, Report};
use crate::load::portfolio::Portfolio;
use crate::load::project::{MonthContent, Project, EVIDENCE_DIR, SUMMARY_STEM};
use crate::load::theme::Theme;
use crate::load::workspace::Workspace;
use crate::render::document::{self, ReportInput};
use crate::render::export;
use crate::render::overview::overview_of;
use crate::render::pages::RowHtml;
use crate::render::view::{catalogue_view, month_bundle, Shared, SiteView};
use crate::render::Collect;
use crate::write::archive;
use crate::Error;

/// What `pack` was asked to do.
#[derive(Debug, Clone)]
pub struct PackOptions {
    /// The report project or portfolio.
    pub root: PathBuf,
    /// Default: the latest month.
    pub month: Option<Month>,
    /// Default: `dist/` under the root.
    pub output: Option<PathBuf>,
}

/// One zip that `pack` wrote.
#[derive(Debug)]
pub struct PackSummary {
    /// Where the zip is.
    pub path: PathBuf,
    /// The month packed.
    pub month: Month,
    /// How many files the zip holds.
    pub entries: usize,
    /// The zip's size.
    pub bytes: usize,
}

/// What `pack` wrote.
#[derive(Debug)]
pub enum Packed {
    /// A report's pack.
    Report(PackSummary),
    /// A portfolio's month: each company's pack and the overview.
    Portfolio {
        /// The month packed.
        month: Month,
        /// The overview matrix as a PDF.
        overview: PathBuf,
        /// One pack per company that reported that month.
        packs: Vec<PackSummary>,
        /// Companies with no report that month: nothing to pack.
        skipped: Vec<String>,
    },
}

/// Builds the month's board pack (of a report, or of every company of a
/// portfolio plus its overview). Returns what was written and the warnings found.
pub fn pack(options: &PackOptions) -> Result<(Packed, Vec<Diagnostic>), Error> {
    let loaded = Workspace::load(&options.root)?;
    let packed = match &loaded.workspace {
        Workspace::Report(project) => Packed::Report(pack_report(project, options)?),
        Workspace::Portfolio(portfolio) => pack_portfolio(portfolio, options)?,
    };
    Ok((packed, loaded.warnings))
}

/// Packs one report's month as `ORGANISATION-YYYY-MM-board-pack.zip`.
fn pack_report(project: &Project, options: &PackOptions) -> Result<PackSummary, Error> {
    let index = month_index(project, options.month)?;
    let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
    let month = project.months[index].month;
    let dir = options.output.clone().unwrap_or_else(|| project.root.join("dist"));
    let path = dir.join(format!("{}-{month}-board-pack.zip", slug(&project.config.organisation)));
    let (entries, bytes) = pool().install(|| write_pack(project, &theme, index, &path))?;
    Ok(PackSummary { path, month, entries, bytes })
}

/// Writes month `index`'s pack to `path`: for a sealed month, the pack as it
/// was sent (read and checked against its seal by the load, which fails on a
/// sealed month without it); otherwise a new one. Returns its entries and bytes.
fn write_pack(project: &Project, theme: &Theme, index: usize, path: &Path) -> Result<(usize, usize), Error> {
    let content = &project.months[index];
    let zip = match (&content.seal, content.sent.as_ref().and_then(|s| s.documents.as_ref())) {
        (Some(_), Some(sent)) => sent.zip.clone(),
        (Some(_), None) => {
            return Err(Error::Internal(format!("the sealed board pack of {} was not loaded", content.month)))
        }
        (None, _) => pack_month(project, theme, index)?.0,
    };
    let entries = crate::load::record::pack_entries(&zip).map(|e| e.len()).unwrap_or(0);
    archive::write_atomically(path, &zip)?;
    Ok((entries, zip.len()))
}

/// The month to pack: the one asked for, or the latest that is not a draft.
/// A draft is never packed: a pack is what the board is sent.
pub(crate) fn month_index(project: &Project, asked: Option<Month>) -> Result<usize, Error> {
    let published = || project.months.iter().filter(|m| !m.draft).map(|m| m.month);
    let index = match asked {
        None => project.months.iter().rposition(|m| !m.draft),
        Some(m) => project.months.iter().position(|c| c.month == m),
    }
    .ok_or_else(|| missing_month(asked, "in content/", published()))?;
    let content = &project.months[index];
    if content.draft {
        return Err(Error::Refused {
            what: format!("{} is a draft", content.month.long_name()),
            help: "finish the month and remove `draft = true` from its kpis.toml first; a draft is never sent".into(),
        });
    }
    Ok(index)
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

/// Makes month `index`'s board pack: the zip's bytes, and its PDF's.
pub(crate) fn pack_month(project: &Project, theme: &Theme, index: usize) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let report = Report::new(project);
    let content = &project.months[index];
    let previous = index.checked_sub(1).map(|p| project.months[p].month);
    let lang = crate::render::lang(theme, &project.config.language)?;
    let catalogue = catalogue_view(&report, &lang, content.month);
    let corrections = corrections(project);
    let site = SiteView::new(&project.config.title, &project.config.organisation, None, &lang)
        .indexed(project.config.publish.index);
    let rows_html = RowHtml::new(theme, &site);
    let shared = Shared {
        report: &report,
        lang: &lang,
        palette: &theme.palette,
        catalogue: &catalogue,
        corrections: &corrections,
        rows: None,
        rows_html: &rows_html,
    };
    let bundle = month_bundle(&shared, content, previous)?;
    let input = ReportInput { report: &report, theme, site: &site, catalogue: &catalogue, bundle: &bundle, content };
    let pdf = document::report_pdf(&input, &Collect::default())?.bytes;
    let html = document::single_file_html(&input)?;
    let entries = entries(&report, &lang, &bundle, content, &project.months[..=index], pdf.clone(), html)?;
    Ok((archive::zip(&entries, content.month)?, pdf))
}

/// Packs a portfolio's month: each company's board pack (exactly what packing
/// it alone makes, named by its folder so names never collide) and the
/// portfolio overview as a PDF.
fn pack_portfolio(portfolio: &Portfolio, options: &PackOptions) -> Result<Packed, Error> {
    let months = portfolio.months();
    let month = match options.month {
        None => months.last().copied(),
        Some(m) => months.contains(&m).then_some(m),
    }
    .ok_or_else(|| missing_month(options.month, "for any company", months.iter().copied()))?;
    let theme = Theme::of_portfolio(portfolio)?;
    let dir = options.output.clone().unwrap_or_else(|| portfolio.root.join("dist"));
    let packs: Vec<Option<PackSummary>> = pool().install(|| {
        portfolio
            .companies
            .par_iter()
            .map(|company| {
                let Some(index) = company.project.months.iter().position(|m| m.month == month && !m.draft) else {
                    return Ok(None);
                };
                let own = Theme::of_company(company)?;
                let path = dir.join(format!("{}-{month}-board-pack.zip", company.slug));
                let (entries, bytes) = write_pack(&company.project, own.as_ref().unwrap_or(&theme), index, &path)?;
                Ok(Some(PackSummary { path, month, entries, bytes }))
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
    let lang = crate::render::lang(&theme, &portfolio.config.language)?;
    let view = overview_of(portfolio, &lang, month);
    let pdf = pool().install(|| document::overview_pdf(&view, &theme, &lang, month, &portfolio.fonts))?;
    let overview = dir.join(format!("{}-{month}-portfolio-overview.pdf", slug(&portfolio.config.title)));
    archive::write_atomically(&overview, &pdf)?;
    Ok(Packed::Portfolio { month, overview, packs: packs.into_iter().flatten().collect(), skipped })
}

/// The files of the pack, by name (MANIFEST.txt is added by the archive).
fn entries(
    report: &Report<'_>,
    lang: &crate::base::i18n::Lang,
    bundle: &crate::render::view::MonthBundle,
    content: &MonthContent,
    history: &[MonthContent],
    pdf: Vec<u8>,
    html: String,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = vec![(document::PDF_NAME.to_string(), pdf), (document::HTML_NAME.to_string(), html.into_bytes())];
    for charts in &bundle.charts {
        for chart in charts {
            files.push((format!("charts/{}.svg", chart.tile.id), chart.chart.clone().into_bytes()));
        }
    }
    let months: Vec<(Month, Vec<Reading<'_>>)> = history
        .iter()
        .map(|m| (m.month, report.kpis_in(m.month).map(|k| report.reading(k, m.month)).collect()))
        .collect();
    files.push(("data/kpis.csv".into(), export::history_csv(&months)?));
    files.push(("data/kpis.json".into(), export::history_json(&report.project.config.organisation, &months)?));
    if let Some(summary) = &content.summary {
        files.push((format!("commentary/{SUMMARY_STEM}.md"), summary.clone().into_bytes()));
    }
    for (id, md) in &content.commentary {
        files.push((format!("commentary/{id}.md"), md.clone().into_bytes()));
    }
    files.push(("kpi-definitions.md".into(), document::definitions_markdown(report, lang, content.month).into_bytes()));
    for (kpi, bytes) in &content.evidence {
        files.push((format!("{EVIDENCE_DIR}/{kpi}.csv"), bytes.clone()));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// The longest slug a file name gets: with the month and the suffix, well
/// within the 255 bytes every common filesystem allows.
const SLUG_MAX: usize = 64;

/// "Larkspur Freight & Co." → "larkspur-freight-co": a file-name-safe
/// organisation, at most [`SLUG_MAX`] characters.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if out.len() >= SLUG_MAX {
            break;
        }
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
        let long = slug(&"Larkspur Freight International Holdings ".repeat(20));
        assert!(long.len() <= SLUG_MAX && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn path_for_is_inside_dir() {
        let p = std::path::Path::new("dist").join(format!("{}-2026-10-board-pack.zip", slug("../../etc")));
        assert_eq!(p, std::path::Path::new("dist/etc-2026-10-board-pack.zip"));
    }
}
