//! The pack's zip: sorted entries, fixed times from the month, a manifest of
//! SHA-256 hashes, written atomically. Same input, same bytes.
//!
//! Write stage: [`write_atomically`] is the only function here that touches disk.

use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::base::period::Month;
use crate::write::manifest::{Manifest, MANIFEST_NAME};
use crate::Error;

fn zip_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("writing the zip: {e}"))
}

/// Zips `entries` (sorted by name, plain relative names only) plus MANIFEST.txt,
/// every entry dated the first of `month` at midnight.
pub(crate) fn zip(entries: &[(String, Vec<u8>)], month: Month) -> Result<Vec<u8>, Error> {
    let time = DateTime::from_date_and_time(month.year(), month.number(), 1, 0, 0, 0).map_err(zip_error)?;
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let mut all: Vec<(String, Vec<u8>)> = entries.to_vec();
    all.push((MANIFEST_NAME.into(), Manifest::of(entries).to_text().into_bytes()));
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in &all {
        let plain =
            !name.is_empty() && name.split('/').all(|p| !p.is_empty() && p != "." && p != "..") && !name.contains('\\');
        if !plain {
            return Err(Error::Internal(format!("refusing zip entry name `{name}`")));
        }
        writer.start_file(name.as_str(), options).map_err(zip_error)?;
        writer.write_all(bytes).map_err(zip_error)?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so a
/// reader never sees half a file and a failure leaves any earlier one intact.
/// The file keeps the mode of the one it replaces; a new file gets `0666`
/// less the umask, as `std::fs::write` would give it. The one atomic write of
/// boardpack: packs, seals, the cache and what `measure` writes.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomically_in_parts(path, std::iter::once(bytes))
}

/// [`write_atomically`] for a file made of `parts`, written one after another
/// without first joining them (the cache's index of months is 17 MB at 300
/// companies × 36 months).
pub(crate) fn write_atomically_in_parts<'b>(path: &Path, parts: impl Iterator<Item = &'b [u8]>) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".boardpack-pack-");
    // Created as `std::fs::write` creates a file: 0666, which the kernel
    // narrows by the umask (tempfile's own default is 0600, for secrets).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    if let Ok(old) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp.path(), old.permissions()).map_err(|e| Error::io(path, e))?;
    }
    let mut writer = std::io::BufWriter::new(tmp);
    for part in parts {
        writer.write_all(part).map_err(|e| Error::io(writer.get_ref().path(), e))?;
    }
    let tmp = writer.into_inner().map_err(|e| Error::io(path, e.into_error()))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_entries_same_bytes_and_a_checked_manifest() {
        let month = Month::new(2026, 10).unwrap();
        let entries = vec![("a.txt".to_string(), b"hello".to_vec()), ("b/c.txt".to_string(), b"world".to_vec())];
        let one = zip(&entries, month).unwrap();
        assert_eq!(one, zip(&entries, month).unwrap());
        let m = Manifest::of(&entries).to_text();
        assert_eq!(
            m,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  a.txt\n\
             486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7  b/c.txt\n"
        );
        let odd = Manifest::of(&[("a\\b\nc".to_string(), b"hello".to_vec())]).to_text();
        assert_eq!(odd, "\\2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  a\\\\b\\nc\n");
    }

    #[test]
    fn zip_slip_names_are_refused() {
        let month = Month::new(2026, 10).unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", "a\\\\b"] {
            assert!(zip(&[(bad.to_string(), vec![])], month).is_err(), "{bad}");
        }
    }
}
