//! The global summary shortcut and its popup: a small always-on-top window
//! near the cursor that summarises the captured text.

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

use crate::selection::{self, Source};
use crate::state::AppState;

/// The popup window's label (its capability is granted by this label).
pub const POPUP: &str = "popup";

const POPUP_SIZE: (f64, f64) = (440.0, 340.0);

/// The plugin, with a handler that summarises the selection on each press.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                summarise_selection(app.clone(), Source::Selection);
            }
        })
        .build()
}

/// Registers the shortcut from the settings and records the outcome for
/// the settings page.
pub fn register_from_settings<R: Runtime>(app: &AppHandle<R>) {
    let accelerator = app.state::<AppState>().settings().app.shortcut;
    register(app, &accelerator);
}

/// Swaps the registered shortcut for a new one.
pub fn reregister<R: Runtime>(app: &AppHandle<R>, old: &str, new: &str) {
    let _ = app.global_shortcut().unregister(old);
    register(app, new);
}

fn register<R: Runtime>(app: &AppHandle<R>, accelerator: &str) {
    let result = if is_wayland_only() {
        Err("this Wayland session does not let programs register global shortcuts".to_string())
    } else {
        app.global_shortcut()
            .register(accelerator)
            .map_err(|e| e.to_string())
    };
    let state = app.state::<AppState>();
    if let Ok(mut status) = state.shortcut.lock() {
        status.accelerator = accelerator.to_string();
        status.registered = result.is_ok();
        status.error = result.as_ref().err().cloned();
    }
    if let Err(e) = result {
        tracing::warn!("global shortcut {accelerator} not registered: {e}");
    }
}

fn is_wayland_only() -> bool {
    cfg!(target_os = "linux")
        && std::env::var_os("WAYLAND_DISPLAY").is_some()
        && std::env::var_os("DISPLAY").is_none()
}

/// Captures the text and opens a fresh popup near the cursor; the popup
/// asks for the text and streams its summary.
pub fn summarise_selection<R: Runtime>(app: AppHandle<R>, source: Source) {
    // Reading the X selection waits on its owner: keep it off the event loop.
    std::thread::spawn(move || {
        let captured = selection::capture(source);
        if let Ok(mut slot) = app.state::<AppState>().selection.lock() {
            *slot = captured;
        }
        if let Some(old) = app.get_webview_window(POPUP) {
            let _ = old.destroy();
        }
        let (x, y) = app
            .cursor_position()
            .map(|p| (p.x + 12.0, p.y + 12.0))
            .unwrap_or((200.0, 200.0));
        let scale = app
            .primary_monitor()
            .ok()
            .flatten()
            .map_or(1.0, |m| m.scale_factor());
        let built = WebviewWindowBuilder::new(&app, POPUP, WebviewUrl::App("popup.html".into()))
            .title("文書 摘要 Wenshu summary")
            .inner_size(POPUP_SIZE.0, POPUP_SIZE.1)
            .position(x / scale, y / scale)
            .always_on_top(true)
            .skip_taskbar(true)
            .resizable(true)
            .focused(true)
            .build();
        if let Err(e) = built {
            tracing::error!("cannot open the summary popup: {e}");
        }
    });
}
