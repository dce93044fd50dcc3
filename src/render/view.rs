//! View models: the computed report turned into the plain, formatted values
//! that every renderer shows — pages, the PDF and the single-file report all
//! read the same [`MonthBundle`], so they can never disagree about a number.
//!
//! Render stage, pure: charts are drawn here (SVG text), nothing touches disk.

use serde::Serialize;

use super::pages::RowHtml;
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::base::status::{Status, Trend};
use crate::compute::audit::Correction;
use crate::compute::commentary::mentioned;
use crate::compute::report::{Reading, Report, StatusCounts, CHART_MONTHS, SPARKLINE_MONTHS};
use crate::load::catalogue::{Kpi, Lifetime, Thresholds};
use crate::load::project::{MonthContent, EVIDENCE_DIR, SUMMARY_STEM};
use crate::load::record::Corrected;
use crate::load::theme::Palette;
use crate::render::chart;
use crate::render::markdown;
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
#[derive(Serialize, Clone)]
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

/// One KPI on a scorecard.
#[derive(Serialize, Clone)]
pub(crate) struct Tile {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) value: Option<String>,
    /// `None` for a KPI tracked without a target.
    pub(crate) target: Option<String>,
    pub(crate) red: Option<String>,
    pub(crate) better: String,
    pub(crate) status: &'static str,
    pub(crate) status_label: String,
    pub(crate) delta: Option<String>,
    /// Which way the number moved (not whether that is good: `trend` says that).
    pub(crate) arrow: &'static str,
    /// `improving`, `worsening` or `flat` (for styling); `trend_word` in the report's language.
    pub(crate) trend: Option<&'static str>,
    pub(crate) trend_word: Option<String>,
    pub(crate) compared_with: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) sparkline: String,
    /// With no value this month: the latest earlier value, and its month.
    pub(crate) last_value: Option<String>,
    pub(crate) last_month: Option<String>,
}

/// An accountability's part of a month: its tiles and commentary.
#[derive(Serialize)]
pub(crate) struct AccountabilityView {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) question: String,
    pub(crate) tiles: Vec<Tile>,
    /// Sanitised HTML, when commentary was written.
    pub(crate) commentary: Option<String>,
}

/// A KPI that needs the board's attention this month (red or amber).
#[derive(Serialize)]
pub(crate) struct Attention {
    pub(crate) id: String,
    pub(crate) accountability: String,
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) status_label: String,
    pub(crate) value: Option<String>,
    pub(crate) target: Option<String>,
    pub(crate) delta: Option<String>,
    pub(crate) trend: Option<&'static str>,
    pub(crate) trend_word: Option<String>,
    pub(crate) note: Option<String>,
    /// Whether the accountability's commentary names the KPI (its explanation).
    pub(crate) in_commentary: bool,
    /// Whether the executive summary names it (when the commentary does not).
    pub(crate) in_summary: bool,
}

/// A correction of a month already sent, as the board reads it.
#[derive(Serialize)]
pub(crate) struct RestatementView {
    /// The month corrected.
    pub(crate) month: MonthLink,
    /// The month that announced it.
    pub(crate) announced: MonthLink,
    /// The KPI's name, or the commentary file's accountability.
    pub(crate) what: String,
    /// The KPI id, when a KPI was corrected.
    pub(crate) kpi: Option<String>,
    /// The commentary file, when commentary was corrected.
    pub(crate) file: Option<String>,
    pub(crate) was: Option<String>,
    pub(crate) now: Option<String>,
    pub(crate) reason: String,
}

/// One month's scorecard.
#[derive(Serialize)]
pub(crate) struct MonthView {
    pub(crate) id: String,
    pub(crate) name: String,
    /// Sanitised HTML of the executive summary, when written.
    pub(crate) summary: Option<String>,
    pub(crate) accountabilities: Vec<AccountabilityView>,
    pub(crate) counts: StatusCounts,
    /// The counts in words.
    pub(crate) tally: Vec<Tally>,
    /// Red first, then amber, in catalogue order within each.
    pub(crate) attention: Vec<Attention>,
    pub(crate) previous: Option<MonthLink>,
    /// Whether this month's PDF and single-file report are published beside it.
    pub(crate) documents: bool,
    /// Not published yet: shown only in a preview, under a banner.
    pub(crate) draft: bool,
    /// Sealed: the documents are the ones the board received.
    pub(crate) sealed: bool,
    /// Corrections of earlier months that this month announces.
    pub(crate) restatements: Vec<RestatementView>,
    /// For a month already sent: the corrections later months made to it.
    pub(crate) corrected: Vec<RestatementView>,
}

