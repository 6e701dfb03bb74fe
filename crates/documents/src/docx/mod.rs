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

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read, Write};
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::{inline, Block, BlockKind, DocumentError, Limits};

const W_NS: &[u8] = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT_NS: &[u8] = b"http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";
/// Magic number of an OLE compound file, which is how Office stores encrypted documents.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const MAIN_PART: &str = "word/document.xml";
const STYLES_PART: &str = "word/styles.xml";
/// Parts smaller than this are never reported as zip bombs, whatever their ratio.
const RATIO_FLOOR: u64 = 1024 * 1024;

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
    /// The entry's name as its local header gives it (see [`entry_names`]).
    name: String,
    /// The part began with a UTF-8 byte-order mark, which `xml` does not hold.
    bom: bool,
    xml: Vec<u8>,
    plans: Vec<Plan>,
}

/// Which kind of part a paragraph comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartKind {
    Body,
    Header,
    Footer,
    Notes,
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
    if bytes.starts_with(OLE_MAGIC) {
        // Office wraps an encrypted .docx in an OLE file with an "EncryptedPackage"
        // stream; any other OLE file is an old binary .doc (or .xls...).
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.windows(marker.len()).any(|window| window == marker) {
            return Err(DocumentError::PasswordProtected);
        }
        return Err(DocumentError::NotZip);
    }
    let mut archive = open(bytes)?;
    if archive.len() > limits.max_entries {
        return Err(DocumentError::TooManyEntries {
            count: archive.len(),
            limit: limits.max_entries,
        });
    }
    let names = entry_names(bytes, &mut archive)?;
    let mut text_parts = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let file = archive.by_index_raw(index).map_err(zip_error)?;
        if !is_safe_name(name) || !is_safe_name(file.name()) || file.enclosed_name().is_none() {
            return Err(DocumentError::UnsafeEntryName { name: name.clone() });
        }
        if file.encrypted() {
            return Err(DocumentError::PasswordProtected);
        }
        if let Some((kind, order)) = text_part(name) {
            text_parts.push((order, kind, index, name.clone()));
        }
    }
    let index_of = |wanted: &str| names.iter().position(|name| name == wanted);
    if index_of(MAIN_PART).is_none() {
        return Err(DocumentError::MissingPart {
            name: MAIN_PART.to_owned(),
        });
    }
    text_parts.sort_by(|a, b| a.0.cmp(&b.0));

    let styles = match index_of(STYLES_PART) {
        Some(index) => {
            let xml = read_part(&mut archive, index, STYLES_PART, limits)?;
            heading_and_list_styles(strip_bom(&xml).1, STYLES_PART)?
        }
        None => StyleInfo::default(),
    };

    let mut parts = Vec::new();
    let mut blocks = Vec::new();
    for (_, kind, index, name) in text_parts {
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

/// A part without its UTF-8 byte-order mark, and whether it had one. The
/// reader's offsets count from after the mark, so the edits are made on the
/// rest and the mark is written back in front.
fn strip_bom(xml: &[u8]) -> (bool, &[u8]) {
    match xml.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, xml),
    }
}

/// Each entry's name as its local file header spells it.
///
/// The zip crate reports the name of an Info-ZIP Unicode Path extra field
/// when there is one; Word and LibreOffice use the header's own name. Parts
/// are found, and rewritten parts written back, under the header's name
/// (without that field, which the zip crate cannot write), so the output's
/// parts have the names the input's had for Word. Entries that are not
/// rewritten are copied raw, field and all.
fn entry_names(
    bytes: &[u8],
    archive: &mut ZipArchive<Cursor<&[u8]>>,
) -> Result<Vec<String>, DocumentError> {
    let mut names = Vec::with_capacity(archive.len());
    let mut seen = HashSet::new();
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).map_err(zip_error)?;
        // Only an entry with a Unicode Path field (0x7075) is named apart
        // from its header; any other name is the central directory's, which
        // is where the zip crate finds the entry's data.
        let unicode_path = has_extra_field(file.extra_data().unwrap_or_default(), 0x7075);
        let start = usize::try_from(file.header_start()).unwrap_or(usize::MAX);
        let local = bytes
            .get(start..)
            .filter(|h| unicode_path && h.starts_with(b"PK\x03\x04") && h.len() >= 30);
        let name = local
            .and_then(|header| {
                let length = usize::from(u16::from_le_bytes([header[26], header[27]]));
                let raw = header.get(30..30 + length)?;
                std::str::from_utf8(raw).ok().map(str::to_owned)
            })
            .unwrap_or_else(|| file.name().to_owned());
        if !seen.insert(name.clone()) {
            return Err(DocumentError::CorruptZip {
                message: format!("two entries are named {name}"),
            });
        }
        names.push(name);
    }
    Ok(names)
}

/// Whether a zip entry's extra data holds a field with this id.
fn has_extra_field(mut data: &[u8], wanted: u16) -> bool {
    while data.len() >= 4 {
        let id = u16::from_le_bytes([data[0], data[1]]);
        let length = usize::from(u16::from_le_bytes([data[2], data[3]]));
        if id == wanted {
            return true;
        }
        let Some(rest) = data.get(4 + length..) else {
            return false;
        };
        data = rest;
    }
    false
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

fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, DocumentError> {
    ZipArchive::new(Cursor::new(bytes)).map_err(|error| {
        if !bytes.starts_with(b"PK") {
            DocumentError::NotZip
        } else if matches!(error, zip::result::ZipError::InvalidArchive(_)) {
            // The archive starts like a zip but its central directory cannot be found.
            DocumentError::Truncated
        } else {
            zip_error(error)
        }
    })
}

fn zip_error(error: zip::result::ZipError) -> DocumentError {
    DocumentError::CorruptZip {
        message: error.to_string(),
    }
}

/// How many of each thing that must survive a translation a .docx's text
/// parts hold: what the round-trip checks and `wenshu bench docs` compare
/// before and after.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Census {
    pub paragraphs: usize,
    pub hyperlinks: usize,
    /// Simple fields and complex fields (counted at their `begin`).
    pub fields: usize,
    pub content_controls: usize,
    /// Line, page and column breaks.
    pub breaks: usize,
    pub tabs: usize,
    pub note_references: usize,
    pub drawings: usize,
    pub bookmarks: usize,
}

