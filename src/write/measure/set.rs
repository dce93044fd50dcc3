//! `measure`'s files written as one set: the evidence files and `kpis.toml`
//! agree, or the next run makes them agree.
//!
//! A set is written in three steps. Every new file is first *staged* in the
//! project's `.boardpack/measure/` folder (never in `content/`, which is
//! committed), with the mode the file it replaces has. Then the *plan* is
//! written there, atomically: each staged file, where it goes, and the
//! SHA-256 of the file it replaces and of itself. Then each staged file is
//! renamed into place, evidence first, `kpis.toml` last, and the folder is
//! removed. A run stopped before the plan has touched nothing in `content/`;
//! one stopped after it is finished by the next run ([`recover`]), which
//! moves the rest of the staged files into place, unless a file was edited
//! since (its digest is neither the old one nor the new one), which is left as
//! it is and said. One run at a time: [`lock`].

use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::base::digest::sha256;
use crate::write::archive::write_atomically;
use crate::Error;

pub(crate) use crate::load::staging::{PLAN, STAGING_DIR};
/// The lock file one run holds, beside the staging folder.
const LOCK: &str = ".boardpack/measure.lock";

/// The lock that keeps two runs of `measure` from writing one project at once:
/// released when the process ends, however it ends.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: fs::File,
}

/// Takes the project's measure lock, or says that another run holds it.
pub(crate) fn lock(root: &Path) -> Result<Lock, Error> {
    let path = root.join(LOCK);
    let dir = path.parent().unwrap_or(root);
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let file =
        fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| Error::io(&path, e))?;
    #[cfg(unix)]
    {
        use rustix::fs::{flock, FlockOperation};
        if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
            return Err(Error::Content(vec![Diagnostic::error(
                LOCK,
                "another `boardpack measure` is writing this project's files",
            )
            .help("wait for it to finish, then run boardpack measure again")]));
        }
    }
    Ok(Lock { _file: file })
}

/// One file of a set: where it goes (relative to the root) and its bytes.
pub(crate) type File = (PathBuf, Vec<u8>);

/// Writes `files` as one set (see the module docs), leaving out each whose
/// bytes are already these. `files` are in the order they are moved into
/// place: evidence first, `kpis.toml` last. Returns whether any file changed.
pub(crate) fn write(root: &Path, files: &[File], _lock: &Lock) -> Result<bool, Error> {
    let changed: Vec<(usize, &File, String)> = files
        .iter()
        .enumerate()
        .map(|(i, file)| (i, file, sha256(&file.1)))
        .filter(|(_, (rel, _), new)| digest(&root.join(rel)) != *new)
        .collect();
    if changed.is_empty() {
        return Ok(false);
    }
    let staging = root.join(STAGING_DIR);
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    // Ignored by git whatever the project's .gitignore says, in case a run is stopped and committed.
    fs::write(staging.join(".gitignore"), "*\n").map_err(|e| Error::io(&staging, e))?;
    let mut stop = Stop::from_env();
    let mut plan = String::new();
    for (i, (rel, bytes), new) in changed {
        let dest = root.join(rel);
        same_file_system(&staging, &dest)?;
        let staged = staging.join(i.to_string());
        write_atomically(&staged, bytes)?;
        if let Ok(meta) = fs::metadata(&dest) {
            fs::set_permissions(&staged, meta.permissions()).map_err(|e| Error::io(&staged, e))?;
        }
        sync(&staged)?;
        plan += &format!("{}\t{new}\t{i}\t{}\n", digest(&dest), slashed(rel));
        stop.step();
    }
    let plan_path = staging.join(PLAN);
    write_atomically(&plan_path, plan.as_bytes())?;
    sync(&plan_path)?;
    sync(&staging)?;
    stop.step();
    finish(root, &plan, &mut stop)?;
    Ok(true)
}

/// The SHA-256 of the regular file at `path`; `-` when there is none. Only a
/// regular file is read (a FIFO put there would never end a read); anything
/// else is named by its kind, so it is replaced, never followed.
fn digest(path: &Path) -> String {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => fs::read(path).map_or_else(|_| "unreadable".to_string(), |b| sha256(&b)),
        Ok(m) if m.is_dir() => "folder".to_string(),
        Ok(_) => "special".to_string(),
        Err(_) => "-".to_string(),
    }
}

/// What [`recover`] found.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Recovered {
    /// Files an interrupted run had staged and this one moved into place.
    pub(crate) finished: Vec<PathBuf>,
    /// Temporary files earlier versions of boardpack left in `content/`, removed.
    pub(crate) removed: Vec<PathBuf>,
}

