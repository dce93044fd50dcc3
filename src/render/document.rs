//! A month's two documents — the PDF and the single-file HTML report — and the
//! portfolio overview PDF: siblings of the pages, made from the same views.
//!
//! The PDF is laid out by the theme's Typst files (`pack/report.typ`,
//! `pack/portfolio.typ`), which read what to show from a `data.json` built
//! here. Rust builds data, never markup, so no text an author writes can be
//! read as Typst code.

use std::fmt::Write as _;

use serde::Serialize;
use tera::Context;

use super::overview::Overview;
use super::typst::{compile, Job, Sources, TypstError};
use super::view::{
    AccountabilityView, CatalogueAccountability, ChartView, MonthBundle, MonthView, RowView, SiteView, Tile, YearView,
};
use super::Destination;
use crate::base::digest::PdfKey;
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::compute::report::Report;
use crate::load::catalogue::Medium;
use crate::load::config::{Orientation, Paper};
use crate::load::fonts::FontSet;
use crate::load::project::MonthContent;
pub(crate) use crate::load::record::{HTML_NAME, PDF_NAME};
use crate::load::theme::{Palette, StatusColours, Theme};
use crate::render::markdown::{to_tree, Node};
use crate::Error;

/// A sealed month's whole board pack, beside it in the site.
pub(crate) const PACK_NAME: &str = "board-pack.zip";
/// The font the PDF is set in: embedded in the binary, so output never depends
/// on what the machine has installed.
pub(crate) const FONT: &str = "Libertinus Serif";
/// How many months of numbers the PDF tabulates under each chart.
const TABLE_MONTHS: usize = 12;
/// The level commentary headings start at in the PDF (sections own 1 and 2).
const COMMENTARY_LEVEL: u8 = 3;

/// Everything a month's documents are made from.
pub(crate) struct ReportInput<'a> {
    pub(crate) report: &'a Report<'a>,
    pub(crate) theme: &'a Theme,
    pub(crate) site: &'a SiteView<'a>,
    pub(crate) catalogue: &'a [CatalogueAccountability],
    pub(crate) bundle: &'a MonthBundle,
    pub(crate) content: &'a MonthContent,
}

/// A PDF and the key of its inputs (what [`Destination::pdf`] is asked for).
pub(crate) struct Pdf {
    pub(crate) bytes: Vec<u8>,
    pub(crate) key: PdfKey,
}

/// The month's PDF: from `earlier` when its inputs are unchanged, else typeset.
pub(crate) fn report_pdf(input: &ReportInput<'_>, earlier: &dyn Destination) -> Result<Pdf, Error> {
    let config = &input.report.project.config;
    let month = input.content.month;
    let data = report_data(input);
    let mut files = vec![("/data.json".to_string(), to_json(&data)?)];
    for (acc, charts) in input.bundle.view.accountabilities.iter().zip(&input.bundle.charts) {
        for tile in &acc.tiles {
            files.push((spark_path(tile), tile.sparkline.clone().into_bytes()));
        }
        for chart in charts {
            files.push((chart_path(&chart.tile), chart.chart.clone().into_bytes()));
        }
    }
    let ident = format!("{}/{}", config.organisation, input.bundle.view.id);
    let what = format!("{month}/{PDF_NAME}");
    let fonts = &input.report.project.fonts;
    typeset(Typeset { theme: input.theme, main: "report.typ", files, month, ident, what: &what, fonts }, earlier)
}

/// The portfolio's overview of one month as a PDF.
pub(crate) fn overview_pdf(
    overview: &Overview<'_>,
    theme: &Theme,
    lang: &Lang,
    month: Month,
    fonts: &FontSet,
) -> Result<Vec<u8>, Error> {
    let data = OverviewData {
        overview,
        font: FONT,
        language: LanguageData::new(lang),
        paper: "a4",
        status: StatusData::new(&theme.palette),
        colours: Colours::new(&theme.palette),
    };
    let files = vec![("/data.json".to_string(), to_json(&data)?)];
    let ident = format!("{}/{}/{month}", overview.owner, overview.title);
    let what = format!("{month} portfolio overview");
    let job = Typeset { theme, main: "portfolio.typ", files, month, ident, what: &what, fonts };
    Ok(typeset(job, &super::Collect::default())?.bytes)
}

/// One document to typeset: the theme file to start from, what it reads, and
/// what to call it in an error.
pub(super) struct Typeset<'a> {
    pub(super) theme: &'a Theme,
    pub(super) main: &'a str,
    pub(super) files: Vec<(String, Vec<u8>)>,
    pub(super) month: Month,
    pub(super) ident: String,
    pub(super) what: &'a str,
    pub(super) fonts: &'a FontSet,
}