/// One KPI's section on an accountability page: chart, definition, numbers.
#[derive(Serialize)]
pub(crate) struct ChartView {
    pub(crate) tile: Tile,
    pub(crate) chart: String,
    pub(crate) alt: String,
    pub(crate) definition: String,
    pub(crate) how_to_measure: Option<String>,
    pub(crate) notes: Vec<NoteView>,
    pub(crate) rows: Vec<RowView>,
    /// Each of `rows` as the theme's `row.html` renders it.
    pub(crate) rows_html: Vec<String>,
    /// Whether the chart shows a value restated after it was sent.
    pub(crate) restated: bool,
    /// How `boardpack measure` computed the value, when it did.
    pub(crate) measured: Option<String>,
    /// The evidence file's path from the month's folder (`evidence/KPI.csv`), when there is one.
    pub(crate) evidence: Option<String>,
    /// How many rows of data the computation used.
    pub(crate) rows_used: Option<u64>,
}

/// A note written for a month, shown under a chart.
#[derive(Serialize)]
pub(crate) struct NoteView {
    pub(crate) month: String,
    pub(crate) text: String,
}

/// One month's row in a KPI's table of numbers.
#[derive(Serialize, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RowView {
    pub(crate) month: String,
    pub(crate) value: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_label: String,
    pub(crate) note: Option<String>,
    /// The month whose report restated this value.
    pub(crate) restated: Option<String>,
}

/// A month's line in the archive.
#[derive(Serialize)]
pub(crate) struct ArchiveRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) counts: StatusCounts,
    /// The counts in words.
    pub(crate) tally: Vec<Tally>,
    pub(crate) draft: bool,
    pub(crate) sealed: bool,
}

/// A KPI on the definitions page and in the PDF's appendix.
#[derive(Serialize)]
pub(crate) struct CatalogueKpi {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) better: String,
    /// The thresholds in force in the report month (`None`: tracked only).
    pub(crate) target: Option<String>,
    pub(crate) red: Option<String>,
    /// Each dated set of thresholds, oldest first, e.g. "From January 2027:
    /// target 0.5 days, red beyond 3.0 days" (empty when they never changed).
    pub(crate) history: Vec<String>,
    /// "Reported from March 2026", "Reported until June 2026", when not always.
    pub(crate) lifetime: Option<String>,
    /// HTML.
    pub(crate) definition: String,
    /// HTML, when written.
    pub(crate) how_to_measure: Option<String>,
}

/// An accountability on the definitions page.
#[derive(Serialize)]
pub(crate) struct CatalogueAccountability {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) question: String,
    pub(crate) kpis: Vec<CatalogueKpi>,
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

/// Each KPI's row for each month, made once per report: a month's table shows
/// the 24 months up to it, so otherwise every row would be formatted again for
/// each of the 24 months that show it (6 % of a cold build's instructions).
/// A row depends only on the report, the KPI and the month.
pub(crate) type Rows = super::Memo<(usize, Month), RowView>;

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
                    let mut view = chart_view(&shared, k, month, tile.clone(), text)?;
                    if let Some(entry) = content.values.get(&tile.id) {
                        view.measured = entry.measured.clone();
                        view.rows_used = entry.rows;
                    }
                    if view.measured.is_some() && content.evidence.contains_key(&tile.id) {
                        view.evidence = Some(format!("{EVIDENCE_DIR}/{}.csv", tile.id));
                    }
                    Ok(view)
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

