//! `boardpack build` and its dry run, `boardpack check`: the whole pipeline —
//! load → compute → render → write — for a report or a portfolio.
//!
//! `check` runs the same pipeline into memory (without typesetting PDFs), so a
//! template error a build would hit is found without writing anything.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::parallel::pool;
use crate::commands::key::{site_key, unencrypted_company};
use crate::commands::schema;
use crate::compute::audit;
use crate::compute::report::Report;
use crate::compute::rules;
use crate::load::portfolio::{Company, Portfolio, COMPANIES_DIR};
use crate::load::project::Project;
use crate::load::record;
use crate::load::theme::Theme;
use crate::load::workspace::{publish_company, publish_report, Loaded, Opened, Workspace};
use crate::render::key::CompanyKeys;
use crate::render::overview::{overview_files, write_overview};
use crate::render::pages::sitemap;
use crate::render::{render_site, Collect, Destination, Documents, MonthRecord, Progress, Sent, SiteFile};
use crate::write::cache::{Cache, CachedMonth};
use crate::write::encrypt::Encrypting;
use crate::write::output::{check_target, Staging};
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
    /// Months taken unchanged from the previous build into this output
    /// instead of rendered again.
    pub months_reused: usize,
    /// Months whose folders were taken whole from the project cache (kept by
    /// a build into another folder, or restored by CI) instead of rendered.
    pub months_cached: usize,
    /// PDFs taken from the project cache, by the key of their Typst inputs,
    /// for months rendered again.
    pub pdfs_cached: usize,
    /// Problems found that did not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// Loads, checks, computes, renders and writes the site of the report or
/// portfolio at `options.root`. PDFs come from the project cache when their
/// inputs are unchanged, and months unchanged since the previous build into
/// the same folder are taken from it, not rendered again.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, Error> {
    match Workspace::open(&options.root)? {
        Opened::Report(project, warnings) => build_report(project, warnings, options),
        Opened::Portfolio(opened) => build_portfolio(opened, options),
    }
}

/// What the write of one site amounted to.
#[derive(Default)]
struct Written {
    files: usize,
    months: usize,
    /// Months taken unchanged from the previous build.
    reused: usize,
    /// Months taken from the cache.
    months_cached: usize,
    /// PDFs taken from the cache.
    pdfs_cached: usize,
}

impl Written {
    fn summary(self, output: PathBuf, warnings: Vec<Diagnostic>) -> BuildSummary {
        BuildSummary {
            output,
            files: self.files,
            months: self.months,
            months_reused: self.reused,
            months_cached: self.months_cached,
            pdfs_cached: self.pdfs_cached,
            warnings,
        }
    }
}

fn build_report(
    project: Project,
    mut warnings: Vec<Diagnostic>,
    options: &BuildOptions,
) -> Result<BuildSummary, Error> {
    warnings.extend(project_findings(&project, None));
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(warnings));
    }
    let project = publish_report(project, options.drafts)?;
    let key = site_key(&project.config.publish, crate::load::config::CONFIG_FILE)?;
    let output = options.output.clone().unwrap_or_else(|| project.root.join(&project.config.output_dir));
    check_target(&options.root, &output, options.force)?;
    let cache = Cache::open(&project.root);
    let staging = Staging::new(&output, Some(cache.spare(&output)))?;
    let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
    let base_url = project.config.base_url.as_deref();
    let plain = ToStaging::new(&staging, None, &cache, &output);
    let dest = Encrypting::new(&plain, key.as_ref(), None);
    pool().install(|| site(&project, &theme, Documents::Include, &dest, options.progress, base_url))?;
    if let Some(base_url) = base_url {
        dest.write(vec![sitemap(base_url, plain.pages().iter().map(String::as_str))])?;
    }
    cache.prune();
    let written = Written {
        files: plain.files(),
        months: project.months.len(),
        reused: plain.months_reused(),
        months_cached: plain.months_cached(),
        pdfs_cached: cache.pdfs_taken(),
    };
    staging.commit()?;
    Ok(written.summary(output, warnings))
}

