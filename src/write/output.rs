//! Write stage: puts the rendered site on disk atomically and safely.
//!
//! The site is written into a staging folder beside the output
//! (`.boardpack-staging-NAME-XXXXXX`) and swapped in only when every file is
//! written, so a failed build leaves the previous output as it was. On Linux
//! the swap is one `renameat2(RENAME_EXCHANGE)`: the output path holds the old
//! site or the new one at every instant, and a build killed at any point leaves
//! a whole site there. Elsewhere, or on a filesystem that refuses the flag
//! (`EINVAL`, `ENOSYS`, `EOPNOTSUPP`: some network and FUSE filesystems), the
//! old output is renamed aside (`.boardpack-old-NAME-XXXXXX`) and the new one
//! renamed in: two renames, between which the output is briefly missing. When
//! there is no output yet, one rename puts it there, atomically.
//!
//! What a swap could trip over is checked before anything is replaced: the
//! parent must be a writable folder (the staging folder is made there before
//! rendering), the output not a mount point, and every folder of the old
//! output writable, since it is deleted after the swap (the output itself is
//! checked before rendering, the folders below it while the site renders).
//!
//! A build of a project keeps the old output instead of deleting it, under the
//! project's `.boardpack/spare/` when that is on the same filesystem (see
//! [`Spare`]): the next build moves unchanged months from it. Nothing is ever
//! written into a kept folder, only renamed or deleted, so the files it shares
//! with the published site (hard links) are never changed through it.
//!
//! Folders an interrupted build left beside this output (the two names above,
//! exactly: a real folder, this output's name, a six-character suffix) are
//! removed at the start of the next build.
//!
//! The output folder carries a marker file; a folder without it that holds
//! anything is never replaced unless the user says `--force`. A folder holding
//! the project itself, a git repository (a folder holding `.git`, or a bare
//! repository) or a folder inside a `.git` folder is never replaced at all.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use sha2::Digest;

use crate::render::SiteFile;
use crate::Error;

/// The file that marks a folder as written by boardpack.
pub(crate) const MARKER: &str = ".boardpack-output";
const MARKER_TEXT: &str =
    "This folder is written by `boardpack build` and replaced on every build.\nDo not keep your own files here.\n";

/// Refuses output folders that would destroy the project or someone's files.
pub(crate) fn check_target(root: &Path, output: &Path, force: bool) -> Result<(), Error> {
    let out = absolute(output)?;
    let root = absolute(root)?;
    let holds_project =
        root.starts_with(&out) || crate::load::workspace::SOURCE_DIRS.iter().any(|dir| out.starts_with(root.join(dir)));
    if holds_project {
        return Err(Error::UnsafeOutput {
            path: output.to_path_buf(),
            reason: "it holds the project itself (its content/, companies/ or themes/); building there would replace your sources"
                .into(),
            help: "choose a separate folder, such as `public` (the default)".into(),
        });
    }
    if out.components().any(|c| matches!(c, Component::Normal(n) if n.eq_ignore_ascii_case(".git"))) {
        return Err(Error::UnsafeOutput {
            path: output.to_path_buf(),
            reason:
                "it is inside a .git folder, where git keeps a repository's history; building there would corrupt it"
                    .into(),
            help: "choose a separate folder, such as `public` (the default)".into(),
        });
    }
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::UnsafeOutput {
            path: output.to_path_buf(),
            reason: "it is a file, not a folder".into(),
            help: "remove the file or choose another output folder".into(),
        });
    }
    let marked = out.join(MARKER).is_file();
    // A marked folder is one boardpack wrote: only a `.git` put at its top
    // (say, to publish it as a branch) is looked for. Any other folder is
    // searched whole before it may be replaced with --force.
    let repository = if marked { git_in(&out, 1) } else { git_in(&out, usize::MAX) };
    if let Some(git) = repository {
        return Err(Error::UnsafeOutput {
            path: output.to_path_buf(),
            reason: format!(
                "it holds a git repository ({}); replacing the folder would delete the repository and its history",
                git.display()
            ),
            help: "choose a separate folder, such as `public` (the default); to publish with git, copy the built site into the repository"
                .into(),
        });
    }
    if force || marked {
        return Ok(());
    }
    let has_files = fs::read_dir(&out).map_err(|e| Error::io(&out, e))?.next().is_some();
    if has_files {
        return Err(Error::UnsafeOutput {
            path: output.to_path_buf(),
            reason: "it already holds files that boardpack did not write".into(),
            help: "choose an empty or new folder, or pass --force to replace everything in it".into(),
        });
    }
    Ok(())
}

/// The first `.git` (folder, or the file of a worktree or submodule) in `dir`,
/// looking `depth` levels down (1: `dir` itself), never following links; or
/// `dir` itself if it is a bare repository (`HEAD`, `objects/` and `refs/`).
fn git_in(dir: &Path, depth: usize) -> Option<PathBuf> {
    if dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir() {
        return Some(dir.to_path_buf());
    }
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(depth)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name().eq_ignore_ascii_case(".git"))
        .map(|e| e.into_path())
}

