//! The generator end to end: the demo report and the minimal example, built by
//! the real binary, checked for what a board member would see.

use std::fs;

use crate::common::*;

#[test]
fn demo_scorecard_shows_values_statuses_and_changes() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path());
    let latest = read(&out.path().join("index.html"));
    let october = read(&out.path().join("2026-10/index.html"));
    assert!(latest.contains("<h1>October 2026</h1>"));

    let cycle = tile(&october, "cycle-time");
    assert!(cycle.contains("7.1 days"), "{cycle}");
    assert!(
        cycle.contains("tile-red") && cycle.contains("Off target"),
        "status as colour class and as a word: {cycle}"
    );
    assert!(
        cycle.contains("−0.2 days") && cycle.contains("improving") && cycle.contains("since September 2026"),
        "{cycle}"
    );
    assert!(cycle.contains("Target 3.0 days"), "{cycle}");

    let cfr = tile(&october, "change-failure-rate");
    assert!(cfr.contains("4.6%") && cfr.contains("On target"), "{cfr}");

    let july = read(&out.path().join("2025-07/index.html"));
    let accuracy = tile(&july, "roadmap-accuracy");
    assert!(
        accuracy.contains("Not measured")
            && accuracy.contains("tile-none")
            && accuracy.contains("quarterly planning moved"),
        "a KPI left out on purpose reads not measured, with its note: {accuracy}"
    );

    for acc in
        ["software-delivery", "team-performance", "operational-reliability", "technical-quality", "roadmap-alignment"]
    {
        let page = read(&out.path().join(format!("2026-10/{acc}/index.html")));
        assert!(page.contains("class=\"prose\""), "{acc} has commentary");
    }
    assert!(october.contains("Executive summary"));
}

#[test]
fn every_url_of_the_contract_exists() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path());
    let o = out.path();
    for path in [
        "index.html",
        "archive/index.html",
        "kpis/index.html",
        "2026-10/index.html",
        "2026-10/operational-reliability/index.html",
        "2026-10/charts/time-to-restore.svg",
        "2026-10/data.json",
        "2026-10/data.csv",
        "2025-05/index.html",
        "2025-05/charts/lead-time.svg",
        "2026-Q3/index.html",
        "2026-Q3/team-performance/index.html",
        "2026-Q3/charts/cycle-time.svg",
        "2026-Q3/data.json",
        "2026-Q3/data.csv",
        "2026-Q3/board-report.pdf",
        "2026-Q3/board-report.html",
    ] {
        assert!(o.join(path).is_file(), "{path} missing");
    }
    let folders: Vec<String> = fs::read_dir(o)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("20"))
        .collect();
    assert_eq!(folders.iter().filter(|n| !n.contains("-Q")).count(), 18, "months");
    assert_eq!(folders.iter().filter(|n| n.contains("-Q")).count(), 2, "quarters: {folders:?}");
}

#[test]
fn data_files_hold_the_contract_fields() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path());
    let json: serde_json::Value = serde_json::from_str(&read(&out.path().join("2026-10/data.json"))).unwrap();
    assert_eq!(json["month"], "2026-10");
    let kpis = json["kpis"].as_array().unwrap();
    assert_eq!(kpis.len(), 11, "the ten of the built-in catalogue and the demo's deployment frequency");
    let cycle = kpis.iter().find(|k| k["id"] == "cycle-time").unwrap();
    assert_eq!(cycle["value"], 7.1);
    assert_eq!(cycle["status"], "red");
    assert_eq!(cycle["delta"], -0.2);
    for field in ["id", "name", "accountability", "unit", "value", "target", "red", "status", "delta", "note"] {
        assert!(cycle.get(field).is_some(), "data.json lacks {field}");
    }
    let missing = serde_json::from_str::<serde_json::Value>(&read(&out.path().join("2025-07/data.json"))).unwrap();
    let accuracy = missing["kpis"].as_array().unwrap().iter().find(|k| k["id"] == "roadmap-accuracy").unwrap().clone();
    assert!(accuracy["value"].is_null());
    assert_eq!(accuracy["status"], "none");
    let first = serde_json::from_str::<serde_json::Value>(&read(&out.path().join("2025-05/data.json"))).unwrap();
    assert!(first["kpis"][0]["delta"].is_null(), "no earlier value, no delta");

    let csv = read(&out.path().join("2026-10/data.csv"));
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("id,name,accountability,unit,"), "{header}");
    for col in ["value", "target", "red", "status", "delta", "note"] {
        assert!(header.split(',').any(|c| c == col), "data.csv lacks {col}");
    }
    assert!(csv.lines().any(|l| l.starts_with("cycle-time,") && l.contains(",red,")));
}

