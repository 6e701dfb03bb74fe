//! Documents as ordered text blocks, read and written back in place.
//!
//! A [`Document`] is a file (.docx, .md, .txt or .pdf) seen as a list of
//! [`Block`]s: the paragraphs, headings, list items, table cells, headers,
//! footers, footnotes and text boxes a translator has to translate, in reading
//! order. [`Document::render`] writes the file back with each block's text
//! replaced and everything else (styles, images, markup, code, line endings)
//! kept as it was.
//!
//! Module layout:
//!
//! - [`inline`]: inline formatting through a translation, as paired tags
//!   (`<g1>…</g1>`) and placeholders (`<x1/>`) in a block's markup, checked
//!   and repaired when the translation comes back; also the pseudo-translation.
//! - [`error`]: [`DocumentError`], one variant per thing that can be wrong
//!   with a file, each with a stable `code()` and a message that says the fix.
//! - `docx`: Word files, edited in place inside the zip (streaming XML, only
//!   the text-bearing parts are rewritten; every other entry is copied raw).
//! - `markdown`: Markdown, parsed with pulldown-cmark; translated text is
//!   spliced into the original source by byte range.
//! - `text`: plain text, with encoding detection (BOMs, UTF-8, UTF-16, Big5,
//!   GB18030...) and binary-file rejection; output is always UTF-8.
//! - `pdf`: text extraction from PDFs (read only; written back as .docx).
//! - `fresh`: new documents built from blocks (another format than the
//!   input's, PDF output) and the bilingual review copy.
//! - [`sample`]: a generated .docx for tests and benchmarks.
//!
//! Untrusted input is the normal case here (files arrive by e-mail), so every
//! reader is bounded by [`Limits`] and malformed files give errors, never
//! panics.

mod docx;
pub mod error;
mod fresh;
pub mod inline;
mod markdown;
mod pdf;
pub mod roundtrip;
#[doc(hidden)]
pub mod sample;
mod text;

/// Decodes plain text: BOM, UTF-8, else a detected legacy encoding (Big5,
/// GB18030, …); binary data is refused.
///
/// # Errors
/// [`DocumentError::Binary`] for data that is not text.
pub fn decode_text(bytes: &[u8]) -> Result<String, DocumentError> {
    text::decode(bytes)
}

use std::path::Path;

use serde::Serialize;

pub use docx::{census, Census};
pub use error::DocumentError;
pub use fresh::bilingual_docx;

/// A file format Wenshu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Format {
    /// Office Open XML word-processing document (.docx).
    Docx,
    /// CommonMark / GitHub-flavoured Markdown (.md, .markdown).
    Markdown,
    /// Plain text in any common encoding (.txt).
    Text,
    /// PDF with a text layer (.pdf); read only.
    Pdf,
}

impl Format {
    /// The format for a file name's extension (case-insensitive), if it is one Wenshu reads.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "docx" => Some(Format::Docx),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" => Some(Format::Text),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Markdown => "md",
            Format::Text => "txt",
            Format::Pdf => "pdf",
        }
    }

    /// Whether [`Document::render`] can produce this format.
    pub fn can_write(self) -> bool {
        self != Format::Pdf
    }
}

/// What role a block of text plays in its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BlockKind {
    /// A title or a heading.
    Heading,
    /// Body text.
    Paragraph,
    /// An item of a bulleted or numbered list.
    ListItem,
    /// Text inside a table cell.
    TableCell,
    /// Text of a page header.
    Header,
    /// Text of a page footer.
    Footer,
    /// A footnote or an endnote.
    Footnote,
    /// Text inside a text box or shape.
    TextBox,
}

/// One unit of translation: a paragraph or the like.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// The block's role.
    pub kind: BlockKind,
    /// The text, never empty or whitespace-only.
    pub text: String,
    /// The text with its inline formatting as tags (see [`inline`]), when
    /// some of its words are formatted apart from the rest or it holds
    /// fields, note marks or pictures. This is what goes to the translator,
    /// and its translation is what [`Document::render`] takes for the block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markup: Option<String>,
}

