//! A sealed month shows what was sent, whatever else changes: every edit that
//! would change what a sealed month shows, and every removal of part of the
//! record, is an error of `check` and of every build (cold or warm), naming
//! what differs. Each case below passed `check` before.

use std::fs;
use std::path::Path;

use crate::common::{boardpack, copy_project, repo, stderr};

/// The demo (June to September 2026 sealed), copied.
fn demo() -> tempfile::TempDir {
    copy_project(&repo())
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// `check` fails, saying every one of `said`; so does a build.
fn refused(root: &Path, said: &[&str]) {
    let o = boardpack(&["check", "--root", root.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "check passed:\n{err}");
    for s in said {
        assert!(err.contains(s), "check does not say {s:?}:\n{err}");
    }
    let out = tempfile::tempdir().unwrap();
    let o =
        boardpack(&["build", "--root", root.to_str().unwrap(), "--output", out.path().join("site").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "build published:\n{}", stderr(&o));
}

#[test]
fn the_demo_as_sealed_checks_clean() {
    let o = boardpack(&["check", "--root", repo().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_edit_to_the_month_before_a_sealed_one_is_caught() {
    let d = demo();
    edit(d.path(), "content/2026-05/kpis.toml", "lead-time = 3.3", "lead-time = 0.2");
    refused(d.path(), &["the change shown for Lead time for changes in June 2026 was", "May 2026 was edited"]);
}

#[test]
fn a_new_unit_or_decimals_or_name_is_caught() {
    let d = demo();
    edit(d.path(), "content/catalogue.toml", "unit = \"days\"", "unit = \"weeks\"");
    refused(d.path(), &["was sent in “days”; the catalogue now gives “weeks”"]);
    let d = demo();
    edit(d.path(), "content/catalogue.toml", "name = \"Lead time for changes\"", "name = \"Delivery time\"");
    refused(d.path(), &["as “Lead time for changes”; the catalogue now names it “Delivery time”"]);
}

#[test]
fn decimals_that_change_the_shown_value_are_caught() {
    let d = demo();
    // Lead time, the catalogue's first KPI: "3.0 days" would read "3 days".
    edit(d.path(), "content/catalogue.toml", "decimals = 1", "decimals = 0");
    refused(d.path(), &["was shown to the board as “3.0 days”; it would now read “3 days”"]);
}

#[test]
fn another_locale_is_caught() {
    let d = demo();
    let config = fs::read_to_string(d.path().join("boardpack.toml")).unwrap();
    fs::write(d.path().join("boardpack.toml"), format!("locale = \"fr-FR\"\n{config}")).unwrap();
    refused(d.path(), &["was sent to the board in `en", "the report's locale is now `fr-FR`"]);
}

#[test]
fn edited_evidence_is_caught() {
    let d = demo();
    let file = d.path().join("content/2026-09/evidence/lead-time.csv");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("{text}extra,row\n")).unwrap();
    refused(d.path(), &["the evidence behind `lead-time` changed after September 2026 was sealed"]);
}

#[test]
fn a_sealed_month_cannot_become_a_draft() {
    let d = demo();
    let file = d.path().join("content/2026-08/kpis.toml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("draft = true\n{text}")).unwrap();
    refused(d.path(), &["August 2026 is sealed: it was sent to the board, so it cannot be a draft"]);
}

#[test]
fn a_pack_without_its_record_is_caught() {
    let d = demo();
    fs::remove_file(d.path().join("content/2026-09/sealed.toml")).unwrap();
    refused(d.path(), &["September 2026 has a sealed board pack but no sealed.toml"]);
}

#[test]
fn a_pack_with_one_byte_appended_is_caught_by_check_and_a_warm_build() {
    let d = demo();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let o = boardpack(&["build", "--root", d.path().to_str().unwrap(), "--output", site.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pack = d.path().join("content/2026-07/board-pack.zip");
    let mut bytes = fs::read(&pack).unwrap();
    bytes.push(0);
    fs::write(&pack, bytes).unwrap();
    refused(d.path(), &["not the board pack that was sealed"]);
    let o = boardpack(&["build", "--root", d.path().to_str().unwrap(), "--output", site.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "a warm build published the pack:\n{}", stderr(&o));
}

#[test]
fn a_seal_edited_with_its_values_disagrees_with_the_pack() {
    let d = demo();
    edit(d.path(), "content/2026-09/kpis.toml", "lead-time = { value = 3,", "lead-time = { value = 2.1,");
    edit(d.path(), "content/2026-09/sealed.toml", "[kpis.lead-time]\nvalue = 3.0", "[kpis.lead-time]\nvalue = 2.1");
    refused(d.path(), &["sealed.toml and the sealed board pack of September 2026 disagree on `lead-time`"]);
}

#[test]
fn a_restatement_in_a_draft_month_takes_no_effect() {
    let d = demo();
    // October (the latest month) restates August, and is a draft.
    let file = d.path().join("content/2026-10/kpis.toml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("draft = true\n{text}")).unwrap();
    fs::write(
        d.path().join("content/2026-10/restatements.toml"),
        "[[restatement]]\nmonth = \"2026-08\"\nkpi = \"lead-time\"\nreason = \"A deploy log was missed.\"\n",
    )
    .unwrap();
    let august = d.path().join("content/2026-08/kpis.toml");
    let text = fs::read_to_string(&august).unwrap();
    let line = text.lines().find(|l| l.starts_with("lead-time")).unwrap().to_string();
    fs::write(&august, text.replacen(&line, "lead-time = 3.5", 1)).unwrap();
    refused(d.path(), &["Lead time for changes in August 2026 was sent to the board as"]);
}

#[test]
fn a_sealed_month_removed_from_the_chain_is_caught() {
    // Seal October after September: its seal names September's.
    let d = demo();
    let o = boardpack(&["seal", "2026-10", "--root", d.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::read_to_string(d.path().join("content/2026-10/sealed.toml"))
        .unwrap()
        .contains("previous = \"2026-09 "));
    fs::remove_dir_all(d.path().join("content/2026-09")).unwrap();
    refused(d.path(), &["October 2026 was sealed after 2026-09, which was sealed too; but content/2026-09/ is gone"]);
}

/// The link to the month before, edited into anything but a month and a
/// digest, once skipped the chain check; now it is an error at its line.
#[test]
fn a_chain_link_edited_into_something_else_is_an_error_at_its_line() {
    let d = demo();
    let o = boardpack(&["seal", "2026-10", "--root", d.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    fs::remove_dir_all(d.path().join("content/2026-09")).unwrap();
    let sealed = d.path().join("content/2026-10/sealed.toml");
    let text = fs::read_to_string(&sealed).unwrap();
    let line = text.lines().find(|l| l.starts_with("previous = ")).unwrap().to_string();
    for forged in ["previous = \"gone\"", "previous = \"2026-09\"", "previous = \"2026-09 not-a-digest\""] {
        fs::write(&sealed, text.replacen(&line, forged, 1)).unwrap();
        let at = text.lines().position(|l| l == line).unwrap() + 1;
        refused(d.path(), &["`previous` must be a month and a SHA-256", &format!("content/2026-10/sealed.toml:{at}")]);
    }
}

#[test]
fn an_edit_to_how_a_sealed_value_was_measured_is_caught() {
    let d = demo();
    let o = boardpack(&["seal", "2026-10", "--root", d.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kpis = d.path().join("content/2026-10/kpis.toml");
    let text = fs::read_to_string(&kpis).unwrap();
    let at = text.find("measured = \"").unwrap() + "measured = \"".len();
    fs::write(&kpis, format!("{}mean, not median, of {}", &text[..at], &text[at..])).unwrap();
    refused(d.path(), &["was measured was sent as"]);
}
