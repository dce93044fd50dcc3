//! The pipeline stays a pipeline: stage modules import only from the stages
//! before them (no cycles), `lib.rs` holds docs and re-exports only, and only
//! the modules whose docs say they touch the disk do.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::common::repo;

/// The stages, in order. A module may import from its own stage or earlier
/// ones; imports within a stage must not form a cycle.
const STAGES: &[&[&str]] = &[
    &["error", "diagnostic", "digest", "period", "parallel", "locale", "i18n"],
    &["status"],
    &["config", "catalogue", "values", "record"],
    &["project", "portfolio", "theme", "workspace", "fonts"],
    &["report", "audit"],
    &["markdown", "chart", "export"],
    &["render", "rules"],
    &["output", "archive", "cache"],
    &["build", "pack", "scaffold", "schema", "serve", "seal", "measure"],
];

/// Modules allowed to read or write files: the load and write stages and the
/// commands. Everything else is pure.
const TOUCH_DISK: &[&str] = &[
    "project",
    "fonts",
    "portfolio",
    "theme",
    "workspace",
    "output",
    "archive",
    "cache",
    "build",
    "pack",
    "scaffold",
    "schema",
    "serve",
    "seal",
    "measure",
];

/// Every source file under `src/`, by top-level module name (`render/view.rs` → `render`).
fn modules() -> BTreeMap<String, Vec<(String, String)>> {
    let src = repo().join("src");
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        out.entry(module).or_default().push((rel.clone(), fs::read_to_string(path).unwrap()));
    }
    out
}

/// The top-level modules a source file refers to through `crate::`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                found.insert(name);
            } else if after.starts_with('{') {
                let group = &after[1..after.find('}').unwrap_or(after.len())];
                for part in group.split(',') {
                    let name: String =
                        part.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                        found.insert(name);
                    }
                }
            }
            rest = after;
        }
    }
    found
}

fn stage_of(module: &str) -> Option<usize> {
    STAGES.iter().position(|s| s.contains(&module))
}

#[test]
fn stages_import_only_from_earlier_stages_and_never_in_a_cycle() {
    let modules = modules();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (module, files) in &modules {
        let Some(stage) = stage_of(module) else {
            problems.push(format!("module `{module}` is in no stage: add it to STAGES in tests/it/architecture.rs"));
            continue;
        };
        for (file, text) in files {
            for used in imports(text) {
                if used == *module {
                    continue;
                }
                match stage_of(&used) {
                    Some(s) if s > stage => problems.push(format!(
                        "src/{file} ({module}, stage {stage}) imports `{used}` from a later stage ({s})"
                    )),
                    Some(_) => {
                        graph.entry(module.clone()).or_default().insert(used);
                    }
                    None => {}
                }
            }
        }
    }
    // No cycle: repeatedly remove modules that import nothing left.
    let mut left = graph.clone();
    loop {
        let leaves: Vec<String> = left
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
    // The test must be able to fail: the old render ↔ pack loop is caught.
    assert!(imports("use crate::pack::cache::PdfCache;\nuse crate::{export, render};").contains("render"));
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
    for (module, files) in modules() {
        if TOUCH_DISK.contains(&module.as_str()) {
            continue;
        }
        for (file, text) in files {
            // Tests may use temporary files.
            let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
            for needle in disk {
                if code.contains(needle) {
                    problems.push(format!("src/{file} uses `{needle}`, but `{module}` is a pure stage"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(Path::new(&repo()).join("src/render/mod.rs").is_file());
}
