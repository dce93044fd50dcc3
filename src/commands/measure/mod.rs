//! `boardpack measure`: computes the month's KPIs from the systems that produce
//! them (deployment, incident and work-item exports under `data/`, and git
//! history), writes them into the month's `kpis.toml` marked as computed, and
//! writes the evidence behind each number.
//!
//! The flow: read the settings (`[measure]` in `boardpack.toml`) → read every
//! export ([`input`]) and repository ([`git`]), collecting every problem →
//! stop, writing nothing, if any is an error → run each KPI's method ([`kpi`])
//! → edit `kpis.toml` ([`write`]) and write the evidence files
//! ([`evidence`]), `kpis.toml` last and each file atomically. Time zones and
//! date-time forms are in [`time`].

mod evidence;
mod git;
mod input;
mod kpi;
mod time;
mod write;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::period::Month;
use crate::load::catalogue::Catalogue;
use crate::load::config::{Config, CONFIG_FILE};
use crate::load::project::{outside_root, CATALOGUE_FILE, CONTENT_DIR, VALUES_FILE};
use crate::Error;

use crate::load::config::{InputConfig, MeasureConfig};

use input::{Input, Reading};
use kpi::{Data, Export, Period};
use time::Zone;

/// What `measure` was asked to do.
#[derive(Debug, Clone)]
pub struct MeasureOptions {
    /// The project root (holds `boardpack.toml`).
    pub root: PathBuf,
    /// The month to measure; `None`: the latest month folder in `content/`, else the current month.
    pub month: Option<Month>,
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
    /// The month measured.
    pub month: Month,
    /// The month's `kpis.toml`, relative to the root.
    pub values_file: PathBuf,
    /// The month's evidence folder, relative to the root.
    pub evidence_dir: PathBuf,
    /// Whether `kpis.toml` changed.
    pub changed: bool,
    /// In catalogue order.
    pub kpis: Vec<KpiResult>,
    /// Problems found that did not stop the run.
    pub warnings: Vec<Diagnostic>,
}

/// The (KPI id, method name) pairs of a catalogue: each KPI is measured by the
/// method its `measure` key names, or else by the one named like its id, when
/// boardpack has such a method.
pub(crate) fn methods(catalogue: &Catalogue) -> Vec<(String, String)> {
    catalogue
        .kpis
        .iter()
        .map(|k| (k.id.clone(), k.measure.clone().unwrap_or_else(|| k.id.clone())))
        .filter(|(_, method)| crate::load::catalogue::MEASURE_METHODS.contains(&method.as_str()))
        .collect()
}

/// Measures the project's catalogue KPIs for the month.
pub fn measure(options: &MeasureOptions) -> Result<MeasureSummary, Error> {
    let settings = Settings::load(&options.root)?;
    let kpis = methods(&settings.catalogue);
    run(options, &settings, &kpis)
}

/// `boardpack.toml` and the catalogue.
struct Settings {
    config: Config,
    source: String,
    catalogue: Catalogue,
}

impl Settings {
    fn load(root: &Path) -> Result<Settings, Error> {
        let path = root.join(CONFIG_FILE);
        let source = std::fs::read_to_string(&path).map_err(|e| {
            Error::Content(vec![Diagnostic::error(
                CONFIG_FILE,
                format!("cannot read {CONFIG_FILE} in {}: {e}", root.display()),
            )
            .help("run boardpack in a report project, or pass --root DIR")])
        })?;
        let config = Config::parse(&source, Path::new(CONFIG_FILE)).map_err(Error::Content)?;
        let catalogue_path = root.join(CONTENT_DIR).join(CATALOGUE_FILE);
        let catalogue = if catalogue_path.is_file() {
            let text = std::fs::read_to_string(&catalogue_path).map_err(|e| Error::io(&catalogue_path, e))?;
            Catalogue::parse(&text, &Path::new(CONTENT_DIR).join(CATALOGUE_FILE)).map_err(Error::Content)?
        } else {
            Catalogue::builtin()
        };
        Ok(Settings { config, source, catalogue })
    }
}

/// The latest `content/YYYY-MM` folder.
fn latest_month(root: &Path) -> Option<Month> {
    std::fs::read_dir(root.join(CONTENT_DIR))
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str()?.parse::<Month>().ok())
        .max()
}

