//! The checked catalogue, as every later stage reads it: accountabilities and
//! KPIs in report order, each KPI's dated thresholds and lifetime, and the one
//! way a KPI's value and change are written ([`Kpi::show`], [`Kpi::show_change`]).
//!
//! Only [`super`] makes one, from the TOML once every check has passed, so
//! nothing here needs to check again.

use std::collections::BTreeMap;

use crate::base::i18n::Lang;
use crate::base::locale::round;
use crate::base::period::Month;
use crate::base::status::Better;

/// How a KPI's quarter value is made from its three months (`quarter = "…"`
/// in the catalogue). A value typed in the quarter's `kpis.toml` wins over
/// every rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum QuarterRule {
    /// From the rows behind the months' measured values, as if the quarter
    /// were measured whole: a median of all its changes, a ratio of all its
    /// counts. Averaging three monthly medians is not the quarter's median.
    Recompute,
    /// The last month's value: for a KPI that is already a window (key-person
    /// concentration over 90 days) or a level (headcount).
    Last,
    /// The mean of the months' values.
    Mean,
    /// The sum of the months' values: for counts and amounts.
    Sum,
    /// The worst of the months' values, by the KPI's direction.
    Worst,
}

impl QuarterRule {
    /// Its name as the catalogue writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            QuarterRule::Recompute => "recompute",
            QuarterRule::Last => "last",
            QuarterRule::Mean => "mean",
            QuarterRule::Sum => "sum",
            QuarterRule::Worst => "worst",
        }
    }

    /// Every rule, for help texts.
    pub(crate) const ALL: [QuarterRule; 5] =
        [QuarterRule::Recompute, QuarterRule::Last, QuarterRule::Mean, QuarterRule::Sum, QuarterRule::Worst];
}

/// The months something is part of the report: from `since` to `until`, both
/// included; open-ended where not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Lifetime {
    pub(crate) since: Option<Month>,
    pub(crate) until: Option<Month>,
}

impl Lifetime {
    /// Whether `month` is within the lifetime.
    pub(crate) fn contains(self, month: Month) -> bool {
        self.since.is_none_or(|s| month >= s) && self.until.is_none_or(|u| month <= u)
    }
}

/// A text the catalogue may give in several languages (`name.fr = "…"`), so
/// a French board reads French names while the report's other languages
/// keep theirs.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Localized {
    /// The text for a language the catalogue gives none for: the plain
    /// string, or the `en` entry.
    default: String,
    /// Per language subtag (`fr`), as written.
    by_language: BTreeMap<String, String>,
}

impl Localized {
    /// `default` for every language, plus the given per-language texts.
    pub(crate) fn new(default: String, by_language: BTreeMap<String, String>) -> Localized {
        Localized { default, by_language }
    }

    /// The text a report in `language` (a subtag such as `fr`) shows.
    pub(crate) fn in_language(&self, language: &str) -> &str {
        self.by_language.get(language).unwrap_or(&self.default)
    }

    /// The text for no language in particular (the plain string, or the
    /// `en` entry): for the author's own files, which must not change with
    /// the report's `locale`.
    pub(crate) fn neutral(&self) -> &str {
        &self.default
    }

    /// Every form, in every language: what the author may call it.
    pub(crate) fn every(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.default.as_str()).chain(self.by_language.values().map(String::as_str))
    }
}

/// One of the outcomes the CTO answers for, phrased as a question a board asks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Accountability {
    pub(crate) id: String,
    /// In the report's language ([`Catalogue::in_language`]).
    pub(crate) name: String,
    /// In the report's language.
    pub(crate) question: String,
    /// The name in every language the catalogue gives.
    pub(crate) names: Localized,
    pub(crate) questions: Localized,
    pub(crate) lifetime: Lifetime,
}

/// The two numbers that colour a value: green at or better than `target`, red
/// strictly worse than `red`, amber between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Thresholds {
    pub(crate) target: f64,
    pub(crate) red: f64,
}

