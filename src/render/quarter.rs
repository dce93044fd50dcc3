//! A quarter's files: its scorecard and accountability pages, its charts,
//! its data files, and its two documents — the PDF (the theme's
//! `pack/quarter.typ`, page 1 the quarter's scorecard) and the single-file
//! report (`quarter-pack.html`). All are made from one [`QuarterBundle`].

use serde::Serialize;
use tera::Context;

use super::document::{commentary, to_json, typeset, Colours, LanguageData, Pdf, SettingsData, StatusData, Typeset};
use super::pages::{context, page, render_page};
use super::view::quarter::{
    quarter_bundle, QuarterAccountability, QuarterBundle, QuarterChart, QuarterShared, QuarterView,
};
use super::view::SiteView;
use super::{Destination, SiteFile};
use crate::base::period::Quarter;
use crate::compute::quarter::{QuarterReading, QuarterTable};
use crate::compute::report::Report;
use crate::load::project::EVIDENCE_DIR;
use crate::load::record::{HTML_NAME, PDF_NAME};
use crate::load::theme::Theme;
use crate::render::markdown::Node;
use crate::Error;

/// A quarter's board documents and data files, as its pack holds them.
#[allow(dead_code)] // `pack --quarter` and `seal` read it: being merged.
pub(crate) struct QuarterDocuments {
    pub(crate) pdf: Vec<u8>,
    pub(crate) html: Vec<u8>,
    pub(crate) json: Vec<u8>,
    pub(crate) csv: Vec<u8>,
}

/// The quarter table of `report`, or the evidence file it could not read as
/// an error at its line.
pub(crate) fn table(report: &Report<'_>) -> Result<QuarterTable, Error> {
    report.quarter_table().map_err(|d| Error::Content(vec![*d]))
}

/// Quarter `quarter`'s documents and data files, made afresh: what `pack
/// --quarter` and `seal` put in its pack.
#[allow(dead_code)] // `pack --quarter` and `seal` call it: being merged.
pub(crate) fn quarter_documents(
    report: &Report<'_>,
    theme: &Theme,
    quarter: Quarter,
) -> Result<QuarterDocuments, Error> {
    let project = report.project;
    let lang = super::lang(theme, &project.config.language)?;
    let site = SiteView::new(&project.config.title, &project.config.organisation, None, &lang)
        .indexed(project.config.publish.index);
    let table = table(report)?;
    let shared = QuarterShared { report, table: &table, lang: &lang, palette: &theme.palette };
    let bundle = quarter_bundle(&shared, quarter)?;
    let (json, csv) = data_files(&shared, quarter)?;
    let pdf = quarter_pdf(report, theme, &site, (quarter, &bundle), &super::Collect::default())?.bytes;
    let html = single_file_html(report, theme, &site, &bundle)?.into_bytes();
    Ok(QuarterDocuments { pdf, html, json, csv })
}

/// The quarter's `data.json` and `data.csv`.
pub(crate) fn data_files(shared: &QuarterShared<'_>, q: Quarter) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let report = shared.report;
    let readings: Vec<QuarterReading<'_>> =
        report.kpis_in_quarter(q).map(|k| shared.table.reading(report, k, q)).collect();
    let organisation = &report.project.config.organisation;
    Ok((
        super::export::quarter_json(organisation, q, &readings, shared.lang)?,
        super::export::quarter_csv(&readings, shared.lang)?,
    ))
}

/// Every file of quarter `q`'s folder in the site: pages, charts, data, the
/// quarter's evidence, and its documents when `documents` (from its sealed
/// pack when it is sealed).
pub(crate) fn quarter_files(
    shared: &QuarterShared<'_>,
    theme: &Theme,
    site: &SiteView<'_>,
    q: Quarter,
    documents: bool,
    dest: &dyn Destination,
) -> Result<(QuarterBundle, Vec<SiteFile>), Error> {
    let report = shared.report;
    let mut bundle = quarter_bundle(shared, q)?;
    bundle.view.documents = documents;
    let id = q.to_string();
    let mut files = pages(theme, site, &bundle)?;
    let (json, csv) = data_files(shared, q)?;
    files.push(SiteFile { path: format!("{id}/data.json"), bytes: json });
    files.push(SiteFile { path: format!("{id}/data.csv"), bytes: csv });
    let content = report.quarter_content(q);
    for (kpi, bytes) in content.map(|c| &c.files.evidence).into_iter().flatten() {
        files.push(SiteFile { path: format!("{id}/{EVIDENCE_DIR}/{kpi}.csv"), bytes: bytes.clone() });
    }
    if documents {
        let sent = content.and_then(|c| c.files.sent.as_ref()).and_then(|s| s.documents.as_ref());
        if let Some(sent) = sent {
            files.push(SiteFile { path: format!("{id}/{PDF_NAME}"), bytes: sent.pdf.clone() });
            files.push(SiteFile { path: format!("{id}/{HTML_NAME}"), bytes: sent.html.clone() });
            files.push(SiteFile { path: format!("{id}/{}", super::document::PACK_NAME), bytes: sent.zip.clone() });
        } else {
            let pdf = quarter_pdf(report, theme, site, (q, &bundle), dest)?;
            files.push(SiteFile { path: format!("{id}/{PDF_NAME}"), bytes: pdf.bytes });
            let html = single_file_html(report, theme, site, &bundle)?;
            files.push(SiteFile { path: format!("{id}/{HTML_NAME}"), bytes: html.into_bytes() });
        }
    }
    Ok((bundle, files))
}

