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

use crate::{Block, BlockKind, DocumentError, Limits};

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
    xml: Vec<u8>,
    plans: Vec<Plan>,
}

/// How to write one block's translation back into its part.
#[derive(Debug, Clone)]
struct Plan {
    /// The element replaced by the translation (the first `w:t` of the first text run).
    anchor: Range<usize>,
    /// Namespace prefix of the WordprocessingML elements, with its colon (`"w:"`).
    prefix: String,
    /// Whitespace before and after the block text, kept around the translation.
    lead: String,
    trail: String,
    /// Elements removed: other text runs, their text elements, emptied wrappers.
    deletions: Vec<Range<usize>>,
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
    let mut text_parts = Vec::new();
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).map_err(zip_error)?;
        let name = file.name().to_owned();
        if !is_safe_name(&name) || file.enclosed_name().is_none() {
            return Err(DocumentError::UnsafeEntryName { name });
        }
        if file.encrypted() {
            return Err(DocumentError::PasswordProtected);
        }
        if let Some((kind, order)) = text_part(&name) {
            text_parts.push((order, kind, index, name));
        }
    }
    if archive.index_for_name(MAIN_PART).is_none() {
        return Err(DocumentError::MissingPart {
            name: MAIN_PART.to_owned(),
        });
    }
    text_parts.sort_by(|a, b| a.0.cmp(&b.0));

    let styles = match archive.index_for_name(STYLES_PART) {
        Some(index) => {
            let xml = read_part(&mut archive, index, STYLES_PART, limits)?;
            heading_and_list_styles(&xml, STYLES_PART)?
        }
        None => StyleInfo::default(),
    };

    let mut parts = Vec::new();
    let mut blocks = Vec::new();
    for (_, kind, index, name) in text_parts {
        let xml = read_part(&mut archive, index, &name, limits)?;
        let (plans, part_blocks) = scan_part(&xml, &name, kind, &styles)?;
        blocks.extend(part_blocks);
        parts.push(Part { index, xml, plans });
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
    /// The .docx with every block's text replaced; untranslated entries are copied raw.
    ///
    /// # Errors
    ///
    /// [`DocumentError::Write`] if the zip cannot be rebuilt (which means a bug:
    /// the source was validated when it was read).
    pub(crate) fn render(&self, translations: &[String]) -> Result<Vec<u8>, DocumentError> {
        let mut archive = open(&self.bytes)?;
        let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(self.bytes.len() * 2)));
        let comment = archive.comment().to_vec();
        if !comment.is_empty() {
            writer
                .set_raw_comment(comment.into_boxed_slice())
                .map_err(DocumentError::write)?;
        }
        let mut next_block = 0;
        let mut rewritten: HashMap<usize, Vec<u8>> = HashMap::new();
        for part in &self.parts {
            let count = part.plans.len();
            let xml = render_part(
                &part.xml,
                &part.plans,
                &translations[next_block..next_block + count],
            );
            next_block += count;
            rewritten.insert(part.index, xml);
        }
        for index in 0..archive.len() {
            let file = archive.by_index_raw(index).map_err(DocumentError::write)?;
            match rewritten.remove(&index) {
                Some(xml) => {
                    let mut options = SimpleFileOptions::default()
                        .compression_method(CompressionMethod::Deflated);
                    if let Some(time) = file.last_modified() {
                        options = options.last_modified_time(time);
                    }
                    let name = file.name().to_owned();
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
        Ok(cursor.into_inner())
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

/// Whether a zip entry name stays inside the archive's root.
fn is_safe_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !(name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\0')
        || (bytes.len() >= 2 && bytes[1] == b':')
        || name.split(['/', '\\']).any(|segment| segment == ".."))
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

/// Wrappers of runs that may go when all their runs are removed. Others, such
/// as `w:fldSimple`, stay even when empty, so that fields survive.
const REMOVABLE_WRAPPERS: &[&[u8]] = &[
    b"hyperlink",
    b"ins",
    b"moveTo",
    b"smartTag",
    b"customXml",
    b"sdt",
    b"sdtContent",
    b"dir",
    b"bdo",
];

/// An element open inside a paragraph, outside any nested paragraph.
#[derive(Debug)]
enum Frame {
    /// A wrapper of runs (hyperlink, ins, smartTag, sdt...) or any other paragraph content.
    Container(usize),
    Run(usize),
    /// Inside a `w:t`: the element's start offset, its prefix and the text so far.
    Text {
        start: usize,
        prefix: String,
        text: String,
    },
    PPr,
    NumPr,
    /// Content that is not looked into (properties, drawings, deleted text).
    Inner,
}

#[derive(Debug)]
struct RunInfo {
    range: Range<usize>,
    /// Holds only `w:rPr` and text elements.
    pure: bool,
    parent: Option<usize>,
    /// Part of a field's result: kept as it is, its text is not text.
    in_field: bool,
}

#[derive(Debug)]
struct ContainerInfo {
    range: Range<usize>,
    parent: Option<usize>,
    /// Children that are neither runs nor containers (bookmarks, proofErr...).
    kept: usize,
    /// A pure wrapper (hyperlink, insertion...), removed when it is left empty.
    removable: bool,
    /// Runs and containers directly inside.
    children: usize,
    /// A `w:fldSimple` or inside one: its runs are the field's result.
    in_field: bool,
}

#[derive(Debug)]
struct TextElement {
    range: Range<usize>,
    text: String,
    run: usize,
    /// A `w:t` (as opposed to a tab or a break), which can take the translation.
    is_t: bool,
    prefix: String,
}

/// A paragraph being read.
#[derive(Debug)]
struct Paragraph {
    kind: BlockKind,
    /// Inside `mc:Fallback`: read, but not a block.
    /// Index of this paragraph's entry in reading order.
    slot: usize,
    skip: bool,
    style: Option<String>,
    outline: bool,
    numbered: bool,
    frames: Vec<Frame>,
    runs: Vec<RunInfo>,
    containers: Vec<ContainerInfo>,
    texts: Vec<TextElement>,
}

impl Paragraph {
    /// The container being read, when runs and containers are created (they only are directly inside one).
    fn parent_container(&self) -> Option<usize> {
        match self.frames.last() {
            Some(Frame::Container(index)) => Some(*index),
            _ => None,
        }
    }

    /// The run being read, once a `w:t` frame (always directly inside its run) is popped.
    fn current_run(&self) -> Option<usize> {
        match self.frames.last() {
            Some(Frame::Run(index)) => Some(*index),
            _ => None,
        }
    }

    /// Records a new run or container as a child of `parent`.
    fn adopt(&mut self, parent: Option<usize>) {
        if let Some(parent) = parent {
            self.containers[parent].children += 1;
        }
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
        b"softHyphen" | b"lastRenderedPageBreak" => Some(""),
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
                        frames: Vec::new(),
                        runs: Vec::new(),
                        containers: Vec::new(),
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
                    close_frame(paragraph, frame, after);
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
                    Some(frame) => close_frame(paragraph, frame, after),
                    None => {
                        // The end of the paragraph itself.
                        let paragraph = paragraphs.pop().expect("a paragraph is open");
                        let slot = paragraph.slot;
                        slots[slot] = finish_paragraph(paragraph, styles);
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
        None | Some(Frame::Container(_)) => {
            let at_top = paragraph.frames.is_empty();
            if w && local == b"r" {
                let parent = paragraph.parent_container();
                paragraph.adopt(parent);
                let in_field = fields.in_result > 0
                    || parent.is_some_and(|p| paragraph.containers[p].in_field);
                paragraph.runs.push(RunInfo {
                    range: before..after,
                    pure: !in_field,
                    parent,
                    in_field,
                });
                Frame::Run(paragraph.runs.len() - 1)
            } else if w && at_top && local == b"pPr" {
                Frame::PPr
            } else if local.ends_with(b"Pr") {
                Frame::Inner
            } else if w && (local == b"del" || local == b"moveFrom") {
                // Deleted text is not text; the whole element is kept as it is.
                if let Some(Frame::Container(parent)) = paragraph.frames.last() {
                    paragraph.containers[*parent].kept += 1;
                }
                Frame::Inner
            } else {
                let parent = paragraph.parent_container();
                paragraph.adopt(parent);
                let removable = w && REMOVABLE_WRAPPERS.contains(&local);
                let in_field = (w && local == b"fldSimple")
                    || parent.is_some_and(|p| paragraph.containers[p].in_field);
                paragraph.containers.push(ContainerInfo {
                    range: before..after,
                    parent,
                    kept: 0,
                    children: 0,
                    removable,
                    in_field,
                });
                Frame::Container(paragraph.containers.len() - 1)
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
                Frame::Inner
            } else if w && local == b"t" {
                Frame::Text {
                    start: before,
                    prefix: prefix_of(element),
                    text: String::new(),
                }
            } else if let Some(text) = w.then(|| text_element(local, element)).flatten() {
                paragraph.texts.push(TextElement {
                    range: before..after,
                    text: text.to_owned(),
                    run,
                    is_t: false,
                    prefix: prefix_of(element),
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
        Some(Frame::Text { .. } | Frame::Inner) => Frame::Inner,
    }
}

/// Records the end of an element: ranges of runs and containers, finished `w:t` text.
fn close_frame(paragraph: &mut Paragraph, frame: Frame, after: usize) {
    match frame {
        Frame::Run(index) => paragraph.runs[index].range.end = after,
        Frame::Container(index) => {
            paragraph.containers[index].range.end = after;
            // A container that turns out to hold no runs is a kept child of its parent.
            if paragraph.containers[index].children == 0 {
                if let Some(parent) = paragraph.containers[index].parent {
                    paragraph.containers[parent].kept += 1;
                }
            }
        }
        Frame::Text {
            start,
            prefix,
            text,
        } => {
            if let Some(run) = paragraph.current_run() {
                paragraph.texts.push(TextElement {
                    range: start..after,
                    text,
                    run,
                    is_t: true,
                    prefix,
                });
            }
        }
        Frame::PPr | Frame::NumPr | Frame::Inner => {}
    }
}

/// Turns a finished paragraph into a block and its write-back plan, unless it has no text.
fn finish_paragraph(paragraph: Paragraph, styles: &StyleInfo) -> Option<(Plan, Block)> {
    if paragraph.skip {
        return None;
    }
    let text: String = paragraph.texts.iter().map(|t| t.text.as_str()).collect();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let lead_len = text.len() - text.trim_start().len();
    let lead = text[..lead_len].to_owned();
    let trail = text[lead_len + trimmed.len()..].to_owned();

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

    let anchor_index = paragraph
        .texts
        .iter()
        .position(|t| t.is_t && paragraph.runs[t.run].pure)
        .or_else(|| paragraph.texts.iter().position(|t| t.is_t))
        .unwrap_or(0);
    let anchor = &paragraph.texts[anchor_index];
    let anchor_run = anchor.run;

    let mut deletions = Vec::new();
    let mut run_removed = vec![false; paragraph.runs.len()];
    for (index, run) in paragraph.runs.iter().enumerate() {
        if run.pure && index != anchor_run {
            run_removed[index] = true;
            deletions.push(run.range.clone());
        }
    }
    for (index, element) in paragraph.texts.iter().enumerate() {
        if index != anchor_index && !run_removed[element.run] {
            deletions.push(element.range.clone());
        }
    }
    // Wrappers left with no children go too; children come after their parents.
    let count = paragraph.containers.len();
    let mut total = vec![0usize; count];
    let mut removed = vec![0usize; count];
    for (index, run) in paragraph.runs.iter().enumerate() {
        if let Some(parent) = run.parent {
            total[parent] += 1;
            removed[parent] += usize::from(run_removed[index]);
        }
    }
    for index in (0..count).rev() {
        let container = &paragraph.containers[index];
        let gone = container.removable
            && container.kept == 0
            && total[index] > 0
            && removed[index] == total[index];
        if gone {
            deletions.push(container.range.clone());
        }
        if let Some(parent) = container.parent {
            total[parent] += 1;
            removed[parent] += usize::from(gone);
        }
    }

    let plan = Plan {
        anchor: anchor.range.clone(),
        prefix: anchor.prefix.clone(),
        lead,
        trail,
        deletions,
    };
    Some((
        plan,
        Block {
            kind,
            text: trimmed.to_owned(),
        },
    ))
}

/// The part with each plan applied.
fn render_part(xml: &[u8], plans: &[Plan], translations: &[String]) -> Vec<u8> {
    let mut edits: Vec<(Range<usize>, Option<Vec<u8>>)> = Vec::new();
    for (plan, translation) in plans.iter().zip(translations) {
        let text = format!("{}{}{}", plan.lead, translation, plan.trail);
        edits.push((
            plan.anchor.clone(),
            Some(runs_xml(&plan.prefix, &text).into_bytes()),
        ));
        edits.extend(plan.deletions.iter().map(|range| (range.clone(), None)));
    }
    edits.sort_by_key(|(range, _)| (range.start, std::cmp::Reverse(range.end)));
    let mut out = Vec::with_capacity(xml.len() + xml.len() / 2);
    let mut position = 0;
    for (range, replacement) in edits {
        if range.start < position {
            // Inside an element already removed.
            continue;
        }
        out.extend_from_slice(&xml[position..range.start]);
        if let Some(replacement) = replacement {
            out.extend_from_slice(&replacement);
        }
        position = range.end;
    }
    out.extend_from_slice(&xml[position..]);
    out
}

/// `text` as the content of a run: `w:t` elements, with `w:tab` for tabs and `w:br` for line breaks.
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
        match c {
            '\t' => {
                flush(&mut segment, &mut out);
                out.push_str(&format!("<{prefix}tab/>"));
            }
            '\n' => {
                flush(&mut segment, &mut out);
                out.push_str(&format!("<{prefix}br/>"));
            }
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
    use crate::{sample, Document, Format};

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
        let translations: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| format!("<ZH> {} & co", b.text.to_uppercase()))
            .collect();
        let output = document.render(&translations, Format::Docx).unwrap();
        let again = read(&output);

        assert_eq!(again.blocks().len(), document.blocks().len());
        for ((before, after), expected) in document
            .blocks()
            .iter()
            .zip(again.blocks())
            .zip(&translations)
        {
            assert_eq!(before.kind, after.kind);
            assert_eq!(&after.text, expected);
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
        let same: Vec<String> = document.blocks().iter().map(|b| b.text.clone()).collect();
        let again = read(&document.render(&same, Format::Docx).unwrap());
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
            "<w:p><w:r><w:rPr><w:i/></w:rPr><w:t>old</w:t></w:r><w:r><w:t xml:space=\"preserve\"> text</w:t></w:r></w:p>",
        );
        let document = read(&source);
        let output = document
            .render(&["a < b & c > d\tnext\nline".to_string()], Format::Docx)
            .unwrap();
        let xml = part(&output, MAIN_PART);
        assert!(xml.contains(
            "<w:r><w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\">a &lt; b &amp; c &gt; d</w:t>\
<w:tab/><w:t xml:space=\"preserve\">next</w:t><w:br/><w:t xml:space=\"preserve\">line</w:t></w:r></w:p>"
        ), "{xml}");
        assert!(!xml.contains(" text"));
        assert_eq!(read(&output).blocks()[0].text, "a < b & c > d\tnext\nline");
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
        let output = document
            .render(&["新文字".to_string()], Format::Docx)
            .unwrap();
        let xml = part(&output, MAIN_PART);
        let expected = "<w:p>\
<w:ins w:id=\"1\" w:author=\"A\"><w:r><w:t xml:space=\"preserve\">新文字</w:t></w:r></w:ins>\
<w:del w:id=\"2\" w:author=\"A\"><w:r><w:delText>deleted</w:delText></w:r></w:del>\
\
<w:r><w:br w:type=\"page\"/></w:r>\
<w:r><w:sym w:font=\"Wingdings\" w:char=\"F0FC\"/></w:r>\
<w:fldSimple w:instr=\" DATE \"><w:r><w:t>1/3/2026</w:t></w:r></w:fldSimple>\
<w:bookmarkStart w:id=\"0\" w:name=\"b\"/><w:bookmarkEnd w:id=\"0\"/>\
</w:p>";
        assert!(xml.contains(expected), "{xml}");
    }

    #[test]
    fn a_hyperlink_with_the_first_text_run_keeps_the_translation() {
        let body = "<w:p><w:hyperlink r:id=\"rId9\"><w:r><w:t>Budget</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\"> website</w:t></w:r></w:p>";
        let document = read(&docx_of(body));
        let output = document
            .render(&["預算網站".to_string()], Format::Docx)
            .unwrap();
        let xml = part(&output, MAIN_PART);
        assert!(xml.contains(
            "<w:p><w:hyperlink r:id=\"rId9\"><w:r><w:t xml:space=\"preserve\">預算網站</w:t></w:r></w:hyperlink></w:p>"
        ), "{xml}");
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
            .unwrap();
        let xml = part(&output, MAIN_PART);
        assert!(
            xml.contains(
                "<w:p><w:r><w:t xml:space=\"preserve\">   </w:t></w:r><w:r><w:tab/></w:r></w:p>\
<w:p><w:r><w:t xml:space=\"preserve\">  縮排 </w:t></w:r></w:p>"
            ),
            "{xml}"
        );
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
            .unwrap();
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
        let output = document.render(&["x".to_string()], Format::Docx).unwrap();
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
        let output = document.render(&translations, Format::Docx).unwrap();
        assert_eq!(read(&output).blocks().len(), document.blocks().len());
    }
}
