//! Typed quantities with normalised values, read from Chinese or English.
//!
//! A reviewer compares what a figure *is*, not how it is spelt:
//! 二千四百四十萬元 and "$24.4 million" are the same amount; 二零二五年十二月
//! and "December 2025" the same month; 上午8時 and "8am" the same time;
//! 第二十三批 and "the 23rd batch" the same ordinal. [`extract`] finds every
//! figure in a paragraph and gives it a kind and a value that can be
//! compared across languages: money (with its currency), percentages and
//! percentage points, dates (any of year, month, day), times of day,
//! ordinals, the two years of a financial or school year, phone numbers and
//! plain numbers (counts, areas, ages, durations).
//!
//! Chinese numerals are only taken as figures where they count something
//! (a measure word, a unit, a date or time word, 第, 百分之 follows or
//! precedes them, or they are a compound such as 二千四百): 九龍, 一些,
//! 統一 and 十分 are words. Small numbers written in words (≤ 10: "two",
//! 兩名, 第一) are *weak*: they are matched when possible, but never
//! reported on their own, because languages count small things differently
//! ("a man" = 一名男子, 雙方 = "both sides").

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::numerals::{self, Core, Form};

/// A currency an amount is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Hong Kong dollars: `HK$`, `$`, 元, 港元, 港幣.
    #[serde(rename = "HKD")]
    Hkd,
    /// Renminbi: `RMB`, 人民幣.
    #[serde(rename = "CNY")]
    Cny,
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "GBP")]
    Gbp,
    #[serde(rename = "JPY")]
    Jpy,
    #[serde(rename = "MOP")]
    Mop,
    #[serde(rename = "TWD")]
    Twd,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Self::Hkd => "HKD",
            Self::Cny => "CNY",
            Self::Usd => "USD",
            Self::Eur => "EUR",
            Self::Gbp => "GBP",
            Self::Jpy => "JPY",
            Self::Mop => "MOP",
            Self::Twd => "TWD",
        }
    }
}

/// What a figure is, with the value that is compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    /// A count, measure, age or duration.
    Number {
        value: f64,
    },
    Money {
        amount: f64,
        currency: Currency,
    },
    Percent {
        value: f64,
    },
    /// Percentage points (個百分點).
    Points {
        value: f64,
    },
    /// Any of year, month and day.
    Date {
        #[serde(skip_serializing_if = "Option::is_none")]
        year: Option<i32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        month: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        day: Option<u32>,
    },
    /// Minutes after midnight; `exact` when morning or afternoon is known.
    Time {
        minutes: u32,
        exact: bool,
    },
    Ordinal {
        value: f64,
    },
    /// One of the two years of a financial or school year (2024-25 gives 2024 and 2025).
    Year {
        value: i32,
    },
    /// The digits of a telephone or fax number.
    Phone {
        digits: String,
    },
}

/// The kind of a figure, for reports and for pairing a changed figure with
/// the one it replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Number,
    Money,
    Percent,
    Points,
    Date,
    Time,
    Ordinal,
    Year,
    Phone,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Money => "amount",
            Self::Percent => "percentage",
            Self::Points => "percentage points",
            Self::Date => "date",
            Self::Time => "time",
            Self::Ordinal => "ordinal",
            Self::Year => "year",
            Self::Phone => "phone number",
        }
    }
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Self::Number { .. } => Kind::Number,
            Self::Money { .. } => Kind::Money,
            Self::Percent { .. } => Kind::Percent,
            Self::Points { .. } => Kind::Points,
            Self::Date { .. } => Kind::Date,
            Self::Time { .. } => Kind::Time,
            Self::Ordinal { .. } => Kind::Ordinal,
            Self::Year { .. } => Kind::Year,
            Self::Phone { .. } => Kind::Phone,
        }
    }

    /// The value written plainly, e.g. `24400000 HKD`, `2025-12`, `15:30`.
    pub fn normalised(&self) -> String {
        let num = |v: f64| {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{}", v as i64)
            } else {
                let s = format!("{v:.6}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }
        };
        match self {
            Self::Number { value } => num(*value),
            Self::Money { amount, currency } => format!("{} {}", num(*amount), currency.code()),
            Self::Percent { value } => format!("{}%", num(*value)),
            Self::Points { value } => format!("{} percentage points", num(*value)),
            Self::Date { year, month, day } => {
                let mut parts = Vec::new();
                parts.push(year.map_or("????".to_string(), |y| format!("{y:04}")));
                parts.push(month.map_or("??".to_string(), |m| format!("{m:02}")));
                if day.is_some() || month.is_none() {
                    parts.push(day.map_or("??".to_string(), |d| format!("{d:02}")));
                }
                parts.join("-")
            }
            Self::Time { minutes, exact } => {
                let t = format!("{:02}:{:02}", minutes / 60, minutes % 60);
                if *exact {
                    t
                } else {
                    format!("{t} (or 12 hours later)")
                }
            }
            Self::Ordinal { value } => format!("#{}", num(*value)),
            Self::Year { value } => format!("{value}"),
            Self::Phone { digits } => digits.clone(),
        }
    }
}

/// A figure found in a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: Value,
    /// Byte offsets in the paragraph.
    pub start: usize,
    pub end: usize,
    /// A small number in words: matched if possible, never reported alone.
    pub weak: bool,
    /// The scale word's factor when one was written (萬 = 10⁴, million = 10⁶), else 1.
    scale: f64,
}

impl Quantity {
    fn new(value: Value, start: usize, end: usize) -> Self {
        Self {
            value,
            start,
            end,
            weak: false,
            scale: 1.0,
        }
    }

    pub fn kind(&self) -> Kind {
        self.value.kind()
    }
}

/// Whether two figure values are equal (relative tolerance for decimal noise).
pub(crate) fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

// ---------------------------------------------------------------------------
// Context tables.

const CURRENCY_PREFIXES: &[(&str, Currency)] = &[
    ("HK$", Currency::Hkd),
    ("HKD", Currency::Hkd),
    ("US$", Currency::Usd),
    ("USD", Currency::Usd),
    ("MOP$", Currency::Mop),
    ("MOP", Currency::Mop),
    ("NT$", Currency::Twd),
    ("RMB", Currency::Cny),
    ("Rmb", Currency::Cny),
    ("CNY", Currency::Cny),
    ("EUR", Currency::Eur),
    ("GBP", Currency::Gbp),
    ("JPY", Currency::Jpy),
    ("¥", Currency::Cny),
    ("￥", Currency::Cny),
    ("€", Currency::Eur),
    ("£", Currency::Gbp),
    ("$", Currency::Hkd),
    ("＄", Currency::Hkd),
    ("港幣", Currency::Hkd),
    ("港元", Currency::Hkd),
    ("人民幣", Currency::Cny),
    ("美元", Currency::Usd),
    ("澳門幣", Currency::Mop),
    ("新台幣", Currency::Twd),
    ("歐元", Currency::Eur),
    ("英鎊", Currency::Gbp),
    ("日圓", Currency::Jpy),
];

/// Written straight after the number (Chinese), longest first.
const CURRENCY_SUFFIXES_ZH: &[(&str, Currency)] = &[
    ("元人民幣", Currency::Cny),
    ("澳門元", Currency::Mop),
    ("澳門幣", Currency::Mop),
    ("新台幣", Currency::Twd),
    ("人民幣", Currency::Cny),
    ("港元", Currency::Hkd),
    ("港幣", Currency::Hkd),
    ("美元", Currency::Usd),
    ("歐元", Currency::Eur),
    ("英鎊", Currency::Gbp),
    ("日圓", Currency::Jpy),
    ("日元", Currency::Jpy),
    ("元", Currency::Hkd),
];

/// Written after a space (English), longest first.
const CURRENCY_SUFFIXES_EN: &[(&str, Currency)] = &[
    ("Hong Kong dollars", Currency::Hkd),
    ("US dollars", Currency::Usd),
    ("dollars", Currency::Hkd),
    ("yuan", Currency::Cny),
    ("renminbi", Currency::Cny),
    ("euros", Currency::Eur),
    ("euro", Currency::Eur),
    ("patacas", Currency::Mop),
];

