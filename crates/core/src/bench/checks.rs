//! `wenshu bench checks`: can a reviewer believe the checks?
//!
//! Measured on the project's reference set ([`crate::checks::reference`]),
//! in both directions (each pair's Chinese as the source of its English,
//! and the other way round):
//! - **false alarms**: items flagged on the correct pairs (goal 0);
//! - **perturbations caught**: copies of each correct translation with one
//!   error put in (a digit changed, a scale word changed, a date shifted, a
//!   figure dropped, a figure added, a currency changed, an official name
//!   replaced by a near miss, a Simplified character put in, Chinese left in
//!   the English), and the share of them the checks flag (goal ≥ 95 %);
//! - **protection**: official names the translation would protect with a
//!   placeholder whose rendering the correct translation does not contain
//!   (protection altering correct text; goal 0);
//! - **speed**: checking a 300-page document pair (goal ≤ 1 s).

use std::time::Instant;

use serde::Serialize;

use crate::checks::quantities::{extract, Value};
use crate::checks::reference::{self, Pair};
use crate::checks::{check, CheckOptions, CheckReport, Glossary, Mode};
use crate::text::{zh, Lang};

/// One kind of error put into a correct translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perturbation {
    Digit,
    Scale,
    Date,
    Dropped,
    Added,
    Currency,
    Name,
    Simplified,
    Untranslated,
}

impl Perturbation {
    pub const ALL: [Perturbation; 9] = [
        Self::Digit,
        Self::Scale,
        Self::Date,
        Self::Dropped,
        Self::Added,
        Self::Currency,
        Self::Name,
        Self::Simplified,
        Self::Untranslated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Digit => "digit changed",
            Self::Scale => "scale word changed",
            Self::Date => "date shifted",
            Self::Dropped => "figure dropped",
            Self::Added => "figure added",
            Self::Currency => "currency changed",
            Self::Name => "name near miss",
            Self::Simplified => "Simplified character",
            Self::Untranslated => "source words left in",
        }
    }
}

/// One direction's results for one kind of perturbation.
#[derive(Debug, Clone, Serialize)]
pub struct KindResult {
    pub kind: &'static str,
    /// Perturbed copies made (pairs where this error could be put in).
    pub made: usize,
    pub caught: usize,
    /// Ids of the pairs whose perturbed copy was not flagged.
    pub missed: Vec<String>,
}

/// One direction's results.
#[derive(Debug, Clone, Serialize)]
pub struct DirectionResult {
    pub direction: String,
    pub pairs: usize,
    /// Figures, names and script items checked on the correct pairs.
    pub items_checked: usize,
    /// Items flagged on correct pairs, by kind of check.
    pub false_alarms_figures: usize,
    pub false_alarms_terms: usize,
    pub false_alarms_script: usize,
    /// The flagged items, `id: message`.
    pub false_alarms: Vec<String>,
    pub perturbations: Vec<KindResult>,
    pub made: usize,
    pub caught: usize,
    pub caught_share: f64,
}

/// Names protected in the source whose rendering the correct translation lacks.
#[derive(Debug, Clone, Serialize)]
pub struct ProtectionResult {
    pub names_protected: usize,
    pub altered: Vec<String>,
}

/// Checking one large document pair.
#[derive(Debug, Clone, Serialize)]
pub struct SpeedResult {
    pub pages: usize,
    pub paragraphs: usize,
    pub source_chars: usize,
    pub target_chars: usize,
    pub zh_to_en_ms: f64,
    pub en_to_zh_ms: f64,
    pub items: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub pairs: usize,
    pub directions: Vec<DirectionResult>,
    pub protection: ProtectionResult,
    pub speed: SpeedResult,
}

fn paras(text: &str) -> Vec<String> {
    vec![text.to_string()]
}