impl Block {
    /// A block of plain text, without inline formatting.
    pub fn plain(kind: BlockKind, text: impl Into<String>) -> Block {
        Block {
            kind,
            text: text.into(),
            markup: None,
        }
    }

    /// What a translator is given: the markup when there is one, else the text.
    pub fn source(&self) -> &str {
        self.markup.as_deref().unwrap_or(&self.text)
    }

    /// A translation of [`Block::source`] as plain text (tags removed when the block has markup).
    pub fn plain_translation(&self, translation: &str) -> String {
        match self.markup {
            Some(_) => inline::plain(translation).trim().to_owned(),
            None => translation.to_owned(),
        }
    }
}

/// A document written back, with the blocks whose inline formatting did not
/// all come back through the translation.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// Blocks that need a look, in order: the block's index and what happened to its tags.
    pub needs_look: Vec<(usize, Vec<inline::Problem>)>,
}

impl Rendered {
    /// From the bytes and each block's problems (empty for a block whose tags all came back).
    fn new(bytes: Vec<u8>, problems: Vec<Vec<inline::Problem>>) -> Rendered {
        let needs_look = problems
            .into_iter()
            .enumerate()
            .filter(|(_, problems)| !problems.is_empty())
            .collect();
        Rendered { bytes, needs_look }
    }
}

/// Bounds on what a reader accepts, so that hostile files cannot exhaust memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest .docx file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest .txt, .md or .pdf file accepted, in bytes.
    pub max_text_file_bytes: u64,
    /// Largest uncompressed size of any zip part that is parsed, in bytes.
    pub max_part_bytes: u64,
    /// Largest compression ratio (uncompressed / compressed) of a parsed zip part;
    /// parts under 1 MiB uncompressed are exempt, as they cannot exhaust memory.
    pub max_ratio: u64,
    /// Largest number of entries in a .docx archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        Limits {
            max_file_bytes: 256 * MIB,
            max_text_file_bytes: 16 * MIB,
            max_part_bytes: 64 * MIB,
            max_ratio: 200,
            max_entries: 10_000,
        }
    }
}

impl Limits {
    /// The file-size limit that applies to `format`.
    pub fn file_limit(&self, format: Format) -> u64 {
        match format {
            Format::Docx => self.max_file_bytes,
            Format::Markdown | Format::Text | Format::Pdf => self.max_text_file_bytes,
        }
    }
}

/// What is kept of the source so that it can be written back.
#[derive(Debug, Clone)]
enum Source {
    Docx(docx::DocxSource),
    Markdown(markdown::MarkdownSource),
    Text(text::TextSource),
    Pdf,
}

/// A document read from a file: its blocks, and what is needed to write it back.
#[derive(Debug, Clone)]
pub struct Document {
    format: Format,
    blocks: Vec<Block>,
    source: Source,
}

impl Document {
    /// Reads a document, taking its format from the file extension.
    ///
    /// # Errors
    ///
    /// [`DocumentError::UnsupportedFormat`] for an unknown extension,
    /// [`DocumentError::TooLarge`] when the file is over the limit (checked
    /// before reading), [`DocumentError::Io`] when it cannot be read, and any
    /// error of [`Document::from_bytes`].
    pub fn read(path: &Path, limits: &Limits) -> Result<Document, DocumentError> {
        let format = Format::from_path(path).ok_or_else(|| DocumentError::UnsupportedFormat {
            path: path.to_path_buf(),
        })?;
        let io = |source| DocumentError::Io {
            path: path.to_path_buf(),
            source,
        };
        let limit = limits.file_limit(format);
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > limit {
            return Err(DocumentError::TooLarge { size, limit });
        }
        let bytes = read_bounded(path, limit).map_err(io)?;
        if bytes.len() as u64 > limit {
            // The file grew between the metadata call and the read.
            return Err(DocumentError::TooLarge {
                size: bytes.len() as u64,
                limit,
            });
        }
        Document::from_bytes(&bytes, format, limits)
    }

