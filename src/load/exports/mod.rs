//! Reading the exports: deployments, incidents and work items, each a CSV file
//! whose columns are found through a mapping (boardpack's own field names, a
//! ready-made mapping for a tool's export, or the project's own overrides).
//!
//! Each input has a fixed set of fields. A field whose column is absent is not
//! an error: the KPIs that need it say so and are left for the author. A cell
//! that cannot be read is an error located to the file, the row's line and the
//! column, and errors of one kind are capped so a wrong date format in a
//! 20,000-row export reads as one problem, not 20,000.
//!
//! The parts: which column holds each field ([`mapping`], [`columns`]), the
//! typed rows the methods read ([`rows`], made by [`typed`]), and the
//! date-times and time zones of the cells ([`time`]).

pub(crate) mod columns;
pub(crate) mod mapping;
pub(crate) mod rows;
pub(crate) mod time;
pub(crate) mod typed;

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::load::config::InputConfig;
use crate::load::file::read_regular_text;

use columns::{Columns, SHOWN_PER_COLUMN};
use mapping::{file_zone, Mapping};
use time::Zone;

pub(crate) use mapping::check_settings;
pub(crate) use rows::{Deployment, Incident, Kind, Quarter, Table, WorkItem};
pub(crate) use typed::{deployments, incidents, work_items};

/// The three exports `measure` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    Deployments,
    Incidents,
    WorkItems,
}

impl Input {
    /// Its table in `[measure]`.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Input::Deployments => "deployments",
            Input::Incidents => "incidents",
            Input::WorkItems => "work_items",
        }
    }

    /// Its default path under the project root.
    pub(crate) fn default_path(self) -> &'static str {
        match self {
            Input::Deployments => "data/{month}/deployments.csv",
            Input::Incidents => "data/{month}/incidents.csv",
            Input::WorkItems => "data/{month}/work-items.csv",
        }
    }

    /// Its fields, in documentation order.
    pub(crate) fn fields(self) -> &'static [&'static str] {
        match self {
            Input::Deployments => &[
                "id",
                "deployed_at",
                "service",
                "environment",
                "status",
                "sha",
                "first_commit_at",
                "kind",
                "incident",
                "fixes",
            ],
            Input::Incidents => &["id", "detected_at", "restored_at", "service", "severity", "caused_by"],
            Input::WorkItems => &[
                "id",
                "type",
                "created_at",
                "started_at",
                "finished_at",
                "sprint",
                "sprint_end",
                "delivered",
                "quarter",
                "due",
                "outcome",
                "effort",
                "found_in",
            ],
        }
    }

    /// The field without which no row means anything.
    pub(super) fn required(self) -> &'static str {
        match self {
            Input::Deployments => "deployed_at",
            Input::Incidents => "detected_at",
            Input::WorkItems => "id",
        }
    }
}

/// How one input is to be read.
pub(crate) struct Reading<'a> {
    pub(crate) input: Input,
    pub(crate) config: &'a InputConfig,
    /// The report's zone, for cells without an offset unless the file says otherwise.
    pub(crate) zone: &'a Zone,
    /// Environment names that count as production, lower-case.
    pub(crate) production: &'a [String],
    /// `boardpack.toml`'s text, to point at settings.
    pub(crate) config_source: &'a str,
}

/// A file read into rows of strings, with its columns resolved: what the
/// per-input parsers turn into typed rows.
pub(crate) struct Raw {
    pub(super) file: PathBuf,
    pub(super) text: String,
    pub(super) records: Vec<(usize, csv::StringRecord)>,
    pub(super) columns: Columns,
    pub(super) zone: Zone,
    pub(super) production: Vec<String>,
    pub(super) input: Input,
}

/// Reads an export's CSV and resolves its columns; `None` when it cannot be
/// read at all (the problems are recorded).
pub(crate) fn read(
    reading: &Reading<'_>,
    mapping: Option<&Mapping>,
    path: &Path,
    rel: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Option<Raw> {
    let text = match read_regular_text(path, rel) {
        Ok(text) => text,
        Err(d) => {
            problems.push(*d);
            return None;
        }
    };
    from_text(reading, mapping, text, rel, problems)
}

/// Reads an export's CSV text (see [`read`]).
pub(crate) fn from_text(
    reading: &Reading<'_>,
    mapping: Option<&Mapping>,
    text: String,
    rel: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Option<Raw> {
    let zone = file_zone(reading, mapping, problems);
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(Diagnostic::error(rel, format!("cannot read the header row: {e}")).at_line(&text, 1));
            return None;
        }
    };
    let columns = Columns::resolve(reading, mapping, &header, rel, problems);
    let width = header.len();
    let mut records = Vec::new();
    let mut malformed = 0;
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                if record.len() > width {
                    malformed += 1;
                    if malformed <= SHOWN_PER_COLUMN {
                        problems.push(
                            Diagnostic::error(
                                rel,
                                format!("this row has {} cells but the header has {width} columns", record.len()),
                            )
                            .at_line(&text, line)
                            .help("a cell holding a comma must be quoted (\"a, b\"); check the export's delimiter"),
                        );
                    }
                    continue;
                }
                records.push((line, record));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                problems.push(
                    Diagnostic::error(rel, format!("this row cannot be read as CSV: {e}"))
                        .at_line(&text, line)
                        .help("save the export as UTF-8 CSV with a header row"),
                );
                return None;
            }
        }
    }
    if malformed > SHOWN_PER_COLUMN {
        problems.push(Diagnostic::error(
            rel,
            format!("{} more row(s) have more cells than the header", malformed - SHOWN_PER_COLUMN),
        ));
    }
    Some(Raw {
        file: rel.to_path_buf(),
        text,
        records,
        columns,
        zone,
        production: reading.production.to_vec(),
        input: reading.input,
    })
}
