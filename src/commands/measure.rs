//! `boardpack measure`: computes the month's KPIs from the systems that produce
//! them (deployment, incident and work-item exports under `data/`, and git
//! history), writes them into the month's `kpis.toml` marked as computed, and
//! writes the evidence behind each number. A quarter (`measure 2026-Q3`) is
//! measured the same way over its three months as one period, into its own
//! folder (`content/2026-Q3/`).
//!
//! The flow, one stage at a time: read the settings, every export and every
//! repository (`load::measuring`, collecting every problem) → stop, writing
//! nothing, if any is an error → run each KPI's method (`compute::measure`)
//! → edit `kpis.toml` and make the evidence files (`write::measure`), then
//! write them, `kpis.toml` last.

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::base::i18n::Lang;
use crate::base::method::Method;
use crate::base::period::{Month, Quarter};
use crate::compute::measure::history::{self, Brought};
use crate::compute::measure::{self as methods, Data, Export, Outcome, Period};
use crate::load::catalogue::Catalogue;
use crate::load::exports::{self, Input};
use crate::load::measuring::{self, Exports, Settings};
use crate::load::project::{CONTENT_DIR, EVIDENCE_DIR};
use crate::load::record::SEALED_FILE;
use crate::load::theme::Theme;
use crate::write::measure::{evidence, set, values};
use crate::Error;

/// What `measure` was asked to do.
#[derive(Debug, Clone)]
pub struct MeasureOptions {
    /// The project root (holds `boardpack.toml`).
    pub root: PathBuf,
    /// The month to measure; `None`: the latest month folder in `content/`, else the current month.
    pub month: Option<Month>,
    /// A quarter to measure instead, as the report names it (`2026-Q3`, or
    /// `FY2027-Q1` when `[report] fiscal_year_start` is not January).
    pub quarter: Option<String>,
    /// Replace hand-entered values too.
    pub overwrite: bool,
}

/// What happened to one KPI.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Computed and written, with its evidence file (relative to the root).
    Written {
        /// The value written.
        value: f64,
        /// How it was computed, in words.
        measured: String,
        /// How many rows of data it used.
        rows: usize,
        /// The evidence file, relative to the root.
        evidence: PathBuf,
    },
    /// Computed, but the month has a hand-entered value, kept (no `--overwrite`).
    Kept {
        /// The value computed (not written).
        value: f64,
        /// How it was computed, in words.
        measured: String,
    },
    /// Not computed: why, in words. The line (if any) is left as it was.
    NotComputed {
        /// Why, in words.
        reason: String,
    },
}

/// One KPI's result.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiResult {
    /// The KPI's id.
    pub id: String,
    /// The method that measured it.
    pub method: String,
    /// What happened.
    pub status: Status,
}

/// What a run did, for the command line to report.
#[derive(Debug, Clone)]
pub struct MeasureSummary {
    /// The month measured, or the quarter's last month.
    pub month: Month,
    /// The quarter measured, by its id (`2026-Q3`), when a quarter was.
    pub quarter: Option<String>,
    /// The month's `kpis.toml`, relative to the root.
    pub values_file: PathBuf,
    /// The month's evidence folder, relative to the root.
    pub evidence_dir: PathBuf,
    /// Whether `kpis.toml` changed.
    pub changed: bool,
    /// In catalogue order.
    pub kpis: Vec<KpiResult>,
    /// The catalogue's KPIs of the month that boardpack has no method for and
    /// that have no value in `kpis.toml` yet: the author's to fill in.
    pub unmeasured: Vec<String>,
    /// Problems found that did not stop the run.
    pub warnings: Vec<Diagnostic>,
}

/// The KPIs of a catalogue that boardpack can measure, with their methods:
/// each KPI is measured by the method its `measure` key names, or else by the
/// one named like its id, when boardpack has such a method.
fn methods(catalogue: &Catalogue) -> Vec<(String, Method)> {
    catalogue
        .kpis
        .iter()
        .filter_map(|k| Some((k.id.clone(), Method::named(k.measure.as_deref().unwrap_or(&k.id))?)))
        .collect()
}

