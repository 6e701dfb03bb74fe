//! Settings: read, validate and save (a new shortcut is registered at once).

use tauri::{AppHandle, Runtime, State};
use wenshu_core::settings::Settings;

use crate::error::ApiError;
use crate::state::AppState;

#[tauri::command]
pub fn settings_get(state: State<'_, AppState>) -> Settings {
    state.settings()
}

/// Validates and saves settings; a new shortcut is registered at once.
///
/// # Errors
/// `settings_invalid` naming the bad value.
#[tauri::command]
pub fn settings_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings, ApiError> {
    let old = state.settings();
    let saved = state.save_settings(settings)?;
    if old.app.shortcut != saved.app.shortcut {
        crate::shortcut::reregister(&app, &old.app.shortcut, &saved.app.shortcut);
    }
    if old.app.ui_lang != saved.app.ui_lang {
        crate::tray::relabel(&app);
    }
    Ok(saved)
}
