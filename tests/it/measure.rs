//! `boardpack measure` driven through the real binary: fixture projects under
//! tests/fixtures/measure/, git repositories built in temp folders with known
//! authors and dates, the demo's own data/, and every ready-made mapping in
//! examples/measure/.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

/// Copies a fixture project, its data/ included, into a temp folder.
fn project(fixture: &str) -> tempfile::TempDir {
    let from = repo().join("tests/fixtures/measure").join(fixture);
    let dir = copy_project(&from);
    if from.join("data").is_dir() {
        copy_dir(&from.join("data"), &dir.path().join("data"));
    }
    dir
}

pub(crate) fn measure(root: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["measure", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    boardpack(&args)
}

/// The value and `measured` text of a KPI in a kpis.toml.
pub(crate) fn entry(kpis: &str, id: &str) -> (f64, Option<String>) {
    let t: toml::Table = toml::from_str(kpis).unwrap();
    match &t[id] {
        toml::Value::Table(e) => (
            e["value"].as_float().or_else(|| e["value"].as_integer().map(|i| i as f64)).unwrap(),
            e.get("measured").and_then(|m| m.as_str()).map(str::to_string),
        ),
        v => (v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).unwrap(), None),
    }
}

#[test]
fn measures_every_kpi_it_has_data_for_and_keeps_hand_entered_lines() {
    let dir = project("basic");
    let o = measure(dir.path(), &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("lead-time") && err.contains("kept the value typed by hand (computed 2"), "{err}");
    assert!(err.contains("key-person-concentration") && err.contains("no [[measure.repository]]"), "{err}");

    let kpis = read(&dir.path().join("content/2026-10/kpis.toml"));
    // Hand-entered lines are kept byte for byte, with their comments.
    assert!(
        kpis.contains("# software-delivery\nlead-time = 3.1   # typed by hand: kept unless --overwrite\n"),
        "{kpis}"
    );
    assert!(kpis.contains("key-person-concentration = 25\n"), "{kpis}");
    let expected = [
        (
            "delivery-predictability",
            58.3,
            "average of 2 sprints ending in October 2026: 4 of 7 committed items delivered",
        ),
        ("cycle-time", 7.0, "median of 7 work items finished; 1 item without a start time left out"),
        ("change-failure-rate", 60.0, "3 of 5 production deployments led to a rollback, hotfix or incident"),
        ("time-to-restore", 1.5, "median of 3 incidents restored; 2 incidents still open at the month's end"),
        (
            "defect-escape-rate",
            66.7,
            "2 of 3 defects logged were found in production; 1 defect not saying where it was found left out",
        ),
        ("rework-ratio", 40.0, "2 of 5 production deployments were unplanned fixes or rollbacks"),
        ("business-outcome-share", 78.9, "15 of 19 points of effort finished served a named outcome"),
        ("roadmap-accuracy", 66.7, "2 of 3 roadmap items of 2026-Q4 due by 31 October 2026 delivered"),
    ];
    for (id, value, measured) in expected {
        assert_eq!(entry(&kpis, id), (value, Some(measured.to_string())), "{id}");
    }
    assert!(kpis.contains("cycle-time = { value = 7, measured = "), "whole numbers stay whole: {kpis}");
    assert!(kpis.contains(", rows = 7 }"), "{kpis}");

    // The evidence: one row per input row, with its source line.
    let evidence = read(&dir.path().join("content/2026-10/evidence/change-failure-rate.csv"));
    let mut lines = evidence.lines();
    assert_eq!(lines.next(), Some("deployment,deployed_at,service,kind,failed,why,source"));
    assert_eq!(
        lines.next(),
        Some("d1,2026-10-01T12:00:00Z,api,planned,yes,fixed by d6,data/2026-10/deployments.csv:3")
    );
    assert_eq!(evidence.lines().count(), 6);
    assert!(!dir.path().join("content/2026-10/evidence/lead-time.csv").exists(), "no evidence for a kept value");

    // Measuring again changes no byte.
    let before = tree(&dir.path().join("content"));
    let o = measure(dir.path(), &["2026-10"]);
    assert!(o.status.success() && stderr(&o).contains("already up to date"), "{}", stderr(&o));
    assert_eq!(tree(&dir.path().join("content")), before);

    // --overwrite replaces the hand-entered lead time, keeping its comment.
    let o = measure(dir.path(), &["2026-10", "--overwrite"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kpis = read(&dir.path().join("content/2026-10/kpis.toml"));
    assert!(
        kpis.contains("lead-time = { value = 2, measured = \"median of 5 changes deployed in 5 deployments\", rows = 5 }   # typed by hand"),
        "{kpis}"
    );
    assert!(dir.path().join("content/2026-10/evidence/lead-time.csv").exists());

    // The report builds from computed lines, and shows how each was computed,
    // linking to the rows behind it, on the site and in the pack.
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(dir.path(), &site);
    let delivery = read(&site.join("2026-10/software-delivery/index.html"));
    assert!(
        delivery.contains("<span class=\"note-mark\">Measured</span> median of 5 changes deployed in 5 deployments. <a href=\"../../2026-10/evidence/lead-time.csv\">The 5 rows behind it (CSV)</a>"),
        "{delivery}"
    );
    assert_eq!(
        fs::read(site.join("2026-10/evidence/lead-time.csv")).unwrap(),
        fs::read(dir.path().join("content/2026-10/evidence/lead-time.csv")).unwrap()
    );
    assert!(assert_links_resolve(&site) > 0);
    let o = boardpack(&["pack", "--root", dir.path().to_str().unwrap(), "--output", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zip = fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .unwrap();
    let mut archive = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    assert!(archive.by_name("evidence/lead-time.csv").is_ok(), "the pack carries the evidence");
}

#[test]
fn bad_input_is_located_and_nothing_is_written() {
    let dir = project("broken");
    let kpis = dir.path().join("content/2026-10/kpis.toml");
    let before = read(&kpis);
    let o = measure(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for expected in [
        "the repository `../no-such-repository` does not exist",
        "--> boardpack.toml:8:",
        "`deployed_at`: `2026-10-32 10:00` is not a real date and time",
        "--> data/2026-10/deployments.csv:3:",
        "write date-times as RFC 3339 with an offset (2026-10-05T14:22:05Z",
        "this row has 6 cells but the header has 5 columns",
        "--> data/2026-10/deployments.csv:4:",
        "`kind`: `oops` is not a kind of deployment",
        "--> data/2026-10/deployments.csv:5:",
        "`restored_at`: this incident was restored before it was detected",
        "--> data/2026-10/incidents.csv:2:",
        "nothing was written",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert_eq!(read(&kpis), before);
    assert!(!dir.path().join("content/2026-10/evidence").exists());
}

/// Runs git in `dir` with fixed identity and dates.
pub(crate) fn git(dir: &Path, args: &[&str], author: (&str, &str), date: &str) -> String {
    let o = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Committer", "-c", "user.email=committer@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", author.0)
        .env("GIT_AUTHOR_EMAIL", author.1)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Commits `files` (each written with its own name as content) and returns the SHA.
pub(crate) fn commit(dir: &Path, files: &[&str], author: (&str, &str), date: &str) -> String {
    for f in files {
        let path = dir.join(f);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, format!("{f} {date}\n")).unwrap();
    }
    git(dir, &["add", "."], author, date);
    git(dir, &["commit", "-q", "-m", date], author, date);
    git(dir, &["rev-parse", "HEAD"], author, date)
}

#[test]
fn lead_time_and_key_person_concentration_from_a_real_git_repository_with_a_mailmap() {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("shop");
    fs::create_dir_all(&shop).unwrap();
    git(&shop, &["init", "-q", "-b", "main"], ("x", "x@example.com"), "2026-09-01T00:00:00Z");
    let ann = ("Ann", "ann@work.example");
    let ann_home = ("ann", "ann@home.example");
    let bob = ("Bob", "bob@example.com");
    // .mailmap: both of Ann's addresses are Ann Smith <ann@work.example>.
    fs::write(shop.join(".mailmap"), "Ann Smith <ann@work.example>\nAnn Smith <ann@work.example> <ann@home.example>\n")
        .unwrap();
    let _c1 = commit(&shop, &["api/a.rs"], ann, "2026-09-01T10:00:00Z");
    let _c2 = commit(&shop, &["api/b.rs"], bob, "2026-09-10T10:00:00Z");
    let c3 = commit(&shop, &["api/c.rs"], ann_home, "2026-09-20T10:00:00Z");
    let _c4 = commit(&shop, &["api/d.rs", "web/x.js"], bob, "2026-10-02T10:00:00Z");
    let c5 = commit(&shop, &["api/e.rs", "web/z.js"], ann, "2026-10-03T10:00:00Z");
    let _c6 = commit(&shop, &["web/y.js"], bob, "2026-10-05T10:00:00Z");
    let c7 = commit(&shop, &["web/w.js"], ann_home, "2026-10-06T10:00:00Z");

    let root = dir.path().join("report");
    fs::create_dir_all(root.join("content/2026-10")).unwrap();
    fs::create_dir_all(root.join("data/2026-10")).unwrap();
    fs::write(
        root.join("boardpack.toml"),
        "title = \"T\"\norganisation = \"Shop Co\"\n\n[[measure.repository]]\npath = \"../shop\"\ncomponents = [\"api/\", \"web/\"]\n",
    )
    .unwrap();
    // d0 (September) is where October starts from; d1 brings c4 and c5, d2 c6 and c7.
    let deployments = format!(
        "id,deployed_at,service,environment,sha\nd0,2026-09-25T00:00:00Z,shop,production,{c3}\nd1,2026-10-04T10:00:00Z,shop,production,{c5}\nd2,2026-10-07T10:00:00Z,shop,production,{}\n",
        &c7[..12]
    );
    fs::write(root.join("data/2026-10/deployments.csv"), &deployments).unwrap();
    let o = measure(&root, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kpis = read(&root.join("content/2026-10/kpis.toml"));
    // Lead times: c4 2 days, c5 1 day (to d1); c6 2 days, c7 1 day (to d2). Median 1.5.
    assert_eq!(entry(&kpis, "lead-time"), (1.5, Some("median of 4 changes deployed in 2 deployments".to_string())));
    // 90 days to 31 October: api/ has 5 changes, 3 by Ann (2 as ann@work, 1 as
    // ann@home, one person through the mailmap): 60%, concentrated. web/ has
    // Bob 2, Ann 2: not. 1 of 2 = 50%. Without the mailmap neither api/
    // author would pass half (2 of 5 each).
    assert_eq!(
        entry(&kpis, "key-person-concentration"),
        (
            50.0,
            Some(
                "1 of 2 components with one author of more than half of the changes in the 90 days to 31 October 2026"
                    .to_string()
            )
        )
    );
    let evidence = read(&root.join("content/2026-10/evidence/key-person-concentration.csv"));
    assert!(evidence.contains("shop,shop:api/,5,2,Ann Smith,3,60,yes,../shop (HEAD)"), "{evidence}");
    assert!(evidence.contains("shop,shop:web/,4,2,"), "{evidence}");
    // People are named, never by email address: in content/, on the site and in the pack.
    let no_email = |what: &str, text: &str| assert!(!text.contains('@'), "an email address in {what}:\n{text}");
    for (path, bytes) in tree(&root.join("content")) {
        no_email(&path, &String::from_utf8_lossy(&bytes));
    }
    let out = tempfile::tempdir().unwrap();
    fs::write(root.join("content/2026-10/summary.md"), "October.\n").unwrap();
    build(&root, &out.path().join("site"));
    for (path, bytes) in tree(&out.path().join("site")).into_iter().filter(|(p, _)| p.contains("evidence")) {
        no_email(&path, &String::from_utf8_lossy(&bytes));
    }
    let o = boardpack(&["pack", "--root", root.to_str().unwrap(), "--output", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zip = fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"));
    let mut archive = zip::ZipArchive::new(fs::File::open(zip.unwrap()).unwrap()).unwrap();
    let mut csv = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("evidence/key-person-concentration.csv").unwrap(), &mut csv)
        .unwrap();
    assert!(csv.contains(",Ann Smith,3,60,yes,"), "{csv}");
    no_email("the pack", &csv);
    // Or by initials, when boardpack.toml says so.
    let config = read(&root.join("boardpack.toml"))
        .replace("[[measure.repository]]", "[measure]\npeople = \"initials\"\n\n[[measure.repository]]");
    fs::write(root.join("boardpack.toml"), config).unwrap();
    let o = measure(&root, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let evidence = read(&root.join("content/2026-10/evidence/key-person-concentration.csv"));
    assert!(evidence.contains("shop,shop:api/,5,2,AS,3,60,yes,../shop (HEAD)"), "{evidence}");
    let lead = read(&root.join("content/2026-10/evidence/lead-time.csv"));
    assert_eq!(lead.lines().count(), 5, "{lead}");
    assert!(
        lead.contains(&format!(
            "d1,2026-10-04T10:00:00Z,shop,{c5},2026-10-03T10:00:00Z,1,data/2026-10/deployments.csv:3"
        )),
        "{lead}"
    );

    // A SHA in no branch or tag is a warning at its row, and the rest is
    // computed: d2 then brings c4 to c7 (5, 4, 2 and 1 days), median 3.
    fs::write(root.join("data/2026-10/deployments.csv"), deployments.replace(&c5, "deadbeefdeadbeef")).unwrap();
    let o = measure(&root, &["2026-10", "--overwrite"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("column `sha`: commit `deadbeefdeadbeef` is in no branch or tag of any listed repository"),
        "{err}"
    );
    assert!(err.contains("--> data/2026-10/deployments.csv:3:"), "{err}");
    let kpis = read(&root.join("content/2026-10/kpis.toml"));
    assert_eq!(
        entry(&kpis, "lead-time"),
        (
            3.0,
            Some(
                "median of 4 changes deployed in 1 deployment; 1 deployment without commit information left out".into()
            )
        )
    );
}

#[test]
fn the_demo_measures_its_last_three_months_from_its_own_data() {
    let dir = copy_project(&repo());
    copy_dir(&repo().join("data"), &dir.path().join("data"));
    // A sealed month is refused: the board received its numbers.
    let o = measure(dir.path(), &["2026-08"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("August 2026 is sealed (content/2026-08/sealed.toml)"), "{}", stderr(&o));
    assert!(stderr(&o).contains("add a restatement"), "{}", stderr(&o));
    // Unsealed (in this copy only), the sealed months measure to what was sent.
    for month in ["2026-08", "2026-09"] {
        fs::remove_file(dir.path().join(format!("content/{month}/sealed.toml"))).unwrap();
    }
    let before = tree(&dir.path().join("content"));
    for month in ["2026-08", "2026-09", "2026-10"] {
        let o = measure(dir.path(), &[month]);
        assert!(o.status.success(), "{month}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("9 computed"), "{month}: {err}");
        assert!(err.contains("already up to date"), "{month}: the demo's values are what measure computes:\n{err}");
        assert!(err.contains("key-person-concentration  left as it was"), "{err}");
    }
    // Every value, note and evidence file is exactly what measuring gives.
    assert_eq!(tree(&dir.path().join("content")), before);
    let kpis = read(&repo().join("content/2026-09/kpis.toml"));
    assert_eq!(entry(&kpis, "cycle-time").0, 7.3);
    assert!(kpis.contains("note = \"Second reviewer required on routing engine changes from 1 September\""));
}

/// A project reading the given samples from examples/measure/ with their mappings.
pub(crate) fn with_samples(samples: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from("title = \"T\"\norganisation = \"Larkspur Freight\"\n");
    fs::create_dir_all(dir.path().join("exports")).unwrap();
    fs::create_dir_all(dir.path().join("content/2026-10")).unwrap();
    for (input, mapping, file) in samples {
        fs::copy(repo().join("examples/measure").join(file), dir.path().join("exports").join(file)).unwrap();
        config += &format!("\n[measure.{input}]\npath = \"exports/{file}\"\nmapping = \"{mapping}\"\n");
    }
    fs::write(dir.path().join("boardpack.toml"), config).unwrap();
    dir
}

pub(crate) fn measured(dir: &Path) -> (String, String) {
    let o = measure(dir, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    (read(&dir.join("content/2026-10/kpis.toml")), stderr(&o))
}

#[test]
fn every_ready_made_mapping_reads_its_sample() {
    // GitHub deployments (a `kind` column added: GitHub has none), PagerDuty, Jira.
    let dir = with_samples(&[
        ("deployments", "github", "github-deployments.csv"),
        ("incidents", "pagerduty", "pagerduty-incidents.csv"),
        ("work_items", "jira", "jira-issues.csv"),
    ]);
    let (kpis, err) = measured(dir.path());
    // 5 production deployments (one is staging); the fix and the rollback are unplanned.
    assert_eq!(entry(&kpis, "rework-ratio").0, 40.0);
    // The rollback replaced the deployment before it: 1 of 5.
    assert_eq!(entry(&kpis, "change-failure-rate").0, 20.0);
    assert!(
        err.contains("deployments name their commits (`sha`) but boardpack.toml lists no [[measure.repository]]"),
        "{err}"
    );
    // Restored in October: 2.5 h (from 30 September), 0.7 h, 3.5 h, 0.75 h; one open. Median 1.625.
    assert_eq!(
        entry(&kpis, "time-to-restore"),
        (1.63, Some("median of 4 incidents restored; 1 incident still open at the month's end".into()))
    );
    // Bugs logged in October: LF-4110 and LF-4133 in Production, LF-4121 in Staging.
    assert_eq!(entry(&kpis, "defect-escape-rate").0, 66.7);
    // Resolved in October: 5 + 3 points with a parent epic, of 13.
    assert_eq!(entry(&kpis, "business-outcome-share").0, 61.5);
    // Sprint 35: LF-4102 delivered, LF-4110 and LF-4115 carried over to
    // Sprint 36 (Jira repeats `Sprint`), 1 of 3; Sprint 36 4 of 5. Average
    // 56.7. Jira exports no sprint dates: each is dated by its last item
    // finished in it.
    assert_eq!(
        entry(&kpis, "delivery-predictability"),
        (
            56.7,
            Some("average of 2 sprints ending in October 2026: 5 of 8 committed items delivered; 2 sprints without an end date, dated by their last finished item".into())
        )
    );
    assert!(err.contains("exports/jira-issues.csv has no `started_at` column"), "{err}");

    // GitLab deployments (failed and canceled ones do not count), Opsgenie, Linear.
    let dir = with_samples(&[
        ("deployments", "gitlab", "gitlab-deployments.csv"),
        ("incidents", "opsgenie", "opsgenie-incidents.csv"),
        ("work_items", "linear", "linear-issues.csv"),
    ]);
    let (kpis, _) = measured(dir.path());
    assert_eq!(
        entry(&kpis, "rework-ratio"),
        (33.3, Some("1 of 3 production deployments was an unplanned fix or rollback".into()))
    );
    assert_eq!(entry(&kpis, "change-failure-rate").0, 0.0);
    // createdAt to impactEndDate: 0.75 h, 2.5 h, 0.33 h.
    assert_eq!(entry(&kpis, "time-to-restore").0, 0.75);
    // Started to Completed: 9.29, 1.125, 1.04, 8.33 days: median 4.73.
    assert_eq!(entry(&kpis, "cycle-time").0, 4.73);
    // Cycle 19: 2 of 3 by its Cycle End; cycle 20: 2 of 2. Average 83.3.
    assert_eq!(entry(&kpis, "delivery-predictability").0, 83.3);
    // Labels: ENG-815 is Bug + production, ENG-824 Bug only.
    assert_eq!(entry(&kpis, "defect-escape-rate").0, 50.0);
    // Estimate on a Project: 3 of 7.
    assert_eq!(entry(&kpis, "business-outcome-share").0, 42.9);

    // GitHub pull requests as work items: created to merged.
    let dir = with_samples(&[("work_items", "github", "github-pull-requests.csv")]);
    let (kpis, _) = measured(dir.path());
    assert_eq!(entry(&kpis, "cycle-time"), (2.28, Some("median of 4 work items finished".into())));
    assert_eq!(entry(&kpis, "defect-escape-rate").0, 50.0);

    // GitLab issues: times in UTC, weight as effort, epic as outcome.
    let dir = with_samples(&[("work_items", "gitlab", "gitlab-issues.csv")]);
    let (kpis, _) = measured(dir.path());
    assert_eq!(entry(&kpis, "defect-escape-rate").0, 50.0);
    assert_eq!(entry(&kpis, "business-outcome-share").0, 81.3);
}

#[test]
fn a_mapping_that_does_not_exist_or_a_column_that_is_not_there_is_an_error_in_boardpack_toml() {
    let dir = with_samples(&[("incidents", "pagerduty", "pagerduty-incidents.csv")]);
    let config = read(&dir.path().join("boardpack.toml")).replace(
        "mapping = \"pagerduty\"",
        "mapping = \"pagerdoody\"\ncolumns = { severty = \"urgency\", service = \"Service\" }",
    );
    fs::write(dir.path().join("boardpack.toml"), &config).unwrap();
    let o = measure(dir.path(), &["2026-10"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("there is no mapping `pagerdoody` for incidents"), "{err}");
    assert!(err.contains("incidents have no field `severty`") && err.contains("did you mean `severity`?"), "{err}");
    assert!(err.contains("exports/pagerduty-incidents.csv has no column `Service` (set for `service`)"), "{err}");
    assert!(err.contains("--> boardpack.toml:6:"), "{err}");
}

#[test]
fn a_branch_that_git_would_read_as_an_option_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("shop");
    fs::create_dir_all(&shop).unwrap();
    git(&shop, &["init", "-q", "-b", "main"], ("x", "x@example.com"), "2026-09-01T00:00:00Z");
    let ann = ("Ann", "ann@example.com");
    commit(&shop, &["api/a.rs"], ann, "2026-10-01T10:00:00Z");
    let victim = dir.path().join("precious.txt");
    fs::write(&victim, "the board's minutes\n").unwrap();
    let root = dir.path().join("report");
    fs::create_dir_all(root.join("content/2026-10")).unwrap();
    for branch in [format!("--output={}", victim.display()), "--since=2099-01-01".to_string(), "-p".to_string()] {
        fs::write(
            root.join("boardpack.toml"),
            format!(
                "title = \"T\"\norganisation = \"Shop Co\"\n\n[[measure.repository]]\npath = \"../shop\"\nbranch = \"{branch}\"\n"
            ),
        )
        .unwrap();
        let o = measure(&root, &["2026-10"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{branch}: {err}");
        assert!(err.contains(&format!("branch `{branch}` starts with `-`")), "{err}");
        assert!(err.contains("--> boardpack.toml:6:"), "{err}");
        assert_eq!(read(&victim), "the board's minutes\n", "git wrote over a file outside the project");
        assert!(!root.join("content/2026-10/kpis.toml").exists(), "nothing was written");
    }
    // A real branch still reads.
    fs::write(
        root.join("boardpack.toml"),
        "title = \"T\"\norganisation = \"Shop Co\"\n\n[[measure.repository]]\npath = \"../shop\"\nbranch = \"main\"\n",
    )
    .unwrap();
    let o = measure(&root, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&root.join("content/2026-10/evidence/key-person-concentration.csv")).contains("../shop (main)"));
}

/// Runs `measure 2026-10` on `root`, stopped at step `stop` of writing its
/// files (test builds end the process there, as `kill -9` would).
fn measure_stopped(root: &Path, stop: usize) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["measure", "2026-10", "--root", root.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env("BOARDPACK_TEST_MEASURE_STOP", stop.to_string())
        .output()
        .expect("run boardpack")
}

/// The files under `content/` boardpack left half-written: an earlier
/// version's `.boardpack-XXXXXX`, or anything hidden.
fn leftovers(root: &Path) -> Vec<String> {
    tree(&root.join("content")).into_keys().filter(|p| p.split('/').any(|part| part.starts_with('.'))).collect()
}

#[test]
fn a_run_stopped_at_any_step_of_writing_leaves_the_old_set_or_the_next_run_finishes_it() {
    // What a run that is never stopped writes, and what was there before.
    let reference = project("basic");
    let old = tree(&reference.path().join("content"));
    let o = measure(reference.path(), &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let new = tree(&reference.path().join("content"));
    let written = new.iter().filter(|(path, bytes)| old.get(*path) != Some(*bytes)).count();
    assert_eq!(written, 9, "8 evidence files and kpis.toml");

    let mut stops = 0;
    for stop in 1.. {
        let dir = project("basic");
        // What an earlier version, stopped while writing, left.
        fs::write(dir.path().join("content/2026-10/.boardpack-Xy12ab"), "half a file").unwrap();
        let o = measure_stopped(dir.path(), stop);
        if o.status.success() {
            break;
        }
        stops += 1;
        assert_eq!(o.status.code(), Some(137), "stopped at step {stop}: {}", stderr(&o));
        assert_eq!(leftovers(dir.path()), Vec::<String>::new(), "step {stop}: no temporary file in content/");
        let planned = dir.path().join(".boardpack/measure/plan").exists();
        let now = tree(&dir.path().join("content"));
        if !planned {
            // Before the plan is written, nothing in content/ has changed; after it is removed, all has.
            assert!(now == old || now == new, "stopped at step {stop}, without a plan: the old set or the new one");
        }
        for (path, bytes) in &now {
            assert!(
                old.get(path) == Some(bytes) || new.get(path) == Some(bytes),
                "step {stop}: {path} is neither old nor new"
            );
        }

        // The next run finishes the set (or, before the plan, discards it) and writes its own.
        let o = measure(dir.path(), &["2026-10"]);
        assert!(o.status.success(), "after step {stop}: {}", stderr(&o));
        let unfinished = planned && now != new;
        assert_eq!(stderr(&o).contains("had not finished writing its files"), unfinished, "{}", stderr(&o));
        assert_eq!(tree(&dir.path().join("content")), new, "after step {stop}: the new set, whole");
        assert!(!dir.path().join(".boardpack/measure").exists(), "after step {stop}: nothing staged is left");
    }
    // 9 files staged, the plan, 9 moved into place, the plan removed.
    assert_eq!(stops, 20, "every step was tried");
}

#[test]
fn check_and_build_refuse_a_set_half_in_place_until_measure_finishes_it() {
    let dir = project("basic");
    // Stopped after the plan and two files moved into place: evidence and kpis.toml disagree.
    let o = measure_stopped(dir.path(), 12);
    assert_eq!(o.status.code(), Some(137), "{}", stderr(&o));
    let root = dir.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    for args in [vec!["check", "--root", root], vec!["build", "--root", root, "--output", out.path().to_str().unwrap()]]
    {
        let o = boardpack(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("`boardpack measure` was stopped while writing its files"), "{}", stderr(&o));
        assert!(stderr(&o).contains("run boardpack measure again"), "{}", stderr(&o));
    }
    assert!(!out.path().join("index.html").exists(), "nothing was published");
    let o = measure(dir.path(), &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    build(dir.path(), out.path());
}

#[test]
fn a_file_edited_after_an_interrupted_run_is_kept_and_said() {
    let dir = project("basic");
    // Stopped after the plan and the first file moved into place.
    let o = measure_stopped(dir.path(), 11);
    assert_eq!(o.status.code(), Some(137), "{}", stderr(&o));
    let kpis = dir.path().join("content/2026-10/kpis.toml");
    fs::write(&kpis, "lead-time = 2.9\n").unwrap();
    let o = measure(dir.path(), &["2026-10"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("this file was edited after an interrupted `boardpack measure`"), "{err}");
    assert!(err.contains("content/2026-10/kpis.toml"), "{err}");
    assert_eq!(read(&kpis), "lead-time = 2.9\n", "the author's edit is kept");
    // Discarding the interrupted run's files, as the message says, lets measure run.
    fs::remove_dir_all(dir.path().join(".boardpack/measure")).unwrap();
    let o = measure(dir.path(), &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&kpis).starts_with("lead-time = 2.9\n"), "{}", read(&kpis));
}

/// A project with a month of a large team's exports: thousands of rows, so
/// writing the evidence takes long enough to be interrupted.
fn large_project(items: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("content/2026-10")).unwrap();
    fs::create_dir_all(dir.path().join("data/2026-10")).unwrap();
    fs::write(dir.path().join("boardpack.toml"), "title = \"T\"\norganisation = \"Large Co\"\n").unwrap();
    let mut work = String::from(
        "id,type,created_at,started_at,finished_at,sprint,sprint_end,quarter,due,outcome,effort,found_in\n",
    );
    let mut deployments = String::from("id,deployed_at,service,first_commit_at,kind\n");
    for i in 0..items {
        let (day, hour, minute) = (1 + i % 28, i % 24, i % 60);
        let kind = if i % 2 == 0 { "bug" } else { "story" };
        let found = if i % 4 == 0 { "production" } else { "staging" };
        work += &format!(
            "W-{i},{kind},2026-10-{day:02} 00:00,2026-10-{day:02} {hour:02}:{minute:02},2026-10-{:02} 12:00,S{},2026-10-{:02},2026-Q4,2026-10-{:02},Outcome {},{},{found}\n",
            (day + 2).min(31),
            i % 4,
            7 * (i % 4 + 1),
            (day + 1).min(31),
            i % 7,
            i % 8
        );
        if i % 4 == 0 {
            let kind = ["planned", "fix", "rollback", "planned"][i / 4 % 4];
            deployments += &format!(
                "d{i},2026-10-{day:02} {hour:02}:{minute:02},svc-{},2026-09-{:02} 10:00,{kind}\n",
                i % 9,
                1 + i % 28
            );
        }
    }
    fs::write(dir.path().join("data/2026-10/work-items.csv"), work).unwrap();
    fs::write(dir.path().join("data/2026-10/deployments.csv"), deployments).unwrap();
    dir
}

/// Starts `measure 2026-10` on `root` and waits until it begins writing
/// files (its evidence folder or its staging folder appears), or ends.
fn measure_until_it_writes(root: &Path) -> (std::process::Child, std::time::Instant) {
    let child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["measure", "2026-10", "--root", root.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut child = child;
    while started.elapsed() < std::time::Duration::from_secs(120) {
        let writing = root.join("content/2026-10/evidence").exists() || root.join(".boardpack/measure").exists();
        if writing || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    (child, std::time::Instant::now())
}

#[test]
fn kill_9_while_writing_then_the_next_run_leaves_a_whole_set_and_no_leftovers() {
    // How long writing takes, from its first file to the end of the run.
    let reference = large_project(10_000);
    let (mut child, writing) = measure_until_it_writes(reference.path());
    assert!(child.wait().unwrap().success());
    let write_time = writing.elapsed();
    let new = tree(&reference.path().join("content"));
    assert!(new.values().map(Vec::len).sum::<usize>() > 2_000_000, "megabytes of evidence to write");

    // Killed at times spread over the writing, each then measured again.
    let trials = 8;
    for trial in 0..trials {
        let dir = large_project(10_000);
        let (mut child, _) = measure_until_it_writes(dir.path());
        std::thread::sleep(write_time.mul_f64(trial as f64 / trials as f64));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_eq!(leftovers(dir.path()), Vec::<String>::new(), "trial {trial}: a temporary file in content/");
        let o = measure(dir.path(), &["2026-10"]);
        assert!(o.status.success(), "trial {trial}: {}", stderr(&o));
        assert!(tree(&dir.path().join("content")) == new, "trial {trial}: the whole new set");
        assert!(!dir.path().join(".boardpack/measure").exists(), "trial {trial}: nothing staged is left");
    }
}

#[cfg(unix)]
#[test]
fn one_run_at_a_time() {
    let dir = project("basic");
    fs::create_dir_all(dir.path().join(".boardpack")).unwrap();
    let held = fs::File::create(dir.path().join(".boardpack/measure.lock")).unwrap();
    rustix::fs::flock(&held, rustix::fs::FlockOperation::LockExclusive).unwrap();
    let o = measure(dir.path(), &["2026-10"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("another `boardpack measure` is writing this project's files"), "{}", stderr(&o));
    assert!(!dir.path().join("content/2026-10/evidence").exists());
    drop(held);
    let o = measure(dir.path(), &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_named_pipe_given_as_an_input_is_refused_not_waited_on() {
    for input in [
        "data/2026-10/deployments.csv",
        "data/2026-10/work-items.csv",
        "content/2026-10/kpis.toml",
        "content/catalogue.toml",
        "boardpack.toml",
    ] {
        let dir = project("basic");
        let path = dir.path().join(input);
        let _ = fs::remove_file(&path);
        let made = Command::new("mkfifo").arg(&path).status().expect("mkfifo runs");
        assert!(made.success());
        let mut child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
            .args(["measure", "2026-10", "--root", dir.path().to_str().unwrap()])
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() && started.elapsed() < std::time::Duration::from_secs(20) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if child.try_wait().unwrap().is_none() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("measure waited on the named pipe {input}");
        }
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{input}: {err}");
        assert!(err.contains(&format!("--> {input}")) && err.contains("is a named pipe, not a file"), "{input}: {err}");
        assert!(!dir.path().join("content/2026-10/evidence").exists(), "{input}: nothing was written");
    }
}
