//! The project cache: what builds make, kept between builds by the key of
//! its inputs, so any build — into any output folder, on a fresh checkout
//! whose CI restored the folder — takes it instead of making it again.
//!
//! Every file the cache keeps is in `files/`, named by the BLAKE3 of its
//! bytes, and is checked against that name before it is trusted: a damaged or
//! tampered entry is never used, and is removed so the next build that makes
//! it keeps it again. Two indexes name what is there:
//!
//! - `pdf/KEY.blake3`: the PDF typeset from Typst inputs with that key.
//!   Typesetting is most of a build that includes PDFs, and a month whose
//!   pages changed (a new theme) may still have the same PDF.
//! - `months`: for each month's key (every input of its folder,
//!   `render::key`), every file of the folder by path and digest, and its
//!   PDF's key. A build that has not got the month's folder from its own
//!   previous output (a fresh folder, a CI checkout) links the files in from
//!   here: no charts, pages or documents to make, and on one disk no bytes
//!   copied. The files are then the output's own (hard links), so the cache
//!   never writes into a file it keeps: it replaces or removes it.
//!
//! After a whole build, the entries it did not use are removed, so the cache
//! holds one build's files; a file shared by several months (or linked into
//! the output) is kept once. Listing `files/` to find them is skipped when
//! the build used every month of the last index and no build stopped halfway
//! (`files/.adding`): a rebuild that adds a month does not list 60,000 names.
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

mod index;
mod sites;
pub(crate) mod trust;

use crate::base::digest::{sha256, Blake3, MonthKey, PdfKey};
pub(crate) use index::CachedMonth;
use index::{Index, Paragraph};
pub(crate) use sites::{RecordedMonth, SiteRecord};
use trust::Trust;

/// Where the cache lives, under the project or portfolio root.
pub(crate) const CACHE_DIR: &str = ".boardpack/cache";
/// Typst input key → the digest of the PDF made from it, `KEY.blake3`.
const PDF_DIR: &str = "pdf";
const SUM: &str = ".blake3";
/// Every file kept, by the BLAKE3 of its bytes.
const FILES_DIR: &str = "files";
/// In `files/` from the first file a build keeps until it prunes.
const ADDING: &str = ".adding";
/// Month key → its PDF's key and its folder's files, a month a paragraph.
const MONTHS_INDEX: &str = "months";
/// Each output site's record of its months, for the next build into it.
const SITES_DIR: &str = "sites";
/// Where the output a build replaced is kept for the next build into the
/// same folder, under the project root: beside the cache, not in it, so the
/// CI cache of `.boardpack/cache/` never carries a copy of a site.
const SPARE_DIR: &str = ".boardpack/spare";
/// What earlier builds kept and no build reads any more, which
/// [`Cache::prune`] removes: PDFs under their key with SHA-256 or BLAKE3
/// sums beside them, and single-file reports with their own index.
const OLD_IN_PDF_DIR: [&str; 2] = [".pdf", ".sha256"];
const OLD_ENTRIES: [&str; 2] = ["html", "documents"];

/// The project cache of a project or portfolio.
#[derive(Debug)]
pub(crate) struct Cache {
    root: PathBuf,
    pdf: PathBuf,
    files: PathBuf,
    index: PathBuf,
    sites: PathBuf,
    spares: PathBuf,
    /// The PDFs this build used (found or stored), kept by [`Cache::prune`]
    /// with the files of the months in the next index.
    used: Mutex<Used>,
    pdfs_taken: AtomicUsize,
    /// Whether `files/` exists or was made, asked once per build, and
    /// whether a build that kept files in it stopped before pruning.
    files_dir: OnceLock<(bool, bool)>,
    /// The index of months as the last build left it, read when first asked.
    months: OnceLock<Index>,
    /// The paragraphs of the index this build used or made, by month key: the next index.
    months_used: Mutex<BTreeMap<MonthKey, Paragraph>>,
    /// The key every entry's tag is checked against ([`trust`]).
    trust: Trust,
    /// Whether the cache's folders are real folders: one that is a link may
    /// lead out of the cache, and then nothing in it is used or kept.
    sound: bool,
}

