//! Word .docx files, read as blocks and edited in place.
//!
//! A .docx is a zip archive of XML parts. The text lives in
//! `word/document.xml`, `word/header*.xml`, `word/footer*.xml`,
//! `word/footnotes.xml` and `word/endnotes.xml`; only those parts are
//! decompressed and rewritten. Every other entry (styles, images, settings)
//! is copied with `raw_copy_file`: never decompressed, byte for byte, in the
//! original order.
//!
//! Each part is read once with quick-xml's streaming reader, recording byte
//! offsets instead of building a tree. A `w:p` is a block; its text is its
//! runs' `w:t`, `w:tab` (`\t`) and `w:br`/`w:cr` (`\n`), including runs inside
//! hyperlinks, insertions, smart tags and content controls. Deleted text
//! (`w:delText`, `w:del`, `w:moveFrom`) and field instructions are not text.
//! Paragraphs nest (a text box's paragraphs sit inside a run of the outer
//! paragraph): a stack of open paragraphs keeps their texts apart, and the
//! outer paragraph's block comes first.
//!
//! Writing back a paragraph, decided once per paragraph as a [`Plan`]:
//!
//! - the translation replaces the first `w:t` of the first *text run* (a run
//!   holding only `w:rPr` and text elements), which keeps its `w:rPr`; `\t`
//!   and `\n` become `w:tab` and `w:br` (with no text run, the paragraph's
//!   first `w:t` takes it);
//! - every other text run of the paragraph is removed, and so is a wrapper
//!   (`w:hyperlink`, `w:ins`, `w:smartTag`...) left with no children; a
//!   hyperlink that holds the first text run keeps the whole translation;
//! - runs that are not text runs (drawings, fields, footnote references,
//!   symbols) stay exactly as they were, minus their own text elements;
//! - field results (a page number, a cross-reference, a table of contents)
//!   are not text: Word recomputes them, so their runs are kept as they are,
//!   after the translation ("Page {PAGE} of {NUMPAGES}" becomes the
//!   translation of "Page of" followed by both fields);
//! - paragraphs without text are left byte for byte.
//!
//! Text boxes written twice for compatibility (`mc:AlternateContent`) are
//! translated in the `mc:Choice` branch only; the `mc:Fallback` copy, which
//! current Word and LibreOffice do not display, is left as it was.
//!
//! XML with a DOCTYPE is refused (Word never writes one), so no entity is
//! ever expanded; zip entries are checked for encryption, unsafe names,
//! count, uncompressed size and compression ratio before anything is
//! decompressed, and decompression is bounded whatever the headers claim.
//!
//! The parts, by what each owns:
//!
//! - `package`: the zip archive and its safety checks, which entries are
//!   text parts, bounded decompression;
//! - `xml`: namespaces and attribute helpers shared by the readers;
//! - `styles`: which paragraph styles make headings and list items;
//! - `census`: counting what must survive a translation;
//! - `elements`: what inline elements mean (wrappers, floats, text
//!   elements, complex fields);
//! - `paragraph`: the model of a paragraph being read;
//! - `scan`: reading a part into paragraphs;
//! - `plan`: deciding how each paragraph is written back;
//! - `render`: writing a part back from its plans.

mod census;
mod elements;
mod package;
mod paragraph;
mod plan;
mod render;
mod scan;
mod styles;
#[cfg(test)]
mod tests;
mod xml;

use std::collections::HashMap;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::{inline, Block, DocumentError, Limits};

pub use census::{census, Census};
pub(crate) use package::is_text_part;
use package::{open, read_part, strip_bom, Package, STYLES_PART};
use plan::Plan;
use render::render_part;
use scan::scan_part;
use styles::{heading_and_list_styles, StyleInfo};

/// An original .docx and, for each translated part, how to write its paragraphs back.
#[derive(Debug, Clone)]
pub(crate) struct DocxSource {
    bytes: Vec<u8>,
    parts: Vec<Part>,
}

