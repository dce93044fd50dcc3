//! A quarter's board pack and its seal: `boardpack pack --quarter` and
//! `boardpack seal 2026-Q3`.
//!
//! The pack is the quarter's documents (the PDF, page 1 the quarter's
//! scorecard, and the single-file report), its data files, its commentary as
//! written and a manifest, zipped as a month's is: same input, same bytes.
//! The seal records, besides each quarter value as shown, every file and value
//! of each of its months as the quarter was made from them, so an edit to a
//! month after the meeting is caught even when that month was never sealed.

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::base::digest::Sha256;
use crate::base::i18n::Lang;
use crate::base::parallel::pool;
use crate::base::period::{Month, Quarter};
use crate::commands::check::project_findings;
use crate::commands::pack::slug;
use crate::commands::seal::refuse_unexplained;
use crate::compute::report::Report;
use crate::compute::rules::unexplained_in_quarter;
use crate::load::catalogue::Medium;
use crate::load::project::quarter_record::{files_of, QuarterSeal, SealedMonth};
use crate::load::project::{current_month, Project, QuarterContent, CONTENT_DIR, EVIDENCE_DIR};
use crate::load::record::{pack_entries, SealedKpi, HTML_NAME, PDF_NAME, QUARTER_DATA, SEALED_FILE, SEALED_PACK};
use crate::load::theme::Theme;
use crate::load::workspace::{Loaded, Workspace};
use crate::render::quarter::{quarter_documents, table};
use crate::write::archive;
use crate::Error;

/// A quarter pack `pack --quarter` wrote.
#[derive(Debug)]
pub struct QuarterPackSummary {
    /// Where the zip is.
    pub path: PathBuf,
    /// The quarter, as the report names it.
    pub quarter: String,
    /// How many files the zip holds.
    pub entries: usize,
    /// The zip's size.
    pub bytes: usize,
}

/// What `seal` wrote for a quarter.
#[derive(Debug)]
pub struct QuarterSealSummary {
    /// The quarter, as the report names it.
    pub quarter: String,
    /// `content/QUARTER/sealed.toml`.
    pub record: PathBuf,
    /// `content/QUARTER/board-pack.zip`.
    pub pack: PathBuf,
    /// How many quarter values the record holds.
    pub kpis: usize,
    /// Its months with no report: the board received the quarter without them.
    pub missing: Vec<Month>,
    /// Problems found that did not stop the seal.
    pub warnings: Vec<Diagnostic>,
}

/// The report project at `root` (a portfolio's quarters are packed and
/// sealed company by company), with the warnings of its load.
fn report_project(root: &Path, doing: &str) -> Result<(Project, Vec<Diagnostic>), Error> {
    let Loaded { workspace, warnings } = Workspace::load(root)?;
    match workspace {
        Workspace::Report(project) => Ok((project, warnings)),
        Workspace::Portfolio(_) => Err(Error::Refused {
            what: format!("a portfolio's quarters are {doing} company by company"),
            help: "run the command with `--root companies/SLUG` for each company".into(),
        }),
    }
}

/// The quarter asked for, read as the report names quarters; by default the
/// latest quarter with a folder of its own that is not a draft, else the
/// quarter of the latest published month.
fn quarter_of(project: &Project, asked: Option<&str>) -> Result<Quarter, Error> {
    let start = project.config.report.fiscal_year_start;
    if let Some(text) = asked {
        return Quarter::parse(text, start).map_err(|e| Error::Refused {
            what: e.0,
            help: "name the quarter as the report's folders do (content/2026-Q3/)".into(),
        });
    }
    let folder = project.quarters.iter().rev().find(|q| !q.files.draft).map(|q| q.quarter);
    let latest = project.months.iter().rev().find(|m| !m.draft).map(|m| Quarter::of(m.month, start));
    folder.or(latest).ok_or_else(|| Error::Refused {
        what: "the report has no published month, so no quarter to pack".into(),
        help: "finish a month first (remove `draft = true` from its kpis.toml)".into(),
    })
}

