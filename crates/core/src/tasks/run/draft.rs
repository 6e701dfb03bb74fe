//! Drafting: the user's notes in one call, refused up front when they do
//! not fit the context, the answer streamed as plain text.

use super::call::{Ctx, Vars};
use super::{Plan, Runner};
use crate::tasks::post::{ClauseBuffer, PlainText};
use crate::tasks::{Status, TaskError};

impl Runner<'_> {
    pub(super) fn draft(&self, plan: &Plan, ctx: &mut Ctx<'_>) -> Result<Status, TaskError> {
        let prompt = &plan.prompt;
        let max_tokens = self.max_tokens(plan, prompt);
        let budget = self.input_budget(plan, prompt, max_tokens as usize)?;
        let notes_tokens = self.generator.count_tokens(&plan.request.input)?;
        if notes_tokens > budget {
            return Err(TaskError::ContextTooSmall {
                prompt: prompt.id().to_string(),
                tokens: notes_tokens + (self.generator.info().n_ctx as usize - budget),
                n_ctx: self.generator.info().n_ctx,
            });
        }
        let mut vars = Vars::new(plan);
        vars.text = &plan.request.input;
        let mut clauses = ClauseBuffer::new(plan.target_lang.is_chinese());
        let mut plain = PlainText::default();
        let mut started = false;
        let completion = self.call(
            ctx,
            prompt,
            &vars,
            max_tokens,
            &plan.request,
            &mut |ctx, raw| {
                let raw = if started {
                    raw.to_string()
                } else {
                    raw.trim_start().to_string()
                };
                if raw.is_empty() {
                    return true;
                }
                started = true;
                let ready = clauses.push(&plain.push(&raw));
                ctx.emit(&ready);
                true
            },
        )?;
        let rest = clauses.push(&plain.finish());
        let tail = rest + &clauses.finish();
        ctx.emit(tail.trim_end());
        Ok(self.status(ctx, completion.stop_reason))
    }
}
