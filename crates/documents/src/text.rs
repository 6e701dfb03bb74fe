//! Plain-text files: encoding detection, binary rejection, paragraphs.
//!
//! Government text files come in UTF-8, UTF-16 (Notepad's "Unicode"), Big5
//! (older Hong Kong systems) and GB18030/GBK (from the Mainland). [`decode`]
//! tries, in order: a byte-order mark, UTF-16 without a BOM (recognised by
//! its pattern of zero bytes), valid UTF-8, then chardetng's guess. The
//! decoded text is checked for binary content, since a renamed executable or
//! image must not reach the translator.
//!
//! Blocks are paragraphs separated by blank lines. Output is always UTF-8
//! without a BOM, keeping the source's separators and line endings.

use std::ops::Range;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

use crate::{Block, BlockKind, DocumentError};

/// A decoded text file and where its paragraphs are.
#[derive(Debug, Clone)]
pub(crate) struct TextSource {
    text: String,
    spans: Vec<Range<usize>>,
    line_ending: &'static str,
}

/// Decodes a text file and splits it into paragraphs.
///
/// # Errors
///
/// [`DocumentError::Binary`] for binary data, [`DocumentError::Empty`] for no text.
pub(crate) fn read(bytes: &[u8]) -> Result<(TextSource, Vec<Block>), DocumentError> {
    let text = decode(bytes)?;
    let spans = crate::paragraph_spans(&text);
    if spans.is_empty() {
        return Err(DocumentError::Empty);
    }
    let blocks = spans
        .iter()
        .map(|span| Block {
            kind: BlockKind::Paragraph,
            text: text[span.clone()].replace("\r\n", "\n"),
            markup: None,
        })
        .collect();
    let line_ending = line_ending(&text);
    Ok((
        TextSource {
            text,
            spans,
            line_ending,
        },
        blocks,
    ))
}

impl TextSource {
    /// The text with paragraph `i` replaced by `translations[i]`, as UTF-8.
    pub(crate) fn render(&self, translations: &[String]) -> Vec<u8> {
        let mut out = String::with_capacity(self.text.len() * 2);
        let mut last = 0;
        for (span, translation) in self.spans.iter().zip(translations) {
            out.push_str(&self.text[last..span.start]);
            out.push_str(&with_line_endings(translation, self.line_ending));
            last = span.end;
        }
        out.push_str(&self.text[last..]);
        out.into_bytes()
    }
}

/// The line ending most used in `text`.
pub(crate) fn line_ending(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count();
    if crlf * 2 > lf {
        "\r\n"
    } else {
        "\n"
    }
}

/// `text` with every line break written as `ending`.
pub(crate) fn with_line_endings(text: &str, ending: &str) -> String {
    let normalised = text.replace("\r\n", "\n");
    if ending == "\n" {
        normalised
    } else {
        normalised.replace('\n', ending)
    }
}

/// Decodes the bytes of a text file to a string without BOM.
///
/// # Errors
///
/// [`DocumentError::Binary`] when the bytes are not text in any encoding tried.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, DocumentError> {
    let mut text = if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        encoding
            .decode_without_bom_handling(&bytes[bom_length..])
            .0
            .into_owned()
    } else if bytes.contains(&0) {
        let encoding = utf16_without_bom(bytes).ok_or(DocumentError::Binary)?;
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        if had_errors {
            return Err(DocumentError::Binary);
        }
        text.into_owned()
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        text.to_owned()
    } else {
        let mut detector = chardetng::EncodingDetector::new();
        detector.feed(bytes, true);
        let encoding = detector.guess(None, false);
        encoding.decode_without_bom_handling(bytes).0.into_owned()
    };
    // A BOM written twice (a file through two converters) leaves U+FEFF at
    // the start. It is no text, and the UTF-8 written back would start with
    // it, a BOM that the next read drops: a file of nothing else read as one
    // block and its rendering as none (found by fuzzing).
    if text.starts_with('\u{feff}') {
        text = text.trim_start_matches('\u{feff}').to_owned();
    }
    if looks_binary(&text) {
        return Err(DocumentError::Binary);
    }
    Ok(text)
}

/// UTF-16 without a byte-order mark, recognised by zero bytes on one side of most code units.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || bytes.len() % 2 != 0 {
        return None;
    }
    let units = bytes.len() / 2;
    let zero_high_le = bytes.chunks_exact(2).filter(|u| u[1] == 0).count();
    let zero_high_be = bytes.chunks_exact(2).filter(|u| u[0] == 0).count();
    let both_zero = bytes.chunks_exact(2).filter(|u| u == &[0, 0]).count();
    // Text has (almost) no U+0000, and its ASCII characters put their zero byte
    // on one side only; binary data has zeros on both sides.
    if both_zero * 100 > units {
        return None;
    }
    if zero_high_le * 10 >= units * 3 && zero_high_be * 20 < units {
        Some(UTF_16LE)
    } else if zero_high_be * 10 >= units * 3 && zero_high_le * 20 < units {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Whether decoded text holds NULs or more than a few other control characters.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        // CRs are not counted, so that the verdict on a file cannot change
        // when render writes its minority CRLF line endings as LF (found by
        // fuzzing: the file read, its own rendering did not).
        if c == '\r' {
            continue;
        }
        total += 1;
        if c == '\0' {
            return true;
        }
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0c}' | '\u{85}') {
            control += 1;
        }
    }
    // Replacement characters mean the guessed encoding did not fit.
    let replaced = text.chars().filter(|&c| c == '\u{fffd}').count();
    control * 50 > total || replaced * 10 > total
}

