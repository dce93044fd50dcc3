//! Words the board reads: they must be true of what the author wrote, and in
//! the report's language.

use std::fs;
use std::path::Path;

use crate::common::*;

/// Markdown rewrapped at `width` columns, as an editor's "reflow" leaves it:
/// headings and table rows are kept whole, and no new line starts with a
/// character that would begin a new block.
fn rewrap(md: &str, width: usize) -> String {
    let mut out = String::new();
    for line in md.lines() {
        if line.starts_with('#') || line.starts_with('|') || line.len() <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut current = String::new();
        for word in line.split(' ') {
            let opens_block = word.starts_with(['-', '*', '+', '#', '>', '|', '='])
                || word.ends_with('.') && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit());
            if !current.is_empty() && current.len() + 1 + word.len() > width && !opens_block {
                out.push_str(&current);
                out.push('\n');
                current.clear();
            } else if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}

/// What `check` and the scorecards say is unexplained, per month.
fn unexplained(root: &Path) -> (Vec<String>, usize) {
    let o = boardpack(&["check", "--root", root.to_str().unwrap()]);
    let warnings = stderr(&o).lines().filter(|l| l.contains("nothing explains it")).map(str::to_string).collect();
    let out = tempfile::tempdir().unwrap();
    build(root, out.path());
    let mut pages = 0;
    for entry in fs::read_dir(out.path()).unwrap() {
        let page = entry.unwrap().path().join("index.html");
        if page.is_file() {
            pages += read(&page).matches("No explanation was written.").count();
        }
    }
    (warnings, pages)
}

#[test]
fn the_demo_rewrapped_at_40_columns_is_explained_as_before() {
    let project = copy_project(&repo());
    let before = unexplained(project.path());
    let mut broken = 0;
    for month in fs::read_dir(project.path().join("content")).unwrap() {
        let month = month.unwrap().path();
        // A sealed month, or one a sealed quarter was made from, is a record: left as sent.
        let name = month.file_name().unwrap().to_string_lossy().into_owned();
        let quarter = name
            .split_once('-')
            .and_then(|(y, m)| Some(format!("{y}-Q{}", (m.parse::<u8>().ok()? - 1) / 3 + 1)))
            .map(|q| month.with_file_name(q).join("sealed.toml"));
        if !month.is_dir() || month.join("sealed.toml").exists() || quarter.is_some_and(|q| q.exists()) {
            continue;
        }
        for file in fs::read_dir(&month).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "md") {
                let text = read(&file);
                let wrapped = rewrap(&text, 40);
                broken += usize::from(wrapped != text);
                fs::write(&file, wrapped).unwrap();
            }
        }
    }
    assert!(broken > 10, "the rewrap changed {broken} files: too few to prove anything");
    assert_eq!(unexplained(project.path()), before, "rewrapping the commentary changed what reads as explained");
}

