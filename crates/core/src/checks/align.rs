//! Lining up source and output paragraphs.
//!
//! Wenshu's own translations keep one output paragraph per input paragraph,
//! so the usual case is one for one. A translation from elsewhere may merge
//! two paragraphs or split one; then paragraphs are aligned by length, in
//! the manner of Gale and Church: a dynamic programme over one-to-one,
//! two-to-one, one-to-two, one-to-nothing and nothing-to-one steps, where a
//! step costs how far its lengths are from the document's overall ratio.

use serde::{Deserialize, Serialize};

/// Source paragraphs and the output paragraphs that translate them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub source: Vec<usize>,
    pub target: Vec<usize>,
}

/// Rows covering every paragraph of both sides, in order.
pub fn align(source: &[String], target: &[String]) -> Vec<Row> {
    if source.len() == target.len() {
        return (0..source.len())
            .map(|i| Row {
                source: vec![i],
                target: vec![i],
            })
            .collect();
    }
    let len = |p: &String| p.chars().filter(|c| !c.is_whitespace()).count() as f64;
    let ls: Vec<f64> = source.iter().map(len).collect();
    let lt: Vec<f64> = target.iter().map(len).collect();
    let ratio = (lt.iter().sum::<f64>() + 1.0) / (ls.iter().sum::<f64>() + 1.0);
    let cost = |s: f64, t: f64| ((t + 1.0) / (s * ratio + 1.0)).ln().abs();
    let (n, m) = (source.len(), target.len());
    const SKIP: f64 = 3.0;
    const MERGE: f64 = 0.4;
    // Only cells near the diagonal are considered: a translation does not
    // drift far from its source, and a 300-page document stays cheap.
    let width = n.abs_diff(m) + 20;
    let band = |i: usize| -> (usize, usize) {
        let centre = (i * m).checked_div(n).unwrap_or(0);
        (centre.saturating_sub(width), (centre + width).min(m))
    };
    let mut best: Vec<Vec<f64>> = (0..=n)
        .map(|i| {
            let (lo, hi) = band(i);
            vec![f64::INFINITY; hi - lo + 1]
        })
        .collect();
    let mut step: Vec<Vec<(u8, u8)>> = best.iter().map(|r| vec![(0, 0); r.len()]).collect();
    let cell = |i: usize, j: usize| -> Option<usize> {
        let (lo, hi) = band(i);
        (j >= lo && j <= hi).then(|| j - lo)
    };
    if let Some(k) = cell(0, 0) {
        best[0][k] = 0.0;
    }
    for i in 0..=n {
        let (lo, hi) = band(i);
        for j in lo..=hi {
            let here = best[i][j - lo];
            if !here.is_finite() {
                continue;
            }
            let mut relax = |di: usize, dj: usize, c: f64| {
                let (ni, nj) = (i + di, j + dj);
                if ni > n || nj > m {
                    return;
                }
                if let Some(k) = cell(ni, nj) {
                    if here + c < best[ni][k] {
                        best[ni][k] = here + c;
                        step[ni][k] = (di as u8, dj as u8);
                    }
                }
            };
            if i < n && j < m {
                relax(1, 1, cost(ls[i], lt[j]));
            }
            if i + 1 < n && j < m {
                relax(2, 1, MERGE + cost(ls[i] + ls[i + 1], lt[j]));
            }
            if i < n && j + 1 < m {
                relax(1, 2, MERGE + cost(ls[i], lt[j] + lt[j + 1]));
            }
            relax(1, 0, SKIP);
            relax(0, 1, SKIP);
        }
    }
    let mut rows = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let Some(k) = cell(i, j) else { break };
        let (di, dj) = step[i][k];
        let (di, dj) = (di as usize, dj as usize);
        if di == 0 && dj == 0 {
            break;
        }
        rows.push(Row {
            source: (i - di..i).collect(),
            target: (j - dj..j).collect(),
        });
        i -= di;
        j -= dj;
    }
    rows.reverse();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn equal_counts_align_one_for_one() {
        let rows = align(&s(&["a", "b"]), &s(&["x", "y"]));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].source, vec![1]);
        assert_eq!(rows[1].target, vec![1]);
    }

    #[test]
    fn a_merged_translation_pairs_two_paragraphs_with_one() {
        let source = s(&[
            &"a".repeat(100),
            &"b".repeat(40),
            &"c".repeat(45),
            &"d".repeat(120),
        ]);
        let target = s(&[&"w".repeat(210), &"x".repeat(170), &"z".repeat(250)]);
        let rows = align(&source, &target);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(rows[1].source, vec![1, 2]);
        assert_eq!(rows[1].target, vec![1]);
    }
}
