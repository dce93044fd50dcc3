//! How `serve` notices that the sources changed: the operating system's file
//! notifications, or polling.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use walkdir::WalkDir;

use super::preview::Engine;
use super::{rebuild, State};
use crate::load::project::THEMES_DIR;
use crate::load::workspace::{SOURCE_DIRS, SOURCE_FILES};

const POLL: Duration = Duration::from_millis(150);

/// How source changes are noticed: the operating system's file notifications
/// (inotify, FSEvents, …) when available — instant, and free however many
/// companies a portfolio has — or else polling, which works on every
/// filesystem, including network mounts.
pub(super) enum Watcher {
    Notify {
        /// Kept alive for as long as events are wanted.
        _watcher: notify::RecommendedWatcher,
        events: std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
        /// The root as the events name it (absolute).
        root: PathBuf,
    },
    Poll(Vec<Stamp>),
}

/// How long to gather further events after the first: an editor's save is
/// often several (write, rename, attribute change).
const SETTLE: Duration = Duration::from_millis(30);

impl Watcher {
    pub(super) fn start(root: &Path) -> Watcher {
        match Watcher::notify(root) {
            Ok(watcher) => watcher,
            Err(e) => {
                eprintln!("note: no file notifications here ({e}); polling for changes instead");
                Watcher::Poll(fingerprint(root))
            }
        }
    }

    fn notify(root: &Path) -> Result<Watcher, String> {
        use notify::Watcher as _;
        let root = std::fs::canonicalize(root).map_err(|e| e.to_string())?;
        let (tx, events) = std::sync::mpsc::channel();
        let mut watcher = notify::recommended_watcher(tx).map_err(|e| e.to_string())?;
        // The root itself (not recursively) sees the configuration files and a
        // `themes/` folder appearing; the source folders are watched whole.
        watcher.watch(&root, notify::RecursiveMode::NonRecursive).map_err(|e| e.to_string())?;
        for dir in SOURCE_DIRS.iter().map(|d| root.join(d)).filter(|d| d.is_dir()) {
            watcher.watch(&dir, notify::RecursiveMode::Recursive).map_err(|e| e.to_string())?;
        }
        Ok(Watcher::Notify { _watcher: watcher, events, root })
    }

    /// Rebuilds after every change to the sources, until the process ends.
    pub(super) fn run(self, root: &Path, state: &State, mut engine: Engine) {
        match self {
            Watcher::Notify { mut _watcher, events, root: watched } => {
                while let Ok(first) = events.recv() {
                    let mut changed = BTreeSet::new();
                    let mut add = |event: notify::Result<notify::Event>| {
                        if let Ok(event) = event {
                            if !matches!(event.kind, notify::EventKind::Access(_)) {
                                changed.extend(event.paths.into_iter().filter(|p| is_source(&watched, p)));
                            }
                        }
                    };
                    add(first);
                    while let Ok(more) = events.recv_timeout(SETTLE) {
                        add(more);
                    }
                    if changed.is_empty() {
                        continue;
                    }
                    let themes = watched.join(THEMES_DIR);
                    if changed.contains(&themes) && themes.is_dir() {
                        use notify::Watcher as _;
                        let _ = _watcher.watch(&themes, notify::RecursiveMode::Recursive);
                    }
                    let changed: Vec<PathBuf> = changed.into_iter().collect();
                    rebuild_at(root, &watched, state, &mut engine, &changed);
                }
            }
            // A large portfolio's 30,000 files take ~100 ms to poll: the pause
            // grows with that, so polling stays under a tenth of a core.
            Watcher::Poll(mut last) => loop {
                let started = Instant::now();
                let now = fingerprint(root);
                let pause = POLL.max(started.elapsed() * 9);
                if now != last {
                    let changed = changed_paths(&last, &now);
                    last = now;
                    rebuild(root, state, &mut engine, &changed);
                }
                thread::sleep(pause);
            },
        }
    }
}

/// Whether a changed path is a source: a configuration file, or anything in a
/// source folder (not the output folder, `.git`, or an editor's files beside them).
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let Some(first) = rel.components().next().map(|c| c.as_os_str()) else {
        return false;
    };
    SOURCE_FILES.iter().chain(&SOURCE_DIRS).any(|s| first == *s)
}

/// [`rebuild`], for changed paths named from `watched` (the absolute root).
fn rebuild_at(root: &Path, watched: &Path, state: &State, engine: &mut Engine, changed: &[PathBuf]) {
    let relative: Vec<PathBuf> =
        changed.iter().filter_map(|p| p.strip_prefix(watched).ok()).map(|rel| root.join(rel)).collect();
    rebuild(root, state, engine, &relative);
}

/// A source file's path, modification time and length.
type Stamp = (PathBuf, Option<SystemTime>, u64);

pub(super) fn fingerprint(root: &Path) -> Vec<Stamp> {
    let mut out = Vec::new();
    let sources = SOURCE_FILES.iter().chain(&SOURCE_DIRS).map(|s| root.join(s));
    for source in sources.filter(|s| s.exists()) {
        // Files only: a folder's time changes with its files, which are listed themselves.
        for entry in WalkDir::new(source).follow_links(true).into_iter().flatten() {
            match entry.metadata() {
                Ok(meta) if meta.is_file() => out.push((entry.path().to_path_buf(), meta.modified().ok(), meta.len())),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// Paths added, removed or changed between two sorted fingerprints.
fn changed_paths(before: &[Stamp], after: &[Stamp]) -> Vec<PathBuf> {
    let before: HashMap<&Path, &Stamp> = before.iter().map(|s| (s.0.as_path(), s)).collect();
    let after_paths: BTreeSet<&Path> = after.iter().map(|s| s.0.as_path()).collect();
    let mut changed: Vec<PathBuf> =
        after.iter().filter(|s| before.get(s.0.as_path()) != Some(s)).map(|s| s.0.clone()).collect();
    changed.extend(before.keys().filter(|p| !after_paths.contains(*p)).map(|p| p.to_path_buf()));
    changed.sort();
    changed
}
