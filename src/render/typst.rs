//! The PDF engine: Typst sources, data and images in, PDF bytes out.
//!
//! Typst runs as a library with the fonts of a [`FontSet`]: those embedded in
//! `typst-assets`, the project's `fonts/`, and the machine's only when the
//! project asks, so a PDF needs no browser and no network, and by default
//! depends on nothing outside the project. The layout is the
//! theme's Typst files (`pack/*.typ`); what to show arrives as a JSON file
//! they read with `json()`, so no user text is ever spliced into markup.
//! Everything that could vary between runs is pinned: the creation date comes
//! from the report month, the document id from the content, and `today()` is
//! fixed, so the same report gives the same bytes on any machine.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_pdf::{PdfOptions, Timestamp};

use crate::base::period::Month;
use crate::load::fonts::FontSet;

/// Why a PDF could not be made: the message, and where in which Typst file.
#[derive(Debug)]
pub(crate) struct TypstError {
    /// The theme file name (`report.typ`), when the error has a place.
    pub(crate) file: Option<String>,
    /// 1-based line in that file.
    pub(crate) line: Option<usize>,
    pub(crate) message: String,
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// A theme's Typst files, parsed once and shared by every PDF of a build.
pub(crate) struct Sources {
    by_id: HashMap<FileId, Source>,
    names: HashMap<FileId, String>,
}

impl Sources {
    /// Parses the theme's `pack/*.typ` files; each is reachable from the others
    /// as `/NAME` (e.g. `#import "common.typ": *`).
    pub(crate) fn new(files: &BTreeMap<String, String>) -> Sources {
        let mut by_id = HashMap::new();
        let mut names = HashMap::new();
        for (name, text) in files {
            if let Some(id) = file_id(&format!("/{name}")) {
                by_id.insert(id, Source::new(id, text.clone()));
                names.insert(id, name.clone());
            }
        }
        Sources { by_id, names }
    }
}

/// One document: the theme file to start from and the files it reads.
pub(crate) struct Job<'a> {
    pub(crate) sources: &'a Sources,
    /// The theme file that lays out the document, e.g. `report.typ`.
    pub(crate) main: &'a str,
    /// Paths like `/data.json`, `/charts/lead-time.svg`.
    pub(crate) files: Vec<(String, Vec<u8>)>,
    /// Dates the document: its creation date is the first of this month.
    pub(crate) month: Month,
    /// Derives the PDF's document id.
    pub(crate) ident: String,
    /// The fonts to set it in, shared by every document of a build.
    pub(crate) fonts: &'a FontSet,
}

/// A Typst world holding one document and the files it reads, all in memory.
struct Document<'a> {
    sources: &'a Sources,
    main: FileId,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
    fonts: &'a FontSet,
}

impl World for Document<'_> {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }
    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources.by_id.get(&id).cloned().ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

impl Document<'_> {
    /// The first error, placed in its theme file and line where it has a place.
    fn describe(&self, diagnostics: &[SourceDiagnostic]) -> TypstError {
        let Some(first) = diagnostics.iter().find(|d| d.severity == typst::diag::Severity::Error) else {
            return TypstError { file: None, line: None, message: "the PDF engine failed".into() };
        };
        let mut message = first.message.to_string();
        for hint in &first.hints {
            message.push_str(&format!(" (hint: {})", hint.v));
        }
        let place = first.span.id().and_then(|id| {
            let source = self.sources.by_id.get(&id)?;
            let range = self.range(first.span)?;
            let line = source.lines().byte_to_line(range.start)? + 1;
            Some((self.sources.names.get(&id)?.clone(), line))
        });
        TypstError { file: place.as_ref().map(|p| p.0.clone()), line: place.map(|p| p.1), message }
    }
}

/// The stack of the thread a document is typeset on: Typst recurses deeply
/// on nested content (the main thread's 8 MiB, not a spawned thread's 2 MiB).
const TYPESET_STACK: usize = 8 << 20;

