//! Script of the output: Simplified or non-HK characters in Traditional
//! Chinese, Chinese left untranslated in English, English words left
//! untranslated in Chinese.
//!
//! Output that Wenshu marks zh-Hant is already converted (see
//! [`crate::text::zh`]), so for its own output this check is a guarantee;
//! for a translation from elsewhere it is what a reviewer needs to see.

use serde::{Deserialize, Serialize};

use super::{is_han, Mention, Row};
use crate::text::{zh, Lang};

/// What is wrong with a stretch of output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptKind {
    /// A Simplified-only character in Traditional Chinese.
    Simplified,
    /// A Traditional character the HK Government writes another way (爲 → 為).
    NonHk,
    /// Chinese characters in an English text.
    Untranslated,
    /// English words in a Chinese text ("運輸署將下週 brief 立法會").
    /// Abbreviations in capitals (MTR, HKID), web and e-mail addresses are
    /// not words left behind.
    UntranslatedEnglish,
}

/// One script problem in the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptIssue {
    pub row: usize,
    pub kind: ScriptKind,
    /// Where, on the output side.
    pub mention: Mention,
    /// The form to use instead, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl ScriptIssue {
    pub fn message(&self) -> String {
        let text = &self.mention.text;
        match (self.kind, &self.suggestion) {
            (ScriptKind::Simplified, Some(s)) => {
                format!("Simplified character {text} (HK form: {s})")
            }
            (ScriptKind::Simplified, None) => format!("Simplified character {text}"),
            (ScriptKind::NonHk, Some(s)) => format!("non-HK form {text} (HK form: {s})"),
            (ScriptKind::NonHk, None) => format!("non-HK form {text}"),
            (ScriptKind::Untranslated, _) => format!("Chinese left untranslated: {text}"),
            (ScriptKind::UntranslatedEnglish, _) => format!("English left untranslated: {text}"),
        }
    }
}

/// Traditional characters the HK Government writes in another form.
const NON_HK: &[(char, char)] = &[
    ('爲', '為'),
    ('僞', '偽'),
    ('衛', '衞'),
    ('裡', '裏'),
    ('衆', '眾'),
];

/// Script issues of `target` (paragraph by paragraph) for its language.
pub(crate) fn check(
    target: &[String],
    rows: &[Row],
    target_lang: Lang,
    _source_lang: Lang,
) -> Vec<ScriptIssue> {
    let row_of = |p: usize| rows.iter().position(|r| r.target.contains(&p)).unwrap_or(0);
    let mut out = Vec::new();
    for (p, text) in target.iter().enumerate() {
        let row = row_of(p);
        if target_lang.is_chinese() {
            for (at, c, hk) in zh::simplified_at(text) {
                out.push(ScriptIssue {
                    row,
                    kind: ScriptKind::Simplified,
                    mention: Mention::new(text, p, at, at + c.len_utf8()),
                    suggestion: (hk != c).then(|| hk.to_string()),
                });
            }
            for (at, c) in text.char_indices() {
                if let Some((_, hk)) = NON_HK.iter().find(|(n, _)| *n == c) {
                    out.push(ScriptIssue {
                        row,
                        kind: ScriptKind::NonHk,
                        mention: Mention::new(text, p, at, at + c.len_utf8()),
                        suggestion: Some(hk.to_string()),
                    });
                }
            }
            for (s, e) in english_runs(text) {
                out.push(ScriptIssue {
                    row,
                    kind: ScriptKind::UntranslatedEnglish,
                    mention: Mention::new(text, p, s, e),
                    suggestion: None,
                });
            }
        } else if target_lang == Lang::En {
            // Each run of Chinese (with the punctuation inside it) once.
            let mut run: Option<(usize, usize)> = None;
            let flush = |run: &mut Option<(usize, usize)>, out: &mut Vec<ScriptIssue>| {
                if let Some((s, e)) = run.take() {
                    out.push(ScriptIssue {
                        row,
                        kind: ScriptKind::Untranslated,
                        mention: Mention::new(text, p, s, e),
                        suggestion: None,
                    });
                }
            };
            for (at, c) in text.char_indices() {
                let end = at + c.len_utf8();
                if is_han(c) {
                    run = Some(run.map_or((at, end), |(s, _)| (s, end)));
                } else if run.is_some() && matches!(c, '、' | '・' | '．') {
                    // Punctuation between Chinese characters stays in the run.
                } else {
                    flush(&mut run, &mut out);
                }
            }
            flush(&mut run, &mut out);
        }
    }
    out.sort_by_key(|s| (s.mention.paragraph, s.mention.start));
    out
}