fn absolute(p: &Path) -> Result<PathBuf, Error> {
    let abs =
        if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().map_err(|e| Error::io(p, e))?.join(p) };
    // Resolve symlinks where the path exists, so `out` and `root` compare
    // truthfully; for a path that does not exist yet, in the part that does
    // (a link to `.git` among its parents must not hide it).
    if let Ok(real) = fs::canonicalize(&abs) {
        return Ok(normalise(&real));
    }
    let abs = normalise(&abs);
    let mut missing = Vec::new();
    let mut existing = abs.as_path();
    while let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) {
        missing.push(name);
        existing = parent;
        if let Ok(real) = fs::canonicalize(existing) {
            return Ok(missing.iter().rev().fold(normalise(&real), |path, name| path.join(name)));
        }
    }
    Ok(abs)
}

/// Removes `.` and `..` components lexically (for paths that do not exist yet).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// What a staging folder's name starts with, before the output's name.
const STAGING_PREFIX: &str = ".boardpack-staging-";
/// What the old output's name starts with while it is set aside (two-rename swap), and a claimed spare's.
const OLD_PREFIX: &str = ".boardpack-old-";
/// The random part of both names: `tempfile`'s letters and digits.
const RANDOM_CHARS: usize = 6;

/// The output's name as it appears in the names of its staging and old
/// folders (at most 100 bytes, so those names stay within the 255 a
/// filesystem allows).
fn name_of(output: &Path) -> String {
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut end = name.len().min(100);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

/// Whether `file` is a staging or old folder's name of the output named `name`:
/// a known prefix, the name, a dash, and exactly six letters or digits.
fn is_leftover(file: &str, name: &str) -> bool {
    [STAGING_PREFIX, OLD_PREFIX].iter().any(|prefix| {
        file.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(name))
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|random| random.len() == RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric()))
    })
}

