//! The catalogue as the definitions page (`catalogue.html`) and the PDF's
//! appendix show it: each KPI's definition, thresholds and their history.

use serde::Serialize;

use super::written;
use crate::base::i18n::Lang;
use crate::base::period::Month;
use crate::compute::report::Report;
use crate::load::catalogue::{Kpi, Lifetime, Medium, Thresholds};
use crate::render::markdown;

/// A KPI on the definitions page and in the PDF's appendix.
#[derive(Serialize)]
pub(crate) struct CatalogueKpi {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) better: String,
    /// The thresholds in force in the report month (`None`: tracked only).
    pub(crate) target: Option<String>,
    pub(crate) red: Option<String>,
    /// Each dated set of thresholds, oldest first, e.g. "From January 2027:
    /// target 0.5 days, red beyond 3.0 days" (empty when they never changed).
    pub(crate) history: Vec<String>,
    /// "Reported from March 2026", "Reported until June 2026", when not always.
    pub(crate) lifetime: Option<String>,
    #[serde(flatten)]
    pub(crate) texts: KpiTexts,
}

/// A KPI's definition and how it is measured, as HTML: made once for the
/// definitions page and shown again beside each of the KPI's charts.
#[derive(Serialize, Clone, Default)]
pub(crate) struct KpiTexts {
    /// HTML.
    pub(crate) definition: String,
    /// HTML, when written.
    pub(crate) how_to_measure: Option<String>,
}

/// An accountability on the definitions page.
#[derive(Serialize)]
pub(crate) struct CatalogueAccountability {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) question: String,
    pub(crate) kpis: Vec<CatalogueKpi>,
}

/// The catalogue as the definitions page and the PDF's appendix show it, as
/// of `month` (the report's latest): the KPIs part of the report then, with
/// the thresholds in force then and their history.
pub(crate) fn catalogue_view(report: &Report<'_>, lang: &Lang, month: Month) -> Vec<CatalogueAccountability> {
    let catalogue = &report.project.catalogue;
    catalogue
        .accountabilities_in(month)
        .map(|a| CatalogueAccountability {
            id: a.id.clone(),
            name: a.name.clone(),
            question: a.question.clone(),
            kpis: catalogue
                .kpis_of(&a.id)
                .filter(|k| k.in_force(month))
                .map(|k| catalogue_kpi(lang, k, month))
                .collect(),
        })
        .collect()
}

fn catalogue_kpi(lang: &Lang, k: &Kpi, month: Month) -> CatalogueKpi {
    let now = k.thresholds_at(month);
    let describe = |t: Option<Thresholds>| match t {
        Some(t) => lang.fill(
            "kpi.facts",
            &[("target", &k.show(lang, t.target, Medium::Page)), ("red", &k.show(lang, t.red, Medium::Page))],
        ),
        None => lang.get("catalogue.tracked_only").to_string(),
    };
    // Only changes in force by `month`: a report never mentions later ones.
    let dated: Vec<_> = k.thresholds.iter().filter(|d| d.from.is_none_or(|f| f <= month)).collect();
    let history = if dated.len() > 1 {
        dated
            .iter()
            .map(|d| match d.from {
                None => lang.fill("catalogue.at_first", &[("thresholds", &describe(d.thresholds))]),
                Some(from) => lang
                    .fill("catalogue.from", &[("month", &lang.month(from)), ("thresholds", &describe(d.thresholds))]),
            })
            .collect()
    } else {
        Vec::new()
    };
    CatalogueKpi {
        id: k.id.clone(),
        name: k.name.clone(),
        unit: k.unit.clone(),
        better: lang.get(k.better.key()).to_string(),
        target: now.map(|t| k.show(lang, t.target, Medium::Page)),
        red: now.map(|t| k.show(lang, t.red, Medium::Page)),
        history,
        lifetime: lifetime_text(lang, k.lifetime),
        texts: KpiTexts {
            definition: markdown::to_html(&k.definition, false),
            how_to_measure: written(markdown::to_html(&k.how_to_measure, false)),
        },
    }
}

fn lifetime_text(lang: &Lang, l: Lifetime) -> Option<String> {
    match (l.since, l.until) {
        (None, None) => None,
        (Some(s), None) => Some(lang.fill("catalogue.reported_from", &[("since", &lang.month(s))])),
        (None, Some(u)) => Some(lang.fill("catalogue.reported_until", &[("until", &lang.month(u))])),
        (Some(s), Some(u)) => {
            Some(lang.fill("catalogue.reported_between", &[("since", &lang.month(s)), ("until", &lang.month(u))]))
        }
    }
}
