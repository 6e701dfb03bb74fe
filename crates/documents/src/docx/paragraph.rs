//! The model of a paragraph being read: the elements open in it and the
//! runs, wrappers, leaves and text elements found so far, by byte offset.

use std::ops::Range;

use crate::BlockKind;

/// An element open inside a paragraph, outside any nested paragraph.
#[derive(Debug)]
pub(super) enum Frame {
    /// A wrapper of runs whose content is looked into.
    Wrapper(usize),
    Run(usize),
    /// Inside a `w:t`: the element's start offset, its prefix and the text so far.
    Text {
        start: usize,
        text: String,
    },
    /// A run's properties, from this offset.
    RPr {
        run: usize,
        start: usize,
    },
    PPr,
    NumPr,
    /// A child kept whole (bookmark, deleted text, math, unknown element).
    Leaf(usize),
    /// Inside a run's `w:ruby`, its `w:rubyBase`, and a run of the base.
    Ruby(usize),
    RubyBase(usize),
    RubyRun(usize),
    /// Content that is not looked into (properties, drawings, deleted text).
    Inner,
}

#[derive(Debug)]
pub(super) struct RunInfo {
    pub(super) range: Range<usize>,
    /// The `<w:r …>` start tag.
    pub(super) start_tag: Range<usize>,
    pub(super) rpr: Option<Range<usize>>,
    /// Holds only `w:rPr` and text elements.
    pub(super) pure: bool,
    pub(super) parent: Option<usize>,
    /// Part of a field's result: kept as it is, its text is not text.
    pub(super) in_field: bool,
    /// A ruby run (base text with an annotation above it): the base's text
    /// elements, from the first's start to the last's end. The run is
    /// written back around the translation with its annotation kept.
    pub(super) ruby: Option<Range<usize>>,
}

#[derive(Debug)]
pub(super) struct WrapperInfo {
    pub(super) start: usize,
    /// Where its content starts: everything before (start tag, properties) is its head.
    pub(super) head_end: Option<usize>,
    /// Its end tag.
    pub(super) tail: Range<usize>,
    pub(super) parent: Option<usize>,
    /// A `w:fldSimple` or inside one: its runs are the field's result.
    pub(super) in_field: bool,
}

#[derive(Debug)]
pub(super) struct LeafInfo {
    pub(super) range: Range<usize>,
    pub(super) parent: Option<usize>,
    pub(super) float: bool,
    /// A float that opens a range (a bookmark's start…): it goes before words, not after.
    pub(super) opens: bool,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum NodeRef {
    Run(usize),
    Leaf(usize),
}

#[derive(Debug)]
pub(super) struct TextElement {
    pub(super) range: Range<usize>,
    pub(super) text: String,
    pub(super) run: usize,
}

/// A paragraph being read.
#[derive(Debug)]
pub(super) struct Paragraph {
    pub(super) kind: BlockKind,
    /// Index of this paragraph's entry in reading order.
    pub(super) slot: usize,
    /// Inside `mc:Fallback`: read, but not a block.
    pub(super) skip: bool,
    pub(super) style: Option<String>,
    pub(super) outline: bool,
    pub(super) numbered: bool,
    /// Where the content after the start tag and `w:pPr` begins, and where the end tag begins.
    pub(super) content: Range<usize>,
    pub(super) prefix: String,
    pub(super) frames: Vec<Frame>,
    pub(super) runs: Vec<RunInfo>,
    pub(super) wrappers: Vec<WrapperInfo>,
    pub(super) leaves: Vec<LeafInfo>,
    pub(super) nodes: Vec<NodeRef>,
    pub(super) texts: Vec<TextElement>,
}

impl Paragraph {
    /// The wrapper being read, when runs and children are created (they only are directly inside one).
    pub(super) fn parent_wrapper(&self) -> Option<usize> {
        match self.frames.last() {
            Some(Frame::Wrapper(index)) => Some(*index),
            _ => None,
        }
    }

    /// The run being read, once a `w:t` frame (always directly inside its run, or a ruby base's run) is popped.
    pub(super) fn current_run(&self) -> Option<usize> {
        match self.frames.last() {
            Some(Frame::Run(index) | Frame::RubyRun(index)) => Some(*index),
            _ => None,
        }
    }

    /// Content starts in `parent` at `at`: what came before is the wrapper's head.
    pub(super) fn content_at(&mut self, parent: Option<usize>, at: usize) {
        if let Some(parent) = parent {
            self.wrappers[parent].head_end.get_or_insert(at);
        }
    }

    pub(super) fn in_field(&self, parent: Option<usize>) -> bool {
        parent.is_some_and(|p| self.wrappers[p].in_field)
    }

    /// The wrappers around a node, outermost first.
    pub(super) fn chain(&self, mut parent: Option<usize>) -> Vec<usize> {
        let mut chain = Vec::new();
        while let Some(p) = parent {
            chain.push(p);
            parent = self.wrappers[p].parent;
        }
        chain.reverse();
        chain
    }
}
