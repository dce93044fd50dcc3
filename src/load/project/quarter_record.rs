//! A sealed quarter read back: `content/2026-Q3/sealed.toml` and the pack
//! beside it, checked against each other on every load as a month's are, so
//! no build can publish a quarter pack that is not the one sealed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::diagnostic::Diagnostic;
use crate::base::digest::Sha256;
use crate::load::file::read_regular_text;
use crate::load::project::{
    is_quarter_name, outside_root, MonthContent, QuarterContent, CONTENT_DIR, EVIDENCE_DIR, VALUES_FILE,
};
use crate::load::record::{self, SealedKpi, SentPack, SEALED_FILE, SEALED_PACK};
use crate::load::toml_file::toml_error;

/// What the board received for a quarter (`content/2026-Q3/sealed.toml`):
/// each quarter value as shown, the quarter's own files, and each of its
/// three months as the quarter was made from it, so an edit to a month after
/// the quarter was sent is caught even when the month itself is not sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuarterSeal {
    /// The quarter as the report names it (`2026-Q3`, `FY2027-Q1`), as a
    /// check that the file sits in the right folder.
    pub(crate) quarter: String,
    /// The boardpack version that sealed it.
    pub(crate) boardpack: String,
    /// SHA-256 of `board-pack.zip`.
    pub(crate) pack_sha256: Sha256,
    /// SHA-256 of the PDF inside it.
    pub(crate) pdf_sha256: Sha256,
    /// The report's language when it was sealed (a BCP 47 tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) locale: Option<String>,
    /// Each KPI's quarter value as shown, by id; `measured` says how it was made.
    #[serde(default)]
    pub(crate) kpis: BTreeMap<String, SealedKpi>,
    /// SHA-256 of the quarter folder's own files (commentary, `kpis.toml`,
    /// `evidence/KPI.csv`), by name.
    #[serde(default)]
    pub(crate) files: BTreeMap<String, Sha256>,
    /// Each of its three months as the quarter was made from it, by month (`2026-07`).
    #[serde(default)]
    pub(crate) months: BTreeMap<String, SealedMonth>,
}

/// One month of a sealed quarter, as it was when the quarter was sealed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SealedMonth {
    /// Whether the month had a report: a quarter sent without one said so,
    /// and a report added later changes what the board received.
    pub(crate) reported: bool,
    /// SHA-256 of its `kpis.toml`, commentary and `evidence/KPI.csv`, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) files: BTreeMap<String, Sha256>,
    /// Each KPI's value, by id (a KPI with no value is left out): what lets
    /// the audit say which number of the month changed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) values: BTreeMap<String, f64>,
}

impl QuarterSeal {
    /// Reads a quarter's `sealed.toml`; `file` is how diagnostics name it and
    /// `quarter` the folder's quarter, as the report names it.
    pub(crate) fn parse(source: &str, file: &Path, quarter: &str) -> Result<QuarterSeal, Box<Diagnostic>> {
        let restore = "this file records what the board received: restore it from git rather than edit it";
        let seal: QuarterSeal = toml::from_str(source).map_err(|e| {
            let found = toml_error(file, source, &e);
            // A month's record moved into a quarter folder reads as one with unknown keys.
            let help = if source.lines().any(|l| l.starts_with("month =")) {
                "this is a month's record: a month's sealed.toml belongs in its month's folder; restore both from git"
            } else {
                restore
            };
            Box::new(found.help(help))
        })?;
        if seal.quarter != quarter {
            return Err(Box::new(
                Diagnostic::error(file, format!("this record is for {}, not {quarter}", seal.quarter))
                    .help("a quarter's sealed.toml must stay in that quarter's folder: restore both from git"),
            ));
        }
        Ok(seal)
    }

    /// The file's text: a header saying what it is, then the record.
    pub(crate) fn to_toml(&self, span: &str) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# {} ({span}) as the board received it, written by `boardpack seal`.\n# Commit it with the quarter; do not edit it: `check` and `build` compare the\n# quarter and its months with it. Correct it with a restatement (see FORMAT.md).\n{body}",
            self.quarter
        )
    }
}

/// A sealed quarter's pack at `path`, checked against `seal` as a month's is.
pub(crate) fn read_sent_quarter_pack(path: &Path, seal: &QuarterSeal) -> Result<SentPack, String> {
    record::read_pack(path, &seal.pack_sha256, &seal.pdf_sha256, None)
}

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
        (Some(seal), Some(pack)) => match read_sent_quarter_pack(pack, seal) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_seal_round_trips_names_its_quarter_and_is_not_a_months() {
        let seal = QuarterSeal {
            quarter: "2026-Q3".into(),
            boardpack: "0.1.0".into(),
            pack_sha256: Sha256::of(b"pack"),
            pdf_sha256: Sha256::of(b"pdf"),
            locale: Some("en-GB".into()),
            kpis: BTreeMap::new(),
            files: BTreeMap::from([("summary.md".to_string(), Sha256::of(b"summary"))]),
            months: BTreeMap::from([
                (
                    "2026-07".to_string(),
                    SealedMonth {
                        reported: true,
                        files: BTreeMap::from([("kpis.toml".to_string(), Sha256::of(b"lead-time = 2"))]),
                        values: BTreeMap::from([("lead-time".to_string(), 2.0)]),
                    },
                ),
                ("2026-08".to_string(), SealedMonth::default()),
            ]),
        };
        let text = seal.to_toml("July 2026 to September 2026");
        assert!(text.starts_with("# 2026-Q3 (July 2026 to September 2026) as the board received it"), "{text}");
        assert_eq!(QuarterSeal::parse(&text, Path::new("sealed.toml"), "2026-Q3").unwrap(), seal);
        let e = QuarterSeal::parse(&text, Path::new("sealed.toml"), "2026-Q4").unwrap_err();
        assert!(e.message.contains("for 2026-Q3, not 2026-Q4"), "{e}");
        // A month's record in a quarter's folder is said to be one.
        let month = format!(
            "month = \"2026-09\"\nboardpack = \"0.1.0\"\npack_sha256 = \"{}\"\npdf_sha256 = \"{}\"\n",
            Sha256::of(b"a"),
            Sha256::of(b"b")
        );
        let e = QuarterSeal::parse(&month, Path::new("sealed.toml"), "2026-Q3").unwrap_err();
        assert!(e.to_string().contains("this is a month's record"), "{e}");
    }
}
