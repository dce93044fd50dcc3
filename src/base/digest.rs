//! Digests written as lower-case hex. SHA-256 is the one seals, manifests,
//! keys and the incremental record compare: it is what a board secretary can
//! check with `sha256sum`. BLAKE3 is only the project cache's check of the
//! files it keeps, which nobody outside boardpack reads: a warm build at 100
//! companies × 36 months reads 2.1 GB of them (1.4 GB of it documents, which
//! BLAKE3 hashes in 0.18 s of CPU where SHA-256 takes 0.71 s on these
//! machines, BENCHMARKS.md).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// Bytes (a digest) as lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The SHA-256 of some bytes, as lower-case hex.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The BLAKE3 of some bytes, as lower-case hex (64 digits, like SHA-256's).
pub(crate) fn blake3(bytes: &[u8]) -> String {
    hex(blake3::hash(bytes).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_of_nothing_is_the_well_known_one() {
        assert_eq!(sha256(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(blake3(b""), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    }
}
