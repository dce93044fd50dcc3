//! What is reported: the accountabilities and the KPIs that measure them.
//!
//! A project's `content/catalogue.toml` replaces the built-in catalogue (the five
//! accountabilities of a CTO, two KPIs each) as a whole. Loading checks everything
//! a later stage relies on: ids are unique and URL-safe, thresholds are ordered,
//! percentages are percentages.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::status::{thresholds_are_ordered, Better};

/// The built-in catalogue, as TOML, so it can also be written out for editing.
pub const BUILTIN_TOML: &str = include_str!("builtin-catalogue.toml");

/// One of the outcomes the CTO answers for, phrased as a question a board asks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Accountability {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) question: String,
}

/// A measured number with a direction and the thresholds that colour it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kpi {
    pub(crate) id: String,
    pub(crate) accountability: String,
    pub(crate) name: String,
    /// Free text; `%` means a percentage from 0 to 100.
    pub(crate) unit: String,
    pub(crate) better: Better,
    pub(crate) target: f64,
    pub(crate) red: f64,
    /// Decimal places shown; values are stored as given.
    pub(crate) decimals: u8,
    /// Markdown.
    pub(crate) definition: String,
    /// Markdown.
    pub(crate) how_to_measure: String,
}

impl Kpi {
    pub(crate) fn is_percentage(&self) -> bool {
        self.unit.trim() == "%"
    }

    /// A value as the board reads it: fixed decimals, with the unit.
    pub(crate) fn format_value(&self, v: f64) -> String {
        let n = format_number(v, self.decimals);
        self.with_unit(n)
    }

    /// A signed change as the board reads it, e.g. `+1.5 days` or `−3%`.
    pub(crate) fn format_delta(&self, d: f64) -> String {
        let n = format_number(d.abs(), self.decimals);
        let sign = if n.chars().all(|c| c == '0' || c == '.') {
            "±"
        } else if d > 0.0 {
            "+"
        } else {
            "−"
        };
        self.with_unit(format!("{sign}{n}"))
    }

    fn with_unit(&self, n: String) -> String {
        let unit = self.unit.trim();
        if unit.is_empty() {
            n
        } else if unit == "%" {
            format!("{n}%")
        } else {
            format!("{n} {unit}")
        }
    }
}

/// Fixed-point formatting that never shows `-0`.
pub(crate) fn format_number(v: f64, decimals: u8) -> String {
    let s = format!("{:.*}", usize::from(decimals), v);
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Accountabilities and KPIs in the order the author wrote them (the report's order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Catalogue {
    pub(crate) accountabilities: Vec<Accountability>,
    pub(crate) kpis: Vec<Kpi>,
}

impl Catalogue {
    /// The built-in catalogue. It is checked by a unit test, so parsing cannot fail.
    pub(crate) fn builtin() -> Catalogue {
        Catalogue::parse(BUILTIN_TOML, Path::new("<built-in catalogue>"))
            .expect("the built-in catalogue is valid: checked by catalogue::tests::builtin_is_valid")
    }

    pub(crate) fn kpi(&self, id: &str) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.id == id)
    }

    pub(crate) fn accountability(&self, id: &str) -> Option<&Accountability> {
        self.accountabilities.iter().find(|a| a.id == id)
    }

    /// KPIs of one accountability, in catalogue order.
    pub(crate) fn kpis_of<'a>(&'a self, accountability: &'a str) -> impl Iterator<Item = &'a Kpi> + 'a {
        self.kpis.iter().filter(move |k| k.accountability == accountability)
    }

    /// Parses and checks a catalogue; every problem found is returned, not just the first.
    pub(crate) fn parse(source: &str, file: &Path) -> Result<Catalogue, Vec<Diagnostic>> {
        let raw: RawCatalogue = toml::from_str(source).map_err(|e| vec![toml_error(file, source, &e)])?;
        let mut problems = Vec::new();
        let accountabilities = check_accountabilities(&raw.accountability, source, file, &mut problems);
        let known: Vec<&str> = accountabilities.iter().map(|a| a.id.as_str()).collect();
        let kpis = check_kpis(&raw.kpi, &known, source, file, &mut problems);
        if accountabilities.is_empty() {
            problems.push(
                Diagnostic::error(file, "the catalogue defines no accountability")
                    .help("add at least one [[accountability]] table with id, name and question"),
            );
        }
        if problems.is_empty() {
            Ok(Catalogue { accountabilities, kpis })
        } else {
            Err(problems)
        }
    }
}

