//! `boardpack measure` on the inputs that made it wrong without a word
//! (issue #31): carried-over sprints, CRLF exports, the user's own git
//! settings, shallow clones, deployments from branches not merged,
//! components that match nothing, and a summary that must not overstate.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::measure::{commit, entry, git, measure};
use crate::common::*;

/// A report project in `dir/report` with `config` appended to its
/// `boardpack.toml`, and `files` (path, text) written in it.
fn report(dir: &Path, config: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let root = dir.join("report");
    fs::create_dir_all(root.join("content/2026-10")).unwrap();
    fs::write(root.join("boardpack.toml"), format!("title = \"T\"\norganisation = \"Shop Co\"\n{config}")).unwrap();
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    root
}

/// An empty repository at `dir/name`, on `main`.
fn new_repo(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(&path).unwrap();
    git(&path, &["init", "-q", "-b", "main"], ("x", "x@example.com"), "2026-09-01T00:00:00Z");
    path
}

#[test]
fn a_jira_item_carried_into_the_next_sprint_is_not_delivered_in_the_first() {
    // Jira repeats `Sprint`: 20 stories done in Sprint 42, 5 left unfinished
    // and carried into Sprint 43, done there with its own 20. Before: "45 of
    // 45", 100%. Sprint 42 delivered 20 of 25, Sprint 43 25 of 25: 90%.
    let mut csv = String::from("Issue key,Issue Type,Created,Resolved,Sprint,Sprint\n");
    for n in 1..=20 {
        csv += &format!("SHOP-{n},Story,01/Oct/26 9:00 AM,05/Oct/26 4:00 PM,Sprint 42,\n");
        csv += &format!("SHOP-{},Story,06/Oct/26 9:00 AM,18/Oct/26 4:00 PM,Sprint 43,\n", 100 + n);
    }
    for n in 1..=5 {
        csv += &format!("SHOP-{},Story,01/Oct/26 9:00 AM,20/Oct/26 4:00 PM,Sprint 42,Sprint 43\n", 200 + n);
    }
    let dir = tempfile::tempdir().unwrap();
    let root =
        report(dir.path(), "\n[measure.work_items]\nmapping = \"jira\"\n", &[("data/2026-10/work-items.csv", &csv)]);
    let o = measure(&root, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kpis = read(&root.join("content/2026-10/kpis.toml"));
    let (value, measured) = entry(&kpis, "delivery-predictability");
    assert_eq!(value, 90.0);
    assert!(
        measured
            .as_deref()
            .unwrap()
            .starts_with("average of 2 sprints ending in October 2026: 45 of 50 committed items delivered"),
        "{measured:?}"
    );
    let evidence = read(&root.join("content/2026-10/evidence/delivery-predictability.csv"));
    assert!(evidence.contains("Sprint 42,2026-10-05T16:00:00Z,80,SHOP-201,no,2026-10-20T16:00:00Z,"), "{evidence}");
    assert!(evidence.contains("Sprint 43,2026-10-20T16:00:00Z,100,SHOP-201,yes,"), "{evidence}");
}

#[test]
fn a_crlf_export_is_located_at_the_lines_an_editor_shows() {
    // CRLF, and a quoted cell holding a line break on lines 2 and 3: the bad
    // kind is on line 5.
    let csv = "id,deployed_at,service,environment,kind\r\nd1,2026-10-01T10:00:00Z,\"api\r\nand web\",production,planned\r\nd2,2026-10-02T10:00:00Z,api,production,fix\r\nd3,2026-10-03T10:00:00Z,api,production,oops\r\n";
    let dir = tempfile::tempdir().unwrap();
    let root = report(dir.path(), "", &[("data/2026-10/deployments.csv", csv)]);
    let o = measure(&root, &["2026-10"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("`kind`: `oops` is not a kind of deployment"), "{err}");
    assert!(err.contains("--> data/2026-10/deployments.csv:5:40"), "{err}");
    assert!(err.contains("5 | d3,2026-10-03T10:00:00Z,api,production,oops\n"), "the line itself, no CR:\n{err}");
    let caret = err.lines().skip_while(|l| !l.starts_with("5 | ")).nth(1).unwrap_or_default();
    assert_eq!(caret.find('^'), Some("5 | d3,2026-10-03T10:00:00Z,api,production,".len()), "{err}");

    // Fixed: every evidence row points at its own line, the first at line 2.
    fs::write(root.join("data/2026-10/deployments.csv"), csv.replace("oops", "planned")).unwrap();
    let o = measure(&root, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let evidence = read(&root.join("content/2026-10/evidence/rework-ratio.csv"));
    let sources: Vec<&str> =
        evidence.lines().filter_map(|l| l.rsplit(',').next().filter(|s| s.starts_with("data/"))).collect();
    assert_eq!(
        sources,
        ["data/2026-10/deployments.csv:2", "data/2026-10/deployments.csv:4", "data/2026-10/deployments.csv:5"],
        "{evidence}"
    );
}

/// `boardpack measure ROOT 2026-10` with HOME (and XDG_CONFIG_HOME) at `home`.
fn measure_at_home(root: &Path, home: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["measure", "--root", root.to_str().unwrap(), "2026-10", "--overwrite"])
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("GIT_CONFIG_GLOBAL")
        .env_remove("GIT_CONFIG_NOSYSTEM")
        .output()
        .unwrap()
}

#[test]
fn the_user_s_git_settings_do_not_change_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let shop = new_repo(dir.path(), "shop");
    let ann = ("Ann", "ann@example.com");
    let yann = ("Yann", "yann@example.com");
    commit(&shop, &["scripts/a.sh", "scripts/b.sh"], ann, "2026-09-01T10:00:00Z");
    // Yann moves a file out of scripts/: a change to scripts/ (and to tools/).
    fs::create_dir_all(shop.join("tools")).unwrap();
    git(&shop, &["mv", "scripts/b.sh", "tools/b.sh"], yann, "2026-10-02T10:00:00Z");
    git(&shop, &["commit", "-q", "-m", "move"], yann, "2026-10-02T10:00:00Z");
    commit(&shop, &["web/x.js"], yann, "2026-10-03T10:00:00Z");
    let root = report(
        dir.path(),
        "\n[[measure.repository]]\npath = \"../shop\"\ncomponents = [\"scripts/\", \"web/\"]\n",
        &[],
    );
    // A ~/.gitconfig that detects renames and maps Yann onto Ann.
    let hostile = dir.path().join("hostile");
    fs::create_dir_all(hostile.join(".config/git")).unwrap();
    fs::write(hostile.join("mailmap"), "Ann <ann@example.com> <yann@example.com>\n").unwrap();
    let config = format!(
        "[diff]\n\trenames = copies\n[mailmap]\n\tfile = {}\n[log]\n\tshowRoot = false\n",
        hostile.join("mailmap").display()
    );
    fs::write(hostile.join(".gitconfig"), &config).unwrap();
    fs::write(hostile.join(".config/git/config"), &config).unwrap();
    let plain = dir.path().join("plain");
    fs::create_dir_all(&plain).unwrap();
    fs::write(plain.join(".gitconfig"), "[diff]\n\trenames = false\n").unwrap();

    let mut seen = Vec::new();
    for home in [&hostile, &plain] {
        let o = measure_at_home(&root, home);
        assert!(o.status.success(), "{}", stderr(&o));
        seen.push(read(&root.join("content/2026-10/evidence/key-person-concentration.csv")));
    }
    // scripts/: Ann's first commit and Yann's move, one each: not
    // concentrated. web/: Yann alone. The same on both machines.
    assert!(seen[0].contains("shop,shop:scripts/,2,2,"), "{}", seen[0]);
    assert!(seen[0].contains("shop,shop:web/,1,1,Yann,1,100,yes,"), "{}", seen[0]);
    assert_eq!(seen[0], seen[1]);
    let kpis = read(&root.join("content/2026-10/kpis.toml"));
    assert_eq!(entry(&kpis, "key-person-concentration").0, 50.0);
}

#[test]
fn a_shallow_clone_is_an_error_naming_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let origin = new_repo(dir.path(), "origin");
    let ann = ("Ann", "ann@example.com");
    let old = commit(&origin, &["api/a.rs"], ann, "2026-07-01T10:00:00Z");
    commit(&origin, &["api/b.rs"], ann, "2026-08-01T10:00:00Z");
    commit(&origin, &["api/c.rs"], ann, "2026-09-01T10:00:00Z");
    let new = commit(&origin, &["api/d.rs"], ann, "2026-10-01T10:00:00Z");
    let url = format!("file://{}", origin.display());
    git(dir.path(), &["clone", "-q", "--depth", "2", &url, "shop"], ann, "2026-10-01T10:00:00Z");
    let deployments =
        format!("id,deployed_at,service,sha\nd0,2026-07-02T00:00:00Z,api,{old}\nd1,2026-10-02T00:00:00Z,api,{new}\n");
    let root = report(
        dir.path(),
        "\n[[measure.repository]]\npath = \"../shop\"\ncomponents = [\"api/\"]\n",
        &[("data/2026-10/deployments.csv", &deployments)],
    );
    let o = measure(&root, &["2026-10"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("../shop is a shallow clone: its history stops at 2026-09-01"), "{err}");
    assert!(err.contains("git -C ../shop fetch --unshallow"), "{err}");
    assert!(err.contains("--> boardpack.toml:5:"), "{err}");
    // The SHA older than the cut says why it is not there.
    assert!(err.contains(&format!("commit `{old}` is in no branch or tag")), "{err}");
    assert!(err.contains("(../shop is a shallow clone cut at 2026-09-01"), "{err}");
    assert!(!root.join("content/2026-10/kpis.toml").exists());

    // The fix the error names works.
    git(&dir.path().join("shop"), &["fetch", "-q", "--unshallow"], ann, "2026-10-01T10:00:00Z");
    let o = measure(&root, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kpis = read(&root.join("content/2026-10/kpis.toml"));
    // d1 brought b, c and d (61.58, 30.58 and 0.58 days): median 30.58.
    assert_eq!(entry(&kpis, "lead-time").0, 30.58);
}

#[test]
fn a_deployment_from_a_branch_not_merged_is_found_and_one_found_nowhere_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let shop = new_repo(dir.path(), "shop");
    let ann = ("Ann", "ann@example.com");
    let bob = ("Bob", "bob@example.com");
    let c1 = commit(&shop, &["api/a.rs"], ann, "2026-09-01T10:00:00Z");
    let c2 = commit(&shop, &["api/b.rs"], bob, "2026-10-01T10:00:00Z");
    git(&shop, &["checkout", "-q", "-b", "hotfix"], bob, "2026-10-03T10:00:00Z");
    let h1 = commit(&shop, &["api/fix.rs"], bob, "2026-10-03T10:00:00Z");
    git(&shop, &["checkout", "-q", "main"], bob, "2026-10-03T10:00:00Z");
    let nowhere = "0123456789abcdef0123456789abcdef01234567";
    let deployments = format!(
        "id,deployed_at,service,sha\nd0,2026-09-05T10:00:00Z,api,{c1}\nd1,2026-10-02T10:00:00Z,api,{c2}\nd2,2026-10-04T10:00:00Z,api,{h1}\nd3,2026-10-06T10:00:00Z,api,{nowhere}\n"
    );
    let root = report(
        dir.path(),
        "\n[[measure.repository]]\npath = \"../shop\"\nbranch = \"main\"\ncomponents = [\"api/\"]\n",
        &[("data/2026-10/deployments.csv", &deployments)],
    );
    let o = measure(&root, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("commit `{nowhere}` is in no branch or tag of any listed repository")), "{err}");
    assert!(err.contains("--> data/2026-10/deployments.csv:5:"), "{err}");
    assert!(!err.contains("full SHA"), "the SHA is already full:\n{err}");
    // d1 brought c2, d2 (from hotfix) h1: one day each.
    let kpis = read(&root.join("content/2026-10/kpis.toml"));
    assert_eq!(
        entry(&kpis, "lead-time"),
        (
            1.0,
            Some(
                "median of 2 changes deployed in 2 deployments; 1 deployment without commit information left out"
                    .into()
            )
        )
    );
    // The hotfix is not main's: api/ has Ann's and Bob's changes, one each.
    let evidence = read(&root.join("content/2026-10/evidence/key-person-concentration.csv"));
    assert!(evidence.contains("shop,shop:api/,2,2,"), "{evidence}");
}

