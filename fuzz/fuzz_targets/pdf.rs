//! PDFs: reading must give blocks or an error, never a crash, and a PDF that
//! reads must write out as a fresh .docx.
//!
//! The PDF reader runs pdf-extract on a thread of its own and turns its
//! panics into `DocumentError::Pdf` by design, while libFuzzer's panic hook
//! aborts on every panic. So panics on that thread are let through to the
//! reader's `catch_unwind`; a panic anywhere else still aborts and is a
//! finding, as are stack overflows, aborts, leaks and timeouts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wenshu_documents::{Document, Format, Limits};

/// Name of the reader's extraction thread in crates/documents/src/pdf.rs.
const READER_THREAD: &str = "wenshu-pdf";

fuzz_target!(
    init: {
        let aborting = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(READER_THREAD) {
                aborting(info);
            }
        }));
    },
    |data: &[u8]| {
        let Ok(doc) = Document::from_bytes(data, Format::Pdf, &Limits::default()) else {
            return;
        };
        render(&doc, Format::Docx);
    }
);

/// The one call of `Document::render` (its signature is still changing),
/// with the blocks' own texts as the translations.
fn render(doc: &Document, to: Format) -> Vec<u8> {
    let texts: Vec<String> = doc.blocks().iter().map(|b| b.source().to_owned()).collect();
    doc.render(&texts, to)
        .unwrap_or_else(|e| panic!("a PDF that read does not render as .docx: {e}"))
        .bytes
}
