//! What is reported: the accountabilities and the KPIs that measure them, and
//! how each is judged over time.
//!
//! A project's `content/catalogue.toml` replaces the built-in catalogue (the five
//! accountabilities of a CTO, two KPIs each) as a whole. A board report is a
//! record, so the catalogue is dated: a KPI's `target` and `red` hold from its
//! first month and later changes carry a `from` month (`[[kpi.thresholds]]`);
//! a KPI or accountability introduced or retired later says `since` / `until`.
//! Editing a target in place would rewrite months already sent; dated changes
//! leave them as they were.
//!
//! Loading checks everything a later stage relies on: ids are unique and
//! URL-safe, thresholds are ordered and dated in order, percentages are
//! percentages.
//!
//! This file reads `catalogue.toml`: the file as written (`RawCatalogue`,
//! which is also its JSON schema) and the checks that turn it into the
//! checked [`Catalogue`] every later stage reads (in `catalogue/model.rs`).

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::base::diagnostic::{did_you_mean, Diagnostic};
use crate::base::method::Method;
use crate::base::period::Month;
use crate::base::status::{thresholds_are_ordered, Better};
use crate::load::toml_file::{is_slug, toml_error};

mod model;

pub(crate) use model::{
    format_number, Accountability, Catalogue, Dated, Kpi, Lifetime, Localized, Medium, QuarterRule, Thresholds,
};

/// The built-in catalogue, as TOML, so it can also be written out for editing.
pub const BUILTIN_TOML: &str = include_str!("builtin-catalogue.toml");

/// The largest size of a value or threshold boardpack accepts: past it, f64
/// no longer holds every integer, a change between two values may not be a
/// number, and no KPI is measured that large (a misplaced exponent is).
pub(crate) const MAX_MAGNITUDE: f64 = 1e15;

/// Keys of a month's `kpis.toml` that are not KPI ids.
pub(crate) const RESERVED_IDS: [&str; 1] = ["draft"];

impl Catalogue {
    /// The built-in catalogue. It is checked by a unit test, so parsing cannot fail.
    pub(crate) fn builtin() -> Catalogue {
        Catalogue::parse(BUILTIN_TOML, Path::new("<built-in catalogue>"))
            .expect("the built-in catalogue is valid: checked by catalogue::tests::builtin_is_valid")
    }

