//! The size and SHA-256 of a data file, for the record a report keeps of what it read. The
//! loader digests the bytes it parses as it reads them ([`Hasher`], [`Hashing`]), so that the
//! digest is of the data judged and no file is read a second time to digest it.

use std::io::Read;
use std::path::Path;

use sha2::{Digest as _, Sha256};

/// A file's size in bytes and its SHA-256, in lowercase hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    pub bytes: u64,
    pub sha256: String,
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A SHA-256 being computed over bytes given in order, and their count.
#[derive(Clone, Default)]
pub(crate) struct Hasher {
    sha: Sha256,
    bytes: u64,
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.sha.update(bytes);
        self.bytes += bytes.len() as u64;
    }

    /// The bytes given so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn finish(self) -> Digest {
        Digest {
            bytes: self.bytes,
            sha256: hex(&self.sha.finalize()),
        }
    }
}

/// A reader that digests what is read through it.
pub(crate) struct Hashing<R> {
    pub inner: R,
    pub hasher: Hasher,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or(&[]));
        Ok(n)
    }
}

/// Reads the regular file at `path` through and digests it, in blocks.
pub fn digest_file(path: &Path) -> std::io::Result<Digest> {
    let mut file = crate::safe_fs::open_regular(path)?;
    let mut hasher = Hasher::default();
    let mut buf = vec![0u8; 1 << 18];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(buf.get(..n).unwrap_or(&[]));
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn digests_agree_with_the_published_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, b"abc").unwrap();
        let d = digest_file(&p).unwrap();
        assert_eq!(d.bytes, 3);
        assert_eq!(d.sha256, sha256_hex(b"abc"));
        let mut through = Hashing {
            inner: &b"abc"[..],
            hasher: Hasher::default(),
        };
        std::io::copy(&mut through, &mut std::io::sink()).unwrap();
        assert_eq!(through.hasher.finish(), d);
    }
}
