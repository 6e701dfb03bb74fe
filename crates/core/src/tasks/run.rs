//! Planning and running tasks over a [`Generator`].
//!
//! Long inputs are never cut: a summary goes map-reduce over chunks that fit
//! the model's real token budget, and translation and polishing go paragraph
//! by paragraph (a paragraph longer than the budget is split at sentence
//! ends), so the output has the input's paragraphs, in order.

use std::time::Instant;

use serde::Serialize;

use super::post::{format_point, key_point, ClauseBuffer, LineBuffer, PlainText};
use super::terms::Restorer;
use super::{
    status_of, KeyPoint, Progress, Provenance, Request, Sink, Status, TaskError, TaskKind,
    TaskResult, Usage,
};
use crate::checks::{self, CheckOptions, CheckReport, Glossary, Mode};
use crate::engine::{self, CancelToken, Completion, GenerateRequest, Generator, StopReason};
use crate::prompts::{Prompt, PromptLibrary, PromptRef};
use crate::text::{self, Lang};
use wenshu_documents::inline;

/// Tokens kept free in every call for the model's answer beyond the estimate,
/// and for tokenisation differences between pieces and the whole.
const SAFETY_TOKENS: usize = 32;

/// A validated request: languages fixed, prompts loaded, input segmented.
#[derive(Debug, Clone)]
pub struct Plan {
    pub request: Request,
    pub source_lang: Lang,
    pub target_lang: Lang,
    pub paragraphs: Vec<String>,
    prompt: Prompt,
    /// The merge prompt of a map-reduce summary.
    reduce: Option<Prompt>,
}

impl Plan {
    /// Identity of the main prompt.
    pub fn prompt_id(&self) -> &str {
        self.prompt.id()
    }

    /// Id, version and content hash of the main prompt: part of every cache
    /// key, so editing a prompt invalidates what it produced.
    pub fn prompt_identity(&self) -> String {
        format!(
            "{}@{}#{}",
            self.prompt.id(),
            self.prompt.version(),
            self.prompt.hash()
        )
    }
}

/// Runs tasks with one generator and prompt library.
pub struct Runner<'a> {
    generator: &'a dyn Generator,
    prompts: &'a PromptLibrary,
}

#[derive(Debug, Clone, Serialize)]
struct Para<'a> {
    n: usize,
    text: &'a str,
}

#[derive(Debug, Clone, Serialize)]
struct GlossaryPair {
    source: String,
    target: String,
}

