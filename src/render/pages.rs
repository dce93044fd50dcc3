//! The site's HTML pages, from the theme's Tera templates.
//!
//! Every link is relative (each page knows how far it is from the site root),
//! so the site works under any sub-path and straight from disk.

use tera::Context;

use super::view::{Archive, CatalogueAccountability, MonthBundle, RowView, SiteView};
use super::SiteFile;
use crate::load::theme::{error_chain, Theme};
use crate::Error;

/// Renders a page from a fresh context holding `site` and what `fill` adds.
pub(crate) fn page(
    theme: &Theme,
    template: &str,
    path: &str,
    site: &SiteView<'_>,
    root: &str,
    fill: impl FnOnce(&mut Context),
) -> Result<SiteFile, Error> {
    let mut ctx = context(site);
    fill(&mut ctx);
    render_page(theme, template, path, root, &mut ctx)
}

/// A page's context to start from: the site, and its words as `w`
/// (`{{ w.status.green }}`; see [`crate::base::i18n::Translations::tree`]).
pub(crate) fn context(site: &SiteView<'_>) -> Context {
    let mut ctx = Context::new();
    ctx.insert("site", site);
    ctx.insert("w", site.lang.tree());
    ctx
}

/// Renders one page from a context that may be shared by several pages: it sets
/// the page's own `root` and `page_path`.
pub(crate) fn render_page(
    theme: &Theme,
    template: &str,
    path: &str,
    root: &str,
    ctx: &mut Context,
) -> Result<SiteFile, Error> {
    ctx.insert("root", root);
    ctx.insert("page_path", path);
    let html = theme.tera.render(template, ctx).map_err(|e| {
        let message = error_chain(&e);
        Error::Template { template: theme.blame(template, &message), page: path.to_string(), message }
    })?;
    Ok(SiteFile { path: path.to_string(), bytes: html.into_bytes() })
}

/// The rows of the KPI tables, from the theme's `row.html`, each rendered once.
///
/// A month's table shows the 24 months up to it, so without this each row
/// would go through Tera again on up to 24 months' pages and single-file
/// reports (a seventh of a cold build's instructions). A row's HTML depends
/// only on the row's fields and on the words and site in `row.html`'s context,
/// so rows are kept by their fields: a row that reads differently (a sealed
/// month's row as sent, a restated value) is rendered on its own.
pub(crate) struct RowHtml<'a> {
    theme: &'a Theme,
    /// `site` and `w`, to which each row is added as `r`.
    ctx: std::sync::Mutex<Context>,
    /// Rows made, for tables without and with the year-before column.
    done: [super::Memo<RowView, String>; 2],
}

impl<'a> RowHtml<'a> {
    pub(crate) fn new(theme: &'a Theme, site: &SiteView<'_>) -> RowHtml<'a> {
        RowHtml { theme, ctx: std::sync::Mutex::new(context(site)), done: Default::default() }
    }

    /// The HTML of `row`, a row of KPI `kpi`'s table (named in a template error),
    /// with a cell for the year before when the table has that column (`years`).
    /// Whitespace around it is trimmed: the table's template places it.
    pub(crate) fn get(&self, kpi: &str, row: &RowView, years: bool) -> Result<String, Error> {
        self.done[usize::from(years)].get_or(row, || {
            let mut ctx = self.ctx.lock().unwrap_or_else(|p| p.into_inner());
            ctx.insert("r", row);
            ctx.insert("years", &years);
            let html = self.theme.tera.render(ROW_TEMPLATE, &ctx).map_err(|e| {
                let message = error_chain(&e);
                Error::Template {
                    template: self.theme.blame(ROW_TEMPLATE, &message),
                    page: format!("the row for {} in the table of `{kpi}`", row.month),
                    message,
                }
            })?;
            Ok(html.trim().to_string())
        })
    }
}

/// The template of one row of a KPI's table of numbers.
const ROW_TEMPLATE: &str = "row.html";

/// The site's `index.html`: the latest month's scorecard.
pub(crate) fn latest_page(theme: &Theme, site: &SiteView<'_>, bundle: &MonthBundle) -> Result<SiteFile, Error> {
    let mut ctx = context(site);
    ctx.insert("month", &bundle.view);
    render_page(theme, "scorecard.html", "index.html", "", &mut ctx)
}

