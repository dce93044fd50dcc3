//! The board's record: what a month or a quarter looked like when it was sent
//! (`sealed.toml`, written by `boardpack seal`), and the corrections announced
//! later (`restatements.toml`).
//!
//! Plain data and its TOML form, and the sealed pack read back and checked
//! against its seal: the loader reads these files, the audit compares the
//! project with them, `seal` writes them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::diagnostic::Diagnostic;
use crate::base::digest::Sha256;
use crate::base::period::Month;
use crate::load::toml_file::toml_error;

/// A sealed month's record file, in the month's folder.
pub(crate) const SEALED_FILE: &str = "sealed.toml";
/// The board pack as it was sent, beside the record.
pub(crate) const SEALED_PACK: &str = "board-pack.zip";
/// Corrections to sealed months, announced in the month whose folder holds it.
pub(crate) const RESTATEMENTS_FILE: &str = "restatements.toml";
/// The PDF's name, in the pack and beside each month in the site.
pub(crate) const PDF_NAME: &str = "board-report.pdf";
/// The single-file HTML report's name, in the pack and beside each month in the site.
pub(crate) const HTML_NAME: &str = "board-report.html";

/// What the board received for one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Seal {
    /// The month, as a check that the file sits in the right folder.
    pub(crate) month: String,
    /// The boardpack version that sealed it.
    pub(crate) boardpack: String,
    /// SHA-256 of `board-pack.zip`.
    pub(crate) pack_sha256: Sha256,
    /// SHA-256 of the PDF inside it.
    pub(crate) pdf_sha256: Sha256,
    /// Each KPI as shown, by id.
    #[serde(default)]
    pub(crate) kpis: BTreeMap<String, SealedKpi>,
    /// SHA-256 of each commentary file (and `restatements.toml`), by file name.
    #[serde(default)]
    pub(crate) files: BTreeMap<String, Sha256>,
    /// The corrections this month announced, as they stood when it was sealed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) restatements: Vec<SealedRestatement>,
    /// The report's language when it was sealed (a BCP 47 tag). Seals from
    /// before it was recorded are compared with their pack's HTML instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) locale: Option<String>,
    /// The sealed month before this one, and the SHA-256 of its `sealed.toml`
    /// (`"2026-09 3f4c…"`): the chain that shows a sealed month was removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) previous: Option<Previous>,
}

/// The link of a seal to the sealed month before it: that month, and the
/// SHA-256 of its `sealed.toml`, written `"2026-09 3f4c…"`. Typed, so a link
/// edited into something else is an error at its line, never a chain check
/// silently skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Previous {
    pub(crate) month: Month,
    pub(crate) sealed: Sha256,
}

impl std::fmt::Display for Previous {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.month, self.sealed)
    }
}

impl std::str::FromStr for Previous {
    type Err = String;

    fn from_str(text: &str) -> Result<Previous, String> {
        let wrong = || format!("`previous` must be a month and a SHA-256 (\"2026-09 3f4c…\"), not \"{text}\"");
        let (month, sealed) = text.split_once(' ').ok_or_else(wrong)?;
        Ok(Previous { month: month.parse().map_err(|_| wrong())?, sealed: sealed.parse().map_err(|_| wrong())? })
    }
}

impl serde::Serialize for Previous {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Previous {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Previous, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One KPI as the board saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SealedKpi {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) red: Option<f64>,
    /// `green`, `amber`, `red`, `neutral` or `none`.
    pub(crate) status: String,
    /// The value as printed, e.g. "2.4 days".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) shown: Option<String>,
    /// The change as printed, e.g. "−0.6 days", and its trend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) change: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) trend: Option<String>,
    /// The KPI's name, its accountability's name and its unit as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) accountability: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) unit: Option<String>,
    /// How `measure` computed the value, and from how many rows, as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) measured: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) rows: Option<u64>,
}

/// A correction as a sealed month announced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SealedRestatement {
    pub(crate) month: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) kpi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) was: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) now: Option<f64>,
    pub(crate) reason: String,
}

impl Seal {
    /// Reads `sealed.toml`; `file` is how diagnostics name it.
    pub(crate) fn parse(source: &str, file: &Path, month: Month) -> Result<Seal, Box<Diagnostic>> {
        let seal: Seal = toml::from_str(source).map_err(|e| {
            Box::new(
                toml_error(file, source, &e)
                    .help("this file records what the board received: restore it from git rather than edit it"),
            )
        })?;
        if seal.month != month.to_string() {
            return Err(Box::new(
                Diagnostic::error(file, format!("this record is for {}, not {month}", seal.month))
                    .help("a month's sealed.toml must stay in that month's folder: restore both from git"),
            ));
        }
        Ok(seal)
    }