    /// Parses and checks a catalogue; every problem found is returned, not just the first.
    pub(crate) fn parse(source: &str, file: &Path) -> Result<Catalogue, Vec<Diagnostic>> {
        let raw: RawCatalogue = toml::from_str(source).map_err(|e| {
            let d = toml_error(file, source, &e);
            // `name = "…"` then `name.fr = "…"`: TOML cannot have both forms.
            vec![if e.message().contains("cannot extend value of type string with a dotted key") {
                d.help("to give a name or question per language, write every language as its own line: name.en = \"…\", name.fr = \"…\" (no plain name = \"…\" beside them)")
            } else {
                d
            }]
        })?;
        let mut ctx = Ctx { source, file, problems: Vec::new() };
        let accountabilities = check_accountabilities(&raw.accountability, &mut ctx);
        let known: Vec<&str> = accountabilities.iter().map(|a| a.id.as_str()).collect();
        let kpis = check_kpis(&raw.kpi, &known, &mut ctx);
        if accountabilities.is_empty() {
            ctx.problems.push(
                Diagnostic::error(file, "the catalogue defines no accountability")
                    .help("add at least one [[accountability]] table with id, name and question"),
            );
        }
        if ctx.problems.is_empty() {
            Ok(Catalogue { accountabilities, kpis })
        } else {
            Err(ctx.problems)
        }
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
    /// Shown as the accountability's heading: one text, or one per language
    /// (`name.en = "…"`, `name.fr = "…"`).
    #[schemars(with = "RawText")]
    name: Spanned<RawText>,
    /// The question the board asks of this accountability: one text, or one
    /// per language.
    #[schemars(with = "RawText")]
    question: Spanned<RawText>,
    /// The first month it is reported (YYYY-MM); earlier months leave it out.
    #[schemars(with = "Option<String>", pattern(r"^[0-9]{4}-[0-9]{2}$"))]
    since: Option<Spanned<String>>,
    /// The last month it is reported (YYYY-MM); later months leave it out.
    #[schemars(with = "Option<String>", pattern(r"^[0-9]{4}-[0-9]{2}$"))]
    until: Option<Spanned<String>>,
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
    /// Shown on the scorecard and the KPI's section: one text, or one per
    /// language (`name.en = "…"`, `name.fr = "…"`).
    #[schemars(with = "RawText")]
    name: Spanned<RawText>,
    /// A shorter name commentary may use ("CFR"): naming it explains the KPI
    /// as its name does. One text, or one per language.
    #[schemars(with = "Option<RawText>")]
    short: Option<Spanned<RawText>>,
    /// Free text; "%" means a percentage written 0 to 100.
    #[schemars(with = "String")]
    unit: Spanned<String>,
    /// Which direction is an improvement.
    #[schemars(with = "Better")]
    better: Spanned<String>,
    /// At or better than this the KPI is green, from its first month. Leave
    /// `target` and `red` out for a KPI tracked without a target.
    #[schemars(with = "Option<f64>")]
    target: Option<Spanned<f64>>,
    /// Worse than this the KPI is red; between target and red it is amber.
    #[schemars(with = "Option<f64>")]
    red: Option<Spanned<f64>>,
    /// `[[kpi.thresholds]]`: a later change of `target` and `red`, in force from
    /// its `from` month, so months already sent keep the thresholds they had.
    #[serde(default)]
    thresholds: Vec<RawThresholds>,
    /// The first month the KPI is reported (YYYY-MM); earlier months leave it out.
    #[schemars(with = "Option<String>", pattern(r"^[0-9]{4}-[0-9]{2}$"))]
    since: Option<Spanned<String>>,
    /// The last month the KPI is reported (YYYY-MM); later months leave it out.
    #[schemars(with = "Option<String>", pattern(r"^[0-9]{4}-[0-9]{2}$"))]
    until: Option<Spanned<String>>,
    /// Decimal places shown on the report (values are kept as written); default 1.
    #[schemars(with = "Option<u8>", range(min = 0, max = 6))]
    decimals: Option<Spanned<i64>>,
    /// What the KPI measures and why it matters (Markdown).
    definition: String,
    /// How to measure it (Markdown).
    #[serde(default)]
    how_to_measure: String,
    /// How `boardpack measure` computes it, when not the method named like its id.
    #[schemars(with = "Option<String>")]
    measure: Option<Spanned<String>>,
    /// The lowest value that makes sense (default 0 for %, days, hours and counts).
    #[schemars(with = "Option<f64>")]
    min: Option<Spanned<f64>>,
    /// How the KPI's quarter value is made from its months: `recompute` (from
    /// the rows behind the months' measured values; the default for a KPI
    /// `boardpack measure` computes), `last`, `mean` (the default otherwise),
    /// `sum` or `worst`. A value typed in the quarter's kpis.toml wins.
    #[schemars(with = "Option<QuarterRule>")]
    quarter: Option<Spanned<String>>,
}

/// A text in every language, or one per language subtag: `name = "Cycle time"`,
/// or `name.en = "Cycle time"` with `name.fr = "Temps de cycle"`.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged, expecting = "a text in quotes, or one per language such as name.en = \"…\" and name.fr = \"…\"")]
enum RawText {
    /// The same text whatever the report's language.
    One(String),
    /// Per language subtag (`en`, `fr`, `de`…); `en` is required: it is shown
    /// when the report's language has no entry.
    PerLanguage(BTreeMap<String, String>),
}

/// A dated change of a KPI's thresholds.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    /// The first month these thresholds apply to (YYYY-MM).
    #[schemars(with = "String", pattern(r"^[0-9]{4}-[0-9]{2}$"))]
    from: Spanned<String>,
    /// The target from that month; leave `target` and `red` out to stop judging the KPI.
    #[schemars(with = "Option<f64>")]
    target: Option<Spanned<f64>>,
    /// The red line from that month.
    #[schemars(with = "Option<f64>")]
    red: Option<Spanned<f64>>,
}

