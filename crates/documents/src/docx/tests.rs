//! Shared fixtures for the .docx tests, and the round trips that go through
//! reading, planning and rendering together.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::package::MAIN_PART;
use super::xml::W_NS;
use super::{census, Census};
use crate::{inline, sample, BlockKind, Document, DocumentError, Format, Limits, Rendered};

const TRANSLATED: &[&str] = &[
    "word/document.xml",
    "word/header1.xml",
    "word/footer1.xml",
    "word/footnotes.xml",
];

pub(super) fn read(bytes: &[u8]) -> Document {
    Document::from_bytes(bytes, Format::Docx, &Limits::default()).expect("docx reads")
}

pub(super) fn error(bytes: &[u8]) -> DocumentError {
    Document::from_bytes(bytes, Format::Docx, &Limits::default()).unwrap_err()
}

/// A zip of the given entries, deflated unless `stored`.
pub(super) fn zip_of(entries: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
    let method = if stored {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    };
    let options = SimpleFileOptions::default().compression_method(method);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

pub(super) fn document_xml(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"{}\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{body}</w:body></w:document>",
        String::from_utf8_lossy(W_NS)
    )
}

pub(super) fn docx_of(body: &str) -> Vec<u8> {
    zip_of(&[(MAIN_PART, document_xml(body).as_bytes())], false)
}

pub(super) fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

pub(super) fn texts(document: &Document) -> Vec<(BlockKind, String)> {
    document
        .blocks()
        .iter()
        .map(|b| (b.kind, b.text.clone()))
        .collect()
}

/// Each block's source with `f` applied to its words, tags kept: what a good translator returns.
fn translate(document: &Document, f: impl Fn(&str) -> String) -> Vec<String> {
    document
        .blocks()
        .iter()
        .map(|block| inline::map_words(block.source(), &f))
        .collect()
}

fn count_paragraphs(xml: &str) -> usize {
    xml.matches("<w:p>").count() + xml.matches("<w:p ").count() + xml.matches("<w:p/>").count()
}

/// The `w:rPr` of the first run of every paragraph, in order.
fn first_run_properties(xml: &str) -> Vec<String> {
    xml.match_indices("<w:p>")
        .filter_map(|(start, _)| {
            let run = start + xml[start..].find("<w:r>")? + "<w:r>".len();
            let rest = &xml[run..];
            Some(if rest.starts_with("<w:rPr>") {
                rest[..rest.find("</w:rPr>")?].to_owned()
            } else {
                String::new()
            })
        })
        .collect()
}

fn styles_in(xml: &str) -> Vec<&str> {
    xml.match_indices("<w:pStyle ")
        .map(|(start, _)| &xml[start..start + xml[start..].find("/>").unwrap()])
        .collect()
}

fn raw_entries(bytes: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index_raw(index).unwrap();
            let mut raw = Vec::new();
            file.read_to_end(&mut raw).unwrap();
            (file.name().to_owned(), file.crc32(), raw)
        })
        .collect()
}

#[test]
fn docx_round_trip_keeps_structure_and_copies_untranslated_entries_raw() {
    let source = sample::docx(5);
    let document = read(&source);
    let translations = translate(&document, |t| format!("<ZH>{} & co", t.to_uppercase()));
    let rendered = document.render(&translations, Format::Docx).unwrap();
    assert_eq!(rendered.needs_look, []);
    let output = rendered.bytes;
    let again = read(&output);

    assert_eq!(again.blocks().len(), document.blocks().len());
    for ((before, after), expected) in document
        .blocks()
        .iter()
        .zip(again.blocks())
        .zip(&translations)
    {
        assert_eq!(before.kind, after.kind);
        assert_eq!(after.source(), expected);
    }
    for name in TRANSLATED {
        let (old, new) = (part(&source, name), part(&output, name));
        assert_eq!(count_paragraphs(&old), count_paragraphs(&new), "{name}");
        assert_eq!(old.matches("<w:tc>").count(), new.matches("<w:tc>").count());
        assert_eq!(styles_in(&old), styles_in(&new), "{name}");
        assert_eq!(
            first_run_properties(&old),
            first_run_properties(&new),
            "{name}"
        );
    }
    let (old, new) = (raw_entries(&source), raw_entries(&output));
    let names = |entries: &[(String, u32, Vec<u8>)]| -> Vec<String> {
        entries.iter().map(|e| e.0.clone()).collect()
    };
    assert_eq!(names(&old), names(&new), "entry order is kept");
    for (old, new) in old.iter().zip(&new) {
        if !TRANSLATED.contains(&old.0.as_str()) {
            assert_eq!(old, new, "{} is copied byte for byte", old.0);
        }
    }
}

