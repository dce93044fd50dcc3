//! `[publish] encrypt = true`: the built site, as someone without the key
//! sees it (every byte), as a rebuild writes it, and as the cache keeps it.
//! The browser's side (opening, navigating, downloading) is checked in
//! Chromium by tests/browser/encrypt.mjs.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::{copy_project, repo, stderr, tree};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// `boardpack ARGS` with exactly the key variables given.
fn run(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_boardpack"));
    command.args(args).env("NO_COLOR", "1").env_remove("BOARDPACK_KEY").env_remove("BOARDPACK_PASSPHRASE");
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().expect("run boardpack")
}

fn build(root: &Path, out: &Path, vars: &[(&str, &str)]) -> String {
    let o = run(&["build", "--root", root.to_str().unwrap(), "--output", out.to_str().unwrap()], vars);
    assert!(o.status.success(), "build of {} failed:\n{}", root.display(), stderr(&o));
    stderr(&o)
}

/// Adds `[publish]` settings to the project or portfolio at `root`.
fn publish(root: &Path, settings: &str) {
    let file = if root.join("portfolio.toml").is_file() { "portfolio.toml" } else { "boardpack.toml" };
    let mut text = fs::read_to_string(root.join(file)).unwrap();
    text.push_str(&format!("\n[publish]\n{settings}\n"));
    fs::write(root.join(file), text).unwrap();
}

/// An encrypted page cut in two: its clear text (the payload left out) and its payload.
fn shell(html: &str) -> (String, String) {
    let (before, rest) = html.split_once("id=\"bp-data\" data-depth=\"").expect("an encrypted page");
    let (depth, rest) = rest.split_once("\">").unwrap();
    let (payload, after) = rest.split_once("</script>").unwrap();
    assert!(depth.parse::<usize>().is_ok());
    (format!("{before}{after}"), payload.to_string())
}

/// The clear text a reader without the key could read, the theme's script,
/// style and policy (the same for every report, checked below) left out.
fn readable(clear: &str) -> String {
    let mut text = clear.to_string();
    for (open, close) in [("<script>", "</script>"), ("<style>", "</style>"), ("content=\"default-src", "\">")] {
        if let Some(start) = text.find(open) {
            let end = text[start..].find(close).map_or(text.len(), |e| start + e);
            text.replace_range(start..end, "");
        }
    }
    text
}

/// Whether `needle` occurs in `hay` as a whole word (case-insensitive): a
/// three-letter value is found as "red", never inside "shared".
fn contains_word(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.to_lowercase(), needle.to_lowercase());
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    hay.match_indices(&needle)
        .any(|(at, _)| !word(hay[..at].chars().last()) && !word(hay[at + needle.len()..].chars().next()))
}

/// What must not be read without the key: the organisation and title, every
/// KPI's and accountability's name and id, every value of three or more
/// characters in every month's plain data.json, and every sentence of commentary.
fn secrets(project: &Path, plain: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    let config: toml::Table = fs::read_to_string(project.join("boardpack.toml")).unwrap().parse().unwrap();
    for key in ["organisation", "title"] {
        found.insert(config[key].as_str().unwrap().to_string());
    }
    fn values(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::String(s) => {
                out.insert(s.clone());
            }
            serde_json::Value::Number(n) => {
                out.insert(n.to_string());
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| values(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| values(v, out)),
            _ => {}
        }
    }
    for (path, bytes) in plain.iter().filter(|(p, _)| p.ends_with("data.json")) {
        values(&serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{path}: {e}")), &mut found);
    }
    let catalogue = boardpack::BUILTIN_CATALOGUE;
    let own = fs::read_to_string(project.join("content/catalogue.toml")).unwrap_or_default();
    for line in catalogue.lines().chain(own.lines()) {
        if let Some(name) = line.strip_prefix("name = \"") {
            found.insert(name.trim_end_matches('"').to_string());
        }
    }
    for entry in walkdir::WalkDir::new(project.join("content")).into_iter().map(Result::unwrap) {
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = fs::read_to_string(entry.path()).unwrap();
            // Sentences, as runs of words between Markdown's marks.
            for part in text.split(|c: char| ".!?*_[]()#>|`\n".contains(c)) {
                if part.trim().len() >= 24 {
                    found.insert(part.trim().to_string());
                }
            }
        }
    }
    found.into_iter().filter(|s| s.chars().count() >= 3).collect()
}