/// Every relative link and image in every page resolves to a file that exists,
/// and every `#fragment` to an element id in it.
#[test]
fn every_link_and_image_resolves() {
    for project in [repo(), repo().join("examples/minimal")] {
        let out = tempfile::tempdir().unwrap();
        build(&project, out.path());
        let checked = assert_links_resolve(out.path());
        assert!(checked > 50, "only {checked} links checked");
    }
}

#[test]
fn a_past_month_does_not_change_when_a_later_month_is_added() {
    let project = copy_project(&repo().join("examples/minimal"));
    let first = tempfile::tempdir().unwrap();
    build(project.path(), first.path());
    let before = tree(&first.path().join("2026-10"));

    let next = project.path().join("content/2026-11");
    fs::create_dir_all(&next).unwrap();
    fs::write(next.join("kpis.toml"), "lead-time = 9\ncycle-time = 2\n").unwrap();
    let second = tempfile::tempdir().unwrap();
    build(project.path(), second.path());
    assert_eq!(tree(&second.path().join("2026-10")), before, "2026-10 changed after 2026-11 was added");

    let november = read(&second.path().join("2026-11/index.html"));
    let lead = tile(&november, "lead-time");
    assert!(lead.contains("9.0 days") && lead.contains("+5.5 days") && lead.contains("worsening"), "{lead}");
    assert!(read(&second.path().join("index.html")).contains("<h1>November 2026</h1>"));
}

#[test]
fn minimal_example_builds_with_the_builtin_catalogue() {
    let out = tempfile::tempdir().unwrap();
    build(&repo().join("examples/minimal"), out.path());
    let html = read(&out.path().join("index.html"));
    assert!(html.contains("Minimal Ltd"));
    let lead = tile(&html, "lead-time");
    assert!(lead.contains("3.5 days") && lead.contains("Watch") && lead.contains("No earlier value"), "{lead}");
    let catalogue = read(&out.path().join("kpis/index.html"));
    assert!(catalogue.contains("Key-person concentration") && catalogue.contains("DORA"));
}

#[test]
fn two_builds_are_byte_identical_in_any_time_zone() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    build(&repo(), a.path());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["build", "--root", repo().to_str().unwrap(), "--output", b.path().to_str().unwrap()])
        .env("TZ", "Pacific/Chatham")
        .env("LC_ALL", "de_DE.UTF-8")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(tree(a.path()), tree(b.path()));
    let abs = repo().to_string_lossy().into_owned();
    for (path, bytes) in tree(a.path()) {
        assert!(!String::from_utf8_lossy(&bytes).contains(&abs), "{path} contains the absolute path {abs}");
    }
}