/// Byte ranges of English words left in Chinese text: runs of Latin words
/// (joined by spaces, hyphens or apostrophes) in which some word has three
/// letters or more and a lowercase one. Capitals-only abbreviations (MTR,
/// HKID, B in "B停車場") and tokens of web or e-mail addresses are skipped.
fn english_runs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        // One whitespace-free token: skip it whole when it is an address.
        let token_end = text[i..]
            .find(|c: char| c.is_whitespace() || !c.is_ascii())
            .map_or(text.len(), |n| i + n);
        let token_start = text[..i]
            .rfind(|c: char| c.is_whitespace() || !c.is_ascii())
            .map_or(0, |n| {
                n + text[n..].chars().next().map_or(1, char::len_utf8)
            });
        let token = &text[token_start..token_end];
        let dotted = token
            .as_bytes()
            .windows(3)
            .any(|w| w[0].is_ascii_alphanumeric() && w[1] == b'.' && w[2].is_ascii_alphabetic());
        if token.contains("://") || token.contains('@') || dotted {
            i = token_end;
            continue;
        }
        // The run of words from here.
        let mut end;
        let mut j = i;
        let mut worth = false;
        loop {
            let w_end = text[j..]
                .find(|c: char| !c.is_ascii_alphabetic())
                .map_or(text.len(), |n| j + n);
            let word = &text[j..w_end];
            if word.len() >= 3 && word.chars().any(|c| c.is_ascii_lowercase()) {
                worth = true;
            }
            end = w_end;
            // Continue over one joiner followed by another word.
            let rest = &text[w_end..];
            let joiner = rest
                .chars()
                .next()
                .filter(|c| matches!(c, ' ' | '-' | '\''));
            match joiner {
                Some(c) if rest[1..].starts_with(|n: char| n.is_ascii_alphabetic()) => {
                    j = w_end + c.len_utf8();
                }
                _ => break,
            }
        }
        if worth {
            out.push((i, end));
        }
        i = end.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<Row> {
        (0..n)
            .map(|i| Row {
                source: vec![i],
                target: vec![i],
            })
            .collect()
    }

    #[test]
    fn simplified_and_non_hk_characters_are_named_with_the_hk_form() {
        let target = vec!["我们爲市民服務。".to_string()];
        let issues = check(&target, &rows(1), Lang::ZhHant, Lang::En);
        let found: Vec<(ScriptKind, &str, Option<&str>)> = issues
            .iter()
            .map(|i| (i.kind, i.mention.text.as_str(), i.suggestion.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (ScriptKind::Simplified, "们", Some("們")),
                (ScriptKind::NonHk, "爲", Some("為")),
            ]
        );
        assert_eq!(issues[0].mention.start, 1);
    }

    #[test]
    fn chinese_left_in_english_is_reported_once_per_run() {
        let target = vec!["The 路面 works on 青馬大橋 end soon.".to_string()];
        let issues = check(&target, &rows(1), Lang::En, Lang::ZhHant);
        let texts: Vec<&str> = issues.iter().map(|i| i.mention.text.as_str()).collect();
        assert_eq!(texts, vec!["路面", "青馬大橋"]);
        assert!(issues.iter().all(|i| i.kind == ScriptKind::Untranslated));
    }

    #[test]
    fn english_words_left_in_chinese_are_reported_but_abbreviations_and_addresses_are_not() {
        let target = vec![
            "運輸署將下週 brief立法會，並於 Kai Tak 舉行 press briefing。請到B停車場或MTR站，詳情見 https://www.td.gov.hk/en/index.html 或電郵 enquiry@td.gov.hk，或瀏覽td.gov.hk。"
                .to_string(),
        ];
        let issues = check(&target, &rows(1), Lang::ZhHant, Lang::En);
        let texts: Vec<&str> = issues.iter().map(|i| i.mention.text.as_str()).collect();
        assert_eq!(texts, vec!["brief", "Kai Tak", "press briefing"]);
        assert!(issues
            .iter()
            .all(|i| i.kind == ScriptKind::UntranslatedEnglish));
        assert_eq!(issues[0].message(), "English left untranslated: brief");
    }

    #[test]
    fn correct_hong_kong_traditional_text_has_no_issue() {
        let target = vec![
            "政府今日公布，東涌新市鎮擴展的首批單位將於明年入伙；衞生署表示不准吸煙。".to_string(),
        ];
        assert_eq!(check(&target, &rows(1), Lang::ZhHant, Lang::En), vec![]);
    }
}
