//! How each paragraph is written back, decided once when it is read: its
//! spans of formatting, the tags and placeholders the translator sees, where
//! floats go, and what is cut or kept (the [`Plan`]).

use std::ops::Range;

use quick_xml::events::Event;

use super::paragraph::{NodeRef, Paragraph, RunInfo};
use super::styles::{is_heading_name, StyleInfo};
use crate::{inline, Block, BlockKind};

/// The formatting a span of words is written back in: the wrappers around
/// it and a run (start tag and properties) copied from the source.
#[derive(Debug, Clone)]
pub(super) struct Style {
    pub(super) chain: Vec<usize>,
    pub(super) start_tag: Range<usize>,
    pub(super) rpr: Option<Range<usize>>,
    /// A ruby run: what comes before and after its base text, copied around the words.
    pub(super) around: Option<(Range<usize>, Range<usize>)>,
}

/// A wrapper's head (start tag and properties) and end tag.
#[derive(Debug, Clone)]
pub(super) struct WrapperBytes {
    pub(super) head: Range<usize>,
    pub(super) tail: Range<usize>,
}

/// Something kept whole: a run that is not text, a field, a leaf.
#[derive(Debug, Clone)]
pub(super) struct Kept {
    pub(super) chain: Vec<usize>,
    pub(super) range: Range<usize>,
}

/// Where a float (bookmark, comment range…) is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    /// At the start of the paragraph's content.
    Start,
    /// At its end.
    End,
    /// Just before, or just after, the span of tag `gN`.
    BeforeTag(u32),
    AfterTag(u32),
    /// Just before, or just after, placeholder `xN`.
    BeforeAtom(u32),
    AfterAtom(u32),
}

/// How to write one block's translation back into its part.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    /// The paragraph content that is rebuilt (after the start tag and `w:pPr`, before the end tag).
    pub(super) region: Range<usize>,
    /// Namespace prefix of the WordprocessingML elements, with its colon (`"w:"`).
    pub(super) prefix: String,
    /// Whitespace before and after the block text, kept around the translation.
    pub(super) lead: String,
    pub(super) trail: String,
    pub(super) wrappers: Vec<WrapperBytes>,
    /// Style 0 is the paragraph's base: the formatting with the most words.
    pub(super) styles: Vec<Style>,
    /// The style of each paired tag.
    pub(super) tags: Vec<(u32, usize)>,
    /// What each placeholder stands for: consecutive kept elements.
    pub(super) atoms: Vec<(u32, Vec<Kept>)>,
    pub(super) floats: Vec<(Anchor, Kept)>,
    /// Text elements cut out of runs that are kept (their words are in the block).
    pub(super) cuts: Vec<Range<usize>>,
    /// The tags of the source text; `None` when the block has none.
    pub(super) spec: Option<inline::Spec>,
}

/// A run's formatting, with what does not change how it looks (language
/// tags, proofing marks, revision ids, East Asian font hints) left out, so
/// that runs split for such reasons are one span.
fn style_key(xml: &[u8], rpr: &Option<Range<usize>>) -> String {
    let Some(range) = rpr else {
        return String::new();
    };
    let mut reader = quick_xml::Reader::from_reader(&xml[range.clone()]);
    let mut key = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.local_name();
                let name = name.as_ref();
                if matches!(name, b"rPr" | b"lang" | b"noProof" | b"rPrChange") {
                    continue;
                }
                let mut attributes: Vec<(Vec<u8>, Vec<u8>)> = e
                    .attributes()
                    .flatten()
                    .filter(|a| {
                        let local = a.key.local_name();
                        let local = local.as_ref();
                        local != b"hint" && !local.starts_with(b"rsid")
                    })
                    .map(|a| (a.key.local_name().as_ref().to_vec(), a.value.to_vec()))
                    .collect();
                if name == b"rFonts" && attributes.is_empty() {
                    continue;
                }
                attributes.sort();
                key.push_str(&String::from_utf8_lossy(name));
                for (k, v) in attributes {
                    key.push(' ');
                    key.push_str(&String::from_utf8_lossy(&k));
                    key.push('=');
                    key.push_str(&String::from_utf8_lossy(&v));
                }
                key.push(';');
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    key
}

/// A paragraph's content in document order, as the translator sees it.
enum Seq {
    Text { style: usize, text: String },
    Kept(Kept),
    Float(Kept, bool),
}