fn tile(shared: &Shared<'_>, k: usize, month: Month) -> Result<Tile, Error> {
    let (report, lang) = (shared.report, shared.lang);
    let r = report.reading(k, month);
    let kpi = r.kpi;
    let spark = chart::sparkline(kpi, &report.window(k, month, SPARKLINE_MONTHS).tracked(), r.status, shared.palette)?;
    let value = |v: f64| kpi.show(lang, v);
    let last = r.compared_with.filter(|_| r.value.is_none());
    Ok(Tile {
        id: kpi.id.clone(),
        name: kpi.name.clone(),
        value: r.value.map(value),
        target: r.thresholds.map(|t| value(t.target)),
        red: r.thresholds.map(|t| value(t.red)),
        better: lang.get(kpi.better.key()).to_string(),
        status: r.status.as_str(),
        status_label: lang.get(r.status_key()).to_string(),
        delta: r.change.map(|c| kpi.show_change(lang, c.delta)),
        arrow: match r.change.map(|c| c.trend) {
            Some(Trend::Flat) | None => "→",
            Some(_) if r.change.is_some_and(|c| c.delta > 0.0) => "↑",
            Some(_) => "↓",
        },
        trend: r.change.map(|c| c.trend.as_str()),
        trend_word: r.change.map(|c| lang.get(c.trend.key()).to_string()),
        compared_with: r.compared_with.map(|m| lang.month(m)),
        note: r.note.map(str::to_string),
        sparkline: spark,
        last_value: last.and_then(|m| report.reading(k, m).value).map(value),
        last_month: last.map(|m| lang.month(m)),
    })
}

/// A commentary file's Markdown as the month shows it: for a sealed month
/// whose commentary was corrected since, the text the board received.
fn commentary_source<'a>(content: &'a MonthContent, file: &str, current: Option<&'a String>) -> Option<&'a String> {
    // Loaded only for a sealed month whose commentary changed since.
    if content.sent_commentary.is_empty() {
        current
    } else {
        content.sent_commentary.get(file)
    }
}

fn month_view(shared: &Shared<'_>, content: &MonthContent, previous: Option<Month>) -> Result<MonthView, Error> {
    let report = shared.report;
    let project = report.project;
    let raw = project.config.markdown.allow_raw_html;
    let month = content.month;
    let catalogue = &project.catalogue;
    let mut accountabilities = Vec::new();
    for acc in catalogue.accountabilities_in(month) {
        let tiles =
            kpi_indexes(report, &acc.id, month).map(|k| tile(shared, k, month)).collect::<Result<Vec<_>, _>>()?;
        let file = format!("{}.md", acc.id);
        let md = commentary_source(content, &file, content.commentary.get(&acc.id));
        accountabilities.push(AccountabilityView {
            id: acc.id.clone(),
            name: acc.name.clone(),
            question: acc.question.clone(),
            tiles,
            commentary: md.and_then(|md| written(markdown::to_html(md, raw))),
        });
    }
    let summary = commentary_source(content, &format!("{SUMMARY_STEM}.md"), content.summary.as_ref());
    let restatement = |c: &Correction| restatement_view(report, shared.lang, c);
    let counts = report.counts(month);
    Ok(MonthView {
        id: month.to_string(),
        name: shared.lang.month(month),
        summary: summary.and_then(|md| written(markdown::to_html(md, raw))),
        attention: attention(&accountabilities, content),
        accountabilities,
        tally: tally(shared.lang, &counts),
        counts,
        previous: previous.map(|m| MonthLink::new(shared.lang, m)),
        documents: false,
        draft: content.draft,
        sealed: content.seal.is_some(),
        restatements: shared.corrections.iter().filter(|c| c.announced == month).map(restatement).collect(),
        corrected: match content.seal {
            Some(_) => shared.corrections.iter().filter(|c| c.month == month).map(restatement).collect(),
            None => Vec::new(),
        },
    })
}

fn restatement_view(report: &Report<'_>, lang: &Lang, c: &Correction) -> RestatementView {
    let catalogue = &report.project.catalogue;
    let (what, kpi, file) = match &c.target {
        Corrected::Kpi(id) => {
            (catalogue.kpi(id).map_or_else(|| id.clone(), |k| k.name.clone()), Some(id.clone()), None)
        }
        Corrected::File(name) => {
            let stem = name.trim_end_matches(".md");
            let whose = match catalogue.accountability(stem) {
                Some(a) => lang.fill("restatement.commentary_on", &[("accountability", &a.name)]),
                None if stem == SUMMARY_STEM => lang.get("summary.heading").to_string(),
                None => lang.fill("restatement.commentary_file", &[("file", name)]),
            };
            (whose, None, Some(name.clone()))
        }
    };
    let format = |v: Option<f64>| {
        let kpi = kpi.as_deref().and_then(|id| catalogue.kpi(id));
        match (v, kpi) {
            (Some(v), Some(k)) => Some(k.show(lang, v)),
            (None, Some(_)) => Some(lang.get("restatement.no_value").to_string()),
            _ => None,
        }
    };
    RestatementView {
        month: MonthLink::new(lang, c.month),
        announced: MonthLink::new(lang, c.announced),
        what,
        was: format(c.was),
        now: format(c.now),
        kpi,
        file,
        reason: c.reason.clone(),
    }
}

