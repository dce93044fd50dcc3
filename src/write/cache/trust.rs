//! What the project cache trusts: only entries made by a build that knew this
//! project's cache secret. The cache folder is restored by CI from caches that
//! anyone able to push a branch may write, so a file named by its own digest
//! and listed in the index proves nothing by itself; every index paragraph,
//! PDF pointer and site record carries a tag (keyed BLAKE3) under the secret,
//! and one without a valid tag is never used.
//!
//! The secret is never in the cache folder. It is, in this order:
//! - `BOARDPACK_CACHE_KEY` (64 hex digits), for CI of a plain site;
//! - derived from `BOARDPACK_KEY`, the encrypted site's key, which CI already
//!   holds as a secret, so a restored cache is trusted there with no setting;
//! - `.boardpack/secret`, made on the first build (mode 0600) beside the cache.

use std::path::Path;

use crate::base::digest::Tag;

/// The environment variable that gives the cache secret directly.
pub(crate) const CACHE_KEY_VAR: &str = "BOARDPACK_CACHE_KEY";
/// The encrypted site's key, from which the cache secret is derived when set.
const SITE_KEY_VAR: &str = "BOARDPACK_KEY";
/// The secret made for a project without either variable, under its root.
pub(crate) const SECRET_FILE: &str = ".boardpack/secret";
/// BLAKE3's key-derivation context: the secret is used for nothing else.
const CONTEXT: &str = "boardpack 2026-12 project cache tags";

/// The key that tags what the cache keeps.
pub(crate) struct Trust {
    key: [u8; 32],
}

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Trust(…)")
    }
}

impl Trust {
    /// The project's cache secret (see the module docs). A secret that can be
    /// neither read nor made (a read-only project) is a random one for this
    /// build alone: nothing kept before is trusted, and the build is cold.
    pub(crate) fn load(root: &Path) -> Trust {
        let from_env = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
        if let Some(hex) = from_env(CACHE_KEY_VAR) {
            return Trust::derived(hex.trim().as_bytes());
        }
        if let Some(site_key) = from_env(SITE_KEY_VAR) {
            return Trust::derived(site_key.trim().as_bytes());
        }
        let file = root.join(SECRET_FILE);
        match read_secret(&file).or_else(|| make_secret(&file)) {
            Some(secret) => Trust::derived(&secret),
            None => {
                Trust { key: random().unwrap_or_else(|| *blake3::hash(file.as_os_str().as_encoded_bytes()).as_bytes()) }
            }
        }
    }

    pub(super) fn derived(material: &[u8]) -> Trust {
        Trust { key: blake3::derive_key(CONTEXT, material) }
    }

    /// The tag of `text` as an entry of kind `what` (`month`, `pdf`, `site`):
    /// the kind is part of what is tagged, so no entry can stand for another kind.
    pub(crate) fn tag(&self, what: &str, text: &str) -> Tag {
        Tag::from_bytes(*self.hash(what, text).as_bytes())
    }

    /// Whether `tag`, as written, is the tag of `text` as a `what` (compared
    /// in constant time).
    pub(crate) fn verify(&self, what: &str, text: &str, tag: &str) -> bool {
        Tag::parse(tag)
            .and_then(|t| blake3::Hash::from_hex(t.as_str()).ok())
            .is_some_and(|t| t == self.hash(what, text))
    }

    fn hash(&self, what: &str, text: &str) -> blake3::Hash {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(what.as_bytes());
        h.update(&[0]);
        h.update(text.as_bytes());
        h.finalize()
    }
}

/// The secret in `file`, if it is a regular file (never a link) holding 64 hex digits.
fn read_secret(file: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::symlink_metadata(file).ok()?;
    if !meta.is_file() {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let text = text.trim();
    (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| text.as_bytes().to_vec())
}

/// Makes a new secret in `file`, readable by its owner only.
fn make_secret(file: &Path) -> Option<Vec<u8>> {
    let hex = blake3::Hash::from_bytes(random()?).to_hex().to_string();
    std::fs::create_dir_all(file.parent()?).ok()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(file).ok()?;
    std::io::Write::write_all(&mut f, format!("{hex}\n").as_bytes()).ok()?;
    Some(hex.into_bytes())
}

/// 32 bytes from the operating system's random source.
fn random() -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_for_one_text_of_one_kind_under_one_secret() {
        let a = Trust::derived(b"one");
        let b = Trust::derived(b"two");
        let tag = a.tag("month", "text").to_string();
        assert!(a.verify("month", "text", &tag));
        assert!(!a.verify("month", "text", &tag.to_uppercase()), "only as written");
        assert!(!a.verify("month", "text!", &tag), "another text");
        assert!(!a.verify("pdf", "text", &tag), "another kind");
        assert!(!b.verify("month", "text", &tag), "another secret");
        assert!(!a.verify("month", "text", "not hex"));
    }

    #[test]
    fn the_secret_file_is_made_once_private_and_never_read_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(SECRET_FILE);
        let made = make_secret(&file).unwrap();
        assert_eq!(read_secret(&file), Some(made), "read back as written");
        assert!(make_secret(&file).is_none(), "never replaced");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert_eq!(read_secret(&link), None);
        }
    }
}
