//! Official names: one leftmost-longest matcher over the whole glossary.
//!
//! The glossary is the user's entries and, unless switched off, the base
//! glossary bundled with Wenshu (`glossary/base.tsv`: bureaux, departments,
//! statutory bodies and the titles of their office holders); a user entry
//! wins over a base entry with the same English or Chinese name.
//!
//! Names are found with `aho-corasick` in leftmost-longest mode over a
//! normalised copy of the text, so the longest official name wins: 運輸署
//! is not found inside 運輸署副署長 (Deputy Commissioner for Transport) when
//! the title is in the glossary, nor 發展局 inside 香港藝術發展局. A body's
//! Chinese name straight before a title word (局長, 署長, 處長 …) is part of
//! a title that is not in the glossary, and is left alone rather than
//! protected on its own. English is matched word by word, ignoring case
//! (except for short all-capital abbreviations such as `HA`), plurals,
//! possessives and hyphens; Chinese in either script and in either of the
//! HK/Taiwan variant forms (衞/衛).
//!
//! In an output, a name's abbreviation or back-reference ("the TD", "the
//! Department", 該署) is accepted once its full form has appeared.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex};

use aho_corasick::{AhoCorasick, Input, MatchKind};
use serde::{Deserialize, Serialize};

use super::{Mention, Row, Verdict};
use crate::store::GlossaryEntry;
use crate::text::zh;

/// A body (bureau, department, statutory body) or an office holder's title.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    #[default]
    Body,
    Title,
}

impl TermKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Body => "body",
            Self::Title => "title",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "body" => Some(Self::Body),
            "title" => Some(Self::Title),
            _ => None,
        }
    }
}

/// Whether translation replaces a name by a placeholder the model carries
/// through (so it cannot get the name wrong), or only checks it afterwards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermMode {
    #[default]
    Enforce,
    Check,
}

impl TermMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Check => "check",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "enforce" => Some(Self::Enforce),
            "check" => Some(Self::Check),
            _ => None,
        }
    }
}

/// Where an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    User,
    Base,
}

/// One official name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    pub en: String,
    pub zh: String,
    pub kind: TermKind,
    pub mode: TermMode,
    pub origin: Origin,
    /// Abbreviations and official short forms, accepted after the full form
    /// (or anywhere, when distinctive: see [`distinctive`]).
    pub aliases_en: Vec<String>,
    pub aliases_zh: Vec<String>,
    /// Other full renderings, equally correct anywhere (香港海關 is the
    /// Customs and Excise Department, and "Hong Kong Customs").
    #[serde(default)]
    pub also_en: Vec<String>,
    #[serde(default)]
    pub also_zh: Vec<String>,
    /// Where the name is published (base glossary) or the user's note.
    pub source: String,
}

impl Term {
    fn side(&self, chinese: bool) -> (&str, &[String]) {
        if chinese {
            (&self.zh, &self.aliases_zh)
        } else {
            (&self.en, &self.aliases_en)
        }
    }

    fn also(&self, chinese: bool) -> &[String] {
        if chinese {
            &self.also_zh
        } else {
            &self.also_en
        }
    }
}

/// Whether a short form names its body unmistakably, so it is accepted
/// even before the full name: a Chinese short form (環保署), an English
/// abbreviation of three letters or more (EPD, HKMA) or a short name of
/// several words. Two-letter abbreviations (HA, TD, CS) stand for too many
/// things and need the full name first.
pub fn distinctive(alias: &str, chinese: bool) -> bool {
    if chinese {
        return alias.chars().count() >= 2;
    }
    alias.split_whitespace().count() > 1
        || alias.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 3
}

const BASE_TSV: &str = include_str!("../../../../glossary/base.tsv");

