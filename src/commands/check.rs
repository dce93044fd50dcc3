//! `boardpack check`: the build's pipeline run into memory (without
//! typesetting PDFs), so a template error a build would hit is found without
//! writing anything; and the findings every command that publishes checks
//! first: the audit of sealed months, the report's rules, stale editor
//! schemas and the words the report's language lacks.

use std::path::Path;

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::parallel::pool;
use crate::commands::schema;
use crate::commands::site::{company_files, preview_report};
use crate::compute::audit;
use crate::compute::report::Report;
use crate::compute::rules;
use crate::load::portfolio::{Company, Portfolio};
use crate::load::project::Project;
use crate::load::theme::Theme;
use crate::load::workspace::{Loaded, Workspace};
use crate::render::overview::overview_files;
use crate::Error;

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
pub(crate) struct Words<'a> {
    portfolio: &'a Portfolio,
    theme: std::sync::OnceLock<Option<Theme>>,
}

impl<'a> Words<'a> {
    pub(crate) fn new(portfolio: &'a Portfolio) -> Words<'a> {
        Words { portfolio, theme: std::sync::OnceLock::new() }
    }

    fn theme(&self) -> Option<&Theme> {
        let portfolio = self.portfolio;
        self.theme.get_or_init(|| Theme::load(&portfolio.root, portfolio.config.theme.as_deref()).ok()).as_ref()
    }

    /// [`findings`] for one company, its files named from the portfolio root.
    pub(crate) fn company(&self, company: &Company) -> Vec<Diagnostic> {
        let project = &company.project;
        let theme =
            if project.config.theme.is_none() && needs_words(project, self.portfolio) { self.theme() } else { None };
        crate::load::portfolio::prefixed(&company.slug, project_findings(project, theme))
    }

    /// What the overview's language lacks.
    pub(crate) fn overview(&self) -> Vec<Diagnostic> {
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