/// Counts [`Census`] items in the text parts of a .docx.
///
/// # Errors
/// The archive and XML errors of reading a .docx.
pub fn census(bytes: &[u8], limits: &Limits) -> Result<Census, DocumentError> {
    let mut archive = open(bytes)?;
    let names = entry_names(bytes, &mut archive)?;
    let mut census = Census::default();
    for (index, name) in names.iter().enumerate() {
        if text_part(name).is_none() {
            continue;
        }
        let xml = read_part(&mut archive, index, name, limits)?;
        let mut reader = NsReader::from_reader(strip_bom(&xml).1);
        loop {
            let (ns, event) = match reader.read_resolved_event() {
                Ok(resolved) => resolved,
                Err(error) => return Err(xml_error(name, reader.error_position(), error)),
            };
            match event {
                Event::Start(e) | Event::Empty(e) if is_w(&ns) => {
                    let counter = match e.local_name().as_ref() {
                        b"p" => &mut census.paragraphs,
                        b"hyperlink" => &mut census.hyperlinks,
                        b"fldSimple" => &mut census.fields,
                        b"fldChar" if val_of(&e, b"fldCharType").as_deref() == Some("begin") => {
                            &mut census.fields
                        }
                        b"sdt" => &mut census.content_controls,
                        b"br" | b"cr" => &mut census.breaks,
                        b"tab" => &mut census.tabs,
                        b"footnoteReference" | b"endnoteReference" => &mut census.note_references,
                        b"drawing" | b"pict" => &mut census.drawings,
                        b"bookmarkStart" => &mut census.bookmarks,
                        _ => continue,
                    };
                    *counter += 1;
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    Ok(census)
}

/// Whether a zip entry name stays inside the archive's root.
fn is_safe_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !(name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\0')
        || (bytes.len() >= 2 && bytes[1] == b':')
        || name.split(['/', '\\']).any(|segment| segment == ".."))
}

/// Whether `name` is a part that is rewritten (one with translatable text).
pub(crate) fn is_text_part(name: &str) -> bool {
    text_part(name).is_some()
}

/// Whether `name` is a part with translatable text, and where its blocks go in reading order.
fn text_part(name: &str) -> Option<(PartKind, (u8, u32, String))> {
    let rest = name.strip_prefix("word/")?.strip_suffix(".xml")?;
    if rest.contains('/') {
        return None;
    }
    let numbered = |stem: &str| -> Option<u32> {
        let number = rest.strip_prefix(stem)?;
        if number.is_empty() {
            Some(0)
        } else {
            number.parse().ok()
        }
    };
    let (kind, group, number) = if rest == "document" {
        (PartKind::Body, 0, 0)
    } else if let Some(n) = numbered("header") {
        (PartKind::Header, 1, n)
    } else if let Some(n) = numbered("footer") {
        (PartKind::Footer, 2, n)
    } else if rest == "footnotes" {
        (PartKind::Notes, 3, 0)
    } else if rest == "endnotes" {
        (PartKind::Notes, 4, 0)
    } else {
        return None;
    };
    Some((kind, (group, number, rest.to_owned())))
}

/// Decompresses one part, bounded by the part-size and ratio limits whatever its header claims.
fn read_part(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    name: &str,
    limits: &Limits,
) -> Result<Vec<u8>, DocumentError> {
    let file = archive.by_index(index).map_err(zip_error)?;
    let compressed = file.compressed_size().max(1);
    let too_large = || DocumentError::PartTooLarge {
        entry: name.to_owned(),
        limit: limits.max_part_bytes,
    };
    let bomb = |size: u64| DocumentError::SuspiciousCompression {
        entry: name.to_owned(),
        ratio: size / compressed,
        limit: limits.max_ratio,
    };
    let declared = file.size();
    if declared > limits.max_part_bytes {
        return Err(too_large());
    }
    if declared > RATIO_FLOOR && declared / compressed > limits.max_ratio {
        return Err(bomb(declared));
    }
    let ratio_bound = compressed.saturating_mul(limits.max_ratio).max(RATIO_FLOOR);
    let bound = limits.max_part_bytes.min(ratio_bound);
    let mut xml = Vec::with_capacity(declared.min(bound) as usize);
    file.take(bound + 1)
        .read_to_end(&mut xml)
        .map_err(|error| DocumentError::CorruptZip {
            message: format!("{name}: {error}"),
        })?;
    let size = xml.len() as u64;
    if size > limits.max_part_bytes {
        return Err(too_large());
    }
    if size > bound {
        return Err(bomb(size));
    }
    Ok(xml)
}

fn is_w(ns: &ResolveResult) -> bool {
    matches!(ns, ResolveResult::Bound(Namespace(uri)) if *uri == W_NS || *uri == W_STRICT_NS)
}

fn is_mc(ns: &ResolveResult) -> bool {
    matches!(ns, ResolveResult::Bound(Namespace(uri)) if *uri == MC_NS)
}

/// The value of the attribute whose local name is `val`.
fn val(element: &BytesStart) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.local_name().as_ref() == b"val")
        .map(|attribute| String::from_utf8_lossy(&attribute.value).into_owned())
}

/// Whether a style id or name is a title or heading ("Title", "Heading 1", "heading1").
fn is_heading_name(name: &str) -> bool {
    let compact: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    compact == "title"
        || compact
            .strip_prefix("heading")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Paragraph styles that make a heading or a list item, from `word/styles.xml`.
#[derive(Debug, Default)]
struct StyleInfo {
    headings: HashSet<String>,
    lists: HashSet<String>,
}

fn xml_error(entry: &str, position: u64, error: impl std::fmt::Display) -> DocumentError {
    DocumentError::Xml {
        entry: entry.to_owned(),
        position,
        message: error.to_string(),
    }
}

fn heading_and_list_styles(xml: &[u8], entry: &str) -> Result<StyleInfo, DocumentError> {
    let mut reader = NsReader::from_reader(xml);
    let mut info = StyleInfo::default();
    // (style id, is heading, is list) of the w:style being read.
    let mut current: Option<(String, bool, bool)> = None;
    loop {
        let event = match reader.read_resolved_event() {
            Ok((ns, event)) => (is_w(&ns), event),
            Err(error) => return Err(xml_error(entry, reader.error_position(), error)),
        };
        match event {
            (_, Event::DocType(_)) => {
                return Err(DocumentError::XmlDoctype {
                    entry: entry.to_owned(),
                })
            }
            (true, Event::Start(e)) | (true, Event::Empty(e)) => match e.local_name().as_ref() {
                b"style" => {
                    let id = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"styleId")
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                    current = id.map(|id| {
                        let heading = is_heading_name(&id);
                        (id, heading, false)
                    });
                }
                b"name" => {
                    if let (Some(style), Some(name)) = (&mut current, val(&e)) {
                        style.1 |= is_heading_name(&name);
                    }
                }
                b"outlineLvl" => {
                    if let Some(style) = &mut current {
                        style.1 |= val(&e)
                            .and_then(|v| v.parse::<u8>().ok())
                            .is_some_and(|l| l < 9);
                    }
                }
                b"numPr" => {
                    if let Some(style) = &mut current {
                        style.2 = true;
                    }
                }
                _ => {}
            },
            (true, Event::End(e)) if e.local_name().as_ref() == b"style" => {
                if let Some((id, heading, list)) = current.take() {
                    if heading {
                        info.headings.insert(id.clone());
                    }
                    if list {
                        info.lists.insert(id);
                    }
                }
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    Ok(info)
}

/// Complex fields open at this point of a part; they can span paragraphs.
#[derive(Debug, Default)]
struct Fields {
    /// Innermost last: whether the field's result (after `separate`) has been reached.
    open: Vec<bool>,
    /// How many of `open` are in their result.
    in_result: usize,
}

impl Fields {
    /// The innermost field reaches its result.
    fn separate(&mut self) {
        if let Some(in_result @ false) = self.open.last_mut() {
            *in_result = true;
            self.in_result += 1;
        }
    }

    /// The innermost field ends.
    fn end(&mut self) {
        let was_in_result = self.open.pop() == Some(true);
        self.in_result -= usize::from(was_in_result);
    }
}

/// Elements that wrap runs and are looked into: links, tracked insertions,
/// smart tags, custom XML, inline content controls, bidirectional embeddings
/// and simple fields (whose runs are the field's result, not text).
const WRAPPERS: &[&[u8]] = &[
    b"hyperlink",
    b"ins",
    b"moveTo",
    b"smartTag",
    b"customXml",
    b"sdt",
    b"sdtContent",
    b"dir",
    b"bdo",
    b"fldSimple",
];

/// Children of a paragraph that mark a point or a range and carry no content
/// of their own (or only deleted text). They move with the words next to
/// them instead of being placeholders the translator has to carry.
const FLOATS: &[&[u8]] = &[
    b"bookmarkStart",
    b"bookmarkEnd",
    b"proofErr",
    b"commentRangeStart",
    b"commentRangeEnd",
    b"permStart",
    b"permEnd",
    b"moveFromRangeStart",
    b"moveFromRangeEnd",
    b"moveToRangeStart",
    b"moveToRangeEnd",
    b"customXmlInsRangeStart",
    b"customXmlInsRangeEnd",
    b"customXmlDelRangeStart",
    b"customXmlDelRangeEnd",
    b"customXmlMoveFromRangeStart",
    b"customXmlMoveFromRangeEnd",
    b"customXmlMoveToRangeStart",
    b"customXmlMoveToRangeEnd",
    b"del",
    b"moveFrom",
];

/// An element open inside a paragraph, outside any nested paragraph.
#[derive(Debug)]
enum Frame {
    /// A wrapper of runs whose content is looked into.
    Wrapper(usize),
    Run(usize),
    /// Inside a `w:t`: the element's start offset, its prefix and the text so far.
    Text {
        start: usize,
        text: String,
    },
    /// A run's properties, from this offset.
    RPr {
        run: usize,
        start: usize,
    },
    PPr,
    NumPr,
    /// A child kept whole (bookmark, deleted text, math, unknown element).
    Leaf(usize),
    /// Inside a run's `w:ruby`, its `w:rubyBase`, and a run of the base.
    Ruby(usize),
    RubyBase(usize),
    RubyRun(usize),
    /// Content that is not looked into (properties, drawings, deleted text).
    Inner,
}

#[derive(Debug)]
struct RunInfo {
    range: Range<usize>,
    /// The `<w:r …>` start tag.
    start_tag: Range<usize>,
    rpr: Option<Range<usize>>,
    /// Holds only `w:rPr` and text elements.
    pure: bool,
    parent: Option<usize>,
    /// Part of a field's result: kept as it is, its text is not text.
    in_field: bool,
    /// A ruby run (base text with an annotation above it): the base's text
    /// elements, from the first's start to the last's end. The run is
    /// written back around the translation with its annotation kept.
    ruby: Option<Range<usize>>,
}

#[derive(Debug)]
struct WrapperInfo {
    start: usize,
    /// Where its content starts: everything before (start tag, properties) is its head.
    head_end: Option<usize>,
    /// Its end tag.
    tail: Range<usize>,
    parent: Option<usize>,
    /// A `w:fldSimple` or inside one: its runs are the field's result.
    in_field: bool,
}

#[derive(Debug)]
struct LeafInfo {
    range: Range<usize>,
    parent: Option<usize>,
    float: bool,
    /// A float that opens a range (a bookmark's start…): it goes before words, not after.
    opens: bool,
}

#[derive(Debug, Clone, Copy)]
enum NodeRef {
    Run(usize),
    Leaf(usize),
}

#[derive(Debug)]
struct TextElement {
    range: Range<usize>,
    text: String,
    run: usize,
}

/// A paragraph being read.
#[derive(Debug)]
struct Paragraph {
    kind: BlockKind,
    /// Index of this paragraph's entry in reading order.
    slot: usize,
    /// Inside `mc:Fallback`: read, but not a block.
    skip: bool,
    style: Option<String>,
    outline: bool,
    numbered: bool,
    /// Where the content after the start tag and `w:pPr` begins, and where the end tag begins.
    content: Range<usize>,
    prefix: String,
    frames: Vec<Frame>,
    runs: Vec<RunInfo>,
    wrappers: Vec<WrapperInfo>,
    leaves: Vec<LeafInfo>,
    nodes: Vec<NodeRef>,
    texts: Vec<TextElement>,
}

impl Paragraph {
    /// The wrapper being read, when runs and children are created (they only are directly inside one).
    fn parent_wrapper(&self) -> Option<usize> {
        match self.frames.last() {
            Some(Frame::Wrapper(index)) => Some(*index),
            _ => None,
        }
    }

    /// The run being read, once a `w:t` frame (always directly inside its run, or a ruby base's run) is popped.
    fn current_run(&self) -> Option<usize> {
        match self.frames.last() {
            Some(Frame::Run(index) | Frame::RubyRun(index)) => Some(*index),
            _ => None,
        }
    }

    /// Content starts in `parent` at `at`: what came before is the wrapper's head.
    fn content_at(&mut self, parent: Option<usize>, at: usize) {
        if let Some(parent) = parent {
            self.wrappers[parent].head_end.get_or_insert(at);
        }
    }

    fn in_field(&self, parent: Option<usize>) -> bool {
        parent.is_some_and(|p| self.wrappers[p].in_field)
    }

    /// The wrappers around a node, outermost first.
    fn chain(&self, mut parent: Option<usize>) -> Vec<usize> {
        let mut chain = Vec::new();
        while let Some(p) = parent {
            chain.push(p);
            parent = self.wrappers[p].parent;
        }
        chain.reverse();
        chain
    }
}

/// What a text element contributes to the block text, if it is one.
fn text_element(local: &[u8], element: &BytesStart) -> Option<&'static str> {
    match local {
        b"tab" => Some("\t"),
        b"cr" => Some("\n"),
        b"br" => match val_of(element, b"type").as_deref() {
            None | Some("textWrapping") => Some("\n"),
            // Page and column breaks are layout, not text: their runs are kept.
            Some(_) => None,
        },
        b"noBreakHyphen" => Some("\u{2011}"),
        b"softHyphen" => Some("\u{ad}"),
        // A hint of where the last layout broke the page; Word recomputes it.
        b"lastRenderedPageBreak" => Some(""),
        _ => None,
    }
}

fn val_of(element: &BytesStart, local: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

fn prefix_of(element: &BytesStart) -> String {
    match element.name().prefix() {
        Some(prefix) => format!("{}:", String::from_utf8_lossy(prefix.as_ref())),
        None => String::new(),
    }
}

/// Reads one XML part into write-back plans and blocks.
fn scan_part(
    xml: &[u8],
    entry: &str,
    part: PartKind,
    styles: &StyleInfo,
) -> Result<(Vec<Plan>, Vec<Block>), DocumentError> {
    #[derive(PartialEq)]
    enum Marker {
        Cell,
        TextBox,
    }
    let mut reader = NsReader::from_reader(xml);
    // One slot per paragraph, taken when it opens: an outer paragraph comes
    // before the text boxes nested in it, although it closes after them.
    let mut slots: Vec<Option<(Plan, Block)>> = Vec::new();
    let mut markers: Vec<Marker> = Vec::new();
    let mut fallback_depth = 0usize;
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut fields = Fields::default();

    loop {
        let before = reader.buffer_position() as usize;
        let (w, mc, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (is_w(&ns), is_mc(&ns), event),
            Err(error) => return Err(xml_error(entry, reader.error_position(), error)),
        };
        let after = reader.buffer_position() as usize;
        match event {
            Event::DocType(_) => {
                return Err(DocumentError::XmlDoctype {
                    entry: entry.to_owned(),
                })
            }
            Event::Eof => break,
            Event::Start(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                if w && local == b"p" {
                    let kind = match part {
                        PartKind::Header => BlockKind::Header,
                        PartKind::Footer => BlockKind::Footer,
                        PartKind::Notes => BlockKind::Footnote,
                        PartKind::Body => match markers.last() {
                            Some(Marker::TextBox) => BlockKind::TextBox,
                            Some(Marker::Cell) => BlockKind::TableCell,
                            None => BlockKind::Paragraph,
                        },
                    };
                    slots.push(None);
                    paragraphs.push(Paragraph {
                        kind,
                        slot: slots.len() - 1,
                        skip: fallback_depth > 0,
                        style: None,
                        outline: false,
                        numbered: false,
                        content: after..after,
                        prefix: prefix_of(&e),
                        frames: Vec::new(),
                        runs: Vec::new(),
                        wrappers: Vec::new(),
                        leaves: Vec::new(),
                        nodes: Vec::new(),
                        texts: Vec::new(),
                    });
                    continue;
                }
                if w && local == b"tc" {
                    markers.push(Marker::Cell);
                } else if w && local == b"txbxContent" {
                    markers.push(Marker::TextBox);
                } else if mc && local == b"Fallback" {
                    fallback_depth += 1;
                }
                if let Some(paragraph) = paragraphs.last_mut() {
                    let frame = open_element(paragraph, &mut fields, w, local, &e, before, after);
                    paragraph.frames.push(frame);
                }
            }
            Event::Empty(e) => {
                if let Some(paragraph) = paragraphs.last_mut() {
                    let local = e.local_name();
                    let frame =
                        open_element(paragraph, &mut fields, w, local.as_ref(), &e, before, after);
                    // An empty element closes at once.
                    close_frame(paragraph, frame, before, after, true);
                }
            }
            Event::End(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                if w && (local == b"tc" || local == b"txbxContent") {
                    markers.pop();
                } else if mc && local == b"Fallback" {
                    fallback_depth = fallback_depth.saturating_sub(1);
                }
                let Some(paragraph) = paragraphs.last_mut() else {
                    continue;
                };
                match paragraph.frames.pop() {
                    Some(frame) => close_frame(paragraph, frame, before, after, false),
                    None => {
                        // The end of the paragraph itself.
                        let mut paragraph = paragraphs.pop().expect("a paragraph is open");
                        paragraph.content.end = before;
                        let slot = paragraph.slot;
                        slots[slot] = finish_paragraph(xml, paragraph, styles);
                    }
                }
            }
            Event::Text(text) => {
                if let Some(Frame::Text {
                    text: collected, ..
                }) = paragraphs.last_mut().and_then(|p| p.frames.last_mut())
                {
                    let decoded = text
                        .xml10_content()
                        .map_err(|e| xml_error(entry, before as u64, e))?;
                    collected.push_str(&decoded);
                }
            }
            Event::CData(text) => {
                if let Some(Frame::Text {
                    text: collected, ..
                }) = paragraphs.last_mut().and_then(|p| p.frames.last_mut())
                {
                    let decoded = text
                        .decode()
                        .map_err(|e| xml_error(entry, before as u64, e))?;
                    collected.push_str(&decoded);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|e| xml_error(entry, before as u64, e))?
                {
                    Some(c) => c,
                    None => match &*reference {
                        b"lt" => '<',
                        b"gt" => '>',
                        b"amp" => '&',
                        b"apos" => '\'',
                        b"quot" => '"',
                        other => {
                            return Err(xml_error(
                                entry,
                                before as u64,
                                format!("undeclared entity &{};", String::from_utf8_lossy(other)),
                            ))
                        }
                    },
                };
                if let Some(Frame::Text {
                    text: collected, ..
                }) = paragraphs.last_mut().and_then(|p| p.frames.last_mut())
                {
                    collected.push(resolved);
                }
            }
            _ => {}
        }
    }
    Ok(slots.into_iter().flatten().unzip())
}

/// Classifies an element opened inside `paragraph` (not a nested `w:p`) and records it.
fn open_element(
    paragraph: &mut Paragraph,
    fields: &mut Fields,
    w: bool,
    local: &[u8],
    element: &BytesStart,
    before: usize,
    after: usize,
) -> Frame {
    match paragraph.frames.last() {
        None | Some(Frame::Wrapper(_)) => {
            let at_top = paragraph.frames.is_empty();
            let parent = paragraph.parent_wrapper();
            if w && at_top && local == b"pPr" {
                return Frame::PPr;
            }
            if !at_top && local.ends_with(b"Pr") {
                // A wrapper's properties (w:sdtPr, w:smartTagPr…) belong to its head.
                return Frame::Inner;
            }
            paragraph.content_at(parent, before);
            if w && local == b"r" {
                let in_field = fields.in_result > 0 || paragraph.in_field(parent);
                paragraph.runs.push(RunInfo {
                    range: before..after,
                    start_tag: before..after,
                    rpr: None,
                    pure: !in_field,
                    parent,
                    in_field,
                    ruby: None,
                });
                paragraph.nodes.push(NodeRef::Run(paragraph.runs.len() - 1));
                Frame::Run(paragraph.runs.len() - 1)
            } else if w && WRAPPERS.contains(&local) {
                let in_field = local == b"fldSimple" || paragraph.in_field(parent);
                paragraph.wrappers.push(WrapperInfo {
                    start: before,
                    head_end: None,
                    tail: after..after,
                    parent,
                    in_field,
                });
                Frame::Wrapper(paragraph.wrappers.len() - 1)
            } else {
                let float = w && FLOATS.contains(&local);
                paragraph.leaves.push(LeafInfo {
                    range: before..after,
                    parent,
                    float,
                    opens: float && local.ends_with(b"Start"),
                });
                paragraph
                    .nodes
                    .push(NodeRef::Leaf(paragraph.leaves.len() - 1));
                Frame::Leaf(paragraph.leaves.len() - 1)
            }
        }
        Some(Frame::Run(run)) => {
            let run = *run;
            if w && local == b"fldChar" {
                // Complex fields can span runs and paragraphs: begin, instruction, separate, result, end.
                match val_of(element, b"fldCharType").as_deref() {
                    Some("begin") => fields.open.push(false),
                    Some("separate") => fields.separate(),
                    Some("end") => fields.end(),
                    _ => {}
                }
            }
            if paragraph.runs[run].in_field || (w && local == b"fldChar") {
                paragraph.runs[run].pure = false;
                Frame::Inner
            } else if w && local == b"rPr" {
                Frame::RPr { run, start: before }
            } else if w && local == b"ruby" && paragraph.runs[run].ruby.is_none() {
                Frame::Ruby(run)
            } else if w && local == b"t" {
                Frame::Text {
                    start: before,
                    text: String::new(),
                }
            } else if let Some(text) = w.then(|| text_element(local, element)).flatten() {
                paragraph.texts.push(TextElement {
                    range: before..after,
                    text: text.to_owned(),
                    run,
                });
                Frame::Inner
            } else {
                paragraph.runs[run].pure = false;
                Frame::Inner
            }
        }
        Some(Frame::PPr) => {
            if w {
                match local {
                    b"pStyle" => paragraph.style = val(element),
                    b"outlineLvl" => {
                        paragraph.outline = val(element)
                            .and_then(|v| v.parse::<u8>().ok())
                            .is_some_and(|level| level < 9)
                    }
                    b"numPr" => {
                        paragraph.numbered = true;
                        return Frame::NumPr;
                    }
                    _ => {}
                }
            }
            Frame::Inner
        }
        Some(Frame::NumPr) => {
            if w && local == b"numId" && val(element).as_deref() == Some("0") {
                // numId 0 switches numbering off.
                paragraph.numbered = false;
            }
            Frame::Inner
        }
        Some(Frame::Ruby(run)) => match local {
            b"rubyBase" if w => Frame::RubyBase(*run),
            // The annotation (w:rt) and its properties are kept as they are.
            _ => Frame::Inner,
        },
        Some(Frame::RubyBase(run)) if w && local == b"r" => Frame::RubyRun(*run),
        Some(Frame::RubyRun(_)) if w && local == b"t" => Frame::Text {
            start: before,
            text: String::new(),
        },
        Some(
            Frame::Text { .. }
            | Frame::RPr { .. }
            | Frame::Leaf(_)
            | Frame::Inner
            | Frame::RubyBase(_)
            | Frame::RubyRun(_),
        ) => Frame::Inner,
    }
}

/// Records the end of an element: ranges of runs, wrappers and leaves, finished `w:t` text.
fn close_frame(paragraph: &mut Paragraph, frame: Frame, before: usize, after: usize, empty: bool) {
    match frame {
        Frame::Run(index) => paragraph.runs[index].range.end = after,
        Frame::RPr { run, start } => paragraph.runs[run].rpr = Some(start..after),
        Frame::PPr => paragraph.content.start = after,
        Frame::Leaf(index) => paragraph.leaves[index].range.end = after,
        Frame::Wrapper(index) => {
            let wrapper = &mut paragraph.wrappers[index];
            wrapper.tail = if empty { after..after } else { before..after };
            if wrapper.head_end.is_none() {
                // A wrapper with no content is kept whole, like any other element.
                let (start, parent) = (wrapper.start, wrapper.parent);
                let float = false;
                paragraph.leaves.push(LeafInfo {
                    range: start..after,
                    parent,
                    float,
                    opens: false,
                });
                paragraph
                    .nodes
                    .push(NodeRef::Leaf(paragraph.leaves.len() - 1));
            }
        }
        Frame::Text { start, text } => {
            // A line feed or tab typed inside w:t is shown as a space, not a
            // break or a tab: keep it from becoming one when written back.
            let text = if text.contains(['\n', '\r', '\t']) {
                text.replace(['\n', '\r', '\t'], " ")
            } else {
                text
            };
            if let Some(Frame::RubyRun(run)) = paragraph.frames.last() {
                let run = &mut paragraph.runs[*run];
                let base = run.ruby.get_or_insert(start..after);
                base.end = after;
            }
            if let Some(run) = paragraph.current_run() {
                paragraph.texts.push(TextElement {
                    range: start..after,
                    text,
                    run,
                });
            }
        }
        Frame::NumPr | Frame::Inner | Frame::Ruby(_) | Frame::RubyBase(_) | Frame::RubyRun(_) => {}
    }
}

/// The formatting a span of words is written back in: the wrappers around
/// it and a run (start tag and properties) copied from the source.
#[derive(Debug, Clone)]
struct Style {
    chain: Vec<usize>,
    start_tag: Range<usize>,
    rpr: Option<Range<usize>>,
    /// A ruby run: what comes before and after its base text, copied around the words.
    around: Option<(Range<usize>, Range<usize>)>,
}

/// A wrapper's head (start tag and properties) and end tag.
#[derive(Debug, Clone)]
struct WrapperBytes {
    head: Range<usize>,
    tail: Range<usize>,
}

/// Something kept whole: a run that is not text, a field, a leaf.
#[derive(Debug, Clone)]
struct Kept {
    chain: Vec<usize>,
    range: Range<usize>,
}

/// Where a float (bookmark, comment range…) is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// At the start of the paragraph's content.
    Start,
    /// At its end.
    End,
    /// Just before, or just after, the span of tag `gN`.
    BeforeTag(u32),
    AfterTag(u32),
    /// Just before, or just after, placeholder `xN`.
    BeforeAtom(u32),
    AfterAtom(u32),
}

/// How to write one block's translation back into its part.
#[derive(Debug, Clone)]
struct Plan {
    /// The paragraph content that is rebuilt (after the start tag and `w:pPr`, before the end tag).
    region: Range<usize>,
    /// Namespace prefix of the WordprocessingML elements, with its colon (`"w:"`).
    prefix: String,
    /// Whitespace before and after the block text, kept around the translation.
    lead: String,
    trail: String,
    wrappers: Vec<WrapperBytes>,
    /// Style 0 is the paragraph's base: the formatting with the most words.
    styles: Vec<Style>,
    /// The style of each paired tag.
    tags: Vec<(u32, usize)>,
    /// What each placeholder stands for: consecutive kept elements.
    atoms: Vec<(u32, Vec<Kept>)>,
    floats: Vec<(Anchor, Kept)>,
    /// Text elements cut out of runs that are kept (their words are in the block).
    cuts: Vec<Range<usize>>,
    /// The tags of the source text; `None` when the block has none.
    spec: Option<inline::Spec>,
}

/// A run's formatting, with what does not change how it looks (language
/// tags, proofing marks, revision ids, East Asian font hints) left out, so
/// that runs split for such reasons are one span.
fn style_key(xml: &[u8], rpr: &Option<Range<usize>>) -> String {
    let Some(range) = rpr else {
        return String::new();
    };
    let mut reader = quick_xml::Reader::from_reader(&xml[range.clone()]);
    let mut key = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.local_name();
                let name = name.as_ref();
                if matches!(name, b"rPr" | b"lang" | b"noProof" | b"rPrChange") {
                    continue;
                }
                let mut attributes: Vec<(Vec<u8>, Vec<u8>)> = e
                    .attributes()
                    .flatten()
                    .filter(|a| {
                        let local = a.key.local_name();
                        let local = local.as_ref();
                        local != b"hint" && !local.starts_with(b"rsid")
                    })
                    .map(|a| (a.key.local_name().as_ref().to_vec(), a.value.to_vec()))
                    .collect();
                if name == b"rFonts" && attributes.is_empty() {
                    continue;
                }
                attributes.sort();
                key.push_str(&String::from_utf8_lossy(name));
                for (k, v) in attributes {
                    key.push(' ');
                    key.push_str(&String::from_utf8_lossy(&k));
                    key.push('=');
                    key.push_str(&String::from_utf8_lossy(&v));
                }
                key.push(';');
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    key
}

/// A paragraph's content in document order, as the translator sees it.
enum Seq {
    Text { style: usize, text: String },
    Kept(Kept),
    Float(Kept, bool),
}

/// Turns a finished paragraph into a block and its write-back plan, unless it has no text.
fn finish_paragraph(xml: &[u8], paragraph: Paragraph, styles: &StyleInfo) -> Option<(Plan, Block)> {
    if paragraph.skip {
        return None;
    }
    let plain: String = paragraph.texts.iter().map(|t| t.text.as_str()).collect();
    if plain.trim().is_empty() {
        return None;
    }
    let kind = if paragraph.kind != BlockKind::Paragraph {
        paragraph.kind
    } else {
        let style = paragraph.style.as_deref();
        if paragraph.outline
            || style.is_some_and(|s| is_heading_name(s) || styles.headings.contains(s))
        {
            BlockKind::Heading
        } else if paragraph.numbered || style.is_some_and(|s| styles.lists.contains(s)) {
            BlockKind::ListItem
        } else {
            BlockKind::Paragraph
        }
    };

    // Texts by run, in order.
    let mut run_texts: Vec<Vec<usize>> = vec![Vec::new(); paragraph.runs.len()];
    for (index, text) in paragraph.texts.iter().enumerate() {
        run_texts[text.run].push(index);
    }
    let mut style_list: Vec<Style> = Vec::new();
    let mut style_keys: Vec<(Vec<usize>, String)> = Vec::new();
    let mut style_of = |run: &RunInfo, chain: Vec<usize>| -> usize {
        let mut key = (chain.clone(), style_key(xml, &run.rpr));
        let around = run
            .ruby
            .as_ref()
            .map(|base| (run.range.start..base.start, base.end..run.range.end));
        if let Some((before, _)) = &around {
            // Each ruby carries its own annotation: a span of its own.
            key.1.push_str(&format!("ruby@{}", before.start));
        }
        match style_keys.iter().position(|k| *k == key) {
            Some(index) => index,
            None => {
                style_keys.push(key);
                style_list.push(Style {
                    chain,
                    start_tag: run.start_tag.clone(),
                    rpr: run.rpr.clone(),
                    around,
                });
                style_list.len() - 1
            }
        }
    };
    let mut cuts = Vec::new();
    let mut seq: Vec<Seq> = Vec::new();
    for node in &paragraph.nodes {
        match *node {
            NodeRef::Run(index) => {
                let run = &paragraph.runs[index];
                let chain = paragraph.chain(run.parent);
                let text: String = run_texts[index]
                    .iter()
                    .map(|&t| paragraph.texts[t].text.as_str())
                    .collect();
                if !run.pure {
                    cuts.extend(
                        run_texts[index]
                            .iter()
                            .map(|&t| paragraph.texts[t].range.clone()),
                    );
                    seq.push(Seq::Kept(Kept {
                        chain: chain.clone(),
                        range: run.range.clone(),
                    }));
                }
                if !text.is_empty() {
                    let style = style_of(run, chain);
                    match seq.last_mut() {
                        Some(Seq::Text { style: s, text: t }) if *s == style => t.push_str(&text),
                        _ => seq.push(Seq::Text { style, text }),
                    }
                }
            }
            NodeRef::Leaf(index) => {
                let leaf = &paragraph.leaves[index];
                let kept = Kept {
                    chain: paragraph.chain(leaf.parent),
                    range: leaf.range.clone(),
                };
                seq.push(if leaf.float {
                    Seq::Float(kept, leaf.opens)
                } else {
                    Seq::Kept(kept)
                });
            }
        }
    }

    // The base is the formatting that carries the most characters among
    // those outside any wrapper that not all the text shares: words a
    // translation adds outside every tag go there, and must not land inside
    // a link. When every style is inside such a wrapper (a paragraph of two
    // links), the base is a copy of the heaviest one outside them all.
    let mut weight = vec![0usize; style_list.len()];
    for entry in &seq {
        if let Seq::Text { style, text } = entry {
            weight[*style] += text.trim().chars().count().max(1);
        }
    }
    let common: Vec<usize> = style_list
        .iter()
        .map(|s| s.chain.clone())
        .reduce(|a, b| {
            a.iter()
                .zip(&b)
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| *x)
                .collect()
        })
        .unwrap_or_default();
    let heaviest = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.max_by_key(|&s| (weight[s], std::cmp::Reverse(s)))
    };
    // A ruby is never the base: words added outside every tag would get its annotation.
    let base = heaviest(
        &mut (0..style_list.len())
            .filter(|&s| style_list[s].chain == common && style_list[s].around.is_none()),
    );
    let base = match base {
        Some(base) => base,
        None => {
            let model = heaviest(&mut (0..style_list.len())).unwrap_or(0);
            let mut synthetic = style_list[model].clone();
            synthetic.chain = common.clone();
            synthetic.around = None;
            style_list.push(synthetic);
            weight.push(0);
            style_list.len() - 1
        }
    };
    // Style 0 is the base from here on.
    let order: Vec<usize> = std::iter::once(base)
        .chain((0..style_list.len()).filter(|&s| s != base))
        .collect();
    let renumber = |s: usize| {
        order
            .iter()
            .position(|&o| o == s)
            .expect("every style is ordered")
    };
    let styles_out: Vec<Style> = order.iter().map(|&s| style_list[s].clone()).collect();

    // Tags and placeholders, in order; consecutive kept elements in the same wrappers are one placeholder.
    let mut items: Vec<inline::Item> = Vec::new();
    let mut tags: Vec<(u32, usize)> = Vec::new();
    let mut atoms: Vec<(u32, Vec<Kept>)> = Vec::new();
    // For each seq entry: the item index it became, for anchoring floats.
    let mut anchors_at: Vec<Option<(Anchor, Anchor)>> = Vec::with_capacity(seq.len());
    let mut floats_pending: Vec<(usize, Kept, bool)> = Vec::new();
    for (position, entry) in seq.into_iter().enumerate() {
        match entry {
            Seq::Text { style, text } => {
                let style = renumber(style);
                if style == 0 {
                    items.push(inline::Item::Text(None, text));
                    anchors_at.push(None);
                } else {
                    let id = tags.len() as u32 + 1;
                    tags.push((id, style));
                    items.push(inline::Item::Text(Some(id), text));
                    anchors_at.push(Some((Anchor::BeforeTag(id), Anchor::AfterTag(id))));
                }
            }
            Seq::Kept(kept) => {
                let merge = matches!(items.last(), Some(inline::Item::Atom(_)))
                    && matches!(anchors_at.last(), Some(Some((Anchor::BeforeAtom(_), _))))
                    && atoms.last().is_some_and(|(_, parts)| {
                        parts.last().is_some_and(|p| p.chain == kept.chain)
                    });
                if merge {
                    atoms.last_mut().expect("an atom is open").1.push(kept);
                    let id = atoms.len() as u32;
                    anchors_at.push(Some((Anchor::BeforeAtom(id), Anchor::AfterAtom(id))));
                } else {
                    let id = atoms.len() as u32 + 1;
                    atoms.push((id, vec![kept]));
                    items.push(inline::Item::Atom(id));
                    anchors_at.push(Some((Anchor::BeforeAtom(id), Anchor::AfterAtom(id))));
                }
            }
            Seq::Float(kept, opens) => {
                floats_pending.push((position, kept, opens));
                anchors_at.push(None);
            }
        }
    }
    // Content positions, to find each float's neighbours: (seq position, chain, anchors or None for base text).
    let mut floats = Vec::new();
    let content: Vec<(usize, Option<(Anchor, Anchor)>)> = anchors_at
        .iter()
        .enumerate()
        .filter(|(p, _)| !floats_pending.iter().any(|f| f.0 == *p))
        .map(|(p, a)| (p, *a))
        .collect();
    for (position, kept, opens) in floats_pending {
        let next = content.iter().find(|(p, _)| *p > position);
        let previous = content.iter().rev().find(|(p, _)| *p < position);
        // Next to a tagged span or a placeholder it moves with it; next to
        // words in the base formatting, whose place in the translation is
        // unknown, it goes to the start (a range opening) or the end.
        let anchor = match (next, previous) {
            (Some((_, Some((before, _)))), _) => *before,
            (_, Some((_, Some((_, after))))) => *after,
            _ if opens => Anchor::Start,
            _ => Anchor::End,
        };
        floats.push((anchor, kept));
    }

    // Leading and trailing whitespace stays outside the translation.
    let mut lead = String::new();
    while let Some(inline::Item::Text(_, text)) = items.first_mut() {
        let trimmed = text.trim_start();
        lead.push_str(&text[..text.len() - trimmed.len()]);
        if trimmed.is_empty() {
            items.remove(0);
        } else {
            *text = trimmed.to_owned();
            break;
        }
    }
    let mut trail = String::new();
    while let Some(inline::Item::Text(_, text)) = items.last_mut() {
        let trimmed = text.trim_end();
        trail.insert_str(0, &text[trimmed.len()..]);
        if trimmed.is_empty() {
            items.pop();
        } else {
            *text = trimmed.to_owned();
            break;
        }
    }
    let (text, markup) = inline::block_text(&items);
    let spec = markup.as_deref().map(inline::Spec::of);

    let wrappers = paragraph
        .wrappers
        .iter()
        .map(|w| WrapperBytes {
            head: w.start..w.head_end.unwrap_or(w.tail.start),
            tail: w.tail.clone(),
        })
        .collect();
    let plan = Plan {
        region: paragraph.content.clone(),
        prefix: paragraph.prefix.clone(),
        lead,
        trail,
        wrappers,
        styles: styles_out,
        tags,
        atoms,
        floats,
        cuts,
        spec,
    };
    Some((plan, Block { kind, text, markup }))
}

/// Writes plans back into a part: each block's region rebuilt from its
/// translation, everything else copied. Paragraphs nest (a text box inside a
/// picture inside a paragraph), so the content of what is kept whole is
/// itself copied with the plans inside it applied.
struct PartWriter<'a> {
    xml: &'a [u8],
    /// Plans (and cuts, as empty replacements) by start offset.
    edits: Vec<Edit<'a>>,
}