/// The base glossary's version, from its `# version: N` line.
pub fn base_version() -> u32 {
    BASE_TSV
        .lines()
        .find_map(|l| l.strip_prefix("# version:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The bundled base glossary.
pub fn base() -> &'static [Term] {
    static BASE: LazyLock<Vec<Term>> = LazyLock::new(|| match parse_base(BASE_TSV) {
        Ok(terms) => terms,
        Err(e) => {
            // Compiled in and tested, so this is a build defect: say so and go on without it.
            tracing::error!("the bundled base glossary is invalid: {e}");
            Vec::new()
        }
    });
    &BASE
}

fn split_aliases(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_base(tsv: &str) -> Result<Vec<Term>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .comment(Some(b'#'))
        .has_headers(true)
        .quoting(false)
        .from_reader(tsv.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let r = record.map_err(|e| format!("row {}: {e}", i + 1))?;
        let field = |n: usize| r.get(n).unwrap_or("").trim().to_string();
        if r.len() != 9 {
            return Err(format!("row {}: {} columns, expected 9", i + 1, r.len()));
        }
        let kind = TermKind::parse(&field(2))
            .ok_or_else(|| format!("row {}: kind `{}`", i + 1, field(2)))?;
        let mode = TermMode::parse(&field(7))
            .ok_or_else(|| format!("row {}: mode `{}`", i + 1, field(7)))?;
        out.push(Term {
            en: field(0),
            zh: field(1),
            kind,
            mode,
            origin: Origin::Base,
            aliases_en: split_aliases(&field(3)),
            aliases_zh: split_aliases(&field(4)),
            also_en: split_aliases(&field(5)),
            also_zh: split_aliases(&field(6)),
            source: field(8),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Normalised text with a way back to the original offsets.

/// A normalised copy of a text: English as space-separated word tokens,
/// Chinese in one script and variant; offsets map back to the original.
struct Normal {
    text: String,
    /// For English: (normalised start, original start, original end) per token.
    tokens: Vec<(usize, usize, usize)>,
    /// For Chinese: original byte offset of each normalised char start.
    zh_map: Vec<(usize, usize)>,
    chinese: bool,
}

fn english_word(word: &str) -> String {
    let mut w = word;
    for suffix in ["'s", "’s"] {
        if w.len() > suffix.len() && w.ends_with(suffix) {
            w = &w[..w.len() - suffix.len()];
        }
    }
    let w = w.trim_end_matches(['\'', '’']);
    let letters = w.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let upper = w.chars().filter(|c| c.is_ascii_uppercase()).count();
    let inner_capital = w.chars().skip(1).any(|c| c.is_ascii_uppercase());
    // Abbreviations keep their case: HA is the Hospital Authority, ha a hectare.
    let abbreviation =
        (upper == letters && (2..=5).contains(&letters)) || (inner_capital && letters <= 8);
    if abbreviation {
        return w.to_string();
    }
    let lower = w.to_ascii_lowercase();
    if lower.len() > 3 && lower.ends_with("ies") {
        return format!("{}y", &lower[..lower.len() - 3]);
    }
    if lower.len() > 3
        && lower.ends_with('s')
        && !lower.ends_with("ss")
        && !lower.ends_with("us")
        && !lower.ends_with("is")
    {
        return lower[..lower.len() - 1].to_string();
    }
    lower
}

fn normal_en(text: &str) -> Normal {
    let mut out = String::new();
    let mut tokens = Vec::new();
    let mut push = |tok: &str, s: usize, e: usize, out: &mut String| {
        tokens.push((out.len(), s, e));
        out.push_str(tok);
        out.push(' ');
    };
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_alphanumeric() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, n)) = chars.peek() {
                let apostrophe = matches!(n, '\'' | '’')
                    && text[j + n.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(|x| x.is_ascii_alphabetic());
                if n.is_ascii_alphanumeric() || apostrophe {
                    end = j + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            push(&english_word(&text[i..end]), i, end, &mut out);
        } else if c == '&' {
            push("and", i, i + 1, &mut out);
        } else if c.is_whitespace() || matches!(c, '-' | '‐' | '‑' | '–' | '—') {
            // Words separated by spaces or hyphens match either way.
        } else {
            // Punctuation and other scripts are barriers a name never spans.
            let mut buf = [0u8; 4];
            push(c.encode_utf8(&mut buf), i, i + c.len_utf8(), &mut out);
        }
    }
    Normal {
        text: out,
        tokens,
        zh_map: Vec::new(),
        chinese: false,
    }
}

/// One script (Simplified, for matching only) so 衞/衛, 裏/裡 and text
/// written in Simplified all match the glossary's HK forms.
fn normal_zh(text: &str) -> Normal {
    let converted = zh::to_simplified(text);
    let aligned = converted.chars().count() == text.chars().count();
    let source = if aligned { converted } else { text.to_string() };
    let zh_map: Vec<(usize, usize)> = source
        .char_indices()
        .map(|(i, _)| i)
        .zip(text.char_indices().map(|(i, _)| i))
        .collect();
    Normal {
        text: source,
        tokens: Vec::new(),
        zh_map,
        chinese: true,
    }
}

impl Normal {
    fn of(text: &str, chinese: bool) -> Self {
        if chinese {
            normal_zh(text)
        } else {
            normal_en(text)
        }
    }

    fn pattern(term: &str, chinese: bool) -> String {
        let term = term.trim();
        if chinese {
            normal_zh(term).text
        } else {
            let t = normal_en(term).text;
            t.strip_prefix("the ").map(str::to_string).unwrap_or(t)
        }
    }

    /// Whether a match starting at `at` (normalised bytes) starts a word.
    fn starts_token(&self, at: usize) -> bool {
        self.chinese || self.tokens.binary_search_by_key(&at, |t| t.0).is_ok()
    }

    /// Original byte range of a normalised range.
    fn original(&self, start: usize, end: usize) -> (usize, usize) {
        if self.chinese {
            let find = |at: usize| -> usize {
                match self.zh_map.binary_search_by_key(&at, |m| m.0) {
                    Ok(k) => self.zh_map[k].1,
                    Err(k) => self.zh_map.get(k).map_or(usize::MAX, |m| m.1),
                }
            };
            let s = find(start);
            let e = if end >= self.text.len() {
                usize::MAX
            } else {
                find(end)
            };
            (s, e)
        } else {
            let first = self
                .tokens
                .binary_search_by_key(&start, |t| t.0)
                .unwrap_or_else(|k| k);
            // The last token that starts before `end` (the match ends with a space).
            let last = match self.tokens.binary_search_by_key(&end, |t| t.0) {
                Ok(k) | Err(k) => k.saturating_sub(1),
            };
            let s = self.tokens.get(first).map_or(0, |t| t.1);
            let e = self.tokens.get(last).map_or(s, |t| t.2);
            (s, e)
        }
    }

    /// The first occurrence of a normalised pattern at or after `from`, on word boundaries.
    fn find(&self, pattern: &str, from: usize) -> Option<usize> {
        if pattern.is_empty() {
            return None;
        }
        let mut at = from;
        while at <= self.text.len() {
            let k = self.text.get(at..)?.find(pattern)? + at;
            if self.starts_token(k) {
                return Some(k);
            }
            at = k + self.text[k..].chars().next().map_or(1, char::len_utf8);
        }
        None
    }
}

/// Original byte range → clamp to the text (the end may be "to the end").
fn clamp(text: &str, (s, e): (usize, usize)) -> (usize, usize) {
    let e = e.min(text.len());
    (s.min(e), e)
}

// ---------------------------------------------------------------------------
// The compiled glossary.

/// What a pattern stands for.
#[derive(Debug, Clone, Copy)]
struct PatternOf {
    term: usize,
    alias: bool,
}

struct Matcher {
    ac: Option<AhoCorasick>,
    of: Vec<PatternOf>,
}

impl Matcher {
    fn build(terms: &[Term], chinese: bool) -> Self {
        let mut patterns = Vec::new();
        let mut of = Vec::new();
        for (t, term) in terms.iter().enumerate() {
            let (full, aliases) = term.side(chinese);
            let mut add = |p: &str, alias: bool| {
                let n = Normal::pattern(p, chinese);
                if n.trim().is_empty() {
                    return;
                }
                patterns.push(n);
                of.push(PatternOf { term: t, alias });
            };
            add(full, false);
            for a in term.also(chinese) {
                add(a, false);
            }
            // English abbreviations are too ambiguous to say a source names a
            // body (HA is the Hospital Authority and the Housing Authority);
            // they are only accepted in an output.
            if chinese {
                for a in aliases {
                    add(a, true);
                }
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| tracing::error!("glossary matcher: {e}"))
            .ok();
        Self { ac, of }
    }
}

/// A name found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub term: usize,
    /// Found by an abbreviation or short form, not the full name.
    pub alias: bool,
    /// Byte offsets in the original text.
    pub start: usize,
    pub end: usize,
}

/// Title words that, straight after a body's Chinese name, make it part of
/// a title (運輸署 + 副署長).
const TITLE_WORDS: &[&str] = &[
    "常任秘書長",
    "首席助理秘書長",
    "助理秘書長",
    "副秘書長",
    "秘書長",
    "政治助理",
    "副局長",
    "局長",
    "副署長",
    "助理署長",
    "署長",
    "副處長",
    "助理處長",
    "處長",
    "副總監",
    "總監",
    "副專員",
    "專員",
    "副主席",
    "主席",
    "行政總裁",
    "總幹事",
    "關長",
    "台長",
    "副司長",
    "司長",
];

/// Heads of English body names that "the …" refers back to.
const BODY_HEADS: &[&str] = &[
    "department",
    "bureau",
    "authority",
    "council",
    "commission",
    "board",
    "fund",
    "corporation",
    "office",
    "force",
    "service",
    "agency",
    "registry",
    "centre",
    "committee",
    "observatory",
    "institute",
    "society",
    "company",
    "court",
    "laboratory",
    "tribunal",
    "secretariat",
    "association",
    "trust",
    "division",
    "unit",
];

/// The official names in use: compiled once per glossary.
pub struct Glossary {
    terms: Vec<Term>,
    en: Matcher,
    zh: Matcher,
    /// Back-references accepted after the full form, per term: (English, Chinese).
    generic: Vec<(Vec<String>, Vec<String>)>,
    title_words: Vec<String>,
    /// Every name of the glossary, normalised, per language (English, Chinese):
    /// a real name is never another's near miss.
    names: (
        std::collections::HashSet<String>,
        std::collections::HashSet<String>,
    ),
    fingerprint: String,
}

impl std::fmt::Debug for Glossary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Glossary")
            .field("terms", &self.terms.len())
            .finish()
    }
}

/// A user's entry as a term.
pub fn term_of(e: &GlossaryEntry) -> Term {
    Term {
        en: e.en.clone(),
        zh: e.zh.clone(),
        kind: e.kind,
        mode: e.mode,
        origin: Origin::User,
        aliases_en: e.aliases_en.clone(),
        aliases_zh: e.aliases_zh.clone(),
        also_en: Vec::new(),
        also_zh: Vec::new(),
        source: e.note.clone(),
    }
}

impl Glossary {
    /// The user's entries, then the base glossary when `base` (a base entry
    /// with the same English or Chinese name as a user entry is left out).
    pub fn new(user: &[GlossaryEntry], base: bool) -> Self {
        let mut terms: Vec<Term> = user
            .iter()
            .map(term_of)
            .filter(|t| !t.en.trim().is_empty() && !t.zh.trim().is_empty())
            .collect();
        if base {
            let taken_en: Vec<String> = terms
                .iter()
                .map(|t| Normal::pattern(&t.en, false))
                .collect();
            let taken_zh: Vec<String> =
                terms.iter().map(|t| Normal::pattern(&t.zh, true)).collect();
            for t in self::base() {
                if !taken_en.contains(&Normal::pattern(&t.en, false))
                    && !taken_zh.contains(&Normal::pattern(&t.zh, true))
                {
                    terms.push(t.clone());
                }
            }
        }
        Self::from_terms(terms, base)
    }

    /// A glossary of exactly these terms.
    pub fn from_terms(terms: Vec<Term>, base: bool) -> Self {
        let en = Matcher::build(&terms, false);
        let zh_matcher = Matcher::build(&terms, true);
        let generic = terms.iter().map(|t| generic_refs(t, &terms)).collect();
        let title_words = TITLE_WORDS
            .iter()
            .map(|w| Normal::pattern(w, true))
            .collect();
        let names_of = |chinese: bool| {
            terms
                .iter()
                .flat_map(|t| {
                    let (full, aliases) = t.side(chinese);
                    std::iter::once(full.to_string())
                        .chain(aliases.iter().cloned())
                        .chain(t.also(chinese).iter().cloned())
                })
                .map(|n| Normal::pattern(&n, chinese))
                .collect::<std::collections::HashSet<String>>()
        };
        let names = (names_of(false), names_of(true));
        let mut h = DefaultHasher::new();
        terms.hash(&mut h);
        let fingerprint = format!(
            "{:016x}-b{}{}",
            h.finish(),
            base_version(),
            if base { "" } else { "-nobase" }
        );
        Self {
            terms,
            en,
            zh: zh_matcher,
            generic,
            title_words,
            names,
            fingerprint,
        }
    }

    /// The same glossary, compiled once and shared (a batch job plans every
    /// segment with it).
    pub fn shared(user: &[GlossaryEntry], base: bool) -> Arc<Self> {
        type Last = Mutex<Option<(u64, Arc<Glossary>)>>;
        static LAST: LazyLock<Last> = LazyLock::new(|| Mutex::new(None));
        let mut h = DefaultHasher::new();
        user.hash(&mut h);
        base.hash(&mut h);
        let key = h.finish();
        let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, g)) = last.as_ref() {
            if *k == key {
                return g.clone();
            }
        }
        let g = Arc::new(Self::new(user, base));
        *last = Some((key, g.clone()));
        g
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Changes whenever the terms or the base glossary change: part of cache keys.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Names in `text` (Chinese when `chinese`), leftmost-longest, in order.
    pub(crate) fn find(&self, text: &str, chinese: bool) -> Vec<Hit> {
        self.find_in(&Normal::of(text, chinese), text, chinese)
    }

    /// [`Self::find`] over an already normalised copy of `text`.
    fn find_in(&self, norm: &Normal, text: &str, chinese: bool) -> Vec<Hit> {
        let matcher = if chinese { &self.zh } else { &self.en };
        let Some(ac) = &matcher.ac else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        let mut at = 0;
        while at < norm.text.len() {
            let Some(m) = ac.find(Input::new(&norm.text).span(at..norm.text.len())) else {
                break;
            };
            if !norm.starts_token(m.start()) {
                // Inside a word: look again from the next character.
                at = m.start()
                    + norm.text[m.start()..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                continue;
            }
            let of = matcher.of[m.pattern().as_usize()];
            let term = &self.terms[of.term];
            let before_title = chinese
                && term.kind == TermKind::Body
                && self
                    .title_words
                    .iter()
                    .any(|w| norm.text[m.end()..].starts_with(w.as_str()));
            if !before_title {
                let (s, e) = clamp(text, norm.original(m.start(), m.end()));
                hits.push(Hit {
                    term: of.term,
                    alias: of.alias,
                    start: s,
                    end: e,
                });
            }
            at = m.end();
        }
        hits
    }

    /// Whether `text` (Chinese when `chinese`) has `rendering` written out,
    /// matched as names are (case, plurals, script variants).
    pub(crate) fn contains_rendering(&self, text: &str, rendering: &str, chinese: bool) -> bool {
        Normal::of(text, chinese)
            .find(&Normal::pattern(rendering, chinese), 0)
            .is_some()
    }

    /// Replaces every enforced name written in full by a placeholder
    /// (`[T1]` …); returns the text and each placeholder's official
    /// rendering in the other language.
    pub(crate) fn protect(&self, text: &str, chinese: bool) -> (String, Vec<String>) {
        let mut out = String::new();
        let mut targets: Vec<String> = Vec::new();
        let mut at = 0;
        for hit in self.find(text, chinese) {
            let term = &self.terms[hit.term];
            if hit.alias || term.mode != TermMode::Enforce || hit.start < at {
                continue;
            }
            let rendering = term.side(!chinese).0.to_string();
            let n = match targets.iter().position(|t| *t == rendering) {
                Some(i) => i + 1,
                None => {
                    targets.push(rendering);
                    targets.len()
                }
            };
            out.push_str(&text[at..hit.start]);
            out.push_str(&format!("[T{n}]"));
            at = hit.end;
        }
        out.push_str(&text[at..]);
        (out, targets)
    }

    /// Each name of the source, row by row, and whether its rendering is in
    /// the output.
    pub(crate) fn check(
        &self,
        source: &[String],
        target: &[String],
        rows: &[Row],
        from_chinese: bool,
    ) -> Vec<TermCheck> {
        let to_chinese = !from_chinese;
        let target_norm: Vec<Normal> = target.iter().map(|t| Normal::of(t, to_chinese)).collect();
        let mut first_seen: std::collections::HashMap<String, Option<(usize, usize)>> =
            std::collections::HashMap::new();
        // Spans of real names in each output paragraph, found once.
        let target_names: Vec<Vec<(usize, usize)>> = target
            .iter()
            .zip(&target_norm)
            .map(|(t, n)| {
                self.find_in(n, t, to_chinese)
                    .iter()
                    .map(|h| (h.start, h.end))
                    .collect()
            })
            .collect();
        let mut out = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let hits: Vec<(usize, Hit)> = row
                .source
                .iter()
                .flat_map(|&p| {
                    self.find(&source[p], from_chinese)
                        .into_iter()
                        .map(move |h| (p, h))
                })
                .collect();
            // Every rendering the row's source asks for: none of them is a
            // near miss of another (房屋署 and 房屋局 in one paragraph).
            let allowed: Vec<String> = hits
                .iter()
                .flat_map(|(_, h)| {
                    let t = &self.terms[h.term];
                    std::iter::once(t.side(to_chinese).0.to_string())
                        .chain(t.also(to_chinese).iter().cloned())
                })
                .map(|x| Normal::pattern(&x, to_chinese))
                .collect();
            let mut seen: Vec<usize> = Vec::new();
            for (p, hit) in hits {
                if seen.contains(&hit.term) {
                    continue;
                }
                seen.push(hit.term);
                let term = &self.terms[hit.term];
                let (rendering, aliases) = term.side(to_chinese);
                let mention = Mention::new(&source[p], p, hit.start, hit.end);
                let full = Normal::pattern(rendering, to_chinese);
                let fulls: Vec<String> = std::iter::once(full.clone())
                    .chain(
                        term.also(to_chinese)
                            .iter()
                            .map(|a| Normal::pattern(a, to_chinese)),
                    )
                    .collect();
                // A full rendering in this row's output.
                let mut verdict = Verdict::Missing;
                let mut target_at = None;
                let mut via = None;
                'full: for &tp in &row.target {
                    for f in &fulls {
                        if let Some(k) = target_norm[tp].find(f, 0) {
                            target_at = Some((tp, k, k + f.trim_end().len()));
                            verdict = Verdict::Found;
                            break 'full;
                        }
                    }
                }
                if verdict == Verdict::Missing {
                    // A short form: fine when the source used one too, or
                    // once the full form has appeared earlier in the output.
                    let first_full = fulls
                        .iter()
                        .filter_map(|f| {
                            // Looked up once per rendering, not per mention:
                            // a long output with many missing names stays linear.
                            *first_seen
                                .entry(f.clone())
                                .or_insert_with(|| first_occurrence(&target_norm, f))
                        })
                        .min();
                    // (pattern, accepted without the full form first)
                    let mut candidates: Vec<(String, bool)> = aliases
                        .iter()
                        .map(|a| {
                            (
                                Normal::pattern(a, to_chinese),
                                hit.alias || distinctive(a, to_chinese),
                            )
                        })
                        .collect();
                    let generic = if to_chinese {
                        &self.generic[hit.term].1
                    } else {
                        &self.generic[hit.term].0
                    };
                    // A source that used a short form itself (天文台) is
                    // fairly rendered by a back-reference ("the Observatory").
                    candidates.extend(generic.iter().map(|g| (g.clone(), hit.alias)));
                    'search: for &tp in &row.target {
                        for (pattern, specific) in &candidates {
                            if let Some(k) = target_norm[tp].find(pattern, 0) {
                                let earlier = first_full.is_some_and(|(fp, fk)| (fp, fk) < (tp, k));
                                if earlier || *specific {
                                    target_at = Some((tp, k, k + pattern.trim_end().len()));
                                    verdict = Verdict::Found;
                                    via = Some(display_of(
                                        &target[tp],
                                        &target_norm[tp],
                                        k,
                                        k + pattern.trim_end().len(),
                                    ));
                                    break 'search;
                                }
                            }
                        }
                    }
                }
                let target_mention = target_at.map(|(tp, s, e)| {
                    let (os, oe) = clamp(&target[tp], target_norm[tp].original(s, e));
                    Mention::new(&target[tp], tp, os, oe)
                });
                // A wrong variant of the name beside (or instead of) the
                // right one: "Transport Bureau" for the Transport Department.
                let wrong = row.target.iter().find_map(|&tp| {
                    let real = if to_chinese {
                        &self.names.1
                    } else {
                        &self.names.0
                    };
                    // Spans of real names in the output: a near miss is never inside one
                    // (規劃委員會 inside 城市規劃委員會).
                    let names_here = &target_names[tp];
                    near_miss(
                        &target_norm[tp],
                        &target[tp],
                        &full,
                        term.kind,
                        to_chinese,
                        &allowed,
                        real,
                        names_here,
                    )
                    .map(|(os, oe)| Mention::new(&target[tp], tp, os, oe))
                });
                out.push(TermCheck {
                    row: r,
                    verdict,
                    source_term: term.side(from_chinese).0.to_string(),
                    target_term: rendering.to_string(),
                    kind: term.kind,
                    origin: term.origin,
                    source: mention.clone(),
                    target: target_mention,
                    via,
                });
                if let Some(m) = wrong {
                    out.push(TermCheck {
                        row: r,
                        verdict: Verdict::Changed,
                        source_term: term.side(from_chinese).0.to_string(),
                        target_term: rendering.to_string(),
                        kind: term.kind,
                        origin: term.origin,
                        source: mention,
                        target: Some(m),
                        via: None,
                    });
                }
            }
        }
        out
    }
}

