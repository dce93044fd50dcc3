//! A build can never lose a file, leak a script, or read outside the project.

use std::fs;
use std::path::Path;

use crate::common::*;

fn minimal() -> tempfile::TempDir {
    copy_project(&repo().join("examples/minimal"))
}

fn build_args(root: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap(), "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    boardpack(&args)
}

#[test]
fn a_build_that_fails_half_way_leaves_the_previous_output_intact() {
    let project = minimal();
    let out = project.path().join("public");
    build(project.path(), &out);
    let before = tree(&out);

    // A theme whose archive template fails at render time, after loading succeeded.
    let theme = project.path().join("themes/broken/templates");
    fs::create_dir_all(&theme).unwrap();
    fs::write(
        theme.join("archive.html"),
        "{% extends \"base.html\" %}{% block main %}{{ no_such.value }}{% endblock main %}",
    )
    .unwrap();
    let config = project.path().join("boardpack.toml");
    fs::write(&config, format!("{}theme = \"broken\"\n", read(&config))).unwrap();

    let o = build_args(project.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("themes/broken/templates/archive.html") && err.contains("no_such.value"), "{err}");
    assert_eq!(tree(&out), before, "the previous output changed");
    let leftovers: Vec<String> = fs::read_dir(project.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".boardpack-"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn refuses_to_build_over_the_project_even_with_force() {
    let project = minimal();
    let before = tree(project.path());
    for target in [".", "content", "content/2026-10"] {
        let out = project.path().join(target);
        for extra in [&[][..], &["--force"][..]] {
            let o = build_args(project.path(), &out, extra);
            assert_eq!(o.status.code(), Some(1), "{target} {extra:?}");
            let err = stderr(&o);
            assert!(err.contains("refusing to write the site") && err.contains("replace your sources"), "{err}");
        }
    }
    assert_eq!(tree(project.path()), before, "project files changed");
}

#[test]
fn refuses_a_folder_of_other_files_unless_forced() {
    let project = minimal();
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("thesis.docx"), "years of work").unwrap();
    let o = build_args(project.path(), out.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("did not write") && err.contains("--force"), "{err}");
    assert_eq!(read(&out.path().join("thesis.docx")), "years of work");

    let o = build_args(project.path(), out.path(), &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.path().join("index.html").is_file());
    assert!(!out.path().join("thesis.docx").exists());
    // From now on the folder is boardpack's: a rebuild needs no --force.
    assert!(build_args(project.path(), out.path(), &[]).status.success());
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_project_is_an_error() {
    let project = minimal();
    let secret = tempfile::NamedTempFile::new().unwrap();
    fs::write(secret.path(), "salary data").unwrap();
    std::os::unix::fs::symlink(secret.path(), project.path().join("content/2026-10/summary.md")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = build_args(project.path(), &out.path().join("site"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("content/2026-10/summary.md") && err.contains("outside the project"), "{err}");
    assert!(!out.path().join("site").exists());
}

/// Files are checked where the walk of `content/` meets a link, not one by
/// one: a linked month folder, a linked `content/` and a linked evidence file
/// that lead out of the project are each refused, and nothing in them is read.
#[cfg(unix)]
#[test]
fn a_linked_folder_out_of_the_project_is_an_error() {
    use std::os::unix::fs::symlink;
    let out = tempfile::tempdir().unwrap();
    let refused = |project: &Path, shown: &str| {
        let o = build_args(project, &out.path().join("site"), &[]);
        assert_eq!(o.status.code(), Some(1));
        let err = stderr(&o);
        assert!(err.contains(shown) && err.contains("outside the project"), "{err}");
        assert!(!out.path().join("site").exists());
    };
    let elsewhere = tempfile::tempdir().unwrap();
    let month = elsewhere.path().join("2026-09");
    fs::create_dir_all(&month).unwrap();
    fs::write(month.join("summary.md"), "salary data").unwrap();
    fs::write(month.join("kpis.toml"), "lead-time = 1\n").unwrap();

    let project = minimal();
    symlink(&month, project.path().join("content/2026-09")).unwrap();
    refused(project.path(), "content/2026-09");

    let project = minimal();
    let content = elsewhere.path().join("content");
    fs::rename(project.path().join("content"), &content).unwrap();
    symlink(&content, project.path().join("content")).unwrap();
    refused(project.path(), "content");

    let project = minimal();
    let evidence = project.path().join("content/2026-10/evidence");
    fs::create_dir_all(&evidence).unwrap();
    fs::write(elsewhere.path().join("secret.csv"), "salary data").unwrap();
    symlink(elsewhere.path().join("secret.csv"), evidence.join("lead-time.csv")).unwrap();
    refused(project.path(), "evidence/lead-time.csv");
}

#[test]
fn commentary_html_is_sanitised_and_names_are_escaped() {
    let project = minimal();
    fs::write(project.path().join("boardpack.toml"), "title = \"Report\"\norganisation = \"R&D <Labs>\"\n").unwrap();
    fs::write(
        project.path().join("content/2026-10/software-delivery.md"),
        "We shipped **three** releases.\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n[click](javascript:alert(2))\n\n<iframe src=\"https://example.com\"></iframe>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path());
    let page = read(&out.path().join("2026-10/software-delivery/index.html"));
    for bad in ["<script", "onerror", "javascript:", "<iframe", "<Labs>"] {
        assert!(!page.contains(bad), "{bad} reached the page");
    }
    assert!(page.contains("R&amp;D &lt;Labs&gt;"));
    assert!(page.contains("<strong>three</strong>") && page.contains("<td>1</td>"), "ordinary formatting is kept");
}

#[test]
fn raw_html_is_kept_only_when_the_project_opts_in() {
    let project = minimal();
    let config = project.path().join("boardpack.toml");
    fs::write(&config, format!("{}\n[markdown]\nallow_raw_html = true\n", read(&config))).unwrap();
    fs::write(project.path().join("content/2026-10/summary.md"), "<span class=\"callout\">Heads up</span>\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path());
    assert!(read(&out.path().join("2026-10/index.html")).contains("<span class=\"callout\">Heads up</span>"));
}

#[test]
fn a_theme_overrides_the_builtin_file_by_file() {
    let project = minimal();
    let dir = project.path().join("themes/house/static");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("style.css"), "body { color: rebeccapurple; }\n").unwrap();
    fs::write(dir.join("logo.txt"), "logo").unwrap();
    let config = project.path().join("boardpack.toml");
    fs::write(&config, format!("{}theme = \"house\"\n", read(&config))).unwrap();
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path());
    assert_eq!(read(&out.path().join("static/style.css")), "body { color: rebeccapurple; }\n");
    assert!(out.path().join("static/logo.txt").is_file());
    assert!(read(&out.path().join("index.html")).contains("Minimal Ltd"), "built-in templates still used");
}

/// Notes that a spreadsheet would run as formulas (OWASP "CSV injection"),
/// one per leading character OWASP lists. (Notes are trimmed when loaded, so a
/// leading tab or carriage return never reaches a note: the unit test in
/// `export.rs` covers those.)
const FORMULA_NOTES: [(&str, &str); 6] = [
    ("lead-time", "=HYPERLINK(\"http://evil.example\",\"x\")"),
    ("cycle-time", "+1+cmd|' /C calc'!A0"),
    ("time-to-restore", "-2+3"),
    ("change-failure-rate", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("rework-ratio", "-5 points after the freeze"),
    ("roadmap-accuracy", "=1+1"),
];

/// The minimal project with a month before it (so lead time has a negative
/// change) and formula-like notes in October.
fn project_with_formula_notes() -> tempfile::TempDir {
    let project = minimal();
    let september = project.path().join("content/2026-09");
    fs::create_dir_all(&september).unwrap();
    fs::write(september.join("kpis.toml"), "lead-time = 4.0\ncycle-time = 4.0\n").unwrap();
    let october = project.path().join("content/2026-10/kpis.toml");
    let mut text = String::new();
    for line in read(&october).lines() {
        let Some((id, value)) = line.split_once(" = ") else { continue };
        match FORMULA_NOTES.iter().find(|(k, _)| *k == id) {
            Some((_, note)) => text.push_str(&format!("{id} = {{ value = {value}, note = {note:?} }}\n")),
            None => text.push_str(&format!("{line}\n")),
        }
    }
    text.push_str("defect-escape-rate = { value = 14, note = \"Up = worse; fine\" }\n");
    fs::write(&october, text.replace("defect-escape-rate = 14\n", "")).unwrap();
    project
}

/// Checks October's rows of a CSV (the pack's starts with a `month` column):
/// every formula-like note starts with `'`, other text and every number are as
/// written.
fn assert_csv_neutralised(csv_bytes: &[u8], with_month: bool) {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut seen = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if with_month && &record[0] != "2026-10" {
            continue;
        }
        let id = &record[col("id")];
        if let Some((_, note)) = FORMULA_NOTES.iter().find(|(k, _)| *k == id) {
            assert_eq!(&record[col("note")], format!("'{note}"), "{id}");
            seen += 1;
        }
        if id == "defect-escape-rate" {
            assert_eq!(&record[col("note")], "Up = worse; fine", "ordinary text is untouched");
        }
        if id == "lead-time" {
            assert_eq!(&record[col("delta")], "-0.5", "a negative number stays a number");
        }
    }
    assert_eq!(seen, FORMULA_NOTES.len());
}

#[test]
fn formula_like_text_in_csv_is_neutralised_and_json_keeps_it_exactly() {
    let project = project_with_formula_notes();
    let out = project.path().join("public");
    build(project.path(), &out);
    assert_csv_neutralised(&fs::read(out.join("2026-10/data.csv")).unwrap(), false);
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("2026-10/data.json"))).unwrap();
    for (id, note) in FORMULA_NOTES {
        let kpi = json["kpis"].as_array().unwrap().iter().find(|k| k["id"] == id).unwrap();
        assert_eq!(kpi["note"], note, "data.json keeps the text exactly");
    }

    let dist = project.path().join("dist");
    let o = boardpack(&["pack", "--root", project.path().to_str().unwrap(), "--output", dist.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zip = fs::read_dir(&dist).unwrap().next().unwrap().unwrap().path();
    let mut archive = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    let mut csv_bytes = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("data/kpis.csv").unwrap(), &mut csv_bytes).unwrap();
    assert_csv_neutralised(&csv_bytes, true);
}

/// Images in commentary and in catalogue definitions, remote (`https://`,
/// `//host`, raw `<img>`) or relative, reach no page: a reader's browser asks
/// no other host for anything (a tracking pixel would tell it who read the
/// report, and when). Each image's alternative text stays, as text.
#[test]
fn images_in_commentary_and_definitions_reach_no_page() {
    let out = tempfile::tempdir().unwrap();
    build(&repo().join("tests/fixtures/hostile-commentary"), out.path());
    let mut pages = 0;
    for (path, bytes) in tree(out.path()) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        assert!(!html.contains("img.example"), "{path} names the image host");
        for src in attribute_values(&html, "src") {
            let local = !src.contains(':') && !src.starts_with("//") && !src.starts_with('\\');
            assert!(local || src.starts_with("data:"), "{path}: an image from elsewhere: {src}");
        }
        pages += 1;
    }
    assert!(pages >= 10, "{pages} pages");
    let summary = read(&out.path().join("2026-10/index.html"));
    assert!(summary.contains("<em>tracking pixel</em>"), "the alternative text stays");
    let definitions = read(&out.path().join("kpis/index.html"));
    assert!(definitions.contains("<em>definition pixel</em>") && definitions.contains("<em>local chart</em>"));
}

/// Commentary links keep the addresses the PDF keeps (web, mail, relative):
/// `javascript:`, `file:`, `smb:`, Windows shares, `data:` and scheme-relative
/// links keep their text and lose their address, in Markdown and in raw HTML.
#[test]
fn commentary_links_keep_only_web_addresses_on_the_pages() {
    let out = tempfile::tempdir().unwrap();
    build(&repo().join("tests/fixtures/hostile-commentary"), out.path());
    for page in ["2026-10/software-delivery/index.html", "2026-10/board-report.html"] {
        let html = read(&out.path().join(page));
        let commentary = &html[html.find("Links of every kind").unwrap()..];
        let commentary = &commentary[..commentary.find("An image that points elsewhere").unwrap()];
        assert_eq!(attribute_values(commentary, "href"), ["https://example.com/safe"], "{page}: {commentary}");
        for text in ["script link", "password file", "file share", "windows share", "data link", "scheme relative"] {
            assert!(commentary.contains(text), "{page}: the text of the {text} is kept");
        }
    }
}

#[test]
fn refuses_every_folder_the_project_reads_even_with_force() {
    let project = minimal();
    let root = project.path();
    // Exports where `measure` reads them by default, and where [measure] says.
    fs::create_dir_all(root.join("data/2026-10")).unwrap();
    fs::write(root.join("data/2026-10/deployments.csv"), "sha,deployed_at\n").unwrap();
    fs::create_dir_all(root.join("exports/jira")).unwrap();
    fs::write(root.join("exports/jira/issues.csv"), "key\n").unwrap();
    let config = fs::read_to_string(root.join("boardpack.toml")).unwrap();
    fs::write(
        root.join("boardpack.toml"),
        format!("{config}\n[measure.work_items]\npath = \"exports/jira/issues.csv\"\n"),
    )
    .unwrap();
    fs::create_dir_all(root.join("fonts")).unwrap();
    assert!(build_args(root, &root.join("public"), &[]).status.success(), "a first build makes .boardpack/");
    for folder in ["data", "exports", "exports/jira", "fonts", ".boardpack", ".boardpack/cache", "data/2026-10/site"] {
        for _ in 0..2 {
            let o = build_args(root, &root.join(folder), &["--force"]);
            assert!(!o.status.success(), "{folder} was replaced");
            assert!(stderr(&o).contains("which the project reads"), "{folder}: {}", stderr(&o));
        }
    }
    assert_eq!(fs::read_to_string(root.join("data/2026-10/deployments.csv")).unwrap(), "sha,deployed_at\n");
    assert_eq!(fs::read_to_string(root.join("exports/jira/issues.csv")).unwrap(), "key\n");
    assert!(root.join(".boardpack/cache/months").is_file(), "the cache is intact");
}

/// A named pipe where commentary belongs is an error, not a build that
/// waits forever for a writer.
#[cfg(unix)]
#[test]
fn a_named_pipe_in_content_is_an_error_not_a_hang() {
    let project = minimal();
    let pipe = project.path().join("content/2026-10/summary.md");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status().unwrap();
    assert!(made.success());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["check", "--root", project.path().to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("check hung on a named pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this is a named pipe, not a file"));
}