/// Removes the staging and old folders an interrupted build of `output` left
/// in `parent`: real folders with exactly such a name, nothing else (never a
/// file or a link). Best effort: what cannot be removed now is tried again by
/// the next build.
fn clear_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_folder && entry.file_name().to_str().is_some_and(|f| is_leftover(f, name)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The first existing ancestor of `path` (itself included) that is not a folder.
fn not_a_folder(path: &Path) -> Option<&Path> {
    path.ancestors().find(|p| p.symlink_metadata().is_ok() && !p.is_dir())
}

/// A folder beside the output that a build writes into; it replaces the output
/// only on [`Staging::commit`], and disappears if dropped uncommitted.
pub(crate) struct Staging {
    dir: tempfile::TempDir,
    output: PathBuf,
    /// Whether every folder below the old output can be deleted (checked while the site renders).
    deletable: Option<Deletable>,
    /// Where the old output is kept after the swap, and the one kept by the
    /// build before, if there is one (see [`Spare`]).
    spare: Option<Spare>,
}

/// The output a build replaced, kept under the project (`.boardpack/spare/`)
/// instead of deleted: most of its month folders are the very files of the
/// output that replaced it (hard links), so the next build can take an
/// unchanged month from it with one rename, where taking it from the output
/// costs a folder made and a link per file now, and the same again deleted
/// after the swap. Only a folder whose files are exactly as the record stamps
/// them is taken; the rest is deleted after the next swap.
struct Spare {
    /// Where the replaced output goes after a swap.
    home: PathBuf,
    /// The previous build's spare, renamed to a name of this build's own.
    claimed: Option<PathBuf>,
}

impl Spare {
    /// Claims the spare at `home`, if a build left one, after removing what
    /// an interrupted build claimed and left: the spare is set aside under the
    /// old output's leftover name (`.boardpack-old-ID-XXXXXX`), which
    /// [`clear_leftovers`] knows.
    fn claim(home: PathBuf) -> Spare {
        let (Some(parent), Some(name)) = (home.parent(), home.file_name().and_then(|n| n.to_str())) else {
            return Spare { home, claimed: None };
        };
        clear_leftovers(parent, name);
        let is_folder = fs::symlink_metadata(&home).is_ok_and(|m| m.is_dir());
        let claimed = if is_folder { move_aside(&home, parent, name).ok() } else { None };
        Spare { home, claimed }
    }
}

impl Staging {
    /// Makes the staging folder, after clearing what an interrupted build
    /// left and checking that the output can be replaced: every reason the
    /// final swap could fail that can be known beforehand fails here, before
    /// anything is rendered or replaced.
    ///
    /// `spare` is where the output this build replaces is kept for the next
    /// one (see [`Spare`]); `None` deletes it, as a build without a project
    /// cache must.
    pub(crate) fn new(output: &Path, spare: Option<PathBuf>) -> Result<Staging, Error> {
        let shown = output;
        let output = normalise(&absolute(output)?);
        let parent =
            output.parent().ok_or_else(|| Error::Internal(format!("{} has no parent folder", output.display())))?;
        let name = name_of(&output);
        let created = fs::create_dir_all(parent);
        if let Some(file) = not_a_folder(parent) {
            return Err(Error::Refused {
                what: format!(
                    "cannot write the site to {}: {} is a file, not a folder",
                    shown.display(),
                    file.display()
                ),
                help: "choose an output folder whose parent is a folder (--output, or output_dir in the settings)"
                    .into(),
            });
        }
        let fix = format!("chmod u+w {}", parent.display());
        created.map_err(|e| not_writable(shown, parent, e, &fix))?;
        clear_leftovers(parent, &name);
        let deletable = check_replaceable(shown, &output)?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("{STAGING_PREFIX}{name}-"))
            .rand_bytes(RANDOM_CHARS)
            .tempdir_in(parent)
            .map_err(|e| not_writable(shown, parent, e, &fix))?;
        let spare = spare.map(Spare::claim);
        Ok(Staging { dir, output, deletable, spare })
    }

    /// Writes files into the staging folder, in parallel; safe to call from many threads.
    pub(crate) fn write(&self, files: &[SiteFile]) -> Result<(), Error> {
        // Folders first; then the files, in parallel, with no folder checks.
        self.make_folders(files.iter().map(|f| f.path.as_str()))?;
        files.par_iter().try_for_each(|file| write_file(&safe_join(self.dir.path(), &file.path)?, &file.bytes))
    }

    /// Makes the folders that hold the files at `paths`, each once (in sorted
    /// order a parent comes before its children).
    fn make_folders<'p>(&self, paths: impl Iterator<Item = &'p str>) -> Result<(), Error> {
        let folders: std::collections::BTreeSet<&str> =
            paths.filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir)).collect();
        for folder in folders {
            let dir = safe_join(self.dir.path(), folder)?;
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(())
    }

    /// Removes the folder at `rel` of the staging folder, if it is there.
    pub(crate) fn remove(&self, rel: &str) -> Result<(), Error> {
        let dir = safe_join(self.dir.path(), rel)?;
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io(&dir, e)),
            _ => Ok(()),
        }
    }

    /// Where the file at `rel` of the staging folder is.
    pub(crate) fn path_of(&self, rel: &str) -> Result<PathBuf, Error> {
        safe_join(self.dir.path(), rel)
    }

    /// Puts each file `from` at its path `rel` in the staging folder, as a
    /// hard link (a copy where links are not possible): a file kept by the
    /// project cache, which is only ever replaced or removed there, never
    /// written into.
    pub(crate) fn link_in(&self, files: &[(String, &Path)]) -> Result<(), Error> {
        self.make_folders(files.iter().map(|(rel, _)| rel.as_str()))?;
        for (rel, from) in files {
            link_or_copy(from, &safe_join(self.dir.path(), rel)?)?;
        }
        Ok(())
    }

    /// Puts the files of `from` (a folder of the previous output) at `rel` in
    /// the staging folder, if the folder is still exactly as recorded (its
    /// [`stamp`] is `expected`): as hard links (no bytes copied; a copy where
    /// links are not possible). The folder is read once, for the check and the
    /// links both. `None` when it changed since, and nothing is linked.
    pub(crate) fn link_unchanged(&self, from: &Path, rel: &str, expected: &str) -> Result<Option<Linked>, Error> {
        if let Some(moved) = self.take_spare(rel, expected)? {
            return Ok(Some(moved));
        }
        let Some(listing) = Listing::of(from) else { return Ok(None) };
        if listing.stamp != expected {
            return Ok(None);
        }
        let base = safe_join(self.dir.path(), rel)?;
        fs::create_dir_all(&base).map_err(|e| Error::io(&base, e))?;
        for dir in &listing.folders {
            let target = base.join(dir);
            fs::create_dir_all(&target).map_err(|e| Error::io(&target, e))?;
        }
        let mut copied = false;
        for file in &listing.files {
            copied |= link_or_copy(&from.join(file), &base.join(file))?;
        }
        // A hard link is the same file, with the same size and time: the
        // copy's stamp is the one just checked. A copied file has a new time.
        let stamp = if copied { self.stamp(rel) } else { Some(listing.stamp.clone()) };
        Ok(Some(Linked { paths: listing.paths(rel), stamp }))
    }

    /// Moves the folder at `rel` of the spare into the staging folder, if it
    /// is exactly as stamped (`expected`) and holds only files and folders.
    fn take_spare(&self, rel: &str, expected: &str) -> Result<Option<Linked>, Error> {
        let Some(claimed) = self.spare.as_ref().and_then(|s| s.claimed.as_deref()) else { return Ok(None) };
        let from = safe_join(claimed, rel)?;
        // Only real folders are moved: a link on the way could lead out of the spare.
        let real = |rel: &Path| fs::symlink_metadata(claimed.join(rel)).is_ok_and(|m| m.is_dir());
        if !Path::new(rel).ancestors().filter(|a| !a.as_os_str().is_empty()).all(real) {
            return Ok(None);
        }
        let Some(listing) = Listing::of(&from).filter(|l| l.stamp == expected && !l.foreign) else {
            return Ok(None);
        };
        let to = safe_join(self.dir.path(), rel)?;
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        if fs::rename(&from, &to).is_err() {
            return Ok(None);
        }
        Ok(Some(Linked { paths: listing.paths(rel), stamp: Some(listing.stamp.clone()) }))
    }

    /// The [`stamp`] of a folder of the staging folder.
    pub(crate) fn stamp(&self, rel: &str) -> Option<String> {
        stamp(&safe_join(self.dir.path(), rel).ok()?)
    }

    /// Marks the folder as boardpack's and swaps it in for the output, once
    /// the old output is known to be deletable.
    pub(crate) fn commit(self) -> Result<(), Error> {
        if let Some(check) = self.deletable {
            check.join().map_err(|_| Error::Internal("the check of the old output panicked".into()))??;
        }
        write_file(&self.dir.path().join(MARKER), MARKER_TEXT.as_bytes())?;
        let keep = self.spare.as_ref().map(|s| s.home.as_path());
        let swapped = swap_in(self.dir, &self.output, keep, exchange);
        // What this build did not take from the previous spare is stale.
        if let Some(claimed) = self.spare.and_then(|s| s.claimed) {
            let _ = fs::remove_dir_all(claimed);
        }
        swapped
    }
}

