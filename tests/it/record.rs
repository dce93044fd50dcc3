//! The board's record: targets that change by date, KPIs and accountabilities
//! that start or stop, KPIs tracked without a target, drafts, sealed months,
//! restatements, and red numbers that must be explained.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::*;

fn fixture() -> tempfile::TempDir {
    copy_project(&repo().join("tests/fixtures/record"))
}

fn run(root: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--root", root.to_str().unwrap()]);
    boardpack(&all)
}

fn build_ok(root: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec!["build", "--output", out.to_str().unwrap()];
    args.extend(extra);
    let o = run(root, &args);
    assert!(o.status.success(), "build failed:\n{}", stderr(&o));
}

fn append(path: &Path, text: &str) {
    let mut all = fs::read_to_string(path).unwrap_or_default();
    all.push_str(text);
    fs::write(path, all).unwrap();
}

fn data(out: &Path, month: &str) -> serde_json::Value {
    serde_json::from_str(&read(&out.join(month).join("data.json"))).unwrap()
}

fn kpi<'a>(data: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    data["kpis"].as_array().unwrap().iter().find(|k| k["id"] == id).unwrap_or_else(|| panic!("no {id} in {data}"))
}

#[test]
fn a_dated_threshold_changes_only_the_months_from_its_date() {
    let before = fixture();
    let after = fixture();
    let catalogue = after.path().join("content/catalogue.toml");
    let text = read(&catalogue).replace(
        "target = 2\nred = 5\ndefinition = \"Commit to production, median.\"",
        "target = 2\nred = 5\ndefinition = \"Commit to production, median.\"\n\n[[kpi.thresholds]]\nfrom = \"2026-04\"\ntarget = 1\nred = 3",
    );
    fs::write(&catalogue, text).unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build_ok(before.path(), a.path(), &[]);
    build_ok(after.path(), b.path(), &[]);
    let (old, new) = (tree(a.path()), tree(b.path()));
    for month in ["2025-12", "2026-01", "2026-02", "2026-03"] {
        let files: Vec<&String> = old.keys().filter(|p| p.starts_with(month)).collect();
        assert!(files.len() > 5);
        for path in files {
            assert!(old[path] == new[path], "{path} changed, but the new target applies only from April 2026");
        }
    }
    assert_eq!(kpi(&data(a.path(), "2026-04"), "lead-time")["status"], "amber");
    let april = data(b.path(), "2026-04");
    assert_eq!(kpi(&april, "lead-time")["status"], "red", "3.5 days is beyond the new red line of 3");
    assert_eq!(
        (kpi(&april, "lead-time")["target"].as_f64(), kpi(&april, "lead-time")["red"].as_f64()),
        (Some(1.0), Some(3.0))
    );
    assert_eq!(
        kpi(&data(b.path(), "2026-03"), "lead-time")["target"].as_f64(),
        Some(2.0),
        "the data carry the thresholds that applied"
    );
    // The chart draws the target as a step: one green line through both levels.
    let target_points = |svg: &str| -> Vec<usize> {
        svg.split("<polyline")
            .skip(1)
            .filter(|p| p.contains("stroke=\"#1A7F37\""))
            .map(|p| p.split("points=\"").nth(1).unwrap().split('"').next().unwrap().split_whitespace().count())
            .collect()
    };
    assert_eq!(target_points(&read(&a.path().join("2026-04/charts/lead-time.svg"))), vec![2], "one level, one segment");
    assert_eq!(
        target_points(&read(&b.path().join("2026-04/charts/lead-time.svg"))),
        vec![4],
        "a step: two levels joined"
    );
    let definitions = read(&b.path().join("kpis/index.html"));
    assert!(definitions.contains("From April 2026: target 1.0 days, red beyond 3.0 days"), "{definitions}");
}

