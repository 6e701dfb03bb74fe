//! Inline formatting through a translation, as tags in the text.
//!
//! A paragraph whose words carry different formatting (a bold lead-in, the
//! italic title of an ordinance, a link, a superscript) is given to the
//! translator as *tagged text*: the words in the paragraph's main formatting
//! are plain, every other span is wrapped in a paired tag `<g1>…</g1>`, and
//! things that are not words (a field such as a page number, a footnote
//! reference, a picture, a page break) are self-closing placeholders `<x1/>`.
//! This is the XLIFF convention (`g` for paired codes, `x` for standalone
//! ones), which translation models have met in training data.
//!
//! The translation comes back tagged; [`check`] compares it with the source's
//! tags and repairs what can be repaired without guessing:
//!
//! - a tag or placeholder that the source does not have is dropped (its text kept);
//! - a second copy of a paired tag loses its tags, a second copy of a
//!   placeholder is dropped;
//! - an unclosed tag is closed at the end of the paragraph, a stray closing
//!   tag is dropped, and nested tags give their text to the innermost;
//! - a paired tag that is missing is put back around the same words when
//!   they occur exactly once in the translation (a URL, an e-mail address, a
//!   number or a name left in the original language);
//! - a placeholder that is missing is put at the end of the paragraph, so a
//!   field or a picture is never lost.
//!
//! Every repair, and a paired tag that could not be put back (its words stay
//! in the paragraph's main formatting), is a [`Problem`]: the paragraph needs
//! a look.

use std::fmt;

use serde::Serialize;

/// One piece of tagged text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `<gN>`
    Open(u32),
    /// `</gN>`
    Close(u32),
    /// `<xN/>`
    Atom(u32),
}

/// What a translation did to the source's tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// A paired tag of the source is not in the translation: its formatting is lost.
    MissingTag { tag: String },
    /// A paired tag was put back around the same words (which occur once in the translation).
    RestoredTag { tag: String },
    /// A placeholder of the source is not in the translation: it was put at the end.
    MissingPlaceholder { tag: String },
    /// A tag or placeholder appears more than once; only the first is kept.
    Duplicated { tag: String },
    /// A tag or placeholder the source does not have; dropped.
    Invented { tag: String },
    /// Tags that are not properly paired (unclosed, crossing, a close before its open).
    Unbalanced,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingTag { tag } => write!(
                f,
                "the formatting of <{tag}> did not come back; its words are in the paragraph's main formatting"
            ),
            Problem::RestoredTag { tag } => {
                write!(f, "the formatting of <{tag}> was put back on the same words")
            }
            Problem::MissingPlaceholder { tag } => write!(
                f,
                "<{tag}/> (a field, a picture or a note mark) did not come back; it was put at the end of the paragraph"
            ),
            Problem::Duplicated { tag } => {
                write!(f, "{} came back more than once; only the first was kept", shown(tag))
            }
            Problem::Invented { tag } => {
                write!(f, "{} is not in the source; it was dropped", shown(tag))
            }
            Problem::Unbalanced => write!(f, "the tags came back unpaired; they were paired again"),
        }
    }
}

/// A tag as the translator wrote it: `<g1>` or `<x1/>`.
fn shown(tag: &str) -> String {
    if tag.starts_with('x') {
        format!("<{tag}/>")
    } else {
        format!("<{tag}>")
    }
}

/// The tags and placeholders a source paragraph has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spec {
    /// Paired tag ids, in source order, with the source words each wraps.
    pub tags: Vec<(u32, String)>,
    /// Placeholder ids, in source order.
    pub atoms: Vec<u32>,
}

