//! Git history, read for `boardpack measure`: each repository's commit graph,
//! with authors and the components each commit touches, for the methods to
//! walk (`compute::measure::history`).
//!
//! boardpack calls the `git` executable three times per repository (the branch's
//! tip, whether the clone is shallow, then `git log --format=… --name-only -z` over every branch, tag and
//! remote-tracking branch, so a deployment made from a branch not yet merged
//! is found) and builds the commit graph in memory; every deployment range
//! and every 90-day window is then answered from that graph, so 5,000
//! deployments cost no extra processes. The branch is given after
//! `--end-of-options`, so it can never be read as an option. `%aN` and
//! `%aE` make git apply the repository's `.mailmap`, so one person with two
//! addresses counts once; the address tells people apart and is then
//! dropped. Calling git rather than linking a Rust implementation (gix,
//! git2) keeps boardpack's build as it is (gix adds minutes of compile time
//! to a crate already heavy with Typst; git2 links C libgit2). The cost is a
//! runtime dependency on `git` being installed, which any machine holding
//! the repositories has.
//!
//! The same repository must give the same numbers on every machine, so git
//! runs without the user's and the system's configuration (a `diff.renames`
//! or `mailmap.file` in `~/.gitconfig` would change them) and with every
//! setting that shapes the output stated on the command line ([`git`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::load::exports::time::Instant;

/// One commit on the branch.
#[derive(Debug, Clone)]
pub(crate) struct Commit {
    pub(crate) sha: String,
    /// Indexes into the repository's commits.
    pub(crate) parents: Vec<u32>,
    pub(crate) author_time: Instant,
    pub(crate) commit_time: Instant,
    /// Index into the repository's authors.
    pub(crate) author: u32,
    /// Indexes of the components whose files it touches.
    pub(crate) touches: Vec<u16>,
    /// Reachable from the branch: only these count as the branch's changes
    /// (the others are on branches not merged, there to find deployments).
    pub(crate) on_branch: bool,
}

/// A repository's branch history, in memory.
#[derive(Debug, Clone)]
pub(crate) struct Repository {
    pub(crate) name: String,
    /// As configured, for messages and evidence.
    pub(crate) path: String,
    pub(crate) branch: String,
    /// Path prefixes; one component per prefix, or the whole repository when empty.
    pub(crate) components: Vec<String>,
    /// Newest first, as `git log` lists them.
    pub(crate) commits: Vec<Commit>,
    by_sha: HashMap<String, u32>,
    /// Commit indexes sorted by SHA, for abbreviated SHAs.
    sorted: Vec<u32>,
    /// Where a shallow clone's history stops ("2024-03-01, commit 1a2b3c4"):
    /// changes before it are missing, so every count would be too low.
    pub(crate) shallow: Option<String>,
    /// Each author's name after the mailmap. Their email address (also after
    /// the mailmap) only tells two people of one name apart: it is not kept,
    /// so no evidence can carry it.
    pub(crate) authors: Vec<String>,
}

/// What a SHA names in a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    Found(u32),
    Missing,
    Ambiguous,
}

