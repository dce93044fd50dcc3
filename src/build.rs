//! `boardpack build` and its dry run, `boardpack check`: the whole pipeline —
//! load → compute → render → write — for a report or a portfolio.
//!
//! `check` runs the same pipeline into memory (without typesetting PDFs), so a
//! template error a build would hit is found without writing anything.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::audit;
use crate::cache::{self, PdfCache, MANIFEST};
use crate::diagnostic::Diagnostic;
use crate::output::{check_target, Staging};
use crate::parallel::pool;
use crate::portfolio::{Company, Portfolio};
use crate::project::Project;
use crate::record;
use crate::render::overview::overview_files;
use crate::render::pages::sitemap;
use crate::render::{render_site, Documents, Earlier, NoPdfs, Progress, Sent, Site, SiteFile};
use crate::report::Report;
use crate::rules;
use crate::schema;
use crate::theme::Theme;
use crate::workspace::{Loaded, Workspace};
use crate::Error;

/// What `build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The project or portfolio root (holds `boardpack.toml` or `portfolio.toml`).
    pub root: PathBuf,
    /// Output folder; `None` means the project's `output_dir`, under the root.
    pub output: Option<PathBuf>,
    /// Replace an output folder that holds files boardpack did not write.
    pub force: bool,
    /// Publish draft months too (marked as drafts), to preview them.
    pub drafts: bool,
    /// Told as each month finishes rendering (the command line shows it on a terminal).
    pub progress: Option<Progress>,
}

/// What a successful build did, for the command line to report.
#[derive(Debug)]
pub struct BuildSummary {
    /// Where the site was written.
    pub output: PathBuf,
    /// How many files it holds.
    pub files: usize,
    /// How many months (company-months, for a portfolio) were rendered.
    pub months: usize,
    /// PDFs taken unchanged from the previous build instead of typeset again.
    pub pdfs_reused: usize,
    /// Problems found that did not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// Loads, checks, computes, renders and writes the site of the report or
/// portfolio at `options.root`. PDFs unchanged since the previous build into
/// the same folder are reused, not typeset again.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, Error> {
    let Loaded { workspace, mut warnings } = Workspace::load(&options.root)?;
    warnings.extend(findings(&workspace));
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(warnings));
    }
    let workspace = workspace.published(options.drafts, &mut warnings)?;
    let output = options.output.clone().unwrap_or_else(|| workspace.default_output());
    check_target(&options.root, &output, options.force)?;
    let staging = Staging::new(&output)?;
    let written = pool().install(|| match &workspace {
        Workspace::Report(project) => build_report(project, &output, &staging, options.progress),
        Workspace::Portfolio(portfolio) => build_portfolio(portfolio, &output, &staging, options.progress),
    })?;
    staging.commit()?;
    Ok(BuildSummary { output, files: written.files, months: written.months, pdfs_reused: written.reused, warnings })
}

/// What the write of one site amounted to.
struct Written {
    files: usize,
    months: usize,
    reused: usize,
}

fn build_report(
    project: &Project,
    output: &Path,
    staging: &Staging,
    progress: Option<Progress>,
) -> Result<Written, Error> {
    let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
    let cache = Stored(PdfCache::load(output, output));
    let base_url = project.config.base_url.as_deref();
    let mut files =
        site_files(project, &theme, Documents::Include, &cache, progress, Place { prefix: None, base_url })?;
    if let Some(base_url) = base_url {
        files.push(sitemap(base_url, files.iter().map(|f| f.path.as_str())));
    }
    staging.write(&files)?;
    Ok(Written { files: files.len(), months: project.months.len(), reused: cache.0.reused() })
}

