//! `boardpack seal` and `boardpack verify`: the board's record.
//!
//! `seal` records what the board received for a month — `sealed.toml` (every
//! KPI as shown, the SHA-256 of every commentary file) and the board pack
//! itself, `board-pack.zip` — in the month's folder, to be committed. From
//! then on `check` and `build` compare the month with its record, and the site
//! serves the sealed pack, never a new one. `verify` tells whether a file in
//! circulation is the one sealed for its month, byte for byte.

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::base::digest::Sha256;
use crate::base::i18n::Lang;
use crate::base::parallel::pool;
use crate::base::period::Month;
use crate::commands::check::project_findings;
use crate::commands::pack::{month_index, pack_month};
use crate::compute::report::Report;
use crate::compute::rules::unexplained;
use crate::load::catalogue::Medium;
use crate::load::project::{Project, CONTENT_DIR};
use crate::load::record::{self, Corrected, Previous, Seal, SealedKpi, SealedRestatement, SEALED_FILE, SEALED_PACK};
use crate::load::theme::Theme;
use crate::load::workspace::{Loaded, Workspace};
use crate::write::archive;
use crate::write::manifest::{Manifest, MANIFEST_NAME};
use crate::Error;

/// What `seal` was asked to do.
#[derive(Debug, Clone)]
pub struct SealOptions {
    /// The report project.
    pub root: PathBuf,
    /// Default: the latest month that is not a draft.
    pub month: Option<Month>,
}

/// What `seal` wrote.
#[derive(Debug)]
pub struct SealSummary {
    /// The month sealed.
    pub month: Month,
    /// `content/YYYY-MM/sealed.toml`.
    pub record: PathBuf,
    /// `content/YYYY-MM/board-pack.zip`.
    pub pack: PathBuf,
    /// How many KPIs the record holds.
    pub kpis: usize,
    /// Problems found that did not stop the seal.
    pub warnings: Vec<Diagnostic>,
}

/// Seals a month of a report: refuses a draft, a month already sealed, a
/// project with errors, and a month whose red (or amber, per `[rules]`) KPIs
/// are not explained.
pub fn seal(options: &SealOptions) -> Result<SealSummary, Error> {
    let Loaded { workspace, mut warnings } = Workspace::load(&options.root)?;
    let project = match workspace {
        Workspace::Report(project) => project,
        Workspace::Portfolio(_) => {
            return Err(Error::Refused {
                what: "a portfolio is sealed company by company".into(),
                help: "run `boardpack seal --root companies/SLUG` for each company whose month was sent".into(),
            })
        }
    };
    warnings.extend(project_findings(&project, None));
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(warnings));
    }
    let index = month_index(&project, options.month)?;
    let content = &project.months[index];
    let month = content.month;
    if content.seal.is_some() {
        return Err(Error::Refused {
            what: format!("{} is sealed already", month.long_name()),
            help: "what the board received cannot be sealed again; correct it with a restatement in a later month (see FORMAT.md)".into(),
        });
    }
    let report = Report::new(&project);
    refuse_unexplained(
        unexplained(&project, &report, month),
        &month.to_string(),
        &month.long_name(),
        "explain each KPI below with a note or in its accountability's commentary, then seal again",
    )?;
    let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
    let (zip, pdf) = pool().install(|| pack_month(&project, &theme, index))?;
    let record = record_of(&project, &report, index, &zip, &pdf);
    let dir = project.root.join(CONTENT_DIR).join(month.to_string());
    let pack_path = dir.join(SEALED_PACK);
    let record_path = dir.join(SEALED_FILE);
    archive::write_atomically(&pack_path, &zip)?;
    archive::write_atomically(&record_path, record.to_toml(&month.long_name()).as_bytes())?;
    Ok(SealSummary { month, record: record_path, pack: pack_path, kpis: record.kpis.len(), warnings })
}

