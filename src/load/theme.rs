//! The theme: page templates, PDF templates and static files, built in and
//! overridable file by file.
//!
//! The built-in theme lives in `themes/default/` and is embedded in the binary,
//! so an installed boardpack works anywhere. A project's `themes/NAME/` (chosen
//! with `theme = "NAME"`) replaces any of its files by giving one with the same
//! path: `templates/*.html` (Tera), `pack/*.typ` (Typst, the PDF) and
//! `static/*`; its `i18n/LANG.toml` translation files override the built-in
//! ones key by key (see [`crate::base::i18n`]). Load stage: reads the disk.
//!
//! The status colours are defined once, as CSS custom properties in the
//! theme's `static/style.css`; [`Palette`] reads them from there for the
//! charts, the PDF and the preview's error overlay, so a theme that recolours
//! the pages recolours everything.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use serde::Serialize;
use tera::Tera;
use walkdir::WalkDir;

use crate::base::diagnostic::Diagnostic;
use crate::base::i18n::{Source, Translations};
use crate::base::locale::Locale;
use crate::base::status::Status;
use crate::load::portfolio::{prefixed, Company, Portfolio};
use crate::load::project::{outside_root, THEMES_DIR};
use crate::Error;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const TEMPLATES: &str = "templates";
const STATIC: &str = "static";
const PACK: &str = "pack";
const I18N: &str = "i18n";
/// The stylesheet whose `:root` custom properties define the palette.
const STYLESHEET: &str = "style.css";

/// Parsed templates and the static files to copy, after overrides.
pub(crate) struct Theme {
    pub(crate) tera: Tera,
    /// Output path under `static/` → bytes, sorted so output order is stable.
    pub(crate) statics: BTreeMap<String, Vec<u8>>,
    /// Typst sources of the PDFs, by name under `pack/` (`report.typ`, …).
    pub(crate) typst: BTreeMap<String, String>,
    /// Template or Typst file name → the file it came from, so errors name the file to fix.
    pub(crate) origins: BTreeMap<String, PathBuf>,
    /// The status colours and neutrals, from the stylesheet.
    pub(crate) palette: Palette,
    /// Each template's text, to find which file of a page's chain an error is in.
    sources: BTreeMap<String, String>,
    /// Translation files by language (`de`), built-in first, then the project's.
    i18n: BTreeMap<String, Vec<Source>>,
    /// Where the project's theme is (or would be), for help text: `themes/NAME`.
    dir: PathBuf,
    /// [`Theme::fingerprint`], once worked out: every company of a portfolio asks.
    fingerprint: std::sync::OnceLock<[u8; 32]>,
}

/// Files gathered from the built-in theme and an override, before compiling.
#[derive(Default)]
struct Files {
    templates: BTreeMap<String, (String, PathBuf)>,
    statics: BTreeMap<String, Vec<u8>>,
    typst: BTreeMap<String, (String, PathBuf)>,
    i18n: BTreeMap<String, Vec<Source>>,
}

impl Theme {
    /// The built-in theme overlaid with `root/themes/NAME/`, when a name is given.
    pub(crate) fn load(root: &Path, theme: Option<&str>) -> Result<Theme, Vec<Diagnostic>> {
        let mut files = Files::default();
        for file in builtin_files() {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            let origin = Path::new("<built-in theme>").join(file.path());
            files.add(&rel, file.contents().to_vec(), origin)?;
        }
        if let Some(name) = theme {
            files.overlay(root, name)?;
        }
        let tera = compile(&files.templates)?;
        let palette = Palette::from_css(files.statics.get(STYLESHEET).map(Vec::as_slice));
        let mut origins: BTreeMap<String, PathBuf> =
            files.templates.iter().map(|(name, (_, origin))| (name.clone(), origin.clone())).collect();
        origins.extend(files.typst.iter().map(|(name, (_, origin))| (format!("{PACK}/{name}"), origin.clone())));
        let typst = files.typst.into_iter().map(|(name, (text, _))| (name, text)).collect();
        let sources = files.templates.into_iter().map(|(name, (text, _))| (name, text)).collect();
        let dir = Path::new(THEMES_DIR).join(theme.unwrap_or("NAME"));
        let fingerprint = std::sync::OnceLock::new();
        Ok(Theme { tera, statics: files.statics, typst, origins, palette, sources, i18n: files.i18n, dir, fingerprint })
    }