/// Measure words and units that make a Chinese numeral a count; longest first.
const MEASURES: &[&str] = &[
    "平方公里",
    "平方公尺",
    "平方米",
    "立方米",
    "百分點",
    "分鐘",
    "小時",
    "星期",
    "公頃",
    "公里",
    "公尺",
    "厘米",
    "毫米",
    "公斤",
    "千克",
    "公噸",
    "毫升",
    "千瓦",
    "兆瓦",
    "人次",
    "周年",
    "週年",
    "個",
    "名",
    "人",
    "位",
    "間",
    "所",
    "座",
    "幢",
    "棟",
    "層",
    "宗",
    "項",
    "條",
    "次",
    "輛",
    "架",
    "艘",
    "部",
    "台",
    "臺",
    "張",
    "份",
    "本",
    "套",
    "隻",
    "頭",
    "棵",
    "株",
    "塊",
    "戶",
    "家",
    "班",
    "組",
    "隊",
    "支",
    "枚",
    "顆",
    "粒",
    "包",
    "箱",
    "批",
    "期",
    "屆",
    "區",
    "段",
    "款",
    "類",
    "級",
    "幅",
    "道",
    "場",
    "趟",
    "輪",
    "節",
    "堂",
    "篇",
    "章",
    "號",
    "樓",
    "室",
    "歲",
    "倍",
    "年",
    "月",
    "日",
    "天",
    "週",
    "周",
    "分",
    "秒",
    "仙",
    "米",
    "克",
    "噸",
    "升",
    "度",
    "例",
    "劑",
    "針",
    "任",
    "列",
    "季",
    "成",
    "元",
    "段",
    "線",
    "綫",
    "%",
    "％",
];

/// Chinese words spelt with numerals that are not figures.
const NOT_FIGURES: &[&str] = &[
    "一時之間",
    "一時間",
    "一成不變",
    "一元化",
    "十分",
    "萬一",
    "千萬",
    "萬分",
    "一部分",
    "一部份",
    "一分子",
    "一份子",
    "一體",
    "一帶一路",
    "一國兩制",
    "一地兩檢",
    "一條龍",
    "一站式",
    "一籃子",
    "一系列",
    "一連串",
    "一次過",
    "一手",
    "二手",
    "一面",
    "一方面",
    "一環",
    "一員",
    "一眾",
    "一家",
    "一流",
    "一點",
    "一下",
    "四周",
    "四處",
    "萬眾",
    "百分百",
];

const MONTHS: &[(&str, u32)] = &[
    ("January", 1),
    ("February", 2),
    ("March", 3),
    ("April", 4),
    ("May", 5),
    ("June", 6),
    ("July", 7),
    ("August", 8),
    ("September", 9),
    ("October", 10),
    ("November", 11),
    ("December", 12),
    ("Jan", 1),
    ("Feb", 2),
    ("Mar", 3),
    ("Apr", 4),
    ("Jun", 6),
    ("Jul", 7),
    ("Aug", 8),
    ("Sept", 9),
    ("Sep", 9),
    ("Oct", 10),
    ("Nov", 11),
    ("Dec", 12),
];

const ORDINAL_UNITS: &[(&str, u32)] = &[
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
    ("eleventh", 11),
    ("twelfth", 12),
    ("thirteenth", 13),
    ("fourteenth", 14),
    ("fifteenth", 15),
    ("sixteenth", 16),
    ("seventeenth", 17),
    ("eighteenth", 18),
    ("nineteenth", 19),
    ("twentieth", 20),
    ("thirtieth", 30),
    ("fortieth", 40),
    ("fiftieth", 50),
    ("sixtieth", 60),
    ("seventieth", 70),
    ("eightieth", 80),
    ("ninetieth", 90),
    ("hundredth", 100),
];

static EXCLUDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?i:https?://|www\.)[^\s，。、；）)」』]+        # web addresses
        | [A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+  # e-mail
        | 2019冠狀病毒病 | COVID-19                     # names with figures in them
        | [(（][0-9０-９一二三四五六七八九十][)）]          # (1) （一） list markers
        ",
    )
    .expect("exclusion pattern")
});

/// A list marker at the start of a paragraph: "2.", "(12)", "（十）", "三、".
static LEADING_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:[(（][0-9０-９一二三四五六七八九十a-zA-Z]{1,3}[)）]|[0-9０-９]{1,2}[.．](?:\s|$)|[0-9０-９一二三四五六七八九十]{1,3}、)",
    )
    .expect("marker pattern")
});

// ---------------------------------------------------------------------------
// Small helpers over the text around a core.

fn after(text: &str, i: usize) -> &str {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    &text[i..]
}

fn before(text: &str, i: usize) -> &str {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    &text[..i]
}

fn skip_space(s: &str) -> (&str, usize) {
    let t = s.trim_start_matches([' ', '\u{a0}', '\u{2009}', '\u{202f}']);
    (t, s.len() - t.len())
}

fn starts_with_ci(s: &str, word: &str) -> bool {
    s.len() >= word.len()
        && s.is_char_boundary(word.len())
        && s[..word.len()].eq_ignore_ascii_case(word)
}

/// `word` at the start of `s`, case-insensitive, not followed by a letter.
fn word_ci(s: &str, word: &str) -> bool {
    starts_with_ci(s, word)
        && !s[word.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
}

fn is_connector_zh(s: &str) -> Option<usize> {
    for c in ["至", "到", "及", "和", "或", "、", "-", "–", "—", "~", "～"] {
        if s.starts_with(c) {
            return Some(c.len());
        }
    }
    None
}

/// A range connector between two numbers: returns its length.
fn range_connector(s: &str) -> Option<usize> {
    if let Some(n) = is_connector_zh(s) {
        return Some(n);
    }
    let (t, skipped) = skip_space(s);
    for w in ["to ", "and "] {
        if t.starts_with(w) {
            return Some(skipped + w.len());
        }
    }
    None
}

fn measure_after(s: &str) -> Option<&'static str> {
    let s = s
        .strip_prefix('多')
        .or_else(|| s.strip_prefix('餘'))
        .unwrap_or(s);
    MEASURES.iter().copied().find(|m| s.starts_with(m))
}

/// Month names as written in rough drafts too ("25 dec", "jan 3"), except
/// the lowercase forms that are ordinary words (may, mar, march, august).
fn lowercase_ok(name: &str) -> bool {
    !matches!(name, "May" | "Mar" | "March" | "August")
}

fn starts_with_month(s: &str, name: &str) -> bool {
    s.starts_with(name)
        || (lowercase_ok(name)
            && s.get(..name.len())
                .is_some_and(|h| h.bytes().eq(name.bytes().map(|b| b.to_ascii_lowercase()))))
}

fn ends_with_month(s: &str, name: &str) -> bool {
    s.ends_with(name)
        || (lowercase_ok(name)
            && s.len() >= name.len()
            && s.get(s.len() - name.len()..)
                .is_some_and(|t| t.bytes().eq(name.bytes().map(|b| b.to_ascii_lowercase()))))
}

