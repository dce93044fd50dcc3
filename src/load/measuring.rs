//! Everything `boardpack measure` reads, gathered: its settings
//! (`boardpack.toml` and the catalogue), each export under `data/`, each git
//! repository listed in `[measure]`, and the month's `kpis.toml`. A problem in
//! any of them becomes a located diagnostic, collected, so one run names them
//! all and the command writes nothing while any is an error.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::period::Month;
use crate::load::catalogue::Catalogue;
use crate::load::config::{Config, InputConfig, MeasureConfig, CONFIG_FILE};
use crate::load::exports::time::Zone;
use crate::load::exports::{self, Deployment, Input, Reading, Table};
use crate::load::file::read_regular_text;
use crate::load::git::{self, Located, Repository};
use crate::load::project::{outside_root, CATALOGUE_FILE, CONTENT_DIR, VALUES_FILE};
use crate::Error;

/// `boardpack.toml` (its text too, to point at settings) and the catalogue.
pub(crate) struct Settings {
    pub(crate) config: Config,
    pub(crate) source: String,
    pub(crate) catalogue: Catalogue,
}

impl Settings {
    /// Reads `boardpack.toml` and `content/catalogue.toml` (else the built-in catalogue).
    pub(crate) fn load(root: &Path) -> Result<Settings, Error> {
        let path = root.join(CONFIG_FILE);
        if !path.exists() {
            return Err(Error::Content(vec![Diagnostic::error(
                CONFIG_FILE,
                format!("no {CONFIG_FILE} in {}", root.display()),
            )
            .help("run boardpack in a report project, or pass --root DIR")]));
        }
        let source = read_regular_text(&path, Path::new(CONFIG_FILE)).map_err(|d| Error::Content(vec![*d]))?;
        let config = Config::parse(&source, Path::new(CONFIG_FILE)).map_err(Error::Content)?;
        let catalogue_rel = Path::new(CONTENT_DIR).join(CATALOGUE_FILE);
        let catalogue_path = root.join(&catalogue_rel);
        let catalogue = if catalogue_path.exists() {
            let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
            if let Some(d) = outside_root(&canonical_root, &catalogue_path, &catalogue_rel) {
                return Err(Error::Content(vec![d]));
            }
            let text = read_regular_text(&catalogue_path, &catalogue_rel).map_err(|d| Error::Content(vec![*d]))?;
            Catalogue::parse(&text, &catalogue_rel).map_err(Error::Content)?
        } else {
            Catalogue::builtin()
        };
        Ok(Settings { config, source, catalogue })
    }

    /// `[measure]`, or its defaults when there is none.
    pub(crate) fn measure(&self) -> MeasureConfig {
        self.config.measure.as_deref().cloned().unwrap_or_default()
    }

    /// The report's time zone (`[measure] timezone`, default UTC).
    pub(crate) fn zone(&self, problems: &mut Vec<Diagnostic>) -> Zone {
        let Some(tz) = self.config.measure.as_ref().and_then(|m| m.timezone.as_ref()) else {
            return Zone::utc();
        };
        Zone::parse(tz.get_ref()).unwrap_or_else(|e| {
            problems.push(
                Diagnostic::error(CONFIG_FILE, e)
                    .at(&self.source, tz.span())
                    .help("use an IANA name such as Europe/London, UTC, or an offset such as +01:00"),
            );
            Zone::utc()
        })
    }

    /// The environment names that count as production, lower-case.
    pub(crate) fn production(&self) -> Vec<String> {
        self.config
            .measure
            .as_ref()
            .and_then(|m| m.production.clone())
            .unwrap_or_else(|| vec!["production".into(), "prod".into(), "live".into()])
            .into_iter()
            .map(|p| p.trim().to_lowercase())
            .collect()
    }
}

/// The latest `content/YYYY-MM` folder.
pub(crate) fn latest_month(root: &Path) -> Option<Month> {
    std::fs::read_dir(root.join(CONTENT_DIR))
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str()?.parse::<Month>().ok())
        .max()
}

/// Where the exports are read from, and how.
pub(crate) struct Exports<'a> {
    pub(crate) root: &'a Path,
    pub(crate) canonical_root: &'a Path,
    pub(crate) month: Month,
    pub(crate) zone: &'a Zone,
    pub(crate) production: &'a [String],
    /// `boardpack.toml`'s text.
    pub(crate) source: &'a str,
}