/// Builds every company, one at a time (each written and dropped before the
/// next is held), then the overview.
fn build_portfolio(
    portfolio: &Portfolio,
    output: &Path,
    staging: &Staging,
    progress: Option<Progress>,
) -> Result<Written, Error> {
    let theme = Theme::of_portfolio(portfolio)?;
    let documents = if portfolio.config.documents { Documents::Include } else { Documents::Skip };
    let reused = AtomicUsize::new(0);
    // Progress counts months, as for a single report.
    let done = AtomicUsize::new(0);
    let total = portfolio.company_months();
    let base_url = portfolio.config.base_url.as_deref();
    // Each company's file count, and its pages when a sitemap is wanted.
    let written: Vec<(usize, Vec<String>)> = portfolio
        .companies
        .par_iter()
        .map(|company| {
            let cache = Stored(PdfCache::load(output, &output.join(&company.slug)));
            let files = company_files(company, &theme, documents, &cache, base_url)?;
            reused.fetch_add(cache.0.reused(), Ordering::Relaxed);
            staging.write(&files)?;
            if let Some(p) = progress {
                let months = company.project.months.len();
                p(done.fetch_add(months, Ordering::Relaxed) + months, total);
            }
            let pages = match base_url {
                Some(_) => files.iter().filter(|f| f.path.ends_with("index.html")).map(|f| f.path.clone()).collect(),
                None => Vec::new(),
            };
            Ok((files.len(), pages))
        })
        .collect::<Result<_, Error>>()?;
    let mut overview = overview_files(portfolio, &theme, None)?;
    if let Some(base_url) = base_url {
        let companies = written.iter().flat_map(|(_, pages)| pages.iter().map(String::as_str));
        let map = sitemap(base_url, overview.iter().map(|f| f.path.as_str()).chain(companies));
        overview.push(map);
    }
    staging.write(&overview)?;
    Ok(Written {
        files: written.iter().map(|(n, _)| n).sum::<usize>() + overview.len(),
        months: total,
        reused: reused.into_inner(),
    })
}

/// Where a report's site goes: under a folder of the output (a portfolio's
/// company), and published at an address.
#[derive(Clone, Copy)]
struct Place<'a> {
    prefix: Option<&'a str>,
    base_url: Option<&'a str>,
}

/// A report's site files: pages, data, documents, and the list of its PDFs
/// for the next build (`.boardpack-pdfs`), all paths under `place.prefix/` if given.
fn site_files(
    project: &Project,
    theme: &Theme,
    documents: Documents,
    pdfs: &dyn Earlier,
    progress: Option<Progress>,
    place: Place<'_>,
) -> Result<Vec<SiteFile>, Error> {
    let report = Report::new(project);
    let Site { mut files, pdfs: keys } = render_site(&report, theme, documents, pdfs, progress, place.base_url)?;
    if documents == Documents::Include {
        let lines = keys
            .iter()
            .filter_map(|(path, key)| {
                let file = files.iter().find(|f| f.path == *path)?;
                Some(cache::line(path, key, &file.bytes))
            })
            .collect();
        files.push(SiteFile { path: MANIFEST.into(), bytes: cache::manifest(lines).into_bytes() });
    }
    if let Some(prefix) = place.prefix {
        for f in &mut files {
            f.path = format!("{prefix}/{}", f.path);
        }
    }
    Ok(files)
}

/// One company's whole site, its paths under `SLUG/`. `theme` is the
/// portfolio's, used unless the company names its own; `base_url` is the
/// portfolio's address, under which the company's pages live at `SLUG/`.
pub(crate) fn company_files(
    company: &Company,
    theme: &Theme,
    documents: Documents,
    pdfs: &dyn Earlier,
    base_url: Option<&str>,
) -> Result<Vec<SiteFile>, Error> {
    let own = Theme::of_company(company)?;
    let base_url = base_url.map(|b| format!("{b}{}/", company.slug));
    let place = Place { prefix: Some(&company.slug), base_url: base_url.as_deref() };
    site_files(&company.project, own.as_ref().unwrap_or(theme), documents, pdfs, None, place)
}

/// A report's site in memory, without PDFs: what `serve` shows.
pub(crate) fn preview_report(project: &Project, theme: &Theme) -> Result<Vec<SiteFile>, Error> {
    let place = Place { prefix: None, base_url: project.config.base_url.as_deref() };
    pool().install(|| site_files(project, theme, Documents::Skip, &NoPdfs, None, place))
}

