//! Reports for any board: a report with `locale = "de-DE"` shows every word
//! boardpack writes in German — on the site, in the single-file report, in the
//! PDF and in the portfolio overview — while its data files stay
//! locale-neutral. A Japanese report shows its months and commentary in
//! Japanese, its theme's words where it brings them, and English beneath.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

/// Words and phrases the templates wrote in English before they were
/// translated. None may be left on a page of a report in another built-in
/// language (compared case-sensitively with what a reader meets: the text and
/// the aria-label, alt and title attributes, not class names). Words that are
/// the same in German, French or Spanish ("Status", "Scorecard", "Note",
/// "Catalogue", "Archive(s)", "Unit(é)") are not listed.
const ENGLISH_ON_PAGES: &[&str] = &[
    "Skip to content",
    "Latest report",
    "All months",
    "KPI definitions",
    "Board scorecard",
    "Status count",
    "Download board pack",
    "Single-file report",
    "Data (CSV)",
    "Data (JSON)",
    "Executive summary",
    "Needs the board",
    "Explained in the",
    "No explanation",
    "Commentary",
    "No commentary",
    "On target",
    "on target",
    "Off target",
    "off target",
    "Watch",
    "to watch",
    "No data",
    "no data",
    "No target",
    "no target",
    "Not measured",
    "Target",
    "target",
    "since",
    "Last value",
    "last value",
    "improving",
    "worsening",
    "lower is better",
    "higher is better",
    "What it measures",
    "How it is measured",
    "by month",
    "Month",
    "Value",
    "Monthly value",
    "Red threshold",
    "red beyond",
    "Red beyond",
    "Ringed",
    "Chart as SVG",
    "Breadcrumb",
    "Accountabilities",
    "Every report as it was sent",
    "Reports by month",
    "What each number means",
    "Direction",
    "tracked only",
    "Board report",
    "Contents",
    "Report",
    "days",
    "hours",
];

/// The same for the PDF, read with pdftotext.
const ENGLISH_IN_PDF: &[&str] = &[
    "Page 1 of",
    "Contents",
    "Appendix",
    "Needs the board",
    "Executive summary",
    "No commentary",
    "since",
    "Target",
    "target",
    "No target",
    "no target",
    "Last value",
    "last value",
    "improving",
    "worsening",
    "lower is better",
    "higher is better",
    "Month",
    "Value",
    "Ringed",
    "ON TARGET",
    "OFF TARGET",
    "WATCH",
    "No data",
    "no data",
    "How it is measured",
    "red beyond",
    "days",
    "hours",
    "Note:",
];

