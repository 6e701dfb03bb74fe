//! The project's own reference set: correct bilingual paragraph pairs in the
//! style of HK press releases, speeches, minutes, LegCo replies and papers,
//! circulars, letters and progress reports (`reference/*.toml`, written for
//! the project; names, titles and ordinance numbers are real facts, the
//! rest is invented). Each pair is a correct translation in both
//! directions, and lists its figures and official names as written on each
//! side, so the checks can be measured against it: no flag on a correct
//! pair, and a flag on every perturbed copy (`wenshu bench checks`).

use serde::Deserialize;

const FILES: &[(&str, &str)] = &[
    ("a.toml", include_str!("reference/a.toml")),
    ("b.toml", include_str!("reference/b.toml")),
    ("c.toml", include_str!("reference/c.toml")),
];

/// One correct pair.
#[derive(Debug, Clone, Deserialize)]
pub struct Pair {
    pub id: String,
    pub genre: String,
    /// Which side was composed first: `zh` or `en`.
    pub original: String,
    pub zh: String,
    pub en: String,
    /// Each figure as written in Chinese and in English.
    #[serde(default)]
    pub figures: Vec<[String; 2]>,
    /// Each official name as written in Chinese and in English.
    #[serde(default)]
    pub names: Vec<[String; 2]>,
}

#[derive(Deserialize)]
struct File {
    pair: Vec<Pair>,
}

/// Every pair of the reference set.
///
/// # Panics
/// Never for the files compiled in (a test parses them); a broken file is
/// a build defect.
pub fn pairs() -> Vec<Pair> {
    FILES
        .iter()
        .flat_map(|(name, text)| match toml::from_str::<File>(text) {
            Ok(f) => f.pair,
            Err(e) => panic!("reference set {name} is invalid: {e}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{check, CheckOptions, Glossary, Mode};
    use super::*;
    use crate::text::Lang;

    #[test]
    fn the_reference_set_has_at_least_120_pairs_with_unique_ids() {
        let pairs = pairs();
        assert!(pairs.len() >= 120, "{}", pairs.len());
        let mut ids: Vec<&str> = pairs.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), pairs.len());
        for p in &pairs {
            for [zh, en] in p.figures.iter().chain(&p.names) {
                assert!(p.zh.contains(zh.as_str()), "{}: {zh}", p.id);
                assert!(p.en.contains(en.as_str()), "{}: {en}", p.id);
            }
        }
    }

    #[test]
    fn no_correct_pair_is_flagged_in_either_direction() {
        let glossary = Glossary::new(&[], true);
        let mut flags = Vec::new();
        for p in pairs() {
            for (source, target, from, to) in [
                (&p.zh, &p.en, Lang::ZhHant, Lang::En),
                (&p.en, &p.zh, Lang::En, Lang::ZhHant),
            ] {
                let s = vec![source.clone()];
                let t = vec![target.clone()];
                let report = check(
                    &s,
                    &t,
                    &CheckOptions {
                        mode: Mode::Translation,
                        source_lang: from,
                        target_lang: to,
                        glossary: Some(&glossary),
                    },
                );
                for f in report.flag_messages() {
                    flags.push(format!("{} {from}→{to}: {f}", p.id));
                }
            }
        }
        assert!(
            flags.is_empty(),
            "{} false alarms:\n{}",
            flags.len(),
            flags.join("\n")
        );
    }
}
