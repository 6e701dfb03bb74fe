//! Paragraphs, sentences, and packing them into token budgets.
//!
//! Paragraphs are the unit users see and count; sentences are where a long
//! paragraph may be cut when it does not fit the model's context. Nothing
//! here drops or reorders text: sentences are slices that concatenate back
//! to their paragraph, and chunks join back to the pieces they were made of.

use std::collections::BTreeSet;

use unicode_segmentation::UnicodeSegmentation;

/// Paragraphs of a plain text, separated by one or more blank lines. If the
/// text has no blank line but several non-empty lines, each line is a
/// paragraph (Chinese documents are often written that way). Paragraphs are
/// trimmed and empty ones dropped; single newlines inside a paragraph stay.
pub fn paragraphs(text: &str) -> Vec<String> {
    let text = text
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    // `trim` knows Unicode spaces, so a line of full-width spaces is blank too.
    let is_blank = |line: &&str| line.trim().is_empty();
    let (Some(first), Some(last)) = (
        lines.iter().position(|l| !is_blank(l)),
        lines.iter().rposition(|l| !is_blank(l)),
    ) else {
        return Vec::new();
    };
    let body = &lines[first..=last];
    if !body.iter().any(is_blank) {
        return body.iter().map(|l| l.trim().to_string()).collect();
    }
    body.split(is_blank)
        .filter(|group| !group.is_empty())
        .map(|group| group.join("\n").trim().to_string())
        .collect()
}

/// Marks that end a Chinese sentence on their own.
fn is_chinese_stop(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；')
}

fn is_ellipsis(c: char) -> bool {
    matches!(c, '…' | '⋯')
}

/// Closing brackets and quotes, which stay with the sentence they close.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '」' | '』' | '）' | '》' | '〉' | '】' | '〕' | '”' | '’' | ')' | ']'
    )
}

/// Opening brackets and quotes, which go with the sentence they open.
fn is_opener(c: char) -> bool {
    matches!(
        c,
        '「' | '『' | '（' | '《' | '〈' | '【' | '〔' | '“' | '‘' | '(' | '['
    )
}

/// Byte offsets of the straight double quotes that open a quotation: those
/// preceded by an even number of `"` on their line.
fn opening_straight_quotes(text: &str) -> Vec<usize> {
    let mut opening = Vec::new();
    let mut open = false;
    for (i, c) in text.char_indices() {
        match c {
            '\n' => open = false,
            '"' => {
                if !open {
                    opening.push(i);
                }
                open = !open;
            }
            _ => {}
        }
    }
    opening
}

/// Sentences of a paragraph, as slices of it, in order; concatenating them
/// gives the input back exactly, and empty input gives none.
///
/// Chinese sentences end after 。！？； and after an ellipsis (… ⋯, any run,
/// when the character before it is not ASCII), together with any further
/// such marks, closing brackets or quotes right after (」』）” and a closing
/// `"`) and the whitespace that follows. Elsewhere Unicode sentence
/// boundaries apply (UAX #29), moved so that an opening bracket or quote
/// starts the next sentence instead of ending the previous one.
pub fn sentences(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    let opening_quotes = opening_straight_quotes(text);
    let opens = |at: usize, c: char| {
        is_opener(c) || (c == '"' && opening_quotes.binary_search(&at).is_ok())
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut cuts = BTreeSet::new();
    // Spans from a Chinese stop to its cut, inside which UAX #29 may not cut
    // (it would split 。」 or ！？ differently).
    let mut glued: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        let ends = is_chinese_stop(c) || (is_ellipsis(c) && (k == 0 || !chars[k - 1].1.is_ascii()));
        if !ends {
            k += 1;
            continue;
        }
        let mut j = k + 1;
        while let Some(&(i, d)) = chars.get(j) {
            let belongs = is_chinese_stop(d)
                || is_ellipsis(d)
                || matches!(d, '!' | '?')
                || is_closer(d)
                || (d == '"' && !opens(i, d));
            if !belongs {
                break;
            }
            j += 1;
        }
        while chars.get(j).is_some_and(|&(_, d)| d.is_whitespace()) {
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |&(i, _)| i);
        glued.push((at, end));
        if end < text.len() {
            cuts.insert(end);
        }
        k = j.max(k + 1);
    }
    let mut offset = 0;
    for piece in text.split_sentence_bounds() {
        let start = offset;
        offset += piece.len();
        if offset >= text.len() {
            break;
        }
        let mut cut = offset;
        while let Some(c) = text[start..cut].chars().next_back() {
            if !opens(cut - c.len_utf8(), c) {
                break;
            }
            cut -= c.len_utf8();
        }
        // `glued` is sorted by start; find the last span starting before the cut.
        let inside_glued = match glued.partition_point(|&(a, _)| a < cut) {
            0 => false,
            n => cut < glued[n - 1].1,
        };
        if cut > start && !inside_glued {
            cuts.insert(cut);
        }
    }
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts {
        if cut > from {
            out.push(&text[from..cut]);
            from = cut;
        }
    }
    out.push(&text[from..]);
    out
}

