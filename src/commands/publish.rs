//! `boardpack build --publish`: the build a deployment runs, which refuses to
//! put a report where it should not go.
//!
//! A site headed for a host is either encrypted (`[publish] encrypt = true`,
//! with its key in the environment) or declared public (`[publish] public =
//! true`); anything else stops before a file is written, with what to do.
//! GitHub Pages is public on every plan but Enterprise Cloud, so without this
//! a workflow run is one missing secret away from publishing board numbers.

use std::path::Path;

use crate::base::diagnostic::Diagnostic;
use crate::load::config::{Config, CONFIG_FILE};
use crate::load::portfolio::{PortfolioConfig, PORTFOLIO_FILE};
use crate::load::workspace::Kind;
use crate::Error;

/// The environment variables a build reads its key from: a site key
/// (`boardpack key new`) or a passphrase.
pub(crate) const KEY_VARIABLES: [&str; 2] = ["BOARDPACK_KEY", "BOARDPACK_PASSPHRASE"];

/// Refuses to publish the report or portfolio at `root` unless its site is
/// encrypted and this run has the key, or its settings declare it public.
/// Only the settings file is read, so a refused publish says so first and
/// costs nothing; settings that do not parse pass here (unless they ask for
/// encryption without a key), for the build to report where they are wrong.
pub fn refuse_unprotected(root: &Path) -> Result<(), Error> {
    let file = match Kind::of(root) {
        Kind::Report => CONFIG_FILE,
        Kind::Portfolio => PORTFOLIO_FILE,
    };
    let Ok(source) = std::fs::read_to_string(root.join(file)) else { return Ok(()) };
    let has_key = KEY_VARIABLES.iter().any(|v| std::env::var(v).is_ok_and(|k| !k.trim().is_empty()));
    // An encrypted site without its key is refused whatever else the settings
    // say; whether a plain one is public needs settings that parse.
    let public = || match Kind::of(root) {
        Kind::Report => Config::parse(&source, Path::new(file)).ok().map(|c| c.publish.public),
        Kind::Portfolio => toml::from_str::<PortfolioConfig>(&source).ok().map(|c| c.publish.public),
    };
    verdict(encrypted(&source), public, has_key)
        .map_err(|refusal| Error::Content(vec![refusal.diagnostic(file, &source)]))
}

/// Whether the settings say `encrypt = true` under `[publish]`: the setting
/// of the site's encryption, which reads it with the rest of `[publish]`.
fn encrypted(source: &str) -> bool {
    let table: Option<toml::Table> = toml::from_str(source).ok();
    table.and_then(|t| t.get("publish")?.get("encrypt")?.as_bool()).unwrap_or(false)
}

/// Why a publish is refused.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// `encrypt = true`, and neither variable of [`KEY_VARIABLES`] holds anything
    /// (a repository secret that was never set reaches the workflow as an empty one).
    NoKey,
    /// Neither encrypted nor declared public.
    Plain,
}

/// `public` is asked only of a plain site; `None` (settings that do not
/// parse) passes, for the build to report.
fn verdict(encrypt: bool, public: impl FnOnce() -> Option<bool>, has_key: bool) -> Result<(), Refusal> {
    match encrypt {
        true if has_key => Ok(()),
        true => Err(Refusal::NoKey),
        false if public().unwrap_or(true) => Ok(()),
        false => Err(Refusal::Plain),
    }
}

impl Refusal {
    fn diagnostic(&self, file: &str, source: &str) -> Diagnostic {
        let diagnostic = match self {
            Refusal::NoKey => Diagnostic::error(
                file,
                "the site is published encrypted (`encrypt = true`), but this run has no key: BOARDPACK_KEY is not set",
            )
            .help(
                "make a key and keep it as the repository's secret, in the project's folder: \
                 `gh secret set BOARDPACK_KEY --body \"$(boardpack key new)\"` (it prints the link that opens the \
                 site, to give the board), then run the workflow again. Outside GitHub, set BOARDPACK_KEY (or \
                 BOARDPACK_PASSPHRASE) in the environment of `boardpack build --publish`",
            ),
            Refusal::Plain => Diagnostic::error(
                file,
                "the site is neither encrypted nor declared public: `build --publish` does not publish board numbers \
                 where anyone may read them",
            )
            .help(
                "encrypt it: `encrypt = true` under [publish], with the key in BOARDPACK_KEY (in GitHub Actions, \
                 the repository's secret: `gh secret set BOARDPACK_KEY --body \"$(boardpack key new)\"`). Or, if \
                 whoever reaches the host may read this report, say so: `public = true` under [publish]",
            ),
        };
        match source.lines().position(|l| l.trim() == "[publish]") {
            Some(i) => diagnostic.at_line(source, i + 1),
            None => diagnostic,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_site_is_published_only_when_declared_public() {
        assert_eq!(verdict(false, || Some(false), true), Err(Refusal::Plain), "a key alone does not encrypt");
        assert_eq!(verdict(false, || Some(true), false), Ok(()));
        assert_eq!(verdict(false, || None, false), Ok(()), "settings that do not parse are the build's to report");
    }

    #[test]
    fn an_encrypted_site_needs_its_key() {
        assert_eq!(verdict(true, || Some(false), false), Err(Refusal::NoKey));
        assert_eq!(verdict(true, || None, false), Err(Refusal::NoKey), "whatever else the settings say");
        assert_eq!(verdict(true, || Some(false), true), Ok(()));
        assert_eq!(
            verdict(true, || Some(true), false),
            Err(Refusal::NoKey),
            "encrypted means encrypted, public or not"
        );
    }

    #[test]
    fn encrypt_is_read_from_the_publish_table_only() {
        assert!(encrypted("title = \"T\"\n[publish]\nencrypt = true\n"));
        assert!(!encrypted("encrypt = true\n[publish]\npublic = true\n"));
        assert!(!encrypted("[publish]\nencrypt = \"yes\"\n"));
        assert!(!encrypted("[publish\n"));
    }

    #[test]
    fn the_refusal_points_at_the_publish_table() {
        let source = "title = \"T\"\norganisation = \"O\"\n\n[publish]\nencrypt = true\n";
        let d = Refusal::NoKey.diagnostic(CONFIG_FILE, source);
        assert_eq!(d.location.map(|l| l.line), Some(4));
        assert!(d.help.unwrap().contains("gh secret set BOARDPACK_KEY"));
        assert_eq!(Refusal::Plain.diagnostic(CONFIG_FILE, "title = \"T\"\n").location, None);
    }
}