/// Refuses a quarter that is not what a board can be sent: one with no
/// published month, a draft month, or a draft folder.
fn sendable(project: &Project, q: Quarter) -> Result<(), Error> {
    let months = q.months();
    let reported = project.months.iter().any(|m| months.contains(&m.month) && !m.draft);
    if !reported {
        return Err(Error::Refused {
            what: format!("{q} has no published month ({} to {})", months[0].long_name(), months[2].long_name()),
            help: "a quarter is made from its months: finish them first".into(),
        });
    }
    if let Some(draft) = project.months.iter().find(|m| months.contains(&m.month) && m.draft) {
        return Err(Error::Refused {
            what: format!("{} is a draft, and {q} is made from it", draft.month.long_name()),
            help: format!(
                "finish the month and remove `draft = true` from content/{}/kpis.toml; a quarter is sent once its months are final",
                draft.month
            ),
        });
    }
    if project.quarters.iter().any(|c| c.quarter == q && c.files.draft) {
        return Err(Error::Refused {
            what: format!("{q} is a draft"),
            help: format!("remove `draft = true` from content/{q}/kpis.toml first; a draft is never sent"),
        });
    }
    Ok(())
}

/// Makes quarter `q`'s board pack: the zip's bytes, and its PDF's.
fn pack_bytes(project: &Project, theme: &Theme, q: Quarter) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let report = Report::new(project);
    let documents = quarter_documents(&report, theme, q)?;
    let lang = crate::render::lang(theme, &project.config.language)?;
    let mut entries = vec![
        (PDF_NAME.to_string(), documents.pdf.clone()),
        (HTML_NAME.to_string(), documents.html),
        (QUARTER_DATA.to_string(), documents.json),
        ("data/quarter.csv".to_string(), documents.csv),
        (
            "kpi-definitions.md".to_string(),
            crate::render::document::definitions_markdown(&report, &lang, q.last()).into_bytes(),
        ),
    ];
    if let Some(content) = report.quarter_content(q) {
        let files = &content.files;
        for (name, md) in files.files() {
            entries.push((format!("commentary/{name}"), md.clone().into_bytes()));
        }
        for (kpi, bytes) in &files.evidence {
            entries.push((format!("{EVIDENCE_DIR}/{kpi}.csv"), bytes.clone()));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((archive::zip(&entries, q.first())?, documents.pdf))
}

/// Writes quarter `quarter`'s board pack as `ORGANISATION-QUARTER-board-pack.zip`
/// into `output` (default `dist/`): for a sealed quarter, the pack as sent.
pub fn pack_quarter(
    root: &Path,
    quarter: Option<&str>,
    output: Option<PathBuf>,
) -> Result<(QuarterPackSummary, Vec<Diagnostic>), Error> {
    let (project, warnings) = report_project(root, "packed")?;
    let q = quarter_of(&project, quarter)?;
    let content = project.quarters.iter().find(|c| c.quarter == q);
    let zip = match content.and_then(|c| c.seal().map(|_| c.files.sent.as_ref())) {
        Some(Some(sent)) => match &sent.documents {
            Some(documents) => documents.zip.clone(),
            None => return Err(Error::Internal(format!("the sealed board pack of {q} was not loaded"))),
        },
        Some(None) => return Err(Error::Internal(format!("the sealed board pack of {q} was not loaded"))),
        None => {
            sendable(&project, q)?;
            let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
            pool().install(|| pack_bytes(&project, &theme, q))?.0
        }
    };
    let dir = output.unwrap_or_else(|| project.root.join("dist"));
    let path = dir.join(format!("{}-{q}-board-pack.zip", slug(&project.config.organisation)));
    let entries = pack_entries(&zip).map(|e| e.len()).unwrap_or(0);
    archive::write_atomically(&path, &zip)?;
    Ok((QuarterPackSummary { path, quarter: q.to_string(), entries, bytes: zip.len() }, warnings))
}

/// Seals a quarter: records what the board received for it in its folder
/// (`sealed.toml` and `board-pack.zip`, created with the folder if need be).
///
/// Refuses a project with errors, a quarter sealed already, one not over yet,
/// one whose red (or amber, per `[rules]`) quarter values nothing in the
/// quarter explains, one with a draft month (its numbers are not final, and the quarter is made
/// from them) or no published month, and a draft quarter. A month with no
/// folder at all is accepted once the quarter is over (a company that began
/// reporting mid-quarter, a month skipped): the quarter says so, and the seal
/// records it, so a report added later is caught. Its months need not be
/// sealed themselves: the seal records their files and values, so a later
/// edit is caught either way.
pub fn seal_quarter(root: &Path, quarter: Option<&str>) -> Result<QuarterSealSummary, Error> {
    let (project, mut warnings) = report_project(root, "sealed")?;
    warnings.extend(project_findings(&project, None));
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(warnings));
    }
    let q = quarter_of(&project, quarter)?;
    if project.quarters.iter().any(|c| c.quarter == q && c.seal().is_some()) {
        return Err(Error::Refused {
            what: format!("{q} is sealed already"),
            help: "what the board received cannot be sealed again; correct it with a restatement in a later month (see FORMAT.md)".into(),
        });
    }
    let now = current_month();
    if q.last() >= now {
        return Err(Error::Refused {
            what: format!("{q} is not over yet: it ends with {}", q.last().long_name()),
            help: "seal a quarter once its last month is over and reported".into(),
        });
    }
    sendable(&project, q)?;
    let report = Report::new(&project);
    let name = q.to_string();
    refuse_unexplained(
        unexplained_in_quarter(&project, &report, &table(&report)?, q),
        &name,
        &name,
        "explain each KPI below with a note in the quarter's kpis.toml or in its commentary, then seal again",
    )?;
    let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
    let (zip, pdf) = pool().install(|| pack_bytes(&project, &theme, q))?;
    let record = quarter_record(&project, &report, q, &zip, &pdf)?;
    let dir = project.root.join(CONTENT_DIR).join(q.to_string());
    let pack_path = dir.join(SEALED_PACK);
    let record_path = dir.join(SEALED_FILE);
    let [a, _, c] = q.months();
    archive::write_atomically(&pack_path, &zip)?;
    archive::write_atomically(
        &record_path,
        record.to_toml(&format!("{} to {}", a.long_name(), c.long_name())).as_bytes(),
    )?;
    let missing = record.months.iter().filter(|(_, m)| !m.reported).filter_map(|(m, _)| m.parse().ok()).collect();
    Ok(QuarterSealSummary {
        quarter: q.to_string(),
        record: record_path,
        pack: pack_path,
        kpis: record.kpis.len(),
        missing,
        warnings,
    })
}