fn run_check(source: &str, target: &str, from: Lang, to: Lang, glossary: &Glossary) -> CheckReport {
    check(
        &paras(source),
        &paras(target),
        &CheckOptions {
            mode: Mode::Translation,
            source_lang: from,
            target_lang: to,
            glossary: Some(glossary),
        },
    )
}

/// Bumps the last digit or Chinese numeral of `span`: 22 → 23, 二十二 → 二十三.
fn bump_last_numeral(span: &str) -> Option<String> {
    let chars: Vec<char> = span.chars().collect();
    let zh_digits = ['一', '二', '三', '四', '五', '六', '七', '八', '九'];
    for k in (0..chars.len()).rev() {
        let c = chars[k];
        let replacement = if c.is_ascii_digit() {
            Some(if c == '9' {
                '8'
            } else {
                char::from(c as u8 + 1)
            })
        } else if let Some(i) = zh_digits.iter().position(|&d| d == c) {
            Some(if i == 8 { '八' } else { zh_digits[i + 1] })
        } else if c == '兩' {
            Some('三')
        } else {
            None
        };
        if let Some(r) = replacement {
            let mut out = chars.clone();
            out[k] = r;
            return Some(out.into_iter().collect());
        }
    }
    None
}

fn replace_span(text: &str, start: usize, end: usize, with: &str) -> String {
    format!("{}{}{}", &text[..start], with, &text[end..])
}

const SCALES: &[(&str, &str)] = &[
    ("million", "billion"),
    ("billion", "million"),
    ("thousand", "million"),
    ("萬億", "億"),
    ("千萬", "百萬"),
    ("百萬", "千萬"),
    ("萬", "億"),
    ("億", "萬"),
];

const NEAR_MISSES_EN: &[(&str, &str)] = &[
    ("Department", "Bureau"),
    ("Bureau", "Department"),
    ("Commissioner", "Director"),
    ("Director", "Commissioner"),
    ("Secretary", "Director"),
    ("Authority", "Board"),
    ("Council", "Committee"),
    ("Commission", "Council"),
    ("Board", "Council"),
    ("Office", "Department"),
    ("Observatory", "Weather Bureau"),
    ("Fund", "Scheme"),
    ("Force", "Department"),
    ("Corporation", "Company"),
    ("Registry", "Office"),
    ("Agency", "Office"),
    ("Centre", "Office"),
    ("Service", "Department"),
    ("Court", "Tribunal"),
    ("Customs", "Excise"),
];

const NEAR_MISSES_ZH: &[(&str, &str)] = &[
    ("局長", "署長"),
    ("署長", "處長"),
    ("處長", "署長"),
    ("委員會", "議會"),
    ("署", "局"),
    ("局", "署"),
    ("處", "署"),
    ("會", "局"),
    ("台", "局"),
    ("院", "局"),
    ("所", "處"),
    ("部", "署"),
    ("司", "局"),
    ("組", "處"),
    ("公司", "集團"),
    ("辦公室", "辦事處"),
    ("海關", "稅關"),
];

