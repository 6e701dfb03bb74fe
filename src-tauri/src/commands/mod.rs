//! The Tauri commands: argument shapes in, core calls on a blocking thread,
//! `ui/src/api/types.ts` shapes out. Every failure is an [`ApiError`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, Runtime, State, WebviewWindow};
use wenshu_core::documents::{Document, Limits};
use wenshu_core::models;
use wenshu_core::settings::Settings;
use wenshu_core::store::{export, RunRecord, RunSummary};
use wenshu_core::tasks::{history::record_of, DocType, Request, TaskKind, TaskResult};
use wenshu_core::text::{self, Lang};

use crate::error::ApiError;
use crate::state::{AppState, Selection, ShortcutStatus};

/// Runs blocking core work off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

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
        let resumable_batch = crate::batch::resumable(&state).unwrap_or(None);
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            settings: state.settings(),
            shortcut: state
                .shortcut
                .lock()
                .map(|s| s.clone())
                .map_err(ApiError::internal)?,
            resumable_batch,
            model_file: state
                .model_path()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default(),
            model_loaded: state.model_loaded(),
        })
    })
    .await
}

/// What a window asks the model for.
#[derive(Debug, Clone, Deserialize)]
pub struct TaskRequest {
    pub task: TaskKind,
    pub input: String,
    #[serde(default)]
    pub target: Option<Lang>,
    #[serde(default)]
    pub doc_type: Option<DocType>,
    #[serde(default)]
    pub tone: Option<String>,
    #[serde(default)]
    pub max_points: Option<u32>,
}

/// Streamed to the window while a task runs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskEvent {
    Started { ticket: u32 },
    Text { text: String },
}

/// What `run_task` resolves with.
#[derive(Debug, Clone, Serialize)]
pub struct TaskOutcome {
    pub run_id: Option<i64>,
    pub task: TaskKind,
    pub text: String,
    pub source_lang: Lang,
    pub target_lang: Lang,
    pub status: wenshu_core::tasks::Status,
    pub key_points: Option<Vec<wenshu_core::tasks::KeyPoint>>,
    pub source_paragraphs: Vec<String>,
    pub output_paragraphs: Vec<String>,
    /// Every figure, official name and script problem with its verdict.
    pub checks: Option<wenshu_core::checks::CheckReport>,
    /// Translations and polish: source and output side by side, with every
    /// checked item marked (core decides the marks; the page only draws them).
    pub check_view: Vec<wenshu_core::checks::ViewRow>,
    pub warnings: Vec<String>,
    pub model_file: String,
    pub generated_tokens: u64,
    pub total_ms: f64,
}

impl TaskOutcome {
    fn new(input: &str, result: TaskResult, run_id: Option<i64>) -> Self {
        let aligned = matches!(result.task, TaskKind::Translate | TaskKind::Polish);
        let (source_paragraphs, output_paragraphs) = if aligned {
            (text::paragraphs(input), text::paragraphs(&result.text))
        } else {
            (Vec::new(), Vec::new())
        };
        let check_view = match (&result.checks, aligned) {
            (Some(c), true) => c.view(&source_paragraphs, &output_paragraphs),
            _ => Vec::new(),
        };
        Self {
            run_id,
            task: result.task,
            source_paragraphs,
            output_paragraphs,
            checks: result.checks,
            check_view,
            warnings: result.warnings,
            model_file: result.provenance.model_file,
            generated_tokens: result.provenance.usage.generated_tokens,
            total_ms: result.provenance.usage.total_ms,
            text: result.text,
            source_lang: result.source_lang,
            target_lang: result.target_lang,
            status: result.status,
            key_points: result.key_points,
        }
    }
}

/// Turns the window's request into the core's, with the glossary.
///
/// # Errors
/// `empty_input` when there is nothing to work on; `draft_needs_type`.
pub fn core_request(state: &AppState, r: TaskRequest) -> Result<Request, ApiError> {
    if r.input.trim().is_empty() {
        return Err(ApiError::new(
            "empty_input",
            "there is no text to work on; type or paste some, or open a document",
        ));
    }
    if r.task == TaskKind::Draft && r.doc_type.is_none() {
        return Err(ApiError::new(
            "draft_needs_type",
            "a draft needs a document type; pick one in the task bar",
        ));
    }
    let mut request = Request::new(r.task, r.input);
    request.target = r.target;
    request.doc_type = r.doc_type;
    if let Some(tone) = r.tone {
        request.tone = tone;
    }
    if let Some(points) = r.max_points {
        request.max_points = points.clamp(1, 12);
    }
    if r.task == TaskKind::Translate {
        request.glossary = state.with_store(|s| Ok(s.glossary_list()?))?;
    }
    request.base_glossary = state.settings().glossary.base;
    Ok(request)
}