/// The error for a folder the site cannot be written in; `chmod` is the
/// command that would fix missing permissions (on the whole old output, or on
/// one parent).
fn not_writable(output: &Path, folder: &Path, e: io::Error, chmod: &str) -> Error {
    // EPERM (1 on Linux and macOS): not the permission bits, an attribute.
    let fix = match e.kind() {
        io::ErrorKind::PermissionDenied if cfg!(unix) && e.raw_os_error() == Some(1) => {
            "it is marked immutable or append-only (`lsattr -d`); clear that".to_string()
        }
        io::ErrorKind::PermissionDenied => format!("make it writable for you (`{chmod}`)"),
        io::ErrorKind::ReadOnlyFilesystem => "it is on a read-only filesystem; remount it writable".to_string(),
        _ => "make sure you can create and delete folders there".to_string(),
    };
    Error::Refused {
        what: format!(
            "cannot write the site to {}: the folder {} is not writable ({e}); nothing was replaced",
            output.display(),
            folder.display()
        ),
        help: format!("{fix}, or choose another folder with --output"),
    }
}

/// Fails if the existing `output` could not be replaced after rendering: if
/// it is a mount point (a mount point cannot be renamed), or if it or any
/// folder in it is not writable for this process (it could not be deleted
/// once swapped out). `access(2)` answers as the kernel would for this
/// process: root passes read-only permission bits, but not a read-only
/// filesystem or an immutable folder.
///
/// The output itself is checked now. The folders below it are checked on a
/// thread while the site renders (on a 100-company portfolio that walk takes
/// ~0.3 s); [`Staging::commit`] waits for its answer before replacing anything.
fn check_replaceable(shown: &Path, output: &Path) -> Result<Option<Deletable>, Error> {
    let Ok(meta) = fs::symlink_metadata(output) else { return Ok(None) };
    if !meta.is_dir() {
        return Ok(None);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = output.parent().and_then(|p| fs::metadata(p).ok());
        if parent.is_some_and(|p| p.dev() != meta.dev()) {
            return Err(Error::Refused {
                what: format!(
                    "cannot replace the site in {}: it is a mount point, and a build replaces the folder itself",
                    shown.display()
                ),
                help: format!(
                    "build into a folder inside it (e.g. --output {}), or elsewhere and copy the site in",
                    shown.join("site").display()
                ),
            });
        }
        deletable(shown, output, output)?;
        let (shown, output) = (shown.to_path_buf(), output.to_path_buf());
        Ok(Some(std::thread::spawn(move || {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            match rustix::fs::open(&output, flags, Mode::empty()) {
                Ok(fd) => deletable_below(&shown, fd, Path::new("")),
                Err(_) => Ok(()),
            }
        })))
    }
    #[cfg(not(unix))]
    {
        let _ = shown;
        Ok(None)
    }
}

/// The answer of the walk [`check_replaceable`] runs on a thread.
type Deletable = std::thread::JoinHandle<Result<(), Error>>;

/// Whether the folder `dir` of the old output (shown as `shown`) can be
/// emptied and deleted: readable, writable and searchable.
#[cfg(unix)]
fn deletable(shown: &Path, output: &Path, dir: &Path) -> Result<(), Error> {
    use rustix::fs::{access, Access};
    access(dir, Access::READ_OK | Access::WRITE_OK | Access::EXEC_OK).map_err(|e| {
        let folder = match dir.strip_prefix(output) {
            Ok(rel) if rel.as_os_str().is_empty() => shown.to_path_buf(),
            Ok(rel) => shown.join(rel),
            Err(_) => dir.to_path_buf(),
        };
        not_writable(shown, &folder, io::Error::from(e), &format!("chmod -R u+w {}", shown.display()))
    })
}

/// [`deletable`] for every folder below the open folder `fd` (at `rel` in the
/// old output shown as `shown`), each looked up in its parent's descriptor:
/// a rebuild checks some 24,000 folders at 100 companies × 36 months, and
/// walking each one's whole path again was most of that. Folders that cannot
/// be listed are passed over here, as their parent's check covers them.
#[cfg(unix)]
fn deletable_below(shown: &Path, fd: std::os::fd::OwnedFd, rel: &Path) -> Result<(), Error> {
    use rustix::fs::{Access, AtFlags, FileType, Mode, OFlags};
    let Some((dir, entries)) = entries(fd) else { return Ok(()) };
    let Ok(fd) = dir.fd() else { return Ok(()) };
    for (name, _) in entries.iter().filter(|(_, kind)| *kind == FileType::Directory) {
        let folder = rel.join(name);
        rustix::fs::accessat(
            fd,
            name.as_os_str(),
            Access::READ_OK | Access::WRITE_OK | Access::EXEC_OK,
            AtFlags::empty(),
        )
        .map_err(|e| {
            let chmod = format!("chmod -R u+w {}", shown.display());
            not_writable(shown, &shown.join(&folder), io::Error::from(e), &chmod)
        })?;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        if let Ok(child) = rustix::fs::openat(fd, name.as_os_str(), flags, Mode::empty()) {
            deletable_below(shown, child, &folder)?;
        }
    }
    Ok(())
}

