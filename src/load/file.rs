//! Reading a file that must be a file: a named pipe put where an input
//! belongs would make a plain read wait for a writer forever, and a device
//! would never end. The path is opened without waiting (`O_NONBLOCK` on
//! Unix, where opening a pipe for reading would otherwise block), then what
//! was opened is checked to be a regular file before a byte is read, so the
//! check and the read are of the same file.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::base::diagnostic::Diagnostic;

/// The bytes of the regular file at `path` (shown to the user as `rel`), or
/// a diagnostic naming it: missing, unreadable, or not a file at all.
/// (The diagnostic is boxed: it is large, and the bytes the common case.)
pub(crate) fn read_regular(path: &Path, rel: &Path) -> Result<Vec<u8>, Box<Diagnostic>> {
    let cannot = |e: std::io::Error| Box::new(Diagnostic::error(rel, format!("cannot read this file: {e}")));
    let mut file = open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(Box::new(
            Diagnostic::error(rel, format!("this is {}, not a file", kind(&meta.file_type())))
                .help("boardpack reads only regular files here: put the file itself at this path"),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(cannot)?;
    Ok(bytes)
}

/// [`read_regular`], as UTF-8 text.
pub(crate) fn read_regular_text(path: &Path, rel: &Path) -> Result<String, Box<Diagnostic>> {
    String::from_utf8(read_regular(path, rel)?).map_err(|e| {
        let bytes = e.as_bytes();
        let line = bytes[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        Box::new(
            Diagnostic::error(rel, "this file is not valid UTF-8 text")
                .at_line(&String::from_utf8_lossy(bytes), line)
                .help("save the file as UTF-8"),
        )
    })
}

#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<fs::File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC, Mode::empty())?;
    Ok(fs::File::from(fd))
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<fs::File> {
    fs::File::open(path)
}

/// What a path that is not a regular file is, in words.
fn kind(t: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "something other than a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_files_and_refuses_folders_and_devices_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.csv");
        fs::write(&file, "id\n1\n").unwrap();
        assert_eq!(read_regular_text(&file, Path::new("a.csv")).unwrap(), "id\n1\n");
        let folder = read_regular(dir.path(), Path::new("data")).unwrap_err();
        assert!(folder.to_string().contains("this is a folder, not a file"), "{folder}");
        let missing = read_regular(&dir.path().join("none"), Path::new("none")).unwrap_err();
        assert!(missing.to_string().contains("cannot read this file"), "{missing}");
        #[cfg(unix)]
        {
            // /dev/zero never ends: it must be refused before any read.
            let device = read_regular(Path::new("/dev/zero"), Path::new("data/x.csv")).unwrap_err();
            assert!(device.to_string().contains("this is a device, not a file"), "{device}");
        }
        fs::write(&file, [b'a', 0xff, b'\n']).unwrap();
        assert!(read_regular_text(&file, Path::new("a.csv")).unwrap_err().to_string().contains("not valid UTF-8"));
    }
}