/// Turns a TOML parse or type error into a located diagnostic.
pub(crate) fn toml_error(file: &Path, source: &str, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_string();
    let d = Diagnostic::error(file, format!("invalid TOML: {message}"));
    match e.span() {
        Some(span) => d.at(source, span),
        None => d,
    }
}

/// What the report measures: the accountabilities a CTO answers for, and the
/// KPIs that measure each. Replaces the built-in catalogue as a whole.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "catalogue.toml")]
pub(crate) struct RawCatalogue {
    /// `[[accountability]]`: an outcome the CTO answers for, in report order.
    #[serde(default)]
    accountability: Vec<RawAccountability>,
    /// `[[kpi]]`: a measured number, in report order.
    #[serde(default)]
    kpi: Vec<RawKpi>,
}

/// An outcome the CTO answers for, phrased as the question a board asks.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawAccountability {
    /// Lower-case letters, digits and dashes: it becomes a web address.
    #[schemars(with = "String", pattern(r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    id: Spanned<String>,
    /// Shown as the accountability's heading.
    name: String,
    /// The question the board asks of this accountability.
    question: String,
}

/// A measured number with a direction and the thresholds that colour it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawKpi {
    /// Lower-case letters, digits and dashes: the key in each month's kpis.toml.
    #[schemars(with = "String", pattern(r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    id: Spanned<String>,
    /// The id of the [[accountability]] this KPI measures.
    #[schemars(with = "String")]
    accountability: Spanned<String>,
    /// Shown on the scorecard and the KPI's section.
    name: String,
    /// Free text; "%" means a percentage written 0 to 100.
    #[schemars(with = "String")]
    unit: Spanned<String>,
    /// Which direction is an improvement.
    #[schemars(with = "Better")]
    better: Spanned<String>,
    /// At or better than this the KPI is green.
    #[schemars(with = "f64")]
    target: Spanned<f64>,
    /// Worse than this the KPI is red; between target and red it is amber.
    #[schemars(with = "f64")]
    red: Spanned<f64>,
    /// Decimal places shown on the report (values are kept as written); default 1.
    #[schemars(with = "Option<u8>", range(min = 0, max = 6))]
    decimals: Option<Spanned<i64>>,
    /// What the KPI measures and why it matters (Markdown).
    definition: String,
    /// How to measure it (Markdown).
    #[serde(default)]
    how_to_measure: String,
}

/// Ids become URLs and file names, so they are restricted to lower-case slugs.
pub(crate) fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_id(
    id: &Spanned<String>,
    what: &str,
    seen: &mut BTreeMap<String, ()>,
    source: &str,
    file: &Path,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    let value = id.get_ref();
    if !is_slug(value) {
        problems.push(
            Diagnostic::error(file, format!("{what} id `{value}` is not usable in a web address"))
                .at(source, id.span())
                .help("use lower-case letters, digits and dashes, e.g. `lead-time`"),
        );
        return false;
    }
    if seen.insert(value.clone(), ()).is_some() {
        problems.push(
            Diagnostic::error(file, format!("duplicate {what} id `{value}`"))
                .at(source, id.span())
                .label("already defined above")
                .help(format!("each {what} needs its own id; rename or remove one of them")),
        );
        return false;
    }
    true
}

