//! Number cores: the stretches of text that spell a number, with its value.
//!
//! Three spellings are read, wherever they occur, in either language:
//! digits (ASCII or full-width, with `,` or HK-style space thousands
//! separators and a decimal point, optionally followed by a scale word:
//! `2.5萬`, `24.4 million`, `1 300`), Chinese numerals (`二千四百四十萬`,
//! `兩`, `一點四`, and digit-by-digit years such as `二〇二五`), and English
//! number words (`thirty-five`, `a million`, `one hundred and twenty`).
//! Structured Chinese numerals are valued by the `chinese-number` crate;
//! digit-by-digit readings, decimals and mixed forms are handled here, as
//! is English (no well-kept crate reads number words inside running text).
//!
//! A core says nothing about what the number counts: [`super::quantities`]
//! reads the words around it (currency, 年, per cent, 第 …).

use chinese_number::{ChineseCountMethod, ChineseToNumber};

/// How a number was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `2026`, `1,300`, `２０２６`, `2.5萬`.
    Digits,
    /// `二千四百四十`, `兩`, `一點四`.
    Chinese,
    /// `二〇二五`: Chinese digits read one by one (years, codes).
    ChineseDigits,
    /// `thirty-five`, `a million`.
    Words,
}

/// A number as written, with its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Core {
    /// Byte offsets in the text.
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub form: Form,
    /// A scale word (萬, 億, million …) is part of the core.
    pub scaled: bool,
    /// Digits before the decimal point, when written in digits (years have four).
    pub int_digits: usize,
    /// Written with thousands separators.
    pub separated: bool,
    /// Digits after the decimal point (0 for integers).
    pub decimals: usize,
}

impl Core {
    /// A plain integer written in digits, e.g. a year, a day or a phone part.
    pub fn is_plain_integer(&self) -> bool {
        self.form == Form::Digits && !self.scaled && !self.separated && self.decimals == 0
    }
}

/// Chinese numeral characters that can start or continue a number.
pub(crate) fn is_chinese_numeral(c: char) -> bool {
    matches!(
        c,
        '零' | '〇'
            | '一'
            | '二'
            | '兩'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '萬'
            | '億'
            | '兆'
            | '壹'
            | '貳'
            | '參'
            | '肆'
            | '伍'
            | '陸'
            | '柒'
            | '捌'
            | '玖'
            | '拾'
            | '佰'
            | '仟'
    )
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '兩' | '貳' => 2,
        '三' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// An ASCII or full-width digit's value.
pub(crate) fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

/// Chinese scale words that may follow digits (`2.5萬`, `3千`), longest first.
const CHINESE_SCALES: &[(&str, f64)] = &[
    ("萬億", 1e12),
    ("千萬", 1e7),
    ("百萬", 1e6),
    ("萬", 1e4),
    ("億", 1e8),
    ("兆", 1e12),
    ("千", 1e3),
    ("百", 1e2),
];

/// English scale words that may follow a number (`24.4 million`).
const ENGLISH_SCALES: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("trillion", 1e12),
];

/// Every number core in `text`, in order, not overlapping.
pub(crate) fn cores(text: &str) -> Vec<Core> {
    let mut out: Vec<Core> = Vec::new();
    let mut i = 0;
    let bytes = text.len();
    while i < bytes {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        // 百分之 (per cent) and 分之 (fractions) are markers, not numbers.
        if text[i..].starts_with("百分之") {
            i += "百分之".len();
            continue;
        }
        let glued = is_digit(c) && glued_to_letters_before(text, i);
        let core = if is_digit(c) && !glued {
            digits_at(text, i)
        } else if is_chinese_numeral(c) {
            chinese_at(text, i)
        } else if c.is_ascii_alphabetic() && word_start(text, i) {
            words_at(text, i)
        } else {
            None
        };
        match core {
            Some(core) => {
                i = core.end;
                // 38億1,200萬: one amount written in two scaled parts.
                if let Some(last) = out.last_mut() {
                    let joined = last.end == core.start
                        && last.form == Form::Digits
                        && core.form == Form::Digits
                        && text[last.start..last.end].ends_with('億')
                        && core.scaled
                        && core.value < 1e8;
                    if joined {
                        last.value += core.value;
                        last.end = core.end;
                        continue;
                    }
                }
                out.push(core);
            }
            None => {
                // Skip the rest of a word, or of a name's digits, so a number
                // is never read from its middle ("A380", "COVID-19" are names).
                i += c.len_utf8();
                let skip: fn(char) -> bool = if glued {
                    |n| n.is_ascii_alphanumeric()
                } else if c.is_ascii_alphabetic() {
                    |n| n.is_ascii_alphabetic()
                } else {
                    |_| false
                };
                while let Some(n) = text[i..].chars().next() {
                    if !skip(n) {
                        break;
                    }
                    i += n.len_utf8();
                }
            }
        }
    }
    out
}

