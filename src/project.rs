//! Load stage: reads a report project from disk into plain data, checking it as it goes.
//!
//! This is the only place (besides writing the output) that touches the
//! filesystem. Every problem found becomes a [`Diagnostic`]; loading carries on
//! after an error so that one run reports them all.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use toml::Spanned;
use walkdir::WalkDir;

use crate::catalogue::Catalogue;
use crate::config::{Config, CONFIG_FILE};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::fonts::{FontSet, FONTS_DIR};
use crate::period::Month;

/// The folder, under the root, holding months and the catalogue.
pub(crate) const CONTENT_DIR: &str = "content";
/// Where a project's (or a portfolio's) own themes live.
pub(crate) const THEMES_DIR: &str = "themes";
/// The catalogue file, under `content/`.
pub(crate) const CATALOGUE_FILE: &str = "catalogue.toml";
/// A month's values file.
pub(crate) const VALUES_FILE: &str = "kpis.toml";
/// A month's executive summary, as a commentary stem.
pub(crate) const SUMMARY_STEM: &str = "summary";

/// One KPI's reading for one month.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Entry {
    /// `None` when the author recorded a note but no number.
    pub(crate) value: Option<f64>,
    pub(crate) note: Option<String>,
}

/// Everything written for one reporting month.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MonthContent {
    pub(crate) month: Month,
    /// By KPI id.
    pub(crate) values: BTreeMap<String, Entry>,
    /// Markdown source of `summary.md`.
    pub(crate) summary: Option<String>,
    /// Markdown source by accountability id.
    pub(crate) commentary: BTreeMap<String, String>,
}

/// A loaded, checked project: the input of every later stage.
#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub(crate) root: PathBuf,
    pub(crate) config: Config,
    pub(crate) catalogue: Catalogue,
    /// Chronological.
    pub(crate) months: Vec<MonthContent>,
    /// The fonts its PDFs may use: embedded, `fonts/`, and the system's if asked.
    pub(crate) fonts: FontSet,
}

/// The result of loading: the project when there were no errors, and every diagnostic.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) project: Option<Project>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Reads and checks the project at `root`.
pub(crate) fn load(root: &Path) -> Loaded {
    let mut reader = Reader::new(root);
    let config = reader.config();
    let catalogue = reader.catalogue();
    let months = match &catalogue {
        Some(c) => reader.months(c),
        None => Vec::new(),
    };
    let system_fonts = config.as_ref().is_some_and(|c| c.pack.system_fonts);
    let fonts = reader.fonts(system_fonts);
    let Reader { root, diagnostics, .. } = reader;
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let project = match (config, catalogue, failed) {
        (Some(config), Some(catalogue), false) => Some(Project { root, config, catalogue, months, fonts }),
        _ => None,
    };
    Loaded { project, diagnostics }
}

/// The problem, if any, with reading `path` (shown to the user as `rel`): it must
/// resolve inside `canonical_root`, so a symbolic link can never make boardpack
/// read outside the project.
pub(crate) fn outside_root(canonical_root: &Path, path: &Path, rel: &Path) -> Option<Diagnostic> {
    match fs::canonicalize(path) {
        Ok(real) if real.starts_with(canonical_root) => None,
        Ok(real) => Some(
            Diagnostic::error(rel, format!("this is a link to {}, outside the project", real.display()))
                .help("boardpack reads only files inside the project root; copy the file into the project instead"),
        ),
        Err(e) => Some(
            Diagnostic::error(rel, format!("cannot read this path: {e}"))
                .help("if it is a symbolic link, check that what it points to exists"),
        ),
    }
}

/// A `theme` setting naming a folder that is not there.
pub(crate) fn missing_theme(file: &Path, theme: &str) -> Diagnostic {
    Diagnostic::error(file, format!("theme `{theme}` not found: there is no folder themes/{theme}")).help(
        "create the folder with the templates you want to override, or remove the `theme` setting to use the built-in theme",
    )
}

/// Reads files under one root, refusing anything that resolves outside it.
struct Reader {
    root: PathBuf,
    canonical_root: PathBuf,
    diagnostics: Vec<Diagnostic>,
}

impl Reader {
    fn new(root: &Path) -> Reader {
        let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Reader { root: root.to_path_buf(), canonical_root, diagnostics: Vec::new() }
    }