/// Finishes a set an interrupted run left (its plan was written), or
/// discards one it had only begun staging; and removes the `.boardpack-*`
/// temporary files earlier versions left in `content/`. Run first, before
/// anything reads `content/`.
pub(crate) fn recover(root: &Path, _lock: &Lock) -> Result<Recovered, Error> {
    let mut recovered = Recovered { removed: remove_old_temporary_files(root), ..Recovered::default() };
    let staging = root.join(STAGING_DIR);
    match fs::read_to_string(staging.join(PLAN)) {
        Ok(plan) => {
            for line in plan.lines() {
                let Some((_, _, staged, rel)) = entry(line) else { continue };
                if staging.join(staged).exists() {
                    recovered.finished.push(PathBuf::from(rel));
                }
            }
            finish(root, &plan, &mut Stop::default())?;
        }
        Err(_) if staging.exists() => fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?,
        Err(_) => {}
    }
    Ok(recovered)
}

/// Moves each staged file of `plan` into place, then removes the staging folder.
fn finish(root: &Path, plan: &str, stop: &mut Stop) -> Result<(), Error> {
    let staging = root.join(STAGING_DIR);
    let mut edited = Vec::new();
    let mut folders = Vec::new();
    for line in plan.lines() {
        let Some((old, new, staged, rel)) = entry(line) else {
            return Err(unreadable_plan(line));
        };
        let staged = staging.join(staged);
        let dest = root.join(rel);
        if !staged.exists() {
            continue; // moved into place before the run stopped
        }
        let now = digest(&dest);
        if now != old && now != new {
            edited.push(rel.to_string());
            continue;
        }
        let parent = dest.parent().unwrap_or(root).to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        fs::rename(&staged, &dest).map_err(|e| Error::io(&dest, e))?;
        if !folders.contains(&parent) {
            folders.push(parent);
        }
        stop.step();
    }
    for folder in &folders {
        sync(folder)?;
    }
    if !edited.is_empty() {
        return Err(Error::Content(
            edited
                .iter()
                .map(|rel| {
                    Diagnostic::error(rel.as_str(), "this file was edited after an interrupted `boardpack measure`, which had not finished writing it; your version is kept")
                        .help(format!("the interrupted run's version is in {STAGING_DIR}/: delete that folder to discard it, then run boardpack measure again"))
                })
                .collect(),
        ));
    }
    fs::remove_file(staging.join(PLAN)).map_err(|e| Error::io(&staging, e))?;
    stop.step();
    fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))
}

/// One line of a plan: the SHA-256 of the file replaced (`-`: none), of the
/// staged file, the staged file's name, and where it goes. Only a staged
/// file's own name and a path to a month's `kpis.toml` or evidence file are
/// accepted, so a plan edited by hand can never move a file outside `content/`.
fn entry(line: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = line.split('\t');
    let (old, new, staged, rel) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let plain = staged.bytes().all(|b| b.is_ascii_digit()) && !staged.is_empty();
    (parts.next().is_none() && plain && month_file(Path::new(rel))).then_some((old, new, staged, rel))
}

/// `content/YYYY-MM/kpis.toml` or `content/YYYY-MM/evidence/NAME.csv` (or a
/// quarter's: `content/2026-Q3/…`), nothing else.
fn month_file(rel: &Path) -> bool {
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().unwrap_or(""),
            _ => "",
        })
        .collect();
    // A quarter's folder is named for its fiscal year: `2026-Q3`, or
    // `FY2027-Q1` for any year not starting in January (read here as February).
    let quarter = |s: &str| [1, 2].into_iter().any(|start| crate::base::period::Quarter::parse(s, start).is_ok());
    let month = |s: &str| s.parse::<crate::base::period::Month>().is_ok() || quarter(s);
    match parts.as_slice() {
        ["content", m, "kpis.toml"] => month(m),
        ["content", m, "evidence", name] => month(m) && name.ends_with(".csv") && !name.starts_with('.'),
        _ => false,
    }
}

fn unreadable_plan(line: &str) -> Error {
    Error::Content(vec![Diagnostic::error(
        format!("{STAGING_DIR}/{PLAN}"),
        format!("the record of an interrupted `boardpack measure` has a line boardpack cannot read: {line:?}"),
    )
    .help(format!("delete {STAGING_DIR}/ and run boardpack measure again"))])
}