fn check_accountabilities(
    raw: &[RawAccountability],
    source: &str,
    file: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Accountability> {
    let mut seen = BTreeMap::new();
    raw.iter()
        .filter(|a| check_id(&a.id, "accountability", &mut seen, source, file, problems))
        .map(|a| Accountability { id: a.id.get_ref().clone(), name: a.name.clone(), question: a.question.clone() })
        .collect()
}

fn check_kpis(
    raw: &[RawKpi],
    accountabilities: &[&str],
    source: &str,
    file: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Kpi> {
    let mut seen = BTreeMap::new();
    let mut kpis = Vec::new();
    for k in raw {
        let before = problems.len();
        check_id(&k.id, "KPI", &mut seen, source, file, problems);
        let acc = k.accountability.get_ref();
        if !accountabilities.contains(&acc.as_str()) {
            let mut d =
                Diagnostic::error(file, format!("KPI `{}` belongs to unknown accountability `{acc}`", k.id.get_ref()))
                    .at(source, k.accountability.span())
                    .label("no [[accountability]] has this id");
            d = match did_you_mean(acc, accountabilities.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("use one of: {}", accountabilities.join(", "))),
            };
            problems.push(d);
        }
        let better = match k.better.get_ref().as_str() {
            "lower" => Some(Better::Lower),
            "higher" => Some(Better::Higher),
            other => {
                problems.push(
                    Diagnostic::error(file, format!("`better` must be \"lower\" or \"higher\", not \"{other}\""))
                        .at(source, k.better.span())
                        .help("say which direction is an improvement: \"lower\" for times and failure rates, \"higher\" for shares delivered"),
                );
                None
            }
        };
        for (name, n) in [("target", &k.target), ("red", &k.red)] {
            if !n.get_ref().is_finite() {
                problems.push(
                    Diagnostic::error(file, format!("`{name}` must be a finite number"))
                        .at(source, n.span())
                        .help("nan and inf are valid TOML but not a threshold; write a number such as 5 or 12.5"),
                );
            }
        }
        let unit = k.unit.get_ref().trim();
        if unit == "%" {
            for (name, n) in [("target", &k.target), ("red", &k.red)] {
                let v = *n.get_ref();
                if v.is_finite() && !(0.0..=100.0).contains(&v) {
                    problems.push(
                        Diagnostic::error(file, format!("`{name}` is {v}, outside 0–100, but the unit is `%`"))
                            .at(source, n.span())
                            .help("percentages are written as 0 to 100: 12.5 for 12.5%"),
                    );
                }
            }
        }
        if let Some(b) = better {
            let (t, r) = (*k.target.get_ref(), *k.red.get_ref());
            if t.is_finite() && r.is_finite() && !thresholds_are_ordered(b, t, r) {
                let side = match b {
                    Better::Lower => "above",
                    Better::Higher => "below",
                };
                problems.push(
                    Diagnostic::error(
                        file,
                        format!("`red` ({r}) is on the wrong side of `target` ({t}) for KPI `{}`", k.id.get_ref()),
                    )
                    .at(source, k.red.span())
                    .label(format!("must be {side} the target"))
                    .help(format!("with better = \"{}\", red must be {side} the target (or equal to it)", b.as_str())),
                );
            }
        }
        let decimals = match &k.decimals {
            None => 1,
            Some(d) => match u8::try_from(*d.get_ref()) {
                Ok(v) if v <= 6 => v,
                _ => {
                    problems.push(
                        Diagnostic::error(file, "`decimals` must be between 0 and 6")
                            .at(source, d.span())
                            .help("it is the number of decimal places shown, e.g. 1 for 3.1 days"),
                    );
                    0
                }
            },
        };
        if problems.len() == before {
            if let Some(better) = better {
                kpis.push(Kpi {
                    id: k.id.get_ref().clone(),
                    accountability: acc.clone(),
                    name: k.name.clone(),
                    unit: unit.to_string(),
                    better,
                    target: *k.target.get_ref(),
                    red: *k.red.get_ref(),
                    decimals,
                    definition: k.definition.clone(),
                    how_to_measure: k.how_to_measure.clone(),
                });
            }
        }
    }
    kpis
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Catalogue, Vec<Diagnostic>> {
        Catalogue::parse(src, Path::new("content/catalogue.toml"))
    }

    #[test]
    fn builtin_is_valid() {
        let c = parse(BUILTIN_TOML).expect("built-in catalogue parses");
        let ids: Vec<&str> = c.kpis.iter().map(|k| k.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "lead-time",
                "delivery-predictability",
                "cycle-time",
                "key-person-concentration",
                "change-failure-rate",
                "time-to-restore",
                "defect-escape-rate",
                "rework-ratio",
                "business-outcome-share",
                "roadmap-accuracy"
            ]
        );
        let accs: Vec<&str> = c.accountabilities.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            accs,
            [
                "software-delivery",
                "team-performance",
                "operational-reliability",
                "technical-quality",
                "roadmap-alignment"
            ]
        );
        for a in &c.accountabilities {
            assert_eq!(c.kpis_of(&a.id).count(), 2, "{} has two KPIs", a.id);
        }
    }

    const ONE: &str = r#"
