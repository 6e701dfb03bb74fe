//! Which language a text is in: Traditional Chinese, Simplified Chinese,
//! English, or a mix of Chinese and English.
//!
//! Counting scripts is enough here: the question is only ever "which of our
//! two languages, and which Chinese script", never "which of 100 languages".
//! Traditional and Simplified are told apart with OpenCC's tables (see
//! [`super::zh`]), so detection and conversion can never disagree about
//! what counts as Simplified.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::zh;

/// A language Wenshu reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// Traditional Chinese (written the Hong Kong way when Wenshu writes it).
    #[serde(rename = "zh-Hant")]
    ZhHant,
    /// Simplified Chinese; understood as input, never produced.
    #[serde(rename = "zh-Hans")]
    ZhHans,
    /// English.
    #[serde(rename = "en")]
    En,
    /// Substantial amounts of both Chinese and English.
    #[serde(rename = "mixed")]
    Mixed,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Self::ZhHant, Self::ZhHans, Self::En, Self::Mixed];

    /// The code used in files, prompts and the UI: `zh-Hant`, `zh-Hans`, `en` or `mixed`.
    pub fn code(self) -> &'static str {
        match self {
            Self::ZhHant => "zh-Hant",
            Self::ZhHans => "zh-Hans",
            Self::En => "en",
            Self::Mixed => "mixed",
        }
    }

    /// Whether this is Chinese in either script.
    pub fn is_chinese(self) -> bool {
        matches!(self, Self::ZhHant | Self::ZhHans)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language name that [`Lang::from_str`] does not know; carries the name as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown language `{0}`; use one of: en, english, zh-Hant, zh-HK, zh-TW, zht, \
     zh-Hans, zh-CN, mixed"
)]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    /// Parses a language name, ignoring case and surrounding spaces; `_` is read as `-`.
    ///
    /// # Errors
    ///
    /// [`UnknownLang`] for any other name; its message lists the accepted ones.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "eng" | "english" | "en-hk" | "en-gb" | "en-us" => Ok(Self::En),
            "zh-hant" | "zh-hant-hk" | "zh-hk" | "zh-tw" | "zht" | "zh-mo" => Ok(Self::ZhHant),
            "zh-hans" | "zh-cn" | "zh-sg" | "zhs" => Ok(Self::ZhHans),
            "mixed" => Ok(Self::Mixed),
            _ => Err(UnknownLang(s.to_string())),
        }
    }
}

/// Whether `c` is a Han character (CJK Unified Ideographs, their extensions
/// and the compatibility block).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2EBEF
        | 0x30000..=0x3134F)
}

/// Whether `c` is a letter of the Latin script (basic, Latin-1 and Latin Extended-A/B).
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (matches!(c as u32, 0xC0..=0x24F) && c.is_alphabetic())
}

/// How many Latin letters weigh as much as one Han character. An English word
/// averages about 4.5 letters and one Chinese character carries roughly what one
/// English word does, so a text's "amount" of English is its letters / 4.5.
const LETTERS_PER_HAN: f64 = 4.5;

/// Share of the weighted total at or above which a text is Chinese.
const CHINESE_SHARE: f64 = 0.8;

/// Share below which the Chinese in a text is incidental (a name, a quoted
/// title) and the text is English.
const ENGLISH_SHARE: f64 = 0.2;