/// Runs a task in the model worker, streaming its text to `on_event`.
///
/// # Errors
/// The task's error by code; `worker_crashed` (with `details.partial`, the
/// text streamed so far) when the worker died, which restarts it next time.
#[tauri::command]
pub async fn run_task<R: Runtime>(
    app: AppHandle<R>,
    window: WebviewWindow<R>,
    request: TaskRequest,
    on_event: Channel<TaskEvent>,
) -> Result<TaskOutcome, ApiError> {
    let from_popup = window.label() == crate::shortcut::POPUP;
    blocking(move || {
        let state = app.state::<AppState>();
        let input = request.input.clone();
        let request = core_request(&state, request)?;
        let supervisor = state.supervisor()?;
        let ticket = state.open_ticket();
        let _ = on_event.send(TaskEvent::Started { ticket });
        let outcome = supervisor.run_tracked(
            &request,
            &mut |id| state.ticket_started(ticket, &supervisor, id),
            &mut |piece| {
                let _ = on_event.send(TaskEvent::Text { text: piece.into() });
            },
        );
        state.close_ticket(ticket);
        let result = outcome.map_err(ApiError::from)?;
        if from_popup {
            if let Ok(mut lang) = state.last_summary_lang.lock() {
                *lang = result.target_lang;
            }
            // The next shortcut use only pays for its own text.
            state.warm_summary();
        }
        let settings = state.settings();
        let run_id = if settings.history.enabled {
            let record = record_of(&request, &result, settings.history.mask_personal_data);
            state
                .with_store(|s| Ok(s.insert_run(&record)?))
                .map_err(|e| tracing::warn!("history not saved: {e}"))
                .ok()
        } else {
            None
        };
        Ok(TaskOutcome::new(&input, result, run_id))
    })
    .await
}

/// Stops a running task; it resolves with status `cancelled` and its partial text.
#[tauri::command]
pub fn stop_task(state: State<'_, AppState>, ticket: u32) {
    state.stop_ticket(ticket);
}

/// A document's text for the editor.
#[derive(Debug, Serialize)]
pub struct OpenedDocument {
    pub path: String,
    pub format: String,
    pub text: String,
    pub blocks: usize,
}

/// Reads a .docx/.md/.txt/.pdf into paragraphs (the file is not changed).
///
/// # Errors
/// The document's error: unsupported, unreadable, damaged, too large.
#[tauri::command]
pub async fn open_document(path: PathBuf) -> Result<OpenedDocument, ApiError> {
    blocking(move || {
        let doc = Document::read(&path, &Limits::default())?;
        let paragraphs: Vec<&str> = doc
            .blocks()
            .iter()
            .map(|b| b.text.trim())
            .filter(|t| !t.is_empty())
            .collect();
        Ok(OpenedDocument {
            path: path.display().to_string(),
            format: doc.format().extension().into(),
            text: paragraphs.join("\n\n"),
            blocks: paragraphs.len(),
        })
    })
    .await
}

/// Saves output text as .docx, .md or .txt (by the extension), atomically.
///
/// # Errors
/// `save_failed` with the reason; `document_unsupported` for another extension.
#[tauri::command]
pub async fn save_output(path: PathBuf, text: String) -> Result<(), ApiError> {
    blocking(move || save_text(&path, &text)).await
}

pub fn save_text(path: &Path, text: &str) -> Result<(), ApiError> {
    let ext = extension(path);
    let saved = match ext.as_str() {
        "docx" => export::write_text_docx(text, path),
        "md" | "txt" => {
            let mut body = text.trim_end().to_string();
            body.push('\n');
            export::write_atomically(path, body.as_bytes())
        }
        _ => {
            return Err(ApiError::new(
                "document_unsupported",
                format!("cannot save as `.{ext}`; choose a name ending in .docx, .md or .txt"),
            )
            .with("path", path.display().to_string()))
        }
    };
    saved.map_err(|e| {
        ApiError::new("save_failed", format!("{e:#}")).with("path", path.display().to_string())
    })
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

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

/// Exports runs as .md, .docx or .json (by the extension); returns how many.
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
        let runs = app.state::<AppState>().with_store(|s| {
            ids.iter()
                .map(|&id| s.get(id).map_err(ApiError::from))
                .collect::<Result<Vec<_>, _>>()
        })?;
        let failed = |e: &dyn std::fmt::Display| {
            ApiError::new("save_failed", e.to_string()).with("path", path.display().to_string())
        };
        match extension(&path).as_str() {
            "docx" => export::write_docx(&runs, &path).map_err(|e| failed(&e))?,
            "md" => {
                let body: Vec<String> = runs.iter().map(export::to_markdown).collect();
                export::write_atomically(&path, body.join("\n\n---\n\n").as_bytes())
                    .map_err(|e| failed(&e))?
            }
            "json" => {
                let body = serde_json::to_vec_pretty(&serde_json::json!({ "runs": runs }))
                    .map_err(ApiError::internal)?;
                export::write_atomically(&path, &body).map_err(|e| failed(&e))?
            }
            other => {
                return Err(ApiError::new(
                    "document_unsupported",
                    format!("cannot export as `.{other}`; choose .md, .docx or .json"),
                ))
            }
        }
        Ok(runs.len())
    })
    .await
}

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
        let dirs = models::model_dirs(state.paths.dev_models.as_deref());
        let catalog = models::load_catalog(&dirs).ok();
        let entry = catalog
            .as_ref()
            .and_then(|c| c.find_by_file_name(&summary.file_name).cloned());
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
        return Err(ApiError::new(
            "open_failed",
            format!("{} does not exist", path.display()),
        ));
    }
    tauri_plugin_opener::open_path(&path, None::<&str>)
        .map_err(|e| ApiError::new("open_failed", e.to_string()))
}

/// The text the shortcut captured, for the popup.
#[tauri::command]
pub fn popup_text(state: State<'_, AppState>) -> Selection {
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
    main.show()?;
    main.set_focus()?;
    main.emit_to("main", "open-in-main", payload)?;
    if let Some(popup) = app.get_webview_window(crate::shortcut::POPUP) {
        popup.close()?;
    }
    Ok(())
}

#[tauri::command]
pub fn popup_close<R: Runtime>(app: AppHandle<R>) -> Result<(), ApiError> {
    if let Some(popup) = app.get_webview_window(crate::shortcut::POPUP) {
        popup.close()?;
    }
    Ok(())
}
