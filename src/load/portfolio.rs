//! Portfolios: many companies' reports loaded together.
//!
//! A portfolio root holds `portfolio.toml` and one ordinary report project per
//! company under `companies/SLUG/` (each still buildable alone). `check`,
//! `serve` and `pack` load every company ([`Opened::load_all`]); `build` opens
//! the portfolio and loads the companies one at a time. Load stage:
//! reads the disk; the overview that compares the companies is computed in
//! [`crate::overview`] and rendered in [`crate::render`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::base::diagnostic::Diagnostic;
use crate::base::period::Month;
use crate::load::config::check_settings;
use crate::load::fonts::{FontSet, FONTS_DIR};
use crate::load::project::{self, missing_theme, Project, THEMES_DIR};
use crate::load::toml_file::is_slug;

/// The file that marks a folder as a portfolio.
pub(crate) const PORTFOLIO_FILE: &str = "portfolio.toml";
/// Where the companies live, under the portfolio root.
pub(crate) const COMPANIES_DIR: &str = "companies";

/// Settings of a boardpack portfolio: many companies' reports and an overview.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "portfolio.toml")]
pub(crate) struct PortfolioConfig {
    /// The overview's title.
    #[schemars(length(min = 1))]
    pub(crate) title: String,
    /// Who runs the portfolio: the firm, fund or group.
    #[schemars(length(min = 1))]
    pub(crate) owner: String,
    /// Where the overview is published, for canonical links and the sitemap.
    #[serde(default)]
    pub(crate) base_url: Option<String>,
    /// The overview's language and formats (a BCP 47 tag; default `en-GB`).
    /// Each company's report keeps its own `locale`.
    #[serde(default)]
    #[schemars(pattern(r"^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$"))]
    pub(crate) locale: Option<String>,
    /// `locale`, parsed.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) language: crate::base::locale::Locale,
    /// A folder under the portfolio's `themes/` overriding the overview's theme.
    #[serde(default)]
    #[schemars(pattern(r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub(crate) theme: Option<String>,
    /// Where `build` writes the site, relative to the portfolio root.
    #[serde(default = "crate::load::config::default_output_dir")]
    pub(crate) output_dir: String,
    /// Whether company sites include each month's PDF and single-file report.
    #[serde(default = "crate::load::config::yes")]
    pub(crate) documents: bool,
    /// `[publish]`: who may read the whole site, overview and companies
    /// (encrypted under one key for all of them).
    #[serde(default)]
    pub(crate) publish: crate::load::config::PublishConfig,
    /// `[report]`: the quarters the overview compares the companies by (each
    /// company's own report keeps its own), and whether it opens on the
    /// latest quarter (`cadence = "quarterly"`) or month.
    #[serde(default)]
    pub(crate) report: crate::load::config::ReportConfig,
}

/// One company of a portfolio.
pub(crate) struct Company {
    /// Its folder name under `companies/`, and its URL prefix.
    pub(crate) slug: String,
    pub(crate) project: Project,
}

/// A loaded, checked portfolio.
pub(crate) struct Portfolio {
    pub(crate) root: PathBuf,
    pub(crate) config: PortfolioConfig,
    pub(crate) companies: Vec<Company>,
    /// The overview PDF's fonts: embedded and the portfolio's `fonts/` (each
    /// company's PDFs use the company's own, as when it is built alone).
    pub(crate) fonts: FontSet,
}

impl Portfolio {
    /// Every month any company reported, oldest first.
    pub(crate) fn months(&self) -> Vec<Month> {
        let months: BTreeSet<Month> =
            self.companies.iter().flat_map(|c| c.project.months.iter().map(|m| m.month)).collect();
        months.into_iter().collect()
    }

    /// The number of company-months: what a build renders.
    pub(crate) fn company_months(&self) -> usize {
        self.companies.iter().map(|c| c.project.months.len()).sum()
    }
}