/// The entries of the open folder `fd` (not `.` and `..`), each with its
/// type, asked of the filesystem where the listing does not say; and the
/// folder, still open, to look them up in. `None` if it cannot be read.
#[cfg(unix)]
fn entries(fd: std::os::fd::OwnedFd) -> Option<(rustix::fs::Dir, Vec<(std::ffi::OsString, rustix::fs::FileType)>)> {
    use std::os::unix::ffi::OsStrExt;

    use rustix::fs::{AtFlags, Dir, FileType};
    let mut dir = Dir::new(fd).ok()?;
    let mut entries = Vec::new();
    while let Some(entry) = dir.read() {
        let entry = entry.ok()?;
        let name = entry.file_name().to_bytes();
        if name != b"." && name != b".." {
            entries.push((std::ffi::OsStr::from_bytes(name).to_os_string(), entry.file_type()));
        }
    }
    let fd = dir.fd().ok()?;
    for (name, kind) in &mut entries {
        if *kind == FileType::Unknown {
            let st = rustix::fs::statat(fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW).ok()?;
            *kind = FileType::from_raw_mode(st.st_mode);
        }
    }
    Some((dir, entries))
}

/// Hard-links `from` at `to`, or copies it where a link is not possible
/// (another filesystem); whether it copied.
fn link_or_copy(from: &Path, to: &Path) -> Result<bool, Error> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(false);
    }
    fs::copy(from, to).map_err(|e| Error::io(to, e))?;
    Ok(true)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// What [`Staging::link_unchanged`] put in the staging folder.
pub(crate) struct Linked {
    /// The paths, relative to the staging folder.
    pub(crate) paths: Vec<String>,
    /// The [`stamp`] of the folder as it is now in the staging folder.
    pub(crate) stamp: Option<String>,
}

/// A digest of every file under `dir` — its path, size and modification time —
/// so that a later build can tell cheaply (without reading the files) that a
/// folder of its previous output is still exactly as that build wrote it.
pub(crate) fn stamp(dir: &Path) -> Option<String> {
    Listing::of(dir).map(|l| l.stamp)
}

/// A folder's contents read once: its folders and files, relative to it, in
/// name order (a folder before what is in it), and their [`stamp`].
struct Listing {
    folders: Vec<PathBuf>,
    files: Vec<PathBuf>,
    stamp: String,
    /// Whether it holds anything but files and folders (a link), which the stamp leaves out.
    foreign: bool,
}

impl Listing {
    /// Its files' paths as the site names them, the folder being at `rel`.
    fn paths(&self, rel: &str) -> Vec<String> {
        self.files.iter().map(|f| format!("{rel}/{}", f.to_string_lossy().replace('\\', "/"))).collect()
    }

    /// `None` if the folder, or anything in it, cannot be read.
    fn of(dir: &Path) -> Option<Listing> {
        let mut listing = Listing { folders: Vec::new(), files: Vec::new(), stamp: String::new(), foreign: false };
        let mut h = sha2::Sha256::new();
        listing.walk(dir, &mut h)?;
        listing.stamp = crate::base::digest::hex(&h.finalize());
        Some(listing)
    }

    /// Adds one file to the stamp: its path (relative to the listed folder),
    /// size and modification time, in one line.
    fn stamp_file(&mut self, h: &mut sha2::Sha256, rel: PathBuf, len: u64, secs: u64, nanos: u32) {
        h.update(format!("{}\0{len}\0{secs}.{nanos}\n", rel.to_string_lossy()));
        self.files.push(rel);
    }

    /// Lists `dir` and what is in it, a folder's contents in name order right
    /// after the folder. Each entry is looked up in its folder's open
    /// descriptor, not by its whole path: a rebuild lists every unchanged
    /// month, and walking the path from the root again for every file was
    /// a third of that cost.
    #[cfg(unix)]
    fn walk(&mut self, dir: &Path, h: &mut sha2::Sha256) -> Option<()> {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::open(dir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty()).ok()?;
        self.walk_fd(fd, PathBuf::new(), h)
    }

    #[cfg(unix)]
    fn walk_fd(&mut self, fd: std::os::fd::OwnedFd, prefix: PathBuf, h: &mut sha2::Sha256) -> Option<()> {
        use rustix::fs::{AtFlags, FileType, Mode, OFlags};
        let (dir, mut entries) = entries(fd)?;
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let fd = dir.fd().ok()?;
        for (name, kind) in entries {
            let rel = prefix.join(&name);
            match kind {
                FileType::Directory => {
                    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
                    let child = rustix::fs::openat(fd, name.as_os_str(), flags, Mode::empty()).ok()?;
                    self.folders.push(rel.clone());
                    self.walk_fd(child, rel, h)?;
                }
                FileType::RegularFile => {
                    let st = rustix::fs::statat(fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW).ok()?;
                    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
                        return None;
                    }
                    let secs = u64::try_from(st.st_mtime).ok()?;
                    let nanos = u32::try_from(st.st_mtime_nsec).ok()?;
                    self.stamp_file(h, rel, u64::try_from(st.st_size).ok()?, secs, nanos);
                }
                _ => self.foreign = true,
            }
        }
        Some(())
    }

    #[cfg(not(unix))]
    fn walk(&mut self, dir: &Path, h: &mut sha2::Sha256) -> Option<()> {
        for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
            let entry = entry.ok()?;
            let rel = entry.path().strip_prefix(dir).ok()?.to_path_buf();
            if entry.file_type().is_dir() {
                self.folders.push(rel);
            } else if entry.file_type().is_file() {
                let meta = entry.metadata().ok()?;
                let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
                self.stamp_file(h, rel, meta.len(), modified.as_secs(), modified.subsec_nanos());
            } else {
                self.foreign = true;
            }
        }
        Some(())
    }
}

