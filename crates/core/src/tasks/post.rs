//! What happens to generated text between the engine and the user: Hong Kong
//! Traditional conversion, line handling, and key-point citations.
//!
//! Everything here works on the stream, so the pieces a user sees while the
//! model writes concatenate to exactly the text stored in the result. OpenCC's
//! phrase conversion must not be cut inside a phrase, so Chinese text is
//! converted a clause at a time (phrases never span 。！？； or a newline).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::KeyPoint;
use crate::text::zh;

/// Buffers text and releases it a clause at a time, converted to Hong Kong
/// Traditional when `convert` is set.
pub(crate) struct ClauseBuffer {
    convert: bool,
    pending: String,
}

/// Longest stretch held back when no clause end arrives (a run-on line).
const MAX_PENDING_CHARS: usize = 160;

impl ClauseBuffer {
    pub(crate) fn new(convert: bool) -> Self {
        Self {
            convert,
            pending: String::new(),
        }
    }

    /// Adds generated text; returns what is ready to show.
    pub(crate) fn push(&mut self, piece: &str) -> String {
        if !self.convert {
            return piece.to_string();
        }
        self.pending.push_str(piece);
        let cut = self
            .pending
            .char_indices()
            .rev()
            .find(|(_, c)| matches!(c, '。' | '！' | '？' | '；' | '\n' | '!' | '?' | ';'))
            .map(|(i, c)| i + c.len_utf8());
        let cut = match cut {
            Some(cut) => cut,
            None if self.pending.chars().count() > MAX_PENDING_CHARS => {
                // No clause end in sight: release up to the last comma so the
                // user still sees progress.
                match self.pending.rfind(['，', ',', '、']) {
                    Some(i) => i + self.pending[i..].chars().next().map_or(1, char::len_utf8),
                    None => return String::new(),
                }
            }
            None => return String::new(),
        };
        let ready: String = self.pending.drain(..cut).collect();
        zh::to_hk_traditional(&ready)
    }

    /// Releases everything still held.
    pub(crate) fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        if self.convert {
            zh::to_hk_traditional(&rest)
        } else {
            rest
        }
    }
}

/// Removes Markdown that instruct models add to plain documents: `**` and
/// `__` emphasis marks anywhere, and `#` heading marks at the start of a
/// line. Official documents are plain text (and .docx): a civil servant
/// must never find `**事由**` in a memo. Streaming: a trailing run of `*` or
/// `_`, or a line start of `#`s, is held until the next piece shows what it
/// is.
#[derive(Debug)]
pub(crate) struct PlainText {
    pending: String,
    line_start: bool,
}

impl Default for PlainText {
    fn default() -> Self {
        Self {
            pending: String::new(),
            line_start: true,
        }
    }
}

fn strip_emphasis(text: &str) -> String {
    text.replace("**", "").replace("__", "")
}

impl PlainText {
    /// Adds generated text; returns what is ready to show.
    pub(crate) fn push(&mut self, piece: &str) -> String {
        self.pending.push_str(piece);
        let mut out = String::new();
        loop {
            if self.line_start {
                let rest = self.pending.trim_start_matches('#');
                if rest.len() < self.pending.len() {
                    let after = rest.trim_start_matches(' ');
                    if after.is_empty() {
                        return out; // "##" or "## " so far: wait
                    }
                    if after.len() < rest.len() {
                        self.pending = after.to_string();
                    }
                }
                if self.pending.is_empty() {
                    return out;
                }
                self.line_start = false;
            }
            match self.pending.find('\n') {
                Some(i) => {
                    let line: String = self.pending.drain(..=i).collect();
                    out.push_str(&strip_emphasis(&line));
                    self.line_start = true;
                }
                None => {
                    let held = self.pending.len() - self.pending.trim_end_matches(['*', '_']).len();
                    let ready: String = self.pending.drain(..self.pending.len() - held).collect();
                    out.push_str(&strip_emphasis(&ready));
                    return out;
                }
            }
        }
    }

    /// Releases everything still held.
    pub(crate) fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        if self.line_start && rest.trim_start_matches(['#', ' ']).is_empty() {
            return String::new();
        }
        strip_emphasis(&rest)
    }
}

/// Splits streamed text into complete lines.
#[derive(Default)]
pub(crate) struct LineBuffer {
    pending: String,
}

impl LineBuffer {
    /// Adds text; returns the lines it completed (without their newline).
    pub(crate) fn push(&mut self, piece: &str) -> Vec<String> {
        self.pending.push_str(piece);
        let mut lines = Vec::new();
        while let Some(i) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=i).collect();
            lines.push(line.trim_end_matches(['\n', '\r']).to_string());
        }
        lines
    }

    /// The unfinished last line, if any.
    pub(crate) fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.pending);
        (!rest.trim().is_empty()).then_some(rest)
    }
}

