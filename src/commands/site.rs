//! A report's or a company's site rendered into a destination: what `build`
//! writes, `check` renders in memory, `serve` previews and `pack` reads from.

use crate::base::parallel::pool;
use crate::compute::report::Report;
use crate::load::portfolio::Company;
use crate::load::project::Project;
use crate::load::theme::Theme;
use crate::render::{render_site, Collect, Destination, Documents, MonthRecord, Progress, SiteFile};
use crate::Error;

/// Renders a report's site into `dest`; returns each month's record (its
/// folder and key, as `dest` gave it), in month order, for the next build.
pub(crate) fn site(
    project: &Project,
    theme: &Theme,
    documents: Documents,
    dest: &dyn Destination,
    progress: Option<Progress>,
    base_url: Option<&str>,
) -> Result<Vec<MonthRecord>, Error> {
    render_site(&Report::new(project), theme, documents, dest, progress, base_url)
}

/// One company's whole site, into `dest` (which puts it under `SLUG/`).
/// `theme` is the portfolio's, used unless the company names its own;
/// `base_url` is the portfolio's address, under which the company's pages
/// live at `SLUG/`.
pub(crate) fn company_site(
    company: &Company,
    theme: &Theme,
    documents: Documents,
    dest: &dyn Destination,
    base_url: Option<&str>,
) -> Result<Vec<MonthRecord>, Error> {
    let own = Theme::of_company(company)?;
    let base_url = base_url.map(|b| format!("{b}{}/", company.slug));
    site(&company.project, own.as_ref().unwrap_or(theme), documents, dest, None, base_url.as_deref())
}

/// One company's whole site in memory, its paths under `SLUG/`, without PDFs:
/// what `serve` shows and `check` renders.
pub(crate) fn company_files(company: &Company, theme: &Theme) -> Result<Vec<SiteFile>, Error> {
    let collect = Collect::default();
    company_site(company, theme, Documents::Skip, &collect, None)?;
    let mut files = collect.into_files();
    for f in &mut files {
        f.path = format!("{}/{}", company.slug, f.path);
    }
    Ok(files)
}

/// A report's site in memory, without PDFs: what `serve` shows.
pub(crate) fn preview_report(project: &Project, theme: &Theme) -> Result<Vec<SiteFile>, Error> {
    let collect = Collect::default();
    pool().install(|| site(project, theme, Documents::Skip, &collect, None, project.config.base_url.as_deref()))?;
    Ok(collect.into_files())
}
