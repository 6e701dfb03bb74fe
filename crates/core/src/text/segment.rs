//! Paragraphs, sentences, and packing them into token budgets.
//!
//! Paragraphs are the unit users see and count; sentences are where a long
//! paragraph may be cut when it does not fit the model's context. Packing
//! never drops or reorders text: joining the chunks gives the input back.

use unicode_segmentation::UnicodeSegmentation;

/// Paragraphs of plain text: separated by blank lines. When a text has no
/// blank line but several non-empty lines, each line is a paragraph (Chinese
/// documents are often written that way). Paragraphs are trimmed; empty ones
/// are dropped; single newlines inside a blank-line paragraph are kept.
pub fn paragraphs(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    let has_blank_line = text
        .lines()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| !w[0].trim().is_empty() && w[1].trim().is_empty())
        && text.lines().filter(|l| !l.trim().is_empty()).count() > 1;
    if has_blank_line {
        let mut out = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in text.lines() {
            if line.trim().is_empty() {
                if !current.is_empty() {
                    out.push(current.join("\n").trim().to_string());
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            out.push(current.join("\n").trim().to_string());
        }
        out.retain(|p| !p.is_empty());
        out
    } else {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

fn ends_chinese_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(c, '」' | '』' | '）' | '"' | '”' | '’' | ')' | '》')
}

/// Sentences of a paragraph, as slices of it, in order; concatenating them
/// gives the input back exactly. Chinese sentences end after 。！？；… (and a
/// closing quote or bracket right after); other text uses Unicode sentence
/// boundaries.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for piece in text.split_sentence_bounds() {
        let mut start = 0;
        let mut iter = piece.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if ends_chinese_sentence(c) {
                let mut end = i + c.len_utf8();
                while let Some(&(j, n)) = iter.peek() {
                    if ends_chinese_sentence(n) || is_closer(n) {
                        end = j + n.len_utf8();
                        iter.next();
                    } else {
                        break;
                    }
                }
                if end < piece.len() {
                    out.push(&piece[start..end]);
                    start = end;
                }
            }
        }
        if start < piece.len() {
            out.push(&piece[start..]);
        }
    }
    out
}

/// A run of consecutive pieces packed to fit a budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub text: String,
    /// Index of the first piece in the chunk.
    pub first_piece: usize,
    /// How many pieces it covers; a piece too long for any chunk is split,
    /// and each part is a chunk with `n_pieces == 1` and `split == true`.
    pub n_pieces: usize,
    /// Cost of `text` as the cost function measured it.
    pub cost: usize,
    pub split: bool,
}

