//! The site key and the encrypted file format (FORMAT.md, "The encrypted
//! site"): every primitive is RustCrypto's (AES-256-GCM, HKDF, HMAC, PBKDF2,
//! SHA-256); the browser does the same with WebCrypto.
//!
//! A file is sealed as `header ‖ nonce ‖ ciphertext ‖ tag`. The header says
//! what the plaintext is (a file's bytes, or a page bundle), how the key is
//! made (a key, or a passphrase with its salt and iterations) and the key's
//! check value, so a reader told the wrong key hears so before anything is
//! decrypted. The header and the file's path in the site are the associated
//! data: a file served in place of another, or a header changed, does not open.
//!
//! Nonces are synthetic: an HMAC of the associated data and the plaintext,
//! under a key of their own. The same file at the same path sealed twice is
//! the same bytes (rebuilds are byte-identical, unchanged files upload as
//! unchanged), and two different files never share a nonce but by a 96-bit
//! collision.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The first bytes of every sealed file: "BPE" and the format's version.
pub(crate) const MAGIC: &[u8; 4] = b"BPE\x01";
/// PBKDF2-HMAC-SHA256 iterations for a passphrase: OWASP's 2023 figure.
pub(crate) const ITERATIONS: u32 = 600_000;
/// How long a passphrase must be, in characters.
pub(crate) const PASSPHRASE_CHARS: usize = 12;
const KEY_BYTES: usize = 32;
const CHECK_BYTES: usize = 16;
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
/// HKDF's `info` for each key made from the site key.
const FILE_KEY_INFO: &[u8] = b"boardpack file key v1";
const NONCE_KEY_INFO: &[u8] = b"boardpack nonce key v1";
const CHECK_INFO: &[u8] = b"boardpack key check v1";
const FINGERPRINT_INFO: &[u8] = b"boardpack cache fingerprint v1";

/// What a sealed file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A file's own bytes: a chart, a data file, a PDF, a zip.
    File = 0,
    /// A page: its HTML and the files it shows (stylesheets, images), which a
    /// page opened from disk could not fetch (see `bundle`).
    Bundle = 1,
}

/// Where the site key came from, as the browser must make it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// `BOARDPACK_KEY`: 32 random bytes, given as is.
    Key,
    /// `BOARDPACK_PASSPHRASE`, stretched with this salt.
    Passphrase { salt: String },
}

/// Why a key could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// The key is not 43 base64url characters (32 bytes).
    NotAKey,
    /// The passphrase is shorter than [`PASSPHRASE_CHARS`].
    ShortPassphrase,
}

/// The site key and what is made from it.
pub(crate) struct SiteKey {
    cipher: Aes256Gcm,
    nonce_key: [u8; KEY_BYTES],
    /// The header after its first five bytes (kind comes fifth): mode,
    /// iterations, salt and key check, the same for every file.
    header_tail: Vec<u8>,
    fingerprint: String,
}

/// Why a sealed file did not open.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// Not a sealed file, or one cut short.
    NotSealed,
    /// Sealed under another key (its key check differs).
    WrongKey,
    /// The right key, but the file (or its path) is not what was sealed.
    Altered,
}

