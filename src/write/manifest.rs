//! A pack's `MANIFEST.txt`: the SHA-256 of every other entry, in the form
//! `sha256sum -c MANIFEST.txt` reads. Written by `pack` and `seal`, read back
//! by `verify`; this type is the only place that knows the format.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::base::digest::Sha256;

/// The entry's name inside the pack.
pub(crate) const MANIFEST_NAME: &str = "MANIFEST.txt";

/// Each entry's SHA-256, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Manifest {
    pub(crate) entries: BTreeMap<String, Sha256>,
}

impl Manifest {
    /// The manifest of these entries.
    pub(crate) fn of(entries: &[(String, Vec<u8>)]) -> Manifest {
        Manifest { entries: entries.iter().map(|(name, bytes)| (name.clone(), Sha256::of(bytes))).collect() }
    }

    /// One line per file, `SHA-256  name` (two spaces), in name order, with no
    /// header or comment line for a stricter checker to stumble on. Sizes are
    /// left out: the hash pins every byte, and the zip lists each size. A
    /// name holding a backslash or a line break is escaped as `sha256sum`
    /// does (`\` before the hash); the pack's own names never do.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        for (name, hash) in &self.entries {
            if name.contains(['\\', '\n']) {
                let escaped = name.replace('\\', "\\\\").replace('\n', "\\n");
                let _ = writeln!(out, "\\{hash}  {escaped}");
            } else {
                let _ = writeln!(out, "{hash}  {name}");
            }
        }
        out
    }

    /// A manifest read back: every line `HASH  NAME` (or `HASH *NAME`, the
    /// binary-mode form), escapes undone; blank and `#` lines are skipped.
    pub(crate) fn parse(text: &str) -> Result<Manifest, String> {
        let mut entries = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (escaped, line) = match line.strip_prefix('\\') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let bad = || format!("line {} of {MANIFEST_NAME} is not `SHA-256  name`", i + 1);
            let (hash, name) = line.split_once(' ').ok_or_else(bad)?;
            let name = name.strip_prefix(' ').or_else(|| name.strip_prefix('*')).ok_or_else(bad)?;
            // `sha256sum` writes lower case, and reads either.
            let Some(hash) = Sha256::parse(&hash.to_ascii_lowercase()).filter(|_| !name.is_empty()) else {
                return Err(bad());
            };
            let name = if escaped { unescape(name) } else { name.to_string() };
            entries.insert(name, hash);
        }
        Ok(Manifest { entries })
    }

    /// What differs between this manifest and the files it lists (`entries`,
    /// the manifest itself and folder entries left out): empty when it checks out.
    pub(crate) fn problems(&self, entries: &[(String, Vec<u8>)]) -> Vec<String> {
        let files = entries.iter().filter(|(n, _)| n != MANIFEST_NAME && !n.ends_with('/'));
        let mut problems = Vec::new();
        for (name, bytes) in files.clone() {
            match self.entries.get(name) {
                None => problems.push(format!("{name} is not in its {MANIFEST_NAME} (added after packing)")),
                Some(hash) if *hash != Sha256::of(bytes) => {
                    problems.push(format!("{name} does not match its {MANIFEST_NAME} (changed after packing)"))
                }
                Some(_) => {}
            }
        }
        for name in self.entries.keys().filter(|n| !files.clone().any(|(e, _)| e == *n)) {
            problems.push(format!("{name} is in its {MANIFEST_NAME} but missing"));
        }
        problems
    }
}

/// Undoes `sha256sum`'s escapes: `\\` and `\n`.
fn unescape(name: &str) -> String {
    let mut out = String::new();
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_as_written_whatever_the_names() {
        let entries: Vec<(String, Vec<u8>)> = vec![
            ("board-report.pdf".into(), b"%PDF".to_vec()),
            ("commentary/team performance.md".into(), b"spaces".to_vec()),
            ("odd\\name\nwith break".into(), b"escaped".to_vec()),
        ];
        let manifest = Manifest::of(&entries);
        let text = manifest.to_text();
        assert_eq!(Manifest::parse(&text), Ok(manifest.clone()));
        assert!(manifest.problems(&entries).is_empty());
        assert!(text.contains("  commentary/team performance.md\n"));
        assert!(text.contains("\\") && !text.contains("with break\n\\"), "{text}");
    }

    #[test]
    fn what_differs_is_named_and_folders_are_not_files() {
        let entries: Vec<(String, Vec<u8>)> = vec![("a.csv".into(), b"1".to_vec()), ("b.csv".into(), b"2".to_vec())];
        let manifest = Manifest::of(&entries);
        let mut changed = entries.clone();
        changed[0].1 = b"9".to_vec();
        changed.remove(1);
        changed.push(("c.csv".into(), b"3".to_vec()));
        changed.push(("commentary/".into(), Vec::new()));
        assert_eq!(
            manifest.problems(&changed),
            [
                "a.csv does not match its MANIFEST.txt (changed after packing)",
                "c.csv is not in its MANIFEST.txt (added after packing)",
                "b.csv is in its MANIFEST.txt but missing"
            ]
        );
        assert!(Manifest::parse("nothex  a.csv\n").is_err());
        assert_eq!(
            Manifest::parse(&format!("{}\n", "ab".repeat(32))).map(|_| ()),
            Err("line 1 of MANIFEST.txt is not `SHA-256  name`".into())
        );
    }
}