impl GlossaryPair {
    fn placeholders(targets: &[String]) -> Vec<Self> {
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
struct Vars<'a> {
    text: &'a str,
    paragraphs: Vec<Para<'a>>,
    points: Vec<String>,
    doc_type_label: &'a str,
    tone: &'a str,
    max_points: u32,
    glossary: Vec<GlossaryPair>,
    /// The text carries a document's inline tags (`<g1>…</g1>`, `<x1/>`), which the prompt then teaches.
    tags: bool,
}

impl<'a> Vars<'a> {
    fn new(plan: &'a Plan) -> Self {
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
struct Ctx<'s> {
    sink: &'s mut dyn Sink,
    cancel: CancelToken,
    started: Instant,
    usage: Usage,
    prompts: Vec<PromptRef>,
    out: String,
    first_output: bool,
    /// Whitespace held back until more text follows, so no output ends in
    /// stray blank lines and the stream still equals the result.
    held_space: String,
}

impl Ctx<'_> {
    fn emit(&mut self, piece: &str) {
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

impl<'a> Runner<'a> {
    pub fn new(generator: &'a dyn Generator, prompts: &'a PromptLibrary) -> Self {
        Self { generator, prompts }
    }

    /// Checks a request and fixes every decision before generation.
    ///
    /// # Errors
    /// Empty input, an impossible language direction, a draft without a
    /// document type, or a prompt that is missing or broken.
    pub fn plan(&self, request: Request) -> Result<Plan, TaskError> {
        if request.input.trim().is_empty() {
            return Err(TaskError::EmptyInput);
        }
        let detected = text::detect(&request.input);
        // Simplified or mixed input is treated as Chinese for direction
        // purposes; output marked Chinese is always Hong Kong Traditional.
        let source_lang = detected;
        let source_is_zh = matches!(detected, Lang::ZhHant | Lang::ZhHans | Lang::Mixed);
        let normalise = |l: Lang| if l.is_chinese() { Lang::ZhHant } else { l };
        let target_lang = match (request.task, request.target.map(normalise)) {
            (_, Some(Lang::Mixed)) => {
                return Err(TaskError::Direction {
                    task: request.task,
                    from: detected,
                    to: Lang::Mixed,
                    suggest: if source_is_zh { Lang::En } else { Lang::ZhHant },
                })
            }
            (TaskKind::Translate, Some(to)) => {
                let same = (to == Lang::En && detected == Lang::En)
                    || (to == Lang::ZhHant && matches!(detected, Lang::ZhHant));
                if same {
                    return Err(TaskError::Direction {
                        task: request.task,
                        from: detected,
                        to,
                        suggest: if to == Lang::En {
                            Lang::ZhHant
                        } else {
                            Lang::En
                        },
                    });
                }
                to
            }
            (TaskKind::Translate, None) => {
                if source_is_zh {
                    Lang::En
                } else {
                    Lang::ZhHant
                }
            }
            (TaskKind::Polish, Some(to)) => {
                let from = if source_is_zh { Lang::ZhHant } else { Lang::En };
                if to != from {
                    return Err(TaskError::Direction {
                        task: request.task,
                        from: detected,
                        to,
                        suggest: from,
                    });
                }
                to
            }
            (_, Some(to)) => to,
            (_, None) => {
                if source_is_zh {
                    Lang::ZhHant
                } else {
                    Lang::En
                }
            }
        };
        let direction = match request.task {
            TaskKind::Translate => {
                if target_lang == Lang::En {
                    "zh-Hant-to-en".to_string()
                } else {
                    "en-to-zh-Hant".to_string()
                }
            }
            _ => target_lang.code().to_string(),
        };
        let (doc_type, reduce) = match request.task {
            TaskKind::Draft => (
                request.doc_type.ok_or(TaskError::MissingDocType)?.as_str(),
                None,
            ),
            TaskKind::Summarise => (
                "general",
                Some(self.prompts.get("summarise", "reduce", &direction)?),
            ),
            _ => ("general", None),
        };
        let prompt = self
            .prompts
            .get(request.task.as_str(), doc_type, &direction)?;
        let paragraphs = text::paragraphs(&request.input);
        Ok(Plan {
            source_lang,
            target_lang,
            paragraphs,
            prompt,
            reduce,
            request,
        })
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

    fn max_tokens(&self, plan: &Plan, prompt: &Prompt) -> u32 {
        plan.request
            .max_tokens
            .unwrap_or_else(|| prompt.max_tokens())
    }

    /// Tokens left for input text in one call of `prompt`, after the prompt's
    /// own text and room for `answer` tokens.
    fn input_budget(
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
    fn call(
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

    fn summarise(
        &self,
        plan: &Plan,
        ctx: &mut Ctx<'_>,
    ) -> Result<(Status, Vec<KeyPoint>), TaskError> {
        let prompt = &plan.prompt;
        let answer = self.max_tokens(plan, prompt) as usize;
        let budget = self.input_budget(plan, prompt, answer)?;
        let items = self.numbered_items(&plan.paragraphs, budget)?;
        let groups = pack(&items, budget);
        let chinese = plan.target_lang.is_chinese();
        let max_points = plan.request.max_points.max(1) as usize;
        if groups.len() <= 1 {
            let paras: Vec<Para<'_>> = items.iter().map(|(p, _)| p.clone()).collect();
            let mut vars = Vars::new(plan);
            vars.paragraphs = paras;
            let (points, reason) =
                self.stream_points(plan, ctx, prompt, &vars, answer as u32, max_points, chinese)?;
            return Ok((self.status(ctx, reason), points));
        }
        // Map: key points per chunk, not shown to the user, citations kept.
        let mut gathered: Vec<KeyPoint> = Vec::new();
        for (index, group) in groups.iter().enumerate() {
            ctx.sink.progress(&Progress {
                stage: "summarise-part",
                index: index + 1,
                of: groups.len(),
            });
            let mut vars = Vars::new(plan);
            vars.paragraphs = group.iter().map(|&i| items[i].0.clone()).collect();
            let mut lines = LineBuffer::default();
            let mut raw = Vec::new();
            let completion = self.call(
                ctx,
                prompt,
                &vars,
                answer as u32,
                &plan.request,
                &mut |_, piece| {
                    raw.extend(lines.push(piece));
                    raw.len() < max_points
                },
            )?;
            raw.extend(lines.finish());
            gathered.extend(raw.iter().filter_map(|l| key_point(l, &plan.paragraphs)));
            if completion.stop_reason == StopReason::Cancelled && ctx.cancel.is_cancelled() {
                return Ok((Status::Cancelled, Vec::new()));
            }
        }
        // Reduce: merge the gathered points into the final list, streamed.
        let reduce = plan.reduce.as_ref().unwrap_or(prompt);
        ctx.sink.progress(&Progress {
            stage: "summarise-merge",
            index: 1,
            of: 1,
        });
        let mut vars = Vars::new(plan);
        vars.points = gathered
            .iter()
            .map(format_point)
            .map(|l| l.trim_start_matches("- ").to_string())
            .collect();
        let (points, reason) = self.stream_points(
            plan,
            ctx,
            reduce,
            &vars,
            self.max_tokens(plan, reduce),
            max_points,
            chinese,
        )?;
        Ok((self.status(ctx, reason), points))
    }

    fn status(&self, ctx: &Ctx<'_>, reason: StopReason) -> Status {
        if ctx.cancel.is_cancelled() {
            Status::Cancelled
        } else {
            status_of(reason)
        }
    }

    /// Streams key points line by line, each checked and converted before it
    /// is shown.
    #[allow(clippy::too_many_arguments)]
    fn stream_points(
        &self,
        plan: &Plan,
        ctx: &mut Ctx<'_>,
        prompt: &Prompt,
        vars: &Vars<'_>,
        max_tokens: u32,
        max_points: usize,
        chinese: bool,
    ) -> Result<(Vec<KeyPoint>, StopReason), TaskError> {
        let mut lines = LineBuffer::default();
        let mut points: Vec<KeyPoint> = Vec::new();
        let paragraphs = &plan.paragraphs;
        let show = |ctx: &mut Ctx<'_>, points: &mut Vec<KeyPoint>, line: &str| {
            if points.len() >= max_points {
                return;
            }
            if let Some(mut point) = key_point(line, paragraphs) {
                if chinese {
                    point.text = text::zh::to_hk_traditional(&point.text);
                }
                if points.iter().any(|p| p.text == point.text) {
                    return;
                }
                let shown = format_point(&point);
                if !points.is_empty() {
                    ctx.emit("\n");
                }
                ctx.emit(&shown);
                points.push(point);
            }
        };
        let completion = self.call(
            ctx,
            prompt,
            vars,
            max_tokens,
            &plan.request,
            &mut |ctx, piece| {
                for line in lines.push(piece) {
                    show(ctx, &mut points, &line);
                }
                points.len() < max_points
            },
        )?;
        if let Some(rest) = lines.finish() {
            show(ctx, &mut points, &rest);
        }
        let reason = if ctx.cancel.is_cancelled() {
            StopReason::Cancelled
        } else if completion.stop_reason == StopReason::Cancelled && points.len() >= max_points {
            // We stopped the model ourselves once the summary had all its
            // points: the summary is complete, not cancelled.
            StopReason::StopSequence
        } else {
            completion.stop_reason
        };
        Ok((points, reason))
    }

    /// Numbered paragraphs as prompt items, long ones split so each fits.
    fn numbered_items<'p>(
        &self,
        paragraphs: &'p [String],
        budget: usize,
    ) -> Result<Vec<(Para<'p>, usize)>, TaskError> {
        let mut items = Vec::new();
        for (i, p) in paragraphs.iter().enumerate() {
            let n = i + 1;
            let cost = self.generator.count_tokens(p)? + 6;
            if cost <= budget {
                items.push((
                    Para {
                        n,
                        text: p.as_str(),
                    },
                    cost,
                ));
                continue;
            }
            let chunks = self.chunk(&[p.as_str()], budget, 6)?;
            let mut offset = 0;
            for chunk in chunks {
                // Chunks are consecutive pieces of the paragraph; borrow them
                // from the paragraph so the prompt sees the original text.
                let len = chunk.text.len();
                let piece = p.get(offset..offset + len).unwrap_or(p.as_str());
                offset += len;
                items.push((Para { n, text: piece }, chunk.cost));
            }
        }
        Ok(items)
    }

    /// Packs pieces into chunks within `budget` model tokens, each piece
    /// costing `extra` tokens more than its text (its number label).
    fn chunk(
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

    fn per_paragraph(
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

    fn draft(&self, plan: &Plan, ctx: &mut Ctx<'_>) -> Result<Status, TaskError> {
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

/// Greedy grouping of items (with costs) into groups within `budget`.
fn pack<T>(items: &[(T, usize)], budget: usize) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, (_, cost)) in items.iter().enumerate() {
        if groups.is_empty() || used + cost > budget {
            groups.push(Vec::new());
            used = 0;
        }
        if let Some(last) = groups.last_mut() {
            last.push(i);
        }
        used += cost;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fake::FakeGenerator;
    use crate::tasks::DocType;

    fn library() -> PromptLibrary {
        PromptLibrary::from_dirs(vec![], true)
    }

    fn run(fake: &FakeGenerator, request: Request) -> (TaskResult, Vec<String>) {
        let prompts = library();
        let runner = Runner::new(fake, &prompts);
        let plan = runner.plan(request).unwrap();
        let mut pieces = Vec::new();
        let mut sink = |p: &str| pieces.push(p.to_string());
        let result = runner.run(&plan, &mut sink, &CancelToken::new()).unwrap();
        (result, pieces)
    }

    #[test]
    fn translation_keeps_one_output_paragraph_per_input_paragraph_even_when_the_model_adds_newlines(
    ) {
        let fake = FakeGenerator::new(4000, |_| "Line one\nline two\n\nextra".to_string());
        let input = "第一段。\n\n第二段。\n\n第三段。";
        let mut request = Request::new(TaskKind::Translate, input);
        request.target = Some(Lang::En);
        let (result, pieces) = run(&fake, request);
        assert_eq!(result.input_paragraphs, 3);
        assert_eq!(result.output_paragraphs, 3);
        assert_eq!(pieces.concat(), result.text);
        assert_eq!(fake.prompts().len(), 3);
    }

    #[test]
    fn a_paragraph_the_model_leaves_empty_keeps_its_source_and_a_warning() {
        let fake = FakeGenerator::new(4000, |_| "\n".to_string());
        let mut request = Request::new(TaskKind::Translate, "Hello there.\n\nSecond one.");
        request.target = Some(Lang::ZhHant);
        let (result, _) = run(&fake, request);
        assert_eq!(result.output_paragraphs, 2);
        assert_eq!(result.warnings.len(), 2);
        assert!(result.text.contains("Hello there."));
    }

    #[test]
    fn a_summary_stopped_at_its_point_limit_is_complete_not_cancelled() {
        let fake = FakeGenerator::new(4000, |_| {
            "- First point about the bus routes [1]\n- Second point about stops [1]\n- Third point about fares [1]\n- Fourth point [1]\n".to_string()
        });
        let mut request = Request::new(
            TaskKind::Summarise,
            "The department will open new bus routes, review stops and fares, and report in March.",
        );
        request.max_points = 2;
        let (result, _) = run(&fake, request);
        assert_eq!(result.key_points.as_ref().map(Vec::len), Some(2));
        assert_eq!(result.status, Status::Completed);
    }

    #[test]
    fn chinese_output_is_converted_to_hong_kong_traditional_in_the_stream() {
        let fake = FakeGenerator::new(4000, |_| "我们将于下月推出新计划。".to_string());
        let mut request =
            Request::new(TaskKind::Translate, "We will launch a new plan next month.");
        request.target = Some(Lang::ZhHant);
        let (result, pieces) = run(&fake, request);
        assert_eq!(result.text, "我們將於下月推出新計劃。");
        assert_eq!(pieces.concat(), result.text);
    }

    #[test]
    fn a_long_input_is_summarised_by_map_and_reduce_without_dropping_paragraphs() {
        // The fake cites the first paragraph number it sees in each prompt.
        let fake = FakeGenerator::new(900, |prompt| {
            let tail = prompt.rsplit("###").next().unwrap_or(prompt);
            let n = tail
                .split('[')
                .filter_map(|s| s.split(']').next()?.trim().parse::<usize>().ok())
                .next()
                .unwrap_or(1);
            format!("- 要點甲 [{n}]\n- 要點乙 [{n}]\n\n")
        });
        let paragraph = "房屋署公布公屋輪候時間。".repeat(12);
        let input: Vec<String> = (0..12).map(|_| paragraph.clone()).collect();
        let mut request = Request::new(TaskKind::Summarise, input.join("\n\n"));
        request.max_tokens = Some(40);
        let (result, pieces) = run(&fake, request);
        assert!(
            fake.prompts().len() >= 3,
            "expected map calls and a reduce call, got {}",
            fake.prompts().len()
        );
        let last = fake.prompts().last().cloned().unwrap();
        assert!(
            last.contains("要點甲"),
            "the reduce prompt carries the gathered points"
        );
        let mut covered: Vec<usize> = fake.prompts()[..fake.prompts().len() - 1]
            .iter()
            .flat_map(|p| {
                (1..=12)
                    .filter(|n| p.contains(&format!("[{n}] ")))
                    .collect::<Vec<_>>()
            })
            .collect();
        covered.sort_unstable();
        covered.dedup();
        assert_eq!(
            covered,
            (1..=12).collect::<Vec<_>>(),
            "every paragraph reached a map prompt"
        );
        assert_eq!(pieces.concat(), result.text);
        assert!(result
            .key_points
            .unwrap()
            .iter()
            .all(|p| !p.paragraphs.is_empty()));
    }

    fn glossary() -> Vec<crate::store::GlossaryEntry> {
        vec![
            crate::store::GlossaryEntry::new("Housing Department", "房屋署"),
            crate::store::GlossaryEntry::new("Legislative Council", "立法會"),
        ]
    }

    #[test]
    fn glossary_placeholders_carried_by_the_model_become_the_official_terms() {
        // Echo the placeholders the prompt's last line holds, as a model should.
        let fake = FakeGenerator::new(4000, |prompt| {
            let last = prompt
                .lines()
                .rev()
                .find(|l| l.starts_with("English:"))
                .unwrap_or("");
            last.replace("English:", "")
                .replace("will brief", "將向")
                .replace('.', "匯報。")
        });
        let mut request = Request::new(
            TaskKind::Translate,
            "The Housing Department will brief the Legislative Council.",
        );
        request.target = Some(Lang::ZhHant);
        request.glossary = glossary();
        request.base_glossary = false;
        let (result, pieces) = run(&fake, request);
        let prompt = &fake.prompts()[0];
        assert!(
            prompt.contains("English: The [T1] will brief the [T2]."),
            "{prompt}"
        );
        assert_eq!(result.text, "The 房屋署 將向 the 立法會匯報。");
        assert_eq!(pieces.concat(), result.text);
        let checks = result.checks.unwrap();
        assert_eq!(checks.terms.len(), 2);
        assert!(checks
            .terms
            .iter()
            .all(|t| t.verdict == crate::checks::Verdict::Found));
    }

    #[test]
    fn inline_tags_and_glossary_placeholders_go_through_together_and_tags_are_not_figures() {
        let fake = FakeGenerator::new(4000, |prompt| {
            let last = prompt
                .lines()
                .rev()
                .find(|l| l.starts_with("English:"))
                .unwrap_or("");
            last.replace("English:", "")
                .replace("will brief", "將於2027年向")
                .replace('.', "簡介。")
                // A model that drops a placeholder: its digit must not read as a missing figure.
                .replace("<x1/>", "")
        });
        let mut request = Request::new(
            TaskKind::Translate,
            "<g1>Note:</g1> The Housing Department will brief the <g2>Legislative Council</g2><x1/>.",
        );
        request.target = Some(Lang::ZhHant);
        request.glossary = glossary();
        request.base_glossary = false;
        let (result, _) = run(&fake, request);
        let prompt = &fake.prompts()[0];
        // The worked pair with tags is shown, and the paragraph keeps both kinds of marker.
        assert!(prompt.contains("<g2>Buildings Ordinance</g2>"), "{prompt}");
        assert!(
            prompt.contains("English: <g1>Note:</g1> The [T1] will brief the <g2>[T2]</g2><x1/>."),
            "{prompt}"
        );
        assert_eq!(
            result.text,
            "<g1>Note:</g1> The 房屋署 將於2027年向 the <g2>立法會</g2>簡介。"
        );
        // The digits of the tags are not figures: only 2027, which the source lacks, is flagged.
        let checks = result.checks.unwrap();
        let figures: Vec<String> = checks.figure_flags();
        assert_eq!(figures.len(), 1, "{figures:?}");
        assert!(figures[0].contains("2027"), "{figures:?}");
        assert!(checks
            .terms
            .iter()
            .all(|t| t.verdict == crate::checks::Verdict::Found));
    }

    #[test]
    fn a_title_that_starts_with_a_department_name_is_protected_and_checked_as_the_title() {
        // The model carries the placeholder through, as the prompt shows.
        let fake = FakeGenerator::new(4000, |prompt| {
            let n = prompt.matches("[T").count();
            assert!(n >= 1, "no placeholder in {prompt}");
            "The [T1] said that the works had started.".to_string()
        });
        let mut request = Request::new(TaskKind::Translate, "運輸署副署長表示，工程已經展開。");
        request.target = Some(Lang::En);
        let (result, _) = run(&fake, request);
        let prompt = &fake.prompts()[0];
        assert!(
            !prompt
                .rsplit("###")
                .next()
                .unwrap_or(prompt)
                .contains("運輸署"),
            "{prompt}"
        );
        assert_eq!(
            result.text,
            "The Deputy Commissioner for Transport said that the works had started."
        );
        let checks = result.checks.unwrap();
        let terms: Vec<(&str, crate::checks::Verdict)> = checks
            .terms
            .iter()
            .map(|t| (t.source_term.as_str(), t.verdict))
            .collect();
        assert_eq!(terms, vec![("運輸署副署長", crate::checks::Verdict::Found)]);
        assert!(!checks.flagged(), "{:?}", checks.flag_messages());
    }

    #[test]
    fn a_figure_lost_in_translation_is_reported_missing_and_an_invented_one_added() {
        let fake = FakeGenerator::new(4000, |_| {
            "2026年將提供1,000個單位，查詢電話2835 1234。".to_string()
        });
        let mut request = Request::new(
            TaskKind::Translate,
            "In 2026 the department will provide 1,000 flats at HK$2.5 million each.",
        );
        request.target = Some(Lang::ZhHant);
        let (result, _) = run(&fake, request);
        let checks = result.checks.unwrap();
        let flags = checks.flag_messages();
        assert_eq!(checks.counts.figures_missing, 1, "{flags:?}");
        assert_eq!(checks.counts.figures_added, 1, "{flags:?}");
        assert!(
            flags
                .iter()
                .any(|f| f.contains("HK$2.5 million") && f.contains("missing")),
            "{flags:?}"
        );
        assert!(
            flags
                .iter()
                .any(|f| f.contains("2835 1234") && f.contains("not in the source")),
            "{flags:?}"
        );
    }

    #[test]
    fn a_summary_that_invents_a_figure_is_flagged_and_one_that_drops_figures_is_not() {
        let source = "The Environmental Protection Department will open two recycling stations in Sha Tin on 3 March, costing $12 million.";
        let invented = FakeGenerator::new(4000, |_| {
            "- Two stations will open, costing about $5.4 million [1]\n".to_string()
        });
        let (result, _) = run(&invented, Request::new(TaskKind::Summarise, source));
        let checks = result.checks.unwrap();
        assert_eq!(checks.mode, crate::checks::Mode::Summary);
        assert_eq!(
            checks.counts.figures_added,
            1,
            "{:?}",
            checks.flag_messages()
        );
        let faithful = FakeGenerator::new(4000, |_| "- Stations open on 3 March [1]\n".to_string());
        let (result, _) = run(&faithful, Request::new(TaskKind::Summarise, source));
        let checks = result.checks.unwrap();
        assert!(!checks.flagged(), "{:?}", checks.flag_messages());
        assert_eq!(checks.counts.figures_found, 1);
    }

    #[test]
    fn the_glossary_check_flags_a_term_the_model_dropped() {
        let fake = FakeGenerator::new(4000, |_| "[T1]將向議會匯報。".to_string());
        let mut request = Request::new(
            TaskKind::Translate,
            "The Housing Department will brief the Legislative Council.",
        );
        request.target = Some(Lang::ZhHant);
        request.glossary = glossary();
        request.base_glossary = false;
        let (result, _) = run(&fake, request);
        assert_eq!(result.text, "房屋署將向議會匯報。");
        let checks = result.checks.unwrap();
        let missing = checks.missing_terms();
        assert_eq!(missing, vec!["Legislative Council → 立法會".to_string()]);
    }

    #[test]
    fn a_draft_without_a_document_type_is_refused_before_any_generation() {
        let fake = FakeGenerator::new(4000, |_| "x".into());
        let prompts = library();
        let runner = Runner::new(&fake, &prompts);
        let err = runner
            .plan(Request::new(TaskKind::Draft, "notes"))
            .unwrap_err();
        assert!(matches!(err, TaskError::MissingDocType));
        assert!(fake.prompts().is_empty());
        let mut ok = Request::new(TaskKind::Draft, "notes");
        ok.doc_type = Some(DocType::Memo);
        assert!(runner.plan(ok).is_ok());
    }

    #[test]
    fn translating_english_to_english_is_a_usage_error_that_suggests_the_fix() {
        let fake = FakeGenerator::new(4000, |_| "x".into());
        let prompts = library();
        let runner = Runner::new(&fake, &prompts);
        let mut request = Request::new(TaskKind::Translate, "Plain English text.");
        request.target = Some(Lang::En);
        let err = runner.plan(request).unwrap_err();
        assert!(err.is_usage_error());
        assert!(err.to_string().contains("--to zh-Hant"), "{err}");
    }

    #[test]
    fn empty_input_is_refused() {
        let fake = FakeGenerator::new(4000, |_| "x".into());
        let prompts = library();
        let err = Runner::new(&fake, &prompts)
            .plan(Request::new(TaskKind::Polish, "  \n "))
            .unwrap_err();
        assert!(matches!(err, TaskError::EmptyInput));
    }

    #[test]
    fn cancelling_returns_the_partial_text_with_a_cancelled_status() {
        let fake = FakeGenerator::new(4000, |_| "Some words here. ".repeat(50));
        let prompts = library();
        let runner = Runner::new(&fake, &prompts);
        let mut request = Request::new(TaskKind::Draft, "會議安排");
        request.doc_type = Some(DocType::Memo);
        request.target = Some(Lang::En);
        let plan = runner.plan(request).unwrap();
        let cancel = CancelToken::new();
        let c2 = cancel.clone();
        let mut seen = String::new();
        let mut sink = |p: &str| {
            seen.push_str(p);
            if seen.len() > 40 {
                c2.cancel();
            }
        };
        let result = runner.run(&plan, &mut sink, &cancel).unwrap();
        assert_eq!(result.status, Status::Cancelled);
        assert!(!result.text.is_empty() && result.text.len() < 16 * 50);
    }
}
