//! `boardpack build`: load → check → compute → render → write, for a report
//! (here) or a portfolio ([`portfolio`]). PDFs come
//! from the project cache when their inputs are unchanged, and months
//! unchanged since the previous build are taken, not rendered again.

use std::path::PathBuf;

mod portfolio;

use crate::base::diagnostic::Diagnostic;
use crate::base::parallel::pool;
use crate::commands::check::project_findings;
use crate::commands::site::site;
use crate::load::project::Project;
use crate::load::theme::Theme;
use crate::load::workspace::{publish_report, Opened, Workspace};
use crate::render::pages::sitemap;
use crate::render::{Destination, Documents, Progress};
use crate::write::cache::Cache;
use crate::write::encrypt::Encrypting;
use crate::write::output::Staging;
use crate::write::staging::ToStaging;
use crate::write::target::check_target;
use crate::Error;
use portfolio::build_portfolio;

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
    /// How many quarters (company-quarters, for a portfolio) were rendered.
    pub quarters: usize,
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
pub(crate) struct Written {
    pub(crate) files: usize,
    pub(crate) months: usize,
    pub(crate) quarters: usize,
    /// Months taken unchanged from the previous build.
    pub(crate) reused: usize,
    /// Months taken from the cache.
    pub(crate) months_cached: usize,
    /// PDFs taken from the cache.
    pub(crate) pdfs_cached: usize,
}

impl Written {
    pub(crate) fn summary(self, output: PathBuf, warnings: Vec<Diagnostic>) -> BuildSummary {
        BuildSummary {
            output,
            files: self.files,
            months: self.months,
            quarters: self.quarters,
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
    let (project, holding) = publish_report(project, options.drafts);
    warnings.extend(holding);
    let key = crate::commands::key::site_key(&project.config.publish, crate::load::config::CONFIG_FILE)?;
    let output = options.output.clone().unwrap_or_else(|| project.root.join(&project.config.output_dir));
    let read = crate::load::inputs::folders_read(&project.root, Some(&project.config));
    check_target(&options.root, &output, options.force, &read)?;
    let cache = Cache::open(&project.root);
    let staging = Staging::new(&output, Some(cache.spare(&output)))?;
    let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
    let base_url = project.config.base_url.as_deref();
    let plain = ToStaging::new(&staging, None, &cache, &output);
    let dest = Encrypting::new(&plain, key.as_ref(), None);
    let records = pool().install(|| site(&project, &theme, Documents::Include, &dest, options.progress, base_url))?;
    plain.record(&records);
    if let Some(base_url) = base_url {
        dest.write(vec![sitemap(base_url, plain.pages().iter().map(String::as_str))])?;
    }
    cache.prune();
    let written = Written {
        files: plain.files(),
        months: project.months.len(),
        quarters: project.quarters.len(),
        reused: plain.months_reused(),
        months_cached: plain.months_cached(),
        pdfs_cached: cache.pdfs_taken(),
    };
    staging.commit()?;
    Ok(written.summary(output, warnings))
}
