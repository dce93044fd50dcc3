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

/// A small deterministic generator (xorshift64*), so benchmark input never
/// depends on a crate's random number generator.
pub(crate) struct Rng(pub(crate) u64);

// Not every example uses every method (hugo_site draws no numbers at all).
#[allow(dead_code)]
impl Rng {
    /// A number in [0, 1).
    pub(crate) fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An index below `n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// A whole number from `lo` up to (not including) `hi`.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() * (hi - lo) as f64) as i64
    }
}