impl SiteKey {
    /// A site key from `BOARDPACK_KEY`'s text: 32 bytes in unpadded base64url,
    /// as [`new_key`] writes it (padding and surrounding blanks are forgiven).
    pub(crate) fn from_key(text: &str) -> Result<SiteKey, KeyError> {
        let text = text.trim().trim_end_matches('=');
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).map_err(|_| KeyError::NotAKey)?;
        let master: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| KeyError::NotAKey)?;
        Ok(SiteKey::from_master(&master, &Source::Key))
    }

    /// A site key stretched from a passphrase (in Unicode NFC, as the browser
    /// stretches what is typed) with PBKDF2-HMAC-SHA256 and `salt`.
    pub(crate) fn from_passphrase(passphrase: &str, salt: &str) -> Result<SiteKey, KeyError> {
        use unicode_normalization::UnicodeNormalization;
        let passphrase: String = passphrase.nfc().collect();
        if passphrase.chars().count() < PASSPHRASE_CHARS {
            return Err(KeyError::ShortPassphrase);
        }
        let master: [u8; KEY_BYTES] =
            pbkdf2::pbkdf2_hmac_array::<Sha256, KEY_BYTES>(passphrase.as_bytes(), salt.as_bytes(), ITERATIONS);
        Ok(SiteKey::from_master(&master, &Source::Passphrase { salt: salt.to_string() }))
    }

    /// The keys made from the master key with HKDF-SHA256 (no salt), one
    /// `info` each: the cipher's, the nonces', the key check and the cache's
    /// fingerprint.
    pub(crate) fn from_master(master: &[u8; KEY_BYTES], source: &Source) -> SiteKey {
        let hkdf = hkdf::Hkdf::<Sha256>::new(None, master);
        let expand = |info: &[u8], out: &mut [u8]| {
            // HKDF-SHA256 gives up to 8160 bytes; these are 32 or fewer.
            let _ = hkdf.expand(info, out);
        };
        let mut file_key = [0u8; KEY_BYTES];
        let mut nonce_key = [0u8; KEY_BYTES];
        let mut check = [0u8; CHECK_BYTES];
        let mut fingerprint = [0u8; KEY_BYTES];
        expand(FILE_KEY_INFO, &mut file_key);
        expand(NONCE_KEY_INFO, &mut nonce_key);
        expand(CHECK_INFO, &mut check);
        expand(FINGERPRINT_INFO, &mut fingerprint);
        let mut header_tail = Vec::new();
        match source {
            Source::Key => header_tail.extend([0, 0, 0, 0, 0, 0]),
            Source::Passphrase { salt } => {
                header_tail.push(1);
                header_tail.extend(ITERATIONS.to_be_bytes());
                // The salt is at most 128 ASCII characters (checked when loaded): it fits.
                header_tail.push(salt.len().min(255) as u8);
                header_tail.extend(&salt.as_bytes()[..salt.len().min(255)]);
            }
        }
        header_tail.extend(check);
        // The fingerprint stands for everything a sealed file depends on
        // besides its path and plaintext: the key and the header.
        let fingerprint = crate::base::digest::sha256(&[&fingerprint[..], &header_tail].concat());
        let cipher = Aes256Gcm::new(&file_key.into());
        SiteKey { cipher, nonce_key, header_tail, fingerprint }
    }

    /// A digest that changes with the key (never the key, nor enough to find
    /// it): what the project cache keys encrypted months by, beside their inputs.
    pub(crate) fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The key check every sealed file carries, in hex.
    #[cfg(test)]
    pub(crate) fn check_hex(&self) -> String {
        crate::base::digest::hex(&self.header_tail[self.header_tail.len() - CHECK_BYTES..])
    }

    fn header(&self, kind: Kind) -> Vec<u8> {
        let mut header = Vec::with_capacity(5 + self.header_tail.len());
        header.extend(MAGIC);
        header.push(kind as u8);
        header.extend(&self.header_tail);
        header
    }

    /// `plaintext` sealed as the file at `path` (relative to the site root).
    pub(crate) fn seal(&self, kind: Kind, path: &str, plaintext: &[u8]) -> Vec<u8> {
        let header = self.header(kind);
        let aad = [&header[..], path.as_bytes()].concat();
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.nonce_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(&(aad.len() as u64).to_le_bytes());
        mac.update(&aad);
        mac.update(plaintext);
        let digest = mac.finalize().into_bytes();
        let mut out = Vec::with_capacity(header.len() + NONCE_BYTES + plaintext.len() + TAG_BYTES);
        out.extend(&header);
        out.extend(&digest[..NONCE_BYTES]);
        let start = out.len();
        out.extend(plaintext);
        let nonce = Nonce::try_from(&digest[..NONCE_BYTES]).unwrap_or_else(|_| unreachable!("12 bytes"));
        // AES-GCM refuses only plaintexts over 64 GB.
        let tag = self
            .cipher
            .encrypt_inout_detached(&nonce, &aad, (&mut out[start..]).into())
            .unwrap_or_else(|_| unreachable!("no site file is 64 GB"));
        out.extend(tag.as_slice());
        out
    }

    /// The plaintext of a file sealed at `path`, and what it holds (the
    /// browser's side, in Rust, for the tests).
    #[cfg(test)]
    pub(crate) fn open(&self, sealed: &[u8], path: &str) -> Result<(Kind, Vec<u8>), OpenError> {
        let header = header_len(sealed).ok_or(OpenError::NotSealed)?;
        if sealed.len() < header + NONCE_BYTES + TAG_BYTES {
            return Err(OpenError::NotSealed);
        }
        if sealed[header - CHECK_BYTES..header] != self.header_tail[self.header_tail.len() - CHECK_BYTES..] {
            return Err(OpenError::WrongKey);
        }
        let kind = match sealed[4] {
            0 => Kind::File,
            1 => Kind::Bundle,
            _ => return Err(OpenError::Altered),
        };
        let aad = [&sealed[..header], path.as_bytes()].concat();
        let nonce = Nonce::try_from(&sealed[header..header + NONCE_BYTES]).map_err(|_| OpenError::NotSealed)?;
        let body = &sealed[header + NONCE_BYTES..];
        let (ciphertext, tag) = body.split_at(body.len() - TAG_BYTES);
        let mut plain = ciphertext.to_vec();
        let tag = aes_gcm::Tag::try_from(tag).map_err(|_| OpenError::NotSealed)?;
        self.cipher
            .decrypt_inout_detached(&nonce, &aad, plain.as_mut_slice().into(), &tag)
            .map_err(|_| OpenError::Altered)?;
        Ok((kind, plain))
    }
}

/// The length of a sealed file's header (up to its nonce), if it starts as one.
#[cfg(test)]
fn header_len(sealed: &[u8]) -> Option<usize> {
    if sealed.get(..4)? != MAGIC {
        return None;
    }
    let salt = *sealed.get(10)? as usize;
    let len = 11 + salt + CHECK_BYTES;
    (sealed.len() >= len).then_some(len)
}

