//! View models: the computed report turned into the plain, formatted values
//! that every renderer shows — pages, the PDF and the single-file report all
//! read the same [`MonthBundle`], so they can never disagree about a number.
//!
//! One file per kind of page, each with the models its template reads: the
//! month's scorecard (`scorecard.rs`), a KPI's section on an accountability
//! page (`accountability.rs`), the definitions page and the PDF's appendix
//! (`catalogue.rs`) and the archive (`archive.rs`). This file holds what every
//! page shares, and the month's [`MonthBundle`], made once from all of them.
//!
//! Render stage, pure: charts are drawn here (SVG text), nothing touches disk.

mod accountability;
mod archive;
mod catalogue;
pub(crate) mod quarter;
mod scorecard;

use serde::Serialize;

use accountability::chart_view;
pub(crate) use accountability::{ChartView, NoteView, Provenance, RowView, Rows};
pub(crate) use archive::{archive_rows, quarter_rows, Archive};
pub(crate) use catalogue::{catalogue_view, CatalogueAccountability};
use scorecard::month_view;
pub(crate) use scorecard::{AccountabilityView, Attention, MonthView, RestatementView, Tile, YearView};

use super::pages::RowHtml;
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::base::status::Status;
use crate::compute::audit::Correction;
use crate::compute::report::{Report, StatusCounts};
use crate::load::project::MonthContent;
use crate::load::theme::Palette;
use crate::Error;

/// The report's identity and language, on every page.
#[derive(Serialize)]
pub(crate) struct SiteView<'a> {
    pub(crate) title: &'a str,
    pub(crate) organisation: &'a str,
    /// Where the site is published, ending in `/`, for canonical links.
    pub(crate) base_url: Option<&'a str>,
    /// The report's language tag (`de-DE`), for `<html lang>`.
    pub(crate) locale: &'a str,
    /// `rtl` for a language written right to left, else `ltr`.
    pub(crate) dir: &'static str,
    /// How the report writes numbers, months and words; templates read the
    /// words as `w` ([`Lang::tree`]).
    #[serde(skip)]
    pub(crate) lang: &'a Lang,
    /// Whether search engines may index the pages (`[publish] index`);
    /// otherwise every page says `noindex`.
    pub(crate) index: bool,
}

impl<'a> SiteView<'a> {
    /// A site's identity in its language.
    pub(crate) fn new(
        title: &'a str,
        organisation: &'a str,
        base_url: Option<&'a str>,
        lang: &'a Lang,
    ) -> SiteView<'a> {
        let dir = if lang.locale.is_right_to_left() { "rtl" } else { "ltr" };
        SiteView { title, organisation, base_url, locale: lang.locale.tag(), dir, lang, index: false }
    }

    /// The same site, indexed by search engines or not (`[publish] index`).
    pub(crate) fn indexed(self, index: bool) -> SiteView<'a> {
        SiteView { index, ..self }
    }
}

/// A month as a link: its id (`2026-10`) and its name (`October 2026`).
#[derive(Serialize, Clone)]
pub(crate) struct MonthLink {
    pub(crate) id: String,
    pub(crate) name: String,
}

impl MonthLink {
    pub(crate) fn new(lang: &Lang, m: Month) -> MonthLink {
        MonthLink { id: m.to_string(), name: lang.month(m) }
    }
}

/// A count of KPIs in one status, as the board reads it ("3 on target").
#[derive(Serialize, Clone, Debug)]
pub(crate) struct Tally {
    pub(crate) status: &'static str,
    pub(crate) count: usize,
    /// The count phrase, in the form for the number.
    pub(crate) text: String,
}

/// The counts worth showing: green, amber and red always; no data and no
/// target only when there are some.
pub(crate) fn tally(lang: &Lang, counts: &StatusCounts) -> Vec<Tally> {
    [
        (Status::Green, counts.green, true),
        (Status::Amber, counts.amber, true),
        (Status::Red, counts.red, true),
        (Status::None, counts.none, false),
        (Status::Neutral, counts.neutral, false),
    ]
    .into_iter()
    .filter(|&(_, n, always)| always || n > 0)
    .map(|(status, n, _)| Tally {
        status: status.as_str(),
        count: n,
        text: lang.count(&format!("count.{}", status.as_str()), n),
    })
    .collect()
}

/// Commentary that holds only the stub's comment (or nothing) counts as not written.
pub(crate) fn written(html: String) -> Option<String> {
    let text = html.trim();
    let only_comment = text.starts_with("<!--") && text.ends_with("-->") && text.matches("<!--").count() == 1;
    let empty = text.is_empty() || only_comment;
    (!empty).then_some(html)
}