/// Typesets a document, unless `earlier` has the PDF of these exact inputs
/// (and then keeps it there).
pub(super) fn typeset(job: Typeset<'_>, earlier: &dyn Destination) -> Result<Pdf, Error> {
    let Typeset { theme, main, files, month, ident, what, fonts } = job;
    let key = key(theme, main, &files, month, &ident, fonts);
    let bytes = earlier.pdf(
        &key,
        Box::new(|| {
            let sources = Sources::new(&theme.typst);
            compile(Job { sources: &sources, main, files, month, ident, fonts })
                .map_err(|e| typst_error(theme, main, what, e))
        }),
    )?;
    Ok(Pdf { bytes, key })
}

/// A Typst failure as the user should read it: in a theme file of theirs, a
/// template error naming the file and line; in the built-in theme, a bug.
fn typst_error(theme: &Theme, main: &str, what: &str, e: TypstError) -> Error {
    let file = e.file.unwrap_or_else(|| main.to_string());
    let origin = theme.origin(&format!("pack/{file}"));
    let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
    Error::Template { template: format!("{origin}{at}"), page: what.to_string(), message: e.message }
}

/// The key of a PDF's inputs: everything the engine reads, and the version of
/// boardpack (a new version may lay out the same inputs differently). Fonts
/// beyond the embedded ones count by their fingerprint; with none, the key is
/// what it was before projects could bring fonts.
fn key(theme: &Theme, main: &str, files: &[(String, Vec<u8>)], month: Month, ident: &str, fonts: &FontSet) -> PdfKey {
    let mut key = super::key::Key::new();
    for text in [env!("CARGO_PKG_VERSION"), ident, &month.to_string(), main] {
        key.text(text);
    }
    for (name, text) in &theme.typst {
        key.text(name).text(text);
    }
    for (name, bytes) in files {
        key.text(name).part(bytes);
    }
    if !fonts.fingerprint().is_empty() {
        key.text("fonts").text(fonts.fingerprint());
    }
    PdfKey::from_bytes(key.finish())
}

pub(super) fn to_json(data: &impl Serialize) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(data).map_err(|e| Error::Internal(format!("PDF data: {e}")))
}

fn spark_path(tile: &Tile) -> String {
    format!("/spark/{}.svg", tile.id)
}

fn chart_path(tile: &Tile) -> String {
    format!("/charts/{}.svg", tile.id)
}

/// The board report's `data.json`: the month as the Typst template reads it.
#[derive(Serialize)]
struct ReportData<'a> {
    title: &'a str,
    organisation: &'a str,
    font: &'static str,
    language: LanguageData<'a>,
    month: MonthData<'a>,
    /// Corrections of months already sent that this month announces.
    restatements: &'a [super::view::RestatementView],
    summary: Option<Vec<Node>>,
    sections: Vec<SectionData<'a>>,
    definitions: Vec<DefinitionData<'a>>,
    settings: SettingsData<'a>,
    status: StatusData<'a>,
    colours: Colours<'a>,
}

/// The report's language, for Typst's `text(lang:, region:)` (hyphenation,
/// quotes, direction) and the words the theme's Typst files write.
#[derive(Serialize)]
pub(super) struct LanguageData<'a> {
    /// ISO 639 language, e.g. `de`.
    lang: &'a str,
    /// ISO 3166 region in lower case, e.g. `de`, when the locale names one.
    region: Option<String>,
    /// `rtl` or `ltr`.
    dir: &'static str,
    /// Every word ([`Lang::tree`]): `words.status.green`.
    words: &'a serde_json::Value,
}

impl<'a> LanguageData<'a> {
    pub(super) fn new(lang: &'a Lang) -> LanguageData<'a> {
        LanguageData {
            lang: lang.locale.language(),
            region: lang.locale.region().map(str::to_lowercase),
            dir: if lang.locale.is_right_to_left() { "rtl" } else { "ltr" },
            words: lang.tree(),
        }
    }
}

#[derive(Serialize)]
struct MonthData<'a> {
    id: &'a str,
    name: &'a str,
    counts: crate::compute::report::StatusCounts,
    tally: &'a [super::view::Tally],
    accountabilities: Vec<AccountabilityData<'a>>,
    attention: &'a [super::view::Attention],
}

#[derive(Serialize)]
struct AccountabilityData<'a> {
    id: &'a str,
    name: &'a str,
    question: &'a str,
    tiles: Vec<TileData<'a>>,
}