/// What a portfolio build keeps of one company once its site is written.
#[derive(Default)]
struct Streamed {
    /// Its figures, for the overview (`None`: left out, or the build failed).
    company: Option<Company>,
    /// Its months' keys, which the overview's are made of.
    keys: Vec<(crate::base::period::Month, String)>,
    /// What loading and checking it found.
    found: Vec<Diagnostic>,
    /// Its pages, for the sitemap.
    pages: Vec<String>,
    written: Written,
}

/// Builds a portfolio one company at a time: each is loaded, checked,
/// rendered and written, then only its figures are kept for the overview, so
/// memory holds the companies in flight, not the portfolio. A problem in any
/// company fails the whole build, with every company's problems, and leaves
/// the output as it was.
fn build_portfolio(mut opened: crate::load::portfolio::Opened, options: &BuildOptions) -> Result<BuildSummary, Error> {
    let Some(mut portfolio) = opened.portfolio.take() else {
        // The settings are unusable: report every company's problems with them.
        return Err(Error::Content(opened.load_all().1));
    };
    let crate::load::portfolio::Opened { root, slugs, diagnostics: mut warnings, .. } = opened;
    let words = Words::new(&portfolio);
    warnings.extend(words.overview());
    let key = site_key(&portfolio.config.publish, crate::load::portfolio::PORTFOLIO_FILE)?;
    let publish = portfolio.config.publish.clone();
    let output = options.output.clone().unwrap_or_else(|| root.join(&portfolio.config.output_dir));
    check_target(&options.root, &output, options.force)?;
    let cache = Cache::open(&root);
    let staging = Staging::new(&output, Some(cache.spare(&output)))?;
    let theme = Theme::of_portfolio(&portfolio)?;
    let documents = if portfolio.config.documents { Documents::Include } else { Documents::Skip };
    let base_url = portfolio.config.base_url.as_deref();
    // Set by the first problem found: later companies are still loaded and
    // checked, to report everything at once, but no longer rendered.
    let failed = AtomicBool::new(warnings.iter().any(Diagnostic::is_error));
    let progress = Counter::new(options.progress, &root, &slugs);
    let company = |slug: &String| -> Result<Streamed, Error> {
        let (company, mut found) = crate::load::portfolio::load_company(&root, slug);
        let Some(company) = company else {
            failed.store(true, Ordering::Relaxed);
            return Ok(Streamed { found, ..Streamed::default() });
        };
        found.extend(words.company(&company));
        found.extend(unencrypted_company(&company.slug, &company.project.config.publish, &publish));
        if found.iter().any(Diagnostic::is_error) {
            failed.store(true, Ordering::Relaxed);
        }
        let company = match publish_company(company, options.drafts) {
            Ok(company) => company,
            Err(left_out) => {
                found.push(*left_out);
                return Ok(Streamed { found, ..Streamed::default() });
            }
        };
        if failed.load(Ordering::Relaxed) {
            return Ok(Streamed { found, ..Streamed::default() });
        }
        let plain = ToStaging::new(&staging, Some(&company.slug), &cache, &output);
        let dest = Encrypting::new(&plain, key.as_ref(), Some(&company.slug));
        let records = company_site(&company, &theme, documents, &dest, base_url)
            .inspect_err(|_| failed.store(true, Ordering::Relaxed))?;
        let keys = company.project.months.iter().map(|m| m.month).zip(records.into_iter().map(|r| r.key)).collect();
        let months = company.project.months.len();
        progress.add(months);
        let written = Written {
            files: plain.files(),
            months,
            reused: plain.months_reused(),
            months_cached: plain.months_cached(),
            pdfs_cached: 0,
        };
        let pages = plain.pages();
        let company = Company { slug: company.slug, project: company.project.figures_only() };
        Ok(Streamed { company: Some(company), keys, found, pages, written })
    };
    let streamed: Vec<Result<Streamed, Error>> = pool().install(|| slugs.par_iter().map(company).collect());
    progress.finish();
    // Problems in the content come first: a render error may only follow from them.
    let mut rendering = None;
    let mut written = Written::default();
    let mut pages = Vec::new();
    let mut keys = CompanyKeys::new();
    for s in streamed {
        match s {
            Ok(s) => {
                if let Some(company) = &s.company {
                    keys.insert(company.slug.clone(), s.keys);
                }
                warnings.extend(s.found);
                portfolio.companies.extend(s.company);
                pages.push(s.pages);
                written.files += s.written.files;
                written.months += s.written.months;
                written.reused += s.written.reused;
                written.months_cached += s.written.months_cached;
            }
            Err(e) => rendering = rendering.or(Some(e)),
        }
    }
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(warnings));
    }
    if let Some(e) = rendering {
        return Err(e);
    }
    let plain = ToStaging::new(&staging, None, &cache, &output);
    let dest = Encrypting::new(&plain, key.as_ref(), None);
    pool().install(|| write_overview(&portfolio, &theme, None, &dest, Some(&keys)))?;
    if let Some(base_url) = base_url {
        let overview = plain.pages();
        let companies = pages.iter().flatten().map(String::as_str);
        dest.write(vec![sitemap(base_url, overview.iter().map(String::as_str).chain(companies))])?;
    }
    written.files += plain.files();
    cache.prune();
    written.pdfs_cached = cache.pdfs_taken();
    staging.commit()?;
    Ok(written.summary(output, warnings))
}

