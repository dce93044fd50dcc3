//! The monthly authoring loop: init, new, serve, schema, completions, help.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use crate::common::*;

const OCTOBER: &str = "lead-time = 3.5\ndelivery-predictability = 74\ncycle-time = 4.2\nkey-person-concentration = 30\nchange-failure-rate = 18\ntime-to-restore = 5\ndefect-escape-rate = 8\nrework-ratio = 9\nbusiness-outcome-share = 66\nroadmap-accuracy = 70\n";

#[test]
fn init_build_new_build_round_trip() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme-corp");
    let o = boardpack(&["init", dir.to_str().unwrap(), "--month", "2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "boardpack.toml",
        "content/catalogue.toml",
        "content/2026-10/kpis.toml",
        "content/2026-10/summary.md",
        "content/2026-10/team-performance.md",
        ".gitignore",
        ".github/workflows/boardpack.yml",
        ".taplo.toml",
        "schemas/kpis.schema.json",
    ] {
        assert!(dir.join(f).is_file(), "init did not write {f}");
    }
    assert!(read(&dir.join("boardpack.toml")).contains("organisation = \"Acme Corp\""));
    let said = stderr(&o);
    assert!(
        said.contains("organisation \"Acme Corp\", from the folder's name")
            && said.contains("change `organisation` in"),
        "init says which organisation it guessed, and where to change it: {said}"
    );
    let ignored = read(&dir.join(".gitignore"));
    for pattern in ["/public/", "/dist/", "/.boardpack/", ".boardpack-staging-*", ".boardpack-old-*"] {
        assert!(ignored.lines().any(|l| l == pattern), ".gitignore lacks {pattern}:\n{ignored}");
    }
    // What the workflow does is tests/it/publish.rs's; here the site is made plain and public.
    crate::publish::make_public(&dir);
    let values = read(&dir.join("content/2026-10/kpis.toml"));
    for id in ["lead-time", "roadmap-accuracy", "key-person-concentration"] {
        assert!(values.contains(&format!("# {id} =")), "{id} not listed");
    }

    // The new month is a draft: `build` publishes a holding page, and warns how to preview the month.
    let out = dir.join("public");
    let o = boardpack(&["build", "--root", dir.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: nothing is published yet: 2026-10 is a draft") && stderr(&o).contains("--drafts"),
        "{}",
        stderr(&o)
    );
    assert!(read(&out.join("index.html")).contains("No report published yet"));
    assert!(!out.join("2026-10").exists(), "the draft is not published");
    // A preview of the draft builds straight away, before anything is filled in, marked as a draft.
    let o = boardpack(&["build", "--drafts", "--root", dir.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tile(&read(&out.join("index.html")), "lead-time").contains("No data"));
    assert!(read(&out.join("index.html")).contains("class=\"draft-banner\""));
    assert!(
        read(&out.join("2026-10/team-performance/index.html")).contains("No commentary was written"),
        "an untouched stub counts as no commentary"
    );

    fs::write(dir.join("content/2026-10/kpis.toml"), OCTOBER).unwrap();
    let o = boardpack(&["new", "--root", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let november = dir.join("content/2026-11");
    let values = read(&november.join("kpis.toml"));
    assert!(values.contains("# lead-time =   # October 2026: 3.5 days (watch)"), "{values}");
    assert!(values.contains("\ndraft = true\n"), "a new month starts as a draft: {values}");
    let reliability = read(&november.join("operational-reliability.md"));
    assert!(reliability.contains("Change failure rate: 18.0% (off target), target 5.0%"), "{reliability}");
    assert!(!read(&november.join("technical-quality.md")).contains("will ask about"), "nothing flagged there");

    let again = boardpack(&["new", "2026-11", "--root", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("content/2026-11 already exists"));

    fs::write(november.join("kpis.toml"), OCTOBER.replace("lead-time = 3.5", "lead-time = 2.5")).unwrap();
    build(&dir, &out);
    assert!(!read(&out.join("index.html")).contains("draft-banner"), "published months carry no banner");
    let scorecard = read(&out.join("index.html"));
    assert!(scorecard.contains("<h1>November 2026</h1>"));
    let lead = tile(&scorecard, "lead-time");
    assert!(lead.contains("2.5 days") && lead.contains("−1.0 days") && lead.contains("improving"), "{lead}");
    let archive = read(&out.join("archive/index.html"));
    assert!(archive.contains("November 2026") && archive.contains("October 2026"));
}

/// `new` writes last month's values, months and statuses as the report
/// does, in its locale; the values it writes to fill in stay TOML numbers.
#[test]
fn new_writes_its_stubs_in_the_reports_locale() {
    let project = copy_project(&repo().join("examples/minimal"));
    let config = project.path().join("boardpack.toml");
    fs::write(&config, format!("{}locale = \"de-DE\"\n", read(&config))).unwrap();
    let o = boardpack(&["new", "--root", project.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let values = read(&project.path().join("content/2026-11/kpis.toml"));
    assert!(values.contains("# KPI values for November 2026") || values.contains("November 2026"), "{values}");
    assert!(
        values.contains("Oktober 2026: 3,5 Tage (beobachten)") || values.contains("Oktober 2026: 3,5 Tage"),
        "{values}"
    );
    assert!(values.contains("Oktober 2026: 74 %"), "percentages in German: {values}");
    assert!(values.contains("niedriger ist besser") || values.contains("niedriger"), "{values}");
    let delivery = read(&project.path().join("content/2026-11/software-delivery.md"));
    assert!(delivery.contains("November 2026") && delivery.contains("3,5 Tage"), "{delivery}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.md"), "mine").unwrap();
    let o = boardpack(&["init", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not empty"));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn toml_to_json(path: &Path) -> serde_json::Value {
    let value: toml::Value = toml::from_str(&read(path)).unwrap();
    serde_json::to_value(value).unwrap()
}

/// Every report project and portfolio in the repository: the demo, the
/// examples, the portfolio's companies and the test fixtures (not the broken ones).
fn every_root() -> Vec<std::path::PathBuf> {
    let mut roots = vec![repo()];
    for dir in ["examples", "examples/portfolio/companies", "tests/fixtures"] {
        for entry in fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.join("boardpack.toml").is_file() || path.join("portfolio.toml").is_file() {
                roots.push(path);
            }
        }
    }
    roots.sort();
    roots
}

fn validator(dir: &Path, name: &str) -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&read(&dir.join(name))).unwrap();
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{name} is not a valid JSON Schema: {e}"));
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, file: &Path) -> usize {
    let json = toml_to_json(file);
    let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    1
}

#[test]
fn every_file_in_the_repository_conforms_to_the_schemas_it_is_given() {
    let mut checked = 0;
    for root in every_root() {
        let dir = tempfile::tempdir().unwrap();
        let o = boardpack(&["schema", "--root", root.to_str().unwrap(), "--output", dir.path().to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        if root.join("portfolio.toml").is_file() {
            checked += assert_valid(&validator(dir.path(), "portfolio.schema.json"), &root.join("portfolio.toml"));
            continue;
        }
        checked += assert_valid(&validator(dir.path(), "boardpack.schema.json"), &root.join("boardpack.toml"));
        let catalogue = root.join("content/catalogue.toml");
        if catalogue.is_file() {
            checked += assert_valid(&validator(dir.path(), "catalogue.schema.json"), &catalogue);
        }
        let values = validator(dir.path(), "kpis.schema.json");
        for entry in fs::read_dir(root.join("content")).unwrap() {
            let path = entry.unwrap().path().join("kpis.toml");
            if path.is_file() {
                checked += assert_valid(&values, &path);
            }
        }
    }
    assert!(checked >= 70, "only {checked} files checked");

    // The built-in catalogue, and mistakes an author makes, are judged too.
    let dir = tempfile::tempdir().unwrap();
    boardpack(&["schema", "--root", repo().to_str().unwrap(), "--output", dir.path().to_str().unwrap()]);
    let builtin: toml::Value = toml::from_str(boardpack::BUILTIN_CATALOGUE).unwrap();
    assert!(validator(dir.path(), "catalogue.schema.json").is_valid(&serde_json::to_value(builtin).unwrap()));
    let values = validator(dir.path(), "kpis.schema.json");
    for bad in ["lead-tme = 3", "change-failure-rate = 140", "lead-time = \"3 days\"", "[lead-time]\nvalu = 3"] {
        let json = serde_json::to_value(toml::from_str::<toml::Value>(bad).unwrap()).unwrap();
        assert!(!values.is_valid(&json), "schema accepted {bad}");
    }
    let config = validator(dir.path(), "boardpack.schema.json");
    assert!(!config.is_valid(&serde_json::json!({ "title": "x" })), "organisation is required");
    let misspelt = serde_json::json!({ "title": "x", "organisation": "y", "pack": { "papr": "a4" } });
    assert!(!config.is_valid(&misspelt), "a misspelt [pack] setting is caught");
}

#[test]
fn check_says_when_the_editor_schemas_are_stale() {
    let project = tempfile::tempdir().unwrap();
    let root = project.path().join("acme");
    assert!(boardpack(&["init", root.to_str().unwrap(), "--month", "2026-10"]).status.success());
    let o = boardpack(&["check", "--root", root.to_str().unwrap()]);
    assert!(!stderr(&o).contains("out of date"), "a new project's schemas are fresh:\n{}", stderr(&o));
    let catalogue = root.join("content/catalogue.toml");
    fs::write(&catalogue, read(&catalogue).replace("id = \"rework-ratio\"", "id = \"rework-share\"")).unwrap();
    let o = boardpack(&["check", "--root", root.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(err.contains("schemas/kpis.schema.json") && err.contains("out of date"), "{err}");
    assert!(err.contains("run `boardpack schema`"), "{err}");
    assert!(boardpack(&["schema", "--root", root.to_str().unwrap()]).status.success());
    let o = boardpack(&["check", "--root", root.to_str().unwrap()]);
    assert!(!stderr(&o).contains("out of date"), "{}", stderr(&o));
}

#[test]
fn completions_and_help_for_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let o = boardpack(&["completions", shell]);
        assert!(o.status.success());
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains("boardpack") && script.contains("serve") && script.contains("strict"), "{shell}");
    }
    for command in ["init", "new", "check", "build", "serve", "schema", "completions"] {
        let o = boardpack(&[command, "--help"]);
        assert!(o.status.success());
        assert!(String::from_utf8_lossy(&o.stdout).contains("Example:"), "{command} --help has no example");
    }
    let version = boardpack(&["--version"]);
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("boardpack "));
}

#[test]
fn serve_rebuilds_on_change_shows_errors_and_recovers() {
    serve_round_trip(&[]);
}

#[test]
fn serve_rebuilds_when_polling_too() {
    serve_round_trip(&["--poll"]);
}

fn serve_round_trip(extra: &[&str]) {
    let project = copy_project(&repo().join("examples/minimal"));
    let values = project.path().join("content/2026-10/kpis.toml");
    let server = Server::start(project.path(), extra);

    let (status, page) = server.get("/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(tile(&page, "lead-time").contains("3.5 days"));
    assert!(page.contains("__boardpack/events"), "live reload script injected");
    let (status, _) = server.get("/2026-10");
    assert_eq!(status, "HTTP/1.1 301 Moved Permanently");
    let (status, svg) = server.get("/2026-10/charts/lead-time.svg");
    assert!(status.ends_with("200 OK") && svg.starts_with("<svg"));
    assert!(server.get("/../../etc/passwd").0.contains("400"));
    assert!(server.get("/nope.html").0.contains("404"));

    fs::write(&values, read(&values).replace("lead-time = 3.5", "lead-time = 4.4")).unwrap();
    server.wait_for("/", "the new value", |p| p.contains("4.4 days"));

    fs::write(&values, read(&values).replace("lead-time = 4.4", "lead-time = \"oops\"")).unwrap();
    let broken = server.wait_for("/", "the error overlay", |p| p.contains("boardpack-error"));
    assert!(broken.contains("must be a number"), "the diagnostic is shown");
    assert!(tile(&broken, "lead-time").contains("4.4 days"), "the last good build is still served");

    fs::write(&values, read(&values).replace("lead-time = \"oops\"", "lead-time = 2.0")).unwrap();
    let fixed = server.wait_for("/", "recovery", |p| p.contains("2.0 days"));
    assert!(!fixed.contains("boardpack-error"));

    // An open page learns about a newer build at once.
    let mut events = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    events.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(events, "GET /__boardpack/events?since=0 HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut buf = [0u8; 512];
    let mut got = String::new();
    while !got.contains("data: reload") {
        let n = events.read(&mut buf).unwrap();
        assert!(n > 0, "stream closed before reload: {got}");
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let o = boardpack(&["serve", "--root", "examples/minimal", "--port", &port]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already in use"), "{}", stderr(&o));
}

#[test]
fn build_output_never_holds_the_reload_script() {
    let out = tempfile::tempdir().unwrap();
    build(&repo().join("examples/minimal"), out.path());
    for (path, bytes) in tree(out.path()) {
        assert!(!String::from_utf8_lossy(&bytes).contains("__boardpack"), "{path}");
    }
}