    /// The file's text: a header saying what it is, then the record, in a
    /// stable order so it diffs cleanly.
    pub(crate) fn to_toml(&self, month_name: &str) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# {month_name} as the board received it, written by `boardpack seal`.\n# Commit it with the month; do not edit it: `check` and `build` compare the\n# month with it. Correct a sealed month with a restatement (see FORMAT.md).\n{body}"
        )
    }
}

/// A correction to a sealed month, announced in a later month's
/// `restatements.toml` (`[[restatement]]`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Restatement {
    /// The sealed month corrected.
    pub(crate) month: Month,
    /// What was corrected: a KPI's value, or a commentary file.
    pub(crate) target: Corrected,
    pub(crate) reason: String,
    /// 1-based line of its `[[restatement]]`, for diagnostics.
    pub(crate) line: usize,
}

/// What a restatement corrects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Corrected {
    /// A KPI, by id.
    Kpi(String),
    /// A commentary file, by name (`software-delivery.md`).
    File(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRestatements {
    #[serde(default)]
    restatement: Vec<toml::Spanned<RawRestatement>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRestatement {
    month: Option<String>,
    quarter: Option<String>,
    kpi: Option<String>,
    file: Option<String>,
    reason: String,
}

/// A correction to a sealed quarter (`[[restatement]] quarter = "2026-Q3"`),
/// announced in a month after it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuarterRestatement {
    /// The quarter as written: read against the report's fiscal year by the audit.
    pub(crate) quarter: String,
    /// A quarter value, the quarter's own commentary file (`summary.md`), or
    /// one of its months' commentary (`2026-08/delivery.md`).
    pub(crate) target: Corrected,
    pub(crate) reason: String,
    /// 1-based line of its `[[restatement]]`, for diagnostics.
    pub(crate) line: usize,
}

/// The corrections to sealed quarters a `restatements.toml` announces. The
/// file was checked as it was loaded ([`parse_restatements`]), so what does
/// not read here was reported there.
pub(crate) fn quarter_restatements(source: &str) -> Vec<QuarterRestatement> {
    let Ok(raw) = toml::from_str::<RawRestatements>(source) else {
        return Vec::new();
    };
    raw.restatement
        .into_iter()
        .filter_map(|entry| {
            let line = source[..entry.span().start.min(source.len())].matches('\n').count() + 1;
            let r = entry.into_inner();
            let target = match (r.kpi, r.file) {
                (Some(kpi), None) => Corrected::Kpi(kpi),
                (None, Some(file)) => Corrected::File(file),
                _ => return None,
            };
            let reason = r.reason.trim().to_string();
            Some(QuarterRestatement { quarter: r.quarter.filter(|_| r.month.is_none())?, target, reason, line })
                .filter(|q| !q.reason.is_empty())
        })
        .collect()
}

/// Reads a month's `restatements.toml`; every problem is returned. The
/// corrections of months are returned; those of quarters are checked here
/// and read by [`quarter_restatements`].
pub(crate) fn parse_restatements(source: &str, file: &Path) -> Result<Vec<Restatement>, Vec<Diagnostic>> {
    let raw: RawRestatements = toml::from_str(source).map_err(|e| vec![toml_error(file, source, &e)])?;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for entry in raw.restatement {
        let span = entry.span();
        let r = entry.into_inner();
        let at = |message: String, help: &str| {
            Diagnostic::error(file, message).at(source, span.clone()).help(help.to_string())
        };
        // A quarter's correction is checked here and read by `quarter_restatements`.
        let month = match (&r.month, &r.quarter) {
            (Some(month), None) => match month.parse::<Month>() {
                Ok(m) => Some(m),
                Err(e) => {
                    problems.push(at(
                        format!("`month` is not a month: {e}"),
                        "write month = \"YYYY-MM\", the sealed month corrected",
                    ));
                    continue;
                }
            },
            (None, Some(_)) => None,
            _ => {
                problems.push(at(
                    "a restatement corrects one sealed month (`month = \"2026-08\"`) or one sealed quarter (`quarter = \"2026-Q3\"`)".into(),
                    "give exactly one of `month` and `quarter`",
                ));
                continue;
            }
        };
        let target = match (r.kpi, r.file) {
            (Some(kpi), None) => Corrected::Kpi(kpi),
            (None, Some(file)) => Corrected::File(file),
            _ => {
                problems.push(at(
                    "a restatement corrects one KPI (`kpi = \"…\"`) or one commentary file (`file = \"….md\"`)".into(),
                    "give exactly one of `kpi` and `file`",
                ));
                continue;
            }
        };
        if r.reason.trim().is_empty() {
            problems.push(at(
                "the restatement gives no reason".into(),
                "say why the number or text was corrected: the board reads it",
            ));
            continue;
        }
        let line = source[..span.start.min(source.len())].matches('\n').count() + 1;
        if let Some(month) = month {
            out.push(Restatement { month, target, reason: r.reason.trim().to_string(), line });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A sealed month's documents, exactly as sent: what its folder of the site
/// holds in place of documents made again.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sent {
    pub(crate) pdf: Vec<u8>,
    pub(crate) html: Vec<u8>,
    /// The whole board pack.
    pub(crate) zip: Vec<u8>,
}

/// What a sealed board pack holds, as far as the audit compares it with the
/// month — each KPI as its data file recorded it, the report's language, and
/// the SHA-256 of every entry — and the documents the site shows for the
/// month. Read and checked against the seal by every load of the project, so
/// `check` and every build (cold or warm) refuse a pack that is not what was
/// sealed, and the site shows the documents that were checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SentPack {
    pub(crate) kpis: BTreeMap<String, SentKpi>,
    /// The `lang` of its single-file report.
    pub(crate) lang: Option<String>,
    /// SHA-256 of each entry, by name.
    pub(crate) entries: BTreeMap<String, Sha256>,
    /// The commentary as sent, by file name (`summary.md`, `ACCOUNTABILITY.md`).
    pub(crate) commentary: BTreeMap<String, String>,
    /// The documents as sent; `None` once the month's site is written
    /// (`Project::figures_only`).
    pub(crate) documents: Option<Sent>,
}

/// One KPI of the sealed month as the pack's `data/kpis.json` holds it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct SentKpi {
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) value: Option<f64>,
}