impl Thresholds {
    /// As the status rules take them.
    pub(crate) fn pair(self) -> (f64, f64) {
        (self.target, self.red)
    }
}

/// Thresholds in force from a month on (`None`: from the KPI's first month).
/// No thresholds means the KPI is tracked only, with no status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dated {
    pub(crate) from: Option<Month>,
    pub(crate) thresholds: Option<Thresholds>,
}

/// A measured number with a direction and the thresholds that colour it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kpi {
    pub(crate) id: String,
    pub(crate) accountability: String,
    /// In the report's language ([`Catalogue::in_language`]).
    pub(crate) name: String,
    /// The name in every language the catalogue gives.
    pub(crate) names: Localized,
    /// Shorter names commentary may use ("CFR"), in every language given.
    pub(crate) short: Option<Localized>,
    /// Free text; `%` means a percentage from 0 to 100.
    pub(crate) unit: String,
    pub(crate) better: Better,
    /// In date order; the first applies from the first month.
    pub(crate) thresholds: Vec<Dated>,
    pub(crate) lifetime: Lifetime,
    /// Decimal places shown; values are stored as given.
    pub(crate) decimals: u8,
    /// Markdown.
    pub(crate) definition: String,
    /// Markdown.
    pub(crate) how_to_measure: String,
    /// The `boardpack measure` method that computes it, if any.
    pub(crate) measure: Option<String>,
    /// The lowest value that makes sense, when set or implied by the unit.
    pub(crate) min: Option<f64>,
    /// How its quarter value is made.
    pub(crate) quarter: QuarterRule,
}

/// Where a KPI's value is written, which decides the spaces inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Medium {
    /// A page, a PDF or a commentary stub: no-break spaces, so a line never
    /// breaks between a number and its unit ("2.4 days", "12,5 %").
    Page,
    /// A terminal or a text file an author reads (diagnostics, the sealed
    /// record, schemas): plain spaces, which every editor and grep show as typed.
    Text,
}

impl Medium {
    /// `shown` with the spaces this medium takes.
    fn spaced(self, shown: String) -> String {
        match self {
            Medium::Page => shown,
            Medium::Text => shown.replace(['\u{a0}', '\u{202f}'], " "),
        }
    }
}

impl Kpi {
    /// Every name the author may call the KPI in commentary: its id as words
    /// ("lead time"), its names and short names in every language.
    pub(crate) fn every_name(&self) -> impl Iterator<Item = String> + '_ {
        let written = self.names.every().chain(self.short.iter().flat_map(Localized::every));
        std::iter::once(self.id.replace('-', " ")).chain(written.map(str::to_string))
    }

    pub(crate) fn is_percentage(&self) -> bool {
        self.unit.trim() == "%"
    }

    /// The thresholds in force in `month`; `None` when the KPI is tracked only then.
    pub(crate) fn thresholds_at(&self, month: Month) -> Option<Thresholds> {
        self.thresholds.iter().rev().find(|d| d.from.is_none_or(|f| f <= month)).and_then(|d| d.thresholds)
    }

    /// Whether the KPI is part of the report in `month`.
    pub(crate) fn in_force(&self, month: Month) -> bool {
        self.lifetime.contains(month)
    }

    /// A value as the board reads it in `lang`: the KPI's decimals, with its
    /// unit ("2.4 days", "12,5 %", "£4.85"). Diagnostics and records write it
    /// in [`Lang::english`] for [`Medium::Text`].
    pub(crate) fn show(&self, lang: &Lang, v: f64, to: Medium) -> String {
        to.spaced(lang.quantity(v, self.decimals, &self.unit))
    }

    /// A signed change as the board reads it in `lang`: "+1.5 days", "−0.6 pts"
    /// for a percentage (points, never a relative change), "±0" when it rounds to zero.
    pub(crate) fn show_change(&self, lang: &Lang, d: f64, to: Medium) -> String {
        to.spaced(lang.change(d, self.decimals, &self.unit))
    }
}

