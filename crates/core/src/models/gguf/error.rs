//! [`ModelFileError`]: every way a model file can be wrong, each with its
//! message (what to do about it), its stable code and its kind.

use std::path::{Path, PathBuf};

use wenshu_error::{Fix, Setting};

/// Every model-file problem Wenshu can report, each with the fix in its message.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    /// Nothing exists at the path.
    #[error(
        "model file not found: {}; check the path or run models/fetch-demo for the demo model",
        path.display()
    )]
    Missing { path: PathBuf },
    /// The path is a folder or a device, not a regular file.
    #[error(
        "model path is not a file: {}; give the path of the .gguf file itself",
        path.display()
    )]
    NotAFile { path: PathBuf },
    /// The file exists but cannot be opened or read (permissions, I/O error).
    #[error(
        "cannot read model file {}; check that your account may read it and that its disk is attached",
        path.display()
    )]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file has zero bytes.
    #[error(
        "model file is empty (0 bytes): {}; the copy or download failed, re-copy it or pick another model",
        path.display()
    )]
    Empty { path: PathBuf },
    /// The file does not start with `GGUF`; `found` shows its first bytes.
    #[error(
        "not a GGUF model file: {} starts with {found} instead of \"GGUF\"; pick the .gguf model file itself",
        path.display()
    )]
    WrongMagic { path: PathBuf, found: String },
    /// A GGUF version other than 2 or 3 (or a big-endian file).
    #[error("{}", unsupported_version_message(path, *version))]
    UnsupportedVersion { path: PathBuf, version: u32 },
    /// The file ends before the data it declares. `expected` is the exact
    /// size the file must have when its header is complete, or the least size
    /// the header itself needs when the file ends inside the header.
    #[error(
        "model file is truncated: expected at least {expected} bytes, found {found} ({}); re-copy it or pick another model",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    /// The header is inconsistent: impossible counts, bad strings, unknown types.
    #[error(
        "model file is damaged: {}: {reason}; re-copy it or pick another model",
        path.display()
    )]
    Corrupt { path: PathBuf, reason: String },
    /// The file's sha256 is not the one the catalog (or the user) expects.
    #[error(
        "model file does not match its checksum: {}: expected sha256 {expected}, got {actual}; \
         the file is damaged or a different release, re-copy it or pick another model",
        path.display()
    )]
    ChecksumMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
}

impl ModelFileError {
    /// The path of the file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Missing { path }
            | Self::NotAFile { path }
            | Self::Unreadable { path, .. }
            | Self::Empty { path }
            | Self::WrongMagic { path, .. }
            | Self::UnsupportedVersion { path, .. }
            | Self::Truncated { path, .. }
            | Self::Corrupt { path, .. }
            | Self::ChecksumMismatch { path, .. } => path,
        }
    }
}

fn unsupported_version_message(path: &Path, version: u32) -> String {
    // A little-endian reader sees a big-endian version 3 as 0x03000000: the
    // low half is zero for every plausible version (llama.cpp uses the same test).
    let why = if version != 0 && version & 0xFFFF == 0 {
        "it looks like a big-endian GGUF, made for another kind of computer"
    } else if version == 1 {
        "GGUF version 1 is obsolete"
    } else {
        "Wenshu reads GGUF versions 2 and 3"
    };
    format!(
        "model file {} uses GGUF version {version}, which Wenshu cannot read ({why}); \
         download a current GGUF of the model or pick another model",
        path.display()
    )
}

wenshu_error::coded! {
    ModelFileError {
        Self::Missing { .. } => "model_missing", usage, fix = Fix::choose(Setting::Model);
        Self::NotAFile { .. } => "model_not_a_file", usage, fix = Fix::choose(Setting::Model);
        Self::Unreadable { .. } => "model_unreadable", usage, fix = Fix::choose(Setting::Model);
        Self::Empty { .. } => "model_empty", usage, fix = Fix::choose(Setting::Model);
        Self::WrongMagic { .. } => "model_wrong_magic", usage, fix = Fix::choose(Setting::Model);
        Self::UnsupportedVersion { .. } => "model_unsupported_version", usage,
            fix = Fix::choose(Setting::Model);
        Self::Truncated { .. } => "model_truncated", usage, fix = Fix::choose(Setting::Model);
        Self::Corrupt { .. } => "model_corrupt", usage, fix = Fix::choose(Setting::Model);
        Self::ChecksumMismatch { .. } => "model_checksum_mismatch", usage,
            fix = Fix::choose(Setting::Model);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn error_codes_are_stable() {
        let p = || PathBuf::from("m.gguf");
        let codes: Vec<&str> = [
            ModelFileError::Missing { path: p() },
            ModelFileError::NotAFile { path: p() },
            ModelFileError::Unreadable {
                path: p(),
                source: io::Error::from(io::ErrorKind::PermissionDenied),
            },
            ModelFileError::Empty { path: p() },
            ModelFileError::WrongMagic {
                path: p(),
                found: String::new(),
            },
            ModelFileError::UnsupportedVersion {
                path: p(),
                version: 9,
            },
            ModelFileError::Truncated {
                path: p(),
                expected: 2,
                found: 1,
            },
            ModelFileError::Corrupt {
                path: p(),
                reason: String::new(),
            },
            ModelFileError::ChecksumMismatch {
                path: p(),
                expected: String::new(),
                actual: String::new(),
            },
        ]
        .iter()
        .map(ModelFileError::code)
        .collect();
        assert_eq!(
            codes,
            [
                "model_missing",
                "model_not_a_file",
                "model_unreadable",
                "model_empty",
                "model_wrong_magic",
                "model_unsupported_version",
                "model_truncated",
                "model_corrupt",
                "model_checksum_mismatch"
            ]
        );
    }
}