/// A project `init` made for `2026-10` in `locale`, its month filled in.
fn init_in(locale: &str) -> tempfile::TempDir {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme");
    let o = boardpack(&["init", dir.to_str().unwrap(), "--month", "2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    crate::publish::make_public(&dir);
    let config = dir.join("boardpack.toml");
    fs::write(&config, format!("locale = \"{locale}\"\n{}", read(&config))).unwrap();
    let values = "lead-time = 3.5\ndelivery-predictability = 74\ncycle-time = 4.2\nkey-person-concentration = 30\nchange-failure-rate = 18\ntime-to-restore = 5\ndefect-escape-rate = 8\nrework-ratio = 9\nbusiness-outcome-share = 66\nroadmap-accuracy = 70\n";
    fs::write(dir.join("content/2026-10/kpis.toml"), values).unwrap();
    parent
}

#[test]
fn a_french_board_reads_the_built_in_names_and_questions_in_french() {
    let parent = init_in("fr-FR");
    let out = tempfile::tempdir().unwrap();
    build(&parent.path().join("acme"), out.path());
    let page = read(&out.path().join("2026-10/index.html"));
    for french in [
        "Délai de mise en production",
        "Taux d’échec des changements",
        "Livraison logicielle",
        "Fiabilité opérationnelle",
    ] {
        assert!(page.contains(french), "the French scorecard lacks “{french}”");
    }
    for english in ["Lead time for changes", "Change failure rate", "Software delivery", "Operational reliability"] {
        assert!(!page.contains(english), "the French scorecard still reads “{english}”");
    }
    // Setting the locale leaves the editor schemas `init` wrote as they are.
    let o = boardpack(&["check", "--root", parent.path().join("acme").to_str().unwrap()]);
    assert!(!stderr(&o).contains("out of date"), "{}", stderr(&o));
    let accountability = read(&out.path().join("2026-10/operational-reliability/index.html"));
    assert!(accountability.contains("en combien de temps est-il rétabli"), "the question is in French");
    // The commentary naming the KPI in French explains it.
    let dir = parent.path().join("acme");
    fs::write(
        dir.join("content/2026-10/operational-reliability.md"),
        "Le taux d’échec des\nchangements vient d’une seule mise en production.\n",
    )
    .unwrap();
    let o = boardpack(&["check", "--root", dir.to_str().unwrap()]);
    assert!(!stderr(&o).contains("Taux d’échec des changements is off target"), "{}", stderr(&o));
}

#[test]
fn a_catalogue_names_a_kpi_per_language_and_says_where_a_name_is_wrong() {
    let parent = init_in("de-DE");
    let dir = parent.path().join("acme");
    let catalogue = dir.join("content/catalogue.toml");
    let text = read(&catalogue);
    let custom = text.replace("name.de = \"Zykluszeit\"\n", "name.de = \"Bearbeitungszeit\"\n");
    assert_ne!(custom, text, "init writes the built-in German name of cycle time");
    fs::write(&catalogue, &custom).unwrap();
    let out = tempfile::tempdir().unwrap();
    build(&dir, out.path());
    assert!(read(&out.path().join("2026-10/index.html")).contains("Bearbeitungszeit"));

    // No `en` entry: a report in another language would have no name to show.
    fs::write(&catalogue, custom.replace("name.en = \"Cycle time\"\n", "")).unwrap();
    let o = boardpack(&["check", "--root", dir.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("`name` has no `en` entry"), "{err}");
    assert!(err.contains("content/catalogue.toml:"), "the error names the file and line: {err}");
    assert!(err.contains("name.en = "), "and says what to add: {err}");

    // A key that is not a language.
    fs::write(&catalogue, custom.replace("name.de = \"Bearbeitungszeit\"\n", "name.German = \"Bearbeitungszeit\"\n"))
        .unwrap();
    let err = stderr(&boardpack(&["check", "--root", dir.to_str().unwrap()]));
    assert!(err.contains("`name.German` does not name a language"), "{err}");

    // One name, and then a translation added below it: TOML refuses the pair.
    fs::write(
        &catalogue,
        custom.replace(
            "name.en = \"Cycle time\"\nname.de = \"Bearbeitungszeit\"\n",
            "name = \"Cycle time\"\nname.de = \"Bearbeitungszeit\"\n",
        ),
    )
    .unwrap();
    let err = stderr(&boardpack(&["check", "--root", dir.to_str().unwrap()]));
    assert!(err.contains("content/catalogue.toml:"), "{err}");
    assert!(err.contains("name.en"), "the help shows the per-language form: {err}");
}

#[test]
fn a_month_shows_the_same_month_a_year_before_where_there_is_one() {
    let out = cold_build(&repo());
    let october = read(&out.path().join("2026-10/index.html"));
    let lead = text_of(tile(&october, "lead-time"));
    assert!(lead.contains("−1.0 days on a year before (October 2025: 3.4 days) improving"), "{lead}");
    let cycle = text_of(tile(&october, "cycle-time"));
    assert!(cycle.contains("+3.2 days on a year before (October 2025: 3.9 days) worsening"), "{cycle}");
    // The first year has nothing a year before it.
    let first = read(&out.path().join("2025-10/index.html"));
    assert!(!first.contains("on a year before ("), "October 2025 has no October 2024 to compare");
    // The KPI's table: each month beside the same month a year before.
    let page = text_of(&read(&out.path().join("2026-10/software-delivery/index.html")));
    assert!(page.contains("On a year before"), "the table has the column");
    assert!(page.contains("−1.0 days (October 2025: 3.4 days)"), "October 2026's row compares with October 2025");
    // A table with no month a year before has no empty column for it.
    let first_year = read(&out.path().join("2025-10/software-delivery/index.html"));
    assert!(!first_year.contains("On a year before") && !first_year.contains("class=\"year\""));
}

/// HTML as a reader sees it: the text without tags, spaces as typed.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    as_seen(out)
}

/// The portfolio overview names each KPI in its own language, while each
/// company's pages keep theirs.
#[test]
fn a_portfolio_overview_names_kpis_in_its_own_language() {
    let portfolio = copy_project(&repo().join("examples/portfolio"));
    let config = portfolio.path().join("portfolio.toml");
    fs::write(&config, format!("locale = \"fr-FR\"\n{}", read(&config))).unwrap();
    let out = tempfile::tempdir().unwrap();
    build(portfolio.path(), out.path());
    let overview = read(&out.path().join("index.html"));
    assert!(overview.contains("Délai de mise en production"), "the French overview names lead time in French");
    assert!(!overview.contains("Lead time for changes"));
    let company = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("index.html").is_file() && p.join("kpis").is_dir());
    let company = company.expect("a company's site in the portfolio's output");
    let latest = fs::read_dir(&company)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("index.html").is_file() && p.file_name().unwrap().to_string_lossy().starts_with("20"))
        .max()
        .unwrap();
    assert!(
        read(&latest.join("index.html")).contains("Lead time for changes"),
        "a company in English keeps English names"
    );
}

