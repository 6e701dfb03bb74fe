//! History: search, read, delete, export.

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};
use wenshu_core::store::export::{self, ExportFormat};
use wenshu_core::store::{RunRecord, RunSummary, StoreError};

use super::blocking;
use crate::error::ApiError;
use crate::state::AppState;

/// Searches history (Chinese or English); an empty query lists the latest runs.
///
/// # Errors
/// The store's errors.
#[tauri::command]
pub async fn history_search<R: Runtime>(
    app: AppHandle<R>,
    query: String,
    limit: Option<usize>,
) -> Result<Vec<RunSummary>, ApiError> {
    let limit = limit.unwrap_or(50).clamp(1, 500);
    blocking(move || {
        app.state::<AppState>().with_store(|s| {
            Ok(if query.trim().is_empty() {
                s.list(limit, 0)?
            } else {
                s.search(query.trim(), limit)?
            })
        })
    })
    .await
}

/// # Errors
/// `run_not_found` and other store errors.
#[tauri::command]
pub async fn history_get<R: Runtime>(app: AppHandle<R>, id: i64) -> Result<RunRecord, ApiError> {
    blocking(move || app.state::<AppState>().with_store(|s| Ok(s.get(id)?))).await
}

/// # Errors
/// The store's errors.
#[tauri::command]
pub async fn history_delete<R: Runtime>(
    app: AppHandle<R>,
    ids: Vec<i64>,
) -> Result<usize, ApiError> {
    blocking(move || app.state::<AppState>().with_store(|s| Ok(s.delete(&ids)?))).await
}

/// Exports runs as .md, .docx or .json (by the extension), in core's one
/// export format (the CLI writes the same bytes); returns how many.
///
/// # Errors
/// Unknown runs, an unsupported extension, an unwritable path.
#[tauri::command]
pub async fn history_export<R: Runtime>(
    app: AppHandle<R>,
    ids: Vec<i64>,
    path: PathBuf,
) -> Result<usize, ApiError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let session = state.session();
        let at = |e: StoreError| ApiError::from(e).with("path", path.display().to_string());
        let format = ExportFormat::from_path(&path).map_err(at)?;
        let bytes = state.with_store(|s| Ok(session.export(s, &ids, format)?))?;
        export::write_atomically(&path, &bytes).map_err(at)?;
        Ok(ids.len())
    })
    .await
}
