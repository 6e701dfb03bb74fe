//! The tray icon: Summarise clipboard, Show, Quit, labelled in the UI
//! language (relabelled when the language setting changes).

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use crate::selection::Source;
use crate::state::AppState;

const TRAY: &str = "wenshu";

/// Replaces the tray menu with one in the current UI language.
pub fn relabel<R: Runtime>(app: &AppHandle<R>) {
    if let (Some(tray), Ok(menu)) = (app.tray_by_id(TRAY), menu(app)) {
        let _ = tray.set_menu(Some(menu));
    }
}

fn menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let zh =
        app.state::<AppState>().settings().app.ui_lang == wenshu_core::settings::UiLang::ZhHant;
    let label = |zh_text: &str, en_text: &str| {
        if zh {
            zh_text.to_string()
        } else {
            en_text.to_string()
        }
    };
    let summarise = MenuItem::with_id(
        app,
        "summarise",
        label("摘要剪貼簿內容", "Summarise clipboard"),
        true,
        None::<&str>,
    )?;
    let show = MenuItem::with_id(
        app,
        "show",
        label("顯示文書", "Show Wenshu"),
        true,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", label("結束", "Quit"), true, None::<&str>)?;
    Menu::with_items(app, &[&summarise, &show, &quit])
}

pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let mut tray = TrayIconBuilder::with_id(TRAY)
        .tooltip("文書 Wenshu")
        .menu(&menu(app)?)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "summarise" => crate::shortcut::summarise_selection(app.clone(), Source::Clipboard),
            "show" => {
                if let Some(main) = app.get_webview_window("main") {
                    let _ = main.unminimize();
                    let _ = main.show();
                    let _ = main.set_focus();
                }
            }
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}
