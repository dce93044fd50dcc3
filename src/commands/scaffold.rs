//! Starting points for authors: `init` (a new project), `new` (the next
//! month) and `new --quarter` (a quarter's commentary).
//!
//! Both only create files that do not exist yet and refuse otherwise, so they
//! can never overwrite a word somebody wrote.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::base::i18n::Lang;
use crate::base::period::{Month, Quarter};
use crate::base::status::Status;
use crate::commands::hosting::{site_name, Host};
use crate::commands::schema::{self, SCHEMA_DIR};
use crate::compute::report::Report;
use crate::load::catalogue::{Catalogue, Medium, BUILTIN_TOML};
use crate::load::config::CONFIG_FILE;
use crate::load::project::{self, CATALOGUE_FILE, CONTENT_DIR, SUMMARY_STEM, VALUES_FILE};
use crate::load::theme::Theme;
use crate::load::values::DRAFT_KEY;
use crate::Error;

/// A project `init` made.
#[derive(Debug)]
pub struct Initialised {
    /// The month it reports first.
    pub month: Month,
    /// The files written, relative to its folder.
    pub files: Vec<PathBuf>,
    /// Its name on the host (a Cloudflare Pages project, a Static Web App),
    /// from its folder's name.
    pub site: String,
    /// The organisation named on every page, guessed from the folder's name
    /// ("northwind-board" → "Northwind Board"): the author must see the
    /// guess, to correct it before the board does.
    pub organisation: String,
}

/// Creates a ready-to-build project in `dir` (which must be empty or absent),
/// reporting `month` (default: the last complete month, the one a report is
/// written about), set up to publish an encrypted site to `host`.
pub fn init(dir: &Path, month: Option<Month>, host: Host) -> Result<Initialised, Error> {
    let month = month.unwrap_or_else(|| project::current_month().previous());
    if dir.exists() {
        let mut entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if entries.next().is_some() {
            return Err(Error::Refused {
                what: format!("{} is not empty", dir.display()),
                help: "run `boardpack init` on a new or empty folder, e.g. `boardpack init my-report`".into(),
            });
        }
    }
    let name = dir
        .canonicalize()
        .ok()
        .or_else(|| std::env::current_dir().ok().map(|c| c.join(dir)))
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "My company".to_string());
    let organisation = organisation_from_folder(&name);
    let site = site_name(&name);
    let catalogue = Catalogue::builtin();
    // A new project is British English until its author sets `locale`.
    let lang = Lang::english();
    let month_dir = format!("{CONTENT_DIR}/{month}");
    let mut files: Vec<(String, String)> = vec![
        (CONFIG_FILE.into(), config_template(&organisation)),
        (
            format!("{CONTENT_DIR}/{CATALOGUE_FILE}"),
            format!("#:schema ../{SCHEMA_DIR}/catalogue.schema.json\n{BUILTIN_TOML}"),
        ),
        (format!("{month_dir}/{VALUES_FILE}"), values_template(lang, &catalogue, month, None)),
        (format!("{month_dir}/{SUMMARY_STEM}.md"), summary_stub(lang, month, None)),
        (
            ".gitignore".into(),
            "# Built by boardpack; rebuild with `boardpack build`.\n/public/\n/dist/\n# Kept between builds to skip unchanged work; safe to delete.\n/.boardpack/\n# Left by an interrupted build; the next build removes them.\n.boardpack-staging-*\n.boardpack-old-*\n"
                .into(),
        ),
        (".taplo.toml".into(), taplo_config()),
    ];
    files.extend(host.files(&site));
    for acc in &catalogue.accountabilities {
        files.push((format!("{month_dir}/{}.md", acc.id), commentary_stub(lang, &catalogue, &acc.id, month, &[])));
    }
    for (name, text) in schema::report(&catalogue) {
        files.push((format!("{SCHEMA_DIR}/{name}"), text));
    }
    Ok(Initialised { month, files: write_new(dir, &files)?, site, organisation })
}

