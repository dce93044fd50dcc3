//! A sealed month read back: its record, its pack and its commentary as sent.

use std::path::Path;

use super::{MonthContent, Reader, CONTENT_DIR, VALUES_FILE};
use crate::base::diagnostic::Diagnostic;
use crate::base::digest::Sha256;
use crate::load::record::{self, SEALED_FILE, SEALED_PACK};

impl Reader {
    /// A sealed month's record read back whole: its pack is the one sealed
    /// (every load checks it, so a warm build cannot publish a pack that
    /// changed), a sealed month is never a draft, and a pack never stands
    /// without the record that says what it is.
    pub(super) fn check_sealed(&mut self, month: &mut MonthContent) {
        let dir = Path::new(CONTENT_DIR).join(month.month.to_string());
        let restore = "restore it from git: it is what the board received";
        match (&month.seal, &month.sealed_pack) {
            (Some(seal), Some(pack)) => match record::read_sent_pack(pack, seal) {
                Ok(sent) => {
                    let changed =
                        month.files().any(|(name, md)| seal.files.get(&name) != Some(&Sha256::of(md.as_bytes())));
                    if changed {
                        month.sent_commentary = sent.commentary.clone();
                    }
                    month.sent = Some(sent);
                }
                Err(e) => self.diagnostics.push(
                    Diagnostic::error(
                        self.rel(pack),
                        format!("the sealed board pack of {}: {e}", month.month.long_name()),
                    )
                    .help(restore),
                ),
            },
            (Some(_), None) => self.diagnostics.push(
                Diagnostic::error(dir.join(SEALED_PACK), "the month is sealed but its board pack is missing")
                    .help("restore board-pack.zip from git: it is what the board received"),
            ),
            (None, Some(_)) => self.diagnostics.push(
                Diagnostic::error(
                    dir.join(SEALED_FILE),
                    format!(
                        "{} has a sealed board pack but no sealed.toml, the record of what was sent",
                        month.month.long_name()
                    ),
                )
                .help("restore sealed.toml from git; a month is sealed with `boardpack seal`, never by hand"),
            ),
            (None, None) => {}
        }
        if month.seal.is_some() && month.draft {
            self.diagnostics.push(
                Diagnostic::error(
                    dir.join(VALUES_FILE),
                    format!("{} is sealed: it was sent to the board, so it cannot be a draft", month.month.long_name()),
                )
                .help(
                    "remove `draft = true`; correct a sealed month with a restatement in a later month (see FORMAT.md)",
                ),
            );
        }
    }
}