static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \s*[\[［(（]\s*
        (?:第|paras?\.?|paragraphs?|¶)?\s*
        (?P<nums>\d+(?:\s*(?:[,，、\-–]|and|和|及|至)\s*\d+)*)
        \s*(?:段)?\s*[\]］)）]\s*[。.]?\s*$",
    )
    .expect("citation pattern is valid")
});

static LEADING_CITATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[\[［]\s*(?P<nums>\d+(?:\s*[,，、]\s*\d+)*)\s*[\]］]\s*")
        .expect("leading citation pattern is valid")
});

static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-*•·‧●▪]|\d+[.)、]|[（(]\d+[)）])\s*").expect("bullet pattern is valid")
});

/// Turns one generated summary line into a key point with checked citations.
///
/// Citations the model wrote are kept when they name real paragraphs; when
/// none is valid, the paragraph sharing the most words or character pairs
/// with the point is cited instead. Returns `None` for lines with no content.
pub(crate) fn key_point(line: &str, paragraphs: &[String]) -> Option<KeyPoint> {
    let plain = strip_emphasis(line.trim());
    let body = BULLET.replace(&plain, "");
    // Small models sometimes put the citation first: "[2] 要點".
    let mut leading = Vec::new();
    let body = match LEADING_CITATION.captures(&body) {
        Some(caps) => {
            leading = parse_numbers(&caps["nums"]);
            body[caps.get(0).map_or(0, |m| m.end())..].to_string()
        }
        None => body.into_owned(),
    };
    let (text, mut cited) = match CITATION.captures(&body) {
        Some(caps) => {
            let whole = caps.get(0).map_or(body.len(), |m| m.start());
            let nums = parse_numbers(&caps["nums"]);
            (body[..whole].trim().to_string(), nums)
        }
        None => (body.trim().to_string(), Vec::new()),
    };
    cited.extend(leading);
    // A repeated header ("Key points:", "要點：") is not a point.
    if cited.is_empty() && (text.ends_with(':') || text.ends_with('：')) {
        return None;
    }
    let text = text.trim_end_matches(['，', ',', '；', ';']).to_string();
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return None;
    }
    let mut valid: Vec<usize> = cited
        .into_iter()
        .filter(|n| (1..=paragraphs.len()).contains(n))
        .collect();
    valid.sort_unstable();
    valid.dedup();
    if valid.is_empty() {
        if let Some(best) = best_overlap(&text, paragraphs) {
            valid.push(best);
        }
    }
    Some(KeyPoint {
        text,
        paragraphs: valid,
    })
}

/// The line a key point is shown as.
pub(crate) fn format_point(point: &KeyPoint) -> String {
    if point.paragraphs.is_empty() {
        format!("- {}", point.text)
    } else {
        let nums: Vec<String> = point.paragraphs.iter().map(|n| n.to_string()).collect();
        format!("- {} [{}]", point.text, nums.join(", "))
    }
}

fn parse_numbers(spec: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    let mut range = false;
    let mut digits = String::new();
    let flush = |digits: &mut String,
                 out: &mut Vec<usize>,
                 last: &mut Option<usize>,
                 range: &mut bool| {
        if let Ok(n) = digits.parse::<usize>() {
            match (*range, *last) {
                // "2-4" means 2, 3, 4; cap the span so "1-9999" cannot blow up.
                (true, Some(start)) if n > start && n - start <= 50 => out.extend(start + 1..=n),
                _ => out.push(n),
            }
            *last = Some(n);
        }
        digits.clear();
        *range = false;
    };
    for c in spec.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            let was_range = matches!(c, '-' | '–' | '至');
            flush(&mut digits, &mut out, &mut last, &mut range);
            range = was_range || range;
        }
    }
    flush(&mut digits, &mut out, &mut last, &mut range);
    out
}