fn prev_char(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn word_start(text: &str, i: usize) -> bool {
    !prev_char(text, i).is_some_and(|p| p.is_alphanumeric() && !super::is_han(p))
}

/// Digits straight after Latin letters (or letters and a hyphen) are part
/// of a name: `A380`, `T3`, `COVID-19`, `P2026012200123`.
fn glued_to_letters_before(text: &str, i: usize) -> bool {
    let before = &text[..i];
    let (before, hyphen) = match before.strip_suffix('-') {
        Some(b) => (b, true),
        None => (before, false),
    };
    let word = before
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    // "mid-2026", "end-2025", "pre-2020" are dates; "COVID-19" is a name.
    if hyphen && !word.chars().any(|c| c.is_ascii_uppercase()) {
        return false;
    }
    before
        .chars()
        .next_back()
        .is_some_and(|p| p.is_ascii_alphabetic())
        && !matches!(
            before.rsplit(|c: char| !c.is_ascii_alphabetic()).next(),
            // Currency codes written against the amount: RMB100, HKD50.
            Some("RMB" | "HKD" | "USD" | "MOP" | "HK" | "US" | "EUR" | "GBP" | "JPY" | "No")
        )
}

fn read_digits(text: &str, mut i: usize, out: &mut String) -> usize {
    while let Some(c) = text[i..].chars().next() {
        match digit_value(c) {
            Some(d) => {
                out.push(char::from(b'0' + d as u8));
                i += c.len_utf8();
            }
            None => break,
        }
    }
    i
}

fn digits_at(text: &str, start: usize) -> Option<Core> {
    let mut int = String::new();
    let mut i = read_digits(text, start, &mut int);
    let mut separated = false;
    // Comma groups: exactly three digits after each separator.
    while let Some(sep) = text[i..].chars().next() {
        if !matches!(sep, ',' | '，') {
            break;
        }
        let mut group = String::new();
        let after = read_digits(text, i + sep.len_utf8(), &mut group);
        if group.len() != 3 {
            break;
        }
        int.push_str(&group);
        i = after;
        separated = true;
    }
    // HK style: a (thin or no-break) space before each group of three,
    // when the first group has one to three digits ("1 300", "12 000").
    if !separated && int.len() <= 3 {
        while let Some(sep) = text[i..].chars().next() {
            if !matches!(sep, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}') {
                break;
            }
            let mut group = String::new();
            let after = read_digits(text, i + sep.len_utf8(), &mut group);
            let next = text[after..].chars().next();
            // Not "1 300.5" style or a time "8 30": only a clean group.
            if group.len() != 3 || next.is_some_and(|n| is_digit(n) || n == ':') {
                break;
            }
            int.push_str(&group);
            i = after;
            separated = true;
        }
    }
    let mut frac = String::new();
    if let Some(point) = text[i..].chars().next() {
        if matches!(point, '.' | '．') {
            let after = read_digits(text, i + point.len_utf8(), &mut frac);
            if frac.is_empty() {
                // A full stop, not a decimal point.
            } else {
                i = after;
            }
        }
    }
    let int_digits = int.len();
    let decimals = frac.len();
    let literal = if frac.is_empty() {
        int
    } else {
        format!("{int}.{frac}")
    };
    let mut value: f64 = literal.parse().ok()?;
    let mut scaled = false;
    // "300多萬", "2.5萬", "1,300萬".
    let mut j = i;
    if text[j..].starts_with('多') || text[j..].starts_with('餘') {
        j += '多'.len_utf8();
    }
    if let Some((word, scale)) = CHINESE_SCALES
        .iter()
        .find(|(w, _)| text[j..].starts_with(w))
    {
        // "3千" is 3,000, but "3百分之" is not a scale, and "2026千" is nothing.
        let percent_marker = text[j..].starts_with("百分");
        let small = matches!(*word, "千" | "百");
        if !percent_marker && (!small || int_digits <= 3) {
            value *= scale;
            scaled = true;
            i = j + word.len();
        }
    }
    if !scaled {
        if let Some((end, scale)) = english_scale_after(text, i) {
            value *= scale;
            scaled = true;
            i = end;
        }
    }
    Some(Core {
        start,
        end: i,
        value,
        form: Form::Digits,
        scaled,
        int_digits,
        separated,
        decimals,
    })
}

