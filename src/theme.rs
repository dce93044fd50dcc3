//! The theme: templates and static files, built in and overridable file by file.
//!
//! The built-in theme lives in `themes/default/` and is embedded in the binary,
//! so an installed boardpack works anywhere. A project's `themes/NAME/` (chosen
//! with `theme = "NAME"`) replaces any of its files by giving one with the same path.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use tera::Tera;
use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;
use crate::project::{outside_root, Project};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const TEMPLATES: &str = "templates";
const STATIC: &str = "static";

/// Parsed templates and the static files to copy, after overrides.
pub struct Theme {
    pub tera: Tera,
    /// Output path under `static/` → bytes, sorted so output order is stable.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// Template name → the file it came from, so render errors name the file to fix.
    pub origins: BTreeMap<String, PathBuf>,
}

impl Theme {
    /// The built-in theme overlaid with the project's theme folder, if it names one.
    pub fn load(project: &Project) -> Result<Theme, Vec<Diagnostic>> {
        Theme::load_from(&project.root, project.config.theme.as_deref())
    }

    /// The built-in theme overlaid with `root/themes/NAME/`, when a name is given.
    pub fn load_from(root: &Path, theme: Option<&str>) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
        let mut statics: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for file in builtin_files() {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            let origin = Path::new("<built-in theme>").join(file.path());
            add(&rel, file.contents().to_vec(), origin, &mut templates, &mut statics)?;
        }
        if let Some(name) = theme {
            let dir = root.join(crate::project::THEMES_DIR).join(name);
            let project_root = root;
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
                add(&rel, bytes, shown, &mut templates, &mut statics)?;
            }
        }
        let tera = compile(&templates)?;
        let origins = templates.into_iter().map(|(name, (_, origin))| (name, origin)).collect();
        Ok(Theme { tera, statics, origins })
    }
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

fn add(
    rel: &str,
    bytes: Vec<u8>,
    origin: PathBuf,
    templates: &mut BTreeMap<String, (String, PathBuf)>,
    statics: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), Vec<Diagnostic>> {
    if let Some(name) = rel.strip_prefix(TEMPLATES).and_then(|r| r.strip_prefix('/')) {
        let text = String::from_utf8(bytes).map_err(|_| {
            vec![Diagnostic::error(&origin, "this template is not valid UTF-8 text").help("save it as UTF-8")]
        })?;
        templates.insert(name.to_string(), (text, origin));
    } else if let Some(name) = rel.strip_prefix(STATIC).and_then(|r| r.strip_prefix('/')) {
        statics.insert(name.to_string(), bytes);
    }
    Ok(())
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
pub fn error_chain(e: &dyn std::error::Error) -> String {
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
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(escape_html("R&D <Labs> \"x\" ../a/b"), "R&amp;D &lt;Labs&gt; &quot;x&quot; ../a/b");
    }

    #[test]
    fn builtin_theme_has_the_pages_and_a_stylesheet() {
        let names: Vec<String> = builtin_files().iter().map(|f| f.path().to_string_lossy().into_owned()).collect();
        for needed in [
            "templates/scorecard.html",
            "templates/accountability.html",
            "templates/archive.html",
            "templates/catalogue.html",
            "static/style.css",
        ] {
            assert!(names.iter().any(|n| n == needed), "{needed} missing from {names:?}");
        }
    }
}
