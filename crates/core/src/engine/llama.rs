//! The llama.cpp engine: one thread owns the backend's model and context and
//! serves requests from a channel.
//!
//! llama.cpp contexts are not `Send` and borrow their model, so both live on
//! the engine thread for its whole life; callers hold only a [`Sender`]. The
//! model file is validated in Rust before llama.cpp sees it, because llama.cpp
//! answers a broken file with an abort that takes the whole process down.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Instant, UNIX_EPOCH};

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use serde::{Deserialize, Serialize};

use super::stop::{Scan, StopScanner};
use super::utf8::Utf8Stream;
use super::{
    ChatMessage, Completion, EngineError, Event, GenerateRequest, Generator, ModelInfo,
    SamplingParams, StopReason, Timings,
};
use crate::models;

/// How many of the model's layers go to the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GpuLayers {
    /// All layers when a GPU backend is compiled in and the model fits in its
    /// free memory (llama.cpp's own fitting decides), otherwise CPU.
    #[default]
    Auto,
    /// Exactly this many (0 = CPU only).
    #[serde(untagged)]
    Count(u32),
}

impl FromStr for GpuLayers {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Self::Auto);
        }
        s.parse::<u32>()
            .map(Self::Count)
            .map_err(|_| format!("expected `auto` or a number of layers, got `{s}`"))
    }
}

/// Settings the engine is started with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EngineConfig {
    pub model: PathBuf,
    pub gpu_layers: GpuLayers,
    /// CPU threads; `None` uses every available core.
    pub threads: Option<u32>,
    pub n_ctx: u32,
    /// Tokens per decode call; cancellation is checked between calls.
    pub n_batch: u32,
    /// Requests decoded together as parallel sequences (batch work); each
    /// gets a context of `n_ctx` tokens.
    pub parallel: u32,
    /// Reuse the cached keys and values of a prompt prefix shared with the
    /// previous request in the same slot (off only for benchmarks that must
    /// evaluate the whole prompt every time).
    pub prefix_cache: bool,
}

impl EngineConfig {
    /// Defaults for a model file: auto GPU, all cores, 4096-token context.
    pub fn new(model: impl Into<PathBuf>) -> Self {
        Self {
            model: model.into(),
            gpu_layers: GpuLayers::Auto,
            threads: None,
            n_ctx: 4096,
            n_batch: 512,
            parallel: 1,
            prefix_cache: true,
        }
    }

    /// The thread count actually used.
    pub fn effective_threads(&self) -> u32 {
        self.threads.filter(|&t| t > 0).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get() as u32)
                .unwrap_or(1)
        })
    }
}

/// The process-wide llama.cpp backend. llama.cpp may be initialised once per
/// process, so every engine (and the benchmark's bare loop) shares it.
///
/// # Errors
/// When llama.cpp fails to initialise.
pub fn backend() -> Result<&'static LlamaBackend, EngineError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // llama.cpp prints to stderr by default; route it through tracing so
            // it is quiet unless RUST_LOG asks for it.
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| EngineError::Backend(e.clone()))
}

enum Command {
    Generate(GenerateRequest, Sender<Event>),
    CountTokens(String, Sender<Result<usize, EngineError>>),
    Chat(Vec<ChatMessage>, Sender<Result<String, EngineError>>),
}

struct Loaded {
    n_ctx: u32,
    n_ctx_train: u32,
    gpu_layers: u32,
    has_chat_template: bool,
    description: String,
}

/// A llama.cpp model and context running on their own thread.
pub struct LlamaEngine {
    commands: Mutex<Option<Sender<Command>>>,
    info: ModelInfo,
    thread: Option<JoinHandle<()>>,
}

impl LlamaEngine {
    /// Validates the model file, then loads it on a new engine thread.
    ///
    /// # Errors
    /// A [`models::ModelFileError`] for a missing or broken file, or the
    /// llama.cpp error that stopped loading.
    pub fn load(config: EngineConfig) -> Result<Self, EngineError> {
        let summary = models::validate(&config.model)?;
        let sha256 = cached_sha256(&config.model, summary.file_size)?;
        let (ready_tx, ready_rx) = mpsc::channel();
        let (cmd_tx, cmd_rx) = mpsc::channel();
        let thread_config = config.clone();
        let thread = std::thread::Builder::new()
            .name("wenshu-engine".into())
            .spawn(move || engine_thread(thread_config, ready_tx, cmd_rx))
            .map_err(|e| EngineError::Backend(format!("cannot start the engine thread: {e}")))?;
        let loaded = ready_rx.recv().map_err(|_| EngineError::Stopped)??;
        let info = ModelInfo {
            file_name: summary.file_name.clone(),
            path: config.model.clone(),
            sha256,
            n_ctx: loaded.n_ctx,
            n_ctx_train: loaded.n_ctx_train,
            gpu_layers: loaded.gpu_layers,
            threads: config.effective_threads(),
            has_chat_template: loaded.has_chat_template,
            description: loaded.description,
        };
        Ok(Self {
            commands: Mutex::new(Some(cmd_tx)),
            info,
            thread: Some(thread),
        })
    }