/// `measure` writes how it made each value in the report's language, and in
/// words for the board: the export's field names stay in its own messages.
#[test]
fn measure_says_how_it_made_a_value_in_the_report_language_without_field_names() {
    use crate::measure::{entry, measured, with_samples};
    let dir = with_samples(&[
        ("deployments", "github", "github-deployments.csv"),
        ("incidents", "pagerduty", "pagerduty-incidents.csv"),
        ("work_items", "jira", "jira-issues.csv"),
    ]);
    let config = dir.path().join("boardpack.toml");
    fs::write(&config, format!("locale = \"fr-FR\"\n{}", read(&config))).unwrap();
    let (kpis, err) = measured(dir.path());
    // (read as a reader sees it: no-break spaces as spaces)
    let said = |id: &str| entry(&kpis, id).1.unwrap_or_default();
    assert_eq!(said("time-to-restore"), "médiane de 4 incidents résolus ; 1 incident encore ouvert à la fin du mois");
    assert_eq!(
        said("delivery-predictability"),
        "moyenne de 2 sprints terminés en octobre 2026 : 5 sur 8 éléments engagés livrés ; 2 sprints sans date de fin, datés par leur dernier élément terminé"
    );
    for id in ["change-failure-rate", "defect-escape-rate", "rework-ratio", "business-outcome-share"] {
        let s = said(id);
        assert!(!s.contains('`') && !s.contains("_end") && !s.contains("found_in"), "{id}: {s}");
    }
    // The terminal keeps the field names a fix needs.
    assert!(err.contains("`started_at`"), "{err}");
    // And the PDF reads the French words.
    let out = tempfile::tempdir().unwrap();
    build(dir.path(), out.path());
    let pdf = out.path().join("2026-10/board-report.pdf");
    let text = std::process::Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().unwrap();
    let text =
        as_seen(String::from_utf8_lossy(&text.stdout).into_owned()).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("médiane de 4 incidents résolus"), "{text}");
    assert!(!text.contains("sprint_end") && !text.contains("found_in"), "no field name in the PDF");
}
