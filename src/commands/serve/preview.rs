//! The preview engine: what `serve` renders, kept between rebuilds so that a
//! change re-renders only what it affects.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::base::parallel::pool;
use crate::base::period::Month;
use crate::commands::site::{company_files, preview_report};
use crate::load::portfolio::{self, Portfolio, COMPANIES_DIR};
use crate::load::project::CONTENT_DIR;
use crate::load::theme::{Palette, Theme};
use crate::load::workspace::{Loaded, Workspace};
use crate::render::overview::overview_files;
use crate::render::SiteFile;
use crate::Error;

/// What is previewed, kept between rebuilds so that a change re-renders only
/// what it affects: for a portfolio, its last good load.
pub(super) struct Engine {
    portfolio: Option<Box<PortfolioPreview>>,
}

struct PortfolioPreview {
    portfolio: Portfolio,
    theme: Theme,
}

/// A change to the served files.
pub(super) enum Update {
    /// Everything, replacing the whole site.
    All(Vec<SiteFile>),
    /// Files under the `folders` (e.g. `acme/`) and the `paths` are dropped; `files` are added.
    Part { folders: Vec<String>, paths: Vec<String>, files: Vec<SiteFile> },
}

/// What a rebuild did: the update, how many months it rendered, and the
/// colours of the theme it used.
pub(super) type Outcome = (Update, usize, Palette);

/// Companies an edit touched, each with the earliest month it touched (`None`:
/// something beyond one month, such as its configuration or catalogue).
type Touched = BTreeMap<String, Option<Month>>;

impl Engine {
    pub(super) fn new() -> Engine {
        Engine { portfolio: None }
    }

    /// Renders what `changed` (paths of added, removed or modified sources; empty
    /// for "everything") affects.
    pub(super) fn update(&mut self, root: &Path, changed: &[PathBuf]) -> Result<Outcome, Error> {
        if let Some(preview) = self.portfolio.as_mut() {
            if let Some(touched) = preview.touched(root, changed) {
                return preview.update(root, &touched);
            }
        }
        let Loaded { workspace, warnings } = Workspace::load(root)?;
        for w in &warnings {
            eprintln!("{w}");
        }
        match workspace {
            // A single report is re-rendered whole (the demo's 18 months take ~0.2 s without PDFs).
            Workspace::Report(project) => {
                self.portfolio = None;
                let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
                let files = preview_report(&project, &theme)?;
                Ok((Update::All(files), project.months.len(), theme.palette))
            }
            Workspace::Portfolio(portfolio) => {
                let (preview, files, months) = PortfolioPreview::render(portfolio)?;
                let palette = preview.theme.palette.clone();
                self.portfolio = Some(Box::new(preview));
                Ok((Update::All(files), months, palette))
            }
        }
    }
}

impl PortfolioPreview {
    /// Renders the whole portfolio (without PDFs: a preview is for pages).
    fn render(portfolio: Portfolio) -> Result<(PortfolioPreview, Vec<SiteFile>, usize), Error> {
        let theme = Theme::of_portfolio(&portfolio)?;
        let files = pool().install(|| {
            let companies: Vec<Vec<SiteFile>> =
                portfolio.companies.par_iter().map(|c| company_files(c, &theme)).collect::<Result<_, Error>>()?;
            let mut files: Vec<SiteFile> = companies.into_iter().flatten().collect();
            files.extend(overview_files(&portfolio, &theme, None)?);
            Ok::<_, Error>(files)
        })?;
        let months = portfolio.company_months();
        Ok((PortfolioPreview { portfolio, theme }, files, months))
    }

    /// The companies `changed` touches, when they are all in the preview and
    /// nothing else changed; `None` asks for a full reload (a company was added,
    /// or the portfolio's own files changed).
    fn touched(&self, root: &Path, changed: &[PathBuf]) -> Option<Touched> {
        let known = |slug: &String| self.portfolio.companies.iter().any(|c| c.slug == *slug);
        companies_touched(root, changed).filter(|touched| touched.keys().all(known))
    }

    /// Reloads and re-renders the touched companies, then the overview from the
    /// earliest month touched.
    fn update(&mut self, root: &Path, touched: &Touched) -> Result<Outcome, Error> {
        let mut loaded = Vec::new();
        let mut diagnostics = Vec::new();
        for slug in touched.keys() {
            let (company, found) = portfolio::load_company(root, slug);
            diagnostics.extend(found);
            loaded.extend(company);
        }
        if diagnostics.iter().any(|d| d.is_error()) {
            return Err(Error::Content(diagnostics));
        }
        for w in &diagnostics {
            eprintln!("{w}");
        }
        // Render every touched company before replacing any, so a failure
        // leaves the preview as it was.
        let mut folders = Vec::new();
        let mut files = Vec::new();
        let mut months = 0;
        let mut slots = Vec::new();
        for company in &loaded {
            let slot = self
                .portfolio
                .companies
                .iter()
                .position(|c| c.slug == company.slug)
                .ok_or_else(|| Error::Internal(format!("company `{}` is not in the preview", company.slug)))?;
            let rendered = pool().install(|| company_files(company, &self.theme))?;
            files.extend(rendered);
            folders.push(format!("{}/", company.slug));
            months += company.project.months.len();
            slots.push(slot);
        }
        let before = self.portfolio.months();
        for (slot, company) in slots.into_iter().zip(loaded) {
            self.portfolio.companies[slot] = company;
        }
        // Whole-company edits redo every month of the overview; month edits, from that month on.
        let from = match touched.values().all(Option::is_some) {
            true => touched.values().flatten().min().copied(),
            false => None,
        };
        let overview = pool().install(|| overview_files(&self.portfolio, &self.theme, from))?;
        let mut paths: Vec<String> =
            before.iter().filter(|m| from.is_none_or(|from| **m >= from)).map(|m| format!("{m}/index.html")).collect();
        paths.push("index.html".into());
        files.extend(overview);
        Ok((Update::Part { folders, paths, files }, months, self.theme.palette.clone()))
    }
}

/// The companies a change touches, when it touches nothing else: `None` means
/// the whole portfolio must be reloaded (its configuration, its theme, or the
/// list of companies changed).
fn companies_touched(root: &Path, changed: &[PathBuf]) -> Option<Touched> {
    let mut touched = Touched::new();
    for path in changed {
        let parts: Vec<String> =
            path.strip_prefix(root).ok()?.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let [top, slug, rest @ ..] = parts.as_slice() else {
            return None;
        };
        if top != COMPANIES_DIR || rest.is_empty() || !root.join(COMPANIES_DIR).join(slug).is_dir() {
            return None;
        }
        // companies/SLUG/content/YYYY-MM/FILE touches that month; anything else, the whole company.
        let month = match rest {
            [content, month, _file] if content == CONTENT_DIR => month.parse::<Month>().ok(),
            _ => None,
        };
        let entry = touched.entry(slug.clone()).or_insert(month);
        *entry = match (*entry, month) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
    }
    (!touched.is_empty()).then_some(touched)
}