    fn send(&self, command: Command) -> Result<(), EngineError> {
        let guard = self.commands.lock().map_err(|_| EngineError::Stopped)?;
        guard
            .as_ref()
            .ok_or(EngineError::Stopped)?
            .send(command)
            .map_err(|_| EngineError::Stopped)
    }
}

impl Drop for LlamaEngine {
    fn drop(&mut self) {
        // Closing the channel ends the engine thread's loop; join so the model
        // is freed before the backend goes away at process exit.
        if let Ok(mut guard) = self.commands.lock() {
            guard.take();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Generator for LlamaEngine {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn count_tokens(&self, text: &str) -> Result<usize, EngineError> {
        let (tx, rx) = mpsc::channel();
        self.send(Command::CountTokens(text.to_string(), tx))?;
        rx.recv().map_err(|_| EngineError::Stopped)?
    }

    fn apply_chat_template(&self, messages: &[ChatMessage]) -> Result<String, EngineError> {
        let (tx, rx) = mpsc::channel();
        self.send(Command::Chat(messages.to_vec(), tx))?;
        rx.recv().map_err(|_| EngineError::Stopped)?
    }

    fn submit(&self, request: GenerateRequest, events: Sender<Event>) -> Result<(), EngineError> {
        self.send(Command::Generate(request, events))
    }
}

fn engine_thread(
    config: EngineConfig,
    ready: Sender<Result<Loaded, EngineError>>,
    commands: Receiver<Command>,
) {
    // The context borrows the model, so both are created and kept here.
    let (backend, model, gpu_layers) =
        match backend().and_then(|b| Ok((b, load_model(b, &config)?))) {
            Ok((b, (model, layers))) => (b, model, layers),
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
    let mut ctx = match new_context(backend, &model, &config) {
        Ok(ctx) => ctx,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let description = model.meta_val_str("general.name").unwrap_or_else(|_| {
        model
            .meta_val_str("general.architecture")
            .unwrap_or_default()
    });
    // Without a unified cache llama.cpp gives each sequence an equal share.
    let n_ctx_seq = ctx.n_ctx() / config.parallel.max(1);
    let loaded = Loaded {
        n_ctx: n_ctx_seq,
        n_ctx_train: model.n_ctx_train(),
        gpu_layers,
        has_chat_template: model.chat_template(None).is_ok(),
        description,
    };
    if ready.send(Ok(loaded)).is_err() {
        return;
    }
    let parallel = config.parallel.max(1) as usize;
    let mut batch = LlamaBatch::new((config.n_batch as usize).max(parallel), 1);
    let mut scheduler = Scheduler::new(
        &model,
        config.n_batch as usize,
        n_ctx_seq,
        parallel,
        config.prefix_cache,
    );
    loop {
        // Block only when there is nothing to decode; otherwise take what
        // has arrived and go on stepping.
        let command = if scheduler.busy() {
            match commands.try_recv() {
                Ok(c) => Some(c),
                Err(mpsc::TryRecvError::Empty) => None,
                Err(mpsc::TryRecvError::Disconnected) => break,
            }
        } else {
            match commands.recv() {
                Ok(c) => Some(c),
                Err(_) => break,
            }
        };
        if let Some(command) = command {
            match command {
                Command::Generate(request, events) => scheduler.queue.push_back((request, events)),
                Command::CountTokens(text, reply) => {
                    let _ = reply.send(Ok(model
                        .vocab()
                        .tokenize(text.as_bytes(), false, false)
                        .len()));
                }
                Command::Chat(messages, reply) => {
                    let _ = reply.send(render_chat(&model, &messages));
                }
            }
            // Drain everything already queued before decoding, so requests
            // sent together start together.
            continue;
        }
        scheduler.admit(&mut ctx);
        scheduler.step(&mut ctx, &mut batch);
    }
}

/// Loads the model, offloading layers as configured; a failed GPU load falls
/// back to CPU with a warning rather than failing the user's task.
fn load_model(
    backend: &LlamaBackend,
    config: &EngineConfig,
) -> Result<(LlamaModel, u32), EngineError> {
    let gpu_available = backend.supports_gpu_offload();
    let wanted = match config.gpu_layers {
        // All layers; if they do not fit, the load fails and we fall back
        // to CPU below. (llama.cpp's memory fitting lives in its `common`
        // library, which this build leaves out to keep compile times down.)
        GpuLayers::Auto if gpu_available => 999,
        GpuLayers::Auto => 0,
        GpuLayers::Count(n) if n > 0 && !gpu_available => {
            tracing::warn!(
                "{n} GPU layers requested but this build has no GPU backend; running on CPU"
            );
            0
        }
        GpuLayers::Count(n) => n,
    };
    let load = |layers: u32| {
        let params = LlamaModelParams::default().with_n_gpu_layers(layers);
        LlamaModel::load_from_file(backend, &config.model, &params)
    };
    match load(wanted) {
        Ok(model) => {
            let layers = wanted.min(model.n_layer() + 1);
            Ok((model, layers))
        }
        Err(e) if wanted > 0 => {
            tracing::warn!("loading with {wanted} GPU layers failed ({e}); falling back to CPU");
            load(0).map(|m| (m, 0)).map_err(|e| EngineError::Load {
                path: config.model.clone(),
                reason: e.to_string(),
            })
        }
        Err(e) => Err(EngineError::Load {
            path: config.model.clone(),
            reason: e.to_string(),
        }),
    }
}

/// Context parameters for a config, shared with the benchmark's bare loop.
///
/// Flash attention is off unless layers are on a GPU: ggml's CPU
/// flash-attention kernel splits the cache across threads when one sequence
/// decodes alone over 512+ cached tokens, but not when several streams share
/// the batch, so a sequence's text would depend on what else is in flight.
/// The plain attention path computes each row the same way in both cases.
pub(crate) fn context_params(config: &EngineConfig) -> LlamaContextParams {
    let threads = config.effective_threads() as i32;
    let parallel = config.parallel.max(1);
    let flash = match config.gpu_layers {
        GpuLayers::Count(0) => llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_DISABLED,
        _ if !cfg!(any(feature = "cuda", feature = "vulkan", feature = "metal")) => {
            llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_DISABLED
        }
        _ => llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_AUTO,
    };
    LlamaContextParams::default()
        .with_flash_attention_policy(flash)
        .with_n_ctx(NonZeroU32::new(config.n_ctx.saturating_mul(parallel)))
        .with_n_seq_max(parallel)
        .with_n_batch(config.n_batch)
        .with_n_ubatch(config.n_batch)
        .with_n_threads(threads)
        .with_n_threads_batch(threads)
}

fn new_context<'m>(
    backend: &LlamaBackend,
    model: &'m LlamaModel,
    config: &EngineConfig,
) -> Result<LlamaContext<'m>, EngineError> {
    model
        .new_context(backend, context_params(config))
        .map_err(|e| EngineError::Context {
            n_ctx: config.n_ctx,
            reason: e.to_string(),
        })
}

fn render_chat(model: &LlamaModel, messages: &[ChatMessage]) -> Result<String, EngineError> {
    let template = model
        .chat_template(None)
        .map_err(|_| EngineError::NoChatTemplate)?;
    let messages = messages
        .iter()
        .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| EngineError::ChatTemplate(e.to_string()))?;
    model
        .apply_chat_template(&template, &messages, true)
        .map_err(|e| EngineError::ChatTemplate(e.to_string()))
}

/// The sampler chain for a request. `sample()` both picks and accepts a
/// token, so the chain sees each token exactly once.
pub(crate) fn build_sampler(params: &SamplingParams, n_vocab: i32) -> LlamaSampler {
    let mut chain = Vec::new();
    if params.repeat_penalty != 1.0 {
        chain.push(LlamaSampler::penalties(
            n_vocab,
            params.repeat_last_n,
            params.repeat_penalty,
            0.0,
            0.0,
        ));
    }
    if params.temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
    } else {
        chain.push(LlamaSampler::top_p(params.top_p, 1));
        chain.push(LlamaSampler::min_p(params.min_p, 1));
        chain.push(LlamaSampler::temp(params.temperature));
        chain.push(LlamaSampler::dist(params.seed));
    }
    LlamaSampler::chain_simple(chain)
}

/// Tokens of a prompt as the engine feeds them (BOS added when the model
/// wants it; special tokens of chat templates parsed).
pub(crate) fn tokenize_prompt(model: &LlamaModel, prompt: &str) -> Vec<LlamaToken> {
    model.vocab().tokenize(prompt.as_bytes(), true, true)
}

/// One request being served in a sequence slot of the shared context.
struct Slot {
    request: GenerateRequest,
    out: Output,
    sampler: LlamaSampler,
    tokens: Vec<LlamaToken>,
    /// Prompt tokens already in the KV cache.
    fed: usize,
    /// Position of the next token in this sequence.
    n_past: usize,
    /// Token sampled last step, to be decoded this step.
    pending: Option<LlamaToken>,
    /// This slot's index in the current batch, when it asked for logits.
    logits_at: Option<i32>,
    completion: Completion,
    started: Instant,
    prompt_started: Instant,
    first_token_at: Option<Instant>,
}

/// Serves generation requests as parallel sequences of one context:
/// continuous batching.
///
/// Every step decodes one batch holding the next token of each generating
/// sequence plus as many prompt tokens of newly admitted requests as fit, so
/// a finished sequence's slot is refilled at once and the CPU's matrix work
/// is shared by all sequences. With one slot this is exactly the plain
/// prompt-then-token loop.
struct Scheduler<'m> {
    model: &'m LlamaModel,
    n_batch: usize,
    /// Context available to each sequence.
    n_ctx_seq: u32,
    slots: Vec<Option<Slot>>,
    /// Prompt tokens whose keys and values are still in each slot's
    /// sequence, so a request sharing a prefix with the last one (every
    /// segment of a batch job shares its prompt's instructions and examples)
    /// evaluates only what differs.
    cached: Vec<Vec<LlamaToken>>,
    prefix_cache: bool,
    queue: std::collections::VecDeque<(GenerateRequest, Sender<Event>)>,
}

