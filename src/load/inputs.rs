//! Every folder a project reads, so that nothing boardpack writes (an output
//! folder replaced with `--force`, say) can ever replace one of them.

use std::path::{Component, Path, PathBuf};

use crate::load::config::Config;
use crate::load::fonts::FONTS_DIR;
use crate::load::workspace::SOURCE_DIRS;

/// Where boardpack keeps what it made for later builds, under the root.
pub(crate) const BOARDPACK_DIR: &str = ".boardpack";
/// Where `measure` finds its exports unless `[measure]` says otherwise.
const DEFAULT_DATA_DIR: &str = "data";

/// The folders under `root` that a report or portfolio reads: its sources,
/// its fonts, boardpack's own folder, and — with a `[measure]` table, or by
/// default `data/` — the folders holding its exports and repositories.
pub(crate) fn folders_read(root: &Path, config: Option<&Config>) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> =
        SOURCE_DIRS.iter().chain(&[FONTS_DIR, BOARDPACK_DIR]).map(|d| root.join(d)).collect();
    folders.push(root.join(DEFAULT_DATA_DIR));
    if let Some(measure) = config.and_then(|c| c.measure.as_deref()) {
        let inputs = [&measure.deployments, &measure.incidents, &measure.work_items];
        folders.extend(inputs.iter().filter_map(|i| i.path.as_deref()).filter_map(|p| fixed_folder(root, p)));
        folders.extend(measure.repositories.iter().map(|r| root.join(r.path.get_ref())));
    }
    folders
}

/// The folder an export path template names before its first placeholder
/// (`exports/{month}/deploys.csv` → `exports`), or the file's own folder;
/// `None` for a file at the root itself.
fn fixed_folder(root: &Path, template: &str) -> Option<PathBuf> {
    let path = Path::new(template);
    let mut fixed = PathBuf::new();
    let mut parts = path.components().peekable();
    while let Some(part) = parts.next() {
        let is_last = parts.peek().is_none();
        match part {
            Component::Normal(name) if !is_last && !name.to_string_lossy().contains('{') => fixed.push(name),
            Component::Normal(_) => break,
            other => fixed.push(other.as_os_str()),
        }
    }
    (!fixed.as_os_str().is_empty()).then(|| root.join(fixed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_template_reads_the_folder_before_its_placeholder() {
        let root = Path::new("/p");
        assert_eq!(fixed_folder(root, "data/{month}/deployments.csv"), Some(PathBuf::from("/p/data")));
        assert_eq!(fixed_folder(root, "exports/jira/issues.csv"), Some(PathBuf::from("/p/exports/jira")));
        assert_eq!(fixed_folder(root, "{month}.csv"), None);
        assert_eq!(fixed_folder(root, "deployments.csv"), None);
        assert_eq!(fixed_folder(root, "../shared/{month}/x.csv"), Some(PathBuf::from("/p/../shared")));
    }
}