/// A portfolio root read up to its companies: its settings, fonts and the
/// list of company folders. A build loads the companies one at a time from
/// here ([`load_company`]), so memory never holds every company's sources.
pub(crate) struct Opened {
    pub(crate) root: PathBuf,
    /// `None` when `portfolio.toml` cannot be used (the diagnostics say why).
    pub(crate) portfolio: Option<Portfolio>,
    /// The company folders under `companies/`, in name order.
    pub(crate) slugs: Vec<String>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Opened {
    /// Every company loaded: the whole portfolio, or every problem found
    /// (each company's too when the settings are unusable).
    pub(crate) fn load_all(self) -> (Option<Portfolio>, Vec<Diagnostic>) {
        let Opened { root, portfolio, slugs, mut diagnostics } = self;
        let loaded: Vec<(Option<Company>, Vec<Diagnostic>)> =
            slugs.par_iter().map(|slug| load_company(&root, slug)).collect();
        let mut companies = Vec::new();
        for (company, found) in loaded {
            diagnostics.extend(found);
            companies.extend(company);
        }
        let failed = diagnostics.iter().any(Diagnostic::is_error);
        let portfolio = portfolio.filter(|_| !failed).map(|p| Portfolio { companies, ..p });
        (portfolio, diagnostics)
    }
}

/// Reads `portfolio.toml`, the portfolio's fonts and the list of companies,
/// without loading any company.
pub(crate) fn open(root: &Path) -> Opened {
    let mut diagnostics = Vec::new();
    let config = match std::fs::read_to_string(root.join(PORTFOLIO_FILE)) {
        Ok(text) => match toml::from_str::<PortfolioConfig>(&text) {
            Ok(mut c) => {
                let required = [("title", c.title.as_str()), ("owner", c.owner.as_str())];
                let file = Path::new(PORTFOLIO_FILE);
                let problems = check_settings(&text, file, &required, c.theme.as_deref(), &mut c.base_url);
                diagnostics.extend(problems);
                diagnostics.extend(c.publish.check(&text, file));
                diagnostics.extend(c.report.check(&text, file));
                match crate::load::config::parse_locale(&text, file, c.locale.as_deref()) {
                    Ok(locale) => c.language = locale,
                    Err(d) => diagnostics.extend(d),
                }
                if let Some(theme) = &c.theme {
                    if !root.join(THEMES_DIR).join(theme).is_dir() {
                        diagnostics.push(missing_theme(file, theme));
                    }
                }
                Some(c)
            }
            Err(e) => {
                diagnostics.push(crate::load::toml_file::toml_error(Path::new(PORTFOLIO_FILE), &text, &e));
                None
            }
        },
        Err(e) => {
            diagnostics.push(Diagnostic::error(PORTFOLIO_FILE, format!("cannot read: {e}")));
            None
        }
    };
    let dir = root.join(COMPANIES_DIR);
    let mut slugs: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect(),
        Err(_) => Vec::new(),
    };
    slugs.sort();
    if slugs.is_empty() {
        diagnostics.push(
            Diagnostic::error(COMPANIES_DIR, "the portfolio has no companies").help(
                "add one report project per company under companies/SLUG/ (each with boardpack.toml and content/)",
            ),
        );
    }
    let (font_files, problems) = crate::load::fonts::read_dir(&root.join(FONTS_DIR), Path::new(FONTS_DIR));
    diagnostics.extend(problems);
    let fonts = if font_files.is_empty() {
        FontSet::embedded()
    } else {
        let (fonts, warnings) = FontSet::new(font_files, false);
        diagnostics.extend(warnings);
        fonts
    };
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let portfolio = match (config, failed) {
        (Some(config), false) => Some(Portfolio { root: root.to_path_buf(), config, companies: Vec::new(), fonts }),
        _ => None,
    };
    Opened { root: root.to_path_buf(), portfolio, slugs, diagnostics }
}

/// Loads one company, `companies/SLUG/`; diagnostics name files from the portfolio root.
pub(crate) fn load_company(root: &Path, slug: &str) -> (Option<Company>, Vec<Diagnostic>) {
    if !is_slug(slug) {
        let d = Diagnostic::error(
            Path::new(COMPANIES_DIR).join(slug),
            "this company folder name is not usable in a web address",
        )
        .help("rename it with lower-case letters, digits and dashes, e.g. companies/acme-ltd");
        return (None, vec![d]);
    }
    let loaded = project::load(&root.join(COMPANIES_DIR).join(slug));
    let company = loaded.project.map(|project| Company { slug: slug.to_string(), project });
    (company, prefixed(slug, loaded.diagnostics))
}

/// Diagnostics of company `slug`, their files named from the portfolio root.
pub(crate) fn prefixed(slug: &str, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|mut d| {
            d.file = Path::new(COMPANIES_DIR).join(slug).join(&d.file);
            d
        })
        .collect()
}
