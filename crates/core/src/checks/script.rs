//! Script of the output: Simplified or non-HK characters in Traditional
//! Chinese, Chinese left untranslated in English.
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
    fn correct_hong_kong_traditional_text_has_no_issue() {
        let target = vec![
            "政府今日公布，東涌新市鎮擴展的首批單位將於明年入伙；衞生署表示不准吸煙。".to_string(),
        ];
        assert_eq!(check(&target, &rows(1), Lang::ZhHant, Lang::En), vec![]);
    }
}