impl<'m> Scheduler<'m> {
    fn new(
        model: &'m LlamaModel,
        n_batch: usize,
        n_ctx_seq: u32,
        parallel: usize,
        prefix_cache: bool,
    ) -> Self {
        Self {
            model,
            n_batch,
            n_ctx_seq,
            slots: (0..parallel.max(1)).map(|_| None).collect(),
            cached: vec![Vec::new(); parallel.max(1)],
            prefix_cache,
            queue: std::collections::VecDeque::new(),
        }
    }

    fn busy(&self) -> bool {
        !self.queue.is_empty() || self.slots.iter().any(Option::is_some)
    }

    /// Moves queued requests into free slots; a request that cannot run
    /// (empty or too-long prompt) is answered at once.
    fn admit(&mut self, ctx: &mut LlamaContext<'_>) {
        while let Some(free) = self.slots.iter().position(Option::is_none) {
            let Some((request, events)) = self.queue.pop_front() else {
                return;
            };
            let started = Instant::now();
            let tokens = tokenize_prompt(self.model, &request.prompt);
            let error = if tokens.is_empty() {
                Some(EngineError::Tokenize("the prompt is empty".into()))
            } else if tokens.len() >= self.n_ctx_seq as usize {
                Some(EngineError::PromptTooLong {
                    tokens: tokens.len(),
                    n_ctx: self.n_ctx_seq,
                })
            } else {
                None
            };
            if let Some(error) = error {
                let _ = events.send(Event::Failed {
                    error,
                    partial: String::new(),
                });
                continue;
            }
            // Keep the longest prefix this slot already holds (at least one
            // token is always evaluated: its logits start the answer).
            let reused = if self.prefix_cache {
                let cached = &self.cached[free];
                cached
                    .iter()
                    .zip(&tokens)
                    .take_while(|(a, b)| a == b)
                    .count()
                    .min(tokens.len() - 1)
            } else {
                0
            };
            let cleared = ctx
                .clear_kv_cache_seq(Some(free as u32), Some(reused as u32), None)
                .unwrap_or(false);
            let reused = if cleared {
                reused
            } else {
                let _ = ctx.clear_kv_cache_seq(Some(free as u32), None, None);
                0
            };
            self.cached[free].clear();
            let completion = Completion {
                text: String::new(),
                stop_reason: StopReason::MaxTokens,
                prompt_tokens: tokens.len() as u32,
                cached_prompt_tokens: reused as u32,
                generated_tokens: 0,
                timings: Timings::default(),
            };
            self.slots[free] = Some(Slot {
                sampler: build_sampler(&request.sampling, self.model.n_vocab()),
                out: Output::new(&request.stop, events),
                request,
                tokens,
                fed: reused,
                n_past: reused,
                pending: None,
                logits_at: None,
                completion,
                started,
                prompt_started: Instant::now(),
                first_token_at: None,
            });
        }
    }

