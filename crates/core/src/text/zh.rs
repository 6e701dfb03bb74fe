//! Hong Kong Traditional Chinese: script conversion with OpenCC's tables
//! (through `ferrous-opencc`, Apache-2.0) and Hong Kong punctuation.
//!
//! Every output Wenshu marks zh-Hant passes through [`to_hk_traditional`], so
//! a Simplified character from the model (small models drift into Simplified,
//! their training data being mostly mainland text) never reaches a civil
//! servant's document. Conversion must also leave correct Traditional alone:
//! plain OpenCC s2hk turns 干擾 into 幹擾 and 鄰里 into 鄰裏, because its
//! tables are keyed by Simplified phrases. Here a character is kept when the
//! Simplified spelling of its own phrase converts back to it.
//!
//! Everything is local to a phrase or to a character's neighbours, and no
//! OpenCC phrase contains 。！？； or a newline, so converting a text piece by
//! piece (split after those) gives the same result as converting it whole;
//! the engine relies on that to convert while streaming.

use std::collections::HashMap;
use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;

use super::lang::is_han;

/// The OpenCC conversions used here.
#[derive(Clone, Copy)]
enum Table {
    /// Simplified → Traditional, Hong Kong character forms.
    S2hk,
    /// Simplified → Traditional, OpenCC's standard forms.
    S2t,
    /// Traditional → Simplified.
    T2s,
}

/// The converter for `table`, built on first use and kept for the process.
fn converter(table: Table) -> Option<&'static OpenCC> {
    static S2HK: OnceLock<Option<OpenCC>> = OnceLock::new();
    static S2T: OnceLock<Option<OpenCC>> = OnceLock::new();
    static T2S: OnceLock<Option<OpenCC>> = OnceLock::new();
    let (cell, config) = match table {
        Table::S2hk => (&S2HK, BuiltinConfig::S2hk),
        Table::S2t => (&S2T, BuiltinConfig::S2t),
        Table::T2s => (&T2S, BuiltinConfig::T2s),
    };
    cell.get_or_init(|| match OpenCC::from_config(config) {
        Ok(cc) => Some(cc),
        Err(e) => {
            // The tables are compiled into the binary, so this is a build
            // defect: say so once and pass text through rather than panic.
            tracing::error!("OpenCC tables failed to load: {e}");
            None
        }
    })
    .as_ref()
}

fn convert(table: Table, text: &str) -> String {
    converter(table).map_or_else(|| text.to_string(), |cc| cc.convert(text))
}

/// OpenCC s2hk, except that a character stays as written when s2hk applied to
/// the Simplified form of the text (t2s first) gives that same character back:
/// then the character is what its phrase is spelt with in Traditional.
fn s2hk_keeping_traditional(text: &str) -> String {
    let direct = convert(Table::S2hk, text);
    if direct == text {
        return direct;
    }
    let round_trip = convert(Table::S2hk, &convert(Table::T2s, text));
    let n = text.chars().count();
    // OpenCC's entries all map a phrase to one of the same length, so the
    // three texts align character by character; if that ever stops being
    // true, plain s2hk is the safe answer.
    if direct.chars().count() != n || round_trip.chars().count() != n {
        return direct;
    }
    let mut out: Vec<char> = text
        .chars()
        .zip(direct.chars())
        .zip(round_trip.chars())
        .map(|((original, hk), back)| if back == original { original } else { hk })
        .collect();
    keep_hk_forms(text, &mut out);
    out.into_iter().collect()
}

/// Forms the Hong Kong Government writes that OpenCC's HK tables change
/// (公布 → 公佈, 東涌 → 東湧, 入伙 → 入夥, 床 → 牀 …). Each is written in
/// the HK Government's own releases, place names and department names.
pub const HK_FORMS: &[&str] = &[
    "公布",
    "宣布",
    "發布",
    "頒布",
    "東涌",
    "葵涌",
    "鰂魚涌",
    "涌",
    "入伙",
    "周年",
    "床",
    "峰",
    "群組",
    "社群",
    "族群",
    "群眾",
    "不准",
];

