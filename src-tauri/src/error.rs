//! The one error shape the UI receives: `{ code, message, details }`. The UI
//! shows its own zh-Hant or English text by `code`; `message` is the core's
//! English sentence, kept for the log and the details panel. Every code
//! comes from a [`Coded`] error — core's, or the few conditions only the
//! window has ([`ShellError`]) — so [`all_codes`] is the complete list the
//! UI's texts are checked against.

use serde::Serialize;
use serde_json::{json, Value};
use wenshu_core::error::Coded;
use wenshu_core::worker::WorkerError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    /// A value for the UI besides the message (`path`, `partial`, …).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        if let Value::Object(map) = &mut self.details {
            map.insert(key.into(), value.into());
        }
        self
    }

    /// A worker's failure, keeping the text it streamed before it.
    pub fn from_worker(e: WorkerError) -> Self {
        let partial = e.partial.clone();
        Self::from(e).with("partial", partial)
    }

    /// A folder job's failure, with the job's own details (which job a
    /// crash interrupted, …).
    pub fn from_batch(e: wenshu_core::batch::child::BatchChildError) -> Self {
        let details = e.details();
        let mut error = Self::from(e);
        if let Value::Object(extra) = details {
            for (k, v) in extra {
                error = error.with(&k, v);
            }
        }
        error
    }

    /// A failure that is a bug, not the user's doing.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        ShellError::Internal(message.to_string()).into()
    }
}

impl<E: Coded> From<E> for ApiError {
    fn from(e: E) -> Self {
        let details = match e.fix() {
            Some(fix) => json!({ "fix": fix }),
            None => json!({}),
        };
        Self {
            code: e.code().into(),
            message: e.to_string(),
            details,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Conditions only the window has.
#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    #[error("{0} does not exist")]
    NothingToOpen(String),
    #[error("no program opens {path}: {reason}")]
    OpenFailed { path: String, reason: String },
    #[error("batch job {0} is not running in this app")]
    BatchNotRunning(i64),
    #[error("{0}")]
    Internal(String),
}

wenshu_core::error::coded! {
    ShellError {
        Self::NothingToOpen(_) => "open_failed", usage;
        Self::OpenFailed { .. } => "open_failed", runtime;
        Self::BatchNotRunning(_) => "batch_not_running", usage;
        Self::Internal(_) => "internal", runtime;
    }
}

impl From<tauri::Error> for ShellError {
    fn from(e: tauri::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

/// Every code a command can reject with, sorted, each once: core's and
/// the window's own.
pub fn all_codes() -> Vec<&'static str> {
    let mut codes = wenshu_core::error::all_codes();
    codes.extend_from_slice(ShellError::CODES);
    codes.sort_unstable();
    codes.dedup();
    codes
}