/// Words that head an English body's or title's name: one swapped for
/// another makes a near miss.
const HEAD_WORDS_EN: &[&str] = &[
    "department",
    "bureau",
    "office",
    "authority",
    "board",
    "council",
    "commission",
    "committee",
    "agency",
    "observatory",
    "registry",
    "secretary",
    "director",
    "commissioner",
    "controller",
    "registrar",
    "chairman",
];

/// Words that end a Chinese body's name, longest first.
const HEAD_WORDS_ZH: &[&str] = &[
    "委員會",
    "管理局",
    "辦事處",
    "辦公室",
    "總署",
    "議會",
    "公司",
    "署",
    "局",
    "處",
    "會",
    "部",
    "司",
    "院",
    "所",
    "辦",
    "台",
    "組",
    "庫",
    "科",
];

/// A wrong variant of `full` (a normalised rendering) in `norm`: the same
/// name with a head word (Department, 署, 委員會, 局長 …) swapped for
/// another; never a name of the glossary, one the source asks for
/// (`allowed`), or part of a longer name found in the output
/// (`names_here`, original byte spans). Original byte range.
#[allow(clippy::too_many_arguments)]
fn near_miss(
    norm: &Normal,
    original: &str,
    full: &str,
    kind: TermKind,
    chinese: bool,
    allowed: &[String],
    real: &std::collections::HashSet<String>,
    names_here: &[(usize, usize)],
) -> Option<(usize, usize)> {
    let inside_a_name =
        |(s, e): (usize, usize)| names_here.iter().any(|&(hs, he)| hs <= s && e <= he);
    if chinese {
        static HEADS: LazyLock<(Vec<String>, Vec<String>)> = LazyLock::new(|| {
            let normal = |ws: &[&str]| ws.iter().map(|w| Normal::pattern(w, true)).collect();
            (normal(TITLE_WORDS), normal(HEAD_WORDS_ZH))
        });
        let (titles, bodies) = &*HEADS;
        let heads = match kind {
            TermKind::Title => titles,
            TermKind::Body => bodies,
        };
        // Every way the name ends in a head word: 醫院管理局 is 醫院 + 管理局 and 醫院管理 + 局.
        for own in heads.iter().filter(|h| full.ends_with(h.as_str())) {
            let prefix = &full[..full.len() - own.len()];
            if prefix.chars().count() < 2 {
                continue;
            }
            let mut from = 0;
            while let Some(k) = norm.text.get(from..).and_then(|t| t.find(prefix)) {
                let at = from + k;
                let rest = &norm.text[at + prefix.len()..];
                if !rest.starts_with(own.as_str()) {
                    let alt = heads
                        .iter()
                        .filter(|h| rest.starts_with(h.as_str()))
                        .max_by_key(|h| h.len());
                    if let Some(alt) = alt {
                        let candidate = format!("{prefix}{alt}");
                        // 房屋局 in 房屋局局長 is a title, and a real name besides.
                        let in_title = titles
                            .iter()
                            .any(|w| rest[alt.len()..].starts_with(w.as_str()));
                        let span = clamp(original, norm.original(at, at + candidate.len()));
                        if !allowed.contains(&candidate)
                            && !real.contains(&candidate)
                            && !in_title
                            && !inside_a_name(span)
                        {
                            return Some(span);
                        }
                    }
                }
                from = at + prefix.len();
            }
        }
        return None;
    }
    let want: Vec<&str> = full.split_whitespace().collect();
    let heads: Vec<usize> = (0..want.len())
        .filter(|&i| HEAD_WORDS_EN.contains(&want[i]))
        .collect();
    if heads.is_empty() {
        return None;
    }
    let words: Vec<&str> = norm.text.split(' ').collect();
    let n = want.len();
    if words.len() < n {
        return None;
    }
    for w in 0..=words.len() - n {
        let window = &words[w..w + n];
        let diffs: Vec<usize> = (0..n).filter(|&i| window[i] != want[i]).collect();
        if let [i] = diffs[..] {
            if heads.contains(&i) && HEAD_WORDS_EN.contains(&window[i]) {
                let candidate = format!("{} ", window.join(" "));
                if allowed.contains(&candidate) || real.contains(&candidate) {
                    continue;
                }
                // A proper name of its own, not part of a longer one
                // ("Town Planning Board", "Education Services Centre").
                let word = |k: usize| norm.tokens.get(k).map(|t| &original[t.1..t.2]);
                let capital = |w: &str| w.chars().next().is_some_and(|c| c.is_ascii_uppercase());
                let neutral = |w: &str| {
                    matches!(w, "and" | "of" | "for" | "the" | "&")
                        || !w.chars().any(|c| c.is_alphanumeric())
                };
                let proper = (w..w + n).all(|k| word(k).is_some_and(|x| capital(x) || neutral(x)));
                let before = w
                    .checked_sub(1)
                    .and_then(word)
                    .is_some_and(|x| capital(x) && !matches!(x, "The" | "A" | "An"));
                let after = word(w + n).is_some_and(capital);
                if !proper || before || after {
                    continue;
                }
                let start = norm.tokens.get(w)?.0;
                let last = norm.tokens.get(w + n - 1)?.0;
                let span = clamp(original, norm.original(start, last + window[n - 1].len()));
                if inside_a_name(span) {
                    continue;
                }
                return Some(span);
            }
        }
    }
    None
}

