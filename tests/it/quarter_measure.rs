//! `boardpack measure 2026-Q3`: a quarter measured from its exports as one
//! period, into its own folder, gives what the quarter pages recompute from
//! the rows of its months' evidence; a sealed quarter is refused.

use std::fs;
use std::path::Path;

use crate::common::*;
use crate::measure::{entry, measure};

/// The fixture, with the same exports under each month's folder and the
/// quarter's: `{month}` in an export's path is the month measured, or the
/// quarter's id.
fn project() -> tempfile::TempDir {
    let from = repo().join("tests/fixtures/measure/quarter");
    let dir = copy_project(&from);
    for folder in ["2026-07", "2026-08", "2026-09", "2026-Q3"] {
        copy_dir(&from.join("data/2026-Q3"), &dir.path().join("data").join(folder));
    }
    dir
}

fn quarter_data(out: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&out.join("2026-Q3/data.json"))).unwrap()
}

fn kpi<'a>(data: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    data["kpis"].as_array().unwrap().iter().find(|k| k["id"] == id).unwrap()
}

#[test]
fn a_quarter_measured_from_its_exports_is_the_quarter_recomputed_from_its_months_rows() {
    let dir = project();
    for month in ["2026-07", "2026-08", "2026-09"] {
        let o = measure(dir.path(), &[month]);
        assert!(o.status.success(), "{month}: {}", stderr(&o));
    }
    // The quarter as its page makes it from the months' evidence, before it has values of its own.
    let out = tempfile::tempdir().unwrap();
    build(dir.path(), out.path());
    let recomputed = quarter_data(out.path());

    let o = measure(dir.path(), &["2026-Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("measured 2026-Q3 into content/2026-Q3/kpis.toml"), "{}", stderr(&o));
    let kpis = read(&dir.path().join("content/2026-Q3/kpis.toml"));
    assert!(kpis.starts_with("# Quarter Co engineering KPIs for 2026-Q3.\n"), "{kpis}");
    // Each worked out by hand from the exports; the months' values and their
    // mean (which the quarter is not) beside each.
    let expected = [
        // 9 changes of 1 day in July, 2 of 10 in August, 3 of 2 in September (months 1, 10, 2; mean 4.33).
        ("lead-time", 1.0, "median of 14 changes deployed in 14 deployments"),
        // d3 (incident) of 9, a1 (fixed by a2) of 2, none of 3 (months 11.1, 50, 0; mean 20.4).
        ("change-failure-rate", 14.3, "2 of 14 production deployments led to a rollback, hotfix or incident"),
        ("rework-ratio", 7.1, "1 of 14 production deployments was an unplanned fix or rollback"),
        // 2 h, 1 h, then 6 h and 0.5 h (months 2, 1, 3.25; mean 2.08).
        ("time-to-restore", 1.5, "median of 4 incidents restored"),
        // 9 and 15 days, 7, 9 and 10, 19, 14 and 10 (months 12, 9, 14; mean 11.67).
        ("cycle-time", 10.0, "median of 8 work items finished"),
        // S1 1 of 2, S2 3 of 3, S3 2 of 4.
        (
            "delivery-predictability",
            66.7,
            "average of 3 sprints ending from July 2026 to September 2026: 6 of 9 committed items delivered",
        ),
        // 1 of 4 bugs in July, 1 of 1 in August, 0 of 2 in September (months 25, 100, 0; mean 41.7).
        ("defect-escape-rate", 28.6, "2 of 7 defects logged were found in production"),
        // 5 of 8, 3 of 11, 8 of 10 points (months 62.5, 27.3, 80; mean 56.6).
        ("business-outcome-share", 55.2, "16 of 29 points of effort finished served a named outcome"),
        // The roadmap to the quarter's end: W-1, W-3 and W-6 of the four due (months 100, 100, 75).
        ("roadmap-accuracy", 75.0, "3 of 4 roadmap items of 2026-Q3 due by 30 September 2026 delivered"),
    ];
    for (id, value, words) in expected {
        assert_eq!(entry(&kpis, id), (value, Some(words.to_string())), "{id}: {kpis}");
        let pooled = kpi(&recomputed, id);
        assert_eq!((pooled["value"].as_f64(), pooled["made"].as_str()), (Some(value), Some(words)), "{id} recomputed");
        let evidence = dir.path().join(format!("content/2026-Q3/evidence/{id}.csv"));
        assert!(evidence.is_file(), "{id}: no {}", evidence.display());
    }
    let lead = kpi(&recomputed, "lead-time");
    let months: Vec<f64> = lead["months"].as_array().unwrap().iter().map(|m| m["value"].as_f64().unwrap()).collect();
    assert_eq!(months, [1.0, 10.0, 2.0], "the months' own medians");
    // The quarter's rows are the months' rows together.
    let rows =
        |folder: &str| read(&dir.path().join(format!("content/{folder}/evidence/lead-time.csv"))).lines().count() - 1;
    assert_eq!(rows("2026-Q3"), rows("2026-07") + rows("2026-08") + rows("2026-09"));
    // Measured, the quarter's own values are what its page shows.
    let out = tempfile::tempdir().unwrap();
    build(dir.path(), out.path());
    let own = quarter_data(out.path());
    assert_eq!(kpi(&own, "lead-time")["value"].as_f64(), Some(1.0));
    assert_eq!(
        kpi(&own, "lead-time")["made"],
        "measured over the quarter: median of 14 changes deployed in 14 deployments"
    );
}

#[test]
fn a_sealed_quarter_or_one_named_another_way_is_refused_and_nothing_is_written() {
    let dir = project();
    let o = measure(dir.path(), &["FY2026-Q3"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("`FY2026-Q3` is not how this report names quarters"), "{}", stderr(&o));
    fs::write(dir.path().join("content/2026-Q3/sealed.toml"), "").unwrap();
    let o = measure(dir.path(), &["2026-Q3"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("2026-Q3 is sealed (content/2026-Q3/sealed.toml)"), "{}", stderr(&o));
    assert!(!dir.path().join("content/2026-Q3/kpis.toml").exists());
    assert!(!dir.path().join("content/2026-Q3/evidence").exists());
}

#[test]
fn a_quarter_without_its_exports_says_where_it_looked() {
    let dir = project();
    fs::remove_dir_all(dir.path().join("data/2026-Q3")).unwrap();
    let o = measure(dir.path(), &["2026-Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("there is no data/2026-Q3/deployments.csv"), "{}", stderr(&o));
}
