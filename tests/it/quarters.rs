//! Quarterly board meetings: quarters grouped by the fiscal year, each KPI's
//! quarter value made by its rule and said how, the quarter's pages,
//! documents and data, and the site read quarter by quarter.

use std::fs;
use std::path::Path;

use crate::common::*;

fn fixture() -> std::path::PathBuf {
    repo().join("tests/fixtures/fiscal-april")
}

fn data(out: &Path, quarter: &str) -> serde_json::Value {
    serde_json::from_str(&read(&out.join(quarter).join("data.json"))).unwrap()
}

fn kpi<'a>(data: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    data["kpis"].as_array().unwrap().iter().find(|k| k["id"] == id).unwrap()
}

#[test]
fn a_fiscal_year_from_april_groups_months_across_the_calendar_year_end() {
    let out = cold_build(&fixture());
    let out = out.path();
    // January to March 2026 are the last quarter of the fiscal year ending March 2026.
    let q4 = data(out, "FY2026-Q4");
    assert_eq!(q4["months"], serde_json::json!(["2026-01", "2026-02", "2026-03"]));
    let q1 = data(out, "FY2027-Q1");
    assert_eq!(q1["months"], serde_json::json!(["2026-04", "2026-05", "2026-06"]));
    let page = read(&out.join("FY2027-Q1/index.html"));
    assert!(page.contains("<h1>Q1 FY2027</h1>") && page.contains("April 2026 to June 2026"), "{page}");
    // December 2025 is in the quarter before, which has no folder: no page, but charted.
    assert!(!out.join("FY2026-Q3").exists());
    let table = read(&out.join("FY2027-Q1/platform/index.html"));
    for q in ["Q3 FY2026", "Q4 FY2026", "Q1 FY2027"] {
        assert!(table.contains(&format!("<th scope=\"row\">{q}</th>")), "{q} missing from the table of quarters");
    }
    assert_links_resolve(out);
}

#[test]
fn each_rule_makes_the_quarter_and_a_missing_month_is_said() {
    let out = cold_build(&fixture());
    let q1 = data(out.path(), "FY2027-Q1");
    let revenue = kpi(&q1, "shipped-revenue");
    assert_eq!((revenue["value"].as_f64(), revenue["made"].as_str()), (Some(41000.0), Some("sum of 3 months")));
    let engineers = kpi(&q1, "engineers");
    assert_eq!(engineers["value"].as_f64(), Some(14.0));
    let uptime = kpi(&q1, "uptime");
    assert_eq!((uptime["value"].as_f64(), uptime["status"].as_str()), (Some(98.7), Some("red")));
    assert_eq!(uptime["made"], "worst of 3 months (May 2026)");
    // Typed for the quarter: it wins over the mean of 0, 6 and 2.
    let incidents = kpi(&q1, "incidents");
    assert_eq!((incidents["value"].as_f64(), incidents["made"].as_str()), (Some(7.0), Some("written for the quarter")));
    assert_eq!(incidents["note"], "Recounted after the May review");
    // February was never reported: a sum has no value, the others say so.
    let q4 = data(out.path(), "FY2026-Q4");
    let revenue = kpi(&q4, "shipped-revenue");
    assert!(revenue["value"].is_null());
    assert_eq!(revenue["made"], "no sum without every month; no value for February 2026");
    assert_eq!(kpi(&q4, "uptime")["made"], "worst of 2 months (January 2026); no value for February 2026");
    assert_eq!(kpi(&q4, "incidents")["value"].as_f64(), Some(2.0));
    let page = read(&out.path().join("FY2026-Q4/index.html"));
    assert!(page.contains("February 2026 was not reported: the quarter"), "{page}");
    // The change on the quarter before, in the data as on the page.
    assert_eq!(kpi(&q1, "engineers")["delta"].as_f64(), Some(2.0));
    let csv = read(&out.path().join("FY2027-Q1/data.csv"));
    assert!(csv.lines().next().unwrap().ends_with(",rule,made,rows,month_1,month_2,month_3"), "{csv}");
    assert!(csv.contains("uptime,Uptime,platform,%,higher,98.7,99.9,99.0,red,"), "{csv}");
}

