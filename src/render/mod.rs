//! Render stage: turns the computed report into the files of the site, in memory.
//!
//! Each month is computed once into view models ([`view`]) and handed to three
//! sibling renderers: the HTML pages ([`pages`], Tera templates), the PDF
//! ([`document`], Typst templates fed the month as data) and the single-file
//! report ([`document`] again, a Tera template with everything inline). Charts
//! come from [`crate::chart`], commentary from [`crate::markdown`].
//!
//! Pure: nothing here reads the clock, the environment or the disk (PDFs a
//! previous build made arrive through a [`PdfSource`]), so the same input
//! renders the same bytes.

pub(crate) mod document;
pub(crate) mod overview;
pub(crate) mod pages;
mod typst;
pub(crate) mod view;

use rayon::prelude::*;

use crate::audit::{corrections, Correction};
use crate::export;
use crate::project::{MonthContent, EVIDENCE_DIR};
use crate::report::{Reading, Report};
use crate::theme::Theme;
use crate::Error;
use view::{archive_rows, catalogue_view, month_bundle, CatalogueAccountability, Shared, SiteView};

/// One file of the site: a path relative to the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SiteFile {
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

/// Whether `build` also writes each month's PDF and single-file HTML report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Documents {
    Include,
    Skip,
}

/// Called with (months done, months in all) as months finish rendering, so a
/// long build can show progress.
pub type Progress = fn(usize, usize);

/// Documents made before this build: PDFs typeset by an earlier build, by the
/// key of their inputs ([`document::Pdf::key`]) — typesetting is most of a
/// build's time — and the documents a sealed month was sent as.
pub(crate) trait Earlier: Sync {
    /// The PDF made from inputs with this key, if one is known and intact.
    fn pdf(&self, key: &str) -> Option<Vec<u8>>;
    /// The documents the board received for a sealed month; `None` for a month not sealed.
    fn sent(&self, content: &MonthContent) -> Result<Option<Sent>, Error>;
}

/// A sealed month's documents, exactly as sent.
pub(crate) struct Sent {
    pub(crate) pdf: Vec<u8>,
    pub(crate) html: Vec<u8>,
    /// The whole board pack.
    pub(crate) zip: Vec<u8>,
}

/// Nothing made before: typeset everything (a preview, a dry run).
pub(crate) struct NoPdfs;

impl Earlier for NoPdfs {
    fn pdf(&self, _key: &str) -> Option<Vec<u8>> {
        None
    }
    fn sent(&self, _content: &MonthContent) -> Result<Option<Sent>, Error> {
        Ok(None)
    }
}

/// A PDF's path in the site and the key of its inputs.
pub(crate) type PdfKey = (String, String);

/// A rendered site: its files, and for each PDF among them the key of its inputs.
pub(crate) struct Site {
    pub(crate) files: Vec<SiteFile>,
    /// Every PDF, in path order.
    pub(crate) pdfs: Vec<PdfKey>,
}

/// What every month of one site is rendered with.
struct Parts<'a> {
    report: &'a Report<'a>,
    theme: &'a Theme,
    site: SiteView<'a>,
    catalogue: Vec<CatalogueAccountability>,
    corrections: Vec<Correction>,
    documents: Documents,
    earlier: &'a dyn Earlier,
}

/// Renders every file of the site. Months render in parallel; the result is in
/// a fixed order, so output never depends on scheduling.
///
/// `base_url` is where the site will be published, if known: pages then carry
/// canonical links, and the site a `sitemap.xml`.
pub(crate) fn render_site(
    report: &Report<'_>,
    theme: &Theme,
    documents: Documents,
    earlier: &dyn Earlier,
    progress: Option<Progress>,
    base_url: Option<&str>,
) -> Result<Site, Error> {
    let project = report.project;
    let latest = project.months.last().ok_or_else(|| Error::Internal("no month to render".into()))?.month;
    let site = SiteView { title: &project.config.title, organisation: &project.config.organisation, base_url };
    let catalogue = catalogue_view(report, latest);
    let corrections = corrections(project);
    let parts = Parts { report, theme, site, catalogue, corrections, documents, earlier };
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = project.months.len();
    let per_month: Vec<(Vec<SiteFile>, Option<PdfKey>)> = project
        .months
        .par_iter()
        .enumerate()
        .map(|(i, content)| {
            let previous = i.checked_sub(1).map(|p| project.months[p].month);
            let files = render_month(&parts, content, previous, content.month == latest);
            if let Some(report_progress) = progress {
                report_progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
            }
            files
        })
        .collect::<Result<_, Error>>()?;
    let mut files = Vec::new();
    let mut pdfs = Vec::new();
    for (month_files, pdf) in per_month {
        files.extend(month_files);
        pdfs.extend(pdf);
    }
    files.extend(pages::site_pages(theme, &parts.site, &archive_rows(report), &parts.catalogue)?);
    Ok(Site { files, pdfs })
}

/// One month's files, and its PDF's (path, input key) when it has a PDF.
fn render_month(
    parts: &Parts<'_>,
    content: &MonthContent,
    previous: Option<crate::period::Month>,
    latest: bool,
) -> Result<(Vec<SiteFile>, Option<PdfKey>), Error> {
    let report = parts.report;
    let shared =
        Shared { report, palette: &parts.theme.palette, catalogue: &parts.catalogue, corrections: &parts.corrections };
    let mut bundle = month_bundle(&shared, content, previous)?;
    bundle.view.documents = parts.documents == Documents::Include;
    let mut files = pages::month_pages(parts.theme, &parts.site, &bundle, latest)?;
    let id = &bundle.view.id;
    let month = content.month;
    let sent_report = report.as_sent(month);
    let shown = sent_report.as_ref().unwrap_or(report);
    let readings: Vec<Reading<'_>> = shown.kpis_in(month).map(|k| shown.reading(k, month)).collect();
    let announced: Vec<&Correction> = parts.corrections.iter().filter(|c| c.announced == month).collect();
    files.push(SiteFile {
        path: format!("{id}/data.json"),
        bytes: export::json(&report.project.config.organisation, month, &readings, &announced)?,
    });
    files.push(SiteFile { path: format!("{id}/data.csv"), bytes: export::csv(&readings)? });
    for (kpi, bytes) in &content.evidence {
        files.push(SiteFile { path: format!("{id}/{EVIDENCE_DIR}/{kpi}.csv"), bytes: bytes.clone() });
    }
    let mut pdf_key = None;
    if parts.documents == Documents::Include {
        if let Some(sent) = parts.earlier.sent(content)? {
            files.push(SiteFile { path: format!("{id}/{}", document::PDF_NAME), bytes: sent.pdf });
            files.push(SiteFile { path: format!("{id}/{}", document::HTML_NAME), bytes: sent.html });
            files.push(SiteFile { path: format!("{id}/{}", document::PACK_NAME), bytes: sent.zip });
            return Ok((files, None));
        }
        let input = document::ReportInput {
            report: shown,
            theme: parts.theme,
            site: &parts.site,
            catalogue: &parts.catalogue,
            bundle: &bundle,
            content,
        };
        let pdf = document::report_pdf(&input, parts.earlier)?;
        let path = format!("{id}/{}", document::PDF_NAME);
        pdf_key = Some((path.clone(), pdf.key));
        files.push(SiteFile { path, bytes: pdf.bytes });
        files.push(SiteFile {
            path: format!("{id}/{}", document::HTML_NAME),
            bytes: document::single_file_html(&input)?.into_bytes(),
        });
    }
    Ok((files, pdf_key))
}