/// The HK forms and their Simplified spellings, as one matcher.
fn hk_forms() -> Option<&'static (aho_corasick::AhoCorasick, Vec<Vec<char>>)> {
    static FORMS: OnceLock<Option<(aho_corasick::AhoCorasick, Vec<Vec<char>>)>> = OnceLock::new();
    FORMS
        .get_or_init(|| {
            let mut patterns = Vec::new();
            let mut forms = Vec::new();
            for form in HK_FORMS {
                let chars: Vec<char> = form.chars().collect();
                let simplified = convert(Table::T2s, form);
                patterns.push(form.to_string());
                forms.push(chars.clone());
                if simplified != *form && simplified.chars().count() == chars.len() {
                    patterns.push(simplified);
                    forms.push(chars);
                }
            }
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&patterns)
                .ok()
                .map(|ac| (ac, forms))
        })
        .as_ref()
}

/// Puts the HK form back wherever the text wrote it (in either script):
/// `out` is the converted text, character for character with `text`.
fn keep_hk_forms(text: &str, out: &mut [char]) {
    let Some((ac, forms)) = hk_forms() else {
        return;
    };
    let mut char_at = Vec::with_capacity(out.len());
    for (i, _) in text.char_indices() {
        char_at.push(i);
    }
    for m in ac.find_iter(text) {
        let Ok(first) = char_at.binary_search(&m.start()) else {
            continue;
        };
        for (k, c) in forms[m.pattern().as_usize()].iter().enumerate() {
            if let Some(slot) = out.get_mut(first + k) {
                *slot = *c;
            }
        }
    }
}

/// Where `text` uses Simplified-only characters: (byte offset, character,
/// its HK Traditional form there), in order. Characters of an
/// [`HK_FORMS`] word are never reported.
pub(crate) fn simplified_at(text: &str) -> Vec<(usize, char, char)> {
    let converted: Vec<char> = s2hk_keeping_traditional(text).chars().collect();
    let aligned = converted.len() == text.chars().count();
    let mut lone = HashMap::new();
    let mut changes_alone = |c: char| *lone.entry(c).or_insert_with(|| lone_s2t_changes(c));
    text.char_indices()
        .enumerate()
        .filter_map(|(k, (at, c))| {
            let hk = if aligned { converted[k] } else { c };
            let flagged = is_han(c) && (if aligned { hk != c } else { true }) && changes_alone(c);
            flagged.then_some((at, c, hk))
        })
        .collect()
}

/// Converts any Chinese text to Hong Kong Traditional: OpenCC s2hk (keeping
/// characters already correct in their Traditional phrase), then
/// [`normalise_hk_punctuation`]. Text already in HK Traditional, punctuated
/// the HK way, comes back unchanged.
pub fn to_hk_traditional(text: &str) -> String {
    normalise_hk_punctuation(&s2hk_keeping_traditional(text))
}

/// Traditional → Simplified (OpenCC t2s), e.g. to build search keys.
pub fn to_simplified(text: &str) -> String {
    convert(Table::T2s, text)
}

/// Simplified → Traditional (OpenCC s2t, standard rather than HK forms).
pub fn to_traditional(text: &str) -> String {
    convert(Table::S2t, text)
}

/// Whether OpenCC's s2t maps `c`, on its own, to a different character.
fn lone_s2t_changes(c: char) -> bool {
    let mut buf = [0u8; 4];
    let alone: &str = c.encode_utf8(&mut buf);
    convert(Table::S2t, alone) != alone
}

/// Every Han character of `text` (repeats included, in order) that is used as
/// a Simplified-only character: see [`simplified_only_chars`].
fn simplified_occurrences(text: &str) -> Vec<char> {
    let converted = s2hk_keeping_traditional(text);
    let mut lone = HashMap::new();
    let mut changes_alone = |c: char| *lone.entry(c).or_insert_with(|| lone_s2t_changes(c));
    if converted.chars().count() != text.chars().count() {
        // Cannot line the texts up: judge each character on its own.
        return text
            .chars()
            .filter(|&c| is_han(c) && changes_alone(c))
            .collect();
    }
    text.chars()
        .zip(converted.chars())
        .filter(|&(original, hk)| original != hk && is_han(original) && changes_alone(original))
        .map(|(original, _)| original)
        .collect()
}

