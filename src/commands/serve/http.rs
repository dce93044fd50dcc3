//! What the preview answers to one request: files from memory, the reload
//! stream, and the error overlay. hyper reads and writes HTTP; the
//! connections it serves are chosen in [`super::connections`].
//!
//! It answers only this machine's browser. Requests must name `localhost`,
//! `127.0.0.1` or `[::1]` as their `Host` (with any port), as webpack-dev-server
//! and Vite require, so a web page whose name was pointed at 127.0.0.1 (DNS
//! rebinding) gets 403; the reload stream also refuses an `Origin` other than
//! this server's. Redirects are built from the normalised path, so they always
//! stay on this server. A request target longer than [`MAX_LINE`] gets 414 and
//! a header line longer than that 431, as before hyper read them (hyper itself
//! refuses more than [`MAX_HEADERS`] headers, and a head beyond its buffer).

use std::convert::Infallible;
use std::future::ready;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::{read, State};
use crate::load::theme::escape_html;

const EVENTS: &str = "/__boardpack/events";
/// The longest request target, and the longest header line (name, `: ` and
/// value), in bytes.
pub(super) const MAX_LINE: usize = 8 * 1024;
/// The most header lines read (hyper's limit, set in [`super::connections`]).
pub(super) const MAX_HEADERS: usize = 100;
/// How often an open reload stream says it is still there: a comment line
/// keeps proxies from closing it and finds clients that went away.
const PING: Duration = Duration::from_secs(15);

const WRONG_HOST: &str = "boardpack serve answers only requests addressed to this computer: the Host must be localhost, 127.0.0.1 or [::1] (with or without the port). Open the address boardpack printed, e.g. http://127.0.0.1:PORT/.\n";

