//! A scripted [`Generator`] for tests of the logic around a model.
//!
//! It answers each prompt with text from a closure, one character per
//! "token", honouring stop sequences, `max_tokens` and cancellation exactly as
//! the real engine's contract says. Never used where a test is about the model.

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::Mutex;

use super::stop::{Scan, StopScanner};
use super::{
    ChatMessage, Completion, EngineError, Event, GenerateRequest, Generator, ModelInfo, StopReason,
    Timings,
};

type Script = dyn Fn(&str) -> String + Send + Sync;

/// A generator whose output is a function of the prompt.
pub struct FakeGenerator {
    info: ModelInfo,
    script: Box<Script>,
    prompts: Mutex<Vec<String>>,
}

impl FakeGenerator {
    /// A fake that answers every prompt with `script(prompt)`; `n_ctx` is the
    /// context it claims, in characters (one character = one token).
    pub fn new(n_ctx: u32, script: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        Self {
            info: ModelInfo {
                path: PathBuf::from("fake.gguf"),
                file_name: "fake.gguf".into(),
                sha256: "0".repeat(64),
                n_ctx,
                n_ctx_train: n_ctx,
                gpu_layers: 0,
                threads: 1,
                has_chat_template: false,
                description: "scripted test generator".into(),
            },
            script: Box::new(script),
            prompts: Mutex::new(Vec::new()),
        }
    }

    /// Makes the fake claim a chat template, rendered as `<role>content</role>`
    /// lines followed by an open assistant turn.
    pub fn with_chat_template(mut self) -> Self {
        self.info.has_chat_template = true;
        self
    }

    /// Every prompt received so far, in order.
    pub fn prompts(&self) -> Vec<String> {
        self.prompts.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

impl Generator for FakeGenerator {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn count_tokens(&self, text: &str) -> Result<usize, EngineError> {
        Ok(text.chars().count())
    }

    fn apply_chat_template(&self, messages: &[ChatMessage]) -> Result<String, EngineError> {
        if !self.info.has_chat_template {
            return Err(EngineError::NoChatTemplate);
        }
        let mut out = String::new();
        for m in messages {
            out.push_str(&format!("<{0}>{1}</{0}>\n", m.role, m.content));
        }
        out.push_str("<assistant>");
        Ok(out)
    }

    fn submit(&self, request: GenerateRequest, events: Sender<Event>) -> Result<(), EngineError> {
        let prompt_tokens = request.prompt.chars().count();
        if prompt_tokens >= self.info.n_ctx as usize {
            let _ = events.send(Event::Failed {
                error: EngineError::PromptTooLong {
                    tokens: prompt_tokens,
                    n_ctx: self.info.n_ctx,
                },
                partial: String::new(),
            });
            return Ok(());
        }
        if let Ok(mut prompts) = self.prompts.lock() {
            prompts.push(request.prompt.clone());
        }
        let answer = (self.script)(&request.prompt);
        let mut scanner = StopScanner::new(&request.stop);
        let mut generated = 0u32;
        let mut reason = StopReason::EndOfGeneration;
        for ch in answer.chars() {
            if request.cancel.is_cancelled() {
                reason = StopReason::Cancelled;
                break;
            }
            if generated >= request.max_tokens {
                reason = StopReason::MaxTokens;
                break;
            }
            generated += 1;
            match scanner.push(ch.encode_utf8(&mut [0; 4])) {
                Scan::Continue(text) if !text.is_empty() => {
                    let _ = events.send(Event::Token(text));
                }
                Scan::Continue(_) => {}
                Scan::Stopped(text) => {
                    if !text.is_empty() {
                        let _ = events.send(Event::Token(text));
                    }
                    reason = StopReason::StopSequence;
                    break;
                }
            }
        }
        if reason != StopReason::StopSequence {
            let rest = scanner.finish();
            if !rest.is_empty() {
                let _ = events.send(Event::Token(rest));
            }
        }
        let _ = events.send(Event::Done(Completion {
            text: scanner.text().to_string(),
            stop_reason: reason,
            prompt_tokens: prompt_tokens as u32,
            cached_prompt_tokens: 0,
            generated_tokens: generated,
            timings: Timings::default(),
        }));
        Ok(())
    }
}
