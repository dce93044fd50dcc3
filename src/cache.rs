//! Reusing the previous build's PDFs.
//!
//! A month's PDF depends only on its Typst sources, its data and the charts it
//! includes, and a past month's report does not change, so rebuilding it is wasted work:
//! Typst costs ~70 ms a report, most of a build that includes PDFs. Each build
//! lists its PDFs in [`MANIFEST`] (key of the inputs, SHA-256 of the bytes,
//! path); the next build into the same folder takes a PDF from there when the
//! key matches and the file still has the recorded bytes. Nothing is read from
//! anywhere but the output folder boardpack itself wrote (it carries the
//! marker), and nothing is written anywhere else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

use crate::archive::hex;

/// The manifest's name, beside the PDFs it lists (the site root, or a
/// portfolio company's folder).
pub(crate) const MANIFEST: &str = ".boardpack-pdfs";

/// The previous build's PDFs, by input key.
#[derive(Debug, Default)]
pub(crate) struct PdfCache {
    dir: PathBuf,
    /// Input key → (SHA-256 of the PDF's bytes, path under `dir`).
    previous: HashMap<String, (String, String)>,
    reused: AtomicUsize,
}

impl PdfCache {
    /// The PDFs listed in `dir`'s manifest; empty when `dir` is not a previous
    /// boardpack output (no marker in `output`, the folder the build replaces).
    pub(crate) fn load(output: &Path, dir: &Path) -> PdfCache {
        let mut cache = PdfCache { dir: dir.to_path_buf(), ..PdfCache::default() };
        if !output.join(crate::output::MARKER).is_file() {
            return cache;
        }
        let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) else {
            return cache;
        };
        for line in text.lines() {
            let mut parts = line.splitn(3, ' ');
            if let (Some(key), Some(sha), Some(path)) = (parts.next(), parts.next(), parts.next()) {
                cache.previous.insert(key.to_string(), (sha.to_string(), path.to_string()));
            }
        }
        cache
    }

    /// The previous build's PDF for `key`, if it is still there, unchanged.
    pub(crate) fn get(&self, key: &str) -> Option<Vec<u8>> {
        let (sha, path) = self.previous.get(key)?;
        if path.split('/').any(|part| part == ".." || part.is_empty()) {
            return None;
        }
        let bytes = std::fs::read(self.dir.join(path)).ok()?;
        (hex(&Sha256::digest(&bytes)) == *sha).then(|| {
            self.reused.fetch_add(1, Ordering::Relaxed);
            bytes
        })
    }

    /// How many PDFs were taken from the previous build.
    pub(crate) fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }
}

/// One PDF's line in the manifest: input key, SHA-256 of its bytes, path under
/// the manifest's folder.
pub(crate) fn line(path: &str, key: &str, bytes: &[u8]) -> String {
    format!("{key} {} {path}\n", hex(&Sha256::digest(bytes)))
}

/// The manifest of these [`line`]s, sorted by path so it diffs cleanly.
pub(crate) fn manifest(mut lines: Vec<String>) -> String {
    lines.sort_by(|a, b| a.rsplit(' ').next().cmp(&b.rsplit(' ').next()));
    lines.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_reused_only_when_listed_unchanged_and_in_a_boardpack_folder() {
        let out = tempfile::tempdir().unwrap();
        let k = "0123abcd";
        std::fs::create_dir_all(out.path().join("2026-10")).unwrap();
        std::fs::write(out.path().join("2026-10/board-report.pdf"), b"%PDF-1.7 one").unwrap();
        let m = manifest(vec![line("2026-10/board-report.pdf", k, b"%PDF-1.7 one")]);
        std::fs::write(out.path().join(MANIFEST), m).unwrap();

        // Not boardpack's folder (no marker): nothing is read.
        assert_eq!(PdfCache::load(out.path(), out.path()).get(k), None);
        std::fs::write(out.path().join(crate::output::MARKER), "").unwrap();
        let cache = PdfCache::load(out.path(), out.path());
        assert_eq!(cache.get(k).as_deref(), Some(&b"%PDF-1.7 one"[..]));
        assert_eq!(cache.get("other"), None);
        assert_eq!(cache.reused(), 1);

        // A PDF changed since it was listed is not trusted.
        std::fs::write(out.path().join("2026-10/board-report.pdf"), b"%PDF-1.7 two").unwrap();
        assert_eq!(PdfCache::load(out.path(), out.path()).get(k), None);
    }
}
