//! `verify` against hostile and confusing packs: a zip bomb is refused within
//! a memory bound, a pack of a month that is not sealed says so, and a pack
//! re-zipped by another tool is not the pack, whatever its folder entries.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use crate::common::{boardpack, copy_project, repo, stderr};

fn verify(root: &Path, file: &Path) -> (bool, String) {
    let o = boardpack(&["verify", "--root", root.to_str().unwrap(), file.to_str().unwrap()]);
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o)))
}

fn zip_of(entries: &[(&str, &[u8])], dirs: &[&str]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for d in dirs {
        out.add_directory(*d, options).unwrap();
    }
    for (name, bytes) in entries {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_zip_bomb_is_refused_without_unpacking_it() {
    let dir = tempfile::tempdir().unwrap();
    // 300 MiB of zeros: a few hundred KB zipped.
    let zeros = vec![0u8; 300 << 20];
    let bomb = zip_of(&[("board-report.pdf", &zeros), ("data/kpis.json", b"{}")], &[]);
    drop(zeros);
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let file = dir.path().join("bomb.zip");
    fs::write(&file, &bomb).unwrap();
    let (ok, said) = verify(&repo(), &file);
    assert!(!ok, "{said}");
    assert!(said.contains("NOT what the board received") && said.contains("zip bomb"), "{said}");
}

#[test]
fn the_pack_of_a_month_not_sealed_says_so() {
    let project = copy_project(&repo());
    let out = tempfile::tempdir().unwrap();
    let o = boardpack(&[
        "pack",
        "--month",
        "2026-10",
        "--root",
        project.path().to_str().unwrap(),
        "--output",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pack = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .unwrap();
    let (ok, said) = verify(project.path(), &pack);
    assert!(!ok);
    assert!(said.contains("is a board pack for October 2026, which is not sealed"), "{said}");
    assert!(!said.contains("differs"), "no comparison with another month: {said}");
}

#[test]
fn a_sealed_pack_rezipped_with_folder_entries_is_not_the_pack() {
    let sealed = repo().join("content/2026-09/board-pack.zip");
    let bytes = fs::read(&sealed).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        entries.push((f.name().unwrap().to_string(), b));
    }
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let rezipped = zip_of(&refs, &["charts/", "commentary/", "data/", "evidence/"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rezipped.zip");
    fs::write(&file, rezipped).unwrap();
    let (ok, said) = verify(&repo(), &file);
    assert!(!ok, "{said}");
    assert!(said.contains("it is not the pack sealed for September 2026"), "{said}");
    assert!(said.contains("not byte for byte the pack the board received"), "{said}");
    assert!(!said.contains("added after packing"), "folder entries are not files: {said}");
}
