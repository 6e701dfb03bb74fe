//! What the elements inside a paragraph mean to the reader: wrappers that are
//! looked into (links, insertions, content controls, simple fields), floats
//! that move with the words (bookmarks, comment ranges), text elements (tabs,
//! breaks, hyphens), and the complex fields open at a point of a part.

use quick_xml::events::BytesStart;

use super::xml::val_of;

/// Complex fields open at this point of a part; they can span paragraphs.
#[derive(Debug, Default)]
pub(super) struct Fields {
    /// Innermost last: whether the field's result (after `separate`) has been reached.
    pub(super) open: Vec<bool>,
    /// How many of `open` are in their result.
    pub(super) in_result: usize,
}

impl Fields {
    /// The innermost field reaches its result.
    pub(super) fn separate(&mut self) {
        if let Some(in_result @ false) = self.open.last_mut() {
            *in_result = true;
            self.in_result += 1;
        }
    }

    /// The innermost field ends.
    pub(super) fn end(&mut self) {
        let was_in_result = self.open.pop() == Some(true);
        self.in_result -= usize::from(was_in_result);
    }
}

/// Elements that wrap runs and are looked into: links, tracked insertions,
/// smart tags, custom XML, inline content controls, bidirectional embeddings
/// and simple fields (whose runs are the field's result, not text).
pub(super) const WRAPPERS: &[&[u8]] = &[
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
pub(super) const FLOATS: &[&[u8]] = &[
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

/// What a text element contributes to the block text, if it is one.
pub(super) fn text_element(local: &[u8], element: &BytesStart) -> Option<&'static str> {
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
