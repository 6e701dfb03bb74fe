//! New documents built from blocks, and the bilingual review copy.
//!
//! Used when there is no source to edit in place: a PDF's translation, a
//! translation written to another format than the input's, and
//! [`bilingual_docx`]. New .docx files are built with docx-rs (headings get a
//! "Heading 1" style, list items a bullet list), Markdown and text are plain
//! paragraphs separated by blank lines.

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, BreakType, Docx, IndentLevel, Level, LevelJc, LevelText, NumberFormat,
    Numbering, NumberingId, Paragraph, Run, RunFonts, Start, Style, StyleType, Table, TableCell,
    TableRow, WidthType,
};

use crate::{Block, BlockKind, DocumentError, Format};

const HEADING_STYLE: &str = "Heading1";
const TITLE_STYLE: &str = "Title";
const BULLETS: usize = 1;
/// Width of the text area of an A4 page with 2.5 cm margins, in twentieths of a point.
const TEXT_WIDTH: usize = 9026;

/// Builds a new document of format `to` from `blocks`.
///
/// # Errors
///
/// [`DocumentError::CannotWrite`] for PDF, [`DocumentError::Write`] if docx-rs fails.
pub(crate) fn build(blocks: &[Block], to: Format) -> Result<Vec<u8>, DocumentError> {
    match to {
        Format::Docx => {
            let mut docx = new_docx();
            for block in blocks {
                let mut paragraph = paragraph(&block.text);
                match block.kind {
                    BlockKind::Heading => paragraph = paragraph.style(HEADING_STYLE),
                    BlockKind::ListItem => {
                        paragraph =
                            paragraph.numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                    }
                    _ => {}
                }
                docx = docx.add_paragraph(paragraph);
            }
            pack(docx)
        }
        Format::Markdown => Ok(join(blocks.iter().map(|block| {
            let text = escape_markdown_start(&block.text);
            match block.kind {
                BlockKind::Heading => format!("# {}", text.replace('\n', " ")),
                BlockKind::ListItem => format!("- {text}"),
                _ => text,
            }
        }))),
        Format::Text => Ok(join(blocks.iter().map(|block| block.text.clone()))),
        Format::Pdf => Err(DocumentError::CannotWrite { format: to }),
    }
}

/// A review copy: a .docx whose body is a title paragraph and one two-column table, source | translation, one row per pair.
///
/// # Errors
///
/// [`DocumentError::Write`] if docx-rs fails to build the file.
pub fn bilingual_docx(title: &str, pairs: &[(String, String)]) -> Result<Vec<u8>, DocumentError> {
    let half = TEXT_WIDTH / 2;
    let rows = pairs
        .iter()
        .map(|(source, translation)| {
            TableRow::new(vec![
                TableCell::new()
                    .width(half, WidthType::Dxa)
                    .add_paragraph(paragraph(source)),
                TableCell::new()
                    .width(half, WidthType::Dxa)
                    .add_paragraph(paragraph(translation)),
            ])
        })
        .collect();
    let table = Table::new(rows)
        .set_grid(vec![half, half])
        .width(TEXT_WIDTH, WidthType::Dxa);
    let docx = new_docx()
        .add_paragraph(paragraph(title).style(TITLE_STYLE))
        .add_table(table);
    pack(docx)
}

fn new_docx() -> Docx {
    let bullet = Level::new(
        0,
        Start::new(1),
        NumberFormat::new("bullet"),
        LevelText::new("\u{2022}"),
        LevelJc::new("left"),
    )
    .indent(
        Some(720),
        Some(docx_rs::SpecialIndentType::Hanging(360)),
        None,
        None,
    );
    Docx::new()
        .default_fonts(
            RunFonts::new()
                .ascii("Arial")
                .hi_ansi("Arial")
                .east_asia("PMingLiU"),
        )
        .add_style(
            Style::new(TITLE_STYLE, StyleType::Paragraph)
                .name("Title")
                .bold()
                .size(36),
        )
        .add_style(
            Style::new(HEADING_STYLE, StyleType::Paragraph)
                .name("Heading 1")
                .bold()
                .size(28)
                .outline_lvl(0),
        )
        .add_abstract_numbering(AbstractNumbering::new(BULLETS).add_level(bullet))
        .add_numbering(Numbering::new(BULLETS, BULLETS))
}

