//! What the benchmark examples share.

use std::fs;
use std::path::Path;

/// Writes a file, creating its folder. Examples stop on any failure: they
/// make benchmark input, and a half-written input is worse than none.
pub(crate) fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create folder");
    }
    fs::write(path, text).expect("write file");
}

/// The command line's arguments after the program name, exactly `names.len()`
/// of them, or the usage line and exit code 2.
pub(crate) fn args(program: &str, names: &[&str]) -> Vec<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != names.len() {
        eprintln!("usage: {program} {}", names.join(" "));
        std::process::exit(2);
    }
    args
}