/// Creates the folder for `month` (default: the month after the latest), with a
/// values file listing every KPI and last month's value beside it, and
/// commentary stubs that list what was red or amber last month.
///
/// Returns the month, the files written, and the earlier month whose values
/// are in the new file's comments (none before the project's first month).
pub fn new_month(root: &Path, month: Option<Month>) -> Result<(Month, Vec<PathBuf>, Option<Month>), Error> {
    let loaded = project::load(root);
    let Some(project) = loaded.project else {
        return Err(Error::Content(loaded.diagnostics));
    };
    let latest = project.months.last().map(|m| m.month);
    let month = match (month, latest) {
        (Some(m), _) => m,
        (None, Some(l)) => l.next(),
        (None, None) => return Err(Error::Internal("the project has no month to roll forward from".into())),
    };
    let dir = root.join(CONTENT_DIR).join(month.to_string());
    if dir.exists() {
        return Err(Error::Refused {
            what: format!("{CONTENT_DIR}/{month} already exists"),
            help: format!("edit that month's files directly, or name another month: `boardpack new {}`", month.next()),
        });
    }
    let report = Report::new(&project);
    let previous = project.months.iter().rev().map(|m| m.month).find(|m| *m < month);
    let catalogue = &project.catalogue;
    // The stubs write months, values and statuses as the report does.
    let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
    let lang = crate::render::lang(&theme, &project.config.language)?;
    let lang = &lang;
    let flagged: Vec<Flag> = match previous {
        Some(p) => (0..catalogue.kpis.len())
            .map(|k| report.reading(k, p))
            .filter(|r| matches!(r.status, Status::Red | Status::Amber))
            .map(|r| Flag {
                accountability: r.kpi.accountability.clone(),
                line: format!(
                    "{}: {} ({}){}",
                    r.kpi.name,
                    r.value.map(|v| r.kpi.show(lang, v, Medium::Page)).unwrap_or_default(),
                    lang.get(r.status.key()).to_lowercase(),
                    r.thresholds
                        .map(|t| format!(
                            ", {}",
                            lang.fill("attention.target", &[("value", &r.kpi.show(lang, t.target, Medium::Page))])
                        ))
                        .unwrap_or_default()
                ),
            })
            .collect(),
        None => Vec::new(),
    };
    let last = previous.map(|p| (p, &report));
    let month_dir = format!("{CONTENT_DIR}/{month}");
    let mut files = vec![
        (format!("{month_dir}/{VALUES_FILE}"), values_template(lang, catalogue, month, last)),
        (format!("{month_dir}/{SUMMARY_STEM}.md"), summary_stub(lang, month, previous)),
    ];
    for acc in catalogue.accountabilities_in(month) {
        files.push((format!("{month_dir}/{}.md", acc.id), commentary_stub(lang, catalogue, &acc.id, month, &flagged)));
    }
    Ok((month, write_new(root, &files)?, previous))
}

struct Flag {
    accountability: String,
    line: String,
}

/// A quarter `new --quarter` started.
#[derive(Debug)]
pub struct NewQuarter {
    /// The quarter, as this report names it (`2026-Q3`, `FY2027-Q1`).
    pub quarter: String,
    /// The files written, relative to the project root.
    pub files: Vec<PathBuf>,
    /// Its months with no published report yet: its values will not count them.
    pub unreported: Vec<Month>,
}

