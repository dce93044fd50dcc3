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

/// The line a record starts on, as an editor numbers it. Counted from the
/// record's byte offset: the csv crate's own line count (and its offset,
/// corrected here) is one short in a CRLF file (Excel's, Windows tools', Python's), so every location and
/// evidence `source` would point at the row above.
struct Lines<'a> {
    body: &'a [u8],
    /// Bytes counted so far, and the line the next byte is on.
    at: usize,
    line: usize,
}

impl Lines<'_> {
    /// Records come in file order, so each byte is counted once.
    fn of(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(p) = position else { return 0 };
        let mut byte = usize::try_from(p.byte()).unwrap_or(usize::MAX).min(self.body.len());
        // In a CRLF file the csv crate places a record at the `\n` ending the
        // one before: the line breaks there belong to that record.
        while self.body.get(byte).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            byte += 1;
        }
        if byte < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += self.body[self.at..byte].iter().filter(|b| **b == b'\n').count();
        self.at = byte;
        self.line
    }
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
    let mut lines = Lines { body: body.as_bytes(), at: 0, line: 1 };
    let mut records = Vec::new();
    let mut malformed = 0;
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = lines.of(record.position());
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
                let line = lines.of(e.position());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The deployments and problems read from `text`.
    fn deployments(text: &str) -> (Table<Deployment>, Vec<Diagnostic>) {
        let config = InputConfig::default();
        let zone = Zone::utc();
        let production = vec!["production".to_string()];
        let reading = Reading {
            input: Input::Deployments,
            config: &config,
            zone: &zone,
            production: &production,
            config_source: "",
        };
        let mut problems = Vec::new();
        let raw = from_text(&reading, None, text.to_string(), Path::new("d.csv"), &mut problems).unwrap();
        (typed::deployments(raw, &mut problems), problems)
    }

    #[test]
    fn lines_are_the_editor_s_in_lf_crlf_and_around_a_quoted_line_break() {
        let lf = "id,deployed_at,service\nd1,2026-10-01T00:00:00Z,api\nd2,2026-10-02T00:00:00Z,api\nd3,2026-10-03T00:00:00Z,api\nd4,2026-10-32T00:00:00Z,api\n";
        for (name, text) in [
            ("LF", lf.to_string()),
            ("CRLF", lf.replace('\n', "\r\n")),
            ("BOM+CRLF", format!("\u{feff}{}", lf.replace('\n', "\r\n"))),
        ] {
            let (t, problems) = deployments(&text);
            assert_eq!(t.rows.iter().map(|d| d.line).collect::<Vec<_>>(), [2, 3, 4], "{name}");
            assert_eq!(t.source(t.rows[0].line).to_string(), "d.csv:2", "{name}: the first row is not the header");
            assert_eq!(problems.len(), 1, "{name}: {problems:?}");
            let at = problems[0].location.as_ref().unwrap();
            assert_eq!((at.line, at.source_line.as_str()), (5, "d4,2026-10-32T00:00:00Z,api"), "{name}");
            // The caret is under the bad cell: column 4, its 20 characters.
            assert_eq!((at.column, at.width), (4, 20), "{name}");
        }
        // A quoted cell holding a line break: the row after it is on line 4.
        for nl in ["\n", "\r\n"] {
            let text = format!(
                "id,deployed_at,service{nl}d1,2026-10-01T00:00:00Z,\"api{nl}and web\"{nl}d2,2026-10-32T00:00:00Z,api{nl}"
            );
            let (t, problems) = deployments(&text);
            assert_eq!(t.rows[0].line, 2);
            let at = problems[0].location.as_ref().unwrap();
            assert_eq!((at.line, at.source_line.as_str()), (4, "d2,2026-10-32T00:00:00Z,api"), "{nl:?}");
        }
    }
}
