//! Render stage: turns the computed report into the files of the site, in memory.
//!
//! Each month is computed once into view models ([`view`]) and handed to three
//! sibling renderers: the HTML pages ([`pages`], Tera templates), the PDF
//! ([`document`], Typst templates fed the month as data) and the single-file
//! report ([`document`] again, a Tera template with everything inline). Charts
//! come from [`chart`], commentary from [`markdown`], data files from [`export`].
//!
//! Pure: nothing here reads the clock, the environment or the disk (what a
//! previous build made arrives, and what is rendered leaves, through a
//! [`Destination`]), so the same input renders the same bytes.

pub(crate) mod chart;
pub(crate) mod document;
pub(crate) mod export;
pub(crate) mod key;
pub(crate) mod lock;
pub(crate) mod markdown;
pub(crate) mod overview;
pub(crate) mod pages;
pub(crate) mod quarter;
pub(crate) mod quarter_overview;
mod typst;
pub(crate) mod view;

use rayon::prelude::*;

use crate::base::digest::{MonthKey, PdfKey, Stamp};
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::compute::audit::{corrections, Correction};
use crate::compute::report::{Reading, Report};
use crate::load::config::Cadence;
use crate::load::project::{MonthContent, EVIDENCE_DIR};
use crate::load::theme::Theme;
use crate::Error;
use view::quarter::QuarterShared;
use view::{
    archive_rows, catalogue_view, month_bundle, quarter_rows, Archive, CatalogueAccountability, Shared, SiteView,
};

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

/// Where a rendered site goes, and what it may take from before instead of
/// making it again: PDFs typeset by an earlier build (by the key of their
/// inputs, [`document::Pdf::key`] — typesetting is most of a build's time),
/// and the files of months whose inputs have not changed since an earlier
/// build. A build writes each month's files as soon as they are made, so
/// memory holds only the months in flight; a preview collects them
/// ([`Collect`]). Rendering returns each month's record as the destination
/// gave it, which a build keeps for the next one.
pub(crate) trait Destination: Sync {
    /// Told, before any file of a site, the theme and identity it is
    /// rendered with: an encrypted site makes its pages' shell from them.
    fn begin(&self, _theme: &Theme, _site: &SiteView<'_>) -> Result<(), Error> {
        Ok(())
    }
    /// The PDF made from Typst inputs with this key: one an earlier build
    /// kept, if it is intact, or else the one `typeset` makes, kept for later builds.
    fn pdf(&self, key: &PdfKey, typeset: MakePdf<'_>) -> Result<Vec<u8>, Error>;
    /// Takes the files of the month folder `folder` from the previous build,
    /// or from any earlier one that kept them, when they were made from
    /// inputs with this key; then returns the record of the month.
    fn reuse(&self, folder: Month, key: &MonthKey) -> Result<Option<MonthRecord>, Error>;
    /// Receives rendered files.
    fn write(&self, files: Vec<SiteFile>) -> Result<(), Error>;
    /// Receives every file of the month folder `month.folder`, made from
    /// inputs with the key `month.key`, so that a later build may take the
    /// folder whole ([`Destination::reuse`]); returns the month's record.
    fn write_month(&self, month: MonthRecord, files: Vec<SiteFile>) -> Result<MonthRecord, Error> {
        self.write(files)?;
        Ok(month)
    }
}

/// Typesets a PDF, for [`Destination::pdf`] to call when it has none kept.
pub(crate) type MakePdf<'a> = Box<dyn FnOnce() -> Result<Vec<u8>, Error> + 'a>;

/// A site rendered into memory, making everything anew (a preview, a dry run).
#[derive(Default)]
pub(crate) struct Collect {
    files: std::sync::Mutex<Vec<SiteFile>>,
}

impl Collect {
    /// The files, sorted by path so the result never depends on scheduling.
    pub(crate) fn into_files(self) -> Vec<SiteFile> {
        let mut files = self.files.into_inner().unwrap_or_else(|p| p.into_inner());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Destination for Collect {
    fn pdf(&self, _key: &PdfKey, typeset: MakePdf<'_>) -> Result<Vec<u8>, Error> {
        typeset()
    }
    fn reuse(&self, _folder: Month, _key: &MonthKey) -> Result<Option<MonthRecord>, Error> {
        Ok(None)
    }
    fn write(&self, files: Vec<SiteFile>) -> Result<(), Error> {
        self.files.lock().unwrap_or_else(|p| p.into_inner()).extend(files);
        Ok(())
    }
}

/// What a build did with one month: its folder, the key of its inputs, and
/// its PDF's key when it typeset or reused one (for the next build).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MonthRecord {
    pub(crate) folder: Month,
    pub(crate) key: MonthKey,
    pub(crate) pdf: Option<PdfKey>,
    /// The stamp of the folder's files, when it is already known (a folder
    /// taken from the previous output); `None` for a folder just written,
    /// which the destination stamps when it records the build.
    pub(crate) stamp: Option<Stamp>,
}

/// Values made once per report and shared by the months that render in
/// parallel. A value is made outside the lock (two threads may both make one,
/// alike) and kept whole, so a panic elsewhere never leaves half of one.
pub(crate) struct Memo<K, V>(std::sync::Mutex<std::collections::HashMap<K, V>>);

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo(std::sync::Mutex::default())
    }
}