/// The red and amber KPIs, red first: what the board will ask about, each
/// with its explanation (its note, or commentary that names it).
fn attention(accountabilities: &[AccountabilityView], content: &MonthContent) -> Vec<Attention> {
    let mut flagged: Vec<(&AccountabilityView, &Tile)> = accountabilities
        .iter()
        .flat_map(|a| a.tiles.iter().map(move |t| (a, t)))
        .filter(|(_, t)| t.status == Status::Red.as_str() || t.status == Status::Amber.as_str())
        .collect();
    flagged.sort_by_key(|(_, t)| t.status != Status::Red.as_str());
    flagged
        .into_iter()
        .map(|(a, t)| (a, t, mentioned(content, &a.id, &t.id, &t.name)))
        .map(|(a, t, said)| Attention {
            id: t.id.clone(),
            accountability: a.id.clone(),
            name: t.name.clone(),
            status: t.status,
            status_label: t.status_label.clone(),
            value: t.value.clone(),
            target: t.target.clone(),
            delta: t.delta.clone(),
            trend: t.trend,
            trend_word: t.trend_word.clone(),
            note: t.note.clone(),
            in_commentary: said.commentary,
            in_summary: said.summary,
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

fn chart_view(
    shared: &Shared<'_>,
    k: usize,
    month: Month,
    tile: Tile,
    texts: Option<&CatalogueKpi>,
) -> Result<ChartView, Error> {
    let (report, lang) = (shared.report, shared.lang);
    let r = report.reading(k, month);
    let kpi = r.kpi;
    let window = report.window(k, month, CHART_MONTHS);
    let charted = window.tracked();
    let alt = chart_alt(lang, &r, month, charted.start);
    let chart = chart::full_chart(kpi, &charted, r.status, &alt, shared.palette, lang)?;
    let notes = (0..window.values.len())
        .filter_map(|i| {
            window.notes[i].as_ref().map(|n| NoteView { month: lang.month(window.month_at(i)), text: n.clone() })
        })
        .collect();
    let rows = (0..window.values.len())
        .rev()
        .map(|i| {
            let m = window.month_at(i);
            if !window.in_force[i] {
                return RowView {
                    month: lang.month(m),
                    // A dash, not "no data": nothing was due that month.
                    value: Some("—".to_string()),
                    status: Status::None.as_str(),
                    status_label: lang.get("status.not_tracked").to_string(),
                    note: None,
                    restated: None,
                };
            }
            let row = || {
                let reading = report.reading(k, m);
                RowView {
                    month: lang.month(m),
                    value: reading.value.map(|v| kpi.show(lang, v)),
                    status: reading.status.as_str(),
                    status_label: lang.get(reading.status_key()).to_string(),
                    note: reading.note.map(str::to_string),
                    restated: reading.restated.map(|m| lang.month(m)),
                }
            };
            match shared.rows {
                Some(rows) => {
                    let Ok(row) = rows.get_or(&(k, m), || Ok::<_, std::convert::Infallible>(row()));
                    row
                }
                None => row(),
            }
        })
        .collect::<Vec<RowView>>();
    let rows_html = rows.iter().map(|r| shared.rows_html.get(&kpi.id, r)).collect::<Result<_, Error>>()?;
    Ok(ChartView {
        tile,
        chart,
        alt,
        definition: texts.map(|t| t.definition.clone()).unwrap_or_default(),
        how_to_measure: texts.and_then(|t| t.how_to_measure.clone()),
        notes,
        rows,
        rows_html,
        restated: window.restated.iter().any(Option::is_some),
        measured: None,
        evidence: None,
        rows_used: None,
    })
}

/// The text alternative of a chart: what a sighted reader takes from it.
fn chart_alt(lang: &Lang, r: &Reading<'_>, month: Month, start: Month) -> String {
    let kpi = r.kpi;
    let value = r.value.map_or_else(|| lang.get("status.inline.none").to_string(), |v| kpi.show(lang, v));
    let (start, end) = (lang.month(start), lang.month(month));
    let status = lang.get(&format!("status.inline.{}", r.status_key().trim_start_matches("status."))).to_string();
    let better = lang.get(kpi.better.key());
    let mut args = vec![("kpi", kpi.name.as_str()), ("start", &start), ("end", &end), ("value", &value)];
    args.extend([("better", better), ("status", &status)]);
    match r.thresholds {
        Some(t) => {
            let (target, red) = (kpi.show(lang, t.target), kpi.show(lang, t.red));
            args.extend([("target", target.as_str()), ("red", red.as_str())]);
            lang.fill("chart.alt", &args)
        }
        None => lang.fill("chart.alt_no_target", &args),
    }
}

/// The catalogue as the definitions page and the PDF's appendix show it, as
/// of `month` (the report's latest): the KPIs part of the report then, with
/// the thresholds in force then and their history.
pub(crate) fn catalogue_view(report: &Report<'_>, lang: &Lang, month: Month) -> Vec<CatalogueAccountability> {
    let catalogue = &report.project.catalogue;
    catalogue
        .accountabilities_in(month)
        .map(|a| CatalogueAccountability {
            id: a.id.clone(),
            name: a.name.clone(),
            question: a.question.clone(),
            kpis: catalogue
                .kpis_of(&a.id)
                .filter(|k| k.in_force(month))
                .map(|k| catalogue_kpi(lang, k, month))
                .collect(),
        })
        .collect()
}

fn catalogue_kpi(lang: &Lang, k: &Kpi, month: Month) -> CatalogueKpi {
    let now = k.thresholds_at(month);
    let describe = |t: Option<Thresholds>| match t {
        Some(t) => lang.fill("kpi.facts", &[("target", &k.show(lang, t.target)), ("red", &k.show(lang, t.red))]),
        None => lang.get("catalogue.tracked_only").to_string(),
    };
    // Only changes in force by `month`: a report never mentions later ones.
    let dated: Vec<_> = k.thresholds.iter().filter(|d| d.from.is_none_or(|f| f <= month)).collect();
    let history = if dated.len() > 1 {
        dated
            .iter()
            .map(|d| match d.from {
                None => lang.fill("catalogue.at_first", &[("thresholds", &describe(d.thresholds))]),
                Some(from) => lang
                    .fill("catalogue.from", &[("month", &lang.month(from)), ("thresholds", &describe(d.thresholds))]),
            })
            .collect()
    } else {
        Vec::new()
    };
    CatalogueKpi {
        id: k.id.clone(),
        name: k.name.clone(),
        unit: k.unit.clone(),
        better: lang.get(k.better.key()).to_string(),
        target: now.map(|t| k.show(lang, t.target)),
        red: now.map(|t| k.show(lang, t.red)),
        history,
        lifetime: lifetime_text(lang, k.lifetime),
        definition: markdown::to_html(&k.definition, false),
        how_to_measure: written(markdown::to_html(&k.how_to_measure, false)),
    }
}

fn lifetime_text(lang: &Lang, l: Lifetime) -> Option<String> {
    match (l.since, l.until) {
        (None, None) => None,
        (Some(s), None) => Some(lang.fill("catalogue.reported_from", &[("since", &lang.month(s))])),
        (None, Some(u)) => Some(lang.fill("catalogue.reported_until", &[("until", &lang.month(u))])),
        (Some(s), Some(u)) => {
            Some(lang.fill("catalogue.reported_between", &[("since", &lang.month(s)), ("until", &lang.month(u))]))
        }
    }
}

/// Every month's line in the archive, newest first.
pub(crate) fn archive_rows(report: &Report<'_>, lang: &Lang) -> Vec<ArchiveRow> {
    report
        .project
        .months
        .iter()
        .rev()
        .map(|m| ArchiveRow {
            id: m.month.to_string(),
            name: lang.month(m.month),
            tally: tally(lang, &report.counts(m.month)),
            counts: report.counts(m.month),
            draft: m.draft,
            sealed: m.seal.is_some(),
        })
        .collect()
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
                    assert_eq!(&RowHtml::new(&theme, &site).get(&c.tile.id, row).unwrap(), html);
                }
            }
            assert_eq!(made_alone, tables(bundle), "{}", content.month);
        }
        assert!(!rows.is_empty(), "rows were shared");
    }
}
