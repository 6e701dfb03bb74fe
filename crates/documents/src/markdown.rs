//! Markdown files: the prose is translated, the markup is not touched.
//!
//! pulldown-cmark parses the source with byte offsets. A block is a maximal
//! run of text and soft line breaks inside one block element (paragraph,
//! heading, list item, table cell, block quote, footnote); inline markup such
//! as emphasis or a link ends a run, so link text is a block of its own. Code
//! (inline, fenced, indented), HTML, link destinations and titles and front
//! matter never become blocks. [`MarkdownSource::render`] replaces only the
//! byte ranges of the blocks, so everything else stays byte-identical.
//!
//! Math extensions are deliberately off: with them, amounts such as
//! "HK$1,250 and HK$300" would be taken for a formula.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

use crate::{Block, BlockKind, DocumentError};

/// A Markdown source and the byte ranges of its blocks.
#[derive(Debug, Clone)]
pub(crate) struct MarkdownSource {
    text: String,
    spans: Vec<Range<usize>>,
}

/// An open element: the kind its text gets and whether its text is verbatim (code, HTML, front matter).
///
/// Both are inherited from the enclosing element when it decides, so nesting depth costs nothing per event.
#[derive(Debug, Clone, Copy)]
struct Context {
    kind: Option<BlockKind>,
    verbatim: bool,
}

/// Parses a Markdown file (any encoding [`crate::text::decode`] knows) into blocks.
///
/// # Errors
///
/// [`DocumentError::Binary`] for binary data, [`DocumentError::Empty`] for no prose.
pub(crate) fn read(bytes: &[u8]) -> Result<(MarkdownSource, Vec<Block>), DocumentError> {
    let text = crate::text::decode(bytes)?;
    let (spans, blocks) = scan(&text);
    if blocks.is_empty() {
        return Err(DocumentError::Empty);
    }
    Ok((MarkdownSource { text, spans }, blocks))
}

impl MarkdownSource {
    /// The source with block `i`'s range replaced by `translations[i]`.
    pub(crate) fn render(&self, translations: &[String]) -> Vec<u8> {
        let mut out = String::with_capacity(self.text.len() * 2);
        let mut last = 0;
        for (span, translation) in self.spans.iter().zip(translations) {
            out.push_str(&self.text[last..span.start]);
            out.push_str(translation);
            last = span.end;
        }
        out.push_str(&self.text[last..]);
        out.into_bytes()
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

/// A run of text being collected.
struct Run {
    range: Range<usize>,
    text: String,
}

fn scan(source: &str) -> (Vec<Range<usize>>, Vec<Block>) {
    let mut spans = Vec::new();
    let mut blocks = Vec::new();
    let mut stack: Vec<Context> = Vec::new();
    let mut run: Option<Run> = None;

    let mut flush = |run: &mut Option<Run>, stack: &[Context]| {
        let kind = stack
            .last()
            .and_then(|context| context.kind)
            .unwrap_or(BlockKind::Paragraph);
        let Some(Run { range, text }) = run.take() else {
            return;
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return;
        }
        let slice = &source[range.clone()];
        let start = range.start + (slice.len() - slice.trim_start().len());
        let end = range.start + slice.trim_end().len();
        spans.push(start..end);
        blocks.push(Block::plain(kind, trimmed));
    };

    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        let verbatim = stack.last().is_some_and(|context| context.verbatim);
        match event {
            Event::Text(text) if !verbatim => match &mut run {
                Some(run) => {
                    run.range.end = range.end;
                    run.text.push_str(&text);
                }
                None => {
                    run = Some(Run {
                        range,
                        text: text.into_string(),
                    })
                }
            },
            Event::SoftBreak if !verbatim => {
                if let Some(run) = &mut run {
                    run.text.push(' ');
                }
            }
            Event::Start(tag) => {
                flush(&mut run, &stack);
                let outer = stack.last().copied().unwrap_or(Context {
                    kind: None,
                    verbatim: false,
                });
                let kind = match tag {
                    Tag::Heading { .. } => Some(BlockKind::Heading),
                    Tag::Item => Some(BlockKind::ListItem),
                    Tag::TableCell => Some(BlockKind::TableCell),
                    Tag::FootnoteDefinition(_) => Some(BlockKind::Footnote),
                    _ => outer.kind,
                };
                let verbatim = outer.verbatim
                    || matches!(
                        tag,
                        Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_)
                    )
                    // An autolink's text is its address.
                    || matches!(
                        tag,
                        Tag::Link {
                            link_type: LinkType::Autolink | LinkType::Email,
                            ..
                        }
                    );
                stack.push(Context { kind, verbatim });
            }
            Event::End(_) => {
                // Every End closes the element of the last Start.
                flush(&mut run, &stack);
                stack.pop();
            }
            _ => flush(&mut run, &stack),
        }
    }
    flush(&mut run, &stack);
    (spans, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, Format, Limits};