enum Edit<'a> {
    Plan {
        plan: &'a Plan,
        checked: inline::Checked,
    },
    Cut(Range<usize>),
}

impl Edit<'_> {
    fn range(&self) -> Range<usize> {
        match self {
            Edit::Plan { plan, .. } => plan.region.clone(),
            Edit::Cut(range) => range.clone(),
        }
    }
}

/// The part with each plan applied, and for each block what its tags came back with.
fn render_part(
    xml: &[u8],
    plans: &[Plan],
    translations: &[String],
) -> (Vec<u8>, Vec<Vec<inline::Problem>>) {
    let mut problems = Vec::with_capacity(plans.len());
    let mut edits = Vec::new();
    for (plan, translation) in plans.iter().zip(translations) {
        let checked = match &plan.spec {
            Some(spec) => inline::check(spec, translation),
            None => {
                // No tags in the source: the translation is plain text, and
                // anything kept whole follows it.
                let mut items = vec![inline::Item::Text(None, translation.clone())];
                items.extend(plan.atoms.iter().map(|(id, _)| inline::Item::Atom(*id)));
                inline::Checked {
                    items,
                    problems: Vec::new(),
                }
            }
        };
        problems.push(checked.problems.clone());
        edits.extend(plan.cuts.iter().cloned().map(Edit::Cut));
        edits.push(Edit::Plan { plan, checked });
    }
    edits.sort_by_key(|edit| {
        let range = edit.range();
        (range.start, std::cmp::Reverse(range.end))
    });
    let writer = PartWriter { xml, edits };
    let mut out = Vec::with_capacity(xml.len() + xml.len() / 2);
    writer.copy(0..xml.len(), &mut out);
    (out, problems)
}

