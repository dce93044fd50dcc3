//! What a report must get right beyond its files parsing: problems found by
//! looking at the computed report, reported by `check` and `build` alike.
//!
//! Pure: takes a loaded project, returns diagnostics located in its files.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::markdown::{too_deep, MAX_NESTING};
use crate::project::{MonthContent, Project, CONTENT_DIR, SUMMARY_STEM};

/// Every rule's findings for the project, in month order.
pub(crate) fn check(project: &Project) -> Vec<Diagnostic> {
    project.months.iter().flat_map(nesting).collect()
}

/// Commentary nested deeper than the PDF keeps: its text stays, its structure
/// below that depth does not.
fn nesting(month: &MonthContent) -> Vec<Diagnostic> {
    let dir = Path::new(CONTENT_DIR).join(month.month.to_string());
    month
        .summary
        .iter()
        .map(|md| (SUMMARY_STEM, md))
        .chain(month.commentary.iter().map(|(id, md)| (id.as_str(), md)))
        .filter_map(|(stem, md)| {
            let line = too_deep(md)?;
            Some(
                Diagnostic::warning(
                    dir.join(format!("{stem}.md")),
                    format!("this commentary nests more than {MAX_NESTING} levels deep (quotes, lists, emphasis inside one another)"),
                )
                .at_line(md, line)
                .help("the page shows it as written; the PDF keeps its text but lays it out flat from this line on. Nest less deeply to keep the structure in the PDF"),
            )
        })
        .collect()
}
