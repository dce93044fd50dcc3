//! The preview's HTTP/1.1 server: files from memory, the reload stream, and
//! the error overlay.
//!
//! It answers only this machine's browser. Requests must name `localhost`,
//! `127.0.0.1` or `[::1]` as their `Host` (with any port), as webpack-dev-server
//! and Vite require, so a web page whose name was pointed at 127.0.0.1 (DNS
//! rebinding) gets 403; the reload stream also refuses an `Origin` other than
//! this server's. Redirects are built from the normalised path, so they always
//! stay on this server. Request and header lines are read up to [`MAX_LINE`]
//! bytes and at most [`MAX_HEADERS`] of them, within [`HEAD_TIMEOUT`], so no
//! request makes the server hold more than a few KiB; the number of
//! connections is capped in [`super::serve`].

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{read, State};
use crate::load::theme::escape_html;

const EVENTS: &str = "/__boardpack/events";
/// The longest request line or header line read, in bytes without the line break.
const MAX_LINE: usize = 8 * 1024;
/// The most header lines read.
const MAX_HEADERS: usize = 100;
/// The longest a client may take to send its request line and headers.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

const WRONG_HOST: &str = "boardpack serve answers only requests addressed to this computer: the Host must be localhost, 127.0.0.1 or [::1] (with or without the port). Open the address boardpack printed, e.g. http://127.0.0.1:PORT/.\n";

/// What a request asks for and the headers the server looks at.
struct Request {
    method: String,
    target: String,
    hosts: Vec<String>,
    origin: Option<String>,
}

/// Why a request is refused before it is served: a status and a short explanation.
type Refusal = (&'static str, &'static str);

/// Reads one line without its line break; `None` if it is longer than
/// [`MAX_LINE`] (of which only `MAX_LINE` and two bytes are read).
fn read_line(reader: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    reader.by_ref().take(MAX_LINE as u64 + 2).read_until(b'\n', &mut line)?;
    let complete = line.ends_with(b"\n");
    if complete {
        line.pop();
        if line.ends_with(b"\r") {
            line.pop();
        }
    }
    if line.len() > MAX_LINE || (!complete && line.len() >= MAX_LINE) {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

/// Reads the request line and headers within the limits.
fn read_request(reader: &mut impl BufRead) -> io::Result<Result<Request, Refusal>> {
    let started = Instant::now();
    let Some(request_line) = read_line(reader)? else {
        return Ok(Err(("414 URI Too Long", "the request line is longer than 8 KiB\n")));
    };
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(Err(("400 Bad Request", "not an HTTP request\n")));
    };
    let mut request = Request { method: method.into(), target: target.into(), hosts: Vec::new(), origin: None };
    for count in 0.. {
        let Some(line) = read_line(reader)? else {
            return Ok(Err(("431 Request Header Fields Too Large", "a header line is longer than 8 KiB\n")));
        };
        if line.is_empty() {
            break;
        }
        if count == MAX_HEADERS {
            return Ok(Err(("431 Request Header Fields Too Large", "more than 100 header lines\n")));
        }
        if started.elapsed() > HEAD_TIMEOUT {
            return Ok(Err(("408 Request Timeout", "the request took too long to arrive\n")));
        }
        let Some((name, value)) = line.split_once(':') else { continue };
        if name.eq_ignore_ascii_case("host") {
            request.hosts.push(value.trim().to_string());
        } else if name.eq_ignore_ascii_case("origin") {
            request.origin = Some(value.trim().to_string());
        }
    }
    Ok(Ok(request))
}

/// Whether a `Host` header names this computer: `localhost`, `127.0.0.1` or
/// `[::1]`, with or without a port.
fn is_local_host(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some(("::1", port)) => ("[::1]", port),
            _ => return false,
        },
        None => host.find(':').map_or((host, ""), |i| host.split_at(i)),
    };
    let port_ok = match port.strip_prefix(':') {
        Some(digits) => (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()),
        None => port.is_empty(),
    };
    port_ok && (name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "[::1]")
}

/// Whether an `Origin` is a page of this server.
fn is_own_origin(origin: &str, port: u16) -> bool {
    ["localhost", "127.0.0.1", "[::1]"].iter().any(|host| origin == format!("http://{host}:{port}"))
}