fn run(options: &MeasureOptions, settings: &Settings, kpis: &[(String, String)]) -> Result<MeasureSummary, Error> {
    let root = &options.root;
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
    let empty = MeasureConfig::default();
    let mc = settings.config.measure.as_deref().unwrap_or(&empty);
    let src = settings.source.as_str();
    let mut problems: Vec<Diagnostic> = Vec::new();

    let zone = match &mc.timezone {
        Some(tz) => Zone::parse(tz.get_ref()).unwrap_or_else(|e| {
            problems.push(
                Diagnostic::error(CONFIG_FILE, e)
                    .at(src, tz.span())
                    .help("use an IANA name such as Europe/London, UTC, or an offset such as +01:00"),
            );
            Zone::utc()
        }),
        None => Zone::utc(),
    };
    let month = options.month.or_else(|| latest_month(root)).unwrap_or_else(|| zone.current_month());
    let period = Period::new(month, zone.clone());
    let production: Vec<String> = mc
        .production
        .clone()
        .unwrap_or_else(|| vec!["production".into(), "prod".into(), "live".into()])
        .into_iter()
        .map(|p| p.trim().to_lowercase())
        .collect();

    // The exports.
    let export = |input: Input, cfg: &InputConfig, problems: &mut Vec<Diagnostic>| {
        let reading = Reading { input, config: cfg, zone: &zone, production: &production, config_source: src };
        let mapping = input::check_settings(&reading, problems);
        let rel =
            PathBuf::from(cfg.path.as_deref().unwrap_or(input.default_path()).replace("{month}", &month.to_string()));
        let abs = root.join(&rel);
        if !abs.exists() {
            return Err(rel);
        }
        if let Some(d) = outside_root(&canonical_root, &abs, &rel) {
            problems.push(d);
            return Err(rel);
        }
        match input::read(&reading, mapping, &abs, &rel, problems) {
            Some(raw) => Ok(raw),
            None => Err(rel),
        }
    };
    let deployments = match export(Input::Deployments, &mc.deployments, &mut problems) {
        Ok(raw) => Export::Read(input::deployments(raw, &mut problems)),
        Err(rel) => Export::Missing(rel),
    };
    let incidents = match export(Input::Incidents, &mc.incidents, &mut problems) {
        Ok(raw) => Export::Read(input::incidents(raw, &mut problems)),
        Err(rel) => Export::Missing(rel),
    };
    let work_items = match export(Input::WorkItems, &mc.work_items, &mut problems) {
        Ok(raw) => Export::Read(input::work_items(raw, &mut problems)),
        Err(rel) => Export::Missing(rel),
    };

    // The repositories, read in parallel (one git process each).
    let loaded: Vec<Result<git::Repository, Box<Diagnostic>>> = mc
        .repositories
        .par_iter()
        .map(|r| {
            let dir = git::resolve(root, r.path.get_ref());
            let at = |d: Diagnostic| d.at(src, r.path.span());
            if !dir.exists() {
                return Err(Box::new(at(Diagnostic::error(
                    CONFIG_FILE,
                    format!("the repository `{}` does not exist", r.path.get_ref()),
                ))
                .help("paths in [[measure.repository]] are relative to the project root; clone the repository there or fix the path")));
            }
            git::Repository::load(&dir, r.path.get_ref(), r.name.as_deref(), r.branch.as_deref(), &r.components)
                .map_err(|e| Box::new(at(Diagnostic::error(CONFIG_FILE, e)).help("check the path and the `branch` setting")))
        })
        .collect();
    let mut repositories = Vec::new();
    for r in loaded {
        match r {
            Ok(repo) => repositories.push(repo),
            Err(d) => problems.push(*d),
        }
    }

    // Each counted deployment's commit.
    let mut located = Vec::new();
    if let (Export::Read(t), false) = (&deployments, repositories.is_empty()) {
        let mut text: Option<String> = None;
        for (i, d) in t.rows.iter().enumerate() {
            let (Some(sha), true) = (&d.sha, d.counts()) else { continue };
            let problem = match git::locate(&repositories, sha) {
                git::Located::At { repo, commit } => {
                    located.push((i, repo, commit));
                    continue;
                }
                git::Located::Missing => format!(
                    "commit `{sha}` is not in the history of any listed repository ({})",
                    repositories.iter().map(|r| format!("{} {}", r.name, r.branch)).collect::<Vec<_>>().join(", ")
                ),
                git::Located::Ambiguous => format!("`{sha}` is the start of more than one commit's SHA"),
            };
            let text = text.get_or_insert_with(|| std::fs::read_to_string(root.join(&t.file)).unwrap_or_default());
            let column = t.headers.get("sha").cloned().unwrap_or_else(|| "sha".into());
            problems.push(
                Diagnostic::error(&t.file, format!("column `{column}`: {problem}"))
                    .at_line(text, d.line)
                    .label(format!("in column `{column}` of this row"))
                    .help("list the repository this service is built from in [[measure.repository]] (with the branch it deploys from), or write the full SHA"),
            );
        }
    }

    let values_rel = Path::new(CONTENT_DIR).join(month.to_string()).join(VALUES_FILE);
    let values_path = root.join(&values_rel);
    let existing = if values_path.exists() {
        if let Some(d) = outside_root(&canonical_root, &values_path, &values_rel) {
            problems.push(d);
            None
        } else {
            Some(std::fs::read_to_string(&values_path).map_err(|e| Error::io(&values_path, e))?)
        }
    } else {
        None
    };

    if problems.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(problems));
    }

    let brought = match &deployments {
        Export::Read(t) => git::brought(&repositories, &t.rows, &located, period.start, period.end),
        Export::Missing(_) => git::Brought::default(),
    };
    let data = Data { deployments, incidents, work_items, repositories, brought };

    // Every method, then the edit.
    let mut outcomes = Vec::new();
    for (id, method) in kpis {
        let outcome = kpi::compute(method, &data, &period).unwrap_or_else(|| {
            Err(format!("boardpack has no method `{method}` to measure it; enter its value by hand"))
        });
        if let Ok(c) = &outcome {
            for note in &c.notes {
                problems.push(Diagnostic::warning(&values_rel, format!("{id}: {note}")));
            }
        }
        outcomes.push((id.clone(), method.clone(), outcome));
    }
    let updates: Vec<write::Update<'_>> = outcomes
        .iter()
        .filter_map(|(id, _, o)| {
            o.as_ref().ok().map(|c| write::Update {
                id,
                value: c.value,
                measured: &c.measured,
                rows: c.evidence.rows.len(),
            })
        })
        .collect();
    let header = format!(
        "# {} engineering KPIs for {month}.\n# Lines with `measured` were computed by `boardpack measure`; the others were typed by hand.\n\n",
        settings.config.organisation
    );
    let before = existing.clone().unwrap_or(header);
    let (after, applied) = write::apply(&before, &updates, options.overwrite).map_err(|(message, span)| {
        let d = Diagnostic::error(&values_rel, format!("invalid TOML: {message}"))
            .help("fix the file (boardpack measure edits it in place and will not guess), then measure again");
        Error::Content(vec![match span {
            Some(span) => d.at(&before, span),
            None => d,
        }])
    })?;

    let mut results = Vec::new();
    let mut evidence_files = Vec::new();
    let mut applied = applied.into_iter();
    for (id, method, outcome) in outcomes {
        let status = match outcome {
            Err(reason) => Status::NotComputed { reason },
            Ok(c) => match applied.next() {
                Some(write::Applied::Kept) => Status::Kept { value: c.value, measured: c.measured },
                _ => {
                    let rel = Path::new(CONTENT_DIR)
                        .join(month.to_string())
                        .join(evidence::EVIDENCE_DIR)
                        .join(format!("{id}.csv"));
                    let bytes = evidence::csv(&c.evidence)
                        .map_err(|e| Error::Internal(format!("cannot write the evidence for {id}: {e}")))?;
                    evidence_files.push((rel.clone(), bytes));
                    Status::Written { value: c.value, measured: c.measured, rows: c.evidence.rows.len(), evidence: rel }
                }
            },
        };
        results.push(KpiResult { id, method, status });
    }

    // Evidence first, kpis.toml last: a run stopped half-way leaves the values as they were.
    for (rel, bytes) in &evidence_files {
        let path = root.join(rel);
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            write::atomic(&path, bytes)?;
        }
    }
    let changed = existing.as_deref() != Some(after.as_str());
    if changed {
        write::atomic(&values_path, after.as_bytes())?;
    }
    let evidence_dir = values_rel.with_file_name(evidence::EVIDENCE_DIR);
    Ok(MeasureSummary { month, values_file: values_rel, evidence_dir, changed, kpis: results, warnings: problems })
}
