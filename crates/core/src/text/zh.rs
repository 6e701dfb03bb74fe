//! Hong Kong Traditional Chinese: script conversion with OpenCC's tables
//! (through `ferrous-opencc`, Apache-2.0) and HK punctuation.
//!
//! Every output Wenshu marks zh-Hant passes through [`to_hk_traditional`], so
//! a Simplified character from the model (small models drift into
//! Simplified, their training data being mostly mainland text) never reaches
//! a civil servant's document. The converters are built once per process.

use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;

use super::lang::is_han;

fn converter(
    config: BuiltinConfig,
    cell: &'static OnceLock<Option<OpenCC>>,
) -> Option<&'static OpenCC> {
    cell.get_or_init(|| match OpenCC::from_config(config) {
        Ok(cc) => Some(cc),
        Err(e) => {
            // The tables are compiled into the crate; failing to load them is a
            // build defect, reported once rather than panicking on user text.
            tracing::error!("OpenCC tables failed to load: {e}");
            None
        }
    })
    .as_ref()
}

fn s2hk() -> Option<&'static OpenCC> {
    static CELL: OnceLock<Option<OpenCC>> = OnceLock::new();
    converter(BuiltinConfig::S2hk, &CELL)
}

fn s2t() -> Option<&'static OpenCC> {
    static CELL: OnceLock<Option<OpenCC>> = OnceLock::new();
    converter(BuiltinConfig::S2t, &CELL)
}

fn t2s() -> Option<&'static OpenCC> {
    static CELL: OnceLock<Option<OpenCC>> = OnceLock::new();
    converter(BuiltinConfig::T2s, &CELL)
}

fn convert(cc: Option<&OpenCC>, text: &str) -> String {
    cc.map_or_else(|| text.to_string(), |cc| cc.convert(text))
}

/// Converts any Chinese text to Hong Kong Traditional: OpenCC s2hk, then HK
/// punctuation. Text already in HK Traditional comes back unchanged.
pub fn to_hk_traditional(text: &str) -> String {
    normalise_hk_punctuation(&convert(s2hk(), text))
}

/// Traditional → Simplified (OpenCC t2s), e.g. for search keys.
pub fn to_simplified(text: &str) -> String {
    convert(t2s(), text)
}

/// Simplified → Traditional (OpenCC s2t).
pub fn to_traditional(text: &str) -> String {
    convert(s2t(), text)
}

/// Characters of `text` that are not Hong Kong Traditional: those OpenCC's
/// s2hk conversion changes *in context* (phrase tables first, so 皇后, 舞台
/// and 乾淨 are left alone while 们, 计划 and 里面 are not). In order of first
/// appearance.
///
/// Judging characters one at a time is wrong here: alone, s2t maps 后→後,
/// 台→臺, 里→裏, 干→幹 and 于→於, yet all five are proper Traditional
/// characters in the right words.
pub fn simplified_only_chars(text: &str) -> Vec<char> {
    let converted = convert(s2hk(), text);
    let mut found = Vec::new();
    for (original, hk) in text.chars().zip(converted.chars()) {
        if original != hk && is_han(original) && !found.contains(&original) {
            found.push(original);
        }
    }
    found
}

/// (Traditional evidence, Simplified evidence): how many Han characters
/// t2s would change, and how many s2t would change.
pub(crate) fn script_evidence(text: &str) -> (usize, usize) {
    let han: String = text.chars().filter(|&c| is_han(c)).collect();
    let differs = |converted: String| {
        converted
            .chars()
            .zip(han.chars())
            .filter(|(a, b)| a != b)
            .count()
    };
    (differs(convert(t2s(), &han)), differs(convert(s2t(), &han)))
}

fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '！'
            | '？'
            | '：'
            | '；'
            | '、'
            | '「'
            | '」'
            | '『'
            | '』'
            | '（'
            | '）'
            | '…'
            | '—'
            | '《'
            | '》'
    )
}

fn is_chinese_side(c: Option<char>) -> bool {
    c.is_some_and(|c| is_han(c) || is_cjk_punct(c))
}

