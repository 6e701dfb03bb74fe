//! A model file checked before the worker ever loads it.

use std::path::PathBuf;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use wenshu_core::models;

use super::blocking;
use crate::error::ApiError;
use crate::state::AppState;

/// A model file checked in pure Rust (llama.cpp never sees a broken file).
#[derive(Debug, Serialize)]
pub struct ModelCheck {
    pub path: String,
    pub file_name: String,
    pub size_bytes: u64,
    pub architecture: String,
    pub parameters: Option<String>,
    pub has_chat_template: bool,
    pub catalog_name: Option<String>,
    pub licence: Option<String>,
    pub estimated_memory_bytes: u64,
}

/// # Errors
/// The model file's error (truncated, not GGUF, …) with the fix.
#[tauri::command]
pub async fn check_model<R: Runtime>(
    app: AppHandle<R>,
    path: PathBuf,
) -> Result<ModelCheck, ApiError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let summary = models::validate(&path)?;
        let session = state.session();
        let catalog = session.catalog()?;
        let entry = catalog.find_by_file_name(&summary.file_name).cloned();
        Ok(ModelCheck {
            path: path.display().to_string(),
            file_name: summary.file_name.clone(),
            size_bytes: summary.file_size,
            architecture: summary
                .architecture
                .clone()
                .unwrap_or_else(|| "unknown".into()),
            parameters: summary.parameter_count.map(human_count),
            has_chat_template: summary.chat_template.is_some(),
            catalog_name: entry.as_ref().map(|e| e.name.clone()),
            licence: entry.map(|e| e.licence),
            estimated_memory_bytes: models::estimate_memory_bytes(
                &summary,
                state.settings().engine.n_ctx,
            ),
        })
    })
    .await
}

fn human_count(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1}B", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{}M", n / 1_000_000),
        n => n.to_string(),
    }
}
