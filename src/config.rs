//! `boardpack.toml`: the settings of one report project.

use std::path::Path;

use serde::Deserialize;

use crate::catalogue::toml_error;
use crate::diagnostic::Diagnostic;

/// The file that marks a folder as a boardpack project.
pub const CONFIG_FILE: &str = "boardpack.toml";

/// Project settings. Unknown keys are an error, so a typo never silently does nothing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The report's title, e.g. "Engineering report to the board".
    pub title: String,
    /// Who the report is about; shown on every page and in the data files.
    pub organisation: String,
    /// Only for absolute URLs (feeds, sharing); every page link stays relative.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Name of a folder under `themes/` whose files override the built-in theme.
    #[serde(default)]
    pub theme: Option<String>,
    /// Where `build` writes the site, relative to the project root.
    #[serde(default = "default_output_dir")]
    pub output_dir: String,
    #[serde(default)]
    pub markdown: MarkdownConfig,
    #[serde(default)]
    pub pack: PackConfig,
    /// `[measure]`: where `boardpack measure` finds exports and repositories.
    #[serde(default)]
    pub measure: Option<crate::measure::MeasureConfig>,
}

/// `[pack]`: how the PDF board pack is laid out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackConfig {
    /// Paper size of the PDF.
    #[serde(default)]
    pub paper: Paper,
    /// Orientation of page 1, the scorecard; the rest of the report is portrait.
    #[serde(default)]
    pub scorecard_orientation: Orientation,
    /// Whether the PDF ends with the KPI definitions.
    #[serde(default = "yes")]
    pub appendix: bool,
    /// A line for the PDF footer, e.g. "Board confidential".
    #[serde(default)]
    pub confidentiality: Option<String>,
}

impl Default for PackConfig {
    fn default() -> PackConfig {
        PackConfig {
            paper: Paper::default(),
            scorecard_orientation: Orientation::default(),
            appendix: true,
            confidentiality: None,
        }
    }
}

pub(crate) fn yes() -> bool {
    true
}

/// Paper sizes boards print on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    #[default]
    Landscape,
    Portrait,
}

/// How commentary Markdown is turned into HTML.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Keep raw HTML in commentary as written. Off by default: commentary is
    /// sanitised, because it comes from several authors and ends up in front of a board.
    #[serde(default)]
    pub allow_raw_html: bool,
}

pub(crate) fn default_output_dir() -> String {
    "public".to_string()
}

impl Config {
    /// Parses settings, reporting type errors and empty required values at their line.
    pub fn parse(source: &str, file: &Path) -> Result<Config, Vec<Diagnostic>> {
        let config: Config = toml::from_str(source).map_err(|e| vec![toml_error(file, source, &e)])?;
        let mut problems = Vec::new();
        for (key, value) in [("title", &config.title), ("organisation", &config.organisation)] {
            if value.trim().is_empty() {
                problems.push(
                    Diagnostic::error(file, format!("`{key}` is empty"))
                        .help(format!("give the report a {key}; it is shown on every page")),
                );
            }
        }
        if let Some(theme) = &config.theme {
            if !crate::catalogue::is_slug(theme) {
                problems.push(
                    Diagnostic::error(file, format!("theme name `{theme}` is not a folder name boardpack accepts"))
                        .help("name the theme folder under themes/ with lower-case letters, digits and dashes"),
                );
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply() {
        let c = Config::parse("title = \"T\"\norganisation = \"O\"\n", Path::new("boardpack.toml")).unwrap();
        assert_eq!(c.output_dir, "public");
        assert!(!c.markdown.allow_raw_html);
    }

    #[test]
    fn pack_settings_parse_and_reject_unknown_paper() {
        let ok = "title = \"T\"\norganisation = \"O\"\n[pack]\npaper = \"letter\"\nscorecard_orientation = \"portrait\"\nappendix = false\nconfidentiality = \"Board confidential\"\n";
        let c = Config::parse(ok, Path::new("boardpack.toml")).unwrap();
        assert_eq!(
            (c.pack.paper, c.pack.scorecard_orientation, c.pack.appendix),
            (Paper::Letter, Orientation::Portrait, false)
        );
        let bad = "title = \"T\"\norganisation = \"O\"\n[pack]\npaper = \"a3\"\n";
        let errs = Config::parse(bad, Path::new("boardpack.toml")).unwrap_err();
        assert!(errs[0].message.contains("a4") && errs[0].message.contains("letter"), "{}", errs[0]);
        assert_eq!(errs[0].location.as_ref().unwrap().line, 4);
    }

    #[test]
    fn missing_organisation_is_named() {
        let errs = Config::parse("title = \"T\"\n", Path::new("boardpack.toml")).unwrap_err();
        assert!(errs[0].message.contains("organisation"), "{}", errs[0]);
    }

    #[test]
    fn unknown_key_is_an_error_at_its_line() {
        let errs = Config::parse("title = \"T\"\norganisation = \"O\"\ntheem = \"x\"\n", Path::new("boardpack.toml"))
            .unwrap_err();
        assert!(errs[0].message.contains("theem"), "{}", errs[0]);
        assert_eq!(errs[0].location.as_ref().unwrap().line, 3);
    }
}
