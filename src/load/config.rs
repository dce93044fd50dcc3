//! `boardpack.toml`: the settings of one report project.
//!
//! `[measure]` is parsed here with the rest (unknown keys are errors); the
//! names inside it (time zones, mappings, fields) are checked when `measure`
//! runs, each problem pointing at its line.

use std::path::Path;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::base::diagnostic::Diagnostic;
use crate::base::locale::Locale;
use crate::load::toml_file::toml_error;

/// The file that marks a folder as a boardpack project.
pub(crate) const CONFIG_FILE: &str = "boardpack.toml";

/// Project settings. Unknown keys are an error, so a typo never silently does nothing.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "boardpack.toml")]
pub(crate) struct Config {
    /// The report's title, e.g. "Engineering report to the board".
    #[schemars(length(min = 1))]
    pub(crate) title: String,
    /// Who the report is about; shown on every page and in the data files.
    #[schemars(length(min = 1))]
    pub(crate) organisation: String,
    /// Where the site is published (`https://…/`), for canonical links, Open
    /// Graph URLs and `sitemap.xml`; every link between pages stays relative.
    #[serde(default)]
    pub(crate) base_url: Option<String>,
    /// The report's language and how it writes numbers, money and months: a
    /// BCP 47 tag such as `en-GB` (the default), `en-US`, `de-DE`, `fr-FR`,
    /// `es-ES` or `ja-JP`. Data files stay locale-neutral.
    #[serde(default)]
    #[schemars(pattern(r"^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$"))]
    pub(crate) locale: Option<String>,
    /// `locale`, parsed (British English when not set).
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) language: Locale,
    /// Name of a folder under `themes/` whose files override the built-in theme.
    #[serde(default)]
    #[schemars(pattern(r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub(crate) theme: Option<String>,
    /// Where `build` writes the site, relative to the project root.
    #[serde(default = "default_output_dir")]
    pub(crate) output_dir: String,
    /// `[markdown]`: how commentary is turned into HTML.
    #[serde(default)]
    pub(crate) markdown: MarkdownConfig,
    /// `[pack]`: how the PDF board pack is laid out.
    #[serde(default)]
    pub(crate) pack: PackConfig,
    /// `[rules]`: what `check --strict` and `seal` insist on.
    #[serde(default)]
    pub(crate) rules: RulesConfig,
    /// `[measure]`: where `boardpack measure` finds exports and repositories.
    #[serde(default)]
    pub(crate) measure: Option<Box<MeasureConfig>>,
    /// `[publish]`: who may read the published site.
    #[serde(default)]
    pub(crate) publish: PublishConfig,
    /// `[report]`: how the report's months group into quarters, and which the
    /// site opens on.
    #[serde(default)]
    pub(crate) report: ReportConfig,
}

/// `[report]`: the report's calendar.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportConfig {
    /// The month the fiscal year starts in, 1 (January, the default) to 12.
    /// With 4, `FY2027-Q1` is April to June 2026: a fiscal year is named by
    /// the calendar year it ends in.
    #[serde(default = "january")]
    #[schemars(range(min = 1, max = 12))]
    pub(crate) fiscal_year_start: u8,
    /// What the site's front page shows: the latest month's report
    /// (`monthly`, the default) or the latest quarter's (`quarterly`), for
    /// boards that meet once a quarter.
    #[serde(default)]
    pub(crate) cadence: Cadence,
}

impl Default for ReportConfig {
    fn default() -> ReportConfig {
        ReportConfig { fiscal_year_start: 1, cadence: Cadence::default() }
    }
}

impl ReportConfig {
    /// What `[report]` gets wrong that its types do not catch, at its line.
    pub(crate) fn check(&self, source: &str, file: &Path) -> Option<Diagnostic> {
        if (1..=12).contains(&self.fiscal_year_start) {
            return None;
        }
        // The key's own line: not a comment that mentions it.
        let key = "fiscal_year_start";
        let at = source
            .match_indices(key)
            .find(|(i, _)| source[..*i].rsplit('\n').next().is_some_and(|before| before.trim().is_empty()))
            .map_or(0..0, |(i, _)| i..i + key.len());
        Some(
            Diagnostic::error(file, "`fiscal_year_start` must be a month number from 1 to 12")
                .at(source, at)
                .help("write the month the fiscal year starts in: 1 for January (the default), 4 for April"),
        )
    }
}