/// Progress of a portfolio build, in months: the total is counted from the
/// month folders before any company is loaded (drafts included, so the last
/// report may fall short of it; [`Counter::finish`] completes it).
struct Counter {
    progress: Option<Progress>,
    done: AtomicUsize,
    total: usize,
}

impl Counter {
    fn new(progress: Option<Progress>, root: &Path, slugs: &[String]) -> Counter {
        let total = match progress {
            Some(_) => {
                slugs.iter().map(|slug| crate::load::project::month_folders(&root.join(COMPANIES_DIR).join(slug))).sum()
            }
            None => 0,
        };
        Counter { progress, done: AtomicUsize::new(0), total }
    }

    fn add(&self, months: usize) {
        if let Some(p) = self.progress {
            let done = self.done.fetch_add(months, Ordering::Relaxed) + months;
            p(done.min(self.total), self.total);
        }
    }

    fn finish(&self) {
        if let Some(p) = self.progress {
            p(self.total, self.total);
        }
    }
}

/// Renders a report's site into `dest`, and records its months for the next
/// build; returns those records (each month's folder and key), in month order.
fn site(
    project: &Project,
    theme: &Theme,
    documents: Documents,
    dest: &dyn Destination,
    progress: Option<Progress>,
    base_url: Option<&str>,
) -> Result<Vec<MonthRecord>, Error> {
    let report = Report::new(project);
    let records = render_site(&report, theme, documents, dest, progress, base_url)?;
    dest.record(&records);
    Ok(records)
}

/// One company's whole site, into `dest` (which puts it under `SLUG/`).
/// `theme` is the portfolio's, used unless the company names its own;
/// `base_url` is the portfolio's address, under which the company's pages
/// live at `SLUG/`.
pub(crate) fn company_site(
    company: &Company,
    theme: &Theme,
    documents: Documents,
    dest: &dyn Destination,
    base_url: Option<&str>,
) -> Result<Vec<MonthRecord>, Error> {
    let own = Theme::of_company(company)?;
    let base_url = base_url.map(|b| format!("{b}{}/", company.slug));
    site(&company.project, own.as_ref().unwrap_or(theme), documents, dest, None, base_url.as_deref())
}