impl PartWriter<'_> {
    /// Copies `range` of the part with the edits inside it applied.
    fn copy(&self, range: Range<usize>, out: &mut Vec<u8>) {
        let mut position = range.start;
        let first = self
            .edits
            .partition_point(|e| e.range().start < range.start);
        for edit in &self.edits[first..] {
            let edit_range = edit.range();
            if edit_range.start >= range.end {
                break;
            }
            if edit_range.start < position || edit_range.end > range.end {
                // Inside an edit already applied (it copies its own content).
                continue;
            }
            if matches!(edit, Edit::Plan { .. }) && edit_range == range {
                // The paragraph being rebuilt, whose only content is what is
                // kept whole: that content is copied, not rebuilt again.
                continue;
            }
            out.extend_from_slice(&self.xml[position..edit_range.start]);
            if let Edit::Plan { plan, checked } = edit {
                self.rebuild(plan, checked, out);
            }
            position = edit_range.end;
        }
        out.extend_from_slice(&self.xml[position..range.end]);
    }

    /// A paragraph's content rebuilt from its checked translation.
    fn rebuild(&self, plan: &Plan, checked: &inline::Checked, out: &mut Vec<u8>) {
        let mut emitter = Emitter {
            writer: self,
            plan,
            open: Vec::new(),
            pending: None,
            out,
        };
        let floats = |anchor: Anchor| plan.floats.iter().filter(move |(a, _)| *a == anchor);
        for (_, kept) in floats(Anchor::Start) {
            emitter.kept(kept);
        }
        emitter.text(0, &plan.lead);
        let mut placed_tags: Vec<u32> = Vec::new();
        for item in &checked.items {
            match item {
                inline::Item::Text(tag, text) => {
                    let style = tag
                        .and_then(|id| plan.tags.iter().find(|(t, _)| *t == id))
                        .map_or(0, |(_, style)| *style);
                    let first = tag.filter(|id| !placed_tags.contains(id));
                    if let Some(id) = first {
                        placed_tags.push(id);
                        for (_, kept) in floats(Anchor::BeforeTag(id)) {
                            emitter.kept(kept);
                        }
                    }
                    emitter.text(style, text);
                    if let Some(id) = first {
                        for (_, kept) in floats(Anchor::AfterTag(id)) {
                            emitter.kept(kept);
                        }
                    }
                }
                inline::Item::Atom(id) => {
                    for (_, kept) in floats(Anchor::BeforeAtom(*id)) {
                        emitter.kept(kept);
                    }
                    if let Some((_, parts)) = plan.atoms.iter().find(|(a, _)| a == id) {
                        for kept in parts {
                            emitter.kept(kept);
                        }
                    }
                    for (_, kept) in floats(Anchor::AfterAtom(*id)) {
                        emitter.kept(kept);
                    }
                }
            }
        }
        emitter.text(0, &plan.trail);
        // A span that did not come back: its floats go to the end, and a link
        // or content control around it is kept (empty), so that neither is
        // lost; the report names the paragraph.
        for (id, style) in &plan.tags {
            if placed_tags.contains(id) {
                continue;
            }
            for (anchor, kept) in &plan.floats {
                if matches!(anchor, Anchor::BeforeTag(t) | Anchor::AfterTag(t) if t == id) {
                    emitter.kept(kept);
                }
            }
            let chain = &plan.styles[*style].chain;
            if !chain.is_empty() && *chain != plan.styles[0].chain {
                emitter.enter(chain);
            }
        }
        for (_, kept) in floats(Anchor::End) {
            emitter.kept(kept);
        }
        emitter.enter(&[]);
    }
}