/// A number with fixed decimals in English (`1234.5`, no grouping), rounded
/// by the one rule ([`round`], never `-0`): for files an author edits, such
/// as `kpis.toml` comments and schemas.
pub(crate) fn format_number(v: f64, decimals: u8) -> String {
    format!("{:.*}", usize::from(decimals), round(v, decimals))
}

/// Accountabilities and KPIs in the order the author wrote them (the report's order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Catalogue {
    pub(crate) accountabilities: Vec<Accountability>,
    pub(crate) kpis: Vec<Kpi>,
}

impl Catalogue {
    /// The catalogue as a report in `language` (a subtag such as `fr`) reads
    /// it: every name and question in that language where the catalogue gives
    /// one.
    pub(crate) fn in_language(mut self, language: &str) -> Catalogue {
        for a in &mut self.accountabilities {
            a.name = a.names.in_language(language).to_string();
            a.question = a.questions.in_language(language).to_string();
        }
        for k in &mut self.kpis {
            k.name = k.names.in_language(language).to_string();
        }
        self
    }

    pub(crate) fn kpi(&self, id: &str) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.id == id)
    }

    pub(crate) fn accountability(&self, id: &str) -> Option<&Accountability> {
        self.accountabilities.iter().find(|a| a.id == id)
    }

    /// The accountabilities a month reports: within their lifetime, and with
    /// at least one KPI part of that month.
    pub(crate) fn accountabilities_in(&self, month: Month) -> impl Iterator<Item = &Accountability> + '_ {
        self.accountabilities
            .iter()
            .filter(move |a| a.lifetime.contains(month) && self.kpis_of(&a.id).any(|k| k.in_force(month)))
    }

    /// KPIs of one accountability, in catalogue order.
    pub(crate) fn kpis_of<'a>(&'a self, accountability: &'a str) -> impl Iterator<Item = &'a Kpi> + 'a {
        self.kpis.iter().filter(move |k| k.accountability == accountability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::i18n::Translations;
    use crate::base::locale::Locale;

    #[test]
    fn a_value_is_written_with_its_unit_and_the_spaces_of_its_medium() {
        let c = Catalogue::builtin();
        let en = Lang::english();
        let lead = c.kpi("lead-time").unwrap();
        assert_eq!(lead.show(en, 3.04, Medium::Page), "3.0\u{a0}days", "no line break between a number and its unit");
        assert_eq!(lead.show(en, 3.04, Medium::Text), "3.0 days");
        assert_eq!(lead.show_change(en, -0.5, Medium::Text), "−0.5 days");
        assert_eq!(lead.show_change(en, 0.01, Medium::Text), "±0.0 days");
        assert_eq!(lead.show_change(en, 0.01, Medium::Page), "±0.0\u{a0}days");
        let cfr = c.kpi("change-failure-rate").unwrap();
        assert_eq!(cfr.show(en, 12.0, Medium::Text), "12.0%");
        assert_eq!(cfr.show_change(en, -0.6, Medium::Text), "−0.6 pts", "a change of a percentage is in points");
        let german = Lang::new(Locale::new("de-DE").unwrap(), Translations::english());
        assert_eq!(lead.show(&german, 2.45, Medium::Page), "2,5\u{a0}days");
        assert_eq!(cfr.show(&german, 12.5, Medium::Page), "12,5\u{a0}%");
        assert_eq!(cfr.show(&german, 12.5, Medium::Text), "12,5 %");
        let french = Lang::new(Locale::new("fr-FR").unwrap(), Translations::english());
        assert_eq!(lead.show(&french, 1234.5, Medium::Text), "1 234,5 days", "the narrow no-break space too");
    }

    #[test]
    fn numbers_for_files_are_plain_and_never_negative_zero() {
        assert_eq!(format_number(-0.0001, 2), "0.00");
        assert_eq!(format_number(1234.5, 1), "1234.5");
        assert_eq!(format_number(1.005, 2), "1.01", "the one rounding rule");
        assert_eq!(format_number(-74.5, 0), "-75");
    }
}
