//! The archive (`archive.html`): every month of the report, newest first.

use serde::Serialize;

use super::quarter::QuarterShared;
use super::{tally, Tally};
use crate::base::i18n::Lang;
use crate::compute::report::{Report, StatusCounts};

/// Every report of the site, for the archive: its quarters and its months.
pub(crate) struct Archive {
    pub(crate) months: Vec<ArchiveRow>,
    /// Only quarters with a folder of their own: a quarter the board was sent.
    pub(crate) quarters: Vec<ArchiveRow>,
}

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

/// Every quarter's line in the archive, newest first.
pub(crate) fn quarter_rows(shared: &QuarterShared<'_>) -> Vec<ArchiveRow> {
    let report = shared.report;
    report
        .project
        .quarters
        .iter()
        .rev()
        .map(|content| {
            let q = content.quarter;
            let mut counts = StatusCounts::default();
            for k in report.kpis_in_quarter(q) {
                counts.add(shared.table.reading(report, k, q).status);
            }
            ArchiveRow {
                id: q.to_string(),
                name: shared.lang.quarter(q),
                tally: tally(shared.lang, &counts),
                counts,
                draft: content.files.draft,
                sealed: content.seal().is_some(),
            }
        })
        .collect()
}
