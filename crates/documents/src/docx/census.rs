//! The census: how many paragraphs, links, fields, content controls and other
//! things that must survive a translation a .docx's text parts hold.

use quick_xml::events::Event;
use quick_xml::NsReader;

use super::package::{entry_names, open, read_part, strip_bom, text_part};
use super::xml::{is_w, val_of, xml_error};
use crate::{DocumentError, Limits};

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