impl Spec {
    /// The spec of a tagged source text.
    pub fn of(tagged: &str) -> Spec {
        let mut spec = Spec::default();
        let mut open: Vec<(u32, String)> = Vec::new();
        for piece in parse(tagged) {
            match piece {
                Piece::Text(text) => {
                    if let Some((_, words)) = open.last_mut() {
                        words.push_str(&text);
                    }
                }
                Piece::Open(id) => open.push((id, String::new())),
                Piece::Close(_) => spec.tags.extend(open.pop()),
                Piece::Atom(id) => spec.atoms.push(id),
            }
        }
        spec.tags.extend(open);
        spec
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.atoms.is_empty()
    }
}

/// Splits tagged text into pieces. Only `<gN>`, `</gN>` and `<xN/>` (any
/// case, spaces allowed inside the brackets, N of 1 to 4 digits) are tags;
/// every other `<` is text.
pub fn parse(tagged: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = tagged;
    while let Some(at) = rest.find('<') {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        match tag_at(rest) {
            Some((piece, len)) => {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(piece);
                rest = &rest[len..];
            }
            None => {
                text.push('<');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

/// The tag that `s` (which starts with `<`) begins with, and its length in bytes.
fn tag_at(s: &str) -> Option<(Piece, usize)> {
    // Bytes, not characters: a tag is ASCII, and the window may end inside a character.
    let end = s.as_bytes()[..s.len().min(16)]
        .iter()
        .position(|&b| b == b'>')?;
    let inner = s[1..end].trim();
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, inner),
    };
    let (self_closing, inner) = match inner.strip_suffix('/') {
        Some(rest) => (true, rest.trim_end()),
        None => (false, inner),
    };
    let mut chars = inner.chars();
    let letter = chars.next()?.to_ascii_lowercase();
    let digits = chars.as_str();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: u32 = digits.parse().ok()?;
    let piece = match (letter, closing, self_closing) {
        ('g', false, false) => Piece::Open(id),
        ('g', true, false) => Piece::Close(id),
        ('x', false, true) => Piece::Atom(id),
        _ => return None,
    };
    Some((piece, end + 1))
}

/// Whether `text` holds something that would be read as a tag.
pub fn has_tags(text: &str) -> bool {
    parse(text).iter().any(|p| !matches!(p, Piece::Text(_)))
}

/// The text without its tags and placeholders.
pub fn plain(tagged: &str) -> String {
    parse(tagged)
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Text(text) => Some(text),
            _ => None,
        })
        .collect()
}

/// `tagged` with `f` applied to each span of words, tags and placeholders
/// kept where they are: what a translator that carries every tag returns.
pub fn map_words(tagged: &str, f: impl Fn(&str) -> String) -> String {
    let pieces: Vec<Piece> = parse(tagged)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => Piece::Text(f(&text)),
            other => other,
        })
        .collect();
    write(&pieces)
}

/// Writes pieces back as tagged text.
pub fn write(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Open(id) => out.push_str(&format!("<g{id}>")),
            Piece::Close(id) => out.push_str(&format!("</g{id}>")),
            Piece::Atom(id) => out.push_str(&format!("<x{id}/>")),
        }
    }
    out
}

/// Items as pieces, each tagged span wrapped in its tags.
pub fn pieces(items: &[Item]) -> Vec<Piece> {
    let mut pieces = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Item::Text(None, text) => pieces.push(Piece::Text(text.clone())),
            Item::Text(Some(id), text) => {
                pieces.push(Piece::Open(*id));
                pieces.push(Piece::Text(text.clone()));
                pieces.push(Piece::Close(*id));
            }
            Item::Atom(id) => pieces.push(Piece::Atom(*id)),
        }
    }
    pieces
}

/// A block's words and, when some of them are tagged or it holds
/// placeholders, its markup. A block whose words would themselves read as
/// tags gets no markup (its formatting then goes the main formatting's way),
/// so a tag is never confused with the text.
pub fn block_text(items: &[Item]) -> (String, Option<String>) {
    let tagged = write(&pieces(items));
    let text = plain(&tagged).trim().to_owned();
    let coded = items
        .iter()
        .any(|item| matches!(item, Item::Text(Some(_), _) | Item::Atom(_)));
    let literal = items
        .iter()
        .any(|item| matches!(item, Item::Text(_, t) if has_tags(t)));
    (text, (coded && !literal).then_some(tagged))
}