/// The translation with one error of `kind` put in, if the pair allows it.
fn perturb(
    kind: Perturbation,
    source: &str,
    target: &str,
    to_chinese: bool,
    glossary: &Glossary,
) -> Option<String> {
    let figures = extract(target);
    let strong: Vec<_> = figures.iter().filter(|q| !q.weak).collect();
    match kind {
        Perturbation::Digit => {
            let q = strong
                .iter()
                .find(|q| !matches!(q.value, Value::Date { .. }))?;
            let span = &target[q.start..q.end];
            Some(replace_span(
                target,
                q.start,
                q.end,
                &bump_last_numeral(span)?,
            ))
        }
        Perturbation::Scale => strong.iter().find_map(|q| {
            let span = &target[q.start..q.end];
            SCALES.iter().find_map(|(from, to)| {
                span.find(from).map(|at| {
                    let changed = format!("{}{}{}", &span[..at], to, &span[at + from.len()..]);
                    replace_span(target, q.start, q.end, &changed)
                })
            })
        }),
        Perturbation::Date => {
            let q = strong
                .iter()
                .find(|q| matches!(q.value, Value::Date { .. }))?;
            let span = &target[q.start..q.end];
            Some(replace_span(
                target,
                q.start,
                q.end,
                &bump_last_numeral(span)?,
            ))
        }
        Perturbation::Dropped => {
            let q = strong.first()?;
            Some(replace_span(target, q.start, q.end, ""))
        }
        Perturbation::Added => {
            // A figure the source does not have, in a sentence of its own.
            let value = (375..10_000)
                .step_by(7)
                .find(|v| !source.contains(&v.to_string()) && !target.contains(&v.to_string()))?;
            Some(if to_chinese {
                format!("{target}另外，當局已收到{value}宗申請。")
            } else {
                format!("{target} A further {value} applications have been received.")
            })
        }
        Perturbation::Currency => strong.iter().find_map(|q| {
            let Value::Money { .. } = q.value else {
                return None;
            };
            let span = &target[q.start..q.end];
            // The first currency word of the span, swapped for another.
            let swaps: &[(&str, &str)] = if to_chinese {
                &[
                    ("美元", "港元"),
                    ("人民幣", "港元"),
                    ("港幣", "人民幣"),
                    ("港元", "元人民幣"),
                ]
            } else {
                &[
                    ("RMB", "HK$"),
                    ("US$", "HK$"),
                    ("HK$", "RMB"),
                    ("$", "RMB "),
                ]
            };
            let changed = match swaps.iter().find(|(from, _)| span.contains(from)) {
                Some((from, to)) => span.replacen(from, to, 1),
                None if to_chinese && span.ends_with('元') => format!("人民幣{span}"),
                None => return None,
            };
            Some(replace_span(target, q.start, q.end, &changed))
        }),
        Perturbation::Name => {
            // The first official name of the source whose rendering the
            // translation has: change one word of it.
            let from_chinese = !to_chinese;
            for hit in glossary.find(source, from_chinese) {
                let term = &glossary.terms()[hit.term];
                let rendering = if to_chinese { &term.zh } else { &term.en };
                if !target.contains(rendering.as_str()) {
                    continue;
                }
                let table = if to_chinese {
                    NEAR_MISSES_ZH
                } else {
                    NEAR_MISSES_EN
                };
                let changed = table.iter().find_map(|(from, to)| {
                    rendering.rfind(from).map(|k| {
                        format!("{}{}{}", &rendering[..k], to, &rendering[k + from.len()..])
                    })
                })?;
                // The same wrong name wherever the translation uses the right one.
                return Some(target.replace(rendering.as_str(), &changed));
            }
            None
        }
        Perturbation::Simplified => {
            if !to_chinese {
                return None;
            }
            for (i, c) in target.char_indices() {
                let mut buf = [0u8; 4];
                let one: &str = c.encode_utf8(&mut buf);
                let simplified = zh::to_simplified(one);
                if simplified != one && zh::simplified_only_chars(&simplified).len() == 1 {
                    return Some(replace_span(target, i, i + c.len_utf8(), &simplified));
                }
            }
            None
        }
        Perturbation::Untranslated => {
            if to_chinese {
                // An English word of the source in place of two Chinese
                // characters of the translation (outside any figure).
                let word = source
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .find(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_lowercase()))?;
                let inside = |at: usize| figures.iter().any(|q| q.start <= at && at < q.end);
                let chars: Vec<(usize, char)> = target.char_indices().collect();
                let (i, _) = chars.windows(2).map(|w| w[0]).find(|&(at, c)| {
                    crate::checks::is_han(c)
                        && !inside(at)
                        && target[at + c.len_utf8()..]
                            .chars()
                            .next()
                            .is_some_and(crate::checks::is_han)
                })?;
                let end = i + target[i..]
                    .chars()
                    .take(2)
                    .map(char::len_utf8)
                    .sum::<usize>();
                return Some(replace_span(target, i, end, word));
            }
            // Two characters of the source left in place of an English word.
            let han: String = source
                .chars()
                .filter(|&c| crate::checks::is_han(c))
                .take(2)
                .collect();
            if han.chars().count() < 2 {
                return None;
            }
            // The first lower-case word of four letters or more.
            let mut at = 0;
            for word in target.split(' ') {
                if word.len() >= 4 && word.chars().all(|c| c.is_ascii_lowercase()) {
                    return Some(replace_span(target, at, at + word.len(), &han));
                }
                at += word.len() + 1;
            }
            None
        }
    }
}

