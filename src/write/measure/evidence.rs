//! Evidence files: `content/YYYY-MM/evidence/KPI-ID.csv`, the rows and the
//! per-row figures that produced a computed value, each with the file and line
//! it came from, so a board member can check any number against its sources.
//!
//! Rows are in a fixed order (each method sorts them), so measuring the same
//! exports twice writes the same bytes. The files are opened in spreadsheets,
//! so a text cell that a spreadsheet would run as a formula (`=`, `+`, `-`,
//! `@`, tab, carriage return first) is written with a leading `'`; numbers are
//! written as numbers.

use crate::compute::measure::Evidence;

/// The evidence as CSV bytes: a header row, then the rows.
pub(crate) fn csv(evidence: &Evidence) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(evidence.header)?;
    for row in &evidence.rows {
        w.write_record(row.iter().map(|c| safe(c).into_owned()))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A cell a spreadsheet shows as text, never runs.
fn safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_header_rows_and_defuses_formulas() {
        let e = Evidence {
            header: &["item", "note", "days"],
            rows: vec![
                vec!["A-1".into(), "=HYPERLINK(\"x\")".into(), "-1.5".into()],
                vec!["A-2".into(), "a, b".into(), "2".into()],
            ],
        };
        let text = String::from_utf8(csv(&e).unwrap()).unwrap();
        assert_eq!(text, "item,note,days\nA-1,\"'=HYPERLINK(\"\"x\"\")\",-1.5\nA-2,\"a, b\",2\n");
    }
}
