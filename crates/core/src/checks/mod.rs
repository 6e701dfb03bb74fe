//! What a reviewer is told: after every translation, summary, draft and
//! polish, and for any pair of files with `wenshu check`.
//!
//! Three checks, each reported paragraph by paragraph:
//! - **figures** ([`figures`], [`quantities`]): every figure, date, amount,
//!   percentage, time, ordinal and phone number of the source, compared by
//!   value and kind (二千四百四十萬元 = "$24.4 million"), found, changed or
//!   missing; and every figure of the output the source lacks (added);
//! - **official names** ([`terms`]): each name of the glossary (the user's
//!   and the bundled base glossary) found in the source, and whether its
//!   official rendering is in the output, an abbreviation being accepted once
//!   the full form has appeared;
//! - **script** ([`script`]): Simplified or non-HK characters in Traditional
//!   Chinese output, Chinese left untranslated in English output.
//!
//! Paragraphs are lined up first ([`align`]): one for one when the counts
//! agree, by length otherwise. Nothing here needs a model, so the same
//! report comes from the task runner, the batch job, the desktop app and
//! `wenshu check`, which only display it.

pub mod align;
mod figures;
pub mod files;
pub mod html;
mod numerals;
pub mod quantities;
pub mod reference;
pub mod script;
pub mod terms;

use std::fmt;

use serde::{Deserialize, Serialize};

pub(crate) use crate::text::lang::is_han;
use crate::text::Lang;
pub use align::Row;
pub use quantities::{Kind, Value};
pub use script::{ScriptIssue, ScriptKind};
pub use terms::{Glossary, TermCheck};

/// Version of the report's JSON shape.
pub const REPORT_VERSION: u32 = 1;

/// What was compared, which decides what may differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Every figure and official name must be carried over.
    Translation,
    /// Same language: every figure must be kept.
    Polish,
    /// May leave figures out; may not add or change one.
    Summary,
    /// Written from notes: a figure the notes lack is flagged.
    Draft,
}

/// The verdict on one checked item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Found,
    Changed,
    Missing,
    /// In the output, not in the source.
    Added,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::Changed => "changed",
            Self::Missing => "missing",
            Self::Added => "added",
        }
    }

    /// Whether a reviewer must look.
    pub fn is_flag(self) -> bool {
        self != Self::Found
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an item is: a paragraph of one side, in characters (not bytes),
/// and the text as written there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Paragraph index, from 0, on its side.
    pub paragraph: usize,
    /// Character offsets within the paragraph.
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Mention {
    /// From byte offsets in `paragraph_text`.
    pub(crate) fn new(paragraph_text: &str, paragraph: usize, start: usize, end: usize) -> Self {
        let start_chars = paragraph_text[..start].chars().count();
        let text = paragraph_text[start..end].to_string();
        Self {
            paragraph,
            start: start_chars,
            end: start_chars + text.chars().count(),
            text,
        }
    }
}

/// One figure's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureCheck {
    /// The aligned row it belongs to.
    pub row: usize,
    pub verdict: Verdict,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Mention>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Mention>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_value: Option<Value>,
}

impl FigureCheck {
    /// One line for a reviewer, e.g. `$24.4 million became $2.44 million`.
    pub fn message(&self) -> String {
        let text = |m: &Option<Mention>| m.as_ref().map_or(String::new(), |m| m.text.clone());
        let kind = self.kind.as_str();
        match self.verdict {
            Verdict::Found => format!(
                "{kind} {} kept as {}",
                text(&self.source),
                text(&self.target)
            ),
            Verdict::Changed => {
                let mut line = format!(
                    "{kind} {} became {}",
                    text(&self.source),
                    text(&self.target)
                );
                // "15,000 became 15,000" says nothing: name the currencies.
                if let (
                    Some(Value::Money { currency: a, .. }),
                    Some(Value::Money { currency: b, .. }),
                ) = (&self.source_value, &self.target_value)
                {
                    if a != b {
                        line.push_str(&format!(" ({} → {})", a.code(), b.code()));
                    }
                }
                line
            }
            Verdict::Missing => format!("{kind} {} is missing", text(&self.source)),
            Verdict::Added => format!("{kind} {} is not in the source", text(&self.target)),
        }
    }
}