    /// Ends slot `i` with `reason` and sends its completion.
    fn finish(&mut self, i: usize, reason: StopReason) {
        if let Some(mut slot) = self.slots[i].take() {
            slot.tokens.truncate(slot.fed);
            self.cached[i] = std::mem::take(&mut slot.tokens);
            slot.completion.stop_reason = reason;
            if reason != StopReason::StopSequence {
                slot.out.finish();
            }
            let ended = Instant::now();
            if let Some(first) = slot.first_token_at {
                slot.completion.timings.generation_ms = ms_between(first, ended);
            }
            slot.completion.timings.total_ms = ms_between(slot.started, ended);
            slot.completion.text = slot.out.scanner.text().to_string();
            let _ = slot.out.events.send(Event::Done(slot.completion));
        }
    }

    /// Fails every running request (a decode error spoils the whole batch).
    fn fail_all(&mut self, ctx: &mut LlamaContext<'_>, message: &str) {
        for slot in self.slots.iter_mut() {
            if let Some(mut slot) = slot.take() {
                slot.out.flush();
                let partial = slot.out.scanner.text().to_string();
                let _ = slot.out.events.send(Event::Failed {
                    error: EngineError::Decode(message.to_string()),
                    partial,
                });
            }
        }
        ctx.clear_kv_cache();
        for cached in &mut self.cached {
            cached.clear();
        }
    }

