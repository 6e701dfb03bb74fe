//! Running a task in the model worker, and stopping it.

use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State, WebviewWindow};
use wenshu_core::tasks::{DocType, Request, TaskKind, TaskResult};
use wenshu_core::text::{self, Lang};

use super::blocking;
use crate::error::ApiError;
use crate::state::AppState;

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

/// Turns the window's request into the core's, with the glossary, and has
/// core check it before any model starts.
///
/// # Errors
/// The request's own error (`input_empty`, `missing_doc_type`, …), as the
/// CLI gets it.
pub fn core_request(state: &AppState, r: TaskRequest) -> Result<Request, ApiError> {
    let mut request = Request::new(r.task, r.input);
    request.target = r.target;
    request.doc_type = r.doc_type;
    if let Some(tone) = r.tone {
        request.tone = tone;
    }
    if let Some(points) = r.max_points {
        request.max_points = points;
    }
    let session = state.session();
    state.with_store(|s| Ok(session.prepare(s, &mut request)?))?;
    session.validate(&request)?;
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
        let result = outcome.map_err(ApiError::from_worker)?;
        if from_popup {
            if let Ok(mut lang) = state.last_summary_lang.lock() {
                *lang = result.target_lang;
            }
            // The next shortcut use only pays for its own text.
            state.warm_summary();
        }
        let session = state.session();
        let run_id = state
            .with_store(|s| Ok(session.record(s, &request, &result)?))
            .map_err(|e| tracing::warn!("history not saved: {e}"))
            .ok()
            .flatten();
        Ok(TaskOutcome::new(&input, result, run_id))
    })
    .await
}

/// Stops a running task; it resolves with status `cancelled` and its partial text.
#[tauri::command]
pub fn stop_task(state: State<'_, AppState>, ticket: u32) {
    state.stop_ticket(ticket);
}
