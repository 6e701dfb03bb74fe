//! What a round trip through a translator does to a .docx, measured: the
//! checks behind the real-world corpus run and `wenshu bench docs`.
//!
//! A document is read, every block's source is put through `translate`
//! (the pseudo-translation, or the identity), the result is written back and
//! read again, and the two files are compared: the entries that were not
//! rewritten must be byte-identical (compressed data and CRC), the output
//! must have the same blocks with the translated words, and the things a
//! translation must not lose ([`Census`]) must be counted equal.

use std::io::{Cursor, Read};

use serde::Serialize;
use zip::ZipArchive;

use crate::{census, inline, Census, Document, DocumentError, Format, Limits};

/// The outcome of one document's round trip.
#[derive(Debug, Clone, Serialize)]
pub struct RoundTrip {
    pub blocks: usize,
    /// Blocks with at least one paired tag (formatting that differs inside the paragraph).
    pub mixed: usize,
    /// Of those, the ones whose every tag came back on its words.
    pub mixed_kept: usize,
    pub before: Census,
    pub after: Census,
    /// Entries that are not rewritten and differ (by name).
    pub changed_entries: Vec<String>,
    /// Blocks whose text read back from the output differs from the translation.
    pub wrong_blocks: Vec<usize>,
    pub needs_look: usize,
    /// The output, for LibreOffice.
    #[serde(skip)]
    pub output: Vec<u8>,
}

impl RoundTrip {
    /// Every check held.
    pub fn ok(&self) -> bool {
        self.changed_entries.is_empty() && self.wrong_blocks.is_empty() && self.before == self.after
    }
}

/// Runs a round trip of a .docx through `translate` (given each block's source).
///
/// # Errors
/// The input's own reading errors; a failure to read the output back is an
/// error too ([`DocumentError::Write`]), as it means the output is broken.
pub fn docx(
    bytes: &[u8],
    limits: &Limits,
    translate: impl Fn(&str) -> String,
) -> Result<RoundTrip, DocumentError> {
    let document = Document::from_bytes(bytes, Format::Docx, limits)?;
    let translations: Vec<String> = document
        .blocks()
        .iter()
        .map(|b| translate(b.source()))
        .collect();
    let rendered = document.render(&translations, Format::Docx)?;
    let again = Document::from_bytes(&rendered.bytes, Format::Docx, limits).map_err(|e| {
        DocumentError::Write {
            message: format!("the output does not read back: {e}"),
        }
    })?;
    let expected = document.plain_translations(&translations);
    let wrong_blocks = if again.blocks().len() == expected.len() {
        again
            .blocks()
            .iter()
            .zip(&expected)
            .enumerate()
            .filter(|(_, (block, text))| block.text != text.trim())
            .map(|(i, _)| i)
            .collect()
    } else {
        (0..expected.len()).collect()
    };
    let flagged: Vec<usize> = rendered.needs_look.iter().map(|(b, _)| *b).collect();
    let mixed: Vec<usize> = document
        .blocks()
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            b.markup
                .as_deref()
                .is_some_and(|m| !inline::Spec::of(m).tags.is_empty())
        })
        .map(|(i, _)| i)
        .collect();
    let mixed_kept = mixed.iter().filter(|i| !flagged.contains(i)).count();
    Ok(RoundTrip {
        blocks: document.blocks().len(),
        mixed: mixed.len(),
        mixed_kept,
        before: census(bytes, limits)?,
        after: census(&rendered.bytes, limits)?,
        changed_entries: changed_entries(bytes, &rendered.bytes)?,
        wrong_blocks,
        needs_look: flagged.len(),
        output: rendered.bytes,
    })
}

/// Entries other than the text parts whose raw bytes or CRC differ, or that are missing.
fn changed_entries(before: &[u8], after: &[u8]) -> Result<Vec<String>, DocumentError> {
    let raw = |bytes: &[u8]| -> Result<Vec<(String, u32, Vec<u8>)>, DocumentError> {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(DocumentError::write)?;
        (0..archive.len())
            .map(|index| {
                let mut file = archive.by_index_raw(index).map_err(DocumentError::write)?;
                let mut data = Vec::new();
                file.read_to_end(&mut data).map_err(DocumentError::write)?;
                Ok((file.name().to_owned(), file.crc32(), data))
            })
            .collect()
    };
    let (before, after) = (raw(before)?, raw(after)?);
    Ok(before
        .iter()
        .filter(|(name, _, _)| !crate::docx::is_text_part(name))
        .filter(|entry| !after.contains(entry))
        .map(|(name, _, _)| name.clone())
        .collect())
}