fn january() -> u8 {
    1
}

/// How often the board is sent a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Cadence {
    /// Every month; quarters are reported too where a quarter folder exists.
    #[default]
    Monthly,
    /// Once a quarter; the months stay as the record behind each quarter.
    Quarterly,
}

/// `[publish]`: who may read the site `build` writes (`boardpack.toml` and
/// `portfolio.toml` alike).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishConfig {
    /// Publish the site unencrypted: whoever the host lets in reads it —
    /// everyone, on GitHub Pages. `build --publish` refuses a site that is
    /// neither encrypted nor declared public, so board numbers are never put
    /// on the internet by default.
    #[serde(default)]
    pub(crate) public: bool,
    /// Encrypt every file of the site (AES-256-GCM) under the key in
    /// `BOARDPACK_KEY`, or a key stretched from `BOARDPACK_PASSPHRASE` with
    /// `salt`; pages open in the browser with the key. `build` stops when no
    /// key is set, and never writes the site in clear instead.
    #[serde(default)]
    pub(crate) encrypt: bool,
    /// Let search engines index the pages. Off by default: every page says
    /// `noindex` and the site's `robots.txt` disallows everything.
    #[serde(default)]
    pub(crate) index: bool,
    /// The salt `BOARDPACK_PASSPHRASE` is stretched with (PBKDF2-HMAC-SHA256,
    /// 600,000 iterations): 16 to 128 ASCII characters, as `boardpack key new
    /// --passphrase` prints. Not secret; a new one makes a new key.
    #[serde(default)]
    #[schemars(length(min = 16, max = 128))]
    pub(crate) salt: Option<String>,
}

impl PublishConfig {
    /// The salt's shortest and longest lengths, in (ASCII) characters.
    pub(crate) const SALT_CHARS: std::ops::RangeInclusive<usize> = 16..=128;

    /// What is wrong with `[publish]` in `file`, at its line.
    pub(crate) fn check(&self, source: &str, file: &Path) -> Vec<Diagnostic> {
        let Some(salt) = &self.salt else { return Vec::new() };
        // ASCII, so the salt fits the encrypted files' header (at most 255 bytes) whole.
        if Self::SALT_CHARS.contains(&salt.len()) && salt.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Vec::new();
        }
        vec![at_key(
            Diagnostic::error(file, "`[publish] salt` must be 16 to 128 ASCII letters, digits or signs"),
            source,
            "salt",
        )
        .help("use the line `boardpack key new --passphrase` prints")]
    }
}

/// `[rules]`: what a month must get right before it is sent.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesConfig {
    /// Which KPIs need an explanation — a note, or commentary in their
    /// accountability's file that names them: `check` warns, `check --strict`
    /// and `seal` refuse.
    #[serde(default)]
    pub(crate) explain: Explain,
}

/// Which statuses need explaining.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Explain {
    /// Red KPIs.
    #[default]
    Red,
    /// Red and amber KPIs.
    Amber,
    /// None.
    None,
}

/// `[pack]`: how the PDF board pack is laid out.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackConfig {
    /// Paper size of the PDF.
    #[serde(default)]
    pub(crate) paper: Paper,
    /// Orientation of page 1, the scorecard; the rest of the report is portrait.
    #[serde(default)]
    pub(crate) scorecard_orientation: Orientation,
    /// Whether the PDF ends with the KPI definitions.
    #[serde(default = "yes")]
    pub(crate) appendix: bool,
    /// A line for the PDF footer, e.g. "Board confidential".
    #[serde(default)]
    pub(crate) confidentiality: Option<String>,
    /// Also set the PDF in the fonts installed on this machine, after the
    /// embedded ones and the project's `fonts/`. Off by default: the PDF then
    /// depends only on the project, so every machine and CI make the same
    /// bytes; on, it depends on what the machine has installed.
    #[serde(default)]
    pub(crate) system_fonts: bool,
}

impl Default for PackConfig {
    fn default() -> PackConfig {
        PackConfig {
            paper: Paper::default(),
            scorecard_orientation: Orientation::default(),
            appendix: true,
            confidentiality: None,
            system_fonts: false,
        }
    }
}

pub(crate) fn yes() -> bool {
    true
}

/// Paper sizes boards print on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Paper {
    /// 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

