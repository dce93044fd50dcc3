//! Digests written as lower-case hex. SHA-256 is the one seals, manifests,
//! keys and the incremental record compare: it is what a board secretary can
//! check with `sha256sum`. BLAKE3 is only the project cache's check of the
//! files it keeps, which nobody outside boardpack reads: a warm build at 100
//! companies × 36 months reads 2.1 GB of them (1.4 GB of it documents, which
//! BLAKE3 hashes in 0.18 s of CPU where SHA-256 takes 0.71 s on these
//! machines, BENCHMARKS.md).
//!
//! What a digest stands for is its type ([`Sha256`], [`Blake3`],
//! [`MonthKey`], [`PdfKey`], [`Stamp`], [`Tag`]), so a month's key cannot be
//! passed where its PDF's is meant, nor a folder's stamp where a file's
//! digest is. Each is 64 lower-case hex digits, and [`parse`](Sha256::parse)
//! is the one place that text is read.

use std::fmt::Write as _;

use sha2::Digest as _;

/// Bytes (a digest) as lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The SHA-256 of some bytes, as lower-case hex: for text that only names a
/// digest (a fingerprint, a key folded into another), never compared as one.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    Sha256::of(bytes).0
}

/// Whether `text` is a 256-bit digest as boardpack writes one: 64 lower-case hex digits.
fn is_hex256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A 256-bit digest that stands for one thing, written as 64 lower-case hex digits.
macro_rules! digest {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) struct $name(String);

        /// As its text, quoted: what a `String` showed, so the keys of
        /// inputs that hold one (a seal's) are what they were before it had a type.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl $name {
            /// One as written (64 lower-case hex digits); `None` for any other text.
            pub(crate) fn parse(text: &str) -> Option<$name> {
                is_hex256(text).then(|| $name(text.to_string()))
            }

            /// One from the 32 bytes of a finished hash.
            pub(crate) fn from_bytes(bytes: [u8; 32]) -> $name {
                $name(hex(&bytes))
            }

            /// The 64 hex digits.
            #[allow(dead_code, reason = "not every kind of digest is read as text")]
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<$name, String> {
                $name::parse(text).ok_or_else(|| format!("`{text}` is not a digest: 64 lower-case hex digits"))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

digest! {
    /// The SHA-256 of some bytes: what seals and manifests record, and what
    /// `sha256sum` prints.
    Sha256
}

digest! {
    /// The BLAKE3 of a file the project cache keeps, and its name there.
    Blake3
}

digest! {
    /// The key of a month folder's inputs (`render::key`): a folder made
    /// from inputs with the same key has the same files.
    MonthKey
}

digest! {
    /// The key of a PDF's Typst inputs: the PDF typeset from inputs with the
    /// same key has the same bytes.
    PdfKey
}

digest! {
    /// A folder's files as written — their paths, sizes and times, not their
    /// bytes (`write::output::stamp`): a folder with the same stamp is
    /// untouched since.
    Stamp
}

digest! {
    /// A keyed BLAKE3 under the project's cache secret, which every entry of
    /// the cache carries (`write::cache::trust`).
    Tag
}

impl Sha256 {
    /// The SHA-256 of `bytes`.
    pub(crate) fn of(bytes: &[u8]) -> Sha256 {
        Sha256::from_bytes(sha2::Sha256::digest(bytes).into())
    }
}

impl Blake3 {
    /// The BLAKE3 of `bytes`.
    pub(crate) fn of(bytes: &[u8]) -> Blake3 {
        Blake3::from_bytes(*blake3::hash(bytes).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_of_nothing_is_the_well_known_one() {
        assert_eq!(sha256(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(Blake3::of(b"").as_str(), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    }

    #[test]
    fn a_digest_reads_back_only_as_written() {
        let d = Sha256::of(b"board");
        assert_eq!(Sha256::parse(&d.to_string()), Some(d.clone()));
        assert_eq!(
            toml::from_str::<std::collections::BTreeMap<String, Sha256>>(&format!("a = \"{d}\"")).unwrap()["a"],
            d
        );
        for bad in ["", "ab", &d.as_str().to_uppercase(), &format!("{d}0"), &format!("{}g", &d.as_str()[1..]), "../x"] {
            assert_eq!(Sha256::parse(bad), None, "{bad}");
            assert!(bad.parse::<PdfKey>().is_err());
        }
        assert_eq!(format!("{d:?}"), format!("{:?}", d.to_string()), "month keys hash a seal's Debug");
        let e = toml::from_str::<std::collections::BTreeMap<String, Sha256>>("a = \"ab\"").unwrap_err();
        assert!(e.to_string().contains("64 lower-case hex digits"), "{e}");
    }
}
