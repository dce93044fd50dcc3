//! `boardpack serve`: a live preview for the author, on 127.0.0.1 only.
//!
//! The site is rendered into memory (nothing is written to disk, so there is no
//! temporary folder to clean up and Ctrl-C always leaves the project as it
//! was), served by a small HTTP/1.1 server, and rebuilt when `boardpack.toml`,
//! `content/` or `themes/` change. Open pages reload through a server-sent
//! event. A content error keeps the last good build served and shows the
//! diagnostics over every page until it is fixed. The reload script is added
//! to responses here, never to `build` output.
//!
//! A portfolio is previewed too, and incrementally: an edit under
//! `companies/SLUG/` reloads and re-renders that company and the overview
//! only, so the preview of a hundred companies stays as quick as one's.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use walkdir::WalkDir;

use crate::pack::cache::PdfCache;
use crate::period::Month;
use crate::portfolio::{self, Portfolio, COMPANIES_DIR};
use crate::project::{SOURCE_DIRS, SOURCE_FILES, THEMES_DIR};
use crate::render::{Documents, SiteFile};
use crate::theme::{escape_html, Theme};
use crate::Error;

const EVENTS: &str = "/__boardpack/events";
const POLL: Duration = Duration::from_millis(150);

/// What `serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// `None`: any free port.
    pub port: Option<u16>,
    /// Poll the sources instead of asking the system for notifications.
    pub poll: bool,
}

/// The served files. Values are shared so that updating a few entries copies
/// pointers, not the whole site, when a request still holds the old map.
type Files = HashMap<String, Arc<[u8]>>;

/// The site being served and the state of the last build.
struct State {
    files: RwLock<Arc<Files>>,
    /// The last build's error, shown over every page until a build succeeds.
    error: RwLock<Option<String>>,
    generation: Mutex<u64>,
    changed: Condvar,
}

/// Starts the server; calls `ready` with the bound address once it accepts
/// connections, then serves until the process ends.
pub fn serve(options: &ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), Error> {
    let port = options.port.unwrap_or(0);
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => Error::Refused {
            what: format!("port {port} on 127.0.0.1 is already in use"),
            help: "choose another with --port, or leave --port out to use a free one".into(),
        },
        _ => Error::io(Path::new("127.0.0.1"), e),
    })?;
    let state = Arc::new(State {
        files: RwLock::new(Arc::new(HashMap::new())),
        error: RwLock::new(None),
        generation: Mutex::new(0),
        changed: Condvar::new(),
    });
    // Watch before the first build, so an edit made while it runs (or before
    // the watcher thread is scheduled) still triggers a rebuild.
    let watcher = match options.poll {
        true => Watcher::Poll(fingerprint(&options.root)),
        false => Watcher::start(&options.root),
    };
    let mut engine = Engine::for_root(&options.root);
    rebuild(&options.root, &state, &mut engine, &[]);
    let addr = listener.local_addr().map_err(|e| Error::io(Path::new("127.0.0.1"), e))?;
    {
        let root = options.root.clone();
        let state = Arc::clone(&state);
        thread::spawn(move || watcher.run(&root, &state, engine));
    }
    ready(addr);
    for stream in listener.incoming().flatten() {
        let state = Arc::clone(&state);
        thread::spawn(move || {
            let _ = handle(stream, &state);
        });
    }
    Ok(())
}

/// What is previewed, kept between rebuilds so that a change re-renders only
/// what it affects.
enum Engine {
    /// A single report: re-rendered whole (the demo's 18 months take ~1 s with PDFs).
    Project,
    /// A portfolio, with its last good load; `None` until one succeeds.
    Portfolio(Option<Box<PortfolioPreview>>),
}

struct PortfolioPreview {
    portfolio: Portfolio,
    theme: Theme,
}

/// A change to the served files.
enum Update {
    /// Everything, replacing the whole site.
    All(Vec<SiteFile>),
    /// Files under the `folders` (e.g. `acme/`) and the `paths` are dropped; `files` are added.
    Part { folders: Vec<String>, paths: Vec<String>, files: Vec<SiteFile> },
}

/// Companies an edit touched, each with the earliest month it touched (`None`:
/// something beyond one month, such as its configuration or catalogue).
type Touched = BTreeMap<String, Option<Month>>;