#[test]
fn a_quarterly_site_opens_on_the_latest_quarter_and_lists_quarters_beside_months() {
    let out = cold_build(&fixture());
    let index = read(&out.path().join("index.html"));
    assert!(index.contains("<h1>Q1 FY2027</h1>"), "the front page is the latest quarter");
    assert!(index.contains("href=\"FY2027-Q1/platform/index.html#qkpi-uptime\""), "{index}");
    let archive = read(&out.path().join("archive/index.html"));
    let quarters = archive.find("FY2027-Q1/index.html").unwrap();
    assert!(quarters < archive.find("FY2026-Q4/index.html").unwrap(), "newest quarter first");
    assert!(quarters < archive.find("2026-06/index.html").unwrap(), "quarters above months");
    // Monthly cadence: the front page is the latest month again.
    let project = copy_project(&fixture());
    let config = project.path().join("boardpack.toml");
    fs::write(&config, read(&config).replace("cadence = \"quarterly\"", "cadence = \"monthly\"")).unwrap();
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path());
    assert!(read(&out.path().join("index.html")).contains("June 2026"));
}

#[test]
fn the_quarters_documents_are_its_own_pdf_and_single_file_report() {
    let out = cold_build(&fixture());
    let pdf = fs::read(out.path().join("FY2027-Q1/board-report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let html = read(&out.path().join("FY2027-Q1/board-report.html"));
    assert!(html.contains("<h1>Q1 FY2027</h1>") && html.contains("Recounted after the May review"));
    assert!(!html.contains("<link rel=\"stylesheet\""), "the single-file report has its CSS inline");
    assert!(html.contains("<svg"), "charts inline");
}

#[test]
fn a_quarter_folder_named_for_another_fiscal_year_is_an_error_with_the_name_to_use() {
    let project = copy_project(&fixture());
    let content = project.path().join("content");
    fs::rename(content.join("FY2027-Q1"), content.join("2026-Q2")).unwrap();
    let o = boardpack(&["check", "--root", project.path().to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("content/2026-Q2"), "{err}");
    assert!(err.contains("April 2026 to June 2026 is `FY2027-Q1`"), "{err}");
    fs::rename(content.join("2026-Q2"), content.join("FY2027-Q5")).unwrap();
    let err = stderr(&boardpack(&["check", "--root", project.path().to_str().unwrap()]));
    assert!(err.contains("`FY2027-Q5` is not a quarter"), "{err}");
}

#[test]
fn quarters_read_in_the_reports_language() {
    let project = copy_project(&fixture());
    let config = project.path().join("boardpack.toml");
    fs::write(&config, format!("locale = \"fr-FR\"\n{}", read(&config))).unwrap();
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path());
    let page = read(&out.path().join("FY2027-Q1/index.html"));
    assert!(page.contains("<h1>T1 exercice 2027</h1>"), "{page}");
    assert!(page.contains("avril 2026 à juin 2026"), "{page}");
    assert!(page.contains("pire de 3 mois (mai 2026)"), "{page}");
}

#[test]
fn a_quarter_rule_that_does_not_exist_is_an_error_at_its_line() {
    let project = copy_project(&fixture());
    let catalogue = project.path().join("content/catalogue.toml");
    fs::write(&catalogue, read(&catalogue).replace("quarter = \"worst\"", "quarter = \"worse\"")).unwrap();
    let err = stderr(&boardpack(&["check", "--root", project.path().to_str().unwrap()]));
    assert!(err.contains("no quarter rule `worse`") && err.contains("did you mean `worst`?"), "{err}");
    assert!(err.contains("catalogue.toml:"), "{err}");
    fs::write(&catalogue, read(&catalogue).replace("quarter = \"worse\"", "quarter = \"recompute\"")).unwrap();
    let err = stderr(&boardpack(&["check", "--root", project.path().to_str().unwrap()]));
    assert!(err.contains("`recompute` needs the rows"), "{err}");
    let config = project.path().join("boardpack.toml");
    fs::write(&config, read(&config).replace("fiscal_year_start = 4", "fiscal_year_start = 13")).unwrap();
    let err = stderr(&boardpack(&["check", "--root", project.path().to_str().unwrap()]));
    assert!(err.contains("`fiscal_year_start` must be a month number from 1 to 12"), "{err}");
    assert!(err.contains("boardpack.toml:9"), "{err}");
}

/// A portfolio of the demo (measured, with its rows) and the fiscal-April
/// company, compared by calendar quarters.
fn quarter_portfolio() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("portfolio.toml"),
        "title = \"Quarterly review\"\nowner = \"Harbour Lane\"\n\n[report]\ncadence = \"quarterly\"\n",
    )
    .unwrap();
    let demo = copy_project(&repo());
    copy_dir(demo.path(), &dir.path().join("companies/larkspur"));
    copy_dir(&fixture(), &dir.path().join("companies/fiscal"));
    dir
}