/// Which way round page 1 is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Orientation {
    /// Wider than tall: the scorecard's five columns fit side by side.
    #[default]
    Landscape,
    /// Taller than wide.
    Portrait,
}

/// How commentary Markdown is turned into HTML.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MarkdownConfig {
    /// Keep raw HTML in commentary as written. Off by default: commentary is
    /// sanitised, because it comes from several authors and ends up in front of a board.
    #[serde(default)]
    pub(crate) allow_raw_html: bool,
}

pub(crate) fn default_output_dir() -> String {
    "public".to_string()
}

impl Config {
    /// Parses settings, reporting type errors and empty required values at their line.
    pub(crate) fn parse(source: &str, file: &Path) -> Result<Config, Vec<Diagnostic>> {
        let mut config: Config = toml::from_str(source).map_err(|e| vec![toml_error(file, source, &e)])?;
        let required = [("title", config.title.as_str()), ("organisation", config.organisation.as_str())];
        let mut problems = check_settings(source, file, &required, config.theme.as_deref(), &mut config.base_url);
        problems.extend(config.publish.check(source, file));
        problems.extend(config.report.check(source, file));
        match parse_locale(source, file, config.locale.as_deref()) {
            Ok(locale) => config.language = locale,
            Err(d) => problems.extend(d),
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }
}

/// `[measure]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeasureConfig {
    /// The report's time zone: an IANA name (`Europe/London`) or a fixed offset
    /// (`+01:00`). Months begin at midnight there. Default UTC.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) timezone: Option<Spanned<String>>,
    /// Environment names that count as production (case-insensitive).
    /// Default `["production", "prod", "live"]`.
    #[serde(default)]
    pub(crate) production: Option<Vec<String>>,
    /// `[measure.deployments]`: the deployments export.
    #[serde(default)]
    pub(crate) deployments: InputConfig,
    /// `[measure.incidents]`: the incidents export.
    #[serde(default)]
    pub(crate) incidents: InputConfig,
    /// `[measure.work_items]`: the issue tracker's export.
    #[serde(default)]
    pub(crate) work_items: InputConfig,
    /// `[[measure.repository]]`: git repositories, for lead time and key-person concentration.
    #[serde(default, rename = "repository")]
    pub(crate) repositories: Vec<RepositoryConfig>,
    /// How evidence names people (the authors of commits): `names` (after
    /// the repository's `.mailmap`) or `initials`. Never by email address.
    #[serde(default)]
    pub(crate) people: People,
}

/// How evidence names a person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum People {
    /// Their name, as git shows it after the `.mailmap`: `Ann Smith`.
    #[default]
    Names,
    /// The first letter of each part of their name: `AS`.
    Initials,
}

/// One input file's settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputConfig {
    /// Path relative to the project root; `{month}` becomes `YYYY-MM`.
    /// Default `data/{month}/deployments.csv` (or `incidents.csv`, `work-items.csv`).
    #[serde(default)]
    pub(crate) path: Option<String>,
    /// A ready-made column mapping: `github`, `gitlab`, `jira`, `linear`,
    /// `pagerduty`, `opsgenie` (which apply depends on the file).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) mapping: Option<Spanned<String>>,
    /// The time zone of date-times written without an offset in this file
    /// (default: the mapping's, else the report's).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) timezone: Option<Spanned<String>>,
    /// Field name → column header, overriding the mapping.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub(crate) columns: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// `[[measure.repository]]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepositoryConfig {
    /// A git repository (a working copy or a bare clone), relative to the project root.
    #[schemars(with = "String")]
    pub(crate) path: Spanned<String>,
    /// Shown in evidence and component names (default: the folder's name).
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// The branch whose history is read (default: `HEAD`, the checked-out or default branch).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) branch: Option<Spanned<String>>,
    /// The critical components in this repository, as path prefixes
    /// (`services/billing/`). None: the whole repository is one component.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) components: Vec<Spanned<String>>,
}