/// Every byte of an encrypted site against what must not be read: the clear
/// text of every page (the prompt) for every secret as a word, and all the
/// rest — payloads, decoded, and sealed files — for every secret of 8 bytes
/// or more (shorter ones turn up in random bytes by chance, as "red" does
/// once in every 16 MB). Returns the clear text of its pages, which must be
/// the same on every page.
fn leak_scan(site: &BTreeMap<String, Vec<u8>>, secrets: &[String]) -> String {
    use base64::Engine as _;
    let mut clear_texts = std::collections::BTreeSet::new();
    let long: Vec<&String> = secrets.iter().filter(|s| s.len() >= 8).collect();
    let finder = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(&long).unwrap();
    let sealed_holds =
        |bytes: &[u8], path: &str| finder.find(bytes).map(|m| format!("{path}: {}", long[m.pattern().as_usize()]));
    let mut leaks = Vec::new();
    for (path, bytes) in site {
        if path.ends_with("robots.txt") || path == ".boardpack-output" {
            continue;
        }
        if path.ends_with(".html") {
            let (clear, payload) = shell(std::str::from_utf8(bytes).unwrap());
            let visible = readable(&clear);
            leaks
                .extend(secrets.iter().filter(|s| contains_word(&visible, s)).map(|s| format!("{path} in clear: {s}")));
            let decoded = base64::engine::general_purpose::STANDARD.decode(&payload).unwrap();
            assert_eq!(&decoded[..4], b"BPE\x01", "{path}");
            leaks.extend(sealed_holds(payload.as_bytes(), path));
            leaks.extend(sealed_holds(&decoded, path));
            clear_texts.insert(clear);
        } else {
            assert_eq!(&bytes[..4], b"BPE\x01", "{path} is sealed");
            leaks.extend(sealed_holds(bytes, path));
        }
    }
    assert!(leaks.is_empty(), "readable without the key:\n{}", leaks.join("\n"));
    assert_eq!(clear_texts.len(), 1, "every page's clear text is the same prompt");
    clear_texts.into_iter().next().unwrap()
}

#[test]
fn an_encrypted_site_leaks_nothing_and_a_rebuild_writes_the_same_bytes() {
    let project = copy_project(&repo());
    let (plain_out, sealed_out, again_out) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build(project.path(), plain_out.path(), &[]);
    let plain = tree(plain_out.path());
    publish(project.path(), "encrypt = true");
    build(project.path(), sealed_out.path(), &[("BOARDPACK_KEY", KEY)]);
    let sealed = tree(sealed_out.path());
    let plain_paths: Vec<&String> = plain.keys().collect();
    assert_eq!(sealed.keys().collect::<Vec<_>>(), plain_paths, "every file at its plain URL, no other");
    let secrets = secrets(project.path(), &plain);
    assert!(secrets.iter().any(|s| s == "Larkspur Freight") && secrets.len() > 300, "{} secrets", secrets.len());
    let prompt = leak_scan(&sealed, &secrets);
    assert!(prompt.contains("This report is private") && prompt.contains("noindex"));

    // The same input again, from scratch (no cache): the same bytes.
    let fresh = copy_project(project.path());
    build(fresh.path(), again_out.path(), &[("BOARDPACK_KEY", KEY)]);
    let again = tree(again_out.path());
    let differ: Vec<&String> = sealed.keys().filter(|p| sealed[*p] != again[*p]).collect();
    assert!(differ.is_empty(), "a rebuild changed {differ:?}");

    // Another report, same language: the same clear text, so it carries nothing of either.
    let other = copy_project(&repo().join("examples/minimal"));
    publish(other.path(), "encrypt = true");
    let other_out = tempfile::tempdir().unwrap();
    build(other.path(), other_out.path(), &[("BOARDPACK_KEY", KEY)]);
    let other_site = tree(other_out.path());
    let (other_clear, _) = shell(std::str::from_utf8(&other_site["index.html"]).unwrap());
    assert_eq!(other_clear, prompt, "the prompt is the theme's, not the report's");
}

#[test]
fn no_key_no_site_and_every_mistake_with_a_key_is_named() {
    let project = copy_project(&repo().join("examples/minimal"));
    publish(project.path(), "encrypt = true");
    let out = project.path().join("public");
    let attempt = |vars: &[(&str, &str)]| {
        let o = run(&["build", "--root", project.path().to_str().unwrap()], vars);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(!out.exists(), "nothing is written, and nothing in clear");
        stderr(&o)
    };
    let none = attempt(&[]);
    assert!(
        none.contains("no key is set")
            && none.contains("boardpack key new")
            && none.contains("gh secret set BOARDPACK_KEY"),
        "{none}"
    );
    let empty = attempt(&[("BOARDPACK_KEY", "")]);
    assert!(empty.contains("no key is set"), "a CI secret that does not exist is empty: {empty}");
    assert!(attempt(&[("BOARDPACK_KEY", "hunter2")]).contains("is not a boardpack key"));
    assert!(attempt(&[("BOARDPACK_KEY", KEY), ("BOARDPACK_PASSPHRASE", "x")]).contains("both"));
    assert!(attempt(&[("BOARDPACK_PASSPHRASE", "a long enough passphrase")]).contains("no `salt`"));
    let mut text = fs::read_to_string(project.path().join("boardpack.toml")).unwrap();
    text = text.replace("encrypt = true", "encrypt = true\nsalt = \"c2FsdCBmb3IgYSB0ZXN0\"");
    fs::write(project.path().join("boardpack.toml"), text).unwrap();
    assert!(attempt(&[("BOARDPACK_PASSPHRASE", "too short")]).contains("shorter than 12"));
    build(project.path(), &out, &[("BOARDPACK_PASSPHRASE", "a long enough passphrase")]);
    let index = fs::read(out.join("index.html")).unwrap();
    let (_, payload) = shell(std::str::from_utf8(&index).unwrap());
    use base64::Engine as _;
    let header = base64::engine::general_purpose::STANDARD.decode(payload).unwrap();
    assert_eq!(&header[11..11 + header[10] as usize], b"c2FsdCBmb3IgYSB0ZXN0", "the salt travels in clear");
    assert_eq!(u32::from_be_bytes(header[6..10].try_into().unwrap()), 600_000);
}