/// The record of month `index` as it is now: what the board is sent.
/// Refuses to seal a month or a quarter (folder `folder`, named `name`) with
/// KPIs that need an explanation and have none: each finding becomes an error
/// under one that says why nothing was sealed.
pub(crate) fn refuse_unexplained(found: Vec<Diagnostic>, folder: &str, name: &str, help: &str) -> Result<(), Error> {
    if found.is_empty() {
        return Ok(());
    }
    let mut refused: Vec<Diagnostic> = found
        .into_iter()
        .map(|mut d| {
            d.severity = crate::base::diagnostic::Severity::Error;
            d
        })
        .collect();
    refused.insert(
        0,
        Diagnostic::error(
            Path::new(CONTENT_DIR).join(folder),
            format!("{name} cannot be sealed: the board would get numbers nobody explained"),
        )
        .help(help),
    );
    Err(Error::Content(refused))
}

fn record_of(project: &Project, report: &Report<'_>, index: usize, zip: &[u8], pdf: &[u8]) -> Seal {
    let content = &project.months[index];
    let month = content.month;
    let kpis = report
        .kpis_in(month)
        .map(|k| {
            let r = report.reading(k, month);
            let kpi = r.kpi;
            let sealed = SealedKpi {
                value: r.value,
                note: r.note.map(str::to_string),
                target: r.thresholds.map(|t| t.target),
                red: r.thresholds.map(|t| t.red),
                status: r.status.as_str().to_string(),
                shown: r.value.map(|v| kpi.show(Lang::english(), v, Medium::Text)),
                change: r.change.map(|c| kpi.show_change(Lang::english(), c.delta, Medium::Text)),
                trend: r.change.map(|c| c.trend.as_str().to_string()),
                name: Some(kpi.name.clone()),
                accountability: project.catalogue.accountability(&kpi.accountability).map(|a| a.name.clone()),
                unit: Some(kpi.unit.clone()),
                measured: content.values.get(&kpi.id).and_then(|e| e.measured.clone()),
                rows: content.values.get(&kpi.id).and_then(|e| e.rows),
            };
            (kpi.id.clone(), sealed)
        })
        .collect();
    let restatements = crate::compute::audit::corrections(project)
        .into_iter()
        .filter(|c| c.announced == month)
        .map(|c| {
            let (kpi, file) = match c.target {
                Corrected::Kpi(id) => (Some(id), None),
                Corrected::File(name) => (None, Some(name)),
            };
            SealedRestatement { month: c.month.to_string(), kpi, file, was: c.was, now: c.now, reason: c.reason }
        })
        .collect();
    Seal {
        month: month.to_string(),
        boardpack: env!("CARGO_PKG_VERSION").to_string(),
        pack_sha256: Sha256::of(zip),
        pdf_sha256: Sha256::of(pdf),
        kpis,
        files: content.hashes(),
        restatements,
        locale: Some(project.config.language.tag().to_string()),
        previous: project.months[..index].iter().rev().find_map(|m| {
            let sealed = m.seal_sha256.clone().filter(|_| m.seal.is_some())?;
            Some(Previous { month: m.month, sealed })
        }),
    }
}

/// The answer to "is this what the board received?".
#[derive(Debug)]
pub enum Verdict {
    /// Byte for byte the file sealed for `month` (of `company`, in a portfolio).
    Sealed {
        /// The month it was sealed for.
        month: Month,
        /// The company, in a portfolio.
        company: Option<String>,
        /// What it is: the board pack, or the PDF inside it.
        what: &'static str,
        /// For a zip: its manifest matches its contents.
        manifest_ok: Option<bool>,
    },
    /// Byte for byte the file sealed for `quarter` (of `company`, in a portfolio).
    SealedQuarter {
        /// The quarter it was sealed for, as the report names it.
        quarter: String,
        /// The company, in a portfolio.
        company: Option<String>,
        /// What it is: the board pack, or the PDF inside it.
        what: &'static str,
        /// For a zip: its manifest matches its contents.
        manifest_ok: Option<bool>,
    },
    /// Not a sealed file, and why.
    NotSealed(String),
}