    /// Reads a document of a known format from memory.
    ///
    /// # Errors
    ///
    /// [`DocumentError::TooLarge`] when `bytes` is over the limit,
    /// [`DocumentError::Empty`] when there is no text, and the format's own
    /// errors (damaged or hostile archives, binary data, unreadable PDFs...).
    pub fn from_bytes(
        bytes: &[u8],
        format: Format,
        limits: &Limits,
    ) -> Result<Document, DocumentError> {
        let limit = limits.file_limit(format);
        if bytes.len() as u64 > limit {
            return Err(DocumentError::TooLarge {
                size: bytes.len() as u64,
                limit,
            });
        }
        if bytes.is_empty() {
            return Err(DocumentError::Empty);
        }
        let (source, blocks) = match format {
            Format::Docx => {
                let (source, blocks) = docx::read(bytes, limits)?;
                (Source::Docx(source), blocks)
            }
            Format::Markdown => {
                let (source, blocks) = markdown::read(bytes)?;
                (Source::Markdown(source), blocks)
            }
            Format::Text => {
                let (source, blocks) = text::read(bytes)?;
                (Source::Text(source), blocks)
            }
            Format::Pdf => (Source::Pdf, pdf::read(bytes)?),
        };
        if blocks.is_empty() {
            return Err(DocumentError::Empty);
        }
        Ok(Document {
            format,
            blocks,
            source,
        })
    }

    /// The format the document was read as.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The blocks to translate, in reading order; none is whitespace-only.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The format [`Document::render`] writes by default: the input's, except PDF becomes .docx.
    pub fn output_format(&self) -> Format {
        match self.format {
            Format::Pdf => Format::Docx,
            other => other,
        }
    }

    /// Writes the document back with block `i`'s text replaced by `translations[i]`.
    ///
    /// In the input's own format the file is edited in place (formatting,
    /// images and markup kept); in another format, or from a PDF, a fresh
    /// document is built from the blocks.
    ///
    /// # Errors
    ///
    /// [`DocumentError::TranslationCount`] when `translations` and
    /// [`Document::blocks`] differ in length, [`DocumentError::CannotWrite`]
    /// for `to == Format::Pdf`, [`DocumentError::Write`] if building the
    /// output fails.
    pub fn render(&self, translations: &[String], to: Format) -> Result<Rendered, DocumentError> {
        if translations.len() != self.blocks.len() {
            return Err(DocumentError::TranslationCount {
                expected: self.blocks.len(),
                actual: translations.len(),
            });
        }
        if !to.can_write() {
            return Err(DocumentError::CannotWrite { format: to });
        }
        let plain = |bytes: Vec<u8>| Rendered {
            bytes,
            needs_look: Vec::new(),
        };
        match (&self.source, to) {
            (Source::Docx(source), Format::Docx) => {
                let (bytes, problems) = source.render(translations)?;
                Ok(Rendered::new(bytes, problems))
            }
            (Source::Markdown(source), Format::Markdown) => {
                let (bytes, problems) = source.render(translations);
                Ok(Rendered::new(bytes, problems))
            }
            (Source::Text(source), Format::Text) => Ok(plain(source.render(translations))),
            _ => {
                // Another format: the words come across, their inline formatting does not.
                let blocks: Vec<Block> = self
                    .blocks
                    .iter()
                    .zip(translations)
                    .map(|(block, text)| Block::plain(block.kind, block.plain_translation(text)))
                    .collect();
                fresh::build(&blocks, to).map(plain)
            }
        }
    }

    /// The translations as the reader sees them in the output: plain text, tags removed.
    pub fn plain_translations(&self, translations: &[String]) -> Vec<String> {
        self.blocks
            .iter()
            .zip(translations)
            .map(|(block, text)| block.plain_translation(text))
            .collect()
    }
}