fn month_word_at(text: &str, i: usize) -> Option<(u32, usize)> {
    let rest = after(text, i);
    for (name, m) in MONTHS {
        if starts_with_month(rest, name) {
            let mut end = i + name.len();
            if name.len() <= 4 && after(text, end).starts_with('.') {
                end += 1;
            } else if after(text, end)
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            {
                continue;
            }
            return Some((*m, end));
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Extraction.

/// Every figure in `text` (one paragraph), in order of appearance.
pub fn extract(text: &str) -> Vec<Quantity> {
    let mut excluded: Vec<(usize, usize)> = EXCLUDED
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    if let Some(m) = LEADING_MARKER.find(text) {
        excluded.push((m.start(), m.end()));
    }
    let inside = |i: usize, spans: &[(usize, usize)]| spans.iter().any(|&(s, e)| i >= s && i < e);

    // Word-only figures that contain number words come first, so that
    // "one-third" is not read as "one".
    let mut words = english_word_figures(text);
    words.retain(|q| !inside(q.start, &excluded));
    let word_spans: Vec<(usize, usize)> = words.iter().map(|q| (q.start, q.end)).collect();

    let cores: Vec<Core> = numerals::cores(text)
        .into_iter()
        .filter(|c| !inside(c.start, &excluded) && !inside(c.start, &word_spans))
        .filter(|c| !not_a_figure(text, c))
        .collect();

    let mut out = Vec::new();
    let mut i = 0;
    while i < cores.len() {
        let (found, used) = read(text, &cores, i);
        out.extend(found);
        i += used.max(1);
    }
    out.extend(words);
    out.extend(chinese_halves(text, &excluded));
    // Months named alone ("in March"), noon and midnight, where no figure
    // already covers them.
    let taken: Vec<(usize, usize)> = out.iter().map(|q| (q.start, q.end)).collect();
    for q in lone_english_words(text) {
        if !taken.iter().any(|&(s, e)| q.start < e && s < q.end) && !inside(q.start, &excluded) {
            out.push(q);
        }
    }
    out.sort_by_key(|q| (q.start, std::cmp::Reverse(q.end)));
    // A stretch of text is one figure (過半數 is not 過半 and 半數); the
    // two years of a financial year share their span.
    let mut kept: Vec<Quantity> = Vec::with_capacity(out.len());
    for q in out {
        let overlaps = kept
            .last()
            .is_some_and(|k| q.start < k.end && !(q.start == k.start && q.end == k.end));
        if !overlaps {
            kept.push(q);
        }
    }
    propagate_ranges(text, &mut kept);
    kept
}

/// Whether a Chinese-numeral core is part of a word such as 十分 or 千萬.
fn not_a_figure(text: &str, core: &Core) -> bool {
    if !matches!(core.form, Form::Chinese | Form::ChineseDigits) || core.decimals > 0 {
        return false;
    }
    let rest = after(text, core.start);
    NOT_FIGURES.iter().any(|w| {
        rest.starts_with(w)
            // 三時十分 is ten past three.
            && !(*w == "十分" && (before(text, core.start).ends_with('時') || before(text, core.start).ends_with('點')))
    })
}

/// Reads the figure that starts with `cores[i]`; returns it (or nothing)
/// and how many cores it used.
fn read(text: &str, cores: &[Core], i: usize) -> (Vec<Quantity>, usize) {
    let c = &cores[i];
    let next = cores.get(i + 1);
    if let Some(found) = period(text, c, next) {
        return (found, 2);
    }
    if let Some((q, used)) = chinese_date(text, cores, i) {
        return (q, used);
    }
    if let Some((q, used)) = english_date(text, cores, i) {
        return (q, used);
    }
    if let Some((q, used)) = time_of_day(text, cores, i) {
        return (vec![q], used);
    }
    if let Some(q) = phone(text, c, next) {
        let used = if q.end > c.end { 2 } else { 1 };
        return (vec![q], used);
    }
    if let Some(q) = fraction_zh(text, c, next) {
        return (vec![q], 2);
    }
    if let Some(q) = ordinal(text, c) {
        return (vec![q], 1);
    }
    if let Some(q) = percent(text, c) {
        return (vec![q], 1);
    }
    if let Some(q) = money(text, c) {
        return (vec![q], 1);
    }
    match plain(text, cores, i) {
        Some(q) => (vec![q], 1),
        None => (Vec::new(), 1),
    }
}

fn is_year(c: &Core) -> bool {
    let v = c.value;
    let four = (c.form == Form::Digits && c.is_plain_integer() && c.int_digits == 4)
        || (c.form == Form::ChineseDigits && c.int_digits == 4);
    four && (1900.0..=2100.0).contains(&v)
}

/// 2024-25, 2024/25, 2024-2025, 二零二四至二五年度 → both years.
fn period(text: &str, c: &Core, next: Option<&Core>) -> Option<Vec<Quantity>> {
    let n = next?;
    if !is_year(c) {
        return None;
    }
    let between = &text[c.end..n.start];
    let digits_form = c.form == Form::Digits;
    let joined = if digits_form {
        matches!(between, "-" | "–" | "/" | "—" | "／")
    } else {
        matches!(between, "至" | "-" | "–")
    };
    if !joined || !(n.form == c.form || n.form == Form::Digits && digits_form) {
        return None;
    }
    let y = c.value as i32;
    let second = n.value as i32;
    let n_digits = n.int_digits;
    let ok = (n.is_plain_integer() || n.form == Form::ChineseDigits)
        && ((n_digits == 2 && second == (y + 1) % 100) || (n_digits == 4 && second == y + 1));
    // Chinese digit-by-digit spans need 年度 / 學年 after them to be a period.
    let suffix_ok = digits_form
        || ["年度", "學年", "財政年度", "財年"]
            .iter()
            .any(|s| after(text, n.end).starts_with(s));
    if !ok || !suffix_ok {
        return None;
    }
    let mut end = n.end;
    for s in ["財政年度", "年度", "學年", "財年"] {
        if after(text, end).starts_with(s) {
            end += s.len();
            break;
        }
    }
    Some(vec![
        Quantity::new(Value::Year { value: y }, c.start, end),
        Quantity::new(Value::Year { value: y + 1 }, c.start, end),
    ])
}

fn small_int(c: &Core, max: u32) -> Option<u32> {
    let integral = c.decimals == 0 && !c.scaled && !c.separated;
    (integral && c.value >= 1.0 && c.value <= f64::from(max) && c.value.fract() == 0.0)
        .then_some(c.value as u32)
}

/// 2025年12月31日, 二零二五年十二月, 一月二十二日, 十二月, 本月二十二日.
fn chinese_date(text: &str, cores: &[Core], i: usize) -> Option<(Vec<Quantity>, usize)> {
    let c = &cores[i];
    let mut year = None;
    let mut month = None;
    let mut day = None;
    let mut used = 0;
    let mut end = c.end;
    let mut k = i;
    if is_year(c) && after(text, c.end).starts_with('年') && !after(text, c.end).starts_with("年度")
    {
        year = Some(c.value as i32);
        end = c.end + '年'.len_utf8();
        used = 1;
        k = i + 1;
    } else if is_year(c) && after(text, c.end).starts_with("年度") {
        year = Some(c.value as i32);
        end = c.end + "年度".len();
        return Some((
            vec![Quantity::new(
                Value::Date {
                    year,
                    month: None,
                    day: None,
                },
                c.start,
                end,
            )],
            1,
        ));
    }
    // A month: directly after the year, or on its own.
    if let Some(m) = cores.get(k) {
        let adjacent = used == 0 || m.start == end;
        if adjacent && after(text, m.end).starts_with('月') {
            if let Some(v) = small_int(m, 12) {
                month = Some(v);
                end = m.end + '月'.len_utf8();
                used += 1;
                k += 1;
            }
        }
    }
    // A day after the month, or after 本月 / 同月 …
    if let Some(d) = cores.get(k) {
        let after_month = month.is_some() && d.start == end;
        let after_this_month = used == 0
            && [
                "本月", "同月", "下月", "上月", "是月", "當月", "翌月", "今月",
            ]
            .iter()
            .any(|p| before(text, d.start).ends_with(p));
        let marker = after(text, d.end);
        if (after_month || after_this_month)
            && (marker.starts_with('日') || marker.starts_with('號'))
        {
            if let Some(v) = small_int(d, 31) {
                day = Some(v);
                end = d.end + '日'.len_utf8();
                used += 1;
                k += 1;
            }
        }
    }
    if used == 0 {
        return None;
    }
    let start = c.start;
    let mut out = vec![Quantity::new(Value::Date { year, month, day }, start, end)];
    // A range of days: 一月二十二至二十四日.
    if day.is_none() && month.is_some() {
        // 一月二十二至二十四日: the first day has no 日 of its own.
        if let (Some(d1), Some(d2)) = (cores.get(k), cores.get(k + 1)) {
            let conn = &text[d1.end..d2.start];
            if d1.start == end
                && is_connector_zh(conn).is_some_and(|n| n == conn.len())
                && after(text, d2.end).starts_with('日')
            {
                if let (Some(a), Some(b)) = (small_int(d1, 31), small_int(d2, 31)) {
                    out[0] = Quantity::new(
                        Value::Date {
                            year,
                            month,
                            day: Some(a),
                        },
                        start,
                        d1.end,
                    );
                    out.push(Quantity::new(
                        Value::Date {
                            year,
                            month,
                            day: Some(b),
                        },
                        d2.start,
                        d2.end + '日'.len_utf8(),
                    ));
                    return Some((out, used + 2));
                }
            }
        }
    }
    if day.is_some() {
        // 二十二至二十四日 after a full date: the second day shares its month.
        if let Some(d2) = cores.get(k) {
            let conn = &text[end..d2.start.max(end)];
            if is_connector_zh(conn).is_some_and(|n| n == conn.len())
                && after(text, d2.end).starts_with('日')
            {
                if let Some(b) = small_int(d2, 31) {
                    out.push(Quantity::new(
                        Value::Date {
                            year,
                            month,
                            day: Some(b),
                        },
                        d2.start,
                        d2.end + '日'.len_utf8(),
                    ));
                    return Some((out, used + 1));
                }
            }
        }
    }
    Some((out, used))
}

/// January 22, 2026; 22 January 2026; December 2025; 22-24 January.
fn english_date(text: &str, cores: &[Core], i: usize) -> Option<(Vec<Quantity>, usize)> {
    let c = &cores[i];
    if c.form != Form::Digits || !c.is_plain_integer() {
        return None;
    }
    // "January 22" / "December 2025": the month word just before.
    let head = before(text, c.start);
    let head_trim = head.trim_end_matches([' ', '\u{a0}']);
    let spaced = head_trim.len() < head.len();
    let month_before = spaced
        .then(|| {
            MONTHS.iter().find_map(|(name, m)| {
                let h = head_trim.strip_suffix('.').unwrap_or(head_trim);
                (ends_with_month(h, name)
                    && !before(h, h.len() - name.len())
                        .chars()
                        .next_back()
                        .is_some_and(|p| p.is_ascii_alphabetic()))
                .then(|| (*m, h.len() - name.len()))
            })
        })
        .flatten();
    let ordinal_suffix = |end: usize| -> usize {
        let rest = after(text, end);
        for s in ["st", "nd", "rd", "th"] {
            if word_ci(rest, s) {
                return end + 2;
            }
        }
        end
    };
    if let Some((m, m_start)) = month_before {
        if is_year(c) {
            return Some((
                vec![Quantity::new(
                    Value::Date {
                        year: Some(c.value as i32),
                        month: Some(m),
                        day: None,
                    },
                    m_start,
                    c.end,
                )],
                1,
            ));
        }
        if let Some(d) = small_int(c, 31) {
            let mut end = ordinal_suffix(c.end);
            let mut days = vec![(d, m_start, end)];
            let mut k = i + 1;
            // "September 5 to 7", "January 25 and 26", "March 3-5".
            if let Some(n) = cores.get(k) {
                let between = &text[end..n.start];
                let e = ordinal_suffix(n.end);
                let next_is_month =
                    after(text, e).starts_with(' ') && month_word_at(text, e + 1).is_some();
                // "April 7 to 5pm on April 30": the 5 is a time, not a day.
                let (r, _) = skip_space(after(text, n.end));
                let clock =
                    r.starts_with([':', '.']) && r[1..].starts_with(|c: char| c.is_ascii_digit());
                let next_is_time = clock
                    || ["am", "pm", "a.m.", "p.m.", "noon", "midnight"]
                        .iter()
                        .any(|m| starts_with_ci(r, m));
                if matches!(between, " to " | " and " | " or " | "-" | "–" | " - ")
                    && !next_is_month
                    && !next_is_time
                {
                    if let Some(d2) = small_int(n, 31).filter(|_| n.is_plain_integer()) {
                        end = ordinal_suffix(n.end);
                        days.push((d2, n.start, end));
                        k += 1;
                    }
                }
            }
            let mut year = None;
            if let Some(y) = cores.get(k) {
                let between = &text[end..y.start];
                if matches!(between, ", " | " " | ",") && is_year(y) {
                    year = Some(y.value as i32);
                    end = y.end;
                    k += 1;
                }
            }
            return Some((days_of(days, year, m, end), k - i));
        }
        return None;
    }
    // "22 January [2026]" and "22-24 January".
    let d1 = small_int(c, 31)?;
    let mut days = vec![(d1, c.start, ordinal_suffix(c.end))];
    let mut k = i + 1;
    let mut end = ordinal_suffix(c.end);
    if let Some(n) = cores.get(i + 1) {
        let between = &text[end..n.start];
        if matches!(between, "-" | "–" | " to " | " and " | " or ") {
            if let Some(d2) = small_int(n, 31) {
                let e2 = ordinal_suffix(n.end);
                if after(text, e2).starts_with(' ') && month_word_at(text, e2 + 1).is_some() {
                    days.push((d2, n.start, e2));
                    end = e2;
                    k = i + 2;
                }
            }
        }
    }
    if !after(text, end).starts_with(' ') {
        return None;
    }
    let (m, m_end) = month_word_at(text, end + 1)?;
    let mut year = None;
    let mut stop = m_end;
    if let Some(y) = cores.get(k) {
        if &text[m_end..y.start] == " " && is_year(y) {
            year = Some(y.value as i32);
            stop = y.end;
            k += 1;
        }
    }
    Some((days_of(days, year, m, stop), k - i))
}

/// The dates of a list of days in one month ("22-24 January 2026"): each
/// day `(day, start, end)`, the last one's span running to `stop`.
fn days_of(
    days: Vec<(u32, usize, usize)>,
    year: Option<i32>,
    month: u32,
    stop: usize,
) -> Vec<Quantity> {
    let n = days.len();
    days.into_iter()
        .enumerate()
        .map(|(j, (day, start, end))| {
            Quantity::new(
                Value::Date {
                    year,
                    month: Some(month),
                    day: Some(day),
                },
                start,
                if j + 1 == n { stop } else { end },
            )
        })
        .collect()
}

/// 8am, 3.30pm, 10:30, 上午8時, 下午3時30分, 晚上7時半, 中午12時.
fn time_of_day(text: &str, cores: &[Core], i: usize) -> Option<(Quantity, usize)> {
    let c = &cores[i];
    let rest = after(text, c.end);
    // English: "3.30pm" arrives as the decimal 3.30.
    let (r, sp) = skip_space(rest);
    let meridiem = ["a.m.", "p.m.", "am", "pm", "noon", "midnight"]
        .into_iter()
        .find(|m| word_ci(r, m) || (m.ends_with('.') && starts_with_ci(r, m)));
    if c.form == Form::Digits && !c.separated && !c.scaled {
        let (hour, minute) = if c.decimals == 2 {
            let h = c.value.trunc();
            (h as u32, ((c.value - h) * 100.0).round() as u32)
        } else if c.decimals == 0 {
            (c.value as u32, 0)
        } else {
            (99, 0)
        };
        if let Some(m) = meridiem {
            if (1..=12).contains(&hour) && minute < 60 {
                let minutes = match m {
                    "am" | "a.m." => (hour % 12) * 60 + minute,
                    "pm" | "p.m." => (hour % 12 + 12) * 60 + minute,
                    "noon" => 12 * 60,
                    _ => 0,
                };
                let end = c.end + sp + m.len();
                return Some((
                    Quantity::new(
                        Value::Time {
                            minutes,
                            exact: true,
                        },
                        c.start,
                        end,
                    ),
                    1,
                ));
            }
        }
        // 24-hour "18:30", or "10:30" with 上午/下午 before it.
        if c.decimals == 0 && rest.starts_with(':') {
            if let Some(n) = cores.get(i + 1) {
                if n.start == c.end + 1 && n.int_digits == 2 && n.is_plain_integer() {
                    let (h, m) = (c.value as u32, n.value as u32);
                    if h <= 23 && m < 60 {
                        let prefix = chinese_meridiem(before(text, c.start));
                        let (r2, sp2) = skip_space(after(text, n.end));
                        let en = ["am", "pm", "a.m.", "p.m."]
                            .into_iter()
                            .find(|x| word_ci(r2, x) || starts_with_ci(r2, x));
                        let (minutes, exact, end) = match (en, prefix) {
                            (Some(x), _) => {
                                let pm = x.starts_with('p');
                                (
                                    ((h % 12) + if pm { 12 } else { 0 }) * 60 + m,
                                    true,
                                    n.end + sp2 + x.len(),
                                )
                            }
                            (None, Some(p)) => (adjust(h, p) * 60 + m, true, n.end),
                            (None, None) => (h * 60 + m, h > 12 || h == 0, n.end),
                        };
                        let start = prefix.map_or(c.start, |p| c.start - p.len());
                        return Some((
                            Quantity::new(Value::Time { minutes, exact }, start, end),
                            2,
                        ));
                    }
                }
            }
        }
    }
    // Chinese: [上午] N 時|點 [M 分 | 半 | 正].
    let hour = small_int(c, 24).or((c.value == 0.0 && c.decimals == 0).then_some(0))?;
    let prefix = chinese_meridiem(before(text, c.start));
    let marker = if rest.starts_with('時') {
        '時'
    } else if rest.starts_with('點')
        && (prefix.is_some() || after(text, c.end + 3).starts_with(['半', '鐘']))
    {
        '點'
    } else {
        return None;
    };
    let mut end = c.end + marker.len_utf8();
    let mut minute = 0;
    let mut used = 1;
    let tail = after(text, end);
    if tail.starts_with('半') {
        minute = 30;
        end += '半'.len_utf8();
    } else if tail.starts_with('正') {
        end += '正'.len_utf8();
    } else if tail.starts_with('鐘') {
        end += '鐘'.len_utf8();
    } else if let Some(n) = cores.get(i + 1) {
        if n.start == end && after(text, n.end).starts_with('分') {
            if let Some(m) = small_int(n, 59).or((n.value == 0.0).then_some(0)) {
                minute = m;
                end = n.end + '分'.len_utf8();
                used = 2;
            }
        } else if n.start == end && n.value == 10.0 && after(text, n.start).starts_with("十分") {
            minute = 10;
            end = n.start + "十分".len();
            used = 2;
        }
    }
    let (minutes, exact) = match prefix {
        Some(p) => (adjust(hour, p) * 60 + minute, true),
        None => (hour * 60 + minute, hour > 12 || hour == 0),
    };
    let start = prefix.map_or(c.start, |p| c.start - p.len());
    Some((
        Quantity::new(Value::Time { minutes, exact }, start, end),
        used,
    ))
}

/// The part of day written before a Chinese time, if any.
fn chinese_meridiem(head: &str) -> Option<&'static str> {
    [
        "上午", "早上", "清晨", "凌晨", "中午", "下午", "傍晚", "晚上", "晚間", "夜間", "午夜",
        "早", "晚",
    ]
    .into_iter()
    .find(|p| head.ends_with(p))
}

fn adjust(hour: u32, prefix: &str) -> u32 {
    match prefix {
        "上午" | "早上" | "清晨" | "凌晨" | "早" => hour % 12,
        "中午" => {
            if hour == 12 {
                12
            } else {
                hour % 12 + 12
            }
        }
        "午夜" => hour % 12,
        _ => {
            if hour < 12 {
                hour + 12
            } else {
                hour
            }
        }
    }
}

/// 2835 1234, 2835-1234, 28351234, +852 2835 1234.
fn phone(text: &str, c: &Core, next: Option<&Core>) -> Option<Quantity> {
    if c.form != Form::Digits || !c.is_plain_integer() {
        return None;
    }
    let lead = |c: &Core| {
        text[c.start..]
            .chars()
            .next()
            .is_some_and(|d| ('2'..='9').contains(&d))
    };
    if c.int_digits == 8 && lead(c) && !is_year(c) {
        return Some(Quantity::new(
            Value::Phone {
                digits: text[c.start..c.end].to_string(),
            },
            c.start,
            c.end,
        ));
    }
    let n = next?;
    let between = &text[c.end..n.start];
    if c.int_digits == 4
        && n.int_digits == 4
        && n.is_plain_integer()
        && lead(c)
        && matches!(between, " " | "-" | "\u{a0}")
    {
        return Some(Quantity::new(
            Value::Phone {
                digits: format!("{}{}", &text[c.start..c.end], &text[n.start..n.end]),
            },
            c.start,
            n.end,
        ));
    }
    None
}

/// 三分之一, 四分之三: the second number over the first.
fn fraction_zh(text: &str, c: &Core, next: Option<&Core>) -> Option<Quantity> {
    let n = next?;
    if &text[c.end..n.start] != "分之" || c.value == 0.0 {
        return None;
    }
    Some(Quantity::new(
        Value::Number {
            value: n.value / c.value,
        },
        c.start,
        n.end,
    ))
}

/// 第二十三, 23rd, 第5.
fn ordinal(text: &str, c: &Core) -> Option<Quantity> {
    // 第一期 is as definite as "Phase 1": never weak. English ordinal
    // words ("the first batch") are weak, as English uses them loosely.
    let weak = c.form == Form::Words && c.value <= 10.0;
    if before(text, c.start).ends_with('第') {
        let mut q = Quantity::new(
            Value::Ordinal { value: c.value },
            c.start - '第'.len_utf8(),
            c.end,
        );
        q.weak = weak;
        return Some(q);
    }
    if c.form == Form::Digits && c.is_plain_integer() {
        let rest = after(text, c.end);
        for s in ["st", "nd", "rd", "th"] {
            if word_ci(rest, s) {
                return Some(Quantity::new(
                    Value::Ordinal { value: c.value },
                    c.start,
                    c.end + 2,
                ));
            }
        }
    }
    None
}

/// 1.4%, 1.4 per cent, 百分之一點四, 0.3個百分點, 0.3 percentage point, 三成.
fn percent(text: &str, c: &Core) -> Option<Quantity> {
    let head = before(text, c.start);
    if head.ends_with("百分之") {
        return Some(Quantity::new(
            Value::Percent { value: c.value },
            c.start - "百分之".len(),
            c.end,
        ));
    }
    let rest = after(text, c.end);
    let (r, sp) = skip_space(rest);
    for (w, points) in [
        ("個百分點", true),
        ("百分點", true),
        ("percentage points", true),
        ("percentage point", true),
        ("%", false),
        ("％", false),
        ("per cent", false),
        ("per-cent", false),
        ("percent", false),
    ] {
        let zh_like = !w.is_ascii() || w == "%";
        let hit = if zh_like {
            r.starts_with(w) && (sp == 0 || w == "%")
        } else {
            word_ci(r, w)
        };
        if hit {
            let value = if points {
                Value::Points { value: c.value }
            } else {
                Value::Percent { value: c.value }
            };
            return Some(Quantity::new(value, c.start, c.end + sp + w.len()));
        }
    }
    // 三成 = 30 per cent; 兩成半 = 25 per cent.
    if rest.starts_with('成') && c.value <= 10.0 && c.decimals == 0 && !c.scaled {
        let after_cheng = &rest['成'.len_utf8()..];
        let blocked = after_cheng.starts_with([
            '立', '為', '功', '員', '本', '效', '果', '熟', '長', '就', '績', '交', '品', '人',
            '年', '份', '分', '語', '型', '形', '事', '全', '都', '不',
        ]);
        if !blocked {
            // 兩成半 = 25 per cent; 七成八 = 78 per cent.
            let digit = after_cheng.chars().next().and_then(|d| match d {
                '一' => Some(1.0),
                '二' | '兩' => Some(2.0),
                '三' => Some(3.0),
                '四' => Some(4.0),
                '五' => Some(5.0),
                '六' => Some(6.0),
                '七' => Some(7.0),
                '八' => Some(8.0),
                '九' => Some(9.0),
                _ => None,
            });
            let digit_alone = digit.is_some()
                && measure_after(&after_cheng[3..]).is_none()
                && !after_cheng[3..].starts_with(|x: char| numerals::is_chinese_numeral(x));
            let (half, len) = if after_cheng.starts_with('半') {
                (5.0, '半'.len_utf8())
            } else if digit_alone {
                (digit.unwrap_or(0.0), 3)
            } else {
                (0.0, 0)
            };
            return Some(Quantity::new(
                Value::Percent {
                    value: c.value * 10.0 + half,
                },
                c.start,
                c.end + '成'.len_utf8() + len,
            ));
        }
    }
    None
}

/// HK$24.4 million, $500, 2,440萬元, 人民幣100元, 100 US dollars.
fn money(text: &str, c: &Core) -> Option<Quantity> {
    let head = before(text, c.start);
    let head_trim = head.trim_end_matches([' ', '\u{a0}']);
    let prefix = CURRENCY_PREFIXES.iter().find(|(p, _)| {
        head_trim.ends_with(p)
            // "US$" must not read as "$" with "US" left over, nor "HK" + "$".
            && !(*p == "$" && (head_trim.ends_with("HK$") || head_trim.ends_with("US$") || head_trim.ends_with("NT$") || head_trim.ends_with("MOP$")))
            // Latin-letter codes stand alone: not the end of a word.
            && !(p.chars().all(|ch| ch.is_ascii_alphabetic())
                && before(head_trim, head_trim.len() - p.len()).chars().next_back().is_some_and(|ch| ch.is_ascii_alphabetic()))
            // Chinese currency words are written against the number.
            && (p.is_ascii() || *p == "¥" || *p == "€" || *p == "£" || head_trim.len() == head.len())
    });
    let rest = after(text, c.end);
    // 三毫 is 30 cents, 五仙 5 cents; "30 cents" the same.
    if prefix.is_none() {
        let (r, sp) = skip_space(rest);
        // Not 毫米, 毫升, 毫克: millimetres, millilitres, milligrams.
        let milli = ["毫米", "毫升", "毫克", "毫秒", "毫瓦"]
            .iter()
            .any(|m| rest.starts_with(m));
        let fraction = if rest.starts_with('毫') && !milli {
            Some((0.1, '毫'.len_utf8()))
        } else if rest.starts_with('仙') {
            Some((0.01, '仙'.len_utf8()))
        } else if sp > 0 && (word_ci(r, "cents") || word_ci(r, "cent")) {
            let w = if word_ci(r, "cents") { 5 } else { 4 };
            Some((0.01, sp + w))
        } else {
            None
        };
        if let Some((factor, len)) = fraction {
            return Some(Quantity::new(
                Value::Money {
                    amount: c.value * factor,
                    currency: Currency::Hkd,
                },
                c.start,
                c.end + len,
            ));
        }
    }
    let mut suffix = CURRENCY_SUFFIXES_ZH
        .iter()
        .find(|(s, _)| {
            rest.starts_with(s)
                && !(*s == "元"
                    && (rest.starts_with("元化")
                        || rest.starts_with("元朗")
                        || rest.starts_with("元素")))
        })
        .map(|(s, cur)| (s.len(), *cur));
    if suffix.is_none() {
        let (r, sp) = skip_space(rest);
        if sp > 0 {
            suffix = CURRENCY_SUFFIXES_EN
                .iter()
                .find(|(s, _)| word_ci(r, s))
                .map(|(s, cur)| (sp + s.len(), *cur));
        }
    }
    let (currency, start) = match prefix {
        Some((p, cur)) => (*cur, head_trim.len() - p.len()),
        None => (suffix?.1, c.start),
    };
    // 人民幣100元: the prefix names the currency; 元 only ends the amount.
    let currency = match (prefix, suffix) {
        (Some(_), _) => currency,
        (None, Some((_, cur))) => cur,
        _ => currency,
    };
    let end = c.end + suffix.map_or(0, |(len, _)| len);
    let mut q = Quantity::new(
        Value::Money {
            amount: c.value,
            currency,
        },
        start,
        end,
    );
    q.scale = scale_of(text, c);
    Some(q)
}

/// The factor of the scale word written in a core (1 when none).
fn scale_of(text: &str, c: &Core) -> f64 {
    if !c.scaled {
        return 1.0;
    }
    let s = &text[c.start..c.end];
    let lower = s.to_ascii_lowercase();
    for (w, f) in [
        ("trillion", 1e12),
        ("billion", 1e9),
        ("million", 1e6),
        ("thousand", 1e3),
        ("萬億", 1e12),
        ("千萬", 1e7),
        ("百萬", 1e6),
        ("億", 1e8),
        ("萬", 1e4),
        ("兆", 1e12),
    ] {
        if lower.ends_with(w) || s.ends_with(w) {
            return f;
        }
    }
    1.0
}

/// A plain number: any in digits; Chinese numerals only where they count something.
fn plain(text: &str, cores: &[Core], i: usize) -> Option<Quantity> {
    let c = &cores[i];
    let rest = after(text, c.end);
    // The country code in "+852 2835 1234" is part of the phone number.
    if &text[c.start..c.end] == "852"
        && (before(text, c.start).ends_with('+') || before(text, c.start).ends_with('('))
    {
        return None;
    }
    let measured = measure_after(rest).is_some();
    let accepted = match c.form {
        Form::Digits => true,
        Form::Words => true,
        Form::Chinese => {
            let chars = text[c.start..c.end].chars().count();
            let compound = chars >= 2
                && text[c.start..c.end].contains(['十', '百', '千', '萬', '億', '拾', '佰', '仟']);
            // 表格二 (Form 2), 附件三 (Annex 3), 圖一 (Chart 1).
            let numbered = ["表格", "附件", "附錄", "附表", "表", "圖", "附頁"]
                .iter()
                .any(|p| before(text, c.start).ends_with(p));
            measured
                || compound
                || numbered
                || c.scaled
                || c.decimals > 0
                || range_start(text, cores, i)
        }
        Form::ChineseDigits => measured,
    };
    if !accepted {
        return None;
    }
    let value = if is_year(c) && c.form == Form::Digits && !measured {
        // A bare year in running text: "in 2025".
        Value::Date {
            year: Some(c.value as i32),
            month: None,
            day: None,
        }
    } else {
        Value::Number { value: c.value }
    };
    let mut q = Quantity::new(value, c.start, c.end);
    // 八號風球 names a signal, not a count of two or three things.
    let designation = measure_after(rest) == Some("號");
    q.weak = matches!(c.form, Form::Chinese | Form::ChineseDigits | Form::Words)
        && c.value <= 10.0
        && !c.scaled
        && !designation;
    q.scale = scale_of(text, c);
    Some(q)
}

/// Whether a Chinese numeral is the first end of a range whose other end
/// counts something: 三至五年.
fn range_start(text: &str, cores: &[Core], i: usize) -> bool {
    let (c, Some(n)) = (&cores[i], cores.get(i + 1)) else {
        return false;
    };
    let between = &text[c.end..n.start];
    is_connector_zh(between).is_some_and(|len| len == between.len())
        && (measure_after(after(text, n.end)).is_some() || n.scaled)
}

/// "2 to 3 million", "$2-3 million", 二至三億元, "3 to 5 per cent": the
/// first end takes the scale and kind written only at the second.
fn propagate_ranges(text: &str, qs: &mut [Quantity]) {
    for k in 1..qs.len() {
        let (left, right) = qs.split_at_mut(k);
        let a = &mut left[k - 1];
        let b = &right[0];
        if a.end > b.start {
            continue;
        }
        let between = &text[a.end..b.start];
        let connected = range_connector(between).is_some_and(|n| n == between.len())
            && (!between.trim().starts_with("and")
                || before(text, a.start)
                    .trim_end()
                    .to_ascii_lowercase()
                    .ends_with("between"));
        if !connected {
            continue;
        }
        // "October to December 2025", 二〇二五年十月至十二月: both ends
        // share the year (and month) written at one of them.
        if let (
            Value::Date {
                year: ya,
                month: ma,
                day: da,
            },
            Value::Date {
                year: yb,
                month: mb,
                day: db,
            },
        ) = (&mut a.value, &mut right[0].value)
        {
            if ya.is_none() && (ma.is_some() || da.is_some()) {
                *ya = *yb;
            } else if yb.is_none() && (mb.is_some() || db.is_some()) {
                *yb = *ya;
            }
            if da.is_some() && db.is_some() {
                if ma.is_none() {
                    *ma = *mb;
                } else if mb.is_none() {
                    *mb = *ma;
                }
            }
            continue;
        }
        let b = &right[0];
        // The scale written only at the second end: "2-3 million".
        if a.scale == 1.0 && b.scale > 1.0 {
            let b_value = match &b.value {
                Value::Number { value } => *value,
                Value::Money { amount, .. } => *amount,
                _ => f64::MAX,
            };
            match &mut a.value {
                Value::Number { value } | Value::Money { amount: value, .. }
                    if *value * b.scale <= b_value =>
                {
                    *value *= b.scale;
                    a.scale = b.scale;
                }
                _ => {}
            }
        }
        // The kind written only at one end: "$2-3 million", "3 to 5 per cent".
        match (&a.value, &b.value) {
            (Value::Number { value }, Value::Money { currency, .. }) => {
                a.value = Value::Money {
                    amount: *value,
                    currency: *currency,
                };
                a.weak = false;
            }
            (Value::Number { value }, Value::Percent { .. }) => {
                a.value = Value::Percent { value: *value };
                a.weak = false;
            }
            (Value::Number { value }, Value::Points { .. }) => {
                a.value = Value::Points { value: *value };
                a.weak = false;
            }
            (Value::Money { currency, .. }, Value::Number { value }) if b.scale == a.scale => {
                let (currency, amount) = (*currency, *value);
                right[0].value = Value::Money { amount, currency };
            }
            _ => {}
        }
    }
}

/// 減半, 一半, 半數, 過半: a half. Chinese writes it only where it means
/// it; English "half" and "halve" are weak, being used more loosely.
fn chinese_halves(text: &str, excluded: &[(usize, usize)]) -> Vec<Quantity> {
    let mut out = Vec::new();
    for w in ["減半", "一半", "半數", "過半"] {
        for (at, _) in text.match_indices(w) {
            if excluded.iter().any(|&(s, e)| at >= s && at < e) {
                continue;
            }
            out.push(Quantity::new(
                Value::Number { value: 0.5 },
                at,
                at + w.len(),
            ));
        }
    }
    out
}

fn english_word_figures(text: &str) -> Vec<Quantity> {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z]+(?:-[A-Za-z]+)?").expect("word pattern"));
    let mut out = Vec::new();
    let mut last_end = 0;
    for m in WORD.find_iter(text) {
        if m.start() < last_end {
            continue;
        }
        let lower = m.as_str().to_ascii_lowercase();
        let (first, second) = lower
            .split_once('-')
            .map_or((lower.as_str(), None), |(a, b)| (a, Some(b)));
        // Fractions: one-third, two-thirds, a quarter, three quarters.
        let denominators = [
            ("half", 2.0),
            ("halves", 2.0),
            ("third", 3.0),
            ("thirds", 3.0),
            ("quarter", 4.0),
            ("quarters", 4.0),
            ("fifth", 5.0),
            ("fifths", 5.0),
            ("tenth", 10.0),
            ("tenths", 10.0),
        ];
        let numerators = [
            ("a", 1.0),
            ("one", 1.0),
            ("two", 2.0),
            ("three", 3.0),
            ("four", 4.0),
        ];
        let denominator = |w: &str| denominators.iter().find(|(d, _)| *d == w).map(|(_, v)| *v);
        let numerator = |w: &str| numerators.iter().find(|(n, _)| *n == w).map(|(_, v)| *v);
        // "the first three quarters of 2025" counts quarters.
        let counted = ["the ", "first ", "last ", "past ", "next ", "coming "]
            .iter()
            .any(|p| text[..m.start()].to_ascii_lowercase().ends_with(p));
        let fraction_ok = !counted || first == "a";
        if let (true, Some(n), Some(d)) =
            (fraction_ok, numerator(first), second.and_then(denominator))
        {
            out.push(Quantity::new(
                Value::Number { value: n / d },
                m.start(),
                m.end(),
            ));
            last_end = m.end();
            continue;
        }
        if let Some(n) = numerator(first).filter(|_| second.is_none() && fraction_ok) {
            // "a third of", "two thirds": the next word is the denominator.
            let rest = &text[m.end()..];
            if let Some(r) = rest.strip_prefix(' ') {
                if let Some(next) = WORD.find(r).filter(|w| w.start() == 0) {
                    // "a third" and "two thirds" are fractions; "the third" is not.
                    if let Some(d) = denominator(&next.as_str().to_ascii_lowercase()) {
                        let end = m.end() + 1 + next.end();
                        out.push(Quantity::new(
                            Value::Number { value: n / d },
                            m.start(),
                            end,
                        ));
                        last_end = end;
                        continue;
                    }
                }
            }
        }
        if matches!(
            lower.as_str(),
            "half" | "halve" | "halved" | "halves" | "halving"
        ) && !text[..m.start()].to_ascii_lowercase().ends_with("and a ")
        {
            let mut q = Quantity::new(Value::Number { value: 0.5 }, m.start(), m.end());
            q.weak = true;
            out.push(q);
            last_end = m.end();
            continue;
        }
        // Ordinals in words: third, twenty-third, fortieth.
        let ordinal_unit = |w: &str| ORDINAL_UNITS.iter().find(|(o, _)| *o == w).map(|(_, v)| *v);
        let tens = numerals::TENS.iter().find(|(t, _)| *t == first);
        let value = match (second, tens) {
            // twenty-third
            (Some(s), Some((_, t))) => ordinal_unit(s).filter(|u| *u < 10).map(|u| *t as u32 + u),
            // fifth-term, first-ever; third
            _ => ordinal_unit(first),
        };
        if let Some(v) = value {
            let mut q = Quantity::new(
                Value::Ordinal {
                    value: f64::from(v),
                },
                m.start(),
                m.end(),
            );
            // "first" is used loosely (首次, 首批 have no numeral), and
            // "the second half" is 下半年; other ordinals count.
            let rest = text[m.end()..].trim_start().to_ascii_lowercase();
            q.weak = v == 1 || rest.starts_with("half") || rest.starts_with("hand");
            out.push(q);
            last_end = m.end();
        }
    }
    out
}

/// Months named without a day or year, noon and midnight.
fn lone_english_words(text: &str) -> Vec<Quantity> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let word_start = !before(text, i)
            .chars()
            .next_back()
            .is_some_and(|p| p.is_ascii_alphabetic());
        if c.is_ascii_uppercase() && word_start {
            if let Some((m, end)) = month_word_at(text, i) {
                let name = &text[i..end];
                // "May" is a month only where a month is expected.
                let may_ok = name != "May"
                    || [
                        "in ", "of ", "since ", "by ", "until ", "from ", "to ", "end-", "mid-",
                        "early ", "late ", "this ", "last ", "next ", "and ", "before ", "after ",
                        "between ",
                    ]
                    .iter()
                    .any(|p| before(text, i).to_ascii_lowercase().ends_with(p));
                let full_name = MONTHS[..12].iter().any(|(n, _)| *n == name);
                if may_ok && (full_name || name.ends_with('.')) {
                    out.push(Quantity::new(
                        Value::Date {
                            year: None,
                            month: Some(m),
                            day: None,
                        },
                        i,
                        end,
                    ));
                }
                i = end;
                continue;
            }
        }
        if word_start && (c == 'n' || c == 'm') {
            for (w, minutes) in [("noon", 720), ("midnight", 0)] {
                if word_ci(&text[i..], w) {
                    out.push(Quantity::new(
                        Value::Time {
                            minutes,
                            exact: true,
                        },
                        i,
                        i + w.len(),
                    ));
                }
            }
        }
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, String, bool)> {
        extract(text)
            .into_iter()
            .map(|q| {
                (
                    text[q.start..q.end].to_string(),
                    q.value.normalised(),
                    q.weak,
                )
            })
            .collect()
    }

    fn values(text: &str) -> Vec<String> {
        extract(text)
            .into_iter()
            .map(|q| q.value.normalised())
            .collect()
    }

    #[test]
    fn amounts_in_either_language_have_the_same_value_and_currency() {
        assert_eq!(values("約二千四百四十萬元"), vec!["24400000 HKD"]);
        assert_eq!(values("about $24.4 million"), vec!["24400000 HKD"]);
        assert_eq!(values("HK$24.4 million"), vec!["24400000 HKD"]);
        assert_eq!(values("2,440萬港元"), vec!["24400000 HKD"]);
        assert_eq!(values("24.4億元"), vec!["2440000000 HKD"]);
        assert_eq!(
            values("approximately RMB 2.4 billion"),
            vec!["2400000000 CNY"]
        );
        assert_eq!(values("人民幣100元"), vec!["100 CNY"]);
        assert_eq!(values("100元人民幣"), vec!["100 CNY"]);
        assert_eq!(values("US$5 million"), vec!["5000000 USD"]);
        assert_eq!(values("5,000美元"), vec!["5000 USD"]);
    }

    #[test]
    fn dates_in_every_numeral_form_agree() {
        assert_eq!(values("二零二五年十二月"), vec!["2025-12"]);
        assert_eq!(values("二〇二五年十二月"), vec!["2025-12"]);
        assert_eq!(values("December 2025"), vec!["2025-12"]);
        assert_eq!(values("一月二十二日"), vec!["????-01-22"]);
        assert_eq!(values("22 January"), vec!["????-01-22"]);
        assert_eq!(values("January 22"), vec!["????-01-22"]);
        assert_eq!(values("2026年1月22日"), vec!["2026-01-22"]);
        assert_eq!(values("January 22, 2026"), vec!["2026-01-22"]);
        assert_eq!(values("22 January 2026"), vec!["2026-01-22"]);
        assert_eq!(values("本月二十二日"), vec!["????-??-22"]);
        assert_eq!(values("in March"), vec!["????-03"]);
        // Rough drafts write month names in lowercase; "may" stays a word.
        assert_eq!(values("closed on 25 dec"), vec!["????-12-25"]);
        assert_eq!(values("from jan 3"), vec!["????-01-03"]);
        assert_eq!(values("from 3 december"), vec!["????-12-03"]);
        assert_eq!(values("you may 5 times"), vec!["5"]);
        assert_eq!(values("the decimal 5"), vec!["5"]);
        assert_eq!(values("2025年"), vec!["2025-??-??"]);
        assert_eq!(values("22-24 January"), vec!["????-01-22", "????-01-24"]);
        assert_eq!(
            values("一月二十二至二十四日"),
            vec!["????-01-22", "????-01-24"]
        );
    }

    #[test]
    fn times_of_day_agree_across_languages() {
        assert_eq!(values("上午8時"), vec!["08:00"]);
        assert_eq!(values("8am"), vec!["08:00"]);
        assert_eq!(values("下午3時30分"), vec!["15:30"]);
        assert_eq!(values("3.30pm"), vec!["15:30"]);
        assert_eq!(values("晚上7時半"), vec!["19:30"]);
        assert_eq!(values("7.30 pm"), vec!["19:30"]);
        assert_eq!(values("中午12時"), vec!["12:00"]);
        assert_eq!(values("noon"), vec!["12:00"]);
        assert_eq!(values("上午10時至下午5時"), vec!["10:00", "17:00"]);
        assert_eq!(values("10am to 5pm"), vec!["10:00", "17:00"]);
        assert_eq!(values("18:30"), vec!["18:30"]);
    }

    #[test]
    fn percentages_points_and_tenths() {
        assert_eq!(values("百分之一點四"), vec!["1.4%"]);
        assert_eq!(values("1.4 per cent"), vec!["1.4%"]);
        assert_eq!(values("1.4%"), vec!["1.4%"]);
        assert_eq!(values("0.3個百分點"), vec!["0.3 percentage points"]);
        assert_eq!(
            values("0.3 percentage point"),
            vec!["0.3 percentage points"]
        );
        assert_eq!(values("三成"), vec!["30%"]);
        assert_eq!(values("30 per cent"), vec!["30%"]);
        assert!(values("成立").is_empty());
    }

    #[test]
    fn ordinals_years_phones_fractions_and_ranges() {
        assert_eq!(values("第二十三批"), vec!["#23"]);
        assert_eq!(values("the 23rd batch"), vec!["#23"]);
        assert_eq!(values("2024-25年度"), vec!["2024", "2025"]);
        assert_eq!(values("二零二四至二五年度"), vec!["2024", "2025"]);
        assert_eq!(values("the 2025/26 school year"), vec!["2025", "2026"]);
        assert_eq!(values("Enquiries: 2835 1234"), vec!["28351234"]);
        assert_eq!(values("查詢電話：2835 1234"), vec!["28351234"]);
        assert_eq!(values("三分之一"), values("one-third"));
        assert_eq!(values("三至五年"), vec!["3", "5"]);
        assert_eq!(values("$2-3 million"), vec!["2000000 HKD", "3000000 HKD"]);
        assert_eq!(values("二至三億元"), vec!["200000000 HKD", "300000000 HKD"]);
        assert_eq!(values("1 300名"), vec!["1300"]);
        assert_eq!(values("1,300 people"), vec!["1300"]);
    }

    #[test]
    fn cents_day_lists_and_times_after_a_date_are_read_for_what_they_are() {
        assert_eq!(values("不會超過三毫"), values("not exceed 30 cents"));
        assert_eq!(values("五仙"), vec!["0.05 HKD"]);
        assert_eq!(values("雨量達70毫米"), vec!["70"]);
        assert_eq!(values("on June 8 or 9."), vec!["????-06-08", "????-06-09"]);
        assert_eq!(values("六月八日或九日"), vec!["????-06-08", "????-06-09"]);
        assert_eq!(
            values("from September 5 to 7."),
            vec!["????-09-05", "????-09-07"]
        );
        assert_eq!(
            values("from 9am on April 7 to 5pm on April 30"),
            vec!["09:00", "????-04-07", "17:00", "????-04-30"]
        );
    }

    #[test]
    fn words_spelt_with_numerals_are_not_figures() {
        for text in [
            "一些",
            "一般",
            "統一",
            "九龍",
            "十分重要",
            "萬一",
            "千萬不要",
            "進一步",
            "之一",
            "唯一",
            "一直",
            "三思",
        ] {
            assert!(values(text).is_empty(), "{text}: {:?}", kinds(text));
        }
        assert!(values("one of the measures, a number of schemes")
            .iter()
            .all(|v| v == "1"));
        assert!(extract("one of the measures").iter().all(|q| q.weak));
    }

    #[test]
    fn list_markers_web_addresses_and_named_figures_are_skipped() {
        assert!(values("(1) The Government").is_empty());
        assert!(values("（一）政府").is_empty());
        assert!(values("2. The paper").is_empty());
        assert!(values("see www.info.gov.hk/gia/general/202601/22.htm").is_empty());
        assert!(values("COVID-19 and 2019冠狀病毒病").is_empty());
    }

    #[test]
    fn small_numbers_in_words_are_weak_and_digits_and_chinese_ordinals_never_are() {
        let qs = kinds("兩名男子 and two men and 2 men and twelve cases and 第一期");
        assert_eq!(
            qs.iter().map(|(_, _, w)| *w).collect::<Vec<_>>(),
            vec![true, true, false, false, false]
        );
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Every extraction of arbitrary mixtures of the characters the readers
    /// look at returns figures on character boundaries, without a panic.
    #[test]
    fn arbitrary_text_never_panics_and_spans_are_on_char_boundaries() {
        let alphabet: Vec<char> = "0123456789０９,.，．:;-–/ %％$元萬億千百十零〇一二兩三四五六七八九點第年月日時分半成之號樓宇個 \
            aAndtoMayJanuarymillionthirdquarteronepm.HK$RMB(（）)@www.gov.hk樓宇"
            .chars()
            .collect();
        let mut seed: u64 = 0x5eed;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let tokens = [
            "and ",
            " ",
            "one",
            "hundred",
            "樓",
            "宇",
            "三",
            "月",
            "2025",
            "HK$",
            "million",
            "January",
            "22",
            "-",
            "至",
            "年度",
            "分之",
            "成",
            "第",
            "時",
            "pm",
            "the first three ",
            "quarters",
            "a ",
            "third",
            "2,440",
            "萬",
            "元",
            "1 300",
            "上午",
            "(",
            "1",
            ")",
            "（一）",
            "2835 1234",
            "per cent",
            "百分之",
            "點",
            "/",
            "25",
            "七成八",
        ];
        for round in 0..40_000 {
            let len = next() % 24;
            let text: String = if round % 2 == 0 {
                (0..len)
                    .map(|_| alphabet[next() % alphabet.len()])
                    .collect()
            } else {
                (0..len).map(|_| tokens[next() % tokens.len()]).collect()
            };
            for q in extract(&text) {
                assert!(q.start <= q.end && q.end <= text.len(), "{text:?}");
                assert!(
                    text.is_char_boundary(q.start) && text.is_char_boundary(q.end),
                    "{text:?}"
                );
            }
        }
    }
}
