//! The one error shape the UI receives: `{ code, message, details }`. The UI
//! shows its own zh-Hant or English text by `code`; `message` is the core's
//! English sentence (with the fix), kept for the log and for unknown codes.

use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            details: json!({}),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        if let Value::Object(map) = &mut self.details {
            map.insert(key.into(), value.into());
        }
        self
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new("internal", message.to_string())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<wenshu_core::store::StoreError> for ApiError {
    fn from(e: wenshu_core::store::StoreError) -> Self {
        Self::new(e.code(), format!("{e:#}"))
    }
}

impl From<wenshu_core::worker::WorkerError> for ApiError {
    fn from(e: wenshu_core::worker::WorkerError) -> Self {
        Self::new(e.code.clone(), e.message.clone()).with("partial", e.partial)
    }
}

impl From<wenshu_core::settings::SettingsError> for ApiError {
    fn from(e: wenshu_core::settings::SettingsError) -> Self {
        Self::new("settings_invalid", e.to_string())
    }
}

impl From<wenshu_core::documents::DocumentError> for ApiError {
    fn from(e: wenshu_core::documents::DocumentError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<wenshu_core::models::ModelFileError> for ApiError {
    fn from(e: wenshu_core::models::ModelFileError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<wenshu_core::models::ModelMissing> for ApiError {
    fn from(e: wenshu_core::models::ModelMissing) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<tauri::Error> for ApiError {
    fn from(e: tauri::Error) -> Self {
        Self::internal(e)
    }
}