impl Repository {
    /// Reads the history of `branch` (default `HEAD`) at `dir`, and of every
    /// other branch and tag, to find deployments made from them.
    pub(crate) fn load(
        dir: &Path,
        path: &str,
        name: Option<&str>,
        branch: Option<&str>,
        components: &[String],
    ) -> Result<Repository, Vec<Failure>> {
        let escaping: Vec<Failure> = components
            .iter()
            .enumerate()
            .filter(|(_, c)| !inside(c))
            .map(|(i, c)| Failure {
                message: format!("the component `{c}` is not a path inside the repository {path}"),
                help: "write a folder of the repository as git shows it, from its top (services/billing/), without `..` or a leading `/`".into(),
                component: Some(i),
            })
            .collect();
        let branch = branch.unwrap_or("HEAD").to_string();
        let failed = |output: &std::process::Output| {
            let err = String::from_utf8_lossy(&output.stderr);
            let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("git log failed").trim().to_string();
            vec![Failure {
                message: format!("git cannot read branch `{branch}` of {path}: {first}"),
                help: "check the path and the `branch` setting".into(),
                component: None,
            }]
        };
        // The branch is the user's: after `--end-of-options`, git reads it as
        // a revision even if it looks like an option (`--output=FILE`).
        let tip = git(dir)
            .args(["log", "-1", "--format=%H", "--end-of-options", &branch, "--"])
            .output()
            .map_err(cannot_run)?;
        if !tip.status.success() {
            return Err(failed(&tip));
        }
        let tip = String::from_utf8_lossy(&tip.stdout).trim().to_string();
        let output = git(dir)
            .args(["log", "--no-color", "-z", "--name-only", "--no-renames", "--root", "--encoding=UTF-8"])
            .arg("--format=%x1e%H %P%x1f%at%x1f%ct%x1f%aN%x1f%aE")
            .args(["--branches", "--tags", "--remotes", "--end-of-options", &branch, "--"])
            .output()
            .map_err(cannot_run)?;
        if !output.status.success() {
            return Err(failed(&output));
        }
        let name = name.map(str::to_string).unwrap_or_else(|| {
            dir.canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().trim_end_matches(".git").to_string()))
                .unwrap_or_else(|| path.to_string())
        });
        let mut repo = Repository {
            name,
            path: path.to_string(),
            branch: branch.clone(),
            components: components.to_vec(),
            commits: Vec::new(),
            by_sha: HashMap::new(),
            sorted: Vec::new(),
            shallow: None,
            authors: Vec::new(),
        };
        repo.parse(&output.stdout)
            .map_err(|message| vec![Failure { message, help: String::new(), component: None }])?;
        repo.mark_branch(&tip);
        // A shallow clone's boundary commits show no parents, like a first
        // commit: git alone knows the history is cut.
        let shallow = git(dir).args(["rev-parse", "--is-shallow-repository"]).output().map_err(cannot_run)?;
        if String::from_utf8_lossy(&shallow.stdout).trim() == "true" {
            let cut = repo.commits.iter().filter(|c| c.parents.is_empty()).max_by_key(|c| c.commit_time);
            repo.shallow = Some(match cut {
                Some(c) => format!(
                    "{} (commit {})",
                    crate::load::exports::time::Zone::utc().date(c.commit_time),
                    &c.sha[..c.sha.len().min(12)]
                ),
                None => "an unknown commit".to_string(),
            });
        }
        let mut failures = escaping;
        let unmatched = (0..components.len())
            .filter(|i| !failures.iter().any(|f| f.component == Some(*i)))
            .filter(|i| {
                let i = u16::try_from(*i).unwrap_or(u16::MAX);
                !repo.commits.iter().any(|c| c.on_branch && c.touches.contains(&i))
            })
            .map(|i| Failure {
                message: format!("no file of {path} (branch `{branch}`) is under the component `{}`", components[i]),
                help: "a component is a folder of the repository as git shows it, from its top (services/billing/); check its spelling".into(),
                component: Some(i),
            })
            .collect::<Vec<_>>();
        failures.extend(unmatched);
        if failures.is_empty() {
            Ok(repo)
        } else {
            Err(failures)
        }
    }

    /// Marks the commits reachable from the branch's tip.
    fn mark_branch(&mut self, tip: &str) {
        let mut stack: Vec<u32> = self.by_sha.get(tip).copied().into_iter().collect();
        while let Some(c) = stack.pop() {
            let commit = &mut self.commits[c as usize];
            if !commit.on_branch {
                commit.on_branch = true;
                stack.extend(commit.parents.iter().copied());
            }
        }
    }

    /// Builds the graph from `git log -z --name-only` output: each commit is
    /// `\x1e` + header + NUL, then `\n` and its file names, each ending in NUL.
    fn parse(&mut self, out: &[u8]) -> Result<(), String> {
        let mut author_ids: HashMap<String, u32> = HashMap::new();
        let mut parent_shas: Vec<Vec<String>> = Vec::new();
        for chunk in out.split(|b| *b == 0x1e).filter(|c| !c.is_empty()) {
            let mut parts = chunk.split(|b| *b == 0);
            let header = String::from_utf8_lossy(parts.next().unwrap_or_default());
            let fields: Vec<&str> = header.split('\x1f').collect();
            let [shas, at, ct, name, email] = fields[..] else {
                return Err(format!("unexpected git log output in {}", self.path));
            };
            let mut shas = shas.split(' ').filter(|s| !s.is_empty());
            let sha = shas.next().ok_or_else(|| format!("unexpected git log output in {}", self.path))?.to_string();
            let parents: Vec<String> = shas.map(str::to_string).collect();
            let key = if email.trim().is_empty() { name.trim().to_lowercase() } else { email.trim().to_lowercase() };
            let next = u32::try_from(self.authors.len()).unwrap_or(u32::MAX);
            let author = *author_ids.entry(key).or_insert_with(|| {
                let name = name.trim();
                self.authors.push(if name.is_empty() { "(no name)".to_string() } else { name.to_string() });
                next
            });
            let mut touches: Vec<u16> = Vec::new();
            for file in parts {
                let file = String::from_utf8_lossy(file);
                let file = file.trim_start_matches('\n');
                if file.is_empty() {
                    continue;
                }
                for (i, prefix) in self.components.iter().enumerate() {
                    let i = u16::try_from(i).unwrap_or(u16::MAX);
                    if file.starts_with(prefix.as_str()) && !touches.contains(&i) {
                        touches.push(i);
                    }
                }
            }
            if self.components.is_empty() && parents.len() <= 1 {
                touches.push(0);
            }
            let index = u32::try_from(self.commits.len()).map_err(|_| "too many commits".to_string())?;
            self.by_sha.insert(sha.clone(), index);
            self.commits.push(Commit {
                sha,
                parents: Vec::new(),
                author_time: at.trim().parse().unwrap_or(0),
                commit_time: ct.trim().parse().unwrap_or(0),
                author,
                touches,
                on_branch: false,
            });
            parent_shas.push(parents);
        }
        for (commit, parents) in self.commits.iter_mut().zip(parent_shas) {
            commit.parents = parents.iter().filter_map(|p| self.by_sha.get(p).copied()).collect();
        }
        let mut sorted: Vec<u32> = (0..u32::try_from(self.commits.len()).unwrap_or(0)).collect();
        sorted.sort_by(|a, b| self.commits[*a as usize].sha.cmp(&self.commits[*b as usize].sha));
        self.sorted = sorted;
        Ok(())
    }

    /// Finds a full or abbreviated (7+ characters) lower-case SHA.
    pub(crate) fn lookup(&self, sha: &str) -> Lookup {
        if let Some(i) = self.by_sha.get(sha) {
            return Lookup::Found(*i);
        }
        let start = self.sorted.partition_point(|i| self.commits[*i as usize].sha.as_str() < sha);
        let matches: Vec<u32> = self.sorted[start..]
            .iter()
            .take(2)
            .copied()
            .filter(|i| self.commits[*i as usize].sha.starts_with(sha))
            .collect();
        match matches[..] {
            [one] => Lookup::Found(one),
            [] => Lookup::Missing,
            _ => Lookup::Ambiguous,
        }
    }

    /// The component names, as evidence shows them.
    pub(crate) fn component_names(&self) -> Vec<String> {
        if self.components.is_empty() {
            vec![self.name.clone()]
        } else {
            self.components.iter().map(|c| format!("{}:{c}", self.name)).collect()
        }
    }
}

