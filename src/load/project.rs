//! Load stage: reads a report project from disk into plain data, checking it as it goes.
//!
//! This is the only place (besides writing the output) that touches the
//! filesystem. Every problem found becomes a [`Diagnostic`]; loading carries on
//! after an error so that one run reports them all.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

mod quarter;
pub(crate) mod quarter_record;
mod sealed;
pub(crate) use quarter::{is_quarter_name, QuarterContent};

use crate::base::digest::Sha256;

use crate::base::diagnostic::{did_you_mean, Diagnostic};
use crate::base::period::{Month, Quarter};
use crate::load::catalogue::Catalogue;
use crate::load::config::{Config, CONFIG_FILE};
use crate::load::fonts::{FontSet, FONTS_DIR};
use crate::load::record::{self, Restatement, Seal, SentPack, RESTATEMENTS_FILE, SEALED_FILE, SEALED_PACK};
pub(crate) use crate::load::values::Entry;
use crate::load::values::{self, Values};
use quarter_record::QuarterSeal;

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

/// Everything written for one reporting month.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct MonthContent {
    pub(crate) month: Month,
    /// By KPI id.
    pub(crate) values: BTreeMap<String, Entry>,
    /// Markdown source of `summary.md`.
    pub(crate) summary: Option<String>,
    /// Markdown source by accountability id.
    pub(crate) commentary: BTreeMap<String, String>,
    /// Not to be published: `draft = true`, or no value or note at all yet.
    pub(crate) draft: bool,
    /// Its `kpis.toml` is not valid TOML (reported already): nothing more is said about its values.
    pub(crate) unreadable: bool,
    /// What was sent, when the month is sealed.
    pub(crate) seal: Option<Seal>,
    /// The sealed board pack (`board-pack.zip`), when there is one.
    pub(crate) sealed_pack: Option<PathBuf>,
    /// What the sealed pack holds, read and checked against the seal.
    pub(crate) sent: Option<SentPack>,
    /// SHA-256 of the month's `sealed.toml` as written: what the next seal's chain names.
    pub(crate) seal_sha256: Option<Sha256>,
    /// Corrections to sealed months this month announces.
    pub(crate) restatements: Vec<Restatement>,
    /// The text of `restatements.toml`, when the month has one.
    pub(crate) restatements_text: Option<String>,
    /// For a sealed month whose commentary was corrected since: the commentary
    /// as it was sent (from the sealed pack), by file name.
    pub(crate) sent_commentary: BTreeMap<String, String>,
    /// The rows behind each value `boardpack measure` computed
    /// (`evidence/KPI-ID.csv`), by KPI id.
    pub(crate) evidence: BTreeMap<String, Vec<u8>>,
    /// SHA-256 of its `kpis.toml` as read: what a quarter's seal records of it.
    pub(crate) values_sha256: Option<Sha256>,
    /// For a quarter's folder: what was sent, when the quarter is sealed.
    pub(crate) quarter_seal: Option<QuarterSeal>,
}

impl MonthContent {
    /// The month's commentary files as (file name, Markdown), summary first.
    pub(crate) fn files(&self) -> impl Iterator<Item = (String, &String)> {
        self.summary
            .iter()
            .map(|s| (format!("{SUMMARY_STEM}.md"), s))
            .chain(self.commentary.iter().map(|(id, md)| (format!("{id}.md"), md)))
    }

    /// SHA-256 of each commentary file and of `restatements.toml`, by file
    /// name: what a seal records. Worked out when a seal or the audit of a
    /// sealed month asks, not for every month loaded.
    pub(crate) fn hashes(&self) -> BTreeMap<String, Sha256> {
        let mut hashes: BTreeMap<String, Sha256> =
            self.files().map(|(name, text)| (name, Sha256::of(text.as_bytes()))).collect();
        if let Some(text) = &self.restatements_text {
            hashes.insert(RESTATEMENTS_FILE.to_string(), Sha256::of(text.as_bytes()));
        }
        hashes
    }
}

/// A loaded, checked project: the input of every later stage.
#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub(crate) root: PathBuf,
    pub(crate) config: Config,
    pub(crate) catalogue: Catalogue,
    /// Chronological.
    pub(crate) months: Vec<MonthContent>,
    /// The quarters with a folder of their own, chronological.
    pub(crate) quarters: Vec<QuarterContent>,
    /// The fonts its PDFs may use: embedded, `fonts/`, and the system's if asked.
    pub(crate) fonts: FontSet,
}

impl Project {
    /// The project as published: without its draft months, unless `drafts`
    /// (a preview shows them, marked).
    pub(crate) fn published(mut self, drafts: bool) -> Project {
        if !drafts {
            self.months.retain(|m| !m.draft);
            self.quarters.retain(|q| !q.files.draft);
        }
        self
    }

