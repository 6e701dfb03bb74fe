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
    check_field_widths(bytes)?;
    let owned = bytes.to_vec();
    isolated(move || extract(&owned))
}

/// Largest number accepted in a `/W` array.
///
/// lopdf allocates a buffer of each field width of a cross-reference stream
/// (`/W [1 4 2]`) before it reads any of the stream, so a width of 50 GB
/// makes the allocation fail, and a failed allocation aborts the process:
/// no `catch_unwind` stops that (found by fuzzing). Real widths are 1 to 8
/// bytes; the same key in CID fonts holds character codes and glyph widths,
/// far below this bound.
const MAX_W_NUMBER: u64 = 1 << 24;

/// Refuses a PDF whose `/W` arrays hold a number over [`MAX_W_NUMBER`],
/// before lopdf sees it.
///
/// The raw bytes are scanned for the name `/W` (or `/#57`, the same name
/// escaped) followed by an array, rather than parsed: cross-reference
/// streams are never compressed, and lopdf only accepts a `/W` array of
/// plain integers, so every array it would use is seen whole here. Each
/// byte is looked at once.
fn check_field_widths(bytes: &[u8]) -> Result<(), DocumentError> {
    let mut at = 0;
    while let Some(slash) = bytes[at..].iter().position(|&c| c == b'/') {
        let name_start = at + slash + 1;
        let name_end = bytes[name_start..]
            .iter()
            .position(|&c| !is_regular(c))
            .map_or(bytes.len(), |n| name_start + n);
        at = name_end;
        if !matches!(&bytes[name_start..name_end], b"W" | b"#57") {
            continue;
        }
        let (end, largest) = array_numbers(bytes, name_end);
        at = end;
        if let Some(n) = largest.filter(|&n| n > MAX_W_NUMBER) {
            return Err(DocumentError::Pdf {
                message: format!(
                    "a /W array holds {n}, more than any real file; the cross-reference stream is damaged"
                ),
            });
        }
    }
    Ok(())
}

/// Reads the array that starts at `at` (after whitespace and comments) as
/// far as it holds only numbers; returns where the scan stopped and the
/// largest magnitude seen (saturating), or `None` when there is no array.
fn array_numbers(bytes: &[u8], mut at: usize) -> (usize, Option<u64>) {
    let skip_space = |mut at: usize| loop {
        match bytes.get(at) {
            Some(&c) if is_whitespace(c) => at += 1,
            // A comment runs to the end of its line, as in lopdf.
            Some(b'%') => {
                at += bytes[at..]
                    .iter()
                    .position(|&c| c == b'\r' || c == b'\n')
                    .unwrap_or(bytes.len() - at);
            }
            _ => return at,
        }
    };
    at = skip_space(at);
    if bytes.get(at) != Some(&b'[') {
        return (at, None);
    }
    let mut largest = 0u64;
    at += 1;
    loop {
        at = skip_space(at);
        match bytes.get(at) {
            Some(c) if c.is_ascii_digit() => {
                let mut n = 0u64;
                while let Some(&d) = bytes.get(at).filter(|d| d.is_ascii_digit()) {
                    n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
                    at += 1;
                }
                largest = largest.max(n);
            }
            // Signs and decimal points are stepped over: a real is no width
            // to lopdf, and an integer's digits are never split by them.
            Some(b'+' | b'-' | b'.') => at += 1,
            Some(b']') => return (at + 1, Some(largest)),
            // Anything else (a nested array, a name) is not a list of field
            // widths that lopdf would accept.
            _ => return (at, Some(largest)),
        }
    }
}

/// PDF whitespace (ISO 32000-1, 7.2.2).
fn is_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0c')
}

/// A byte that continues a name: neither whitespace nor a delimiter.
fn is_regular(c: u8) -> bool {
    !is_whitespace(c) && !b"()<>[]{}/%".contains(&c)
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
        blocks.extend(
            paragraphs(&text)
                .into_iter()
                .map(|text| Block::plain(BlockKind::Paragraph, text)),
        );
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
        let docx = document.render(&translations, Format::Docx).unwrap().bytes;
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
    fn a_cross_reference_stream_with_a_field_width_of_gigabytes_is_refused_before_parsing() {
        // Found by fuzzing: lopdf allocated 55 GB for the third field and the
        // failed allocation aborted the process.
        let good = pdf("BT /F1 12 Tf 72 760 Td (Budget) Tj ET", None);
        let at = good
            .windows(9)
            .position(|w| w == b"/W[1 4 2]")
            .expect("the sample PDF ends in a cross-reference stream");
        // The stream is the last object, so growing its dictionary moves no
        // offset that the file's tables point at.
        let mut bad = good[..at].to_vec();
        bad.extend_from_slice(b"/W[1 4 55555555552]");
        bad.extend_from_slice(&good[at + 9..]);
        let error = Document::from_bytes(&bad, Format::Pdf, &Limits::default()).unwrap_err();
        assert_eq!(error.code(), "pdf_unreadable");
        assert!(error.to_string().contains("55555555552"), "{error}");

        // The same name, escaped, after a comment.
        let escaped = b"<< /Type /XRef /#57 %c\n [ 1 +4 99999999999 ] >>";
        assert!(check_field_widths(escaped).is_err());
        assert!(Document::from_bytes(&good, Format::Pdf, &Limits::default()).is_ok());
    }

    #[test]
    fn font_width_arrays_and_names_that_start_with_w_pass_the_field_width_check() {
        for ok in [
            &b"<< /Type /Font /W [ 1 [ 500 600 ] 3 5 700.5 ] /Width 999999999 >>"[..],
            b"<< /Type /XRef /W [1 2 1] /Size 4 >>",
            b"/W",
            b"/W 5 0 R",
            b"/W [1 2",
        ] {
            assert!(
                check_field_widths(ok).is_ok(),
                "{}",
                String::from_utf8_lossy(ok)
            );
        }
    }

    #[test]
    fn lines_of_chinese_join_without_a_space() {
        assert_eq!(
            paragraphs("財政預算案\n建議撥款\nfor housing\nin 2026\n\n第二段\n"),
            ["財政預算案建議撥款 for housing in 2026", "第二段"]
        );
    }
}