/// The catalogue being checked, and what is wrong with it so far.
struct Ctx<'a> {
    source: &'a str,
    file: &'a Path,
    problems: Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// The KPI's quarter rule: as written, or by default `recompute` for a
    /// KPI `measure` computes (`last` for key-person concentration, already a
    /// 90-day window) and `mean` for one typed by hand.
    fn quarter_rule(&mut self, written: &Option<Spanned<String>>, method: &str) -> QuarterRule {
        let method = Method::named(method);
        let default = match method {
            Some(Method::KeyPersonConcentration) => QuarterRule::Last,
            Some(_) => QuarterRule::Recompute,
            None => QuarterRule::Mean,
        };
        let Some(written) = written else {
            return default;
        };
        let names = QuarterRule::ALL.iter().map(|r| r.name());
        match QuarterRule::ALL.iter().find(|r| r.name() == written.get_ref()) {
            Some(QuarterRule::Recompute) if method.is_none() => {
                self.error_at(
                    written,
                    "`recompute` needs the rows `boardpack measure` keeps, and this KPI has no method",
                    "use `last`, `mean`, `sum` or `worst`, or name a method with `measure = \"…\"`",
                );
                default
            }
            Some(rule) => *rule,
            None => {
                let help = match did_you_mean(written.get_ref(), names.clone()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("use one of: {}", names.collect::<Vec<_>>().join(", ")),
                };
                self.error_at(written, format!("no quarter rule `{}`", written.get_ref()), help);
                default
            }
        }
    }

    fn error_at<T>(&mut self, at: &Spanned<T>, message: impl Into<String>, help: impl Into<String>) {
        let d = Diagnostic::error(self.file, message).at(self.source, at.span()).help(help);
        self.problems.push(d);
    }

    fn id(&mut self, id: &Spanned<String>, what: &str, seen: &mut BTreeMap<String, ()>) -> bool {
        let value = id.get_ref();
        if !is_slug(value) {
            self.error_at(
                id,
                format!("{what} id `{value}` is not usable in a web address"),
                "use lower-case letters, digits and dashes, e.g. `lead-time`",
            );
            return false;
        }
        if RESERVED_IDS.contains(&value.as_str()) {
            self.error_at(
                id,
                format!("`{value}` cannot be a {what} id: it is a setting of each month's kpis.toml"),
                "choose another id",
            );
            return false;
        }
        if seen.insert(value.clone(), ()).is_some() {
            let d = Diagnostic::error(self.file, format!("duplicate {what} id `{value}`"))
                .at(self.source, id.span())
                .label("already defined above")
                .help(format!("each {what} needs its own id; rename or remove one of them"));
            self.problems.push(d);
            return false;
        }
        true
    }

    /// A text per language, checked: language subtags as keys, and an `en`
    /// entry for every other language.
    fn text(&mut self, text: &Spanned<RawText>, key: &str) -> Localized {
        let by_language = match text.get_ref() {
            RawText::One(s) => return Localized::new(s.clone(), BTreeMap::new()),
            RawText::PerLanguage(m) => m,
        };
        for language in by_language.keys() {
            if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_lowercase()) {
                self.error_at(
                    text,
                    format!("`{key}.{language}` does not name a language"),
                    format!("use the language's two-letter code, as in the report's locale: {key}.fr for fr-FR, {key}.de for de-DE"),
                );
            }
        }
        let Some(english) = by_language.get("en") else {
            self.error_at(
                text,
                format!("`{key}` has no `en` entry"),
                format!("add {key}.en = \"…\": it is shown when the report's language has none of its own"),
            );
            return Localized::default();
        };
        let rest = by_language.iter().filter(|(l, _)| *l != "en").map(|(l, t)| (l.clone(), t.clone())).collect();
        Localized::new(english.clone(), rest)
    }

    fn month(&mut self, text: &Spanned<String>, key: &str) -> Option<Month> {
        match text.get_ref().parse::<Month>() {
            Ok(m) => Some(m),
            Err(e) => {
                self.error_at(
                    text,
                    format!("`{key}` is not a month: {e}"),
                    format!("write {key} = \"YYYY-MM\", e.g. {key} = \"2027-01\""),
                );
                None
            }
        }
    }

    fn lifetime(&mut self, since: &Option<Spanned<String>>, until: &Option<Spanned<String>>) -> Lifetime {
        let lifetime = Lifetime {
            since: since.as_ref().and_then(|s| self.month(s, "since")),
            until: until.as_ref().and_then(|u| self.month(u, "until")),
        };
        if let (Some(s), Some(u), Some(at)) = (lifetime.since, lifetime.until, until) {
            if u < s {
                self.error_at(
                    at,
                    format!("`until` ({u}) is before `since` ({s})"),
                    "until is the last month reported, since the first",
                );
            }
        }
        lifetime
    }

    /// `target` and `red` together (or neither), finite, on the right sides of
    /// each other, and within 0–100 for a percentage.
    fn thresholds(
        &mut self,
        target: &Option<Spanned<f64>>,
        red: &Option<Spanned<f64>>,
        better: Option<Better>,
        percentage: bool,
        at: &Spanned<String>,
    ) -> Option<Thresholds> {
        let (target, red) = match (target, red) {
            (None, None) => return None,
            (Some(t), Some(r)) => (t, r),
            (Some(t), None) => {
                self.error_at(t, "`target` is given without `red`", "give both `target` and `red` (equal, for no amber band), or neither for a KPI tracked without a target");
                return None;
            }
            (None, Some(r)) => {
                self.error_at(
                    r,
                    "`red` is given without `target`",
                    "give both `target` and `red`, or neither for a KPI tracked without a target",
                );
                return None;
            }
        };
        let mut ok = true;
        for (name, n) in [("target", target), ("red", red)] {
            let v = *n.get_ref();
            if !v.is_finite() {
                self.error_at(
                    n,
                    format!("`{name}` must be a finite number"),
                    "nan and inf are valid TOML but not a threshold; write a number such as 5 or 12.5",
                );
                ok = false;
            } else if v.abs() > MAX_MAGNITUDE {
                self.error_at(
                    n,
                    format!("`{name}` is {v:e}, too large to be a threshold"),
                    "check the number for a misplaced decimal point or exponent; thresholds up to 1e15 are accepted",
                );
                ok = false;
            } else if percentage && !(0.0..=100.0).contains(&v) {
                self.error_at(
                    n,
                    format!("`{name}` is {v}, outside 0–100, but the unit is `%`"),
                    "percentages are written as 0 to 100: 12.5 for 12.5%",
                );
                ok = false;
            }
        }
        let (t, r) = (*target.get_ref(), *red.get_ref());
        if let (true, Some(b)) = (ok, better) {
            if !thresholds_are_ordered(b, t, r) {
                let side = match b {
                    Better::Lower => "above",
                    Better::Higher => "below",
                };
                let d = Diagnostic::error(
                    self.file,
                    format!("`red` ({r}) is on the wrong side of `target` ({t}) for KPI `{}`", at.get_ref()),
                )
                .at(self.source, red.span())
                .label(format!("must be {side} the target"))
                .help(format!("with better = \"{}\", red must be {side} the target (or equal to it)", b.as_str()));
                self.problems.push(d);
                ok = false;
            }
        }
        ok.then_some(Thresholds { target: t, red: r })
    }
}