/// The sealed pack at `path`, checked against `seal`: the zip's and its PDF's
/// SHA-256 must be the ones recorded. The error says what is wrong.
pub(crate) fn read_sent_pack(path: &Path, seal: &Seal) -> Result<SentPack, String> {
    read_pack(path, &seal.pack_sha256, &seal.pdf_sha256, Some(&seal.month))
}

/// The pack at `path`, whose zip and PDF must have these SHA-256; `month`,
/// for a month's pack, picks its KPIs out of the pack's history data.
pub(crate) fn read_pack(
    path: &Path,
    pack_sha256: &Sha256,
    pdf_sha256: &Sha256,
    month: Option<&str>,
) -> Result<SentPack, String> {
    let zip = std::fs::read(path).map_err(|e| e.to_string())?;
    if Sha256::of(&zip) != *pack_sha256 {
        return Err("it is not the board pack that was sealed (its SHA-256 differs from sealed.toml's)".into());
    }
    let entries = pack_entries(&zip)?;
    let entry = |name: &str| entries.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone());
    let Some(pdf) = entry(PDF_NAME).filter(|pdf| Sha256::of(pdf) == *pdf_sha256) else {
        return Err("its PDF is not the one that was sealed".into());
    };
    let Some(html) = entry(HTML_NAME) else {
        return Err(format!("it holds no {HTML_NAME}, the report as sent"));
    };
    let mut sent = SentPack::default();
    for (name, bytes) in &entries {
        sent.entries.insert(name.clone(), Sha256::of(bytes));
        if let Some(file) = name.strip_prefix("commentary/") {
            sent.commentary.insert(file.to_string(), String::from_utf8_lossy(bytes).into_owned());
        }
        if name == HTML_NAME {
            let html = String::from_utf8_lossy(bytes);
            sent.lang =
                html.split_once("<html lang=\"").and_then(|(_, rest)| rest.split('"').next()).map(str::to_string);
        }
        if let Some(month) = month.filter(|_| name == "data/kpis.json") {
            sent.kpis = sent_kpis(bytes, month).map_err(|e| format!("its data/kpis.json cannot be read: {e}"))?;
        }
        if month.is_none() && name == QUARTER_DATA {
            sent.kpis = quarter_kpis(bytes).map_err(|e| format!("its {QUARTER_DATA} cannot be read: {e}"))?;
        }
    }
    sent.documents = Some(Sent { pdf, html, zip });
    Ok(sent)
}

