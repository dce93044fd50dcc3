//! Portfolios: many companies' reports built together, with an overview that
//! compares them.
//!
//! A portfolio root holds `portfolio.toml` and one ordinary report project per
//! company under `companies/SLUG/` (each still buildable alone). `build` writes
//! each company's site under `SLUG/` with the same URLs as a single report, and
//! an overview per month: a matrix of companies × KPIs aligned by KPI id.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tera::Context;

use crate::catalogue::{is_slug, Kpi};
use crate::diagnostic::Diagnostic;
use crate::output::{check_target, Staging};
use crate::pack::cache::PdfCache;
use crate::period::Month;
use crate::project::{self, Project};
use crate::render::{render_page, render_site, Documents, MonthLink, Progress, SiteFile};
use crate::report::{Report, StatusCounts};
use crate::theme::Theme;
use crate::{BuildSummary, Error};

/// The file that marks a folder as a portfolio.
pub const PORTFOLIO_FILE: &str = "portfolio.toml";
/// Where the companies live, under the portfolio root.
pub const COMPANIES_DIR: &str = "companies";

/// `portfolio.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioConfig {
    pub title: String,
    /// Who runs the portfolio: the firm, fund or group.
    pub owner: String,
    #[serde(default)]
    pub base_url: Option<String>,
    /// A folder under the portfolio's `themes/` overriding the overview's theme.
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default = "crate::config::default_output_dir")]
    pub output_dir: String,
    /// Whether company sites include each month's PDF and single-file report.
    #[serde(default = "crate::config::yes")]
    pub documents: bool,
}

/// One company of a portfolio.
pub struct Company {
    /// Its folder name under `companies/`, and its URL prefix.
    pub slug: String,
    pub project: Project,
}

/// A loaded, checked portfolio.
pub struct Portfolio {
    pub root: PathBuf,
    pub config: PortfolioConfig,
    pub companies: Vec<Company>,
}

/// Whether `root` is a portfolio rather than a single report.
pub fn is_portfolio(root: &Path) -> bool {
    root.join(PORTFOLIO_FILE).is_file()
}