    /// The theme's words for `locale`: its language's translation file over
    /// English, each overridable key by key by the project's theme. An invalid
    /// translation file is an error at its line; missing words are warnings
    /// of [`Translations::diagnostics`].
    pub(crate) fn translations(&self, locale: &Locale) -> Result<Translations, Vec<Diagnostic>> {
        let layers = |language: &str| self.i18n.get(language).map_or(&[][..], Vec::as_slice);
        Translations::new(locale, layers(crate::base::i18n::REFERENCE), layers(locale.language()), &self.dir)
    }

    /// The portfolio's own theme (for the overview, and for companies without one).
    pub(crate) fn of_portfolio(portfolio: &Portfolio) -> Result<Theme, Error> {
        Theme::load(&portfolio.root, portfolio.config.theme.as_deref()).map_err(Error::Content)
    }

    /// The company's own theme, when its `boardpack.toml` names one; otherwise
    /// it wears the portfolio's (`None`).
    pub(crate) fn of_company(company: &Company) -> Result<Option<Theme>, Error> {
        let project = &company.project;
        match &project.config.theme {
            Some(name) => {
                Theme::load(&project.root, Some(name)).map(Some).map_err(|d| Error::Content(prefixed(&company.slug, d)))
            }
            None => Ok(None),
        }
    }

    /// A digest of every file of the theme (templates, Typst sources, static
    /// files and words): what a month's pages are made with.
    pub(crate) fn fingerprint(&self) -> [u8; 32] {
        *self.fingerprint.get_or_init(|| self.digest())
    }

    fn digest(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let mut part = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        for (name, text) in self.sources.iter().chain(&self.typst) {
            part(name.as_bytes());
            part(text.as_bytes());
        }
        for (name, bytes) in &self.statics {
            part(name.as_bytes());
            part(bytes);
        }
        // The words too: a changed translation changes every page.
        for (language, layers) in &self.i18n {
            part(language.as_bytes());
            for layer in layers {
                part(layer.text.as_bytes());
            }
        }
        h.finalize().into()
    }

    /// The file a render error of `template` is in: Tera names the page's own
    /// template even when the failing expression is in a template it extends
    /// or imports, so the expression it quotes is looked for along that chain.
    pub(crate) fn blame(&self, template: &str, message: &str) -> String {
        let quoted = message.split('`').nth(1).filter(|q| !q.is_empty());
        let chain: Vec<String> = match self.tera.get_template(template) {
            Ok(t) => std::iter::once(template.to_string())
                .chain(t.parents.iter().cloned())
                .chain(t.imported_macro_files.iter().map(|(file, _)| file.clone()))
                .collect(),
            Err(_) => vec![template.to_string()],
        };
        let found =
            quoted.and_then(|q| chain.iter().find(|name| self.sources.get(*name).is_some_and(|s| s.contains(q))));
        self.origin(found.map_or(template, String::as_str))
    }

    /// The file a template or Typst source came from, as the user should see it.
    pub(crate) fn origin(&self, name: &str) -> String {
        self.origins.get(name).map_or_else(|| name.to_string(), |p| p.display().to_string())
    }
}

impl Files {
    /// Adds the files of `root/themes/NAME/`, replacing built-in ones of the same path.
    fn overlay(&mut self, project_root: &Path, name: &str) -> Result<(), Vec<Diagnostic>> {
        let dir = project_root.join(THEMES_DIR).join(name);
        let root = fs::canonicalize(project_root).unwrap_or_else(|_| project_root.to_path_buf());
        for entry in WalkDir::new(&dir).follow_links(true).sort_by_file_name() {
            let entry = entry.map_err(|e| vec![Diagnostic::error(&dir, format!("cannot read the theme: {e}"))])?;
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let shown = path.strip_prefix(project_root).unwrap_or(path).to_path_buf();
            if let Some(d) = outside_root(&root, path, &shown) {
                return Err(vec![d]);
            }
            let rel = path.strip_prefix(&dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
            let bytes = fs::read(path).map_err(|e| vec![Diagnostic::error(&shown, format!("cannot read: {e}"))])?;
            self.add(&rel, bytes, shown)?;
        }
        Ok(())
    }

    fn add(&mut self, rel: &str, bytes: Vec<u8>, origin: PathBuf) -> Result<(), Vec<Diagnostic>> {
        let text = |bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(|_| {
                vec![Diagnostic::error(&origin, "this theme file is not valid UTF-8 text").help("save it as UTF-8")]
            })
        };
        if let Some(name) = under(rel, TEMPLATES) {
            self.templates.insert(name.to_string(), (text(bytes)?, origin));
        } else if let Some(name) = under(rel, STATIC) {
            self.statics.insert(name.to_string(), bytes);
        } else if let Some(name) = under(rel, PACK) {
            self.typst.insert(name.to_string(), (text(bytes)?, origin));
        } else if let Some(language) = under(rel, I18N).and_then(|n| n.strip_suffix(".toml")) {
            let source = Source { text: text(bytes)?, origin };
            self.i18n.entry(language.to_string()).or_default().push(source);
        }
        Ok(())
    }
}

