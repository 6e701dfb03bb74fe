//! Glossary terms in translation: protect, restore, check.
//!
//! Before a paragraph goes to the model, every glossary term found in it is
//! replaced by a placeholder (`[T1]`, `[T2]`, …) that the prompt shows being
//! carried through; after generation each placeholder becomes the official
//! target term. A model that keeps the placeholder therefore cannot get the
//! term wrong, and one that drops it is caught by the check that follows
//! every translation.

use std::sync::LazyLock;

use regex::Regex;

use crate::store::{GlossaryCheck, GlossaryEntry, TermCheck};
use crate::text::zh;

/// A term pair oriented for one translation direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub source: String,
    pub target: String,
}

/// Orients glossary entries for a direction, longest source term first (so
/// "Housing Department" wins over "Housing").
pub(crate) fn oriented(entries: &[GlossaryEntry], from_english: bool) -> Vec<Term> {
    let mut terms: Vec<Term> = entries
        .iter()
        .map(|e| {
            if from_english {
                Term {
                    source: e.en.clone(),
                    target: e.zh.clone(),
                }
            } else {
                Term {
                    source: e.zh.clone(),
                    target: e.en.clone(),
                }
            }
        })
        .filter(|t| !t.source.trim().is_empty() && !t.target.trim().is_empty())
        .collect();
    terms.sort_by_key(|t| std::cmp::Reverse(t.source.chars().count()));
    terms
}

fn matcher(term: &Term) -> Option<Regex> {
    let source = term.source.trim();
    let mut alternatives = vec![regex::escape(source)];
    let simplified = zh::to_simplified(source);
    if simplified != source {
        alternatives.push(regex::escape(&simplified));
    }
    let body = alternatives.join("|");
    // English terms match whole words, case-insensitively; Chinese has no
    // word boundaries to respect.
    let pattern = if source.chars().any(|c| c.is_ascii_alphabetic()) {
        format!(r"(?i)\b(?:{body})\b")
    } else {
        format!("(?:{body})")
    };
    Regex::new(&pattern).ok()
}

/// Terms whose source form occurs in `text` (a shorter term inside a longer
/// one that matched, such as "Housing" in "Housing Department", does not
/// count), longest first.
pub(crate) fn present<'t>(text: &str, terms: &'t [Term]) -> Vec<&'t Term> {
    protect_inner(text, terms).2
}

/// Replaces terms in `text` by placeholders; returns the new text and the
/// target term of each placeholder number (1-based index into the vector).
pub(crate) fn protect(text: &str, terms: &[Term]) -> (String, Vec<String>) {
    let (out, targets, _) = protect_inner(text, terms);
    (out, targets)
}

fn protect_inner<'t>(text: &str, terms: &'t [Term]) -> (String, Vec<String>, Vec<&'t Term>) {
    let mut out = text.to_string();
    let mut targets: Vec<String> = Vec::new();
    let mut matched = Vec::new();
    for term in terms {
        let Some(m) = matcher(term) else { continue };
        if !m.is_match(&out) {
            continue;
        }
        matched.push(term);
        let n = match targets.iter().position(|t| t == &term.target) {
            Some(i) => i + 1,
            None => {
                targets.push(term.target.clone());
                targets.len()
            }
        };
        out = m.replace_all(&out, format!("[T{n}]").as_str()).into_owned();
    }
    (out, targets, matched)
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\[［]\s*[Tt]\s*(\d{1,3})\s*[\]］]").expect("placeholder pattern")
});

/// Streams model output, replacing placeholders with their terms; text that
/// may be the start of a placeholder is held until it is complete.
pub(crate) struct Restorer {
    targets: Vec<String>,
    pending: String,
}

impl Restorer {
    pub(crate) fn new(targets: Vec<String>) -> Self {
        Self {
            targets,
            pending: String::new(),
        }
    }

