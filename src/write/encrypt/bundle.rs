//! A page's bundle: the page and every file it shows, sealed together.
//!
//! A page opened from disk (`file://`) cannot fetch the files beside it, and
//! an encrypted site's files cannot be shown without decrypting them: so the
//! stylesheets (`<link rel="stylesheet" href>`) and images (`<img src>`) a
//! page names travel inside its own sealed payload, and the browser shows
//! them from there. The page's HTML is the plain site's, byte for byte.
//!
//! The format: a 4-byte big-endian count, then for each entry a 4-byte
//! length and the path (UTF-8, relative to the site root), a 4-byte length
//! and the bytes. The first entry is the file itself. The whole is deflated
//! (raw DEFLATE, RFC 1951; the browser's `DecompressionStream("deflate-raw")`
//! inflates it): every page carries the site's stylesheet, and deflated, an
//! encrypted site is about the size of the plain one instead of twice it.

use std::io::Write as _;

/// A bundle of `entries`, each a path in the site and its bytes, deflated.
pub(crate) fn pack(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let raw = join(entries);
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::with_capacity(raw.len() / 3), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = deflate.write_all(&raw);
    deflate.finish().unwrap_or_default()
}

/// The entries one after another, as described above.
fn join(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let size = entries.iter().map(|(p, b)| 8 + p.len() + b.len()).sum::<usize>() + 4;
    let mut out = Vec::with_capacity(size);
    // A page and its files are far below 4 GB each.
    out.extend((entries.len() as u32).to_be_bytes());
    for (path, bytes) in entries {
        out.extend((path.len() as u32).to_be_bytes());
        out.extend(path.as_bytes());
        out.extend((bytes.len() as u32).to_be_bytes());
        out.extend(*bytes);
    }
    out
}

/// The entries of a bundle, or `None` when it is not one.
#[cfg(test)]
pub(crate) fn unpack(deflated: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    flate2::read::DeflateDecoder::new(deflated).read_to_end(&mut bytes).ok()?;
    let bytes = bytes.as_slice();
    let mut at = 0;
    let mut take = |n: usize| -> Option<&[u8]> {
        let part = bytes.get(at..at + n)?;
        at += n;
        Some(part)
    };
    let number = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let count = number(take(4)?);
    let mut entries = Vec::new();
    for _ in 0..count {
        let len = number(take(4)?);
        let path = String::from_utf8(take(len)?.to_vec()).ok()?;
        let len = number(take(4)?);
        entries.push((path, take(len)?.to_vec()));
    }
    Some(entries)
}

/// The site paths of the stylesheets and images the page at `page` names,
/// in the order it names them, each once. Addresses with a scheme, absolute
/// paths and paths that climb out of the site are not the site's files.
pub(crate) fn shown(html: &str, page: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let name_end = tag.find(|c: char| c.is_ascii_whitespace()).unwrap_or(tag.len());
        let target = match tag[..name_end].to_ascii_lowercase().as_str() {
            "img" => attribute(tag, "src"),
            "link" if attribute(tag, "rel").is_some_and(|r| r.split_ascii_whitespace().any(|w| w == "stylesheet")) => {
                attribute(tag, "href")
            }
            _ => None,
        };
        if let Some(path) = target.and_then(|t| resolve(page, &unescape(t))) {
            if !found.contains(&path) {
                found.push(path);
            }
        }
        rest = &rest[end..];
    }
    found
}

/// The value of attribute `name` in a tag's text (after its name), quoted
/// with `"` or `'`.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().last();
        let after = &rest[at + name.len()..];
        rest = after;
        if !before.is_some_and(|c| c.is_ascii_whitespace()) {
            continue;
        }
        let Some(value) = after.trim_start().strip_prefix('=') else { continue };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let value = &value[1..];
        return value.find(quote).map(|end| &value[..end]);
    }
    None
}

/// The few character references a path in an attribute may carry.
fn unescape(value: &str) -> String {
    value.replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", "\"")
}

/// `target` as named from the page at `page`, as a path from the site root,
/// without its query or fragment.
pub(crate) fn resolve(page: &str, target: &str) -> Option<String> {
    let target = target.split(['#', '?']).next().unwrap_or("");
    if target.is_empty() || target.starts_with('/') || target.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for step in target.split('/') {
        match step {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_its_stylesheet_and_images_by_their_site_paths() {
        let html = r#"<!DOCTYPE html><html><head><link rel="stylesheet" href="../../static/style.css">
<link rel="canonical" href="https://example.com/x/"><link rel=icon href="x.ico"></head>
<body><a href="../charts/lead-time.svg">chart</a><IMG class="c" src="../charts/lead-time.svg" alt="Lead">
<img alt="src=x" src='../charts/cfr.svg?v=1'><img src="https://tracker.example/p.gif">
<img src="../../../outside.png"><img src="../charts/lead-time.svg"><p>a < b</p></body></html>"#;
        assert_eq!(
            shown(html, "2026-10/software-delivery/index.html"),
            ["static/style.css", "2026-10/charts/lead-time.svg", "2026-10/charts/cfr.svg"]
        );
        assert_eq!(shown("<link rel=\"stylesheet\" href=\"static/style.css\">", "index.html"), ["static/style.css"]);
    }

    #[test]
    fn paths_resolve_within_the_site_only() {
        assert_eq!(resolve("a/b/index.html", "../c.svg#x").as_deref(), Some("a/c.svg"));
        assert_eq!(resolve("index.html", "./static/s.css").as_deref(), Some("static/s.css"));
        assert_eq!(resolve("index.html", "../x"), None);
        assert_eq!(resolve("index.html", "data:image/png;base64,AAAA"), None);
        assert_eq!(resolve("index.html", "/abs.css"), None);
        assert_eq!(resolve("index.html", "#top"), None);
    }

    #[test]
    fn a_bundle_keeps_every_entry_in_order() {
        let entries: [(&str, &[u8]); 3] =
            [("index.html", b"<p>page</p>"), ("static/style.css", b""), ("c.svg", b"\0\xff")];
        let packed = pack(&entries);
        let back = unpack(&packed).unwrap();
        assert_eq!(back.len(), 3);
        for ((p, b), (q, c)) in entries.iter().zip(&back) {
            assert_eq!((*p, *b), (q.as_str(), c.as_slice()));
        }
        assert!(unpack(&packed[..packed.len() - 1]).is_none());
        let css = vec![b'a'; 20_000];
        assert!(pack(&[("index.html", b"<p>"), ("s.css", &css)]).len() < 1_000, "deflated");
    }
}