/// `rel` without the leading `dir/`, when it is under `dir`.
fn under<'a>(rel: &'a str, dir: &str) -> Option<&'a str> {
    rel.strip_prefix(dir).and_then(|r| r.strip_prefix('/'))
}

fn builtin_files() -> Vec<&'static include_dir::File<'static>> {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<&'static include_dir::File<'static>>) {
        out.extend(dir.files());
        for d in dir.dirs() {
            walk(d, out);
        }
    }
    let mut out = Vec::new();
    walk(&BUILTIN, &mut out);
    out.sort_by_key(|f| f.path());
    out
}

fn compile(templates: &BTreeMap<String, (String, PathBuf)>) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    tera.autoescape_on(vec![".html", ".svg", ".xml"]);
    let sources: Vec<(&str, &str)> = templates.iter().map(|(n, (t, _))| (n.as_str(), t.as_str())).collect();
    tera.add_raw_templates(sources).map_err(|e| {
        let origin = templates
            .iter()
            .find(|(name, _)| e.to_string().contains(name.as_str()))
            .map_or_else(|| PathBuf::from(TEMPLATES), |(_, (_, o))| o.clone());
        vec![Diagnostic::error(origin, format!("template error: {}", error_chain(&e)))
            .help("fix the template syntax; see the Tera documentation for tags and filters")]
    })?;
    Ok(tera)
}

/// A Tera error with its causes, which hold the useful part ("Variable `x` not found").
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// HTML escaping for template values. Unlike Tera's default it leaves `/` alone,
/// so relative links read plainly in the output and in `git diff`.
pub(crate) fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    // The five are ASCII, which never occurs inside a multi-byte character:
    // the text between them is copied whole.
    let mut from = 0;
    for (i, b) in input.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&input[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&input[from..]);
    out
}

/// One status's colours: a mark (shapes, lines, points), a word colour (text
/// on the page background) and a wash (the background behind a badge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct StatusColours {
    pub(crate) mark: String,
    pub(crate) word: String,
    pub(crate) wash: String,
}

/// The theme's colours, as `#rrggbb`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Palette {
    pub(crate) green: StatusColours,
    pub(crate) amber: StatusColours,
    pub(crate) red: StatusColours,
    pub(crate) none: StatusColours,
    /// A KPI tracked without a target: never red, amber or green.
    pub(crate) neutral: StatusColours,
    /// Body text.
    pub(crate) ink: String,
    /// Secondary text.
    pub(crate) muted: String,
    /// Links and the data line of charts.
    pub(crate) accent: String,
}

impl Palette {
    /// The colours declared in `css`'s first `:root` block (`--green`,
    /// `--green-bg`, `--green-mark`, … `--ink`, `--muted`, `--accent`); any it
    /// does not declare come from the built-in stylesheet.
    pub(crate) fn from_css(css: Option<&[u8]>) -> Palette {
        let own = css.map(|c| custom_properties(&String::from_utf8_lossy(c))).unwrap_or_default();
        let builtin = BUILTIN
            .get_file(Path::new(STATIC).join(STYLESHEET))
            .map(|f| custom_properties(&String::from_utf8_lossy(f.contents())))
            .unwrap_or_default();
        let get = |name: &str| {
            own.get(name)
                .or_else(|| builtin.get(name))
                .cloned()
                // The built-in stylesheet declares every name (unit test below).
                .unwrap_or_else(|| "#000000".to_string())
        };
        let status =
            |s: &str| StatusColours { mark: get(&format!("{s}-mark")), word: get(s), wash: get(&format!("{s}-bg")) };
        Palette {
            green: status("green"),
            amber: status("amber"),
            red: status("red"),
            none: status("none"),
            neutral: status("neutral"),
            ink: get("ink"),
            muted: get("muted"),
            accent: get("accent"),
        }
    }