/// Totals a reviewer reads first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub figures: usize,
    pub figures_found: usize,
    pub figures_changed: usize,
    pub figures_missing: usize,
    pub figures_added: usize,
    pub terms: usize,
    pub terms_found: usize,
    pub terms_missing: usize,
    /// Wrong variants of an official name in the output.
    #[serde(default)]
    pub terms_changed: usize,
    pub script: usize,
    /// Items a reviewer must look at.
    pub flagged: usize,
}

/// Everything checked in one source/output pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub version: u32,
    pub mode: Mode,
    pub source_lang: Lang,
    pub target_lang: Lang,
    /// Source and output paragraphs lined up.
    pub rows: Vec<Row>,
    pub figures: Vec<FigureCheck>,
    pub terms: Vec<TermCheck>,
    pub script: Vec<ScriptIssue>,
    pub counts: Counts,
}

impl CheckReport {
    /// Whether anything needs a reviewer.
    pub fn flagged(&self) -> bool {
        self.counts.flagged > 0
    }

    /// The totals in one line: figures by verdict, names, script, and how
    /// many items need a reviewer.
    pub fn summary_line(&self) -> String {
        let c = &self.counts;
        format!(
            "{} figure(s): {} found, {} changed, {} missing, {} added; {} official name(s): {} found, {} missing, {} written wrongly; {} script issue(s); {}",
            c.figures,
            c.figures_found,
            c.figures_changed,
            c.figures_missing,
            c.figures_added,
            c.terms,
            c.terms_found,
            c.terms_missing,
            c.terms_changed,
            c.script,
            if c.flagged == 0 {
                "nothing to review".to_string()
            } else {
                format!("{} to review", c.flagged)
            }
        )
    }

    /// One line per flagged item, for logs, warnings and reports.
    pub fn flag_messages(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .figures
            .iter()
            .filter(|f| f.verdict.is_flag())
            .map(FigureCheck::message)
            .collect();
        out.extend(
            self.terms
                .iter()
                .filter(|t| t.verdict.is_flag())
                .map(TermCheck::message),
        );
        out.extend(self.script.iter().map(ScriptIssue::message));
        out
    }

    /// The flagged figures' messages.
    pub fn figure_flags(&self) -> Vec<String> {
        self.figures
            .iter()
            .filter(|f| f.verdict.is_flag())
            .map(FigureCheck::message)
            .collect()
    }

    /// `source → rendering` for names whose rendering is missing.
    pub fn missing_terms(&self) -> Vec<String> {
        self.terms
            .iter()
            .filter(|t| t.verdict.is_flag())
            .map(|t| match (&t.target, t.verdict) {
                (Some(m), Verdict::Changed) => {
                    format!("{} → {} (not {})", t.source_term, t.target_term, m.text)
                }
                _ => format!("{} → {}", t.source_term, t.target_term),
            })
            .collect()
    }

    /// Items of one row, for showing paragraph by paragraph.
    pub fn row_items(&self, row: usize) -> RowItems<'_> {
        RowItems {
            figures: self.figures.iter().filter(|f| f.row == row).collect(),
            terms: self.terms.iter().filter(|t| t.row == row).collect(),
            script: self.script.iter().filter(|s| s.row == row).collect(),
        }
    }
}

/// The items of one aligned row.
pub struct RowItems<'a> {
    pub figures: Vec<&'a FigureCheck>,
    pub terms: Vec<&'a TermCheck>,
    pub script: Vec<&'a ScriptIssue>,
}

/// What to check and with which names.
pub struct CheckOptions<'g> {
    pub mode: Mode,
    pub source_lang: Lang,
    pub target_lang: Lang,
    /// Official names; `None` skips the name check.
    pub glossary: Option<&'g Glossary>,
}

impl<'g> CheckOptions<'g> {
    /// A translation check; languages are detected from the texts.
    pub fn translation(
        source: &[String],
        target: &[String],
        glossary: Option<&'g Glossary>,
    ) -> Self {
        Self {
            mode: Mode::Translation,
            source_lang: detect_all(source),
            target_lang: detect_all(target),
            glossary,
        }
    }
}

