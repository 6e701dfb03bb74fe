//! Markdown files: the prose is translated, the markup is not touched.
//!
//! pulldown-cmark parses the source with byte offsets. A block is the inline
//! content of one leaf block element (a paragraph, a heading, a table cell,
//! the text of a list item); block quotes, lists and footnotes hold blocks.
//! Inside a block, emphasis, strong, strikethrough and links become paired
//! tags (`<g1>…</g1>`, see [`crate::inline`]) whose delimiters are written
//! back from the source (`**`, `[` and `](url "title")`), and what is not
//! prose (inline code, inline HTML, images, autolinks, hard breaks, footnote
//! references, task markers) becomes a placeholder (`<x1/>`) copied back
//! byte for byte. Code blocks, HTML blocks and front matter never become
//! blocks. [`MarkdownSource::render`] replaces only the byte range of each
//! block, so everything else stays byte-identical.
//!
//! Math extensions are deliberately off: with them, amounts such as
//! "HK$1,250 and HK$300" would be taken for a formula.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

use crate::{inline, Block, BlockKind, DocumentError};

/// A Markdown source and how to write each block back.
#[derive(Debug, Clone)]
pub(crate) struct MarkdownSource {
    text: String,
    segments: Vec<Segment>,
}

/// One block: its source range, and the delimiters and verbatim pieces its tags stand for.
#[derive(Debug, Clone)]
struct Segment {
    range: Range<usize>,
    /// Inline elements: the source of their opening and closing delimiters.
    elements: Vec<(Range<usize>, Range<usize>)>,
    /// Each tag's elements, outermost first.
    tags: Vec<(u32, Vec<usize>)>,
    /// Each placeholder's source.
    atoms: Vec<(u32, Range<usize>)>,
    spec: Option<inline::Spec>,
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
    let (segments, blocks) = scan(&text);
    if blocks.is_empty() {
        return Err(DocumentError::Empty);
    }
    Ok((MarkdownSource { text, segments }, blocks))
}

impl MarkdownSource {
    /// The source with block `i`'s range replaced by `translations[i]`.
    pub(crate) fn render(&self, translations: &[String]) -> (Vec<u8>, Vec<Vec<inline::Problem>>) {
        let mut out = String::with_capacity(self.text.len() * 2);
        let mut problems = Vec::with_capacity(translations.len());
        let mut last = 0;
        for (segment, translation) in self.segments.iter().zip(translations) {
            out.push_str(&self.text[last..segment.range.start]);
            match &segment.spec {
                None => {
                    out.push_str(&escape(translation, true));
                    problems.push(Vec::new());
                }
                Some(spec) => {
                    let checked = inline::check(spec, translation);
                    self.rebuild(segment, &checked, &mut out);
                    problems.push(checked.problems);
                }
            }
            last = segment.range.end;
        }
        out.push_str(&self.text[last..]);
        (out.into_bytes(), problems)
    }

    /// A block's source written from its checked translation: delimiters
    /// opened and closed around each tagged span, placeholders copied.
    fn rebuild(&self, segment: &Segment, checked: &inline::Checked, out: &mut String) {
        let mut open: Vec<usize> = Vec::new();
        let mut at_start = true;
        let enter = |chain: &[usize], open: &mut Vec<usize>, out: &mut String| {
            let common = open.iter().zip(chain).take_while(|(a, b)| a == b).count();
            while open.len() > common {
                let element = open.pop().expect("an element is open");
                out.push_str(&self.text[segment.elements[element].1.clone()]);
            }
            for &element in &chain[common..] {
                out.push_str(&self.text[segment.elements[element].0.clone()]);
                open.push(element);
            }
        };
        for item in &checked.items {
            match item {
                inline::Item::Text(tag, text) => {
                    let chain = tag
                        .and_then(|id| segment.tags.iter().find(|(t, _)| *t == id))
                        .map(|(_, chain)| chain.as_slice())
                        .unwrap_or(&[]);
                    let first = at_start && open.is_empty() && chain.is_empty();
                    enter(chain, &mut open, out);
                    out.push_str(&escape(text, first));
                    at_start = false;
                }
                inline::Item::Atom(id) => {
                    if let Some((_, range)) = segment.atoms.iter().find(|(a, _)| a == id) {
                        enter(&[], &mut open, out);
                        out.push_str(&self.text[range.clone()]);
                        at_start = false;
                    }
                }
            }
        }
        enter(&[], &mut open, out);
    }
}

