//! Text files in any encoding: reading must give blocks or an error,
//! and a document that reads must write back, with its own texts, to a file
//! that reads again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wenshu_documents::{Document, Format, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = Document::from_bytes(data, Format::Text, &Limits::default()) else {
        return;
    };
    let out = render(&doc, Format::Text);
    if let Err(e) = Document::from_bytes(&out, Format::Text, &Limits::default()) {
        panic!("a text file that read does not read after rendering: {e}");
    }
});

/// The one call of `Document::render` (its signature is still changing),
/// with the blocks' own texts as the translations.
fn render(doc: &Document, to: Format) -> Vec<u8> {
    let texts: Vec<String> = doc.blocks().iter().map(|b| b.source().to_owned()).collect();
    doc.render(&texts, to)
        .unwrap_or_else(|e| panic!("a text file that read does not render: {e}"))
        .bytes
}
