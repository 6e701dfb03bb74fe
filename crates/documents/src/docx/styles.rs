//! Paragraph styles from `word/styles.xml`: which make a heading and which a
//! list item.

use std::collections::HashSet;

use quick_xml::events::Event;
use quick_xml::NsReader;

use super::xml::{is_w, val, xml_error};
use crate::DocumentError;

/// Whether a style id or name is a title or heading ("Title", "Heading 1", "heading1").
pub(super) fn is_heading_name(name: &str) -> bool {
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
pub(super) struct StyleInfo {
    pub(super) headings: HashSet<String>,
    pub(super) lists: HashSet<String>,
}

pub(super) fn heading_and_list_styles(xml: &[u8], entry: &str) -> Result<StyleInfo, DocumentError> {
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

#[cfg(test)]
mod tests {
    use super::super::package::{MAIN_PART, STYLES_PART};
    use super::super::xml::W_NS;
    use crate::docx::tests::{document_xml, read, zip_of};
    use crate::BlockKind;

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
}