#[test]
fn docx_rendered_with_its_own_texts_reads_back_the_same_blocks() {
    let source = sample::docx(5);
    let document = read(&source);
    let same: Vec<String> = document
        .blocks()
        .iter()
        .map(|b| b.source().to_owned())
        .collect();
    let again = read(&document.render(&same, Format::Docx).unwrap().bytes);
    assert_eq!(again.blocks(), document.blocks());
}

#[test]
fn tracked_changes_fields_and_drawings_are_kept_and_only_text_moves() {
    let body = "<w:p>\
<w:ins w:id=\"1\" w:author=\"A\"><w:r><w:t>inserted </w:t></w:r></w:ins>\
<w:del w:id=\"2\" w:author=\"A\"><w:r><w:delText>deleted</w:delText></w:r></w:del>\
<w:smartTag w:uri=\"u\" w:element=\"place\"><w:r><w:t>Hong Kong</w:t></w:r></w:smartTag>\
<w:r><w:br w:type=\"page\"/></w:r>\
<w:r><w:sym w:font=\"Wingdings\" w:char=\"F0FC\"/><w:t> tick</w:t></w:r>\
<w:fldSimple w:instr=\" DATE \"><w:r><w:t>1/3/2026</w:t></w:r></w:fldSimple>\
<w:bookmarkStart w:id=\"0\" w:name=\"b\"/><w:bookmarkEnd w:id=\"0\"/>\
</w:p>";
    let document = read(&docx_of(body));
    assert_eq!(document.blocks()[0].text, "inserted Hong Kong tick");
    assert_eq!(
        document.blocks()[0].markup.as_deref(),
        Some("<g1>inserted </g1><g2>Hong Kong</g2><x1/> tick<x2/>"),
        "the base is the formatting outside the smart tag and the insertion"
    );
    let rendered = document
        .render(
            &["<g1>新</g1><g2>香港</g2><x1/>勾<x2/>".to_string()],
            Format::Docx,
        )
        .unwrap();
    assert_eq!(rendered.needs_look, []);
    let xml = part(&rendered.bytes, MAIN_PART);
    let expected = "<w:p>\
<w:ins w:id=\"1\" w:author=\"A\"><w:r><w:t xml:space=\"preserve\">新</w:t></w:r></w:ins>\
<w:del w:id=\"2\" w:author=\"A\"><w:r><w:delText>deleted</w:delText></w:r></w:del>\
<w:smartTag w:uri=\"u\" w:element=\"place\"><w:r><w:t xml:space=\"preserve\">香港</w:t></w:r></w:smartTag>\
<w:r><w:br w:type=\"page\"/></w:r>\
<w:r><w:sym w:font=\"Wingdings\" w:char=\"F0FC\"/></w:r>\
<w:r><w:t xml:space=\"preserve\">勾</w:t></w:r>\
<w:fldSimple w:instr=\" DATE \"><w:r><w:t>1/3/2026</w:t></w:r></w:fldSimple>\
<w:bookmarkStart w:id=\"0\" w:name=\"b\"/><w:bookmarkEnd w:id=\"0\"/>\
</w:p>";
    assert!(xml.contains(expected), "{xml}");
}

