//! A generated .docx for tests and benchmarks (`wenshu bench docs` reads
//! and writes `docx(300)`), and, for tests only (the `test-util` feature),
//! small PDFs.
//!
//! [`docx`] writes a policy-paper-like document of any length with the zip
//! writer and hand-written OOXML: a title, per page a heading and six
//! paragraphs of English with amounts, years and percentages (some words in
//! bold), a 3×3 table every fifth page, and on the first page a footnote
//! reference, a text box, a hyperlink, a bulleted list, a tab and an image.
//! Header, footer (with a PAGE field), footnotes, numbering, settings and
//! core properties are all there, so the result opens in Word and
//! LibreOffice. `docx(300)` is the benchmark document.

#[cfg(any(test, feature = "test-util"))]
use pdf_extract::{Dictionary, Object, Stream};
use std::fmt::Write as _;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

const TOPICS: &[&str] = &[
    "public housing",
    "primary healthcare",
    "elderly services",
    "district cleanliness",
    "digital government",
    "flood prevention",
    "youth development",
    "public transport",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const QUARTERS: &[&str] = &["first", "second", "third", "fourth"];

/// A .docx of `pages` sections (a heading and six paragraphs each).
pub fn docx(pages: usize) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let entries: Vec<(&str, Vec<u8>, SimpleFileOptions)> = vec![
        (
            "[Content_Types].xml",
            content_types().into_bytes(),
            deflated,
        ),
        ("_rels/.rels", package_rels().into_bytes(), deflated),
        ("docProps/core.xml", core().into_bytes(), deflated),
        (
            "word/document.xml",
            document(pages.max(1)).into_bytes(),
            deflated,
        ),
        (
            "word/_rels/document.xml.rels",
            document_rels().into_bytes(),
            deflated,
        ),
        ("word/styles.xml", styles().into_bytes(), deflated),
        ("word/settings.xml", settings().into_bytes(), deflated),
        ("word/numbering.xml", numbering().into_bytes(), deflated),
        ("word/header1.xml", header().into_bytes(), deflated),
        ("word/footer1.xml", footer().into_bytes(), deflated),
        ("word/footnotes.xml", footnotes().into_bytes(), deflated),
        ("word/media/image1.png", png(), stored),
    ];
    for (name, bytes, options) in entries {
        zip.start_file(name, options).expect("writing to memory");
        zip.write_all(&bytes).expect("writing to memory");
    }
    zip.finish().expect("writing to memory").into_inner()
}

fn xml_header() -> &'static str {
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
}

fn content_types() -> String {
    let main = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        "{}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"png\" ContentType=\"image/png\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"{main}.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"{main}.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"{main}.settings+xml\"/>\
<Override PartName=\"/word/numbering.xml\" ContentType=\"{main}.numbering+xml\"/>\
<Override PartName=\"/word/header1.xml\" ContentType=\"{main}.header+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"{main}.footer+xml\"/>\
<Override PartName=\"/word/footnotes.xml\" ContentType=\"{main}.footnotes+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>",
        xml_header()
    )
}

fn package_rels() -> String {
    format!(
        "{}<Relationships xmlns=\"{PKG_REL}\">\
<Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>",
        xml_header()
    )
}

fn document_rels() -> String {
    format!(
        "{}<Relationships xmlns=\"{PKG_REL}\">\
<Relationship Id=\"rId1\" Type=\"{REL}/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId2\" Type=\"{REL}/header\" Target=\"header1.xml\"/>\
<Relationship Id=\"rId3\" Type=\"{REL}/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rId4\" Type=\"{REL}/footnotes\" Target=\"footnotes.xml\"/>\
<Relationship Id=\"rId5\" Type=\"{REL}/image\" Target=\"media/image1.png\"/>\
<Relationship Id=\"rId6\" Type=\"{REL}/hyperlink\" Target=\"https://www.budget.gov.hk/\" TargetMode=\"External\"/>\
<Relationship Id=\"rId7\" Type=\"{REL}/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rId8\" Type=\"{REL}/numbering\" Target=\"numbering.xml\"/>\
</Relationships>",
        xml_header()
    )
}

fn core() -> String {
    format!(
        "{}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>Sample policy paper</dc:title><dc:creator>Wenshu test suite</dc:creator>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-03-01T09:00:00Z</dcterms:created>\
<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2026-03-01T09:00:00Z</dcterms:modified>\
</cp:coreProperties>",
        xml_header()
    )
}