/// Detects the language of `text` from its Han characters and Latin letters
/// (digits, punctuation and spaces do not count). Text with no Han character,
/// including empty text, is [`Lang::En`].
pub fn detect(text: &str) -> Lang {
    let (mut han, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_han(c) {
            han += 1;
        } else if is_latin_letter(c) {
            latin += 1;
        }
    }
    if han == 0 {
        return Lang::En;
    }
    let han = han as f64;
    let share = han / (han + latin as f64 / LETTERS_PER_HAN);
    if share < ENGLISH_SHARE {
        return Lang::En;
    }
    if share < CHINESE_SHARE {
        return Lang::Mixed;
    }
    // Ties (no evidence either way, as in 若干公里) go to Traditional: it is
    // the script Wenshu works in, and shared characters are valid in both.
    let (traditional, simplified) = zh::script_evidence(text);
    if simplified > traditional {
        Lang::ZhHans
    } else {
        Lang::ZhHant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_chinese_government_text_is_zh_hant() {
        assert_eq!(
            detect("房屋署今日公布，公屋一般申請者的平均輪候時間為5.3年。"),
            Lang::ZhHant
        );
    }

    #[test]
    fn simplified_chinese_is_zh_hans() {
        assert_eq!(
            detect("房屋署今日公布，公屋一般申请者的平均轮候时间为5.3年。"),
            Lang::ZhHans
        );
    }

    #[test]
    fn traditional_text_made_only_of_shared_characters_is_zh_hant() {
        // 台, 干 and 里 change under a lone s2t, but here they are correct
        // Traditional and nothing marks the text as Simplified.
        assert_eq!(detect("平台若干公里"), Lang::ZhHant);
    }

    #[test]
    fn one_simplified_character_among_traditional_ones_keeps_the_text_zh_hant() {
        assert_eq!(detect("發展局会向立法會匯報工程進度。"), Lang::ZhHant);
    }

    #[test]
    fn english_digits_only_and_empty_text_are_en() {
        assert_eq!(
            detect("The Housing Department announced the waiting time today."),
            Lang::En
        );
        assert_eq!(detect(""), Lang::En);
        assert_eq!(detect("  \n\t "), Lang::En);
        assert_eq!(detect("$3,500 (10:30) 2026-11-24 🙂"), Lang::En);
    }

    #[test]
    fn a_chinese_name_in_an_english_paragraph_keeps_it_english() {
        assert_eq!(
            detect(
                "The Secretary for Development, Ms Bernadette Linn (寧漢豪), will brief \
                 the Legislative Council Panel on Development on the progress of the \
                 Northern Metropolis next Tuesday."
            ),
            Lang::En
        );
    }

    #[test]
    fn a_url_inside_chinese_text_keeps_it_chinese() {
        assert_eq!(
            detect("市民可瀏覽 www.info.gov.hk 查閱運輸署的最新特別交通安排詳情。"),
            Lang::ZhHant
        );
    }

    #[test]
    fn mixed_text_with_more_english_letters_is_detected_as_mixed() {
        assert_eq!(
            detect(
                "The Development Bureau (發展局) will report to the Legislative Council \
                 (立法會) next month."
            ),
            Lang::Mixed
        );
    }

    #[test]
    fn accented_latin_letters_count_as_english() {
        // 17 Latin letters (3.8 weighted) against 2 Han characters: 35% Chinese.
        assert_eq!(detect("Café résumé naïveté 香港"), Lang::Mixed);
    }

    #[test]
    fn codes_display_and_round_trip_through_parsing() {
        for lang in [Lang::ZhHant, Lang::ZhHans, Lang::En, Lang::Mixed] {
            assert_eq!(lang.to_string(), lang.code());
            assert_eq!(lang.code().parse::<Lang>(), Ok(lang));
        }
        assert!(Lang::ZhHant.is_chinese() && Lang::ZhHans.is_chinese());
        assert!(!Lang::En.is_chinese() && !Lang::Mixed.is_chinese());
    }

    #[test]
    fn language_names_parse_case_insensitively() {
        let cases = [
            ("en", Lang::En),
            ("English", Lang::En),
            (" EN ", Lang::En),
            ("zh-Hant", Lang::ZhHant),
            ("zh-hant", Lang::ZhHant),
            ("zh-HK", Lang::ZhHant),
            ("zh_TW", Lang::ZhHant),
            ("ZHT", Lang::ZhHant),
            ("zh-Hans", Lang::ZhHans),
            ("zh-CN", Lang::ZhHans),
            ("Mixed", Lang::Mixed),
        ];
        for (name, lang) in cases {
            assert_eq!(name.parse::<Lang>(), Ok(lang), "{name}");
        }
    }

    #[test]
    fn an_unknown_language_name_is_an_error_that_lists_the_accepted_ones() {
        let err = "fr".parse::<Lang>().unwrap_err();
        assert_eq!(err, UnknownLang("fr".to_string()));
        assert_eq!(
            err.to_string(),
            "unknown language `fr`; use one of: en, english, zh-Hant, zh-HK, zh-TW, zht, \
             zh-Hans, zh-CN, mixed"
        );
        assert!("".parse::<Lang>().is_err());
    }

    #[test]
    fn languages_serialise_as_their_codes() {
        assert_eq!(serde_json::to_string(&Lang::ZhHant).unwrap(), "\"zh-Hant\"");
        assert_eq!(
            serde_json::from_str::<Lang>("\"mixed\"").unwrap(),
            Lang::Mixed
        );
    }
}
