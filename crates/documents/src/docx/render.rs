//! Writing a part back: each plan's region rebuilt from its checked
//! translation (wrappers reopened, text as runs), everything else copied.

use std::ops::Range;

use super::plan::{Anchor, Kept, Plan};
use crate::inline;

/// Writes plans back into a part: each block's region rebuilt from its
/// translation, everything else copied. Paragraphs nest (a text box inside a
/// picture inside a paragraph), so the content of what is kept whole is
/// itself copied with the plans inside it applied.
struct PartWriter<'a> {
    xml: &'a [u8],
    /// Plans (and cuts, as empty replacements) by start offset.
    edits: Vec<Edit<'a>>,
}

enum Edit<'a> {
    Plan {
        plan: &'a Plan,
        checked: inline::Checked,
    },
    Cut(Range<usize>),
}

impl Edit<'_> {
    fn range(&self) -> Range<usize> {
        match self {
            Edit::Plan { plan, .. } => plan.region.clone(),
            Edit::Cut(range) => range.clone(),
        }
    }
}

/// The part with each plan applied, and for each block what its tags came back with.
pub(super) fn render_part(
    xml: &[u8],
    plans: &[Plan],
    translations: &[String],
) -> (Vec<u8>, Vec<Vec<inline::Problem>>) {
    let mut problems = Vec::with_capacity(plans.len());
    let mut edits = Vec::new();
    for (plan, translation) in plans.iter().zip(translations) {
        let checked = match &plan.spec {
            Some(spec) => inline::check(spec, translation),
            None => {
                // No tags in the source: the translation is plain text, and
                // anything kept whole follows it.
                let mut items = vec![inline::Item::Text(None, translation.clone())];
                items.extend(plan.atoms.iter().map(|(id, _)| inline::Item::Atom(*id)));
                inline::Checked {
                    items,
                    problems: Vec::new(),
                }
            }
        };
        problems.push(checked.problems.clone());
        edits.extend(plan.cuts.iter().cloned().map(Edit::Cut));
        edits.push(Edit::Plan { plan, checked });
    }
    edits.sort_by_key(|edit| {
        let range = edit.range();
        (range.start, std::cmp::Reverse(range.end))
    });
    let writer = PartWriter { xml, edits };
    let mut out = Vec::with_capacity(xml.len() + xml.len() / 2);
    writer.copy(0..xml.len(), &mut out);
    (out, problems)
}

impl PartWriter<'_> {
    /// Copies `range` of the part with the edits inside it applied.
    fn copy(&self, range: Range<usize>, out: &mut Vec<u8>) {
        let mut position = range.start;
        let first = self
            .edits
            .partition_point(|e| e.range().start < range.start);
        for edit in &self.edits[first..] {
            let edit_range = edit.range();
            if edit_range.start >= range.end {
                break;
            }
            if edit_range.start < position || edit_range.end > range.end {
                // Inside an edit already applied (it copies its own content).
                continue;
            }
            if matches!(edit, Edit::Plan { .. }) && edit_range == range {
                // The paragraph being rebuilt, whose only content is what is
                // kept whole: that content is copied, not rebuilt again.
                continue;
            }
            out.extend_from_slice(&self.xml[position..edit_range.start]);
            if let Edit::Plan { plan, checked } = edit {
                self.rebuild(plan, checked, out);
            }
            position = edit_range.end;
        }
        out.extend_from_slice(&self.xml[position..range.end]);
    }

    /// A paragraph's content rebuilt from its checked translation.
    fn rebuild(&self, plan: &Plan, checked: &inline::Checked, out: &mut Vec<u8>) {
        let mut emitter = Emitter {
            writer: self,
            plan,
            open: Vec::new(),
            pending: None,
            out,
        };
        let floats = |anchor: Anchor| plan.floats.iter().filter(move |(a, _)| *a == anchor);
        for (_, kept) in floats(Anchor::Start) {
            emitter.kept(kept);
        }
        emitter.text(0, &plan.lead);
        let mut placed_tags: Vec<u32> = Vec::new();
        for item in &checked.items {
            match item {
                inline::Item::Text(tag, text) => {
                    let style = tag
                        .and_then(|id| plan.tags.iter().find(|(t, _)| *t == id))
                        .map_or(0, |(_, style)| *style);
                    let first = tag.filter(|id| !placed_tags.contains(id));
                    if let Some(id) = first {
                        placed_tags.push(id);
                        for (_, kept) in floats(Anchor::BeforeTag(id)) {
                            emitter.kept(kept);
                        }
                    }
                    emitter.text(style, text);
                    if let Some(id) = first {
                        for (_, kept) in floats(Anchor::AfterTag(id)) {
                            emitter.kept(kept);
                        }
                    }
                }
                inline::Item::Atom(id) => {
                    for (_, kept) in floats(Anchor::BeforeAtom(*id)) {
                        emitter.kept(kept);
                    }
                    if let Some((_, parts)) = plan.atoms.iter().find(|(a, _)| a == id) {
                        for kept in parts {
                            emitter.kept(kept);
                        }
                    }
                    for (_, kept) in floats(Anchor::AfterAtom(*id)) {
                        emitter.kept(kept);
                    }
                }
            }
        }
        emitter.text(0, &plan.trail);
        // A span that did not come back: its floats go to the end, and a link
        // or content control around it is kept (empty), so that neither is
        // lost; the report names the paragraph.
        for (id, style) in &plan.tags {
            if placed_tags.contains(id) {
                continue;
            }
            for (anchor, kept) in &plan.floats {
                if matches!(anchor, Anchor::BeforeTag(t) | Anchor::AfterTag(t) if t == id) {
                    emitter.kept(kept);
                }
            }
            let chain = &plan.styles[*style].chain;
            if !chain.is_empty() && *chain != plan.styles[0].chain {
                emitter.enter(chain);
            }
        }
        for (_, kept) in floats(Anchor::End) {
            emitter.kept(kept);
        }
        emitter.enter(&[]);
    }
}

