//! The fonts a PDF may be set in: the ones embedded in boardpack, the
//! project's own (`fonts/`, any `.ttf`, `.otf`, `.ttc` or `.otc`), and —
//! only when `[pack] system_fonts = true` — the machine's.
//!
//! Typst falls back per character: a character the report's font lacks (a
//! Japanese or Arabic word in Libertinus Serif) is drawn from the most similar
//! font in the set that has it. [`missing_glyphs`] names the characters no
//! font in the set can draw, which would otherwise print as empty boxes.
//!
//! # Determinism
//!
//! The fonts are indexed in a fixed order — embedded, then the project's by
//! path, then the system's by path — so the same fonts give the same PDF, byte
//! for byte. The project's fonts travel with the project (and its git
//! history), so a report looks the same on every machine and in CI. System
//! fonts make the PDF depend on what the machine has installed, which is why
//! they are off unless asked for; [`FontSet::fingerprint`] changes with them,
//! so a reused PDF is never one set in other fonts.
//!
//! Load stage: the project's fonts are read while the project loads; system
//! fonts are found once per process (with `fontdb`, which Typst itself uses)
//! and each file is read only when a document first uses it.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};
use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;

use crate::base::diagnostic::Diagnostic;

/// The folder, under a project's (or portfolio's) root, holding its fonts.
pub(crate) const FONTS_DIR: &str = "fonts";

/// File extensions read as fonts, lower-case.
pub(crate) const FONT_EXTENSIONS: [&str; 4] = ["ttf", "otf", "ttc", "otc"];

/// One font file of a project, as read by the load stage.
#[derive(Debug, Clone)]
pub(crate) struct FontFile {
    /// The path shown to the user, relative to the project root (`fonts/x.otf`).
    pub(crate) path: PathBuf,
    pub(crate) bytes: Vec<u8>,
}

/// A system font face, found once per process and read on first use.
struct SystemFace {
    path: PathBuf,
    index: u32,
    info: FontInfo,
    font: OnceLock<Option<Font>>,
}

impl SystemFace {
    fn font(&self) -> Option<Font> {
        self.font
            .get_or_init(|| {
                let bytes = fs::read(&self.path).ok()?;
                Font::new(Bytes::new(bytes), self.index)
            })
            .clone()
    }
}

enum Slot {
    Ready(Font),
    System(Arc<SystemFace>),
}

struct Inner {
    book: LazyHash<FontBook>,
    slots: Vec<Slot>,
    fingerprint: String,
    /// Family names of the project's fonts, for messages.
    project_families: Vec<String>,
}

/// The fonts available to a build's PDFs, indexed for Typst. Cheap to clone
/// and shared by every document of the build.
#[derive(Clone)]
pub(crate) struct FontSet {
    inner: Arc<Inner>,
}

impl fmt::Debug for FontSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FontSet")
            .field("fonts", &self.inner.slots.len())
            .field("project", &self.inner.project_families)
            .field("fingerprint", &self.inner.fingerprint)
            .finish()
    }
}

/// The fonts embedded in boardpack (typst-assets), parsed once per process.
fn embedded() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect())
}

/// The machine's fonts, found once per process, sorted by path and face.
fn system() -> &'static [Arc<SystemFace>] {
    static FACES: OnceLock<Vec<Arc<SystemFace>>> = OnceLock::new();
    FACES.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        let mut faces: Vec<(PathBuf, u32)> = db
            .faces()
            .filter_map(|face| match &face.source {
                fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _) => Some((path.clone(), face.index)),
                fontdb::Source::Binary(_) => None,
            })
            .collect();
        // fontdb lists faces in the order the folders are read, which varies.
        faces.sort();
        faces.dedup();
        faces
            .into_iter()
            .filter_map(|(path, index)| {
                let bytes = fs::read(&path).ok()?;
                let info = FontInfo::new(&bytes, index)?;
                Some(Arc::new(SystemFace { path, index, info, font: OnceLock::new() }))
            })
            .collect()
    })
}

