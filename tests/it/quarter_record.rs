//! Quarters in the board's record: `new --quarter` stubs that list what was
//! red or amber month by month, `seal 2026-Q3` and what it then catches (an
//! edited month, a forged record), restatements naming the quarter, and
//! `pack --quarter` with `verify`.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::*;

/// July to September 2026 with values (August red and amber), June before
/// them, and the quarter's commentary in content/2026-Q3/.
fn fixture() -> tempfile::TempDir {
    copy_project(&repo().join("tests/fixtures/quarter"))
}

fn run(root: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--root", root.to_str().unwrap()]);
    boardpack(&all)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The fixture with 2026-Q3 sealed.
fn sealed() -> tempfile::TempDir {
    let project = fixture();
    let o = run(project.path(), &["seal", "2026-Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("sealed 2026-Q3: 3 quarter values recorded"), "{}", stderr(&o));
    project
}

fn check(root: &Path) -> (bool, String) {
    let o = run(root, &["check"]);
    (o.status.success(), stderr(&o))
}

#[test]
fn new_quarter_lists_what_was_red_or_amber_month_by_month_and_never_overwrites() {
    let project = fixture();
    let quarter = project.path().join("content/2026-Q3");
    // The fixture's quarter folder exists: nothing is overwritten.
    let before = tree(&quarter);
    let o = run(project.path(), &["new", "--quarter"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("content/2026-Q3 already exists"), "{}", stderr(&o));
    assert_eq!(tree(&quarter), before, "a refused `new` writes nothing");
    fs::remove_dir_all(&quarter).unwrap();
    // Default: the quarter of the latest month, September 2026.
    let o = run(project.path(), &["new", "--quarter"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("started 2026-Q3"), "{}", stderr(&o));
    let delivery = read(&quarter.join("delivery.md"));
    assert!(delivery.contains("commentary for 2026-Q3 (July 2026 to September 2026)"), "{delivery}");
    assert!(
        delivery.contains("- Lead time: off target in August 2026, watch in September 2026\n"),
        "lead time was red in August and amber in September:\n{delivery}"
    );
    assert!(delivery.contains("- Production incidents: watch in August 2026\n"), "{delivery}");
    assert!(
        !delivery.lines().any(|l| l.starts_with("- ") && l.contains("July")),
        "July was green throughout:\n{delivery}"
    );
    let people = read(&quarter.join("people.md"));
    assert!(people.contains("- Regretted attrition: watch in August 2026\n"), "{people}");
    let summary = read(&quarter.join("summary.md"));
    assert!(summary.contains("write `id = value` in\ncontent/2026-Q3/kpis.toml: it wins"), "{summary}");
    assert!(!quarter.join("kpis.toml").exists(), "quarter values come from the months");
    // The stubs are comments: the project checks clean with them.
    let (ok, said) = check(project.path());
    assert!(ok, "{said}");
    // A German report writes its months and status words in German.
    fs::remove_dir_all(&quarter).unwrap();
    let config = project.path().join("boardpack.toml");
    fs::write(&config, read(&config) + "locale = \"de-DE\"\n").unwrap();
    let o = run(project.path(), &["new", "--quarter", "2026-Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let delivery = read(&quarter.join("delivery.md"));
    assert!(delivery.contains("in August 2026") && delivery.contains("in September 2026"), "{delivery}");
    assert!(!delivery.contains("off target"), "status words in the report's language:\n{delivery}");
    // A quarter named the fiscal way in a calendar-year report is refused, with the right name.
    let o = run(project.path(), &["new", "--quarter", "FY2027-Q1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not how this report names quarters"), "{}", stderr(&o));
}

#[test]
fn editing_a_month_of_a_sealed_quarter_is_caught_and_a_restatement_of_the_quarter_accepts_it() {
    let project = sealed();
    let root = project.path();
    let (ok, said) = check(root);
    assert!(ok, "a quarter just sealed checks clean: {said}");
    // August is not sealed itself; the quarter was made from it.
    let august = root.join("content/2026-08/kpis.toml");
    fs::write(&august, read(&august).replace("value = 6.0", "value = 7.5")).unwrap();
    let (ok, said) = check(root);
    assert!(!ok, "{said}");
    assert!(
        said.contains("Lead time in August 2026 was 6.0 days when 2026-Q3 was sealed; it is now 7.5 days")
            && said.contains("--> content/2026-08/kpis.toml:1"),
        "the error names the month's file and the sealed quarter:\n{said}"
    );
    assert!(
        said.contains("Lead time in 2026-Q3 was sent to the board as 3.6 days (amber); it would now be 4.1 days"),
        "{said}"
    );
    assert!(said.contains("quarter = \"2026-Q3\"\n  kpi = \"lead-time\""), "the help shows the restatement:\n{said}");
    // The build refuses it too.
    let out = tempfile::tempdir().unwrap();
    let o = run(root, &["build", "--output", out.path().join("site").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Announced in October: accepted.
    let october = root.join("content/2026-10");
    fs::create_dir_all(&october).unwrap();
    fs::write(october.join("kpis.toml"), "lead-time = 2.0\nincidents = 0\nattrition = 9\n").unwrap();
    let restatement = "[[restatement]]\nquarter = \"2026-Q3\"\nkpi = \"lead-time\"\nreason = \"August recomputed after the migration\"\n";
    fs::write(october.join("restatements.toml"), restatement).unwrap();
    let (ok, said) = check(root);
    assert!(ok, "the restatement names the quarter: {said}");
    // Announced in the quarter's own folder, it announces nothing, and says so.
    fs::write(root.join("content/2026-Q3/restatements.toml"), restatement).unwrap();
    let (_, said) = check(root);
    assert!(said.contains("corrections are announced in a month's restatements.toml, not a quarter's"), "{said}");
    fs::remove_file(root.join("content/2026-Q3/restatements.toml")).unwrap();
    // A restatement that matches no difference is an error.
    fs::write(&august, read(&august).replace("value = 7.5", "value = 6.0")).unwrap();
    let (ok, said) = check(root);
    assert!(!ok && said.contains("matches no difference"), "{said}");
    // Commentary of a month the quarter was made from.
    let delivery = root.join("content/2026-08/delivery.md");
    fs::write(&delivery, read(&delivery) + "A sentence added later.\n").unwrap();
    fs::remove_file(october.join("restatements.toml")).unwrap();
    let (ok, said) = check(root);
    assert!(!ok, "{said}");
    assert!(said.contains("this file was changed after 2026-Q3 was sealed"), "{said}");
    assert!(said.contains("--> content/2026-08/delivery.md"), "{said}");
}

#[test]
fn a_forged_quarter_record_is_caught() {
    let project = sealed();
    let record = project.path().join("content/2026-Q3/sealed.toml");
    let text = read(&record);
    // The pack's SHA-256 changed: the pack is not the one sealed.
    let line = text.lines().find(|l| l.starts_with("pack_sha256")).unwrap();
    let first = if line.contains("pack_sha256 = \"0") { "1" } else { "0" };
    let forged = format!("pack_sha256 = \"{first}{}", &line["pack_sha256 = \"0".len()..]);
    assert_ne!(line, forged);
    fs::write(&record, text.replace(line, &forged)).unwrap();
    let (ok, said) = check(project.path());
    assert!(!ok, "{said}");
    assert!(said.contains("the sealed board pack of 2026-Q3: it is not the board pack that was sealed"), "{said}");
    // A month's hash changed: August reads as edited.
    let august = text.split("[months.2026-08.files]").nth(1).unwrap();
    let hash = august.split("\"kpis.toml\" = \"").nth(1).unwrap().split('"').next().unwrap();
    fs::write(&record, text.replace(hash, &"0".repeat(64))).unwrap();
    let (ok, said) = check(project.path());
    assert!(!ok && said.contains("content/2026-08/kpis.toml"), "{said}");
    // A quarter value changed in the record: it disagrees with the pack the board received.
    fs::write(&record, text.replace("value = 3.6", "value = 3.0")).unwrap();
    let (ok, said) = check(project.path());
    assert!(!ok, "{said}");
    assert!(said.contains("sealed.toml and the sealed board pack of 2026-Q3 disagree on `lead-time`"), "{said}");
    // A month's record is not a quarter's.
    fs::write(&record, text.replace("quarter = \"2026-Q3\"", "month = \"2026-09\"")).unwrap();
    let (ok, said) = check(project.path());
    assert!(!ok && said.contains("this is a month's record"), "{said}");
}

#[test]
fn a_quarter_pack_is_deterministic_and_verify_recognises_the_sealed_one() {
    let project = fixture();
    let out = tempfile::tempdir().unwrap();
    let o = run(project.path(), &["pack", "--quarter", "2026-Q3", "--output", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zip = out.path().join("quarter-test-ltd-2026-Q3-board-pack.zip");
    let bytes = fs::read(&zip).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let names: Vec<String> = archive.file_names().map(|n| n.unwrap().into_owned()).collect();
    for name in ["board-report.pdf", "board-report.html", "data/quarter.json", "commentary/summary.md", "MANIFEST.txt"]
    {
        assert!(names.iter().any(|n| n == name), "{name} missing from {names:?}");
    }
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("board-report.pdf").unwrap(), &mut pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // Not sealed yet: verify has nothing to compare it with.
    let o = run(project.path(), &["verify", zip.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    // Sealed: the pack it seals is the one `pack --quarter` made, byte for byte.
    let o = run(project.path(), &["seal", "2026-Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read(project.path().join("content/2026-Q3/board-pack.zip")).unwrap(),
        bytes,
        "same input, same bytes"
    );
    let o = run(project.path(), &["verify", zip.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o)
            .contains("this is the board pack sealed for 2026-Q3, byte for byte; its manifest matches its contents"),
        "{}",
        stdout(&o)
    );
    let loose = out.path().join("board-report.pdf");
    fs::write(&loose, &pdf).unwrap();
    let o = run(project.path(), &["verify", loose.to_str().unwrap()]);
    assert!(stdout(&o).contains("this is the board report PDF sealed for 2026-Q3"), "{}", stdout(&o));
    // One byte changed: not what the board received.
    let mut tampered = bytes.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    let tampered_path = out.path().join("tampered.zip");
    fs::write(&tampered_path, tampered).unwrap();
    let o = run(project.path(), &["verify", tampered_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("NOT what the board received"), "{}", stdout(&o));
    // Sealing twice is refused; pack of a sealed quarter writes the sealed pack.
    let o = run(project.path(), &["seal", "2026-Q3"]);
    assert!(stderr(&o).contains("2026-Q3 is sealed already"), "{}", stderr(&o));
    let again = tempfile::tempdir().unwrap();
    let o = run(project.path(), &["pack", "--quarter", "--output", again.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read(again.path().join("quarter-test-ltd-2026-Q3-board-pack.zip")).unwrap(), bytes);
}

#[test]
fn seal_refuses_a_quarter_whose_amber_values_nothing_explains_when_the_rules_ask() {
    let project = fixture();
    let config = project.path().join("boardpack.toml");
    fs::write(&config, read(&config) + "\n[rules]\nexplain = \"amber\"\n").unwrap();
    let o = run(project.path(), &["seal", "2026-Q3"]);
    assert_eq!(o.status.code(), Some(1));
    let said = stderr(&o);
    assert!(said.contains("2026-Q3 cannot be sealed: the board would get numbers nobody explained"), "{said}");
    assert!(said.contains("Production incidents is watch in 2026-Q3"), "{said}");
    assert!(!said.contains("Lead time is"), "the quarter's summary names lead time: {said}");
    assert!(!project.path().join("content/2026-Q3/sealed.toml").exists());
    // Named in the quarter's commentary: explained, and sealed.
    let delivery = project.path().join("content/2026-Q3/delivery.md");
    fs::write(&delivery, read(&delivery) + "Production incidents: one, during the migration.\n").unwrap();
    let o = run(project.path(), &["seal", "2026-Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn seal_refuses_a_quarter_with_a_draft_month() {
    let project = fixture();
    let september = project.path().join("content/2026-09/kpis.toml");
    fs::write(&september, format!("draft = true\n{}", read(&september))).unwrap();
    let o = run(project.path(), &["seal", "2026-Q3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("September 2026 is a draft, and 2026-Q3 is made from it"), "{}", stderr(&o));
    assert!(!project.path().join("content/2026-Q3/sealed.toml").exists());
}