fn features(text: &str) -> HashSet<String> {
    let mut set = HashSet::new();
    let chars: Vec<char> = text.chars().collect();
    for pair in chars.windows(2) {
        if pair.iter().all(|c| is_han(*c)) {
            set.insert(pair.iter().collect());
        }
    }
    for word in text
        .split(|c: char| !c.is_alphanumeric() || is_han(c))
        .filter(|w| {
            w.chars().count() >= 3 || w.chars().all(|c| c.is_ascii_digit()) && !w.is_empty()
        })
    {
        set.insert(word.to_lowercase());
    }
    set
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn best_overlap(point: &str, paragraphs: &[String]) -> Option<usize> {
    // Compare in one script so a Simplified point still matches Traditional text.
    let point = features(&zh::to_traditional(point));
    if point.is_empty() {
        return None;
    }
    paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let para = features(&zh::to_traditional(p));
            (i + 1, point.intersection(&para).count())
        })
        .filter(|&(_, shared)| shared > 0)
        // Ties go to the earlier paragraph: max_by_key keeps the last maximum.
        .max_by_key(|&(i, shared)| (shared, std::cmp::Reverse(i)))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_emphasis_and_headings_are_removed_however_the_stream_splits_them() {
        let raw =
            "## 便箋\n\n**由：** 總行政主任\n事由：**消防演習**（第1次）\n# \n2 * 3 = 6, a_b\n";
        let want = "便箋\n\n由： 總行政主任\n事由：消防演習（第1次）\n\n2 * 3 = 6, a_b\n";
        // Whole, one character at a time, and in pieces of every size.
        for size in 1..=raw.chars().count() {
            let chars: Vec<char> = raw.chars().collect();
            let mut filter = PlainText::default();
            let mut out = String::new();
            for chunk in chars.chunks(size) {
                out.push_str(&filter.push(&chunk.iter().collect::<String>()));
            }
            out.push_str(&filter.finish());
            assert_eq!(out, want, "pieces of {size}");
        }
        let point = key_point(
            "- **新巴士路線**於2月3日通車 [1]",
            &["新巴士路線於2月3日通車".into()],
        )
        .unwrap();
        assert_eq!(point.text, "新巴士路線於2月3日通車");
    }

    fn paras() -> Vec<String> {
        vec![
            "房屋署今日宣布，公屋輪候時間為5.6年。".to_string(),
            "運輸署將於十二月起延長巴士路線。".to_string(),
            "The Environmental Protection Department will open two recycling stations.".to_string(),
        ]
    }

    #[test]
    fn a_valid_citation_written_by_the_model_is_kept() {
        let p = key_point("- 公屋輪候時間為5.6年 [1]", &paras()).unwrap();
        assert_eq!(p.text, "公屋輪候時間為5.6年");
        assert_eq!(p.paragraphs, vec![1]);
    }

    #[test]
    fn chinese_style_citations_and_ranges_are_understood() {
        let p = key_point("2. 延長巴士路線（第1至3段）", &paras()).unwrap();
        assert_eq!(p.paragraphs, vec![1, 2, 3]);
        assert_eq!(p.text, "延長巴士路線");
    }

    #[test]
    fn an_out_of_range_citation_is_replaced_by_the_best_matching_paragraph() {
        let p = key_point("- 運輸署延長巴士路線 [9]", &paras()).unwrap();
        assert_eq!(p.paragraphs, vec![2]);
    }

    #[test]
    fn a_missing_citation_is_found_by_overlap_even_across_scripts() {
        let p = key_point("- 运输署延长巴士路线", &paras()).unwrap();
        assert_eq!(p.paragraphs, vec![2]);
        let p = key_point("* two recycling stations will open", &paras()).unwrap();
        assert_eq!(p.paragraphs, vec![3]);
    }

    #[test]
    fn a_point_that_matches_nothing_has_no_citation_rather_than_an_invented_one() {
        let p = key_point("- 天氣晴朗", &paras()).unwrap();
        assert!(p.paragraphs.is_empty());
        assert_eq!(format_point(&p), "- 天氣晴朗");
    }

    #[test]
    fn a_citation_written_before_the_point_is_moved_to_the_end() {
        let p = key_point("- [2] 運輸署延長巴士路線", &paras()).unwrap();
        assert_eq!(p.text, "運輸署延長巴士路線");
        assert_eq!(p.paragraphs, vec![2]);
        assert_eq!(format_point(&p), "- 運輸署延長巴士路線 [2]");
    }

    #[test]
    fn lines_without_content_are_not_key_points() {
        assert!(key_point("- ", &paras()).is_none());
        assert!(key_point("[1]", &paras()).is_none());
        assert!(key_point("- Key points:", &paras()).is_none());
        assert!(key_point("要點：", &paras()).is_none());
    }

    #[test]
    fn clause_buffer_output_equals_whole_text_conversion() {
        let text = "政府今日公布新措施。我们将于下月推出计划！详情请浏览网站\n第二行";
        let mut buffer = ClauseBuffer::new(true);
        let mut out = String::new();
        for c in text.chars() {
            out.push_str(&buffer.push(&c.to_string()));
        }
        out.push_str(&buffer.finish());
        assert_eq!(out, zh::to_hk_traditional(text));
        assert!(out.contains("我們將於下月推出計劃"));
    }

    #[test]
    fn line_buffer_returns_complete_lines_and_the_tail() {
        let mut lines = LineBuffer::default();
        assert!(lines.push("- 第一").is_empty());
        assert_eq!(
            lines.push("點\n- 第二點\n- 第"),
            vec!["- 第一點", "- 第二點"]
        );
        assert_eq!(lines.finish().as_deref(), Some("- 第"));
    }
}