#[cfg(test)]
mod tests {
    use crate::{Document, Format, Limits};

    const CHINESE: &str = "香港特別行政區政府今日公布財政預算案，建議撥款一千二百五十億元，\
        用於房屋、醫療及教育。\n財政司司長表示，經濟預計增長百分之三點五。\n\n\
        各政策局須於下月底前提交開支預算，並列明人手編制及主要工作目標。";

    fn texts(bytes: &[u8]) -> Vec<String> {
        let document =
            Document::from_bytes(bytes, Format::Text, &Limits::default()).expect("text decodes");
        document.blocks().iter().map(|b| b.text.clone()).collect()
    }

    fn expected() -> Vec<String> {
        CHINESE.split("\n\n").map(str::to_owned).collect()
    }

    #[test]
    fn big5_text_is_decoded_and_written_back_as_utf8() {
        let (bytes, _, errors) = encoding_rs::BIG5.encode(CHINESE);
        assert!(!errors);
        assert_eq!(texts(&bytes), expected());
        let document = Document::from_bytes(&bytes, Format::Text, &Limits::default()).unwrap();
        let same: Vec<String> = document.blocks().iter().map(|b| b.text.clone()).collect();
        let out = document.render(&same, Format::Text).unwrap().bytes;
        assert_eq!(String::from_utf8(out).unwrap(), CHINESE);
    }

    #[test]
    fn gb18030_text_is_decoded() {
        let simplified = "香港特别行政区政府今日公布财政预算案，建议拨款一千二百五十亿元，\
            用于房屋、医疗及教育。财政司司长表示，经济预计增长百分之三点五。";
        let (bytes, _, errors) = encoding_rs::GB18030.encode(simplified);
        assert!(!errors);
        assert_eq!(texts(&bytes), [simplified]);
    }

    #[test]
    fn utf16_with_a_bom_in_either_byte_order_is_decoded() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in CHINESE.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(texts(&le), expected());
        assert_eq!(texts(&be), expected());
    }

    #[test]
    fn utf16_without_a_bom_is_recognised_by_its_zero_bytes() {
        let text = "Budget 2026: HK$1,250 million for housing (3.5% growth).\n\n預算案";
        let mut le = Vec::new();
        let mut be = Vec::new();
        for unit in text.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(texts(&le).join("|"), text.replace("\n\n", "|"));
        assert_eq!(texts(&be).join("|"), text.replace("\n\n", "|"));
    }

    #[test]
    fn a_utf8_bom_is_dropped_and_crlf_endings_are_kept() {
        let bytes = "\u{feff}First line\r\nsecond line\r\n\r\nNext\r\n".as_bytes();
        let document = Document::from_bytes(bytes, Format::Text, &Limits::default()).unwrap();
        assert_eq!(document.blocks()[0].text, "First line\nsecond line");
        let out = document
            .render(&["甲\n乙".to_string(), "丙".to_string()], Format::Text)
            .unwrap()
            .bytes;
        assert_eq!(String::from_utf8(out).unwrap(), "甲\r\n乙\r\n\r\n丙\r\n");
    }

    #[test]
    fn a_text_file_that_reads_still_reads_after_render_writes_its_crlf_endings_as_lf() {
        // One control character among about 50 others: text at the binary
        // threshold. Three CRLF and three LF endings: LF wins, so rendering
        // drops three CRs, which used to tip some of these over the threshold.
        for n in 30..45 {
            let source = format!("\u{5}{}\r\na\r\nb\r\nc\nd\ne\nf", "x".repeat(n));
            let Ok(document) =
                Document::from_bytes(source.as_bytes(), Format::Text, &Limits::default())
            else {
                continue;
            };
            let same: Vec<String> = document.blocks().iter().map(|b| b.text.clone()).collect();
            let out = document.render(&same, Format::Text).unwrap().bytes;
            assert_eq!(out, source.replace("\r\n", "\n").as_bytes());
            let again = Document::from_bytes(&out, Format::Text, &Limits::default())
                .unwrap_or_else(|e| panic!("{n} characters: {e}"));
            assert_eq!(again.blocks()[0].text, same[0]);
        }
    }

    #[test]
    fn a_bom_written_twice_is_dropped_with_the_first() {
        let error =
            Document::from_bytes(&[0xFE, 0xFF, 0xFE, 0xFF], Format::Text, &Limits::default())
                .unwrap_err();
        assert_eq!(error.code(), "empty");
        let twice = "\u{feff}\u{feff}預算案\n".as_bytes();
        assert_eq!(texts(twice), ["預算案"]);
        let document = Document::from_bytes(twice, Format::Text, &Limits::default()).unwrap();
        let out = document
            .render(&["預算案".to_string()], Format::Text)
            .unwrap()
            .bytes;
        assert_eq!(out, "預算案\n".as_bytes());
    }

    #[test]
    fn a_binary_file_named_txt_is_refused() {
        let mut bytes = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
        bytes.extend((0u8..=255).cycle().take(4000));
        let error = Document::from_bytes(&bytes, Format::Text, &Limits::default()).unwrap_err();
        assert_eq!(error.code(), "binary");
        let controls: Vec<u8> = b"ab\x01\x02\x03\x04\x05\x06cd".repeat(20);
        let error = Document::from_bytes(&controls, Format::Text, &Limits::default()).unwrap_err();
        assert_eq!(error.code(), "binary");
    }
}
