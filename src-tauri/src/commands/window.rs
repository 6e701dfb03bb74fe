//! What the windows ask of the shell itself: start-up information, the
//! shortcut's status, the popup's text and hand-over, opening a file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use wenshu_core::settings::Settings;
use wenshu_core::tasks::TaskKind;

use super::blocking;
use crate::error::{ApiError, ShellError};
use crate::state::{AppState, Selection, ShortcutStatus};

/// `app_info`, called once when a window starts.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: String,
    pub settings: Settings,
    pub shortcut: ShortcutStatus,
    pub resumable_batch: Option<crate::batch::BatchJob>,
    pub model_file: String,
    pub model_loaded: bool,
}

#[tauri::command]
pub async fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo, ApiError> {
    crate::probe::window_interactive(&app);
    blocking(move || {
        let state = app.state::<AppState>();
        // A store that cannot be opened is reported when history is used;
        // the window still starts.
        let resumable_batch = crate::batch::resumable(&state).unwrap_or_else(|e| {
            tracing::warn!("cannot look for an unfinished job: {e}");
            None
        });
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            settings: state.settings(),
            shortcut: state
                .shortcut
                .lock()
                .map(|s| s.clone())
                .map_err(ApiError::internal)?,
            resumable_batch,
            // No model found yet is the settings page's to report; the
            // name is then empty.
            model_file: state
                .model()
                .ok()
                .and_then(|m| m.path.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default(),
            model_loaded: state.model_loaded(),
        })
    })
    .await
}

#[tauri::command]
pub fn shortcut_status(state: State<'_, AppState>) -> Result<ShortcutStatus, ApiError> {
    state
        .shortcut
        .lock()
        .map(|s| s.clone())
        .map_err(ApiError::internal)
}

/// Opens a file (e.g. a job's report.csv) in the program the desktop
/// associates with it.
///
/// # Errors
/// `open_failed` when there is no such file or no program for it.
#[tauri::command]
pub fn open_path(path: PathBuf) -> Result<(), ApiError> {
    if !path.exists() {
        return Err(ShellError::NothingToOpen(path.display().to_string()).into());
    }
    tauri_plugin_opener::open_path(&path, None::<&str>).map_err(|e| {
        ShellError::OpenFailed {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
        .into()
    })
}

/// The text the shortcut captured, for the popup.
#[tauri::command]
pub fn popup_text(state: State<'_, AppState>) -> Selection {
    // A poisoned lock means a capture panicked: nothing was captured.
    state
        .selection
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default()
}

/// What the popup hands to the main window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenInMain {
    pub input: String,
    pub output: String,
    pub task: TaskKind,
}

/// Shows the main window with the popup's text and summary, and closes the popup.
///
/// # Errors
/// When the main window is gone.
#[tauri::command]
pub fn popup_open_in_main<R: Runtime>(
    app: AppHandle<R>,
    payload: OpenInMain,
) -> Result<(), ApiError> {
    let main = app
        .get_webview_window("main")
        .ok_or_else(|| ApiError::internal("the main window is closed"))?;
    let _ = main.unminimize();
    main.show().map_err(ShellError::from)?;
    main.set_focus().map_err(ShellError::from)?;
    main.emit_to("main", "open-in-main", payload)
        .map_err(ShellError::from)?;
    if let Some(popup) = app.get_webview_window(crate::shortcut::POPUP) {
        popup.close().map_err(ShellError::from)?;
    }
    Ok(())
}

#[tauri::command]
pub fn popup_close<R: Runtime>(app: AppHandle<R>) -> Result<(), ApiError> {
    if let Some(popup) = app.get_webview_window(crate::shortcut::POPUP) {
        popup.close().map_err(ShellError::from)?;
    }
    Ok(())
}