/// Loads every company; diagnostics name files from the portfolio root.
pub fn load(root: &Path) -> (Option<Portfolio>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let config = match std::fs::read_to_string(root.join(PORTFOLIO_FILE)) {
        Ok(text) => match toml::from_str::<PortfolioConfig>(&text) {
            Ok(c) => Some(c),
            Err(e) => {
                diagnostics.push(crate::catalogue::toml_error(Path::new(PORTFOLIO_FILE), &text, &e));
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
    let loaded: Vec<(Option<Company>, Vec<Diagnostic>)> =
        slugs.into_par_iter().map(|slug| load_company(root, &slug)).collect();
    let mut companies = Vec::new();
    for (company, found) in loaded {
        diagnostics.extend(found);
        companies.extend(company);
    }
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let portfolio = match (config, failed) {
        (Some(config), false) => Some(Portfolio { root: root.to_path_buf(), config, companies }),
        _ => None,
    };
    (portfolio, diagnostics)
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

/// Renders one company's whole site, its paths under `SLUG/`. `theme` is the
/// portfolio's, used unless the company names its own; unchanged PDFs come from `cache`.
pub(crate) fn company_files(
    company: &Company,
    theme: &Theme,
    documents: Documents,
    cache: &PdfCache,
) -> Result<Vec<SiteFile>, Error> {
    let own = own_theme(company)?;
    let theme = own.as_ref().unwrap_or(theme);
    let report = Report::new(&company.project);
    let mut files = render_site(&report, theme, documents, cache, None)?;
    for f in &mut files {
        f.path = format!("{}/{}", company.slug, f.path);
    }
    Ok(files)
}

/// The company's own theme, when its `boardpack.toml` names one; otherwise it
/// wears the portfolio's.
pub(crate) fn own_theme(company: &Company) -> Result<Option<Theme>, Error> {
    match &company.project.config.theme {
        Some(_) => Theme::load(&company.project).map(Some).map_err(|d| Error::Content(prefixed(&company.slug, d))),
        None => Ok(None),
    }
}

/// The portfolio's own theme (for the overview, and for companies without one).
pub(crate) fn theme(portfolio: &Portfolio) -> Result<Theme, Error> {
    Theme::load_from(&portfolio.root, portfolio.config.theme.as_deref()).map_err(Error::Content)
}

/// Builds every company and the overview into `output`, atomically.
pub fn build(
    root: &Path,
    output: Option<PathBuf>,
    force: bool,
    progress: Option<Progress>,
) -> Result<BuildSummary, Error> {
    let (portfolio, diagnostics) = load(root);
    let Some(portfolio) = portfolio else {
        return Err(Error::Content(diagnostics));
    };
    let output = output.unwrap_or_else(|| root.join(&portfolio.config.output_dir));
    check_target(root, &output, force)?;
    let theme = theme(&portfolio)?;
    let documents = if portfolio.config.documents { Documents::Include } else { Documents::Skip };
    let staging = Staging::new(&output)?;
    let reused = std::sync::atomic::AtomicUsize::new(0);
    // Progress counts months, as for a single report.
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = portfolio.companies.iter().map(|c| c.project.months.len()).sum();
    let counts: Vec<usize> = portfolio
        .companies
        .par_iter()
        .map(|company| {
            let cache = PdfCache::load(&output, &output.join(&company.slug));
            let files = company_files(company, &theme, documents, &cache)?;
            reused.fetch_add(cache.reused(), std::sync::atomic::Ordering::Relaxed);
            staging.write(&files)?;
            if let Some(p) = progress {
                let months = company.project.months.len();
                p(done.fetch_add(months, std::sync::atomic::Ordering::Relaxed) + months, total);
            }
            Ok(files.len())
        })
        .collect::<Result<_, Error>>()?;
    let overview = overview_files(&portfolio, &theme, None)?;
    staging.write(&overview)?;
    staging.commit()?;
    Ok(BuildSummary {
        output,
        files: counts.iter().sum::<usize>() + overview.len(),
        months: portfolio.companies.iter().map(|c| c.project.months.len()).sum(),
        pdfs_reused: reused.into_inner(),
        warnings: diagnostics,
    })
}

fn prefixed(slug: &str, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|mut d| {
            d.file = Path::new(COMPANIES_DIR).join(slug).join(&d.file);
            d
        })
        .collect()
}

/// Checks the portfolio and every company without writing anything.
pub fn check(root: &Path) -> Vec<Diagnostic> {
    let (portfolio, mut diagnostics) = load(root);
    let Some(p) = portfolio else {
        return diagnostics;
    };
    // Rendering in memory catches the template errors a build would hit, in
    // the portfolio's theme and in any company's own.
    let theme = match theme(&p) {
        Ok(theme) => theme,
        Err(e) => return with_error(diagnostics, e, root),
    };
    let rendered = crate::pool().install(|| {
        p.companies
            .par_iter()
            .map(|c| company_files(c, &theme, Documents::Skip, &PdfCache::default()).map(|_| ()))
            .collect::<Result<(), Error>>()
            .and_then(|()| overview_files(&p, &theme, None).map(|_| ()))
    });
    if let Err(e) = rendered {
        diagnostics = with_error(diagnostics, e, root);
    }
    diagnostics
}

/// Adds a build error to the diagnostics: its own, for content errors.
fn with_error(mut diagnostics: Vec<Diagnostic>, error: Error, root: &Path) -> Vec<Diagnostic> {
    match error {
        Error::Content(found) => diagnostics.extend(found),
        e => diagnostics.push(Diagnostic::error(root, e.to_string())),
    }
    diagnostics
}

#[derive(Serialize, Clone)]
pub(crate) struct Column {
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Serialize)]
pub(crate) struct Cell {
    /// `green`, `amber`, `red`, `none`, or `untracked`.
    pub(crate) status: &'static str,
    pub(crate) label: &'static str,
    pub(crate) value: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Row {
    pub(crate) slug: String,
    pub(crate) name: String,
    /// Whether the company has a report for this month (a link to it).
    pub(crate) reported: bool,
    /// Why there is no report, when there is none.
    pub(crate) absence: Option<&'static str>,
    pub(crate) counts: StatusCounts,
    pub(crate) change: Option<String>,
    pub(crate) cells: Vec<Cell>,
}

/// One month's overview: what the page and the portfolio PDF show.
#[derive(Serialize)]
pub(crate) struct Overview<'a> {
    pub(crate) title: &'a str,
    pub(crate) owner: &'a str,
    pub(crate) month: MonthLink,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: Vec<Row>,
    pub(crate) medians: Vec<Option<String>>,
    /// Every month up to this one, newest first: the month selector.
    pub(crate) months: Vec<MonthLink>,
}

/// Every month any company reported, oldest first.
pub(crate) fn months(portfolio: &Portfolio) -> Vec<Month> {
    let months: BTreeSet<Month> =
        portfolio.companies.iter().flat_map(|c| c.project.months.iter().map(|m| m.month)).collect();
    months.into_iter().collect()
}

/// The overview of one month on its own (the portfolio PDF's matrix).
pub(crate) fn overview_of(portfolio: &Portfolio, month: Month) -> Overview<'_> {
    let reports: Vec<Report<'_>> = portfolio.companies.iter().map(|c| Report::new(&c.project)).collect();
    let upto: Vec<Month> = months(portfolio).into_iter().filter(|m| *m <= month).collect();
    overview(portfolio, &reports, &columns(portfolio), month, &upto)
}

/// KPI ids across companies, in the order they first appear.
fn columns(portfolio: &Portfolio) -> Vec<Column> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in &portfolio.companies {
        for k in &c.project.catalogue.kpis {
            if seen.insert(k.id.clone()) {
                out.push(Column { id: k.id.clone(), name: k.name.clone() });
            }
        }
    }
    out
}

