//! Helpers shared by the integration tests: run the real binary, copy fixture
//! projects into temp folders, and read what a user would see in the output.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root, which is itself the demo report project.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `boardpack ARGS` and returns its output.
pub(crate) fn boardpack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boardpack")).args(args).env("NO_COLOR", "1").output().expect("run boardpack")
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Builds `root` into `out`, asserting success.
pub(crate) fn build(root: &Path, out: &Path) {
    let o = boardpack(&["build", "--root", root.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert!(o.status.success(), "build of {} failed:\n{}", root.display(), stderr(&o));
}

/// The site a cold build of the project at `root` writes: a copy of its
/// sources (never its `.boardpack/` cache or kept output) built into a new folder.
pub(crate) fn cold_build(root: &Path) -> tempfile::TempDir {
    let fresh = copy_project(root);
    let out = tempfile::tempdir().unwrap();
    build(fresh.path(), out.path());
    out
}

/// Copies a project (boardpack.toml, content/, themes/) or a portfolio
/// (portfolio.toml, companies/, themes/) into a fresh temp folder.
pub(crate) fn copy_project(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["boardpack.toml", "portfolio.toml"] {
        if from.join(file).is_file() {
            fs::copy(from.join(file), dir.path().join(file)).unwrap();
        }
    }
    for sub in ["content", "themes", "companies"] {
        if from.join(sub).is_dir() {
            copy_dir(&from.join(sub), &dir.path().join(sub));
        }
    }
    dir
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, by relative path, with its bytes.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect()
}

/// A text file as a reader sees it: the no-break spaces boardpack puts
/// between a number and its unit ("2.4\u{a0}days") read as spaces.
pub(crate) fn read(path: &Path) -> String {
    as_seen(fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Text with no-break spaces (U+00A0, U+202F) as plain spaces.
pub(crate) fn as_seen(text: String) -> String {
    if text.contains(['\u{a0}', '\u{202f}']) {
        text.replace(['\u{a0}', '\u{202f}'], " ")
    } else {
        text
    }
}

/// The values of every `attr="…"` in an HTML or SVG text.
pub(crate) fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push(&after[..end]);
        rest = &after[end..];
    }
    out
}

/// The text of the tile for KPI `id` on a scorecard page.
pub(crate) fn tile<'a>(html: &'a str, id: &str) -> &'a str {
    let label = html.find(&format!("aria-labelledby=\"tile-{id}\"")).unwrap_or_else(|| panic!("no tile for {id}"));
    let start = html[..label].rfind("<article").unwrap();
    let end = html[start..].find("</article>").unwrap();
    &html[start..start + end]
}

/// Asserts that every relative link and image in every HTML file under `out`
/// resolves to a file that exists, and every `#fragment` to an element id in
/// it. Returns how many links were checked.
pub(crate) fn assert_links_resolve(out: &Path) -> usize {
    let files = tree(out);
    let mut checked = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let dir = Path::new(path).parent().unwrap();
        for link in attribute_values(&html, "href").into_iter().chain(attribute_values(&html, "src")) {
            if link.starts_with("https://")
                || link.starts_with("http://")
                || link.starts_with("mailto:")
                || link.starts_with("data:")
            {
                continue;
            }
            assert!(!link.starts_with('/'), "{path}: root-relative link {link} breaks under a sub-path");
            let (file, fragment) = link.split_once('#').unwrap_or((link, ""));
            let target = if file.is_empty() { path.clone() } else { normalise(&dir.join(file)) };
            let content = files.get(&target).unwrap_or_else(|| panic!("{path}: link {link} → {target} does not exist"));
            if !fragment.is_empty() {
                let text = String::from_utf8_lossy(content);
                assert!(text.contains(&format!("id=\"{fragment}\"")), "{path}: {link}: no element with id {fragment}");
            }
            checked += 1;
        }
    }
    checked
}

fn normalise(p: &Path) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.to_str().unwrap().split('/') {
        match c {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            c => parts.push(c),
        }
    }
    parts.join("/")
}

/// A `boardpack serve` child process, always stopped when the test ends.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    /// Where the server's stderr goes: what it says about each rebuild.
    log: tempfile::NamedTempFile,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `boardpack serve --root ROOT EXTRA…`.
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Server {
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
            .args(["serve", "--root", root.to_str().unwrap()])
            .args(extra)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port =
            line.trim().trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap_or_else(|_| panic!("{line}"));
        Server { child, port, log }
    }

    pub(crate) fn get(&self, path: &str) -> (String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        let _ = s.read_to_string(&mut response);
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        (head.lines().next().unwrap_or("").to_string(), as_seen(body.to_string()))
    }

    /// Polls `path` until `ok` holds, for at most ten seconds.
    pub(crate) fn wait_for(&self, path: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (_, body) = self.get(path);
            if ok(&body) {
                return body;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; last page:\n{body}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// How many threads the server runs now (Linux: from /proc).
    #[cfg(target_os = "linux")]
    pub(crate) fn threads(&self) -> usize {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status.lines().find_map(|l| l.strip_prefix("Threads:")).unwrap().trim().parse().unwrap()
    }

    /// What the server has written to stderr so far.
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}