/// One company's whole site in memory, its paths under `SLUG/`, without PDFs:
/// what `serve` shows and `check` renders.
pub(crate) fn company_files(company: &Company, theme: &Theme) -> Result<Vec<SiteFile>, Error> {
    let collect = Collect::default();
    company_site(company, theme, Documents::Skip, &collect, None)?;
    let mut files = collect.into_files();
    for f in &mut files {
        f.path = format!("{}/{}", company.slug, f.path);
    }
    Ok(files)
}

/// A report's site in memory, without PDFs: what `serve` shows.
pub(crate) fn preview_report(project: &Project, theme: &Theme) -> Result<Vec<SiteFile>, Error> {
    let collect = Collect::default();
    pool().install(|| site(project, theme, Documents::Skip, &collect, None, project.config.base_url.as_deref()))?;
    Ok(collect.into_files())
}

/// A build's destination: the staging folder (under `prefix/` for a
/// portfolio's company), the project cache, and the previous output. An
/// unchanged month is taken from the previous output, or else from the cache,
/// instead of rendered; every month rendered is kept in the cache.
struct ToStaging<'a> {
    staging: &'a Staging,
    prefix: Option<&'a str>,
    cache: &'a Cache,
    /// The previous output's folder for this site, when boardpack wrote it.
    previous: Option<PathBuf>,
    /// Which site of the cache's records this is.
    site: String,
    /// Its months as the previous build recorded them: folder → (key, PDF key, stamp).
    months: std::collections::BTreeMap<String, (String, Option<String>, String)>,
    files: AtomicUsize,
    reused: AtomicUsize,
    /// Months taken whole from the project cache.
    cached: AtomicUsize,
    pages: std::sync::Mutex<Vec<String>>,
}

impl<'a> ToStaging<'a> {
    fn new(staging: &'a Staging, prefix: Option<&'a str>, cache: &'a Cache, output: &Path) -> ToStaging<'a> {
        let folder = prefix.map_or_else(|| output.to_path_buf(), |p| output.join(p));
        let ours = output.join(crate::write::output::MARKER).is_file();
        let site = crate::write::cache::site_id(output, prefix);
        let months = match cache.months(&site) {
            Some(text) if ours => text
                .lines()
                .filter_map(|l| {
                    let mut parts = l.split(' ');
                    let (folder, key, pdf, stamp) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
                    let pdf = (pdf != "-").then(|| pdf.to_string());
                    Some((folder.to_string(), (key.to_string(), pdf, stamp.to_string())))
                })
                .collect(),
            _ => Default::default(),
        };
        ToStaging {
            staging,
            prefix,
            cache,
            previous: ours.then_some(folder),
            site,
            months,
            files: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
            cached: AtomicUsize::new(0),
            pages: std::sync::Mutex::default(),
        }
    }

    fn path(&self, rel: &str) -> String {
        match self.prefix {
            Some(p) => format!("{p}/{rel}"),
            None => rel.to_string(),
        }
    }

    fn note(&self, paths: impl Iterator<Item = String>) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let mut count = 0;
        for p in paths {
            count += 1;
            if p.ends_with("index.html") {
                pages.push(p);
            }
        }
        self.files.fetch_add(count, Ordering::Relaxed);
    }

    fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    fn months_reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    fn months_cached(&self) -> usize {
        self.cached.load(Ordering::Relaxed)
    }

    /// The month folder `folder` from the previous output, if it was made
    /// from inputs with this key and is exactly as that build wrote it (a file
    /// changed or added since — its size or time differs — is not trusted).
    fn take_previous(&self, folder: &str, key: &str) -> Result<Option<MonthRecord>, Error> {
        let (Some(previous), Some((was, pdf, stamp))) = (&self.previous, self.months.get(folder)) else {
            return Ok(None);
        };
        if was != key {
            return Ok(None);
        }
        let path = self.path(folder);
        let Some(linked) = self.staging.link_unchanged(&previous.join(folder), &path, stamp)? else {
            return Ok(None);
        };
        self.cache.keep(key, pdf.as_deref());
        self.note(linked.paths.into_iter());
        self.reused.fetch_add(1, Ordering::Relaxed);
        Ok(Some(MonthRecord {
            folder: folder.to_string(),
            key: key.to_string(),
            pdf: pdf.clone(),
            stamp: linked.stamp,
        }))
    }