/// A translation checked against its source's tags: a flat list of text
/// spans (each in the base formatting or in one tag's) and placeholders, every
/// tag at most once, every placeholder exactly once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub items: Vec<Item>,
    pub problems: Vec<Problem>,
}

/// A span of a checked translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Text in the base formatting (`None`) or in a tag's.
    Text(Option<u32>, String),
    Atom(u32),
}

/// Checks and repairs a translation's tags against the source's (see the module documentation).
pub fn check(spec: &Spec, translation: &str) -> Checked {
    let known_tags: Vec<u32> = spec.tags.iter().map(|t| t.0).collect();
    let mut problems = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut seen_tags: Vec<u32> = Vec::new();
    let mut seen_atoms: Vec<u32> = Vec::new();
    // Tags open now, innermost last; `None` for a duplicate whose text goes to the base.
    let mut open: Vec<(u32, Option<u32>)> = Vec::new();
    let mut unbalanced = false;
    let note = |problems: &mut Vec<Problem>, problem: Problem| {
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    };
    for piece in parse(translation) {
        match piece {
            Piece::Text(text) => {
                let style = open.iter().rev().find_map(|(_, s)| *s);
                match items.last_mut() {
                    Some(Item::Text(s, t)) if *s == style => t.push_str(&text),
                    _ => items.push(Item::Text(style, text)),
                }
            }
            Piece::Open(id) => {
                if !known_tags.contains(&id) {
                    note(
                        &mut problems,
                        Problem::Invented {
                            tag: format!("g{id}"),
                        },
                    );
                    open.push((id, None));
                } else if seen_tags.contains(&id) {
                    note(
                        &mut problems,
                        Problem::Duplicated {
                            tag: format!("g{id}"),
                        },
                    );
                    open.push((id, None));
                } else {
                    if !open.is_empty() {
                        unbalanced = true;
                    }
                    seen_tags.push(id);
                    open.push((id, Some(id)));
                }
            }
            Piece::Close(id) => match open.iter().rposition(|(o, _)| *o == id) {
                Some(at) => {
                    if at + 1 != open.len() {
                        unbalanced = true;
                    }
                    open.remove(at);
                }
                None => {
                    if !known_tags.contains(&id) {
                        note(
                            &mut problems,
                            Problem::Invented {
                                tag: format!("g{id}"),
                            },
                        );
                    } else {
                        unbalanced = true;
                    }
                }
            },
            Piece::Atom(id) => {
                if !spec.atoms.contains(&id) {
                    note(
                        &mut problems,
                        Problem::Invented {
                            tag: format!("x{id}"),
                        },
                    );
                } else if seen_atoms.contains(&id) {
                    note(
                        &mut problems,
                        Problem::Duplicated {
                            tag: format!("x{id}"),
                        },
                    );
                } else {
                    seen_atoms.push(id);
                    items.push(Item::Atom(id));
                }
            }
        }
    }
    if open.iter().any(|(_, style)| style.is_some()) {
        unbalanced = true;
    }
    if unbalanced {
        note(&mut problems, Problem::Unbalanced);
    }
    for (id, words) in &spec.tags {
        if seen_tags.contains(id) {
            continue;
        }
        if restore(&mut items, *id, words) {
            problems.push(Problem::RestoredTag {
                tag: format!("g{id}"),
            });
        } else {
            problems.push(Problem::MissingTag {
                tag: format!("g{id}"),
            });
        }
    }
    for id in &spec.atoms {
        if !seen_atoms.contains(id) {
            items.push(Item::Atom(*id));
            problems.push(Problem::MissingPlaceholder {
                tag: format!("x{id}"),
            });
        }
    }
    // Empty text spans carry nothing.
    items.retain(|item| !matches!(item, Item::Text(_, t) if t.is_empty()));
    Checked { items, problems }
}