/// A run of consecutive pieces packed to fit a budget, or one part of a
/// piece too long to fit on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The pieces' text joined with the separator (or the part of one piece).
    pub text: String,
    /// Index of the first piece in the chunk (for a part: the piece it is from).
    pub first_piece: usize,
    /// How many pieces the chunk covers; 1 for a part of a split piece.
    pub n_pieces: usize,
    /// Cost of `text` as the cost function measured it.
    pub cost: usize,
    /// Whether this is one part of a piece that had to be split; the parts of
    /// one piece are consecutive and join back to it with nothing between.
    pub split: bool,
}

/// Packs `pieces` (paragraphs or sentences) greedily, in order, into chunks
/// whose text (pieces joined with `sep`) costs at most `budget` as measured
/// by `cost`, e.g. a model's token count; measuring the joined text counts
/// the separator too.
///
/// A piece that alone exceeds the budget is split: by [`sentences`] first,
/// and a sentence still too long by characters, never inside a UTF-8
/// character or (unless one is over budget) a grapheme, preferring a break
/// after whitespace or punctuation. Its parts become consecutive chunks
/// marked `split`, each with `first_piece` = that piece and `n_pieces` = 1.
/// No chunk exceeds the budget unless a single character does. Nothing is
/// dropped: joining the chunks with `sep`, but parts of the same piece with
/// nothing, gives back `pieces.join(sep)`.
pub fn chunk_by_budget(
    pieces: &[&str],
    sep: &str,
    budget: usize,
    cost: &mut dyn FnMut(&str) -> usize,
) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut current: Option<Chunk> = None;
    for (index, &piece) in pieces.iter().enumerate() {
        if let Some(chunk) = current.as_mut() {
            let joined = format!("{}{sep}{piece}", chunk.text);
            // Measured whole rather than summed: tokenizers merge across the join.
            let joined_cost = cost(&joined);
            if joined_cost <= budget {
                chunk.text = joined;
                chunk.n_pieces += 1;
                chunk.cost = joined_cost;
                continue;
            }
            chunks.extend(current.take());
        }
        let piece_cost = cost(piece);
        if piece_cost <= budget {
            current = Some(Chunk {
                text: piece.to_string(),
                first_piece: index,
                n_pieces: 1,
                cost: piece_cost,
                split: false,
            });
            continue;
        }
        for part in split_piece(piece, budget, cost) {
            let part_cost = cost(&part);
            chunks.push(Chunk {
                text: part,
                first_piece: index,
                n_pieces: 1,
                cost: part_cost,
                split: true,
            });
        }
    }
    chunks.extend(current);
    chunks
}

