//! `boardpack serve`: a live preview for the author, on 127.0.0.1 only.
//!
//! The site is rendered into memory (nothing is written to disk, so there is no
//! temporary folder to clean up and Ctrl-C always leaves the project as it
//! was), served by a small HTTP/1.1 server, and rebuilt when `boardpack.toml`,
//! `content/` or `themes/` change. Open pages reload through a server-sent
//! event. A content error keeps the last good build served and shows the
//! diagnostics over every page until it is fixed. The reload script is added
//! to responses here, never to `build` output.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use walkdir::WalkDir;

use crate::theme::escape_html;
use crate::Error;

const EVENTS: &str = "/__boardpack/events";
const POLL: Duration = Duration::from_millis(150);

/// What `serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// `None`: any free port.
    pub port: Option<u16>,
}

/// The site being served and the state of the last build.
struct State {
    files: RwLock<Arc<HashMap<String, Vec<u8>>>>,
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
    // Fingerprint before the first build, so an edit made while it runs (or
    // before the watcher thread is scheduled) still triggers a rebuild.
    let initial = fingerprint(&options.root);
    rebuild(&options.root, &state);
    let addr = listener.local_addr().map_err(|e| Error::io(Path::new("127.0.0.1"), e))?;
    {
        let root = options.root.clone();
        let state = Arc::clone(&state);
        thread::spawn(move || watch(&root, &state, initial));
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

/// Renders the project into memory and swaps it in, or records the error and
/// keeps the last good site.
fn rebuild(root: &Path, state: &State) {
    let started = Instant::now();
    match crate::render_project(root, None) {
        Ok(rendered) => {
            for w in &rendered.warnings {
                eprintln!("{w}");
            }
            let files = rendered.files.into_iter().map(|f| (f.path, f.bytes)).collect();
            *write(&state.files) = Arc::new(files);
            *write(&state.error) = None;
            eprintln!("built {} month(s) in {} ms", rendered.months, started.elapsed().as_millis());
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

/// Polls the project's sources and rebuilds when any file is added, removed or
/// modified. Polling a report's few hundred files costs well under a millisecond
/// and works the same on every filesystem, including network mounts.
fn watch(root: &Path, state: &State, mut last: Vec<(PathBuf, Option<SystemTime>, u64)>) {
    loop {
        thread::sleep(POLL);
        let now = fingerprint(root);
        if now != last {
            last = now;
            rebuild(root, state);
        }
    }
}

fn fingerprint(root: &Path) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    let mut out = Vec::new();
    let config = root.join(crate::config::CONFIG_FILE);
    let sources = [config, root.join(crate::project::CONTENT_DIR), root.join("themes")];
    for source in sources {
        for entry in WalkDir::new(source).follow_links(true).into_iter().flatten() {
            if let Ok(meta) = entry.metadata() {
                out.push((entry.path().to_path_buf(), meta.modified().ok(), meta.len()));
            }
        }
    }
    out.sort();
    out
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
