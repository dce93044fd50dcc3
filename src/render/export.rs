//! The month's numbers as data files (`data.json`, `data.csv`) for other tools.
//!
//! The field names and their meaning are a public contract (see FORMAT.md):
//! add fields, never rename or remove them.

use serde::Serialize;

use crate::base::i18n::Lang;
use crate::base::period::{Month, Quarter};
use crate::compute::audit::Correction;
use crate::compute::quarter::QuarterReading;
use crate::compute::report::Reading;
use crate::load::record::Corrected;
use crate::Error;

/// One KPI's row, shared by the JSON and CSV files so they never disagree.
#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    accountability: &'a str,
    unit: &'a str,
    better: &'static str,
    value: Option<f64>,
    target: Option<f64>,
    red: Option<f64>,
    status: &'static str,
    delta: Option<f64>,
    trend: Option<&'static str>,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct MonthData<'a> {
    organisation: &'a str,
    month: String,
    kpis: Vec<Row<'a>>,
    /// Corrections of months already sent, announced this month (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    restatements: Vec<RestatementRow<'a>>,
}

/// A correction of a month already sent, as data.
#[derive(Serialize)]
struct RestatementRow<'a> {
    month: String,
    kpi: Option<&'a str>,
    file: Option<&'a str>,
    was: Option<f64>,
    now: Option<f64>,
    reason: &'a str,
}

fn restatement_rows<'a>(corrections: &[&'a Correction]) -> Vec<RestatementRow<'a>> {
    corrections
        .iter()
        .map(|c| {
            let (kpi, file) = match &c.target {
                Corrected::Kpi(id) => (Some(id.as_str()), None),
                Corrected::File(name) => (None, Some(name.as_str())),
            };
            RestatementRow { month: c.month.to_string(), kpi, file, was: c.was, now: c.now, reason: &c.reason }
        })
        .collect()
}

