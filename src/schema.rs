//! JSON Schemas for the files authors edit, so editors that understand TOML
//! schemas (Taplo, Even Better TOML) validate and complete as they type.
//!
//! The schemas mirror what `project` and `catalogue` check; the tests validate
//! the demo project against them so the two cannot drift apart unnoticed.

use serde_json::{json, Value};

use crate::catalogue::Catalogue;

const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// Every schema as (file name, pretty JSON text); the values schema offers the
/// ids of `catalogue`.
pub fn all(catalogue: &Catalogue) -> Vec<(&'static str, String)> {
    [
        ("boardpack.schema.json", config()),
        ("catalogue.schema.json", self::catalogue()),
        ("kpis.schema.json", values(catalogue)),
    ]
    .into_iter()
    .map(|(name, v)| (name, pretty(&v)))
    .collect()
}

fn pretty(v: &Value) -> String {
    // Serialising a `Value` cannot fail: it holds no maps with non-string keys.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// `boardpack.toml`.
pub fn config() -> Value {
    json!({
        "$schema": DRAFT,
        "title": "boardpack.toml",
        "description": "Settings of a boardpack report project.",
        "type": "object",
        "additionalProperties": false,
        "required": ["title", "organisation"],
        "properties": {
            "title": { "type": "string", "minLength": 1, "description": "The report's title, shown on every page." },
            "organisation": { "type": "string", "minLength": 1, "description": "The company reported on; shown on every page and in the data files." },
            "base_url": { "type": "string", "description": "Only for absolute URLs such as a feed; page links stay relative." },
            "theme": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "description": "A folder under themes/ whose files override the built-in theme." },
            "output_dir": { "type": "string", "description": "Where `boardpack build` writes the site (default: public)." },
            "markdown": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "allow_raw_html": { "type": "boolean", "description": "Keep raw HTML in commentary as written (default false: sanitised)." }
                }
            }
        }
    })
}

/// `content/catalogue.toml`.
pub fn catalogue() -> Value {
    let id = json!({ "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" });
    json!({
        "$schema": DRAFT,
        "title": "catalogue.toml",
        "description": "Accountabilities and the KPIs that measure them.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "accountability": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id", "name", "question"],
                    "properties": {
                        "id": id,
                        "name": { "type": "string" },
                        "question": { "type": "string", "description": "The question the board asks of this accountability." }
                    }
                }
            },
            "kpi": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id", "accountability", "name", "unit", "better", "target", "red", "definition"],
                    "properties": {
                        "id": id,
                        "accountability": { "type": "string", "description": "The id of an [[accountability]]." },
                        "name": { "type": "string" },
                        "unit": { "type": "string", "description": "Free text; \"%\" means a percentage written 0 to 100." },
                        "better": { "enum": ["lower", "higher"] },
                        "target": { "type": "number", "description": "At or better than this the KPI is green." },
                        "red": { "type": "number", "description": "Worse than this the KPI is red; between target and red it is amber." },
                        "decimals": { "type": "integer", "minimum": 0, "maximum": 6 },
                        "definition": { "type": "string", "description": "Markdown." },
                        "how_to_measure": { "type": "string", "description": "Markdown." }
                    }
                }
            }
        }
    })
}

/// A month's `kpis.toml`, for the given catalogue (its ids are offered as completions).
pub fn values(catalogue: &Catalogue) -> Value {
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
    let properties: serde_json::Map<String, Value> = catalogue
        .kpis
        .iter()
        .map(|k| {
            let mut e = entry.clone();
            e["description"] = json!(format!(
                "{} ({}, {} is better, target {})",
                k.name,
                k.unit,
                k.better.as_str(),
                k.format_value(k.target)
            ));
            if k.is_percentage() {
                e["oneOf"][0]["minimum"] = json!(0);
                e["oneOf"][0]["maximum"] = json!(100);
                e["oneOf"][1]["properties"]["value"]["minimum"] = json!(0);
                e["oneOf"][1]["properties"]["value"]["maximum"] = json!(100);
            }
            (k.id.clone(), e)
        })
        .collect();
    json!({
        "$schema": DRAFT,
        "title": "kpis.toml",
        "description": "One month's KPI values: `id = number`, or a table with `value` and `note`.",
        "type": "object",
        "additionalProperties": false,
        "properties": properties
    })
}