/// Why a repository cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) help: String,
    /// The component (index into the configured ones) at fault, if one is.
    pub(crate) component: Option<usize>,
}

fn cannot_run(e: std::io::Error) -> Vec<Failure> {
    vec![Failure {
        message: format!("cannot run git ({e})"),
        help: "boardpack reads history with the `git` command: install git".into(),
        component: None,
    }]
}

/// A component prefix that stays inside the repository: relative, without
/// `.` or `..` segments (git names files from the repository's top).
fn inside(prefix: &str) -> bool {
    !prefix.is_empty()
        && !prefix.starts_with(['/', '\\'])
        && !prefix.contains(':')
        && prefix.split(['/', '\\']).all(|seg| seg != ".." && seg != ".")
}

/// The null device, for `GIT_CONFIG_GLOBAL`.
const NO_FILE: &str = if cfg!(windows) { "NUL" } else { "/dev/null" };

/// `git` in `dir`, reading no configuration but the repository's own, with
/// every setting that shapes `log`'s output fixed: renames are not detected
/// (`--no-renames`, given to `log` in [`Repository::load`]: a file moved out
/// of a component changes it, and the one moved in changes the other), the
/// root commit's files are listed, names are UTF-8, and the mailmap is the
/// repository's `.mailmap` alone (`mailmap.file` emptied; a bare
/// repository's is read from HEAD, git's default). Environment variables
/// that would point git at another repository, object store or
/// configuration, or replace commits, are removed.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_COMMON_DIR",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_SYSTEM",
        "GIT_REPLACE_REF_BASE",
        "GIT_GRAFT_FILE",
        "GIT_SHALLOW_FILE",
    ] {
        c.env_remove(var);
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", NO_FILE).env("GIT_NO_REPLACE_OBJECTS", "1");
    c.arg("-C").arg(dir).args([
        "-c",
        "core.quotepath=off",
        "-c",
        "log.showSignature=false",
        "-c",
        "log.showRoot=true",
        "-c",
        "mailmap.file=",
        "-c",
        "diff.relative=false",
        "-c",
        "diff.ignoreSubmodules=none",
        "-c",
        "i18n.logOutputEncoding=UTF-8",
    ]);
    c
}

