//! The one error type of this crate.
//!
//! Every variant names what is wrong with the file and what the user can do
//! about it, and has a stable [`DocumentError::code`] that the shells use to
//! pick a translated message.

use std::path::PathBuf;

use wenshu_error::{Fix, Setting};

use crate::Format;

/// Why a document could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}; {}", path.display(), io_fix(source))]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// The file extension is not one Wenshu reads.
    #[error("{} is not a .docx, .md, .txt or .pdf file; convert it to one of those first", path.display())]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
    },

    /// The file is larger than the limit for its format.
    #[error("the file is {size} bytes, over the limit of {limit} bytes; split it into smaller documents")]
    TooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },

    /// The file has no text at all.
    #[error("the document is empty; there is nothing to translate")]
    Empty,

    /// A .txt (or .md) file holds binary data.
    #[error("the file looks like binary data, not text; check that it really is a text file")]
    Binary,

    /// A .docx file is not a zip archive.
    #[error("the file is not a Word .docx document (it is not a zip archive); if it is an old .doc or .rtf file, open it in Word and save it as .docx")]
    NotZip,

    /// A .docx file was cut short: its zip central directory is missing.
    #[error("the .docx file is truncated or damaged (its zip directory is missing); copy it again from the original source")]
    Truncated,

    /// The zip archive is damaged in some other way.
    #[error("the .docx file is damaged ({message}); open it in Word, let Word repair it, and save a new copy")]
    CorruptZip {
        /// What the zip reader reported.
        message: String,
    },

    /// A .docx file is encrypted with a password.
    #[error("the document is password-protected; open it in Word and save an unprotected copy")]
    PasswordProtected,

    /// A part of the archive would unpack to more than the limit.
    #[error("the part {entry} unpacks to more than {limit} bytes, which is not a normal Word document; check where the file came from")]
    PartTooLarge {
        /// Name of the zip entry.
        entry: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// A part of the archive is compressed far more than real documents are (a zip bomb).
    #[error("the part {entry} is compressed {ratio}:1 (limit {limit}:1), which looks like a zip bomb; check where the file came from")]
    SuspiciousCompression {
        /// Name of the zip entry.
        entry: String,
        /// Uncompressed size divided by compressed size.
        ratio: u64,
        /// The largest ratio allowed.
        limit: u64,
    },

    /// The archive has more entries than any real document.
    #[error("the archive has {count} entries, over the limit of {limit}; this is not a normal Word document")]
    TooManyEntries {
        /// Number of entries in the archive.
        count: usize,
        /// The limit.
        limit: usize,
    },

    /// A zip entry name points outside the archive (`../`, an absolute path).
    #[error("the archive contains an unsafe entry name {name:?}; the file may be malicious, do not open it")]
    UnsafeEntryName {
        /// The entry name as stored.
        name: String,
    },

    /// A required part of the .docx file is missing.
    #[error("the .docx file has no {name}; it is not a Word document or it is damaged: open it in Word and save it again")]
    MissingPart {
        /// Name of the missing part.
        name: String,
    },

    /// An XML part declares a DOCTYPE or entities, which Word never writes.
    #[error("the part {entry} declares a DOCTYPE or entities, which Word never writes; the file may be malicious, do not open it")]
    XmlDoctype {
        /// Name of the zip entry.
        entry: String,
    },

    /// An XML part is not well-formed.
    #[error("the part {entry} is not well-formed XML at byte {position} ({message}); open the file in Word and save it again")]
    Xml {
        /// Name of the zip entry.
        entry: String,
        /// Byte offset of the problem in the uncompressed part.
        position: u64,
        /// What the XML reader reported.
        message: String,
    },

    /// The PDF could not be parsed.
    #[error("the PDF cannot be read ({message}); open it in a PDF viewer and print or save it to a new PDF")]
    Pdf {
        /// What went wrong.
        message: String,
    },

    /// The PDF is encrypted and cannot be opened without a password.
    #[error("the PDF is password-protected; save an unprotected copy from a PDF viewer")]
    PdfEncrypted,

    /// The PDF has pages but no text.
    #[error("the PDF has no text layer; it may be a scan: run OCR first")]
    PdfNoText,

    /// `render` was given a different number of translations than there are blocks.
    #[error("expected {expected} translated blocks but got {actual}; this is a bug in the caller")]
    TranslationCount {
        /// Number of blocks in the document.
        expected: usize,
        /// Number of translations given.
        actual: usize,
    },

    /// The requested output format cannot be written.
    #[error("cannot write .{} documents; choose .docx, .md or .txt as the output format", format.extension())]
    CannotWrite {
        /// The format asked for.
        format: Format,
    },

    /// Building the output document failed.
    #[error("cannot build the output document ({message}); this is a bug, please report it")]
    Write {
        /// What went wrong.
        message: String,
    },
}

/// What the user can do about an I/O error.
fn io_fix(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "check the file's permissions (you need read access) or copy it somewhere readable"
        }
        std::io::ErrorKind::NotFound => "check the path",
        _ => "check that the file exists and is not open in another program",
    }
}

wenshu_error::coded! {
    DocumentError {
        Self::Io { .. } => "io", usage;
        Self::UnsupportedFormat { .. } => "unsupported_format", usage;
        Self::TooLarge { .. } => "too_large", usage;
        Self::Empty => "empty", usage;
        Self::Binary => "binary", usage;
        Self::NotZip => "not_zip", usage;
        Self::Truncated => "truncated", usage;
        Self::CorruptZip { .. } => "corrupt_zip", usage;
        Self::PasswordProtected => "password_protected", usage;
        Self::PartTooLarge { .. } => "part_too_large", usage;
        Self::SuspiciousCompression { .. } => "zip_bomb", usage;
        Self::TooManyEntries { .. } => "too_many_entries", usage;
        Self::UnsafeEntryName { .. } => "unsafe_entry_name", usage;
        Self::MissingPart { .. } => "missing_part", usage;
        Self::XmlDoctype { .. } => "xml_doctype", usage;
        Self::Xml { .. } => "malformed_xml", usage;
        Self::Pdf { .. } => "pdf_unreadable", usage;
        Self::PdfEncrypted => "pdf_encrypted", usage;
        Self::PdfNoText => "pdf_no_text", usage;
        Self::TranslationCount { .. } => "translation_count", runtime;
        Self::CannotWrite { .. } => "cannot_write", usage, fix = Fix::choose(Setting::Output);
        Self::Write { .. } => "write_failed", runtime;
    }
}

impl DocumentError {
    pub(crate) fn write(error: impl std::fmt::Display) -> Self {
        Self::Write {
            message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_one_line_and_codes_are_snake_case() {
        let errors = [
            DocumentError::Empty,
            DocumentError::Binary,
            DocumentError::NotZip,
            DocumentError::Truncated,
            DocumentError::PasswordProtected,
            DocumentError::PdfNoText,
            DocumentError::TooLarge { size: 2, limit: 1 },
            DocumentError::UnsafeEntryName {
                name: "../x".into(),
            },
        ];
        for error in errors {
            let message = error.to_string();
            assert!(!message.contains('\n'), "{message}");
            assert!(error
                .code()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }
}
