//! The corpus of broken projects under `tests/fixtures/broken/`: each one holds
//! a single mistake and an `expect.txt` saying what `boardpack check` must say
//! about it (exit code, severity, file, line, key phrases). A few also hold
//! `stderr.txt`, a snapshot of the whole rendered diagnostic; run with
//! `UPDATE_SNAPSHOTS=1` to rewrite those after an intended change.

use std::fs;
use std::path::Path;

use crate::common::*;

struct Expect {
    exit: i32,
    strict: Option<i32>,
    severity: String,
    file: String,
    line: Option<usize>,
    contains: Vec<String>,
}

fn parse_expect(text: &str) -> Expect {
    let mut e = Expect {
        exit: 1,
        strict: None,
        severity: "error".into(),
        file: String::new(),
        line: None,
        contains: Vec::new(),
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line.split_once(": ").unwrap_or_else(|| panic!("bad expect line: {line}"));
        match key {
            "exit" => e.exit = value.parse().unwrap(),
            "strict" => e.strict = Some(value.parse().unwrap()),
            "severity" => e.severity = value.to_string(),
            "file" => e.file = value.to_string(),
            "line" => e.line = Some(value.parse().unwrap()),
            "contains" => e.contains.push(value.to_string()),
            other => panic!("unknown expect key {other}"),
        }
    }
    e
}

/// Splits printed diagnostics into one block per diagnostic.
fn blocks(stderr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("error: ") || line.starts_with("warning: ") || line.starts_with("checked ") {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    out
}

#[test]
fn every_broken_project_gets_its_diagnostic() {
    let corpus = repo().join("tests/fixtures/broken");
    let mut cases: Vec<_> = fs::read_dir(&corpus).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 18, "corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expect = parse_expect(&read(&case.join("expect.txt")));
        let rel = format!("tests/fixtures/broken/{name}");
        let o = boardpack(&["check", "--root", &rel]);
        let err = stderr(&o);
        if o.status.code() != Some(expect.exit) {
            failures.push(format!("{name}: exit {:?}, expected {}\n{err}", o.status.code(), expect.exit));
            continue;
        }
        let location = match expect.line {
            Some(line) => format!("--> {}:{line}:", expect.file),
            None => format!("--> {}", expect.file),
        };
        let found = blocks(&err).into_iter().any(|b| {
            b.starts_with(&format!("{}: ", expect.severity))
                && b.contains(&location)
                && expect.contains.iter().all(|c| b.contains(c.as_str()))
        });
        if !found {
            failures.push(format!(
                "{name}: no {} at `{location}` containing {:?}\n{err}",
                expect.severity, expect.contains
            ));
        }
        if let Some(code) = expect.strict {
            let strict = boardpack(&["check", "--strict", "--root", &rel]);
            if strict.status.code() != Some(code) {
                failures.push(format!("{name}: --strict exit {:?}, expected {code}", strict.status.code()));
            }
        }
        check_snapshot(case, &err, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn check_snapshot(case: &Path, stderr: &str, failures: &mut Vec<String>) {
    let snap = case.join("stderr.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() && snap.exists() {
        fs::write(&snap, stderr).unwrap();
    } else if snap.exists() && read(&snap) != stderr {
        failures.push(format!(
            "{}: output differs from stderr.txt:\n--- expected\n{}\n--- got\n{stderr}",
            case.display(),
            read(&snap)
        ));
    }
}

#[test]
fn a_broken_project_never_touches_the_output() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let o = boardpack(&["build", "--root", "tests/fixtures/broken/unknown-kpi", "--output", target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing was written"));
    assert!(!target.exists());
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0, "no staging folder left behind");
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(boardpack(&["build", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(boardpack(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_missing_project_says_how_to_start_one() {
    let dir = tempfile::tempdir().unwrap();
    let o = boardpack(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("no boardpack.toml") && err.contains("--root"), "{err}");
}

#[test]
fn the_demo_report_is_clean() {
    let o = boardpack(&["check", "--root", "examples/minimal", "--strict"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_error_in_an_overridden_base_template_names_that_file() {
    let project = copy_project(&repo().join("examples/minimal"));
    let root = project.path();
    fs::create_dir_all(root.join("themes/house/templates")).unwrap();
    let base = read(&repo().join("themes/default/templates/base.html")).replace(
        "{{ site.organisation }} · {{ site.title }}{% block footer_extra",
        "{{ site.no_such.field }}{% block footer_extra",
    );
    fs::write(root.join("themes/house/templates/base.html"), base).unwrap();
    let config = root.join("boardpack.toml");
    fs::write(&config, format!("{}\ntheme = \"house\"\n", read(&config))).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o =
        boardpack(&["build", "--root", root.to_str().unwrap(), "--output", out.path().join("site").to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.starts_with("error: themes/house/templates/base.html:"),
        "the file that failed, not scorecard.html: {err}"
    );
    assert!(err.contains("site.no_such.field"), "{err}");
}

#[test]
fn a_long_organisation_name_still_packs() {
    let project = copy_project(&repo().join("examples/minimal"));
    let config = project.path().join("boardpack.toml");
    let long = "Larkspur Freight International Holdings and Subsidiaries ".repeat(6);
    let text = read(&config);
    let line = text.lines().find(|l| l.starts_with("organisation")).unwrap().to_string();
    fs::write(&config, text.replace(&line, &format!("organisation = \"{}\"", long.trim()))).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = boardpack(&["pack", "--root", project.path().to_str().unwrap(), "--output", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let name = fs::read_dir(out.path()).unwrap().next().unwrap().unwrap().file_name().into_string().unwrap();
    assert!(name.len() < 100 && name.starts_with("larkspur-freight-international"), "{name}");
}
