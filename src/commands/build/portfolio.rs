//! `boardpack build` of a portfolio: one company at a time, then the overview.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{BuildOptions, BuildSummary, Written};
use crate::base::diagnostic::Diagnostic;
use crate::base::parallel::pool;
use crate::commands::check::Words;
use crate::commands::site::company_site;
use crate::compute::quarter::QuarterTable;
use crate::load::portfolio::{Company, COMPANIES_DIR};
use crate::load::theme::Theme;
use crate::load::workspace::publish_company;
use crate::render::key::CompanyKeys;
use crate::render::overview::write_overview;
use crate::render::pages::sitemap;
use crate::render::{Destination, Documents, Progress};
use crate::write::cache::Cache;
use crate::write::encrypt::Encrypting;
use crate::write::output::Staging;
use crate::write::staging::ToStaging;
use crate::write::target::check_target;
use crate::Error;

/// What a portfolio build keeps of one company once its site is written.
#[derive(Default)]
struct Streamed {
    /// Its figures, for the overview (`None`: left out, or the build failed).
    company: Option<Company>,
    /// Its months' keys (as its destination recorded them), which the overview's are made of.
    keys: Vec<(crate::base::period::Month, crate::base::digest::MonthKey)>,
    /// What loading and checking it found.
    found: Vec<Diagnostic>,
    /// Its pages, for the sitemap.
    pages: Vec<String>,
    /// Its quarters by the portfolio's fiscal year, made while it was whole.
    quarters: Option<QuarterTable>,
    written: Written,
}

/// Builds a portfolio one company at a time: each is loaded, checked,
/// rendered and written, then only its figures are kept for the overview, so
/// memory holds the companies in flight, not the portfolio. A problem in any
/// company fails the whole build, with every company's problems, and leaves
/// the output as it was.
pub(crate) fn build_portfolio(
    mut opened: crate::load::portfolio::Opened,
    options: &BuildOptions,
) -> Result<BuildSummary, Error> {
    let Some(mut portfolio) = opened.portfolio.take() else {
        // The settings are unusable: report every company's problems with them.
        return Err(Error::Content(opened.load_all().1));
    };
    let crate::load::portfolio::Opened { root, slugs, diagnostics: mut warnings, .. } = opened;
    let words = Words::new(&portfolio);
    warnings.extend(words.overview());
    let key = crate::commands::key::site_key(&portfolio.config.publish, crate::load::portfolio::PORTFOLIO_FILE)?;
    let publish = portfolio.config.publish.clone();
    let output = options.output.clone().unwrap_or_else(|| root.join(&portfolio.config.output_dir));
    check_target(&options.root, &output, options.force, &crate::load::inputs::folders_read(&root, None))?;
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
        found.extend(crate::commands::key::unencrypted_company(
            &company.slug,
            &company.project.config.publish,
            &publish,
        ));
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
        plain.record(&records);
        let keys = company.project.months.iter().map(|m| m.month).zip(records.into_iter().map(|r| r.key)).collect();
        let months = company.project.months.len();
        progress.add(months);
        let written = Written {
            files: plain.files(),
            months,
            quarters: company.project.quarters.len(),
            reused: plain.months_reused(),
            months_cached: plain.months_cached(),
            pdfs_cached: 0,
        };
        let pages = plain.pages();
        let quarters = Some(crate::render::quarter_overview::company_table(&portfolio, &company)?);
        let company = Company { slug: company.slug, project: company.project.figures_only() };
        Ok(Streamed { company: Some(company), keys, found, pages, quarters, written })
    };
    let streamed: Vec<Result<Streamed, Error>> = pool().install(|| slugs.par_iter().map(company).collect());
    progress.finish();
    // Problems in the content come first: a render error may only follow from them.
    let mut rendering = None;
    let mut written = Written::default();
    let mut pages = Vec::new();
    let mut keys = CompanyKeys::new();
    let mut tables = Vec::new();
    for s in streamed {
        match s {
            Ok(s) => {
                if let Some(company) = &s.company {
                    keys.insert(company.slug.clone(), s.keys);
                }
                tables.extend(s.quarters);
                warnings.extend(s.found);
                portfolio.companies.extend(s.company);
                pages.push(s.pages);
                written.files += s.written.files;
                written.months += s.written.months;
                written.quarters += s.written.quarters;
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
    if let Some(records) =
        pool().install(|| write_overview(&portfolio, &theme, None, &dest, Some(&keys), Some(&tables)))?
    {
        plain.record(&records);
    }
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
