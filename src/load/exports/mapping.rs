//! Where each field is in a tool's export: the ready-made mappings, and the
//! checks of a project's own mapping settings before any file is read.

use crate::base::diagnostic::{did_you_mean, Diagnostic};

use super::time::Zone;
use super::{Input, Reading};

/// A ready-made mapping from boardpack's fields to the column headers of one
/// tool's export.
#[derive(Debug)]
pub(crate) struct Mapping {
    pub(crate) name: &'static str,
    pub(crate) input: Input,
    /// (field, column header); headers match case-insensitively.
    pub(crate) columns: &'static [(&'static str, &'static str)],
    /// The zone of date-times written without an offset, when the tool says.
    pub(crate) timezone: Option<&'static str>,
}

/// Every ready-made mapping. A field a mapping leaves out is still found under
/// its own name (`kind`, `incident`, …), so an export can add the columns its
/// tool lacks.
pub(crate) const MAPPINGS: &[Mapping] = &[
    Mapping {
        name: "github",
        input: Input::Deployments,
        columns: &[("id", "id"), ("deployed_at", "created_at"), ("sha", "sha"), ("environment", "environment")],
        timezone: None,
    },
    Mapping {
        name: "gitlab",
        input: Input::Deployments,
        columns: &[
            ("id", "id"),
            ("deployed_at", "created_at"),
            ("sha", "sha"),
            ("environment", "environment.name"),
            ("status", "status"),
        ],
        timezone: None,
    },
    Mapping {
        name: "pagerduty",
        input: Input::Incidents,
        columns: &[
            ("id", "incident_number"),
            ("detected_at", "created_at"),
            ("restored_at", "resolved_at"),
            ("service", "service_name"),
            ("severity", "priority_name"),
        ],
        timezone: None,
    },
    Mapping {
        name: "opsgenie",
        input: Input::Incidents,
        columns: &[
            ("id", "tinyId"),
            ("detected_at", "createdAt"),
            ("restored_at", "impactEndDate"),
            ("service", "impactedServices"),
            ("severity", "priority"),
        ],
        timezone: None,
    },
    Mapping {
        name: "jira",
        input: Input::WorkItems,
        columns: &[
            ("id", "Issue key"),
            ("type", "Issue Type"),
            ("created_at", "Created"),
            ("finished_at", "Resolved"),
            ("sprint", "Sprint"),
            ("due", "Due Date"),
            ("outcome", "Parent summary"),
            ("effort", "Custom field (Story Points)"),
            ("found_in", "Environment"),
        ],
        timezone: None,
    },
    Mapping {
        name: "linear",
        input: Input::WorkItems,
        columns: &[
            ("id", "ID"),
            ("type", "Labels"),
            ("created_at", "Created"),
            ("started_at", "Started"),
            ("finished_at", "Completed"),
            ("sprint", "Cycle Number"),
            ("sprint_end", "Cycle End"),
            ("due", "Due Date"),
            ("outcome", "Project"),
            ("effort", "Estimate"),
            ("found_in", "Labels"),
        ],
        timezone: None,
    },
    Mapping {
        name: "github",
        input: Input::WorkItems,
        columns: &[
            ("id", "number"),
            ("type", "labels"),
            ("created_at", "created_at"),
            ("started_at", "created_at"),
            ("finished_at", "merged_at"),
            ("found_in", "labels"),
        ],
        timezone: None,
    },
    Mapping {
        name: "gitlab",
        input: Input::WorkItems,
        columns: &[
            ("id", "Issue ID"),
            ("type", "Labels"),
            ("created_at", "Created At (UTC)"),
            ("finished_at", "Closed At (UTC)"),
            ("due", "Due Date"),
            ("outcome", "Epic Title"),
            ("effort", "Weight"),
            ("found_in", "Labels"),
        ],
        timezone: Some("UTC"),
    },
];

/// The mappings for one input, by name.
pub(crate) fn mapping(input: Input, name: &str) -> Option<&'static Mapping> {
    MAPPINGS.iter().find(|m| m.input == input && m.name == name)
}

/// The file's zone: its own setting, its mapping's, or the report's.
pub(super) fn file_zone(reading: &Reading<'_>, mapping: Option<&Mapping>, problems: &mut Vec<Diagnostic>) -> Zone {
    if let Some(tz) = &reading.config.timezone {
        match Zone::parse(tz.get_ref()) {
            Ok(z) => return z,
            Err(e) => problems.push(
                Diagnostic::error(crate::load::config::CONFIG_FILE, e)
                    .at(reading.config_source, tz.span())
                    .help("use an IANA name such as Europe/London, UTC, or an offset such as +01:00"),
            ),
        }
    }
    match mapping.and_then(|m| m.timezone) {
        Some(name) => Zone::parse(name).unwrap_or_else(|_| Zone::utc()),
        None => reading.zone.clone(),
    }
}

/// Checks the mapping name and column overrides of one input against what
/// boardpack knows, before any file is read.
pub(crate) fn check_settings(reading: &Reading<'_>, problems: &mut Vec<Diagnostic>) -> Option<&'static Mapping> {
    let src = reading.config_source;
    let mut found = None;
    if let Some(name) = &reading.config.mapping {
        match mapping(reading.input, name.get_ref()) {
            Some(m) => found = Some(m),
            None if name.get_ref() == "boardpack" => {}
            None => {
                let names: Vec<&str> = MAPPINGS.iter().filter(|m| m.input == reading.input).map(|m| m.name).collect();
                problems.push(
                    Diagnostic::error(
                        crate::load::config::CONFIG_FILE,
                        format!(
                            "there is no mapping `{}` for {}",
                            name.get_ref(),
                            reading.input.key().replace('_', " ")
                        ),
                    )
                    .at(src, name.span())
                    .help(format!(
                        "the mappings for this file are {}, and boardpack (its own field names)",
                        names.join(", ")
                    )),
                );
            }
        }
    }
    let fields = reading.input.fields();
    for key in reading.config.columns.keys() {
        if !fields.contains(&key.get_ref().as_str()) {
            let d = Diagnostic::error(
                crate::load::config::CONFIG_FILE,
                format!("{} have no field `{}`", reading.input.key().replace('_', " "), key.get_ref()),
            )
            .at(src, key.span());
            problems.push(match did_you_mean(key.get_ref(), fields.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("the fields are {}", fields.join(", "))),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_mapping_names_real_fields_once() {
        for m in MAPPINGS {
            let mut seen = BTreeSet::new();
            for (field, _) in m.columns {
                assert!(m.input.fields().contains(field), "{}: {field}", m.name);
                assert!(seen.insert(field), "{}: {field} twice", m.name);
            }
        }
    }
}
