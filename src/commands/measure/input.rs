//! Reading the exports: deployments, incidents and work items, each a CSV file
//! whose columns are found through a mapping (boardpack's own field names, a
//! ready-made mapping for a tool's export, or the project's own overrides).
//!
//! Each input has a fixed set of fields. A field whose column is absent is not
//! an error: the KPIs that need it say so and are left for the author. A cell
//! that cannot be read is an error located to the file, the row's line and the
//! column, and errors of one kind are capped so a wrong date format in a
//! 20,000-row export reads as one problem, not 20,000.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::base::diagnostic::{did_you_mean, Diagnostic};

use super::time::{self, Instant, When, Zone};
use crate::load::config::InputConfig;

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
    fn required(self) -> &'static str {
        match self {
            Input::Deployments => "deployed_at",
            Input::Incidents => "detected_at",
            Input::WorkItems => "id",
        }
    }
}

/// A ready-made mapping from boardpack's fields to the column headers of one
/// tool's export.
#[derive(Debug)]
pub(crate) struct Mapping {
    pub(crate) name: &'static str,
    pub(crate) input: Input,
    /// (field, column header); headers match case-insensitively.
    pub(crate) columns: &'static [(&'static str, &'static str)],
    /// The zone of date-times written without an offset, when the tool says.
    pub(crate) timezone: Option<&'static str>,
}

/// Every ready-made mapping. A field a mapping leaves out is still found under
/// its own name (`kind`, `incident`, …), so an export can add the columns its
/// tool lacks.
pub(crate) const MAPPINGS: &[Mapping] = &[
    Mapping {
        name: "github",
        input: Input::Deployments,
        columns: &[("id", "id"), ("deployed_at", "created_at"), ("sha", "sha"), ("environment", "environment")],
        timezone: None,
    },
    Mapping {
        name: "gitlab",
        input: Input::Deployments,
        columns: &[
            ("id", "id"),
            ("deployed_at", "created_at"),
            ("sha", "sha"),
            ("environment", "environment.name"),
            ("status", "status"),
        ],
        timezone: None,
    },
    Mapping {
        name: "pagerduty",
        input: Input::Incidents,
        columns: &[
            ("id", "incident_number"),
            ("detected_at", "created_at"),
            ("restored_at", "resolved_at"),
            ("service", "service_name"),
            ("severity", "priority_name"),
        ],
        timezone: None,
    },
    Mapping {
        name: "opsgenie",
        input: Input::Incidents,
        columns: &[
            ("id", "tinyId"),
            ("detected_at", "createdAt"),
            ("restored_at", "impactEndDate"),
            ("service", "impactedServices"),
            ("severity", "priority"),
        ],
        timezone: None,
    },
    Mapping {
        name: "jira",
        input: Input::WorkItems,
        columns: &[
            ("id", "Issue key"),
            ("type", "Issue Type"),
            ("created_at", "Created"),
            ("finished_at", "Resolved"),
            ("sprint", "Sprint"),
            ("due", "Due Date"),
            ("outcome", "Parent summary"),
            ("effort", "Custom field (Story Points)"),
            ("found_in", "Environment"),
        ],
        timezone: None,
    },
    Mapping {
        name: "linear",
        input: Input::WorkItems,
        columns: &[
            ("id", "ID"),
            ("type", "Labels"),
            ("created_at", "Created"),
            ("started_at", "Started"),
            ("finished_at", "Completed"),
            ("sprint", "Cycle Number"),
            ("sprint_end", "Cycle End"),
            ("due", "Due Date"),
            ("outcome", "Project"),
            ("effort", "Estimate"),
            ("found_in", "Labels"),
        ],
        timezone: None,
    },
    Mapping {
        name: "github",
        input: Input::WorkItems,
        columns: &[
            ("id", "number"),
            ("type", "labels"),
            ("created_at", "created_at"),
            ("started_at", "created_at"),
            ("finished_at", "merged_at"),
            ("found_in", "labels"),
        ],
        timezone: None,
    },
    Mapping {
        name: "gitlab",
        input: Input::WorkItems,
        columns: &[
            ("id", "Issue ID"),
            ("type", "Labels"),
            ("created_at", "Created At (UTC)"),
            ("finished_at", "Closed At (UTC)"),
            ("due", "Due Date"),
            ("outcome", "Epic Title"),
            ("effort", "Weight"),
            ("found_in", "Labels"),
        ],
        timezone: Some("UTC"),
    },
];