/// Characters of `text` that are Simplified-only as used, in order of first
/// appearance, without repeats: OpenCC's s2t maps the lone character to a
/// different one *and* [`to_hk_traditional`] changes it where it stands.
///
/// The lone-character test alone is not enough. Checked against OpenCC's
/// tables: s2t maps 后→後, 干→幹, 里→裏, 台→臺, 于→於, 准→準, 范→範, 征→徵,
/// 峰→峯 and 群→羣 on their own, yet each is correct Traditional in some
/// words (皇后, 干擾, 公里, 平台, 于/范 as surnames, 核准, 出征, 高峰, 社群).
/// In context 皇后, 若干, 公里, 平台, 干擾, 鄰里 and 准許 are left alone, while
/// 后来, 里面 and 干部 are reported. Surnames (于先生, 范先生) and 不准 are
/// still reported: OpenCC has no phrase to tell them apart. Characters that
/// s2hk changes only to the HK form (衛→衞, 爲→為) are not Simplified and are
/// not reported. Nothing is reported for the output of [`to_hk_traditional`].
pub fn simplified_only_chars(text: &str) -> Vec<char> {
    let mut found = Vec::new();
    for c in simplified_occurrences(text) {
        if !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

/// Evidence for each script: (Han characters that t2s changes where they
/// stand, Han characters used as Simplified-only ones).
pub(crate) fn script_evidence(text: &str) -> (usize, usize) {
    let simplified = convert(Table::T2s, text);
    let traditional = if simplified.chars().count() == text.chars().count() {
        text.chars()
            .zip(simplified.chars())
            .filter(|&(original, s)| original != s && is_han(original))
            .count()
    } else {
        0
    };
    (traditional, simplified_occurrences(text).len())
}

/// Whether `c` is CJK punctuation or a full-width form, the marks that only
/// Chinese text uses.
fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F     // 、。「」『』《》【】〔〕 and the ideographic space
        | 0xFE10..=0xFE1F   // vertical forms
        | 0xFE30..=0xFE4F   // CJK compatibility forms
        | 0xFF01..=0xFF0F   // ！＂＃…（）＊＋，－．／
        | 0xFF1A..=0xFF20   // ：；＜＝＞？＠
        | 0xFF3B..=0xFF40
        | 0xFF5B..=0xFF65)
}

/// Whether a character still to come marks a Chinese context. Curly quotes
/// count: they all become corner brackets.
fn is_zh_ahead(c: char) -> bool {
    is_han(c) || is_cjk_punct(c) || matches!(c, '“' | '”' | '‘')
}

/// Full-width marks after which a space is a typing slip: they carry their own spacing.
fn is_spaced_mark(c: char) -> bool {
    matches!(c, '，' | '。' | '！' | '？' | '：' | '；' | '、')
}

/// The text being built, and whether its last character sets a Chinese context.
struct Out {
    text: String,
    last: Option<char>,
    last_zh: bool,
}

impl Out {
    fn push(&mut self, c: char, zh: bool) {
        self.text.push(c);
        self.last = Some(c);
        self.last_zh = zh;
    }

    /// Pushes a character kept as it was; it sets a Chinese context if it is Chinese.
    fn keep(&mut self, c: char) {
        self.push(c, is_han(c) || is_cjk_punct(c));
    }

    fn at_line_start(&self) -> bool {
        self.last.is_none_or(|c| c == '\n')
    }
}

/// Where a straight double quote on the current line stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Straight {
    /// No quote open.
    None,
    /// A quote opened as 「.
    Corner,
    /// A quote left as `"` (around English), whose partner stays too.
    Ascii,
}

