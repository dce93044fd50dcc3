//! A month's `kpis.toml`: one value (and optionally a note) per KPI id, and
//! whether the month is still a draft.
//!
//! Pure parsing, like the catalogue's: text in, entries and diagnostics out.
//! The mistakes people really make get messages that say what to do: the
//! TOML table trap (every line after a `[kpi-id]` header belongs to that
//! table), a decimal comma, a unit written after the number, a negative time.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::base::diagnostic::{did_you_mean, Diagnostic};
use crate::base::period::Month;
use crate::load::catalogue::{Catalogue, Kpi, MAX_MAGNITUDE, RESERVED_IDS};
use crate::load::toml_file::toml_error;

/// The key that marks a month as not ready to publish.
pub(crate) const DRAFT_KEY: &str = "draft";

/// One KPI's reading for one month.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Entry {
    /// `None` when the author recorded a note but no number.
    pub(crate) value: Option<f64>,
    pub(crate) note: Option<String>,
    /// How `boardpack measure` computed the value, when it did.
    pub(crate) measured: Option<String>,
    /// How many rows of exported data the computation used.
    pub(crate) rows: Option<u64>,
    /// The line of `kpis.toml` it is on, and that line's text, for diagnostics about it.
    pub(crate) line: usize,
    pub(crate) source_line: String,
}

/// What a month's `kpis.toml` says.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Values {
    /// By KPI id.
    pub(crate) entries: BTreeMap<String, Entry>,
    /// `draft = true`: not to be published yet.
    pub(crate) draft: bool,
    /// KPI ids that have a line but could not be read (an error was reported),
    /// so nobody is also told they have no value.
    pub(crate) unreadable: Vec<String>,
    /// The file is not valid TOML (an error was reported): nothing in it can be read.
    pub(crate) broken: bool,
}

/// Parses `source` (the month `month`'s `kpis.toml`, shown as `file`).
pub(crate) fn parse(source: &str, file: &Path, catalogue: &Catalogue, month: Month) -> (Values, Vec<Diagnostic>) {
    let mut p = Parser { source, file, catalogue, month, values: Values::default(), problems: Vec::new() };
    match DeTable::parse(source) {
        Ok(table) => p.table(table.get_ref()),
        Err(e) => {
            p.problems.push(syntax_error(source, file, &e));
            p.values.broken = true;
        }
    }
    (p.values, p.problems)
}

/// A TOML syntax error, with plain advice for the two that happen most: a
/// decimal comma (`2,4`) and a unit after the number (`2.4 days`).
fn syntax_error(source: &str, file: &Path, e: &toml::de::Error) -> Diagnostic {
    let d = toml_error(file, source, e);
    let Some(line) = d.location.as_ref().map(|l| l.source_line.clone()) else {
        return d;
    };
    let Some((key, rest)) = line.split_once('=') else {
        return d;
    };
    let (key, value) = (key.trim(), rest.split('#').next().unwrap_or("").trim());
    let number_end =
        value.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+')).unwrap_or(value.len());
    let (number, after) = value.split_at(number_end);
    if number.is_empty() {
        return d;
    }
    if let Some(decimals) = after.strip_prefix(',').filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())) {
        let mut d = d;
        d.message = format!("`{key} = {value}` uses a decimal comma");
        return d.help(format!("use a decimal point: {key} = {number}.{decimals}"));
    }
    if after.starts_with(' ') && after.trim().chars().next().is_some_and(char::is_alphabetic) {
        let mut d = d;
        d.message = format!("`{key} = {value}` has a unit after the number");
        return d.help(format!("write the number only: {key} = {number}. The unit is in the catalogue"));
    }
    d
}

