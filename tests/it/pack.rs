//! The board pack: a PDF a board can read, a single-file HTML report, and a zip
//! that is the same bytes every time. The PDF is read with poppler-utils and
//! qpdf, the tools a company secretary's machine would have.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use sha2::{Digest, Sha256};

fn pack(root: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec!["pack", "--root", root.to_str().unwrap(), "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = boardpack(&args);
    assert!(o.status.success(), "pack failed:\n{}", stderr(&o));
    let zips: Vec<PathBuf> = fs::read_dir(out).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(zips.len(), 1, "{zips:?}");
    zips.into_iter().next().unwrap()
}

fn entries(zip_path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(fs::File::open(zip_path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect()
}

fn entry<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &entries.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name} in the pack")).1
}

/// Runs a poppler or qpdf tool; these come from Debian (`poppler-utils`, `qpdf`), which `.ci/run` installs.
fn tool(program: &str, args: &[&str]) -> String {
    let o = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed to read the PDF ({e}): apt-get install poppler-utils qpdf"));
    assert!(o.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    as_seen(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Every font of the PDF is embedded (pdffonts' `emb` column, fifth from the end).
fn assert_fonts_embedded(pdf: &str) {
    let fonts = tool("pdffonts", &[pdf]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty());
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
    }
}

fn write_pdf(entries: &[(String, Vec<u8>)], dir: &Path) -> String {
    let path = dir.join("board-report.pdf");
    fs::write(&path, entry(entries, "board-report.pdf")).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_pack_holds_every_part_and_its_manifest_checks_out() {
    let out = tempfile::tempdir().unwrap();
    let zip = pack(&repo(), out.path(), &[]);
    assert_eq!(zip.file_name().unwrap(), "larkspur-freight-2026-10-board-pack.zip");
    let entries = entries(&zip);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries are in name order");
    for needed in [
        "MANIFEST.txt",
        "board-report.pdf",
        "board-report.html",
        "charts/lead-time.svg",
        "charts/roadmap-accuracy.svg",
        "commentary/summary.md",
        "commentary/team-performance.md",
        "data/kpis.csv",
        "data/kpis.json",
        "kpi-definitions.md",
    ] {
        assert!(names.contains(&needed), "{needed} missing from {names:?}");
    }
    let manifest = String::from_utf8(entry(&entries, "MANIFEST.txt").to_vec()).unwrap();
    let mut listed = 0;
    for line in manifest.lines() {
        let (hash, name) = line.split_once("  ").unwrap_or_else(|| panic!("not `HASH  NAME`: {line}"));
        let bytes = entry(&entries, name);
        let actual: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, actual, "{name}: hash");
        listed += 1;
    }
    assert_eq!(listed, entries.len() - 1, "every file but the manifest is listed");

    let history = String::from_utf8(entry(&entries, "data/kpis.csv").to_vec()).unwrap();
    assert!(history.starts_with("month,id,name,"));
    assert_eq!(history.lines().count(), 1 + 18 * 10 + 7, "every month up to this one, each KPI from its `since`");
    let source = String::from_utf8(entry(&entries, "commentary/summary.md").to_vec()).unwrap();
    assert_eq!(source, read(&repo().join("content/2026-10/summary.md")), "commentary exactly as written");
}

/// `sha256sum -c MANIFEST.txt` (GNU coreutils, as a board secretary would
/// run it) in the extracted pack accepts every file, and notices one changed byte.
#[test]
fn the_manifest_checks_with_sha256sum() {
    let out = tempfile::tempdir().unwrap();
    let zip = pack(&repo().join("examples/minimal"), out.path(), &[]);
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in entries(&zip) {
        let path = dir.path().join(&name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    let check = || Command::new("sha256sum").args(["-c", "--strict", "MANIFEST.txt"]).current_dir(dir.path()).output();
    let o = check().expect("sha256sum (GNU coreutils) is needed");
    let said = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "sha256sum -c failed:\n{said}");
    assert!(said.contains("board-report.pdf: OK") && said.contains("data/kpis.csv: OK"), "{said}");
    assert!(!said.contains("WARNING"), "{said}");

    let csv = dir.path().join("data/kpis.csv");
    let mut bytes = fs::read(&csv).unwrap();
    bytes[0] ^= 1;
    fs::write(&csv, bytes).unwrap();
    let o = check().unwrap();
    let said = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "a changed byte went unnoticed:\n{said}");
    assert!(said.contains("data/kpis.csv: FAILED"), "{said}");
}

#[test]
fn the_same_input_gives_the_same_zip_in_any_time_zone() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = pack(&repo(), a.path(), &[]);
    let o = Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["pack", "--root", repo().to_str().unwrap(), "--output", b.path().to_str().unwrap()])
        .env("TZ", "America/St_Johns")
        .env("SOURCE_DATE_EPOCH", "1")
        .output()
        .unwrap();
    assert!(o.status.success());
    let second = b.path().join(first.file_name().unwrap());
    assert_eq!(fs::read(&first).unwrap(), fs::read(&second).unwrap(), "zip bytes differ between runs");
    let mut archive = zip::ZipArchive::new(fs::File::open(&first).unwrap()).unwrap();
    let modified = archive.by_index(0).unwrap().last_modified().unwrap();
    assert_eq!((modified.year(), modified.month(), modified.day()), (2026, 10, 1), "entry times come from the month");
}

#[test]
fn the_pdf_opens_with_scorecard_outline_fonts_and_fixed_dates() {
    let out = tempfile::tempdir().unwrap();
    let entries = entries(&pack(&repo(), out.path(), &[]));
    let pdf = write_pdf(&entries, out.path());

    tool("qpdf", &["--check", &pdf]);
    let info = tool("pdfinfo", &[&pdf]);
    let pages: usize = info.lines().find(|l| l.starts_with("Pages:")).unwrap()[6..].trim().parse().unwrap();
    assert!(pages >= 8, "{pages} pages");
    assert!(info.contains("Title:           Engineering report to the board — October 2026"), "{info}");
    assert!(info.contains("Author:          Larkspur Freight"), "{info}");
    assert!(info.contains("Subject:         October 2026"), "{info}");
    assert!(info.contains("CreationDate:    Thu Oct  1 00:00:00 2026 UTC"), "{info}");
    assert!(info.contains("Page size:       841.89 x 595.276 pts (A4)"), "page 1 is A4 landscape: {info}");

    assert_fonts_embedded(&pdf);

    // Names wrap inside tiles, so compare with runs of whitespace made single spaces.
    let page1 = tool("pdftotext", &["-f", "1", "-l", "1", &pdf, "-"]).split_whitespace().collect::<Vec<_>>().join(" ");
    // Every KPI's name and value as the web scorecard shows them.
    let site = tempfile::tempdir().unwrap();
    build(&repo(), site.path());
    let scorecard = read(&site.path().join("2026-10/index.html"));
    let data: serde_json::Value = serde_json::from_str(&read(&site.path().join("2026-10/data.json"))).unwrap();
    for kpi in data["kpis"].as_array().unwrap() {
        let (id, name) = (kpi["id"].as_str().unwrap(), kpi["name"].as_str().unwrap());
        let html = tile(&scorecard, id);
        let value = html.split("<p class=\"tile-value\">").nth(1).unwrap().split('<').next().unwrap();
        assert!(page1.contains(name), "page 1 lacks {name}");
        assert!(!value.is_empty() && page1.contains(value), "page 1 lacks {name} = {value}");
    }
    assert!(page1.contains("OFF TARGET") && page1.contains("Needs the board’s attention"), "{page1}");

    let outline = tool("qpdf", &["--json", "--json-key=outlines", &pdf]);
    let json: serde_json::Value = serde_json::from_str(&outline).unwrap();
    let mut titles = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        for item in v.as_array().into_iter().flatten() {
            out.push(item["title"].as_str().unwrap_or_default().to_string());
            walk(&item["kids"], out);
        }
    }
    walk(&json["outlines"], &mut titles);
    for needed in [
        "Scorecard, October 2026",
        "Executive summary",
        "Software delivery",
        "Time to restore service",
        "Roadmap & business alignment",
        "Appendix: KPI definitions",
    ] {
        assert!(titles.iter().any(|t| t == needed), "outline lacks {needed}: {titles:?}");
    }
    let contents = tool("pdftotext", &["-f", "2", "-l", "2", &pdf, "-"]);
    assert!(contents.contains("Contents"), "a table of contents on page 2");
}

#[test]
fn every_markdown_construct_reaches_the_pdf_and_settings_apply() {
    let out = tempfile::tempdir().unwrap();
    let entries = entries(&pack(&repo().join("tests/fixtures/markdown-everything"), out.path(), &[]));
    let pdf = write_pdf(&entries, out.path());
    let text = tool("pdftotext", &[&pdf, "-"]);
    for word in [
        "Aardvark",
        "Bison",
        "Camel",
        "Dingo",
        "Eland",
        "Ferret",
        "Gazelle",
        "Heron",
        "Ibex",
        "Jackal",
        "Koala",
        "Lemur",
        "Marmot",
        "Narwhal",
        "Ocelot",
        "Panther",
        "Quokka",
        "Raven",
        "Stoat",
        "Tapir",
        "Urchin",
        "Vole",
        "Wombat",
        "Xerus",
        "Zebra",
        "Albatross",
    ] {
        assert!(text.contains(word), "{word} is missing from the PDF");
    }
    // Straight quotes become typographic ones, as on the web pages.
    assert!(text.contains("# $ * _ [ ] \\ “ < > @ = ~"), "special characters come through as text");
    assert!(text.contains("Yeti") && !text.contains("<span>"), "inline HTML tags are dropped, their text kept");
    assert!(!text.contains("Yak") && !text.contains("alert("), "HTML blocks stay out of the PDF");
    assert!(text.contains("Board confidential"), "the confidentiality line is in the footer");
    let info = tool("pdfinfo", &[&pdf]);
    assert!(info.contains("792 x 612 pts (letter)"), "letter paper: {info}");
    assert!(info.contains("Author:          Coverage & Co <Test>"));
}

#[test]
fn the_single_file_report_requests_nothing_else() {
    let out = tempfile::tempdir().unwrap();
    let entries = entries(&pack(&repo(), out.path(), &[]));
    let html = String::from_utf8(entry(&entries, "board-report.html").to_vec()).unwrap();
    assert!(!html.contains("<link"), "no stylesheet links");
    assert!(!html.contains("url("), "no CSS urls");
    for src in attribute_values(&html, "src") {
        assert!(src.starts_with("data:"), "src to another file or host: {src}");
    }
    for href in attribute_values(&html, "href") {
        // Links an author wrote in commentary stay clickable; opening the report requests none of them.
        let ok = href.starts_with('#')
            || href.starts_with("data:")
            || href.starts_with("https://")
            || href.starts_with("mailto:");
        assert!(ok, "href to a file: {href}");
        if let Some(id) = href.strip_prefix('#') {
            assert!(html.contains(&format!("id=\"{id}\"")), "anchor #{id} has no target");
        }
    }
    assert!(html.contains("<svg role=\"img\""), "charts are inline");
    assert!(html.contains("7.1 days") && html.contains("Off target"));
}

#[test]
fn pack_takes_a_month_and_names_a_missing_one() {
    let out = tempfile::tempdir().unwrap();
    let zip = pack(&repo().join("examples/minimal"), out.path(), &["--month", "2026-10"]);
    assert_eq!(zip.file_name().unwrap(), "minimal-ltd-2026-10-board-pack.zip");
    let o = boardpack(&[
        "pack",
        "--root",
        "examples/minimal",
        "--month",
        "2031-01",
        "--output",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no month 2031-01") && stderr(&o).contains("2026-10"), "{}", stderr(&o));
}

#[test]
fn build_publishes_each_months_pdf_and_html_and_links_them() {
    let out = tempfile::tempdir().unwrap();
    build(&repo().join("examples/minimal"), out.path());
    let pdf = fs::read(out.path().join("2026-10/board-report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(out.path().join("2026-10/board-report.html").is_file());
    let scorecard = read(&out.path().join("index.html"));
    assert!(scorecard.contains("href=\"2026-10/board-report.pdf\"") && scorecard.contains("Download board pack (PDF)"));
}

#[test]
fn a_portfolio_packs_each_company_and_the_overview_as_a_pdf() {
    let out = tempfile::tempdir().unwrap();
    let root = repo().join("examples/portfolio");
    let o = boardpack(&[
        "pack",
        "--root",
        root.to_str().unwrap(),
        "--month",
        "2026-08",
        "--output",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "pack failed:\n{}", stderr(&o));
    assert!(stderr(&o).contains("no pack for Globex Retail: no report for August 2026"), "{}", stderr(&o));
    let mut names: Vec<String> =
        fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "initech-payments-2026-08-board-pack.zip",
            "northwind-logistics-2026-08-board-pack.zip",
            "portfolio-engineering-review-2026-08-portfolio-overview.pdf",
            "umbrella-health-2026-08-board-pack.zip",
        ]
    );

    // A company's pack is exactly the one it makes alone.
    let alone = tempfile::tempdir().unwrap();
    let single = pack(&root.join("companies/northwind-logistics"), alone.path(), &["--month", "2026-08"]);
    let together = out.path().join("northwind-logistics-2026-08-board-pack.zip");
    assert_eq!(fs::read(single).unwrap(), fs::read(together).unwrap());

    // The overview PDF: one landscape page, every company and KPI named, absence said in words.
    let pdf = out.path().join("portfolio-engineering-review-2026-08-portfolio-overview.pdf");
    let pdf = pdf.to_str().unwrap();
    tool("qpdf", &["--check", pdf]);
    let info = tool("pdfinfo", &[pdf]);
    assert!(info.contains("Title:           Portfolio engineering review — August 2026"), "{info}");
    assert!(info.contains("841.89 x 595.276 pts (A4)"), "{info}");
    let text = tool("pdftotext", &["-layout", pdf, "-"]);
    for want in [
        "Northwind Logistics",
        "Globex Retail",
        "Initech Payments",
        "Umbrella Health",
        "No report this",
        "Lead time for",
        "Deployment",
        "Not tracked",
        "Portfolio median",
    ] {
        assert!(text.contains(want), "{want} missing from the overview PDF:\n{text}");
    }
    assert_fonts_embedded(pdf);
    // A month no company reported is named, with the months there are.
    let o = boardpack(&[
        "pack",
        "--root",
        root.to_str().unwrap(),
        "--month",
        "2020-01",
        "--output",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no month 2020-01 for any company") && stderr(&o).contains("2025-11"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_rebuild_reuses_unchanged_months_and_a_warm_cache_builds_what_a_cold_one_does() {
    let project = copy_project(&repo().join("examples/portfolio/companies/northwind-logistics"));
    let root = project.path();
    let out = tempfile::tempdir().unwrap();
    let build_into = |dir: &Path| {
        let o = boardpack(&["build", "--root", root.to_str().unwrap(), "--output", dir.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    let first = build_into(out.path());
    assert!(
        !first.contains("taken from") && !first.contains("from the cache"),
        "a first build makes everything: {first}"
    );
    let cache = root.join(".boardpack/cache");
    assert_eq!(cache.join("pdf").read_dir().unwrap().count(), 12, "12 PDFs are named by their key");
    assert!(cache.join("files").read_dir().unwrap().count() > 12 * 10, "every file of every month is kept");
    assert!(build_into(out.path()).contains("(12 unchanged month(s) taken from the previous build)"));

    // An edited month is made again; the others are taken as they were.
    let summary = root.join("content/2026-10/summary.md");
    fs::write(&summary, format!("{}\nOne more sentence for the board.\n", read(&summary))).unwrap();
    assert!(build_into(out.path()).contains("(11 unchanged month(s) taken from the previous build)"));
    // A file changed in the output since is not trusted: its month is taken from the cache instead.
    fs::write(out.path().join("2026-09/board-report.pdf"), b"%PDF-1.7 not the report").unwrap();
    let after = build_into(out.path());
    assert!(
        after.contains("(11 unchanged month(s) taken from the previous build, 1 month(s) from the cache)"),
        "{after}"
    );

    // A warm cache into a fresh folder: every month taken whole, the same bytes as a cold build.
    let warm = tempfile::tempdir().unwrap();
    assert!(build_into(warm.path()).contains("(12 month(s) from the cache)"));
    let cold = cold_build(root);
    assert_eq!(tree(warm.path()), tree(cold.path()), "a warm cache builds what a cold one does");
    assert_eq!(tree(out.path()), tree(cold.path()), "so does a rebuild that reused months");
    let text = tool("pdftotext", &[out.path().join("2026-10/board-report.pdf").to_str().unwrap(), "-"]);
    assert!(text.contains("One more sentence for the board."));

    // A tampered cache entry is not trusted: that month is made again, its
    // PDF typeset again, correctly.
    let kept = |name: &str| {
        let index = read(&cache.join("months"));
        let line = index.lines().find(|l| l.ends_with(&format!(" {name}"))).unwrap().to_string();
        cache.join("files").join(line.split(' ').nth(1).unwrap())
    };
    // (Replaced, not written into: a file kept in the cache is also every
    // published file built from it, which is why the cache never writes into one.)
    let tamper = |path: PathBuf, bytes: &[u8]| {
        fs::remove_file(&path).unwrap();
        fs::write(&path, bytes).unwrap();
    };
    tamper(kept("board-report.pdf"), b"%PDF-1.7 tampered");
    let again = tempfile::tempdir().unwrap();
    let rebuilt = build_into(again.path());
    assert!(rebuilt.contains("(11 month(s) from the cache)"), "{rebuilt}");
    assert_eq!(tree(again.path()), tree(cold.path()));

    // Nor is a tampered single-file report: that month is made again (its
    // PDF, intact, still comes from the cache).
    tamper(kept("board-report.html"), b"<!doctype html><title>tampered</title>");
    let third = tempfile::tempdir().unwrap();
    let rebuilt = build_into(third.path());
    assert!(rebuilt.contains("(11 month(s) from the cache, 1 PDF(s) from the cache)"), "{rebuilt}");
    assert_eq!(tree(third.path()), tree(cold.path()), "the tampered report is not published");
    assert_eq!(tree(warm.path()), tree(cold.path()), "nor does it reach a site published before");
}

/// The text of pages `first` to `last` of a PDF, runs of whitespace made single
/// spaces (names wrap inside tiles and columns).
fn page_text(pdf: &str, first: usize, last: usize) -> String {
    let text = tool("pdftotext", &["-f", &first.to_string(), "-l", &last.to_string(), pdf, "-"]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Page 1 holds the whole scorecard and the whole attention list, however large
/// the catalogue (up to 8 accountabilities × 3 KPIs) and however long the notes,
/// on A4 and letter, portrait and landscape; page 2 is the table of contents.
#[test]
fn page_one_holds_every_kpi_and_the_whole_attention_list() {
    for fixture in ["scorecard-5x2", "scorecard-6x2", "scorecard-8x3"] {
        for orientation in ["landscape", "portrait"] {
            for paper in ["a4", "letter"] {
                let what = format!("{fixture}, {paper} {orientation}");
                let project = copy_project(&repo().join("tests/fixtures").join(fixture));
                let config = project.path().join("boardpack.toml");
                let settings = format!("\n[pack]\npaper = \"{paper}\"\nscorecard_orientation = \"{orientation}\"\n");
                fs::write(&config, read(&config) + &settings).unwrap();
                let out = tempfile::tempdir().unwrap();
                let entries = entries(&pack(project.path(), out.path(), &[]));
                let pdf = write_pdf(&entries, out.path());
                let page1 = page_text(&pdf, 1, 1);

                let history: serde_json::Value = serde_json::from_slice(entry(&entries, "data/kpis.json")).unwrap();
                let month = history["months"].as_array().unwrap().last().unwrap();
                let mut attention = 0;
                for kpi in month["kpis"].as_array().unwrap() {
                    let name = kpi["name"].as_str().unwrap();
                    assert!(page1.contains(name), "{what}: page 1 lacks {name}:\n{page1}");
                    // The status as words within a sentence (i18n `status.inline`).
                    let label = match kpi["status"].as_str().unwrap() {
                        "red" => "off target",
                        "amber" => "to watch",
                        _ => continue,
                    };
                    // The attention list names each red and amber KPI with its status in words.
                    let entry = format!("{name} ({label})");
                    assert!(page1.contains(&entry), "{what}: the attention list on page 1 lacks {entry}:\n{page1}");
                    attention += 1;
                }
                assert!(attention >= 6, "{what}: the fixture should have a long attention list");
                let page2 = page_text(&pdf, 2, 2);
                let before = page2.split("Contents").next().unwrap();
                assert_eq!(
                    before.trim(),
                    "Scorecard Fit Ltd · Engineering report to the board October 2026",
                    "{what}: page 2 starts with something other than the contents:\n{page2}"
                );
            }
        }
    }
}

/// No page of the PDF holds rows spilled from a KPI's table: each KPI's chart
/// and its 12-month table share a page. Read per page with `pdftotext -layout`:
/// a table's header line ("Month Value Status Note", which Typst repeats on every
/// page a table continues onto) must sit on a page with as many chart headings
/// (the "target …, red beyond …" line above each chart), and with all its month
/// rows (twelve, or as many months as the report has).
#[test]
fn each_kpis_table_shares_a_page_with_its_chart() {
    // A table has the year-before column only where a month in it has one.
    let is_table_header = |l: &str| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words == ["Month", "Value", "Status", "Note"]
            || words == ["Month", "Value", "Status", "On", "a", "year", "before", "Note"]
    };
    const MONTHS: &str = "January February March April May June July August September October November December";
    for root in [repo(), repo().join("tests/fixtures/scorecard-8x3")] {
        let out = tempfile::tempdir().unwrap();
        let entries = entries(&pack(&root, out.path(), &[]));
        let pdf = write_pdf(&entries, out.path());
        let history: serde_json::Value = serde_json::from_slice(entry(&entries, "data/kpis.json")).unwrap();
        let per_table = history["months"].as_array().unwrap().len().min(12);
        let text = tool("pdftotext", &["-layout", &pdf, "-"]);
        let mut tables = 0;
        for (i, page) in text.split('\u{c}').enumerate() {
            let lines: Vec<&str> = page.lines().map(str::trim).collect();
            let headers = lines.iter().filter(|l| is_table_header(l)).count();
            let charts = lines.iter().filter(|l| l.contains(", red beyond ") || l.contains("no target, ")).count();
            // Month rows count from the page's first table header: page 1's
            // list of corrections also starts with a month.
            let first_table = lines.iter().position(|l| is_table_header(l));
            let rows = lines[first_table.unwrap_or(lines.len())..]
                .iter()
                .filter(|l| {
                    // A row: a month, its year, then its value and status.
                    let words: Vec<&str> = l.split_whitespace().collect();
                    words.len() > 3
                        && MONTHS.split(' ').any(|m| m == words[0])
                        && words[1].len() == 4
                        && words[1].chars().all(|c| c.is_ascii_digit())
                })
                .count();
            let at = format!("{}, page {}", root.display(), i + 1);
            assert_eq!(headers, charts, "{at}: {headers} table(s) but {charts} chart(s):\n{page}");
            assert_eq!(rows, per_table * headers, "{at}: {rows} month rows for {headers} table(s):\n{page}");
            tables += headers;
        }
        assert!(tables >= 10, "{}: only {tables} tables found", root.display());
    }
}

/// The PDF keeps the links the pages keep and no other: of the commentary's
/// `javascript:`, `file:`, `smb:`, Windows share, `data:`, scheme-relative and
/// `https:` links, only the last becomes a `/URI` action (read with
/// `qpdf --qdf`, which writes every object uncompressed); the others keep their text.
#[test]
fn the_pdf_links_only_to_web_addresses() {
    let out = tempfile::tempdir().unwrap();
    let entries = entries(&pack(&repo().join("tests/fixtures/hostile-commentary"), out.path(), &[]));
    let pdf = write_pdf(&entries, out.path());
    let qdf = out.path().join("qdf.pdf");
    tool("qpdf", &["--qdf", "--object-streams=disable", &pdf, qdf.to_str().unwrap()]);
    let raw = String::from_utf8_lossy(&fs::read(&qdf).unwrap()).into_owned();
    let uris: Vec<&str> = raw.split("/URI (").skip(1).map(|rest| &rest[..rest.find(')').unwrap()]).collect();
    assert_eq!(uris, ["https://example.com/safe"], "link actions in the PDF");
    for scheme in ["javascript:", "file:", "smb:", "\\\\host", "data:", "evil.example"] {
        assert!(!raw.contains(scheme), "{scheme} reached the PDF");
    }
    let text = page_text(&pdf, 1, 99);
    for kept in ["script link", "password file", "file share", "windows share", "data link", "scheme relative"] {
        assert!(text.contains(kept), "the text of the {kept} is kept");
    }
}

/// A word too long for a line (420 characters with no space), 300 characters of
/// inline code, a code block and a note of that kind wrap at the margin: read
/// with `pdftotext -bbox`, no word on any page ends beyond the page's right
/// margin (12 mm on page 1, 20 mm after). The text copied out of the PDF is
/// the text as written: the whole word, with no invisible characters added.
#[test]
fn long_words_and_code_wrap_inside_the_margins() {
    let out = tempfile::tempdir().unwrap();
    let entries = entries(&pack(&repo().join("tests/fixtures/hostile-commentary"), out.path(), &[]));
    let pdf = write_pdf(&entries, out.path());
    let bbox = tool("pdftotext", &["-bbox", &pdf, "-"]);
    let number = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    let mm = 72.0 / 25.4;
    let mut words = 0;
    for (i, page) in bbox.split("<page ").skip(1).enumerate() {
        let margin = if i == 0 { 12.0 * mm } else { 20.0 * mm };
        let right = number(page, "width") - margin + 0.5;
        for word in page.split("<word ").skip(1) {
            let text = &word[word.find('>').unwrap() + 1..word.find("</word>").unwrap()];
            let x_max = number(word, "xMax");
            assert!(
                x_max <= right,
                "page {}: {text:?} ends at {x_max:.1} pt, beyond the margin at {right:.1} pt",
                i + 1
            );
            words += 1;
        }
    }
    assert!(words > 500, "{words} words");
    let text: String = tool("pdftotext", &[&pdf, "-"]).split_whitespace().collect();
    assert!(text.contains(&"BuildArtifactChecksum".repeat(20)), "the long word is whole");
    assert!(text.contains(&"a.b(c)".repeat(50)), "the long code is whole");
    assert!(!text.contains('\u{200b}'), "no zero-width spaces in the copied text");
}

/// A KPI left out on purpose (a note, no value) reads "Not measured" with its
/// note, and one with no line "No data"; both show their last value and its
/// month instead of claiming there is none. The data files keep status `none`.
/// On the scorecard page, in the single-file report and on page 1 of the PDF.
#[test]
fn a_kpi_not_measured_shows_its_last_value_and_why() {
    let root = repo().join("tests/fixtures/not-measured");
    let site = tempfile::tempdir().unwrap();
    build(&root, site.path());
    let scorecard = read(&site.path().join("2026-10/index.html"));
    let unmeasured = tile(&scorecard, "roadmap-accuracy");
    for want in [
        "badge-none",
        ">Not measured</span>",
        "Last value 78% in September 2026",
        "Quarterly planning moved to November",
    ] {
        assert!(unmeasured.contains(want), "the not-measured tile lacks {want}:\n{unmeasured}");
    }
    let forgotten = tile(&scorecard, "lead-time");
    assert!(forgotten.contains(">No data</span>") && forgotten.contains("Last value 3.2 days in September 2026"));
    for t in [unmeasured, forgotten] {
        assert!(!t.contains("No earlier value"), "{t}");
    }
    let single = read(&site.path().join("2026-10/board-report.html"));
    assert!(single.contains("Not measured") && single.contains("Last value 78% in September 2026"));
    let data: serde_json::Value = serde_json::from_str(&read(&site.path().join("2026-10/data.json"))).unwrap();
    let kpi = data["kpis"].as_array().unwrap().iter().find(|k| k["id"] == "roadmap-accuracy").unwrap();
    assert_eq!((kpi["status"].as_str(), kpi["value"].as_f64()), (Some("none"), None));

    let out = tempfile::tempdir().unwrap();
    let pdf = write_pdf(&entries(&pack(&root, out.path(), &[])), out.path());
    let page1 = page_text(&pdf, 1, 1);
    for want in [
        "Roadmap accuracy NOT MEASURED",
        "Last value 78% in September 2026 Note: Quarterly planning moved to November",
        "Target 1.0 days · lower is better Last value 3.2 days in September 2026",
    ] {
        assert!(page1.contains(want), "page 1 lacks {want}:\n{page1}");
    }
    assert!(!page1.contains("No earlier value"), "{page1}");
}

/// A small CJK font from Debian's fonts-wqy-microhei, which `.ci/run` installs
/// (5 MB: copied into a fixture at test time, never committed).
const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// Whether the CJK font is installed; in CI its absence is a failure, not a skip.
fn cjk_font() -> bool {
    let present = Path::new(CJK_FONT).is_file();
    assert!(present || std::env::var_os("CI").is_none(), "{CJK_FONT} missing: .ci/run installs fonts-wqy-microhei");
    if !present {
        eprintln!("skipped: {CJK_FONT} is not installed (apt-get install fonts-wqy-microhei)");
    }
    present
}

/// A report written in Japanese, with `fonts` copied into its `fonts/` folder.
fn japanese_report(fonts: &[&str]) -> tempfile::TempDir {
    let project = copy_project(&repo().join("examples/minimal"));
    let config = read(&project.path().join("boardpack.toml")).replace("Minimal Ltd", "日本語テスト株式会社");
    fs::write(project.path().join("boardpack.toml"), config).unwrap();
    fs::write(project.path().join("content/2026-10/summary.md"), "日本語の要約です。リードタイムは改善しました。\n")
        .unwrap();
    if !fonts.is_empty() {
        fs::create_dir(project.path().join("fonts")).unwrap();
        for font in fonts {
            let name = Path::new(font).file_name().unwrap();
            fs::copy(font, project.path().join("fonts").join(name)).unwrap();
        }
    }
    project
}

#[test]
fn a_japanese_report_is_set_in_the_projects_cjk_font() {
    if !cjk_font() {
        return;
    }
    let project = japanese_report(&[CJK_FONT]);
    let out = tempfile::tempdir().unwrap();
    let pdf = write_pdf(&entries(&pack(project.path(), out.path(), &[])), out.path());
    let fonts = tool("pdffonts", &[&pdf]);
    assert!(fonts.contains("WenQuanYi"), "the project's CJK font is embedded:\n{fonts}");
    assert_fonts_embedded(&pdf);
    let text = tool("pdftotext", &[&pdf, "-"]);
    assert!(text.contains("日本語の要約です"), "{text}");
    // The same fonts give the same bytes.
    let again = tempfile::tempdir().unwrap();
    let pdf2 = write_pdf(&entries(&pack(project.path(), again.path(), &[])), again.path());
    assert_eq!(fs::read(&pdf).unwrap(), fs::read(&pdf2).unwrap());
}

#[test]
fn without_a_cjk_font_no_font_is_embedded_for_it() {
    let project = japanese_report(&[]);
    let out = tempfile::tempdir().unwrap();
    let pdf = write_pdf(&entries(&pack(project.path(), out.path(), &[])), out.path());
    let fonts = tool("pdffonts", &[&pdf]);
    assert!(!fonts.contains("WenQuanYi") && !fonts.contains("CJK"), "{fonts}");
}