/// Translated words as Markdown that reads back as the same words: the
/// characters that would start markup are escaped, and at the start of a
/// block also those that would make it a heading, a quote, a list item or a
/// setext underline. (pulldown-cmark drops escaping backslashes from the
/// text it reports, so unchanged words need this too.)
fn escape(text: &str, at_block_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.char_indices().peekable();
    if at_block_start {
        let trimmed = text.trim_start();
        let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
        if trimmed.starts_with(['#', '>', '-', '+', '=']) {
            let lead = text.len() - trimmed.len();
            out.push_str(&text[..lead]);
            out.push('\\');
            while chars.peek().is_some_and(|(i, _)| *i < lead) {
                chars.next();
            }
        } else if digits > 0 && trimmed[digits..].starts_with(['.', ')']) {
            let lead = text.len() - trimmed.len() + digits;
            out.push_str(&text[..lead]);
            out.push('\\');
            while chars.peek().is_some_and(|(i, _)| *i < lead) {
                chars.next();
            }
        }
    }
    for (i, c) in chars {
        let entity_like = c == '&'
            && text[i + 1..]
                .chars()
                .next()
                .is_some_and(|n| n.is_ascii_alphanumeric() || n == '#');
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '~' | '|') || entity_like {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

/// An inline element being read: where it starts and ends, and its content's first start and last end.
struct Open {
    element: usize,
    range: Range<usize>,
    first: Option<usize>,
    last: Option<usize>,
}

/// The inline content of one block being collected.
#[derive(Default)]
struct Collector {
    range: Option<Range<usize>>,
    /// Text (with the chain of elements around it) and placeholders, in order.
    items: Vec<(Option<Vec<usize>>, String, Range<usize>)>,
    elements: Vec<(Range<usize>, Range<usize>)>,
    open: Vec<Open>,
    /// Inside an image or an autolink, whose whole source is one placeholder.
    skip: usize,
}

impl Collector {
    fn touch(&mut self, range: &Range<usize>) {
        let whole = self.range.get_or_insert(range.clone());
        whole.start = whole.start.min(range.start);
        whole.end = whole.end.max(range.end);
        if let Some(parent) = self.open.last_mut() {
            parent.first.get_or_insert(range.start);
            parent.last = Some(range.end);
        }
    }

    fn chain(&self) -> Vec<usize> {
        self.open.iter().map(|o| o.element).collect()
    }

    fn text(&mut self, text: &str, range: Range<usize>) {
        self.touch(&range);
        let chain = self.chain();
        match self.items.last_mut() {
            Some((Some(c), t, r)) if *c == chain => {
                t.push_str(text);
                r.end = range.end;
            }
            _ => self.items.push((Some(chain), text.to_owned(), range)),
        }
    }

    fn atom(&mut self, range: Range<usize>) {
        self.touch(&range);
        self.items.push((None, String::new(), range));
    }
}

fn scan(source: &str) -> (Vec<Segment>, Vec<Block>) {
    let mut segments = Vec::new();
    let mut blocks = Vec::new();
    let mut stack: Vec<Context> = Vec::new();
    let mut collector = Collector::default();

    let mut flush = |collector: &mut Collector, stack: &[Context]| {
        let kind = stack
            .last()
            .and_then(|context| context.kind)
            .unwrap_or(BlockKind::Paragraph);
        let done = std::mem::take(collector);
        if let Some((segment, block)) = finish(source, done, kind) {
            segments.push(segment);
            blocks.push(block);
        }
    };

    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        let verbatim = stack.last().is_some_and(|context| context.verbatim);
        if collector.skip > 0 {
            match event {
                Event::Start(_) => collector.skip += 1,
                Event::End(_) => collector.skip -= 1,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Text(text) if !verbatim => collector.text(&text, range),
            Event::SoftBreak if !verbatim => collector.text(" ", range),
            Event::Code(_)
            | Event::InlineHtml(_)
            | Event::HardBreak
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_)
            | Event::InlineMath(_)
                if !verbatim =>
            {
                collector.atom(range)
            }
            Event::Start(Tag::Image { .. })
            | Event::Start(Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                ..
            }) if !verbatim => {
                // An image's alt text and an autolink's address are kept as written.
                collector.atom(range);
                collector.skip = 1;
            }
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
                if !verbatim =>
            {
                collector.touch(&(range.start..range.start));
                let element = collector.elements.len();
                collector.elements.push((range.clone(), range.clone()));
                collector.open.push(Open {
                    element,
                    range,
                    first: None,
                    last: None,
                });
            }
            Event::End(
                pulldown_cmark::TagEnd::Emphasis
                | pulldown_cmark::TagEnd::Strong
                | pulldown_cmark::TagEnd::Strikethrough
                | pulldown_cmark::TagEnd::Link,
            ) if !verbatim && !collector.open.is_empty() => {
                let open = collector.open.pop().expect("an inline element is open");
                let first = open.first.unwrap_or(open.range.end);
                let last = open.last.unwrap_or(first).max(first);
                collector.elements[open.element] = (open.range.start..first, last..open.range.end);
                collector.touch(&open.range);
            }
            Event::Start(tag) => {
                flush(&mut collector, &stack);
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
                    );
                stack.push(Context { kind, verbatim });
            }
            Event::End(_) => {
                // Every End closes the element of the last Start.
                flush(&mut collector, &stack);
                stack.pop();
            }
            _ => {}
        }
    }
    flush(&mut collector, &stack);
    (segments, blocks)
}