/// The mappings for one input, by name.
pub(crate) fn mapping(input: Input, name: &str) -> Option<&'static Mapping> {
    MAPPINGS.iter().find(|m| m.input == input && m.name == name)
}

/// Where a row came from: `data/2026-10/deployments.csv:14`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Source {
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display().to_string().replace('\\', "/"), self.line)
    }
}

/// A deployment's purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Planned,
    Fix,
    Rollback,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Planned => "planned",
            Kind::Fix => "fix",
            Kind::Rollback => "rollback",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Deployment {
    pub(crate) line: usize,
    pub(crate) id: Option<String>,
    pub(crate) at: Instant,
    pub(crate) service: String,
    /// Its environment counts as production (always, when there is no environment column).
    pub(crate) production: bool,
    /// It finished successfully (always, when there is no status column).
    pub(crate) succeeded: bool,
    /// Lower-case hex.
    pub(crate) sha: Option<String>,
    pub(crate) first_commit_at: Option<Instant>,
    pub(crate) kind: Kind,
    /// The incident it caused.
    pub(crate) incident: Option<String>,
    /// The deployment this fix or rollback remedies.
    pub(crate) fixes: Option<String>,
}

impl Deployment {
    /// Counts towards the DORA measures: a successful deployment to production.
    pub(crate) fn counts(&self) -> bool {
        self.production && self.succeeded
    }

    /// How evidence names it: its id, else its line.
    pub(crate) fn label(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("line {}", self.line))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Incident {
    pub(crate) line: usize,
    pub(crate) id: Option<String>,
    pub(crate) detected: Instant,
    pub(crate) restored: Option<Instant>,
    pub(crate) service: String,
    pub(crate) severity: String,
    /// The deployment that caused it: its id or SHA.
    pub(crate) caused_by: Option<String>,
}

impl Incident {
    pub(crate) fn label(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("line {}", self.line))
    }
}

/// A roadmap quarter, e.g. 2026-Q4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Quarter {
    pub(crate) year: u16,
    pub(crate) number: u8,
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