/// A month's folder found in the cache, every file intact: its PDF's key, and
/// each file's path in the folder and where the cache keeps it.
#[derive(Debug)]
pub(crate) struct KeptMonth {
    pub(crate) pdf: Option<PdfKey>,
    pub(crate) files: Vec<(String, PathBuf)>,
}

impl Cache {
    /// The cache of the project or portfolio at `root` (created when first written).
    pub(crate) fn open(root: &Path) -> Cache {
        let spares = root.join(SPARE_DIR);
        let trust = Trust::load(root);
        let cache = root.join(CACHE_DIR);
        let sound = no_link_on_the_way(root, &cache);
        let root = cache;
        Cache {
            pdf: root.join(PDF_DIR),
            files: root.join(FILES_DIR),
            index: root.join(MONTHS_INDEX),
            sites: root.join(SITES_DIR),
            spares,
            root,
            used: Mutex::default(),
            pdfs_taken: AtomicUsize::new(0),
            files_dir: OnceLock::new(),
            months: OnceLock::new(),
            months_used: Mutex::default(),
            trust,
            sound,
        }
    }

    /// Where the digest of the PDF typeset from inputs with this key is kept.
    fn pointer(&self, key: &PdfKey) -> Option<PathBuf> {
        self.sound.then(|| self.pdf.join(format!("{key}{SUM}")))
    }

    /// Where the file with this digest is kept.
    fn file(&self, digest: &Blake3) -> Option<PathBuf> {
        self.sound.then(|| self.files.join(digest.as_str()))
    }