    /// The project without its commentary, evidence, documents as sent and
    /// fonts: what a portfolio's overview needs of a company once its site is
    /// written, so a build holds every company's figures but only the
    /// companies in flight whole.
    pub(crate) fn figures_only(mut self) -> Project {
        let quarters = self.quarters.iter_mut().map(|q| &mut q.files);
        for m in self.months.iter_mut().chain(quarters) {
            m.summary = None;
            m.commentary = BTreeMap::new();
            m.sent_commentary = BTreeMap::new();
            m.evidence = BTreeMap::new();
            if let Some(sent) = &mut m.sent {
                sent.documents = None;
            }
            m.restatements_text = None;
            for entry in m.values.values_mut() {
                entry.source_line = String::new();
                entry.measured = None;
            }
        }
        self.fonts = FontSet::embedded();
        self
    }
}

/// How many month folders (`content/YYYY-MM/`) the project at `root` holds,
/// drafts included, counted without reading them: a long build's progress total.
pub(crate) fn month_folders(root: &Path) -> usize {
    fs::read_dir(root.join(CONTENT_DIR)).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| e.file_name().to_str().is_some_and(|n| n.parse::<Month>().is_ok()))
            .count()
    })
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
    // Fonts first, so every file read after can be checked against them.
    let system_fonts = config.as_ref().is_some_and(|c| c.pack.system_fonts);
    let fonts = reader.fonts(system_fonts);
    reader.glyphs_of_config(&fonts);
    reader.fonts = Some(fonts);
    // Names and questions in the report's language, before anything reads them.
    let language = config.as_ref().map_or("en", |c| c.language.language());
    let catalogue = reader.catalogue().map(|c| c.in_language(language));
    let fiscal_year_start = config.as_ref().map_or(1, |c| c.report.fiscal_year_start);
    let (months, quarters) = match &catalogue {
        Some(c) => reader.months(c, fiscal_year_start),
        None => (Vec::new(), Vec::new()),
    };
    let Reader { root, mut diagnostics, fonts, .. } = reader;
    diagnostics.extend(crate::load::staging::interrupted(&root));
    let fonts = fonts.unwrap_or_else(FontSet::embedded);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let project = match (config, catalogue, failed) {
        (Some(config), Some(catalogue), false) => Some(Project { root, config, catalogue, months, quarters, fonts }),
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
    /// Once read: every text read after is checked for characters the PDF
    /// cannot draw with them.
    fonts: Option<FontSet>,
    /// `boardpack.toml`'s text, read before the fonts, to check once they are.
    config_text: Option<String>,
}

impl Reader {
    fn new(root: &Path) -> Reader {
        let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Reader { root: root.to_path_buf(), canonical_root, diagnostics: Vec::new(), fonts: None, config_text: None }
    }

