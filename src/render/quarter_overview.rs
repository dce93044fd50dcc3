//! The portfolio's quarter overviews: for each quarter of the portfolio's
//! fiscal year (`[report] fiscal_year_start` in `portfolio.toml`), the
//! matrix of companies × KPIs with each company's quarter value, made by its
//! own catalogue's rules exactly as its own quarter page makes it.
//!
//! A company whose fiscal year differs from the portfolio's is compared by
//! the portfolio's quarters, made from its months.

use rayon::prelude::*;

use super::overview::{describe_change, median_shown, page, worst_first, Cell, Column, Overview, Row};
use super::view::MonthLink;
use super::{Destination, SiteFile};
use crate::base::i18n::Lang;
use crate::base::period::Quarter;
use crate::compute::quarter::QuarterTable;
use crate::compute::report::{Report, StatusCounts};
use crate::load::catalogue::{Kpi, Medium};
use crate::load::config::Cadence;
use crate::load::portfolio::{Company, Portfolio};
use crate::load::theme::Theme;
use crate::Error;

/// Each company's quarter table by the portfolio's fiscal year, in company
/// order. Made from whole companies (their evidence included): a company
/// reduced to its figures could not recompute a quarter from its rows.
pub(crate) fn tables(portfolio: &Portfolio) -> Result<Vec<QuarterTable>, Error> {
    portfolio.companies.iter().map(|c| company_table(portfolio, c)).collect()
}

/// One company's quarter table by the portfolio's fiscal year.
pub(crate) fn company_table(portfolio: &Portfolio, company: &Company) -> Result<QuarterTable, Error> {
    let start = portfolio.config.report.fiscal_year_start;
    Report::new(&company.project)
        .quarter_table_by(start)
        .map_err(|d| Error::Content(crate::load::portfolio::prefixed(&company.slug, vec![*d])))
}

/// What [`write`] made: the quarters' links, newest first, and the site's
/// front page when the portfolio is read quarter by quarter.
pub(crate) struct Written {
    pub(crate) links: Vec<MonthLink>,
    pub(crate) front: Option<SiteFile>,
}

/// Every quarter's overview page (`QUARTER/index.html`), for each quarter in
/// which some company reported a month and that is over (the portfolio's
/// latest month is its last or later).
pub(crate) fn write(
    portfolio: &Portfolio,
    theme: &Theme,
    lang: &Lang,
    reports: &[Report<'_>],
    tables: &[QuarterTable],
    columns_: &[Column],
    dest: &dyn Destination,
) -> Result<Written, Error> {
    // Quarters that are over: the latest month of the portfolio ends them.
    let latest = portfolio.months().last().copied();
    let mut quarters: Vec<Quarter> = tables.iter().flat_map(|t| t.quarters.iter().copied()).collect();
    quarters.retain(|q| latest.is_some_and(|m| q.last() <= m));
    quarters.sort_unstable();
    quarters.dedup();
    let links: Vec<MonthLink> =
        quarters.iter().rev().map(|q| MonthLink { id: q.to_string(), name: lang.quarter(*q) }).collect();
    let view = |q: Quarter| {
        let mut v = overview(portfolio, lang, reports, tables, columns_, q);
        v.quarters = links.clone();
        v
    };
    quarters.par_iter().try_for_each(|&q| {
        let file = page(theme, lang, &view(q), &format!("{q}/index.html"), "../")?;
        dest.write(vec![file])
    })?;
    let front = match (portfolio.config.report.cadence, quarters.last()) {
        (Cadence::Quarterly, Some(&q)) => Some(page(theme, lang, &view(q), "index.html", "")?),
        _ => None,
    };
    Ok(Written { links, front })
}

fn overview<'a>(
    portfolio: &'a Portfolio,
    lang: &Lang,
    reports: &[Report<'_>],
    tables: &[QuarterTable],
    columns: &[Column],
    q: Quarter,
) -> Overview<'a> {
    let companies = portfolio.companies.iter().zip(reports).zip(tables);
    let mut rows: Vec<Row> = companies.clone().map(|((c, r), t)| row(lang, c, r, t, columns, q)).collect();
    worst_first(&mut rows);
    let medians = columns
        .iter()
        .map(|col| {
            let mut values: Vec<f64> = Vec::new();
            let mut format: Option<&Kpi> = None;
            for ((company, report), table) in companies.clone() {
                if let Some(k) = kpi_in(company, &col.id, q) {
                    format.get_or_insert(&company.project.catalogue.kpis[k]);
                    if reported(company, q) {
                        values.extend(table.reading(report, k, q).value.value);
                    }
                }
            }
            median_shown(lang, values, format)
        })
        .collect();
    let config = &portfolio.config;
    Overview {
        title: &config.title,
        owner: &config.owner,
        base_url: config.base_url.as_deref(),
        index: config.publish.index,
        month: MonthLink { id: q.to_string(), name: lang.quarter(q) },
        columns: columns.to_vec(),
        rows,
        medians,
        months: Vec::new(),
        quarters: Vec::new(),
        quarterly: true,
    }
}

