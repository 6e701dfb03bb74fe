//! Official names through the model: placeholders back to renderings.
//!
//! Before a paragraph goes to the model, every enforced official name in it
//! is replaced by a placeholder (`[T1]`, `[T2]`, …) that the prompt shows
//! being carried through ([`crate::checks::terms::Glossary::protect`]);
//! after generation each placeholder becomes the official rendering. A model
//! that keeps the placeholder therefore cannot get the name wrong, and one
//! that drops it is caught by the check that follows every translation.

use std::sync::LazyLock;

use regex::Regex;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
