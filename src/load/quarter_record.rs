//! A sealed quarter read back: `content/2026-Q3/sealed.toml` and the pack
//! beside it, checked against each other on every load as a month's are, so
//! no build can publish a quarter pack that is not the one sealed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::base::diagnostic::Diagnostic;
use crate::base::digest::Sha256;
use crate::load::file::read_regular_text;
use crate::load::project::{
    is_quarter_name, outside_root, MonthContent, QuarterContent, CONTENT_DIR, EVIDENCE_DIR, VALUES_FILE,
};
use crate::load::record::{self, QuarterSeal, SEALED_FILE, SEALED_PACK};

/// Whether `path` (a file found in `content/`) sits in a quarter's folder.
pub(crate) fn in_quarter_folder(path: &Path) -> bool {
    path.parent().and_then(Path::file_name).and_then(|n| n.to_str()).is_some_and(is_quarter_name)
}

/// SHA-256 of the files a quarter's seal records of a folder — its
/// `kpis.toml`, its commentary, its `evidence/KPI.csv` — by name. For a
/// month, these are what the quarter was made from; for the quarter's own
/// folder, what it said. (`restatements.toml` is left out: the corrections a
/// month announces change nothing in the quarter.)
pub(crate) fn files_of(folder: &MonthContent) -> BTreeMap<String, Sha256> {
    let mut files: BTreeMap<String, Sha256> =
        folder.files().map(|(name, text)| (name, Sha256::of(text.as_bytes()))).collect();
    if let Some(values) = &folder.values_sha256 {
        files.insert(VALUES_FILE.to_string(), values.clone());
    }
    for (id, bytes) in &folder.evidence {
        files.insert(format!("{EVIDENCE_DIR}/{id}.csv"), Sha256::of(bytes));
    }
    files
}

/// Reads quarter `q`'s `sealed.toml`, when there is one, and checks its pack
/// against it: the pack must be the one sealed, a pack never stands without
/// its record, and a sealed quarter is never a draft.
pub(crate) fn read_seal(root: &Path, canonical_root: &Path, q: &mut QuarterContent) -> Vec<Diagnostic> {
    let name = q.quarter.to_string();
    let dir = Path::new(CONTENT_DIR).join(&name);
    let rel = dir.join(SEALED_FILE);
    let path = root.join(&rel);
    let mut found = Vec::new();
    let mut unreadable = false;
    if path.symlink_metadata().is_ok() {
        if let Some(d) = outside_root(canonical_root, &path, &rel) {
            return vec![d];
        }
        match read_regular_text(&path, &rel) {
            Ok(text) => {
                q.files.seal_sha256 = Some(Sha256::of(text.as_bytes()));
                match QuarterSeal::parse(&text, &rel, &name) {
                    Ok(seal) => q.files.quarter_seal = Some(seal),
                    Err(d) => found.push(*d),
                }
            }
            Err(d) => found.push(*d),
        }
        unreadable = q.files.quarter_seal.is_none();
    }
    let restore = "restore it from git: it is what the board received";
    match (&q.files.quarter_seal, &q.files.sealed_pack) {
        (Some(seal), Some(pack)) => match record::read_sent_quarter_pack(pack, seal) {
            Ok(sent) => {
                let changed = q.files.files().any(|(n, md)| seal.files.get(&n) != Some(&Sha256::of(md.as_bytes())));
                if changed {
                    q.files.sent_commentary = sent.commentary.clone();
                }
                q.files.sent = Some(sent);
            }
            Err(e) => found.push(
                Diagnostic::error(dir.join(SEALED_PACK), format!("the sealed board pack of {name}: {e}")).help(restore),
            ),
        },
        (Some(_), None) => found.push(
            Diagnostic::error(dir.join(SEALED_PACK), format!("{name} is sealed but its board pack is missing"))
                .help("restore board-pack.zip from git: it is what the board received"),
        ),
        // A record that cannot be read is reported already.
        (None, Some(_)) if !unreadable => found.push(
            Diagnostic::error(
                &rel,
                format!("{name} has a sealed board pack but no sealed.toml, the record of what was sent"),
            )
            .help("restore sealed.toml from git; a quarter is sealed with `boardpack seal`, never by hand"),
        ),
        _ => {}
    }
    if q.files.quarter_seal.is_some() && q.files.draft {
        found.push(
            Diagnostic::error(
                dir.join(VALUES_FILE),
                format!("{name} is sealed: it was sent to the board, so it cannot be a draft"),
            )
            .help(
                "remove `draft = true`; correct a sealed quarter with a restatement in a later month (see FORMAT.md)",
            ),
        );
    }
    found
}