/// Puts tag `id` back around `words` where they occur exactly once in the
/// base-formatted text of the translation.
fn restore(items: &mut Vec<Item>, id: u32, words: &str) -> bool {
    let words = words.trim();
    if words.chars().count() < 2 {
        return false;
    }
    let occurrences: usize = items
        .iter()
        .map(|item| match item {
            Item::Text(_, text) => text.matches(words).count(),
            Item::Atom(_) => 0,
        })
        .sum();
    if occurrences != 1 {
        return false;
    }
    let Some(index) = items
        .iter()
        .position(|item| matches!(item, Item::Text(None, text) if text.contains(words)))
    else {
        return false;
    };
    let Item::Text(None, text) = items.remove(index) else {
        unreachable!("the item was matched as base text");
    };
    let at = text.find(words).expect("the words were found");
    let (before, after) = (&text[..at], &text[at + words.len()..]);
    let mut replacement = Vec::new();
    if !before.is_empty() {
        replacement.push(Item::Text(None, before.to_owned()));
    }
    replacement.push(Item::Text(Some(id), words.to_owned()));
    if !after.is_empty() {
        replacement.push(Item::Text(None, after.to_owned()));
    }
    items.splice(index..index, replacement);
    true
}

/// Start and end marks of a pseudo-translated segment.
pub const PSEUDO_OPEN: char = '⟦';
pub const PSEUDO_CLOSE: char = '⟧';

/// A pseudo-translation of `text` (tagged or not): visibly marked with
/// [`PSEUDO_OPEN`] and [`PSEUDO_CLOSE`], Latin vowels accented, and every
/// text span lengthened by about a third, as an English-to-Chinese or
/// Chinese-to-English translation can be; tags, placeholders, glossary
/// placeholders (`[T1]`), figures and whitespace are carried unchanged.
pub fn pseudo(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let pieces = parse(text);
    // Placeholders that open the paragraph stay first (a field that begins
    // there may hold the words after it), so the mark follows them.
    let leading = pieces
        .iter()
        .take_while(|p| matches!(p, Piece::Atom(_)))
        .count();
    out.push_str(&write(&pieces[..leading]));
    out.push(PSEUDO_OPEN);
    for piece in &pieces[leading..] {
        match piece {
            Piece::Text(span) => out.push_str(&pseudo_span(span)),
            other => out.push_str(&write(std::slice::from_ref(other))),
        }
    }
    out.push(PSEUDO_CLOSE);
    out
}