/// One sealed record a file may be: a month's or a quarter's.
#[derive(Clone)]
struct Record<'a> {
    company: Option<String>,
    /// The month sealed; `None` for a quarter.
    month: Option<Month>,
    /// How a reader names it: "March 2026", "2026-Q3".
    label: String,
    pack_sha256: &'a Sha256,
    pdf_sha256: &'a Sha256,
    pack: Option<&'a PathBuf>,
}

/// Tells whether `file` (a board pack zip, or its PDF) is the one sealed for
/// its month or quarter in the report or portfolio at `root`.
pub fn verify(root: &Path, file: &Path) -> Result<Verdict, Error> {
    let size = std::fs::metadata(file).map_err(|e| Error::io(file, e))?.len();
    if size > MAX_FILE {
        return Ok(Verdict::NotSealed(format!(
            "{} is {} MB: far larger than any board pack, so it is not one",
            file.display(),
            size >> 20
        )));
    }
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let digest = Sha256::of(&bytes);
    let Loaded { workspace, .. } = Workspace::load(root)?;
    let projects: Vec<(Option<String>, &Project)> = match &workspace {
        Workspace::Report(p) => vec![(None, p)],
        Workspace::Portfolio(p) => {
            p.companies.iter().map(|c| (Some(c.project.config.organisation.clone()), &c.project)).collect()
        }
    };
    let is_zip = bytes.starts_with(b"PK");
    let manifest = is_zip.then(|| manifest_problems(&bytes));
    let mut sealed: Vec<Record<'_>> = Vec::new();
    for (company, p) in &projects {
        for m in &p.months {
            if let Some(seal) = &m.seal {
                sealed.push(Record {
                    company: company.clone(),
                    month: Some(m.month),
                    label: m.month.long_name(),
                    pack_sha256: &seal.pack_sha256,
                    pdf_sha256: &seal.pdf_sha256,
                    pack: m.sealed_pack.as_ref(),
                });
            }
        }
        for q in &p.quarters {
            if let Some(seal) = &q.files.quarter_seal {
                sealed.push(Record {
                    company: company.clone(),
                    month: None,
                    label: q.quarter.to_string(),
                    pack_sha256: &seal.pack_sha256,
                    pdf_sha256: &seal.pdf_sha256,
                    pack: q.files.sealed_pack.as_ref(),
                });
            }
        }
    }
    if sealed.is_empty() {
        return Ok(Verdict::NotSealed(format!(
            "{} has no sealed month or quarter: nothing can be verified against it",
            root.display()
        )));
    }
    for record in &sealed {
        let what = if digest == *record.pack_sha256 {
            "the board pack"
        } else if digest == *record.pdf_sha256 {
            "the board report PDF"
        } else {
            continue;
        };
        let manifest_ok = manifest.as_ref().map(|m| m.as_ref().is_ok_and(Vec::is_empty));
        let company = record.company.clone();
        return Ok(match record.month {
            Some(month) => Verdict::Sealed { month, company, what, manifest_ok },
            None => Verdict::SealedQuarter { quarter: record.label.clone(), company, what, manifest_ok },
        });
    }
    if !is_zip {
        return Ok(Verdict::NotSealed(format!(
            "{} is not the board report PDF of any sealed month or quarter: it differs from every one, byte for byte",
            file.display()
        )));
    }
    let entries = match record::pack_entries(&bytes) {
        Ok(entries) => entries,
        Err(e) => {
            return Ok(Verdict::NotSealed(format!(
                "it is not byte for byte any sealed pack, and it is damaged: its zip cannot be read ({e})"
            )))
        }
    };
    // A pack says which month it is for (the last of its data): a month that
    // is not sealed has nothing to compare it with.
    if let Some(month) = month_of_pack(&entries) {
        let known = projects.iter().any(|(_, p)| p.months.iter().any(|m| m.month == month));
        let sealed_then = sealed.iter().any(|r| r.month == Some(month));
        if known && !sealed_then {
            return Ok(Verdict::NotSealed(format!(
                "{} is a board pack for {}, which is not sealed: there is no record to verify it against (`boardpack seal {month}` records one)",
                file.display(),
                month.long_name()
            )));
        }
    }
    let mut reasons = Vec::new();
    if let Some(Ok(problems)) = &manifest {
        reasons.extend(problems.iter().cloned());
    } else if let Some(Err(e)) = &manifest {
        reasons.push(e.clone());
    }
    let own = month_of_pack(&entries);
    let same_month: Vec<Record<'_>> = sealed.iter().filter(|r| own.is_some() && r.month == own).cloned().collect();
    let candidates = if same_month.is_empty() { &sealed } else { &same_month };
    if let Some((record, differences)) = closest(&entries, candidates) {
        let whose = record.company.as_ref().map(|c| format!(" for {c}")).unwrap_or_default();
        reasons.push(format!("it is not the pack sealed{whose} for {}: {}", record.label, differences.join("; ")));
    }
    Ok(Verdict::NotSealed(reasons.join("\n")))
}

