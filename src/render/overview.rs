//! The portfolio overview: for each month, a matrix of companies × KPIs
//! aligned by KPI id, worst company first, with the portfolio median per KPI —
//! as view models and as pages.
//!
//! A month's overview depends only on months up to it, so an edit to one month
//! leaves earlier overviews as they were.

use std::collections::BTreeSet;

use rayon::prelude::*;
use serde::Serialize;

use super::key::CompanyKeys;
use super::pages::{render_page, statics};
use super::view::{MonthLink, SiteView};
use super::{Destination, MonthRecord, SiteFile};
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::compute::quarter::QuarterTable;
use crate::compute::report::{Report, StatusCounts};
use crate::load::catalogue::{Kpi, Medium};
use crate::load::portfolio::{Company, Portfolio};
use crate::load::theme::Theme;
use crate::Error;

#[derive(Serialize, Clone)]
pub(crate) struct Column {
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Serialize)]
pub(crate) struct Cell {
    /// `green`, `amber`, `red`, `none`, or `untracked`.
    pub(crate) status: &'static str,
    pub(crate) label: String,
    pub(crate) value: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Row {
    pub(crate) slug: String,
    pub(crate) name: String,
    /// Whether the company has a report for this month (a link to it).
    pub(crate) reported: bool,
    /// Its report for the period, relative to the site root, when there is one.
    pub(crate) link: Option<String>,
    /// Why there is no report, when there is none.
    pub(crate) absence: Option<String>,
    pub(crate) counts: StatusCounts,
    pub(crate) change: Option<String>,
    pub(crate) cells: Vec<Cell>,
}

/// One month's overview: what the page and the portfolio PDF show.
#[derive(Serialize)]
pub(crate) struct Overview<'a> {
    pub(crate) title: &'a str,
    pub(crate) owner: &'a str,
    /// Where the portfolio is published, for canonical links.
    #[serde(skip)]
    pub(crate) base_url: Option<&'a str>,
    /// Whether search engines may index it (`[publish] index`).
    #[serde(skip)]
    pub(crate) index: bool,
    pub(crate) month: MonthLink,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: Vec<Row>,
    pub(crate) medians: Vec<Option<String>>,
    /// Every month up to this one, newest first: the month selector.
    pub(crate) months: Vec<MonthLink>,
    /// The quarters' overviews, newest first, on the pages that list them
    /// (the latest page and the quarters' own): a month's page lists only
    /// what precedes it.
    pub(crate) quarters: Vec<MonthLink>,
    /// Whether it is a quarter's overview (else a month's).
    pub(crate) quarterly: bool,
}

/// The overview of one month on its own (the portfolio PDF's matrix).
pub(crate) fn overview_of<'a>(portfolio: &'a Portfolio, lang: &Lang, month: Month) -> Overview<'a> {
    let reports: Vec<Report<'_>> = portfolio.companies.iter().map(|c| Report::new(&c.project)).collect();
    let upto: Vec<Month> = portfolio.months().into_iter().filter(|m| *m <= month).collect();
    overview(portfolio, lang, &reports, &columns(portfolio), month, &upto)
}