fn check_accountabilities(raw: &[RawAccountability], ctx: &mut Ctx<'_>) -> Vec<Accountability> {
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for a in raw {
        if ctx.id(&a.id, "accountability", &mut seen) {
            let lifetime = ctx.lifetime(&a.since, &a.until);
            let (names, questions) = (ctx.text(&a.name, "name"), ctx.text(&a.question, "question"));
            out.push(Accountability {
                id: a.id.get_ref().clone(),
                name: names.neutral().to_string(),
                question: questions.neutral().to_string(),
                names,
                questions,
                lifetime,
            });
        }
    }
    out
}

/// Units whose values are never below zero: times, shares and counts.
fn never_negative(unit: &str) -> bool {
    let unit = unit.trim().to_lowercase();
    let words = [
        "%",
        "day",
        "days",
        "hour",
        "hours",
        "minute",
        "minutes",
        "week",
        "weeks",
        "count",
        "incidents",
        "deployments",
        "people",
        "engineers",
    ];
    words.contains(&unit.as_str())
}

fn check_kpis(raw: &[RawKpi], accountabilities: &[&str], ctx: &mut Ctx<'_>) -> Vec<Kpi> {
    let mut seen = BTreeMap::new();
    let mut kpis = Vec::new();
    for k in raw {
        let before = ctx.problems.len();
        ctx.id(&k.id, "KPI", &mut seen);
        let acc = k.accountability.get_ref();
        if !accountabilities.contains(&acc.as_str()) {
            let mut d = Diagnostic::error(
                ctx.file,
                format!("KPI `{}` belongs to unknown accountability `{acc}`", k.id.get_ref()),
            )
            .at(ctx.source, k.accountability.span())
            .label("no [[accountability]] has this id");
            d = match did_you_mean(acc, accountabilities.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("use one of: {}", accountabilities.join(", "))),
            };
            ctx.problems.push(d);
        }
        let better = match k.better.get_ref().as_str() {
            "lower" => Some(Better::Lower),
            "higher" => Some(Better::Higher),
            other => {
                ctx.error_at(&k.better, format!("`better` must be \"lower\" or \"higher\", not \"{other}\""), "say which direction is an improvement: \"lower\" for times and failure rates, \"higher\" for shares delivered");
                None
            }
        };
        let names = ctx.text(&k.name, "name");
        let short = k.short.as_ref().map(|s| ctx.text(s, "short"));
        let unit = k.unit.get_ref().trim();
        let percentage = unit == "%";
        let mut thresholds =
            vec![Dated { from: None, thresholds: ctx.thresholds(&k.target, &k.red, better, percentage, &k.id) }];
        let mut last: Option<Month> = None;
        for dated in &k.thresholds {
            let Some(from) = ctx.month(&dated.from, "from") else {
                continue;
            };
            if last.is_some_and(|l| from <= l) {
                ctx.error_at(
                    &dated.from,
                    format!(
                        "thresholds from {from} come after ones from {} or later",
                        last.map(|l| l.to_string()).unwrap_or_default()
                    ),
                    "list [[kpi.thresholds]] oldest first, each `from` a later month than the one before",
                );
            }
            last = Some(from);
            let values = ctx.thresholds(&dated.target, &dated.red, better, percentage, &k.id);
            thresholds.push(Dated { from: Some(from), thresholds: values });
        }
        let lifetime = ctx.lifetime(&k.since, &k.until);
        if let (Some(since), Some(first)) = (lifetime.since, k.thresholds.first()) {
            if thresholds.get(1).and_then(|d| d.from).is_some_and(|f| f <= since) {
                ctx.error_at(
                    &first.from,
                    format!("these thresholds start before the KPI does (since = \"{since}\")"),
                    "give the KPI's first thresholds as its `target` and `red`, and date only later changes",
                );
            }
        }
        let decimals = match &k.decimals {
            None => 1,
            Some(d) => match u8::try_from(*d.get_ref()) {
                Ok(v) if v <= 6 => v,
                _ => {
                    ctx.error_at(
                        d,
                        "`decimals` must be between 0 and 6",
                        "it is the number of decimal places shown, e.g. 1 for 3.1 days",
                    );
                    0
                }
            },
        };
        if let Some(method) = &k.measure {
            if Method::named(method.get_ref()).is_none() {
                let help = match did_you_mean(method.get_ref(), Method::names()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("use one of: {}", Method::names().collect::<Vec<_>>().join(", ")),
                };
                ctx.error_at(method, format!("`boardpack measure` has no method `{}`", method.get_ref()), help);
            }
        }
        let quarter = ctx.quarter_rule(&k.quarter, k.measure.as_ref().map_or(k.id.get_ref(), |m| m.get_ref()));
        let min = match &k.min {
            Some(m) if !m.get_ref().is_finite() => {
                ctx.error_at(
                    m,
                    "`min` must be a finite number",
                    "write the lowest value that makes sense, e.g. min = -100",
                );
                None
            }
            Some(m) => Some(*m.get_ref()),
            None => never_negative(unit).then_some(0.0),
        };
        if ctx.problems.len() == before {
            if let Some(better) = better {
                kpis.push(Kpi {
                    id: k.id.get_ref().clone(),
                    accountability: acc.clone(),
                    name: names.neutral().to_string(),
                    names,
                    short,
                    unit: unit.to_string(),
                    better,
                    thresholds,
                    lifetime,
                    decimals,
                    definition: k.definition.clone(),
                    how_to_measure: k.how_to_measure.clone(),
                    measure: k.measure.as_ref().map(|m| m.get_ref().clone()),
                    min,
                    quarter,
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
}
