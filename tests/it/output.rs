//! The output folder always holds a whole site, old or new: never nothing,
//! never half; leftovers of an interrupted build are cleared; a folder that
//! cannot be replaced fails before anything is; git repositories are never
//! replaced.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;

fn minimal() -> tempfile::TempDir {
    copy_project(&repo().join("examples/minimal"))
}

fn build_args(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap(), "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    boardpack(&args)
}

/// Names in `dir` a build's staging leaves (`.boardpack-…`; the project
/// cache, `.boardpack/`, is meant to stay).
fn boardpack_leftovers(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".boardpack-"))
        .collect();
    found.sort();
    found
}

/// A reader polling `public/index.html` while the site is rebuilt 20 times
/// never finds it missing (the swap is one atomic exchange on Linux).
#[cfg(target_os = "linux")]
#[test]
fn the_output_never_disappears_during_builds() {
    let project = minimal();
    let out = project.path().join("public");
    build(project.path(), &out);
    let stop = Arc::new(AtomicBool::new(false));
    let (missing, polls) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let poller = {
        let (stop, missing, polls) = (Arc::clone(&stop), Arc::clone(&missing), Arc::clone(&polls));
        let index = out.join("index.html");
        // Bounded: stops when told, or after two minutes whatever happens.
        let deadline = Instant::now() + Duration::from_secs(120);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                if !index.is_file() {
                    missing.fetch_add(1, Ordering::Relaxed);
                }
                polls.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    for i in 0..20 {
        // Each build changes the site, so every swap replaces something.
        let summary = project.path().join("content/2026-10/summary.md");
        fs::write(&summary, format!("Build {i}.\n")).unwrap();
        build(project.path(), &out);
    }
    stop.store(true, Ordering::Relaxed);
    poller.join().unwrap();
    let (missing, polls) = (missing.load(Ordering::Relaxed), polls.load(Ordering::Relaxed));
    assert!(polls > 1000, "the poller barely ran: {polls} polls");
    assert_eq!(missing, 0, "public/index.html was missing in {missing} of {polls} polls across 20 builds");
    assert!(read(&out.join("index.html")).contains("Build 19."));
    assert!(boardpack_leftovers(project.path()).is_empty(), "{:?}", boardpack_leftovers(project.path()));
}

/// What an interrupted build leaves beside the output is removed by the next
/// build; anything else, even with a similar name, is left alone.
#[test]
fn leftovers_of_an_interrupted_build_are_removed_and_nothing_else() {
    let project = minimal();
    let out = project.path().join("public");
    build(project.path(), &out);
    let p = project.path();
    let ours = [".boardpack-staging-public-AbC123", ".boardpack-old-public-xYz789"];
    for name in ours {
        fs::create_dir_all(p.join(name).join("2026-10")).unwrap();
        fs::write(p.join(name).join("2026-10/index.html"), "half a site").unwrap();
    }
    // Not ours, or not beside this output: all must stay.
    let keep_dirs = [
        ".boardpack-staging-public-my-notes",   // not a random suffix
        ".boardpack-staging-site-AbC123",       // another output's
        "boardpack-old-public-AbC123",          // no leading dot
        "content/.boardpack-old-public-AbC123", // not beside the output
    ];
    for name in keep_dirs {
        fs::create_dir_all(p.join(name)).unwrap();
        fs::write(p.join(name).join("keep.txt"), "mine").unwrap();
    }
    fs::write(p.join(".boardpack-old-public-Ab12Cd"), "a file, not a folder").unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("keep.txt"), "mine").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(elsewhere.path(), p.join(".boardpack-staging-public-Zz99Zz")).unwrap();

    build(p, &out);
    for name in ours {
        assert!(!p.join(name).exists(), "{name} left behind");
    }
    for name in keep_dirs {
        assert_eq!(read(&p.join(name).join("keep.txt")), "mine", "{name}");
    }
    assert_eq!(read(&p.join(".boardpack-old-public-Ab12Cd")), "a file, not a folder");
    assert_eq!(read(&elsewhere.path().join("keep.txt")), "mine");
    #[cfg(unix)]
    assert!(p.join(".boardpack-staging-public-Zz99Zz").symlink_metadata().unwrap().file_type().is_symlink());
    assert!(out.join("index.html").is_file());
}

