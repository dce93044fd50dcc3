//! The output folder always holds a whole site, old or new: never nothing,
//! never half; leftovers of an interrupted build are cleared; a folder that
//! cannot be replaced fails before anything is; git repositories are never
//! replaced.

use std::fs;
use std::path::Path;

use crate::common::*;

fn minimal() -> tempfile::TempDir {
    copy_project(&repo().join("examples/minimal"))
}

fn build_args(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap(), "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    boardpack(&args)
}

/// A git repository is never replaced, `--force` or not: the project's
/// `.git`, a folder inside any `.git`, and a folder holding one.
#[test]
fn git_repositories_are_refused_even_with_force() {
    let project = minimal();
    let p = project.path();
    fs::create_dir_all(p.join(".git/refs")).unwrap();
    fs::write(p.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let repo_dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(repo_dir.path().join(".git")).unwrap();
    fs::write(repo_dir.path().join("thesis.tex"), "years of work").unwrap();
    let worktree = tempfile::tempdir().unwrap();
    fs::write(worktree.path().join(".git"), "gitdir: /elsewhere/.git/worktrees/x\n").unwrap();
    let nested = tempfile::tempdir().unwrap();
    fs::create_dir_all(nested.path().join("code/app/.git")).unwrap();
    let before = (tree(p), tree(repo_dir.path()), tree(worktree.path()), tree(nested.path()));
    let cases = [
        (p.join(".git"), "inside a .git folder"),
        (p.join(".git/refs"), "inside a .git folder"),
        (p.join(".git/site"), "inside a .git folder"),
        (repo_dir.path().to_path_buf(), "git repository"),
        (worktree.path().to_path_buf(), "git repository"),
        (nested.path().to_path_buf(), "git repository"),
    ];
    for (out, why) in &cases {
        for extra in [&[][..], &["--force"][..]] {
            let o = build_args(p, out, extra);
            assert_eq!(o.status.code(), Some(1), "{} {extra:?}", out.display());
            let err = stderr(&o);
            assert!(
                err.contains("refusing to write the site") && err.contains(why),
                "{} {extra:?}: {err}",
                out.display()
            );
        }
    }
    assert_eq!((tree(p), tree(repo_dir.path()), tree(worktree.path()), tree(nested.path())), before);
}