/// The site's only page while every month is still a draft: it says no report
/// is published yet, in the report's language, so that a new project's first
/// publish shows a page, not an error, and gives nothing away.
pub(crate) fn holding_page(theme: &Theme, site: &SiteView<'_>) -> Result<SiteFile, Error> {
    page(theme, "holding.html", "index.html", site, "", |_| {})
}

/// A month's folder: its scorecard, one page per accountability and the chart files.
pub(crate) fn month_pages(theme: &Theme, site: &SiteView<'_>, bundle: &MonthBundle) -> Result<Vec<SiteFile>, Error> {
    let view = &bundle.view;
    let id = &view.id;
    let mut files = Vec::new();
    // One context for the month's pages: the month's view is converted for
    // Tera once, not once per page (that conversion was a fifth of the build).
    let mut ctx = context(site);
    ctx.insert("month", view);
    files.push(render_page(theme, "scorecard.html", &format!("{id}/index.html"), "../", &mut ctx)?);
    for (acc_view, charts) in view.accountabilities.iter().zip(&bundle.charts) {
        for chart in charts {
            files.push(SiteFile {
                path: format!("{id}/charts/{}.svg", chart.tile.id),
                bytes: chart.chart.clone().into_bytes(),
            });
        }
        ctx.insert("accountability", acc_view);
        ctx.insert("charts", charts);
        files.push(render_page(
            theme,
            "accountability.html",
            &format!("{id}/{}/index.html", acc_view.id),
            "../../",
            &mut ctx,
        )?);
    }
    Ok(files)
}

/// The pages that list every month or every KPI, and the theme's static files.
pub(crate) fn site_pages(
    theme: &Theme,
    site: &SiteView<'_>,
    archive: &Archive,
    catalogue: &[CatalogueAccountability],
) -> Result<Vec<SiteFile>, Error> {
    let every = || archive.months.iter().chain(&archive.quarters);
    let neutral = every().any(|m| m.counts.neutral > 0);
    let sealed = every().any(|m| m.sealed);
    let mut files = vec![
        page(theme, "archive.html", "archive/index.html", site, "../", |c| {
            c.insert("months", &archive.months);
            c.insert("quarters", &archive.quarters);
            c.insert("neutral", &neutral);
            c.insert("sealed", &sealed);
        })?,
        page(theme, "catalogue.html", "kpis/index.html", site, "../", |c| c.insert("accountabilities", catalogue))?,
    ];
    files.extend(statics(theme));
    files.extend(robots(site.index));
    Ok(files)
}

/// `robots.txt` asking every search engine to stay away, unless the site may
/// be indexed (`[publish] index = true`), when there is none. Crawlers read it
/// only at a host's root; the pages' `noindex` holds under any sub-path.
pub(crate) fn robots(index: bool) -> Option<SiteFile> {
    (!index).then(|| SiteFile { path: "robots.txt".into(), bytes: b"User-agent: *\nDisallow: /\n".to_vec() })
}

/// The theme's static files, under `static/`.
pub(crate) fn statics(theme: &Theme) -> impl Iterator<Item = SiteFile> + '_ {
    theme.statics.iter().map(|(name, bytes)| SiteFile { path: format!("static/{name}"), bytes: bytes.clone() })
}

/// `sitemap.xml` listing every page among `paths` (the `index.html` ones) under
/// `base_url`, in path order so it diffs cleanly.
pub(crate) fn sitemap<'a>(base_url: &str, paths: impl Iterator<Item = &'a str>) -> SiteFile {
    let mut pages: Vec<&str> = paths.filter(|p| *p == "index.html" || p.ends_with("/index.html")).collect();
    pages.sort_unstable();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        let url = format!("{base_url}{}", page.trim_end_matches("index.html"));
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", crate::load::theme::escape_html(&url)));
    }
    xml.push_str("</urlset>\n");
    SiteFile { path: "sitemap.xml".into(), bytes: xml.into_bytes() }
}