/// What a reader meets on a page: its text, and the words of its aria-label,
/// alt and title attributes, without markup, styles or class names.
fn words_on(html: &str) -> String {
    let mut html = html.to_string();
    while let Some(start) = html.find("<style") {
        let end = html[start..].find("</style>").map_or(html.len(), |e| start + e + "</style>".len());
        html.replace_range(start..end, " ");
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    for attr in ["aria-label", "alt", "title"] {
        for value in attribute_values(&html, attr) {
            text.push(' ');
            text.push_str(value);
        }
    }
    for (entity, c) in
        [("&#x27;", "'"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&#x2F;", "/"), ("&amp;", "&")]
    {
        text = text.replace(entity, c);
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every HTML file under `out`, by its path there, as a reader sees it.
fn pages(out: &Path) -> Vec<(String, String)> {
    tree(out)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, as_seen(String::from_utf8(bytes).unwrap())))
        .collect()
}

fn assert_no_english_pages(out: &Path, language: &str) {
    let pages = pages(out);
    assert!(pages.len() > 10, "{language}: only {} pages", pages.len());
    for (path, html) in &pages {
        let words = words_on(html);
        for english in ENGLISH_ON_PAGES {
            assert!(!words.contains(english), "{language}: {path} still says “{english}”:\n{words}");
        }
    }
}

fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is needed to read the PDF: apt-get install poppler-utils");
    assert!(o.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&o.stderr));
    as_seen(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The language the PDF declares for its text (the catalog's /Lang).
fn pdf_language(pdf: &Path, dir: &Path) -> String {
    let qdf = dir.join("readable.pdf");
    let o = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable", pdf.to_str().unwrap(), qdf.to_str().unwrap()])
        .output()
        .expect("qpdf is needed to read the PDF: apt-get install qpdf");
    assert!(o.status.success(), "qpdf failed: {}", String::from_utf8_lossy(&o.stderr));
    let bytes = fs::read(&qdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let at = text.find("/Lang (").expect("the PDF declares a language");
    text[at + 7..].split(')').next().unwrap().to_string()
}

fn german() -> std::path::PathBuf {
    repo().join("tests/fixtures/locale-de")
}

#[test]
fn a_german_report_writes_every_word_in_german() {
    let out = tempfile::tempdir().unwrap();
    build(&german(), out.path());
    let out = out.path();
    let scorecard = read(&out.join("2026-10/index.html"));
    assert!(scorecard.starts_with("<!DOCTYPE html>\n<html lang=\"de-DE\" dir=\"ltr\">"), "{scorecard}");
    assert!(scorecard.contains("<h1>Oktober 2026</h1>"));
    assert!(scorecard.contains("<title>Scorecard, Oktober 2026 · Nordlicht Logistik GmbH</title>"), "{scorecard}");
    // The counts in words, the number still emphasised.
    for count in ["<strong>2</strong> im Ziel", "<strong>1</strong> zu beobachten", "<strong>1</strong> Ziel verfehlt"]
    {
        assert!(scorecard.contains(count), "{count}: {scorecard}");
    }
    assert!(scorecard.contains("<strong>2</strong> ohne Daten") && scorecard.contains("<strong>1</strong> ohne Ziel"));

    let lead = tile(&scorecard, "durchlaufzeit");
    for want in ["2,4 Tage", "Beobachten", "Ziel 1,0 Tage", "je niedriger, desto besser", "−0,5 Tage", "verbessert"] {
        assert!(lead.contains(want), "{want}: {lead}");
    }
    assert!(lead.contains("gegenüber September 2026") && lead.contains("trend-improving"), "{lead}");
    let share = tile(&scorecard, "liefertreue");
    assert!(share.contains("81,2 %") && share.contains("+2,7 Pp.") && share.contains("Im Ziel"), "{share}");
    let failures = tile(&scorecard, "aenderungsfehlerrate");
    assert!(failures.contains("Ziel verfehlt") && failures.contains("verschlechtert"), "{failures}");
    assert!(failures.contains("Anmerkung</span> Zwei fehlerhafte Auslieferungen"), "{failures}");
    let cost = tile(&scorecard, "cloudkosten");
    assert!(cost.contains("4,85 €") && cost.contains("Ziel 5,00 €") && cost.contains("−0,13 €"), "{cost}");
    let missing = tile(&scorecard, "wiederherstellungszeit");
    assert!(
        missing.contains("Keine Daten") && missing.contains("Letzter Wert 3,5 Stunden im September 2026"),
        "{missing}"
    );
    let skipped = tile(&scorecard, "kundenzufriedenheit");
    assert!(skipped.contains("Nicht gemessen") && skipped.contains("Umfrage auf November verschoben"), "{skipped}");
    let untargeted = tile(&scorecard, "stoerungen");
    assert!(untargeted.contains("Ohne Ziel") && !untargeted.contains("Ziel 0"), "{untargeted}");

    for heading in ["Zusammenfassung", "Erfordert die Aufmerksamkeit des Boards", "Board-Scorecard"] {
        assert!(scorecard.contains(heading), "{heading}");
    }
    assert!(scorecard.contains("Änderungsfehlerrate</strong></a> <span class=\"muted\">(Ziel verfehlt)</span>: 17,5 %, Ziel 5,0 %; +5,0 Pp. verschlechtert."), "{scorecard}");
    assert!(
        scorecard.contains("Erläutert im <a href=\"../2026-10/auslieferung/index.html\">Kommentar</a>."),
        "{scorecard}"
    );
    for link in [
        "Board-Unterlagen herunterladen (PDF)",
        "Bericht als einzelne Datei (HTML)",
        "Daten (CSV)",
        "Aktueller Bericht",
        "Alle Monate",
        "KPI-Definitionen",
        "Zum Inhalt springen",
    ] {
        assert!(scorecard.contains(link), "{link}");
    }

    let operations = read(&out.join("2026-10/betrieb/index.html"));
    for want in [
        "aria-label=\"Navigationspfad\"",
        "aria-label=\"Verantwortungsbereiche, Oktober 2026\"",
        ">Kommentar</h2>",
        "Diagramm als SVG",
        "Monatswert",
        "Rote Schwelle",
        "Umkreist: ein Monat mit Anmerkung",
        "Was gemessen wird",
        "Änderungsfehlerrate nach Monat",
        "Ziel 5,0 %, rot ab 15,0 %",
        "letzter Wert 3,5 Stunden im September 2026",
        "<span class=\"muted\">keine Daten</span>",
    ] {
        assert!(operations.contains(want), "{want}: {operations}");
    }
    let economics = read(&out.join("2026-10/wirtschaftlichkeit/index.html"));
    assert!(economics.contains("Für diesen Verantwortungsbereich wurde für Oktober 2026 kein Kommentar geschrieben."));

    let archive = read(&out.join("archive/index.html"));
    for want in [
        "<h1>Alle Monate</h1>",
        "Archiv",
        "Jeder Bericht so, wie er versandt wurde",
        ">Monat</th>",
        ">Ziel verfehlt</th>",
        ">Ohne Ziel</th>",
        "1 Ziel verfehlt",
        "2 ohne Daten",
        "Juli 2026",
    ] {
        assert!(archive.contains(want), "{want}: {archive}");
    }
    let catalogue = read(&out.join("kpis/index.html"));
    for want in [
        "<h1>KPI-Definitionen</h1>",
        "<dt>Einheit</dt><dd>Tage</dd>",
        "<dt>Rot ab</dt><dd>7,0 Tage</dd>",
        "<dd>Keines, nur beobachtet</dd>",
        "Wie gemessen wird",
        "je höher, desto besser",
    ] {
        assert!(catalogue.contains(want), "{want}: {catalogue}");
    }

    let single = read(&out.join("2026-10/board-report.html"));
    assert!(single.contains("<html lang=\"de-DE\" dir=\"ltr\">"));
    for want in [
        "Bericht an das Board",
        "aria-label=\"Inhalt\"",
        "href=\"#summary-heading\">Zusammenfassung",
        "Erfordert die Aufmerksamkeit des Boards",
        "2,4 Tage",
        "4,85 €",
        "Monatswert",
    ] {
        assert!(single.contains(want), "{want}");
    }

    // Not a word of the templates' English anywhere on the site.
    assert_no_english_pages(out, "de");
}

#[test]
fn a_german_pdf_is_german_and_declares_its_language() {
    let out = tempfile::tempdir().unwrap();
    build(&german(), out.path());
    let pdf = out.path().join("2026-10/board-report.pdf");
    let text = pdf_text(&pdf);
    for want in [
        "Scorecard, Oktober 2026",
        "2 IM ZIEL",
        "1 ZIEL VERFEHLT",
        "2,4 Tage",
        "+2,7 Pp. verbessert gegenüber September 2026",
        "4,85 €",
        "Letzter Wert 3,5 Stunden im September 2026",
        "Erfordert die Aufmerksamkeit des Boards",
        "Änderungsfehlerrate (Ziel verfehlt)",
        "Anmerkung: Zwei fehlerhafte Auslieferungen",
        "Inhalt",
        "Zusammenfassung",
        "Für diesen Verantwortungsbereich wurde für Oktober 2026 kein Kommentar geschrieben.",
        "Umkreist: Oktober 2026: Zwei fehlerhafte Auslieferungen",
        "Monat",
        "Wert",
        "Anhang: KPI-Definitionen",
        "Einheit Tage",
        "ohne Ziel",
        "Wie gemessen wird:",
        "Seite 1 von 7",
    ] {
        assert!(text.contains(want), "{want} missing from the German PDF:\n{text}");
    }
    for english in ENGLISH_IN_PDF {
        assert!(!text.contains(english), "the German PDF still says “{english}”:\n{text}");
    }
    // Hyphenation, quotes and screen readers follow the report's language.
    assert_eq!(pdf_language(&pdf, out.path()), "de-DE");
}

#[test]
fn data_files_stay_locale_neutral() {
    let out = tempfile::tempdir().unwrap();
    build(&german(), out.path());
    let json: serde_json::Value = serde_json::from_str(&read(&out.path().join("2026-10/data.json"))).unwrap();
    let lead = json["kpis"].as_array().unwrap().iter().find(|k| k["id"] == "durchlaufzeit").unwrap();
    assert_eq!(lead["value"], serde_json::json!(2.4));
    assert_eq!(lead["status"], "amber");
    assert_eq!(lead["trend"], "improving");
    assert_eq!(lead["unit"], "days");
    let csv = read(&out.path().join("2026-10/data.csv"));
    assert!(csv.starts_with("id,name,accountability,unit,better,value,target,red,status,delta,trend,note\n"), "{csv}");
    assert!(
        csv.contains(
            "durchlaufzeit,Durchlaufzeit für Änderungen,auslieferung,days,lower,2.4,1.0,7.0,amber,-0.5,improving,"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("cloudkosten,Cloud-Kosten je Sendung,wirtschaftlichkeit,€,lower,4.85,5.0,6.0,green,"),
        "{csv}"
    );
    assert!(!csv.contains("2,4") && !csv.contains("Im Ziel") && !csv.contains("Beobachten"), "{csv}");
}

/// French and Spanish are built in too: the same report in either leaves no
/// English word of the templates on any page or in the PDF.
#[test]
fn french_and_spanish_leave_no_english_either() {
    for (tag, wanted) in [
        ("fr-FR", ["octobre 2026", "2,4 jours", "Points d’attention pour le conseil", "Page 1 sur"]),
        ("es-ES", ["octubre de 2026", "2,4 días", "Requiere la atención del consejo", "Página 1 de"]),
    ] {
        let project = copy_project(&german());
        let config = project.path().join("boardpack.toml");
        fs::write(&config, read(&config).replace("locale = \"de-DE\"", &format!("locale = \"{tag}\""))).unwrap();
        let out = tempfile::tempdir().unwrap();
        build(project.path(), out.path());
        let html = read(&out.path().join("index.html"));
        if tag == "fr-FR" {
            // The count emphasised without touching the escaped apostrophe (&#x27;) beside it.
            assert!(html.contains("<strong>2</strong> atteignent l&#x27;objectif"), "{html}");
        }
        let scorecard = words_on(&html);
        let pdf = pdf_text(&out.path().join("2026-10/board-report.pdf"));
        for want in wanted {
            assert!(scorecard.contains(want) || pdf.contains(want), "{tag}: {want}:\n{scorecard}\n{pdf}");
        }
        assert_no_english_pages(out.path(), tag);
        for english in ENGLISH_IN_PDF {
            assert!(!pdf.contains(english), "{tag}: the PDF still says “{english}”:\n{pdf}");
        }
    }
}

/// A theme's translation file changes the words it names and keeps every
/// other built-in word, on the pages and in the PDF.
#[test]
fn a_project_override_changes_one_word_and_keeps_the_rest() {
    let project = copy_project(&german());
    let config = project.path().join("boardpack.toml");
    fs::write(&config, read(&config) + "theme = \"haus\"\n").unwrap();
    let i18n = project.path().join("themes/haus/i18n");
    fs::create_dir_all(&i18n).unwrap();
    fs::write(i18n.join("de.toml"), "[status]\namber = \"Prüfen\"\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path());

    let scorecard = read(&out.path().join("index.html"));
    let lead = tile(&scorecard, "durchlaufzeit");
    assert!(lead.contains("Prüfen") && !lead.contains("Beobachten"), "{lead}");
    assert!(tile(&scorecard, "liefertreue").contains("Im Ziel"), "the other words stay built in");
    assert!(scorecard.contains("Erfordert die Aufmerksamkeit des Boards") && scorecard.contains("zu beobachten"));
    assert!(read(&out.path().join("archive/index.html")).contains(">Prüfen</th>"));
    let pdf = pdf_text(&out.path().join("2026-10/board-report.pdf"));
    assert!(pdf.contains("PRÜFEN") && pdf.contains("IM ZIEL") && pdf.contains("Seite 1 von"), "{pdf}");

    // A word changed again: a rebuild into the same folder shows it on every
    // month, as a cold build does (no past month is taken as it was).
    fs::write(i18n.join("de.toml"), "[status]\namber = \"Nachsehen\"\n").unwrap();
    build(project.path(), out.path());
    let month = read(&out.path().join("2026-09/index.html"));
    assert!(month.contains("Nachsehen") && !month.contains("Prüfen"), "a past month keeps the old word");
    let cold = cold_build(project.path());
    assert_eq!(tree(out.path()), tree(cold.path()), "the rebuild writes what a cold build does");
}

/// The portfolio overview, page and PDF, in the portfolio's language.
#[test]
fn a_german_portfolio_overview_is_german() {
    let root = copy_project(&repo().join("examples/portfolio"));
    let config = root.path().join("portfolio.toml");
    fs::write(&config, read(&config) + "locale = \"de-DE\"\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path());
    let overview = read(&out.path().join("index.html"));
    assert!(overview.contains("<html lang=\"de-DE\" dir=\"ltr\">"));
    for want in [
        "Portfolio-Übersicht",
        "Aktueller Monat",
        ">Unternehmen</th>",
        ">Rot</th>",
        ">Gelb</th>",
        ">Grün</th>",
        "Seit dem letzten Bericht: ",
        "Nicht erfasst",
        "Portfolio-Median",
        "aria-label=\"Unternehmen nach KPI, Oktober 2026\"",
        "aria-label=\"Monate\"",
    ] {
        assert!(overview.contains(want), "{want}: {overview}");
    }
    for english in [
        "Latest month",
        "Portfolio overview",
        "Company",
        "Since last report",
        "Not tracked",
        "Portfolio median",
        "Companies by KPI",
    ] {
        assert!(!words_on(&overview).contains(english), "the overview still says {english}");
    }

    let packs = tempfile::tempdir().unwrap();
    let o = boardpack(&[
        "pack",
        "--root",
        root.path().to_str().unwrap(),
        "--month",
        "2026-10",
        "--output",
        packs.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = packs.path().join("portfolio-engineering-review-2026-10-portfolio-overview.pdf");
    let text = pdf_text(&pdf);
    for want in [
        "Berichte für Oktober 2026: 4 von 4 Unternehmen",
        "Die schlechtesten zuerst.",
        "Unternehmen",
        "9 rot · 1 gelb · 0 grün",
        "Nicht erfasst",
        "Portfolio-Median",
        "Seite 1 von 1",
    ] {
        assert!(text.contains(want), "{want} missing from the overview PDF:\n{text}");
    }
    for english in
        ["Company", "companies reported", "Worst first", "Not tracked", "Portfolio median", "Page 1 of", " red · "]
    {
        assert!(!text.contains(english), "the overview PDF still says {english}:\n{text}");
    }
    assert_eq!(pdf_language(&pdf, packs.path()), "de-DE");
}

/// A small CJK font from Debian's fonts-wqy-microhei, which `.ci/run` installs
/// (5 MB: copied into a copy of the fixture at test time, never committed).
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

#[test]
fn a_japanese_report_reads_japanese_with_its_themes_words_and_english_beneath() {
    let out = tempfile::tempdir().unwrap();
    build(&repo().join("tests/fixtures/locale-ja"), out.path());
    let scorecard = read(&out.path().join("2026-10/index.html"));
    assert!(scorecard.contains("<html lang=\"ja-JP\" dir=\"ltr\">"));
    assert!(scorecard.contains("<h1>2026年10月</h1>") && scorecard.contains("← 2026年9月"), "{scorecard}");
    assert!(scorecard.contains("日本語の要約です"));
    // The theme's Japanese words (themes/wa/i18n/ja.toml)…
    for want in [
        "目標達成 <strong>2</strong>件",
        "最新の報告",
        "エグゼクティブサマリー",
        "取締役会の注意が必要な項目",
        "2.4 日",
        "2026年9月比",
        "改善",
    ] {
        assert!(scorecard.contains(want), "{want}: {scorecard}");
    }
    assert!(tile(&scorecard, "cloud-cost").contains("￥48"), "yen as the locale writes it");
    // …and English for every word it does not bring.
    assert!(scorecard.contains("Skip to content") && scorecard.contains("Download board pack (PDF)"));
    let archive = read(&out.path().join("archive/index.html"));
    assert!(archive.contains("2026年8月") && archive.contains("目標未達 1件"), "{archive}");

    // The PDF, set in the project's CJK font.
    if !cjk_font() {
        return;
    }
    let project = copy_project(&repo().join("tests/fixtures/locale-ja"));
    // Built once without the font, so the project cache holds every month:
    // a font added since makes them again.
    build(project.path(), tempfile::tempdir().unwrap().path());
    fs::create_dir(project.path().join("fonts")).unwrap();
    fs::copy(CJK_FONT, project.path().join("fonts/wqy-microhei.ttc")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = boardpack(&["build", "--root", project.path().to_str().unwrap(), "--output", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("from the cache"), "a new font changes every month: {}", stderr(&o));
    let pdf = out.path().join("2026-10/board-report.pdf");
    // Typst sets a thin space between Japanese and Latin letters or digits.
    let text: String = pdf_text(&pdf).split_whitespace().collect();
    for want in
        ["日本語の要約です", "目標達成2件", "取締役会の注意が必要な項目", "2026年10月", "変更のリードタイム", "Page1of"]
    {
        assert!(text.contains(want), "{want} missing from the Japanese PDF:\n{text}");
    }
    assert_eq!(pdf_language(&pdf, out.path()), "ja-JP");
}