/// Measures the project's catalogue KPIs for the month.
pub fn measure(options: &MeasureOptions) -> Result<MeasureSummary, Error> {
    let root = &options.root;
    let settings = Settings::load(root)?;
    let kpis = methods(&settings.catalogue);
    let no_method: Vec<String> = settings
        .catalogue
        .kpis
        .iter()
        .filter(|k| !kpis.iter().any(|(id, _)| *id == k.id))
        .map(|k| k.id.clone())
        .collect();
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
    let mc = settings.measure();
    let mut problems: Vec<Diagnostic> = Vec::new();

    // One run at a time; first, finish what an interrupted run left.
    let lock = set::lock(root)?;
    problems.extend(recovered(&set::recover(root, &lock)?));

    // Read everything, collecting every problem.
    let zone = settings.zone(&mut problems);
    let quarter = match &options.quarter {
        Some(text) => Some(Quarter::parse(text, settings.config.report.fiscal_year_start).map_err(|e| {
            Error::Refused {
                what: e.0,
                help: "measure a month (2026-10) or a quarter named as the report names them (FORMAT.md, \"Quarters\")"
                    .into(),
            }
        })?),
        None => None,
    };
    let month = quarter
        .map(Quarter::last)
        .or(options.month)
        .or_else(|| measuring::latest_month(root))
        .unwrap_or_else(|| zone.current_month());
    // The folder measured into, which `{month}` in an export's path names too.
    let folder = quarter.map_or_else(|| month.to_string(), |q| q.to_string());
    refuse_sealed(root, &folder, &quarter.map_or_else(|| month.long_name(), |q| q.to_string()))?;
    let production = settings.production();
    let reader = Exports {
        root,
        canonical_root: &canonical_root,
        folder: folder.clone(),
        zone: &zone,
        production: &production,
        source: &settings.source,
    };
    let deployments = match reader.read(Input::Deployments, &mc.deployments, &mut problems) {
        Ok(raw) => Export::Read(exports::deployments(raw, &mut problems)),
        Err(rel) => Export::Missing(rel),
    };
    let incidents = match reader.read(Input::Incidents, &mc.incidents, &mut problems) {
        Ok(raw) => Export::Read(exports::incidents(raw, &mut problems)),
        Err(rel) => Export::Missing(rel),
    };
    let work_items = match reader.read(Input::WorkItems, &mc.work_items, &mut problems) {
        Ok(raw) => Export::Read(exports::work_items(raw, &mut problems)),
        Err(rel) => Export::Missing(rel),
    };
    let repositories = measuring::repositories(root, &mc, &settings.source, &mut problems);
    let located = match &deployments {
        Export::Read(t) => measuring::locate_deployments(root, &repositories, t, &mut problems),
        Export::Missing(_) => Vec::new(),
    };
    let values_rel = measuring::values_file(&folder);
    let existing = measuring::existing_values(root, &canonical_root, &values_rel, &mut problems)?;
    if problems.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(problems));
    }

    // Compute every method.
    let period = match quarter {
        Some(q) => Period::of_quarter(q, zone),
        None => Period::new(month, zone),
    };
    let brought = match &deployments {
        Export::Read(t) => history::brought(&repositories, &t.rows, &located, period.start, period.end),
        Export::Missing(_) => Brought::default(),
    };
    let data = Data { deployments, incidents, work_items, repositories, brought, people: mc.people };
    let outcomes: Vec<(String, Method, Outcome)> =
        kpis.into_iter().map(|(id, method)| (id, method, methods::compute(method, &data, &period))).collect();
    for (id, _, outcome) in &outcomes {
        for note in outcome.iter().flat_map(|c| &c.notes) {
            problems.push(Diagnostic::warning(&values_rel, format!("{id}: {note}")));
        }
    }

    // Make the files, then write them.
    let header = format!(
        "# {} engineering KPIs for {folder}.\n# Lines with `measured` were computed by `boardpack measure`; the others were typed by hand.\n\n",
        settings.config.organisation
    );
    let before = existing.clone().unwrap_or_default();
    let theme = Theme::load(root, settings.config.theme.as_deref()).map_err(Error::Content)?;
    let lang = crate::render::lang(&theme, &settings.config.language)?;
    let (after, results, mut files) = edit(&before, &values_rel, outcomes, options.overwrite, &lang)?;
    // A new file's header is put first here: in a document of comments alone,
    // the values inserted would go above them.
    let after = if existing.is_none() { header + &after } else { after };
    let changed = existing.as_deref() != Some(after.as_str());
    let in_force = |id: &String| settings.catalogue.kpis.iter().any(|k| k.id == *id && k.in_force(month));
    let valued = after.parse::<toml::Table>().unwrap_or_default();
    let unmeasured = no_method.into_iter().filter(|id| in_force(id) && !valued.contains_key(id)).collect();
    files.push((values_rel.clone(), after.into_bytes()));
    set::write(root, &files, &lock)?;
    let evidence_dir = values_rel.with_file_name(EVIDENCE_DIR);
    Ok(MeasureSummary {
        month,
        quarter: quarter.map(|q| q.to_string()),
        values_file: values_rel,
        evidence_dir,
        changed,
        kpis: results,
        unmeasured,
        warnings: problems,
    })
}