    /// One decode step over every active slot, then sampling.
    fn step(&mut self, ctx: &mut LlamaContext<'_>, batch: &mut LlamaBatch<'_>) {
        for i in 0..self.slots.len() {
            let cancelled = self.slots[i]
                .as_ref()
                .is_some_and(|s| s.request.cancel.is_cancelled());
            if cancelled {
                self.finish(i, StopReason::Cancelled);
            }
        }
        // Generating sequences share one call; prompts go in calls of their
        // own. A sequence's text must not depend on its neighbours.
        self.decode_phase(ctx, batch, false);
        self.decode_phase(ctx, batch, true);
    }

    /// Decodes either the pending token of every generating slot or the next
    /// prompt tokens of ingesting slots, then samples where logits were asked.
    fn decode_phase(
        &mut self,
        ctx: &mut LlamaContext<'_>,
        batch: &mut LlamaBatch<'_>,
        prompts: bool,
    ) {
        batch.clear();
        let mut added = 0usize;
        for (i, slot) in self.slots.iter_mut().enumerate() {
            let Some(slot) = slot else { continue };
            slot.logits_at = None;
            if prompts {
                // One sequence's prompt per call, in the same chunks as a
                // lone request: measured, prompts of several sequences in
                // one ubatch change later greedy choices.
                if added > 0 {
                    continue;
                }
                while slot.fed < slot.tokens.len() && added < self.n_batch {
                    let last = slot.fed == slot.tokens.len() - 1;
                    if batch
                        .add(slot.tokens[slot.fed], slot.fed as i32, &[i as i32], last)
                        .is_err()
                    {
                        break;
                    }
                    if last {
                        slot.logits_at = Some(batch.n_tokens() - 1);
                    }
                    slot.fed += 1;
                    slot.n_past = slot.fed;
                    added += 1;
                }
            } else if let Some(token) = slot.pending.take() {
                if batch
                    .add(token, slot.n_past as i32, &[i as i32], true)
                    .is_err()
                {
                    slot.pending = Some(token);
                    continue;
                }
                slot.logits_at = Some(batch.n_tokens() - 1);
                slot.n_past += 1;
                added += 1;
            }
        }
        if added == 0 {
            return;
        }
        if let Err(e) = ctx.decode(batch) {
            self.fail_all(ctx, &e.to_string());
            return;
        }
        let vocab = self.model.vocab();
        let mut piece = Vec::with_capacity(16);
        for i in 0..self.slots.len() {
            let Some(slot) = self.slots[i].as_mut() else {
                continue;
            };
            let Some(at) = slot.logits_at else { continue };
            let token = slot.sampler.sample(ctx, at);
            if slot.first_token_at.is_none() {
                let now = Instant::now();
                slot.completion.timings.prompt_ms = ms_between(slot.prompt_started, now);
                slot.completion.timings.first_token_ms = ms_between(slot.started, now);
                slot.first_token_at = Some(now);
            }
            if !slot.request.ignore_eog && vocab.is_eog(token) {
                self.finish(i, StopReason::EndOfGeneration);
                continue;
            }
            slot.completion.generated_tokens += 1;
            piece.clear();
            vocab.token_to_piece_into(token, &mut piece, false, None);
            let reason = if slot.out.push_bytes(&piece) {
                Some(StopReason::StopSequence)
            } else if slot.completion.generated_tokens >= slot.request.max_tokens {
                Some(StopReason::MaxTokens)
            } else if slot.n_past >= self.n_ctx_seq as usize {
                Some(StopReason::ContextFull)
            } else {
                slot.pending = Some(token);
                None
            };
            if let Some(reason) = reason {
                self.finish(i, reason);
            }
        }
    }
}