/// Joins a site-relative path, refusing anything that could climb out of the folder.
fn safe_join(base: &Path, rel: &str) -> Result<PathBuf, Error> {
    let p = Path::new(rel);
    let ok = p.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !ok {
        return Err(Error::Internal(format!("refusing to write `{rel}`: not a plain relative path")));
    }
    Ok(base.join(p))
}

/// Swaps two paths atomically: `renameat2(RENAME_EXCHANGE)`. A filesystem
/// that cannot (`EINVAL`, `ENOSYS`, `EOPNOTSUPP`) answers
/// [`io::ErrorKind::Unsupported`].
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(|e| match e {
        Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP => io::Error::new(io::ErrorKind::Unsupported, e),
        e => io::Error::from(e),
    })
}

/// No atomic exchange here: the swap takes two renames.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Replaces `output` with the staged site: one rename if there is no output
/// yet; otherwise one atomic exchange, or, where `exchange` is unsupported,
/// [`two_renames`]. Whatever is left at the staging path afterwards (the old
/// site after an exchange, or the unused new one after a failure) is deleted.
fn swap_in(
    staging: tempfile::TempDir,
    output: &Path,
    keep: Option<&Path>,
    exchange: fn(&Path, &Path) -> io::Result<()>,
) -> Result<(), Error> {
    let staged = staging.keep();
    let swapped = if fs::symlink_metadata(output).is_err() {
        fs::rename(&staged, output)
    } else {
        match exchange(&staged, output) {
            Err(e) if e.kind() == io::ErrorKind::Unsupported => two_renames(&staged, output),
            done => done,
        }
    };
    // After an exchange the old site is at the staging path: kept as the
    // spare where there is one (never the unused new site of a failed swap).
    let kept = swapped.is_ok()
        && fs::symlink_metadata(&staged).is_ok()
        && keep.is_some_and(|home| keep_as_spare(&staged, home));
    let cleaned = match fs::symlink_metadata(&staged) {
        Ok(_) if !kept => remove_tree(&staged).map_err(|e| Error::io(&staged, e)),
        _ => Ok(()),
    };
    swapped.map_err(|e| Error::io(output, e))?;
    cleaned
}

/// Moves the old site to `home` (the spare): `false` when it cannot (another
/// filesystem, say), and it is deleted instead.
fn keep_as_spare(old: &Path, home: &Path) -> bool {
    home.parent().is_some_and(|p| fs::create_dir_all(p).is_ok())
        && fs::symlink_metadata(home).is_err()
        && fs::rename(old, home).is_ok()
}

/// The swap without an atomic exchange: the old output is moved aside, the
/// new one renamed in, and the old one removed; on failure the old one is put
/// back. Between the two renames the output is missing; a build killed there
/// leaves the old site in `.boardpack-old-NAME-XXXXXX`, which the next build removes.
fn two_renames(staged: &Path, output: &Path) -> io::Result<()> {
    let parent = output.parent().unwrap_or(Path::new("."));
    let aside = move_aside(output, parent, &name_of(output))?;
    if let Err(e) = fs::rename(staged, output) {
        let _ = fs::rename(&aside, output);
        return Err(e);
    }
    remove_tree(&aside)
}

/// Renames the folder `from` to a new name in `parent` that
/// [`clear_leftovers`] removes if a build stops before it does
/// (`.boardpack-old-NAME-XXXXXX`), and returns that path.
fn move_aside(from: &Path, parent: &Path, name: &str) -> io::Result<PathBuf> {
    let aside = tempfile::Builder::new()
        .prefix(&format!("{OLD_PREFIX}{name}-"))
        .rand_bytes(RANDOM_CHARS)
        .tempdir_in(parent)?
        .keep();
    fs::remove_dir(&aside)?;
    fs::rename(from, &aside)?;
    Ok(aside)
}