/// A sealed month or quarter holds what the board received: measuring it
/// again would rewrite its values and evidence, so `measure` refuses before
/// reading anything, and says how a correction is made instead. `folder` is
/// its folder's name, `name` how the board reads it.
fn refuse_sealed(root: &Path, folder: &str, name: &str) -> Result<(), Error> {
    let sealed = Path::new(CONTENT_DIR).join(folder).join(SEALED_FILE);
    if !root.join(&sealed).exists() {
        return Ok(());
    }
    Err(Error::Refused {
        what: format!("{name} is sealed ({}): the board received its numbers as they are", sealed.display()),
        help: format!(
            "to report a later month, start it with `boardpack new` and measure that; to correct a value of {name}, add a restatement to the month you are reporting (FORMAT.md, \"Restatements\")"
        ),
    })
}

/// Warnings for what [`set::recover`] did, if anything.
fn recovered(r: &set::Recovered) -> Vec<Diagnostic> {
    let list = |files: &[PathBuf]| files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    if !r.finished.is_empty() {
        out.push(Diagnostic::warning(
            set::STAGING_DIR,
            format!(
                "an interrupted `boardpack measure` had not finished writing its files; finished now: {}",
                list(&r.finished)
            ),
        ));
    }
    if !r.removed.is_empty() {
        out.push(Diagnostic::warning(
            "content",
            format!("removed the temporary files an interrupted earlier version left: {}", list(&r.removed)),
        ));
    }
    out
}

/// The evidence files of the values written, in catalogue order.
type EvidenceFiles = Vec<(PathBuf, Vec<u8>)>;

/// Applies the computed values to the text of `kpis.toml` (`before`): the
/// new text, what happened to each KPI, and the evidence file of each value
/// written.
fn edit(
    before: &str,
    values_rel: &Path,
    outcomes: Vec<(String, Method, Outcome)>,
    overwrite: bool,
    lang: &Lang,
) -> Result<(String, Vec<KpiResult>, EvidenceFiles), Error> {
    // How each value was made, in the words the board reads.
    let said: Vec<Option<String>> =
        outcomes.iter().map(|(_, _, o)| o.as_ref().ok().map(|c| c.measured.in_language(lang))).collect();
    let updates: Vec<values::Update<'_>> = outcomes
        .iter()
        .zip(&said)
        .filter_map(|((id, _, o), said)| {
            let (c, measured) = (o.as_ref().ok()?, said.as_deref()?);
            Some(values::Update { id, value: c.value, measured, rows: c.evidence.rows.len() })
        })
        .collect();
    let (after, applied) = values::apply(before, &updates, overwrite).map_err(|(message, span)| {
        let d = Diagnostic::error(values_rel, format!("invalid TOML: {message}"))
            .help("fix the file (boardpack measure edits it in place and will not guess), then measure again");
        Error::Content(vec![match span {
            Some(span) => d.at(before, span),
            None => d,
        }])
    })?;
    let mut results = Vec::new();
    let mut files = Vec::new();
    let mut applied = applied.into_iter();
    for ((id, method, outcome), said) in outcomes.into_iter().zip(said) {
        let status = match outcome {
            Err(reason) => Status::NotComputed { reason },
            Ok(c) => match applied.next() {
                Some(values::Applied::Kept) => Status::Kept { value: c.value, measured: said.unwrap_or_default() },
                _ => {
                    let rel = values_rel.with_file_name(EVIDENCE_DIR).join(format!("{id}.csv"));
                    let bytes = evidence::csv(&c.evidence)
                        .map_err(|e| Error::Internal(format!("cannot write the evidence for {id}: {e}")))?;
                    files.push((rel.clone(), bytes));
                    let measured = said.unwrap_or_default();
                    Status::Written { value: c.value, measured, rows: c.evidence.rows.len(), evidence: rel }
                }
            },
        };
        results.push(KpiResult { id, method: method.name().to_string(), status });
    }
    Ok((after, results, files))
}