#[test]
fn kpis_and_accountabilities_added_later_leave_earlier_months_alone() {
    let project = fixture();
    let out = tempfile::tempdir().unwrap();
    build_ok(project.path(), out.path(), &[]);
    let january = read(&out.path().join("2026-01/index.html"));
    assert!(
        !january.contains("tile-attrition") && !january.contains("Regretted attrition"),
        "not tracked before February"
    );
    assert!(
        !out.path().join("2026-01/people").exists(),
        "an accountability with nothing to report that month is left out"
    );
    assert!(!out.path().join("2026-02/security").exists() && out.path().join("2026-03/security/index.html").is_file());
    assert!(kpi(&data(out.path(), "2026-01"), "lead-time").is_object());
    assert!(!data(out.path(), "2026-01")["kpis"].as_array().unwrap().iter().any(|k| k["id"] == "attrition"));
    // Later months' tables say the earlier months were not tracked, not "no data".
    let people = read(&out.path().join("2026-04/people/index.html"));
    assert!(people.contains("<th scope=\"row\">January 2026</th><td class=\"num\">—</td><td class=\"status\"><span class=\"dot dot-none\" aria-hidden=\"true\"></span>Not tracked</td>"), "{people}");
    // check does not ask for values of KPIs not tracked yet.
    let o = run(project.path(), &["check"]);
    assert!(!stderr(&o).contains("no value for attrition in 2025-12"), "{}", stderr(&o));
    // A KPI retired with `until` stays in the months before, and is gone after.
    let catalogue = project.path().join("content/catalogue.toml");
    fs::write(
        &catalogue,
        read(&catalogue).replace(
            "decimals = 0\ndefinition = \"Production",
            "decimals = 0\nuntil = \"2026-03\"\ndefinition = \"Production",
        ),
    )
    .unwrap();
    let o = run(project.path(), &["check"]);
    assert!(
        stderr(&o).contains("`deploys` is not part of the April 2026 report"),
        "a value after `until` is pointed out: {}",
        stderr(&o)
    );
    let retired = tempfile::tempdir().unwrap();
    build_ok(project.path(), retired.path(), &[]);
    assert!(read(&retired.path().join("2026-03/index.html")).contains("tile-deploys"));
    assert!(!read(&retired.path().join("2026-04/index.html")).contains("tile-deploys"));
}

#[test]
fn a_kpi_without_a_target_is_tracked_never_judged() {
    let project = fixture();
    let out = tempfile::tempdir().unwrap();
    build_ok(project.path(), out.path(), &[]);
    let april = data(out.path(), "2026-04");
    let deploys = kpi(&april, "deploys");
    assert_eq!(deploys["status"], "neutral");
    assert!(deploys["target"].is_null() && deploys["red"].is_null());
    let scorecard = read(&out.path().join("2026-04/index.html"));
    let tile = tile(&scorecard, "deploys");
    assert!(tile.contains("No target") && tile.contains("badge-neutral") && tile.contains("17 per week"), "{tile}");
    assert!(!tile.contains("badge-green") && !tile.contains("badge-red"));
    assert!(scorecard.contains("<strong>1</strong> tracked, no target"), "counted apart from the statuses");
    assert!(tile.contains("−1 per week") && tile.contains("worsening"), "the trend still follows `better`: {tile}");
}