/// A scale word after optional spaces: returns its end and factor.
fn english_scale_after(text: &str, i: usize) -> Option<(usize, f64)> {
    let rest = &text[i..];
    let trimmed = rest.trim_start_matches([' ', '\u{a0}']);
    let skipped = rest.len() - trimmed.len();
    for (word, scale) in ENGLISH_SCALES {
        if trimmed
            .get(..word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
        {
            let after = &trimmed[word.len()..];
            if !after
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            {
                return Some((i + skipped + word.len(), *scale));
            }
        }
    }
    None
}

fn chinese_at(text: &str, start: usize) -> Option<Core> {
    let mut end = start;
    let mut run = String::new();
    for c in text[start..].chars() {
        if !is_chinese_numeral(c) {
            break;
        }
        run.push(c);
        end += c.len_utf8();
    }
    // A decimal part: 一點四, 三點五萬.
    let mut frac = String::new();
    if text[end..].starts_with('點') {
        let mut j = end + '點'.len_utf8();
        for c in text[j..].chars() {
            match chinese_digit(c) {
                Some(d) if c != '兩' => {
                    frac.push(char::from(b'0' + d as u8));
                    j += c.len_utf8();
                }
                _ => break,
            }
        }
        if !frac.is_empty() {
            end = j;
        }
    }
    // A scale after the decimal part (三點五萬) belongs to the number too.
    let mut tail_scale = 1.0;
    if !frac.is_empty() {
        if let Some((word, scale)) = CHINESE_SCALES
            .iter()
            .filter(|(w, _)| matches!(*w, "萬" | "億" | "萬億" | "百萬" | "千萬"))
            .find(|(w, _)| text[end..].starts_with(w))
        {
            tail_scale = *scale;
            end += word.len();
        }
    }
    let chars: Vec<char> = run.chars().collect();
    let all_digits = chars
        .iter()
        .all(|&c| chinese_digit(c).is_some() && c != '兩');
    let (int_value, form) = if all_digits && chars.len() >= 2 && frac.is_empty() {
        // 二〇二五, 二五: read digit by digit.
        let literal: String = chars
            .iter()
            .filter_map(|&c| chinese_digit(c))
            .map(|d| char::from(b'0' + d as u8))
            .collect();
        (literal.parse::<f64>().ok()?, Form::ChineseDigits)
    } else {
        (structured_chinese(&run)?, Form::Chinese)
    };
    let value = if frac.is_empty() {
        int_value
    } else {
        format!("{int_value}.{frac}").parse::<f64>().ok()? * tail_scale
    };
    let scaled = run.contains(['萬', '億', '兆']) || tail_scale > 1.0;
    Some(Core {
        start,
        end,
        value,
        form,
        scaled,
        int_digits: if form == Form::ChineseDigits {
            chars.len()
        } else {
            0
        },
        separated: false,
        decimals: frac.len(),
    })
}

/// 二千四百四十萬 → 24,400,000 with the `chinese-number` crate (ten-thousand
/// count method, as HK Chinese counts: 萬, 億 = 10⁸, 兆 = 10¹²).
fn structured_chinese(run: &str) -> Option<f64> {
    let mut normalised: String = run
        .chars()
        .map(|c| if c == '〇' { '零' } else { c })
        .collect();
    // 千名 is 一千名, 百萬 is 一百萬.
    if normalised.starts_with(['百', '千', '萬', '億', '佰', '仟']) {
        normalised.insert(0, '一');
    }
    let parsed: Result<u64, _> = normalised
        .as_str()
        .to_number(ChineseCountMethod::TenThousand);
    parsed.ok().map(|v| v as f64)
}

const UNITS: &[(&str, u64)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];

/// The tens in words (shared with the ordinal words: twenty-third).
pub(crate) const TENS: &[(&str, u64)] = &[
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// The next ASCII word at `i`: (word, end).
fn word_at(text: &str, i: usize) -> Option<(&str, usize)> {
    let rest = &text[i..];
    let len = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(rest.len(), |(n, _)| n);
    (len > 0).then(|| (&rest[..len], i + len))
}

enum Token {
    Unit(u64),
    Ten(u64),
    Hundred,
    Scale(f64),
    /// "a" before hundred/thousand/million.
    A,
}

fn token(word: &str) -> Option<Token> {
    let w = word.to_ascii_lowercase();
    if let Some((_, v)) = UNITS.iter().find(|(u, _)| *u == w) {
        return Some(Token::Unit(*v));
    }
    if let Some((_, v)) = TENS.iter().find(|(t, _)| *t == w) {
        return Some(Token::Ten(*v));
    }
    if w == "hundred" {
        return Some(Token::Hundred);
    }
    if let Some((_, s)) = ENGLISH_SCALES.iter().find(|(s, _)| *s == w) {
        return Some(Token::Scale(*s));
    }
    if w == "a" || w == "an" {
        return Some(Token::A);
    }
    None
}

/// English number words starting at `start` ("thirty-five", "a million",
/// "one hundred and twenty", "two thousand five hundred").
fn words_at(text: &str, start: usize) -> Option<Core> {
    let mut i = start;
    let mut total = 0.0_f64;
    let mut group = 0.0_f64;
    let mut end = start;
    let mut seen_number = false;
    let mut pending_a = false;
    let mut last_was_ten = false;
    let mut scaled = false;
    while let Some((word, word_end)) = word_at(text, i) {
        let Some(tok) = token(word) else { break };
        match tok {
            Token::A => {
                if seen_number || pending_a {
                    break;
                }
                pending_a = true;
            }
            Token::Unit(v) => {
                if seen_number && !last_was_ten && group % 100.0 != 0.0 {
                    break;
                }
                if pending_a {
                    break;
                }
                group += v as f64;
                seen_number = true;
                last_was_ten = false;
                end = word_end;
            }
            Token::Ten(v) => {
                if seen_number && group % 100.0 != 0.0 {
                    break;
                }
                if pending_a {
                    break;
                }
                group += v as f64;
                seen_number = true;
                last_was_ten = true;
                end = word_end;
            }
            Token::Hundred => {
                if pending_a {
                    group = 1.0;
                    pending_a = false;
                } else if !seen_number || group == 0.0 {
                    break;
                }
                group *= 100.0;
                seen_number = true;
                last_was_ten = false;
                end = word_end;
            }
            Token::Scale(s) => {
                if pending_a {
                    group = 1.0;
                    pending_a = false;
                } else if !seen_number {
                    break;
                }
                total += group.max(1.0) * s;
                group = 0.0;
                scaled = true;
                seen_number = true;
                last_was_ten = false;
                end = word_end;
            }
        }
        // Between words: a space, a hyphen ("thirty-five"), or " and ".
        let rest = &text[word_end..];
        let next = if let Some(r) = rest.strip_prefix('-') {
            Some(word_end + 1 + (rest.len() - 1 - r.len()))
        } else if let Some(r) = rest.strip_prefix(' ') {
            let skip = if r.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("and "))
                && r.len() > 4
                && seen_number
            {
                4
            } else {
                0
            };
            Some(word_end + 1 + skip)
        } else {
            None
        };
        match next {
            Some(n) => i = n,
            None => break,
        }
    }
    if !seen_number {
        return None;
    }
    let value = total + group;
    Some(Core {
        start,
        end,
        value,
        form: Form::Words,
        scaled,
        int_digits: 0,
        separated: false,
        decimals: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, f64)> {
        cores(text)
            .into_iter()
            .map(|c| (text[c.start..c.end].to_string(), c.value))
            .collect()
    }

    #[test]
    fn digits_with_every_separator_and_scale_are_valued() {
        assert_eq!(
            values("1,300 and 1 300 and ２０２６ and 3.5 and 2.5萬 and 1,300萬 and $24.4 million"),
            vec![
                ("1,300".into(), 1300.0),
                ("1 300".into(), 1300.0),
                ("２０２６".into(), 2026.0),
                ("3.5".into(), 3.5),
                ("2.5萬".into(), 25_000.0),
                ("1,300萬".into(), 13_000_000.0),
                ("24.4 million".into(), 24_400_000.0),
            ]
        );
    }

    #[test]
    fn a_phone_number_is_two_groups_of_four_not_thousands() {
        assert_eq!(
            values("2835 1234"),
            vec![("2835".into(), 2835.0), ("1234".into(), 1234.0)]
        );
    }

    #[test]
    fn chinese_numerals_structured_digit_by_digit_and_decimal() {
        assert_eq!(values("二千四百四十萬元")[0].1, 24_400_000.0);
        assert_eq!(values("兩名")[0].1, 2.0);
        assert_eq!(values("二〇二五年")[0].1, 2025.0);
        assert_eq!(values("二零二四至二五年度")[1].1, 25.0);
        assert_eq!(values("百分之一點四"), vec![("一點四".into(), 1.4)]);
        assert_eq!(values("一點四")[0].1, 1.4);
        assert_eq!(values("三點五萬")[0].1, 35_000.0);
        assert_eq!(values("一千零五")[0].1, 1005.0);
    }

    #[test]
    fn english_number_words_are_valued() {
        assert_eq!(values("thirty-five")[0].1, 35.0);
        assert_eq!(values("one hundred and twenty flats")[0].1, 120.0);
        assert_eq!(values("a million")[0].1, 1e6);
        assert_eq!(values("two thousand five hundred")[0].1, 2500.0);
        assert_eq!(values("twelve")[0].1, 12.0);
        assert!(values("a number of").is_empty());
        assert!(values("someone, anyone").is_empty());
    }

    #[test]
    fn digits_glued_to_letters_are_names_not_numbers() {
        assert!(values("A380 and COVID-19 and T3").is_empty());
        assert_eq!(values("RMB100")[0].1, 100.0);
    }

    #[test]
    fn a_full_stop_after_a_number_is_not_a_decimal_point() {
        assert_eq!(values("in 2026."), vec![("2026".into(), 2026.0)]);
    }
}
