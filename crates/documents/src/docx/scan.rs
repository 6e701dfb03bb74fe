//! Reading one XML part with the streaming reader: paragraphs (nested ones
//! too) and what each element in them is, turned into blocks and plans.

use quick_xml::events::{BytesStart, Event};
use quick_xml::NsReader;

use super::elements::{text_element, Fields, FLOATS, WRAPPERS};
use super::package::PartKind;
use super::paragraph::{Frame, LeafInfo, NodeRef, Paragraph, RunInfo, TextElement, WrapperInfo};
use super::plan::{finish_paragraph, Plan};
use super::styles::StyleInfo;
use super::xml::{is_mc, is_w, prefix_of, val, val_of, xml_error};
use crate::{Block, BlockKind, DocumentError};

/// Reads one XML part into write-back plans and blocks.
pub(super) fn scan_part(
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

#[cfg(test)]
mod tests {
    use super::super::package::MAIN_PART;
    use super::super::xml::W_NS;
    use crate::docx::tests::{docx_of, error, read, texts, zip_of};
    use crate::{sample, BlockKind, Format};

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
}