/// A paragraph of one run; tabs and line breaks become `w:tab` and `w:br`.
fn paragraph(text: &str) -> Paragraph {
    let mut run = Run::new();
    let text = text.replace("\r\n", "\n");
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        for (index, piece) in line.split('\t').enumerate() {
            if index > 0 {
                run = run.add_tab();
            }
            if !piece.is_empty() {
                run = run.add_text(piece);
            }
        }
    }
    Paragraph::new().add_run(run)
}

fn pack(docx: Docx) -> Result<Vec<u8>, DocumentError> {
    let mut cursor = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut cursor)
        .map_err(DocumentError::write)?;
    Ok(cursor.into_inner())
}

/// Paragraphs separated by blank lines, with a final newline.
fn join(paragraphs: impl Iterator<Item = String>) -> Vec<u8> {
    let mut out = paragraphs.collect::<Vec<_>>().join("\n\n");
    out.push('\n');
    out.into_bytes()
}

/// `text` with a backslash before a first character that Markdown would take for markup.
fn escape_markdown_start(text: &str) -> String {
    match text.chars().next() {
        Some('#' | '>' | '-' | '+' | '*' | '=' | '|') => format!("\\{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, Limits};

    #[test]
    fn a_bilingual_copy_is_a_title_and_one_row_per_pair() {
        let pairs = vec![
            ("財政預算案".to_string(), "The Budget".to_string()),
            (
                "撥款 & 開支 <草案>".to_string(),
                "Funds & spending <draft>".to_string(),
            ),
        ];
        let bytes = bilingual_docx("Review copy 覆核本", &pairs).unwrap();
        let document = Document::from_bytes(&bytes, Format::Docx, &Limits::default()).unwrap();
        let blocks: Vec<(BlockKind, &str)> = document
            .blocks()
            .iter()
            .map(|b| (b.kind, b.text.as_str()))
            .collect();
        assert_eq!(
            blocks,
            [
                (BlockKind::Heading, "Review copy 覆核本"),
                (BlockKind::TableCell, "財政預算案"),
                (BlockKind::TableCell, "The Budget"),
                (BlockKind::TableCell, "撥款 & 開支 <草案>"),
                (BlockKind::TableCell, "Funds & spending <draft>"),
            ]
        );
    }

    #[test]
    fn fresh_docx_keeps_kinds_and_line_breaks() {
        let blocks = vec![
            Block {
                kind: BlockKind::Heading,
                text: "標題".into(),
                markup: None,
            },
            Block {
                kind: BlockKind::ListItem,
                text: "first\tsecond".into(),
                markup: None,
            },
            Block {
                kind: BlockKind::Paragraph,
                text: "line one\nline two".into(),
                markup: None,
            },
        ];
        let bytes = build(&blocks, Format::Docx).unwrap();
        let document = Document::from_bytes(&bytes, Format::Docx, &Limits::default()).unwrap();
        assert_eq!(document.blocks(), blocks);
    }

    #[test]
    fn fresh_markdown_marks_headings_and_list_items() {
        let blocks = vec![
            Block {
                kind: BlockKind::Heading,
                text: "Budget".into(),
                markup: None,
            },
            Block {
                kind: BlockKind::ListItem,
                text: "Housing".into(),
                markup: None,
            },
            Block {
                kind: BlockKind::Paragraph,
                text: "# not a heading".into(),
                markup: None,
            },
        ];
        let out = String::from_utf8(build(&blocks, Format::Markdown).unwrap()).unwrap();
        assert_eq!(out, "# Budget\n\n- Housing\n\n\\# not a heading\n");
    }
}
