//! boardpack: monthly engineering KPIs and commentary in, a board-ready report out.
//!
//! The pipeline is the architecture, one module per stage:
//! [`project`] loads and checks the files → [`report`] computes statuses,
//! changes and history windows ([`status`] holds the rules) → [`chart`] draws
//! the SVGs → [`render`] fills the [`theme`]'s templates → [`output`] writes
//! the site atomically. Only `project`, `theme` and `output` touch the disk.

pub mod catalogue;
pub mod chart;
pub mod config;
pub mod diagnostic;
pub mod export;
pub mod markdown;
pub mod measure;
pub mod output;
pub mod pack;
pub mod period;
pub mod portfolio;
pub mod project;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod status;
pub mod theme;

use std::path::{Path, PathBuf};

use diagnostic::Diagnostic;

/// Everything that can stop a command. User mistakes in content arrive as
/// [`Error::Content`] with every diagnostic found; the rest name the path or
/// page involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the report has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
    Content(Vec<Diagnostic>),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{template}: template error while rendering {page}: {message}\n  = help: fix the template, or remove it from your theme to use the built-in one")]
    Template { template: String, page: String, message: String },
    #[error(transparent)]
    Chart(#[from] chart::ChartError),
    #[error("refusing to write the site to {}: {reason}\n  = help: {help}", path.display())]
    UnsafeOutput { path: PathBuf, reason: String, help: String },
    #[error("{what}\n  = help: {help}")]
    Refused { what: String, help: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }
}

/// What `build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The project root (holds `boardpack.toml`).
    pub root: PathBuf,
    /// Output folder; `None` means the project's `output_dir`, under the root.
    pub output: Option<PathBuf>,
    /// Replace an output folder that holds files boardpack did not write.
    pub force: bool,
    /// Told as each month finishes rendering (the command line shows it on a terminal).
    pub progress: Option<render::Progress>,
}

/// What a successful build did, for the command line to report.
#[derive(Debug)]
pub struct BuildSummary {
    pub output: PathBuf,
    pub files: usize,
    pub months: usize,
    /// PDFs taken unchanged from the previous build instead of typeset again.
    pub pdfs_reused: usize,
    pub warnings: Vec<Diagnostic>,
}

/// The threads that render: as many as there are cores, each with a stack big
/// enough for Typst's layout of long commentary (it recurses deeply; 2 MiB, the
/// default for spawned threads, overflows on real reports).
pub fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(64 << 20)
            .thread_name(|i| format!("boardpack-render-{i}"))
            .build()
            .unwrap_or_else(|_| {
                rayon::ThreadPoolBuilder::new().build().expect("a default thread pool can always be built")
            })
    })
}

/// A site rendered in memory, not yet written.
#[derive(Debug)]
pub struct Rendered {
    pub files: Vec<render::SiteFile>,
    pub months: usize,
    pub warnings: Vec<Diagnostic>,
}

/// Loads, checks, computes and renders a project into memory: everything
/// `build` does except writing and reusing PDFs; what `serve` shows.
pub fn render_project(root: &Path) -> Result<Rendered, Error> {
    let loaded = project::load(root);
    let Some(project) = loaded.project else {
        return Err(Error::Content(loaded.diagnostics));
    };
    let files = render_loaded(&project, &pack::cache::PdfCache::default(), None)?;
    Ok(Rendered { files, months: project.months.len(), warnings: loaded.diagnostics })
}

/// Renders a loaded project, taking unchanged PDFs from `cache`.
fn render_loaded(
    project: &project::Project,
    cache: &pack::cache::PdfCache,
    progress: Option<render::Progress>,
) -> Result<Vec<render::SiteFile>, Error> {
    let report = report::Report::new(project);
    let theme = theme::Theme::load(project).map_err(Error::Content)?;
    pool().install(|| render::render_site(&report, &theme, render::Documents::Include, cache, progress))
}

/// Loads, checks, computes, renders and writes the site (of one report, or of a
/// portfolio when the root holds `portfolio.toml`). PDFs unchanged since the
/// previous build into the same folder are reused, not typeset again.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, Error> {
    if portfolio::is_portfolio(&options.root) {
        return pool()
            .install(|| portfolio::build(&options.root, options.output.clone(), options.force, options.progress));
    }
    let loaded = project::load(&options.root);
    let Some(project) = loaded.project else {
        return Err(Error::Content(loaded.diagnostics));
    };
    let output = options.output.clone().unwrap_or_else(|| project.root.join(&project.config.output_dir));
    output::check_target(&options.root, &output, options.force)?;
    let cache = pack::cache::PdfCache::load(&output, &output);
    let files = render_loaded(&project, &cache, options.progress)?;
    output::write_site(&output, &files)?;
    Ok(BuildSummary {
        output,
        files: files.len(),
        months: project.months.len(),
        pdfs_reused: cache.reused(),
        warnings: loaded.diagnostics,
    })
}

/// The whole text of an error as a user should read it: every diagnostic for
/// content errors, the message otherwise.
pub fn describe(error: &Error) -> String {
    match error {
        Error::Content(diagnostics) => diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        e => format!("error: {e}"),
    }
}

/// Checks the project without writing anything; returns every diagnostic.
pub fn check(root: &Path) -> Vec<Diagnostic> {
    if portfolio::is_portfolio(root) {
        return portfolio::check(root);
    }
    let loaded = project::load(root);
    let mut diagnostics = loaded.diagnostics;
    if let Some(project) = loaded.project {
        match theme::Theme::load(&project) {
            Ok(theme) => {
                // Rendering in memory catches template errors a build would hit.
                let report = report::Report::new(&project);
                let none = pack::cache::PdfCache::default();
                if let Err(e) = render::render_site(&report, &theme, render::Documents::Skip, &none, None) {
                    diagnostics.push(Diagnostic::error(&project.root, e.to_string()));
                }
            }
            Err(d) => diagnostics.extend(d),
        }
    }
    diagnostics
}
