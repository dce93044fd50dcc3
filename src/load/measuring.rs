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
    /// What `{month}` in an export's path stands for: the month measured
    /// (`2026-10`), or the quarter (`2026-Q3`).
    pub(crate) folder: String,
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
        let rel = PathBuf::from(cfg.path.as_deref().unwrap_or(input.default_path()).replace("{month}", &self.folder));
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

/// A repository read, with the error to report if it is a shallow clone.
type Read = (Repository, Option<Diagnostic>);

/// Reads every `[[measure.repository]]`, in parallel (its git processes each).
pub(crate) fn repositories(
    root: &Path,
    measure: &MeasureConfig,
    source: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Repository> {
    // A shallow clone is read (its error said, and a SHA beyond its cut named
    // as such), so the run stops with every problem at once.
    let loaded: Vec<Result<Read, Vec<Diagnostic>>> = measure
        .repositories
        .par_iter()
        .map(|r| {
            if let Some(branch) = r.branch.as_ref().filter(|b| b.get_ref().starts_with('-')) {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    format!("branch `{}` starts with `-`, so git would read it as an option", branch.get_ref()),
                )
                .at(source, branch.span())
                .help("name a branch (main, release/2026) or a commit; no branch name starts with `-`")]);
            }
            let dir = git::resolve(root, r.path.get_ref());
            let at = |d: Diagnostic| d.at(source, r.path.span());
            if !dir.exists() {
                return Err(vec![at(Diagnostic::error(
                    CONFIG_FILE,
                    format!("the repository `{}` does not exist", r.path.get_ref()),
                ))
                .help("paths in [[measure.repository]] are relative to the project root; clone the repository there or fix the path")]);
            }
            let branch = r.branch.as_ref().map(|b| b.get_ref().as_str());
            let components: Vec<String> = r.components.iter().map(|c| c.get_ref().clone()).collect();
            let repo = Repository::load(&dir, r.path.get_ref(), r.name.as_deref(), branch, &components).map_err(|failures| {
                failures
                    .into_iter()
                    .map(|f| {
                        let span = f.component.and_then(|i| r.components.get(i)).map_or(r.path.span(), |c| c.span());
                        Diagnostic::error(CONFIG_FILE, f.message).at(source, span).help(f.help)
                    })
                    .collect::<Vec<_>>()
            })?;
            let shallow = repo.shallow.as_ref().map(|cut| {
                at(Diagnostic::error(
                    CONFIG_FILE,
                    format!("{} is a shallow clone: its history stops at {cut}, so the changes before are missing and every count would be too low", r.path.get_ref()),
                ))
                .help(format!("fetch its whole history: git -C {} fetch --unshallow (or clone it without --depth)", r.path.get_ref()))
            });
            Ok((repo, shallow))
        })        .collect();
    let mut repositories = Vec::new();
    for r in loaded {
        match r {
            Ok((repo, shallow)) => {
                repositories.push(repo);
                problems.extend(shallow);
            }
            Err(d) => problems.extend(d),
        }
    }
    repositories
}

/// Each counted deployment's commit in the repositories, as (deployment,
/// repository, commit) indexes. A SHA is looked for in every branch, tag and
/// remote-tracking branch (a hotfix deployed from its own branch before the
/// merge). One found nowhere is a warning at its row, and the deployment
/// brings no commit; one that starts more than one commit's SHA is an error.
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
    let listed = repositories.iter().map(|r| format!("{} {}", r.name, r.branch)).collect::<Vec<_>>().join(", ");
    let shallow: Vec<String> = repositories
        .iter()
        .filter_map(|r| r.shallow.as_ref().map(|cut| format!("{} is a shallow clone cut at {cut}", r.path)))
        .collect();
    for (i, d) in deployments.rows.iter().enumerate() {
        let (Some(sha), true) = (&d.sha, d.counts()) else { continue };
        let full = sha.len() >= 40;
        let diagnostic = match git::locate(repositories, sha) {
            Located::At { repo, commit } => {
                located.push((i, repo, commit));
                continue;
            }
            Located::Missing => {
                let mut message = format!(
                    "commit `{sha}` is in no branch or tag of any listed repository ({listed}); this deployment's changes are left out of lead time"
                );
                if !shallow.is_empty() {
                    message += &format!(" ({}: an older commit is not there)", shallow.join("; "));
                }
                let mut help = "list the repository this service is built from in [[measure.repository]], or fetch the branch it was deployed from (git fetch)".to_string();
                if !full {
                    help += "; check the SHA against `git log`";
                }
                Diagnostic::warning(&deployments.file, message).help(help)
            }
            Located::Ambiguous => {
                Diagnostic::error(&deployments.file, format!("`{sha}` is the start of more than one commit's SHA"))
                    .help("write more of the SHA (the full 40 characters name one commit)")
            }
        };
        let text = text.get_or_insert_with(|| {
            read_regular_text(&root.join(&deployments.file), &deployments.file).unwrap_or_default()
        });
        let column = deployments.headers.get("sha").cloned().unwrap_or_else(|| "sha".into());
        let Diagnostic { message, .. } = &diagnostic;
        let message = format!("column `{column}`: {message}");
        problems.push(
            Diagnostic { message, ..diagnostic }
                .at_line(text, d.line)
                .label(format!("in column `{column}` of this row")),
        );
    }
    located
}

/// The `kpis.toml` of a month's or a quarter's folder (`2026-10`, `2026-Q3`), relative to the root.
pub(crate) fn values_file(folder: &str) -> PathBuf {
    Path::new(CONTENT_DIR).join(folder).join(VALUES_FILE)
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