/// Splits one over-budget piece into consecutive parts that fit where
/// possible: whole sentences packed greedily, over-long sentences by characters.
fn split_piece(piece: &str, budget: usize, cost: &mut dyn FnMut(&str) -> usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for sentence in sentences(piece) {
        let candidate = format!("{current}{sentence}");
        if cost(&candidate) <= budget {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        if cost(sentence) <= budget {
            current = sentence.to_string();
        } else {
            let mut pieces = split_by_characters(sentence, budget, cost);
            // The last part may still have room for the next sentence.
            current = pieces.pop().unwrap_or_default();
            parts.append(&mut pieces);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Where a text may be cut more gracefully than mid-word: after whitespace or
/// punctuation that separates clauses.
fn is_soft_break(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '，' | '、'
                | '；'
                | '：'
                | '。'
                | '！'
                | '？'
                | ','
                | ';'
                | ':'
                | '.'
                | '!'
                | '?'
                | '」'
                | '）'
                | ')'
                | '-'
                | '/'
        )
}

/// Splits a text longer than the budget into parts that fit: the longest
/// prefix that fits (binary search over grapheme boundaries, assuming cost
/// grows with length), shortened to its last soft break if that keeps at
/// least half of it. A part is never empty, so this always ends.
fn split_by_characters(
    text: &str,
    budget: usize,
    cost: &mut dyn FnMut(&str) -> usize,
) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if cost(rest) <= budget {
            parts.push(rest.to_string());
            break;
        }
        let ends = |starts: &mut dyn Iterator<Item = usize>| -> Vec<usize> {
            starts.skip(1).chain([rest.len()]).collect()
        };
        let mut bounds = ends(&mut rest.grapheme_indices(true).map(|(i, _)| i));
        if cost(&rest[..bounds[0]]) > budget {
            // Not even one grapheme fits (a tiny budget, or a long run of
            // combining marks): fall back to single characters.
            bounds = ends(&mut rest.char_indices().map(|(i, _)| i));
        }
        let (mut lo, mut hi) = (0, bounds.len() - 1);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if cost(&rest[..bounds[mid]]) <= budget {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let mut end = bounds[lo];
        let soft = rest[..end]
            .char_indices()
            .rev()
            .filter(|&(_, c)| is_soft_break(c))
            .map(|(i, c)| i + c.len_utf8())
            .find(|&i| i * 2 >= end);
        if let Some(soft) = soft {
            end = soft;
        }
        parts.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Joins chunks back the documented way: `sep` between chunks, nothing
    /// between parts of one split piece.
    fn rejoin(chunks: &[Chunk], sep: &str) -> String {
        let mut out = String::new();
        for (k, chunk) in chunks.iter().enumerate() {
            let same_piece = k > 0
                && chunk.split
                && chunks[k - 1].split
                && chunks[k - 1].first_piece == chunk.first_piece;
            if k > 0 && !same_piece {
                out.push_str(sep);
            }
            out.push_str(&chunk.text);
        }
        out
    }

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    const ZH_PARAGRAPH: &str = "發展局今日向立法會發展事務委員會匯報北部都會區的最新進展，局方表示首批土地將於2026年11月24日推出招標。\
房屋署補充，公屋一般申請者的平均輪候時間為5.3年；當局會繼續增加過渡性房屋供應！\
綜援標準金額為每月$3,500，詳情請瀏覽www.info.gov.hk或致電2835 1234查詢……市民如有疑問，可於上午10:30至下午5:30親臨各區辦事處。";

    const EN_PARAGRAPH: &str =
        "The Development Bureau briefed the Legislative Council Panel on Development \
today on the progress of the Northern Metropolis. The first batch of sites will be tendered on \
24 November 2026. The Housing Department added that the average waiting time for general \
applicants was 5.3 years, and that transitional housing supply would continue to increase. \
Details are available at www.info.gov.hk.";

    #[test]
    fn blank_lines_separate_paragraphs_and_inner_newlines_stay() {
        let text =
            "\u{feff}  第一段第一行\n第一段第二行\n\n\n第二段。\r\n \r\n\u{3000}\u{3000}第三段  \n";
        assert_eq!(
            paragraphs(text),
            vec!["第一段第一行\n第一段第二行", "第二段。", "第三段"]
        );
    }

    #[test]
    fn without_blank_lines_each_line_is_a_paragraph() {
        assert_eq!(
            paragraphs("\n一、背景\n  二、建議\n三、財務影響\n\n"),
            vec!["一、背景", "二、建議", "三、財務影響"]
        );
    }

    #[test]
    fn empty_and_blank_texts_have_no_paragraphs() {
        assert!(paragraphs("").is_empty());
        assert!(paragraphs("  \n \u{3000}\n\t").is_empty());
    }

    #[test]
    fn chinese_sentences_end_at_stops_and_keep_closing_quotes() {
        let text = "署方表示：「計劃已完成。」市民可於網上申請！你會否申請？請考慮；然後……再決定。";
        assert_eq!(
            sentences(text),
            vec![
                "署方表示：「計劃已完成。」",
                "市民可於網上申請！",
                "你會否申請？",
                "請考慮；",
                "然後……",
                "再決定。"
            ]
        );
    }

    #[test]
    fn opening_brackets_and_quotes_start_the_next_sentence() {
        let text = "他說：\"計劃已完成。\"(詳見附件。)\"樂齡科技\"計劃已推出。";
        assert_eq!(
            sentences(text),
            vec![
                "他說：\"計劃已完成。\"",
                "(詳見附件。)",
                "\"樂齡科技\"計劃已推出。"
            ]
        );
    }

    #[test]
    fn whitespace_after_a_chinese_stop_stays_with_its_sentence() {
        assert_eq!(
            sentences("計劃已完成。 \n市民可申請。"),
            vec!["計劃已完成。 \n", "市民可申請。"]
        );
    }

    #[test]
    fn english_sentences_follow_unicode_boundaries_and_keep_decimals_and_urls() {
        assert_eq!(
            sentences("The fee is $3.5 million. Visit www.info.gov.hk for details! Thank you."),
            vec![
                "The fee is $3.5 million. ",
                "Visit www.info.gov.hk for details! ",
                "Thank you."
            ]
        );
        // An English ellipsis is left to UAX #29, which does not end a sentence there.
        assert_eq!(sentences("Wait… then go."), vec!["Wait… then go."]);
    }

    #[test]
    fn mixed_sentences_split_in_both_languages() {
        assert_eq!(
            sentences("The scheme opens on 1 December. 運輸署會跟進。Thank you."),
            vec![
                "The scheme opens on 1 December. ",
                "運輸署會跟進。",
                "Thank you."
            ]
        );
    }

    #[test]
    fn sentences_always_concatenate_back_to_the_input() {
        for text in [
            ZH_PARAGRAPH,
            EN_PARAGRAPH,
            "",
            " ",
            "。。。",
            "……",
            "\"\"\"",
            "e\u{301}🙂👨‍👩‍👧。x\u{301}！\n\n？",
            "(「『」)”’。",
        ] {
            let parts = sentences(text);
            assert_eq!(parts.concat(), text);
            assert!(parts.iter().all(|p| !p.is_empty()), "{parts:?}");
        }
        assert!(sentences("").is_empty());
    }

    #[test]
    fn small_pieces_are_packed_together_with_the_separator_counted() {
        let mut bytes = |s: &str| s.len();
        let chunks = chunk_by_budget(&["ab", "cd", "ef"], " ", 5, &mut bytes);
        assert_eq!(
            chunks,
            vec![
                Chunk {
                    text: "ab cd".into(),
                    first_piece: 0,
                    n_pieces: 2,
                    cost: 5,
                    split: false
                },
                Chunk {
                    text: "ef".into(),
                    first_piece: 2,
                    n_pieces: 1,
                    cost: 2,
                    split: false
                },
            ]
        );
    }

    #[test]
    fn an_over_long_piece_is_split_by_sentences_between_whole_pieces() {
        let pieces = [
            "房屋署公布輪候時間。",
            "計劃已完成。市民可申請。請留意公告。",
            "完",
        ];
        let mut count = chars;
        let chunks = chunk_by_budget(&pieces, "\n", 12, &mut count);
        let summary: Vec<(&str, usize, usize, bool)> = chunks
            .iter()
            .map(|c| (c.text.as_str(), c.first_piece, c.n_pieces, c.split))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("房屋署公布輪候時間。", 0, 1, false),
                ("計劃已完成。市民可申請。", 1, 1, true),
                ("請留意公告。", 1, 1, true),
                ("完", 2, 1, false),
            ]
        );
    }

    #[test]
    fn one_sentence_longer_than_the_budget_is_split_by_characters_at_soft_breaks() {
        let long = "發展局、房屋署、運輸署、環境保護署及政府新聞處";
        let mut count = chars;
        let chunks = chunk_by_budget(&[long], "", 8, &mut count);
        let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["發展局、房屋署、", "運輸署、", "環境保護署及政府", "新聞處"]
        );
        assert!(chunks.iter().all(|c| c.cost <= 8 && c.split));
    }

    #[test]
    fn chunks_of_chinese_and_english_stay_within_budget_and_lose_nothing() {
        let zh_sentences = sentences(ZH_PARAGRAPH);
        let en_sentences = sentences(EN_PARAGRAPH);
        let mixed = [ZH_PARAGRAPH, EN_PARAGRAPH, "", ZH_PARAGRAPH];
        for (pieces, sep) in [
            (zh_sentences.as_slice(), ""),
            (en_sentences.as_slice(), ""),
            (&mixed[..], "\n\n"),
        ] {
            for budget in [1, 7, 20, 45, 80, 200, 10_000] {
                let mut count = chars;
                let chunks = chunk_by_budget(pieces, sep, budget, &mut count);
                assert_eq!(rejoin(&chunks, sep), pieces.join(sep), "budget {budget}");
                for chunk in &chunks {
                    assert!(chunk.cost <= budget, "budget {budget}: {chunk:?}");
                    assert_eq!(chunk.cost, chars(&chunk.text));
                }
            }
        }
    }

    #[test]
    fn a_budget_below_one_character_still_keeps_every_character() {
        let mut three_per_char = |s: &str| 3 * s.chars().count();
        let chunks = chunk_by_budget(&["立法會", "ab"], " ", 2, &mut three_per_char);
        let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["立", "法", "會", "a", "b"]);
        assert_eq!(rejoin(&chunks, " "), "立法會 ab");
    }

    #[test]
    fn combining_marks_and_emoji_are_not_split_from_their_base() {
        let text = "e\u{301}e\u{301}e\u{301}👨‍👩‍👧";
        let mut graphemes = |s: &str| s.graphemes(true).count();
        let chunks = chunk_by_budget(&[text], "", 2, &mut graphemes);
        let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["e\u{301}e\u{301}", "e\u{301}👨‍👩‍👧"]);
    }

    #[test]
    fn no_pieces_give_no_chunks_and_empty_pieces_are_kept() {
        let mut count = chars;
        assert!(chunk_by_budget(&[], "\n", 10, &mut count).is_empty());
        let chunks = chunk_by_budget(&["", "甲", ""], "\n", 10, &mut count);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].text, "\n甲\n");
        assert_eq!(chunks[0].n_pieces, 3);
    }
}