/// The quarter's scorecard, one page per accountability, and its charts.
fn pages(theme: &Theme, site: &SiteView<'_>, bundle: &QuarterBundle) -> Result<Vec<SiteFile>, Error> {
    let view = &bundle.view;
    let id = &view.id;
    let mut files = Vec::new();
    let mut ctx = context(site);
    ctx.insert("quarter", view);
    files.push(render_page(theme, QUARTER_TEMPLATE, &format!("{id}/index.html"), "../", &mut ctx)?);
    for (acc, charts) in view.accountabilities.iter().zip(&bundle.charts) {
        for c in charts {
            files.push(SiteFile { path: format!("{id}/charts/{}.svg", c.row.id), bytes: c.chart.clone().into_bytes() });
        }
        ctx.insert("accountability", acc);
        ctx.insert("charts", charts);
        let path = format!("{id}/{}/index.html", acc.id);
        files.push(render_page(theme, "quarter-accountability.html", &path, "../../", &mut ctx)?);
    }
    Ok(files)
}

/// The quarter's scorecard template.
const QUARTER_TEMPLATE: &str = "quarter.html";

/// The site's `index.html` when the report is read quarter by quarter
/// (`[report] cadence = "quarterly"`): the latest quarter's scorecard.
pub(crate) fn latest_page(theme: &Theme, site: &SiteView<'_>, bundle: &QuarterBundle) -> Result<SiteFile, Error> {
    page(theme, QUARTER_TEMPLATE, "index.html", site, "", |c| c.insert("quarter", &bundle.view))
}

/// The quarter as one HTML file with its CSS and charts inline.
fn single_file_html(
    report: &Report<'_>,
    theme: &Theme,
    site: &SiteView<'_>,
    bundle: &QuarterBundle,
) -> Result<String, Error> {
    let css = theme.statics.get("style.css").map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    let sections: Vec<(&QuarterAccountability, &Vec<QuarterChart>)> =
        bundle.view.accountabilities.iter().zip(&bundle.charts).collect();
    let file = page(theme, "quarter-pack.html", HTML_NAME, site, "", |c: &mut Context| {
        c.insert("quarter", &bundle.view);
        c.insert("sections", &sections);
        c.insert("css", &css);
        c.insert("confidentiality", &report.project.config.pack.confidentiality);
    })?;
    String::from_utf8(file.bytes).map_err(|e| Error::Internal(format!("single-file report is not UTF-8: {e}")))
}

/// The quarter's `data.json` for its Typst template.
#[derive(Serialize)]
struct QuarterPdfData<'a> {
    title: &'a str,
    organisation: &'a str,
    font: &'static str,
    language: LanguageData<'a>,
    quarter: &'a QuarterView,
    summary: Option<Vec<Node>>,
    sections: Vec<QuarterSection<'a>>,
    settings: SettingsData<'a>,
    status: StatusData<'a>,
    colours: Colours<'a>,
}

#[derive(Serialize)]
struct QuarterSection<'a> {
    id: &'a str,
    name: &'a str,
    question: &'a str,
    commentary: Option<Vec<Node>>,
    kpis: Vec<QuarterKpi<'a>>,
}

#[derive(Serialize)]
struct QuarterKpi<'a> {
    row: &'a super::view::quarter::QuarterRow,
    /// The chart's file, as the template reads it.
    chart: String,
    alt: &'a str,
    quarters: &'a [super::view::quarter::QuarterHistoryRow],
}

/// The quarter's PDF: from `earlier` when its inputs are unchanged, else typeset.
fn quarter_pdf(
    report: &Report<'_>,
    theme: &Theme,
    site: &SiteView<'_>,
    (q, bundle): (Quarter, &QuarterBundle),
    earlier: &dyn Destination,
) -> Result<Pdf, Error> {
    let project = report.project;
    let config = &project.config;
    let view = &bundle.view;
    let folder = report.quarter_content(q).map(|c| &c.files);
    let mut files = Vec::new();
    let sections = view
        .accountabilities
        .iter()
        .zip(&bundle.charts)
        .map(|(acc, charts)| QuarterSection {
            id: &acc.id,
            name: &acc.name,
            question: &acc.question,
            commentary: commentary(folder.and_then(|f| f.commentary.get(&acc.id)), acc.commentary.is_some()),
            kpis: charts
                .iter()
                .map(|c| {
                    let chart = format!("/charts/{}.svg", c.row.id);
                    files.push((chart.clone(), c.chart.clone().into_bytes()));
                    QuarterKpi { row: &c.row, chart, alt: &c.alt, quarters: &c.quarters }
                })
                .collect(),
        })
        .collect();
    let data = QuarterPdfData {
        title: &config.title,
        organisation: &config.organisation,
        font: super::document::FONT,
        language: LanguageData::new(site.lang),
        quarter: view,
        summary: commentary(folder.and_then(|f| f.summary.as_ref()), view.summary.is_some()),
        sections,
        settings: SettingsData::of(&config.pack),
        status: StatusData::new(&theme.palette),
        colours: Colours::new(&theme.palette),
    };
    files.insert(0, ("/data.json".to_string(), to_json(&data)?));
    let ident = format!("{}/{}", config.organisation, view.id);
    let what = format!("{}/{PDF_NAME}", view.id);
    let job = Typeset { theme, main: "quarter.typ", files, month: q.last(), ident, what: &what, fonts: &project.fonts };
    typeset(job, earlier)
}