    pub(crate) fn push(&mut self, piece: &str) -> String {
        if self.targets.is_empty() {
            return piece.to_string();
        }
        self.pending.push_str(piece);
        // Hold from the last opening bracket if it is not closed yet and short.
        let hold_from = self.pending.rfind(['[', '［']).filter(|&i| {
            !self.pending[i..].contains([']', '］']) && self.pending[i..].chars().count() <= 8
        });
        let ready_end = hold_from.unwrap_or(self.pending.len());
        let ready: String = self.pending.drain(..ready_end).collect();
        self.restore(&ready)
    }

    pub(crate) fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        self.restore(&rest)
    }

    fn restore(&self, text: &str) -> String {
        PLACEHOLDER
            .replace_all(text, |caps: &regex::Captures<'_>| {
                caps[1]
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| self.targets.get(n.wrapping_sub(1)))
                    .cloned()
                    // An unknown number is left as written for the reviewer.
                    .unwrap_or_else(|| caps[0].to_string())
            })
            .into_owned()
    }
}

/// For each term present in `source`, whether its target is in `output`.
pub(crate) fn check(source: &str, output: &str, terms: &[Term]) -> GlossaryCheck {
    let output_lower = output.to_lowercase();
    let output_hk = zh::to_hk_traditional(output);
    GlossaryCheck {
        terms: present(source, terms)
            .into_iter()
            .map(|t| {
                let target = t.target.trim();
                let found = if target.chars().any(|c| c.is_ascii_alphabetic()) {
                    output_lower.contains(&target.to_lowercase())
                } else {
                    output_hk.contains(&zh::to_hk_traditional(target))
                };
                TermCheck {
                    source: t.source.clone(),
                    target: t.target.clone(),
                    found,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<GlossaryEntry> {
        let e = |id, en: &str, zh: &str| GlossaryEntry {
            id,
            en: en.into(),
            zh: zh.into(),
            domain: String::new(),
            note: String::new(),
        };
        vec![
            e(1, "Housing Department", "房屋署"),
            e(2, "Housing", "房屋"),
            e(3, "Legislative Council", "立法會"),
        ]
    }

    #[test]
    fn the_longest_term_is_protected_first_and_english_matches_ignore_case() {
        let terms = oriented(&entries(), true);
        let (text, targets) = protect(
            "The housing department will brief the Legislative Council.",
            &terms,
        );
        // Numbered in the order terms are tried: longest first.
        assert_eq!(text, "The [T2] will brief the [T1].");
        assert_eq!(targets, vec!["立法會".to_string(), "房屋署".to_string()]);
    }

    #[test]
    fn chinese_source_terms_match_in_either_script() {
        let terms = oriented(&entries(), false);
        let (text, targets) = protect("房屋署会向立法会汇报。", &terms);
        assert_eq!(text, "[T1]会向[T2]汇报。");
        assert_eq!(
            targets,
            vec![
                "Housing Department".to_string(),
                "Legislative Council".to_string()
            ]
        );
    }

    #[test]
    fn placeholders_split_across_pieces_are_restored() {
        let mut r = Restorer::new(vec!["房屋署".into(), "立法會".into()]);
        let mut out = String::new();
        for piece in ["[", "T", "1] 將向 [T", "2", "] 匯報 [T9]"] {
            out.push_str(&r.push(piece));
        }
        out.push_str(&r.finish());
        assert_eq!(out, "房屋署 將向 立法會 匯報 [T9]");
    }

    #[test]
    fn the_check_flags_a_term_whose_rendering_is_missing() {
        let terms = oriented(&entries(), true);
        let check = check(
            "The Housing Department will brief the Legislative Council.",
            "房屋署將向議會匯報。",
            &terms,
        );
        let missing: Vec<&str> = check.missing().map(|t| t.source.as_str()).collect();
        assert_eq!(missing, vec!["Legislative Council"]);
        assert!(check
            .terms
            .iter()
            .any(|t| t.source == "Housing Department" && t.found));
        assert!(
            !check.terms.iter().any(|t| t.source == "Housing"),
            "a term inside a longer one is not counted"
        );
    }
}
