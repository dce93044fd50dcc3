//! `[measure]` in `boardpack.toml`: where the exports are, how their columns are
//! named, which git repositories and components count, and the report's time zone.
//!
//! Parsed with the rest of `boardpack.toml` (unknown keys are errors there);
//! the names inside (time zones, mappings, fields) are checked when `measure`
//! runs, each problem pointing at its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `[measure]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureConfig {
    /// The report's time zone: an IANA name (`Europe/London`) or a fixed offset
    /// (`+01:00`). Months begin at midnight there. Default UTC.
    #[serde(default)]
    pub timezone: Option<Spanned<String>>,
    /// Environment names that count as production (case-insensitive).
    /// Default `["production", "prod", "live"]`.
    #[serde(default)]
    pub production: Option<Vec<String>>,
    /// `[measure.deployments]`: the deployments export.
    #[serde(default)]
    pub deployments: InputConfig,
    /// `[measure.incidents]`: the incidents export.
    #[serde(default)]
    pub incidents: InputConfig,
    /// `[measure.work_items]`: the issue tracker's export.
    #[serde(default)]
    pub work_items: InputConfig,
    /// `[[measure.repository]]`: git repositories, for lead time and key-person concentration.
    #[serde(default, rename = "repository")]
    pub repositories: Vec<RepositoryConfig>,
}

/// One input file's settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// Path relative to the project root; `{month}` becomes `YYYY-MM`.
    /// Default `data/{month}/deployments.csv` (or `incidents.csv`, `work-items.csv`).
    #[serde(default)]
    pub path: Option<String>,
    /// A ready-made column mapping: `github`, `gitlab`, `jira`, `linear`,
    /// `pagerduty`, `opsgenie` (which apply depends on the file).
    #[serde(default)]
    pub mapping: Option<Spanned<String>>,
    /// The time zone of date-times written without an offset in this file
    /// (default: the mapping's, else the report's).
    #[serde(default)]
    pub timezone: Option<Spanned<String>>,
    /// Field name → column header, overriding the mapping.
    #[serde(default)]
    pub columns: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// `[[measure.repository]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepositoryConfig {
    /// A git repository (a working copy or a bare clone), relative to the project root.
    pub path: Spanned<String>,
    /// Shown in evidence and component names (default: the folder's name).
    #[serde(default)]
    pub name: Option<String>,
    /// The branch whose history is read (default: `HEAD`, the checked-out or default branch).
    #[serde(default)]
    pub branch: Option<String>,
    /// The critical components in this repository, as path prefixes
    /// (`services/billing/`). None: the whole repository is one component.
    #[serde(default)]
    pub components: Vec<String>,
}