#[test]
fn a_component_that_matches_no_file_or_leaves_the_repository_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let shop = new_repo(dir.path(), "shop");
    commit(&shop, &["api/a.rs"], ("Ann", "ann@example.com"), "2026-10-01T10:00:00Z");
    let root = report(
        dir.path(),
        "\n[[measure.repository]]\npath = \"../shop\"\ncomponents = [\n  \"api/\",\n  \"apii/\",\n  \"../../../etc/\",\n]\n",
        &[],
    );
    let o = measure(&root, &["2026-10"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("no file of ../shop (branch `HEAD`) is under the component `apii/`"), "{err}");
    assert!(err.contains("--> boardpack.toml:8:"), "{err}");
    assert!(err.contains("the component `../../../etc/` is not a path inside the repository ../shop"), "{err}");
    assert!(err.contains("--> boardpack.toml:9:"), "{err}");
    assert!(!root.join("content/2026-10/kpis.toml").exists());
}

const CATALOGUE: &str = "[[accountability]]\nid = \"team\"\nname = \"Team\"\nquestion = \"Does work flow?\"\n\n[[kpi]]\nid = \"cycle-time\"\naccountability = \"team\"\nname = \"Cycle time\"\nunit = \"days\"\nbetter = \"lower\"\ntarget = 3\nred = 7\ndefinition = \"Started to finished.\"\n\n[[kpi]]\nid = \"uptime\"\naccountability = \"team\"\nname = \"Uptime\"\nunit = \"%\"\nbetter = \"higher\"\ntarget = 99.9\nred = 99\ndefinition = \"Minutes up.\"\n";