/// Starts `content/QUARTER/` for `quarter` (default: the quarter of the
/// latest published month): the summary stub, and one commentary stub per
/// accountability listing its KPIs that were red or amber in any month of the
/// quarter, month by month, so the author answers what the board will ask at
/// the meeting. No `kpis.toml`: quarter values come from the months, and the
/// summary stub says how to type one. Never overwrites a file.
pub fn new_quarter(root: &Path, quarter: Option<&str>) -> Result<NewQuarter, Error> {
    let loaded = project::load(root);
    let Some(project) = loaded.project else {
        return Err(Error::Content(loaded.diagnostics));
    };
    let start = project.config.report.fiscal_year_start;
    let quarter = match quarter {
        Some(text) => Quarter::parse(text, start).map_err(|e| Error::Refused {
            what: e.0,
            help: "name the quarter as this report does, e.g. `boardpack new --quarter` for the latest one".into(),
        })?,
        None => {
            let latest = project.months.iter().rev().find(|m| !m.draft).or(project.months.last());
            let latest = latest.ok_or_else(|| Error::Internal("the project has no month".into()))?;
            Quarter::of(latest.month, start)
        }
    };
    let months = quarter.months();
    if !project.months.iter().any(|m| months.contains(&m.month)) {
        return Err(Error::Refused {
            what: format!(
                "{quarter} is {} to {}, and content/ has none of its months",
                months[0].long_name(),
                months[2].long_name()
            ),
            help:
                "a quarter is made from its months: start them first (`boardpack new YYYY-MM`), or name another quarter"
                    .into(),
        });
    }
    let dir = root.join(CONTENT_DIR).join(quarter.to_string());
    if dir.exists() {
        return Err(Error::Refused {
            what: format!("{CONTENT_DIR}/{quarter} already exists"),
            help: format!(
                "edit that quarter's files directly, or name another quarter: `boardpack new --quarter {}`",
                quarter.next()
            ),
        });
    }
    let report = Report::new(&project);
    let theme = Theme::load(&project.root, project.config.theme.as_deref()).map_err(Error::Content)?;
    let lang = crate::render::lang(&theme, &project.config.language)?;
    let lang = &lang;
    let reported: Vec<Month> =
        project.months.iter().filter(|m| !m.draft && months.contains(&m.month)).map(|m| m.month).collect();
    let catalogue = &project.catalogue;
    let flagged: Vec<Flag> = report
        .kpis_in_quarter(quarter)
        .filter_map(|k| {
            let kpi = &catalogue.kpis[k];
            let when: Vec<String> = reported
                .iter()
                .filter(|m| kpi.in_force(**m))
                .map(|m| (m, report.reading(k, *m).status))
                .filter(|(_, s)| matches!(s, Status::Red | Status::Amber))
                .map(|(m, s)| format!("{} in {}", lang.get(s.key()).to_lowercase(), lang.month(*m)))
                .collect();
            (!when.is_empty()).then(|| Flag {
                accountability: kpi.accountability.clone(),
                line: format!("{}: {}", kpi.name, when.join(", ")),
            })
        })
        .collect();
    let quarter_dir = format!("{CONTENT_DIR}/{quarter}");
    let mut files = vec![(format!("{quarter_dir}/{SUMMARY_STEM}.md"), quarter_summary_stub(lang, quarter, &reported))];
    for acc in catalogue.accountabilities_in(quarter.last()) {
        files.push((
            format!("{quarter_dir}/{}.md", acc.id),
            quarter_commentary_stub(lang, catalogue, &acc.id, quarter, &flagged),
        ));
    }
    let unreported = months.into_iter().filter(|m| !reported.contains(m)).collect();
    Ok(NewQuarter { quarter: quarter.to_string(), files: write_new(root, &files)?, unreported })
}

/// Writes files that must not exist yet; nothing is overwritten.
fn write_new(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, Error> {
    if let Some((rel, _)) = files.iter().find(|(rel, _)| dir.join(rel).exists()) {
        return Err(Error::Refused { what: format!("{rel} already exists"), help: "move it away first".into() });
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        written.push(PathBuf::from(rel));
    }
    Ok(written)
}

/// "acme-corp" → "Acme Corp": a starting point the author will usually keep.
fn organisation_from_folder(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
        })
        .collect();
    if words.is_empty() {
        "My company".into()
    } else {
        words.join(" ")
    }
}