impl Engine {
    fn for_root(root: &Path) -> Engine {
        if portfolio::is_portfolio(root) {
            Engine::Portfolio(None)
        } else {
            Engine::Project
        }
    }

    /// Renders what `changed` (paths of added, removed or modified sources; empty
    /// for "everything") affects. Returns the update and how many months it rendered.
    fn update(&mut self, root: &Path, changed: &[PathBuf]) -> Result<(Update, usize), Error> {
        match self {
            Engine::Project => {
                let rendered = crate::render_project(root)?;
                for w in &rendered.warnings {
                    eprintln!("{w}");
                }
                Ok((Update::All(rendered.files), rendered.months))
            }
            Engine::Portfolio(last) => {
                let touched = last.as_ref().and_then(|preview| preview.touched(root, changed));
                match (last.as_mut(), touched) {
                    (Some(preview), Some(touched)) => preview.update(root, &touched),
                    _ => {
                        let (preview, files, months) = PortfolioPreview::load(root)?;
                        *last = Some(Box::new(preview));
                        Ok((Update::All(files), months))
                    }
                }
            }
        }
    }
}

impl PortfolioPreview {
    /// Loads and renders the whole portfolio (without PDFs: a preview is for pages).
    fn load(root: &Path) -> Result<(PortfolioPreview, Vec<SiteFile>, usize), Error> {
        let (portfolio, diagnostics) = portfolio::load(root);
        let Some(portfolio) = portfolio else {
            return Err(Error::Content(diagnostics));
        };
        for w in &diagnostics {
            eprintln!("{w}");
        }
        let theme = portfolio::theme(&portfolio)?;
        let files = crate::pool().install(|| {
            use rayon::prelude::*;
            let companies: Vec<Vec<SiteFile>> = portfolio
                .companies
                .par_iter()
                .map(|c| portfolio::company_files(c, &theme, Documents::Skip, &PdfCache::default()))
                .collect::<Result<_, Error>>()?;
            let mut files: Vec<SiteFile> = companies.into_iter().flatten().collect();
            files.extend(portfolio::overview_files(&portfolio, &theme, None)?);
            Ok::<_, Error>(files)
        })?;
        let months = portfolio.companies.iter().map(|c| c.project.months.len()).sum();
        Ok((PortfolioPreview { portfolio, theme }, files, months))
    }

    /// The companies `changed` touches, when they are all in the preview and
    /// nothing else changed; `None` asks for a full reload (a company was added,
    /// or the portfolio's own files changed).
    fn touched(&self, root: &Path, changed: &[PathBuf]) -> Option<Touched> {
        let known = |slug: &String| self.portfolio.companies.iter().any(|c| c.slug == *slug);
        companies_touched(root, changed).filter(|touched| touched.keys().all(known))
    }

    /// Reloads and re-renders the touched companies, then the overview from the
    /// earliest month touched.
    fn update(&mut self, root: &Path, touched: &Touched) -> Result<(Update, usize), Error> {
        let mut loaded = Vec::new();
        let mut diagnostics = Vec::new();
        for slug in touched.keys() {
            let (company, found) = portfolio::load_company(root, slug);
            diagnostics.extend(found);
            loaded.extend(company);
        }
        if diagnostics.iter().any(|d| d.is_error()) {
            return Err(Error::Content(diagnostics));
        }
        for w in &diagnostics {
            eprintln!("{w}");
        }
        // Render every touched company before replacing any, so a failure
        // leaves the preview as it was.
        let mut folders = Vec::new();
        let mut files = Vec::new();
        let mut months = 0;
        let mut slots = Vec::new();
        for company in &loaded {
            let slot = self
                .portfolio
                .companies
                .iter()
                .position(|c| c.slug == company.slug)
                .ok_or_else(|| Error::Internal(format!("company `{}` is not in the preview", company.slug)))?;
            let rendered = crate::pool()
                .install(|| portfolio::company_files(company, &self.theme, Documents::Skip, &PdfCache::default()))?;
            files.extend(rendered);
            folders.push(format!("{}/", company.slug));
            months += company.project.months.len();
            slots.push(slot);
        }
        let before = portfolio::months(&self.portfolio);
        for (slot, company) in slots.into_iter().zip(loaded) {
            self.portfolio.companies[slot] = company;
        }
        // Whole-company edits redo every month of the overview; month edits, from that month on.
        let from = match touched.values().all(Option::is_some) {
            true => touched.values().flatten().min().copied(),
            false => None,
        };
        let overview = crate::pool().install(|| portfolio::overview_files(&self.portfolio, &self.theme, from))?;
        let mut paths: Vec<String> =
            before.iter().filter(|m| from.is_none_or(|from| **m >= from)).map(|m| format!("{m}/index.html")).collect();
        paths.push("index.html".into());
        files.extend(overview);
        Ok((Update::Part { folders, paths, files }, months))
    }
}