/// The checks `boardpack.toml` and `portfolio.toml` share: required text is
/// not empty, a theme name is a folder name, and `base_url` is an absolute web
/// address (made to end in `/`, so page paths can follow it).
pub(crate) fn check_settings(
    source: &str,
    file: &Path,
    required: &[(&str, &str)],
    theme: Option<&str>,
    base_url: &mut Option<String>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (key, value) in required {
        if value.trim().is_empty() {
            problems.push(
                at_key(Diagnostic::error(file, format!("`{key}` is empty")), source, key)
                    .help(format!("give the report a {key}; it is shown on every page")),
            );
        }
    }
    if let Some(theme) = theme {
        if !crate::load::toml_file::is_slug(theme) {
            problems.push(
                at_key(
                    Diagnostic::error(file, format!("theme name `{theme}` is not a folder name boardpack accepts")),
                    source,
                    "theme",
                )
                .help("name the theme folder under themes/ with lower-case letters, digits and dashes"),
            );
        }
    }
    if let Some(url) = base_url.as_mut() {
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !web || url.contains(char::is_whitespace) || url.len() <= "https://".len() {
            problems.push(
                at_key(Diagnostic::error(file, format!("`base_url` is not a web address: `{url}`")), source, "base_url")
                    .help("write the address the site is published at, e.g. base_url = \"https://reports.example.com/board/\""),
            );
        } else if !url.ends_with('/') {
            url.push('/');
        }
    }
    problems
}

/// The `locale` setting of `file`, parsed: British English when not set; an
/// error at its line, with examples, when it is not a language tag.
pub(crate) fn parse_locale(source: &str, file: &Path, tag: Option<&str>) -> Result<Locale, Vec<Diagnostic>> {
    let Some(tag) = tag else { return Ok(Locale::default()) };
    Locale::new(tag).map_err(|e| {
        vec![at_key(Diagnostic::error(file, e.to_string()), source, "locale")
            .help("e.g. locale = \"de-DE\" for German numbers, months and words; leave it out for British English")]
    })
}

/// Points a diagnostic at the line that sets `key`, when there is one.
fn at_key(d: Diagnostic, source: &str, key: &str) -> Diagnostic {
    let line =
        source.lines().position(|l| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')));
    match line {
        Some(i) => d.at_line(source, i + 1),
        None => d,
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
        assert!(!c.pack.system_fonts, "system fonts are opt-in: the PDF depends only on the project");
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
    fn publish_is_private_by_default_and_a_salt_is_checked_at_its_line() {
        let c = Config::parse("title = \"T\"\norganisation = \"O\"\n", Path::new("b")).unwrap();
        assert!(!c.publish.encrypt && !c.publish.index && c.publish.salt.is_none());
        let ok = "title = \"T\"\norganisation = \"O\"\n[publish]\nencrypt = true\nsalt = \"Zm9yIGEgc2FsdCBvbmx5\"\n";
        assert!(Config::parse(ok, Path::new("b")).unwrap().publish.encrypt);
        let short = "title = \"T\"\norganisation = \"O\"\n[publish]\nencrypt = true\nsalt = \"abc\"\n";
        let errs = Config::parse(short, Path::new("b")).unwrap_err();
        assert!(errs[0].message.contains("16 to 128 ASCII"), "{}", errs[0]);
        assert_eq!(errs[0].location.as_ref().unwrap().line, 5);
        let typo = "title = \"T\"\norganisation = \"O\"\n[publish]\nencrypted = true\n";
        assert!(Config::parse(typo, Path::new("b")).unwrap_err()[0].message.contains("encrypted"));
    }

    #[test]
    fn missing_organisation_is_named() {
        let errs = Config::parse("title = \"T\"\n", Path::new("boardpack.toml")).unwrap_err();
        assert!(errs[0].message.contains("organisation"), "{}", errs[0]);
    }

    #[test]
    fn base_url_must_be_a_web_address_and_ends_in_a_slash() {
        let ok = Config::parse(
            "title = \"T\"\norganisation = \"O\"\nbase_url = \"https://r.example.com/board\"\n",
            Path::new("b"),
        );
        assert_eq!(ok.unwrap().base_url.as_deref(), Some("https://r.example.com/board/"));
        let errs = Config::parse("title = \"T\"\norganisation = \"O\"\nbase_url = \"reports/board\"\n", Path::new("b"))
            .unwrap_err();
        assert!(errs[0].message.contains("not a web address"), "{}", errs[0]);
        assert_eq!(errs[0].location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn unknown_key_is_an_error_at_its_line() {
        let errs = Config::parse("title = \"T\"\norganisation = \"O\"\ntheem = \"x\"\n", Path::new("boardpack.toml"))
            .unwrap_err();
        assert!(errs[0].message.contains("theem"), "{}", errs[0]);
        assert_eq!(errs[0].location.as_ref().unwrap().line, 3);
    }
}