#[test]
fn every_setting_does_what_it_says() {
    let root = repo().join("tests/fixtures/every-setting");
    let project = copy_project(&root);
    // output_dir: with no --output, the site goes to site/.
    let o = boardpack(&["build", "--root", project.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = project.path().join("site");
    // base_url: canonical links, Open Graph URLs and a sitemap (the slash added).
    let index = read(&out.join("2026-10/index.html"));
    assert!(index.contains("<link rel=\"canonical\" href=\"https://reports.example.com/board/2026-10/\">"), "{index}");
    assert!(index.contains("<meta property=\"og:url\" content=\"https://reports.example.com/board/2026-10/\">"));
    let sitemap = read(&out.join("sitemap.xml"));
    for page in ["board/</loc>", "board/2026-09/</loc>", "board/2026-10/software-delivery/</loc>", "board/kpis/</loc>"]
    {
        assert!(sitemap.contains(page), "{page} missing from:\n{sitemap}");
    }
    assert!(!sitemap.contains("board-report"), "documents are not pages");
    // [markdown] allow_raw_html keeps the author's span.
    assert!(index.contains("<span class=\"house-note\">"), "raw HTML kept");
    // theme: the house PDF layout replaces the built-in one, and [pack] applies.
    let pdf = out.join("2026-10/board-report.pdf").to_string_lossy().into_owned();
    let text =
        String::from_utf8(std::process::Command::new("pdftotext").args([&pdf, "-"]).output().unwrap().stdout).unwrap();
    assert!(text.contains("House layout: October 2026"), "{text}");
    assert!(text.contains("Board confidential") && text.contains("Lead time for changes"), "{text}");
    let info = String::from_utf8(std::process::Command::new("pdfinfo").arg(&pdf).output().unwrap().stdout).unwrap();
    assert!(info.contains("612 x 792 pts (letter)"), "letter, portrait: {info}");
    // The single-file report carries no canonical link: it is a document, not a page.
    assert!(!read(&out.join("2026-10/board-report.html")).contains("canonical"));
}

#[test]
fn an_error_in_a_themes_pdf_layout_names_its_file_and_line() {
    let project = copy_project(&repo().join("tests/fixtures/every-setting"));
    let layout = project.path().join("themes/house/pack/report.typ");
    fs::write(&layout, read(&layout).replace("= House layout", "#no-such-function()\n= House layout")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = boardpack(&["build", "--root", project.path().to_str().unwrap(), "--output", out.path().to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("themes/house/pack/report.typ:11") && err.contains("unknown variable: no-such-function"),
        "{err}"
    );
}

/// A build with many warnings prints the first twenty and where to see the
/// rest, so its own result stays in sight; `check` prints them all.
#[test]
fn a_build_with_many_warnings_prints_twenty_and_says_where_the_rest_are() {
    let project = copy_project(&repo().join("examples/minimal"));
    // Three months of every KPI far off target, with no note: 30 unexplained reds.
    let reds = "lead-time = 30\ndelivery-predictability = 10\ncycle-time = 30\nkey-person-concentration = 90\n\
change-failure-rate = 60\ntime-to-restore = 300\ndefect-escape-rate = 90\nrework-ratio = 90\n\
business-outcome-share = 5\nroadmap-accuracy = 5\n";
    for month in ["2026-08", "2026-09", "2026-10"] {
        fs::create_dir_all(project.path().join("content").join(month)).unwrap();
        fs::write(project.path().join("content").join(month).join("kpis.toml"), reds).unwrap();
    }
    let out = project.path().join("public");
    let o = boardpack(&["build", "--root", project.path().to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("\nwarning: ").count() + usize::from(err.starts_with("warning: ")), 20, "{err}");
    assert!(err.contains("… and 10 more warning(s): run `boardpack check` to see them all (30 in all)"), "{err}");
    assert!(err.contains("built 3 month(s)"), "{err}");
    let check = stderr(&boardpack(&["check", "--root", project.path().to_str().unwrap()]));
    assert!(check.contains("0 error(s), 30 warning(s)"), "{check}");
}

/// The demo is also the record's showcase: a dated threshold, a KPI added
/// mid-history, four sealed months and one restatement, all as a user reads them.
#[test]
fn demo_shows_the_boards_record() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path());
    let o = out.path();

    // A KPI added in April 2026, tracked with no target.
    let march = read(&o.join("2026-03/index.html"));
    assert!(!march.contains("tile-deployment-frequency"), "not in months before its `since`");
    let october = read(&o.join("2026-10/index.html"));
    let deploys = tile(&october, "deployment-frequency");
    assert!(deploys.contains("24 per week") && deploys.contains("tile-neutral"), "{deploys}");

    // Time to restore: red at 24 hours until June 2026, at 8 hours from July.
    let june: serde_json::Value = serde_json::from_str(&read(&o.join("2026-06/data.json"))).unwrap();
    let july: serde_json::Value = serde_json::from_str(&read(&o.join("2026-07/data.json"))).unwrap();
    let red = |v: &serde_json::Value| {
        v["kpis"].as_array().unwrap().iter().find(|k| k["id"] == "time-to-restore").unwrap()["red"].clone()
    };
    assert_eq!((red(&june), red(&july)), (serde_json::json!(24.0), serde_json::json!(8.0)));

    // Sealed months serve the pack as sent; verify accepts it.
    for month in ["2026-06", "2026-07", "2026-08", "2026-09"] {
        let sealed = repo().join(format!("content/{month}/board-pack.zip"));
        assert_eq!(fs::read(o.join(format!("{month}/board-pack.zip"))).unwrap(), fs::read(&sealed).unwrap());
        let v = boardpack(&["verify", "--root", repo().to_str().unwrap(), sealed.to_str().unwrap()]);
        assert!(v.status.success(), "{month}: {}", stderr(&v));
    }

    // August's key-person concentration, restated in October: notice on August,
    // the list on October.
    let august = read(&o.join("2026-08/index.html"));
    assert!(august.contains("Corrected after it was sent") && august.contains("42% → 46%"), "{august}");
    assert!(october.contains("Corrections to reports already sent") && october.contains("the invoicing job"));
}

/// A theme's `row.html` shapes every row of every KPI table, on the pages and
/// in the single-file report, in any catalogue and script, missing values and
/// notes included; a mistake in it names the file, the KPI and the month.
#[test]
fn a_themes_row_template_shapes_every_table_row_and_a_mistake_in_it_names_it() {
    let project = copy_project(&repo().join("tests/fixtures/locale-ja"));
    let templates = project.path().join("themes/wa/templates");
    fs::create_dir_all(&templates).unwrap();
    let row = "{# The house row. #}\n<tr class=\"wa-row wa-{{ r.status }}\"><td>{{ r.month }}</td><td>{% if r.value %}{{ r.value }}{% else %}記録なし{% endif %}</td><td>{% if r.note %}{{ r.note }}{% endif %}</td></tr>\n";
    fs::write(templates.join("row.html"), row).unwrap();
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path());
    let page = read(&out.path().join("2026-10/reliability/index.html"));
    assert!(!page.contains("scope=\"row\""), "no built-in rows left: {page}");
    // Time to restore went unreported in October: the row says so, in the theme's words.
    assert!(page.contains("<tr class=\"wa-row wa-none\"><td>2026年10月</td><td>記録なし</td><td></td></tr>"), "{page}");
    let delivery = read(&out.path().join("2026-10/delivery/index.html"));
    assert!(delivery.contains("<td>2026年10月</td><td>96.2%</td><td>自動テストの拡充が効いた</td></tr>"), "{delivery}");
    // Three months of two KPIs, each row placed whole where the table is.
    assert_eq!(delivery.matches("\n          <tr class=\"wa-row").count(), 6, "{delivery}");
    // September's page shows September's rows, made once and placed in both months' tables.
    let september = read(&out.path().join("2026-09/delivery/index.html"));
    assert_eq!(september.matches("<tr class=\"wa-row").count(), 4, "{september}");
    let single = out.path().join("2026-10/board-report.html");
    if single.is_file() {
        assert_eq!(read(&single).matches("<tr class=\"wa-row").count(), page_rows(&out.path().join("2026-10")));
    }

    fs::write(templates.join("row.html"), "<tr><td>{{ r.month.no_such_field }}</td></tr>").unwrap();
    let broken = tempfile::tempdir().unwrap();
    let o =
        boardpack(&["build", "--root", project.path().to_str().unwrap(), "--output", broken.path().to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: themes/wa/templates/row.html"), "{err}");
    assert!(err.contains("in the table of `lead-time`") && err.contains("r.month.no_such_field"), "{err}");
    assert!(fs::read_dir(broken.path()).unwrap().next().is_none(), "nothing written");
}

/// The rows of every KPI table on a month's accountability pages.
fn page_rows(month: &std::path::Path) -> usize {
    fs::read_dir(month)
        .unwrap()
        .map(|e| e.unwrap().path().join("index.html"))
        .filter(|p| p.is_file())
        .map(|p| read(&p).matches("<tr class=\"wa-row").count())
        .sum()
}
