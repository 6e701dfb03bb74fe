//! Hashing model files with sha256 and checking them against the digest
//! the catalog (or the user) expects.

use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::validate::open_model;
use super::ModelFileError;

/// Streams a file through sha256 in 1 MiB pieces and returns the lowercase
/// hex digest; `progress` receives the bytes hashed so far after each piece.
///
/// # Errors
///
/// [`ModelFileError::Missing`], [`ModelFileError::NotAFile`],
/// [`ModelFileError::Empty`] or [`ModelFileError::Unreadable`].
pub fn sha256_file(path: &Path, progress: &mut dyn FnMut(u64)) -> Result<String, ModelFileError> {
    let (mut file, _) = open_model(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done: u64 = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(ModelFileError::Unreadable {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        hasher.update(&buf[..n]);
        done += n as u64;
        progress(done);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Hashes a file and compares it with `expected` (hex, any case); returns
/// the actual lowercase digest when they match.
///
/// # Errors
///
/// [`ModelFileError::ChecksumMismatch`] when they differ, or any error of
/// [`sha256_file`].
pub fn verify_sha256(
    path: &Path,
    expected: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<String, ModelFileError> {
    let actual = sha256_file(path, progress)?;
    let expected = expected.trim();
    if actual.eq_ignore_ascii_case(expected) {
        Ok(actual)
    } else {
        Err(ModelFileError::ChecksumMismatch {
            path: path.to_path_buf(),
            expected: expected.to_ascii_lowercase(),
            actual,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::gguf::test_support::write;

    #[test]
    fn sha256_of_a_known_small_file_streams_with_progress() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "abc.txt", b"abc");
        let mut seen = Vec::new();
        let sha = sha256_file(&path, &mut |n| seen.push(n)).unwrap();
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(seen, vec![3]);
        let upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assert_eq!(verify_sha256(&path, upper, &mut |_| {}).unwrap(), sha);
    }

    #[test]
    fn a_checksum_mismatch_reports_both_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "abc.txt", b"abc");
        let wrong = "0".repeat(64);
        match verify_sha256(&path, &wrong, &mut |_| {}) {
            Err(e @ ModelFileError::ChecksumMismatch { .. }) => {
                assert_eq!(e.code(), "model_checksum_mismatch");
                let text = e.to_string();
                assert!(text.contains(&wrong) && text.contains("ba7816bf"), "{text}");
            }
            other => panic!("expected ChecksumMismatch, got {other:?}"),
        }
    }
}
