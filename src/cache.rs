//! The project cache: documents kept between builds, by the key of their inputs.
//!
//! A month's PDF depends only on its Typst sources, its data and the charts it
//! includes, and a past month's report does not change, so typesetting it
//! again is wasted work: Typst is most of a build that includes PDFs. Each PDF
//! is kept in `.boardpack/cache/pdf/` under the project (or portfolio) root as
//! `KEY.pdf` beside `KEY.blake3`, the BLAKE3 of its bytes; any build — into
//! any output folder, on a fresh checkout whose CI restored the folder — takes
//! a PDF from there when its key matches and its bytes still hash as recorded,
//! so a damaged or tampered entry is never trusted. After a whole build, the
//! entries it did not use are removed, so the cache holds one build's PDFs.
//!
//! A month's single-file report is kept too (`html/DIGEST.html`, named by the
//! BLAKE3 of its bytes), and the index `documents` names, for each month's
//! key (every input of its folder, `render::key`), its PDF's key and its
//! report's digest. A build into a fresh folder then takes both documents of
//! an unchanged month as they are: no Typst data to make and hash, no
//! 160 KB page to render, and the files linked into the output rather than
//! copied. Both are checked against their digests first, as a PDF always is.
//!
//! The cache also keeps, for each output folder built into, the record of its
//! months (`sites/`): the key each was made from and a stamp of its files as
//! written, so the next build into that folder can take an unchanged month as
//! it is. The record lives here rather than in the output so that the output's
//! bytes depend on the report alone.
//!
//! Write stage: this module reads and writes `.boardpack/cache/` only; it
//! names `.boardpack/spare/`, which the output stage writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::digest::{blake3, sha256};

/// Where the cache lives, under the project or portfolio root.
pub(crate) const CACHE_DIR: &str = ".boardpack/cache";
const PDF_DIR: &str = "pdf";
/// The suffix of a cached PDF's digest file, `KEY.blake3`.
const SUM: &str = ".blake3";
/// What a cached PDF's digest file was called before: SHA-256 sums, which no
/// build reads any more and [`Cache::prune`] removes.
const OLD_SUM: &str = ".sha256";
/// Months' single-file reports, by the digest of their bytes.
const HTML_DIR: &str = "html";
/// Month key → PDF key and single-file report digest, one month a line.
const DOCUMENTS_INDEX: &str = "documents";
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
    html: PathBuf,
    index: PathBuf,
    sites: PathBuf,
    spares: PathBuf,
    /// Keys used by this build (found or stored), kept by [`Cache::prune`].
    used: Mutex<BTreeSet<String>>,
    reused: AtomicUsize,
    /// The index as the last build left it, read when first asked.
    documents: OnceLock<BTreeMap<String, MonthDocuments>>,
    /// The index entries this build used or made: the next index.
    documents_used: Mutex<BTreeMap<String, MonthDocuments>>,
}

/// What the cache holds of one month's documents: its PDF's key and its
/// single-file report's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MonthDocuments {
    pdf: String,
    html: String,
}

/// A month's documents found in the cache, intact: the files to put in its folder.
#[derive(Debug)]
pub(crate) struct CachedDocuments {
    pub(crate) pdf_key: String,
    pub(crate) pdf: PathBuf,
    pub(crate) html: PathBuf,
}

