//! The preview server answers only the author's own browser on this machine:
//! no other site can reach it through DNS rebinding or read its reload stream,
//! it never redirects to another host, and no request or crowd of connections
//! can make it hold unbounded memory or threads. Every test talks only to
//! 127.0.0.1 and ends within seconds.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::*;

fn server() -> (tempfile::TempDir, Server) {
    let project = copy_project(&repo().join("examples/minimal"));
    let server = Server::start(project.path(), &[]);
    (project, server)
}

/// Sends `request` as is and returns the whole response (the server closes
/// every connection after answering).
fn raw(port: u16, request: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request).unwrap();
    let mut response = Vec::new();
    let _ = s.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// The status line and the headers of a response.
fn head(response: &str) -> &str {
    response.split("\r\n\r\n").next().unwrap_or("")
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
    for path in ["//evil.example", "//evil.example/", "/\\evil.example", "//evil.example/%2e%2e"] {
        let r = raw(server.port, format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes());
        assert!(!r.starts_with("HTTP/1.1 3"), "{path} redirected: {}", head(&r));
    }
}