/// Reads at most `limit + 1` bytes, so that a file that grows after its size was checked is still bounded.
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Splits `text` into paragraphs separated by blank lines: byte ranges trimmed of surrounding whitespace.
pub(crate) fn paragraph_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut current: Option<std::ops::Range<usize>> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(span) = current.take() {
                spans.push(span);
            }
        } else {
            let start = offset + (line.len() - line.trim_start().len());
            let end = offset + line.trim_end().len();
            match &mut current {
                Some(span) => span.end = end,
                None => current = Some(start..end),
            }
        }
        offset += line.len();
    }
    spans.extend(current);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_can_move_between_threads() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<Document>();
        send_and_sync::<DocumentError>();
    }

    #[test]
    fn formats_are_recognised_by_extension_in_any_case() {
        let cases = [
            ("a.DOCX", Some(Format::Docx)),
            ("b.md", Some(Format::Markdown)),
            ("c.Markdown", Some(Format::Markdown)),
            ("d.txt", Some(Format::Text)),
            ("e.PDF", Some(Format::Pdf)),
            ("f.doc", None),
            ("noextension", None),
        ];
        for (name, format) in cases {
            assert_eq!(Format::from_path(Path::new(name)), format, "{name}");
        }
        assert!(!Format::Pdf.can_write());
        assert_eq!(Format::Markdown.extension(), "md");
    }

    #[test]
    fn paragraph_spans_split_on_blank_lines_and_skip_surrounding_whitespace() {
        let text = "  one\r\ntwo  \r\n \r\n\nthree\n";
        let spans: Vec<&str> = paragraph_spans(text)
            .into_iter()
            .map(|span| &text[span])
            .collect();
        assert_eq!(spans, ["one\r\ntwo", "three"]);
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = std::env::temp_dir().join(format!("wenshu-docs-large-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.txt");
        let file = std::fs::File::create(&path).unwrap();
        // A sparse 100 MB file: reading it would take time and memory, the check does not.
        file.set_len(100 * 1024 * 1024).unwrap();
        let error = Document::read(&path, &Limits::default()).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(error.code(), "too_large");
        assert!(matches!(
            error,
            DocumentError::TooLarge { size, limit } if size == 100 * 1024 * 1024 && limit == 16 * 1024 * 1024
        ));
    }

    #[test]
    fn a_missing_file_gives_an_io_error_that_names_the_path() {
        let error =
            Document::read(Path::new("/no/such/dir/memo.docx"), &Limits::default()).unwrap_err();
        assert_eq!(error.code(), "io");
        assert!(error.to_string().contains("/no/such/dir/memo.docx"));
    }

    #[test]
    fn an_unknown_extension_is_refused_with_its_path() {
        let error = Document::read(Path::new("memo.doc"), &Limits::default()).unwrap_err();
        assert_eq!(error.code(), "unsupported_format");
    }

    #[test]
    fn an_empty_file_is_refused_in_every_format() {
        for format in [Format::Docx, Format::Markdown, Format::Text, Format::Pdf] {
            let error = Document::from_bytes(b"", format, &Limits::default()).unwrap_err();
            assert_eq!(error.code(), "empty", "{format:?}");
        }
        for format in [Format::Markdown, Format::Text] {
            let error = Document::from_bytes(b" \n\t\n", format, &Limits::default()).unwrap_err();
            assert_eq!(error.code(), "empty", "{format:?}");
        }
    }

    #[test]
    fn render_checks_the_number_of_translations_and_refuses_pdf_output() {
        let document = Document::from_bytes(b"one\n\ntwo\n", Format::Text, &Limits::default())
            .expect("plain text reads");
        let error = document
            .render(&["uno".to_string()], Format::Text)
            .unwrap_err();
        assert_eq!(error.code(), "translation_count");
        let error = document
            .render(&["uno".to_string(), "dos".to_string()], Format::Pdf)
            .unwrap_err();
        assert_eq!(error.code(), "cannot_write");
    }

    #[test]
    fn text_rendered_as_markdown_or_docx_is_built_from_the_blocks() {
        let document = Document::from_bytes(b"one\n\ntwo\n", Format::Text, &Limits::default())
            .expect("plain text reads");
        let translations = vec!["uno".to_string(), "dos".to_string()];
        let markdown = document
            .render(&translations, Format::Markdown)
            .unwrap()
            .bytes;
        assert_eq!(String::from_utf8(markdown).unwrap(), "uno\n\ndos\n");
        let docx = document.render(&translations, Format::Docx).unwrap().bytes;
        let again = Document::from_bytes(&docx, Format::Docx, &Limits::default()).unwrap();
        let texts: Vec<&str> = again.blocks().iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["uno", "dos"]);
    }
}