    /// The colours of one status.
    pub(crate) fn of(&self, status: Status) -> &StatusColours {
        match status {
            Status::Green => &self.green,
            Status::Amber => &self.amber,
            Status::Red => &self.red,
            Status::None => &self.none,
            Status::Neutral => &self.neutral,
        }
    }
}

/// `--name: #hex;` declarations of the first `:root { … }` block, by name without `--`.
fn custom_properties(css: &str) -> BTreeMap<String, String> {
    let Some(start) = css.find(":root") else {
        return BTreeMap::new();
    };
    let block = &css[start..];
    let (Some(open), Some(close)) = (block.find('{'), block.find('}')) else {
        return BTreeMap::new();
    };
    block[open + 1..close.max(open + 1)]
        .split(';')
        .filter_map(|decl| {
            let (name, value) = decl.split_once(':')?;
            let name = name.trim().strip_prefix("--")?;
            let value = value.trim();
            let hex = value.strip_prefix('#')?;
            (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| (name.to_string(), value.to_ascii_lowercase()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(escape_html("R&D <Labs> \"x\" ../a/b"), "R&amp;D &lt;Labs&gt; &quot;x&quot; ../a/b");
        assert_eq!(escape_html("«Qualität» & 品質 'ok'"), "«Qualität» &amp; 品質 &#x27;ok&#x27;");
        assert_eq!(escape_html(""), "");
    }

    #[test]
    fn builtin_theme_has_the_pages_the_pdfs_and_a_stylesheet() {
        let names: Vec<String> = builtin_files().iter().map(|f| f.path().to_string_lossy().into_owned()).collect();
        for needed in [
            "templates/scorecard.html",
            "templates/accountability.html",
            "templates/archive.html",
            "templates/catalogue.html",
            "templates/row.html",
            "pack/report.typ",
            "pack/portfolio.typ",
            "static/style.css",
        ] {
            assert!(names.iter().any(|n| n == needed), "{needed} missing from {names:?}");
        }
    }

    #[test]
    fn a_theme_overrides_translations_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let i18n = dir.path().join("themes/acme/i18n");
        fs::create_dir_all(&i18n).unwrap();
        fs::write(i18n.join("de.toml"), "[status]\namber = \"Prüfen\"\n").unwrap();
        let theme = Theme::load(dir.path(), Some("acme")).unwrap();
        let de = theme.translations(&Locale::new("de-DE").unwrap()).unwrap();
        assert_eq!(de.get("status.amber"), "Prüfen");
        assert_eq!(de.get("status.green"), "Im Ziel");
        assert!(de.missing().is_empty());
        let builtin = Theme::load(dir.path(), None).unwrap();
        let fr = builtin.translations(&Locale::new("fr-FR").unwrap()).unwrap();
        assert_eq!(fr.get("status.amber"), "À surveiller");
        let it = builtin.translations(&Locale::new("it").unwrap()).unwrap();
        assert_eq!(it.get("status.amber"), "Watch");
        assert_eq!(it.diagnostics()[0].file, Path::new("themes/NAME/i18n/it.toml"));
        fs::write(i18n.join("de.toml"), "[status\n").unwrap();
        let broken = Theme::load(dir.path(), Some("acme")).unwrap();
        let e = broken.translations(&Locale::new("de").unwrap()).unwrap_err();
        assert_eq!(e[0].file, Path::new("themes/acme/i18n/de.toml"));
    }

    #[test]
    fn the_builtin_stylesheet_declares_every_colour() {
        let css = BUILTIN.get_file("static/style.css").unwrap().contents();
        let declared = custom_properties(&String::from_utf8_lossy(css));
        for s in ["green", "amber", "red", "none", "neutral"] {
            for name in [s.to_string(), format!("{s}-mark"), format!("{s}-bg")] {
                assert!(declared.contains_key(&name), "--{name} missing");
            }
        }
        for name in ["ink", "muted", "accent"] {
            assert!(declared.contains_key(name), "--{name} missing");
        }
        let p = Palette::from_css(Some(css));
        assert_eq!(p.red.mark, "#b91c1c");
        assert_eq!(p.green.wash, "#e3f3e8");
    }

    #[test]
    fn a_theme_recolours_what_it_declares_and_keeps_the_rest() {
        let p =
            Palette::from_css(Some(b":root {\n  --red-mark: #FF0000; --ink: #000000;\n}\n.x { --green: #123456; }"));
        assert_eq!(p.red.mark, "#ff0000");
        assert_eq!(p.ink, "#000000");
        assert_eq!(p.green.word, "#14632c", "only the first :root block counts");
    }
}