/// The record of quarter `q` as it is now: what the board is sent, and what
/// it was made from.
fn quarter_record(
    project: &Project,
    report: &Report<'_>,
    q: Quarter,
    zip: &[u8],
    pdf: &[u8],
) -> Result<QuarterSeal, Error> {
    let table = table(report)?;
    let english = Lang::english();
    let kpis = report
        .kpis_in_quarter(q)
        .map(|k| {
            let r = table.reading(report, k, q);
            let kpi = r.kpi;
            let value = r.value.value;
            let change = r.previous.map(|(_, _, c)| c);
            let sealed = SealedKpi {
                value,
                note: r.value.note.clone(),
                target: r.thresholds.map(|t| t.target),
                red: r.thresholds.map(|t| t.red),
                status: r.status.as_str().to_string(),
                shown: value.map(|v| kpi.show(english, v, Medium::Text)),
                change: change.map(|c| kpi.show_change(english, c.delta, Medium::Text)),
                trend: change.map(|c| c.trend.as_str().to_string()),
                name: Some(kpi.name.clone()),
                accountability: project.catalogue.accountability(&kpi.accountability).map(|a| a.name.clone()),
                unit: Some(kpi.unit.clone()),
                measured: Some(r.value.made.in_language(english)),
                rows: r.value.rows,
            };
            (kpi.id.clone(), sealed)
        })
        .collect();
    let content: Option<&QuarterContent> = project.quarters.iter().find(|c| c.quarter == q);
    let months = q
        .months()
        .into_iter()
        .map(|m| {
            let month = project.months.iter().find(|c| c.month == m && !c.draft);
            let sealed = match month {
                Some(c) => SealedMonth {
                    reported: true,
                    files: files_of(c),
                    values: c.values.iter().filter_map(|(id, e)| Some((id.clone(), e.value?))).collect(),
                },
                None => SealedMonth::default(),
            };
            (m.to_string(), sealed)
        })
        .collect();
    Ok(QuarterSeal {
        quarter: q.to_string(),
        boardpack: env!("CARGO_PKG_VERSION").to_string(),
        pack_sha256: Sha256::of(zip),
        pdf_sha256: Sha256::of(pdf),
        locale: Some(project.config.language.tag().to_string()),
        kpis,
        files: content.map(|c| files_of(&c.files)).unwrap_or_default(),
        months,
    })
}