/// A collected block as a segment and its block, unless it has no prose.
fn finish(source: &str, collector: Collector, kind: BlockKind) -> Option<(Segment, Block)> {
    let plain: String = collector
        .items
        .iter()
        .filter(|(chain, _, _)| chain.is_some())
        .map(|(_, text, _)| text.as_str())
        .collect();
    if plain.trim().is_empty() {
        return None;
    }
    let mut range = collector.range?;
    let mut items: Vec<inline::Item> = Vec::new();
    let mut tags: Vec<(u32, Vec<usize>)> = Vec::new();
    let mut atoms: Vec<(u32, Range<usize>)> = Vec::new();
    for (chain, text, item_range) in collector.items {
        match chain {
            Some(chain) if chain.is_empty() => items.push(inline::Item::Text(None, text)),
            Some(chain) => {
                let id = tags.len() as u32 + 1;
                tags.push((id, chain));
                items.push(inline::Item::Text(Some(id), text));
            }
            None => {
                let id = atoms.len() as u32 + 1;
                atoms.push((id, item_range));
                items.push(inline::Item::Atom(id));
            }
        }
    }
    // Whitespace at the block's edges stays in the source, outside the range.
    let slice = &source[range.clone()];
    range = (range.start + (slice.len() - slice.trim_start().len()))
        ..(range.start + slice.trim_end().len());
    if let Some(inline::Item::Text(_, text)) = items.first_mut() {
        *text = text.trim_start().to_owned();
    }
    if let Some(inline::Item::Text(_, text)) = items.last_mut() {
        *text = text.trim_end().to_owned();
    }
    let (text, markup) = inline::block_text(&items);
    let segment = Segment {
        range,
        elements: collector.elements,
        tags,
        atoms,
        spec: markup.as_deref().map(inline::Spec::of),
    };
    Some((segment, Block { kind, text, markup }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{inline, Document, Format, Limits};

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
                (BlockKind::ListItem, "First item with  inside"),
                (BlockKind::ListItem, "Second item, see the press release"),
                (BlockKind::ListItem, "Write to  or"),
                (BlockKind::TableCell, "Bureau"),
                (BlockKind::TableCell, "Amount"),
                (BlockKind::TableCell, "Housing"),
                (BlockKind::TableCell, "HK$300 million"),
                (BlockKind::Paragraph, "A quoted remark over two lines."),
            ]
        );
    }

    /// Each block's source with its words upper-cased and marked, tags kept.
    fn translate(document: &Document) -> Vec<String> {
        document
            .blocks()
            .iter()
            .map(|block| {
                format!(
                    "[zh] {}",
                    inline::map_words(block.source(), str::to_uppercase)
                )
            })
            .collect()
    }

    #[test]
    fn markdown_render_changes_text_and_keeps_code_html_and_links_byte_identical() {
        let document = read(SOURCE);
        assert_eq!(
            document.blocks()[3].source(),
            "Second item, see <g1>the press release</g1>"
        );
        assert_eq!(
            document.blocks()[2].source(),
            "First item with <x1/> inside"
        );
        let translations = translate(&document);
        let rendered = document.render(&translations, Format::Markdown).unwrap();
        assert_eq!(rendered.needs_look, []);
        let out = String::from_utf8(rendered.bytes).unwrap();
        for kept in [
            "---\ntitle: Budget note\n---\n",
            "`inline code`",
            "](https://www.info.gov.hk/ \"Press\")",
            "<budget@example.gov.hk> OR <https://www.budget.gov.hk>",
            "```rust\nlet fee = 1250;\n```\n",
            "    indented code stays\n",
            "<div class=\"note\">raw html</div>\n",
            "| --- | --- |",
        ] {
            assert!(out.contains(kept), "{kept:?} missing from {out}");
        }
        assert!(out.contains("# \\[zh\\] BUDGET 2026\n"), "{out}");
        assert!(
            out.contains("- \\[zh\\] FIRST ITEM WITH `inline code` INSIDE\n"),
            "{out}"
        );
        assert!(
            out.contains(
                "- \\[zh\\] SECOND ITEM, SEE [THE PRESS RELEASE](https://www.info.gov.hk/ \"Press\")\n"
            ),
            "{out}"
        );
        assert!(out.contains("> \\[zh\\] A QUOTED REMARK OVER TWO LINES.\n"));
        let again = read(&out);
        let sources: Vec<&str> = again.blocks().iter().map(|b| b.source()).collect();
        assert_eq!(sources, translations);
    }

    #[test]
    fn emphasis_and_links_keep_their_words_through_a_translation() {
        let source = "Apply by **30 June** under the *Buildings Ordinance*; see [the guide](https://www.bd.gov.hk/) or `form BA1`.\n";
        let document = read(source);
        assert_eq!(
            document.blocks()[0].source(),
            "Apply by <g1>30 June</g1> under the <g2>Buildings Ordinance</g2>; see <g3>the guide</g3> or <x1/>."
        );
        let rendered = document
            .render(
                &["請於<g1>6月30日</g1>前根據<g2>《建築物條例》</g2>申請；參閱<g3>指引</g3>或<x1/>。".to_string()],
                Format::Markdown,
            )
            .unwrap();
        assert_eq!(
            String::from_utf8(rendered.bytes).unwrap(),
            "請於**6月30日**前根據*《建築物條例》*申請；參閱[指引](https://www.bd.gov.hk/)或`form BA1`。\n"
        );
        // A lost tag is reported; the code span is never lost.
        let rendered = document
            .render(&["請於6月30日前申請。".to_string()], Format::Markdown)
            .unwrap();
        assert_eq!(rendered.needs_look.len(), 1);
        let out = String::from_utf8(rendered.bytes).unwrap();
        assert!(out.contains("`form BA1`"), "{out}");
    }

    #[test]
    fn words_that_look_like_markup_are_escaped_so_they_read_back_as_words() {
        // Found by fuzzing: escapes in the source were lost on a round trip.
        let source = "Fees \\*not\\* waived for snake\\_case & co &amp; more\n\n1\\. not a list\n";
        let document = read(source);
        let texts: Vec<&str> = document.blocks().iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Fees *not* waived for snake_case & co & more",
                "1. not a list"
            ]
        );
        let translations = vec![
            "# 費用 *不* [獲] 豁免 <b> `x` &amp;".to_string(),
            "2) 不是清單".to_string(),
        ];
        let out = document
            .render(&translations, Format::Markdown)
            .unwrap()
            .bytes;
        let again = read(std::str::from_utf8(&out).unwrap());
        let texts: Vec<&str> = again.blocks().iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, translations, "{}", String::from_utf8_lossy(&out));
        let same: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| b.source().to_string())
            .collect();
        let out = document.render(&same, Format::Markdown).unwrap().bytes;
        let again = read(std::str::from_utf8(&out).unwrap());
        assert_eq!(again.blocks(), document.blocks());
    }

    #[test]
    fn nested_emphasis_is_written_back_nested() {
        let source = "A **bold *and italic*** word.\n";
        let document = read(source);
        assert_eq!(
            document.blocks()[0].source(),
            "A <g1>bold </g1><g2>and italic</g2> word."
        );
        let same: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| b.source().to_string())
            .collect();
        assert_eq!(
            document.render(&same, Format::Markdown).unwrap().bytes,
            source.as_bytes()
        );
    }

    #[test]
    fn markdown_rendered_with_the_same_texts_is_byte_identical_when_no_line_is_wrapped() {
        let source = "# Title\n\nOne *two* three.\n\n1. item\n";
        let document = read(source);
        let same: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| b.source().to_string())
            .collect();
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