/// Writes a rebuilt paragraph: wrappers opened and closed as needed, and
/// consecutive text in one formatting written as one run.
struct Emitter<'w, 'a> {
    writer: &'w PartWriter<'a>,
    plan: &'w Plan,
    /// Wrappers open now, outermost first.
    open: Vec<usize>,
    /// Text not yet written, and its style.
    pending: Option<(usize, String)>,
    out: &'w mut Vec<u8>,
}

impl Emitter<'_, '_> {
    fn flush(&mut self) {
        let Some((style, text)) = self.pending.take() else {
            return;
        };
        let Some(style) = self.plan.styles.get(style) else {
            return;
        };
        let xml = self.writer.xml;
        if let Some((before, after)) = &style.around {
            self.out.extend_from_slice(&xml[before.clone()]);
            self.out
                .extend_from_slice(runs_xml(&self.plan.prefix, &text).as_bytes());
            self.out.extend_from_slice(&xml[after.clone()]);
            return;
        }
        self.out.extend_from_slice(&xml[style.start_tag.clone()]);
        if let Some(rpr) = &style.rpr {
            self.out.extend_from_slice(&xml[rpr.clone()]);
        }
        self.out
            .extend_from_slice(runs_xml(&self.plan.prefix, &text).as_bytes());
        self.out
            .extend_from_slice(format!("</{}r>", self.plan.prefix).as_bytes());
    }

    /// Opens and closes wrappers so that exactly `chain` is open.
    fn enter(&mut self, chain: &[usize]) {
        self.flush();
        let common = self
            .open
            .iter()
            .zip(chain)
            .take_while(|(a, b)| a == b)
            .count();
        while self.open.len() > common {
            let wrapper = self.open.pop().expect("a wrapper is open");
            let tail = self.plan.wrappers[wrapper].tail.clone();
            self.out.extend_from_slice(&self.writer.xml[tail]);
        }
        for &wrapper in &chain[common..] {
            let head = self.plan.wrappers[wrapper].head.clone();
            self.writer.copy(head, self.out);
            self.open.push(wrapper);
        }
    }

    fn kept(&mut self, kept: &Kept) {
        self.enter(&kept.chain);
        self.writer.copy(kept.range.clone(), self.out);
    }

    fn text(&mut self, style: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some((pending_style, pending)) = &mut self.pending {
            if *pending_style == style {
                pending.push_str(text);
                return;
            }
        }
        let chain = self
            .plan
            .styles
            .get(style)
            .map(|s| s.chain.clone())
            .unwrap_or_default();
        if self.open != chain {
            self.enter(&chain);
        } else {
            self.flush();
        }
        self.pending = Some((style, text.to_owned()));
    }
}