#[test]
fn a_hyperlink_keeps_the_words_its_tag_comes_back_around() {
    let body = "<w:p><w:hyperlink r:id=\"rId9\"><w:r><w:t>Budget</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\"> website</w:t></w:r></w:p>";
    let document = read(&docx_of(body));
    assert_eq!(
        document.blocks()[0].markup.as_deref(),
        Some("<g1>Budget</g1> website")
    );
    let rendered = document
        .render(&["<g1>預算</g1>網站".to_string()], Format::Docx)
        .unwrap();
    assert_eq!(rendered.needs_look, []);
    assert!(part(&rendered.bytes, MAIN_PART).contains(
        "<w:p><w:hyperlink r:id=\"rId9\"><w:r><w:t xml:space=\"preserve\">預算</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\">網站</w:t></w:r></w:p>"
    ));

    // Without its tag the link is kept (empty) and the paragraph is reported.
    let rendered = document
        .render(&["預算網站".to_string()], Format::Docx)
        .unwrap();
    assert_eq!(
        rendered.needs_look,
        [(0, vec![inline::Problem::MissingTag { tag: "g1".into() }])]
    );
    let xml = part(&rendered.bytes, MAIN_PART);
    assert!(
        xml.contains("<w:hyperlink r:id=\"rId9\"></w:hyperlink>"),
        "{xml}"
    );
}

#[test]
fn whitespace_only_paragraphs_are_not_blocks_and_stay_unchanged() {
    let body = "<w:p><w:r><w:t xml:space=\"preserve\">   </w:t></w:r><w:r><w:tab/></w:r></w:p>\
<w:p><w:r><w:t xml:space=\"preserve\">  Indented</w:t></w:r><w:r><w:t xml:space=\"preserve\"> text </w:t></w:r></w:p>";
    let document = read(&docx_of(body));
    assert_eq!(
        texts(&document),
        [(BlockKind::Paragraph, "Indented text".to_string())]
    );
    let output = document
        .render(&["縮排".to_string()], Format::Docx)
        .unwrap()
        .bytes;
    let xml = part(&output, MAIN_PART);
    assert!(
        xml.contains(
            "<w:p><w:r><w:t xml:space=\"preserve\">   </w:t></w:r><w:r><w:tab/></w:r></w:p>\
<w:p><w:r><w:t xml:space=\"preserve\">  縮排 </w:t></w:r></w:p>"
        ),
        "{xml}"
    );
}

/// Renders `document` with each block's source unchanged, as a translator that changes nothing.
pub(super) fn identity(document: &Document) -> Rendered {
    let same: Vec<String> = document
        .blocks()
        .iter()
        .map(|b| b.source().to_owned())
        .collect();
    document.render(&same, Format::Docx).unwrap()
}

fn census_of(bytes: &[u8]) -> Census {
    census(bytes, &Limits::default()).unwrap()
}

/// A complex field: begin, instruction, separate, result, end, each in its own run.
fn complex_field(instruction: &str, result: &str) -> String {
    format!(
        "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> {instruction} </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
    )
}

#[test]
fn fields_stay_where_they_were_among_the_words() {
    let body = format!(
        "<w:p><w:r><w:t xml:space=\"preserve\">Page </w:t></w:r>{}<w:r><w:t xml:space=\"preserve\"> of </w:t></w:r>{}</w:p>\
<w:p><w:r><w:t xml:space=\"preserve\">Dear </w:t></w:r><w:fldSimple w:instr=\" MERGEFIELD Name \"><w:r><w:t>«Name»</w:t></w:r></w:fldSimple>\
<w:r><w:t xml:space=\"preserve\">, thank you for your letter.</w:t></w:r></w:p>",
        complex_field("PAGE", "1"),
        complex_field("NUMPAGES", "3")
    );
    let source = docx_of(&body);
    let document = read(&source);
    let markups: Vec<&str> = document.blocks().iter().map(|b| b.source()).collect();
    assert_eq!(
        markups,
        [
            "Page <x1/> of <x2/>",
            "Dear <x1/>, thank you for your letter."
        ]
    );
    let rendered = document
        .render(
            &[
                "第<x1/>頁，共<x2/>頁".to_string(),
                "<x1/>，感謝來信。".to_string(),
            ],
            Format::Docx,
        )
        .unwrap();
    assert_eq!(rendered.needs_look, []);
    let xml = part(&rendered.bytes, MAIN_PART);
    let page = xml.find("第").unwrap();
    let first_field = xml.find("PAGE").unwrap();
    let of = xml.find("頁，共").unwrap();
    let second_field = xml.find("NUMPAGES").unwrap();
    assert!(
        page < first_field && first_field < of && of < second_field,
        "{xml}"
    );
    assert!(xml.find("MERGEFIELD").unwrap() < xml.find("，感謝來信").unwrap());
    assert_eq!(census_of(&rendered.bytes).fields, 3);
    assert_eq!(census_of(&rendered.bytes), census_of(&source));
}