impl<K: std::hash::Hash + Eq + Clone, V: Clone> Memo<K, V> {
    /// The value for `key`, made by `make` the first time it is asked for.
    pub(crate) fn get_or<E>(&self, key: &K, make: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        let lock = || self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(value) = lock().get(key) {
            return Ok(value.clone());
        }
        let value = make()?;
        lock().insert(key.clone(), value.clone());
        Ok(value)
    }

    /// Whether nothing was made yet.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_empty()
    }
}

/// What every month of one site is rendered with.
struct Parts<'a> {
    report: &'a Report<'a>,
    theme: &'a Theme,
    site: SiteView<'a>,
    catalogue: Vec<CatalogueAccountability>,
    corrections: Vec<Correction>,
    documents: Documents,
    dest: &'a dyn Destination,
    /// The key of each month's inputs, in month order.
    keys: Vec<MonthKey>,
    rows: view::Rows,
    rows_html: pages::RowHtml<'a>,
}

/// A report's language: its locale and its theme's words for it. A broken
/// translation file is an error at its line.
pub(crate) fn lang(theme: &Theme, locale: &crate::base::locale::Locale) -> Result<Lang, Error> {
    theme.translations(locale).map(|words| Lang::new(locale.clone(), words)).map_err(Error::Content)
}