struct Parser<'a> {
    source: &'a str,
    file: &'a Path,
    catalogue: &'a Catalogue,
    month: Month,
    values: Values,
    problems: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        self.problems.push(Diagnostic::error(self.file, message).at(self.source, span).help(help));
    }

    fn table(&mut self, table: &DeTable<'_>) {
        for (key, value) in table {
            let id = key.get_ref().as_ref();
            if id == DRAFT_KEY {
                match value.get_ref() {
                    DeValue::Boolean(b) => self.values.draft = *b,
                    _ => self.error(
                        value.span(),
                        "`draft` must be true or false",
                        "write draft = true while the month is being written; remove the line to publish it",
                    ),
                }
                continue;
            }
            let Some(kpi) = self.catalogue.kpi(id) else {
                self.unknown_id(id, key.span());
                continue;
            };
            if !kpi.in_force(self.month) {
                let when = match (kpi.lifetime.since, kpi.lifetime.until) {
                    (Some(s), _) if self.month < s => format!("it is reported from {s} (`since` in the catalogue)"),
                    (_, Some(u)) => format!("it was retired after {u} (`until` in the catalogue)"),
                    _ => "its lifetime in the catalogue excludes this month".to_string(),
                };
                self.problems.push(
                    Diagnostic::warning(
                        self.file,
                        format!("`{id}` is not part of the {} report: {when}", self.month.long_name()),
                    )
                    .at(self.source, key.span())
                    .help("this line is not shown; remove it, or change the KPI's `since`/`until` in the catalogue"),
                );
                continue;
            }
            match self.entry(kpi, value) {
                Some(mut entry) => {
                    entry.line = self.source[..key.span().start.min(self.source.len())].matches('\n').count() + 1;
                    entry.source_line = self.source.lines().nth(entry.line - 1).unwrap_or("").to_string();
                    self.values.entries.insert(id.to_string(), entry);
                }
                None => self.values.unreadable.push(id.to_string()),
            }
        }
    }

    fn unknown_id(&mut self, id: &str, span: Range<usize>) {
        let d = Diagnostic::error(self.file, format!("unknown KPI id `{id}`"))
            .at(self.source, span)
            .label("not in the catalogue");
        let d = match did_you_mean(id, self.catalogue.kpis.iter().map(|k| k.id.as_str())) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("see the KPI ids in content/catalogue.toml, or run `boardpack check` for the list"),
        };
        self.problems.push(d);
    }

    /// A KPI's line: a number, or a table with `value`, `note`, `measured`, `rows`.
    fn entry(&mut self, kpi: &Kpi, value: &Spanned<DeValue<'_>>) -> Option<Entry> {
        let DeValue::Table(table) = value.get_ref() else {
            let v = self.number(kpi, value)?;
            return Some(Entry { value: Some(v), ..Entry::default() });
        };
        let mut entry = Entry::default();
        let mut ok = true;
        for (key, v) in table {
            match key.get_ref().as_ref() {
                "value" => match self.number(kpi, v) {
                    Some(n) => entry.value = Some(n),
                    None => ok = false,
                },
                "note" => match v.get_ref().as_str() {
                    Some(s) => entry.note = Some(s.trim().to_string()).filter(|s| !s.is_empty()),
                    None => {
                        self.error(
                            v.span(),
                            format!("the note for `{}` must be text", kpi.id),
                            "write note = \"Holiday freeze\"",
                        );
                        ok = false;
                    }
                },
                "measured" => match v.get_ref().as_str() {
                    Some(s) => entry.measured = Some(s.trim().to_string()),
                    None => {
                        self.error(
                            v.span(),
                            "`measured` must be text",
                            "`boardpack measure` writes it: how the value was computed",
                        );
                        ok = false;
                    }
                },
                "rows" => {
                    match v.get_ref().as_integer().and_then(|i| u64::from_str_radix(i.as_str(), i.radix()).ok()) {
                        Some(n) => entry.rows = Some(n),
                        None => {
                            self.error(
                                v.span(),
                                "`rows` must be a whole number",
                                "`boardpack measure` writes it: how many rows of data it used",
                            );
                            ok = false;
                        }
                    }
                }
                other if self.catalogue.kpi(other).is_some() || RESERVED_IDS.contains(&other) => {
                    self.swallowed(kpi, value.span(), other, key.span());
                    ok = false;
                }
                other => {
                    self.error(key.span(), format!("`[{}]` has an unknown key `{other}`", kpi.id), "a KPI's table takes `value` and `note` (and `measured`, `rows`, which `boardpack measure` writes)");
                    ok = false;
                }
            }
        }
        if ok && entry.value.is_none() && entry.note.is_none() {
            self.error(
                value.span(),
                format!("`{}` has neither a value nor a note", kpi.id),
                "write a plain number (`lead-time = 3.1`), or `lead-time = { value = 3.1, note = \"…\" }`",
            );
            return None;
        }
        ok.then_some(entry)
    }

    /// A KPI line caught by the TOML table trap: after a `[table]` header,
    /// every `key = value` line belongs to that table.
    fn swallowed(&mut self, table: &Kpi, table_span: Range<usize>, id: &str, span: Range<usize>) {
        let header = self.source[..table_span.start.min(self.source.len())].matches('\n').count() + 1;
        let t = &table.id;
        self.problems.push(
            Diagnostic::error(self.file, format!("`{id}` is read as part of the table `[{t}]` above it, not as a KPI of its own"))
                .at(self.source, span)
                .label(format!("inside `[{t}]`, which starts on line {header}"))
                .help(format!("in TOML, every line after a `[{t}]` header belongs to that table. Move `[{t}]` and its lines to the end of the file, or write it on one line: {t} = {{ value = …, note = \"…\" }}")),
        );
        self.values.unreadable.push(id.to_string());
    }

    fn number(&mut self, kpi: &Kpi, at: &Spanned<DeValue<'_>>) -> Option<f64> {
        let id = &kpi.id;
        let n = match at.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|i| i as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            DeValue::String(s) => {
                let help = match s.trim().split_once(' ') {
                    Some((number, _)) if number.parse::<f64>().is_ok() => {
                        format!("write the number only, without quotes: {id} = {number}. The unit is in the catalogue")
                    }
                    _ => "write a plain number such as 3.1 (no quotes, no unit); the unit comes from the catalogue"
                        .to_string(),
                };
                self.error(at.span(), format!("the value of `{id}` must be a number, not text"), help);
                return None;
            }
            other => {
                self.error(
                    at.span(),
                    format!("the value of `{id}` must be a number, not {}", other.type_str()),
                    "write a plain number such as 3.1 (no quotes, no unit); the unit comes from the catalogue",
                );
                return None;
            }
        };
        let Some(n) = n.filter(|n| n.is_finite()) else {
            self.error(
                at.span(),
                format!("the value of `{id}` is not a finite number"),
                "nan and inf are valid TOML but not a measurement; leave the KPI out if it was not measured",
            );
            return None;
        };
        if n.abs() > MAX_MAGNITUDE {
            self.error(
                at.span(),
                format!("the value of `{id}` is {n:e}, too large to be a measurement"),
                "check the number for a misplaced decimal point or exponent; values up to a thousand million million (1e15) are accepted",
            );
            return None;
        }
        if kpi.is_percentage() && !(0.0..=100.0).contains(&n) {
            self.error(
                at.span(),
                format!("`{id}` is {n}%, outside 0–100"),
                "percentages are written as 0 to 100: 12.5 for 12.5%",
            );
            return None;
        }
        if let Some(min) = kpi.min.filter(|m| n < *m) {
            let unit = if kpi.unit.is_empty() { String::new() } else { format!(" {}", kpi.unit) };
            let what = if min == 0.0 {
                format!("{} cannot be negative", kpi.name)
            } else {
                format!("the lowest value for {} is {min}{unit}", kpi.name)
            };
            self.error(
                at.span(),
                format!("`{id}` is {n}: {what}"),
                format!("check the number; if it really can be lower, set `min` for `{id}` in the catalogue"),
            );
            return None;
        }
        Some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_builtin(text: &str) -> (Values, Vec<Diagnostic>) {
        parse(text, Path::new("content/2026-10/kpis.toml"), &Catalogue::builtin(), "2026-10".parse().unwrap())
    }

    #[test]
    fn numbers_notes_drafts_and_computed_lines() {
        let (v, problems) = parse_builtin(
            "draft = true\nlead-time = 3.1\ncycle-time = { value = 4, note = \"Holiday\" }\nrework-ratio = { value = 12, measured = \"12 of 100 deployments\", rows = 100 }\n[roadmap-accuracy]\nnote = \"Not measured\"\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert!(v.draft);
        assert_eq!(v.entries["lead-time"].value, Some(3.1));
        assert_eq!(v.entries["cycle-time"].note.as_deref(), Some("Holiday"));
        assert_eq!(v.entries["rework-ratio"].rows, Some(100));
        assert_eq!(v.entries["roadmap-accuracy"].value, None);
    }

    #[test]
    fn the_table_trap_names_every_swallowed_kpi_at_its_line() {
        let text = "lead-time = 3.1\n[time-to-restore]\nvalue = 30.5\nnote = \"Outage\"\nbusiness-outcome-share = 70\nroadmap-accuracy = 72\n";
        let (v, problems) = parse_builtin(text);
        let swallowed: Vec<_> =
            problems.iter().filter(|d| d.message.contains("read as part of the table `[time-to-restore]`")).collect();
        assert_eq!(swallowed.len(), 2, "{problems:?}");
        assert_eq!(swallowed[0].location.as_ref().unwrap().line, 5);
        assert_eq!(swallowed[1].location.as_ref().unwrap().line, 6);
        assert!(swallowed[0].label.as_deref().unwrap().contains("starts on line 2"));
        assert!(swallowed[0].help.as_deref().unwrap().contains("time-to-restore = { value = …"));
        assert!(v.unreadable.contains(&"business-outcome-share".to_string()));
    }

    #[test]
    fn a_decimal_comma_and_a_unit_get_plain_advice() {
        let (_, p) = parse_builtin("lead-time = 2,4\n");
        assert_eq!(p[0].help.as_deref(), Some("use a decimal point: lead-time = 2.4"), "{}", p[0]);
        let (_, p) = parse_builtin("lead-time = 2.4 days\n");
        assert!(p[0].help.as_deref().unwrap().contains("write the number only: lead-time = 2.4"), "{}", p[0]);
        let (_, p) = parse_builtin("lead-time = \"2.4 days\"\n");
        assert!(p[0].help.as_deref().unwrap().contains("lead-time = 2.4"), "{}", p[0]);
    }

    #[test]
    fn negative_times_and_shares_are_errors() {
        let (_, p) = parse_builtin("cycle-time = -5\n");
        assert!(p[0].message.contains("cannot be negative"), "{}", p[0]);
        assert!(p[0].help.as_deref().unwrap().contains("set `min`"), "{}", p[0]);
    }
}