/// `text` as the content of a run: `w:t` elements, with `w:tab` for tabs,
/// `w:br` for line breaks and Word's own elements for soft and
/// non-breaking hyphens.
fn runs_xml(prefix: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let text = text.replace("\r\n", "\n");
    let mut segment = String::new();
    let flush = |segment: &mut String, out: &mut String| {
        if !segment.is_empty() {
            out.push_str(&format!(
                "<{prefix}t xml:space=\"preserve\">{segment}</{prefix}t>"
            ));
            segment.clear();
        }
    };
    for c in text.chars() {
        let element = match c {
            '\t' => Some("tab"),
            '\n' => Some("br"),
            '\u{ad}' => Some("softHyphen"),
            '\u{2011}' => Some("noBreakHyphen"),
            _ => None,
        };
        if let Some(element) = element {
            flush(&mut segment, &mut out);
            out.push_str(&format!("<{prefix}{element}/>"));
            continue;
        }
        match c {
            '&' => segment.push_str("&amp;"),
            '<' => segment.push_str("&lt;"),
            '>' => segment.push_str("&gt;"),
            // Characters XML 1.0 cannot carry are dropped.
            c if is_xml_char(c) => segment.push(c),
            _ => {}
        }
    }
    flush(&mut segment, &mut out);
    if out.is_empty() {
        out.push_str(&format!("<{prefix}t/>"));
    }
    out
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::super::package::MAIN_PART;
    use super::super::xml::W_NS;
    use crate::docx::tests::{docx_of, part, read, texts, zip_of};
    use crate::{BlockKind, Format};

    #[test]
    fn translations_are_escaped_and_tabs_and_breaks_become_elements() {
        let source = docx_of(
            "<w:p><w:r><w:rPr><w:i/></w:rPr><w:t>old</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\"> text</w:t></w:r></w:p>",
        );
        let document = read(&source);
        assert_eq!(
            document.blocks()[0].markup,
            None,
            "one formatting is no tag"
        );
        let output = document
            .render(
                &["a < b & c > d\tnext\nline\u{ad}break".to_string()],
                Format::Docx,
            )
            .unwrap()
            .bytes;
        let xml = part(&output, MAIN_PART);
        assert!(xml.contains(
            "<w:r><w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\">a &lt; b &amp; c &gt; d</w:t>\
<w:tab/><w:t xml:space=\"preserve\">next</w:t><w:br/><w:t xml:space=\"preserve\">line</w:t>\
<w:softHyphen/><w:t xml:space=\"preserve\">break</w:t></w:r></w:p>"
        ), "{xml}");
        assert!(!xml.contains(" text"));
        assert_eq!(
            read(&output).blocks()[0].text,
            "a < b & c > d\tnext\nline\u{ad}break"
        );
    }

    #[test]
    fn a_document_without_the_w_prefix_is_written_with_its_own_prefix() {
        let xml = format!(
            "<document xmlns=\"{}\"><body><p><pPr><pStyle val=\"heading2\"/></pPr><r><t>Title</t></r></p></body></document>",
            String::from_utf8_lossy(W_NS)
        );
        let document = read(&zip_of(&[(MAIN_PART, xml.as_bytes())], false));
        assert_eq!(
            texts(&document),
            [(BlockKind::Heading, "Title".to_string())]
        );
        let output = document
            .render(&["標題".to_string()], Format::Docx)
            .unwrap()
            .bytes;
        assert!(part(&output, MAIN_PART).contains("<r><t xml:space=\"preserve\">標題</t></r>"));
    }

    #[test]
    fn a_run_of_text_and_a_picture_that_is_the_whole_paragraph_is_written_once() {
        let body = "<w:p><w:r><w:t>Chart</w:t><w:drawing><wp:inline xmlns:wp=\"urn:wp\"/></w:drawing></w:r></w:p>";
        let document = read(&docx_of(body));
        assert_eq!(document.blocks()[0].source(), "<x1/>Chart");
        let output = document
            .render(&["<x1/>圖表".to_string()], Format::Docx)
            .unwrap()
            .bytes;
        let xml = part(&output, MAIN_PART);
        assert!(xml.contains("<w:p><w:r><w:drawing><wp:inline xmlns:wp=\"urn:wp\"/></w:drawing></w:r><w:r><w:t xml:space=\"preserve\">圖表</w:t></w:r></w:p>"), "{xml}");
    }
}