/// Whether the flags of `kind`'s category grew.
fn caught(kind: Perturbation, clean: &CheckReport, perturbed: &CheckReport) -> bool {
    let figures = |r: &CheckReport| {
        r.counts.figures_changed + r.counts.figures_missing + r.counts.figures_added
    };
    match kind {
        Perturbation::Name => {
            perturbed.counts.terms_missing + perturbed.counts.terms_changed
                > clean.counts.terms_missing + clean.counts.terms_changed
        }
        Perturbation::Simplified | Perturbation::Untranslated => {
            perturbed.counts.script > clean.counts.script
        }
        _ => figures(perturbed) > figures(clean),
    }
}

fn direction(pairs: &[Pair], from_chinese: bool, glossary: &Glossary) -> DirectionResult {
    let (from, to) = if from_chinese {
        (Lang::ZhHant, Lang::En)
    } else {
        (Lang::En, Lang::ZhHant)
    };
    let mut result = DirectionResult {
        direction: format!("{from} → {to}"),
        pairs: pairs.len(),
        items_checked: 0,
        false_alarms_figures: 0,
        false_alarms_terms: 0,
        false_alarms_script: 0,
        false_alarms: Vec::new(),
        perturbations: Perturbation::ALL
            .iter()
            .map(|k| KindResult {
                kind: k.as_str(),
                made: 0,
                caught: 0,
                missed: Vec::new(),
            })
            .collect(),
        made: 0,
        caught: 0,
        caught_share: 0.0,
    };
    for pair in pairs {
        let (source, target) = if from_chinese {
            (&pair.zh, &pair.en)
        } else {
            (&pair.en, &pair.zh)
        };
        let clean = run_check(source, target, from, to, glossary);
        result.items_checked += clean.figures.len() + clean.terms.len() + clean.script.len();
        let c = &clean.counts;
        result.false_alarms_figures += c.figures_changed + c.figures_missing + c.figures_added;
        result.false_alarms_terms += c.terms_missing;
        result.false_alarms_script += c.script;
        for m in clean.flag_messages() {
            result.false_alarms.push(format!("{}: {m}", pair.id));
        }
        for (k, kind) in Perturbation::ALL.iter().enumerate() {
            let Some(changed) = perturb(*kind, source, target, !from_chinese, glossary) else {
                continue;
            };
            if changed == *target {
                continue;
            }
            let report = run_check(source, &changed, from, to, glossary);
            let slot = &mut result.perturbations[k];
            slot.made += 1;
            if caught(*kind, &clean, &report) {
                slot.caught += 1;
            } else {
                slot.missed.push(pair.id.clone());
            }
        }
    }
    result.made = result.perturbations.iter().map(|p| p.made).sum();
    result.caught = result.perturbations.iter().map(|p| p.caught).sum();
    result.caught_share = if result.made == 0 {
        0.0
    } else {
        result.caught as f64 / result.made as f64
    };
    result
}