/// Deletes a folder of the old site, its top-level entries (a portfolio's
/// companies, a report's months) in parallel: deleting is one system call per
/// file, and a 100-company site has 60,000 of them.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| match entry.file_type()? {
        t if t.is_dir() => fs::remove_dir_all(entry.path()),
        _ => fs::remove_file(entry.path()),
    })?;
    fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_climb_out() {
        assert!(safe_join(Path::new("/tmp/x"), "../etc/passwd").is_err());
        assert!(safe_join(Path::new("/tmp/x"), "/etc/passwd").is_err());
        assert!(safe_join(Path::new("/tmp/x"), "2026-10/index.html").is_ok());
    }

    #[test]
    fn refuses_the_project_and_its_sources() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content")).unwrap();
        for bad in [
            root.to_path_buf(),
            root.join("content"),
            root.join("content/2026-10"),
            root.join("themes/x"),
            root.join(".."),
        ] {
            assert!(matches!(check_target(root, &bad, true), Err(Error::UnsafeOutput { .. })), "{}", bad.display());
        }
        assert!(check_target(root, &root.join("public"), false).is_ok());
    }

    #[test]
    fn refuses_a_folder_of_someone_elses_files_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(check_target(&dir.path().join("project"), &out, false).is_err());
        assert!(check_target(&dir.path().join("project"), &out, true).is_ok());
    }

    #[test]
    fn leftover_names_are_exactly_ours() {
        for ours in
            [".boardpack-staging-public-AbC123", ".boardpack-old-public-000000", ".boardpack-old-my-site-zzzzzz"]
        {
            let name = if ours.contains("my-site") { "my-site" } else { "public" };
            assert!(is_leftover(ours, name), "{ours}");
        }
        for not in [
            ".boardpack-staging-public-AbC12",
            ".boardpack-staging-public-AbC1234",
            ".boardpack-staging-public-AbC-12",
            ".boardpack-staging-publicAbC123",
            ".boardpack-staging-my-site-AbC123",
            ".boardpack-pack-public-AbC123",
            "boardpack-staging-public-AbC123",
            ".boardpack-staging-public-AbC123/",
        ] {
            assert!(!is_leftover(not, "public"), "{not}");
        }
        assert!(!is_leftover(".boardpack-staging-my-site-AbC123", "my"));
    }

    #[test]
    fn git_repositories_and_git_folders_are_refused_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        fs::create_dir_all(root.join(".git")).unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join("deep/down/.git")).unwrap();
        let bare = dir.path().join("site.git");
        fs::create_dir_all(bare.join("objects")).unwrap();
        fs::create_dir_all(bare.join("refs")).unwrap();
        fs::write(bare.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        for bad in [root.join(".git"), root.join(".git/objects"), root.join(".GIT/x"), repo.clone(), bare] {
            for force in [false, true] {
                let refused = matches!(check_target(&root, &bad, force), Err(Error::UnsafeOutput { .. }));
                assert!(refused, "{} force={force}", bad.display());
            }
        }
        // A folder boardpack wrote is looked at only at its top.
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("vendor/.git")).unwrap();
        fs::write(out.join(MARKER), MARKER_TEXT).unwrap();
        assert!(check_target(&root, &out, false).is_ok());
        fs::create_dir_all(out.join(".git")).unwrap();
        assert!(check_target(&root, &out, true).is_err());
    }

    /// The swap where the filesystem refuses an atomic exchange: two renames.
    #[test]
    fn without_an_exchange_the_swap_falls_back_to_two_renames() {
        fn refuse(_: &Path, _: &Path) -> io::Result<()> {
            Err(io::ErrorKind::Unsupported.into())
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("old.html"), "old").unwrap();
        let staging = tempfile::Builder::new().prefix(".boardpack-staging-public-").tempdir_in(dir.path()).unwrap();
        fs::write(staging.path().join("new.html"), "new").unwrap();
        swap_in(staging, &out, None, refuse).unwrap();
        assert_eq!(fs::read(out.join("new.html")).unwrap(), b"new");
        assert!(!out.join("old.html").exists());
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")], "nothing left beside it");
    }

    fn write_site(output: &Path, files: &[SiteFile]) -> Result<(), Error> {
        let staging = Staging::new(output, None)?;
        staging.write(files)?;
        staging.commit()
    }

    #[test]
    fn writes_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let files = vec![SiteFile { path: "a/index.html".into(), bytes: b"one".to_vec() }];
        write_site(&out, &files).unwrap();
        assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");
        assert!(out.join(MARKER).is_file());
        let files = vec![SiteFile { path: "b.html".into(), bytes: b"two".to_vec() }];
        write_site(&out, &files).unwrap();
        assert!(!out.join("a").exists(), "stale files are gone");
        assert_eq!(fs::read(out.join("b.html")).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")], "no staging folders left behind");
    }

    /// A listing names a folder's folders and files in name order, each
    /// folder's contents right after it, and its stamp is one line per file
    /// (path, size, modification time): the format the records of earlier
    /// builds hold, so they stay valid. A link is noted, never followed.
    #[test]
    fn a_listing_is_in_name_order_and_its_stamp_is_one_line_per_file() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let month = dir.path().join("2026-10");
        for (path, bytes) in
            [("index.html", "month"), ("b/index.html", "page"), ("b/c/x.svg", "<svg/>"), ("a.csv", "1")]
        {
            let path = month.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        let listing = Listing::of(&month).unwrap();
        assert_eq!(listing.folders, [PathBuf::from("b"), PathBuf::from("b/c")]);
        assert_eq!(
            listing.paths("2026-10"),
            ["2026-10/a.csv", "2026-10/b/c/x.svg", "2026-10/b/index.html", "2026-10/index.html"]
        );
        assert!(!listing.foreign);
        let lines: String = ["a.csv", "b/c/x.svg", "b/index.html", "index.html"]
            .iter()
            .map(|f| {
                let meta = fs::metadata(month.join(f)).unwrap();
                format!("{f}\0{}\0{}.{}\n", meta.len(), meta.mtime(), meta.mtime_nsec())
            })
            .collect();
        assert_eq!(listing.stamp, crate::base::digest::sha256(lines.as_bytes()));

        std::os::unix::fs::symlink(dir.path(), month.join("b/link")).unwrap();
        let linked = Listing::of(&month).unwrap();
        assert!(linked.foreign && linked.files == listing.files, "the link is noted and not followed");
    }

    /// A month folder of the previous output is linked only while it is as
    /// stamped, and the stamp of the links is the one checked (no second read).
    #[test]
    fn an_unchanged_folder_is_linked_with_its_stamp_and_a_changed_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let files = [
            SiteFile { path: "2026-10/index.html".into(), bytes: b"month".to_vec() },
            SiteFile { path: "2026-10/charts/lead-time.svg".into(), bytes: b"<svg/>".to_vec() },
            SiteFile { path: "2026-10/delivery/index.html".into(), bytes: b"page".to_vec() },
        ];
        write_site(&out, &files).unwrap();
        let month = out.join("2026-10");
        let stamped = stamp(&month).unwrap();

        let staging = Staging::new(&out, None).unwrap();
        let linked = staging.link_unchanged(&month, "2026-10", &stamped).unwrap().unwrap();
        assert_eq!(linked.paths, ["2026-10/charts/lead-time.svg", "2026-10/delivery/index.html", "2026-10/index.html"]);
        assert_eq!(linked.stamp.as_deref(), Some(stamped.as_str()));
        assert_eq!(staging.stamp("2026-10").as_deref(), Some(stamped.as_str()), "read again, the same stamp");
        assert_eq!(fs::read(staging.dir.path().join("2026-10/charts/lead-time.svg")).unwrap(), b"<svg/>");

        fs::write(month.join("delivery/notes.txt"), "added by hand").unwrap();
        let staging = Staging::new(&out, None).unwrap();
        assert!(staging.link_unchanged(&month, "2026-10", &stamped).unwrap().is_none());
        assert!(!staging.dir.path().join("2026-10").exists(), "nothing linked from a changed folder");
    }

    /// The output a build replaced is kept as the spare; the next build moves
    /// a month from it only when its files are exactly as stamped and it holds
    /// nothing else, and otherwise takes the month from the output as before.
    #[test]
    fn the_replaced_output_is_kept_and_an_unchanged_month_is_moved_from_it() {
        let dir = tempfile::tempdir().unwrap();
        let (out, home) = (dir.path().join("public"), dir.path().join(".boardpack/spare/site"));
        let files = [
            SiteFile { path: "2026-09/index.html".into(), bytes: b"september".to_vec() },
            SiteFile { path: "2026-10/index.html".into(), bytes: b"october".to_vec() },
        ];
        write_site(&out, &files).unwrap();
        let stamped = |m: &str| stamp(&out.join(m)).unwrap();
        let (september, october) = (stamped("2026-09"), stamped("2026-10"));
        // A rebuild links both months from the output and keeps the old output as the spare.
        let staging = Staging::new(&out, Some(home.clone())).unwrap();
        for (m, s) in [("2026-09", &september), ("2026-10", &october)] {
            staging.link_unchanged(&out.join(m), m, s).unwrap().unwrap();
        }
        staging.commit().unwrap();
        assert_eq!(fs::read(home.join("2026-10/index.html")).unwrap(), b"october", "the old output is the spare");
        assert!(home.join(MARKER).is_file());

        // Changed in the spare since (a file edited, a link planted): not moved.
        fs::write(home.join("2026-09/index.html"), "edited in the spare").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", home.join("2026-10/leak")).unwrap();
        let staging = Staging::new(&out, Some(home.clone())).unwrap();
        let september_again = staging.link_unchanged(&out.join("2026-09"), "2026-09", &september).unwrap();
        assert!(september_again.is_none(), "the output's September changed too: a hard link is one file");
        staging.link_unchanged(&out.join("2026-10"), "2026-10", &october).unwrap().unwrap();
        assert!(!staging.dir.path().join("2026-10/leak").exists(), "October came from the output, not the spare");
        drop(staging);

        // A month of the spare that is a link to a folder elsewhere, however
        // exactly stamped, is not moved (nor is what it leads to).
        write_site(&home, &files).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::rename(home.join("2026-10"), elsewhere.join("2026-10")).unwrap();
        let expected = stamp(&elsewhere.join("2026-10")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(elsewhere.join("2026-10"), home.join("2026-10")).unwrap();
        let staging = Staging::new(&out, Some(home.clone())).unwrap();
        assert!(staging.link_unchanged(&out.join("nowhere"), "2026-10", &expected).unwrap().is_none());
        assert!(elsewhere.join("2026-10/index.html").is_file(), "what the link leads to stays where it is");
        drop(staging);

        // Unchanged in the spare: moved, not linked, with its stamp (the
        // claimed spare a dropped build left is removed by the next).
        write_site(&home, &files).unwrap();
        let expected = stamp(&home.join("2026-10")).unwrap();
        let staging = Staging::new(&out, Some(home.clone())).unwrap();
        let moved = staging.link_unchanged(&out.join("nowhere"), "2026-10", &expected).unwrap().unwrap();
        assert_eq!(moved.paths, ["2026-10/index.html"]);
        assert_eq!(moved.stamp.as_deref(), Some(expected.as_str()));
        assert_eq!(fs::read(staging.dir.path().join("2026-10/index.html")).unwrap(), b"october");
        assert!(!home.exists(), "the spare was claimed by this build");
    }
}
