//! What `boardpack measure` writes into a month's folder: the values edited
//! into `kpis.toml` ([`values`]) and the evidence files beside it
//! ([`evidence`]).

pub(crate) mod evidence;
pub(crate) mod values;

use std::path::{Path, PathBuf};

use crate::write::archive::write_atomically;
use crate::Error;

/// Writes the evidence files, then `kpis.toml` (each relative to `root`),
/// skipping a file whose bytes are already these: a run stopped half-way
/// leaves the values as they were.
pub(crate) fn write(root: &Path, evidence: &[(PathBuf, Vec<u8>)], values: Option<(&Path, &[u8])>) -> Result<(), Error> {
    for (rel, bytes) in evidence {
        let path = root.join(rel);
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            write_atomically(&path, bytes)?;
        }
    }
    if let Some((rel, bytes)) = values {
        write_atomically(&root.join(rel), bytes)?;
    }
    Ok(())
}