/// An unchanged encrypted month is taken from the previous output, or linked
/// from the cache into a new folder, never sealed again; under another key,
/// nothing is taken.
#[test]
fn the_cache_keeps_encrypted_months_under_the_keys_fingerprint() {
    let project = copy_project(&repo().join("examples/portfolio"));
    publish(project.path(), "encrypt = true");
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let key = [("BOARDPACK_KEY", KEY)];
    build(project.path(), a.path(), &key);
    let first = tree(a.path());
    assert!(first.keys().any(|p| p.starts_with("northwind-logistics/")));
    let site = leak_scan(&first, &["Harbour Lane Partners".to_string(), "Northwind".to_string()]);
    assert!(site.contains("This report is private"));
    let again = build(project.path(), a.path(), &key);
    assert!(again.contains("taken from the previous build"), "{again}");
    let linked = build(project.path(), b.path(), &key);
    assert!(linked.contains("month(s) from the cache"), "{linked}");
    assert_eq!(tree(b.path()), first, "linked from the cache: the same bytes");
    let other = build(project.path(), c.path(), &[("BOARDPACK_KEY", "HxwdHh8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo")]);
    // PDFs are still taken from the cache (they are kept in clear, by their inputs); months are not.
    assert!(!other.contains("month(s) from the cache") && !other.contains("previous build"), "{other}");
    let rekeyed = tree(c.path());
    let unchanged: Vec<&String> = first
        .keys()
        .filter(|p| !p.ends_with("robots.txt") && *p != ".boardpack-output" && first[*p] == rekeyed[*p])
        .collect();
    assert!(unchanged.is_empty(), "a new key changes every file: {unchanged:?}");

    // A company asking for encryption its portfolio does not give is refused.
    let plain = copy_project(&repo().join("examples/portfolio"));
    publish(&plain.path().join("companies/globex-retail"), "encrypt = true");
    let o = run(&["build", "--root", plain.path().to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("companies/globex-retail/boardpack.toml") && stderr(&o).contains("portfolio.toml does not"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn pages_say_noindex_and_robots_txt_disallows_all_unless_index_is_on() {
    let project = copy_project(&repo().join("examples/minimal"));
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path(), &[]);
    let site = tree(out.path());
    assert_eq!(site["robots.txt"], b"User-agent: *\nDisallow: /\n");
    let pages: Vec<&String> = site.keys().filter(|p| p.ends_with(".html")).collect();
    assert!(pages.len() > 5);
    for page in &pages {
        assert!(String::from_utf8_lossy(&site[*page]).contains(r#"<meta name="robots" content="noindex">"#), "{page}");
    }
    publish(project.path(), "index = true");
    let indexed = tempfile::tempdir().unwrap();
    build(project.path(), indexed.path(), &[]);
    let site = tree(indexed.path());
    assert!(!site.contains_key("robots.txt"));
    assert!(site.values().all(|b| !String::from_utf8_lossy(b).contains("noindex")));
}

#[test]
fn key_new_prints_a_key_and_the_link_to_give_the_board() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("boardpack.toml"),
        "title = \"T\"\norganisation = \"O\"\nbase_url = \"https://r.example.com/board/\"\n",
    )
    .unwrap();
    let o = run(&["key", "new", "--root", dir.path().to_str().unwrap()], &[]);
    assert!(o.status.success());
    let key = String::from_utf8(o.stdout.clone()).unwrap();
    let key = key.trim();
    assert_eq!(key.len(), 43);
    assert!(stderr(&o).contains(&format!("https://r.example.com/board/index.html#key={key}")), "{}", stderr(&o));
    let salt = run(&["key", "new", "--passphrase"], &[]);
    let line = String::from_utf8(salt.stdout).unwrap();
    assert!(line.starts_with("salt = \"") && line.trim_end().len() == "salt = \"\"".len() + 22, "{line}");
}