/// Where each counted deployment's SHA is, or why it is not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Located {
    At { repo: usize, commit: u32 },
    Missing,
    Ambiguous,
}

/// Finds each deployment's commit in the repositories.
pub(crate) fn locate(repos: &[Repository], sha: &str) -> Located {
    let mut found = None;
    for (r, repo) in repos.iter().enumerate() {
        match repo.lookup(sha) {
            Lookup::Found(c) if found.is_none() => found = Some((r, c)),
            // The same commit in two repositories (a fork): the first listed wins.
            Lookup::Found(_) => {}
            Lookup::Ambiguous => return Located::Ambiguous,
            Lookup::Missing => {}
        }
    }
    found.map_or(Located::Missing, |(repo, commit)| Located::At { repo, commit })
}

/// A repository path as configured, resolved against the project root.
pub(crate) fn resolve(root: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A repository built from text: each line `sha parents… | author | at | files…`.
    pub(crate) fn repo(components: &[&str], lines: &[&str]) -> Repository {
        let mut out = Vec::new();
        for line in lines {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            out.push(0x1e);
            out.extend_from_slice(
                format!(
                    "{}\x1f{}\x1f{}\x1f{}\x1f{}@example.com",
                    parts[0],
                    parts[2],
                    parts[2],
                    parts[1],
                    parts[1].to_lowercase()
                )
                .as_bytes(),
            );
            out.push(0);
            out.push(b'\n');
            for f in parts.get(3).unwrap_or(&"").split_whitespace() {
                out.extend_from_slice(f.as_bytes());
                out.push(0);
            }
        }
        let mut r = Repository {
            name: "shop".into(),
            path: "../shop".into(),
            branch: "HEAD".into(),
            components: components.iter().map(|c| c.to_string()).collect(),
            commits: Vec::new(),
            by_sha: HashMap::new(),
            sorted: Vec::new(),
            shallow: None,
            authors: Vec::new(),
        };
        r.parse(&out).unwrap();
        let tip = r.commits.first().map(|c| c.sha.clone()).unwrap_or_default();
        r.mark_branch(&tip);
        r
    }

    #[test]
    fn parses_graph_authors_and_components() {
        let r = repo(
            &["api/", "web/"],
            &[
                "cccccccc bbbbbbbb aaaaaaaa | Ann | 300 |",
                "bbbbbbbb aaaaaaaa | Bob | 200 | web/a.js api/x.rs",
                "aaaaaaaa | Ann | 100 | api/y.rs",
            ],
        );
        assert_eq!(r.commits.len(), 3);
        assert_eq!(r.lookup("bbbbbbbb"), Lookup::Found(1));
        assert_eq!(r.lookup("ccccccc"), Lookup::Found(0));
        assert_eq!(r.lookup("dddddddd"), Lookup::Missing);
        // The merge's parents, newest first; files sorted into components.
        assert_eq!(r.commits[0].parents, [1, 2]);
        assert_eq!(
            (r.commits[1].touches.as_slice(), r.commits[2].touches.as_slice()),
            ([1, 0].as_slice(), [0].as_slice())
        );
        assert_eq!(r.component_names(), ["shop:api/", "shop:web/"]);
        assert_eq!(r.authors, ["Ann", "Bob"], "names only, never email addresses");
    }

    #[test]
    fn a_branch_is_only_ever_a_revision_to_git() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let o = Command::new("git")
                .current_dir(dir.path())
                .args(["-c", "user.name=A", "-c", "user.email=a@example.com", "-c", "commit.gpgsign=false"])
                .args(args)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        };
        git(&["init", "-q", "-b", "main"]);
        std::fs::write(dir.path().join("a.rs"), "a").unwrap();
        git(&["add", "."]);
        git(&["commit", "-q", "-m", "a"]);
        assert_eq!(Repository::load(dir.path(), "r", None, Some("main"), &[]).unwrap().commits.len(), 1);
        let victim = dir.path().join("victim");
        let option = format!("--output={}", victim.display());
        let err = Repository::load(dir.path(), "r", None, Some(&option), &[]).unwrap_err().remove(0).message;
        assert!(err.starts_with(&format!("git cannot read branch `{option}` of r")), "{err}");
        assert!(!victim.exists(), "git took the branch for an option");
    }

    #[test]
    fn abbreviated_shas_must_be_unique() {
        let r = repo(&[], &["abcdef12 abcdef01 | Ann | 2 |", "abcdef01 | Ann | 1 |"]);
        assert_eq!(r.lookup("abcdef1"), Lookup::Found(0));
        assert_eq!(r.lookup("abcdef"), Lookup::Ambiguous);
    }
}