/// The language of a list of paragraphs.
pub fn detect_all(paragraphs: &[String]) -> Lang {
    let lang = crate::text::detect(&paragraphs.join("\n\n"));
    if lang.is_chinese() {
        Lang::ZhHant
    } else {
        lang
    }
}

/// Checks `target` (paragraphs of the output) against `source` (paragraphs
/// of the input).
pub fn check(source: &[String], target: &[String], opts: &CheckOptions<'_>) -> CheckReport {
    let rows = match opts.mode {
        Mode::Summary | Mode::Draft => {
            // A summary's points are not paragraph translations: each point
            // is its own row, checked against the whole source.
            let mut rows: Vec<Row> = target
                .iter()
                .enumerate()
                .map(|(i, _)| Row {
                    source: Vec::new(),
                    target: vec![i],
                })
                .collect();
            if rows.is_empty() {
                rows.push(Row {
                    source: (0..source.len()).collect(),
                    target: Vec::new(),
                });
            }
            rows
        }
        Mode::Translation | Mode::Polish => align::align(source, target),
    };
    let src = figures::Side::new(source);
    let tgt = figures::Side::new(target);
    let figures = figures::compare(opts.mode, &src, &tgt, &rows);
    let terms = match (opts.mode, opts.glossary) {
        (Mode::Translation, Some(g))
            if opts.source_lang.is_chinese() != opts.target_lang.is_chinese() =>
        {
            g.check(source, target, &rows, opts.source_lang.is_chinese())
        }
        _ => Vec::new(),
    };
    let script = script::check(target, &rows, opts.target_lang, opts.source_lang);
    let counts = counts(&figures, &terms, &script);
    CheckReport {
        version: REPORT_VERSION,
        mode: opts.mode,
        source_lang: opts.source_lang,
        target_lang: opts.target_lang,
        rows,
        figures,
        terms,
        script,
        counts,
    }
}

fn counts(figures: &[FigureCheck], terms: &[TermCheck], script: &[ScriptIssue]) -> Counts {
    let fig = |v: Verdict| figures.iter().filter(|f| f.verdict == v).count();
    let term = |v: Verdict| terms.iter().filter(|t| t.verdict == v).count();
    let c = Counts {
        figures: figures.len(),
        figures_found: fig(Verdict::Found),
        figures_changed: fig(Verdict::Changed),
        figures_missing: fig(Verdict::Missing),
        figures_added: fig(Verdict::Added),
        // Names checked; a wrong variant is counted apart.
        terms: terms
            .iter()
            .filter(|t| t.verdict != Verdict::Changed)
            .count(),
        terms_found: term(Verdict::Found),
        terms_missing: term(Verdict::Missing),
        terms_changed: term(Verdict::Changed),
        script: script.len(),
        flagged: 0,
    };
    Counts {
        flagged: c.figures_changed
            + c.figures_missing
            + c.figures_added
            + c.terms_missing
            + c.script,
        ..c
    }
}

/// A piece of a paragraph as shown to a reviewer: plain, or a checked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    /// `found`, `changed`, `missing`, `added` or `script`; `None` for plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark: Option<String>,
    /// What the item is, for a tooltip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One aligned row, each side's paragraphs cut into spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewRow {
    pub source: Vec<Vec<Span>>,
    pub target: Vec<Vec<Span>>,
    /// Messages of the row's flagged items.
    pub flags: Vec<String>,
}

