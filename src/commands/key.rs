//! The site key of an encrypted site: `boardpack key new`, and the key a
//! build seals with, from `BOARDPACK_KEY` or `BOARDPACK_PASSPHRASE`.
//!
//! The key comes from the environment only (in CI, a repository secret), is
//! never written, and a build asked to encrypt without one stops: it never
//! publishes in clear instead.

use std::path::Path;

use crate::base::diagnostic::Diagnostic;
use crate::load::config::PublishConfig;
use crate::write::encrypt::cipher::{self, KeyError, SiteKey};
use crate::Error;

/// The variable holding the site key.
pub const KEY_VAR: &str = "BOARDPACK_KEY";
/// The variable holding a passphrase, instead of a key.
pub const PASSPHRASE_VAR: &str = "BOARDPACK_PASSPHRASE";

/// A variable's value, when it is set and not empty (CI sets a secret that
/// does not exist to the empty string).
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The key to seal the site with, when `[publish] encrypt` asks for one;
/// `settings` names the file that asks (`boardpack.toml`, `portfolio.toml`).
pub(crate) fn site_key(publish: &PublishConfig, settings: &str) -> Result<Option<SiteKey>, Error> {
    if !publish.encrypt {
        return Ok(None);
    }
    let refused = |what: String, help: &str| Error::Refused { what, help: help.to_string() };
    match (var(KEY_VAR), var(PASSPHRASE_VAR)) {
        (Some(_), Some(_)) => Err(refused(
            format!("both {KEY_VAR} and {PASSPHRASE_VAR} are set; nothing was built"),
            &format!("unset one of them: the site is sealed with one key, and {KEY_VAR} is the stronger"),
        )),
        (Some(key), None) => SiteKey::from_key(&key).map(Some).map_err(|_| {
            refused(
                format!("{KEY_VAR} is not a boardpack key (43 characters of letters, digits, - and _); nothing was built"),
                "make one with `boardpack key new`, and set the variable to exactly what it prints",
            )
        }),
        (None, Some(passphrase)) => {
            let Some(salt) = &publish.salt else {
                return Err(refused(
                    format!("{PASSPHRASE_VAR} is set, but {settings} has no `salt` under [publish]; nothing was built"),
                    "add the line `boardpack key new --passphrase` prints under [publish]",
                ));
            };
            SiteKey::from_passphrase(&passphrase, salt).map(Some).map_err(|e| match e {
                KeyError::ShortPassphrase => refused(
                    format!(
                        "{PASSPHRASE_VAR} is shorter than {} characters; nothing was built",
                        cipher::PASSPHRASE_CHARS
                    ),
                    &format!("a passphrase can be guessed from any page of the site: use five or more random words, or better, {KEY_VAR} from `boardpack key new`"),
                ),
                KeyError::NotAKey => refused(format!("{PASSPHRASE_VAR} cannot be used"), "set another passphrase"),
            })
        }
        (None, None) => Err(refused(
            format!("{settings} says `[publish] encrypt = true`, but no key is set, so nothing was built: boardpack never publishes an encrypted site in clear"),
            &format!("set {KEY_VAR} to a key from `boardpack key new` (in CI, a repository secret: `gh secret set {KEY_VAR}`), or {PASSPHRASE_VAR} with a salt under [publish]"),
        )),
    }
}

/// A company of a portfolio that asks for encryption the portfolio does not
/// give: its pages would be published in clear.
pub(crate) fn unencrypted_company(slug: &str, own: &PublishConfig, portfolio: &PublishConfig) -> Option<Diagnostic> {
    (own.encrypt && !portfolio.encrypt).then(|| {
        let file = Path::new(crate::load::portfolio::COMPANIES_DIR).join(slug).join(crate::load::config::CONFIG_FILE);
        Diagnostic::error(file, "this company asks for an encrypted site (`[publish] encrypt = true`), but portfolio.toml does not: its pages would be published in clear")
            .help("a portfolio's site is sealed with one key: set `[publish] encrypt = true` in portfolio.toml")
    })
}

/// A new key for an encrypted site, or a salt for a passphrase, and how to use it.
#[derive(Debug)]
pub struct NewKey {
    /// `BOARDPACK_KEY`'s value, or with `--passphrase` the `[publish]` salt.
    pub secret: String,
    /// The address to give the board, the key in its fragment (for a key).
    pub link: Option<String>,
}

/// A new random site key (or, for a passphrase, a salt), with the link to
/// give the board: the report's `base_url` from the settings at `root` when
/// they name one, else a placeholder to replace.
pub fn new_key(root: &Path, passphrase: bool) -> Result<NewKey, Error> {
    let random = if passphrase { cipher::new_salt() } else { cipher::new_key() };
    let secret = random.map_err(|e| Error::Refused {
        what: format!("the operating system gave no random bytes for a key: {e}"),
        help: "try again; a key must come from the system's random source".into(),
    })?;
    if passphrase {
        return Ok(NewKey { secret, link: None });
    }
    let base = base_url(root).unwrap_or_else(|| "https://YOUR-SITE/".to_string());
    let base = if base.ends_with('/') { base } else { format!("{base}/") };
    let link = Some(format!("{base}index.html#key={secret}"));
    Ok(NewKey { secret, link })
}

/// The `base_url` of the report or portfolio at `root`, if its settings name one.
fn base_url(root: &Path) -> Option<String> {
    let file = [crate::load::portfolio::PORTFOLIO_FILE, crate::load::config::CONFIG_FILE]
        .iter()
        .map(|f| root.join(f))
        .find(|p| p.is_file())?;
    let table: toml::Table = std::fs::read_to_string(file).ok()?.parse().ok()?;
    table.get("base_url")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_company_cannot_ask_for_more_privacy_than_its_portfolio_gives() {
        let on = PublishConfig { encrypt: true, ..PublishConfig::default() };
        let off = PublishConfig::default();
        let d = unencrypted_company("acme", &on, &off).unwrap();
        assert_eq!(d.file, Path::new("companies/acme/boardpack.toml"));
        assert!(unencrypted_company("acme", &on, &on).is_none());
        assert!(unencrypted_company("acme", &off, &off).is_none());
        assert!(matches!(site_key(&off, "boardpack.toml"), Ok(None)), "no encryption asked: no key needed");
    }

    #[test]
    fn the_link_uses_the_reports_address() {
        let dir = tempfile::tempdir().unwrap();
        let new = new_key(dir.path(), false).unwrap();
        assert_eq!(new.link.unwrap(), format!("https://YOUR-SITE/index.html#key={}", new.secret));
        std::fs::write(
            dir.path().join("boardpack.toml"),
            "title = \"T\"\nbase_url = \"https://r.example.com/board\"\n",
        )
        .unwrap();
        let new = new_key(dir.path(), false).unwrap();
        assert_eq!(new.link.unwrap(), format!("https://r.example.com/board/index.html#key={}", new.secret));
        let salt = new_key(dir.path(), true).unwrap();
        assert!(salt.link.is_none() && salt.secret.len() == 22);
    }
}
