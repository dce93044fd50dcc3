//! JSON Schemas for the files authors edit, so editors that understand TOML
//! schemas (Taplo, Even Better TOML) validate and complete as they type.
//!
//! The settings and catalogue schemas are generated from the very types that
//! parse those files; the values schema offers the project's own KPI ids.
//! Tests validate every such file in the repository against them.

use std::path::{Path, PathBuf};

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Value};

use crate::base::diagnostic::Diagnostic;
use crate::base::i18n::Lang;
use crate::load::catalogue::{Catalogue, Medium, RawCatalogue};
use crate::load::config::Config;
use crate::load::portfolio::PortfolioConfig;
use crate::load::values::DRAFT_KEY;
use crate::load::workspace::Kind;
use crate::Error;

/// Where `init` puts the editor schemas, relative to the project root.
pub(crate) const SCHEMA_DIR: &str = "schemas";

/// Writes every schema of the root's files into `output` (default: `schemas/`
/// under `root`); the KPI ids offered are the project's, or the built-in
/// catalogue's when the project does not load. Returns the files written.
pub fn write_schemas(root: &Path, output: Option<PathBuf>) -> Result<Vec<PathBuf>, Error> {
    let dir = output.unwrap_or_else(|| root.join(SCHEMA_DIR));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut written = Vec::new();
    for (name, text) in for_root(root) {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// The schemas of a root's files, as (file name, pretty JSON text).
fn for_root(root: &Path) -> Vec<(&'static str, String)> {
    match Kind::of(root) {
        Kind::Portfolio => vec![("portfolio.schema.json", pretty(&of::<PortfolioConfig>()))],
        Kind::Report => {
            let catalogue = match crate::load::project::load(root).project {
                Some(p) => p.catalogue,
                None => Catalogue::builtin(),
            };
            report(&catalogue)
        }
    }
}

/// A report project's schemas, as (file name, pretty JSON text); the values
/// schema offers the ids of `catalogue`.
pub(crate) fn report(catalogue: &Catalogue) -> Vec<(&'static str, String)> {
    [
        ("boardpack.schema.json", of::<Config>()),
        ("catalogue.schema.json", of::<RawCatalogue>()),
        ("kpis.schema.json", values(catalogue)),
    ]
    .into_iter()
    .map(|(name, v)| (name, pretty(&v)))
    .collect()
}

/// A warning for each schema under the project's `schemas/` that is not what
/// `boardpack schema` would write now (after a catalogue edit, or an upgrade
/// of boardpack), so editors never validate against stale rules.
pub(crate) fn stale(root: &Path, catalogue: &Catalogue) -> Vec<Diagnostic> {
    let dir = root.join(SCHEMA_DIR);
    if !dir.is_dir() {
        return Vec::new();
    }
    report(catalogue)
        .into_iter()
        .filter(|(name, text)| std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()))
        .map(|(name, _)| {
            let what = match name {
                "kpis.schema.json" => "the catalogue's KPIs or boardpack's rules",
                _ => "boardpack's rules",
            };
            Diagnostic::warning(
                Path::new(SCHEMA_DIR).join(name),
                format!("this editor schema is out of date: {what} changed since it was written"),
            )
            .help("run `boardpack schema` to refresh the schemas in schemas/")
        })
        .collect()
}

fn pretty(v: &Value) -> String {
    // Serialising a `Value` cannot fail: it holds no maps with non-string keys.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// The schema of the type that parses a file: what the parser accepts is
/// what the editor accepts, so the two cannot drift apart.
fn of<T: JsonSchema>() -> Value {
    let mut generator = SchemaSettings::draft07().into_generator();
    generator.root_schema_for::<T>().to_value()
}

/// A month's `kpis.toml`, for the given catalogue (its ids are offered as completions).
pub(crate) fn values(catalogue: &Catalogue) -> Value {
    let entry = json!({
        "oneOf": [
            { "type": "number" },
            {
                "type": "object",
                "additionalProperties": false,
                "minProperties": 1,
                "properties": {
                    "value": { "type": "number" },
                    "note": { "type": "string", "description": "Shown beside the KPI and marked on its chart." },
                    "measured": { "type": "string", "description": "How `boardpack measure` computed the value (absent for a value typed by hand)." },
                    "rows": { "type": "integer", "minimum": 0, "description": "How many evidence rows `boardpack measure` used." }
                }
            }
        ]
    });
    let mut properties: serde_json::Map<String, Value> = catalogue
        .kpis
        .iter()
        .map(|k| {
            let mut e = entry.clone();
            let target = match k.thresholds.last().and_then(|d| d.thresholds) {
                Some(t) => format!("target {}", k.show(Lang::english(), t.target, Medium::Text)),
                None => "no target".to_string(),
            };
            // The catalogue's own name, whatever the report's language: the
            // schema is the author's, and must not go stale when `locale` changes.
            let name = k.names.neutral();
            e["description"] = json!(format!("{name} ({}, {} is better, {target})", k.unit, k.better.as_str()));
            if let Some(min) = k.min {
                e["oneOf"][0]["minimum"] = json!(min);
                e["oneOf"][1]["properties"]["value"]["minimum"] = json!(min);
            }
            if k.is_percentage() {
                e["oneOf"][0]["maximum"] = json!(100);
                e["oneOf"][1]["properties"]["value"]["maximum"] = json!(100);
            }
            (k.id.clone(), e)
        })
        .collect();
    properties.insert(
        DRAFT_KEY.to_string(),
        json!({ "type": "boolean", "description": "true while the month is being written: `build` leaves it out until the line is removed." }),
    );
    json!({
        "$schema": DRAFT,
        "title": "kpis.toml",
        "description": "One month's KPI values: `id = number`, or a table with `value` and `note`.",
        "type": "object",
        "additionalProperties": false,
        "properties": properties
    })
}
