//! The engine of a pseudo-translation: no model at all.
//!
//! `wenshu translate --pseudo` and `wenshu batch translate --pseudo` check
//! that a document survives translation (every paragraph marked and
//! lengthened, inline tags and placeholders carried as a model must carry
//! them) before a long job on a real model. The batch code does the
//! pseudo-translation itself ([`wenshu_documents::inline::pseudo`]); this
//! generator only stands where a model would, so that the job's identity,
//! cache keys and reports name it, and it refuses to generate.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

use super::{ChatMessage, EngineError, Event, GenerateRequest, Generator, ModelInfo};

/// The name reports give the pseudo-translation in place of a model file.
pub const NAME: &str = "pseudo-translation (no model)";

pub struct PseudoEngine {
    info: ModelInfo,
}

impl Default for PseudoEngine {
    fn default() -> Self {
        Self {
            info: ModelInfo {
                path: PathBuf::new(),
                file_name: NAME.to_string(),
                sha256: "pseudo".to_string(),
                n_ctx: u32::MAX,
                n_ctx_train: u32::MAX,
                gpu_layers: 0,
                threads: 0,
                has_chat_template: false,
                description: NAME.to_string(),
            },
        }
    }
}

impl Generator for PseudoEngine {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn count_tokens(&self, text: &str) -> Result<usize, EngineError> {
        Ok(text.chars().count())
    }

    fn apply_chat_template(&self, _messages: &[ChatMessage]) -> Result<String, EngineError> {
        Err(EngineError::NoChatTemplate)
    }

    fn submit(&self, _request: GenerateRequest, _events: Sender<Event>) -> Result<(), EngineError> {
        Err(EngineError::Generation {
            message: "a pseudo-translation runs no model; only documents can be pseudo-translated"
                .to_string(),
            partial: String::new(),
        })
    }
}
