//! What a root folder holds — one report or a portfolio of them — decided once.
//!
//! Every command (`build`, `check`, `pack`, `serve`) starts from a
//! [`Workspace`] and matches on it; nothing else asks which kind a root is.
//! Load stage: reads the disk through [`crate::load::project`] and [`crate::load::portfolio`].

use std::path::Path;

use crate::base::diagnostic::Diagnostic;
use crate::load::config::CONFIG_FILE;
use crate::load::portfolio::{Company, Portfolio, COMPANIES_DIR, PORTFOLIO_FILE};
use crate::load::project::{Project, CONTENT_DIR, THEMES_DIR, VALUES_FILE};
use crate::Error;

/// The folders holding a report's or a portfolio's sources: never an output,
/// and watched by `serve`.
pub(crate) const SOURCE_DIRS: [&str; 3] = [CONTENT_DIR, THEMES_DIR, COMPANIES_DIR];
/// The files at a root that configure a report or a portfolio.
pub(crate) const SOURCE_FILES: [&str; 2] = [CONFIG_FILE, PORTFOLIO_FILE];

/// Which kind of root a folder is, known before (and even without) loading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `boardpack.toml` and `content/`.
    Report,
    /// `portfolio.toml` and `companies/SLUG/`.
    Portfolio,
}

impl Kind {
    /// A folder with `portfolio.toml` is a portfolio; anything else is read as
    /// a report (whose loader explains what is missing).
    pub(crate) fn of(root: &Path) -> Kind {
        if root.join(PORTFOLIO_FILE).is_file() {
            Kind::Portfolio
        } else {
            Kind::Report
        }
    }

    /// What `serve` says it watches.
    pub(crate) fn sources(self) -> &'static str {
        match self {
            Kind::Report => "boardpack.toml, content/ and themes/",
            Kind::Portfolio => "portfolio.toml, companies/ and themes/",
        }
    }
}

/// A loaded, checked root: the input of every later stage.
pub(crate) enum Workspace {
    /// One company's report.
    Report(Project),
    /// Many companies' reports and the overview that compares them.
    Portfolio(Portfolio),
}

/// A loaded workspace and the warnings found while loading it.
pub(crate) struct Loaded {
    pub(crate) workspace: Workspace,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// A root opened for a build: a report loaded whole (with its warnings), or a
/// portfolio read up to its companies, which a build loads, renders and lets
/// go of one at a time so that memory does not grow with the portfolio.
pub(crate) enum Opened {
    Report(Project, Vec<Diagnostic>),
    Portfolio(crate::load::portfolio::Opened),
}

impl Workspace {
    /// Reads the root as far as a streaming build needs before it starts.
    pub(crate) fn open(root: &Path) -> Result<Opened, Error> {
        match Kind::of(root) {
            Kind::Report => {
                let loaded = crate::load::project::load(root);
                match loaded.project {
                    Some(project) => Ok(Opened::Report(project, loaded.diagnostics)),
                    None => Err(Error::Content(loaded.diagnostics)),
                }
            }
            Kind::Portfolio => Ok(Opened::Portfolio(crate::load::portfolio::open(root))),
        }
    }

    /// Reads and checks the root; every problem found is in the error, and the
    /// warnings come with the workspace.
    pub(crate) fn load(root: &Path) -> Result<Loaded, Error> {
        match Workspace::open(root)? {
            Opened::Report(project, warnings) => Ok(Loaded { workspace: Workspace::Report(project), warnings }),
            Opened::Portfolio(opened) => match opened.load_all() {
                (Some(portfolio), warnings) => Ok(Loaded { workspace: Workspace::Portfolio(portfolio), warnings }),
                (None, diagnostics) => Err(Error::Content(diagnostics)),
            },
        }
    }
}

/// A report as published: draft months left out unless `drafts`. A report
/// whose every month is still a draft is published as a holding page that
/// says no report is published yet, with this warning: a new project's first
/// push publishes, and its workflow stays green.
pub(crate) fn publish_report(project: Project, drafts: bool) -> (Project, Option<Diagnostic>) {
    let drafted = match project.months.as_slice() {
        [only] => Some(only.month),
        _ => None,
    };
    let published = project.published(drafts);
    if !published.months.is_empty() {
        return (published, None);
    }
    let (file, what, values) = match drafted {
        Some(month) => (
            Path::new(CONTENT_DIR).join(month.to_string()).join(VALUES_FILE),
            format!("{month} is a draft"),
            format!("{CONTENT_DIR}/{month}/{VALUES_FILE}"),
        ),
        None => {
            (Path::new(CONTENT_DIR).to_path_buf(), "every month is a draft".to_string(), "a month's kpis.toml".into())
        }
    };
    let warning = Diagnostic::warning(
        file,
        format!("nothing is published yet: {what}, so the site is a holding page saying no report is published yet"),
    )
    .help(format!(
        "fill in {values} and remove its `draft = true` line to publish the month; `boardpack serve` or `boardpack build --drafts` previews drafts"
    ));
    (published, Some(warning))
}

/// A portfolio company as published: draft months left out unless `drafts`.
/// A company with nothing published is left out of the build, with this warning.
pub(crate) fn publish_company(mut company: Company, drafts: bool) -> Result<Company, Box<Diagnostic>> {
    company.project = company.project.published(drafts);
    if !company.project.months.is_empty() {
        return Ok(company);
    }
    Err(Box::new(
        Diagnostic::warning(
            Path::new(COMPANIES_DIR).join(&company.slug),
            format!("{} has only draft months: it is left out of the build", company.project.config.organisation),
        )
        .help("publish a month by removing `draft = true` from its kpis.toml, or build with --drafts"),
    ))
}