/// Packs `pieces` greedily into chunks whose cost (e.g. a model's token
/// count of the joined text) stays within `budget`, joining pieces with
/// `sep`. A piece over the budget is split by sentences, then by characters
/// (at whitespace or punctuation where possible). Nothing is dropped: joining
/// all chunk texts with `sep` (split parts with nothing) gives the pieces back.
pub fn chunk_by_budget(
    pieces: &[&str],
    sep: &str,
    budget: usize,
    cost: &mut dyn FnMut(&str) -> usize,
) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut current: Option<Chunk> = None;
    for (index, &piece) in pieces.iter().enumerate() {
        if let Some(chunk) = current.as_mut() {
            let joined = format!("{}{sep}{piece}", chunk.text);
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
        for part in split_long(piece, budget, cost) {
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

/// Splits one over-long piece into parts within budget where possible.
fn split_long(piece: &str, budget: usize, cost: &mut dyn FnMut(&str) -> usize) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
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
            let mut pieces = split_chars(sentence, budget, cost);
            current = pieces.pop().unwrap_or_default();
            parts.extend(pieces);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Character-level split for a single sentence longer than the budget:
/// binary search for the longest prefix that fits, then back off to the last
/// space or punctuation inside it.
fn split_chars(text: &str, budget: usize, cost: &mut dyn FnMut(&str) -> usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if cost(rest) <= budget {
            parts.push(rest.to_string());
            break;
        }
        let bounds: Vec<usize> = rest
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain([rest.len()])
            .collect();
        let (mut lo, mut hi) = (0usize, bounds.len() - 1);
        // Invariant: the prefix ending at bounds[lo] fits (or lo == 0).
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if cost(&rest[..bounds[mid]]) <= budget {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let mut end = bounds[lo];
        if let Some(soft) = rest[..end]
            .char_indices()
            .filter(|(_, c)| {
                c.is_whitespace() || matches!(c, '，' | '、' | ',' | '；' | ';' | '：' | ':')
            })
            .map(|(i, c)| i + c.len_utf8())
            .filter(|&i| i > end / 2)
            .last()
        {
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

    #[test]
    fn blank_lines_separate_paragraphs_and_inner_newlines_stay() {
        let text = "第一段第一行\n第一段第二行\n\n\n第二段。\r\n\r\n  第三段  \n";
        assert_eq!(
            paragraphs(text),
            vec!["第一段第一行\n第一段第二行", "第二段。", "第三段"]
        );
    }

    #[test]
    fn without_blank_lines_each_line_is_a_paragraph() {
        assert_eq!(
            paragraphs("一、背景\n二、建議\n\n"),
            vec!["一、背景", "二、建議"]
        );
        assert!(paragraphs("  \n \n").is_empty());
    }

    #[test]
    fn chinese_sentences_end_at_full_stops_and_keep_closing_quotes() {
        let text = "署方表示：「計劃已完成。」市民可於網上申請！查詢請致電2835 1234。";
        let parts = sentences(text);
        assert_eq!(
            parts,
            vec![
                "署方表示：「計劃已完成。」",
                "市民可於網上申請！",
                "查詢請致電2835 1234。"
            ]
        );
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn english_and_mixed_sentences_reassemble_exactly() {
        let text =
            "The scheme opens on 1 December. It costs $3.5 million. 運輸署會跟進。Thank you.";
        let parts = sentences(text);
        assert!(parts.len() >= 4, "{parts:?}");
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn chunks_stay_within_budget_and_lose_nothing() {
        let paras = [
            "房屋署公布公屋輪候時間。",
            "運輸署延長巴士路線，服務新屋邨。",
            "The Environmental Protection Department will open two recycling stations in Sha Tin and Yuen Long.",
        ];
        let mut count = |s: &str| s.chars().count();
        let chunks = chunk_by_budget(&paras, "\n", 40, &mut count);
        assert!(chunks.iter().all(|c| c.cost <= 40), "{chunks:?}");
        let rebuilt: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
        // The split English paragraph's parts join without separator.
        let mut joined = String::new();
        for (i, c) in chunks.iter().enumerate() {
            if i > 0
                && !(c.split && chunks[i - 1].split && chunks[i - 1].first_piece == c.first_piece)
            {
                joined.push('\n');
            }
            joined.push_str(rebuilt[i]);
        }
        assert_eq!(joined, paras.join("\n"));
    }

    #[test]
    fn one_sentence_longer_than_the_budget_is_split_by_characters() {
        let long = "發".repeat(25);
        let mut count = |s: &str| s.chars().count();
        let chunks = chunk_by_budget(&[long.as_str()], "", 10, &mut count);
        assert_eq!(chunks.len(), 3);
        assert!(chunks.iter().all(|c| c.cost <= 10 && c.split));
        assert_eq!(
            chunks.iter().map(|c| c.text.as_str()).collect::<String>(),
            long
        );
    }

    #[test]
    fn small_pieces_are_packed_together() {
        let mut count = |s: &str| s.len();
        let chunks = chunk_by_budget(&["ab", "cd", "ef"], " ", 5, &mut count);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].text, "ab cd");
        assert_eq!((chunks[0].first_piece, chunks[0].n_pieces), (0, 2));
        assert_eq!(chunks[1].text, "ef");
    }
}
