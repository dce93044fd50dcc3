//! The rows the measuring methods read: deployments, incidents and work
//! items, each typed and with the line it came from.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use crate::base::period::Month;

use super::time::{Instant, When};

/// Where a row came from: `data/2026-10/deployments.csv:14`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Source {
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display().to_string().replace('\\', "/"), self.line)
    }
}

/// A deployment's purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Planned,
    Fix,
    Rollback,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Planned => "planned",
            Kind::Fix => "fix",
            Kind::Rollback => "rollback",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Deployment {
    pub(crate) line: usize,
    pub(crate) id: Option<String>,
    pub(crate) at: Instant,
    pub(crate) service: String,
    /// Its environment counts as production (always, when there is no environment column).
    pub(crate) production: bool,
    /// It finished successfully (always, when there is no status column).
    pub(crate) succeeded: bool,
    /// Lower-case hex.
    pub(crate) sha: Option<String>,
    pub(crate) first_commit_at: Option<Instant>,
    pub(crate) kind: Kind,
    /// The incident it caused.
    pub(crate) incident: Option<String>,
    /// The deployment this fix or rollback remedies.
    pub(crate) fixes: Option<String>,
}

impl Deployment {
    /// Counts towards the DORA measures: a successful deployment to production.
    pub(crate) fn counts(&self) -> bool {
        self.production && self.succeeded
    }

    /// How evidence names it: its id, else its line.
    pub(crate) fn label(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("line {}", self.line))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Incident {
    pub(crate) line: usize,
    pub(crate) id: Option<String>,
    pub(crate) detected: Instant,
    pub(crate) restored: Option<Instant>,
    pub(crate) service: String,
    pub(crate) severity: String,
    /// The deployment that caused it: its id or SHA.
    pub(crate) caused_by: Option<String>,
}

impl Incident {
    pub(crate) fn label(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("line {}", self.line))
    }
}

/// A roadmap quarter, e.g. 2026-Q4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Quarter {
    pub(crate) year: u16,
    pub(crate) number: u8,
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

impl Quarter {
    /// Reads `2026-Q4`, `2026 Q4`, `Q4 2026`, `Q4-2026`, `2026Q4`.
    pub(crate) fn parse(text: &str) -> Option<Quarter> {
        let s: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '/')).collect::<String>().to_uppercase();
        let (year, q) = if let Some(rest) = s.strip_prefix('Q') {
            (rest.get(1..)?, rest.get(..1)?)
        } else {
            let i = s.find('Q')?;
            (&s[..i], &s[i + 1..])
        };
        let year: u16 = year.parse().ok().filter(|y| (1900..=9999).contains(y))?;
        let number: u8 = q.parse().ok().filter(|n| (1..=4).contains(n))?;
        (year.to_string().len() == 4).then_some(Quarter { year, number })
    }

    pub(crate) fn of(month: Month) -> Quarter {
        Quarter { year: month.year(), number: (month.number() - 1) / 3 + 1 }
    }

    /// Its last month.
    pub(crate) fn last_month(self) -> Month {
        Month::new(self.year, self.number * 3).unwrap_or_else(|| Month::new(2000, 1).expect("2000-01 is a valid month"))
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct WorkItem {
    /// Every row the item appeared on (an item reopened may appear twice).
    pub(crate) lines: Vec<usize>,
    pub(crate) id: String,
    pub(crate) bug: bool,
    pub(crate) created: Option<Instant>,
    pub(crate) started: Option<Instant>,
    pub(crate) finished: Option<Instant>,
    /// The sprint it ended in (its last): `sprint_end` and `delivered` are this sprint's.
    pub(crate) sprint: Option<String>,
    /// The sprints it was carried out of, oldest first: it was committed to
    /// the first and not delivered in any of them (Jira repeats `Sprint`;
    /// an item on several rows may name a sprint on each).
    pub(crate) carried_from: Vec<String>,
    pub(crate) sprint_end: Option<When>,
    pub(crate) delivered: Option<bool>,
    pub(crate) quarter: Option<Quarter>,
    pub(crate) due: Option<When>,
    /// The outcome it serves; `None` for none.
    pub(crate) outcome: Option<String>,
    pub(crate) effort: Option<f64>,
    /// The `found_in` cell as written.
    pub(crate) found_in: Option<String>,
    /// Whether `found_in` says production; `None` when it is empty.
    pub(crate) found_in_production: Option<bool>,
}

/// One export, read.
#[derive(Debug, Clone)]
pub(crate) struct Table<T> {
    /// Relative to the project root.
    pub(crate) file: PathBuf,
    pub(crate) rows: Vec<T>,
    /// Fields whose column is present.
    pub(crate) present: BTreeSet<&'static str>,
    /// The header each field was looked for under.
    pub(crate) headers: BTreeMap<&'static str, String>,
    /// Why the file is unusable as a whole (its required column is missing).
    pub(crate) unusable: Option<String>,
}

impl<T> Table<T> {
    pub(crate) fn has(&self, field: &str) -> bool {
        self.present.contains(field)
    }

    pub(crate) fn source(&self, line: usize) -> Source {
        Source { file: self.file.clone(), line }
    }

    /// "data/2026-10/deployments.csv has no `kind` column".
    pub(crate) fn lacks(&self, field: &str) -> String {
        let header = self.headers.get(field).map(String::as_str).unwrap_or(field);
        if header == field {
            format!("{} has no `{field}` column", self.file.display())
        } else {
            format!("{} has no `{header}` column (for `{field}`)", self.file.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_in_the_forms_people_write() {
        for q in ["2026-Q4", "2026 Q4", "Q4 2026", "q4-2026", "2026Q4"] {
            assert_eq!(Quarter::parse(q), Some(Quarter { year: 2026, number: 4 }), "{q}");
        }
        for bad in ["2026-Q5", "Q0 2026", "26-Q4", "Sprint 4", ""] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
        assert_eq!(Quarter::of(Month::new(2026, 10).unwrap()).to_string(), "2026-Q4");
        assert_eq!(Quarter::parse("2026-Q3").unwrap().last_month().to_string(), "2026-09");
    }
}
