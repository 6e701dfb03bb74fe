//! Translating and polishing paragraph by paragraph: one paragraph in, one
//! out, a paragraph longer than the budget split at sentence ends, glossary
//! terms protected by placeholders, and a paragraph the model leaves empty
//! kept in the original, marked for review.

use super::call::{Ctx, GlossaryPair, Vars};
use super::{Plan, Runner};
use crate::checks::Glossary;
use crate::engine::StopReason;
use crate::tasks::post::ClauseBuffer;
use crate::tasks::terms::Restorer;
use crate::tasks::{Progress, Status, TaskError};
use crate::text;
use wenshu_documents::inline;

impl Runner<'_> {
    pub(super) fn per_paragraph(
        &self,
        plan: &Plan,
        ctx: &mut Ctx<'_>,
        warnings: &mut Vec<String>,
        glossary: Option<&Glossary>,
    ) -> Result<Status, TaskError> {
        let prompt = &plan.prompt;
        let chinese_out = plan.target_lang.is_chinese();
        let joiner = if chinese_out { "" } else { " " };
        // The answer is about as long as the input: budget the input at 40%
        // of what is free and let the answer have the rest.
        let free = self.input_budget(plan, prompt, 0)?;
        let input_budget = (free * 2 / 5).max(16);
        let total = plan.paragraphs.len();
        // Names are protected in the source's language.
        let source_is_chinese = !plan.target_lang.is_chinese();
        for (index, paragraph) in plan.paragraphs.iter().enumerate() {
            if ctx.cancel.is_cancelled() {
                return Ok(Status::Cancelled);
            }
            ctx.sink.progress(&Progress {
                stage: "paragraph",
                index: index + 1,
                of: total,
            });
            if index > 0 {
                ctx.emit("\n\n");
            }
            let sentences = text::sentences(paragraph);
            let pieces = self.chunk(&sentences, input_budget, 0)?;
            let mut produced = false;
            for (piece_no, piece) in pieces.iter().enumerate() {
                let piece_tokens = self.generator.count_tokens(&piece.text)?;
                let cap = (piece_tokens * 3 + 24).min(free.saturating_sub(piece_tokens)) as u32;
                let max_tokens = plan.request.max_tokens.map_or(cap, |m| m.min(cap)).max(1);
                let (protected, targets) = match glossary {
                    Some(g) => g.protect(&piece.text, source_is_chinese),
                    None => (piece.text.clone(), Vec::new()),
                };
                let mut vars = Vars::new(plan);
                vars.text = &protected;
                vars.glossary = GlossaryPair::placeholders(&targets);
                vars.tags = inline::has_tags(&protected);
                let mut restorer = Restorer::new(targets);
                let mut clauses = ClauseBuffer::new(chinese_out);
                let mut started = false;
                let lead = if piece_no > 0 && produced { joiner } else { "" };
                let completion = self.call(
                    ctx,
                    prompt,
                    &vars,
                    max_tokens,
                    &plan.request,
                    &mut |ctx, raw| {
                        // One paragraph in, one paragraph out: newlines inside an
                        // answer would change the paragraph count.
                        let mut raw = raw.replace(['\n', '\r'], " ");
                        if !started {
                            raw = raw.trim_start().to_string();
                            if raw.is_empty() {
                                return true;
                            }
                            started = true;
                            ctx.emit(lead);
                        }
                        let restored = restorer.push(&raw);
                        let ready = clauses.push(&restored);
                        ctx.emit(&ready);
                        true
                    },
                )?;
                let mut tail = clauses.push(&restorer.finish());
                tail.push_str(&clauses.finish());
                let tail = if started {
                    tail.trim_end().to_string()
                } else {
                    String::new()
                };
                ctx.emit(&tail);
                produced |= started;
                if completion.stop_reason == StopReason::Cancelled || ctx.cancel.is_cancelled() {
                    return Ok(Status::Cancelled);
                }
            }
            if !produced {
                // Never drop a paragraph: keep the source, marked for review.
                let marker = if chinese_out {
                    "〔未能處理，保留原文〕"
                } else {
                    "[not processed; original kept] "
                };
                warnings.push(format!(
                    "paragraph {} produced no output; the original text was kept for review",
                    index + 1
                ));
                ctx.emit(marker);
                let original = paragraph.replace(['\n', '\r'], " ");
                let original = if chinese_out {
                    text::zh::to_hk_traditional(&original)
                } else {
                    original
                };
                ctx.emit(&original);
            }
        }
        Ok(Status::Completed)
    }
}