/// Everything shown for one month, computed once and used by its pages, its
/// single-file HTML report and its PDF.
pub(crate) struct MonthBundle {
    pub(crate) view: MonthView,
    /// Per accountability shown (catalogue order), its KPIs' charts and numbers.
    pub(crate) charts: Vec<Vec<ChartView>>,
}

/// What every month's view of one report is made from.
pub(crate) struct Shared<'a> {
    pub(crate) report: &'a Report<'a>,
    pub(crate) lang: &'a Lang,
    pub(crate) palette: &'a Palette,
    /// The report's KPI definitions, made once.
    pub(crate) catalogue: &'a [CatalogueAccountability],
    /// Every announced correction, with its values.
    pub(crate) corrections: &'a [Correction],
    /// The rows of the KPI tables made so far, when they are made from `report` itself.
    pub(crate) rows: Option<&'a Rows>,
    /// The rows' HTML rendered so far.
    pub(crate) rows_html: &'a RowHtml<'a>,
}

/// Computes the views, charts and numbers of one month. A sealed month is
/// shown as the board received it (see [`Report::as_sent`]).
pub(crate) fn month_bundle(
    shared: &Shared<'_>,
    content: &MonthContent,
    previous: Option<Month>,
) -> Result<MonthBundle, Error> {
    let sent = shared.report.as_sent(content.month);
    let report = sent.as_ref().unwrap_or(shared.report);
    // A sealed month's report as sent has rows of its own.
    let rows = if sent.is_some() { None } else { shared.rows };
    let shared = Shared { report, rows, ..*shared };
    let view = month_view(&shared, content, previous)?;
    let month = content.month;
    let charts = view
        .accountabilities
        .iter()
        .map(|acc| {
            let texts = shared.catalogue.iter().find(|c| c.id == acc.id);
            kpi_indexes(report, &acc.id, month)
                .zip(&acc.tiles)
                .map(|(k, tile)| {
                    let text = texts.and_then(|t| t.kpis.iter().find(|c| c.id == tile.id));
                    let text = text.map(|c| c.texts.clone()).unwrap_or_default();
                    chart_view(&shared, k, month, tile.clone(), text, Provenance::of(content, &tile.id))
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(MonthBundle { view, charts })
}

/// The catalogue indexes of an accountability's KPIs that are part of
/// `month`'s report, in catalogue order: the order of its tiles and charts.
fn kpi_indexes<'a>(report: &'a Report<'_>, accountability: &'a str, month: Month) -> impl Iterator<Item = usize> + 'a {
    report.kpis_in(month).filter(move |&k| report.project.catalogue.kpis[k].accountability == accountability)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo report has sealed months, a restated value, a KPI that starts
    /// late and a dated target: every month's tables are the same whether
    /// their rows and the rows' HTML are made for each month or shared across
    /// the report.
    #[test]
    fn rows_shared_across_months_are_the_rows_of_each_month() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::load::project::load(root).project.expect("the demo report loads");
        let report = Report::new(&project);
        let theme = crate::load::theme::Theme::load(root, project.config.theme.as_deref()).unwrap();
        let lang = crate::render::lang(&theme, &project.config.language).unwrap();
        let latest = project.months.last().unwrap().month;
        let catalogue = catalogue_view(&report, &lang, latest);
        let corrections = crate::compute::audit::corrections(&project);
        let rows = Rows::default();
        let site = SiteView::new("t", "o", None, &lang);
        let rows_html = RowHtml::new(&theme, &site);
        let sharing = Shared {
            report: &report,
            lang: &lang,
            palette: &theme.palette,
            catalogue: &catalogue,
            corrections: &corrections,
            rows: Some(&rows),
            rows_html: &rows_html,
        };
        let tables = |bundle: MonthBundle| serde_json::to_string(&bundle.charts).unwrap();
        // Newest first, so older months find their rows (and their HTML) already made.
        for content in project.months.iter().rev() {
            let own_html = RowHtml::new(&theme, &site);
            let alone = Shared { rows: None, rows_html: &own_html, ..sharing };
            let made_alone = tables(month_bundle(&alone, content, None).unwrap());
            let bundle = month_bundle(&sharing, content, None).unwrap();
            // Each row's HTML is its own row's, rendered afresh.
            for c in bundle.charts.iter().flatten() {
                for (row, html) in c.rows.iter().zip(&c.rows_html) {
                    assert_eq!(&RowHtml::new(&theme, &site).get(&c.tile.id, row, c.years).unwrap(), html);
                }
            }
            assert_eq!(made_alone, tables(bundle), "{}", content.month);
        }
        assert!(!rows.is_empty(), "rows were shared");
    }
}
