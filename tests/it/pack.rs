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
    String::from_utf8_lossy(&o.stdout).into_owned()
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
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (hash, size, name) = (parts[0], parts[1], parts[2]);
        let bytes = entry(&entries, name);
        let actual: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, actual, "{name}: hash");
        assert_eq!(size.parse::<usize>().unwrap(), bytes.len(), "{name}: size");
        listed += 1;
    }
    assert_eq!(listed, entries.len() - 1, "every file but the manifest is listed");

    let history = String::from_utf8(entry(&entries, "data/kpis.csv").to_vec()).unwrap();
    assert!(history.starts_with("month,id,name,"));
    assert_eq!(history.lines().count(), 1 + 18 * 10, "every month up to this one");
    let source = String::from_utf8(entry(&entries, "commentary/summary.md").to_vec()).unwrap();
    assert_eq!(source, read(&repo().join("content/2026-10/summary.md")), "commentary exactly as written");
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
fn a_rebuild_reuses_unchanged_pdfs_and_typesets_changed_months_again() {
    let project = copy_project(&repo().join("examples/portfolio/companies/northwind-logistics"));
    let out = tempfile::tempdir().unwrap();
    let build_once = || {
        let o =
            boardpack(&["build", "--root", project.path().to_str().unwrap(), "--output", out.path().to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    assert!(!build_once().contains("reused"), "a first build typesets every PDF");
    assert!(build_once().contains("(12 PDF(s) unchanged, reused from the last build)"));

    // An edited month is typeset again; so is a PDF that changed in the output folder.
    let summary = project.path().join("content/2026-10/summary.md");
    fs::write(&summary, format!("{}\nOne more sentence for the board.\n", read(&summary))).unwrap();
    assert!(build_once().contains("(11 PDF(s) unchanged"));
    fs::write(out.path().join("2026-09/board-report.pdf"), b"%PDF-1.7 not the report").unwrap();
    assert!(build_once().contains("(11 PDF(s) unchanged"), "the tampered PDF is not trusted");

    // Reused or not, the site is byte for byte what a fresh build makes.
    let fresh = tempfile::tempdir().unwrap();
    build(project.path(), fresh.path());
    assert_eq!(tree(out.path()), tree(fresh.path()));
    let text = tool("pdftotext", &[out.path().join("2026-10/board-report.pdf").to_str().unwrap(), "-"]);
    assert!(text.contains("One more sentence for the board."));
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
