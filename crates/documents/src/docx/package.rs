//! The zip package: opening and checking the archive before anything is
//! decompressed (encryption, entry names, count), which entries are text
//! parts and in what order, and decompressing a part within the size and
//! ratio limits whatever its header claims.

use std::collections::HashSet;
use std::io::{Cursor, Read};

use zip::ZipArchive;

use crate::{DocumentError, Limits};

/// Magic number of an OLE compound file, which is how Office stores encrypted documents.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(super) const MAIN_PART: &str = "word/document.xml";

pub(super) const STYLES_PART: &str = "word/styles.xml";

/// Parts smaller than this are never reported as zip bombs, whatever their ratio.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// Which kind of part a paragraph comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PartKind {
    Body,
    Header,
    Footer,
    Notes,
}

/// A .docx archive that passed the checks of [`open_checked`].
pub(super) struct Package<'a> {
    pub(super) archive: ZipArchive<Cursor<&'a [u8]>>,
    /// The entry index of `word/styles.xml`, if there is one.
    pub(super) styles: Option<usize>,
    /// The text parts in reading order: kind, entry index and name.
    pub(super) text_parts: Vec<(PartKind, usize, String)>,
}

/// Opens a .docx and checks it before anything is decompressed: not an
/// encrypted or old binary Office file, not too many entries, every name
/// safe and unique, no encrypted entry, and a `word/document.xml`.
///
/// # Errors
///
/// The archive errors of [`DocumentError`].
pub(super) fn open_checked<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<Package<'a>, DocumentError> {
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
    let styles = index_of(STYLES_PART);
    let text_parts = text_parts
        .into_iter()
        .map(|(_, kind, index, name)| (kind, index, name))
        .collect();
    Ok(Package {
        archive,
        styles,
        text_parts,
    })
}

/// A part without its UTF-8 byte-order mark, and whether it had one. The
/// reader's offsets count from after the mark, so the edits are made on the
/// rest and the mark is written back in front.
pub(super) fn strip_bom(xml: &[u8]) -> (bool, &[u8]) {
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
pub(super) fn entry_names(
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

pub(super) fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, DocumentError> {
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

/// Whether `name` is a part that is rewritten (one with translatable text).
pub(crate) fn is_text_part(name: &str) -> bool {
    text_part(name).is_some()
}

/// Whether `name` is a part with translatable text, and where its blocks go in reading order.
pub(super) fn text_part(name: &str) -> Option<(PartKind, (u8, u32, String))> {
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
pub(super) fn read_part(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docx::tests::{document_xml, error, identity, read, zip_of};
    use crate::{sample, Document, Format};
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    use zip::ZipWriter;

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
}
