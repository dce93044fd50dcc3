//! What every TOML file an author edits shares: its parse errors located to a
//! line with the `[table]` they fall under, and the slugs its ids must be.

use std::path::Path;

use crate::base::diagnostic::Diagnostic;

/// Turns a TOML parse or type error into a located diagnostic. A required key
/// missing from the whole file has no line to point at: the file is named, and
/// the key to add.
pub(crate) fn toml_error(file: &Path, source: &str, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_string();
    let missing = message.strip_prefix("missing field `").and_then(|m| m.split('`').next());
    match (missing, e.span()) {
        (Some(key), Some(span)) if span.start == 0 => {
            Diagnostic::error(file, format!("{} has no `{key}`, which is required", file.display()))
                .help(format!("add a line `{key} = \"…\"` near the top of the file (before any [section])"))
        }
        (_, Some(span)) => {
            let unknown = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next());
            let d = Diagnostic::error(file, format!("invalid TOML: {message}")).at(source, span.clone());
            match unknown.zip(enclosing_table(source, span.start)) {
                // A setting written at the end of the file lands in the last
                // `[table]`: say so, rather than only list that table's keys.
                Some((key, (table, line))) => d
                    .label(format!("inside `[{table}]`, which starts on line {line}"))
                    .help(format!("in TOML, every line after a `[{table}]` header belongs to that table. If `{key}` is a setting of its own, move it above the first `[table]` of the file")),
                None => d,
            }
        }
        (_, None) => Diagnostic::error(file, format!("invalid TOML: {message}")),
    }
}

/// The `[table]` header (not `[[array]]`) that the byte `at` of `source`
/// falls under, with its 1-based line.
pub(crate) fn enclosing_table(source: &str, at: usize) -> Option<(&str, usize)> {
    let before = &source[..at.min(source.len())];
    let line_of_at = before.matches('\n').count();
    before
        .lines()
        .enumerate()
        .take(line_of_at)
        .filter_map(|(i, l)| {
            let l = l.trim();
            let name = l.strip_prefix('[').filter(|r| !r.starts_with('['))?.split(']').next()?.trim();
            Some((name, i + 1))
        })
        .last()
}

/// Ids become URLs and file names, so they are restricted to lower-case slugs.
pub(crate) fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_after_a_table_header_is_placed_in_that_table() {
        let source = "title = \"x\"\n[rules]\nexplain = \"red\"\n\nlocale = \"fr\"\n";
        let at = source.find("locale").unwrap();
        assert_eq!(enclosing_table(source, at), Some(("rules", 2)));
        assert_eq!(enclosing_table(source, 0), None);
        assert_eq!(enclosing_table("[[kpi]]\nid = 1\n", 8), None, "an array of tables is not a setting's home");
    }
}