/// A quarter pack's data file: the quarter's values as sent.
pub(crate) const QUARTER_DATA: &str = "data/quarter.json";

/// The sealed quarter's KPIs from its pack's data file.
fn quarter_kpis(json: &[u8]) -> Result<BTreeMap<String, SentKpi>, String> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        #[serde(flatten)]
        kpi: SentKpi,
    }
    #[derive(Deserialize)]
    struct Data {
        kpis: Vec<Row>,
    }
    let data: Data = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    Ok(data.kpis.into_iter().map(|r| (r.id, r.kpi)).collect())
}

/// The sealed month's KPIs from a pack's history data file.
fn sent_kpis(json: &[u8], month: &str) -> Result<BTreeMap<String, SentKpi>, String> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        #[serde(flatten)]
        kpi: SentKpi,
    }
    #[derive(Deserialize)]
    struct History {
        months: Vec<MonthRows>,
    }
    #[derive(Deserialize)]
    struct MonthRows {
        month: String,
        kpis: Vec<Row>,
    }
    let history: History = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    let rows = history.months.into_iter().find(|m| m.month == month).map(|m| m.kpis).unwrap_or_default();
    Ok(rows.into_iter().map(|r| (r.id, r.kpi)).collect())
}

/// The most a pack's entries may hold, uncompressed, together: a real pack
/// is a few MB (its PDF the most), so this only stops a zip bomb.
const MAX_UNPACKED: u64 = 256 << 20;
/// How much larger than its compressed size an entry may grow, beyond the
/// first MiB: text compresses about 10:1; a bomb, about 1,000:1.
const MAX_RATIO: u64 = 100;

