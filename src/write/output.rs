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
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::Digest;

use crate::base::digest::Stamp;
use crate::render::SiteFile;
use crate::write::swap::{
    check_replaceable, clear_leftovers, entries, exchange, move_aside, name_of, not_writable, swap_in, Deletable,
    RANDOM_CHARS, STAGING_PREFIX,
};
use crate::write::target::{absolute, normalise, MARKER, MARKER_TEXT};
use crate::Error;

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
    pub(crate) fn link_unchanged(&self, from: &Path, rel: &str, expected: &Stamp) -> Result<Option<Linked>, Error> {
        if let Some(moved) = self.take_spare(rel, expected)? {
            return Ok(Some(moved));
        }
        let Some(listing) = Listing::of(from) else { return Ok(None) };
        if listing.stamp != *expected {
            return Ok(None);
        }
        let base = safe_join(self.dir.path(), rel)?;
        fs::create_dir_all(&base).map_err(|e| Error::io(&base, e))?;
        for dir in &listing.folders {
            let target = base.join(dir);
            fs::create_dir_all(&target).map_err(|e| Error::io(&target, e))?;
        }
        for file in &listing.files {
            link_or_copy(&from.join(file), &base.join(file))?;
        }
        // Linking changes a file's change time (its link count changed), and a
        // copy is a new file: the folder is stamped again as it now is.
        let stamp = self.stamp(rel);
        Ok(Some(Linked { paths: listing.paths(rel), stamp }))
    }

    /// Moves the folder at `rel` of the spare into the staging folder, if it
    /// is exactly as stamped (`expected`) and holds only files and folders.
    fn take_spare(&self, rel: &str, expected: &Stamp) -> Result<Option<Linked>, Error> {
        let Some(claimed) = self.spare.as_ref().and_then(|s| s.claimed.as_deref()) else { return Ok(None) };
        let from = safe_join(claimed, rel)?;
        // Only real folders are moved: a link on the way could lead out of the spare.
        let real = |rel: &Path| fs::symlink_metadata(claimed.join(rel)).is_ok_and(|m| m.is_dir());
        if !Path::new(rel).ancestors().filter(|a| !a.as_os_str().is_empty()).all(real) {
            return Ok(None);
        }
        let Some(listing) = Listing::of(&from).filter(|l| l.stamp == *expected && !l.foreign) else {
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
    pub(crate) fn stamp(&self, rel: &str) -> Option<Stamp> {
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
    pub(crate) stamp: Option<Stamp>,
}

/// A digest of every file under `dir` — its path, size and modification time —
/// so that a later build can tell cheaply (without reading the files) that a
/// folder of its previous output is still exactly as that build wrote it.
pub(crate) fn stamp(dir: &Path) -> Option<Stamp> {
    Listing::of(dir).map(|l| l.stamp)
}

/// A folder's contents read once: its folders and files, relative to it, in
/// name order (a folder before what is in it), and their [`stamp`].
struct Listing {
    folders: Vec<PathBuf>,
    files: Vec<PathBuf>,
    stamp: Stamp,
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
        // The stamp is set once the walk has hashed every file.
        let stamp = Stamp::from_bytes([0; 32]);
        let mut listing = Listing { folders: Vec::new(), files: Vec::new(), stamp, foreign: false };
        let mut h = sha2::Sha256::new();
        listing.walk(dir, &mut h)?;
        listing.stamp = Stamp::from_bytes(h.finalize().into());
        Some(listing)
    }

    /// Adds one file to the stamp: its path (relative to the listed folder),
    /// size, modification time and (on Unix) change time, in one line. The
    /// change time is the kernel's own: a file written in place and given its
    /// old size and modification time back still has a new one.
    fn stamp_file(&mut self, h: &mut sha2::Sha256, rel: PathBuf, len: u64, secs: u64, nanos: u32, changed: &str) {
        h.update(format!("{}\0{len}\0{secs}.{nanos}\0{changed}\n", rel.to_string_lossy()));
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
                    let changed = format!("{}.{}", st.st_ctime, st.st_ctime_nsec);
                    self.stamp_file(h, rel, u64::try_from(st.st_size).ok()?, secs, nanos, &changed);
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
                self.stamp_file(h, rel, meta.len(), modified.as_secs(), modified.subsec_nanos(), "");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_climb_out() {
        assert!(safe_join(Path::new("/tmp/x"), "../etc/passwd").is_err());
        assert!(safe_join(Path::new("/tmp/x"), "/etc/passwd").is_err());
        assert!(safe_join(Path::new("/tmp/x"), "2026-10/index.html").is_ok());
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
                format!(
                    "{f}\0{}\0{}.{}\0{}.{}\n",
                    meta.len(),
                    meta.mtime(),
                    meta.mtime_nsec(),
                    meta.ctime(),
                    meta.ctime_nsec()
                )
            })
            .collect();
        assert_eq!(listing.stamp.as_str(), crate::base::digest::sha256(lines.as_bytes()));

        std::os::unix::fs::symlink(dir.path(), month.join("b/link")).unwrap();
        let linked = Listing::of(&month).unwrap();
        assert!(linked.foreign && linked.files == listing.files, "the link is noted and not followed");
    }

    /// A month folder of the previous output is linked only while it is as
    /// stamped, and the stamp of the links is the folder as it now is (a link
    /// changes each file's change time).
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
        assert_eq!(linked.stamp, staging.stamp("2026-10"), "the links' stamp, read again");
        assert_eq!(stamp(&month), linked.stamp, "the output's files are the same files");
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
        let mut linked = Vec::new();
        for (m, s) in [("2026-09", &september), ("2026-10", &october)] {
            linked.push(staging.link_unchanged(&out.join(m), m, s).unwrap().unwrap().stamp.unwrap());
        }
        // What the build records: the folders as linked.
        let (september, october) = (linked[0].clone(), linked[1].clone());
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
        assert_eq!(moved.stamp, Some(expected));
        assert_eq!(fs::read(staging.dir.path().join("2026-10/index.html")).unwrap(), b"october");
        assert!(!home.exists(), "the spare was claimed by this build");
    }
}