/// The overview pages (one per month, and the latest at the root) and their
/// styles. With `from`, only the months from it on: a month's overview never
/// depends on later months, so an edit to one month leaves earlier ones as they were.
pub(crate) fn overview_files(
    portfolio: &Portfolio,
    theme: &Theme,
    from: Option<Month>,
) -> Result<Vec<SiteFile>, Error> {
    let months = months(portfolio);
    let reports: Vec<Report<'_>> = portfolio.companies.iter().map(|c| Report::new(&c.project)).collect();
    let columns = columns(portfolio);
    let mut files: Vec<SiteFile> = months
        .par_iter()
        .enumerate()
        .filter(|(_, &month)| from.is_none_or(|from| month >= from))
        .map(|(i, &month)| {
            let view = overview(portfolio, &reports, &columns, month, &months[..=i]);
            let path = format!("{month}/index.html");
            page(theme, &view, &path, "../")
        })
        .collect::<Result<_, Error>>()?;
    if let Some(&latest) = months.last() {
        let view = overview(portfolio, &reports, &columns, latest, &months);
        files.push(page(theme, &view, "index.html", "")?);
    }
    for (name, bytes) in &theme.statics {
        files.push(SiteFile { path: format!("static/{name}"), bytes: bytes.clone() });
    }
    Ok(files)
}

fn page(theme: &Theme, view: &Overview<'_>, path: &str, root: &str) -> Result<SiteFile, Error> {
    let mut ctx = Context::new();
    ctx.insert("portfolio", view);
    render_page(theme, "portfolio.html", path, root, &mut ctx)
}

fn overview<'a>(
    portfolio: &'a Portfolio,
    reports: &[Report<'_>],
    columns: &[Column],
    month: Month,
    upto: &[Month],
) -> Overview<'a> {
    let mut rows: Vec<Row> =
        portfolio.companies.iter().zip(reports).map(|(company, report)| row(company, report, columns, month)).collect();
    // Worst first: the board's question is "who is red on what".
    rows.sort_by(|a, b| {
        (b.reported, b.counts.red, b.counts.amber, &a.name).cmp(&(a.reported, a.counts.red, a.counts.amber, &b.name))
    });
    let medians = columns
        .iter()
        .map(|col| {
            let mut values: Vec<f64> = Vec::new();
            let mut format: Option<&Kpi> = None;
            for (company, report) in portfolio.companies.iter().zip(reports) {
                if let Some(k) = company.project.catalogue.kpis.iter().position(|k| k.id == col.id) {
                    format.get_or_insert(&company.project.catalogue.kpis[k]);
                    if company.project.months.iter().any(|m| m.month == month) {
                        values.extend(report.reading(k, month).value);
                    }
                }
            }
            median(&mut values).and_then(|m| format.map(|k| k.format_value(m)))
        })
        .collect();
    Overview {
        title: &portfolio.config.title,
        owner: &portfolio.config.owner,
        month: month.into(),
        columns: columns.to_vec(),
        rows,
        medians,
        months: upto.iter().rev().map(|&m| m.into()).collect(),
    }
}

fn row(company: &Company, report: &Report<'_>, columns: &[Column], month: Month) -> Row {
    let project = &company.project;
    let reported = project.months.iter().any(|m| m.month == month);
    let first = project.months.first().map(|m| m.month);
    let absence = match (reported, first) {
        (true, _) => None,
        (false, Some(f)) if month < f => Some("Not yet reporting"),
        (false, _) => Some("No report this month"),
    };
    let catalogue = &project.catalogue;
    let cells = columns
        .iter()
        .map(|col| match catalogue.kpis.iter().position(|k| k.id == col.id) {
            None => Cell { status: "untracked", label: "Not tracked", value: None },
            Some(_) if !reported => Cell { status: "none", label: "No report", value: None },
            Some(k) => {
                let r = report.reading(k, month);
                Cell {
                    status: r.status.as_str(),
                    label: r.status.label(),
                    value: r.value.map(|v| r.kpi.format_value(v)),
                }
            }
        })
        .collect();
    let counts = if reported { report.counts(month) } else { StatusCounts::default() };
    let previous = project.months.iter().rev().map(|m| m.month).find(|m| *m < month);
    let change = match (reported, previous) {
        (true, Some(p)) => Some(describe_change(report.counts(p), counts)),
        _ => None,
    };
    Row {
        slug: company.slug.clone(),
        name: project.config.organisation.clone(),
        reported,
        absence,
        counts,
        change,
        cells,
    }
}

fn describe_change(before: StatusCounts, after: StatusCounts) -> String {
    let parts: Vec<String> =
        [("red", before.red, after.red), ("amber", before.amber, after.amber), ("green", before.green, after.green)]
            .into_iter()
            .filter(|(_, b, a)| a != b)
            .map(|(name, b, a)| {
                let d = a as i64 - b as i64;
                format!("{name} {}{}", if d > 0 { "+" } else { "−" }, d.abs())
            })
            .collect();
    if parts.is_empty() {
        "no change".into()
    } else {
        parts.join(", ")
    }
}

/// The median, or `None` for no values.
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn change_names_what_moved() {
        let a = StatusCounts { green: 5, amber: 4, red: 1, none: 0 };
        let b = StatusCounts { green: 4, amber: 4, red: 2, none: 0 };
        assert_eq!(describe_change(a, b), "red +1, green −1");
        assert_eq!(describe_change(a, a), "no change");
    }
}