/// Marks the characters of web addresses (http://, https://, www.) and e-mail
/// addresses, which punctuation rules must never touch. Trailing . , ; : ! ? )
/// belong to the sentence, not the address.
fn protected_spans(chars: &[char]) -> Vec<bool> {
    let mut protected = vec![false; chars.len()];
    let is_link_char =
        |c: char| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|');
    let is_trailing = |c: char| matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | ')' | '\'');
    let mut i = 0;
    while i < chars.len() {
        let starts_link = (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
            && ["http://", "https://", "www."].iter().any(|p| {
                p.chars().enumerate().all(|(k, pc)| {
                    chars
                        .get(i + k)
                        .is_some_and(|c| c.to_ascii_lowercase() == pc)
                })
            });
        if starts_link {
            let mut end = i;
            while end < chars.len() && is_link_char(chars[end]) {
                end += 1;
            }
            while end > i && is_trailing(chars[end - 1]) {
                end -= 1;
            }
            protected[i..end].fill(true);
            i = end.max(i + 1);
            continue;
        }
        if chars[i] == '@' {
            let is_local =
                |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
            let is_domain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
            let mut start = i;
            while start > 0 && is_local(chars[start - 1]) {
                start -= 1;
            }
            let mut end = i + 1;
            while end < chars.len() && is_domain(chars[end]) {
                end += 1;
            }
            while end > i + 1 && matches!(chars[end - 1], '.' | '-') {
                end -= 1;
            }
            if start < i && chars[i + 1..end].contains(&'.') {
                protected[start..end].fill(true);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    protected
}

/// For each `(` and `)` that pair up on one line, the index of its partner,
/// and whether the pair encloses Chinese (its first or last character inside
/// is Chinese), in which case both become full-width.
fn paren_pairs(chars: &[char], protected: &[bool]) -> Vec<Option<(usize, bool)>> {
    let mut pairs = vec![None; chars.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if protected[i] {
            continue;
        }
        match c {
            '\n' => open.clear(),
            '(' => open.push(i),
            ')' => {
                if let Some(o) = open.pop() {
                    let zh = o + 1 < i && (is_zh_ahead(chars[o + 1]) || is_zh_ahead(chars[i - 1]));
                    pairs[o] = Some((i, zh));
                    pairs[i] = Some((o, zh));
                }
            }
            _ => {}
        }
    }
    pairs
}

/// Hong Kong punctuation for Chinese text.
///
/// In a Chinese context (the neighbour on the side the mark attaches to is a
/// Han character or CJK punctuation), ASCII `, . ? ! : ; ( )` become
/// `，。？！：；（）`; brackets change as a pair when either end of what they
/// enclose is Chinese. `“ ”` become `「 」` and `‘ ’` become `『 』`
/// everywhere (an apostrophe, as in `People’s`, stays); straight double
/// quotes around Chinese become `「 」`; existing `「」『』` are left as
/// they are. `...`, `…` and `⋯⋯` next to Chinese become `……`. Spaces after
/// `，。！？：；、` are dropped. Never touched: decimals (3.5), thousands
/// separators (1,200), times (10:30), web and e-mail addresses, and English
/// inside Chinese text: a `.` or `,` between two Latin letters or digits, or
/// followed by a space and a Latin letter, stays.
pub fn normalise_hk_punctuation(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let protected = protected_spans(&chars);
    let pairs = paren_pairs(&chars, &protected);
    let mut out = Out {
        text: String::with_capacity(text.len() + 16),
        last: None,
        last_zh: false,
    };
    let mut straight = Straight::None;
    let mut singles_open = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if protected[i] {
            out.push(c, false);
            i += 1;
            continue;
        }
        let prev = out.last;
        let prev_zh = out.last_zh;
        let next = chars.get(i + 1).copied();
        let after_next = chars.get(i + 2).copied();
        // An English sentence or number continues through this `.` or `,`.
        let english_continues = (prev.is_some_and(|p| p.is_ascii_alphanumeric())
            && next.is_some_and(|n| n.is_ascii_alphanumeric()))
            || (next == Some(' ') && after_next.is_some_and(|n| n.is_ascii_alphabetic()));
        match c {
            '\n' => {
                straight = Straight::None;
                singles_open = 0;
                out.push(c, false);
            }
            '.' | '…' | '⋯' => {
                let run = chars[i..].iter().take_while(|&&d| d == c).count();
                let is_ellipsis = c != '.' || run >= 3;
                let after_run = chars.get(i + run).copied();
                if is_ellipsis && (prev_zh || after_run.is_some_and(is_zh_ahead)) {
                    out.push('…', true);
                    out.push('…', true);
                    i += run;
                    continue;
                }
                if run > 1 {
                    // `..`, or an ellipsis in English: as written.
                    for _ in 0..run {
                        out.push(c, false);
                    }
                    i += run;
                    continue;
                }
                if c == '.' && !english_continues && (prev_zh || next.is_some_and(is_han)) {
                    out.push('。', true);
                } else {
                    out.keep(c);
                }
            }
            ',' => {
                let next_word = chars[i + 1..].iter().copied().find(|&n| n != ' ');
                if !english_continues && (prev_zh || next_word.is_some_and(is_zh_ahead)) {
                    out.push('，', true);
                } else {
                    out.keep(c);
                }
            }
            '?' | '!' | ':' | ';' if prev_zh => {
                let full = match c {
                    '?' => '？',
                    '!' => '！',
                    ':' => '：',
                    _ => '；',
                };
                out.push(full, true);
            }
            '(' => {
                let zh = match pairs[i] {
                    Some((_, zh)) => zh,
                    None => next.is_some_and(is_zh_ahead),
                };
                if zh {
                    out.push('（', true);
                } else {
                    out.keep(c);
                }
            }
            ')' => {
                // An unpaired `)` at the start of a line closes a bracket from
                // an earlier piece of the same text, as in `(詳見附件。` + `)`.
                let zh = match pairs[i] {
                    Some((_, zh)) => zh,
                    None => {
                        prev_zh
                            || next.is_some_and(is_zh_ahead)
                            || (out.at_line_start()
                                && !next.is_some_and(|n| n.is_ascii_alphanumeric()))
                    }
                };
                if zh {
                    out.push('）', true);
                } else {
                    out.keep(c);
                }
            }
            '"' => {
                let opens_chinese = next.is_some_and(|n| {
                    is_han(n) || matches!(n, '「' | '『' | '（' | '《' | '“' | '‘')
                });
                // A quote right after Chinese (or opening a line) that is not
                // followed by a letter closes a quote opened earlier.
                let closes_chinese = (prev_zh || out.at_line_start())
                    && !next.is_some_and(|n| n.is_ascii_alphanumeric());
                straight = match straight {
                    Straight::Corner => {
                        out.push('」', true);
                        Straight::None
                    }
                    Straight::Ascii => {
                        out.keep(c);
                        Straight::None
                    }
                    Straight::None if opens_chinese => {
                        out.push('「', true);
                        Straight::Corner
                    }
                    Straight::None if closes_chinese => {
                        out.push('」', true);
                        Straight::None
                    }
                    Straight::None => {
                        out.keep(c);
                        Straight::Ascii
                    }
                };
            }
            '“' => out.push('「', true),
            '”' => out.push('」', true),
            '‘' => {
                singles_open += 1;
                out.push('『', true);
            }
            '’' => {
                let after_letter = prev.is_some_and(|p| p.is_ascii_alphabetic());
                let apostrophe = after_letter
                    && (next.is_some_and(|n| n.is_ascii_alphabetic()) || singles_open == 0);
                if apostrophe {
                    out.keep(c);
                } else {
                    singles_open = singles_open.saturating_sub(1);
                    out.push('』', true);
                }
            }
            ' ' | '\t' if prev.is_some_and(is_spaced_mark) => {}
            _ => out.keep(c),
        }
        i += 1;
    }
    out.text
}

#[cfg(test)]
mod tests {
    use super::super::segment::sentences;
    use super::*;

    /// A press-release paragraph in Simplified, as a small model might drift into.
    const SIMPLIFIED_RELEASE: &str = "政府新闻处今日公布，发展局将于2026年11月24日上午10:30向立法会发展事务委员会汇报北部都会区的最新进展。\
房屋署表示，公屋一般申请者的平均轮候时间为5.3年！综援标准金额为每月$3,500；详情请浏览www.info.gov.hk。\
有关安排会否影响干部培训？当局会继续密切留意里面的情况。";

    /// The same paragraph as it should read in Hong Kong Traditional.
    const HK_RELEASE: &str = "政府新聞處今日公布，發展局將於2026年11月24日上午10:30向立法會發展事務委員會彙報北部都會區的最新進展。\
房屋署表示，公屋一般申請者的平均輪候時間為5.3年！綜援標準金額為每月$3,500；詳情請瀏覽www.info.gov.hk。\
有關安排會否影響幹部培訓？當局會繼續密切留意裏面的情況。";

    #[test]
    fn a_simplified_press_release_becomes_hong_kong_traditional() {
        assert_eq!(to_hk_traditional(SIMPLIFIED_RELEASE), HK_RELEASE);
    }

    #[test]
    fn hong_kong_government_forms_survive_conversion_from_either_script() {
        // Each of these is how the HK Government writes the word; OpenCC's HK
        // tables would give 公佈, 東湧, 入夥, 牀, 峯會, 羣組, 週年 and 不準.
        for (input, expected) in [
            ("政府今日公布", "政府今日公布"),
            ("政府今日公布新措施", "政府今日公布新措施"),
            ("特首宣布", "特首宣布"),
            ("发布会", "發布會"),
            ("东涌新市镇", "東涌新市鎮"),
            ("東涌新市鎮", "東涌新市鎮"),
            ("葵涌货柜码头", "葵涌貨櫃碼頭"),
            ("鰂魚涌", "鰂魚涌"),
            ("明年入伙", "明年入伙"),
            ("成立二十五周年", "成立二十五周年"),
            ("病床", "病床"),
            ("高峰会", "高峰會"),
            ("禁止群组聚集", "禁止群組聚集"),
            ("不准吸烟", "不准吸煙"),
        ] {
            assert_eq!(to_hk_traditional(input), expected, "{input}");
            assert!(simplified_only_chars(expected).is_empty(), "{expected}");
        }
        // The guarantee still holds: no Simplified character survives.
        assert!(simplified_only_chars(&to_hk_traditional("东涌的发展计划将于明年公布")).is_empty());
    }

    #[test]
    fn hong_kong_traditional_text_is_left_unchanged() {
        assert_eq!(to_hk_traditional(HK_RELEASE), HK_RELEASE);
        let shared = "鄰里支援計劃不受干擾，政府已核准若干項目，准許在平台及皇后大道中設置設施，全長約3公里。";
        assert_eq!(to_hk_traditional(shared), shared);
    }

    #[test]
    fn converting_twice_gives_the_same_as_converting_once() {
        for text in [
            SIMPLIFIED_RELEASE,
            "他说:\"计划已完成...\" 然后离开(详见附件)",
            "后来干扰了邻里",
        ] {
            let once = to_hk_traditional(text);
            assert_eq!(to_hk_traditional(&once), once, "{text}");
        }
    }

    #[test]
    fn traditional_characters_in_traditional_phrases_are_kept_but_simplified_ones_convert() {
        assert_eq!(to_hk_traditional("干擾"), "干擾");
        assert_eq!(to_hk_traditional("干扰"), "干擾");
        assert_eq!(to_hk_traditional("干部"), "幹部");
        assert_eq!(to_hk_traditional("鄰里"), "鄰里");
        assert_eq!(to_hk_traditional("后来"), "後來");
        assert_eq!(to_hk_traditional("衛生署"), "衞生署");
    }

    #[test]
    fn conversion_of_sentence_pieces_equals_conversion_of_the_whole() {
        let text =
            format!("{SIMPLIFIED_RELEASE}\n他说：\"计划已完成。\"(详见附件。)\n运输署会跟进……");
        let pieces = sentences(&text);
        assert!(pieces.len() >= 8, "{pieces:?}");
        let joined: String = pieces.iter().map(|p| to_hk_traditional(p)).collect();
        assert_eq!(joined, to_hk_traditional(&text));
    }

    #[test]
    fn conversion_of_pieces_cut_right_after_stops_and_newlines_equals_the_whole() {
        let text =
            format!("{SIMPLIFIED_RELEASE}\n他说：\"计划已完成。\"(详见附件。)\n运输署会跟进");
        let mut pieces = Vec::new();
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if matches!(c, '。' | '！' | '？' | '；' | '\n') {
                pieces.push(&text[start..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        pieces.push(&text[start..]);
        let joined: String = pieces.iter().map(|p| to_hk_traditional(p)).collect();
        assert_eq!(joined, to_hk_traditional(&text));
    }

    #[test]
    fn ascii_punctuation_in_chinese_becomes_full_width_but_numbers_and_times_keep_theirs() {
        assert_eq!(
            normalise_hk_punctuation(
                "會議將於2026年11月24日(星期二)上午10:30舉行,綜援金額為$3,500.每人可獲2.5萬元"
            ),
            "會議將於2026年11月24日（星期二）上午10:30舉行，綜援金額為$3,500。每人可獲2.5萬元"
        );
        assert_eq!(
            normalise_hk_punctuation("是否需要?請於10:30前致電2835 1234;查詢:房屋署!"),
            "是否需要？請於10:30前致電2835 1234;查詢：房屋署！"
        );
    }

    #[test]
    fn web_and_email_addresses_are_never_touched() {
        assert_eq!(
            normalise_hk_punctuation(
                "請瀏覽https://www.info.gov.hk/gia/general/today.htm?lang=tc,或電郵至enquiry@hd.gov.hk.如有查詢"
            ),
            "請瀏覽https://www.info.gov.hk/gia/general/today.htm?lang=tc，或電郵至enquiry@hd.gov.hk。如有查詢"
        );
    }

    #[test]
    fn spaces_after_full_width_marks_are_dropped() {
        assert_eq!(
            normalise_hk_punctuation("立法會, 發展局及房屋署。 其後 再議"),
            "立法會，發展局及房屋署。其後 再議"
        );
    }

    #[test]
    fn english_sentences_inside_chinese_are_untouched() {
        assert_eq!(
            normalise_hk_punctuation("署方表示:The scheme starts on 1 Dec. Apply online, please."),
            "署方表示：The scheme starts on 1 Dec. Apply online, please."
        );
        assert_eq!(
            normalise_hk_punctuation("立法會, LegCo. The Council"),
            "立法會, LegCo. The Council"
        );
    }

    #[test]
    fn brackets_change_as_a_pair_only_around_chinese() {
        assert_eq!(
            normalise_hk_punctuation("(1)發展局(Development Bureau)及(房屋署 HD)"),
            "(1)發展局(Development Bureau)及（房屋署 HD）"
        );
    }

    #[test]
    fn curly_quotes_become_corner_brackets_and_apostrophes_stay() {
        assert_eq!(
            normalise_hk_punctuation("他說“好”，又說‘明白’"),
            "他說「好」，又說『明白』"
        );
        assert_eq!(
            normalise_hk_punctuation("“People’s Daily”的報道"),
            "「People’s Daily」的報道"
        );
    }

    #[test]
    fn straight_quotes_around_chinese_become_corner_brackets_and_english_ones_stay() {
        assert_eq!(
            normalise_hk_punctuation("計劃名為\"樂齡科技\"，英文名為\"Gerontech\"。"),
            "計劃名為「樂齡科技」，英文名為\"Gerontech\"。"
        );
        assert_eq!(
            normalise_hk_punctuation("他說:\"計劃已完成。\"\n「已有」『嵌套』"),
            "他說：「計劃已完成。」\n「已有」『嵌套』"
        );
    }

    #[test]
    fn ellipses_next_to_chinese_become_the_doubled_form_and_english_ones_stay() {
        assert_eq!(normalise_hk_punctuation("等等...然後"), "等等……然後");
        assert_eq!(normalise_hk_punctuation("等等…然後"), "等等……然後");
        assert_eq!(normalise_hk_punctuation("等等……然後"), "等等……然後");
        assert_eq!(normalise_hk_punctuation("等等⋯⋯然後"), "等等……然後");
        assert_eq!(
            normalise_hk_punctuation("and so on... OK…"),
            "and so on... OK…"
        );
    }

    #[test]
    fn odd_inputs_do_not_panic_and_come_back_sensibly() {
        assert_eq!(to_hk_traditional(""), "");
        assert_eq!(to_hk_traditional(" \n\t"), " \n\t");
        assert_eq!(to_hk_traditional("e\u{301}🙂👨‍👩‍👧"), "e\u{301}🙂👨‍👩‍👧");
        assert_eq!(normalise_hk_punctuation("\"(.,…’@www."), "」(.,…』@www.");
        assert!(simplified_only_chars("").is_empty());
    }

    #[test]
    fn simplified_only_characters_are_reported_once_in_order() {
        assert_eq!(
            simplified_only_chars("我们的计划，我们的"),
            vec!['们', '计', '划']
        );
        assert!(simplified_only_chars("立法會發展局").is_empty());
    }

    #[test]
    fn shared_characters_are_judged_where_they_stand() {
        assert!(simplified_only_chars("皇后大道中的平台若干公里，鄰里不受干擾。").is_empty());
        assert_eq!(
            simplified_only_chars("后来里面的干部"),
            vec!['后', '来', '里', '干']
        );
        // OpenCC has no phrase for surnames: 于 is reported.
        assert_eq!(simplified_only_chars("于先生"), vec!['于']);
        // A variant that is Traditional (衛, HK form 衞) is not Simplified.
        assert!(simplified_only_chars("衛生署").is_empty());
    }

    #[test]
    fn nothing_simplified_remains_after_conversion() {
        let out = to_hk_traditional(SIMPLIFIED_RELEASE);
        assert!(simplified_only_chars(&out).is_empty(), "{out}");
        assert!(!simplified_only_chars(SIMPLIFIED_RELEASE).is_empty());
    }

    #[test]
    fn search_keys_convert_both_ways() {
        assert_eq!(to_simplified("發展局和房屋署"), "发展局和房屋署");
        assert_eq!(to_traditional("发展局和房屋署"), "發展局和房屋署");
    }
}
