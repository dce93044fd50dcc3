//! The columns of one export: which holds each field, and the cell errors
//! found reading them, capped per column.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::base::diagnostic::Diagnostic;

use super::mapping::Mapping;
use super::Reading;

/// The columns of each field in one file.
pub(crate) struct Columns {
    /// field → indexes of the columns with its header (Jira repeats `Sprint`).
    pub(super) index: HashMap<&'static str, Vec<usize>>,
    pub(super) headers: BTreeMap<&'static str, String>,
}

impl Columns {
    pub(super) fn resolve(
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

    pub(super) fn has(&self, field: &str) -> bool {
        self.index.contains_key(field)
    }

    /// The field's cell, trimmed; `None` when empty. Of repeated columns, the
    /// last non-empty one (Jira lists an item's sprints in order).
    pub(super) fn get<'r>(&self, record: &'r csv::StringRecord, field: &str) -> Option<&'r str> {
        self.index.get(field)?.iter().rev().filter_map(|&i| record.get(i)).map(str::trim).find(|s| !s.is_empty())
    }

    /// Every non-empty cell of the field, in column order: Jira repeats
    /// `Sprint` once per sprint an item was in, oldest first.
    pub(super) fn all<'r>(&self, record: &'r csv::StringRecord, field: &str) -> Vec<&'r str> {
        self.index
            .get(field)
            .map(|columns| {
                columns.iter().filter_map(|&i| record.get(i)).map(str::trim).filter(|s| !s.is_empty()).collect()
            })
            .unwrap_or_default()
    }

    /// All non-empty cells of the field joined, for label-like fields.
    pub(super) fn joined(&self, record: &csv::StringRecord, field: &str) -> Option<String> {
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
pub(super) struct Problems<'a> {
    file: &'a Path,
    source: &'a str,
    headers: &'a BTreeMap<&'static str, String>,
    /// field → the indexes of its columns, to point at the cell.
    index: &'a HashMap<&'static str, Vec<usize>>,
    shown: HashMap<&'static str, usize>,
    hidden: BTreeMap<&'static str, (usize, usize)>,
    out: Vec<Diagnostic>,
}

pub(super) const SHOWN_PER_COLUMN: usize = 5;

impl Problems<'_> {
    /// No problems yet in `file` (whose text is `source`), read through `columns`.
    pub(super) fn new<'a>(file: &'a Path, source: &'a str, columns: &'a Columns) -> Problems<'a> {
        Problems {
            file,
            source,
            headers: &columns.headers,
            index: &columns.index,
            shown: HashMap::new(),
            hidden: BTreeMap::new(),
            out: Vec::new(),
        }
    }

    pub(super) fn cell(&mut self, field: &'static str, line: usize, message: String, help: &str) {
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

    pub(super) fn finish(mut self) -> Vec<Diagnostic> {
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
pub(super) fn tokens(cell: &str) -> impl Iterator<Item = String> + '_ {
    cell.split(|c: char| matches!(c, ',' | ';' | '|' | '[' | ']' | '{' | '}' | '"' | ':') || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

pub(super) const PRODUCTION_WORDS: [&str; 5] = ["production", "prod", "live", "customer", "customer-reported"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_split_into_words() {
        assert_eq!(tokens("Bug, Frontend").collect::<Vec<_>>(), ["bug", "frontend"]);
        assert!(tokens("[{\"name\":\"bug\"}]").any(|t| t == "bug"));
        assert!(!tokens("Pre-production").any(|t| PRODUCTION_WORDS.contains(&t.as_str())));
    }
}
