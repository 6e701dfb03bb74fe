//! Text generation: the [`Generator`] trait every task talks to, and its
//! implementations.
//!
//! A request goes in with a sender; events come back on it as they happen
//! (`Token`, then `Done` or `Failed` with the partial text). The llama.cpp
//! engine owns its model and context on one thread because llama.cpp contexts
//! are not `Send`; callers on any thread only hold a channel to it.

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
pub mod llama;
pub mod pseudo;
pub mod stop;
pub mod utf8;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::models::ModelFileError;
use wenshu_error::{Fix, Setting};

pub use llama::{EngineConfig, GpuLayers, LlamaEngine};

/// A shared flag that asks a running generation to stop.
///
/// Checked between prompt batches and between generated tokens, so a cancel
/// takes effect within one decode step.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
    parent: Option<Arc<AtomicBool>>,
}

impl CancelToken {
    /// A fresh, not-cancelled token.
    pub fn new() -> Self {
        Self::default()
    }
    /// A token that is cancelled when this one is, and can also be cancelled
    /// on its own (ending one model call without ending the whole task).
    pub fn child(&self) -> Self {
        Self {
            flag: Arc::new(AtomicBool::new(false)),
            parent: Some(self.flag.clone()),
        }
    }
    /// Asks every holder of this token (and its children) to stop.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }
    /// Whether this token or its parent was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
            || self
                .parent
                .as_ref()
                .is_some_and(|p| p.load(Ordering::SeqCst))
    }
}

/// How the next token is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SamplingParams {
    /// 0 means greedy: always the most likely token (seed unused).
    pub temperature: f32,
    pub top_p: f32,
    pub min_p: f32,
    /// 1.0 disables the penalty.
    pub repeat_penalty: f32,
    /// How many recent tokens the repeat penalty looks at.
    pub repeat_last_n: i32,
    pub seed: u32,
}

impl Default for SamplingParams {
    fn default() -> Self {
        // Official writing wants the likely wording, not creative variety; a
        // mild repeat penalty stops small models looping on one phrase.
        Self {
            temperature: 0.2,
            top_p: 0.9,
            min_p: 0.05,
            repeat_penalty: 1.1,
            repeat_last_n: 64,
            seed: 42,
        }
    }
}

impl SamplingParams {
    /// Plain greedy decoding with no penalty: the reference for comparisons.
    pub fn greedy() -> Self {
        Self {
            temperature: 0.0,
            repeat_penalty: 1.0,
            ..Self::default()
        }
    }
}

/// One generation job for an engine.
#[derive(Debug, Clone)]
pub struct GenerateRequest {
    /// The full prompt text, chat template already applied where needed.
    pub prompt: String,
    pub max_tokens: u32,
    pub stop: Vec<String>,
    pub sampling: SamplingParams,
    pub cancel: CancelToken,
    /// Keep going past end-of-generation tokens (benchmarks only).
    pub ignore_eog: bool,
}

impl GenerateRequest {
    /// A request with default sampling and no stop sequences.
    pub fn new(prompt: impl Into<String>, max_tokens: u32) -> Self {
        Self {
            prompt: prompt.into(),
            max_tokens,
            stop: Vec::new(),
            sampling: SamplingParams::default(),
            cancel: CancelToken::new(),
            ignore_eog: false,
        }
    }
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    EndOfGeneration,
    StopSequence,
    MaxTokens,
    ContextFull,
    Cancelled,
}

/// Measured cost of one generation, in milliseconds unless said otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Prompt evaluation up to the first sampled token.
    pub prompt_ms: f64,
    /// From the first sampled token to the end.
    pub generation_ms: f64,
    /// From the request reaching the engine to the first token.
    pub first_token_ms: f64,
    pub total_ms: f64,
}

/// A finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub text: String,
    pub stop_reason: StopReason,
    pub prompt_tokens: u32,
    /// Of `prompt_tokens`, those whose keys and values were already cached
    /// from the previous request (a shared prefix) and not evaluated again.
    #[serde(default)]
    pub cached_prompt_tokens: u32,
    pub generated_tokens: u32,
    pub timings: Timings,
}

impl Completion {
    /// Prompt tokens per second.
    /// Prompt tokens evaluated per second (cached ones excluded).
    pub fn prompt_tps(&self) -> f64 {
        per_second(
            self.prompt_tokens.saturating_sub(self.cached_prompt_tokens) as f64,
            self.timings.prompt_ms,
        )
    }
    /// Generated tokens per second, counted after the first token (whose cost
    /// belongs to the prompt).
    pub fn generation_tps(&self) -> f64 {
        per_second(
            self.generated_tokens.saturating_sub(1) as f64,
            self.timings.generation_ms,
        )
    }
}