/// Hong Kong punctuation in Chinese context.
///
/// Where a neighbour is a Han character or CJK punctuation, ASCII , . ? ! : ;
/// ( ) become their full-width forms, curly and straight quotes become 「」『』,
/// and `...`/`…` become `……`. Decimals (3.5), thousands (1,200), times
/// (10:30), URLs and English sentences inside Chinese text are left alone,
/// because there both neighbours are Latin letters or digits.
pub fn normalise_hk_punctuation(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut double_open = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = out.chars().last();
        let next = chars.get(i + 1).copied();
        let prev_zh = is_chinese_side(prev);
        let next_zh = is_chinese_side(next);
        let both_ascii_alnum = prev.is_some_and(|p| p.is_ascii_alphanumeric())
            && next.is_some_and(|n| n.is_ascii_alphanumeric());
        match c {
            '.' if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') && prev_zh => {
                out.push_str("……");
                i += 3;
                while chars.get(i) == Some(&'.') {
                    i += 1;
                }
                continue;
            }
            '…' if prev_zh || next_zh => {
                out.push_str("……");
                while chars.get(i + 1) == Some(&'…') {
                    i += 1;
                }
            }
            ',' if (prev_zh || next_zh) && !both_ascii_alnum => out.push('，'),
            '.' if (prev.is_some_and(is_han) || next.is_some_and(is_han))
                && !next.is_some_and(|n| n.is_ascii_alphanumeric()) =>
            {
                out.push('。')
            }
            '?' if prev_zh => out.push('？'),
            '!' if prev_zh => out.push('！'),
            ';' if prev_zh => out.push('；'),
            ':' if prev_zh && !both_ascii_alnum => out.push('：'),
            '(' if next_zh => out.push('（'),
            ')' if prev_zh => out.push('）'),
            '“' if prev_zh || next_zh => out.push('「'),
            '”' if prev_zh || next_zh => out.push('」'),
            '‘' if prev_zh || next_zh => out.push('『'),
            '’' if prev_zh || next_zh => out.push('』'),
            '"' if !double_open && next_zh => {
                out.push('「');
                double_open = true;
            }
            '"' if double_open && prev_zh => {
                out.push('」');
                double_open = false;
            }
            ' ' if (prev.is_some_and(is_cjk_punct)
                && next.is_some_and(|n| is_han(n) || is_cjk_punct(n)))
                || (prev.is_some_and(|p| is_han(p) || is_cjk_punct(p))
                    && next.is_some_and(is_cjk_punct)) =>
            {
                // A space beside full-width punctuation is a typing slip in Chinese.
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplified_text_becomes_hong_kong_traditional() {
        assert_eq!(
            to_hk_traditional("我们将于下月推出新计划"),
            "我們將於下月推出新計劃"
        );
        assert_eq!(to_hk_traditional("发展局和房屋署"), "發展局和房屋署");
    }

    #[test]
    fn hong_kong_traditional_text_is_left_unchanged() {
        let text =
            "房屋署今日公佈，公屋平均輪候時間為5.6年，詳情請瀏覽www.housingauthority.gov.hk。";
        assert_eq!(to_hk_traditional(text), text);
    }

    #[test]
    fn ascii_punctuation_in_chinese_becomes_full_width_but_numbers_keep_theirs() {
        assert_eq!(
            normalise_hk_punctuation("會議於10:30開始,資助額為$3,500.每人可獲2.5萬元"),
            "會議於10:30開始，資助額為$3,500。每人可獲2.5萬元"
        );
        assert_eq!(
            normalise_hk_punctuation("是否需要?請致電2835 1234!"),
            "是否需要？請致電2835 1234!"
        );
    }

    #[test]
    fn quotes_become_corner_brackets_in_chinese_and_stay_in_english() {
        assert_eq!(
            normalise_hk_punctuation("他說“好”，又說‘明白’"),
            "他說「好」，又說『明白』"
        );
        assert_eq!(
            normalise_hk_punctuation("計劃名為\"樂齡科技\"。"),
            "計劃名為「樂齡科技」。"
        );
        assert_eq!(
            normalise_hk_punctuation("It’s “fine”. Don't."),
            "It’s “fine”. Don't."
        );
    }

    #[test]
    fn english_sentences_inside_chinese_are_untouched() {
        let text = "署方表示:The scheme starts on 1 Dec. Apply online, please.";
        assert_eq!(
            normalise_hk_punctuation(text),
            "署方表示：The scheme starts on 1 Dec. Apply online, please."
        );
    }

    #[test]
    fn ellipses_become_the_doubled_chinese_form() {
        assert_eq!(normalise_hk_punctuation("等等...然後"), "等等……然後");
        assert_eq!(normalise_hk_punctuation("等等…然後"), "等等……然後");
        assert_eq!(normalise_hk_punctuation("等等……然後"), "等等……然後");
    }

    #[test]
    fn only_simplified_forms_are_reported_not_shared_characters() {
        assert_eq!(simplified_only_chars("我们的计划"), vec!['们', '计', '划']);
        assert!(simplified_only_chars("皇后在舞台上，裏面很乾淨。").is_empty());
        assert_eq!(simplified_only_chars("里面"), vec!['里']);
        assert!(simplified_only_chars("立法會發展局").is_empty());
    }

    #[test]
    fn conversion_of_sentence_pieces_equals_conversion_of_the_whole() {
        let text =
            "政府今日公布新措施。我们将于下月推出计划！\n详情请浏览网站。发展局会向立法会汇报。";
        let pieces = super::super::segment::sentences(text);
        let joined: String = pieces.iter().map(|p| to_hk_traditional(p)).collect();
        assert_eq!(joined, to_hk_traditional(text));
    }

    #[test]
    fn search_keys_convert_both_ways() {
        assert_eq!(to_simplified("發展局"), "发展局");
        assert_eq!(to_traditional("发展局"), "發展局");
    }
}