    fn rel(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    /// Reads a file as text; `None` (with a diagnostic) if it is missing, outside the
    /// project, unreadable or not UTF-8.
    fn read_text(&mut self, path: &Path) -> Option<String> {
        if !self.inside_root(path) {
            return None;
        }
        self.read_found(path)
    }

    /// Reads a text file the walk of `content/` found: the walk checked every
    /// link on the way to it (and `content/` itself), so the file needs no
    /// check of its own, which would resolve each part of its path again.
    fn read_found(&mut self, path: &Path) -> Option<String> {
        let rel = self.rel(path);
        // Never a plain read: a named pipe left in content/ would hang it.
        match crate::load::file::read_regular(path, &rel) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    if let Some(fonts) = &self.fonts {
                        self.diagnostics.extend(crate::load::fonts::glyph_warning(&rel, &text, fonts));
                    }
                    Some(text)
                }
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
            Err(d) => {
                self.diagnostics.push(*d);
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
        self.config_text = Some(text.clone());
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

    /// Checks `boardpack.toml` (the organisation and title reach the PDF)
    /// against the fonts, read after it.
    fn glyphs_of_config(&mut self, fonts: &FontSet) {
        if let Some(text) = self.config_text.take() {
            self.diagnostics.extend(crate::load::fonts::glyph_warning(Path::new(CONFIG_FILE), &text, fonts));
        }
    }

    /// The project's fonts (`fonts/`), with the system's when `system` is set.
    pub(crate) fn fonts(&mut self, system: bool) -> FontSet {
        let dir = self.root.join(FONTS_DIR);
        if dir.exists() && !self.inside_root(&dir) {
            return FontSet::embedded();
        }
        let (files, problems) = crate::load::fonts::read_dir(&dir, Path::new(FONTS_DIR));
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

    /// The month folders and the quarter folders of `content/`, each chronological.
    fn months(&mut self, catalogue: &Catalogue, fiscal_year_start: u8) -> (Vec<MonthContent>, Vec<QuarterContent>) {
        let content = self.root.join(CONTENT_DIR);
        if !content.is_dir() {
            self.diagnostics.push(Diagnostic::error(CONTENT_DIR, "there is no content/ folder").help(
                "create content/YYYY-MM/kpis.toml for the month you are reporting, e.g. content/2026-10/kpis.toml",
            ));
            return (Vec::new(), Vec::new());
        }
        if !self.inside_root(&content) {
            return (Vec::new(), Vec::new());
        }
        let mut months = Vec::new();
        let mut quarters = Vec::new();
        // The quarter the folder being read is, when it is one.
        let mut quarter: Option<Quarter> = None;
        let mut close = |current: Option<MonthContent>, quarter: Option<Quarter>| match (current, quarter) {
            (Some(files), Some(quarter)) => quarters.push(QuarterContent { quarter, files }),
            (Some(month), None) => months.push(month),
            (None, _) => {}
        };
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
                close(current.take(), quarter.take());
                if is_dir && is_quarter_name(&name) {
                    quarter = self.quarter_folder(&name, entry.path(), fiscal_year_start);
                    current = quarter.map(|q| MonthContent { month: q.last(), ..MonthContent::default() });
                    if current.is_none() {
                        walk.skip_current_dir();
                    }
                } else if is_dir {
                    current = self.month_folder(&name, entry.path());
                    if current.is_none() {
                        walk.skip_current_dir();
                    }
                } else if name != CATALOGUE_FILE {
                    self.stray(
                        entry.path(),
                        "boardpack reads only catalogue.toml, month folders (YYYY-MM) and quarter folders (2026-Q3) in content/",
                    );
                }
            } else if let Some(month) = current.as_mut() {
                if is_dir && name == EVIDENCE_DIR {
                    self.evidence(month, entry.path(), catalogue);
                    walk.skip_current_dir();
                } else if is_dir && name == VALUES_FILE {
                    self.diagnostics.push(
                        Diagnostic::error(self.rel(entry.path()), "kpis.toml is a folder, not a file")
                            .help("replace the folder with a kpis.toml file holding the month's values"),
                    );
                    walk.skip_current_dir();
                } else if is_dir {
                    self.stray(
                        entry.path(),
                        "month folders hold kpis.toml, Markdown commentary and an evidence/ folder",
                    );
                    walk.skip_current_dir();
                } else {
                    self.month_file(month, &name, entry.path(), catalogue);
                }
            }
        }
        close(current.take(), quarter.take());
        let now = current_month();
        for m in &mut months {
            self.finish(m, catalogue, now);
        }
        quarters.sort_by_key(|q| q.quarter);
        for q in &mut quarters {
            self.finish_quarter(q, &months, now);
        }
        if months.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(CONTENT_DIR, "content/ has no month folders, so there is nothing to report").help(
                    "create content/YYYY-MM/kpis.toml for the month you are reporting, e.g. content/2026-10/kpis.toml",
                ),
            );
        }
        (months, quarters)
    }

    fn stray(&mut self, path: &Path, why: &str) {
        self.diagnostics.push(
            Diagnostic::warning(self.rel(path), "boardpack ignores this")
                .help(format!("{why}; move or delete it if it was meant to be part of the report")),
        );
    }

    fn month_folder(&mut self, name: &str, path: &Path) -> Option<MonthContent> {
        match name.parse::<Month>() {
            Ok(month) => Some(MonthContent { month, ..MonthContent::default() }),
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
        let rel = self.rel(path);
        match name {
            VALUES_FILE => {
                if let Some(text) = self.read_found(path) {
                    month.values_sha256 = Some(Sha256::of(text.as_bytes()));
                    let (Values { entries, draft, unreadable, broken }, problems) =
                        values::parse(&text, &rel, catalogue, month.month);
                    self.diagnostics.extend(problems);
                    month.values = entries;
                    month.draft = draft;
                    month.unreadable = broken;
                    // Lines that were there but unreadable are reported already:
                    // mark them so nobody is also told the KPI has no value.
                    for id in unreadable {
                        month.values.entry(id).or_default();
                    }
                }
                return;
            }
            // A quarter's record is read with its quarter (`finish_quarter`).
            SEALED_FILE if quarter_record::in_quarter_folder(path) => return,
            SEALED_FILE => {
                if let Some(text) = self.read_found(path) {
                    month.seal_sha256 = Some(Sha256::of(text.as_bytes()));
                    match Seal::parse(&text, &rel, month.month) {
                        Ok(seal) => month.seal = Some(seal),
                        Err(d) => self.diagnostics.push(*d),
                    }
                }
                return;
            }
            SEALED_PACK => {
                month.sealed_pack = Some(path.to_path_buf());
                return;
            }
            RESTATEMENTS_FILE => {
                if let Some(text) = self.read_found(path) {
                    match record::parse_restatements(&text, &rel) {
                        Ok(r) => month.restatements = r,
                        Err(d) => self.diagnostics.extend(d),
                    }
                    month.restatements_text = Some(text);
                }
                return;
            }
            _ => {}
        }
        let Some(stem) = name.strip_suffix(".md") else {
            self.stray(path, "month folders hold kpis.toml, Markdown (.md) commentary, and what `boardpack seal` and `boardpack measure` write");
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
        if let Some(text) = self.read_found(path) {
            if stem == SUMMARY_STEM {
                month.summary = Some(text);
            } else {
                month.commentary.insert(stem.to_string(), text);
            }
        }
    }

    /// Reads `evidence/KPI-ID.csv` files: what `boardpack measure` wrote.
    fn evidence(&mut self, month: &mut MonthContent, dir: &Path, catalogue: &Catalogue) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        // A link is checked; a file found in a folder the walk checked is inside.
        let mut paths: Vec<(PathBuf, bool)> =
            entries.flatten().map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_symlink()))).collect();
        paths.sort();
        for (path, link) in paths {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let kpi = name.strip_suffix(".csv").filter(|id| catalogue.kpi(id).is_some());
            match kpi {
                Some(id) if path.is_file() && (!link || self.inside_root(&path)) => match fs::read(&path) {
                    Ok(bytes) => {
                        month.evidence.insert(id.to_string(), bytes);
                    }
                    Err(e) => {
                        self.diagnostics.push(Diagnostic::error(self.rel(&path), format!("cannot read this file: {e}")))
                    }
                },
                Some(_) => {}
                None if name.starts_with('.') => {}
                None => self.stray(&path, "evidence/ holds the CSV files `boardpack measure` writes, one per KPI id"),
            }
        }
    }

    /// What can be said of a month once all its files are read: whether it is a
    /// draft, which KPIs have no value, whether it is dated in the future, and
    /// (for a sealed month whose commentary changed) the commentary as sent.
    fn finish(&mut self, month: &mut MonthContent, catalogue: &Catalogue, now: Month) {
        let file = Path::new(CONTENT_DIR).join(month.month.to_string()).join(VALUES_FILE);
        if month.values.is_empty() && !month.unreadable {
            month.draft = true;
        }
        // A draft is unfinished by definition: what it lacks is said once it is not a draft.
        if !month.unreadable && !month.draft {
            self.warn_missing_values(month, catalogue);
        }
        let has_values = month.values.values().any(|e| e.value.is_some());
        if month.month > now && has_values && !month.draft {
            self.diagnostics.push(
                Diagnostic::warning(
                    &file,
                    format!(
                        "{} has values but has not begun yet ({} is the current month)",
                        month.month.long_name(),
                        now.long_name()
                    ),
                )
                .help("check the folder's name; a month is reported once it is over"),
            );
        }
        self.check_sealed(month);
    }

    fn warn_missing_values(&mut self, month: &MonthContent, catalogue: &Catalogue) {
        let dir = Path::new(CONTENT_DIR).join(month.month.to_string());
        let expected: Vec<&str> =
            catalogue.kpis.iter().filter(|k| k.in_force(month.month)).map(|k| k.id.as_str()).collect();
        let missing: Vec<&str> = expected.iter().copied().filter(|id| !month.values.contains_key(*id)).collect();
        if missing.is_empty() {
            return;
        }
        let file = dir.join(VALUES_FILE);
        let message = if missing.len() == expected.len() {
            format!("no KPI values for {}: it is a draft until it has some", month.month)
        } else {
            format!("no value for {} in {}: the scorecard will show \"no data\"", missing.join(", "), month.month)
        };
        self.diagnostics.push(
            Diagnostic::warning(file, message).help(
                "add `id = value` lines to kpis.toml, or record why a KPI was not measured: id = { note = \"…\" }",
            ),
        );
    }
}

/// Where `boardpack measure` keeps the rows behind each computed value.
pub(crate) const EVIDENCE_DIR: &str = "evidence";

/// The calendar month now (UTC): only for warnings and defaults, never for output.
pub(crate) fn current_month() -> Month {
    let now = jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now());
    // jiff's years are -9999..=9999 and months 1..=12; a clock before year 0 is
    // not a month anyone reports, so it falls back to the default.
    u16::try_from(now.year()).ok().and_then(|y| Month::new(y, u8::try_from(now.month()).ok()?)).unwrap_or_default()
}
