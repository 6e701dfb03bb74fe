//! Figures of the source against figures of the output, by value and kind.
//!
//! A translation (or a polish) must carry every figure: each source figure
//! is *found* (same value, however written), *changed* (a figure of the same
//! kind took its place with another value) or *missing*, and every output
//! figure the source lacks is *added*. A summary or a draft may leave
//! figures out, but each figure it writes must be one the source has.
//!
//! Matching goes from strict to loose, so a figure pairs with its best
//! counterpart: the same value and kind in the same aligned paragraph; the
//! same number where the kinds can stand for each other (a bare 14 for
//! 14日, an amount whose currency was not repeated, a year against
//! 2025年); then the same in a neighbouring paragraph, for documents whose
//! paragraphs do not line up one for one.

use super::quantities::{same, Kind, Quantity, Value};
use super::{FigureCheck, Mention, Mode, Row, Verdict};

/// Figures of one side, paragraph by paragraph.
pub(crate) struct Side<'a> {
    pub paragraphs: &'a [String],
    pub figures: Vec<Vec<Quantity>>,
}

impl<'a> Side<'a> {
    pub fn new(paragraphs: &'a [String]) -> Self {
        Self {
            paragraphs,
            figures: paragraphs
                .iter()
                .map(|p| super::quantities::extract(p))
                .collect(),
        }
    }

    fn mention(&self, at: (usize, usize)) -> Mention {
        let q = &self.figures[at.0][at.1];
        Mention::new(&self.paragraphs[at.0], at.0, q.start, q.end)
    }
}

/// Same kind and value.
pub(crate) fn exact(a: &Value, b: &Value) -> bool {
    score(a, b) > 0
}

/// How well two figures of the same kind agree: 0 when they differ; for
/// dates, the number of fields they share (a full date pairs with the full
/// date before a bare year).
fn score(a: &Value, b: &Value) -> u32 {
    if let (
        Value::Date {
            year: y1,
            month: m1,
            day: d1,
        },
        Value::Date {
            year: y2,
            month: m2,
            day: d2,
        },
    ) = (a, b)
    {
        let mut common = 0;
        for (a, b) in [
            (y1.map(i64::from), y2.map(i64::from)),
            (m1.map(i64::from), m2.map(i64::from)),
            (d1.map(i64::from), d2.map(i64::from)),
        ] {
            if let (Some(a), Some(b)) = (a, b) {
                if a != b {
                    return 0;
                }
                common += 1;
            }
        }
        // A bare year is only the same as a bare year: 2026 is not April 2026.
        let year_only = |m: &Option<u32>, d: &Option<u32>| m.is_none() && d.is_none();
        if year_only(m1, d1) != year_only(m2, d2) {
            return 0;
        }
        return common;
    }
    u32::from(same_value(a, b))
}

fn same_value(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Number { value: x }, Number { value: y })
        | (Percent { value: x }, Percent { value: y })
        | (Points { value: x }, Points { value: y })
        | (Ordinal { value: x }, Ordinal { value: y }) => same(*x, *y),
        (
            Money {
                amount: x,
                currency: c,
            },
            Money {
                amount: y,
                currency: d,
            },
        ) => c == d && same(*x, *y),
        (Year { value: x }, Year { value: y }) => x == y,
        (Phone { digits: x }, Phone { digits: y }) => x == y,
        (
            Time {
                minutes: x,
                exact: ex,
            },
            Time {
                minutes: y,
                exact: ey,
            },
        ) => x == y || (!(*ex && *ey) && x % 720 == y % 720),
        _ => false,
    }
}

/// The plain number a figure can stand for, when its kind allows it to
/// match a figure of another kind.
fn face(v: &Value) -> Option<f64> {
    use Value::*;
    match v {
        Number { value } | Percent { value } | Ordinal { value } => Some(*value),
        Money { amount, .. } => Some(*amount),
        Year { value } => Some(f64::from(*value)),
        Phone { digits } => digits.parse().ok(),
        Date { year, month, day } => match (year, month, day) {
            (Some(y), None, None) => Some(f64::from(*y)),
            (None, Some(m), None) => Some(f64::from(*m)),
            (None, None, Some(d)) => Some(f64::from(*d)),
            _ => None,
        },
        Time { minutes, .. } => (minutes % 60 == 0).then(|| f64::from((minutes / 60) % 12)),
        Points { .. } => None,
    }
}