/// Checks the report or portfolio at `root` without writing anything: loads
/// it and renders every page in memory. Returns every diagnostic.
pub fn check(root: &Path) -> Vec<Diagnostic> {
    let Loaded { workspace, mut warnings } = match Workspace::load(root) {
        Ok(loaded) => loaded,
        Err(e) => return e.into_diagnostics(root),
    };
    warnings.extend(findings(&workspace));
    // Rendering in memory catches the template errors a build would hit, in
    // the report's theme, the portfolio's, and any company's own.
    let rendered = pool().install(|| match &workspace {
        Workspace::Report(project) => Theme::load(&project.root, project.config.theme.as_deref())
            .map_err(Error::Content)
            .and_then(|theme| preview_report(project, &theme).map(|_| ())),
        Workspace::Portfolio(portfolio) => Theme::of_portfolio(portfolio).and_then(|theme| {
            portfolio
                .companies
                .par_iter()
                .map(|c| company_files(c, &theme, Documents::Skip, &NoPdfs, None).map(|_| ()))
                .collect::<Result<(), Error>>()?;
            overview_files(portfolio, &theme, None).map(|_| ())
        }),
    });
    if let Err(e) = rendered {
        warnings.extend(e.into_diagnostics(root));
    }
    warnings
}

/// What the audit of sealed months and the [`rules`] find in a report or in
/// every company of a portfolio, and editor schemas gone stale.
pub(crate) fn findings(workspace: &Workspace) -> Vec<Diagnostic> {
    let findings = |project: &Project| {
        let report = Report::new(project);
        let mut found = audit::audit(project, &report);
        found.extend(rules::check(project, &report));
        found.extend(schema::stale(&project.root, &project.catalogue));
        found
    };
    match workspace {
        Workspace::Report(project) => findings(project),
        Workspace::Portfolio(portfolio) => {
            portfolio.companies.iter().flat_map(|c| crate::portfolio::prefixed(&c.slug, findings(&c.project))).collect()
        }
    }
}

/// What a build had before: the previous build's PDFs, and the documents each
/// sealed month was sent as (read from its `board-pack.zip`, checked against
/// its seal, never typeset again).
struct Stored(PdfCache);

impl Earlier for Stored {
    fn pdf(&self, key: &str) -> Option<Vec<u8>> {
        self.0.get(key)
    }

    fn sent(&self, content: &crate::project::MonthContent) -> Result<Option<Sent>, Error> {
        let (Some(seal), Some(path)) = (&content.seal, &content.sealed_pack) else {
            return Ok(None);
        };
        read_sent(path, seal).map(Some)
    }
}

/// A sealed month's board pack, checked against its seal: the zip's and its
/// PDF's SHA-256 must be the ones recorded.
pub(crate) fn read_sent(path: &Path, seal: &record::Seal) -> Result<Sent, Error> {
    let zip = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let tampered = |what: &str| Error::Refused {
        what: format!("{}: {what} is not what was sealed", path.display()),
        help: "restore it from git: it is the board pack the board received".into(),
    };
    if crate::project::sha256(&zip) != seal.pack_sha256 {
        return Err(tampered("the board pack"));
    }
    let entries = record::pack_entries(&zip).map_err(|e| Error::Refused {
        what: format!("{}: cannot read the sealed board pack: {e}", path.display()),
        help: "restore it from git: it is the board pack the board received".into(),
    })?;
    let take = |name: &str| entries.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone());
    let (Some(pdf), Some(html)) = (take(crate::render::document::PDF_NAME), take(crate::render::document::HTML_NAME))
    else {
        return Err(tampered("its content"));
    };
    if crate::project::sha256(&pdf) != seal.pdf_sha256 {
        return Err(tampered("the PDF inside"));
    }
    Ok(Sent { pdf, html, zip })
}
