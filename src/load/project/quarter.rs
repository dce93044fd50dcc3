//! Quarter folders (`content/2026-Q3/`): named by the report's fiscal year,
//! read as a month folder is, and checked once their months are known.

use std::path::Path;

use super::{MonthContent, QuarterSeal, Reader, CONTENT_DIR};
use crate::base::diagnostic::Diagnostic;
use crate::base::period::{Month, Quarter};

/// Everything written for one quarter (`content/2026-Q3/`): its commentary,
/// and the quarter values typed or measured for it. It holds the files a
/// month folder holds, read the same way, so `files.month` is the quarter's
/// last month: the catalogue and thresholds in force then judge it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuarterContent {
    pub(crate) quarter: Quarter,
    /// Its files; once sealed, `files.quarter_seal` is what was sent,
    /// `files.sent` its pack as sent (checked against the seal) and
    /// `files.seal_sha256` the record's SHA-256.
    pub(crate) files: MonthContent,
}

impl QuarterContent {
    /// What was sent, when the quarter is sealed.
    pub(crate) fn seal(&self) -> Option<&QuarterSeal> {
        self.files.quarter_seal.as_ref()
    }
}

impl Reader {
    /// A quarter folder's name read for this report's fiscal year; `None`
    /// (with an error that gives the right name) when it is written for another.
    pub(super) fn quarter_folder(&mut self, name: &str, path: &Path, fiscal_year_start: u8) -> Option<Quarter> {
        match Quarter::parse(name, fiscal_year_start) {
            Ok(q) => Some(q),
            Err(e) => {
                self.diagnostics.push(Diagnostic::error(self.rel(path), e.0).help(
                    "rename the folder to the quarter's name; quarters group months by `[report] fiscal_year_start` in boardpack.toml",
                ));
                None
            }
        }
    }

    /// What can be said of a quarter once its files are read: whether its
    /// months are there, and whether it is reported before it is over.
    pub(super) fn finish_quarter(&mut self, q: &mut QuarterContent, months: &[MonthContent], now: Month) {
        let file = Path::new(CONTENT_DIR).join(q.quarter.to_string());
        let has = |m: Month| months.iter().any(|c| c.month == m && !c.draft);
        if !q.quarter.months().into_iter().any(has) && !q.files.draft {
            self.diagnostics.push(
                Diagnostic::warning(
                    &file,
                    format!("{} has a folder but none of its months is reported yet", q.quarter),
                )
                .help(
                    "report its months first (content/YYYY-MM/), or mark the quarter `draft = true` in its kpis.toml",
                ),
            );
        }
        if q.quarter.last() > now && !q.files.draft {
            self.diagnostics.push(
                Diagnostic::warning(
                    &file,
                    format!("{} is not over yet ({} is the current month)", q.quarter, now.long_name()),
                )
                .help("a quarter is reported once its last month is over; mark it `draft = true` in its kpis.toml until then"),
            );
        }
        self.diagnostics.extend(super::quarter_record::read_seal(&self.root, &self.canonical_root, q));
    }
}

/// Whether a folder of `content/` is named as a quarter (`2026-Q3`,
/// `FY2027-Q1`), rightly or not, rather than as a month.
pub(crate) fn is_quarter_name(name: &str) -> bool {
    name.starts_with("FY") || name.contains("-Q") || name.contains("-q")
}