/// The same number where the kinds may stand for each other; never two
/// amounts in different currencies, nor percentages against points.
pub(crate) fn lenient(a: &Value, b: &Value) -> bool {
    use Value::*;
    if matches!(
        (a, b),
        (Money { .. }, Money { .. })
            | (Percent { .. }, Points { .. })
            | (Points { .. }, Percent { .. })
    ) {
        return false;
    }
    if matches!(
        (a, b),
        (Time { .. }, Time { .. }) | (Date { .. }, Date { .. })
    ) {
        return false;
    }
    // A fraction against a percentage: 減半 and "50 per cent", 三分之一 and "33.3 per cent".
    let fraction_percent = |f: &Value, p: &Value| match (f, p) {
        (Number { value: x }, Percent { value: y }) if *x < 1.0 => (x * 100.0 - y).abs() < 0.05,
        _ => false,
    };
    if fraction_percent(a, b) || fraction_percent(b, a) {
        return true;
    }
    match (face(a), face(b)) {
        (Some(x), Some(y)) => {
            let time_face = |v: &Value, x: f64, y: f64| {
                matches!(v, Time { .. }) && (same(x, y % 12.0) || same(x, y))
            };
            same(x, y) || time_face(a, x, y) || time_face(b, y, x)
        }
        _ => false,
    }
}

fn lenient_score(a: &Value, b: &Value) -> u32 {
    u32::from(lenient(a, b))
}

/// Groups for pairing a changed figure with the one it replaced.
fn class(v: &Value) -> u8 {
    use Value::*;
    match v {
        Money { .. } => 1,
        Percent { .. } | Points { .. } => 2,
        Date { .. } => 3,
        Time { .. } => 4,
        Phone { .. } => 5,
        Number { .. } | Ordinal { .. } | Year { .. } => 6,
    }
}

type At = (usize, usize);

/// One verdict on the figures at `s` (source) and `t` (output), in row `r`.
fn item(
    r: usize,
    verdict: Verdict,
    source: &Side<'_>,
    s: Option<At>,
    target: &Side<'_>,
    t: Option<At>,
) -> (usize, FigureCheck) {
    let value = |side: &Side<'_>, at: Option<At>| at.map(|a| side.figures[a.0][a.1].value.clone());
    let source_value = value(source, s);
    let target_value = value(target, t);
    let kind = source_value
        .as_ref()
        .or(target_value.as_ref())
        .map_or(Kind::Number, Value::kind);
    (
        r,
        FigureCheck {
            row: r,
            verdict,
            kind,
            source: s.map(|a| source.mention(a)),
            source_value,
            target: t.map(|a| target.mention(a)),
            target_value,
        },
    )
}

/// Compares the figures of two sides over aligned rows.
pub(crate) fn compare(
    mode: Mode,
    source: &Side<'_>,
    target: &Side<'_>,
    rows: &[Row],
) -> Vec<FigureCheck> {
    match mode {
        Mode::Translation | Mode::Polish => compare_all(source, target, rows),
        Mode::Summary | Mode::Draft => compare_added(source, target, rows),
    }
}

fn at_of(side: &Side<'_>, paragraphs: &[usize]) -> Vec<At> {
    paragraphs
        .iter()
        .flat_map(|&p| (0..side.figures[p].len()).map(move |i| (p, i)))
        .collect()
}