#[test]
fn inline_content_controls_links_and_soft_hyphens_survive_a_round_trip() {
    let body = "<w:p><w:r><w:t xml:space=\"preserve\">Reply by </w:t></w:r>\
<w:sdt><w:sdtPr><w:alias w:val=\"Date\"/><w:id w:val=\"7\"/></w:sdtPr><w:sdtContent><w:r><w:t>1 March 2027</w:t></w:r></w:sdtContent></w:sdt>\
<w:r><w:t xml:space=\"preserve\"> to the </w:t></w:r><w:hyperlink r:id=\"rId5\"><w:r><w:rPr><w:rStyle w:val=\"Hyperlink\"/></w:rPr><w:t>Secretariat</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\"> or see </w:t></w:r><w:hyperlink w:anchor=\"annex\"><w:r><w:t>Annex</w:t></w:r></w:hyperlink>\
<w:r><w:t xml:space=\"preserve\"> for the con</w:t></w:r><w:r><w:softHyphen/><w:t>sul</w:t><w:softHyphen/><w:t>tation.</w:t></w:r></w:p>";
    let source = docx_of(body);
    let document = read(&source);
    assert_eq!(
        document.blocks()[0].source(),
        "Reply by <g1>1 March 2027</g1> to the <g2>Secretariat</g2> or see <g3>Annex</g3> for the con\u{ad}sul\u{ad}tation."
    );
    let rendered = identity(&document);
    assert_eq!(rendered.needs_look, []);
    assert_eq!(census_of(&rendered.bytes), census_of(&source));
    let before = census_of(&source);
    assert_eq!((before.hyperlinks, before.content_controls), (2, 1));
    let xml = part(&rendered.bytes, MAIN_PART);
    assert_eq!(xml.matches("<w:softHyphen/>").count(), 2, "{xml}");
    assert!(xml.contains("<w:sdt><w:sdtPr><w:alias w:val=\"Date\"/><w:id w:val=\"7\"/></w:sdtPr><w:sdtContent><w:r><w:t xml:space=\"preserve\">1 March 2027</w:t></w:r></w:sdtContent></w:sdt>"), "{xml}");
    assert_eq!(read(&rendered.bytes).blocks(), document.blocks());

    // Through a translator that carries the tags, each lands on its words.
    let rendered = document
        .render(
            &["請於<g1>2027年3月1日</g1>前回覆<g2>秘書處</g2>，或參閱<g3>附件</g3>。".to_string()],
            Format::Docx,
        )
        .unwrap();
    let xml = part(&rendered.bytes, MAIN_PART);
    assert!(xml.contains("<w:hyperlink r:id=\"rId5\"><w:r><w:rPr><w:rStyle w:val=\"Hyperlink\"/></w:rPr><w:t xml:space=\"preserve\">秘書處</w:t></w:r></w:hyperlink>"), "{xml}");
    assert!(xml.contains("<w:hyperlink w:anchor=\"annex\"><w:r><w:t xml:space=\"preserve\">附件</w:t></w:r></w:hyperlink>"), "{xml}");
    assert_eq!(census_of(&rendered.bytes).content_controls, 1);
}