    const SOURCE: &str = "---\ntitle: Budget note\n---\n\n\
# Budget 2026\n\n\
The Government will spend HK$1,250 million\non housing, a rise of 3.5%.\n\n\
- First item with `inline code` inside\n\
- Second item, see [the press release](https://www.info.gov.hk/ \"Press\")\n\
- Write to <budget@example.gov.hk> or <https://www.budget.gov.hk>\n\n\
```rust\nlet fee = 1250;\n```\n\n\
\x20   indented code stays\n\n\
<div class=\"note\">raw html</div>\n\n\
| Bureau | Amount |\n| --- | --- |\n| Housing | HK$300 million |\n\n\
> A quoted remark\n> over two lines.\n";

    fn read(source: &str) -> Document {
        Document::from_bytes(source.as_bytes(), Format::Markdown, &Limits::default())
            .expect("markdown reads")
    }

    #[test]
    fn markdown_blocks_are_prose_only_with_their_kinds() {
        let document = read(SOURCE);
        let blocks: Vec<(BlockKind, &str)> = document
            .blocks()
            .iter()
            .map(|b| (b.kind, b.text.as_str()))
            .collect();
        assert_eq!(
            blocks,
            [
                (BlockKind::Heading, "Budget 2026"),
                (
                    BlockKind::Paragraph,
                    "The Government will spend HK$1,250 million on housing, a rise of 3.5%."
                ),
                (BlockKind::ListItem, "First item with"),
                (BlockKind::ListItem, "inside"),
                (BlockKind::ListItem, "Second item, see"),
                (BlockKind::ListItem, "the press release"),
                (BlockKind::ListItem, "Write to"),
                (BlockKind::ListItem, "or"),
                (BlockKind::TableCell, "Bureau"),
                (BlockKind::TableCell, "Amount"),
                (BlockKind::TableCell, "Housing"),
                (BlockKind::TableCell, "HK$300 million"),
                (BlockKind::Paragraph, "A quoted remark over two lines."),
            ]
        );
    }

    #[test]
    fn markdown_render_changes_text_and_keeps_code_html_and_links_byte_identical() {
        let document = read(SOURCE);
        let translations: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| format!("[zh] {}", b.text.to_uppercase()))
            .collect();
        let out = String::from_utf8(
            document
                .render(&translations, Format::Markdown)
                .unwrap()
                .bytes,
        )
        .unwrap();
        for kept in [
            "---\ntitle: Budget note\n---\n",
            "`inline code`",
            "](https://www.info.gov.hk/ \"Press\")",
            "<budget@example.gov.hk> [zh] OR <https://www.budget.gov.hk>",
            "```rust\nlet fee = 1250;\n```\n",
            "    indented code stays\n",
            "<div class=\"note\">raw html</div>\n",
            "| --- | --- |",
        ] {
            assert!(out.contains(kept), "{kept:?} missing from {out}");
        }
        assert!(out.contains("# [zh] BUDGET 2026\n"));
        assert!(out.contains("- [zh] FIRST ITEM WITH `inline code` [zh] INSIDE\n"));
        assert!(out.contains("> [zh] A QUOTED REMARK OVER TWO LINES.\n"));
        let again = read(&out);
        let texts: Vec<&str> = again.blocks().iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, translations);
    }

    #[test]
    fn markdown_rendered_with_the_same_texts_is_byte_identical_when_no_line_is_wrapped() {
        let source = "# Title\n\nOne *two* three.\n\n1. item\n";
        let document = read(source);
        let same: Vec<String> = document.blocks().iter().map(|b| b.text.clone()).collect();
        assert_eq!(
            document.render(&same, Format::Markdown).unwrap().bytes,
            source.as_bytes()
        );
    }

    #[test]
    fn markdown_with_only_code_is_empty() {
        let error = Document::from_bytes(
            b"```\ncode only\n```\n",
            Format::Markdown,
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(error.code(), "empty");
    }
}
