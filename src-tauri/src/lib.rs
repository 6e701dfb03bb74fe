//! Wenshu's desktop shell: windows, tray, global shortcut, selection capture,
//! and Tauri commands that hand work to `wenshu-core`.
//!
//! Nothing here decides how a document is translated or a summary made; the
//! shell turns UI calls into core calls and core results into the shapes in
//! `ui/src/api/types.ts`. The model never runs in this process: requests go
//! to a supervised worker (this binary started with `worker`), and folder jobs
//! to a child started with `batch-worker`, so a llama.cpp abort costs a
//! restart of that child, never the window and the user's text.

pub mod batch;
pub mod commands;
pub mod error;
pub mod modes;
pub mod probe;
pub mod selection;
pub mod shortcut;
pub mod state;
pub mod tray;

use tauri::{Manager, Runtime};

pub use error::ApiError;
pub use state::{AppState, Paths};

/// Every command the UI may call. `build.rs` declares the same list to
/// Tauri's ACL, which then requires a capability to grant each one; a test
/// checks that each is granted to some window and that the handler knows it.
pub const COMMANDS: &[&str] = include!("commands.in");

/// The app's context (config, embedded UI, capabilities), for any runtime:
/// the real one in `main`, the mock one in tests.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// The command handlers and shared state, without plugins that need a
/// desktop session (shortcut, tray, single instance): what the mock-runtime
/// tests build on.
pub fn core_builder<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::window::app_info,
            commands::task::run_task,
            commands::task::stop_task,
            commands::document::open_document,
            commands::document::save_output,
            commands::history::history_search,
            commands::history::history_get,
            commands::history::history_delete,
            commands::history::history_export,
            commands::settings::settings_get,
            commands::settings::settings_save,
            commands::models::check_model,
            commands::window::shortcut_status,
            batch::batch_start,
            batch::batch_resume,
            batch::batch_pause,
            batch::batch_cancel,
            batch::batch_jobs,
            commands::window::open_path,
            commands::window::popup_text,
            commands::window::popup_open_in_main,
            commands::window::popup_close,
        ])
}

/// Runs the desktop app. `summarise_now` is set when started with
/// `--summarise-selection` (a desktop-environment key binding where the
/// global shortcut cannot be registered, e.g. on Wayland).
pub fn run(summarise_now: bool) -> anyhow::Result<()> {
    let state = AppState::from_environment()?;
    let builder = tauri::Builder::default()
        // A second start forwards its request to the running app and exits.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if argv.iter().any(|a| a == "--summarise-selection") {
                shortcut::summarise_selection(app.clone(), selection::Source::Selection);
            } else if let Some(main) = app.get_webview_window("main") {
                let _ = main.unminimize();
                let _ = main.show();
                let _ = main.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(shortcut::plugin());
    let app = core_builder(builder, state)
        .setup(move |app| {
            tray::install(app.handle())?;
            shortcut::register_from_settings(app.handle());
            app.state::<AppState>().preload();
            if summarise_now {
                shortcut::summarise_selection(app.handle().clone(), selection::Source::Selection);
            }
            Ok(())
        })
        .build(context())?;
    app.run(|handle, event| {
        if let tauri::RunEvent::ExitRequested { .. } = event {
            handle.state::<AppState>().shutdown();
        }
    });
    Ok(())
}
