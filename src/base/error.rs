//! Everything that can stop a command, in one type the binary maps to an exit code.
//!
//! User mistakes in content arrive as [`Error::Content`] with every diagnostic
//! found in one run; the other variants name the path, page or setting
//! involved, so no error reaches the user without a place to look.

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the project's files, each located to a file and line.
    #[error("the report has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
    Content(Vec<Diagnostic>),
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A theme template failed while rendering a page.
    #[error("{template}: template error while rendering {page}: {message}\n  = help: fix the template, or remove it from your theme to use the built-in one")]
    Template {
        /// The file the template came from (a project's theme file, or the built-in one).
        template: String,
        /// The page being rendered.
        page: String,
        /// What went wrong, with its causes.
        message: String,
    },
    /// The output folder is one boardpack must not replace.
    #[error("refusing to write the site to {}: {reason}\n  = help: {help}", path.display())]
    UnsafeOutput {
        /// The folder asked for.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
        /// What to do instead.
        help: String,
    },
    /// A request that cannot be carried out as asked, with what to do instead.
    #[error("{what}\n  = help: {help}")]
    Refused {
        /// What was refused.
        what: String,
        /// What to do instead.
        help: String,
    },
    /// A bug in boardpack: reported, never a panic.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }

    /// The diagnostics of a content error; for any other error, one diagnostic
    /// on `file` that carries its message (so `check` can list it with the rest).
    pub(crate) fn into_diagnostics(self, file: &Path) -> Vec<Diagnostic> {
        match self {
            Error::Content(found) => found,
            e => vec![Diagnostic::error(file, e.to_string())],
        }
    }
}

/// The whole text of an error as a user should read it: every diagnostic for
/// content errors, the message otherwise.
pub fn describe(error: &Error) -> String {
    match error {
        Error::Content(diagnostics) => diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        e => format!("error: {e}"),
    }
}