/// A tile without its inline SVG: the PDF reads the sparkline as a file.
#[derive(Serialize)]
struct TileData<'a> {
    id: &'a str,
    name: &'a str,
    value: Option<&'a str>,
    target: Option<&'a str>,
    red: Option<&'a str>,
    better: &'a str,
    status: &'a str,
    status_label: &'a str,
    delta: Option<&'a str>,
    arrow: &'a str,
    trend: Option<&'a str>,
    trend_word: Option<&'a str>,
    compared_with: Option<&'a str>,
    note: Option<&'a str>,
    spark: String,
    last_value: Option<&'a str>,
    last_month: Option<&'a str>,
    year: Option<&'a YearView>,
}

impl<'a> TileData<'a> {
    fn new(t: &'a Tile) -> TileData<'a> {
        TileData {
            id: &t.id,
            name: &t.name,
            value: t.value.as_deref(),
            target: t.target.as_deref(),
            red: t.red.as_deref(),
            better: &t.better,
            status: t.status,
            status_label: &t.status_label,
            delta: t.delta.as_deref(),
            arrow: t.arrow,
            trend: t.trend,
            trend_word: t.trend_word.as_deref(),
            compared_with: t.compared_with.as_deref(),
            note: t.note.as_deref(),
            spark: spark_path(t),
            last_value: t.last_value.as_deref(),
            last_month: t.last_month.as_deref(),
            year: t.year.as_ref(),
        }
    }
}

#[derive(Serialize)]
struct SectionData<'a> {
    id: &'a str,
    name: &'a str,
    question: &'a str,
    commentary: Option<Vec<Node>>,
    kpis: Vec<KpiData<'a>>,
}

#[derive(Serialize)]
struct KpiData<'a> {
    tile: TileData<'a>,
    chart: String,
    alt: &'a str,
    notes: &'a [super::view::NoteView],
    rows: &'a [RowView],
    /// How `boardpack measure` computed the value, when it did.
    measured: Option<&'a str>,
}

#[derive(Serialize)]
struct DefinitionData<'a> {
    accountability: &'a str,
    id: &'a str,
    name: &'a str,
    unit: &'a str,
    better: &'a str,
    target: Option<String>,
    red: Option<String>,
    definition: Vec<Node>,
    how_to_measure: Option<Vec<Node>>,
}

#[derive(Serialize)]
pub(super) struct SettingsData<'a> {
    paper: &'static str,
    landscape: bool,
    appendix: bool,
    confidentiality: Option<&'a str>,
}

impl<'a> SettingsData<'a> {
    /// The PDF's layout as `[pack]` sets it.
    pub(super) fn of(pack: &'a crate::load::config::PackConfig) -> SettingsData<'a> {
        SettingsData {
            paper: match pack.paper {
                Paper::A4 => "a4",
                Paper::Letter => "letter",
            },
            landscape: pack.scorecard_orientation == Orientation::Landscape,
            appendix: pack.appendix,
            confidentiality: pack.confidentiality.as_deref(),
        }
    }
}

/// Each status's colours, keyed by its data name (`green` … `none`).
#[derive(Serialize)]
pub(super) struct StatusData<'a> {
    green: &'a StatusColours,
    amber: &'a StatusColours,
    red: &'a StatusColours,
    none: &'a StatusColours,
    neutral: &'a StatusColours,
}

impl<'a> StatusData<'a> {
    pub(super) fn new(p: &'a Palette) -> StatusData<'a> {
        StatusData { green: &p.green, amber: &p.amber, red: &p.red, none: &p.none, neutral: &p.neutral }
    }
}

#[derive(Serialize)]
pub(super) struct Colours<'a> {
    ink: &'a str,
    muted: &'a str,
    accent: &'a str,
}

impl<'a> Colours<'a> {
    pub(super) fn new(p: &'a Palette) -> Colours<'a> {
        Colours { ink: &p.ink, muted: &p.muted, accent: &p.accent }
    }
}

#[derive(Serialize)]
struct OverviewData<'a> {
    overview: &'a Overview<'a>,
    font: &'static str,
    language: LanguageData<'a>,
    paper: &'static str,
    status: StatusData<'a>,
    colours: Colours<'a>,
}

/// Commentary as the PDF shows it: the Markdown's tree, when something was
/// written (a stub's comment alone counts as nothing, as on the pages).
pub(super) fn commentary(markdown: Option<&String>, shown: bool) -> Option<Vec<Node>> {
    markdown.filter(|_| shown).map(|md| to_tree(md, COMMENTARY_LEVEL))
}

