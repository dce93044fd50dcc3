//! The archive (`archive.html`): every month of the report, newest first.

use serde::Serialize;

use super::{tally, Tally};
use crate::base::i18n::Lang;
use crate::compute::report::{Report, StatusCounts};

/// A month's line in the archive.
#[derive(Serialize)]
pub(crate) struct ArchiveRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) counts: StatusCounts,
    /// The counts in words.
    pub(crate) tally: Vec<Tally>,
    pub(crate) draft: bool,
    pub(crate) sealed: bool,
}

/// Every month's line in the archive, newest first.
pub(crate) fn archive_rows(report: &Report<'_>, lang: &Lang) -> Vec<ArchiveRow> {
    report
        .project
        .months
        .iter()
        .rev()
        .map(|m| ArchiveRow {
            id: m.month.to_string(),
            name: lang.month(m.month),
            tally: tally(lang, &report.counts(m.month)),
            counts: report.counts(m.month),
            draft: m.draft,
            sealed: m.seal.is_some(),
        })
        .collect()
}
