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
    /// Tokens per prompt decode call; cancellation is checked between calls.
    pub n_batch: u32,
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
    let loaded = Loaded {
        n_ctx: ctx.n_ctx(),
        n_ctx_train: model.n_ctx_train(),
        gpu_layers,
        has_chat_template: model.chat_template(None).is_ok(),
        description,
    };
    if ready.send(Ok(loaded)).is_err() {
        return;
    }
    let mut batch = LlamaBatch::new(config.n_batch as usize, 1);
    for command in commands {
        match command {
            Command::Generate(request, events) => run_request(
                &model,
                &mut ctx,
                &mut batch,
                config.n_batch as usize,
                request,
                &events,
            ),
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

fn context_params(config: &EngineConfig) -> LlamaContextParams {
    let threads = config.effective_threads() as i32;
    LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(config.n_ctx))
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

fn run_request(
    model: &LlamaModel,
    ctx: &mut LlamaContext<'_>,
    batch: &mut LlamaBatch<'_>,
    n_batch: usize,
    request: GenerateRequest,
    events: &Sender<Event>,
) {
    let mut out = Output::new(&request.stop, events);
    match generate_into(model, ctx, batch, n_batch, &request, &mut out) {
        Ok(completion) => {
            let _ = events.send(Event::Done(completion));
        }
        Err(error) => {
            out.flush();
            let partial = out.scanner.text().to_string();
            let _ = events.send(Event::Failed { error, partial });
        }
    }
}

/// Streams text to the caller through the UTF-8 and stop-sequence filters.
///
/// Text is sent at most every [`FLUSH_INTERVAL`]: each send wakes the
/// receiving thread, and on a 2-core machine that wake-up preempts one of
/// llama.cpp's compute threads mid-token (measured: about 3% of generation
/// speed when sending every token). 30 ms is below what a reader notices.
struct Output<'a> {
    utf8: Utf8Stream,
    scanner: StopScanner,
    events: &'a Sender<Event>,
    unsent: String,
    last_sent: Instant,
}

const FLUSH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(30);

impl<'a> Output<'a> {
    fn new(stop: &[String], events: &'a Sender<Event>) -> Self {
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

fn generate_into(
    model: &LlamaModel,
    ctx: &mut LlamaContext<'_>,
    batch: &mut LlamaBatch<'_>,
    n_batch: usize,
    request: &GenerateRequest,
    out: &mut Output<'_>,
) -> Result<Completion, EngineError> {
    let started = Instant::now();
    let tokens = tokenize_prompt(model, &request.prompt);
    let n_ctx = ctx.n_ctx();
    if tokens.is_empty() {
        return Err(EngineError::Tokenize("the prompt is empty".into()));
    }
    if tokens.len() >= n_ctx as usize {
        return Err(EngineError::PromptTooLong {
            tokens: tokens.len(),
            n_ctx,
        });
    }
    ctx.clear_kv_cache();
    let vocab = model.vocab();
    let mut completion = Completion {
        text: String::new(),
        stop_reason: StopReason::MaxTokens,
        prompt_tokens: tokens.len() as u32,
        generated_tokens: 0,
        timings: Timings::default(),
    };
    let prompt_started = Instant::now();
    let last = tokens.len() - 1;
    for (chunk_no, chunk) in tokens.chunks(n_batch).enumerate() {
        if request.cancel.is_cancelled() {
            completion.stop_reason = StopReason::Cancelled;
            completion.timings.total_ms = ms_since(started);
            return Ok(completion);
        }
        batch.clear();
        for (i, &token) in chunk.iter().enumerate() {
            let pos = chunk_no * n_batch + i;
            batch
                .add(token, pos as i32, &[0], pos == last)
                .map_err(|e| EngineError::Decode(e.to_string()))?;
        }
        ctx.decode(batch)
            .map_err(|e| EngineError::Decode(e.to_string()))?;
    }
    let mut logits_index = batch.n_tokens() - 1;
    let mut sampler = build_sampler(&request.sampling, model.n_vocab());
    let mut n_past = tokens.len();
    let mut piece = Vec::with_capacity(16);
    let mut first_token_at = None;
    loop {
        if request.cancel.is_cancelled() {
            completion.stop_reason = StopReason::Cancelled;
            break;
        }
        if completion.generated_tokens >= request.max_tokens {
            completion.stop_reason = StopReason::MaxTokens;
            break;
        }
        let token = sampler.sample(ctx, logits_index);
        if first_token_at.is_none() {
            let now = Instant::now();
            completion.timings.prompt_ms = ms_between(prompt_started, now);
            completion.timings.first_token_ms = ms_between(started, now);
            first_token_at = Some(now);
        }
        if !request.ignore_eog && vocab.is_eog(token) {
            completion.stop_reason = StopReason::EndOfGeneration;
            break;
        }
        completion.generated_tokens += 1;
        piece.clear();
        vocab.token_to_piece_into(token, &mut piece, false, None);
        if out.push_bytes(&piece) {
            completion.stop_reason = StopReason::StopSequence;
            break;
        }
        if completion.generated_tokens >= request.max_tokens {
            completion.stop_reason = StopReason::MaxTokens;
            break;
        }
        if n_past >= n_ctx as usize {
            completion.stop_reason = StopReason::ContextFull;
            break;
        }
        batch.clear();
        batch
            .add(token, n_past as i32, &[0], true)
            .map_err(|e| EngineError::Decode(e.to_string()))?;
        ctx.decode(batch)
            .map_err(|e| EngineError::Decode(e.to_string()))?;
        n_past += 1;
        logits_index = 0;
    }
    if completion.stop_reason != StopReason::StopSequence {
        out.finish();
    }
    let ended = Instant::now();
    if let Some(first) = first_token_at {
        completion.timings.generation_ms = ms_between(first, ended);
    }
    completion.timings.total_ms = ms_between(started, ended);
    completion.text = out.scanner.text().to_string();
    Ok(completion)
}

fn ms_between(a: Instant, b: Instant) -> f64 {
    b.duration_since(a).as_secs_f64() * 1000.0
}

fn ms_since(a: Instant) -> f64 {
    ms_between(a, Instant::now())
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