fn display_of(text: &str, norm: &Normal, s: usize, e: usize) -> String {
    let (os, oe) = clamp(text, norm.original(s, e));
    text[os..oe].to_string()
}

fn first_occurrence(paragraphs: &[Normal], pattern: &str) -> Option<(usize, usize)> {
    paragraphs
        .iter()
        .enumerate()
        .find_map(|(p, n)| n.find(pattern, 0).map(|k| (p, k)))
}

/// "the Department", 該署 and the like for a term, normalised.
fn generic_refs(term: &Term, all: &[Term]) -> (Vec<String>, Vec<String>) {
    let mut en = Vec::new();
    let mut zh_refs = Vec::new();
    let en_norm = Normal::pattern(&term.en, false);
    let words: Vec<&str> = en_norm.split_whitespace().collect();
    match term.kind {
        TermKind::Body => {
            if let Some(last) = words.last() {
                if BODY_HEADS.contains(last) {
                    en.push(format!("the {last} "));
                }
            }
            if let Some(c) = term.zh.chars().last() {
                if matches!(
                    c,
                    '署' | '局'
                        | '處'
                        | '會'
                        | '所'
                        | '院'
                        | '館'
                        | '台'
                        | '組'
                        | '辦'
                        | '部'
                        | '庫'
                ) {
                    zh_refs.push(Normal::pattern(&format!("該{c}"), true));
                    zh_refs.push(Normal::pattern(&format!("本{c}"), true));
                }
            }
        }
        TermKind::Title => {
            let head: Vec<&str> = words
                .iter()
                .take_while(|w| **w != "for" && **w != "of")
                .copied()
                .collect();
            if !head.is_empty() && head.len() < words.len() {
                en.push(format!("the {} ", head.join(" ")));
            }
            // The title word after the body's own Chinese name: 局長, 副署長.
            for body in all.iter().filter(|b| b.kind == TermKind::Body) {
                if let Some(rest) = term.zh.strip_prefix(body.zh.as_str()) {
                    if !rest.is_empty() {
                        zh_refs.push(Normal::pattern(rest, true));
                    }
                }
            }
        }
    }
    (en, zh_refs)
}

