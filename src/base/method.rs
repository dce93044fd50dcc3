//! The ways `boardpack measure` knows to compute a KPI, listed once: the
//! catalogue checks `measure = "…"` against this list (load), the methods
//! are run by it (compute), and each one's evidence file has the columns
//! named here (write). A KPI names its method with `measure = "…"`, or is
//! measured by the one named like its id.

use std::fmt;

/// A measuring method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Method {
    LeadTime,
    DeliveryPredictability,
    CycleTime,
    KeyPersonConcentration,
    ChangeFailureRate,
    TimeToRestore,
    DefectEscapeRate,
    ReworkRatio,
    BusinessOutcomeShare,
    RoadmapAccuracy,
}

/// What is per method: its name, and the columns of its evidence file
/// (`content/YYYY-MM/evidence/KPI-ID.csv`), in the order of the built-in
/// catalogue.
const TABLE: [(Method, &str, &[&str]); 10] = [
    (
        Method::LeadTime,
        "lead-time",
        &["deployment", "deployed_at", "service", "commit", "committed_at", "lead_time_days", "source"],
    ),
    (
        Method::DeliveryPredictability,
        "delivery-predictability",
        &["sprint", "sprint_end", "sprint_delivered_percent", "item", "delivered", "finished_at", "source"],
    ),
    (Method::CycleTime, "cycle-time", &["item", "type", "started_at", "finished_at", "cycle_time_days", "source"]),
    (
        Method::KeyPersonConcentration,
        "key-person-concentration",
        &[
            "repository",
            "component",
            "changes",
            "authors",
            "top_author",
            "top_author_changes",
            "top_author_share_percent",
            "concentrated",
            "source",
        ],
    ),
    (
        Method::ChangeFailureRate,
        "change-failure-rate",
        &["deployment", "deployed_at", "service", "kind", "failed", "why", "source"],
    ),
    (
        Method::TimeToRestore,
        "time-to-restore",
        &["incident", "service", "severity", "detected_at", "restored_at", "hours_to_restore", "source"],
    ),
    (Method::DefectEscapeRate, "defect-escape-rate", &["item", "created_at", "found_in", "in_production", "source"]),
    (Method::ReworkRatio, "rework-ratio", &["deployment", "deployed_at", "service", "kind", "unplanned", "source"]),
    (
        Method::BusinessOutcomeShare,
        "business-outcome-share",
        &["item", "finished_at", "outcome", "effort", "with_outcome", "source"],
    ),
    (Method::RoadmapAccuracy, "roadmap-accuracy", &["item", "quarter", "due", "finished_at", "delivered", "source"]),
];

impl Method {
    /// Every method, in the order of the built-in catalogue.
    pub(crate) fn all() -> impl Iterator<Item = Method> + Clone {
        TABLE.iter().map(|(m, _, _)| *m)
    }

    /// Every method's name, for help texts and suggestions.
    pub(crate) fn names() -> impl Iterator<Item = &'static str> + Clone {
        Method::all().map(Method::name)
    }

    /// The method named `name`, as `measure = "…"` or a KPI id writes it.
    pub(crate) fn named(name: &str) -> Option<Method> {
        TABLE.iter().find(|(_, n, _)| *n == name).map(|(m, _, _)| *m)
    }

    fn row(self) -> &'static (Method, &'static str, &'static [&'static str]) {
        // Every variant has its row: the test below checks the table lists each once.
        &TABLE[TABLE.iter().position(|(m, _, _)| *m == self).unwrap_or(0)]
    }

    /// Its name: `lead-time`.
    pub(crate) fn name(self) -> &'static str {
        self.row().1
    }

    /// The columns of its evidence file, `source` last.
    pub(crate) fn columns(self) -> &'static [&'static str] {
        self.row().2
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_each_method_once_by_a_unique_name() {
        let all: Vec<Method> = Method::all().collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
        // `match` is exhaustive: a new variant must be counted here, and then listed.
        let count = |m: Method| match m {
            Method::LeadTime
            | Method::DeliveryPredictability
            | Method::CycleTime
            | Method::KeyPersonConcentration
            | Method::ChangeFailureRate
            | Method::TimeToRestore
            | Method::DefectEscapeRate
            | Method::ReworkRatio
            | Method::BusinessOutcomeShare
            | Method::RoadmapAccuracy => 1,
        };
        assert_eq!(all.iter().map(|m| count(*m)).sum::<usize>(), 10);
        for m in Method::all() {
            assert_eq!(Method::named(m.name()), Some(m));
            assert_eq!(m.columns().last(), Some(&"source"), "{m}");
        }
        assert_eq!(Method::named("velocity"), None);
    }

    #[test]
    fn every_method_is_a_kpi_of_the_built_in_catalogue_and_documented_with_its_columns() {
        let builtin = include_str!("../load/builtin-catalogue.toml");
        let format = include_str!("../../FORMAT.md");
        for m in Method::all() {
            assert!(builtin.contains(&format!("id = \"{m}\"")), "{m} is not a KPI of the built-in catalogue");
            let row = format!("| `{m}.csv` | `{}` |", m.columns().join(","));
            assert!(format.contains(&row), "FORMAT.md lacks the row {row}");
        }
    }
}
