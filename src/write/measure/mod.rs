//! What `boardpack measure` writes into a month's folder: the values edited
//! into `kpis.toml` ([`values`]) and the evidence files beside it
//! ([`evidence`]).

pub(crate) mod evidence;
pub(crate) mod values;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// Writes the evidence files, then `kpis.toml` (each relative to `root`),
/// skipping a file whose bytes are already these: a run stopped half-way
/// leaves the values as they were.
pub(crate) fn write(root: &Path, evidence: &[(PathBuf, Vec<u8>)], values: Option<(&Path, &[u8])>) -> Result<(), Error> {
    for (rel, bytes) in evidence {
        let path = root.join(rel);
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            atomic(&path, bytes)?;
        }
    }
    if let Some((rel, bytes)) = values {
        atomic(&root.join(rel), bytes)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so
/// the file is either the old one or the new one, never half of either.
pub(crate) fn atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::Builder::new().prefix(".boardpack-").tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m/kpis.toml");
        atomic(&path, b"a = 1\n").unwrap();
        atomic(&path, b"a = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 2\n");
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
    }
}