#[test]
fn a_portfolio_compares_its_companies_quarter_by_quarter_as_each_shows_its_own() {
    let portfolio = quarter_portfolio();
    let out = tempfile::tempdir().unwrap();
    build(portfolio.path(), out.path());
    let out = out.path();
    let page = read(&out.join("2026-Q3/index.html"));
    assert!(page.contains("<h1>Q3 2026</h1>") && page.contains("for the quarter"), "{page}");
    // The demo's own quarter page and the overview agree on every value.
    let own = data(&out.join("larkspur"), "2026-Q3");
    let larkspur = &page[page.find("Larkspur Freight").unwrap()..];
    let larkspur = &larkspur[..larkspur.find("</tr>").unwrap()];
    for id in ["lead-time", "change-failure-rate", "key-person-concentration"] {
        let shown = read(&out.join("larkspur/2026-Q3/index.html"));
        let value = kpi(&own, id)["value"].as_f64().unwrap();
        assert!(value > 0.0, "{id}");
        let table = &shown[shown.find("quarter-table").unwrap()..];
        let row = &table[table.find(&format!("#qkpi-{id}\"")).unwrap()..];
        let cell = &row[row.find("class=\"q-value\"><strong>").unwrap() + 25..];
        let strong = &cell[..cell.find("</strong>").unwrap()];
        assert!(larkspur.contains(strong), "{id}: the overview does not show {strong}:\n{larkspur}");
    }
    assert!(page.contains("href=\"../larkspur/2026-Q3/index.html\""), "{page}");
    // The fiscal company's April–June is its FY2027-Q1: its typed value, and its page.
    let q2 = read(&out.join("2026-Q2/index.html"));
    let fiscal = &q2[q2.find("Fiscal Ltd").unwrap()..];
    let fiscal = &fiscal[..fiscal.find("</tr>").unwrap()];
    assert!(fiscal.contains("7 incidents"), "{fiscal}");
    assert!(q2.contains("href=\"../fiscal/FY2027-Q1/index.html\""), "{q2}");
    // Opened on the latest quarter that is over; the one in progress is not shown.
    assert!(read(&out.join("index.html")).contains("<h1>Q3 2026</h1>"));
    assert!(!out.join("2026-Q4").exists());
    assert_links_resolve(out);
}

#[test]
fn a_red_quarter_kpi_that_nothing_in_the_quarter_explains_is_a_warning() {
    let project = copy_project(&fixture());
    let root = project.path().to_str().unwrap();
    let explained = stderr(&boardpack(&["check", "--root", root]));
    assert!(!explained.contains("quarter's commentary"), "{explained}");
    // The uptime dip is explained in the quarter's summary and platform.md: without them, nothing says why.
    fs::remove_file(project.path().join("content/FY2027-Q1/platform.md")).unwrap();
    fs::write(project.path().join("content/FY2027-Q1/summary.md"), "The first quarter of the fiscal year.\n").unwrap();
    let err = stderr(&boardpack(&["check", "--root", root]));
    assert!(
        err.contains("Uptime is off target in FY2027-Q1 (98.70%, target 99.90%) and nothing in the quarter's commentary explains it"),
        "{err}"
    );
    assert!(err.contains("content/FY2027-Q1/platform.md"), "{err}");
    // Incidents are red too, but the value typed for the quarter carries its note.
    assert!(!err.contains("Incidents is off target in FY2027-Q1"), "{err}");
}