fn styles() -> String {
    let heading = |id: &str, name: &str, level: u8, size: u8| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>\
<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/><w:outlineLvl w:val=\"{level}\"/></w:pPr>\
<w:rPr><w:b/><w:sz w:val=\"{size}\"/></w:rPr></w:style>"
        )
    };
    format!(
        "{}<w:styles xmlns:w=\"{W}\">\
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\" w:eastAsia=\"PMingLiU\" w:cs=\"Arial\"/>\
<w:sz w:val=\"24\"/><w:lang w:val=\"en-GB\" w:eastAsia=\"zh-HK\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"160\" w:line=\"276\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>\
<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"40\"/></w:rPr></w:style>\
{}{}\
<w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:ind w:left=\"720\"/></w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"FootnoteText\"><w:name w:val=\"footnote text\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:rPr><w:sz w:val=\"20\"/></w:rPr></w:style>\
<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/></w:style>\
<w:style w:type=\"character\" w:styleId=\"FootnoteReference\"><w:name w:val=\"footnote reference\"/>\
<w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr></w:style>\
<w:style w:type=\"character\" w:styleId=\"Hyperlink\"><w:name w:val=\"Hyperlink\"/>\
<w:rPr><w:color w:val=\"0563C1\"/><w:u w:val=\"single\"/></w:rPr></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>\
<w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/>\
</w:tblCellMar></w:tblPr></w:style>\
<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/><w:basedOn w:val=\"TableNormal\"/>\
<w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:tblPr><w:tblBorders>\
<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
</w:tblBorders></w:tblPr></w:style>\
</w:styles>",
        xml_header(),
        heading("Heading1", "heading 1", 0, 32),
        heading("Heading2", "heading 2", 1, 28),
    )
}

fn settings() -> String {
    format!(
        "{}<w:settings xmlns:w=\"{W}\"><w:defaultTabStop w:val=\"720\"/>\
<w:characterSpacingControl w:val=\"compressPunctuation\"/>\
<w:footnotePr><w:footnote w:id=\"-1\"/><w:footnote w:id=\"0\"/></w:footnotePr>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
</w:settings>",
        xml_header()
    )
}

fn numbering() -> String {
    format!(
        "{}<w:numbering xmlns:w=\"{W}\"><w:abstractNum w:abstractNumId=\"0\">\
<w:multiLevelType w:val=\"hybridMultilevel\"/>\
<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\u{2022}\"/>\
<w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr></w:lvl>\
</w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num></w:numbering>",
        xml_header()
    )
}

fn header() -> String {
    format!(
        "{}<w:hdr xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:p><w:pPr><w:jc w:val=\"right\"/></w:pPr>\
<w:r><w:t>Government of the Hong Kong Special Administrative Region</w:t></w:r></w:p></w:hdr>",
        xml_header()
    )
}

fn footer() -> String {
    format!(
        "{}<w:ftr xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>\
<w:r><w:t xml:space=\"preserve\">Page </w:t></w:r>\
<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
<w:r><w:t xml:space=\"preserve\"> | For internal use</w:t></w:r></w:p></w:ftr>",
        xml_header()
    )
}

fn footnotes() -> String {
    format!(
        "{}<w:footnotes xmlns:w=\"{W}\" xmlns:r=\"{R}\">\
<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>\
<w:r><w:separator/></w:r></w:p></w:footnote>\
<w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>\
<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>\
<w:footnote w:id=\"1\"><w:p><w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr>\
<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteRef/></w:r>\
<w:r><w:t xml:space=\"preserve\"> Figures are at 2025-26 prices and exclude the Housing Authority's own spending of HK$8.4 billion.</w:t></w:r>\
</w:p></w:footnote></w:footnotes>",
        xml_header()
    )
}

/// A plain paragraph, optionally starting with a bold lead-in.
fn paragraph(out: &mut String, bold: Option<&str>, text: &str) {
    out.push_str("<w:p>");
    if let Some(bold) = bold {
        let _ = write!(out, "<w:r><w:rPr><w:b/></w:rPr><w:t>{bold}</w:t></w:r>");
    }
    let space = if bold.is_some() { " " } else { "" };
    let _ = write!(
        out,
        "<w:r><w:t xml:space=\"preserve\">{space}{text}</w:t></w:r></w:p>"
    );
}

fn heading(out: &mut String, style: &str, text: &str, page_break: bool) {
    let before = if page_break {
        "<w:pageBreakBefore/>"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{before}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"
    );
}

