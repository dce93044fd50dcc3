//! The project cache publishes only what this project's builds made: a forged
//! index paragraph, a redirected PDF pointer, a link out of the cache, a cache
//! folder that is a link — each is ignored, the month made again, and the
//! output is what a cold build writes, with no link in it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{cold_build, copy_project, read, repo, stderr, tree};

fn build_into(root: &Path, out: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_boardpack"));
    cmd.args(["build", "--root", root.to_str().unwrap(), "--output", out.to_str().unwrap()]).env("NO_COLOR", "1");
    cmd.env_remove("BOARDPACK_KEY").env_remove("BOARDPACK_CACHE_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// No file of `dir` is a link.
fn no_links(dir: &Path) {
    for e in walkdir::WalkDir::new(dir) {
        let e = e.unwrap();
        assert!(!e.path_is_symlink(), "{} is a link", e.path().display());
    }
}

fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// The demo's minimal example, built once so its cache holds its month.
fn built() -> (tempfile::TempDir, PathBuf) {
    let project = copy_project(&repo().join("examples/minimal"));
    let out = tempfile::tempdir().unwrap();
    build_into(project.path(), out.path(), &[]);
    let cache = project.path().join(".boardpack/cache");
    (project, cache)
}

/// Builds into a new folder: what it says, and the site.
fn fresh_build(root: &Path) -> (String, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let o = build_into(root, out.path(), &[]);
    (stderr(&o), out)
}

#[test]
fn a_forged_index_paragraph_publishes_nothing() {
    let (project, cache) = built();
    let (said, _) = fresh_build(project.path());
    assert!(said.contains("1 month(s) from the cache"), "the cache works before the forgery: {said}");
    // A page with a script, kept under its own BLAKE3 and listed in the index
    // in place of the month's page: the line is right, the tag is not.
    let index_path = cache.join("months");
    let index = read(&index_path);
    let page_line = index.lines().find(|l| l.ends_with(" index.html") && l.starts_with(' ')).unwrap();
    let evil = b"<!doctype html><script>alert('forged')</script>".to_vec();
    let evil_digest = blake3_hex(&evil);
    fs::write(cache.join("files").join(&evil_digest), &evil).unwrap();
    let old_digest = page_line.trim().split(' ').next().unwrap();
    fs::write(&index_path, index.replace(old_digest, &evil_digest)).unwrap();
    let (said, out) = fresh_build(project.path());
    assert!(!said.contains("month(s) from the cache"), "{said}");
    let cold = cold_build(project.path());
    let (a, b) = (tree(out.path()), tree(cold.path()));
    let differ: Vec<&String> = a.keys().filter(|k| a.get(*k) != b.get(*k)).collect();
    assert!(differ.is_empty() && a.len() == b.len(), "the forged page is not published: {differ:?}");
    assert!(!read(&out.path().join("2026-10/index.html")).contains("forged"));
}

#[test]
fn a_redirected_pdf_pointer_is_not_followed() {
    let (project, cache) = built();
    // Every month made again (no index), so the PDF is looked up by its key.
    fs::remove_file(cache.join("months")).unwrap();
    let fake = b"%PDF-1.7 not this month's report".to_vec();
    let digest = blake3_hex(&fake);
    fs::write(cache.join("files").join(&digest), &fake).unwrap();
    for pointer in fs::read_dir(cache.join("pdf")).unwrap() {
        let pointer = pointer.unwrap().path();
        let text = read(&pointer);
        let tag = text.trim().split(' ').nth(1).unwrap_or("").to_string();
        fs::write(&pointer, format!("{digest} {tag}\n")).unwrap();
    }
    let (said, out) = fresh_build(project.path());
    assert!(!said.contains("PDF(s) from the cache"), "{said}");
    assert_ne!(fs::read(out.path().join("2026-10/board-report.pdf")).unwrap(), fake);
    assert_eq!(tree(out.path()), tree(cold_build(project.path()).path()));
}

#[cfg(unix)]
#[test]
fn a_link_in_or_to_the_cache_is_never_published() {
    let (project, cache) = built();
    // A kept file replaced by a link to a file outside with the same bytes:
    // its digest matches, but a cache entry is a file, never a link.
    let outside = tempfile::tempdir().unwrap();
    let index = read(&cache.join("months"));
    let csv = index.lines().find(|l| l.ends_with(" data.csv")).unwrap().trim().split(' ').next().unwrap().to_string();
    let kept = cache.join("files").join(&csv);
    let copy = outside.path().join("data.csv");
    fs::copy(&kept, &copy).unwrap();
    fs::remove_file(&kept).unwrap();
    std::os::unix::fs::symlink(&copy, &kept).unwrap();
    let (said, out) = fresh_build(project.path());
    assert!(!said.contains("month(s) from the cache"), "{said}");
    no_links(out.path());
    let cold = cold_build(project.path());
    assert_eq!(tree(out.path()), tree(cold.path()));

    // The cache's files folder itself a link to a copy elsewhere: not used.
    let (project, cache) = built();
    let elsewhere = outside.path().join("files");
    crate::common::copy_dir(&cache.join("files"), &elsewhere);
    fs::remove_dir_all(cache.join("files")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, cache.join("files")).unwrap();
    let (said, out) = fresh_build(project.path());
    assert!(!said.contains("from the cache"), "{said}");
    no_links(out.path());
    assert_eq!(tree(out.path()), tree(cold.path()));
}

#[test]
fn a_cache_restored_elsewhere_is_trusted_only_with_the_same_secret() {
    let (project, cache) = built();
    let clone = copy_project(project.path());
    crate::common::copy_dir(&cache, &clone.path().join(".boardpack/cache"));
    // A fresh clone makes its own secret: the restored entries are not its own.
    let out = tempfile::tempdir().unwrap();
    let said = stderr(&build_into(clone.path(), out.path(), &[]));
    assert!(!said.contains("from the cache"), "{said}");

    // With the secret given to both (CI's repository secret), it is trusted.
    let key = ("BOARDPACK_CACHE_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    let first = copy_project(project.path());
    build_into(first.path(), tempfile::tempdir().unwrap().path(), &[key]);
    let restored = copy_project(project.path());
    crate::common::copy_dir(&first.path().join(".boardpack/cache"), &restored.path().join(".boardpack/cache"));
    let said = stderr(&build_into(restored.path(), tempfile::tempdir().unwrap().path(), &[key]));
    assert!(said.contains("1 month(s) from the cache"), "{said}");
    assert!(!restored.path().join(".boardpack/secret").exists(), "no secret file is made when one is given");
}