fn report_data<'a>(input: &'a ReportInput<'a>) -> ReportData<'a> {
    let project = input.report.project;
    let config = &project.config;
    let lang = input.site.lang;
    let view: &MonthView = &input.bundle.view;
    let sections = view
        .accountabilities
        .iter()
        .zip(&input.bundle.charts)
        .map(|(acc, charts): (&AccountabilityView, &Vec<ChartView>)| SectionData {
            id: &acc.id,
            name: &acc.name,
            question: &acc.question,
            commentary: commentary(input.content.commentary.get(&acc.id), acc.commentary.is_some()),
            kpis: charts
                .iter()
                .map(|c| KpiData {
                    tile: TileData::new(&c.tile),
                    chart: chart_path(&c.tile),
                    alt: &c.alt,
                    notes: &c.notes,
                    rows: &c.rows[..c.rows.len().min(TABLE_MONTHS)],
                    measured: c.provenance.measured.as_deref(),
                })
                .collect(),
        })
        .collect();
    let catalogue = &project.catalogue;
    let month = input.content.month;
    let definitions = catalogue
        .accountabilities_in(month)
        .flat_map(|acc| {
            catalogue.kpis_of(&acc.id).filter(|k| k.in_force(month)).map(move |k| {
                let t = k.thresholds_at(month);
                DefinitionData {
                    accountability: &acc.name,
                    id: &k.id,
                    name: &k.name,
                    unit: &k.unit,
                    better: lang.get(k.better.key()),
                    target: t.map(|t| k.show(lang, t.target, Medium::Page)),
                    red: t.map(|t| k.show(lang, t.red, Medium::Page)),
                    definition: to_tree(&k.definition, COMMENTARY_LEVEL),
                    how_to_measure: (!k.how_to_measure.trim().is_empty())
                        .then(|| to_tree(&k.how_to_measure, COMMENTARY_LEVEL)),
                }
            })
        })
        .collect();
    let pack = &config.pack;
    ReportData {
        title: &config.title,
        organisation: &config.organisation,
        font: FONT,
        language: LanguageData::new(lang),
        month: MonthData {
            id: &view.id,
            name: &view.name,
            counts: view.counts,
            tally: &view.tally,
            accountabilities: view
                .accountabilities
                .iter()
                .map(|a| AccountabilityData {
                    id: &a.id,
                    name: &a.name,
                    question: &a.question,
                    tiles: a.tiles.iter().map(TileData::new).collect(),
                })
                .collect(),
            attention: &view.attention,
        },
        restatements: &view.restatements,
        summary: commentary(input.content.summary.as_ref(), view.summary.is_some()),
        sections,
        definitions,
        settings: SettingsData::of(pack),
        status: StatusData::new(&input.theme.palette),
        colours: Colours::new(&input.theme.palette),
    }
}

/// The report as one HTML file with its CSS and charts inline: it opens from an
/// email attachment with no other file and no network.
pub(crate) fn single_file_html(input: &ReportInput<'_>) -> Result<String, Error> {
    let theme = input.theme;
    let bundle = input.bundle;
    let css = theme.statics.get("style.css").map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    let sections: Vec<(&AccountabilityView, &Vec<ChartView>)> =
        bundle.view.accountabilities.iter().zip(&bundle.charts).collect();
    let file = super::pages::page(theme, "pack.html", HTML_NAME, input.site, "", |c: &mut Context| {
        c.insert("month", &bundle.view);
        c.insert("sections", &sections);
        c.insert("accountabilities", input.catalogue);
        c.insert("css", &css);
        c.insert("confidentiality", &input.report.project.config.pack.confidentiality);
    })?;
    String::from_utf8(file.bytes).map_err(|e| Error::Internal(format!("single-file report is not UTF-8: {e}")))
}

/// The catalogue as one Markdown document, as of `month`, for readers of the
/// pack without the site.
pub(crate) fn definitions_markdown(report: &Report<'_>, lang: &Lang, month: Month) -> String {
    let project = report.project;
    let catalogue = &project.catalogue;
    let title = lang.get("catalogue.title");
    let mut out = format!("# {title}\n\n{} · {}\n", project.config.organisation, project.config.title);
    for acc in catalogue.accountabilities_in(month) {
        let _ = write!(out, "\n## {}\n\n_{}_\n", acc.name, acc.question);
        for k in catalogue.kpis_of(&acc.id).filter(|k| k.in_force(month)) {
            let better = lang.get(k.better.key());
            let lines = match k.thresholds_at(month) {
                Some(t) => lang.fill(
                    "kpi.facts",
                    &[("target", &k.show(lang, t.target, Medium::Page)), ("red", &k.show(lang, t.red, Medium::Page))],
                ),
                None => lang.get("catalogue.tracked_only").to_string(),
            };
            let unit = lang.get("catalogue.unit");
            let _ = write!(
                out,
                "\n### {} (`{}`)\n\n{unit}: {} · {better} · {lines}\n\n{}\n",
                k.name,
                k.id,
                k.unit,
                k.definition.trim()
            );
            if !k.how_to_measure.trim().is_empty() {
                let _ = write!(out, "\n**{}** {}\n", lang.get("pack.how"), k.how_to_measure.trim());
            }
        }
    }
    out
}