/// KPI ids across companies, in the order they first appear, named in the
/// overview's language (each company's pages keep their own).
pub(super) fn columns(portfolio: &Portfolio) -> Vec<Column> {
    let language = portfolio.config.language.language();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in &portfolio.companies {
        for k in &c.project.catalogue.kpis {
            if seen.insert(k.id.clone()) {
                out.push(Column { id: k.id.clone(), name: k.names.in_language(language).to_string() });
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
    let collect = super::Collect::default();
    write_overview(portfolio, theme, from, &collect, None, None)?;
    Ok(collect.into_files())
}

/// [`overview_files`] into `dest`, each page as soon as it is rendered (a page
/// of a large portfolio is large, and there is one per month). With the keys
/// of the companies' months, a month's page whose inputs are unchanged since
/// an earlier build is taken from it ([`Destination::reuse`]), and every
/// month's record is returned, for the next build.
pub(crate) fn write_overview(
    portfolio: &Portfolio,
    theme: &Theme,
    from: Option<Month>,
    dest: &dyn Destination,
    companies: Option<&CompanyKeys>,
    tables: Option<&[QuarterTable]>,
) -> Result<Option<Vec<MonthRecord>>, Error> {
    let lang = super::lang(theme, &portfolio.config.language)?;
    let lang = &lang;
    let months = portfolio.months();
    let reports: Vec<Report<'_>> = portfolio.companies.iter().map(|c| Report::new(&c.project)).collect();
    let columns = columns(portfolio);
    let keys = companies.and_then(|c| super::key::overview(portfolio, theme, &months, c));
    let config = &portfolio.config;
    let site = SiteView::new(&config.title, &config.owner, config.base_url.as_deref(), lang);
    dest.begin(theme, &site.indexed(config.publish.index))?;
    let records: Vec<Option<MonthRecord>> = months
        .par_iter()
        .enumerate()
        .filter(|(_, &month)| from.is_none_or(|from| month >= from))
        .map(|(i, &month)| {
            let folder = month.to_string();
            let key = keys.as_ref().map(|k| k[i].clone());
            if let Some(key) = &key {
                if let Some(record) = dest.reuse(month, key)? {
                    return Ok(Some(record));
                }
            }
            let view = overview(portfolio, lang, &reports, &columns, month, &months[..=i]);
            let page = vec![page(theme, lang, &view, &format!("{folder}/index.html"), "../")?];
            match key {
                Some(key) => {
                    dest.write_month(MonthRecord { folder: month, key, pdf: None, stamp: None }, page).map(Some)
                }
                None => dest.write(page).map(|()| None),
            }
        })
        .collect::<Result<_, Error>>()?;
    // Each company's quarters by the portfolio's fiscal year: given by a
    // build, which made them while it held each company whole (its
    // evidence), else made here.
    let made;
    let tables = match tables {
        Some(t) => t,
        None => {
            made = super::quarter_overview::tables(portfolio)?;
            &made
        }
    };
    let quarters = super::quarter_overview::write(portfolio, theme, lang, &reports, tables, &columns, dest)?;
    if let Some(&latest) = months.last() {
        let mut view = overview(portfolio, lang, &reports, &columns, latest, &months);
        view.quarters = quarters.links.clone();
        if quarters.front.is_none() {
            dest.write(vec![page(theme, lang, &view, "index.html", "")?])?;
        }
    }
    if let Some(front) = quarters.front {
        dest.write(vec![front])?;
    }
    let mut files: Vec<SiteFile> = statics(theme).collect();
    files.extend(super::pages::robots(portfolio.config.publish.index));
    dest.write(files)?;
    Ok(keys.map(|_| records.into_iter().flatten().collect()))
}

pub(super) fn page(theme: &Theme, lang: &Lang, view: &Overview<'_>, path: &str, root: &str) -> Result<SiteFile, Error> {
    let site = SiteView::new(view.title, view.owner, view.base_url, lang).indexed(view.index);
    let mut ctx = super::pages::context(&site);
    ctx.insert("portfolio", view);
    render_page(theme, "portfolio.html", path, root, &mut ctx)
}

fn overview<'a>(
    portfolio: &'a Portfolio,
    lang: &Lang,
    reports: &[Report<'_>],
    columns: &[Column],
    month: Month,
    upto: &[Month],
) -> Overview<'a> {
    let mut rows: Vec<Row> = portfolio
        .companies
        .iter()
        .zip(reports)
        .map(|(company, report)| row(lang, company, report, columns, month))
        .collect();
    worst_first(&mut rows);
    let medians = columns
        .iter()
        .map(|col| {
            let mut values: Vec<f64> = Vec::new();
            let mut format: Option<&Kpi> = None;
            for (company, report) in portfolio.companies.iter().zip(reports) {
                let tracked = |k: &&Kpi| k.id == col.id && k.in_force(month);
                if let Some(k) = company.project.catalogue.kpis.iter().position(|k| tracked(&k)) {
                    format.get_or_insert(&company.project.catalogue.kpis[k]);
                    if company.project.months.iter().any(|m| m.month == month) {
                        values.extend(report.reading(k, month).value);
                    }
                }
            }
            median_shown(lang, values, format)
        })
        .collect();
    Overview {
        title: &portfolio.config.title,
        owner: &portfolio.config.owner,
        base_url: portfolio.config.base_url.as_deref(),
        index: portfolio.config.publish.index,
        month: MonthLink::new(lang, month),
        columns: columns.to_vec(),
        rows,
        medians,
        months: upto.iter().rev().map(|&m| MonthLink::new(lang, m)).collect(),
        quarters: Vec::new(),
        quarterly: false,
    }
}

fn row(lang: &Lang, company: &Company, report: &Report<'_>, columns: &[Column], month: Month) -> Row {
    let project = &company.project;
    let reported = project.months.iter().any(|m| m.month == month);
    let first = project.months.first().map(|m| m.month);
    let absence = match (reported, first) {
        (true, _) => None,
        (false, Some(f)) if month < f => Some(lang.get("portfolio.not_yet").to_string()),
        (false, _) => Some(lang.get("portfolio.no_report_this_month").to_string()),
    };
    let catalogue = &project.catalogue;
    let cells = columns
        .iter()
        .map(|col| match catalogue.kpis.iter().position(|k| k.id == col.id && k.in_force(month)) {
            None => Cell { status: "untracked", label: lang.get("portfolio.not_tracked").to_string(), value: None },
            Some(_) if !reported => {
                Cell { status: "none", label: lang.get("portfolio.no_report").to_string(), value: None }
            }
            Some(k) => {
                let r = report.reading(k, month);
                Cell {
                    status: r.status.as_str(),
                    label: lang.get(r.status_key()).to_string(),
                    value: r.value.map(|v| r.kpi.show(lang, v, Medium::Page)),
                }
            }
        })
        .collect();
    let counts = if reported { report.counts(month) } else { StatusCounts::default() };
    let previous = project.months.iter().rev().map(|m| m.month).find(|m| *m < month);
    let change = match (reported, previous) {
        (true, Some(p)) => Some(describe_change(lang, report.counts(p), counts)),
        _ => None,
    };
    Row {
        slug: company.slug.clone(),
        name: project.config.organisation.clone(),
        reported,
        link: reported.then(|| format!("{}/{month}/index.html", company.slug)),
        absence,
        counts,
        change,
        cells,
    }
}

/// Rows worst first: the board's question is "who is red on what".
pub(super) fn worst_first(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        (b.reported, b.counts.red, b.counts.amber, &a.name).cmp(&(a.reported, a.counts.red, a.counts.amber, &b.name))
    });
}

