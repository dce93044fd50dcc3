//! The PDF engine: Typst markup and in-memory files in, PDF bytes out.
//!
//! Typst runs as a library with the fonts embedded in `typst-assets`, so a
//! PDF needs no browser, no system fonts and no network. Everything that
//! could vary between runs is pinned: the creation date comes from the report
//! month, the document id from the content, and `today()` is fixed, so the
//! same report gives the same bytes on any machine.

use std::collections::HashMap;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_pdf::{PdfOptions, Timestamp};

use crate::period::Month;

/// The font the PDF is set in: embedded in the binary, so output never depends
/// on what the machine has installed.
pub const FONT: &str = "Libertinus Serif";

/// Why a PDF could not be made. Our own markup failing to compile is a bug, but
/// it must still surface as an error, never a panic.
#[derive(Debug, thiserror::Error)]
#[error("the PDF engine failed: {0}")]
pub struct PdfError(pub String);

/// The fonts and their index, loaded once per process and shared by every PDF.
fn fonts() -> &'static (Vec<Font>, LazyHash<FontBook>) {
    static FONTS: OnceLock<(Vec<Font>, LazyHash<FontBook>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        (fonts, book)
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// A Typst world holding one document and the files it includes, all in memory.
struct Document {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> Result<FileId, PdfError> {
    let vpath = VirtualPath::new(path).map_err(|e| PdfError(format!("bad file path {path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().1
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        fonts().0.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Compiles `markup` (with `files`, paths like `/charts/lead-time.svg`) to a PDF
/// dated the first day of `month`, with a document id derived from `ident`.
pub fn render(markup: String, files: Vec<(String, Vec<u8>)>, month: Month, ident: &str) -> Result<Vec<u8>, PdfError> {
    let date = Datetime::from_ymd(i32::from(month.year()), month.number(), 1)
        .ok_or_else(|| PdfError(format!("no date for {month}")))?;
    let mut map = HashMap::with_capacity(files.len());
    for (path, bytes) in files {
        map.insert(file_id(&path)?, Bytes::new(bytes));
    }
    let world = Document { main: Source::new(file_id("/report.typ")?, markup), files: map, today: Some(date) };
    let describe = |diagnostics: &[SourceDiagnostic]| {
        diagnostics.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; ")
    };
    let compiled = typst::compile(&world);
    // Typst memoises layout across compilations; keep only recent entries, or a
    // build of hundreds of reports grows without bound (peak 6.0 GB → 2.2 GB for
    // 333 PDFs, measured; see BENCHMARKS.md).
    typst::comemo::evict(2);
    let document = compiled.output.map_err(|e| PdfError(describe(&e)))?;
    let timestamp = Datetime::from_ymd_hms(i32::from(month.year()), month.number(), 1, 0, 0, 0)
        .ok_or_else(|| PdfError(format!("no timestamp for {month}")))?;
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        timestamp: Some(Timestamp::new_utc(timestamp)),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|e| PdfError(describe(&e)))
}

/// A Typst string literal holding `text` exactly: the only safe way to put
/// user text into markup, whatever characters it holds.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// User text as a markup fragment: `#"…";` (the `;` ends the expression, so
/// whatever follows can never be read as part of it).
pub fn text(t: &str) -> String {
    format!("#{};", string(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_deterministic_pdf_with_metadata() {
        let month = Month::new(2026, 10).unwrap();
        let markup = format!(
            "#set document(title: {}, author: {});\n#set text(font: \"{FONT}\");\n= Scorecard\n{}\n#image(\"/c.svg\", width: 50%)\n",
            string("Report \"Q4\""),
            string("R&D <Labs>"),
            text("#not a *heading* [x] $ \\ \"quoted\""),
        );
        let svg =
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#
                .to_vec();
        let a = render(markup.clone(), vec![("/c.svg".into(), svg.clone())], month, "x").unwrap();
        let b = render(markup, vec![("/c.svg".into(), svg)], month, "x").unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, b, "same input, same bytes");
        let text = String::from_utf8_lossy(&a);
        assert!(text.contains("D:20261001000000"), "creation date comes from the month");
    }

    #[test]
    fn broken_markup_is_an_error_not_a_panic() {
        let month = Month::new(2026, 10).unwrap();
        assert!(render("#let = ".into(), vec![], month, "x").is_err());
    }
}