// Rows index three parallel lists (open source, open target, neighbours).
#[allow(clippy::needless_range_loop)]
fn compare_all(source: &Side<'_>, target: &Side<'_>, rows: &[Row]) -> Vec<FigureCheck> {
    let q = |side: &Side<'_>, at: At| -> Quantity { side.figures[at.0][at.1].clone() };
    // Per row: source and target figures still unpaired.
    let mut open_s: Vec<Vec<At>> = rows.iter().map(|r| at_of(source, &r.source)).collect();
    let mut open_t: Vec<Vec<At>> = rows.iter().map(|r| at_of(target, &r.target)).collect();
    let mut out: Vec<(usize, FigureCheck)> = Vec::new();
    let found = |r: usize, s: At, t: At, out: &mut Vec<(usize, FigureCheck)>| {
        out.push(item(r, Verdict::Found, source, Some(s), target, Some(t)));
    };
    let strong = |side: &Side<'_>, at: At| !side.figures[at.0][at.1].weak;
    // Same row. Pairs of figures that would be reported (not weak) go
    // first, so "Phase 1" takes 第一期 before the weak "first" does; within
    // a pass the best-scoring pairs are taken first.
    type Test = fn(&Value, &Value) -> u32;
    // (test, how many of the two must be strong)
    let passes: [(Test, u8); 6] = [
        (score, 2),
        (lenient_score, 2),
        (score, 1),
        (lenient_score, 1),
        (score, 0),
        (lenient_score, 0),
    ];
    for (test, strong_needed) in passes {
        for r in 0..rows.len() {
            // Best pairs first: a full date takes the full date, not a bare year.
            let mut candidates: Vec<(u32, usize, usize)> = Vec::new();
            for (k, &s) in open_s[r].iter().enumerate() {
                let sv = &source.figures[s.0][s.1].value;
                for (j, &t) in open_t[r].iter().enumerate() {
                    if u8::from(strong(source, s)) + u8::from(strong(target, t)) != strong_needed {
                        continue;
                    }
                    let sc = test(sv, &target.figures[t.0][t.1].value);
                    if sc > 0 {
                        candidates.push((sc, k, j));
                    }
                }
            }
            candidates.sort_by_key(|&(sc, k, j)| (std::cmp::Reverse(sc), k, j));
            let mut used_s = vec![false; open_s[r].len()];
            let mut used_t = vec![false; open_t[r].len()];
            for (_, k, j) in candidates {
                if used_s[k] || used_t[j] {
                    continue;
                }
                used_s[k] = true;
                used_t[j] = true;
                found(r, open_s[r][k], open_t[r][j], &mut out);
            }
            let mut k = 0;
            open_s[r].retain(|_| {
                k += 1;
                !used_s[k - 1]
            });
            let mut j = 0;
            open_t[r].retain(|_| {
                j += 1;
                !used_t[j - 1]
            });
        }
    }
    // Neighbouring rows, for paragraphs that did not line up.
    for test in [exact as fn(&Value, &Value) -> bool, lenient] {
        for r in 0..rows.len() {
            let mut k = 0;
            while k < open_s[r].len() {
                let s = open_s[r][k];
                let sv = &source.figures[s.0][s.1].value;
                let mut hit = None;
                for nr in [r.wrapping_sub(1), r + 1] {
                    if nr >= rows.len() {
                        continue;
                    }
                    if let Some(j) = open_t[nr]
                        .iter()
                        .position(|&t| test(sv, &target.figures[t.0][t.1].value))
                    {
                        hit = Some((nr, j));
                        break;
                    }
                }
                match hit {
                    Some((nr, j)) => {
                        let t = open_t[nr].remove(j);
                        open_s[r].remove(k);
                        found(r, s, t, &mut out);
                    }
                    None => k += 1,
                }
            }
        }
    }
    for r in 0..rows.len() {
        // Weak leftovers (small numbers in words) are never reported.
        open_s[r].retain(|&s| !source.figures[s.0][s.1].weak);
        open_t[r].retain(|&t| !target.figures[t.0][t.1].weak);
        // Changed: a leftover of the same kind, in order of appearance.
        let mut k = 0;
        while k < open_s[r].len() {
            let s = open_s[r][k];
            let sq = q(source, s);
            if let Some(j) = open_t[r]
                .iter()
                .position(|&t| class(&target.figures[t.0][t.1].value) == class(&sq.value))
            {
                let t = open_t[r].remove(j);
                open_s[r].remove(k);
                out.push(item(r, Verdict::Changed, source, Some(s), target, Some(t)));
            } else {
                k += 1;
            }
        }
        for &s in &open_s[r] {
            out.push(item(r, Verdict::Missing, source, Some(s), target, None));
        }
        for &t in &open_t[r] {
            out.push(item(r, Verdict::Added, source, None, target, Some(t)));
        }
    }
    sort(out)
}

/// Summaries and drafts: every figure written must be in the source.
fn compare_added(source: &Side<'_>, target: &Side<'_>, rows: &[Row]) -> Vec<FigureCheck> {
    let all_source: Vec<At> = (0..source.figures.len())
        .flat_map(|p| (0..source.figures[p].len()).map(move |i| (p, i)))
        .collect();
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for t in at_of(target, &row.target) {
            let tq = &target.figures[t.0][t.1];
            let hit = all_source
                .iter()
                .find(|&&s| exact(&source.figures[s.0][s.1].value, &tq.value))
                .or_else(|| {
                    all_source
                        .iter()
                        .find(|&&s| lenient(&source.figures[s.0][s.1].value, &tq.value))
                });
            match hit {
                Some(&s) => out.push(item(r, Verdict::Found, source, Some(s), target, Some(t))),
                None if !tq.weak => {
                    out.push(item(r, Verdict::Added, source, None, target, Some(t)))
                }
                None => {}
            }
        }
    }
    sort(out)
}

/// Row by row, in the order a reader meets the figures (source first).
fn sort(mut out: Vec<(usize, FigureCheck)>) -> Vec<FigureCheck> {
    let key = |f: &FigureCheck| {
        let s = f
            .source
            .as_ref()
            .map_or((usize::MAX, usize::MAX), |m| (m.paragraph, m.start));
        let t = f
            .target
            .as_ref()
            .map_or((usize::MAX, usize::MAX), |m| (m.paragraph, m.start));
        (s, t)
    };
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| key(&a.1).cmp(&key(&b.1))));
    out.into_iter().map(|(_, f)| f).collect()
}