fn config_template(organisation: &str) -> String {
    let organisation = organisation.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"#:schema ./{SCHEMA_DIR}/boardpack.schema.json
# boardpack settings. Every setting is described in the boardpack FORMAT.md;
# the commented ones show their default.

# The report's title, shown on every page.
title = "Engineering report to the board"

# The company reported on; shown on every page and in the data files.
organisation = "{organisation}"

# Where the site is published: pages then carry canonical links and the site a
# sitemap.xml. Every link between pages stays relative either way.
# base_url = "https://reports.example.com/board/"
# The report's language and how it writes numbers, money and months (a BCP 47
# tag): "en-GB" (the default), "en-US", "de-DE", "fr-FR", "es-ES", "ja-JP"…
# locale = "en-GB"

# A folder under themes/ whose templates, PDF layout and CSS override the
# built-in theme, file by file.
# theme = "house-style"

# Where `boardpack build` writes the site.
# output_dir = "public"

[markdown]
# Keep raw HTML in commentary as written. Off by default: commentary is
# sanitised because it comes from several authors and is read by the board.
# allow_raw_html = false

[pack]
# Paper of the PDF board pack: "a4" or "letter".
# paper = "a4"
# Page 1, the scorecard: "landscape" or "portrait"; the rest is portrait.
# scorecard_orientation = "landscape"
# End the PDF with the KPI definitions.
# appendix = true
# A line for the PDF's footer and the single-file report, e.g. "Board confidential".
# confidentiality = "Board confidential"
# The PDF uses boardpack's fonts and any .ttf/.otf/.ttc in fonts/ (add one for
# Chinese, Japanese, Korean or other scripts they lack). Also use the fonts
# installed on this machine: the PDF then depends on the machine.
# system_fonts = false

[publish]
# Encrypt every file of the site with the key in BOARDPACK_KEY (`boardpack key
# new` makes one, and prints the link that opens the site): only readers with
# the key can open it. Without a key `build` stops; it never publishes in clear.
encrypt = true
# Publish the site unencrypted: whoever the host lets in reads the report, and
# on GitHub Pages that is everyone. `build --publish`, which the workflow runs,
# refuses a site that is neither encrypted nor public.
# public = false
# Let search engines index the pages; by default every page says noindex and
# robots.txt disallows everything.
# index = false
# To open the site with a typed passphrase (BOARDPACK_PASSPHRASE) instead of
# the key link: the line `boardpack key new --passphrase` prints.
# salt = "…"

[rules]
# Which KPIs need explaining (a note, or commentary naming them) before a month
# is sealed: "red", "amber" (red and amber) or "none". `check` warns;
# `check --strict` and `boardpack seal` refuse.
# explain = "red"

[report]
# The month the fiscal year starts in (1 = January): it groups months into
# quarters. With 4, the quarter April to June 2026 is FY2027-Q1.
# fiscal_year_start = 1
# What the site opens on: the latest month ("monthly") or, for a board that
# meets once a quarter, the latest quarter ("quarterly"; FORMAT.md, "Quarters").
# cadence = "monthly"

# [measure]
# Where `boardpack measure` finds exported data and git history, to compute
# the month's values with the evidence behind them (FORMAT.md, "Measuring").
# timezone = "Europe/London"
# people = "names"   # or "initials": how evidence names commit authors (never by email)
# [[measure.repository]]
# path = "../platform"
# components = ["services/billing/", "services/routing/"]
"#
    )
}