pub(crate) fn per_second(count: f64, ms: f64) -> f64 {
    if ms > 0.0 {
        count * 1000.0 / ms
    } else {
        0.0
    }
}

/// What an engine sends back while it works on a request.
#[derive(Debug)]
pub enum Event {
    /// Newly generated text, whole characters only, stop sequences held back.
    Token(String),
    Done(Completion),
    Failed {
        error: EngineError,
        partial: String,
    },
}

/// One message of a chat-style prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

/// What a caller needs to know about the loaded model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub path: PathBuf,
    pub file_name: String,
    pub sha256: String,
    /// Context length the engine runs with.
    pub n_ctx: u32,
    pub n_ctx_train: u32,
    pub gpu_layers: u32,
    pub threads: u32,
    pub has_chat_template: bool,
    pub description: String,
}

/// Everything that can go wrong in an engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    ModelFile(#[from] ModelFileError),
    #[error("llama.cpp could not start: {0}")]
    Backend(String),
    #[error(
        "llama.cpp could not load {path}: {reason}; the file looks like a valid GGUF, so its \
         architecture or quantisation may be unsupported by this build: pick another model"
    )]
    Load { path: PathBuf, reason: String },
    #[error("could not create a context of {n_ctx} tokens: {reason}; lower the context length")]
    Context { n_ctx: u32, reason: String },
    #[error(
        "the prompt is {tokens} tokens but the context holds {n_ctx}; raise the context length or shorten the input"
    )]
    PromptTooLong { tokens: usize, n_ctx: u32 },
    #[error("llama.cpp failed to decode: {0}")]
    Decode(String),
    #[error("could not tokenise the prompt: {0}")]
    Tokenize(String),
    #[error(
        "the model has no chat template; use a completion-style prompt or pick an instruct model"
    )]
    NoChatTemplate,
    #[error("the model's chat template could not be applied: {0}")]
    ChatTemplate(String),
    #[error("the engine has stopped; restart Wenshu")]
    Stopped,
    #[error("{message} (after {} characters of output)", partial.chars().count())]
    Generation { message: String, partial: String },
}

wenshu_error::coded! {
    EngineError {
        Self::Backend(_) => "engine_backend", runtime;
        Self::Load { .. } => "model_load", runtime, fix = Fix::choose(Setting::Model);
        Self::Context { .. } => "engine_context", runtime, fix = Fix::Lower { setting: Setting::Context };
        Self::PromptTooLong { .. } => "prompt_too_long", runtime, fix = Fix::Raise { setting: Setting::Context };
        Self::Decode(_) => "engine_decode", runtime;
        Self::Tokenize(_) => "engine_tokenize", runtime;
        Self::NoChatTemplate => "model_no_chat_template", runtime, fix = Fix::choose(Setting::Model);
        Self::ChatTemplate(_) => "model_chat_template", runtime, fix = Fix::choose(Setting::Model);
        Self::Stopped => "engine_stopped", runtime;
        Self::Generation { .. } => "generation_failed", runtime;
    }
    delegate {
        Self::ModelFile(e) => e,
    }
}

/// A text generator: the llama.cpp engine, or a fake in tests.
pub trait Generator: Send + Sync {
    /// The loaded model.
    fn info(&self) -> &ModelInfo;

    /// Number of tokens `text` takes in this model's vocabulary (without BOS).
    ///
    /// # Errors
    /// When the engine has stopped or tokenisation fails.
    fn count_tokens(&self, text: &str) -> Result<usize, EngineError>;

    /// Renders messages through the model's own chat template, ending with
    /// the assistant's turn open.
    ///
    /// # Errors
    /// [`EngineError::NoChatTemplate`] for base models.
    fn apply_chat_template(&self, messages: &[ChatMessage]) -> Result<String, EngineError>;

    /// Queues a request; events arrive on `events`.
    ///
    /// # Errors
    /// When the engine has stopped (the request is not queued).
    fn submit(&self, request: GenerateRequest, events: Sender<Event>) -> Result<(), EngineError>;
}

/// Runs a request to the end, calling `on_text` for each streamed piece.
///
/// # Errors
/// The engine's error; a failure mid-generation carries the partial text in
/// [`EngineError::Generation`].
pub fn generate(
    generator: &dyn Generator,
    request: GenerateRequest,
    on_text: &mut dyn FnMut(&str),
) -> Result<Completion, EngineError> {
    let (tx, rx) = mpsc::channel();
    generator.submit(request, tx)?;
    for event in rx {
        match event {
            Event::Token(text) => on_text(&text),
            Event::Done(completion) => return Ok(completion),
            Event::Failed { error, partial } => {
                return Err(match error {
                    EngineError::Generation { .. } => error,
                    other => EngineError::Generation {
                        message: other.to_string(),
                        partial,
                    },
                })
            }
        }
    }
    Err(EngineError::Stopped)
}