/// Whether `key` is a hex digest, the only names the cache gives its files.
fn is_digest(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Cache {
    /// The cache of the project or portfolio at `root` (created when first written).
    pub(crate) fn open(root: &Path) -> Cache {
        let spares = root.join(SPARE_DIR);
        let root = root.join(CACHE_DIR);
        Cache {
            dir: root.join(PDF_DIR),
            html: root.join(HTML_DIR),
            index: root.join(DOCUMENTS_INDEX),
            sites: root.join(SITES_DIR),
            spares,
            used: Mutex::default(),
            reused: AtomicUsize::new(0),
            documents: OnceLock::new(),
            documents_used: Mutex::default(),
        }
    }

    fn paths(&self, key: &str) -> Option<(PathBuf, PathBuf)> {
        // Keys are hex digests; anything else is not ours and never names a file.
        is_digest(key).then(|| (self.dir.join(format!("{key}.pdf")), self.dir.join(format!("{key}{SUM}"))))
    }

    fn html_path(&self, digest: &str) -> Option<PathBuf> {
        is_digest(digest).then(|| self.html.join(format!("{digest}.html")))
    }

    fn mark(&self, key: &str) {
        self.used.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_string());
    }

    /// The cached PDF with this key and its bytes, if they still hash as recorded.
    fn intact_pdf(&self, key: &str) -> Option<(PathBuf, Vec<u8>)> {
        let (pdf, sum) = self.paths(key)?;
        let expected = std::fs::read_to_string(sum).ok()?;
        let bytes = intact(&pdf, expected.trim())?;
        Some((pdf, bytes))
    }

    /// The PDF made from inputs with this key, if it is cached and intact.
    pub(crate) fn get(&self, key: &str) -> Option<Vec<u8>> {
        let (_, bytes) = self.intact_pdf(key)?;
        self.mark(key);
        self.reused.fetch_add(1, Ordering::Relaxed);
        Some(bytes)
    }

    fn documents_index(&self) -> &BTreeMap<String, MonthDocuments> {
        self.documents.get_or_init(|| {
            let text = std::fs::read_to_string(&self.index).unwrap_or_default();
            text.lines()
                .filter_map(|line| {
                    let mut parts = line.split(' ');
                    let (month, pdf, html) = (parts.next()?, parts.next()?, parts.next()?);
                    let well_formed = [month, pdf, html].iter().all(|k| is_digest(k)) && parts.next().is_none();
                    well_formed.then(|| (month.to_string(), MonthDocuments { pdf: pdf.into(), html: html.into() }))
                })
                .collect()
        })
    }

    /// The PDF and single-file report of the month whose inputs have the key
    /// `month_key`, if an earlier build kept them and both are intact.
    pub(crate) fn documents(&self, month_key: &str) -> Option<CachedDocuments> {
        let entry = self.documents_index().get(month_key)?;
        let (pdf, _) = self.intact_pdf(&entry.pdf)?;
        let html = self.html_path(&entry.html)?;
        intact(&html, &entry.html)?;
        self.use_documents(month_key, entry.clone());
        self.reused.fetch_add(1, Ordering::Relaxed);
        Some(CachedDocuments { pdf_key: entry.pdf.clone(), pdf, html })
    }

    /// Keeps a month's documents through [`Cache::prune`] and in the next index.
    fn use_documents(&self, month_key: &str, entry: MonthDocuments) {
        self.mark(&entry.pdf);
        self.mark(&entry.html);
        self.documents_used.lock().unwrap_or_else(|p| p.into_inner()).insert(month_key.to_string(), entry);
    }

    /// Keeps a month's single-file report, and which PDF is the month's, for
    /// the next build; the PDF itself is kept by [`Cache::put`] or already was.
    pub(crate) fn put_documents(&self, month_key: &str, pdf_key: &str, html: &[u8]) {
        let digest = blake3(html);
        let Some(path) = self.html_path(&digest) else { return };
        if !is_digest(month_key) || !is_digest(pdf_key) {
            return;
        }
        // Another month's report may be these very bytes; one damaged since is written again.
        if intact(&path, &digest).is_some() || crate::archive::write_atomically(&path, html).is_ok() {
            self.use_documents(month_key, MonthDocuments { pdf: pdf_key.to_string(), html: digest });
        }
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
            && crate::archive::write_atomically(&sum, blake3(bytes).as_bytes()).is_ok();
        if !written {
            let _ = std::fs::remove_file(&pdf);
        }
    }

    /// Keeps the PDF with the key `pdf` and the month's documents (by the
    /// month's key) through [`Cache::prune`] without reading them: they are in
    /// a month the build took from the previous output.
    pub(crate) fn keep(&self, month_key: &str, pdf: Option<&str>) {
        if let Some(pdf) = pdf {
            self.mark(pdf);
        }
        if let Some(entry) = self.documents_index().get(month_key) {
            self.use_documents(month_key, entry.clone());
        }
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
    /// belong to reports that no longer exist as they were. Writes the index
    /// of months' documents this build used or made.
    pub(crate) fn prune(&self) {
        let used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        for (dir, suffixes) in [(&self.dir, &[".pdf", SUM][..]), (&self.html, &[".html"][..])] {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let key = suffixes.iter().find_map(|s| name.strip_suffix(s));
                let old_sum = name.strip_suffix(OLD_SUM).is_some_and(is_digest);
                if old_sum || key.is_some_and(|k| !used.contains(k) && is_digest(k)) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let documents = self.documents_used.lock().unwrap_or_else(|p| p.into_inner());
        let index: String = documents.iter().map(|(month, d)| format!("{month} {} {}\n", d.pdf, d.html)).collect();
        // No index and nothing to write reads as the same text: nothing is made.
        if std::fs::read_to_string(&self.index).unwrap_or_default() != index {
            let _ = crate::archive::write_atomically(&self.index, index.as_bytes());
        }
    }
}

/// The bytes of the file at `path`, if their BLAKE3 is `digest`: how every
/// entry of the cache is checked before it is trusted.
fn intact(path: &Path, digest: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path).ok()?;
    (blake3(&bytes) == digest).then_some(bytes)
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
    fn a_months_documents_are_taken_only_when_both_are_intact() {
        let root = tempfile::tempdir().unwrap();
        let (month, pdf) = ("0a0a", "0b0b");
        let first = Cache::open(root.path());
        assert!(first.documents(month).is_none(), "nothing cached yet");
        first.put(pdf, b"%PDF-1.7 report");
        first.put_documents(month, pdf, b"<!doctype html><p>report</p>");
        first.prune();

        let found = Cache::open(root.path()).documents(month).expect("kept by the last build");
        assert_eq!(found.pdf_key, pdf);
        assert_eq!(std::fs::read(&found.pdf).unwrap(), b"%PDF-1.7 report");
        assert_eq!(std::fs::read(&found.html).unwrap(), b"<!doctype html><p>report</p>");
        assert!(Cache::open(root.path()).documents("0c0c").is_none(), "another month's key");

        // Either document damaged: neither is taken.
        std::fs::write(&found.html, b"<!doctype html><p>changed</p>").unwrap();
        assert!(Cache::open(root.path()).documents(month).is_none());
        std::fs::write(&found.html, b"<!doctype html><p>report</p>").unwrap();
        std::fs::write(&found.pdf, b"%PDF-1.7 changed").unwrap();
        assert!(Cache::open(root.path()).documents(month).is_none());
        std::fs::write(&found.pdf, b"%PDF-1.7 report").unwrap();

        // A month kept from the previous output keeps its documents through
        // pruning; a build that used nothing leaves nothing.
        let kept = Cache::open(root.path());
        kept.keep(month, None);
        kept.prune();
        assert!(Cache::open(root.path()).documents(month).is_some());
        Cache::open(root.path()).prune();
        assert!(Cache::open(root.path()).documents(month).is_none());
        assert!(!found.html.exists() && !found.pdf.exists());
        assert_eq!(std::fs::read_to_string(root.path().join(CACHE_DIR).join(DOCUMENTS_INDEX)).unwrap(), "");
    }

    #[test]
    fn a_damaged_report_is_written_again_by_the_next_build_that_makes_it() {
        let root = tempfile::tempdir().unwrap();
        let (month, pdf, html) = ("0a0a", "0b0b", &b"<!doctype html><p>report</p>"[..]);
        let first = Cache::open(root.path());
        first.put(pdf, b"%PDF-1.7 report");
        first.put_documents(month, pdf, html);
        first.prune();
        let found = Cache::open(root.path()).documents(month).unwrap();
        std::fs::write(&found.html, b"<!doctype html><p>damaged</p>").unwrap();
        let second = Cache::open(root.path());
        assert!(second.documents(month).is_none());
        second.put_documents(month, pdf, html);
        assert_eq!(std::fs::read(&found.html).unwrap(), html, "the entry under that digest is mended");
        assert!(Cache::open(root.path()).documents(month).is_some());
    }

    #[test]
    fn an_index_line_that_is_not_three_digests_names_nothing() {
        let root = tempfile::tempdir().unwrap();
        let index = root.path().join(CACHE_DIR).join(DOCUMENTS_INDEX);
        std::fs::create_dir_all(index.parent().unwrap()).unwrap();
        std::fs::write(&index, "0a0a ../../x 0c0c\n0a0b 0b0b\n0a0c 0b0b 0c0c extra\n").unwrap();
        let cache = Cache::open(root.path());
        assert!(["0a0a", "0a0b", "0a0c"].iter().all(|m| cache.documents(m).is_none()));
        assert!(cache.documents_index().is_empty());
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

    #[test]
    fn a_cache_from_before_blake3_is_made_again_and_its_sums_removed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(CACHE_DIR).join(PDF_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        // An entry as builds before this one kept it: a PDF and its SHA-256.
        std::fs::write(dir.join("aa.pdf"), b"one").unwrap();
        std::fs::write(dir.join("aa.sha256"), sha256(b"one")).unwrap();
        let cache = Cache::open(root.path());
        assert_eq!(cache.get("aa"), None, "a SHA-256 sum is not this cache's check");
        cache.put("aa", b"one");
        cache.prune();
        let names: BTreeSet<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, BTreeSet::from(["aa.blake3".to_string(), "aa.pdf".to_string()]));
        assert_eq!(std::fs::read_to_string(dir.join("aa.blake3")).unwrap(), blake3(b"one"));
        assert_eq!(Cache::open(root.path()).get("aa").as_deref(), Some(&b"one"[..]));
    }
}