/// A month's `kpis.toml`: a draft, with every KPI part of the month commented
/// out until the author fills it in, and last month's value (when there is
/// one) beside it. Notes are shown inline, the form that cannot fall into the
/// TOML table trap.
fn values_template(lang: &Lang, catalogue: &Catalogue, month: Month, last: Option<(Month, &Report<'_>)>) -> String {
    let mut out = format!(
        "#:schema ../../{SCHEMA_DIR}/kpis.schema.json\n# KPI values for {}. Fill in each value and remove the leading '#'.\n# A KPI left out shows \"no data\". To explain a number, or why a KPI was\n# not measured, give it a note on the same line:\n#   lead-time = {{ value = 3.1, note = \"CI migration slowed releases\" }}\n#   roadmap-accuracy = {{ note = \"Not measured: planning moved to December\" }}\n\n# Remove this line when the month is ready to publish: until then `build`\n# leaves the month out (`boardpack serve` shows it, marked as a draft).\n{DRAFT_KEY} = true\n",
        lang.month(month)
    );
    for acc in catalogue.accountabilities_in(month) {
        let _ = write!(out, "\n# {}\n", acc.name);
        for (k, kpi) in
            catalogue.kpis.iter().enumerate().filter(|(_, k)| k.accountability == acc.id && k.in_force(month))
        {
            let target = match kpi.thresholds_at(month) {
                Some(t) => lang.fill("attention.target", &[("value", &kpi.show(lang, t.target, Medium::Page))]),
                None => lang.get("status.inline.neutral").to_string(),
            };
            let hint = format!("{}, {target}", lang.get(kpi.better.key()));
            let previous = last.and_then(|(m, r)| {
                if !kpi.in_force(m) {
                    return None;
                }
                let reading = r.reading(k, m);
                reading.value.map(|v| {
                    format!(
                        "{}: {} ({})",
                        lang.month(m),
                        kpi.show(lang, v, Medium::Page),
                        lang.get(reading.status.key()).to_lowercase()
                    )
                })
            });
            let comment = match previous {
                Some(p) => format!("{p} · {hint}"),
                None => hint,
            };
            let _ = writeln!(out, "# {} =   # {comment}", kpi.id);
        }
    }
    out
}

fn summary_stub(lang: &Lang, month: Month, previous: Option<Month>) -> String {
    let since = previous.map_or_else(String::new, |p| format!(" since {}", lang.month(p)));
    format!(
        "<!--\nExecutive summary for {}: the first thing the board reads.\nIn a few short paragraphs: what changed{since}, what is red and what you are doing\nabout it, and any decision you need from the board. Delete this comment when done.\n-->\n",
        lang.month(month)
    )
}

fn commentary_stub(lang: &Lang, catalogue: &Catalogue, accountability: &str, month: Month, flagged: &[Flag]) -> String {
    let (name, question) = catalogue
        .accountability(accountability)
        .map_or((accountability, ""), |a| (a.name.as_str(), a.question.as_str()));
    let mut out = format!("<!--\n{name}: commentary for {}.\nThe board's question: {question}\n", lang.month(month));
    let mine: Vec<&Flag> = flagged.iter().filter(|f| f.accountability == accountability).collect();
    if !mine.is_empty() {
        out.push_str("\nLast month the board saw, and will ask about:\n");
        for f in mine {
            let _ = writeln!(out, "- {}", f.line);
        }
    }
    out.push_str(
        "\nAnswer it with this month's evidence: what moved and why, what you are doing,\nand what you need. Delete this comment when done.\n-->\n",
    );
    out
}

/// The quarter's months as a reader names them: "July, August and September 2026".
fn quarter_span(lang: &Lang, quarter: Quarter) -> String {
    let [a, _, c] = quarter.months();
    format!("{} to {}", lang.month(a), lang.month(c))
}

fn quarter_summary_stub(lang: &Lang, quarter: Quarter, reported: &[Month]) -> String {
    let missing: Vec<String> =
        quarter.months().into_iter().filter(|m| !reported.contains(m)).map(|m| lang.month(m)).collect();
    let missing = if missing.is_empty() {
        String::new()
    } else {
        format!("\nNot reported yet: {}. The quarter's values say so until they are.\n", missing.join(", "))
    };
    format!(
        "<!--\nExecutive summary for {quarter} ({}): the first thing the board reads at the meeting.\nIn a few short paragraphs: what the quarter delivered, what is red and what you\nare doing about it, and any decision you need from the board.\n{missing}\nEach KPI's quarter value is made from its months, by the catalogue's `quarter`\nrule (FORMAT.md). To give a quarter value by hand, write `id = value` in\n{CONTENT_DIR}/{quarter}/{VALUES_FILE}: it wins over the months.\nDelete this comment when done.\n-->\n",
        quarter_span(lang, quarter)
    )
}

fn quarter_commentary_stub(
    lang: &Lang,
    catalogue: &Catalogue,
    accountability: &str,
    quarter: Quarter,
    flagged: &[Flag],
) -> String {
    let (name, question) = catalogue
        .accountability(accountability)
        .map_or((accountability, ""), |a| (a.name.as_str(), a.question.as_str()));
    let mut out = format!(
        "<!--\n{name}: commentary for {quarter} ({}).\nThe board's question: {question}\n",
        quarter_span(lang, quarter)
    );
    let mine: Vec<&Flag> = flagged.iter().filter(|f| f.accountability == accountability).collect();
    if !mine.is_empty() {
        out.push_str("\nIn the quarter the board saw, and will ask about:\n");
        for f in mine {
            let _ = writeln!(out, "- {}", f.line);
        }
    }
    out.push_str(
        "\nAnswer it for the quarter as a whole: what moved over the three months and\nwhy, what you are doing, and what you need. Delete this comment when done.\n-->\n",
    );
    out
}

fn taplo_config() -> String {
    format!(
        r#"# Editor validation and completion for boardpack files, for Taplo and the
# "Even Better TOML" extension. Regenerate the schemas with `boardpack schema`.
[[rule]]
include = ["{CONFIG_FILE}"]
[rule.schema]
path = "./{SCHEMA_DIR}/boardpack.schema.json"

[[rule]]
include = ["{CONTENT_DIR}/{CATALOGUE_FILE}"]
[rule.schema]
path = "./{SCHEMA_DIR}/catalogue.schema.json"

[[rule]]
include = ["{CONTENT_DIR}/*/{VALUES_FILE}"]
[rule.schema]
path = "./{SCHEMA_DIR}/kpis.schema.json"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_comes_from_the_folder_name() {
        assert_eq!(organisation_from_folder("acme-corp"), "Acme Corp");
        assert_eq!(organisation_from_folder("globex_uk"), "Globex Uk");
        assert_eq!(organisation_from_folder("---"), "My company");
    }

    #[test]
    fn the_config_template_shows_every_setting_and_parses() {
        let text = config_template("Acme \"Labs\"");
        let schema = serde_json::to_value(schemars::schema_for!(crate::load::config::Config)).unwrap();
        let mut keys: Vec<String> = Vec::new();
        for (name, property) in schema["properties"].as_object().unwrap() {
            keys.push(name.clone());
            let section = property["$ref"].as_str().or(property["allOf"][0]["$ref"].as_str());
            if let Some(reference) = section {
                let def = reference.rsplit('/').next().unwrap();
                let defs = schema.get("$defs").or(schema.get("definitions")).unwrap();
                keys.extend(defs[def]["properties"].as_object().unwrap().keys().cloned());
            }
        }
        for key in keys {
            let shown = text.lines().any(|l| {
                let l = l.trim_start_matches("# ");
                l.starts_with(&format!("{key} =")) || l == format!("[{key}]")
            });
            assert!(shown, "init's boardpack.toml does not show `{key}`:\n{text}");
        }
        let config = crate::load::config::Config::parse(&text, std::path::Path::new("boardpack.toml")).unwrap();
        assert_eq!(config.organisation, "Acme \"Labs\"");
    }

    #[test]
    fn values_template_lists_every_kpi_commented_out() {
        let c = Catalogue::builtin();
        let t = values_template(Lang::english(), &c, Month::new(2026, 11).unwrap(), None);
        for k in &c.kpis {
            assert!(t.contains(&format!("\n# {} =   # ", k.id)), "{} missing", k.id);
        }
        let parsed: toml::Table = toml::from_str(&t).unwrap();
        assert_eq!(parsed.len(), 1, "nothing is filled in for the author: {parsed:?}");
        assert_eq!(parsed["draft"].as_bool(), Some(true), "a new month is a draft");
    }
}