fn rows<'a>(readings: &'a [Reading<'a>]) -> Vec<Row<'a>> {
    readings
        .iter()
        .map(|r| Row {
            id: &r.kpi.id,
            name: &r.kpi.name,
            accountability: &r.kpi.accountability,
            unit: &r.kpi.unit,
            better: r.kpi.better.as_str(),
            value: r.value,
            target: r.thresholds.map(|t| t.target),
            red: r.thresholds.map(|t| t.red),
            status: r.status.as_str(),
            delta: r.change.map(|c| c.delta),
            trend: r.change.map(|c| c.trend.as_str()),
            note: r.note,
        })
        .collect()
}

/// `data.json`: `{ organisation, month, kpis: [...] }`, pretty-printed so diffs read well.
pub(crate) fn json(
    organisation: &str,
    month: Month,
    readings: &[Reading<'_>],
    restatements: &[&Correction],
) -> Result<Vec<u8>, Error> {
    let data = MonthData {
        organisation,
        month: month.to_string(),
        kpis: rows(readings),
        restatements: restatement_rows(restatements),
    };
    let mut out = serde_json::to_vec_pretty(&data).map_err(|e| Error::Internal(format!("JSON export: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// The CSV columns, in order: the same fields as the JSON.
const COLUMNS: [&str; 12] =
    ["id", "name", "accountability", "unit", "better", "value", "target", "red", "status", "delta", "trend", "note"];

fn number(v: f64) -> String {
    format!("{v:?}")
}

/// A text cell that a spreadsheet cannot run as a formula: text starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, as OWASP
/// advises against CSV injection (`=HYPERLINK(…)` in a note would otherwise be
/// a live link). Only text cells: numbers, negative ones included, stay numbers.
fn text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn cells(row: &Row<'_>) -> [String; 12] {
    [
        text(row.id),
        text(row.name),
        text(row.accountability),
        text(row.unit),
        text(row.better),
        row.value.map(number).unwrap_or_default(),
        row.target.map(number).unwrap_or_default(),
        row.red.map(number).unwrap_or_default(),
        text(row.status),
        row.delta.map(number).unwrap_or_default(),
        text(row.trend.unwrap_or_default()),
        text(row.note.unwrap_or_default()),
    ]
}

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("CSV export: {e}"))
}

/// `data.csv`: the same rows; empty cells for null, formula-like text
/// neutralised (see [`text`]).
pub(crate) fn csv(readings: &[Reading<'_>]) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(csv_error)?;
    for row in rows(readings) {
        w.write_record(cells(&row)).map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

/// Every month up to one, for the board pack: `month` first, then the `data.csv` columns.
pub(crate) fn history_csv(months: &[(Month, Vec<Reading<'_>>)]) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(std::iter::once("month").chain(COLUMNS)).map_err(csv_error)?;
    for (month, readings) in months {
        for row in rows(readings) {
            let id = month.to_string();
            w.write_record(std::iter::once(id.as_str()).chain(cells(&row).iter().map(String::as_str)))
                .map_err(csv_error)?;
        }
    }
    w.into_inner().map_err(csv_error)
}

#[derive(Serialize)]
struct History<'a> {
    organisation: &'a str,
    months: Vec<MonthData<'a>>,
}

/// Every month up to one, for the board pack: `{ organisation, months: [{ month, kpis }] }`.
pub(crate) fn history_json(organisation: &str, months: &[(Month, Vec<Reading<'_>>)]) -> Result<Vec<u8>, Error> {
    let data = History {
        organisation,
        months: months
            .iter()
            .map(|(m, r)| MonthData { organisation, month: m.to_string(), kpis: rows(r), restatements: Vec::new() })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&data).map_err(|e| Error::Internal(format!("JSON export: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// A month of a quarter, as data.
#[derive(Serialize)]
struct QuarterMonthRow {
    month: String,
    value: Option<f64>,
    status: &'static str,
}

/// A change on an earlier quarter, as data.
#[derive(Serialize)]
struct QuarterChange {
    quarter: String,
    value: f64,
    delta: f64,
    trend: &'static str,
}

/// One KPI's quarter row: the month's fields, and how the value was made.
#[derive(Serialize)]
struct QuarterRow<'a> {
    #[serde(flatten)]
    row: Row<'a>,
    /// The catalogue's rule (`recompute`, `last`, `mean`, `sum`, `worst`).
    rule: &'static str,
    /// How the value was made, in the report's language.
    made: String,
    /// The rows of exported data it was made from, when recomputed or measured.
    rows: Option<u64>,
    months: Vec<QuarterMonthRow>,
    year_before: Option<QuarterChange>,
}

#[derive(Serialize)]
struct QuarterData<'a> {
    organisation: &'a str,
    quarter: String,
    months: Vec<String>,
    kpis: Vec<QuarterRow<'a>>,
}

fn quarter_rows<'a>(readings: &'a [QuarterReading<'a>], lang: &Lang) -> Vec<QuarterRow<'a>> {
    let to_change = |(q, value, c): (Quarter, f64, crate::base::status::Change)| QuarterChange {
        quarter: q.to_string(),
        value,
        delta: c.delta,
        trend: c.trend.as_str(),
    };
    readings
        .iter()
        .map(|r| QuarterRow {
            row: Row {
                id: &r.kpi.id,
                name: &r.kpi.name,
                accountability: &r.kpi.accountability,
                unit: &r.kpi.unit,
                better: r.kpi.better.as_str(),
                value: r.value.value,
                target: r.thresholds.map(|t| t.target),
                red: r.thresholds.map(|t| t.red),
                status: r.status.as_str(),
                delta: r.previous.map(|(_, _, c)| c.delta),
                trend: r.previous.map(|(_, _, c)| c.trend.as_str()),
                note: r.value.note.as_deref(),
            },
            rule: r.kpi.quarter.name(),
            made: r.value.made.in_language(lang),
            rows: r.value.rows,
            months: r
                .months
                .iter()
                .map(|c| QuarterMonthRow { month: c.month.to_string(), value: c.value, status: c.status.as_str() })
                .collect(),
            year_before: r.year_before.map(to_change),
        })
        .collect()
}

/// A quarter's `data.json`: `{ organisation, quarter, months, kpis: [...] }`,
/// each KPI with the month fields (`delta` on the quarter before), its rule,
/// how it was made, and its months.
pub(crate) fn quarter_json(
    organisation: &str,
    quarter: Quarter,
    readings: &[QuarterReading<'_>],
    lang: &Lang,
) -> Result<Vec<u8>, Error> {
    let data = QuarterData {
        organisation,
        quarter: quarter.to_string(),
        months: quarter.months().iter().map(Month::to_string).collect(),
        kpis: quarter_rows(readings, lang),
    };
    let mut out = serde_json::to_vec_pretty(&data).map_err(|e| Error::Internal(format!("JSON export: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// A quarter's `data.csv`: the month's columns, then `rule`, `made`, `rows`
/// and the three months' values (`month_1` … `month_3`).
pub(crate) fn quarter_csv(readings: &[QuarterReading<'_>], lang: &Lang) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let more = ["rule", "made", "rows", "month_1", "month_2", "month_3"];
    w.write_record(COLUMNS.iter().chain(&more)).map_err(csv_error)?;
    for r in quarter_rows(readings, lang) {
        let mut record: Vec<String> = cells(&r.row).to_vec();
        record.extend([text(r.rule), text(&r.made), r.rows.map(|n| n.to_string()).unwrap_or_default()]);
        record.extend(r.months.iter().map(|m| m.value.map(number).unwrap_or_default()));
        w.write_record(&record).map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_neutralised_and_numbers_are_not() {
        for bad in ["=1+1", "+1", "-1 day", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://evil\",\"x\")"] {
            assert_eq!(text(bad), format!("'{bad}"), "{bad:?}");
        }
        for good in ["", "Fine = ok", "'quoted", " =1", "1-2"] {
            assert_eq!(text(good), good);
        }
        assert_eq!(number(-0.5), "-0.5");
    }
}
