//! PDF text extraction (read only).
//!
//! pdf-extract decodes the fonts and lays the text out as lines, with a
//! blank line where the vertical gap is large; blocks are the paragraphs
//! between blank lines, their lines joined with a space (none between two
//! Chinese characters). The translation of a PDF is written as a new .docx.
//!
//! PDF parsers meet a great deal of malformed input and pdf-extract panics
//! on some of it, so extraction runs on its own thread inside
//! `catch_unwind`: a bad PDF is a [`DocumentError::Pdf`], never a crash of
//! the caller. (The panic message still reaches stderr; installing a
//! process-wide panic hook from a library would be worse.) The thread gets a
//! large stack because parsing nested objects recurses.

use pdf_extract::PlainTextOutput;

use crate::{Block, BlockKind, DocumentError};

/// Stack of the extraction thread: deeply nested PDF objects are parsed
/// recursively, and a stack overflow would abort the process.
const PDF_STACK: usize = 64 * 1024 * 1024;

/// Extracts the paragraphs of a PDF.
///
/// # Errors
///
/// [`DocumentError::Pdf`] for a file that cannot be parsed (or makes the
/// parser panic), [`DocumentError::PdfEncrypted`] for a password-protected
/// one, [`DocumentError::PdfNoText`] when no page has text.
pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Block>, DocumentError> {
    let owned = bytes.to_vec();
    isolated(move || extract(&owned))
}

/// Runs `work` on its own thread and turns a panic into [`DocumentError::Pdf`].
fn isolated<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, DocumentError> + Send + 'static,
) -> Result<T, DocumentError> {
    let worker = std::thread::Builder::new()
        .name("wenshu-pdf".into())
        .stack_size(PDF_STACK)
        .spawn(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)))
        .map_err(|error| DocumentError::Pdf {
            message: format!("cannot start the reader thread: {error}"),
        })?;
    match worker.join() {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) | Err(panic) => Err(DocumentError::Pdf {
            message: panic_message(panic.as_ref()),
        }),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned());
    format!("the PDF reader failed: {detail}")
}

fn extract(bytes: &[u8]) -> Result<Vec<Block>, DocumentError> {
    let pdf_error = |error: &dyn std::fmt::Display| DocumentError::Pdf {
        message: error.to_string(),
    };
    let mut document = pdf_extract::Document::load_mem(bytes).map_err(|e| pdf_error(&e))?;
    if document.is_encrypted() && document.decrypt("").is_err() {
        return Err(DocumentError::PdfEncrypted);
    }
    let mut blocks = Vec::new();
    for page in document.get_pages().into_keys() {
        let mut text = String::new();
        {
            let mut output = PlainTextOutput::new(&mut text);
            pdf_extract::output_doc_page(&document, &mut output, page)
                .map_err(|e| pdf_error(&e))?;
        }
        blocks.extend(paragraphs(&text).into_iter().map(|text| Block {
            kind: BlockKind::Paragraph,
            text,
        }));
    }
    if blocks.is_empty() {
        return Err(DocumentError::PdfNoText);
    }
    Ok(blocks)
}

/// Paragraphs of extracted page text: blank-line separated, lines joined.
fn paragraphs(page: &str) -> Vec<String> {
    crate::paragraph_spans(page)
        .into_iter()
        .map(|span| {
            let mut paragraph = String::new();
            for line in page[span].lines().map(str::trim).filter(|l| !l.is_empty()) {
                let joins_without_space = matches!(
                    (paragraph.chars().last(), line.chars().next()),
                    (Some(a), Some(b)) if is_cjk(a) && is_cjk(b)
                );
                if !paragraph.is_empty() && !joins_without_space {
                    paragraph.push(' ');
                }
                paragraph.push_str(line);
            }
            paragraph
        })
        .collect()
}

/// Chinese characters and full-width punctuation, which are written without spaces between.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{2FA1F}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, Format, Limits};
    use pdf_extract::{Dictionary, Object, StringFormat};

    fn pdf(content: &str, extra_trailer: Option<(&str, Object)>) -> Vec<u8> {
        crate::sample::pdf_with(content, extra_trailer)
    }

    #[test]
    fn pdf_text_is_split_into_paragraphs_at_large_gaps() {
        let content = "BT /F1 12 Tf 72 760 Td (The Budget provides HK$1,250 million) Tj \
            0 -14 Td (for public housing in 2026.) Tj 0 -48 Td (Growth is forecast at 3.5%.) Tj ET";
        let document =
            Document::from_bytes(&pdf(content, None), Format::Pdf, &Limits::default()).unwrap();
        let texts: Vec<&str> = document.blocks().iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "The Budget provides HK$1,250 million for public housing in 2026.",
                "Growth is forecast at 3.5%."
            ]
        );
        assert_eq!(document.output_format(), Format::Docx);
        let translations: Vec<String> = texts.iter().map(|t| t.to_uppercase()).collect();
        let docx = document.render(&translations, Format::Docx).unwrap();
        let again = Document::from_bytes(&docx, Format::Docx, &Limits::default()).unwrap();
        assert_eq!(again.blocks()[1].text, "GROWTH IS FORECAST AT 3.5%.");
    }

    #[test]
    fn a_pdf_without_text_is_reported_as_needing_ocr() {
        let error = Document::from_bytes(
            &pdf("0 0 m 100 100 l S", None),
            Format::Pdf,
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(error.code(), "pdf_no_text");
        assert!(error.to_string().contains("run OCR first"));
    }

    #[test]
    fn a_malformed_pdf_is_an_error_not_a_panic() {
        for bytes in [
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF".to_vec(),
            b"%PDF-1.7\n garbage \x00\x01\x02".to_vec(),
            b"this is not a PDF at all".to_vec(),
        ] {
            let error = Document::from_bytes(&bytes, Format::Pdf, &Limits::default()).unwrap_err();
            assert!(
                matches!(error.code(), "pdf_unreadable" | "pdf_no_text"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_password_protected_pdf_asks_for_an_unprotected_copy() {
        let mut encrypt = Dictionary::new();
        encrypt.set("Filter", Object::Name(b"Standard".to_vec()));
        encrypt.set("V", Object::Integer(2));
        encrypt.set("R", Object::Integer(3));
        encrypt.set("Length", Object::Integer(128));
        encrypt.set("P", Object::Integer(-4));
        encrypt.set("O", Object::String(vec![7; 32], StringFormat::Hexadecimal));
        encrypt.set("U", Object::String(vec![9; 32], StringFormat::Hexadecimal));
        let bytes = pdf(
            "BT /F1 12 Tf 72 760 Td (secret) Tj ET",
            Some(("Encrypt", Object::Dictionary(encrypt))),
        );
        let error = Document::from_bytes(&bytes, Format::Pdf, &Limits::default()).unwrap_err();
        assert_eq!(error.code(), "pdf_encrypted", "{error}");
    }

    #[test]
    fn a_panic_in_the_pdf_reader_becomes_an_error() {
        let result: Result<(), DocumentError> = isolated(|| panic!("bad xref table"));
        let error = result.unwrap_err();
        assert_eq!(error.code(), "pdf_unreadable");
        assert!(error.to_string().contains("bad xref table"), "{error}");
    }

    #[test]
    fn lines_of_chinese_join_without_a_space() {
        assert_eq!(
            paragraphs("財政預算案\n建議撥款\nfor housing\nin 2026\n\n第二段\n"),
            ["財政預算案建議撥款 for housing in 2026", "第二段"]
        );
    }
}