/// The companies a change touches, when it touches nothing else: `None` means
/// the whole portfolio must be reloaded (its configuration, its theme, or the
/// list of companies changed).
fn companies_touched(root: &Path, changed: &[PathBuf]) -> Option<Touched> {
    let mut touched = Touched::new();
    for path in changed {
        let parts: Vec<String> =
            path.strip_prefix(root).ok()?.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let [top, slug, rest @ ..] = parts.as_slice() else {
            return None;
        };
        if top != COMPANIES_DIR || rest.is_empty() || !root.join(COMPANIES_DIR).join(slug).is_dir() {
            return None;
        }
        // companies/SLUG/content/YYYY-MM/FILE touches that month; anything else, the whole company.
        let month = match rest {
            [content, month, _file] if content == crate::project::CONTENT_DIR => month.parse::<Month>().ok(),
            _ => None,
        };
        let entry = touched.entry(slug.clone()).or_insert(month);
        *entry = match (*entry, month) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
    }
    (!touched.is_empty()).then_some(touched)
}

/// Renders what changed and swaps it in, or records the error and keeps the
/// last good site.
fn rebuild(root: &Path, state: &State, engine: &mut Engine, changed: &[PathBuf]) {
    let started = Instant::now();
    match engine.update(root, changed) {
        Ok((update, months)) => {
            let mut files = write(&state.files);
            match update {
                Update::All(all) => {
                    *files = Arc::new(all.into_iter().map(|f| (f.path, Arc::from(f.bytes))).collect());
                }
                Update::Part { folders, paths, files: new } => {
                    let map = Arc::make_mut(&mut files);
                    map.retain(|path, _| !folders.iter().any(|f| path.starts_with(f.as_str())));
                    for path in &paths {
                        map.remove(path);
                    }
                    map.extend(new.into_iter().map(|f| (f.path, Arc::from(f.bytes))));
                }
            }
            drop(files);
            *write(&state.error) = None;
            eprintln!("built {months} month(s) in {} ms", started.elapsed().as_millis());
        }
        Err(e) => {
            let text = crate::describe(&e);
            eprintln!("{text}");
            eprintln!("build failed: still serving the last good build");
            *write(&state.error) = Some(text);
        }
    }
    let mut generation = state.generation.lock().unwrap_or_else(|p| p.into_inner());
    *generation += 1;
    state.changed.notify_all();
}

/// A poisoned lock only means another request thread panicked mid-write of a
/// whole value; the value itself is still a complete one, so keep using it.
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