/// A path with `/` between its parts, on every system.
fn slashed(rel: &Path) -> String {
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Flushes a file or folder to the disk, so the plan is never on disk before
/// what it names, and a set moved into place stays moved after a power cut.
fn sync(path: &Path) -> Result<(), Error> {
    match fs::File::open(path).and_then(|f| f.sync_all()) {
        Ok(()) => Ok(()),
        // Windows cannot open a folder to flush it; its renames are flushed by the file system.
        Err(_) if cfg!(windows) && path.is_dir() => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Renames work only within one file system: checked (against the nearest
/// folder of `dest` that exists) before anything is moved, so a set is never
/// left half in place for that reason.
fn same_file_system(staging: &Path, dest: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let folder = dest.ancestors().skip(1).find(|p| p.is_dir()).unwrap_or(dest);
        let dev = |p: &Path| fs::metadata(p).map(|m| m.dev()).map_err(|e| Error::io(p, e));
        if dev(staging)? != dev(folder)? {
            return Err(Error::Content(vec![Diagnostic::error(
                folder.display().to_string(),
                format!("this folder is on another file system than {STAGING_DIR}/, where measure prepares its files"),
            )
            .help("keep content/ and .boardpack/ on one file system (a mount inside the project prevents it)")]));
        }
    }
    let _ = (staging, dest);
    Ok(())
}

/// The `.boardpack-XXXXXX` temporary files (tempfile's six random letters)
/// that versions before this one could leave in a month's folder or its
/// evidence when stopped while writing: removed, since `git add -A` would
/// commit them.
fn remove_old_temporary_files(root: &Path) -> Vec<PathBuf> {
    let content = root.join(crate::load::project::CONTENT_DIR);
    let mut removed = Vec::new();
    let Ok(months) = fs::read_dir(&content) else { return removed };
    for month in months.flatten() {
        let folder = month.path();
        if month.file_name().to_str().and_then(|n| n.parse::<crate::base::period::Month>().ok()).is_none() {
            continue;
        }
        for dir in [folder.clone(), folder.join(crate::load::project::EVIDENCE_DIR)] {
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            for e in entries.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                let temporary = name
                    .strip_prefix(".boardpack-")
                    .is_some_and(|rest| rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
                if temporary && e.file_type().is_ok_and(|t| t.is_file()) && fs::remove_file(e.path()).is_ok() {
                    removed.push(e.path().strip_prefix(root).unwrap_or(&e.path()).to_path_buf());
                }
            }
        }
    }
    removed.sort();
    removed
}

/// Test builds only: `BOARDPACK_TEST_MEASURE_STOP=N` ends the process at the
/// Nth step of writing a set (a file staged, the plan written, a file moved
/// into place, the plan removed), as `kill -9` would: no destructor runs and
/// no temporary file is cleaned up. Release builds have no such hook.
#[derive(Debug, Default)]
struct Stop {
    at: Option<usize>,
    done: usize,
}

impl Stop {
    fn from_env() -> Stop {
        let at = if cfg!(debug_assertions) {
            std::env::var("BOARDPACK_TEST_MEASURE_STOP").ok().and_then(|n| n.parse().ok())
        } else {
            None
        };
        Stop { at, done: 0 }
    }

    fn step(&mut self) {
        self.done += 1;
        if self.at == Some(self.done) {
            let _ = std::io::stderr().flush();
            std::process::exit(137);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_names_only_month_files_by_their_staged_number() {
        for ok in [
            "content/2026-10/kpis.toml",
            "content/2026-10/evidence/lead-time.csv",
            "content/2026-Q3/evidence/lead-time.csv",
            "content/FY2027-Q1/kpis.toml",
        ] {
            assert!(month_file(Path::new(ok)), "{ok}");
            assert!(entry(&format!("-\tabc\t3\t{ok}")).is_some());
        }
        for bad in [
            "content/2026-10/../../etc/passwd",
            "/etc/passwd",
            "content/2026-10/commentary.md",
            "content/catalogue.toml",
            "content/2026-13/kpis.toml",
            "content/2026-Q5/kpis.toml",
            "content/FY2026/kpis.toml",
            "content/2026-10/evidence/.boardpack-abcdef",
            "content/2026-10/evidence/x.csv/y",
        ] {
            assert!(!month_file(Path::new(bad)), "{bad}");
        }
        assert!(entry("-\tabc\t../x\tcontent/2026-10/kpis.toml").is_none());
        assert!(entry("-\tabc\t3").is_none());
    }
}