/// One official name of the source and whether its rendering is in the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermCheck {
    pub row: usize,
    /// `found`, `missing`, or `changed` (a wrong variant of the name is in
    /// the output, such as "Transport Bureau" for 運輸署).
    pub verdict: Verdict,
    /// The name in the source's language, as the glossary has it.
    pub source_term: String,
    /// Its official rendering.
    pub target_term: String,
    pub kind: TermKind,
    pub origin: Origin,
    pub source: Mention,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Mention>,
    /// The abbreviation or back-reference accepted instead of the full form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl TermCheck {
    pub fn message(&self) -> String {
        if self.verdict == Verdict::Changed {
            return format!(
                "official name {} should be rendered {}, not {}",
                self.source_term,
                self.target_term,
                self.target.as_ref().map_or("", |m| m.text.as_str())
            );
        }
        match (self.verdict, &self.via) {
            (Verdict::Found, Some(via)) => format!(
                "official name {} rendered {} (as {via}, after the full form)",
                self.source_term, self.target_term
            ),
            (Verdict::Found, None) => format!(
                "official name {} rendered {}",
                self.source_term, self.target_term
            ),
            _ => format!(
                "official name {} should be rendered {}, which is not in the translation",
                self.source_term, self.target_term
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(en: &str, zh: &str) -> GlossaryEntry {
        GlossaryEntry {
            id: 0,
            en: en.into(),
            zh: zh.into(),
            domain: String::new(),
            note: String::new(),
            aliases_en: Vec::new(),
            aliases_zh: Vec::new(),
            mode: TermMode::Enforce,
            kind: TermKind::Body,
        }
    }

    fn rows(n: usize) -> Vec<Row> {
        (0..n)
            .map(|i| Row {
                source: vec![i],
                target: vec![i],
            })
            .collect()
    }

    fn s(v: &str) -> Vec<String> {
        vec![v.to_string()]
    }

    #[test]
    fn the_bundled_base_glossary_parses_and_has_unique_names() {
        let base = base();
        assert!(base.len() > 200, "{} entries", base.len());
        assert!(base_version() >= 1);
        let mut en: Vec<String> = base.iter().map(|t| Normal::pattern(&t.en, false)).collect();
        en.sort();
        let before = en.len();
        en.dedup();
        assert_eq!(en.len(), before, "duplicate English names");
        assert!(
            base.iter()
                .all(|t| zh::simplified_only_chars(&t.zh).is_empty()),
            "Simplified in base"
        );
    }

    #[test]
    fn the_longest_official_name_wins_and_a_title_is_not_its_department() {
        let g = Glossary::new(&[], true);
        let names = |text: &str, chinese: bool| -> Vec<String> {
            g.find(text, chinese)
                .into_iter()
                .map(|h| g.terms[h.term].en.clone())
                .collect()
        };
        assert_eq!(
            names("運輸署副署長今日表示", true),
            vec!["Deputy Commissioner for Transport"]
        );
        assert_eq!(
            names("教育局局長出席", true),
            vec!["Secretary for Education"]
        );
        assert_eq!(
            names("香港藝術發展局今日公布", true),
            vec!["Hong Kong Arts Development Council"]
        );
        assert_eq!(
            names("運輸署發言人表示", true),
            vec!["Transport Department"]
        );
        assert_eq!(
            names(
                "The Secretary for Education met the Education Bureau's staff.",
                false
            ),
            vec!["Secretary for Education", "Education Bureau"]
        );
    }

    #[test]
    fn a_body_before_a_title_that_is_not_in_the_glossary_is_left_alone() {
        let g = Glossary::new(&[entry("Transport Department", "運輸署")], false);
        assert!(g.find("運輸署助理署長表示", true).is_empty());
        let (text, targets) = g.protect("運輸署助理署長表示", true);
        assert_eq!(text, "運輸署助理署長表示");
        assert!(targets.is_empty());
    }

    #[test]
    fn english_matching_ignores_case_plurals_possessives_and_hyphens_but_not_abbreviation_case() {
        let mut e = entry("Hospital Authority", "醫院管理局");
        e.aliases_en = vec!["HA".into()];
        let g = Glossary::new(&[e, entry("District Council", "區議會")], false);
        let count = |t: &str| g.find(t, false).len();
        assert_eq!(count("the hospital authority's plan"), 1);
        assert_eq!(count("all District Councils"), 1);
        assert_eq!(count("the Hospital-Authority"), 1);
        assert_eq!(count("Hospital Authorityx"), 0);
        // An English abbreviation never says which body a source names.
        assert_eq!(count("the HA said"), 0);
        // In an output it is accepted after the full name, in its own case only.
        let source = vec![
            "醫院管理局表示。".to_string(),
            "醫院管理局又指出。".to_string(),
        ];
        let good = vec![
            "The Hospital Authority said.".to_string(),
            "The HA also noted.".to_string(),
        ];
        let bad = vec![
            "The Hospital Authority said.".to_string(),
            "About 3.5 ha of land.".to_string(),
        ];
        let verdicts = |target: &[String]| -> Vec<Verdict> {
            g.check(&source, target, &rows(2), true)
                .iter()
                .map(|c| c.verdict)
                .collect()
        };
        assert_eq!(verdicts(&good), vec![Verdict::Found, Verdict::Found]);
        assert_eq!(verdicts(&bad), vec![Verdict::Found, Verdict::Missing]);
    }

    #[test]
    fn an_abbreviation_after_the_full_form_passes_and_before_it_does_not() {
        let mut e = entry("Transport Department", "運輸署");
        e.aliases_en = vec!["TD".into()];
        let g = Glossary::new(&[e], false);
        let source = vec![
            "運輸署今日表示。".to_string(),
            "運輸署又指出。".to_string(),
            "運輸署補充。".to_string(),
        ];
        let target = vec![
            "The Transport Department said today.".to_string(),
            "The TD also noted.".to_string(),
            "The Department added.".to_string(),
        ];
        let checks = g.check(&source, &target, &rows(3), true);
        assert!(
            checks.iter().all(|c| c.verdict == Verdict::Found),
            "{checks:#?}"
        );
        assert_eq!(checks[1].via.as_deref(), Some("TD"));
        assert_eq!(checks[2].via.as_deref(), Some("The Department"));
        // Without the full form first, the abbreviation is not enough.
        let early = vec!["The TD said today.".to_string()];
        let checks = g.check(&source[..1], &early, &rows(1), true);
        assert_eq!(checks[0].verdict, Verdict::Missing);
    }

    #[test]
    fn protection_uses_placeholders_for_full_names_only() {
        let g = Glossary::new(
            &[
                entry("Housing Department", "房屋署"),
                entry("Legislative Council", "立法會"),
            ],
            false,
        );
        let (text, targets) = g.protect(
            "The housing department will brief the Legislative Council.",
            false,
        );
        assert_eq!(text, "The [T1] will brief the [T2].");
        assert_eq!(targets, vec!["房屋署", "立法會"]);
        let (text, _) = g.protect("房屋署会向立法会汇报。", true);
        assert_eq!(text, "[T1]会向[T2]汇报。");
    }

    #[test]
    fn a_user_entry_wins_over_the_base_entry_with_the_same_name() {
        let g = Glossary::new(&[entry("Transport Department", "運輸部")], true);
        let hits: Vec<&Term> = g
            .find("the Transport Department", false)
            .iter()
            .map(|h| &g.terms[h.term])
            .collect();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].zh, "運輸部");
        assert_eq!(hits[0].origin, Origin::User);
    }

    #[test]
    fn a_missing_rendering_is_reported_with_both_names() {
        let g = Glossary::new(&[], true);
        let checks = g.check(
            &s("運輸署副署長／策劃及技術服務今日表示。"),
            &s("The Deputy Director-General of Transport, Planning and Technical Services said today."),
            &rows(1),
            true,
        );
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].verdict, Verdict::Missing);
        assert_eq!(checks[0].target_term, "Deputy Commissioner for Transport");
        assert!(checks[0]
            .message()
            .contains("Deputy Commissioner for Transport"));
    }
}