fn pseudo_span(span: &str) -> String {
    let mut out = String::with_capacity(span.len() * 2);
    let mut letters = 0usize;
    for c in span.chars() {
        let accented = match c {
            'a' => 'á',
            'e' => 'é',
            'i' => 'í',
            'o' => 'ó',
            'u' => 'ú',
            'A' => 'Á',
            'E' => 'É',
            'I' => 'Í',
            'O' => 'Ó',
            'U' => 'Ú',
            other => other,
        };
        if c.is_alphabetic() {
            letters += 1;
        }
        out.push(accented);
        // Lengthen inside the span, after every third letter, so a span's
        // edges (and the spaces there) stay where they were.
        if c.is_alphabetic() && letters % 3 == 0 {
            out.push(if c.is_ascii() { '~' } else { '\u{3000}' });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(tagged: &str) -> Spec {
        Spec::of(tagged)
    }

    #[test]
    fn tags_are_parsed_and_everything_else_is_text() {
        let pieces = parse("a <g1>b</g1> <x2/> < G3 > c </ g3> 1 < 2 <b>x</b> <x/> <g12345>");
        assert_eq!(
            pieces,
            [
                Piece::Text("a ".into()),
                Piece::Open(1),
                Piece::Text("b".into()),
                Piece::Close(1),
                Piece::Text(" ".into()),
                Piece::Atom(2),
                Piece::Text(" ".into()),
                Piece::Open(3),
                Piece::Text(" c ".into()),
                Piece::Close(3),
                Piece::Text(" 1 < 2 <b>x</b> <x/> <g12345>".into()),
            ]
        );
        assert_eq!(plain("<g1>Note:</g1> see <x1/>page"), "Note: see page");
        assert!(has_tags("x <x1/>"));
        assert!(!has_tags("a < b > c"));
    }

    #[test]
    fn a_translation_with_every_tag_once_has_no_problem() {
        let source = spec("<g1>Note:</g1> see page <x1/> of <x2/>.");
        let checked = check(&source, "<g1>注意：</g1>見第<x1/>頁，共<x2/>頁。");
        assert_eq!(checked.problems, []);
        assert_eq!(
            checked.items,
            [
                Item::Text(Some(1), "注意：".into()),
                Item::Text(None, "見第".into()),
                Item::Atom(1),
                Item::Text(None, "頁，共".into()),
                Item::Atom(2),
                Item::Text(None, "頁。".into()),
            ]
        );
    }

    #[test]
    fn missing_duplicated_invented_and_unbalanced_tags_are_repaired_and_reported() {
        let source = spec("<g1>Bold</g1> and <g2>www.gov.hk</g2> <x1/>");
        let checked = check(
            &source,
            "粗體 <g1>和</g1><g1>再</g1> <g7>x</g7> www.gov.hk <x1/><x1/>",
        );
        assert_eq!(
            checked.problems,
            [
                Problem::Duplicated { tag: "g1".into() },
                Problem::Invented { tag: "g7".into() },
                Problem::Duplicated { tag: "x1".into() },
                Problem::RestoredTag { tag: "g2".into() },
            ]
        );
        assert_eq!(
            checked.items,
            [
                Item::Text(None, "粗體 ".into()),
                Item::Text(Some(1), "和".into()),
                Item::Text(None, "再 x ".into()),
                Item::Text(Some(2), "www.gov.hk".into()),
                Item::Text(None, " ".into()),
                Item::Atom(1),
            ]
        );

        let checked = check(&source, "<g1>粗體 和 <g2>網站</g1>");
        assert!(checked.problems.contains(&Problem::Unbalanced));
        assert!(checked
            .problems
            .contains(&Problem::MissingPlaceholder { tag: "x1".into() }));
        assert_eq!(checked.items.last(), Some(&Item::Atom(1)));
        assert!(checked.items.contains(&Item::Text(Some(2), "網站".into())));

        let checked = check(&source, "粗體和網站");
        assert!(checked
            .problems
            .contains(&Problem::MissingTag { tag: "g1".into() }));
        assert!(checked
            .problems
            .contains(&Problem::MissingTag { tag: "g2".into() }));
    }

    #[test]
    fn pseudo_translation_marks_lengthens_and_keeps_tags() {
        let out = pseudo("<g1>Note:</g1> see [T1] page <x1/> of 3.");
        assert!(out.starts_with(PSEUDO_OPEN) && out.ends_with(PSEUDO_CLOSE));
        let ids = |spec: Spec| {
            (
                spec.tags.iter().map(|t| t.0).collect::<Vec<_>>(),
                spec.atoms,
            )
        };
        assert_eq!(ids(Spec::of(&out)), ids(Spec::of("<g1>Note:</g1> <x1/>")));
        assert!(out.contains("[T1]") && out.contains(" 3."));
        assert!(out.chars().count() > "Note: see [T1] page  of 3.".chars().count() + 4);
        assert_eq!(check(&Spec::of("<g1>Note:</g1> <x1/>"), &out).problems, []);
        assert!(
            pseudo("<x1/>Foreword").starts_with("<x1/>⟦"),
            "leading placeholders stay first"
        );
        let chinese = pseudo("政府新聞處");
        assert!(chinese.chars().count() > 7);
    }
}
