//! The evidence files a quarter is recomputed from, read strictly: each is
//! what `boardpack measure` wrote for one month (`content/YYYY-MM/evidence/KPI.csv`:
//! LF line ends, no BOM, its method's columns in order, numbers, yes or no,
//! RFC 3339 date-times with their offsets). Anything else was edited since,
//! and is an error at its line that says how to write the file afresh.

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::base::method::Method;
use crate::base::period::Month;
use crate::load::project::{CONTENT_DIR, EVIDENCE_DIR};

/// One month's evidence file, read and checked against its method's columns.
pub(super) struct Sheet<'a> {
    pub(super) month: Month,
    method: Method,
    /// As the user finds it: `content/2026-07/evidence/lead-time.csv`.
    path: PathBuf,
    text: &'a str,
    pub(super) rows: Vec<Row>,
}

/// A row: its line in the file, and its cells in the method's columns.
pub(super) struct Row {
    pub(super) line: usize,
    cells: Vec<String>,
}

impl<'a> Sheet<'a> {
    pub(super) fn read(method: Method, kpi: &str, month: Month, bytes: &'a [u8]) -> Result<Sheet<'a>, Box<Diagnostic>> {
        let path = Path::new(CONTENT_DIR).join(month.to_string()).join(EVIDENCE_DIR).join(format!("{kpi}.csv"));
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            Box::new(
                Diagnostic::error(&path, "this line is not UTF-8 text, as `boardpack measure` writes it")
                    .at_line_of(line, String::from_utf8_lossy(bytes).lines().nth(line - 1).unwrap_or_default())
                    .help(again(month)),
            )
        })?;
        let mut file = Sheet { month, method, path, text, rows: Vec::new() };
        if text.starts_with('\u{feff}') {
            return Err(file.bad(
                1,
                "the file begins with a byte order mark (BOM): a program other than `boardpack measure` saved it",
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(text.as_bytes());
        let columns = method.columns();
        let mut header = true;
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(1, |p| usize::try_from(p.line()).unwrap_or(1));
                file.bad(line, format!("this line cannot be read as CSV: {e}"))
            })?;
            let line = record.position().map_or(1, |p| usize::try_from(p.line()).unwrap_or(1));
            // `source`, last in every method's columns, never ends in a carriage return.
            if record.iter().next_back().is_some_and(|c| c.ends_with('\r')) {
                return Err(file.bad(
                    line,
                    "this line ends in a Windows line break (CRLF): a program other than `boardpack measure` saved the file (a spreadsheet, or git with core.autocrlf)",
                ));
            }
            if header {
                header = false;
                if record.iter().ne(columns.iter().copied()) {
                    let message = match columns.iter().find(|c| !record.iter().any(|h| h == **c)) {
                        Some(missing) => format!("the file has no `{missing}` column"),
                        None => {
                            format!("its columns are not the ones `boardpack measure` writes: {}", columns.join(","))
                        }
                    };
                    return Err(file.bad(line, message));
                }
                continue;
            }
            if record.len() != columns.len() {
                return Err(file.bad(
                    line,
                    format!("this row has {} cells but the header has {} columns", record.len(), columns.len()),
                ));
            }
            file.rows.push(Row { line, cells: record.iter().map(str::to_string).collect() });
        }
        if header {
            return Err(file.bad(1, "the file is empty: it has no header row"));
        }
        Ok(file)
    }

    /// A problem at `line`, with what to do.
    pub(super) fn bad(&self, line: usize, message: impl Into<String>) -> Box<Diagnostic> {
        Box::new(Diagnostic::error(&self.path, message).at_line(self.text, line).help(again(self.month)))
    }

    /// The cell of `row` in `column`, one of its method's columns.
    pub(super) fn cell<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        // Every row has the method's columns (checked when read), and callers
        // name only those: the fallback is never reached.
        self.method
            .columns()
            .iter()
            .position(|c| *c == column)
            .and_then(|i| row.cells.get(i))
            .map_or("", String::as_str)
    }

    pub(super) fn number(&self, row: &Row, column: &str) -> Result<f64, Box<Diagnostic>> {
        let cell = self.cell(row, column);
        cell.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.bad(row.line, format!("`{column}` is `{cell}`, which is not a number")))
    }

    pub(super) fn count(&self, row: &Row, column: &str) -> Result<usize, Box<Diagnostic>> {
        let cell = self.cell(row, column);
        cell.parse::<usize>()
            .map_err(|_| self.bad(row.line, format!("`{column}` is `{cell}`, which is not a whole number")))
    }

    pub(super) fn yes(&self, row: &Row, column: &str) -> Result<bool, Box<Diagnostic>> {
        match self.cell(row, column) {
            "yes" => Ok(true),
            "no" => Ok(false),
            cell => {
                Err(self.bad(row.line, format!("`{column}` is `{cell}`, where `boardpack measure` writes yes or no")))
            }
        }
    }

    /// Seconds since the epoch of a date-time as evidence writes it (RFC 3339, with its offset).
    pub(super) fn time(&self, row: &Row, column: &str) -> Result<i64, Box<Diagnostic>> {
        let cell = self.cell(row, column);
        cell.parse::<jiff::Timestamp>().map(jiff::Timestamp::as_second).map_err(|_| {
            self.bad(
                row.line,
                format!("`{column}` is `{cell}`, not a date-time with its offset as `boardpack measure` writes it (2026-07-05T14:22:05Z)"),
            )
        })
    }
}

/// What to do about an evidence file that cannot be read.
fn again(month: Month) -> String {
    format!(
        "evidence files are written by `boardpack measure`: run `boardpack measure {month}` again (a sealed month's file is part of its record: restore it from version control)"
    )
}
