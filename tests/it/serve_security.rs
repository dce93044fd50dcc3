//! The preview server answers only the author's own browser on this machine:
//! no other site can reach it through DNS rebinding or read its reload stream,
//! it never redirects to another host, and no request or crowd of connections
//! can make it hold unbounded memory or threads. Every test talks only to
//! 127.0.0.1 and ends within seconds.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;

/// The server's limit on connections served at once (`src/commands/serve/connections.rs`).
const MAX_CONNECTIONS: usize = 64;

fn server() -> (tempfile::TempDir, Server) {
    let project = copy_project(&repo().join("examples/minimal"));
    let server = Server::start(project.path(), &[]);
    (project, server)
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Sends `request` as is and returns the whole response (the server closes
/// every connection after answering).
fn raw(port: u16, request: &[u8]) -> String {
    let mut s = connect(port);
    s.write_all(request).unwrap();
    let mut response = Vec::new();
    let _ = s.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// The status line and the headers of a response.
fn head(response: &str) -> &str {
    response.split("\r\n\r\n").next().unwrap_or("")
}

fn get_with(port: u16, path: &str, headers: &str) -> String {
    raw(port, format!("GET {path} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n").as_bytes())
}

/// Opens the reload stream and returns its first bytes: the status line and
/// `: connected`, or the refusal.
fn open_events(port: u16, headers: &str) -> (TcpStream, String) {
    let mut s = connect(port);
    write!(s, "GET /__boardpack/events?since=999999 HTTP/1.1\r\n{headers}\r\n").unwrap();
    let mut got = String::new();
    let mut buf = [0u8; 1024];
    while !got.contains("\r\n\r\n") || (got.starts_with("HTTP/1.1 200") && !got.contains(": connected")) {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    (s, got)
}

#[test]
fn only_requests_for_this_machine_are_answered() {
    let (_project, server) = server();
    let port = server.port;
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        "LocalHost".to_string(),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_string(),
        format!("[::1]:{port}"),
        "[::1]".to_string(),
    ] {
        let r = get_with(port, "/", &format!("Host: {host}\r\n"));
        assert!(r.starts_with("HTTP/1.1 200 OK"), "Host: {host}\n{}", head(&r));
    }
    // A page of another site whose name was made to point at 127.0.0.1 (DNS rebinding).
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        "localhost.evil.example".to_string(),
        "127.0.0.1.nip.io".to_string(),
        format!("localhost:{port}@evil.example"),
        "localhost:notaport".to_string(),
        "[::2]".to_string(),
        String::new(),
    ] {
        let r = get_with(port, "/", &format!("Host: {host}\r\n"));
        assert!(r.starts_with("HTTP/1.1 403 Forbidden"), "Host: {host}\n{}", head(&r));
        assert!(r.contains("localhost") && !r.contains("<html"), "the refusal explains itself: {r}");
    }
    let r = get_with(port, "/", "");
    assert!(r.starts_with("HTTP/1.1 400 Bad Request"), "no Host: {}", head(&r));
    let r = get_with(port, "/", "Host: localhost\r\nHost: evil.example\r\n");
    assert!(r.starts_with("HTTP/1.1 400 Bad Request"), "two Hosts: {}", head(&r));
}

#[test]
fn the_reload_stream_is_only_for_pages_of_this_server() {
    let (_project, server) = server();
    let port = server.port;
    let (_a, got) = open_events(port, "Host: localhost\r\n");
    assert!(got.starts_with("HTTP/1.1 200 OK") && got.contains(": connected"), "no Origin: {got}");
    for origin in
        [format!("http://localhost:{port}"), format!("http://127.0.0.1:{port}"), format!("http://[::1]:{port}")]
    {
        let (_s, got) = open_events(port, &format!("Host: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"));
        assert!(got.starts_with("HTTP/1.1 200 OK"), "Origin: {origin}\n{got}");
    }
    for origin in [
        "http://evil.example".to_string(),
        format!("http://localhost:{}", port.wrapping_add(1)),
        format!("https://localhost:{port}"),
        "null".to_string(),
        format!("http://localhost:{port}.evil.example"),
    ] {
        let (_s, got) = open_events(port, &format!("Host: localhost:{port}\r\nOrigin: {origin}\r\n"));
        assert!(got.starts_with("HTTP/1.1 403 Forbidden"), "Origin: {origin}\n{got}");
    }
}

#[test]
fn redirects_stay_on_this_server() {
    let (_project, server) = server();
    for (path, location) in [
        ("//archive", "/archive/"),
        ("///archive", "/archive/"),
        ("/archive", "/archive/"),
        ("//2026-10", "/2026-10/"),
        ("/./2026-10", "/2026-10/"),
        ("/2026-10//software-delivery", "/2026-10/software-delivery/"),
        ("/%2F%2Farchive", "/archive/"),
    ] {
        let r = raw(server.port, format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes());
        assert!(r.starts_with("HTTP/1.1 301"), "{path}: {}", head(&r));
        let found = head(&r).lines().find_map(|l| l.strip_prefix("Location: ")).unwrap_or("");
        assert_eq!(found, location, "{path}");
    }
    // A page asked for by its file name is served, not redirected.
    for path in ["/2026-10/index.html", "/index.html", "/archive/index.html"] {
        let r = raw(server.port, format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes());
        assert!(r.starts_with("HTTP/1.1 200 OK"), "{path}: {}", head(&r));
    }
    for path in ["//evil.example", "//evil.example/", "/\\evil.example", "//evil.example/%2e%2e"] {
        let r = raw(server.port, format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes());
        assert!(!r.starts_with("HTTP/1.1 3"), "{path} redirected: {}", head(&r));
    }
}

#[test]
fn oversized_requests_are_refused() {
    let (_project, server) = server();
    let port = server.port;
    let long_path = format!("/{}", "a".repeat(100 * 1024));
    let r = get_with(port, &long_path, "Host: localhost\r\n");
    assert!(r.starts_with("HTTP/1.1 414"), "{}", head(&r));
    let r = get_with(port, "/", &format!("Host: localhost\r\nX-Long: {}\r\n", "a".repeat(100 * 1024)));
    assert!(r.starts_with("HTTP/1.1 431"), "{}", head(&r));
    let many: String = (0..200).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let r = get_with(port, "/", &format!("Host: localhost\r\n{many}"));
    assert!(r.starts_with("HTTP/1.1 431"), "{}", head(&r));

    // A header line that never ends is cut off after a few KiB, not read whole.
    let mut s = connect(port);
    s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Endless: ").unwrap();
    let writer = {
        let mut s = s.try_clone().unwrap();
        std::thread::spawn(move || {
            let chunk = vec![b'a'; 64 * 1024];
            let started = Instant::now();
            // Until the server stops reading (the write fails), for at most 16 MiB or 10 s.
            for _ in 0..256 {
                if s.write_all(&chunk).is_err() || started.elapsed() > Duration::from_secs(10) {
                    break;
                }
            }
        })
    };
    let mut response = Vec::new();
    let _ = s.read_to_end(&mut response);
    let _ = s.shutdown(std::net::Shutdown::Both);
    writer.join().unwrap();
    assert!(String::from_utf8_lossy(&response).starts_with("HTTP/1.1 431"), "{}", String::from_utf8_lossy(&response));

    let (status, _) = server.get("/");
    assert_eq!(status, "HTTP/1.1 200 OK", "still serving");
}

/// Connections beyond the limit get 503 instead of a thread each; reload
/// streams count; once connections close, requests are served again.
#[test]
fn concurrent_connections_are_capped() {
    let (_project, server) = server();
    let port = server.port;
    let idle: Vec<TcpStream> = (0..MAX_CONNECTIONS).map(|_| connect(port)).collect();
    let r = get_with(port, "/", "Host: localhost\r\n");
    assert!(r.starts_with("HTTP/1.1 503"), "{}", head(&r));
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !get_with(port, "/", "Host: localhost\r\n").starts_with("HTTP/1.1 200") {
        assert!(Instant::now() < deadline, "not serving again 10 s after the connections closed");
        std::thread::sleep(Duration::from_millis(50));
    }

    let mut streams = Vec::new();
    for i in 0..MAX_CONNECTIONS {
        let (s, got) = open_events(port, "Host: localhost\r\n");
        assert!(got.starts_with("HTTP/1.1 200 OK"), "stream {i}: {got}");
        streams.push(s);
    }
    let (_s, got) = open_events(port, "Host: localhost\r\n");
    assert!(got.starts_with("HTTP/1.1 503"), "{got}");
    let r = get_with(port, "/", "Host: localhost\r\n");
    assert!(r.starts_with("HTTP/1.1 503"), "{}", head(&r));
    #[cfg(target_os = "linux")]
    {
        let extra: Vec<TcpStream> = (0..200).map(|_| open_events(port, "Host: localhost\r\n").0).collect();
        let threads = server.threads();
        assert!(threads <= MAX_CONNECTIONS + 16, "{threads} threads for {} connections", 264);
        drop(extra);
    }
}

/// A request head sent a byte at a time is cut off after ten seconds however
/// steadily the bytes come (the server's limit on the whole head), even when
/// the server has room to spare.
#[test]
fn a_head_sent_slowly_is_cut_off() {
    let (_project, server) = server();
    let mut s = connect(server.port);
    s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").unwrap();
    s.set_nonblocking(true).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    let closed = loop {
        std::thread::sleep(Duration::from_millis(300));
        match s.read(&mut buf) {
            Ok(0) => break Some(started.elapsed()),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            _ => break Some(started.elapsed()),
        }
        if started.elapsed() > Duration::from_secs(20) {
            break None;
        }
        if s.write_all(b"a").is_err() {
            break Some(started.elapsed());
        }
    };
    let closed = closed.expect("still open after 20 s of one byte every 300 ms");
    assert!(closed < Duration::from_secs(13), "closed only after {closed:?}");
    let (status, _) = server.get("/");
    assert_eq!(status, "HTTP/1.1 200 OK", "still serving");
}

/// Slow clients (slowloris) that each send one header byte every 300 ms, and
/// connect again whenever the server drops them, cannot keep the author's
/// own page from loading: with as many of them as the server serves at once,
/// a request made while they dribble is answered 200 within two seconds.
#[test]
fn slow_clients_cannot_hold_the_server() {
    let (_project, server) = server();
    let port = server.port;
    let stop = Arc::new(AtomicBool::new(false));
    // However the test ends, no attacker outlives this.
    let give_up = Instant::now() + Duration::from_secs(30);
    let attackers: Vec<_> = (0..MAX_CONNECTIONS)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let going = || !stop.load(Ordering::Relaxed) && Instant::now() < give_up;
                while going() {
                    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                        std::thread::sleep(Duration::from_millis(100));
                        continue;
                    };
                    let mut open = s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").is_ok();
                    while open && going() {
                        std::thread::sleep(Duration::from_millis(300));
                        open = s.write_all(b"a").is_ok();
                    }
                }
            })
        })
        .collect();
    // The attack has been going on for a few seconds when the author opens the page.
    std::thread::sleep(Duration::from_secs(3));
    let mut answers = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let r = get_with(port, "/", "Host: localhost\r\n");
        answers.push((head(&r).lines().next().unwrap_or("").to_string(), started.elapsed()));
        std::thread::sleep(Duration::from_millis(500));
    }
    stop.store(true, Ordering::Relaxed);
    for attacker in attackers {
        attacker.join().unwrap();
    }
    for (status, took) in &answers {
        assert!(status == "HTTP/1.1 200 OK" && *took < Duration::from_secs(2), "{answers:?}");
    }
    let (status, _) = server.get("/");
    assert_eq!(status, "HTTP/1.1 200 OK", "still serving once they stop");
}
