//! The project cache: PDFs kept between builds, by the key of their inputs.
//!
//! A month's PDF depends only on its Typst sources, its data and the charts it
//! includes, and a past month's report does not change, so typesetting it
//! again is wasted work: Typst is most of a build that includes PDFs. Each PDF
//! is kept in `.boardpack/cache/pdf/` under the project (or portfolio) root as
//! `KEY.pdf` beside `KEY.sha256`, the SHA-256 of its bytes; any build — into
//! any output folder, on a fresh checkout whose CI restored the folder — takes
//! a PDF from there when its key matches and its bytes still hash as recorded,
//! so a damaged or tampered entry is never trusted. After a whole build, the
//! entries it did not use are removed, so the cache holds one build's PDFs.
//!
//! The cache also keeps, for each output folder built into, the record of its
//! months (`sites/`): the key each was made from and a stamp of its files as
//! written, so the next build into that folder can take an unchanged month as
//! it is. The record lives here rather than in the output so that the output's
//! bytes depend on the report alone.
//!
//! Write stage: this module reads and writes `.boardpack/cache/` only; it
//! names `.boardpack/spare/`, which the output stage writes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::digest::sha256;

/// Where the cache lives, under the project or portfolio root.
pub(crate) const CACHE_DIR: &str = ".boardpack/cache";
const PDF_DIR: &str = "pdf";
/// Each output site's record of its months, for the next build into it.
const SITES_DIR: &str = "sites";
/// Where the output a build replaced is kept for the next build into the
/// same folder, under the project root: beside the cache, not in it, so the
/// CI cache of `.boardpack/cache/` never carries a copy of a site.
const SPARE_DIR: &str = ".boardpack/spare";

/// PDFs by input key, in a folder of the project.
#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
    sites: PathBuf,
    spares: PathBuf,
    /// Keys used by this build (found or stored), kept by [`Cache::prune`].
    used: Mutex<BTreeSet<String>>,
    reused: AtomicUsize,
}

impl Cache {
    /// The cache of the project or portfolio at `root` (created when first written).
    pub(crate) fn open(root: &Path) -> Cache {
        let spares = root.join(SPARE_DIR);
        let root = root.join(CACHE_DIR);
        Cache {
            dir: root.join(PDF_DIR),
            sites: root.join(SITES_DIR),
            spares,
            used: Mutex::default(),
            reused: AtomicUsize::new(0),
        }
    }

    fn paths(&self, key: &str) -> Option<(PathBuf, PathBuf)> {
        // Keys are hex digests; anything else is not ours and never names a file.
        (!key.is_empty() && key.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| (self.dir.join(format!("{key}.pdf")), self.dir.join(format!("{key}.sha256"))))
    }

    fn mark(&self, key: &str) {
        self.used.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_string());
    }

    /// The PDF made from inputs with this key, if it is cached and intact.
    pub(crate) fn get(&self, key: &str) -> Option<Vec<u8>> {
        let (pdf, sum) = self.paths(key)?;
        let expected = std::fs::read_to_string(sum).ok()?;
        let bytes = std::fs::read(pdf).ok()?;
        if sha256(&bytes) != expected.trim() {
            return None;
        }
        self.mark(key);
        self.reused.fetch_add(1, Ordering::Relaxed);
        Some(bytes)
    }

    /// Keeps a PDF for the next build. A cache that cannot be written (a
    /// read-only project) only means the next build typesets again.
    pub(crate) fn put(&self, key: &str, bytes: &[u8]) {
        let Some((pdf, sum)) = self.paths(key) else {
            return;
        };
        self.mark(key);
        let written = std::fs::create_dir_all(&self.dir).is_ok()
            && crate::archive::write_atomically(&pdf, bytes).is_ok()
            && crate::archive::write_atomically(&sum, sha256(bytes).as_bytes()).is_ok();
        if !written {
            let _ = std::fs::remove_file(&pdf);
        }
    }

    /// Keeps the entry with this key through [`Cache::prune`] without reading
    /// it: its PDF is in a month the build took from the previous output.
    pub(crate) fn keep(&self, key: &str) {
        self.mark(key);
    }

    /// What the last build into the site `site` ([`site_id`]) recorded of its months.
    pub(crate) fn months(&self, site: &str) -> Option<String> {
        std::fs::read_to_string(self.sites.join(site)).ok()
    }

    /// Records a site's months for the next build into it; as with PDFs, a
    /// cache that cannot be written only means that build renders them again.
    pub(crate) fn put_months(&self, site: &str, text: &str) {
        if std::fs::create_dir_all(&self.sites).is_ok() {
            let _ = crate::archive::write_atomically(&self.sites.join(site), text.as_bytes());
        }
    }

    /// Where the output a build into `output` replaces is kept for the next
    /// build into it (see `output::Staging`): `.boardpack/spare/ID`.
    pub(crate) fn spare(&self, output: &Path) -> PathBuf {
        self.spares.join(site_id(output, None))
    }

    /// How many PDFs this build took from the cache.
    pub(crate) fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// Removes the entries this build did not use: after a whole build they
    /// belong to reports that no longer exist as they were.
    pub(crate) fn prune(&self) {
        let used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key = name.strip_suffix(".pdf").or_else(|| name.strip_suffix(".sha256"));
            if key.is_some_and(|k| !used.contains(k) && k.bytes().all(|b| b.is_ascii_hexdigit())) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// A name for the site written to `output` (under `prefix/`, for a
/// portfolio's company) among the cache's records: a digest of its absolute
/// path, so builds into different folders keep separate records.
pub(crate) fn site_id(output: &Path, prefix: Option<&str>) -> String {
    let absolute = match (output.parent(), output.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            std::fs::canonicalize(parent).map_or_else(|_| output.to_path_buf(), |p| p.join(name))
        }
        _ => output.to_path_buf(),
    };
    let mut id = absolute.to_string_lossy().into_owned();
    if let Some(prefix) = prefix {
        id = format!("{id}\0{prefix}");
    }
    sha256(id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_reused_only_when_its_bytes_are_as_recorded() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::open(root.path());
        assert_eq!(cache.get("0123abcd"), None, "nothing cached yet");
        cache.put("0123abcd", b"%PDF-1.7 one");
        let again = Cache::open(root.path());
        assert_eq!(again.get("0123abcd").as_deref(), Some(&b"%PDF-1.7 one"[..]));
        assert_eq!(again.get("ffff"), None);
        assert_eq!(again.reused(), 1);
        // Tampered with: not trusted.
        std::fs::write(root.path().join(CACHE_DIR).join("pdf/0123abcd.pdf"), b"%PDF-1.7 two").unwrap();
        assert_eq!(Cache::open(root.path()).get("0123abcd"), None);
        // A key that is not a digest never names a file.
        cache.put("../../escape", b"x");
        assert!(!root.path().join("escape.pdf").exists() && !root.path().join(".boardpack/escape.pdf").exists());
    }

    #[test]
    fn pruning_keeps_only_what_the_build_used() {
        let root = tempfile::tempdir().unwrap();
        let first = Cache::open(root.path());
        first.put("aa", b"one");
        first.put("bb", b"two");
        let second = Cache::open(root.path());
        assert!(second.get("aa").is_some());
        second.prune();
        let third = Cache::open(root.path());
        assert!(third.get("aa").is_some() && third.get("bb").is_none());
    }
}