/// Turns a finished paragraph into a block and its write-back plan, unless it has no text.
pub(super) fn finish_paragraph(
    xml: &[u8],
    paragraph: Paragraph,
    styles: &StyleInfo,
) -> Option<(Plan, Block)> {
    if paragraph.skip {
        return None;
    }
    let plain: String = paragraph.texts.iter().map(|t| t.text.as_str()).collect();
    if plain.trim().is_empty() {
        return None;
    }
    let kind = if paragraph.kind != BlockKind::Paragraph {
        paragraph.kind
    } else {
        let style = paragraph.style.as_deref();
        if paragraph.outline
            || style.is_some_and(|s| is_heading_name(s) || styles.headings.contains(s))
        {
            BlockKind::Heading
        } else if paragraph.numbered || style.is_some_and(|s| styles.lists.contains(s)) {
            BlockKind::ListItem
        } else {
            BlockKind::Paragraph
        }
    };

    // Texts by run, in order.
    let mut run_texts: Vec<Vec<usize>> = vec![Vec::new(); paragraph.runs.len()];
    for (index, text) in paragraph.texts.iter().enumerate() {
        run_texts[text.run].push(index);
    }
    let mut style_list: Vec<Style> = Vec::new();
    let mut style_keys: Vec<(Vec<usize>, String)> = Vec::new();
    let mut style_of = |run: &RunInfo, chain: Vec<usize>| -> usize {
        let mut key = (chain.clone(), style_key(xml, &run.rpr));
        let around = run
            .ruby
            .as_ref()
            .map(|base| (run.range.start..base.start, base.end..run.range.end));
        if let Some((before, _)) = &around {
            // Each ruby carries its own annotation: a span of its own.
            key.1.push_str(&format!("ruby@{}", before.start));
        }
        match style_keys.iter().position(|k| *k == key) {
            Some(index) => index,
            None => {
                style_keys.push(key);
                style_list.push(Style {
                    chain,
                    start_tag: run.start_tag.clone(),
                    rpr: run.rpr.clone(),
                    around,
                });
                style_list.len() - 1
            }
        }
    };
    let mut cuts = Vec::new();
    let mut seq: Vec<Seq> = Vec::new();
    for node in &paragraph.nodes {
        match *node {
            NodeRef::Run(index) => {
                let run = &paragraph.runs[index];
                let chain = paragraph.chain(run.parent);
                let text: String = run_texts[index]
                    .iter()
                    .map(|&t| paragraph.texts[t].text.as_str())
                    .collect();
                if !run.pure {
                    cuts.extend(
                        run_texts[index]
                            .iter()
                            .map(|&t| paragraph.texts[t].range.clone()),
                    );
                    seq.push(Seq::Kept(Kept {
                        chain: chain.clone(),
                        range: run.range.clone(),
                    }));
                }
                if !text.is_empty() {
                    let style = style_of(run, chain);
                    match seq.last_mut() {
                        Some(Seq::Text { style: s, text: t }) if *s == style => t.push_str(&text),
                        _ => seq.push(Seq::Text { style, text }),
                    }
                }
            }
            NodeRef::Leaf(index) => {
                let leaf = &paragraph.leaves[index];
                let kept = Kept {
                    chain: paragraph.chain(leaf.parent),
                    range: leaf.range.clone(),
                };
                seq.push(if leaf.float {
                    Seq::Float(kept, leaf.opens)
                } else {
                    Seq::Kept(kept)
                });
            }
        }
    }

    // The base is the formatting that carries the most characters among
    // those outside any wrapper that not all the text shares: words a
    // translation adds outside every tag go there, and must not land inside
    // a link. When every style is inside such a wrapper (a paragraph of two
    // links), the base is a copy of the heaviest one outside them all.
    let mut weight = vec![0usize; style_list.len()];
    for entry in &seq {
        if let Seq::Text { style, text } = entry {
            weight[*style] += text.trim().chars().count().max(1);
        }
    }
    let common: Vec<usize> = style_list
        .iter()
        .map(|s| s.chain.clone())
        .reduce(|a, b| {
            a.iter()
                .zip(&b)
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| *x)
                .collect()
        })
        .unwrap_or_default();
    let heaviest = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.max_by_key(|&s| (weight[s], std::cmp::Reverse(s)))
    };
    // A ruby is never the base: words added outside every tag would get its annotation.
    let base = heaviest(
        &mut (0..style_list.len())
            .filter(|&s| style_list[s].chain == common && style_list[s].around.is_none()),
    );
    let base = match base {
        Some(base) => base,
        None => {
            let model = heaviest(&mut (0..style_list.len())).unwrap_or(0);
            let mut synthetic = style_list[model].clone();
            synthetic.chain = common.clone();
            synthetic.around = None;
            style_list.push(synthetic);
            weight.push(0);
            style_list.len() - 1
        }
    };
    // Style 0 is the base from here on.
    let order: Vec<usize> = std::iter::once(base)
        .chain((0..style_list.len()).filter(|&s| s != base))
        .collect();
    let renumber = |s: usize| {
        order
            .iter()
            .position(|&o| o == s)
            .expect("every style is ordered")
    };
    let styles_out: Vec<Style> = order.iter().map(|&s| style_list[s].clone()).collect();

    // Tags and placeholders, in order; consecutive kept elements in the same wrappers are one placeholder.
    let mut items: Vec<inline::Item> = Vec::new();
    let mut tags: Vec<(u32, usize)> = Vec::new();
    let mut atoms: Vec<(u32, Vec<Kept>)> = Vec::new();
    // For each seq entry: the item index it became, for anchoring floats.
    let mut anchors_at: Vec<Option<(Anchor, Anchor)>> = Vec::with_capacity(seq.len());
    let mut floats_pending: Vec<(usize, Kept, bool)> = Vec::new();
    for (position, entry) in seq.into_iter().enumerate() {
        match entry {
            Seq::Text { style, text } => {
                let style = renumber(style);
                if style == 0 {
                    items.push(inline::Item::Text(None, text));
                    anchors_at.push(None);
                } else {
                    let id = tags.len() as u32 + 1;
                    tags.push((id, style));
                    items.push(inline::Item::Text(Some(id), text));
                    anchors_at.push(Some((Anchor::BeforeTag(id), Anchor::AfterTag(id))));
                }
            }
            Seq::Kept(kept) => {
                let merge = matches!(items.last(), Some(inline::Item::Atom(_)))
                    && matches!(anchors_at.last(), Some(Some((Anchor::BeforeAtom(_), _))))
                    && atoms.last().is_some_and(|(_, parts)| {
                        parts.last().is_some_and(|p| p.chain == kept.chain)
                    });
                if merge {
                    atoms.last_mut().expect("an atom is open").1.push(kept);
                    let id = atoms.len() as u32;
                    anchors_at.push(Some((Anchor::BeforeAtom(id), Anchor::AfterAtom(id))));
                } else {
                    let id = atoms.len() as u32 + 1;
                    atoms.push((id, vec![kept]));
                    items.push(inline::Item::Atom(id));
                    anchors_at.push(Some((Anchor::BeforeAtom(id), Anchor::AfterAtom(id))));
                }
            }
            Seq::Float(kept, opens) => {
                floats_pending.push((position, kept, opens));
                anchors_at.push(None);
            }
        }
    }
    // Content positions, to find each float's neighbours: (seq position, chain, anchors or None for base text).
    let mut floats = Vec::new();
    let content: Vec<(usize, Option<(Anchor, Anchor)>)> = anchors_at
        .iter()
        .enumerate()
        .filter(|(p, _)| !floats_pending.iter().any(|f| f.0 == *p))
        .map(|(p, a)| (p, *a))
        .collect();
    for (position, kept, opens) in floats_pending {
        let next = content.iter().find(|(p, _)| *p > position);
        let previous = content.iter().rev().find(|(p, _)| *p < position);
        // Next to a tagged span or a placeholder it moves with it; next to
        // words in the base formatting, whose place in the translation is
        // unknown, it goes to the start (a range opening) or the end.
        let anchor = match (next, previous) {
            (Some((_, Some((before, _)))), _) => *before,
            (_, Some((_, Some((_, after))))) => *after,
            _ if opens => Anchor::Start,
            _ => Anchor::End,
        };
        floats.push((anchor, kept));
    }

    // Leading and trailing whitespace stays outside the translation.
    let mut lead = String::new();
    while let Some(inline::Item::Text(_, text)) = items.first_mut() {
        let trimmed = text.trim_start();
        lead.push_str(&text[..text.len() - trimmed.len()]);
        if trimmed.is_empty() {
            items.remove(0);
        } else {
            *text = trimmed.to_owned();
            break;
        }
    }
    let mut trail = String::new();
    while let Some(inline::Item::Text(_, text)) = items.last_mut() {
        let trimmed = text.trim_end();
        trail.insert_str(0, &text[trimmed.len()..]);
        if trimmed.is_empty() {
            items.pop();
        } else {
            *text = trimmed.to_owned();
            break;
        }
    }
    let (text, markup) = inline::block_text(&items);
    let spec = markup.as_deref().map(inline::Spec::of);

    let wrappers = paragraph
        .wrappers
        .iter()
        .map(|w| WrapperBytes {
            head: w.start..w.head_end.unwrap_or(w.tail.start),
            tail: w.tail.clone(),
        })
        .collect();
    let plan = Plan {
        region: paragraph.content.clone(),
        prefix: paragraph.prefix.clone(),
        lead,
        trail,
        wrappers,
        styles: styles_out,
        tags,
        atoms,
        floats,
        cuts,
        spec,
    };
    Some((plan, Block { kind, text, markup }))
}