#[test]
fn a_draft_month_is_published_only_when_asked() {
    let project = fixture();
    let out = tempfile::tempdir().unwrap();
    build_ok(project.path(), out.path(), &[]);
    assert!(!out.path().join("2026-05").exists());
    assert!(
        read(&out.path().join("index.html")).contains("<h1>April 2026</h1>"),
        "latest is the latest published month"
    );
    assert!(!read(&out.path().join("archive/index.html")).contains("May 2026"));
    let preview = tempfile::tempdir().unwrap();
    build_ok(project.path(), preview.path(), &["--drafts"]);
    let may = read(&preview.path().join("2026-05/index.html"));
    assert!(may.contains("draft-banner") && may.contains("May 2026 is not published"), "{may}");
    assert!(read(&preview.path().join("archive/index.html")).contains("tag-draft"));
    let o = run(project.path(), &["seal", "2026-05"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("May 2026 is a draft"), "{}", stderr(&o));
}

#[test]
fn an_unexplained_red_fails_strict_checks_and_sealing_until_it_is_explained() {
    let project = fixture();
    let april = project.path().join("content/2026-04/kpis.toml");
    fs::write(&april, read(&april).replace("attrition = 12", "attrition = 25")).unwrap();
    let o = run(project.path(), &["check", "--strict"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("Regretted attrition is off target in April 2026 (25.0%, target 10.0%) and nothing explains it"),
        "{err}"
    );
    assert!(
        err.contains("content/2026-04/kpis.toml:3:1") && err.contains("--strict treats warnings as errors"),
        "{err}"
    );
    let o = run(project.path(), &["seal", "2026-04"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("April 2026 cannot be sealed"), "{}", stderr(&o));
    // Named in the accountability's commentary: explained.
    fs::write(
        project.path().join("content/2026-04/people.md"),
        "Two senior engineers left; regretted attrition is 25%.\n",
    )
    .unwrap();
    let o = run(project.path(), &["check", "--strict"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Or with a note instead.
    fs::remove_file(project.path().join("content/2026-04/people.md")).unwrap();
    fs::write(
        &april,
        read(&april).replace("attrition = 25", "attrition = { value = 25, note = \"Two seniors left\" }"),
    )
    .unwrap();
    assert!(run(project.path(), &["check", "--strict"]).status.success());
}

/// The fixture with March 2026 sealed.
fn sealed() -> tempfile::TempDir {
    let project = fixture();
    let o = run(project.path(), &["seal", "2026-03"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("sealed March 2026: 4 KPIs recorded"), "{}", stderr(&o));
    project
}

#[test]
fn a_sealed_month_is_served_as_sent_and_verify_recognises_it() {
    let project = sealed();
    let march = project.path().join("content/2026-03");
    let record = read(&march.join("sealed.toml"));
    assert!(
        record.contains(
            "[kpis.lead-time]\nvalue = 1.8\ntarget = 2.0\nred = 5.0\nstatus = \"green\"\nshown = \"1.8 days\""
        ),
        "{record}"
    );
    assert!(record.contains("\"delivery.md\" = \""), "commentary hashes: {record}");
    let timestamp =
        record.as_bytes().windows(14).any(|w| w[4] == b'-' && w[7] == b'-' && w[10] == b'T' && w[13] == b':');
    assert!(!timestamp, "no timestamps: git has them");
    let out = tempfile::tempdir().unwrap();
    build_ok(project.path(), out.path(), &[]);
    let zip = fs::read(march.join("board-pack.zip")).unwrap();
    assert_eq!(fs::read(out.path().join("2026-03/board-pack.zip")).unwrap(), zip, "the site serves the sealed pack");
    let sealed_pdf = out.path().join("2026-03/board-report.pdf");
    let o = run(project.path(), &["verify", march.join("board-pack.zip").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        said.contains("this is the board pack sealed for March 2026, byte for byte; its manifest matches its contents"),
        "{said}"
    );
    let o = run(project.path(), &["verify", sealed_pdf.to_str().unwrap()]);
    assert!(o.status.success(), "the published PDF is the sealed one");
    // One byte changed: not what the board received.
    let tampered = out.path().join("tampered.zip");
    let mut bytes = zip.clone();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    fs::write(&tampered, &bytes).unwrap();
    let o = run(project.path(), &["verify", tampered.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("NOT what the board received"));
    // A file added, with everything else untouched.
    let added = out.path().join("added.zip");
    {
        let file = fs::File::create(&added).unwrap();
        let mut writer = zip::ZipWriter::new(file);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.clone())).unwrap();
        for i in 0..archive.len() {
            writer.raw_copy_file(archive.by_index(i).unwrap()).unwrap();
        }
        writer.start_file("extra.txt", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut writer, b"not sent").unwrap();
        writer.finish().unwrap();
    }
    let o = run(project.path(), &["verify", added.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(
        said.contains("extra.txt is not in its MANIFEST.txt")
            && said.contains("it holds extra.txt, which the sealed pack does not"),
        "{said}"
    );
    // Sealing twice is refused.
    let o = run(project.path(), &["seal", "2026-03"]);
    assert!(stderr(&o).contains("March 2026 is sealed already"), "{}", stderr(&o));
}

/// A change made to a project after a month was sealed.
type Edit = fn(&Path);

#[test]
fn an_edit_to_a_sealed_month_is_an_error_that_says_both_ways_out() {
    let cases: [(&str, Edit); 4] = [
        ("Lead time in March 2026 was sent to the board as 1.8 days; it would now be 1.6 days", |root| {
            let f = root.join("content/2026-03/kpis.toml");
            fs::write(&f, read(&f).replace("lead-time = 1.8", "lead-time = 1.6")).unwrap();
        }),
        ("this commentary was changed after March 2026 was sealed", |root| {
            append(&root.join("content/2026-03/delivery.md"), "A sentence added later.\n");
        }),
        ("Lead time in March 2026 was judged by target 2.0 days, red beyond 5.0 days when it was sent; the catalogue now gives target 1.0 days", |root| {
            let f = root.join("content/catalogue.toml");
            fs::write(&f, read(&f).replace("target = 2\nred = 5", "target = 1\nred = 5")).unwrap();
        }),
        ("KPI `uptime` was added to March 2026, which is sealed", |root| {
            append(&root.join("content/catalogue.toml"), "\n[[kpi]]\nid = \"uptime\"\naccountability = \"delivery\"\nname = \"Uptime\"\nunit = \"%\"\nbetter = \"higher\"\ntarget = 99\nred = 98\ndefinition = \"x\"\n");
        }),
    ];
    for (message, edit) in cases {
        let project = sealed();
        edit(project.path());
        for command in [&["check"][..], &["build", "--output", project.path().join("site").to_str().unwrap()]] {
            let o = run(project.path(), command);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{command:?}: {err}");
            assert!(err.contains(message), "{command:?}: expected «{message}» in:\n{err}");
        }
        let err = stderr(&run(project.path(), &["check"]));
        assert!(
            err.contains("undo") && (err.contains("[[restatement]]") || err.contains("since = \"2026-04\"")),
            "{err}"
        );
    }
}

#[test]
fn a_restatement_shows_on_the_sealed_month_and_the_month_that_announces_it() {
    let project = sealed();
    let root = project.path();
    let f = root.join("content/2026-03/kpis.toml");
    fs::write(&f, read(&f).replace("lead-time = 1.8", "lead-time = 2.4")).unwrap();
    fs::write(root.join("content/2026-04/restatements.toml"), "[[restatement]]\nmonth = \"2026-03\"\nkpi = \"lead-time\"\nreason = \"Recomputed after the tracker migration\"\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(root, out.path(), &[]);
    // March stays as sent, with a notice linking to April.
    let march = read(&out.path().join("2026-03/index.html"));
    assert!(tile(&march, "lead-time").contains("1.8 days"), "as sent");
    assert!(march.contains("Corrected after it was sent") && march.contains("Lead time: 1.8 days → 2.4 days, announced in <a href=\"../2026-04/index.html\">April 2026</a>: Recomputed after the tracker migration"), "{march}");
    assert_eq!(kpi(&data(out.path(), "2026-03"), "lead-time")["value"].as_f64(), Some(1.8));
    // April lists it where the board will see it, in its data too.
    let april = read(&out.path().join("2026-04/index.html"));
    assert!(
        april.contains("Corrections to reports already sent")
            && april.contains("<td>1.8 days</td><td>2.4 days</td><td>Recomputed after the tracker migration</td>"),
        "{april}"
    );
    let restated = &data(out.path(), "2026-04")["restatements"][0];
    assert_eq!(
        (restated["month"].as_str(), restated["was"].as_f64(), restated["now"].as_f64()),
        (Some("2026-03"), Some(1.8), Some(2.4))
    );
    // April's chart and table use the restated value, and mark it.
    let delivery = read(&out.path().join("2026-04/delivery/index.html"));
    assert!(delivery.contains("2.4 days <span class=\"row-note\">(restated in April 2026)</span>"), "{delivery}");
    assert!(delivery.contains("Diamond: a value restated after it was sent"));
    // April's PDF lists it too.
    let text = String::from_utf8(
        std::process::Command::new("pdftotext")
            .args(["-f", "1", "-l", "1", out.path().join("2026-04/board-report.pdf").to_str().unwrap(), "-"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        text.contains("Corrections to reports already sent") && text.contains("Recomputed after the tracker migration"),
        "{text}"
    );
    // A restatement that matches no difference is an error too.
    fs::write(
        root.join("content/2026-04/restatements.toml"),
        "[[restatement]]\nmonth = \"2026-03\"\nkpi = \"deploys\"\nreason = \"Nothing changed\"\n",
    )
    .unwrap();
    let o = run(root, &["check"]);
    assert!(stderr(&o).contains("this restatement of `deploys` in March 2026 matches no difference"), "{}", stderr(&o));
}