/// Compiles `job` to a PDF, on a thread of its own that the caller waits for.
///
/// Typst lays out in parallel with rayon. Called from a worker of the pool
/// that renders months, its parallel work would let that worker steal other
/// months while it waits, start typesetting them too, and so on: every month
/// of a portfolio in flight at once (a 100-company build reached 11 GB before
/// its first PDF was done). On a thread outside the pool, Typst's parallel
/// work runs in rayon's global pool and the caller simply blocks, so at most
/// one PDF per worker is in flight and memory stays bounded.
pub(crate) fn compile(job: Job<'_>) -> Result<Vec<u8>, TypstError> {
    std::thread::scope(|scope| {
        let typeset = std::thread::Builder::new()
            .name("typeset".into())
            .stack_size(TYPESET_STACK)
            .spawn_scoped(scope, || typeset(job));
        match typeset {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(TypstError { file: None, line: None, message: "the PDF engine panicked".into() })
            }),
            Err(e) => Err(TypstError { file: None, line: None, message: format!("cannot start the PDF engine: {e}") }),
        }
    })
}

fn typeset(job: Job<'_>) -> Result<Vec<u8>, TypstError> {
    let fail = |message: String| TypstError { file: None, line: None, message };
    let main = file_id(&format!("/{}", job.main)).ok_or_else(|| fail(format!("bad file name {}", job.main)))?;
    if !job.sources.by_id.contains_key(&main) {
        return Err(fail(format!("the theme has no pack/{}", job.main)));
    }
    let month = job.month;
    let date = Datetime::from_ymd(i32::from(month.year()), month.number(), 1)
        .ok_or_else(|| fail(format!("no date for {month}")))?;
    let mut files = HashMap::with_capacity(job.files.len());
    for (path, bytes) in job.files {
        let id = file_id(&path).ok_or_else(|| fail(format!("bad file path {path}")))?;
        files.insert(id, Bytes::new(bytes));
    }
    let world = Document { sources: job.sources, main, files, today: Some(date), fonts: job.fonts };
    let compiled = typst::compile(&world);
    // Typst memoises layout across compilations; keep only recent entries, or a
    // build of hundreds of reports grows without bound (peak 6.0 GB → 2.2 GB for
    // 333 PDFs, measured; see BENCHMARKS.md).
    typst::comemo::evict(2);
    let document = compiled.output.map_err(|e| world.describe(&e))?;
    let timestamp = Datetime::from_ymd_hms(i32::from(month.year()), month.number(), 1, 0, 0, 0)
        .ok_or_else(|| fail(format!("no timestamp for {month}")))?;
    let options = PdfOptions {
        ident: Smart::Custom(job.ident),
        timestamp: Some(Timestamp::new_utc(timestamp)),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|e| world.describe(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(main: &str) -> Sources {
        Sources::new(&BTreeMap::from([
            ("main.typ".to_string(), main.to_string()),
            ("lib.typ".to_string(), "#let shout(s) = upper(s)".to_string()),
        ]))
    }

    fn job<'a>(sources: &'a Sources, files: Vec<(String, Vec<u8>)>) -> Job<'a> {
        Job {
            sources,
            main: "main.typ",
            files,
            month: Month::new(2026, 10).unwrap(),
            ident: "x".into(),
            fonts: embedded(),
        }
    }

    fn embedded() -> &'static FontSet {
        static FONTS: OnceLock<FontSet> = OnceLock::new();
        FONTS.get_or_init(FontSet::embedded)
    }

    #[test]
    fn reads_data_and_images_and_is_deterministic() {
        let s = sources(
            "#import \"lib.typ\": shout\n#let d = json(\"/data.json\")\n#set document(title: d.title)\n= #shout(d.title)\n#image(\"/c.svg\", width: 50%)\n",
        );
        let svg =
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#
                .to_vec();
        let files = || {
            vec![
                ("/data.json".to_string(), br#"{"title": "Report #1 \"Q4\" $x$ [y]"}"#.to_vec()),
                ("/c.svg".to_string(), svg.clone()),
            ]
        };
        let a = compile(job(&s, files())).unwrap();
        let b = compile(job(&s, files())).unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, b, "same input, same bytes");
        assert!(String::from_utf8_lossy(&a).contains("D:20261001000000"), "creation date comes from the month");
    }

    #[test]
    fn an_error_names_the_theme_file_and_line() {
        let s = sources("#let d = 1\n\n#undefined-thing\n");
        let e = compile(job(&s, vec![])).unwrap_err();
        assert_eq!((e.file.as_deref(), e.line), (Some("main.typ"), Some(3)), "{}", e.message);
        assert!(e.message.contains("unknown variable"), "{}", e.message);
    }
}