/// How source changes are noticed: the operating system's file notifications
/// (inotify, FSEvents, …) when available — instant, and free however many
/// companies a portfolio has — or else polling, which works on every
/// filesystem, including network mounts.
enum Watcher {
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
    fn start(root: &Path) -> Watcher {
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
    fn run(self, root: &Path, state: &State, mut engine: Engine) {
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

fn fingerprint(root: &Path) -> Vec<Stamp> {
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

fn handle(stream: TcpStream, state: &State) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let mut stream = stream;
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"only GET and HEAD\n", method == "HEAD");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path == EVENTS {
        let since = query.strip_prefix("since=").and_then(|s| s.parse().ok()).unwrap_or(0);
        return events(&mut stream, state, since);
    }
    let Some(key) = site_key(path) else {
        return respond(&mut stream, "400 Bad Request", "text/plain", b"bad path\n", false);
    };
    let files = Arc::clone(&read(&state.files));
    let found = files.get(&key).map(|b| (key.clone(), b)).or_else(|| {
        let index = if key.is_empty() { "index.html".to_string() } else { format!("{key}/index.html") };
        files.get(&index).map(|b| (index, b))
    });
    let head = method == "HEAD";
    match found {
        Some((name, _)) if !key.is_empty() && name.ends_with("/index.html") && !path.ends_with('/') => {
            let location = format!("{path}/");
            let response = format!("HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            stream.write_all(response.as_bytes())
        }
        Some((name, bytes)) => {
            let kind = content_type(&name);
            if kind.starts_with("text/html") {
                let page = inject(bytes, state);
                respond(&mut stream, "200 OK", kind, &page, head)
            } else {
                respond(&mut stream, "200 OK", kind, bytes, head)
            }
        }
        None => {
            let page = inject(b"<!DOCTYPE html><html lang=\"en\"><title>Not found</title><body><h1>Not found</h1><p><a href=\"/\">Latest report</a></p></body></html>", state);
            respond(&mut stream, "404 Not Found", "text/html; charset=utf-8", &page, head)
        }
    }
}

/// The file key for a URL path; `None` for anything that tries to climb out.
fn site_key(path: &str) -> Option<String> {
    let decoded = percent_decode(path)?;
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\\') || p.contains('\0') => return None,
            p => parts.push(p),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') && !key.is_empty() {
        key.push_str("/index.html");
    } else if key.is_empty() {
        key = "index.html".into();
    }
    Some(key)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn respond(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8], head: bool) -> std::io::Result<()> {
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Adds the live-reload script, and the error overlay when the last build failed.
fn inject(page: &[u8], state: &State) -> Vec<u8> {
    let generation = *state.generation.lock().unwrap_or_else(|p| p.into_inner());
    let mut extra = format!(
        "<script>(function(){{var s=new EventSource(\"{EVENTS}?since={generation}\");s.onmessage=function(e){{if(e.data===\"reload\"){{s.close();location.reload();}}}};}})();</script>"
    );
    if let Some(error) = read(&state.error).as_ref() {
        extra.push_str(&format!(
            "<div id=\"boardpack-error\" role=\"alert\" style=\"position:fixed;inset:auto 16px 16px 16px;max-height:60vh;overflow:auto;z-index:99999;background:#fff;color:#111;border:3px solid #b91c1c;border-radius:10px;padding:16px 20px;box-shadow:0 10px 30px rgba(0,0,0,.25);font:14px/1.45 system-ui,sans-serif\"><strong style=\"color:#9b1c1c\">The report has errors: showing the last good build.</strong><pre style=\"white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace;margin:10px 0 0\">{}</pre></div>",
            escape_html(error)
        ));
    }
    let text = String::from_utf8_lossy(page);
    let out = match text.rfind("</body>") {
        Some(i) => format!("{}{extra}{}", &text[..i], &text[i..]),
        None => format!("{text}{extra}"),
    };
    out.into_bytes()
}

/// A server-sent event stream that says `reload` once the site is newer than
/// the page that opened it.
fn events(stream: &mut TcpStream, state: &State, since: u64) -> std::io::Result<()> {
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n: connected\n\n")?;
    stream.flush()?;
    let mut generation = state.generation.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if *generation > since {
            drop(generation);
            stream.write_all(b"data: reload\n\n")?;
            return stream.flush();
        }
        let (g, timeout) =
            state.changed.wait_timeout(generation, Duration::from_secs(15)).unwrap_or_else(|p| p.into_inner());
        generation = g;
        if timeout.timed_out() {
            // A comment line keeps proxies from closing the stream and detects gone clients.
            drop(generation);
            stream.write_all(b": ping\n\n")?;
            stream.flush()?;
            generation = state.generation.lock().unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_files_and_never_climb_out() {
        assert_eq!(site_key("/").as_deref(), Some("index.html"));
        assert_eq!(site_key("/2026-10/").as_deref(), Some("2026-10/index.html"));
        assert_eq!(site_key("/2026-10/charts/lead-time.svg").as_deref(), Some("2026-10/charts/lead-time.svg"));
        assert_eq!(site_key("/a%20b.html").as_deref(), Some("a b.html"));
        for bad in ["/../etc/passwd", "/%2e%2e/etc/passwd", "/a/../../b", "/%zz", "/a\\..\\b"] {
            assert_eq!(site_key(bad), None, "{bad}");
        }
    }
}