/// Writes a rebuilt paragraph: wrappers opened and closed as needed, and
/// consecutive text in one formatting written as one run.
struct Emitter<'w, 'a> {
    writer: &'w PartWriter<'a>,
    plan: &'w Plan,
    /// Wrappers open now, outermost first.
    open: Vec<usize>,
    /// Text not yet written, and its style.
    pending: Option<(usize, String)>,
    out: &'w mut Vec<u8>,
}

impl Emitter<'_, '_> {
    fn flush(&mut self) {
        let Some((style, text)) = self.pending.take() else {
            return;
        };
        let Some(style) = self.plan.styles.get(style) else {
            return;
        };
        let xml = self.writer.xml;
        if let Some((before, after)) = &style.around {
            self.out.extend_from_slice(&xml[before.clone()]);
            self.out
                .extend_from_slice(runs_xml(&self.plan.prefix, &text).as_bytes());
            self.out.extend_from_slice(&xml[after.clone()]);
            return;
        }
        self.out.extend_from_slice(&xml[style.start_tag.clone()]);
        if let Some(rpr) = &style.rpr {
            self.out.extend_from_slice(&xml[rpr.clone()]);
        }
        self.out
            .extend_from_slice(runs_xml(&self.plan.prefix, &text).as_bytes());
        self.out
            .extend_from_slice(format!("</{}r>", self.plan.prefix).as_bytes());
    }

    /// Opens and closes wrappers so that exactly `chain` is open.
    fn enter(&mut self, chain: &[usize]) {
        self.flush();
        let common = self
            .open
            .iter()
            .zip(chain)
            .take_while(|(a, b)| a == b)
            .count();
        while self.open.len() > common {
            let wrapper = self.open.pop().expect("a wrapper is open");
            let tail = self.plan.wrappers[wrapper].tail.clone();
            self.out.extend_from_slice(&self.writer.xml[tail]);
        }
        for &wrapper in &chain[common..] {
            let head = self.plan.wrappers[wrapper].head.clone();
            self.writer.copy(head, self.out);
            self.open.push(wrapper);
        }
    }

    fn kept(&mut self, kept: &Kept) {
        self.enter(&kept.chain);
        self.writer.copy(kept.range.clone(), self.out);
    }

    fn text(&mut self, style: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some((pending_style, pending)) = &mut self.pending {
            if *pending_style == style {
                pending.push_str(text);
                return;
            }
        }
        let chain = self
            .plan
            .styles
            .get(style)
            .map(|s| s.chain.clone())
            .unwrap_or_default();
        if self.open != chain {
            self.enter(&chain);
        } else {
            self.flush();
        }
        self.pending = Some((style, text.to_owned()));
    }
}