/// Every file entry of a zip, by name, in the zip's order (folder entries,
/// which some zip tools add, are left out). Read as streams within limits —
/// no entry larger than [`MAX_RATIO`] times its compressed size (beyond its
/// first MiB), all together no more than [`MAX_UNPACKED`] — so a zip bomb is
/// refused after reading what the limit allows; a name given twice is refused.
pub(crate) fn pack_entries(zip: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|e| e.to_string())?;
    let mut out: Vec<(String, Vec<u8>)> = Vec::with_capacity(archive.len());
    let mut total = 0u64;
    for i in 0..archive.len() {
        let file = archive.by_index(i).map_err(|e| e.to_string())?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().map_err(|e| e.to_string())?.to_string();
        if out.iter().any(|(n, _)| *n == name) {
            return Err(format!("it names {name} twice"));
        }
        let limit = (file.compressed_size().saturating_mul(MAX_RATIO) + (1 << 20)).min(MAX_UNPACKED - total);
        let mut bytes = Vec::new();
        file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        if bytes.len() as u64 > limit {
            return Err(format!("{name} unpacks to more than a board pack holds (a zip bomb?)"));
        }
        total += bytes.len() as u64;
        out.push((name, bytes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_round_trips_and_names_its_month() {
        let mut kpis = BTreeMap::new();
        kpis.insert(
            "lead-time".to_string(),
            SealedKpi {
                value: Some(2.4),
                note: None,
                target: Some(1.0),
                red: Some(7.0),
                status: "amber".into(),
                shown: Some("2.4 days".into()),
                change: Some("−0.6 days".into()),
                trend: Some("improving".into()),
                name: Some("Lead time".into()),
                accountability: Some("Software delivery".into()),
                unit: Some("days".into()),
                measured: Some("median of 12 changes".into()),
                rows: Some(12),
            },
        );
        let seal = Seal {
            month: "2026-10".into(),
            boardpack: "0.1.0".into(),
            pack_sha256: Sha256::of(b"pack"),
            pdf_sha256: Sha256::of(b"pdf"),
            kpis,
            files: BTreeMap::from([("summary.md".to_string(), Sha256::of(b"summary"))]),
            restatements: vec![],
            locale: Some("en-GB".into()),
            previous: Some(format!("2026-09 {}", "12".repeat(32)).parse().unwrap()),
        };
        let text = seal.to_toml("October 2026");
        assert!(text.starts_with("# October 2026 as the board received it"), "{text}");
        let month: Month = "2026-10".parse().unwrap();
        assert_eq!(Seal::parse(&text, Path::new("sealed.toml"), month).unwrap(), seal);
        let e = Seal::parse(&text, Path::new("sealed.toml"), "2026-09".parse().unwrap()).unwrap_err();
        assert!(e.message.contains("for 2026-10, not 2026-09"), "{e}");
    }

    /// A pack made of these entries, and a seal of it and of `pdf`.
    fn sealed(entries: &[(&str, &[u8])], pdf: &[u8]) -> (tempfile::TempDir, std::path::PathBuf, Seal) {
        use std::io::Write as _;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            writer.write_all(bytes).unwrap();
        }
        let zip = writer.finish().unwrap().into_inner();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SEALED_PACK);
        std::fs::write(&path, &zip).unwrap();
        let text = format!(
            "month = \"2026-10\"\nboardpack = \"0.1.0\"\npack_sha256 = \"{}\"\npdf_sha256 = \"{}\"\n",
            Sha256::of(&zip),
            Sha256::of(pdf)
        );
        let seal = Seal::parse(&text, Path::new(SEALED_FILE), "2026-10".parse().unwrap()).unwrap();
        (dir, path, seal)
    }

    /// The documents the site shows for a sealed month are the ones the load
    /// read and checked; a pack without its report as sent is refused there.
    #[test]
    fn a_sealed_pack_is_read_once_with_its_documents() {
        let (_dir, path, seal) =
            sealed(&[(PDF_NAME, b"%PDF sent"), (HTML_NAME, b"<html lang=\"en-GB\">")], b"%PDF sent");
        let sent = read_sent_pack(&path, &seal).unwrap();
        let documents = sent.documents.unwrap();
        assert_eq!(
            (documents.pdf.as_slice(), documents.html.as_slice()),
            (&b"%PDF sent"[..], &b"<html lang=\"en-GB\">"[..])
        );
        assert_eq!(documents.zip, std::fs::read(&path).unwrap());
        assert_eq!(sent.lang.as_deref(), Some("en-GB"));
        let (_dir, path, seal) = sealed(&[(PDF_NAME, b"%PDF sent")], b"%PDF sent");
        assert_eq!(read_sent_pack(&path, &seal).unwrap_err(), "it holds no board-report.html, the report as sent");
        let (_dir, path, seal) = sealed(&[(PDF_NAME, b"%PDF sent"), (HTML_NAME, b"")], b"%PDF other");
        assert_eq!(read_sent_pack(&path, &seal).unwrap_err(), "its PDF is not the one that was sealed");
    }

    #[test]
    fn a_restatement_names_a_month_or_a_quarter() {
        let text = "[[restatement]]\nmonth = \"2026-08\"\nkpi = \"lead-time\"\nreason = \"Tracker migration\"\n\n[[restatement]]\nquarter = \"2026-Q3\"\nfile = \"2026-08/delivery.md\"\nreason = \"Corrected\"\n";
        let months = parse_restatements(text, Path::new("r.toml")).unwrap();
        assert_eq!(months.len(), 1, "the quarter's is not a month's: {months:?}");
        assert_eq!(
            quarter_restatements(text),
            [QuarterRestatement {
                quarter: "2026-Q3".into(),
                target: Corrected::File("2026-08/delivery.md".into()),
                reason: "Corrected".into(),
                line: 6
            }]
        );
        let both = "[[restatement]]\nmonth = \"2026-08\"\nquarter = \"2026-Q3\"\nkpi = \"x\"\nreason = \"r\"\n";
        let e = parse_restatements(both, Path::new("r.toml")).unwrap_err();
        assert!(e[0].message.contains("one sealed month") && e[0].message.contains("one sealed quarter"), "{e:?}");
        assert!(quarter_restatements(both).is_empty());
        let neither = "[[restatement]]\nkpi = \"x\"\nreason = \"r\"\n";
        assert!(parse_restatements(neither, Path::new("r.toml")).is_err());
    }

    #[test]
    fn restatements_need_one_target_and_a_reason() {
        let ok = "[[restatement]]\nmonth = \"2026-08\"\nkpi = \"lead-time\"\nreason = \"Tracker migration\"\n";
        let r = parse_restatements(ok, Path::new("r.toml")).unwrap();
        assert_eq!(r[0].target, Corrected::Kpi("lead-time".into()));
        assert_eq!(r[0].line, 1);
        let both = "[[restatement]]\nmonth = \"2026-08\"\nkpi = \"x\"\nfile = \"y.md\"\nreason = \"r\"\n";
        assert!(parse_restatements(both, Path::new("r.toml")).unwrap_err()[0].message.contains("one KPI"));
        let blank = "[[restatement]]\nmonth = \"2026-08\"\nkpi = \"x\"\nreason = \" \"\n";
        assert!(parse_restatements(blank, Path::new("r.toml")).unwrap_err()[0].message.contains("no reason"));
    }
}
