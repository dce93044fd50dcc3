//! The month's numbers as data files (`data.json`, `data.csv`) for other tools.
//!
//! The field names and their meaning are a public contract (see FORMAT.md):
//! add fields, never rename or remove them.

use serde::Serialize;

use crate::period::Month;
use crate::report::Reading;
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
    target: f64,
    red: f64,
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
            target: r.kpi.target,
            red: r.kpi.red,
            status: r.status.as_str(),
            delta: r.change.map(|c| c.delta),
            trend: r.change.map(|c| c.trend.as_str()),
            note: r.note,
        })
        .collect()
}

/// `data.json`: `{ organisation, month, kpis: [...] }`, pretty-printed so diffs read well.
pub fn json(organisation: &str, month: Month, readings: &[Reading<'_>]) -> Result<Vec<u8>, Error> {
    let data = MonthData { organisation, month: month.to_string(), kpis: rows(readings) };
    let mut out = serde_json::to_vec_pretty(&data).map_err(|e| Error::Internal(format!("JSON export: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// `data.csv`: the same rows; empty cells for null.
pub fn csv(readings: &[Reading<'_>]) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows(readings) {
        w.serialize(row).map_err(|e| Error::Internal(format!("CSV export: {e}")))?;
    }
    w.into_inner().map_err(|e| Error::Internal(format!("CSV export: {e}")))
}