#[test]
fn mixed_formatting_stays_on_the_words_that_carry_it() {
    let body = "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Note:</w:t></w:r><w:r><w:t xml:space=\"preserve\"> under the </w:t></w:r>\
<w:r><w:rPr><w:i/><w:lang w:val=\"en-GB\"/></w:rPr><w:t>Employment Ordinance</w:t></w:r><w:r><w:rPr><w:i/><w:lang w:val=\"en-US\"/></w:rPr><w:t xml:space=\"preserve\"> (Cap. 57)</w:t></w:r>\
<w:r><w:t xml:space=\"preserve\">, the 1</w:t></w:r><w:r><w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr><w:t>st</w:t></w:r>\
<w:r><w:t xml:space=\"preserve\"> payment is due.</w:t></w:r><w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteReference w:id=\"2\"/></w:r></w:p>";
    let document = read(&docx_of(body));
    assert_eq!(
        document.blocks()[0].source(),
        "<g1>Note:</g1> under the <g2>Employment Ordinance (Cap. 57)</g2>, the 1<g3>st</g3> payment is due.<x1/>",
        "runs that differ only in language are one span"
    );
    let rendered = document
        .render(
            &[
                "<g1>注意：</g1>根據<g2>《僱傭條例》（第57章）</g2>，第1<g3>期</g3>款項到期。<x1/>"
                    .to_string(),
            ],
            Format::Docx,
        )
        .unwrap();
    assert_eq!(rendered.needs_look, []);
    let again = read(&rendered.bytes);
    assert_eq!(
        again.blocks()[0].text,
        "注意：根據《僱傭條例》（第57章），第1期款項到期。"
    );
    let xml = part(&rendered.bytes, MAIN_PART);
    assert!(xml.contains("<w:r><w:rPr><w:i/><w:lang w:val=\"en-GB\"/></w:rPr><w:t xml:space=\"preserve\">《僱傭條例》（第57章）</w:t></w:r>"), "{xml}");
    assert!(
        xml.contains("<w:footnoteReference w:id=\"2\"/></w:r></w:p>"),
        "{xml}"
    );
    assert!(
        xml.contains("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">注意：</w:t></w:r>"),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<w:vertAlign w:val=\"superscript\"/></w:rPr><w:t xml:space=\"preserve\">期</w:t>"
        ),
        "{xml}"
    );
}

#[test]
fn ruby_base_text_is_read_and_its_annotation_kept() {
    let ruby = "<w:r><w:rPr><w:b/></w:rPr><w:ruby><w:rubyPr><w:rubyAlign w:val=\"center\"/></w:rubyPr>\
<w:rt><w:r><w:t>hoeng1 gong2</w:t></w:r></w:rt><w:rubyBase><w:r><w:rPr><w:b/></w:rPr><w:t>香港</w:t></w:r></w:rubyBase></w:ruby></w:r>";
    let body = format!("<w:p><w:r><w:t xml:space=\"preserve\">Welcome to </w:t></w:r>{ruby}<w:r><w:t>.</w:t></w:r></w:p>");
    let source = docx_of(&body);
    let document = read(&source);
    assert_eq!(document.blocks()[0].text, "Welcome to 香港.");
    assert_eq!(document.blocks()[0].source(), "Welcome to <g1>香港</g1>.");
    let same = identity(&document);
    assert_eq!(
        part(&same.bytes, MAIN_PART),
        part(&source, MAIN_PART)
            .replace("<w:t>香港</w:t>", "<w:t xml:space=\"preserve\">香港</w:t>")
            .replace("<w:t>.</w:t>", "<w:t xml:space=\"preserve\">.</w:t>"),
        "unchanged words give the same part, but for xml:space"
    );
    assert_eq!(document.blocks()[0].kind, BlockKind::Paragraph);
    let rendered = document
        .render(&["歡迎來到<g1>Hong Kong</g1>。".to_string()], Format::Docx)
        .unwrap();
    let xml = part(&rendered.bytes, MAIN_PART);
    assert!(xml.contains("<w:rt><w:r><w:t>hoeng1 gong2</w:t></w:r></w:rt><w:rubyBase><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Hong Kong</w:t></w:r></w:rubyBase></w:ruby></w:r>"), "{xml}");
    assert_eq!(
        read(&rendered.bytes).blocks()[0].text,
        "歡迎來到Hong Kong。"
    );
}

#[test]
fn a_docx_without_text_is_empty() {
    assert_eq!(
        error(&docx_of("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>")).code(),
        "empty"
    );
}

#[test]
fn the_300_page_benchmark_document_reads_and_renders() {
    let source = sample::docx(300);
    let document = read(&source);
    assert!(document.blocks().len() > 300 * 8);
    let translations: Vec<String> = document
        .blocks()
        .iter()
        .map(|b| format!("譯：{}", b.text))
        .collect();
    let output = document.render(&translations, Format::Docx).unwrap().bytes;
    assert_eq!(read(&output).blocks().len(), document.blocks().len());
}