/// Renders every file of the site into `dest`. Months render in parallel and
/// each is written as soon as it is made; a month whose inputs are unchanged
/// since the previous build is taken from it instead. Returns each month's record.
///
/// `base_url` is where the site will be published, if known: pages then carry
/// canonical links, and the site a `sitemap.xml`. A report with no month
/// published yet renders as a holding page ([`pages::holding_page`]).
pub(crate) fn render_site(
    report: &Report<'_>,
    theme: &Theme,
    documents: Documents,
    dest: &dyn Destination,
    progress: Option<Progress>,
    base_url: Option<&str>,
) -> Result<Vec<MonthRecord>, Error> {
    let project = report.project;
    let lang = lang(theme, &project.config.language)?;
    let site = SiteView::new(&project.config.title, &project.config.organisation, base_url, &lang)
        .indexed(project.config.publish.index);
    dest.begin(theme, &site)?;
    let Some(latest) = project.months.last().map(|m| m.month) else {
        let mut files = vec![pages::holding_page(theme, &site)?];
        files.extend(pages::statics(theme));
        dest.write(files)?;
        return Ok(Vec::new());
    };
    let catalogue = catalogue_view(report, &lang, latest);
    let corrections = corrections(project);
    let keys = key::months(project, theme, documents, base_url, &corrections);
    let rows_html = pages::RowHtml::new(theme, &site);
    let rows = Default::default();
    let parts = Parts { report, theme, site, catalogue, corrections, documents, dest, keys, rows, rows_html };
    let table = quarter::table(report)?;
    let quarters = QuarterShared { report, table: &table, lang: &lang, palette: &theme.palette };
    // The front page: the latest quarter's report for a board that meets
    // quarterly and has one, else the latest month's.
    let front_quarter =
        project.quarters.last().filter(|_| project.config.report.cadence == Cadence::Quarterly).map(|q| q.quarter);
    let latest_month = Some(latest).filter(|_| front_quarter.is_none());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = project.months.len();
    let records: Vec<MonthRecord> = project
        .months
        .par_iter()
        .enumerate()
        .map(|(i, content)| {
            let previous = i.checked_sub(1).map(|p| project.months[p].month);
            let record = render_month(&parts, i, content, previous, Some(content.month) == latest_month);
            if let Some(report_progress) = progress {
                report_progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
            }
            record
        })
        .collect::<Result<_, Error>>()?;
    let documents = parts.documents == Documents::Include;
    project.quarters.par_iter().try_for_each(|content| {
        let q = content.quarter;
        let (bundle, mut files) = quarter::quarter_files(&quarters, theme, &parts.site, q, documents, dest)?;
        if Some(q) == front_quarter {
            files.push(quarter::latest_page(theme, &parts.site, &bundle)?);
        }
        dest.write(files)
    })?;
    let archive = Archive { months: archive_rows(report, &lang), quarters: quarter_rows(&quarters) };
    dest.write(pages::site_pages(theme, &parts.site, &archive, &parts.catalogue)?)?;
    Ok(records)
}

/// Renders (or reuses) one month's folder and, for the latest month, the
/// site's `index.html`; writes them to the destination.
fn render_month(
    parts: &Parts<'_>,
    index: usize,
    content: &MonthContent,
    previous: Option<crate::base::period::Month>,
    latest: bool,
) -> Result<MonthRecord, Error> {
    let report = parts.report;
    let dest = parts.dest;
    let folder = content.month;
    let key = parts.keys[index].clone();
    let reused = dest.reuse(folder, &key)?;
    if let (Some(record), false) = (&reused, latest) {
        return Ok(record.clone());
    }
    let shared = Shared {
        report,
        lang: parts.site.lang,
        palette: &parts.theme.palette,
        catalogue: &parts.catalogue,
        corrections: &parts.corrections,
        rows: Some(&parts.rows),
        rows_html: &parts.rows_html,
    };
    let mut bundle = month_bundle(&shared, content, previous)?;
    bundle.view.documents = parts.documents == Documents::Include;
    if latest {
        dest.write(vec![pages::latest_page(parts.theme, &parts.site, &bundle)?])?;
    }
    if let Some(record) = reused {
        return Ok(record);
    }
    let mut record = MonthRecord { folder, key, pdf: None, stamp: None };
    let mut files = pages::month_pages(parts.theme, &parts.site, &bundle)?;
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
    if parts.documents == Documents::Include {
        let (pdf_path, html_path) = (format!("{id}/{}", document::PDF_NAME), format!("{id}/{}", document::HTML_NAME));
        if let Some(sent) = content.sent.as_ref().and_then(|s| s.documents.as_ref()) {
            files.push(SiteFile { path: pdf_path, bytes: sent.pdf.clone() });
            files.push(SiteFile { path: html_path, bytes: sent.html.clone() });
            files.push(SiteFile { path: format!("{id}/{}", document::PACK_NAME), bytes: sent.zip.clone() });
        } else {
            let input = document::ReportInput {
                report: shown,
                theme: parts.theme,
                site: &parts.site,
                catalogue: &parts.catalogue,
                bundle: &bundle,
                content,
            };
            let pdf = document::report_pdf(&input, dest)?;
            let html = document::single_file_html(&input)?.into_bytes();
            record.pdf = Some(pdf.key);
            files.push(SiteFile { path: pdf_path, bytes: pdf.bytes });
            files.push(SiteFile { path: html_path, bytes: html });
        }
    }
    dest.write_month(record, files)
}