/// 32 random bytes from the operating system, as `BOARDPACK_KEY` takes them.
pub(crate) fn new_key() -> Result<String, getrandom::Error> {
    let mut key = [0u8; KEY_BYTES];
    getrandom::fill(&mut key)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key))
}

/// A new salt for a passphrase: 16 random bytes, as 22 base64url characters.
pub(crate) fn new_salt() -> Result<String, getrandom::Error> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(salt))
}

/// Bytes as standard base64, for a sealed page's payload.
pub(crate) fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SiteKey {
        SiteKey::from_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").unwrap()
    }

    #[test]
    fn a_sealed_file_opens_with_its_key_at_its_path_and_nowhere_else() {
        let key = key();
        let sealed = key.seal(Kind::File, "2026-10/data.csv", b"kpi,value\nlead-time,3.1\n");
        assert_eq!(&sealed[..4], MAGIC);
        assert!(!sealed.windows(9).any(|w| w == b"lead-time"), "no plaintext in the sealed bytes");
        assert_eq!(
            key.open(&sealed, "2026-10/data.csv").unwrap(),
            (Kind::File, b"kpi,value\nlead-time,3.1\n".to_vec())
        );
        assert_eq!(key.open(&sealed, "2026-09/data.csv"), Err(OpenError::Altered), "the path is bound");
        let other = SiteKey::from_key("HxwdHh8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo").unwrap();
        assert_eq!(other.open(&sealed, "2026-10/data.csv"), Err(OpenError::WrongKey));
        for at in [5, sealed.len() - 20, sealed.len() - 1] {
            let mut altered = sealed.clone();
            altered[at] ^= 1;
            assert_eq!(key.open(&altered, "2026-10/data.csv"), Err(OpenError::Altered), "byte {at}");
        }
        assert_eq!(key.open(b"%PDF-1.7", "x.pdf"), Err(OpenError::NotSealed));
    }

    #[test]
    fn sealing_is_deterministic_and_nonces_follow_path_and_content() {
        let key = key();
        let a = key.seal(Kind::File, "a.csv", b"same");
        assert_eq!(a, key.seal(Kind::File, "a.csv", b"same"), "same input, same bytes");
        let nonce = |s: &[u8]| s[s.len() - 4 - NONCE_BYTES - TAG_BYTES..s.len() - 4 - TAG_BYTES].to_vec();
        assert_ne!(nonce(&a), nonce(&key.seal(Kind::File, "b.csv", b"same")));
        assert_ne!(nonce(&a), nonce(&key.seal(Kind::File, "a.csv", b"sane")));
        assert_ne!(a, key.seal(Kind::Bundle, "a.csv", b"same"), "the kind is bound");
    }

    /// A short passphrase is refused, the salt and iterations are in the
    /// header, and the same passphrase and salt make the same key. (That it is
    /// the key WebCrypto makes from them is checked in Chromium,
    /// tests/browser/encrypt.mjs, which opens a site sealed here.)
    #[test]
    fn a_passphrase_key_carries_its_salt_and_iterations() {
        assert!(matches!(SiteKey::from_passphrase("too short", "saltsaltsaltsalt"), Err(KeyError::ShortPassphrase)));
        let a = SiteKey::from_passphrase("correct horse battery staple", "c2FsdCBmb3IgdGVzdHM").unwrap();
        let b = SiteKey::from_passphrase("correct horse battery staple", "c2FsdCBmb3IgdGVzdHM").unwrap();
        assert_eq!(a.check_hex(), b.check_hex());
        assert_eq!(a.fingerprint(), b.fingerprint());
        let sealed = a.seal(Kind::File, "x", b"y");
        assert_eq!(sealed[5], 1);
        assert_eq!(u32::from_be_bytes(sealed[6..10].try_into().unwrap()), ITERATIONS);
        assert_eq!(&sealed[11..11 + sealed[10] as usize], b"c2FsdCBmb3IgdGVzdHM");
        assert_eq!(b.open(&sealed, "x").unwrap().1, b"y");
        let c = SiteKey::from_passphrase("correct horse battery staple", "another salt, 16+").unwrap();
        assert_ne!(a.check_hex(), c.check_hex());
    }

    #[test]
    fn keys_are_43_characters_of_base64url_and_differ() {
        let (a, b) = (new_key().unwrap(), new_key().unwrap());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(SiteKey::from_key(&a).is_ok());
        assert!(SiteKey::from_key(&format!("  {a}=\n")).is_ok());
        assert!(matches!(SiteKey::from_key("not a key"), Err(KeyError::NotAKey)));
        assert!(matches!(SiteKey::from_key(&a[..42]), Err(KeyError::NotAKey)));
        assert_eq!(new_salt().unwrap().len(), 22);
    }

    #[test]
    fn the_fingerprint_is_not_the_key_and_changes_with_it() {
        let a = key();
        let master = [0u8; 32];
        let zero = SiteKey::from_master(&master, &Source::Key);
        assert_ne!(a.fingerprint(), zero.fingerprint());
        assert!(!a.fingerprint().contains("000102030405"), "the key itself is not in it");
    }
}