/// Names the translation would protect, checked against the correct
/// translation: restoring a placeholder writes the name's official
/// rendering, so that rendering must be what the correct translation says.
fn protection(pairs: &[Pair], glossary: &Glossary) -> ProtectionResult {
    let mut out = ProtectionResult {
        names_protected: 0,
        altered: Vec::new(),
    };
    for pair in pairs {
        for (source, target, from_chinese) in
            [(&pair.zh, &pair.en, true), (&pair.en, &pair.zh, false)]
        {
            let (_, renderings) = glossary.protect(source, from_chinese);
            for r in renderings {
                out.names_protected += 1;
                if !glossary.contains_rendering(target, &r, !from_chinese) {
                    out.altered.push(format!(
                        "{} ({}): {r}",
                        pair.id,
                        if from_chinese {
                            "zh → en"
                        } else {
                            "en → zh"
                        }
                    ));
                }
            }
        }
    }
    out
}

/// A 300-page pair made of the reference paragraphs, checked both ways.
fn speed(pairs: &[Pair], glossary: &Glossary) -> SpeedResult {
    const PAGES: usize = 300;
    // About 550 English words and 800 Chinese characters a page: 7 paragraphs.
    const PER_PAGE: usize = 7;
    let n = PAGES * PER_PAGE;
    let zh_side: Vec<String> = (0..n).map(|i| pairs[i % pairs.len()].zh.clone()).collect();
    let en_side: Vec<String> = (0..n).map(|i| pairs[i % pairs.len()].en.clone()).collect();
    let time = |source: &[String], target: &[String], from: Lang, to: Lang| {
        let started = Instant::now();
        let report = check(
            source,
            target,
            &CheckOptions {
                mode: Mode::Translation,
                source_lang: from,
                target_lang: to,
                glossary: Some(glossary),
            },
        );
        (started.elapsed().as_secs_f64() * 1000.0, report)
    };
    let (zh_en, report) = time(&zh_side, &en_side, Lang::ZhHant, Lang::En);
    let (en_zh, _) = time(&en_side, &zh_side, Lang::En, Lang::ZhHant);
    SpeedResult {
        pages: PAGES,
        paragraphs: n,
        source_chars: zh_side.iter().map(|p| p.chars().count()).sum(),
        target_chars: en_side.iter().map(|p| p.chars().count()).sum(),
        zh_to_en_ms: zh_en,
        en_to_zh_ms: en_zh,
        items: report.figures.len() + report.terms.len() + report.script.len(),
    }
}

/// Runs the whole benchmark with the base glossary.
pub fn run(progress: &mut dyn FnMut(&str)) -> Report {
    let pairs = reference::pairs();
    let glossary = Glossary::new(&[], true);
    progress(&format!(
        "{} reference pairs, {} official names",
        pairs.len(),
        glossary.terms().len()
    ));
    let directions = vec![
        direction(&pairs, true, &glossary),
        direction(&pairs, false, &glossary),
    ];
    progress("protection");
    let protection = protection(&pairs, &glossary);
    progress("300-page document pair");
    let speed = speed(&pairs, &glossary);
    Report {
        pairs: pairs.len(),
        directions,
        protection,
        speed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_perturbation_changes_the_translation_it_is_given() {
        let g = Glossary::new(&[], true);
        let zh = "運輸署今日（一月二十二日）表示，撥款約二千四百四十萬元。";
        let en = "The Transport Department said today (January 22) that about $24.4 million had been allocated.";
        for kind in [
            Perturbation::Digit,
            Perturbation::Scale,
            Perturbation::Date,
            Perturbation::Dropped,
            Perturbation::Added,
            Perturbation::Currency,
            Perturbation::Name,
            Perturbation::Untranslated,
        ] {
            let changed = perturb(kind, zh, en, false, &g).unwrap_or_else(|| panic!("{kind:?}"));
            assert_ne!(changed, en, "{kind:?}");
        }
        let changed = perturb(Perturbation::Simplified, en, zh, true, &g).unwrap();
        assert_ne!(changed, zh);
        assert_eq!(
            perturb(Perturbation::Name, zh, en, false, &g).unwrap(),
            en.replace("Transport Department", "Transport Bureau")
        );
        assert_eq!(
            perturb(Perturbation::Scale, zh, en, false, &g).unwrap(),
            en.replace("million", "billion")
        );
    }
}