    fn rel(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    /// Reads a file as text; `None` (with a diagnostic) if it is missing, outside the
    /// project, unreadable or not UTF-8.
    fn read_text(&mut self, path: &Path) -> Option<String> {
        let rel = self.rel(path);
        if !self.inside_root(path) {
            return None;
        }
        match fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(text),
                Err(e) => {
                    let bytes = e.as_bytes();
                    let at = e.utf8_error().valid_up_to();
                    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
                    let good = String::from_utf8_lossy(bytes).into_owned();
                    self.diagnostics.push(
                        Diagnostic::error(&rel, "this file is not valid UTF-8 text")
                            .at_line(&good, line)
                            .label("the first invalid byte is on this line")
                            .help("save the file as UTF-8 (most editors offer this under \"Save with encoding\")"),
                    );
                    None
                }
            },
            Err(e) => {
                self.diagnostics.push(Diagnostic::error(&rel, format!("cannot read this file: {e}")));
                None
            }
        }
    }

    /// True when `path` resolves inside the project root; otherwise records an error.
    fn inside_root(&mut self, path: &Path) -> bool {
        match outside_root(&self.canonical_root, path, &self.rel(path)) {
            None => true,
            Some(d) => {
                self.diagnostics.push(d);
                false
            }
        }
    }

    fn config(&mut self) -> Option<Config> {
        let path = self.root.join(CONFIG_FILE);
        if !path.exists() {
            self.diagnostics.push(
                Diagnostic::error(CONFIG_FILE, format!("no {CONFIG_FILE} in {}", self.root.display()))
                    .help("run boardpack in a report project, pass --root DIR, or create one with `boardpack init`"),
            );
            return None;
        }
        let text = self.read_text(&path)?;
        match Config::parse(&text, Path::new(CONFIG_FILE)) {
            Ok(c) => {
                if let Some(theme) = &c.theme {
                    if !self.root.join(THEMES_DIR).join(theme).is_dir() {
                        self.diagnostics.push(missing_theme(Path::new(CONFIG_FILE), theme));
                    }
                }
                Some(c)
            }
            Err(d) => {
                self.diagnostics.extend(d);
                None
            }
        }
    }

    /// The project's fonts (`fonts/`), with the system's when `system` is set.
    pub(crate) fn fonts(&mut self, system: bool) -> FontSet {
        let dir = self.root.join(FONTS_DIR);
        if dir.exists() && !self.inside_root(&dir) {
            return FontSet::embedded();
        }
        let (files, problems) = crate::fonts::read_dir(&dir, Path::new(FONTS_DIR));
        self.diagnostics.extend(problems);
        if files.is_empty() && !system {
            return FontSet::embedded();
        }
        let (fonts, warnings) = FontSet::new(files, system);
        self.diagnostics.extend(warnings);
        fonts
    }

    fn catalogue(&mut self) -> Option<Catalogue> {
        let path = self.root.join(CONTENT_DIR).join(CATALOGUE_FILE);
        if !path.exists() {
            return Some(Catalogue::builtin());
        }
        let text = self.read_text(&path)?;
        match Catalogue::parse(&text, &self.rel(&path)) {
            Ok(c) => Some(c),
            Err(d) => {
                self.diagnostics.extend(d);
                None
            }
        }
    }

    fn months(&mut self, catalogue: &Catalogue) -> Vec<MonthContent> {
        let content = self.root.join(CONTENT_DIR);
        if !content.is_dir() {
            self.diagnostics.push(Diagnostic::error(CONTENT_DIR, "there is no content/ folder").help(
                "create content/YYYY-MM/kpis.toml for the month you are reporting, e.g. content/2026-10/kpis.toml",
            ));
            return Vec::new();
        }
        let mut months = Vec::new();
        let mut walk =
            WalkDir::new(&content).min_depth(1).max_depth(2).follow_links(true).sort_by_file_name().into_iter();
        let mut current: Option<MonthContent> = None;
        while let Some(entry) = walk.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map(|p| self.rel(p)).unwrap_or_else(|| PathBuf::from(CONTENT_DIR));
                    self.diagnostics.push(
                        Diagnostic::error(path, format!("cannot read this path: {e}"))
                            .help("if it is a symbolic link, check that what it points to exists"),
                    );
                    continue;
                }
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_dir();
            if name.starts_with('.') {
                if is_dir {
                    walk.skip_current_dir();
                }
                continue;
            }
            if entry.path_is_symlink() && !self.inside_root(entry.path()) {
                if is_dir {
                    walk.skip_current_dir();
                }
                continue;
            }
            if entry.depth() == 1 {
                months.extend(current.take());
                if is_dir {
                    current = self.month_folder(&name, entry.path());
                    if current.is_none() {
                        walk.skip_current_dir();
                    }
                } else if name != CATALOGUE_FILE {
                    self.stray(entry.path(), "boardpack reads only catalogue.toml and YYYY-MM folders in content/");
                }
            } else if let Some(month) = current.as_mut() {
                if is_dir {
                    self.stray(entry.path(), "month folders hold only kpis.toml and Markdown commentary");
                    walk.skip_current_dir();
                } else {
                    self.month_file(month, &name, entry.path(), catalogue);
                }
            }
        }
        months.extend(current.take());
        for m in &months {
            self.warn_missing_values(m, catalogue);
        }
        if months.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(CONTENT_DIR, "content/ has no month folders, so there is nothing to report").help(
                    "create content/YYYY-MM/kpis.toml for the month you are reporting, e.g. content/2026-10/kpis.toml",
                ),
            );
        }
        months
    }

    fn stray(&mut self, path: &Path, why: &str) {
        self.diagnostics.push(
            Diagnostic::warning(self.rel(path), "boardpack ignores this")
                .help(format!("{why}; move or delete it if it was meant to be part of the report")),
        );
    }

    fn month_folder(&mut self, name: &str, path: &Path) -> Option<MonthContent> {
        match name.parse::<Month>() {
            Ok(month) => {
                Some(MonthContent { month, values: BTreeMap::new(), summary: None, commentary: BTreeMap::new() })
            }
            Err(e) if name.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
                self.diagnostics.push(
                    Diagnostic::error(self.rel(path), e.0)
                        .help("rename the folder to the reporting month as YYYY-MM, with a two-digit month"),
                );
                None
            }
            Err(_) => {
                self.stray(path, "folders in content/ are reporting months named YYYY-MM");
                None
            }
        }
    }

    fn month_file(&mut self, month: &mut MonthContent, name: &str, path: &Path, catalogue: &Catalogue) {
        if name == VALUES_FILE {
            if let Some(text) = self.read_text(path) {
                month.values = self.values(&text, &self.rel(path), catalogue);
            }
            return;
        }
        let Some(stem) = name.strip_suffix(".md") else {
            self.stray(path, "month folders hold only kpis.toml and Markdown (.md) commentary");
            return;
        };
        if stem != SUMMARY_STEM && catalogue.accountability(stem).is_none() {
            let ids = catalogue.accountabilities.iter().map(|a| a.id.as_str());
            let help = match did_you_mean(stem, ids) {
                Some(s) => format!(
                    "did you mean `{s}.md`? Commentary files are named after an accountability id, or summary.md"
                ),
                None => format!(
                    "commentary files are named summary.md or after an accountability id: {}",
                    catalogue.accountabilities.iter().map(|a| format!("{}.md", a.id)).collect::<Vec<_>>().join(", ")
                ),
            };
            self.diagnostics.push(
                Diagnostic::warning(
                    self.rel(path),
                    format!("no accountability `{stem}`: this commentary will not be shown"),
                )
                .help(help),
            );
            return;
        }
        if let Some(text) = self.read_text(path) {
            if stem == SUMMARY_STEM {
                month.summary = Some(text);
            } else {
                month.commentary.insert(stem.to_string(), text);
            }
        }
    }

    /// Parses a month's `kpis.toml`: numbers, or tables with `value` and `note`.
    fn values(&mut self, source: &str, file: &Path, catalogue: &Catalogue) -> BTreeMap<String, Entry> {
        let raw: BTreeMap<Spanned<String>, Spanned<toml::Value>> = match toml::from_str(source) {
            Ok(r) => r,
            Err(e) => {
                self.diagnostics.push(crate::catalogue::toml_error(file, source, &e));
                return BTreeMap::new();
            }
        };
        let mut values = BTreeMap::new();
        for (key, value) in raw {
            let id = key.get_ref();
            let Some(kpi) = catalogue.kpi(id) else {
                let d = Diagnostic::error(file, format!("unknown KPI id `{id}`"))
                    .at(source, key.span())
                    .label("not in the catalogue");
                let d = match did_you_mean(id, catalogue.kpis.iter().map(|k| k.id.as_str())) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("see the KPI ids in content/catalogue.toml, or run `boardpack check` for the list"),
                };
                self.diagnostics.push(d);
                continue;
            };
            if let Some(entry) = self.entry(&value, source, file, id) {
                if let Some(v) = entry.value {
                    if kpi.is_percentage() && !(0.0..=100.0).contains(&v) {
                        self.diagnostics.push(
                            Diagnostic::error(file, format!("`{id}` is {v}%, outside 0–100"))
                                .at(source, value.span())
                                .help("percentages are written as 0 to 100: 12.5 for 12.5%"),
                        );
                        continue;
                    }
                }
                values.insert(id.clone(), entry);
            }
        }
        values
    }

    fn entry(&mut self, value: &Spanned<toml::Value>, source: &str, file: &Path, id: &str) -> Option<Entry> {
        let number_help = "write a plain number (`lead-time = 3.1`) or a table with `value` and `note`";
        match value.get_ref() {
            toml::Value::Table(t) => {
                let mut entry = Entry::default();
                for (k, v) in t {
                    match (k.as_str(), v) {
                        ("value", _) => entry.value = Some(self.number(v, value, source, file, id)?),
                        ("note", toml::Value::String(s)) => {
                            entry.note = Some(s.trim().to_string()).filter(|s| !s.is_empty())
                        }
                        ("note", _) => {
                            self.diagnostics.push(
                                Diagnostic::error(file, format!("the note for `{id}` must be text"))
                                    .at(source, value.span())
                                    .help("write note = \"Holiday freeze\""),
                            );
                            return None;
                        }
                        (other, _) => {
                            self.diagnostics.push(
                                Diagnostic::error(file, format!("`[{id}]` has an unknown key `{other}`"))
                                    .at(source, value.span())
                                    .help("a KPI table takes only `value` and `note`"),
                            );
                            return None;
                        }
                    }
                }
                if entry.value.is_none() && entry.note.is_none() {
                    self.diagnostics.push(
                        Diagnostic::error(file, format!("`[{id}]` has neither a value nor a note"))
                            .at(source, value.span())
                            .help(number_help),
                    );
                    return None;
                }
                Some(entry)
            }
            v => Some(Entry { value: Some(self.number(v, value, source, file, id)?), note: None }),
        }
    }

    fn number(
        &mut self,
        v: &toml::Value,
        at: &Spanned<toml::Value>,
        source: &str,
        file: &Path,
        id: &str,
    ) -> Option<f64> {
        let n = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) => *f,
            other => {
                self.diagnostics.push(
                    Diagnostic::error(file, format!("the value of `{id}` must be a number, not {}", other.type_str()))
                        .at(source, at.span())
                        .help(
                            "write a plain number such as 3.1 (no quotes, no unit); the unit comes from the catalogue",
                        ),
                );
                return None;
            }
        };
        if !n.is_finite() {
            self.diagnostics.push(
                Diagnostic::error(file, format!("the value of `{id}` is not a finite number"))
                    .at(source, at.span())
                    .help("nan and inf are valid TOML but not a measurement; leave the KPI out if it was not measured"),
            );
            return None;
        }
        Some(n)
    }

    fn warn_missing_values(&mut self, month: &MonthContent, catalogue: &Catalogue) {
        let dir = Path::new(CONTENT_DIR).join(month.month.to_string());
        let missing: Vec<&str> =
            catalogue.kpis.iter().map(|k| k.id.as_str()).filter(|id| !month.values.contains_key(*id)).collect();
        if missing.is_empty() {
            return;
        }
        let file = dir.join(VALUES_FILE);
        let message = if missing.len() == catalogue.kpis.len() {
            format!("no KPI values for {}: the scorecard will show \"no data\" for every KPI", month.month)
        } else {
            format!("no value for {} in {}: the scorecard will show \"no data\"", missing.join(", "), month.month)
        };
        self.diagnostics.push(Diagnostic::warning(file, message).help(
            "add `id = value` lines to kpis.toml, or record why a KPI was not measured with [id] and note = \"…\"",
        ));
    }
}