/// `text` as the content of a run: `w:t` elements, with `w:tab` for tabs,
/// `w:br` for line breaks and Word's own elements for soft and
/// non-breaking hyphens.
fn runs_xml(prefix: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let text = text.replace("\r\n", "\n");
    let mut segment = String::new();
    let flush = |segment: &mut String, out: &mut String| {
        if !segment.is_empty() {
            out.push_str(&format!(
                "<{prefix}t xml:space=\"preserve\">{segment}</{prefix}t>"
            ));
            segment.clear();
        }
    };
    for c in text.chars() {
        let element = match c {
            '\t' => Some("tab"),
            '\n' => Some("br"),
            '\u{ad}' => Some("softHyphen"),
            '\u{2011}' => Some("noBreakHyphen"),
            _ => None,
        };
        if let Some(element) = element {
            flush(&mut segment, &mut out);
            out.push_str(&format!("<{prefix}{element}/>"));
            continue;
        }
        match c {
            '&' => segment.push_str("&amp;"),
            '<' => segment.push_str("&lt;"),
            '>' => segment.push_str("&gt;"),
            // Characters XML 1.0 cannot carry are dropped.
            c if is_xml_char(c) => segment.push(c),
            _ => {}
        }
    }
    flush(&mut segment, &mut out);
    if out.is_empty() {
        out.push_str(&format!("<{prefix}t/>"));
    }
    out
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{sample, Document, Format, Rendered};

    const TRANSLATED: &[&str] = &[
        "word/document.xml",
        "word/header1.xml",
        "word/footer1.xml",
        "word/footnotes.xml",
    ];

    fn read(bytes: &[u8]) -> Document {
        Document::from_bytes(bytes, Format::Docx, &Limits::default()).expect("docx reads")
    }

    fn error(bytes: &[u8]) -> DocumentError {
        Document::from_bytes(bytes, Format::Docx, &Limits::default()).unwrap_err()
    }

    /// A zip of the given entries, deflated unless `stored`.
    fn zip_of(entries: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
        let method = if stored {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default().compression_method(method);
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn document_xml(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"{}\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{body}</w:body></w:document>",
            String::from_utf8_lossy(W_NS)
        )
    }

    fn docx_of(body: &str) -> Vec<u8> {
        zip_of(&[(MAIN_PART, document_xml(body).as_bytes())], false)
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    fn texts(document: &Document) -> Vec<(BlockKind, String)> {
        document
            .blocks()
            .iter()
            .map(|b| (b.kind, b.text.clone()))
            .collect()
    }

    /// Each block's source with `f` applied to its words, tags kept: what a good translator returns.
    fn translate(document: &Document, f: impl Fn(&str) -> String) -> Vec<String> {
        document
            .blocks()
            .iter()
            .map(|block| inline::map_words(block.source(), &f))
            .collect()
    }

    fn count_paragraphs(xml: &str) -> usize {
        xml.matches("<w:p>").count() + xml.matches("<w:p ").count() + xml.matches("<w:p/>").count()
    }

    /// The `w:rPr` of the first run of every paragraph, in order.
    fn first_run_properties(xml: &str) -> Vec<String> {
        xml.match_indices("<w:p>")
            .filter_map(|(start, _)| {
                let run = start + xml[start..].find("<w:r>")? + "<w:r>".len();
                let rest = &xml[run..];
                Some(if rest.starts_with("<w:rPr>") {
                    rest[..rest.find("</w:rPr>")?].to_owned()
                } else {
                    String::new()
                })
            })
            .collect()
    }

    fn styles_in(xml: &str) -> Vec<&str> {
        xml.match_indices("<w:pStyle ")
            .map(|(start, _)| &xml[start..start + xml[start..].find("/>").unwrap()])
            .collect()
    }

    fn raw_entries(bytes: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|index| {
                let mut file = archive.by_index_raw(index).unwrap();
                let mut raw = Vec::new();
                file.read_to_end(&mut raw).unwrap();
                (file.name().to_owned(), file.crc32(), raw)
            })
            .collect()
    }

    #[test]
    fn docx_round_trip_keeps_structure_and_copies_untranslated_entries_raw() {
        let source = sample::docx(5);
        let document = read(&source);
        let translations = translate(&document, |t| format!("<ZH>{} & co", t.to_uppercase()));
        let rendered = document.render(&translations, Format::Docx).unwrap();
        assert_eq!(rendered.needs_look, []);
        let output = rendered.bytes;
        let again = read(&output);

        assert_eq!(again.blocks().len(), document.blocks().len());
        for ((before, after), expected) in document
            .blocks()
            .iter()
            .zip(again.blocks())
            .zip(&translations)
        {
            assert_eq!(before.kind, after.kind);
            assert_eq!(after.source(), expected);
        }
        for name in TRANSLATED {
            let (old, new) = (part(&source, name), part(&output, name));
            assert_eq!(count_paragraphs(&old), count_paragraphs(&new), "{name}");
            assert_eq!(old.matches("<w:tc>").count(), new.matches("<w:tc>").count());
            assert_eq!(styles_in(&old), styles_in(&new), "{name}");
            assert_eq!(
                first_run_properties(&old),
                first_run_properties(&new),
                "{name}"
            );
        }
        let (old, new) = (raw_entries(&source), raw_entries(&output));
        let names = |entries: &[(String, u32, Vec<u8>)]| -> Vec<String> {
            entries.iter().map(|e| e.0.clone()).collect()
        };
        assert_eq!(names(&old), names(&new), "entry order is kept");
        for (old, new) in old.iter().zip(&new) {
            if !TRANSLATED.contains(&old.0.as_str()) {
                assert_eq!(old, new, "{} is copied byte for byte", old.0);
            }
        }
    }

    #[test]
    fn docx_rendered_with_its_own_texts_reads_back_the_same_blocks() {
        let source = sample::docx(5);
        let document = read(&source);
        let same: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| b.source().to_owned())
            .collect();
        let again = read(&document.render(&same, Format::Docx).unwrap().bytes);
        assert_eq!(again.blocks(), document.blocks());
    }

    #[test]
    fn sample_blocks_have_the_expected_kinds_and_texts() {
        let blocks = texts(&read(&sample::docx(1)));
        let has = |kind: BlockKind, text: &str| {
            assert!(
                blocks.contains(&(kind, text.to_owned())),
                "{kind:?} {text:?} not in {blocks:#?}"
            )
        };
        has(BlockKind::Heading, "The 2026-27 Budget: Policy Paper");
        has(BlockKind::Heading, "1. Spending on primary healthcare");
        has(
            BlockKind::Paragraph,
            "Ref: FSTB(B) 12/2026\tDate: 1 March 2026",
        );
        has(
            BlockKind::ListItem,
            "Housing supply will reach 30,000 units a year.",
        );
        has(
            BlockKind::Paragraph,
            "Total spending on housing will be HK$1,250 million in 2026, a rise of 3.5% on the revised estimate.",
        );
        has(
            BlockKind::Paragraph,
            "Details are published on the Budget website.",
        );
        has(BlockKind::Paragraph, "Summary:");
        has(
            BlockKind::TextBox,
            "Key point: the fiscal deficit narrows to HK$48.5 billion.",
        );
        has(
            BlockKind::Header,
            "Government of the Hong Kong Special Administrative Region",
        );
        has(BlockKind::Footer, "Page  | For internal use");
        has(
            BlockKind::Footnote,
            "Figures are at 2025-26 prices and exclude the Housing Authority's own spending of HK$8.4 billion.",
        );
        assert!(blocks
            .iter()
            .any(|(_, text)| text.contains("the & \"next steps\" <draft>.")));
        let position = |start: &str| blocks.iter().position(|b| b.1.starts_with(start));
        assert!(
            position("Summary:") < position("Key point:"),
            "a paragraph comes before the text box inside it"
        );
        assert_eq!(
            blocks.first().map(|b| b.1.as_str()),
            Some("The 2026-27 Budget: Policy Paper"),
            "the body comes first"
        );
    }

    #[test]
    fn translations_are_escaped_and_tabs_and_breaks_become_elements() {
        let source = docx_of(
            "<w:p><w:r><w:rPr><w:i/></w:rPr><w:t>old</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\"> text</w:t></w:r></w:p>",
        );
        let document = read(&source);
        assert_eq!(
            document.blocks()[0].markup,
            None,
            "one formatting is no tag"
        );
        let output = document
            .render(
                &["a < b & c > d\tnext\nline\u{ad}break".to_string()],
                Format::Docx,
            )
            .unwrap()
            .bytes;
        let xml = part(&output, MAIN_PART);
        assert!(xml.contains(
            "<w:r><w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\">a &lt; b &amp; c &gt; d</w:t>\
<w:tab/><w:t xml:space=\"preserve\">next</w:t><w:br/><w:t xml:space=\"preserve\">line</w:t>\
<w:softHyphen/><w:t xml:space=\"preserve\">break</w:t></w:r></w:p>"
        ), "{xml}");
        assert!(!xml.contains(" text"));
        assert_eq!(
            read(&output).blocks()[0].text,
            "a < b & c > d\tnext\nline\u{ad}break"
        );
    }

    #[test]
    fn tracked_changes_fields_and_drawings_are_kept_and_only_text_moves() {
        let body = "<w:p>\
<w:ins w:id=\"1\" w:author=\"A\"><w:r><w:t>inserted </w:t></w:r></w:ins>\
<w:del w:id=\"2\" w:author=\"A\"><w:r><w:delText>deleted</w:delText></w:r></w:del>\
<w:smartTag w:uri=\"u\" w:element=\"place\"><w:r><w:t>Hong Kong</w:t></w:r></w:smartTag>\
<w:r><w:br w:type=\"page\"/></w:r>\
<w:r><w:sym w:font=\"Wingdings\" w:char=\"F0FC\"/><w:t> tick</w:t></w:r>\
<w:fldSimple w:instr=\" DATE \"><w:r><w:t>1/3/2026</w:t></w:r></w:fldSimple>\
<w:bookmarkStart w:id=\"0\" w:name=\"b\"/><w:bookmarkEnd w:id=\"0\"/>\
</w:p>";
        let document = read(&docx_of(body));
        assert_eq!(document.blocks()[0].text, "inserted Hong Kong tick");
        assert_eq!(
            document.blocks()[0].markup.as_deref(),
            Some("<g1>inserted </g1><g2>Hong Kong</g2><x1/> tick<x2/>"),
            "the base is the formatting outside the smart tag and the insertion"
        );
        let rendered = document
            .render(
                &["<g1>新</g1><g2>香港</g2><x1/>勾<x2/>".to_string()],
                Format::Docx,
            )
            .unwrap();
        assert_eq!(rendered.needs_look, []);
        let xml = part(&rendered.bytes, MAIN_PART);
        let expected = "<w:p>\
<w:ins w:id=\"1\" w:author=\"A\"><w:r><w:t xml:space=\"preserve\">新</w:t></w:r></w:ins>\
<w:del w:id=\"2\" w:author=\"A\"><w:r><w:delText>deleted</w:delText></w:r></w:del>\
<w:smartTag w:uri=\"u\" w:element=\"place\"><w:r><w:t xml:space=\"preserve\">香港</w:t></w:r></w:smartTag>\
<w:r><w:br w:type=\"page\"/></w:r>\
<w:r><w:sym w:font=\"Wingdings\" w:char=\"F0FC\"/></w:r>\
<w:r><w:t xml:space=\"preserve\">勾</w:t></w:r>\
<w:fldSimple w:instr=\" DATE \"><w:r><w:t>1/3/2026</w:t></w:r></w:fldSimple>\
<w:bookmarkStart w:id=\"0\" w:name=\"b\"/><w:bookmarkEnd w:id=\"0\"/>\
</w:p>";
        assert!(xml.contains(expected), "{xml}");
    }

    #[test]
    fn a_hyperlink_keeps_the_words_its_tag_comes_back_around() {
        let body = "<w:p><w:hyperlink r:id=\"rId9\"><w:r><w:t>Budget</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\"> website</w:t></w:r></w:p>";
        let document = read(&docx_of(body));
        assert_eq!(
            document.blocks()[0].markup.as_deref(),
            Some("<g1>Budget</g1> website")
        );
        let rendered = document
            .render(&["<g1>預算</g1>網站".to_string()], Format::Docx)
            .unwrap();
        assert_eq!(rendered.needs_look, []);
        assert!(part(&rendered.bytes, MAIN_PART).contains(
            "<w:p><w:hyperlink r:id=\"rId9\"><w:r><w:t xml:space=\"preserve\">預算</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\">網站</w:t></w:r></w:p>"
        ));

        // Without its tag the link is kept (empty) and the paragraph is reported.
        let rendered = document
            .render(&["預算網站".to_string()], Format::Docx)
            .unwrap();
        assert_eq!(
            rendered.needs_look,
            [(0, vec![inline::Problem::MissingTag { tag: "g1".into() }])]
        );
        let xml = part(&rendered.bytes, MAIN_PART);
        assert!(
            xml.contains("<w:hyperlink r:id=\"rId9\"></w:hyperlink>"),
            "{xml}"
        );
    }

    #[test]
    fn whitespace_only_paragraphs_are_not_blocks_and_stay_unchanged() {
        let body = "<w:p><w:r><w:t xml:space=\"preserve\">   </w:t></w:r><w:r><w:tab/></w:r></w:p>\
<w:p><w:r><w:t xml:space=\"preserve\">  Indented</w:t></w:r><w:r><w:t xml:space=\"preserve\"> text </w:t></w:r></w:p>";
        let document = read(&docx_of(body));
        assert_eq!(
            texts(&document),
            [(BlockKind::Paragraph, "Indented text".to_string())]
        );
        let output = document
            .render(&["縮排".to_string()], Format::Docx)
            .unwrap()
            .bytes;
        let xml = part(&output, MAIN_PART);
        assert!(
            xml.contains(
                "<w:p><w:r><w:t xml:space=\"preserve\">   </w:t></w:r><w:r><w:tab/></w:r></w:p>\
<w:p><w:r><w:t xml:space=\"preserve\">  縮排 </w:t></w:r></w:p>"
            ),
            "{xml}"
        );
    }

    /// Renders `document` with each block's source unchanged, as a translator that changes nothing.
    fn identity(document: &Document) -> Rendered {
        let same: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| b.source().to_owned())
            .collect();
        document.render(&same, Format::Docx).unwrap()
    }

    fn census_of(bytes: &[u8]) -> Census {
        census(bytes, &Limits::default()).unwrap()
    }

    #[test]
    fn a_part_with_a_byte_order_mark_is_written_back_well_formed() {
        let mut xml = b"\xEF\xBB\xBF".to_vec();
        xml.extend(document_xml("<w:p><w:r><w:t>Budget</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\"> speech</w:t></w:r></w:p>").as_bytes());
        let source = zip_of(&[(MAIN_PART, &xml)], false);
        let document = read(&source);
        let rendered = document
            .render(&["<g1>預算</g1>案演辭".to_string()], Format::Docx)
            .unwrap();
        let mut archive = ZipArchive::new(Cursor::new(&rendered.bytes)).unwrap();
        let mut out = Vec::new();
        archive
            .by_name(MAIN_PART)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert!(out.starts_with(b"\xEF\xBB\xBF"), "the mark is kept");
        let text = String::from_utf8(out[3..].to_vec()).unwrap();
        assert!(text.contains("<w:body><w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">預算</w:t></w:r>"), "{text}");
        assert_eq!(
            read(&rendered.bytes).blocks()[0].source(),
            "<g1>預算</g1>案演辭"
        );
    }

    /// A complex field: begin, instruction, separate, result, end, each in its own run.
    fn complex_field(instruction: &str, result: &str) -> String {
        format!(
            "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> {instruction} </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
        )
    }

    #[test]
    fn fields_stay_where_they_were_among_the_words() {
        let body = format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">Page </w:t></w:r>{}<w:r><w:t xml:space=\"preserve\"> of </w:t></w:r>{}</w:p>\
<w:p><w:r><w:t xml:space=\"preserve\">Dear </w:t></w:r><w:fldSimple w:instr=\" MERGEFIELD Name \"><w:r><w:t>«Name»</w:t></w:r></w:fldSimple>\
<w:r><w:t xml:space=\"preserve\">, thank you for your letter.</w:t></w:r></w:p>",
            complex_field("PAGE", "1"),
            complex_field("NUMPAGES", "3")
        );
        let source = docx_of(&body);
        let document = read(&source);
        let markups: Vec<&str> = document.blocks().iter().map(|b| b.source()).collect();
        assert_eq!(
            markups,
            [
                "Page <x1/> of <x2/>",
                "Dear <x1/>, thank you for your letter."
            ]
        );
        let rendered = document
            .render(
                &[
                    "第<x1/>頁，共<x2/>頁".to_string(),
                    "<x1/>，感謝來信。".to_string(),
                ],
                Format::Docx,
            )
            .unwrap();
        assert_eq!(rendered.needs_look, []);
        let xml = part(&rendered.bytes, MAIN_PART);
        let page = xml.find("第").unwrap();
        let first_field = xml.find("PAGE").unwrap();
        let of = xml.find("頁，共").unwrap();
        let second_field = xml.find("NUMPAGES").unwrap();
        assert!(
            page < first_field && first_field < of && of < second_field,
            "{xml}"
        );
        assert!(xml.find("MERGEFIELD").unwrap() < xml.find("，感謝來信").unwrap());
        assert_eq!(census_of(&rendered.bytes).fields, 3);
        assert_eq!(census_of(&rendered.bytes), census_of(&source));
    }

    #[test]
    fn inline_content_controls_links_and_soft_hyphens_survive_a_round_trip() {
        let body = "<w:p><w:r><w:t xml:space=\"preserve\">Reply by </w:t></w:r>\
<w:sdt><w:sdtPr><w:alias w:val=\"Date\"/><w:id w:val=\"7\"/></w:sdtPr><w:sdtContent><w:r><w:t>1 March 2027</w:t></w:r></w:sdtContent></w:sdt>\
<w:r><w:t xml:space=\"preserve\"> to the </w:t></w:r><w:hyperlink r:id=\"rId5\"><w:r><w:rPr><w:rStyle w:val=\"Hyperlink\"/></w:rPr><w:t>Secretariat</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\"> or see </w:t></w:r><w:hyperlink w:anchor=\"annex\"><w:r><w:t>Annex</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\"> for the con</w:t></w:r><w:r><w:softHyphen/><w:t>sul</w:t><w:softHyphen/><w:t>tation.</w:t></w:r></w:p>";
        let source = docx_of(body);
        let document = read(&source);
        assert_eq!(
            document.blocks()[0].source(),
            "Reply by <g1>1 March 2027</g1> to the <g2>Secretariat</g2> or see <g3>Annex</g3> for the con\u{ad}sul\u{ad}tation."
        );
        let rendered = identity(&document);
        assert_eq!(rendered.needs_look, []);
        assert_eq!(census_of(&rendered.bytes), census_of(&source));
        let before = census_of(&source);
        assert_eq!((before.hyperlinks, before.content_controls), (2, 1));
        let xml = part(&rendered.bytes, MAIN_PART);
        assert_eq!(xml.matches("<w:softHyphen/>").count(), 2, "{xml}");
        assert!(xml.contains("<w:sdt><w:sdtPr><w:alias w:val=\"Date\"/><w:id w:val=\"7\"/></w:sdtPr><w:sdtContent><w:r><w:t xml:space=\"preserve\">1 March 2027</w:t></w:r></w:sdtContent></w:sdt>"), "{xml}");
        assert_eq!(read(&rendered.bytes).blocks(), document.blocks());

        // Through a translator that carries the tags, each lands on its words.
        let rendered = document
            .render(
                &[
                    "請於<g1>2027年3月1日</g1>前回覆<g2>秘書處</g2>，或參閱<g3>附件</g3>。"
                        .to_string(),
                ],
                Format::Docx,
            )
            .unwrap();
        let xml = part(&rendered.bytes, MAIN_PART);
        assert!(xml.contains("<w:hyperlink r:id=\"rId5\"><w:r><w:rPr><w:rStyle w:val=\"Hyperlink\"/></w:rPr><w:t xml:space=\"preserve\">秘書處</w:t></w:r></w:hyperlink>"), "{xml}");
        assert!(xml.contains("<w:hyperlink w:anchor=\"annex\"><w:r><w:t xml:space=\"preserve\">附件</w:t></w:r></w:hyperlink>"), "{xml}");
        assert_eq!(census_of(&rendered.bytes).content_controls, 1);
    }

    #[test]
    fn mixed_formatting_stays_on_the_words_that_carry_it() {
        let body = "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Note:</w:t></w:r><w:r><w:t xml:space=\"preserve\"> under the </w:t></w:r>\
<w:r><w:rPr><w:i/><w:lang w:val=\"en-GB\"/></w:rPr><w:t>Employment Ordinance</w:t></w:r><w:r><w:rPr><w:i/><w:lang w:val=\"en-US\"/></w:rPr><w:t xml:space=\"preserve\"> (Cap. 57)</w:t></w:r>\
<w:r><w:t xml:space=\"preserve\">, the 1</w:t></w:r><w:r><w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr><w:t>st</w:t></w:r>\
<w:r><w:t xml:space=\"preserve\"> payment is due.</w:t></w:r><w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteReference w:id=\"2\"/></w:r></w:p>";
        let document = read(&docx_of(body));
        assert_eq!(
            document.blocks()[0].source(),
            "<g1>Note:</g1> under the <g2>Employment Ordinance (Cap. 57)</g2>, the 1<g3>st</g3> payment is due.<x1/>",
            "runs that differ only in language are one span"
        );
        let rendered = document
            .render(&["<g1>注意：</g1>根據<g2>《僱傭條例》（第57章）</g2>，第1<g3>期</g3>款項到期。<x1/>".to_string()], Format::Docx)
            .unwrap();
        assert_eq!(rendered.needs_look, []);
        let again = read(&rendered.bytes);
        assert_eq!(
            again.blocks()[0].text,
            "注意：根據《僱傭條例》（第57章），第1期款項到期。"
        );
        let xml = part(&rendered.bytes, MAIN_PART);
        assert!(xml.contains("<w:r><w:rPr><w:i/><w:lang w:val=\"en-GB\"/></w:rPr><w:t xml:space=\"preserve\">《僱傭條例》（第57章）</w:t></w:r>"), "{xml}");
        assert!(
            xml.contains("<w:footnoteReference w:id=\"2\"/></w:r></w:p>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">注意：</w:t></w:r>"
            ),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<w:vertAlign w:val=\"superscript\"/></w:rPr><w:t xml:space=\"preserve\">期</w:t>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn an_entry_with_a_unicode_path_field_is_written_under_its_header_name() {
        // An Info-ZIP Unicode Path field names the entry differently from its
        // header; its CRC is the header name's, so readers that honour it accept it.
        let header_name = MAIN_PART;
        let mut field = vec![1u8];
        field.extend(crc32fast::hash(header_name.as_bytes()).to_le_bytes());
        field.extend(b"word/elsewhere.xml");
        // The zip crate does not write this field, so it is written under
        // another id and the id is patched in both headers.
        let mut options = SimpleFileOptions::default().into_full_options();
        options
            .add_extra_data(0xCAFE, field.clone(), false)
            .unwrap();
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file(header_name, options).unwrap();
        writer
            .write_all(document_xml("<w:p><w:r><w:t>Budget</w:t></w:r></w:p>").as_bytes())
            .unwrap();
        let mut source = writer.finish().unwrap().into_inner();
        let mut patched = 0;
        while let Some(at) = source.windows(2).position(|w| w == [0xFE, 0xCA]) {
            source[at..at + 2].copy_from_slice(&0x7075u16.to_le_bytes());
            patched += 1;
        }
        assert_eq!(patched, 2, "local and central headers");
        let named = ZipArchive::new(Cursor::new(&source)).unwrap();
        assert_eq!(
            named.name_for_index(0),
            Some("word/elsewhere.xml"),
            "the zip crate's name"
        );
        let document = read(&source);
        assert_eq!(document.blocks()[0].text, "Budget");
        let output = document
            .render(&["預算".to_string()], Format::Docx)
            .unwrap()
            .bytes;
        let local_name = |bytes: &[u8]| {
            let length = usize::from(u16::from_le_bytes([bytes[26], bytes[27]]));
            String::from_utf8(bytes[30..30 + length].to_vec()).unwrap()
        };
        assert_eq!(local_name(&output), header_name);
        let named = ZipArchive::new(Cursor::new(&output)).unwrap();
        assert_eq!(named.name_for_index(0), Some(header_name), "no other name");
        assert_eq!(read(&output).blocks()[0].text, "預算");
    }

    #[test]
    fn a_run_of_text_and_a_picture_that_is_the_whole_paragraph_is_written_once() {
        let body = "<w:p><w:r><w:t>Chart</w:t><w:drawing><wp:inline xmlns:wp=\"urn:wp\"/></w:drawing></w:r></w:p>";
        let document = read(&docx_of(body));
        assert_eq!(document.blocks()[0].source(), "<x1/>Chart");
        let output = document
            .render(&["<x1/>圖表".to_string()], Format::Docx)
            .unwrap()
            .bytes;
        let xml = part(&output, MAIN_PART);
        assert!(xml.contains("<w:p><w:r><w:drawing><wp:inline xmlns:wp=\"urn:wp\"/></w:drawing></w:r><w:r><w:t xml:space=\"preserve\">圖表</w:t></w:r></w:p>"), "{xml}");
    }

    #[test]
    fn ruby_base_text_is_read_and_its_annotation_kept() {
        let ruby = "<w:r><w:rPr><w:b/></w:rPr><w:ruby><w:rubyPr><w:rubyAlign w:val=\"center\"/></w:rubyPr>\
<w:rt><w:r><w:t>hoeng1 gong2</w:t></w:r></w:rt><w:rubyBase><w:r><w:rPr><w:b/></w:rPr><w:t>香港</w:t></w:r></w:rubyBase></w:ruby></w:r>";
        let body = format!("<w:p><w:r><w:t xml:space=\"preserve\">Welcome to </w:t></w:r>{ruby}<w:r><w:t>.</w:t></w:r></w:p>");
        let source = docx_of(&body);
        let document = read(&source);
        assert_eq!(document.blocks()[0].text, "Welcome to 香港.");
        assert_eq!(document.blocks()[0].source(), "Welcome to <g1>香港</g1>.");
        let same = identity(&document);
        assert_eq!(
            part(&same.bytes, MAIN_PART),
            part(&source, MAIN_PART)
                .replace("<w:t>香港</w:t>", "<w:t xml:space=\"preserve\">香港</w:t>")
                .replace("<w:t>.</w:t>", "<w:t xml:space=\"preserve\">.</w:t>"),
            "unchanged words give the same part, but for xml:space"
        );
        assert_eq!(document.blocks()[0].kind, BlockKind::Paragraph);
        let rendered = document
            .render(&["歡迎來到<g1>Hong Kong</g1>。".to_string()], Format::Docx)
            .unwrap();
        let xml = part(&rendered.bytes, MAIN_PART);
        assert!(xml.contains("<w:rt><w:r><w:t>hoeng1 gong2</w:t></w:r></w:rt><w:rubyBase><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Hong Kong</w:t></w:r></w:rubyBase></w:ruby></w:r>"), "{xml}");
        assert_eq!(
            read(&rendered.bytes).blocks()[0].text,
            "歡迎來到Hong Kong。"
        );
    }

    #[test]
    fn a_local_header_that_names_another_entry_does_not_change_which_entry_is_read() {
        // Found by fuzzing: a local header naming the entry apart from the
        // central directory made two entries take one name, and the output
        // could not be written (or read back).
        let xml = document_xml("<w:p><w:r><w:t>x</w:t></w:r></w:p>");
        let mut bytes = zip_of(
            &[
                (MAIN_PART, xml.as_bytes()),
                ("word/header1.xml", xml.as_bytes()),
                ("word/header2.xml", xml.as_bytes()),
            ],
            false,
        );
        let local = bytes
            .windows(16)
            .position(|w| w == b"word/header2.xml")
            .unwrap();
        bytes[local..local + 16].copy_from_slice(b"word/header1.xml");
        let document = read(&bytes);
        assert_eq!(
            document.blocks().len(),
            3,
            "each entry is read once, by its central name"
        );
        let output = identity(&document).bytes;
        assert_eq!(read(&output).blocks(), document.blocks());
    }

    #[test]
    fn a_document_without_the_w_prefix_is_written_with_its_own_prefix() {
        let xml = format!(
            "<document xmlns=\"{}\"><body><p><pPr><pStyle val=\"heading2\"/></pPr><r><t>Title</t></r></p></body></document>",
            String::from_utf8_lossy(W_NS)
        );
        let document = read(&zip_of(&[(MAIN_PART, xml.as_bytes())], false));
        assert_eq!(
            texts(&document),
            [(BlockKind::Heading, "Title".to_string())]
        );
        let output = document
            .render(&["標題".to_string()], Format::Docx)
            .unwrap()
            .bytes;
        assert!(part(&output, MAIN_PART).contains("<r><t xml:space=\"preserve\">標題</t></r>"));
    }

    #[test]
    fn alternate_content_fallback_text_is_not_a_second_block() {
        let body = "<w:p><w:r><mc:AlternateContent xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\">\
<mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>\
<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback>\
</mc:AlternateContent></w:r></w:p>";
        let document = read(&docx_of(body));
        assert_eq!(
            texts(&document),
            [(BlockKind::TextBox, "Boxed".to_string())]
        );
    }

    #[test]
    fn styles_named_heading_make_headings_whatever_their_id() {
        let styles = format!(
            "<w:styles xmlns:w=\"{}\"><w:style w:type=\"paragraph\" w:styleId=\"1\"><w:name w:val=\"heading 1\"/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"a\"><w:name w:val=\"List Bullet\"/><w:pPr><w:numPr><w:numId w:val=\"3\"/></w:numPr></w:pPr></w:style></w:styles>",
            String::from_utf8_lossy(W_NS)
        );
        let body = "<w:p><w:pPr><w:pStyle w:val=\"1\"/></w:pPr><w:r><w:t>標題</w:t></w:r></w:p>\
<w:p><w:pPr><w:pStyle w:val=\"a\"/></w:pPr><w:r><w:t>項目</w:t></w:r></w:p>\
<w:p><w:pPr><w:numPr><w:numId w:val=\"0\"/></w:numPr></w:pPr><w:r><w:t>正文</w:t></w:r></w:p>";
        let bytes = zip_of(
            &[
                (MAIN_PART, document_xml(body).as_bytes()),
                (STYLES_PART, styles.as_bytes()),
            ],
            false,
        );
        let kinds: Vec<BlockKind> = read(&bytes).blocks().iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading,
                BlockKind::ListItem,
                BlockKind::Paragraph
            ]
        );
    }

    #[test]
    fn a_truncated_docx_is_reported_as_truncated() {
        let bytes = sample::docx(2);
        assert_eq!(error(&bytes[..bytes.len() / 2]).code(), "truncated");
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_reported() {
        assert_eq!(
            error(b"{\\rtf1\\ansi Not a Word document}").code(),
            "not_zip"
        );
    }

    #[test]
    fn an_office_encrypted_file_is_password_protected() {
        let mut bytes = OLE_MAGIC.to_vec();
        bytes.extend([0u8; 504]);
        let mut old_doc = bytes.clone();
        bytes.extend(
            "EncryptionInfo\0EncryptedPackage"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let error = error(&bytes);
        assert_eq!(error.code(), "password_protected");
        assert!(error.to_string().contains("save an unprotected copy"));

        old_doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        let error = super::tests::error(&old_doc);
        assert_eq!(error.code(), "not_zip");
        assert!(error.to_string().contains("save it as .docx"));
    }

    #[test]
    fn a_zip_entry_flagged_encrypted_is_password_protected() {
        let mut bytes = zip_of(&[(MAIN_PART, document_xml("").as_bytes())], true);
        // Set bit 0 (encrypted) of the general-purpose flags in the local and central headers.
        for (signature, offset) in [(b"PK\x03\x04", 6), (b"PK\x01\x02", 8)] {
            let at = bytes
                .windows(4)
                .position(|window| window == signature)
                .unwrap();
            bytes[at + offset] |= 1;
        }
        assert_eq!(error(&bytes).code(), "password_protected");
    }

    #[test]
    fn a_zip_bomb_is_refused_by_ratio_and_by_size() {
        let zeros = vec![b' '; 20 * 1024 * 1024];
        let bomb = zip_of(&[(MAIN_PART, &zeros)], false);
        assert!(bomb.len() < 200 * 1024, "the fixture is small on disk");
        assert_eq!(error(&bomb).code(), "zip_bomb");

        let limits = Limits {
            max_part_bytes: 1024,
            ..Limits::default()
        };
        let big = document_xml(&"<w:p><w:r><w:t>Budget</w:t></w:r></w:p>".repeat(100));
        let bytes = zip_of(&[(MAIN_PART, big.as_bytes())], false);
        let error = Document::from_bytes(&bytes, Format::Docx, &limits).unwrap_err();
        assert_eq!(error.code(), "part_too_large");
    }

    #[test]
    fn a_zip_header_that_understates_the_size_does_not_bypass_the_bound() {
        let zeros = vec![b' '; 20 * 1024 * 1024];
        let mut bytes = zip_of(&[(MAIN_PART, &zeros)], false);
        // Claim 1,000 bytes uncompressed in the local and central headers.
        for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
            let at = bytes
                .windows(4)
                .rposition(|window| window == signature)
                .unwrap();
            bytes[at + offset..at + offset + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
        let code = error(&bytes).code();
        assert!(
            matches!(code, "zip_bomb" | "corrupt_zip" | "malformed_xml"),
            "{code}"
        );
    }

    #[test]
    fn a_doctype_or_an_undeclared_entity_is_refused() {
        let xml = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY boom \"{}\">]><w:document xmlns:w=\"{}\"><w:body>\
<w:p><w:r><w:t>&boom;</w:t></w:r></w:p></w:body></w:document>",
            "x".repeat(100),
            String::from_utf8_lossy(W_NS)
        );
        let bytes = zip_of(&[(MAIN_PART, xml.as_bytes())], false);
        assert_eq!(error(&bytes).code(), "xml_doctype");

        let bytes = docx_of("<w:p><w:r><w:t>&boom;</w:t></w:r></w:p>");
        assert_eq!(error(&bytes).code(), "malformed_xml");
        let bytes = docx_of("<w:p><w:r><w:t>unclosed</w:r></w:p>");
        assert_eq!(error(&bytes).code(), "malformed_xml");
    }

    #[test]
    fn entry_names_that_climb_out_of_the_archive_are_refused() {
        let document = document_xml("<w:p><w:r><w:t>x</w:t></w:r></w:p>");
        for name in [
            "../evil.xml",
            "/etc/evil.xml",
            "\\evil.xml",
            "C:/evil.xml",
            "word/../../evil.xml",
        ] {
            let bytes = zip_of(&[(MAIN_PART, document.as_bytes()), (name, b"x")], false);
            assert_eq!(error(&bytes).code(), "unsafe_entry_name", "{name}");
        }
    }

    #[test]
    fn too_many_entries_are_refused() {
        let limits = Limits {
            max_entries: 5,
            ..Limits::default()
        };
        let error = Document::from_bytes(&sample::docx(1), Format::Docx, &limits).unwrap_err();
        assert_eq!(error.code(), "too_many_entries");
    }

    #[test]
    fn a_zip_without_word_document_xml_is_refused() {
        let bytes = zip_of(&[("[Content_Types].xml", b"<Types/>")], false);
        let error = error(&bytes);
        assert_eq!(error.code(), "missing_part");
        assert!(error.to_string().contains("word/document.xml"));
    }

    #[test]
    fn a_docx_without_text_is_empty() {
        assert_eq!(
            error(&docx_of("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>")).code(),
            "empty"
        );
    }

    #[test]
    fn a_paragraph_with_many_bookmarks_and_nested_wrappers_is_read_in_linear_time() {
        let bookmarks = "<w:bookmarkStart w:id=\"1\" w:name=\"b\"/>".repeat(100_000);
        let nested = format!(
            "{}<w:r><w:t>deep</w:t></w:r>{}",
            "<w:ins w:id=\"1\" w:author=\"A\">".repeat(20_000),
            "</w:ins>".repeat(20_000)
        );
        let body = format!(
            "<w:p><w:hyperlink>{bookmarks}<w:r><w:t>text</w:t></w:r></w:hyperlink>{}</w:p>",
            format!("{nested}<w:r><w:t> more</w:t></w:r>").repeat(20)
        );
        let document = read(&docx_of(&body));
        assert!(document.blocks()[0].text.starts_with("textdeep more"));
        let output = document
            .render(&["x".to_string()], Format::Docx)
            .unwrap()
            .bytes;
        assert_eq!(read(&output).blocks()[0].text, "x");
    }

    #[test]
    fn the_300_page_benchmark_document_reads_and_renders() {
        let source = sample::docx(300);
        let document = read(&source);
        assert!(document.blocks().len() > 300 * 8);
        let translations: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| format!("譯：{}", b.text))
            .collect();
        let output = document.render(&translations, Format::Docx).unwrap().bytes;
        assert_eq!(read(&output).blocks().len(), document.blocks().len());
    }
}
