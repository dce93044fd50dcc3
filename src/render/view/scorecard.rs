//! The month's scorecard (`scorecard.html`, page 1 of the PDF): a tile per
//! KPI, each accountability's commentary, what needs the board's attention,
//! and the corrections the month announces or received.

use serde::Serialize;

use super::{kpi_indexes, tally, written, MonthLink, Shared, Tally};
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::base::status::{Change, Status, Trend};
use crate::compute::audit::Correction;
use crate::compute::commentary::mentioned;
use crate::compute::report::{Report, StatusCounts, YearBefore, SPARKLINE_MONTHS};
use crate::load::catalogue::{Catalogue, Kpi, Medium};
use crate::load::project::{MonthContent, SUMMARY_STEM};
use crate::load::record::Corrected;
use crate::render::{chart, markdown};
use crate::Error;

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
    /// The same month a year before, where it has a value.
    pub(crate) year: Option<YearView>,
}

/// A tile's comparison with the same month a year before: "↓ −0.7 days on
/// October 2025 (3.1 days)".
#[derive(Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct YearView {
    pub(crate) month: String,
    pub(crate) value: String,
    pub(crate) delta: String,
    pub(crate) arrow: &'static str,
    pub(crate) trend: &'static str,
    pub(crate) trend_word: String,
}

impl YearView {
    pub(crate) fn new(lang: &Lang, kpi: &Kpi, y: YearBefore) -> YearView {
        YearView {
            month: lang.month(y.month),
            value: kpi.show(lang, y.value, Medium::Page),
            delta: kpi.show_change(lang, y.change.delta, Medium::Page),
            arrow: arrow(Some(y.change)),
            trend: y.change.trend.as_str(),
            trend_word: lang.get(y.change.trend.key()).to_string(),
        }
    }
}

/// Which way a number moved (not whether that is good: the trend says that).
fn arrow(change: Option<Change>) -> &'static str {
    match change {
        Some(c) if c.trend != Trend::Flat && c.delta > 0.0 => "↑",
        Some(c) if c.trend != Trend::Flat => "↓",
        _ => "→",
    }
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

fn tile(shared: &Shared<'_>, k: usize, month: Month) -> Result<Tile, Error> {
    let (report, lang) = (shared.report, shared.lang);
    let r = report.reading(k, month);
    let kpi = r.kpi;
    let spark = chart::sparkline(kpi, &report.window(k, month, SPARKLINE_MONTHS).tracked(), r.status, shared.palette)?;
    let value = |v: f64| kpi.show(lang, v, Medium::Page);
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
        delta: r.change.map(|c| kpi.show_change(lang, c.delta, Medium::Page)),
        arrow: arrow(r.change),
        trend: r.change.map(|c| c.trend.as_str()),
        trend_word: r.change.map(|c| lang.get(c.trend.key()).to_string()),
        compared_with: r.compared_with.map(|m| lang.month(m)),
        note: r.note.map(str::to_string),
        sparkline: spark,
        last_value: last.and_then(|m| report.reading(k, m).value).map(value),
        last_month: last.map(|m| lang.month(m)),
        year: report.year_before(k, month).map(|y| YearView::new(lang, kpi, y)),
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

pub(super) fn month_view(
    shared: &Shared<'_>,
    content: &MonthContent,
    previous: Option<Month>,
) -> Result<MonthView, Error> {
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
        attention: attention(&accountabilities, content, catalogue),
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
            (Some(v), Some(k)) => Some(k.show(lang, v, Medium::Page)),
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
fn attention(accountabilities: &[AccountabilityView], content: &MonthContent, catalogue: &Catalogue) -> Vec<Attention> {
    let mut flagged: Vec<(&AccountabilityView, &Tile)> = accountabilities
        .iter()
        .flat_map(|a| a.tiles.iter().map(move |t| (a, t)))
        .filter(|(_, t)| t.status == Status::Red.as_str() || t.status == Status::Amber.as_str())
        .collect();
    flagged.sort_by_key(|(_, t)| t.status != Status::Red.as_str());
    flagged
        .into_iter()
        .filter_map(|(a, t)| catalogue.kpi(&t.id).map(|k| (a, t, mentioned(content, k))))
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