/// The largest file `verify` reads: a board pack is a few MB.
const MAX_FILE: u64 = 512 << 20;

/// The month a pack is for: the last month of its `data/kpis.json`.
fn month_of_pack(entries: &[(String, Vec<u8>)]) -> Option<Month> {
    let (_, json) = entries.iter().find(|(n, _)| n == "data/kpis.json")?;
    let data: serde_json::Value = serde_json::from_slice(json).ok()?;
    data.get("months")?.as_array()?.last()?.get("month")?.as_str()?.parse().ok()
}

/// What is wrong with a zip's `MANIFEST.txt` against its own entries (empty:
/// it checks out), or why it cannot be read.
fn manifest_problems(zip: &[u8]) -> Result<Vec<String>, String> {
    let entries = record::pack_entries(zip)?;
    let Some((_, manifest)) = entries.iter().find(|(n, _)| n == MANIFEST_NAME) else {
        return Err(format!("it has no {MANIFEST_NAME}"));
    };
    let manifest = Manifest::parse(&String::from_utf8_lossy(manifest))?;
    Ok(manifest.problems(&entries))
}

/// The sealed pack `entries` most resemble (by entries with equal bytes), and how they differ.
fn closest<'r>(entries: &[(String, Vec<u8>)], sealed: &'r [Record<'r>]) -> Option<(&'r Record<'r>, Vec<String>)> {
    let mut best: Option<(usize, &Record<'_>, Vec<String>)> = None;
    for r in sealed {
        let Some(original) = r.pack.and_then(|p| std::fs::read(p).ok()).and_then(|b| record::pack_entries(&b).ok())
        else {
            continue;
        };
        let same = entries.iter().filter(|e| original.contains(e)).count();
        let mut differences = Vec::new();
        for (name, bytes) in entries {
            match original.iter().find(|(n, _)| n == name) {
                None => differences.push(format!("it holds {name}, which the sealed pack does not")),
                Some((_, b)) if b != bytes => differences.push(format!("{name} differs")),
                Some(_) => {}
            }
        }
        for (name, _) in original.iter().filter(|(n, _)| !entries.iter().any(|(e, _)| e == n)) {
            differences.push(format!("{name} is missing"));
        }
        if differences.is_empty() {
            differences.push(
                "its files have the same contents, but it is not byte for byte the pack the board received, so it cannot be shown to be it"
                    .into(),
            );
        }
        if best.as_ref().is_none_or(|b| same > b.0) {
            best = Some((same, r, differences));
        }
    }
    best.map(|(_, r, d)| (r, d))
}