/// A translated XML part: its uncompressed bytes and one plan per block.
#[derive(Debug, Clone)]
struct Part {
    index: usize,
    /// The entry's name as its local header gives it (see [`entry_names`](package::entry_names)).
    name: String,
    /// The part began with a UTF-8 byte-order mark, which `xml` does not hold.
    bom: bool,
    xml: Vec<u8>,
    plans: Vec<Plan>,
}

/// Reads a .docx: validates the archive, parses the text parts, returns blocks and write-back plans.
///
/// # Errors
///
/// Any of the archive and XML errors of [`DocumentError`].
pub(crate) fn read(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(DocxSource, Vec<Block>), DocumentError> {
    let Package {
        mut archive,
        styles,
        text_parts,
    } = package::open_checked(bytes, limits)?;

    let styles = match styles {
        Some(index) => {
            let xml = read_part(&mut archive, index, STYLES_PART, limits)?;
            heading_and_list_styles(strip_bom(&xml).1, STYLES_PART)?
        }
        None => StyleInfo::default(),
    };

    let mut parts = Vec::new();
    let mut blocks = Vec::new();
    for (kind, index, name) in text_parts {
        let xml = read_part(&mut archive, index, &name, limits)?;
        let (bom, body) = strip_bom(&xml);
        let xml = body.to_vec();
        let (plans, part_blocks) = scan_part(&xml, &name, kind, &styles)?;
        blocks.extend(part_blocks);
        parts.push(Part {
            index,
            name,
            bom,
            xml,
            plans,
        });
    }
    Ok((
        DocxSource {
            bytes: bytes.to_vec(),
            parts,
        },
        blocks,
    ))
}

impl DocxSource {
    /// The .docx with every block's text replaced; untranslated entries are
    /// copied raw. Also returns, for each block, what came back wrong with
    /// its inline tags.
    ///
    /// # Errors
    ///
    /// [`DocumentError::Write`] if the zip cannot be rebuilt (which means a bug:
    /// the source was validated when it was read).
    pub(crate) fn render(
        &self,
        translations: &[String],
    ) -> Result<(Vec<u8>, Vec<Vec<inline::Problem>>), DocumentError> {
        let mut archive = open(&self.bytes)?;
        let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(self.bytes.len() * 2)));
        let comment = archive.comment().to_vec();
        if !comment.is_empty() {
            writer
                .set_raw_comment(comment.into_boxed_slice())
                .map_err(DocumentError::write)?;
        }
        let mut next_block = 0;
        let mut problems = Vec::with_capacity(translations.len());
        let mut rewritten: HashMap<usize, (&str, Vec<u8>)> = HashMap::new();
        for part in &self.parts {
            let count = part.plans.len();
            let (body, part_problems) = render_part(
                &part.xml,
                &part.plans,
                &translations[next_block..next_block + count],
            );
            next_block += count;
            problems.extend(part_problems);
            let mut xml = Vec::with_capacity(body.len() + 3);
            if part.bom {
                xml.extend_from_slice(b"\xEF\xBB\xBF");
            }
            xml.extend_from_slice(&body);
            rewritten.insert(part.index, (part.name.as_str(), xml));
        }
        for index in 0..archive.len() {
            let file = archive.by_index_raw(index).map_err(DocumentError::write)?;
            match rewritten.remove(&index) {
                Some((name, xml)) => {
                    let mut options = SimpleFileOptions::default()
                        .compression_method(CompressionMethod::Deflated);
                    if let Some(time) = file.last_modified() {
                        options = options.last_modified_time(time);
                    }
                    drop(file);
                    writer
                        .start_file(name, options)
                        .map_err(DocumentError::write)?;
                    writer.write_all(&xml).map_err(DocumentError::write)?;
                }
                None => writer.raw_copy_file(file).map_err(DocumentError::write)?,
            }
        }
        let cursor = writer.finish().map_err(DocumentError::write)?;
        Ok((cursor.into_inner(), problems))
    }
}