fn table(out: &mut String, page: usize) {
    let base = 100 + page * 7;
    let rows = [
        [
            "Item".to_string(),
            "2025-26".to_string(),
            "2026-27".to_string(),
        ],
        [
            "Recurrent expenditure".to_string(),
            format!("HK${base} million"),
            format!("HK${} million", base + base / 20),
        ],
        [
            "Capital works".to_string(),
            format!("HK${} million", base * 3),
            format!("HK${} million", base * 3 + 45),
        ],
    ];
    out.push_str(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>\
<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"1\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/>\
</w:tblPr><w:tblGrid><w:gridCol w:w=\"3008\"/><w:gridCol w:w=\"3009\"/><w:gridCol w:w=\"3009\"/></w:tblGrid>",
    );
    for (index, row) in rows.iter().enumerate() {
        out.push_str("<w:tr>");
        for cell in row {
            let bold = if index == 0 {
                "<w:rPr><w:b/></w:rPr>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<w:tc><w:tcPr><w:tcW w:w=\"3008\" w:type=\"dxa\"/></w:tcPr><w:p><w:r>{bold}<w:t>{cell}</w:t></w:r></w:p></w:tc>"
            );
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

/// The special content of the first page: list, tab, footnote, hyperlink, text box, image.
fn first_page_extras(out: &mut String) {
    out.push_str(
        "<w:p><w:r><w:t>Ref: FSTB(B) 12/2026</w:t></w:r><w:r><w:tab/><w:t>Date: 1 March 2026</w:t></w:r></w:p>",
    );
    for item in [
        "Housing supply will reach 30,000 units a year.",
        "Waiting time for public rental housing is to fall to 4.5 years.",
    ] {
        let _ = write!(
            out,
            "<w:p><w:pPr><w:pStyle w:val=\"ListParagraph\"/><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>\
<w:r><w:t>{item}</w:t></w:r></w:p>"
        );
    }
    out.push_str(
        "<w:p><w:r><w:t xml:space=\"preserve\">Total spending on housing will be HK$1,250 million in 2026</w:t></w:r>\
<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteReference w:id=\"1\"/></w:r>\
<w:r><w:t>, a rise of 3.5% on the revised estimate.</w:t></w:r></w:p>",
    );
    out.push_str(
        "<w:p><w:r><w:t xml:space=\"preserve\">Details are published on the </w:t></w:r>\
<w:hyperlink r:id=\"rId6\" w:history=\"1\"><w:r><w:rPr><w:rStyle w:val=\"Hyperlink\"/></w:rPr>\
<w:t>Budget website</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r></w:p>",
    );
    out.push_str(
        "<w:p><w:r><w:t xml:space=\"preserve\">Summary: </w:t></w:r><w:r><w:pict>\
<v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\">\
<v:stroke joinstyle=\"miter\"/><v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>\
<v:shape id=\"TextBox1\" o:spid=\"_x0000_s1026\" type=\"#_x0000_t202\" style=\"width:300pt;height:48pt\">\
<v:textbox><w:txbxContent><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Key point:</w:t></w:r>\
<w:r><w:t xml:space=\"preserve\"> the fiscal deficit narrows to HK$48.5 billion.</w:t></w:r></w:p></w:txbxContent></v:textbox>\
</v:shape></w:pict></w:r></w:p>",
    );
    out.push_str(
        "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing>\
<wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"952500\" cy=\"952500\"/>\
<wp:docPr id=\"1\" name=\"Picture 1\" descr=\"Chart of housing supply\"/>\
<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>\
<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
<pic:pic><pic:nvPicPr><pic:cNvPr id=\"0\" name=\"image1.png\"/><pic:cNvPicPr/></pic:nvPicPr>\
<pic:blipFill><a:blip r:embed=\"rId5\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"952500\" cy=\"952500\"/></a:xfrm>\
<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>\
</wp:inline></w:drawing></w:r></w:p>",
    );
    paragraph(
        out,
        None,
        "Figure 1: Public housing completions, 2022 to 2026.",
    );
}

fn document(pages: usize) -> String {
    let mut out = String::with_capacity(pages * 4096);
    let _ = write!(
        out,
        "{}<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\" \
xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\"><w:body>",
        xml_header()
    );
    let _ = write!(
        out,
        "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>The 2026-27 Budget: Policy Paper</w:t></w:r></w:p>"
    );
    for page in 1..=pages {
        let topic = TOPICS[page % TOPICS.len()];
        let next_topic = TOPICS[(page * 3 + 1) % TOPICS.len()];
        let amount = 1_250 + page * 37;
        let percent = format!("{}.{}", 1 + page % 9, page % 10);
        let year = 2026 + page % 4;
        heading(
            &mut out,
            "Heading1",
            &format!("{page}. Spending on {topic}"),
            page > 1,
        );
        if page == 1 {
            first_page_extras(&mut out);
        }
        paragraph(
            &mut out,
            Some("Key figure:"),
            &format!(
                "The Government will allocate HK${},{:03} million in {year} to improve {topic}, \
an increase of {percent}% over the previous year.",
                amount / 1000,
                amount % 1000
            ),
        );
        paragraph(
            &mut out,
            None,
            &format!(
                "Bureaux and departments should submit their proposals by {} {} {year}, \
together with an estimate of staff costs and a timetable for implementation.",
                1 + page % 28,
                MONTHS[page % 12]
            ),
        );
        paragraph(
            &mut out,
            None,
            &format!(
                "The public consultation received {} written submissions; most supported \
the proposed measures on {next_topic}, while 12% asked for a longer trial period.",
                200 + page * 13
            ),
        );
        heading(&mut out, "Heading2", &format!("{page}.1 Progress"), false);
        paragraph(
            &mut out,
            Some("Note:"),
            &format!(
                "Expenditure on {next_topic} reached HK${}.{} billion, or {percent}% of total \
recurrent spending, against a target of {}%.",
                3 + page % 17,
                page % 10,
                2 + page % 5
            ),
        );
        paragraph(
            &mut out,
            None,
            &format!(
                "Members are invited to note the progress set out in paragraphs {} to {} and \
to offer their views on the &amp; \"next steps\" &lt;draft&gt;.",
                page * 2,
                page * 2 + 5
            ),
        );
        paragraph(
            &mut out,
            None,
            &format!(
                "Subject to funding approval by the Legislative Council, the first phase is \
expected to be completed in the {} quarter of {}.",
                QUARTERS[page % 4],
                year + 1
            ),
        );
        if page % 5 == 0 {
            table(&mut out, page);
        }
    }
    out.push_str(
        "<w:p/><w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId2\"/>\
<w:footerReference w:type=\"default\" r:id=\"rId3\"/>\
<w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
<w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/>\
</w:sectPr></w:body></w:document>",
    );
    out
}

/// A 2×2 PNG in Wenshu blue, written from its specification: IHDR, one stored-deflate IDAT, IEND.
fn png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(kind);
        out.extend(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend(crc.finalize().to_be_bytes());
    }
    let (width, height) = (2u32, 2u32);
    // Each row: filter type 0 (none), then one RGB triple per pixel.
    let row: Vec<u8> = std::iter::once(0)
        .chain([0x1F, 0x4E, 0x8C].repeat(width as usize))
        .collect();
    let raw = row.repeat(height as usize);
    // zlib stream with one stored block.
    let mut zlib = vec![0x78, 0x01, 0x01];
    let length = raw.len() as u16;
    zlib.extend(length.to_le_bytes());
    zlib.extend((!length).to_le_bytes());
    zlib.extend(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend(((b << 16) | a).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter method, no interlace
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A one-page PDF with one line of text per item of `lines` (Helvetica,
/// WinAnsi: ASCII text), a paragraph gap between items.
#[cfg(any(test, feature = "test-util"))]
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 760 Td");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            content.push_str(" 0 -48 Td");
        }
        let escaped = line
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        content.push_str(&format!(" ({escaped}) Tj"));
    }
    content.push_str(" ET");
    pdf_with(&content, None)
}

/// A one-page PDF whose content stream is `content`, with Helvetica as /F1,
/// and optionally one more trailer entry (e.g. `Encrypt`).
#[cfg(any(test, feature = "test-util"))]
pub fn pdf_with(content: &str, extra_trailer: Option<(&str, Object)>) -> Vec<u8> {
    let mut document = pdf_extract::Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let font_id = document.add_object(font);
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let resources_id = document.add_object(resources);
    let content_id =
        document.add_object(Stream::new(Dictionary::new(), content.as_bytes().to_vec()));
    let mut page = Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", Object::Reference(pages_id));
    page.set("Contents", Object::Reference(content_id));
    page.set("Resources", Object::Reference(resources_id));
    page.set(
        "MediaBox",
        Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
    );
    let page_id = document.add_object(page);
    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", Object::Array(vec![Object::Reference(page_id)]));
    pages.set("Count", Object::Integer(1));
    document.objects.insert(pages_id, Object::Dictionary(pages));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = document.add_object(catalog);
    document.trailer.set("Root", Object::Reference(catalog_id));
    if let Some((key, value)) = extra_trailer {
        let id = document.add_object(value);
        document.trailer.set(key, Object::Reference(id));
    }
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).expect("test PDF saves");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_sample_is_a_zip_with_every_part_and_a_valid_png_signature() {
        let bytes = docx(6);
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        for name in [
            "[Content_Types].xml",
            "word/document.xml",
            "word/header1.xml",
            "word/footer1.xml",
            "word/footnotes.xml",
            "word/media/image1.png",
        ] {
            assert!(archive.index_for_name(name).is_some(), "{name}");
        }
        let mut png = Vec::new();
        archive
            .by_name("word/media/image1.png")
            .unwrap()
            .read_to_end(&mut png)
            .unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let mut document = String::new();
        archive
            .by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut document)
            .unwrap();
        assert_eq!(document.matches("<w:tbl>").count(), 1);
        assert_eq!(document.matches("w:pStyle w:val=\"Heading1\"").count(), 6);
    }
}