    /// Writes rendered files into the staging folder, their paths made the
    /// output's (under the company's folder, for a portfolio).
    fn stage(&self, files: &mut [SiteFile]) -> Result<(), Error> {
        for f in files.iter_mut() {
            f.path = self.path(&f.path);
        }
        self.staging.write(files)?;
        self.note(files.iter().map(|f| f.path.clone()));
        Ok(())
    }

    /// Every page written, by its path in the output, in path order.
    fn pages(&self) -> Vec<String> {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner()).clone();
        pages.sort();
        pages
    }
}

impl Destination for ToStaging<'_> {
    /// Records each month's folder, the keys of its inputs and PDF, and the
    /// [`crate::write::output::stamp`] of its files as written: the next build into
    /// the same output reuses a month whose key is unchanged, if its folder is
    /// still as written. The record is kept in the cache, not the output,
    /// whose bytes depend only on the report.
    fn record(&self, months: &[MonthRecord]) {
        let lines: String = months
            .iter()
            .filter_map(|r| {
                let stamp = r.stamp.clone().or_else(|| self.staging.stamp(&self.path(&r.folder)))?;
                Some(format!("{} {} {} {stamp}\n", r.folder, r.key, r.pdf.as_deref().unwrap_or("-")))
            })
            .collect();
        self.cache.put_months(&self.site, &lines);
    }

    fn pdf(&self, key: &str) -> Option<Vec<u8>> {
        self.cache.get(key)
    }

    fn store_pdf(&self, key: &str, bytes: &[u8]) {
        self.cache.put(key, bytes);
    }

    fn sent(&self, content: &crate::load::project::MonthContent) -> Result<Option<Sent>, Error> {
        let (Some(seal), Some(path)) = (&content.seal, &content.sealed_pack) else {
            return Ok(None);
        };
        read_sent(path, seal).map(Some)
    }

    fn reuse(&self, folder: &str, key: &str) -> Result<Option<MonthRecord>, Error> {
        if let Some(record) = self.take_previous(folder, key)? {
            return Ok(Some(record));
        }
        let Some(kept) = self.cache.month(key) else { return Ok(None) };
        let files: Vec<(String, &Path)> =
            kept.files.iter().map(|(rel, path)| (self.path(&format!("{folder}/{rel}")), path.as_path())).collect();
        if self.staging.link_in(&files).is_err() {
            // A kept file gone since it was checked (another build pruned
            // it): none of the month's files stay, and the month is rendered.
            self.staging.remove(&self.path(folder))?;
            return Ok(None);
        }
        self.note(files.into_iter().map(|(path, _)| path));
        self.cached.fetch_add(1, Ordering::Relaxed);
        Ok(Some(MonthRecord { folder: folder.to_string(), key: key.to_string(), pdf: kept.pdf, stamp: None }))
    }

    fn write_month(
        &self,
        month_key: &str,
        folder: &str,
        pdf: Option<&str>,
        mut files: Vec<SiteFile>,
    ) -> Result<(), Error> {
        let prefix = format!("{folder}/");
        let rel: Option<Vec<String>> = files.iter().map(|f| f.path.strip_prefix(&prefix).map(str::to_string)).collect();
        self.stage(&mut files)?;
        // Kept in the cache for builds into other folders: every file, or the month is not kept.
        let Some(rel) = rel else { return Ok(()) };
        let kept: Option<Vec<(String, String)>> = files
            .par_iter()
            .zip(rel)
            .map(|(f, rel)| {
                let digest = crate::base::digest::blake3(&f.bytes);
                let written = self.staging.path_of(&f.path).ok()?;
                self.cache.keep_file(&digest, &written, &f.bytes).then_some((digest, rel))
            })
            .collect();
        if let Some(files) = kept {
            self.cache.put_month(month_key, CachedMonth { pdf: pdf.map(str::to_string), files });
        }
        Ok(())
    }

    fn write(&self, mut files: Vec<SiteFile>) -> Result<(), Error> {
        self.stage(&mut files)
    }
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
                .map(|c| company_files(c, &theme).map(|_| ()))
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
/// every company of a portfolio, editor schemas gone stale, and what the
/// report's language lacks ([`rules::language`]).
pub(crate) fn findings(workspace: &Workspace) -> Vec<Diagnostic> {
    match workspace {
        Workspace::Report(project) => project_findings(project, None),
        Workspace::Portfolio(portfolio) => {
            let words = Words::new(portfolio);
            let mut found: Vec<Diagnostic> = portfolio.companies.iter().flat_map(|c| words.company(c)).collect();
            found.extend(words.overview());
            found
        }
    }
}

