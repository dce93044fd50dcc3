//! Replacing the old output with the staged one: the checks that the old
//! one can go, the atomic exchange (or two renames), and setting folders aside.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::Error;

/// The error for a folder the site cannot be written in; `chmod` is the
/// command that would fix missing permissions (on the whole old output, or on
/// one parent).
pub(crate) fn not_writable(output: &Path, folder: &Path, e: io::Error, chmod: &str) -> Error {
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
pub(crate) fn check_replaceable(shown: &Path, output: &Path) -> Result<Option<Deletable>, Error> {
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
pub(crate) type Deletable = std::thread::JoinHandle<Result<(), Error>>;

/// Whether the folder `dir` of the old output (shown as `shown`) can be
/// emptied and deleted: readable, writable and searchable.
#[cfg(unix)]
pub(crate) fn deletable(shown: &Path, output: &Path, dir: &Path) -> Result<(), Error> {
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
pub(crate) fn deletable_below(shown: &Path, fd: std::os::fd::OwnedFd, rel: &Path) -> Result<(), Error> {
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
pub(crate) fn entries(
    fd: std::os::fd::OwnedFd,
) -> Option<(rustix::fs::Dir, Vec<(std::ffi::OsString, rustix::fs::FileType)>)> {
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

/// Swaps two paths atomically: `renameat2(RENAME_EXCHANGE)`. A filesystem
/// that cannot (`EINVAL`, `ENOSYS`, `EOPNOTSUPP`) answers
/// [`io::ErrorKind::Unsupported`].
#[cfg(target_os = "linux")]
pub(crate) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(|e| match e {
        Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP => io::Error::new(io::ErrorKind::Unsupported, e),
        e => io::Error::from(e),
    })
}

/// No atomic exchange here: the swap takes two renames.
#[cfg(not(target_os = "linux"))]
pub(crate) fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Replaces `output` with the staged site: one rename if there is no output
/// yet; otherwise one atomic exchange, or, where `exchange` is unsupported,
/// [`two_renames`]. Whatever is left at the staging path afterwards (the old
/// site after an exchange, or the unused new one after a failure) is deleted.
pub(crate) fn swap_in(
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
pub(crate) fn keep_as_spare(old: &Path, home: &Path) -> bool {
    home.parent().is_some_and(|p| fs::create_dir_all(p).is_ok())
        && fs::symlink_metadata(home).is_err()
        && fs::rename(old, home).is_ok()
}

/// The swap without an atomic exchange: the old output is moved aside, the
/// new one renamed in, and the old one removed; on failure the old one is put
/// back. Between the two renames the output is missing; a build killed there
/// leaves the old site in `.boardpack-old-NAME-XXXXXX`, which the next build removes.
pub(crate) fn two_renames(staged: &Path, output: &Path) -> io::Result<()> {
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
pub(crate) fn move_aside(from: &Path, parent: &Path, name: &str) -> io::Result<PathBuf> {
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
pub(crate) fn remove_tree(dir: &Path) -> io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| match entry.file_type()? {
        t if t.is_dir() => fs::remove_dir_all(entry.path()),
        _ => fs::remove_file(entry.path()),
    })?;
    fs::remove_dir(dir)
}

/// What a staging folder's name starts with, before the output's name.
pub(crate) const STAGING_PREFIX: &str = ".boardpack-staging-";

/// What the old output's name starts with while it is set aside (two-rename swap), and a claimed spare's.
pub(crate) const OLD_PREFIX: &str = ".boardpack-old-";

/// The random part of both names: `tempfile`'s letters and digits.
pub(crate) const RANDOM_CHARS: usize = 6;

/// The output's name as it appears in the names of its staging and old
/// folders (at most 100 bytes, so those names stay within the 255 a
/// filesystem allows).
pub(crate) fn name_of(output: &Path) -> String {
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut end = name.len().min(100);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

/// Whether `file` is a staging or old folder's name of the output named `name`:
/// a known prefix, the name, a dash, and exactly six letters or digits.
pub(crate) fn is_leftover(file: &str, name: &str) -> bool {
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
pub(crate) fn clear_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_folder && entry.file_name().to_str().is_some_and(|f| is_leftover(f, name)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