/// The median of a column's values, written as its KPI writes a value.
pub(super) fn median_shown(lang: &Lang, mut values: Vec<f64>, format: Option<&Kpi>) -> Option<String> {
    median(&mut values).and_then(|m| format.map(|k| k.show(lang, m, Medium::Page)))
}

/// What moved between two reports, e.g. "red +1, green −1" (in the
/// portfolio's words for each status).
pub(super) fn describe_change(lang: &Lang, before: StatusCounts, after: StatusCounts) -> String {
    let parts: Vec<String> = [
        ("portfolio.red", before.red, after.red),
        ("portfolio.amber", before.amber, after.amber),
        ("portfolio.green", before.green, after.green),
    ]
    .into_iter()
    .filter(|(_, b, a)| a != b)
    .map(|(key, b, a)| {
        let d = a as f64 - b as f64;
        format!("{} {}", lang.get(key).to_lowercase(), lang.locale.signed(d, 0))
    })
    .collect();
    if parts.is_empty() {
        lang.get("portfolio.no_change").to_string()
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
    fn a_company_reduced_to_its_figures_has_the_same_overview() {
        // A portfolio build keeps only each company's figures once its site is
        // written: they must be all the overview reads.
        let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/portfolio");
        let dir = tempfile::tempdir().unwrap();
        for entry in walkdir::WalkDir::new(&example) {
            let entry = entry.unwrap();
            let to = dir.path().join(entry.path().strip_prefix(&example).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        // Notes, a value not measured, and a computed one: what the overview shows of a cell.
        let values = dir.path().join("companies/umbrella-health/content/2026-10/kpis.toml");
        let text = std::fs::read_to_string(&values).unwrap();
        let text = text
            .replace("cycle-time = 10.6", "cycle-time = { value = 10.6, note = \"Two senior engineers left\" }")
            .replace("rework-ratio = 31", "rework-ratio = { note = \"The tracker export failed\" }")
            .replace("lead-time = 7.1", "lead-time = { value = 7.1, measured = \"deployments.csv\", rows = 40 }");
        std::fs::write(&values, text).unwrap();
        let root = dir.path();
        let Ok(crate::load::workspace::Loaded {
            workspace: crate::load::workspace::Workspace::Portfolio(mut portfolio),
            ..
        }) = crate::load::workspace::Workspace::load(root)
        else {
            panic!("the example portfolio loads");
        };
        let theme = Theme::of_portfolio(&portfolio).unwrap();
        let whole = overview_files(&portfolio, &theme, None).unwrap();
        portfolio.companies = std::mem::take(&mut portfolio.companies)
            .into_iter()
            .map(|c| Company { slug: c.slug, project: c.project.figures_only() })
            .collect();
        let figures = overview_files(&portfolio, &theme, None).unwrap();
        assert_eq!(whole.len(), figures.len());
        assert!(whole.len() > 10);
        for (a, b) in whole.iter().zip(&figures) {
            assert_eq!(a.path, b.path);
            assert!(a.bytes == b.bytes, "{} differs", a.path);
        }
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn change_names_what_moved() {
        let a = StatusCounts { green: 5, amber: 4, red: 1, none: 0, neutral: 0 };
        let b = StatusCounts { green: 4, amber: 4, red: 2, none: 0, neutral: 0 };
        let lang = Lang::english();
        assert_eq!(describe_change(lang, a, b), "red +1, green −1");
        assert_eq!(describe_change(lang, a, a), "no change");
    }
}
