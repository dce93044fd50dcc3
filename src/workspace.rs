//! What a root folder holds — one report or a portfolio of them — decided once.
//!
//! Every command (`build`, `check`, `pack`, `serve`) starts from a
//! [`Workspace`] and matches on it; nothing else asks which kind a root is.
//! Load stage: reads the disk through [`crate::project`] and [`crate::portfolio`].

use std::path::Path;

use crate::config::CONFIG_FILE;
use crate::diagnostic::Diagnostic;
use crate::portfolio::{Portfolio, COMPANIES_DIR, PORTFOLIO_FILE};
use crate::project::{Project, CONTENT_DIR, THEMES_DIR};
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

impl Workspace {
    /// Reads and checks the root; every problem found is in the error, and the
    /// warnings come with the workspace.
    pub(crate) fn load(root: &Path) -> Result<Loaded, Error> {
        let (workspace, diagnostics) = match Kind::of(root) {
            Kind::Report => {
                let loaded = crate::project::load(root);
                (loaded.project.map(Workspace::Report), loaded.diagnostics)
            }
            Kind::Portfolio => {
                let (portfolio, diagnostics) = crate::portfolio::load(root);
                (portfolio.map(Workspace::Portfolio), diagnostics)
            }
        };
        match workspace {
            Some(workspace) => Ok(Loaded { workspace, warnings: diagnostics }),
            None => Err(Error::Content(diagnostics)),
        }
    }

    /// The workspace as published: draft months left out unless `drafts`. A
    /// portfolio company with nothing published is left out, with a warning;
    /// a report with nothing published cannot be built.
    pub(crate) fn published(self, drafts: bool, warnings: &mut Vec<Diagnostic>) -> Result<Workspace, Error> {
        let nothing = |months: &[crate::project::MonthContent]| {
            Error::Refused {
            what: format!(
                "there is nothing to publish: {} a draft",
                match months {
                    [only] => format!("{} is", only.month),
                    _ => "every month is".to_string(),
                }
            ),
            help: "a month is a draft while its kpis.toml says `draft = true` or holds no value: fill it in and remove the `draft` line. To preview drafts, use `boardpack serve` or `boardpack build --drafts`".into(),
        }
        };
        match self {
            Workspace::Report(project) => {
                let all = project.months.clone();
                let published = project.published(drafts);
                if published.months.is_empty() {
                    return Err(nothing(&all));
                }
                Ok(Workspace::Report(published))
            }
            Workspace::Portfolio(mut portfolio) => {
                let companies = std::mem::take(&mut portfolio.companies);
                for mut company in companies {
                    company.project = company.project.published(drafts);
                    if company.project.months.is_empty() {
                        warnings.push(
                            Diagnostic::warning(
                                std::path::Path::new(COMPANIES_DIR).join(&company.slug),
                                format!(
                                    "{} has only draft months: it is left out of the build",
                                    company.project.config.organisation
                                ),
                            )
                            .help(
                                "publish a month by removing `draft = true` from its kpis.toml, or build with --drafts",
                            ),
                        );
                    } else {
                        portfolio.companies.push(company);
                    }
                }
                Ok(Workspace::Portfolio(portfolio))
            }
        }
    }

    /// The folder the site goes to when `--output` is not given.
    pub(crate) fn default_output(&self) -> std::path::PathBuf {
        match self {
            Workspace::Report(p) => p.root.join(&p.config.output_dir),
            Workspace::Portfolio(p) => p.root.join(&p.config.output_dir),
        }
    }
}