impl FontSet {
    /// Only the fonts embedded in boardpack: what a project without `fonts/` uses.
    pub(crate) fn embedded() -> FontSet {
        static SET: OnceLock<FontSet> = OnceLock::new();
        SET.get_or_init(|| FontSet::new(Vec::new(), false).0).clone()
    }

    /// The embedded fonts, then `project`'s (in path order), then the
    /// machine's when `system` is set. A project file that holds no font
    /// Typst can read is a warning naming the file.
    pub(crate) fn new(mut project: Vec<FontFile>, system_fonts: bool) -> (FontSet, Vec<Diagnostic>) {
        project.sort_by(|a, b| a.path.cmp(&b.path));
        let mut warnings = Vec::new();
        let mut slots: Vec<Slot> = embedded().iter().cloned().map(Slot::Ready).collect();
        let mut infos: Vec<FontInfo> = embedded().iter().map(|f| f.info().clone()).collect();
        let mut hash = Sha256::new();
        let mut project_families = Vec::new();
        for file in project {
            let before = slots.len();
            let data = Bytes::new(file.bytes);
            for font in Font::iter(data.clone()) {
                infos.push(font.info().clone());
                if !project_families.contains(&font.info().family) {
                    project_families.push(font.info().family.clone());
                }
                slots.push(Slot::Ready(font));
            }
            if slots.len() == before {
                warnings.push(
                    Diagnostic::warning(&file.path, "this is not a font boardpack can read, so it is not used")
                        .help("put OpenType or TrueType fonts (.otf, .ttf, .ttc) in fonts/"),
                );
                continue;
            }
            hash.update(file.path.to_string_lossy().as_bytes());
            hash.update(Sha256::digest(data.as_slice()));
        }
        if system_fonts {
            hash.update(b"system");
            for face in system() {
                hash.update(face.path.to_string_lossy().as_bytes());
                hash.update(face.index.to_le_bytes());
                hash.update(face.info.family.as_bytes());
                infos.push(face.info.clone());
                slots.push(Slot::System(Arc::clone(face)));
            }
        }
        let fingerprint =
            if slots.len() == embedded().len() { String::new() } else { crate::base::digest::hex(&hash.finalize()) };
        let book = LazyHash::new(FontBook::from_infos(infos));
        (FontSet { inner: Arc::new(Inner { book, slots, fingerprint, project_families }) }, warnings)
    }

    /// The index Typst selects fonts from.
    pub(crate) fn book(&self) -> &LazyHash<FontBook> {
        &self.inner.book
    }

    /// The font at `index` of the book, read from disk on first use for a
    /// system font (`None` if it can no longer be read).
    pub(crate) fn font(&self, index: usize) -> Option<Font> {
        match self.inner.slots.get(index)? {
            Slot::Ready(font) => Some(font.clone()),
            Slot::System(face) => face.font(),
        }
    }

    /// Identifies the fonts beyond the embedded ones (empty when there are
    /// none), for the key of a reused PDF.
    pub(crate) fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }

    fn covers(&self, c: char) -> bool {
        (0..self.inner.slots.len())
            .any(|i| self.inner.book.info(i).is_some_and(|info| info.coverage.contains(c as u32)))
    }
}

/// The characters of `text` that no font of `fonts` can draw, each once, in
/// code point order. Spaces, control characters and the invisible formatting
/// characters Typst ignores (joiners, variation selectors, direction marks)
/// are never missing.
pub(crate) fn missing_glyphs(text: &str, fonts: &FontSet) -> Vec<char> {
    let mut candidates: Vec<char> = text
        .chars()
        .filter(|&c| !c.is_whitespace() && !c.is_control() && !typst::text::is_default_ignorable(c))
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    candidates.retain(|&c| !fonts.covers(c));
    candidates
}