/// Whether the permission bits of a read-only folder bind this process (they
/// do not bind root): tries to create a file in it.
fn permissions_bind(read_only_dir: &Path) -> bool {
    let probe = read_only_dir.join(".probe");
    match fs::write(&probe, "") {
        Ok(()) => {
            let _ = fs::remove_file(probe);
            false
        }
        Err(_) => true,
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// An output folder boardpack cannot replace fails before anything is
/// replaced, names the folder and says what to do; the old site stays whole.
#[test]
fn an_output_that_cannot_be_replaced_fails_first_and_keeps_the_old_site() {
    let project = minimal();
    // The output's parent is a file (binds root too).
    let file = project.path().join("notes.txt");
    fs::write(&file, "mine").unwrap();
    let o = build_args(project.path(), &file.join("public"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("notes.txt") && err.contains("not a folder") && err.contains("help:"), "{err}");
    assert_eq!(read(&file), "mine");
    assert!(!err.contains("built"), "{err}");
}

/// Read-only parent, output or subfolder: with permissions that bind (not
/// root) the build fails up front and the old site is intact; as root they do
/// not bind and the build must simply succeed.
#[cfg(unix)]
#[test]
fn a_read_only_output_or_parent_fails_first_and_keeps_the_old_site() {
    for which in ["parent", "output", "subfolder"] {
        let project = minimal();
        let parent = project.path().join("site");
        let out = parent.join("public");
        build(project.path(), &out);
        let before = tree(&out);
        let locked = match which {
            "parent" => parent.clone(),
            "output" => out.clone(),
            _ => out.join("2026-10"),
        };
        set_mode(&locked, 0o555);
        let binds = permissions_bind(&locked);
        fs::write(project.path().join("content/2026-10/summary.md"), "Changed.\n").unwrap();
        let o = build_args(project.path(), &out, &[]);
        set_mode(&locked, 0o755);
        if binds {
            assert_eq!(o.status.code(), Some(1), "{which}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains("not writable") && err.contains("help:"), "{which}: {err}");
            let name = locked.file_name().unwrap().to_str().unwrap();
            assert!(err.contains(name), "{which}: the folder is not named: {err}");
            assert_eq!(tree(&out), before, "{which}: the old site changed");
            assert!(boardpack_leftovers(&parent).is_empty(), "{which}: {:?}", boardpack_leftovers(&parent));
        } else {
            assert!(o.status.success(), "{which} (permissions do not bind): {}", stderr(&o));
            assert!(read(&out.join("2026-10/index.html")).contains("Changed."));
        }
    }
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

/// A rebuild keeps the output it replaced under `.boardpack/spare/` (never
/// beside the output) and moves unchanged months from there instead of
/// linking them anew; after a month is added, and after a file of the kept
/// output is edited by hand, the site is still exactly what a cold build
/// writes.
#[test]
fn a_rebuild_takes_unchanged_months_from_the_output_it_replaced_and_writes_what_a_cold_build_does() {
    let project = copy_project(&repo().join("examples/portfolio"));
    let root = project.path();
    let config = root.join("portfolio.toml");
    fs::write(&config, format!("{}\ndocuments = false\n", read(&config))).unwrap();
    let month = root.join("companies/globex-retail/content/2026-10");
    let held = tempfile::tempdir().unwrap();
    fs::rename(&month, held.path().join("2026-10")).unwrap();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("site");
    let build = || {
        let o = build_args(root, &out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    build();
    build();
    let spares = root.join(".boardpack/spare");
    assert_eq!(fs::read_dir(&spares).unwrap().count(), 1, "one kept output, for this folder");
    fs::rename(held.path().join("2026-10"), &month).unwrap();
    let added = build();
    assert!(added.contains("unchanged month(s) taken from the previous build"), "{added}");

    let cold = cold_build(root);
    assert_eq!(tree(&out), tree(cold.path()), "a month added: what a cold build writes");

    // A page of the kept output replaced by hand (a new file: the published
    // page is untouched) is not published.
    let kept = fs::read_dir(&spares).unwrap().next().unwrap().unwrap().path();
    let page = kept.join("globex-retail/2026-09/index.html");
    let edited = kept.join("globex-retail/2026-09/edited");
    fs::write(&edited, format!("{}<p>edited by hand</p>", read(&page))).unwrap();
    fs::rename(&edited, &page).unwrap();
    build();
    assert_eq!(tree(&out), tree(cold.path()), "an edited spare: still what a cold build writes");
    assert_eq!(boardpack_leftovers(parent.path()), Vec::<String>::new(), "nothing left beside the output");
}