[[accountability]]
id = "delivery"
name = "Delivery"
question = "Does it ship?"
"#;

    #[test]
    fn red_on_wrong_side_is_an_error_at_the_red_line() {
        let src = format!(
            "{ONE}\n[[kpi]]\nid = \"lead\"\naccountability = \"delivery\"\nname = \"Lead\"\nunit = \"days\"\nbetter = \"lower\"\ntarget = 5\nred = 2\ndefinition = \"x\"\n"
        );
        let errs = parse(&src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("wrong side"), "{}", errs[0]);
        assert_eq!(errs[0].location.as_ref().unwrap().source_line, "red = 2");
    }

    #[test]
    fn unknown_accountability_suggests_the_near_miss() {
        let src = format!(
            "{ONE}\n[[kpi]]\nid = \"lead\"\naccountability = \"delivry\"\nname = \"Lead\"\nunit = \"days\"\nbetter = \"lower\"\ntarget = 1\nred = 2\ndefinition = \"x\"\n"
        );
        let errs = parse(&src).unwrap_err();
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `delivery`?"));
    }

    #[test]
    fn percentage_out_of_range_and_bad_direction_are_both_reported() {
        let src = format!(
            "{ONE}\n[[kpi]]\nid = \"cfr\"\naccountability = \"delivery\"\nname = \"CFR\"\nunit = \"%\"\nbetter = \"down\"\ntarget = 5\nred = 150\ndefinition = \"x\"\n"
        );
        let errs = parse(&src).unwrap_err();
        let msgs: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("\"lower\" or \"higher\"")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("outside 0–100")), "{msgs:?}");
    }

    #[test]
    fn nan_threshold_is_rejected() {
        let src = format!(
            "{ONE}\n[[kpi]]\nid = \"cfr\"\naccountability = \"delivery\"\nname = \"CFR\"\nunit = \"%\"\nbetter = \"lower\"\ntarget = nan\nred = 10\ndefinition = \"x\"\n"
        );
        let errs = parse(&src).unwrap_err();
        assert!(errs[0].message.contains("finite"));
    }

    #[test]
    fn duplicate_kpi_id_is_reported_at_the_second() {
        let kpi = "\n[[kpi]]\nid = \"lead\"\naccountability = \"delivery\"\nname = \"Lead\"\nunit = \"days\"\nbetter = \"lower\"\ntarget = 1\nred = 2\ndefinition = \"x\"\n";
        let src = format!("{ONE}{kpi}{kpi}");
        let errs = parse(&src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("duplicate KPI id `lead`"));
        assert!(errs[0].location.as_ref().unwrap().line > 12);
    }

    #[test]
    fn wrong_type_names_the_line() {
        let src = format!(
            "{ONE}\n[[kpi]]\nid = \"lead\"\naccountability = \"delivery\"\nname = \"Lead\"\nunit = \"days\"\nbetter = \"lower\"\ntarget = \"one\"\nred = 2\ndefinition = \"x\"\n"
        );
        let errs = parse(&src).unwrap_err();
        assert_eq!(errs[0].location.as_ref().unwrap().source_line, "target = \"one\"");
    }

    #[test]
    fn formats_values_with_units_and_signs() {
        let c = Catalogue::builtin();
        let lead = c.kpi("lead-time").unwrap();
        assert_eq!(lead.format_value(3.04), "3.0 days");
        assert_eq!(lead.format_delta(-0.5), "−0.5 days");
        assert_eq!(lead.format_delta(0.01), "±0.0 days");
        let cfr = c.kpi("change-failure-rate").unwrap();
        assert_eq!(cfr.format_value(12.0), "12.0%");
        assert_eq!(format_number(-0.0001, 2), "0.00");
    }
}