/// What to tell an author about characters no font can draw: the help of the
/// warning the lead attaches to the file and line where they occur.
pub(crate) fn missing_glyphs_help(missing: &[char]) -> String {
    let shown: Vec<String> = missing.iter().take(12).map(|c| format!("{c} (U+{:04X})", u32::from(*c))).collect();
    format!(
        "no font can draw {}: put a font that has them (.ttf, .otf or .ttc) in the project's fonts/ folder — \
         for Chinese, Japanese and Korean, e.g. Noto Sans CJK (Debian: fonts-noto-cjk) — \
         or set `system_fonts = true` under [pack] to use the machine's fonts",
        shown.join(", ")
    )
}

/// The warning for a file whose text has characters no font of `fonts` can
/// draw in the PDF, at the line of the first of them, naming each; `None`
/// when every character can be drawn (always, for ASCII text).
pub(crate) fn glyph_warning(file: &Path, text: &str, fonts: &FontSet) -> Option<Diagnostic> {
    if text.is_ascii() {
        return None;
    }
    let missing = missing_glyphs(text, fonts);
    let first = *missing.first()?;
    let shown: Vec<String> = missing.iter().take(8).map(|c| format!("`{c}`")).collect();
    let more =
        if missing.len() > shown.len() { format!(" and {} more", missing.len() - shown.len()) } else { String::new() };
    let d = Diagnostic::warning(
        file,
        format!(
            "the PDF cannot draw {}{more}: no font it may use has them, so they print as empty boxes",
            shown.join(", ")
        ),
    )
    .help(missing_glyphs_help(&missing));
    Some(match text.lines().position(|l| l.contains(first)) {
        Some(i) => d.at_line(text, i + 1).label(format!("`{first}` (U+{:04X}) is on this line", u32::from(first))),
        None => d,
    })
}