impl Exports<'_> {
    /// Reads one export as raw rows: `Err` with the path it was looked for at
    /// when it is absent or cannot be read (the problems are recorded).
    pub(crate) fn read(
        &self,
        input: Input,
        cfg: &InputConfig,
        problems: &mut Vec<Diagnostic>,
    ) -> Result<exports::Raw, PathBuf> {
        let reading =
            Reading { input, config: cfg, zone: self.zone, production: self.production, config_source: self.source };
        let mapping = exports::check_settings(&reading, problems);
        let rel = PathBuf::from(
            cfg.path.as_deref().unwrap_or(input.default_path()).replace("{month}", &self.month.to_string()),
        );
        let abs = self.root.join(&rel);
        if !abs.exists() {
            return Err(rel);
        }
        if let Some(d) = outside_root(self.canonical_root, &abs, &rel) {
            problems.push(d);
            return Err(rel);
        }
        exports::read(&reading, mapping, &abs, &rel, problems).ok_or(rel)
    }
}

/// Reads every `[[measure.repository]]`, in parallel (one git process each).
pub(crate) fn repositories(
    root: &Path,
    measure: &MeasureConfig,
    source: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Repository> {
    let loaded: Vec<Result<Repository, Box<Diagnostic>>> = measure
        .repositories
        .par_iter()
        .map(|r| {
            if let Some(branch) = r.branch.as_ref().filter(|b| b.get_ref().starts_with('-')) {
                return Err(Box::new(
                    Diagnostic::error(
                        CONFIG_FILE,
                        format!("branch `{}` starts with `-`, so git would read it as an option", branch.get_ref()),
                    )
                    .at(source, branch.span())
                    .help("name a branch (main, release/2026) or a commit; no branch name starts with `-`"),
                ));
            }
            let dir = git::resolve(root, r.path.get_ref());
            let at = |d: Diagnostic| d.at(source, r.path.span());
            if !dir.exists() {
                return Err(Box::new(at(Diagnostic::error(
                    CONFIG_FILE,
                    format!("the repository `{}` does not exist", r.path.get_ref()),
                ))
                .help("paths in [[measure.repository]] are relative to the project root; clone the repository there or fix the path")));
            }
            let branch = r.branch.as_ref().map(|b| b.get_ref().as_str());
            Repository::load(&dir, r.path.get_ref(), r.name.as_deref(), branch, &r.components)
                .map_err(|e| Box::new(at(Diagnostic::error(CONFIG_FILE, e)).help("check the path and the `branch` setting")))
        })
        .collect();
    let mut repositories = Vec::new();
    for r in loaded {
        match r {
            Ok(repo) => repositories.push(repo),
            Err(d) => problems.push(*d),
        }
    }
    repositories
}

/// Each counted deployment's commit in the repositories, as (deployment,
/// repository, commit) indexes; a SHA found nowhere, or in more than one
/// commit, is an error at its row.
pub(crate) fn locate_deployments(
    root: &Path,
    repositories: &[Repository],
    deployments: &Table<Deployment>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(usize, usize, u32)> {
    let mut located = Vec::new();
    if repositories.is_empty() {
        return located;
    }
    let mut text: Option<String> = None;
    for (i, d) in deployments.rows.iter().enumerate() {
        let (Some(sha), true) = (&d.sha, d.counts()) else { continue };
        let problem = match git::locate(repositories, sha) {
            Located::At { repo, commit } => {
                located.push((i, repo, commit));
                continue;
            }
            Located::Missing => format!(
                "commit `{sha}` is not in the history of any listed repository ({})",
                repositories.iter().map(|r| format!("{} {}", r.name, r.branch)).collect::<Vec<_>>().join(", ")
            ),
            Located::Ambiguous => format!("`{sha}` is the start of more than one commit's SHA"),
        };
        let text = text.get_or_insert_with(|| {
            read_regular_text(&root.join(&deployments.file), &deployments.file).unwrap_or_default()
        });
        let column = deployments.headers.get("sha").cloned().unwrap_or_else(|| "sha".into());
        problems.push(
            Diagnostic::error(&deployments.file, format!("column `{column}`: {problem}"))
                .at_line(text, d.line)
                .label(format!("in column `{column}` of this row"))
                .help("list the repository this service is built from in [[measure.repository]] (with the branch it deploys from), or write the full SHA"),
        );
    }
    located
}

/// The month's `kpis.toml`, relative to the root.
pub(crate) fn values_file(month: Month) -> PathBuf {
    Path::new(CONTENT_DIR).join(month.to_string()).join(VALUES_FILE)
}

/// The text of the month's `kpis.toml`, `None` when there is none yet; a
/// file that resolves outside the project is a problem.
pub(crate) fn existing_values(
    root: &Path,
    canonical_root: &Path,
    rel: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Result<Option<String>, Error> {
    let path = root.join(rel);
    if !path.exists() {
        return Ok(None);
    }
    if let Some(d) = outside_root(canonical_root, &path, rel) {
        problems.push(d);
        return Ok(None);
    }
    match read_regular_text(&path, rel) {
        Ok(text) => Ok(Some(text)),
        Err(d) => {
            problems.push(*d);
            Ok(None)
        }
    }
}
