//! Which language a text is in: Traditional Chinese, Simplified Chinese,
//! English, or a mix.
//!
//! Counting scripts is enough here: the question is only ever "which of our
//! two languages, and which Chinese script", never "which of 100 languages".
//! Traditional and Simplified are told apart by OpenCC's own tables: a
//! character that t2s changes is evidence of Traditional, one that s2t
//! changes is evidence of Simplified.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::zh;

/// A language Wenshu reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[serde(rename = "zh-Hant")]
    ZhHant,
    #[serde(rename = "zh-Hans")]
    ZhHans,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "mixed")]
    Mixed,
}

impl Lang {
    /// BCP 47-style code: `zh-Hant`, `zh-Hans`, `en`, `mixed`.
    pub fn code(self) -> &'static str {
        match self {
            Self::ZhHant => "zh-Hant",
            Self::ZhHans => "zh-Hans",
            Self::En => "en",
            Self::Mixed => "mixed",
        }
    }

    /// Whether this is either Chinese script.
    pub fn is_chinese(self) -> bool {
        matches!(self, Self::ZhHant | Self::ZhHans)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`; use en or zh-Hant (zh-Hans and mixed are understood as input)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "eng" | "english" | "en-hk" | "en-gb" | "en-us" => Ok(Self::En),
            "zh-hant" | "zh-hk" | "zh-tw" | "zht" | "zh-hant-hk" | "hant" | "traditional" => {
                Ok(Self::ZhHant)
            }
            "zh-hans" | "zh-cn" | "zhs" | "hans" | "simplified" => Ok(Self::ZhHans),
            "mixed" => Ok(Self::Mixed),
            _ => Err(UnknownLang(s.to_string())),
        }
    }
}

/// Whether `c` is a Han (Chinese) character.
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// Detects the language of `text`. Empty text counts as English.
pub fn detect(text: &str) -> Lang {
    let mut han = 0usize;
    let mut latin = 0usize;
    for c in text.chars() {
        if is_han(c) {
            han += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    // One Chinese character carries about as much as an English word of
    // four or five letters, so weigh letters by a quarter.
    let latin_weight = latin as f64 / 4.5;
    let total = han as f64 + latin_weight;
    if han == 0 || total == 0.0 {
        return Lang::En;
    }
    let han_share = han as f64 / total;
    if han_share < 0.2 {
        return Lang::En;
    }
    if han_share < 0.8 {
        return Lang::Mixed;
    }
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
            detect("房屋署今日公布，公屋平均輪候時間為五點三年。"),
            Lang::ZhHant
        );
    }

    #[test]
    fn simplified_chinese_is_zh_hans() {
        assert_eq!(
            detect("房屋署今日公布，公屋平均轮候时间为五点三年。"),
            Lang::ZhHans
        );
    }

    #[test]
    fn english_and_empty_text_are_en() {
        assert_eq!(
            detect("The Housing Department announced the waiting time today."),
            Lang::En
        );
        assert_eq!(detect(""), Lang::En);
        assert_eq!(detect("  12,345 \n"), Lang::En);
    }

    #[test]
    fn a_few_english_names_in_chinese_text_keep_it_chinese() {
        assert_eq!(
            detect("市民可瀏覽 www.info.gov.hk 查閱運輸署的最新安排詳情。"),
            Lang::ZhHant
        );
    }

    #[test]
    fn half_chinese_half_english_is_mixed() {
        assert_eq!(
            detect("The Development Bureau (發展局) will report to the Legislative Council 立法會 next month."),
            Lang::Mixed
        );
    }

    #[test]
    fn language_names_parse_case_insensitively_and_unknown_ones_say_what_is_accepted() {
        assert_eq!("zh-hant".parse::<Lang>().unwrap(), Lang::ZhHant);
        assert_eq!("zh-HK".parse::<Lang>().unwrap(), Lang::ZhHant);
        assert_eq!("EN".parse::<Lang>().unwrap(), Lang::En);
        assert_eq!("zh-CN".parse::<Lang>().unwrap(), Lang::ZhHans);
        let err = "fr".parse::<Lang>().unwrap_err();
        assert!(err.to_string().contains("en or zh-Hant"));
    }
}
