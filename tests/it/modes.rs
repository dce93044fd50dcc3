//! The modes of the files boardpack writes: a new file gets `0666` less the
//! user's umask, as any program's `std::fs::write` would give it, and a file
//! boardpack replaces keeps the mode its owner gave it (a `kpis.toml` made
//! private stays private after `measure`).

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;

/// Runs `boardpack ARGS` under `umask`.
fn with_umask(umask: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_boardpack"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run boardpack through sh")
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Every file under `dir` with a mode other than `expected`, as "path 0600".
fn files_not_at(dir: &Path, expected: u32) -> Vec<String> {
    let mut wrong = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() && mode(entry.path()) != expected {
            wrong.push(format!("{} {:o}", entry.path().display(), mode(entry.path())));
        }
    }
    wrong
}

#[test]
fn measure_makes_new_files_as_the_umask_says_and_keeps_the_mode_of_kpis_toml() {
    let from = repo().join("tests/fixtures/measure/basic");
    let dir = copy_project(&from);
    copy_dir(&from.join("data"), &dir.path().join("data"));
    let kpis = dir.path().join("content/2026-10/kpis.toml");
    set_mode(&kpis, 0o600);
    let o = with_umask("022", &["measure", "2026-10", "--root", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&kpis).contains("measured = "), "kpis.toml was rewritten");
    assert_eq!(mode(&kpis), 0o600, "a private kpis.toml stays private");
    let evidence = dir.path().join("content/2026-10/evidence");
    assert!(fs::read_dir(&evidence).unwrap().count() >= 8);
    assert_eq!(files_not_at(&evidence, 0o644), Vec::<String>::new());

    // A new month's kpis.toml, under a stricter umask.
    let o = with_umask("077", &["measure", "2026-11", "--root", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&dir.path().join("content/2026-11/kpis.toml")), 0o600);
}

#[test]
fn build_pack_and_seal_make_new_files_as_the_umask_says() {
    // 002 is the default umask of Debian's and Ubuntu's users (one group
    // each): their files are group-writable, 0664, whatever boardpack wrote.
    for (umask, expected) in [("022", 0o644), ("002", 0o664), ("077", 0o600)] {
        let project = copy_project(&repo().join("tests/fixtures/record"));
        let root = project.path().to_str().unwrap();
        let out = tempfile::tempdir().unwrap();
        let site = out.path().join("site");
        let o = with_umask(umask, &["build", "--root", root, "--output", site.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(site.join("index.html").is_file());
        assert_eq!(files_not_at(&site, expected), Vec::<String>::new(), "build, umask {umask}");

        let dist = out.path().join("dist");
        let o = with_umask(umask, &["pack", "--root", root, "--month", "2026-03", "--output", dist.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(fs::read_dir(&dist).unwrap().count() > 0);
        assert_eq!(files_not_at(&dist, expected), Vec::<String>::new(), "pack, umask {umask}");

        let o = with_umask(umask, &["seal", "2026-03", "--root", root]);
        assert!(o.status.success(), "{}", stderr(&o));
        let march = project.path().join("content/2026-03");
        for file in ["sealed.toml", "board-pack.zip"] {
            assert_eq!(mode(&march.join(file)), expected, "seal's {file}, umask {umask}");
        }
    }
}