impl CheckReport {
    /// Source and output side by side, row by row, with every checked item
    /// marked: what the HTML report and the desktop app show.
    pub fn view(&self, source: &[String], target: &[String]) -> Vec<ViewRow> {
        // (paragraph, start, end, mark, note) per side, in characters.
        let mut marks_s: Vec<Vec<(usize, usize, String, String)>> = vec![Vec::new(); source.len()];
        let mut marks_t: Vec<Vec<(usize, usize, String, String)>> = vec![Vec::new(); target.len()];
        let push = |marks: &mut Vec<Vec<(usize, usize, String, String)>>,
                    m: &Mention,
                    mark: &str,
                    note: String| {
            if let Some(list) = marks.get_mut(m.paragraph) {
                list.push((m.start, m.end, mark.to_string(), note));
            }
        };
        for f in &self.figures {
            let note = f.message();
            if let Some(m) = &f.source {
                push(&mut marks_s, m, f.verdict.as_str(), note.clone());
            }
            if let Some(m) = &f.target {
                push(&mut marks_t, m, f.verdict.as_str(), note);
            }
        }
        for t in &self.terms {
            let note = t.message();
            push(&mut marks_s, &t.source, t.verdict.as_str(), note.clone());
            if let Some(m) = &t.target {
                push(&mut marks_t, m, t.verdict.as_str(), note);
            }
        }
        for s in &self.script {
            push(&mut marks_t, &s.mention, "script", s.message());
        }
        let cut = |text: &str, marks: &mut Vec<(usize, usize, String, String)>| -> Vec<Span> {
            marks.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
            let chars: Vec<char> = text.chars().collect();
            let mut spans = Vec::new();
            let mut at = 0;
            for (start, end, mark, note) in marks.iter() {
                let (start, end) = ((*start).min(chars.len()), (*end).min(chars.len()));
                if start < at || start >= end {
                    continue; // overlaps one already shown
                }
                if start > at {
                    spans.push(Span {
                        text: chars[at..start].iter().collect(),
                        mark: None,
                        note: None,
                    });
                }
                spans.push(Span {
                    text: chars[start..end].iter().collect(),
                    mark: Some(mark.clone()),
                    note: Some(note.clone()),
                });
                at = end;
            }
            if at < chars.len() || spans.is_empty() {
                spans.push(Span {
                    text: chars[at..].iter().collect(),
                    mark: None,
                    note: None,
                });
            }
            spans
        };
        self.rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let items = self.row_items(r);
                let mut flags: Vec<String> = items
                    .figures
                    .iter()
                    .filter(|f| f.verdict.is_flag())
                    .map(|f| f.message())
                    .collect();
                flags.extend(
                    items
                        .terms
                        .iter()
                        .filter(|t| t.verdict.is_flag())
                        .map(|t| t.message()),
                );
                flags.extend(items.script.iter().map(|s| s.message()));
                ViewRow {
                    source: row
                        .source
                        .iter()
                        .filter_map(|&p| Some(cut(source.get(p)?, &mut marks_s[p])))
                        .collect(),
                    target: row
                        .target
                        .iter()
                        .filter_map(|&p| Some(cut(target.get(p)?, &mut marks_t[p])))
                        .collect(),
                    flags,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (kind, Chinese, English, Chinese changed, English changed): each a
    /// figure as the HK Government writes it in each language.
    const KINDS: &[(Kind, &str, &str, &str, &str)] = &[
        (Kind::Number, "1 300名", "1,300", "1 400名", "1,030"),
        (
            Kind::Number,
            "約4.2萬",
            "about 42 000",
            "約4.3萬",
            "about 4 200",
        ),
        (
            Kind::Money,
            "二千四百四十萬元",
            "$24.4 million",
            "二億四千四百萬元",
            "$2.44 million",
        ),
        (
            Kind::Money,
            "人民幣3億元",
            "RMB 300 million",
            "人民幣3,000萬元",
            "HK$300 million",
        ),
        (
            Kind::Percent,
            "百分之一點四",
            "1.4 per cent",
            "百分之四點一",
            "14 per cent",
        ),
        (Kind::Percent, "三成", "30 per cent", "四成", "3 per cent"),
        (
            Kind::Points,
            "0.3個百分點",
            "0.3 percentage point",
            "3個百分點",
            "0.3 per cent",
        ),
        (
            Kind::Date,
            "二零二五年十二月",
            "December 2025",
            "二零二五年十一月",
            "December 2024",
        ),
        (
            Kind::Date,
            "一月二十二日",
            "22 January",
            "一月二十三日",
            "22 June",
        ),
        (Kind::Time, "上午8時", "8am", "下午8時", "9am"),
        (Kind::Time, "下午3時30分", "3.30pm", "下午3時13分", "3.30am"),
        (
            Kind::Ordinal,
            "第二十三批",
            "the 23rd batch",
            "第三十二批",
            "the 22nd batch",
        ),
        (
            Kind::Year,
            "2024-25年度",
            "2024-25",
            "2023-24年度",
            "2025-26",
        ),
        (
            Kind::Phone,
            "2835 1234",
            "2835 1234",
            "2835 1243",
            "2853 1234",
        ),
    ];

    fn one(text: String) -> Vec<String> {
        vec![text]
    }

    fn zh(figure: &str) -> Vec<String> {
        one(format!("政府表示，有關數字為{figure}，並會定期公布。"))
    }

    fn en(figure: &str) -> Vec<String> {
        one(format!(
            "The Government said the figure was {figure} and would publish it regularly."
        ))
    }

    fn run(source: &[String], target: &[String]) -> CheckReport {
        check(
            source,
            target,
            &CheckOptions::translation(source, target, None),
        )
    }

    #[test]
    fn each_kind_is_found_when_right_in_either_direction() {
        for &(kind, z, e, _, _) in KINDS {
            for report in [run(&zh(z), &en(e)), run(&en(e), &zh(z))] {
                assert!(!report.flagged(), "{z} / {e}: {:?}", report.flag_messages());
                assert!(
                    report
                        .figures
                        .iter()
                        .any(|f| f.verdict == Verdict::Found
                            && (f.kind == kind || kind == Kind::Year)),
                    "{z} / {e}: {:?}",
                    report.figures
                );
            }
        }
    }

    #[test]
    fn a_changed_currency_with_the_same_digits_names_both_currencies() {
        // The instruct model's "月薪介乎15,000至25,000元" → "between 15,000 and 25,000 yuan".
        let report = run(
            &one("月薪介乎15,000至25,000元。".into()),
            &one("Monthly salaries range from 15,000 to 25,000 yuan.".into()),
        );
        let messages = report.flag_messages();
        assert!(
            messages
                .iter()
                .any(|m| m == "amount 25,000元 became 25,000 yuan (HKD → CNY)"),
            "{messages:?}"
        );
        assert!(
            messages.iter().all(|m| !m.ends_with("became 15,000")),
            "{messages:?}"
        );
    }

    #[test]
    fn each_kind_changed_is_reported_with_both_values_in_either_direction() {
        for &(_, z, e, z2, e2) in KINDS {
            for (report, before, after) in
                [(run(&zh(z), &en(e2)), z, e2), (run(&en(e), &zh(z2)), e, z2)]
            {
                let from =
                    |m: &Option<Mention>| m.as_ref().is_some_and(|m| before.contains(&m.text));
                let to = |m: &Option<Mention>| m.as_ref().is_some_and(|m| after.contains(&m.text));
                let changed = report
                    .figures
                    .iter()
                    .find(|f| f.verdict == Verdict::Changed && from(&f.source) && to(&f.target));
                match changed {
                    Some(f) => {
                        let m = f.message();
                        assert!(m.contains("became"), "{m}");
                        assert!(f.source_value.is_some() && f.target_value.is_some());
                    }
                    // A kind swapped (percentage for points) shows as missing + added.
                    None => {
                        let missing = report
                            .figures
                            .iter()
                            .any(|f| f.verdict == Verdict::Missing && from(&f.source));
                        let added = report
                            .figures
                            .iter()
                            .any(|f| f.verdict == Verdict::Added && to(&f.target));
                        assert!(
                            missing && added,
                            "{before} → {after}: {:?}",
                            report.flag_messages()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn each_kind_dropped_is_reported_missing_in_either_direction() {
        for &(_, z, e, _, _) in KINDS {
            for (report, figure) in [
                (run(&zh(z), &en("not yet known")), z),
                (run(&en(e), &zh("尚待確定")), e),
            ] {
                assert!(
                    report.figures.iter().any(|f| f.verdict == Verdict::Missing
                        && f.source
                            .as_ref()
                            .is_some_and(|m| figure.contains(&m.text) || m.text.contains(figure))),
                    "{figure}: {:?}",
                    report.flag_messages()
                );
            }
        }
    }

    #[test]
    fn a_figure_the_translation_invents_is_reported_added() {
        let report = run(
            &zh("1 300名"),
            &one("The Government said the figure was 1,300, or 2.5 per cent.".into()),
        );
        assert_eq!(
            report.counts.figures_added,
            1,
            "{:?}",
            report.flag_messages()
        );
        assert!(report.flag_messages()[0].contains("2.5 per cent is not in the source"));
    }
}
