//! What every model call of a task shares: the variables a prompt is
//! rendered with ([`Vars`]), the running totals and the stream to the user
//! ([`Ctx`]), the token budget of one call, and the call itself.

use std::time::Instant;

use serde::Serialize;

use super::{Plan, Runner};
use crate::engine::{self, CancelToken, Completion, GenerateRequest, StopReason};
use crate::prompts::{Prompt, PromptRef};
use crate::tasks::{status_of, Request, Sink, Status, TaskError, Usage};
use crate::text;

/// Tokens kept free in every call for the model's answer beyond the estimate,
/// and for tokenisation differences between pieces and the whole.
const SAFETY_TOKENS: usize = 32;

#[derive(Debug, Clone, Serialize)]
pub(super) struct Para<'a> {
    pub(super) n: usize,
    pub(super) text: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct GlossaryPair {
    source: String,
    target: String,
}

impl GlossaryPair {
    pub(super) fn placeholders(targets: &[String]) -> Vec<Self> {
        targets
            .iter()
            .enumerate()
            .map(|(i, t)| Self {
                source: format!("[T{}]", i + 1),
                target: t.clone(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Vars<'a> {
    pub(super) text: &'a str,
    pub(super) paragraphs: Vec<Para<'a>>,
    pub(super) points: Vec<String>,
    doc_type_label: &'a str,
    tone: &'a str,
    max_points: u32,
    pub(super) glossary: Vec<GlossaryPair>,
    /// The text carries a document's inline tags (`<g1>…</g1>`, `<x1/>`), which the prompt then teaches.
    pub(super) tags: bool,
}

impl<'a> Vars<'a> {
    pub(super) fn new(plan: &'a Plan) -> Self {
        Self {
            text: "",
            paragraphs: Vec::new(),
            points: Vec::new(),
            doc_type_label: plan
                .request
                .doc_type
                .map(|d| d.label(plan.target_lang))
                .unwrap_or(""),
            tone: &plan.request.tone,
            max_points: plan.request.max_points,
            glossary: Vec::new(),
            tags: false,
        }
    }
}

/// Running totals and the stream to the user.
pub(super) struct Ctx<'s> {
    pub(super) sink: &'s mut dyn Sink,
    pub(super) cancel: CancelToken,
    pub(super) started: Instant,
    pub(super) usage: Usage,
    pub(super) prompts: Vec<PromptRef>,
    pub(super) out: String,
    pub(super) first_output: bool,
    /// Whitespace held back until more text follows, so no output ends in
    /// stray blank lines and the stream still equals the result.
    pub(super) held_space: String,
}

impl Ctx<'_> {
    pub(super) fn emit(&mut self, piece: &str) {
        // After a cancel the user has stopped reading; text still in flight
        // is not part of the result.
        if piece.is_empty() || self.cancel.is_cancelled() {
            return;
        }
        let content_end = piece.trim_end().len();
        if content_end == 0 {
            if !self.out.is_empty() {
                self.held_space.push_str(piece);
            }
            return;
        }
        let held = std::mem::take(&mut self.held_space);
        let (content, trailing) = piece.split_at(content_end);
        self.held_space.push_str(trailing);
        let piece = format!("{held}{content}");
        let piece = if self.out.is_empty() {
            piece.trim_start().to_string()
        } else {
            piece
        };
        let piece = piece.as_str();
        if !self.first_output {
            self.first_output = true;
            self.usage.first_output_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        }
        self.out.push_str(piece);
        self.sink.text(piece);
    }

    fn record(&mut self, prompt: &PromptRef, completion: &Completion) {
        self.usage.calls += 1;
        self.usage.prompt_tokens += u64::from(completion.prompt_tokens);
        self.usage.cached_prompt_tokens += u64::from(completion.cached_prompt_tokens);
        self.usage.generated_tokens += u64::from(completion.generated_tokens);
        self.usage.prompt_ms += completion.timings.prompt_ms;
        self.usage.generation_ms += completion.timings.generation_ms;
        if !self.prompts.iter().any(|p| p == prompt) {
            self.prompts.push(prompt.clone());
        }
    }
}

impl Runner<'_> {
    pub(super) fn max_tokens(&self, plan: &Plan, prompt: &Prompt) -> u32 {
        plan.request
            .max_tokens
            .unwrap_or_else(|| prompt.max_tokens())
    }

    /// Tokens left for input text in one call of `prompt`, after the prompt's
    /// own text and room for `answer` tokens.
    pub(super) fn input_budget(
        &self,
        plan: &Plan,
        prompt: &Prompt,
        answer: usize,
    ) -> Result<usize, TaskError> {
        let empty = prompt.render(self.generator, &Vars::new(plan))?;
        let overhead = self.generator.count_tokens(&empty.text)?;
        let n_ctx = self.generator.info().n_ctx as usize;
        let used = overhead + answer + SAFETY_TOKENS;
        if used + 16 > n_ctx {
            return Err(TaskError::ContextTooSmall {
                prompt: prompt.id().to_string(),
                tokens: used,
                n_ctx: n_ctx as u32,
            });
        }
        Ok(n_ctx - used)
    }

    /// One model call; `on_text` gets the raw streamed pieces.
    pub(super) fn call(
        &self,
        ctx: &mut Ctx<'_>,
        prompt: &Prompt,
        vars: &Vars<'_>,
        max_tokens: u32,
        request_template: &Request,
        on_text: &mut dyn FnMut(&mut Ctx<'_>, &str) -> bool,
    ) -> Result<Completion, TaskError> {
        let rendered = prompt.render(self.generator, vars)?;
        let mut request = GenerateRequest::new(rendered.text, max_tokens);
        request.stop = rendered.stop;
        request.sampling = request_template.sampling;
        // A caller can end a call early (enough key points) without
        // cancelling the whole task; a task cancel still reaches the call.
        let stop_early = ctx.cancel.child();
        request.cancel = stop_early.clone();
        let call_started = ctx.started.elapsed().as_secs_f64() * 1000.0;
        let completion = engine::generate(self.generator, request, &mut |piece| {
            if !on_text(ctx, piece) {
                stop_early.cancel();
            }
        })?;
        if ctx.usage.calls == 0 && completion.generated_tokens > 0 {
            ctx.usage.first_token_ms = call_started + completion.timings.first_token_ms;
        }
        ctx.record(&rendered.prompt, &completion);
        Ok(completion)
    }

    pub(super) fn status(&self, ctx: &Ctx<'_>, reason: StopReason) -> Status {
        if ctx.cancel.is_cancelled() {
            Status::Cancelled
        } else {
            status_of(reason)
        }
    }

    /// Packs pieces into chunks within `budget` model tokens, each piece
    /// costing `extra` tokens more than its text (its number label).
    pub(super) fn chunk(
        &self,
        pieces: &[&str],
        budget: usize,
        extra: usize,
    ) -> Result<Vec<text::Chunk>, TaskError> {
        let mut err = None;
        let mut count = |s: &str| match self.generator.count_tokens(s) {
            Ok(c) => c + extra,
            Err(e) => {
                // Make the piece "too big" so packing ends quickly; the error
                // is reported below.
                err.get_or_insert(e);
                usize::MAX / 4
            }
        };
        let chunks = text::chunk_by_budget(pieces, "", budget, &mut count);
        match err {
            Some(e) => Err(e.into()),
            None => Ok(chunks),
        }
    }
}