/// The index of KPI `id` in the company's catalogue, when it is part of quarter `q`.
fn kpi_in(company: &Company, id: &str, q: Quarter) -> Option<usize> {
    company.project.catalogue.kpis.iter().position(|k| k.id == id && k.in_force(q.last()))
}

/// Whether the company reported a month of quarter `q`.
fn reported(company: &Company, q: Quarter) -> bool {
    company.project.months.iter().any(|m| q.months().contains(&m.month))
}

fn row(
    lang: &Lang,
    company: &Company,
    report: &Report<'_>,
    table: &QuarterTable,
    columns: &[Column],
    q: Quarter,
) -> Row {
    let project = &company.project;
    let is_reported = reported(company, q);
    let first = project.months.first().map(|m| m.month);
    let absence = match (is_reported, first) {
        (true, _) => None,
        (false, Some(f)) if q.last() < f => Some(lang.get("portfolio.not_yet").to_string()),
        (false, _) => Some(lang.get("portfolio.no_report_this_quarter").to_string()),
    };
    let mut counts = StatusCounts::default();
    let cells = columns
        .iter()
        .map(|col| match kpi_in(company, &col.id, q) {
            None => Cell { status: "untracked", label: lang.get("portfolio.not_tracked").to_string(), value: None },
            Some(_) if !is_reported => {
                Cell { status: "none", label: lang.get("portfolio.no_report").to_string(), value: None }
            }
            Some(k) => {
                let r = table.reading(report, k, q);
                counts.add(r.status);
                Cell {
                    status: r.status.as_str(),
                    label: lang.get(r.status_key()).to_string(),
                    value: r.value.value.map(|v| r.kpi.show(lang, v, Medium::Page)),
                }
            }
        })
        .collect();
    let previous = table.quarters.iter().rev().copied().find(|p| *p < q && reported(company, *p));
    let change = match (is_reported, previous) {
        (true, Some(p)) => {
            let mut before = StatusCounts::default();
            for k in report.kpis_in_quarter(p) {
                before.add(table.reading(report, k, p).status);
            }
            Some(describe_change(lang, before, counts))
        }
        _ => None,
    };
    // The company's own quarter page when it has one for this quarter, else
    // its report of the quarter's last reported month.
    let own = report.quarter_content(q).map(|c| c.quarter);
    let last_month = project.months.iter().rev().map(|m| m.month).find(|m| q.months().contains(m));
    let link = match (own, last_month) {
        (Some(own), _) => Some(format!("{}/{own}/index.html", company.slug)),
        (None, Some(m)) => Some(format!("{}/{m}/index.html", company.slug)),
        (None, None) => None,
    };
    Row {
        slug: company.slug.clone(),
        name: project.config.organisation.clone(),
        reported: is_reported,
        link,
        absence,
        counts,
        change,
        cells,
    }
}
