//! Where `boardpack measure` prepares the files it writes before moving them
//! into place (`write::measure::set`), and what a reader of the project must
//! know of it: a plan there means a run stopped while moving them.

use std::path::Path;

use crate::base::diagnostic::Diagnostic;

/// Where `measure` prepares the files it writes, under the project root
/// (`write::measure::set`): a plan there means a run stopped while moving
/// them into place.
pub(crate) const STAGING_DIR: &str = ".boardpack/measure";
/// The plan of a set of files being moved into place, in [`STAGING_DIR`].
pub(crate) const PLAN: &str = "plan";

/// The error for a project whose last `measure` stopped half-way through
/// moving its files into place: until the next run finishes them, a month's
/// evidence and `kpis.toml` may disagree, so nothing is built from them.
pub(crate) fn interrupted(root: &Path) -> Option<Diagnostic> {
    root.join(STAGING_DIR).join(PLAN).is_file().then(|| {
        Diagnostic::error(
            STAGING_DIR,
            "`boardpack measure` was stopped while writing its files: some of a month's evidence and kpis.toml may not agree",
        )
        .help("run boardpack measure again: it finishes writing them first")
    })
}