/// Reads the font files under `dir` (shown as `shown`), sorted by path; a
/// file that cannot be read is an error naming it, a link a warning (it is
/// not followed).
pub(crate) fn read_dir(dir: &Path, shown: &Path) -> (Vec<FontFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if !dir.is_dir() {
        return (files, problems);
    }
    for entry in walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let is_font = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FONT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        let rel = shown.join(path.strip_prefix(dir).unwrap_or(path));
        if is_font && entry.path_is_symlink() {
            problems.push(
                Diagnostic::warning(
                    &rel,
                    "this font is a link, so it is not used: boardpack reads only files inside the project",
                )
                .help("copy the font file into fonts/ instead of linking to it"),
            );
            continue;
        }
        if !entry.file_type().is_file() || !is_font {
            continue;
        }
        match fs::read(path) {
            Ok(bytes) => files.push(FontFile { path: rel, bytes }),
            Err(e) => problems.push(Diagnostic::error(&rel, format!("cannot read this font: {e}"))),
        }
    }
    (files, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Debian path of a small CJK font `.ci/run` installs (fonts-wqy-microhei).
    const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

    #[test]
    fn the_embedded_fonts_draw_latin_but_not_cjk() {
        let fonts = FontSet::embedded();
        assert_eq!(missing_glyphs("Lead time −0.6 pts, 12,5 %, £4.85 · “quoted” ±", &fonts), Vec::<char>::new());
        // In code point order, each once; an embedded font happens to have の.
        assert_eq!(missing_glyphs("日本語のレポート 日本", &fonts), vec!['ト', 'ポ', 'レ', 'ー', '日', '本', '語']);
        assert!(fonts.fingerprint().is_empty(), "no extra fonts, so PDF keys stay as before");
    }

    #[test]
    fn spaces_controls_and_invisible_marks_are_never_missing() {
        let fonts = FontSet::embedded();
        let text = "a\u{a0}b\u{202f}c\td\n\u{200d}\u{200e}\u{fe0f}\u{feff}";
        assert!(missing_glyphs(text, &fonts).is_empty(), "{:?}", missing_glyphs(text, &fonts));
    }

    /// The CJK font's bytes; `None` (skipped) on a machine without it, but
    /// in CI, where `.ci/run` installs it, its absence fails the test.
    fn cjk_font() -> Option<Vec<u8>> {
        let bytes = fs::read(CJK_FONT).ok();
        assert!(bytes.is_some() || std::env::var_os("CI").is_none(), "{CJK_FONT} missing: .ci/run installs it");
        if bytes.is_none() {
            eprintln!("skipped: {CJK_FONT} is not installed (apt-get install fonts-wqy-microhei)");
        }
        bytes
    }

    #[test]
    fn system_fonts_are_found_sorted_and_read_on_first_use() {
        if cjk_font().is_none() {
            return;
        }
        let (fonts, warnings) = FontSet::new(Vec::new(), true);
        assert!(warnings.is_empty());
        assert!(missing_glyphs("日本語", &fonts).is_empty(), "the installed CJK font is found");
        assert!(!fonts.fingerprint().is_empty(), "system fonts change the PDF key");
        let paths: Vec<&Path> = system().iter().map(|f| f.path.as_path()).collect();
        assert!(paths.windows(2).all(|w| w[0] <= w[1]), "sorted by path, whatever order the folders are read in");
        let index = (embedded().len()..fonts.inner.slots.len())
            .find(|&i| fonts.book().info(i).is_some_and(|info| info.coverage.contains('日' as u32)))
            .unwrap();
        assert!(fonts.font(index).is_some(), "read from disk when first used");
        assert_eq!(FontSet::new(Vec::new(), true).0.fingerprint(), fonts.fingerprint());
    }

    #[test]
    fn a_project_font_covers_what_it_has() {
        let Some(bytes) = cjk_font() else {
            return;
        };
        let file = FontFile { path: PathBuf::from("fonts/wqy-microhei.ttc"), bytes };
        let (fonts, warnings) = FontSet::new(vec![file.clone()], false);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(missing_glyphs("日本語のレポート", &fonts).is_empty());
        assert_eq!(missing_glyphs("日本語のレポート🙂", &fonts), vec!['🙂'], "no emoji font: named");
        assert!(!fonts.fingerprint().is_empty());
        let (again, _) = FontSet::new(vec![file], false);
        assert_eq!(fonts.fingerprint(), again.fingerprint(), "same fonts, same fingerprint");
        let index = (0..fonts.inner.slots.len())
            .find(|&i| fonts.book().info(i).is_some_and(|info| info.coverage.contains('日' as u32)))
            .unwrap();
        assert!(index >= embedded().len(), "project fonts come after the embedded ones");
        assert!(fonts.font(index).is_some());
    }

    #[test]
    fn a_file_that_is_not_a_font_is_named() {
        let file = FontFile { path: PathBuf::from("fonts/notes.ttf"), bytes: b"not a font".to_vec() };
        let (fonts, warnings) = FontSet::new(vec![file], false);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].file, Path::new("fonts/notes.ttf"));
        assert!(fonts.fingerprint().is_empty());
    }

    #[test]
    fn the_help_names_characters_and_the_fix() {
        let help = missing_glyphs_help(&['日', '本']);
        assert!(help.contains("日 (U+65E5)") && help.contains("本 (U+672C)"), "{help}");
        assert!(help.contains("fonts/") && help.contains("fonts-noto-cjk") && help.contains("system_fonts"), "{help}");
    }

    #[test]
    fn read_dir_finds_fonts_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let fonts = dir.path().join("fonts");
        fs::create_dir_all(fonts.join("sub")).unwrap();
        fs::write(fonts.join("b.OTF"), b"x").unwrap();
        fs::write(fonts.join("a.ttf"), b"x").unwrap();
        fs::write(fonts.join("sub/c.ttc"), b"x").unwrap();
        fs::write(fonts.join("readme.txt"), b"x").unwrap();
        let (files, problems) = read_dir(&fonts, Path::new("fonts"));
        assert!(problems.is_empty());
        let names: Vec<_> = files.iter().map(|f| f.path.to_string_lossy().replace('\\', "/")).collect();
        assert_eq!(names, ["fonts/a.ttf", "fonts/b.OTF", "fonts/sub/c.ttc"]);
        assert!(read_dir(&dir.path().join("none"), Path::new("none")).0.is_empty());
    }
}