/// A response's body: a file or a message whole, or the reload stream.
pub(super) type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Bytes of a URL path left as they are in a redirect: letters, digits, `-._~` and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// The answer to a request, and whether it is the reload stream (which stays
/// open for as long as its page does).
pub(super) fn answer<B>(request: &Request<B>, state: &State, port: u16) -> (Response<Body>, bool) {
    if let Err((status, why)) = check(request) {
        return (text(status, why), false);
    }
    let head = request.method() == Method::HEAD;
    if request.method() != Method::GET && !head {
        return (text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n"), false);
    }
    let path = request.uri().path();
    if path == EVENTS {
        if !all_values(request.headers(), &header::ORIGIN, |origin| is_own_origin(origin, port)) {
            let why = "the reload stream is only for pages of this server (the Origin is another site's)\n";
            return (text(StatusCode::FORBIDDEN, why), false);
        }
        let since = request.uri().query().and_then(|q| q.strip_prefix("since=")).and_then(|s| s.parse().ok());
        return (events(state, since.unwrap_or(0)), true);
    }
    let Some(key) = site_key(path) else {
        return (text(StatusCode::BAD_REQUEST, "bad path\n"), false);
    };
    let files = Arc::clone(&read(&state.files));
    let found = files.get(&key).map(|b| (key.clone(), b)).or_else(|| {
        let index = if key.is_empty() { "index.html".to_string() } else { format!("{key}/index.html") };
        files.get(&index).map(|b| (index, b))
    });
    let response = match found {
        // A folder asked for without its slash (its index.html was the fallback).
        Some((name, _)) if name != key && !path.ends_with('/') => {
            // From the normalised key, never the request's path: `//archive`
            // must not become `Location: //archive/`, a link to the host `archive`.
            match HeaderValue::try_from(format!("/{}/", utf8_percent_encode(&key, PATH))) {
                Ok(location) => {
                    let mut response = Response::new(Full::new(Bytes::new()).boxed_unsync());
                    *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
                    response.headers_mut().insert(header::LOCATION, location);
                    response
                }
                Err(_) => text(StatusCode::BAD_REQUEST, "bad path\n"),
            }
        }
        Some((name, bytes)) => {
            let kind = content_type(&name);
            let bytes = match kind.starts_with("text/html") {
                true => Bytes::from(inject(bytes, state)),
                false => Bytes::from_owner(Arc::clone(bytes)),
            };
            whole(StatusCode::OK, kind, bytes)
        }
        None => {
            let page = inject(b"<!DOCTYPE html><html lang=\"en\"><title>Not found</title><body><h1>Not found</h1><p><a href=\"/\">Latest report</a></p></body></html>", state);
            whole(StatusCode::NOT_FOUND, "text/html; charset=utf-8", Bytes::from(page))
        }
    };
    (response, false)
}

/// Why a request is refused before it is served: a status and a short explanation.
type Refusal = (StatusCode, &'static str);

/// The limits on the request's head, then its `Host`.
fn check<B>(request: &Request<B>) -> Result<(), Refusal> {
    let target = request.uri().path_and_query().map_or(0, |t| t.as_str().len());
    if target > MAX_LINE {
        return Err((StatusCode::URI_TOO_LONG, "the request line is longer than 8 KiB\n"));
    }
    if request.headers().iter().any(|(name, value)| name.as_str().len() + 2 + value.len() > MAX_LINE) {
        return Err((StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "a header line is longer than 8 KiB\n"));
    }
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return Err((StatusCode::BAD_REQUEST, "a request needs exactly one Host header\n"));
    };
    // A target in absolute form (`GET http://host/ …`) names the host too.
    let named = request.uri().authority().map(|a| a.as_str());
    let local = |host: &str| is_local_host(host);
    if !host.to_str().is_ok_and(local) || !named.is_none_or(local) {
        return Err((StatusCode::FORBIDDEN, WRONG_HOST));
    }
    Ok(())
}

/// Whether every value of the header `name` (none counts) passes `ok`.
fn all_values(headers: &HeaderMap, name: &HeaderName, ok: impl Fn(&str) -> bool) -> bool {
    headers.get_all(name).iter().all(|value| value.to_str().is_ok_and(&ok))
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

/// The file key for a URL path; `None` for anything that tries to climb out,
/// and for a malformed `%` escape.
fn site_key(path: &str) -> Option<String> {
    // The decoder keeps a `%` without two hex digits as it is; such a path was
    // refused before, and still is.
    let escapes_ok =
        path.split('%').skip(1).all(|rest| rest.get(..2).is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
    if !escapes_ok {
        return None;
    }
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
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

/// A whole body, never cached: the preview changes with every edit. hyper
/// adds its length, and leaves the body out for HEAD.
fn whole(status: StatusCode, kind: &'static str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body).boxed_unsync());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn text(status: StatusCode, why: &'static str) -> Response<Body> {
    whole(status, "text/plain; charset=utf-8", Bytes::from_static(why.as_bytes()))
}

/// The answer to a connection beyond the limit.
pub(super) fn busy() -> Response<Body> {
    let why = "boardpack serve is answering as many connections as it allows; try again in a moment\n";
    let mut response = text(StatusCode::SERVICE_UNAVAILABLE, why);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Adds the live-reload script, and the error overlay when the last build failed.
fn inject(page: &[u8], state: &State) -> Vec<u8> {
    let generation = *state.generation.borrow();
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
/// the page that opened it, and ends there.
fn events(state: &State, since: u64) -> Response<Body> {
    let frames = stream::unfold(Some(state.generation.subscribe()), move |generation| async move {
        let mut generation = generation?;
        let newer = tokio::time::timeout(PING, generation.wait_for(|g| *g > since)).await.map(|built| built.is_ok());
        match newer {
            Ok(true) => Some((&b"data: reload\n\n"[..], None)),
            // The server is stopping.
            Ok(false) => None,
            Err(_) => Some((&b": ping\n\n"[..], Some(generation))),
        }
    });
    let body =
        stream::once(ready(&b": connected\n\n"[..])).chain(frames).map(|b| Ok(Frame::data(Bytes::from_static(b))));
    let mut response = Response::new(StreamBody::new(body).boxed_unsync());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
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

    fn request(target: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut request = Request::builder().uri(target);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap()
    }

    #[test]
    fn heads_are_checked_within_the_limits() {
        let ok = request("/", &[("host", "localhost")]);
        assert_eq!(check(&ok), Ok(()));
        let long = request(&format!("/{}", "a".repeat(MAX_LINE)), &[("host", "localhost")]);
        assert_eq!(check(&long).unwrap_err().0, StatusCode::URI_TOO_LONG);
        let just = request(&format!("/{}", "a".repeat(MAX_LINE - 1)), &[("host", "localhost")]);
        assert_eq!(check(&just), Ok(()));
        let value = "a".repeat(MAX_LINE - "x-long: ".len());
        assert_eq!(check(&request("/", &[("host", "localhost"), ("x-long", &value)])), Ok(()));
        let value = format!("{value}a");
        let refused = check(&request("/", &[("host", "localhost"), ("x-long", &value)]));
        assert_eq!(refused.unwrap_err().0, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        // The host named in an absolute-form target must be this computer too.
        assert_eq!(check(&request("http://localhost:8080/", &[("host", "localhost")])), Ok(()));
        let rebound = check(&request("http://evil.example/", &[("host", "localhost")]));
        assert_eq!(rebound.unwrap_err().0, StatusCode::FORBIDDEN);
    }

    #[test]
    fn every_origin_must_be_this_server() {
        let own = |values: &[&str]| {
            let mut headers = HeaderMap::new();
            for v in values {
                headers.append(header::ORIGIN, HeaderValue::from_str(v).unwrap());
            }
            all_values(&headers, &header::ORIGIN, |o| is_own_origin(o, 8080))
        };
        assert!(own(&[]));
        assert!(own(&["http://localhost:8080", "http://127.0.0.1:8080"]));
        assert!(!own(&["http://localhost:8080", "http://evil.example"]));
        assert!(!own(&["http://evil.example", "http://localhost:8080"]));
    }

    #[test]
    fn redirect_paths_are_encoded() {
        let encode = |key: &str| utf8_percent_encode(key, PATH).to_string();
        assert_eq!(encode("2026-10/a b"), "2026-10/a%20b");
        assert_eq!(encode("x\r\nSet-Cookie:y"), "x%0D%0ASet-Cookie%3Ay");
        assert_eq!(encode("a-b.c_d~e/f"), "a-b.c_d~e/f");
    }

    #[test]
    fn paths_map_to_files_and_never_climb_out() {
        assert_eq!(site_key("/").as_deref(), Some("index.html"));
        assert_eq!(site_key("/2026-10/").as_deref(), Some("2026-10/index.html"));
        assert_eq!(site_key("/2026-10/charts/lead-time.svg").as_deref(), Some("2026-10/charts/lead-time.svg"));
        assert_eq!(site_key("/a%20b.html").as_deref(), Some("a b.html"));
        assert_eq!(site_key("/%C3%A9t%C3%A9.html").as_deref(), Some("été.html"));
        assert_eq!(site_key("/100%25.html").as_deref(), Some("100%.html"));
        for bad in
            ["/../etc/passwd", "/%2e%2e/etc/passwd", "/a/../../b", "/%zz", "/%2", "/%", "/a\\..\\b", "/%FF", "/a%00b"]
        {
            assert_eq!(site_key(bad), None, "{bad}");
        }
    }
}
