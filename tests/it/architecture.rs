//! The pipeline stays a pipeline. The stages and their order are written once,
//! in `src/lib.rs`'s numbered list; a module's stage is the first folder of its
//! path under `src/`. Modules import only from their own stage or earlier ones
//! (no cycles within a stage), `lib.rs` holds docs and re-exports only, and only
//! the load and write stages and the commands touch the disk.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use crate::common::repo;

/// Stages that may read or write files; every other stage is pure.
const TOUCH_DISK: &[&str] = &["load", "write", "commands"];

/// The stages in order, read from `src/lib.rs`'s list (`1. **[`base`]** — …`).
fn stages() -> Vec<String> {
    let lib = fs::read_to_string(repo().join("src/lib.rs")).unwrap();
    lib.lines()
        .filter_map(|line| {
            let rest = line.trim_start_matches("//!").trim_start();
            let (number, rest) = rest.split_once(". **[`")?;
            number.parse::<u32>().ok()?;
            Some(rest.split('`').next()?.to_string())
        })
        .collect()
}

/// A source file: its stage, its module within the stage, its path and text.
struct Source {
    stage: String,
    module: String,
    file: String,
    text: String,
}

/// Every source file under `src/` but `lib.rs` and `main.rs`.
fn sources() -> Vec<Source> {
    let src = repo().join("src");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let file = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let mut parts = file.split('/');
        let stage = parts.next().unwrap().trim_end_matches(".rs").to_string();
        let module = parts.next().unwrap_or("mod.rs").trim_end_matches(".rs").to_string();
        if stage == "lib" || stage == "main" {
            continue;
        }
        let text = fs::read_to_string(path).unwrap();
        out.push(Source { stage, module, file, text });
    }
    out
}

/// The `(stage, module)` pairs a source file refers to through `crate::stage::module`.
fn imports(text: &str) -> BTreeSet<(String, String)> {
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect() };
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let mut rest = line.split("//").next().unwrap_or("");
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let stage = ident(after);
            let module = after[stage.len()..].strip_prefix("::").map(ident).unwrap_or_default();
            if stage.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                found.insert((stage, module));
            }
            rest = after;
        }
    }
    found
}

#[test]
fn the_stages_are_listed_once_and_every_folder_is_one() {
    let stages = stages();
    assert_eq!(stages.len(), 6, "src/lib.rs lists the stages as `1. **[`name`]** — …`: {stages:?}");
    for entry in fs::read_dir(repo().join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            assert!(stages.contains(&name), "src/{name}/ is no stage: list it in src/lib.rs");
        } else if path.extension().is_some_and(|e| e == "rs") {
            assert!(name == "lib" || name == "main", "src/{name}.rs belongs in a stage folder");
        }
    }
}

#[test]
fn stages_import_only_from_earlier_stages_and_never_in_a_cycle() {
    let stages = stages();
    let rank = |s: &str| stages.iter().position(|x| x == s);
    let mut graph: BTreeMap<(String, String), BTreeSet<(String, String)>> = BTreeMap::new();
    let mut problems = Vec::new();
    for source in sources() {
        let Some(stage) = rank(&source.stage) else { continue };
        let me = (source.stage.clone(), source.module.clone());
        for used in imports(&source.text) {
            match rank(&used.0) {
                Some(s) if s > stage => problems.push(format!(
                    "src/{} ({}) imports `{}::{}` from a later stage",
                    source.file, source.stage, used.0, used.1
                )),
                Some(s) if s == stage && used != me && !used.1.is_empty() => {
                    graph.entry(me.clone()).or_default().insert(used);
                }
                _ => {}
            }
        }
    }
    // No cycle within a stage: repeatedly remove modules that import nothing left.
    let mut left = graph;
    loop {
        let leaves: Vec<_> = left
            .iter()
            .filter(|(_, deps)| deps.iter().all(|d| !left.contains_key(d)))
            .map(|(m, _)| m.clone())
            .collect();
        if leaves.is_empty() {
            break;
        }
        for m in leaves {
            left.remove(&m);
        }
    }
    if !left.is_empty() {
        problems.push(format!("import cycle among: {:?}", left.keys().collect::<Vec<_>>()));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The test must be able to fail: a render module importing a command is seen.
    assert!(imports("use crate::commands::pack::Packed;").contains(&("commands".into(), "pack".into())));
}

#[test]
fn lib_holds_docs_and_re_exports_only() {
    let lib = fs::read_to_string(repo().join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        let code = line.trim();
        let allowed = code.is_empty()
            || code.starts_with("//")
            || code.starts_with("mod ")
            || code.starts_with("pub mod ")
            || code.starts_with("pub use ")
            || code.starts_with("#![");
        assert!(allowed, "src/lib.rs holds more than docs and re-exports: {code}");
    }
}

#[test]
fn only_the_load_and_write_stages_and_commands_touch_the_disk() {
    let disk = ["std::fs", "fs::", "File::", "WalkDir", "tempfile", ".is_file()", ".is_dir()", ".exists()", "read_dir"];
    let mut problems = Vec::new();
    let mut pure = 0;
    for source in sources() {
        if TOUCH_DISK.contains(&source.stage.as_str()) {
            continue;
        }
        pure += 1;
        // Tests may use temporary files.
        let code = source.text.split("#[cfg(test)]").next().unwrap_or(&source.text);
        for needle in disk {
            if code.contains(needle) {
                problems.push(format!("src/{} uses `{needle}`, but `{}` is a pure stage", source.file, source.stage));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(pure > 10, "the pure stages' files were found ({pure})");
}