impl Quarter {
    /// Reads `2026-Q4`, `2026 Q4`, `Q4 2026`, `Q4-2026`, `2026Q4`.
    pub(crate) fn parse(text: &str) -> Option<Quarter> {
        let s: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '/')).collect::<String>().to_uppercase();
        let (year, q) = if let Some(rest) = s.strip_prefix('Q') {
            (rest.get(1..)?, rest.get(..1)?)
        } else {
            let i = s.find('Q')?;
            (&s[..i], &s[i + 1..])
        };
        let year: u16 = year.parse().ok().filter(|y| (1900..=9999).contains(y))?;
        let number: u8 = q.parse().ok().filter(|n| (1..=4).contains(n))?;
        (year.to_string().len() == 4).then_some(Quarter { year, number })
    }

    pub(crate) fn of(month: crate::base::period::Month) -> Quarter {
        Quarter { year: month.year(), number: (month.number() - 1) / 3 + 1 }
    }

    /// Its last month.
    pub(crate) fn last_month(self) -> crate::base::period::Month {
        crate::base::period::Month::new(self.year, self.number * 3)
            .unwrap_or_else(|| crate::base::period::Month::new(2000, 1).expect("2000-01 is a valid month"))
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct WorkItem {
    /// Every row the item appeared on (an item reopened may appear twice).
    pub(crate) lines: Vec<usize>,
    pub(crate) id: String,
    pub(crate) bug: bool,
    pub(crate) created: Option<Instant>,
    pub(crate) started: Option<Instant>,
    pub(crate) finished: Option<Instant>,
    pub(crate) sprint: Option<String>,
    pub(crate) sprint_end: Option<When>,
    pub(crate) delivered: Option<bool>,
    pub(crate) quarter: Option<Quarter>,
    pub(crate) due: Option<When>,
    /// The outcome it serves; `None` for none.
    pub(crate) outcome: Option<String>,
    pub(crate) effort: Option<f64>,
    /// The `found_in` cell as written.
    pub(crate) found_in: Option<String>,
    /// Whether `found_in` says production; `None` when it is empty.
    pub(crate) found_in_production: Option<bool>,
}

/// One export, read.
#[derive(Debug, Clone)]
pub(crate) struct Table<T> {
    /// Relative to the project root.
    pub(crate) file: PathBuf,
    pub(crate) rows: Vec<T>,
    /// Fields whose column is present.
    pub(crate) present: BTreeSet<&'static str>,
    /// The header each field was looked for under.
    pub(crate) headers: BTreeMap<&'static str, String>,
    /// Why the file is unusable as a whole (its required column is missing).
    pub(crate) unusable: Option<String>,
}

impl<T> Table<T> {
    pub(crate) fn has(&self, field: &str) -> bool {
        self.present.contains(field)
    }

    pub(crate) fn source(&self, line: usize) -> Source {
        Source { file: self.file.clone(), line }
    }

    /// "data/2026-10/deployments.csv has no `kind` column".
    pub(crate) fn lacks(&self, field: &str) -> String {
        let header = self.headers.get(field).map(String::as_str).unwrap_or(field);
        if header == field {
            format!("{} has no `{field}` column", self.file.display())
        } else {
            format!("{} has no `{header}` column (for `{field}`)", self.file.display())
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

/// The file's zone: its own setting, its mapping's, or the report's.
fn file_zone(reading: &Reading<'_>, mapping: Option<&Mapping>, problems: &mut Vec<Diagnostic>) -> Zone {
    if let Some(tz) = &reading.config.timezone {
        match Zone::parse(tz.get_ref()) {
            Ok(z) => return z,
            Err(e) => problems.push(
                Diagnostic::error(crate::load::config::CONFIG_FILE, e)
                    .at(reading.config_source, tz.span())
                    .help("use an IANA name such as Europe/London, UTC, or an offset such as +01:00"),
            ),
        }
    }
    match mapping.and_then(|m| m.timezone) {
        Some(name) => Zone::parse(name).unwrap_or_else(|_| Zone::utc()),
        None => reading.zone.clone(),
    }
}

/// Checks the mapping name and column overrides of one input against what
/// boardpack knows, before any file is read.
pub(crate) fn check_settings(reading: &Reading<'_>, problems: &mut Vec<Diagnostic>) -> Option<&'static Mapping> {
    let src = reading.config_source;
    let mut found = None;
    if let Some(name) = &reading.config.mapping {
        match mapping(reading.input, name.get_ref()) {
            Some(m) => found = Some(m),
            None if name.get_ref() == "boardpack" => {}
            None => {
                let names: Vec<&str> = MAPPINGS.iter().filter(|m| m.input == reading.input).map(|m| m.name).collect();
                problems.push(
                    Diagnostic::error(
                        crate::load::config::CONFIG_FILE,
                        format!(
                            "there is no mapping `{}` for {}",
                            name.get_ref(),
                            reading.input.key().replace('_', " ")
                        ),
                    )
                    .at(src, name.span())
                    .help(format!(
                        "the mappings for this file are {}, and boardpack (its own field names)",
                        names.join(", ")
                    )),
                );
            }
        }
    }
    let fields = reading.input.fields();
    for key in reading.config.columns.keys() {
        if !fields.contains(&key.get_ref().as_str()) {
            let d = Diagnostic::error(
                crate::load::config::CONFIG_FILE,
                format!("{} have no field `{}`", reading.input.key().replace('_', " "), key.get_ref()),
            )
            .at(src, key.span());
            problems.push(match did_you_mean(key.get_ref(), fields.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("the fields are {}", fields.join(", "))),
            });
        }
    }
    found
}

/// The columns of each field in one file.
struct Columns {
    /// field → indexes of the columns with its header (Jira repeats `Sprint`).
    index: HashMap<&'static str, Vec<usize>>,
    headers: BTreeMap<&'static str, String>,
}

impl Columns {
    fn resolve(
        reading: &Reading<'_>,
        mapping: Option<&Mapping>,
        header: &csv::StringRecord,
        file: &Path,
        problems: &mut Vec<Diagnostic>,
    ) -> Columns {
        let normalised: Vec<String> =
            header.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase()).collect();
        let mut index = HashMap::new();
        let mut headers = BTreeMap::new();
        for &field in reading.input.fields() {
            let over = reading.config.columns.iter().find(|(k, _)| k.get_ref() == field).map(|(_, v)| v);
            let name = match over {
                Some(v) => v.get_ref().clone(),
                None => mapping
                    .and_then(|m| m.columns.iter().find(|(f, _)| *f == field))
                    .map_or(field, |(_, h)| *h)
                    .to_string(),
            };
            let wanted = name.trim().to_lowercase();
            let found: Vec<usize> =
                normalised.iter().enumerate().filter(|(_, h)| **h == wanted).map(|(i, _)| i).collect();
            if found.is_empty() {
                if let Some(v) = over {
                    problems.push(
                        Diagnostic::error(
                            crate::load::config::CONFIG_FILE,
                            format!("{} has no column `{name}` (set for `{field}`)", file.display()),
                        )
                        .at(reading.config_source, v.span())
                        .help(format!(
                            "its columns are: {}",
                            header
                                .iter()
                                .map(|h| format!("`{}`", h.trim_start_matches('\u{feff}')))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
            } else {
                index.insert(field, found);
            }
            headers.insert(field, name);
        }
        Columns { index, headers }
    }

    fn has(&self, field: &str) -> bool {
        self.index.contains_key(field)
    }

    /// The field's cell, trimmed; `None` when empty. Of repeated columns, the
    /// last non-empty one (Jira lists an item's sprints in order).
    fn get<'r>(&self, record: &'r csv::StringRecord, field: &str) -> Option<&'r str> {
        self.index.get(field)?.iter().rev().filter_map(|&i| record.get(i)).map(str::trim).find(|s| !s.is_empty())
    }

    /// All non-empty cells of the field joined, for label-like fields.
    fn joined(&self, record: &csv::StringRecord, field: &str) -> Option<String> {
        let cells: Vec<&str> = self
            .index
            .get(field)?
            .iter()
            .filter_map(|&i| record.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        (!cells.is_empty()).then(|| cells.join(", "))
    }
}

/// Collects cell errors, at most a few per column, then one line saying how
/// many more there were.
struct Problems<'a> {
    file: &'a Path,
    source: &'a str,
    headers: &'a BTreeMap<&'static str, String>,
    /// field → the indexes of its columns, to point at the cell.
    index: &'a HashMap<&'static str, Vec<usize>>,
    shown: HashMap<&'static str, usize>,
    hidden: BTreeMap<&'static str, (usize, usize)>,
    out: Vec<Diagnostic>,
}

const SHOWN_PER_COLUMN: usize = 5;

impl Problems<'_> {
    fn cell(&mut self, field: &'static str, line: usize, message: String, help: &str) {
        let shown = self.shown.entry(field).or_default();
        if *shown >= SHOWN_PER_COLUMN {
            let e = self.hidden.entry(field).or_insert((0, line));
            e.0 += 1;
            return;
        }
        *shown += 1;
        let column = self.headers.get(field).map(String::as_str).unwrap_or(field);
        let name = if column == field { format!("`{field}`") } else { format!("column `{column}` (`{field}`)") };
        let d = Diagnostic::error(self.file, format!("{name}: {message}"));
        let d = match self.cell_span(field, line) {
            Some(span) => d.at(self.source, span),
            None => d.at_line(self.source, line),
        };
        self.out.push(d.label(format!("in column `{column}`")).help(help));
    }

    /// The byte range of the field's cell on a line, when the line is plain
    /// (no quoted cells) so that cells are exactly what lies between commas.
    /// Of repeated columns, the last non-empty one, as [`Columns::get`] reads.
    fn cell_span(&self, field: &str, line: usize) -> Option<std::ops::Range<usize>> {
        let start: usize = self.source.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum();
        let text = self.source[start..].lines().next()?;
        if text.contains('"') {
            return None;
        }
        let mut cells = Vec::new();
        let mut at = start;
        for cell in text.split(',') {
            cells.push((at, cell));
            at += cell.len() + 1;
        }
        let columns = self.index.get(field)?;
        let &(offset, cell) = columns
            .iter()
            .rev()
            .filter_map(|&i| cells.get(i))
            .find(|(_, c)| !c.trim().is_empty())
            .or_else(|| columns.first().and_then(|&i| cells.get(i)))?;
        Some(offset..offset + cell.len().max(1))
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        for (field, (count, first)) in std::mem::take(&mut self.hidden) {
            let column = self.headers.get(field).map(String::as_str).unwrap_or(field);
            self.out.push(
                Diagnostic::error(
                    self.file,
                    format!("{count} more row(s) have the same kind of problem in column `{column}`, the first on line {first}"),
                )
                .help("fix the export (or the column mapping in boardpack.toml) and run `boardpack measure` again"),
            );
        }
        self.out
    }
}

/// Splits a label-like cell into lower-case words (`Bug, Frontend` → bug, frontend).
fn tokens(cell: &str) -> impl Iterator<Item = String> + '_ {
    cell.split(|c: char| matches!(c, ',' | ';' | '|' | '[' | ']' | '{' | '}' | '"' | ':') || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

const PRODUCTION_WORDS: [&str; 5] = ["production", "prod", "live", "customer", "customer-reported"];

/// A file read into rows of strings, with its columns resolved: what the
/// per-input parsers turn into typed rows.
pub(crate) struct Raw {
    file: PathBuf,
    text: String,
    records: Vec<(usize, csv::StringRecord)>,
    columns: Columns,
    zone: Zone,
    production: Vec<String>,
    input: Input,
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
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            problems.push(Diagnostic::error(rel, format!("cannot read this file: {e}")));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            problems.push(
                Diagnostic::error(rel, "this file is not valid UTF-8 text")
                    .at_line(&lossy, line)
                    .help("export or save the file as UTF-8 CSV"),
            );
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

/// Turns a raw export into typed rows with `rows`, unless its required column is missing.
fn typed<T>(
    raw: Raw,
    problems: &mut Vec<Diagnostic>,
    rows: impl FnOnce(&Sheetless<'_>, &mut RowReader<'_>) -> Vec<T>,
) -> Table<T> {
    let present: BTreeSet<&'static str> = raw.input.fields().iter().copied().filter(|f| raw.columns.has(f)).collect();
    let mut table = Table {
        file: raw.file.clone(),
        rows: Vec::new(),
        present,
        headers: raw.columns.headers.clone(),
        unusable: None,
    };
    let required = raw.input.required();
    if !raw.columns.has(required) {
        table.unusable = Some(table.lacks(required));
        return table;
    }
    let mut reader = RowReader {
        problems: Problems {
            file: &raw.file,
            source: &raw.text,
            headers: &raw.columns.headers,
            index: &raw.columns.index,
            shown: HashMap::new(),
            hidden: BTreeMap::new(),
            out: Vec::new(),
        },
        zone: raw.zone.clone(),
        production: &raw.production,
    };
    let view = Sheetless { records: &raw.records, columns: &raw.columns };
    table.rows = rows(&view, &mut reader);
    problems.extend(reader.problems.finish());
    table
}

/// Reads the deployments export.
pub(crate) fn deployments(raw: Raw, problems: &mut Vec<Diagnostic>) -> Table<Deployment> {
    typed(raw, problems, deployment_rows)
}

/// Reads the incidents export.
pub(crate) fn incidents(raw: Raw, problems: &mut Vec<Diagnostic>) -> Table<Incident> {
    typed(raw, problems, incident_rows)
}

/// Reads the work-items export.
pub(crate) fn work_items(raw: Raw, problems: &mut Vec<Diagnostic>) -> Table<WorkItem> {
    typed(raw, problems, work_item_rows)
}

/// The rows of a sheet and their columns, for the per-input row parsers.
struct Sheetless<'a> {
    records: &'a [(usize, csv::StringRecord)],
    columns: &'a Columns,
}

/// Reads typed cells, recording what cannot be read.
struct RowReader<'a> {
    problems: Problems<'a>,
    zone: Zone,
    production: &'a [String],
}

impl RowReader<'_> {
    fn text(&self, s: &Sheetless<'_>, r: &csv::StringRecord, field: &str) -> Option<String> {
        s.columns.get(r, field).map(str::to_string)
    }

    fn when(&mut self, s: &Sheetless<'_>, r: &csv::StringRecord, line: usize, field: &'static str) -> Option<When> {
        let cell = s.columns.get(r, field)?;
        match time::parse(cell, &self.zone) {
            Ok(w) => Some(w),
            Err(e) => {
                self.problems.cell(field, line, e, &format!("write date-times as {}", time::FORMS));
                None
            }
        }
    }

    fn at(&mut self, s: &Sheetless<'_>, r: &csv::StringRecord, line: usize, field: &'static str) -> Option<Instant> {
        self.when(s, r, line, field).map(|w| w.at)
    }
}

fn deployment_rows(s: &Sheetless<'_>, rr: &mut RowReader<'_>) -> Vec<Deployment> {
    let has_env = s.columns.has("environment");
    let has_status = s.columns.has("status");
    let mut out = Vec::with_capacity(s.records.len());
    for (line, r) in s.records {
        let line = *line;
        let at = rr.at(s, r, line, "deployed_at");
        if at.is_none() && s.columns.get(r, "deployed_at").is_none() {
            rr.problems.cell(
                "deployed_at",
                line,
                "this deployment has no time".into(),
                "every deployment needs the time it reached its environment",
            );
        }
        let production = !has_env
            || rr.text(s, r, "environment").is_some_and(|e| rr.production.iter().any(|p| p.eq_ignore_ascii_case(&e)));
        let succeeded = if has_status { status(rr, s, r, line) } else { true };
        let sha = s.columns.get(r, "sha").and_then(|v| {
            let v = v.to_ascii_lowercase();
            if (7..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()) {
                Some(v)
            } else {
                rr.problems.cell(
                    "sha",
                    line,
                    format!("`{v}` is not a commit SHA"),
                    "write the full (or at least 7-character) hexadecimal id of the commit deployed",
                );
                None
            }
        });
        let first_commit_at = rr.at(s, r, line, "first_commit_at");
        let kind = match s.columns.get(r, "kind").map(str::to_lowercase) {
            None => Kind::Planned,
            Some(k) => match k.as_str() {
                "planned" | "release" | "feature" | "normal" | "standard" | "deploy" | "deployment" => Kind::Planned,
                "fix" | "hotfix" | "unplanned" | "unplanned fix" | "unplanned-fix" | "bugfix" | "patch"
                | "emergency" => Kind::Fix,
                "rollback" | "roll back" | "rolled back" | "revert" => Kind::Rollback,
                _ => {
                    rr.problems.cell(
                        "kind",
                        line,
                        format!("`{k}` is not a kind of deployment"),
                        "write planned (or release), fix (an unplanned fix, hotfix) or rollback; empty means planned",
                    );
                    Kind::Planned
                }
            },
        };
        if let Some(at) = at {
            out.push(Deployment {
                line,
                id: rr.text(s, r, "id"),
                at,
                service: rr.text(s, r, "service").unwrap_or_default(),
                production,
                succeeded,
                sha,
                first_commit_at,
                kind,
                incident: rr.text(s, r, "incident"),
                fixes: rr.text(s, r, "fixes"),
            });
        }
    }
    out
}

fn status(rr: &mut RowReader<'_>, s: &Sheetless<'_>, r: &csv::StringRecord, line: usize) -> bool {
    let Some(v) = s.columns.get(r, "status").map(str::to_lowercase) else {
        return true;
    };
    match v.as_str() {
        "success" | "succeeded" | "successful" | "deployed" | "done" | "completed" | "complete" | "finished" | "ok"
        | "inactive" => true,
        "failed" | "failure" | "error" | "errored" | "canceled" | "cancelled" | "running" | "pending" | "queued"
        | "in_progress" | "in progress" | "created" | "blocked" | "skipped" | "waiting" | "aborted" => false,
        _ => {
            rr.problems.cell(
                "status",
                line,
                format!("`{v}` is not a deployment status boardpack knows"),
                "success (or succeeded, inactive) counts; failed, canceled, running, pending, created, blocked and skipped do not",
            );
            false
        }
    }
}

fn incident_rows(s: &Sheetless<'_>, rr: &mut RowReader<'_>) -> Vec<Incident> {
    let mut out = Vec::with_capacity(s.records.len());
    for (line, r) in s.records {
        let line = *line;
        let detected = rr.at(s, r, line, "detected_at");
        if detected.is_none() && s.columns.get(r, "detected_at").is_none() {
            rr.problems.cell(
                "detected_at",
                line,
                "this incident has no detection time".into(),
                "every incident needs the time it was detected (the alert or first report)",
            );
        }
        let restored = rr.at(s, r, line, "restored_at");
        let Some(detected) = detected else { continue };
        if restored.is_some_and(|r| r < detected) {
            rr.problems.cell(
                "restored_at",
                line,
                "this incident was restored before it was detected".into(),
                "check the two times (and their time zones): restored_at must not be before detected_at",
            );
            continue;
        }
        out.push(Incident {
            line,
            id: rr.text(s, r, "id"),
            detected,
            restored,
            service: rr.text(s, r, "service").unwrap_or_default(),
            severity: rr.text(s, r, "severity").unwrap_or_default(),
            caused_by: rr.text(s, r, "caused_by"),
        });
    }
    out
}

/// Work items. Rows with the same id are one item (an item finished, reopened
/// and finished again): its first start, its creation, and its last finish
/// (none while any of its rows is unfinished); other fields from its last row
/// that has them.
fn work_item_rows(s: &Sheetless<'_>, rr: &mut RowReader<'_>) -> Vec<WorkItem> {
    let mut order: Vec<String> = Vec::new();
    let mut items: HashMap<String, WorkItem> = HashMap::new();
    let mut open: HashMap<String, bool> = HashMap::new();
    for (line, r) in s.records {
        let line = *line;
        let Some(id) = rr.text(s, r, "id") else {
            rr.problems.cell("id", line, "this work item has no id".into(), "every row needs the item's id or key");
            continue;
        };
        let bug = s.columns.joined(r, "type").is_some_and(|t| tokens(&t).any(|w| w == "bug" || w == "defect"));
        let created = rr.at(s, r, line, "created_at");
        let started = rr.at(s, r, line, "started_at");
        let finished = rr.at(s, r, line, "finished_at");
        if let (Some(st), Some(fi)) = (started, finished) {
            if fi < st {
                rr.problems.cell(
                    "finished_at",
                    line,
                    "this item was finished before it was started".into(),
                    "check the two times (and their time zones): finished_at must not be before started_at",
                );
                continue;
            }
        }
        let sprint_end = rr.when(s, r, line, "sprint_end");
        let due = rr.when(s, r, line, "due");
        let delivered = match s.columns.get(r, "delivered").map(str::to_lowercase) {
            None => None,
            Some(v) => match v.as_str() {
                "yes" | "y" | "true" | "1" | "delivered" | "done" => Some(true),
                "no" | "n" | "false" | "0" | "not delivered" | "missed" | "carried over" => Some(false),
                _ => {
                    rr.problems.cell(
                        "delivered",
                        line,
                        format!("`{v}` is neither yes nor no"),
                        "write yes or no (true/false, 1/0); leave it empty to judge by finished_at and sprint_end",
                    );
                    None
                }
            },
        };
        let quarter = s.columns.get(r, "quarter").and_then(|q| {
            let parsed = Quarter::parse(q);
            if parsed.is_none() {
                rr.problems.cell(
                    "quarter",
                    line,
                    format!("`{q}` is not a quarter"),
                    "write the roadmap quarter as 2026-Q4 (or Q4 2026); leave it empty for work not on the roadmap",
                );
            }
            parsed
        });
        let outcome = rr.text(s, r, "outcome").filter(|o| {
            !matches!(o.to_lowercase().as_str(), "none" | "-" | "n/a" | "na" | "no" | "no outcome" | "(none)")
        });
        let effort = s.columns.get(r, "effort").and_then(|e| match e.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
            _ => {
                rr.problems.cell(
                    "effort",
                    line,
                    format!("`{e}` is not an amount of effort"),
                    "write story points or engineer-days as a number, 0 or more",
                );
                None
            }
        });
        let found_in = s.columns.joined(r, "found_in");
        let found_in_production =
            found_in.as_deref().map(|f| tokens(f).any(|w| PRODUCTION_WORDS.contains(&w.as_str())));
        let row = WorkItem {
            lines: vec![line],
            id: id.clone(),
            bug,
            created,
            started,
            finished,
            sprint: rr.text(s, r, "sprint"),
            sprint_end,
            delivered,
            quarter,
            due,
            outcome,
            effort,
            found_in,
            found_in_production,
        };
        let unfinished = row.finished.is_none();
        match items.get_mut(&id) {
            None => {
                order.push(id.clone());
                open.insert(id.clone(), unfinished);
                items.insert(id, row);
            }
            Some(item) => {
                if unfinished {
                    open.insert(id.clone(), true);
                }
                merge(item, row);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            let mut item = items.remove(&id)?;
            if open.get(&id).copied().unwrap_or(false) {
                item.finished = None;
            }
            Some(item)
        })
        .collect()
}

fn merge(item: &mut WorkItem, row: WorkItem) {
    fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
    item.lines.extend(row.lines);
    item.created = earliest(item.created, row.created);
    item.started = earliest(item.started, row.started);
    item.finished = match (item.finished, row.finished) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    item.bug |= row.bug;
    macro_rules! latest {
        ($($f:ident),*) => { $( if row.$f.is_some() { item.$f = row.$f; } )* };
    }
    latest!(sprint, sprint_end, delivered, quarter, due, outcome, effort, found_in, found_in_production);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_in_the_forms_people_write() {
        for q in ["2026-Q4", "2026 Q4", "Q4 2026", "q4-2026", "2026Q4"] {
            assert_eq!(Quarter::parse(q), Some(Quarter { year: 2026, number: 4 }), "{q}");
        }
        for bad in ["2026-Q5", "Q0 2026", "26-Q4", "Sprint 4", ""] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
        assert_eq!(Quarter::of(crate::base::period::Month::new(2026, 10).unwrap()).to_string(), "2026-Q4");
        assert_eq!(Quarter::parse("2026-Q3").unwrap().last_month().to_string(), "2026-09");
    }

    #[test]
    fn labels_split_into_words() {
        assert_eq!(tokens("Bug, Frontend").collect::<Vec<_>>(), ["bug", "frontend"]);
        assert!(tokens("[{\"name\":\"bug\"}]").any(|t| t == "bug"));
        assert!(!tokens("Pre-production").any(|t| PRODUCTION_WORDS.contains(&t.as_str())));
    }

    #[test]
    fn every_mapping_names_real_fields_once() {
        for m in MAPPINGS {
            let mut seen = BTreeSet::new();
            for (field, _) in m.columns {
                assert!(m.input.fields().contains(field), "{}: {field}", m.name);
                assert!(seen.insert(field), "{}: {field} twice", m.name);
            }
        }
    }
}