/// [`findings`] for one report; `theme` is the one it wears when it is a
/// portfolio's company without a theme of its own.
pub(crate) fn project_findings(project: &Project, theme: Option<&Theme>) -> Vec<Diagnostic> {
    let report = Report::new(project);
    let mut found = audit::audit(project, &report);
    found.extend(rules::check(project, &report));
    found.extend(schema::stale(&project.root, &project.catalogue));
    found.extend(language(project, theme));
    found
}

/// A portfolio's findings about words, with its theme loaded only if
/// something needs it: English in the built-in theme needs nothing.
struct Words<'a> {
    portfolio: &'a Portfolio,
    theme: std::sync::OnceLock<Option<Theme>>,
}

impl<'a> Words<'a> {
    fn new(portfolio: &'a Portfolio) -> Words<'a> {
        Words { portfolio, theme: std::sync::OnceLock::new() }
    }

    fn theme(&self) -> Option<&Theme> {
        let portfolio = self.portfolio;
        self.theme.get_or_init(|| Theme::load(&portfolio.root, portfolio.config.theme.as_deref()).ok()).as_ref()
    }

    /// [`findings`] for one company, its files named from the portfolio root.
    fn company(&self, company: &Company) -> Vec<Diagnostic> {
        let project = &company.project;
        let theme =
            if project.config.theme.is_none() && needs_words(project, self.portfolio) { self.theme() } else { None };
        crate::load::portfolio::prefixed(&company.slug, project_findings(project, theme))
    }

    /// What the overview's language lacks.
    fn overview(&self) -> Vec<Diagnostic> {
        let config = &self.portfolio.config;
        if config.language.language() == crate::base::i18n::REFERENCE && config.theme.is_none() {
            return Vec::new();
        }
        match self.theme() {
            Some(theme) => theme.translations(&config.language).map_or_else(|d| d, |w| w.diagnostics()),
            None => Vec::new(),
        }
    }
}

/// Whether a portfolio company wearing the portfolio's theme has words to check.
fn needs_words(project: &Project, portfolio: &Portfolio) -> bool {
    project.config.language.language() != crate::base::i18n::REFERENCE || portfolio.config.theme.is_some()
}

/// [`rules::language`] for a project, in its own theme or `theme` (a
/// portfolio's); nothing to check for English in the built-in theme, whose
/// words are complete and plain ASCII.
fn language(project: &Project, theme: Option<&Theme>) -> Vec<Diagnostic> {
    let english = project.config.language.language() == crate::base::i18n::REFERENCE;
    match (theme, &project.config.theme) {
        (Some(theme), None) => rules::language(project, theme),
        (_, None) if english => Vec::new(),
        (_, name) => match Theme::load(&project.root, name.as_deref()) {
            Ok(theme) => rules::language(project, &theme),
            // A broken theme is reported where it is loaded to render.
            Err(_) => Vec::new(),
        },
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
    if crate::base::digest::sha256(&zip) != seal.pack_sha256 {
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
    if crate::base::digest::sha256(&pdf) != seal.pdf_sha256 {
        return Err(tampered("the PDF inside"));
    }
    Ok(Sent { pdf, html, zip })
}