/// Streams text to the caller through the UTF-8 and stop-sequence filters.
///
/// Text is sent at most every [`FLUSH_INTERVAL`]: each send wakes the
/// receiving thread, and on a 2-core machine that wake-up preempts one of
/// llama.cpp's compute threads mid-token (measured: about 3% of generation
/// speed when sending every token). 30 ms is below what a reader notices.
struct Output {
    utf8: Utf8Stream,
    scanner: StopScanner,
    events: Sender<Event>,
    unsent: String,
    last_sent: Instant,
}

const FLUSH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(30);

impl Output {
    fn new(stop: &[String], events: Sender<Event>) -> Self {
        Self {
            utf8: Utf8Stream::default(),
            scanner: StopScanner::new(stop),
            events,
            unsent: String::new(),
            // The first piece goes out at once: time to first token matters.
            last_sent: Instant::now() - FLUSH_INTERVAL,
        }
    }

    /// Returns true when a stop sequence ended the text.
    fn push_bytes(&mut self, bytes: &[u8]) -> bool {
        let text = self.utf8.push(bytes);
        if text.is_empty() {
            return false;
        }
        match self.scanner.push(&text) {
            Scan::Continue(piece) => {
                self.emit(piece);
                false
            }
            Scan::Stopped(piece) => {
                self.emit(piece);
                self.flush();
                true
            }
        }
    }

    fn finish(&mut self) {
        let tail = self.utf8.finish();
        let mut piece = match self.scanner.push(&tail) {
            Scan::Continue(p) | Scan::Stopped(p) => p,
        };
        piece.push_str(&self.scanner.finish());
        self.emit(piece);
        self.flush();
    }

    fn emit(&mut self, piece: String) {
        self.unsent.push_str(&piece);
        if !self.unsent.is_empty() && self.last_sent.elapsed() >= FLUSH_INTERVAL {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.unsent.is_empty() {
            let _ = self
                .events
                .send(Event::Token(std::mem::take(&mut self.unsent)));
            self.last_sent = Instant::now();
        }
    }
}

fn ms_between(a: Instant, b: Instant) -> f64 {
    b.duration_since(a).as_secs_f64() * 1000.0
}

/// The model file's sha256, remembered per (path, size, mtime) in the user's
/// cache directory: hashing a 5 GB model at every start would cost seconds.
///
/// # Errors
/// When the file cannot be read.
pub fn cached_sha256(path: &Path, size: u64) -> Result<String, EngineError> {
    let mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let key = format!("{}\n{size}\n{mtime}", canonical.display());
    let cache_file = dirs::cache_dir().map(|dir| {
        use sha2::Digest;
        let name = hex::encode(sha2::Sha256::digest(key.as_bytes()));
        dir.join("wenshu").join("model-sha256").join(&name[..32])
    });
    if let Some(file) = &cache_file {
        if let Ok(cached) = std::fs::read_to_string(file) {
            let cached = cached.trim();
            if cached.len() == 64 && cached.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Ok(cached.to_string());
            }
        }
    }
    let sha = models::sha256_file(path, &mut |_| {})?;
    if let Some(file) = cache_file {
        // A cache that cannot be written only costs time next start.
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::write(&file, &sha);
    }
    Ok(sha)
}