pub(super) fn handle(stream: TcpStream, state: &State, port: u16) -> io::Result<()> {
    stream.set_read_timeout(Some(HEAD_TIMEOUT))?;
    // A client that stops reading cannot hold its thread for ever.
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    let request = match read_request(&mut reader)? {
        Ok(request) => request,
        Err((status, why)) => return refuse(&mut stream, status, why),
    };
    match request.hosts.as_slice() {
        [host] if is_local_host(host) => {}
        [_] => return refuse(&mut stream, "403 Forbidden", WRONG_HOST),
        _ => return refuse(&mut stream, "400 Bad Request", "a request needs exactly one Host header\n"),
    }
    let (method, target) = (request.method.as_str(), request.target.as_str());
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"only GET and HEAD\n", method == "HEAD");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path == EVENTS {
        if request.origin.as_deref().is_some_and(|origin| !is_own_origin(origin, port)) {
            return refuse(
                &mut stream,
                "403 Forbidden",
                "the reload stream is only for pages of this server (the Origin is another site's)\n",
            );
        }
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
        // A folder asked for without its slash (its index.html was the fallback).
        Some((name, _)) if name != key && !path.ends_with('/') => {
            // From the normalised key, never the request's path: `//archive`
            // must not become `Location: //archive/`, a link to the host `archive`.
            let location = format!("/{}/", percent_encode(&key));
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

/// A site key as a URL path: every byte but letters, digits, `-._~` and `/` percent-encoded.
fn percent_encode(key: &str) -> String {
    key.bytes().fold(String::with_capacity(key.len()), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        out
    })
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

/// Answers a request refused before it was read whole, then reads and drops
/// what the client still sends, for at most two seconds in a small buffer
/// (closing with unread data would reset the connection, and the client might
/// lose the answer).
fn refuse(stream: &mut TcpStream, status: &str, why: &str) -> io::Result<()> {
    respond(stream, status, "text/plain; charset=utf-8", why.as_bytes(), false)?;
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let until = Instant::now() + Duration::from_secs(2);
    let mut sink = [0u8; 8192];
    while Instant::now() < until && matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
    Ok(())
}

/// Answers a connection beyond the limit: reads its request (for at most
/// 200 ms and 8 KiB), says 503 and closes.
pub(super) fn busy(mut stream: TcpStream) {
    let until = Instant::now() + Duration::from_millis(200);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while Instant::now() < until && head.len() < MAX_LINE && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            _ => break,
        }
    }
    let body: &[u8] = b"boardpack serve is answering as many connections as it allows; try again in a moment\n";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).and_then(|()| stream.write_all(body));
    let _ = stream.shutdown(Shutdown::Write);
}

/// Adds the live-reload script, and the error overlay when the last build failed.
fn inject(page: &[u8], state: &State) -> Vec<u8> {
    let generation = *state.generation.lock().unwrap_or_else(|p| p.into_inner());
    let mut extra = format!(
        "<script>(function(){{var s=new EventSource(\"{EVENTS}?since={generation}\");s.onmessage=function(e){{if(e.data===\"reload\"){{s.close();location.reload();}}}};}})();</script>"
    );
    if let Some(error) = read(&state.error).as_ref() {
        let palette = read(&state.palette);
        let (mark, word) = (&palette.red.mark, &palette.red.word);
        extra.push_str(&format!(
            "<div id=\"boardpack-error\" role=\"alert\" style=\"position:fixed;inset:auto 16px 16px 16px;max-height:60vh;overflow:auto;z-index:99999;background:#fff;color:#111;border:3px solid {mark};border-radius:10px;padding:16px 20px;box-shadow:0 10px 30px rgba(0,0,0,.25);font:14px/1.45 system-ui,sans-serif\"><strong style=\"color:{word}\">The report has errors: showing the last good build.</strong><pre style=\"white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace;margin:10px 0 0\">{}</pre></div>",
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
    fn only_this_computer_is_a_local_host() {
        for ok in ["localhost", "LOCALHOST:8080", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:65535"] {
            assert!(is_local_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "localhost.evil.example",
            "localhost:",
            "localhost:80:80",
            "localhost:123456",
            "localhost:8o",
            "127.0.0.1.nip.io",
            "127.0.0.2",
            "[::1",
            "[::2]:80",
            "[::1]80",
            "::1",
            "localhost@evil.example",
        ] {
            assert!(!is_local_host(bad), "{bad}");
        }
    }

    #[test]
    fn lines_are_read_up_to_the_limit_only() {
        let long = format!("{}\r\nnext\r\n", "a".repeat(MAX_LINE));
        let mut reader = io::Cursor::new(long.into_bytes());
        assert_eq!(read_line(&mut reader).unwrap().map(|l| l.len()), Some(MAX_LINE));
        assert_eq!(read_line(&mut reader).unwrap().as_deref(), Some("next"));
        let mut reader = io::Cursor::new(vec![b'a'; 10 * MAX_LINE]);
        assert_eq!(read_line(&mut reader).unwrap(), None);
        assert_eq!(reader.position(), MAX_LINE as u64 + 2, "only the limit is read");
    }

    #[test]
    fn redirect_paths_are_encoded() {
        assert_eq!(percent_encode("2026-10/a b"), "2026-10/a%20b");
        assert_eq!(percent_encode("x\r\nSet-Cookie:y"), "x%0D%0ASet-Cookie%3Ay");
    }

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