#[test]
fn the_summary_names_what_is_left_and_only_the_evidence_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let root = report(
        dir.path(),
        "",
        &[
            ("content/catalogue.toml", CATALOGUE),
            (
                "content/2026-10/kpis.toml",
                "draft = true\n\n# Team\n# cycle-time =   # September 2026: 4 days\n# uptime =   # higher is better\n",
            ),
        ],
    );
    // Nothing to measure from: no evidence folder is named, and the KPI
    // boardpack has no method for is named as left.
    let o = measure(&root, &["2026-10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("uptime      no value yet: boardpack has no method for it"), "{err}");
    assert!(err.contains("0 computed, 2 left for you"), "{err}");
    assert!(!err.contains("evidence"), "{err}");
    assert!(!root.join("content/2026-10/evidence").exists());

    // Measured: the computed line takes the stub's place.
    fs::create_dir_all(root.join("data/2026-10")).unwrap();
    fs::write(root.join("data/2026-10/work-items.csv"), "id,started_at,finished_at\nA,2026-10-01,2026-10-03\n")
        .unwrap();
    let o = measure(&root, &["2026-10"]);
    let err = stderr(&o);
    assert!(err.contains("1 computed (evidence in content/2026-10/evidence), 1 left for you"), "{err}");
    let kpis = read(&root.join("content/2026-10/kpis.toml"));
    assert_eq!(
        kpis,
        "draft = true\n\n# Team\ncycle-time = { value = 2, measured = \"median of 1 work item finished\", rows = 1 }\n# uptime =   # higher is better\n"
    );
    // Typed by hand, uptime is no longer left.
    fs::write(root.join("content/2026-10/kpis.toml"), kpis + "uptime = 99.95\n").unwrap();
    let err = stderr(&measure(&root, &["2026-10"]));
    assert!(err.contains("1 computed (evidence in content/2026-10/evidence), 0 left for you"), "{err}");
}