    /// Keeps a PDF (its key and its file) through [`Cache::prune`].
    fn mark(&self, pdf: Option<(&PdfKey, &Blake3)>) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((key, digest)) = pdf {
            used.pdfs.insert(key.clone());
            used.files.insert(digest.clone());
        }
    }

    /// The kept file with this digest, if its bytes still hash to it. One
    /// that does not is removed: it is never used, and the next build that
    /// makes those bytes keeps them again.
    fn intact(&self, digest: &Blake3) -> Option<(PathBuf, Vec<u8>)> {
        let path = self.file(digest)?;
        match read_regular(&path) {
            Ok(bytes) if Blake3::of(&bytes) == *digest => Some((path, bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => {
                // Damaged, or not a readable file at all (a folder, a broken link).
                let _ = std::fs::remove_file(&path).or_else(|_| std::fs::remove_dir_all(&path));
                None
            }
        }
    }

    /// The PDF made from Typst inputs with this key, if it is cached and intact.
    pub(crate) fn get(&self, key: &PdfKey) -> Option<Vec<u8>> {
        let pointer = String::from_utf8(read_regular(&self.pointer(key)?).ok()?).ok()?;
        let (digest, tag) = pointer.trim().split_once(' ')?;
        if !self.trust.verify(PDF_TAG, &format!("{key} {digest}"), tag) {
            return None;
        }
        let digest = Blake3::parse(digest)?;
        let (_, bytes) = self.intact(&digest)?;
        self.mark(Some((key, &digest)));
        self.pdfs_taken.fetch_add(1, Ordering::Relaxed);
        Some(bytes)
    }

    /// Keeps a PDF for later builds. A cache that cannot be written (a
    /// read-only project) only means the next build typesets again.
    ///
    /// The bytes are kept as a file of their own, before the month's files are
    /// written, so the PDF the cold build publishes is not the kept one
    /// ([`Cache::keep_file`] finds it kept): a published PDF written into in
    /// place cannot damage what typesetting, the dearest thing to redo, made.
    /// Linking the published file instead would save a second copy (about
    /// 0.8 GB at 100 companies × 36 months) and lose that.
    pub(crate) fn put(&self, key: &PdfKey, bytes: &[u8]) {
        let Some(pointer) = self.pointer(key) else { return };
        let digest = Blake3::of(bytes);
        let tag = self.trust.tag(PDF_TAG, &format!("{key} {digest}"));
        let kept = self.keep_bytes(&digest, bytes)
            && crate::write::archive::write_atomically(&pointer, format!("{digest} {tag}").as_bytes()).is_ok();
        if kept {
            self.mark(Some((key, &digest)));
        }
    }

    /// Keeps `bytes` under their digest, unless a file is kept there already.
    fn keep_bytes(&self, digest: &Blake3, bytes: &[u8]) -> bool {
        let Some(path) = self.file(digest).filter(|_| self.files_dir()) else { return false };
        path.exists() || crate::write::archive::write_atomically(&path, bytes).is_ok()
    }

    /// Makes `files/` if need be, and marks it as being added to until
    /// [`Cache::prune`]: a build stopped before then may have kept files
    /// that no index names, and the next prune lists the folder to find them.
    fn files_dir(&self) -> bool {
        self.files_dir
            .get_or_init(|| {
                let made = std::fs::create_dir_all(&self.files).is_ok();
                let marker = self.files.join(ADDING);
                let stopped = marker.exists();
                (made && (stopped || std::fs::write(&marker, b"").is_ok()), stopped)
            })
            .0
    }

    /// Keeps the file just written at `written` (whose bytes are `bytes`, with
    /// this digest) by linking it in, or by writing the bytes where a link
    /// cannot be made (the cache on another disk). A file already kept under
    /// the digest is left as it is: it is checked when it is used.
    pub(crate) fn keep_file(&self, digest: &Blake3, written: &Path, bytes: &[u8]) -> bool {
        let Some(path) = self.file(digest).filter(|_| self.files_dir()) else { return false };
        match std::fs::hard_link(written, &path) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => true,
            Err(_) => self.keep_bytes(digest, bytes),
        }
    }

    fn months_index(&self) -> &Index {
        self.months.get_or_init(|| {
            let text = self.sound.then(|| read_regular(&self.index).ok()).flatten();
            Index::read(text.and_then(|b| String::from_utf8(b).ok()).unwrap_or_default())
        })
    }

    /// The files of the folder of the month whose inputs have the key
    /// `month_key`, as (path in the folder, kept file), if an earlier build
    /// kept them all and every one is intact; and the month's PDF key.
    pub(crate) fn month(&self, month_key: &MonthKey) -> Option<KeptMonth> {
        let (paragraph, text) = self.months_index().paragraph(month_key)?;
        let entry = CachedMonth::parse(text, &self.trust)?;
        let mut files = Vec::with_capacity(entry.files.len());
        for (digest, path) in entry.files {
            let (kept, _) = self.intact(&digest)?;
            files.push((path, kept));
        }
        self.use_month(month_key, entry.pdf.as_ref(), paragraph);
        Some(KeptMonth { pdf: entry.pdf, files })
    }

    /// Records that the month with key `month_key` is made of these files,
    /// every one kept ([`Cache::keep_file`]), for later builds.
    pub(crate) fn put_month(&self, month_key: &MonthKey, month: CachedMonth) {
        if let Some(text) = month.to_paragraph(month_key, &self.trust) {
            self.use_month(month_key, month.pdf.as_ref(), Paragraph::Made(text));
        }
    }

    /// Keeps a month's paragraph of the index, and so its files, through
    /// [`Cache::prune`] and in the next index, with its PDF's pointer (the
    /// PDF itself is one of the month's files).
    fn use_month(&self, month_key: &MonthKey, pdf: Option<&PdfKey>, paragraph: Paragraph) {
        self.keep_pointer(pdf);
        self.months_used.lock().unwrap_or_else(|p| p.into_inner()).insert(month_key.clone(), paragraph);
    }

    /// Keeps the pointer of the PDF with the key `pdf` through [`Cache::prune`].
    fn keep_pointer(&self, pdf: Option<&PdfKey>) {
        if let Some(key) = pdf {
            self.used.lock().unwrap_or_else(|p| p.into_inner()).pdfs.insert(key.clone());
        }
    }

    /// Keeps the PDF with the key `pdf` and the month's files (by the month's
    /// key) through [`Cache::prune`] without reading them: they are in a
    /// month the build took from the previous output.
    pub(crate) fn keep(&self, month_key: &MonthKey, pdf: Option<&PdfKey>) {
        match self.months_index().paragraph(month_key) {
            Some((kept, _)) => self.use_month(month_key, pdf, kept),
            None => self.keep_pointer(pdf),
        }
    }

    /// What the last build into the site `site` ([`site_id`]) recorded of
    /// its months; empty when there is no record this project's builds made.
    pub(crate) fn months(&self, site: &str) -> SiteRecord {
        let text = self.sound.then(|| read_regular(&self.sites.join(site)).ok()).flatten();
        let text = text.and_then(|bytes| String::from_utf8(bytes).ok()).unwrap_or_default();
        SiteRecord::parse(site, &text, &self.trust).unwrap_or_default()
    }

    /// Records a site's months for the next build into it; as with PDFs, a
    /// cache that cannot be written only means that build renders them again.
    pub(crate) fn put_months(&self, site: &str, record: &SiteRecord) {
        if self.sound && std::fs::create_dir_all(&self.sites).is_ok() {
            let text = record.to_text(site, &self.trust);
            let _ = crate::write::archive::write_atomically(&self.sites.join(site), text.as_bytes());
        }
    }

    /// Where the output a build into `output` replaces is kept for the next
    /// build into it (see `output::Staging`): `.boardpack/spare/ID`.
    pub(crate) fn spare(&self, output: &Path) -> PathBuf {
        self.spares.join(site_id(output, None))
    }

    /// How many PDFs this build took from the cache to put in months it made.
    pub(crate) fn pdfs_taken(&self) -> usize {
        self.pdfs_taken.load(Ordering::Relaxed)
    }

    /// Removes the entries this build did not use: after a whole build they
    /// belong to reports that no longer exist as they were. Writes the index
    /// of months this build used or made.
    pub(crate) fn prune(&self) {
        let used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        for entry in std::fs::read_dir(&self.pdf).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let old = OLD_IN_PDF_DIR.iter().any(|s| name.strip_suffix(s).and_then(PdfKey::parse).is_some());
            let unused = name.strip_suffix(SUM).and_then(PdfKey::parse).is_some_and(|k| !used.pdfs.contains(&k));
            if old || unused {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        for old in OLD_ENTRIES {
            let path = self.root.join(old);
            let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
        }
        let months = self.months_used.lock().unwrap_or_else(|p| p.into_inner());
        let before = self.months_index();
        // A build that kept every month of the last index (a rebuild that
        // added months) leaves nothing unused in `files/`: no need to list it.
        let stopped = match self.files_dir.get() {
            Some(&(_, stopped)) => stopped,
            None => self.files.join(ADDING).exists(),
        };
        let all_kept = !stopped && !before.months.is_empty() && before.months.keys().all(|k| months.contains_key(k));
        if !all_kept {
            let mut kept: std::collections::HashSet<&str> = used.files.iter().map(Blake3::as_str).collect();
            for text in months.values().map(|p| before.text_of(p)) {
                kept.extend(text.lines().filter_map(|l| l.strip_prefix(' ')?.split(' ').next()));
            }
            for entry in std::fs::read_dir(&self.files).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if Blake3::parse(&name).is_some() && !kept.contains(name.as_str()) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let _ = std::fs::remove_file(self.files.join(ADDING));
        // No index and nothing to write reads as the same text: nothing is made.
        if !before.is(months.values()) {
            let paragraphs = months.values().map(|p| before.text_of(p).as_bytes());
            let _ = crate::write::archive::write_atomically_in_parts(&self.index, paragraphs);
        }
    }
}

/// What a PDF pointer's tag is for.
const PDF_TAG: &str = "pdf";

/// What a build used of the cache's PDFs: the pointers by key, and the files.
#[derive(Debug, Default)]
struct Used {
    pdfs: BTreeSet<PdfKey>,
    files: BTreeSet<Blake3>,
}

/// Whether every folder from the project root down to the cache is a real
/// folder or not there yet (never a link, which could lead anywhere), and so
/// are the cache's own folders.
fn no_link_on_the_way(root: &Path, cache: &Path) -> bool {
    let mut at = root.to_path_buf();
    let below = cache.strip_prefix(root).unwrap_or(cache);
    let sub = [PDF_DIR, FILES_DIR, SITES_DIR].map(|d| cache.join(d));
    below
        .components()
        .map(|c| {
            at.push(c);
            at.clone()
        })
        .chain(sub)
        .all(|p| std::fs::symlink_metadata(&p).map_or(true, |m| m.is_dir()))
}

/// The bytes of the regular file at `path`, never followed through a link
/// (nor waiting on a pipe): a cache entry is a file the cache wrote, or nothing.
fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32);
    }
    let mut file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() || std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not a regular file"));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
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

    /// A PDF's key made of one byte, written 32 times.
    fn pdf_key(byte: &str) -> PdfKey {
        PdfKey::parse(&byte.repeat(32)).unwrap()
    }

    /// A month's key made of one byte, written 32 times.
    fn month_key(byte: &str) -> MonthKey {
        MonthKey::parse(&byte.repeat(32)).unwrap()
    }

    #[test]
    fn a_pdf_is_reused_only_when_its_bytes_are_as_recorded() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::open(root.path());
        assert_eq!(cache.get(&pdf_key("01")), None, "nothing cached yet");
        cache.put(&pdf_key("01"), b"%PDF-1.7 one");
        let again = Cache::open(root.path());
        assert_eq!(again.get(&pdf_key("01")).as_deref(), Some(&b"%PDF-1.7 one"[..]));
        assert_eq!(again.get(&pdf_key("ff")), None);
        assert_eq!(again.pdfs_taken(), 1);
        // Tampered with: not trusted, and removed.
        let kept = root.path().join(CACHE_DIR).join(FILES_DIR).join(Blake3::of(b"%PDF-1.7 one").as_str());
        std::fs::write(&kept, b"%PDF-1.7 two").unwrap();
        assert_eq!(Cache::open(root.path()).get(&pdf_key("01")), None);
        assert!(!kept.exists(), "a damaged entry is removed");
        // Typeset again, it is kept again.
        Cache::open(root.path()).put(&pdf_key("01"), b"%PDF-1.7 one");
        assert_eq!(Cache::open(root.path()).get(&pdf_key("01")).as_deref(), Some(&b"%PDF-1.7 one"[..]));
    }

    /// The file's inode: the same number for two paths means one file, linked.
    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
    }

    /// A month's files as a build keeps them: written into the output, then kept.
    fn keep_month(cache: &Cache, out: &Path, key: &MonthKey, pdf: Option<&PdfKey>, files: &[(&str, &[u8])]) {
        let mut kept = Vec::new();
        for (path, bytes) in files {
            let written = out.join(path);
            std::fs::create_dir_all(written.parent().unwrap()).unwrap();
            std::fs::write(&written, bytes).unwrap();
            let digest = Blake3::of(bytes);
            assert!(cache.keep_file(&digest, &written, bytes));
            kept.push((digest, path.to_string()));
        }
        cache.put_month(key, CachedMonth { pdf: pdf.cloned(), files: kept });
    }

    #[test]
    fn a_months_folder_is_taken_only_when_every_file_is_intact() {
        let root = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let (month, pdf) = (&month_key("0a"), &pdf_key("0b"));
        let files: [(&str, &[u8]); 3] =
            [("index.html", b"<p>scorecard</p>"), ("charts/a.svg", b"<svg/>"), ("board-report.pdf", b"%PDF report")];
        let first = Cache::open(root.path());
        assert!(first.month(month).is_none(), "nothing cached yet");
        keep_month(&first, out.path(), month, Some(pdf), &files);
        first.prune();

        let KeptMonth { pdf: found_pdf, files: found } =
            Cache::open(root.path()).month(month).expect("kept by the last build");
        assert_eq!(found_pdf.as_ref(), Some(pdf));
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["index.html", "charts/a.svg", "board-report.pdf"]);
        assert_eq!(std::fs::read(&found[1].1).unwrap(), b"<svg/>");
        assert!(Cache::open(root.path()).month(&month_key("0c")).is_none(), "another month's key");

        // The kept files are the written ones, linked: nothing copied.
        #[cfg(unix)]
        assert_eq!(inode(&found[0].1), inode(&out.path().join("index.html")));

        // Any file damaged: the month is not taken, and the file is removed.
        std::fs::remove_file(&found[1].1).unwrap();
        std::fs::write(&found[1].1, b"<svg>changed</svg>").unwrap();
        assert!(Cache::open(root.path()).month(month).is_none());
        assert!(!found[1].1.exists());
        // The next build that makes the month keeps it whole again.
        let again = Cache::open(root.path());
        keep_month(&again, out.path(), month, Some(pdf), &files);
        again.prune();
        assert!(Cache::open(root.path()).month(month).is_some());

        // A month kept from the previous output keeps its files through
        // pruning; a build that used nothing leaves nothing.
        let kept = Cache::open(root.path());
        kept.keep(month, Some(pdf));
        kept.prune();
        assert!(Cache::open(root.path()).month(month).is_some());
        Cache::open(root.path()).prune();
        assert!(Cache::open(root.path()).month(month).is_none());
        assert!(found.iter().all(|(_, kept)| !kept.exists()));
        assert_eq!(std::fs::read_to_string(root.path().join(CACHE_DIR).join(MONTHS_INDEX)).unwrap(), "");
    }

    #[test]
    fn files_kept_by_a_build_that_stopped_before_pruning_are_removed_by_the_next() {
        let root = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let files: [(&str, &[u8]); 1] = [("index.html", b"<p>one</p>")];
        let first = Cache::open(root.path());
        keep_month(&first, out.path(), &month_key("0a"), None, &files);
        first.prune();
        // A build keeps a file, then stops (no prune).
        let stopped = Cache::open(root.path());
        let orphan = out.path().join("orphan.html");
        std::fs::write(&orphan, b"<p>orphan</p>").unwrap();
        assert!(stopped.keep_file(&Blake3::of(b"<p>orphan</p>"), &orphan, b"<p>orphan</p>"));
        drop(stopped);
        let kept = root.path().join(CACHE_DIR).join(FILES_DIR).join(Blake3::of(b"<p>orphan</p>").as_str());
        assert!(kept.exists());
        // The next build takes every month of the index, and still finds the orphan.
        let next = Cache::open(root.path());
        assert!(next.month(&month_key("0a")).is_some());
        next.prune();
        assert!(!kept.exists(), "the stopped build's file is removed");
        assert!(Cache::open(root.path()).month(&month_key("0a")).is_some());
        assert!(!root.path().join(CACHE_DIR).join(FILES_DIR).join(ADDING).exists());
    }

    /// A rebuild's index holds the months it took from its previous output
    /// (kept, not read) and those it made, in key order; one that changed
    /// nothing leaves the index file as it was.
    #[test]
    fn the_next_index_is_the_kept_months_and_the_made_ones() {
        let root = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let first = Cache::open(root.path());
        keep_month(&first, &out.path().join("03"), &month_key("0c"), None, &[("index.html", b"<p>March</p>")]);
        keep_month(
            &first,
            &out.path().join("01"),
            &month_key("0a"),
            Some(&pdf_key("0f")),
            &[("index.html", b"<p>January</p>")],
        );
        first.prune();
        let index = root.path().join(CACHE_DIR).join(MONTHS_INDEX);
        let before = std::fs::read_to_string(&index).unwrap();
        let (a, c, f) = (month_key("0a"), month_key("0c"), pdf_key("0f"));
        assert!(before.starts_with(&format!("{a} {f} 1 ")) && before.contains(&format!("\n{c} - 1 ")), "{before}");

        // January and March taken from the output, February made, an old month gone.
        let second = Cache::open(root.path());
        second.keep(&month_key("0a"), Some(&pdf_key("0f")));
        second.keep(&month_key("0c"), None);
        second.keep(&month_key("0d"), None);
        keep_month(&second, &out.path().join("02"), &month_key("0b"), None, &[("index.html", b"<p>February</p>")]);
        second.prune();
        let after = std::fs::read_to_string(&index).unwrap();
        let keys: Vec<&str> = after.lines().filter(|l| !l.starts_with(' ')).map(|l| &l[..2]).collect();
        assert_eq!(keys, ["0a", "0b", "0c"], "{after}");
        assert!(after.contains(&before[..before.find(c.as_str()).unwrap()]), "January's paragraph is as it was");
        let third = Cache::open(root.path());
        assert!([&month_key("0a"), &month_key("0b"), &month_key("0c")].iter().all(|k| third.month(k).is_some()));

        // Nothing changed: the index is not written again (a new one would be a new file).
        #[cfg(unix)]
        let was = inode(&index);
        let fourth = Cache::open(root.path());
        for k in [&month_key("0a"), &month_key("0b"), &month_key("0c")] {
            fourth.keep(k, None);
        }
        fourth.prune();
        #[cfg(unix)]
        assert_eq!(inode(&index), was, "an unchanged index is left alone");
        assert_eq!(std::fs::read_to_string(&index).unwrap(), after);
    }

    #[test]
    fn pruning_keeps_only_what_the_build_used() {
        let root = tempfile::tempdir().unwrap();
        let first = Cache::open(root.path());
        first.put(&pdf_key("aa"), b"one");
        first.put(&pdf_key("bb"), b"two");
        let second = Cache::open(root.path());
        assert!(second.get(&pdf_key("aa")).is_some());
        second.prune();
        let third = Cache::open(root.path());
        assert!(third.get(&pdf_key("aa")).is_some() && third.get(&pdf_key("bb")).is_none());
        assert!(!root.path().join(CACHE_DIR).join(FILES_DIR).join(Blake3::of(b"two").as_str()).exists());
    }

    #[test]
    fn what_earlier_builds_kept_is_removed() {
        let root = tempfile::tempdir().unwrap();
        let cache_dir = root.path().join(CACHE_DIR);
        let pdf_dir = cache_dir.join(PDF_DIR);
        std::fs::create_dir_all(cache_dir.join("html")).unwrap();
        std::fs::create_dir_all(&pdf_dir).unwrap();
        // Entries as builds before kept them: PDFs under their key with a sum
        // beside them, single-file reports and their index.
        let aa = pdf_key("aa");
        std::fs::write(pdf_dir.join(format!("{aa}.pdf")), b"one").unwrap();
        std::fs::write(pdf_dir.join(format!("{aa}.sha256")), sha256(b"one")).unwrap();
        std::fs::write(cache_dir.join("html").join(format!("{}.html", Blake3::of(b"r"))), b"r").unwrap();
        std::fs::write(cache_dir.join("documents"), "0a 0b 0c\n").unwrap();
        let cache = Cache::open(root.path());
        assert_eq!(cache.get(&aa), None, "an old entry is not this cache's");
        cache.put(&aa, b"one");
        cache.prune();
        let names: BTreeSet<String> = std::fs::read_dir(&cache_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, BTreeSet::from(["files".into(), "pdf".into()]));
        let in_pdf: Vec<_> = std::fs::read_dir(&pdf_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(in_pdf, [format!("{aa}.blake3").as_str()]);
        assert_eq!(Cache::open(root.path()).get(&aa).as_deref(), Some(&b"one"[..]));
    }
}
