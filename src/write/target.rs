//! Which folders a build may replace: never the project, its sources, a git
//! repository or someone else's files (unless `--force`, for the last).

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::Error;

/// The file that marks a folder as written by boardpack.
pub(crate) const MARKER: &str = ".boardpack-output";

pub(crate) const MARKER_TEXT: &str =
    "This folder is written by `boardpack build` and replaced on every build.\nDo not keep your own files here.\n";

/// Refuses output folders that would destroy the project or someone's files:
/// the project itself, any folder it reads (`read`: its sources, fonts,
/// exports, repositories and `.boardpack/`, see `load::inputs`) or a folder
/// inside one, whatever `force` says.
pub(crate) fn check_target(root: &Path, output: &Path, force: bool, read: &[PathBuf]) -> Result<(), Error> {
    let out = absolute(output)?;
    let root = absolute(root)?;
    let refuse = |reason: String| Error::UnsafeOutput {
        path: output.to_path_buf(),
        reason,
        help: "choose a separate folder, such as `public` (the default)".into(),
    };
    if root.starts_with(&out) {
        return Err(refuse("it holds the project itself; building there would replace your sources".into()));
    }
    for folder in read {
        let folder = absolute(folder)?;
        let shown = folder.strip_prefix(&root).unwrap_or(&folder).display().to_string();
        if folder.starts_with(&out) {
            return Err(refuse(format!(
                "it holds {shown}/, which the project reads; building there would replace your sources"
            )));
        }
        if out.starts_with(&folder) {
            return Err(refuse(format!(
                "it is inside {shown}/, which the project reads; building there would replace your sources"
            )));
        }
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
pub(crate) fn git_in(dir: &Path, depth: usize) -> Option<PathBuf> {
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

pub(crate) fn absolute(p: &Path) -> Result<PathBuf, Error> {
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
pub(crate) fn normalise(p: &Path) -> PathBuf {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_project_and_its_sources() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content")).unwrap();
        let read = crate::load::inputs::folders_read(root, None);
        for bad in [
            root.to_path_buf(),
            root.join("content"),
            root.join("content/2026-10"),
            root.join("themes/x"),
            root.join(".."),
            // The exports `measure` reads, the project's fonts, what boardpack keeps.
            root.join("data"),
            root.join("fonts"),
            root.join(".boardpack"),
            root.join(".boardpack/cache"),
        ] {
            assert!(
                matches!(check_target(root, &bad, true, &read), Err(Error::UnsafeOutput { .. })),
                "{}",
                bad.display()
            );
        }
        assert!(check_target(root, &root.join("public"), false, &read).is_ok());
    }

    #[test]
    fn refuses_a_folder_of_someone_elses_files_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(check_target(&dir.path().join("project"), &out, false, &[]).is_err());
        assert!(check_target(&dir.path().join("project"), &out, true, &[]).is_ok());
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
                let refused = matches!(check_target(&root, &bad, force, &[]), Err(Error::UnsafeOutput { .. }));
                assert!(refused, "{} force={force}", bad.display());
            }
        }
        // A folder boardpack wrote is looked at only at its top.
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("vendor/.git")).unwrap();
        fs::write(out.join(MARKER), MARKER_TEXT).unwrap();
        assert!(check_target(&root, &out, false, &[]).is_ok());
        fs::create_dir_all(out.join(".git")).unwrap();
        assert!(check_target(&root, &out, true, &[]).is_err());
    }
}
