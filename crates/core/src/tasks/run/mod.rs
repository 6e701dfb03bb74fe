//! Planning and running tasks over a [`Generator`].
//!
//! Long inputs are never cut: a summary goes map-reduce over chunks that fit
//! the model's real token budget, and translation and polishing go paragraph
//! by paragraph (a paragraph longer than the budget is split at sentence
//! ends), so the output has the input's paragraphs, in order.
//!
//! [`Runner::plan`] (in `plan`) turns a request into a [`Plan`];
//! [`Runner::run`] hands it to the part that owns the verb: `summarise`
//! (map-reduce over chunks), `per_paragraph` (translate and polish) or
//! `draft`. `call` holds what every model call shares: the prompt variables,
//! the token budget, and the running totals and stream to the user.

use std::time::Instant;

use super::{KeyPoint, Provenance, Request, Sink, Status, TaskError, TaskKind, TaskResult, Usage};
use crate::checks::{self, CheckOptions, CheckReport, Glossary, Mode};
use crate::engine::{self, CancelToken, GenerateRequest, Generator};
use crate::prompts::PromptLibrary;
use crate::text::{self, Lang};
use call::{Ctx, Vars};
use wenshu_documents::inline;

mod call;
mod draft;
mod per_paragraph;
mod plan;
mod summarise;
#[cfg(test)]
mod tests;

pub use plan::Plan;

/// Runs tasks with one generator and prompt library.
pub struct Runner<'a> {
    generator: &'a dyn Generator,
    prompts: &'a PromptLibrary,
}

impl<'a> Runner<'a> {
    pub fn new(generator: &'a dyn Generator, prompts: &'a PromptLibrary) -> Self {
        Self { generator, prompts }
    }

    /// Runs a plan, streaming the result's text to `sink`.
    ///
    /// # Errors
    /// Engine failures; a failure after some output carries the partial text.
    pub fn run(
        &self,
        plan: &Plan,
        sink: &mut dyn Sink,
        cancel: &CancelToken,
    ) -> Result<TaskResult, TaskError> {
        let mut ctx = Ctx {
            sink,
            cancel: cancel.clone(),
            started: Instant::now(),
            usage: Usage::default(),
            prompts: Vec::new(),
            out: String::new(),
            first_output: false,
            held_space: String::new(),
        };
        let mut key_points = None;
        let mut warnings = Vec::new();
        let glossary = (plan.request.task == TaskKind::Translate)
            .then(|| Glossary::shared(&plan.request.glossary, plan.request.base_glossary));
        let status = match plan.request.task {
            TaskKind::Summarise => {
                let (status, points) = self.summarise(plan, &mut ctx)?;
                // A point the model did not cite and that shares nothing with
                // any paragraph may not come from the document at all.
                for (i, point) in points.iter().enumerate() {
                    if point.paragraphs.is_empty() {
                        warnings.push(format!(
                            "key point {} cites no paragraph and matches none; check it against the document",
                            i + 1
                        ));
                    }
                }
                key_points = Some(points);
                status
            }
            TaskKind::Translate | TaskKind::Polish => {
                self.per_paragraph(plan, &mut ctx, &mut warnings, glossary.as_deref())?
            }
            TaskKind::Draft => self.draft(plan, &mut ctx)?,
        };
        let checks = (status == Status::Completed)
            .then(|| check_result(plan, &ctx.out, key_points.as_deref(), glossary.as_deref()));
        ctx.usage.total_ms = ctx.started.elapsed().as_secs_f64() * 1000.0;
        let info = self.generator.info();
        let output_paragraphs = match plan.request.task {
            TaskKind::Summarise => 1,
            _ => text::paragraphs(&ctx.out).len(),
        };
        Ok(TaskResult {
            task: plan.request.task,
            text: ctx.out,
            source_lang: plan.source_lang,
            target_lang: plan.target_lang,
            doc_type: plan.request.doc_type,
            key_points,
            input_paragraphs: plan.paragraphs.len(),
            output_paragraphs,
            status,
            checks,
            warnings,
            provenance: Provenance {
                wenshu_version: env!("CARGO_PKG_VERSION").to_string(),
                model_file: info.file_name.clone(),
                model_sha256: info.sha256.clone(),
                n_ctx: info.n_ctx,
                gpu_layers: info.gpu_layers,
                threads: info.threads,
                prompts: ctx.prompts,
                sampling: plan.request.sampling,
                max_tokens: plan.request.max_tokens,
                usage: ctx.usage,
            },
        })
    }

    /// Evaluates the fixed part of a task's prompt ahead of time, so that
    /// the first real request (a summary from the global shortcut) only pays
    /// for its own text: the engine keeps the prefix in its cache.
    ///
    /// # Errors
    /// A missing prompt, or the engine failing.
    pub fn warm(&self, task: TaskKind, target: Lang) -> Result<(), TaskError> {
        // Any input in the right language plans the same prompt.
        let source_is_chinese = if task == TaskKind::Translate {
            !target.is_chinese()
        } else {
            target.is_chinese()
        };
        let sample = if source_is_chinese { "文" } else { "a" };
        let mut request = Request::new(task, sample);
        request.target = Some(target);
        if task == TaskKind::Draft {
            request.doc_type = Some(super::DocType::Memo);
        }
        let plan = self.plan(request)?;
        let rendered = plan.prompt.render(self.generator, &Vars::new(&plan))?;
        let mut warm = GenerateRequest::new(rendered.text, 1);
        warm.sampling = crate::engine::SamplingParams::greedy();
        engine::generate(self.generator, warm, &mut |_| {})?;
        Ok(())
    }
}

/// The checks of a finished task: a translation against every figure and
/// name of its source; a polish against every figure; a summary's points
/// and a draft against the figures of their source (none may be added or
/// changed).
fn check_result(
    plan: &Plan,
    output: &str,
    key_points: Option<&[KeyPoint]>,
    glossary: Option<&Glossary>,
) -> CheckReport {
    let mode = match plan.request.task {
        TaskKind::Translate => Mode::Translation,
        TaskKind::Polish => Mode::Polish,
        TaskKind::Summarise => Mode::Summary,
        TaskKind::Draft => Mode::Draft,
    };
    let target: Vec<String> = match key_points {
        Some(points) => points.iter().map(|p| p.text.clone()).collect(),
        None => text::paragraphs(output),
    };
    let source_lang = if plan.source_lang == Lang::Mixed {
        if plan.target_lang.is_chinese() {
            Lang::En
        } else {
            Lang::ZhHant
        }
    } else {
        plan.source_lang
    };
    let opts = CheckOptions {
        mode,
        source_lang,
        target_lang: plan.target_lang,
        glossary,
    };
    // A document's paragraph comes with its inline tags (`<g1>`, `<x1/>`);
    // the checks read the words, or the digits in a tag would be figures.
    let words = |texts: &[String]| -> Vec<String> {
        texts
            .iter()
            .map(|t| {
                if inline::has_tags(t) {
                    inline::plain(t)
                } else {
                    t.clone()
                }
            })
            .collect()
    };
    checks::check(&words(&plan.paragraphs), &words(&target), &opts)
}
