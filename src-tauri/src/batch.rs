//! Folder jobs from the batch page. Each runs in a child process (this
//! binary with `batch-worker`) whose JSON-line events are passed to the
//! page's channel as they are. Pause asks the child to stop after its
//! segments in flight (the job is then `interrupted` and resumes where it
//! stopped); cancel also marks the job cancelled in the store, as
//! `wenshu batch cancel` does. A job still running when the app closes is
//! paused, and offered for resumption at the next start.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use wenshu_core::batch::child;
use wenshu_core::batch::wire::BatchSpec;
use wenshu_core::store::{JobRecord, JobStatus};
use wenshu_core::text::Lang;

use crate::error::{ApiError, ShellError};
use crate::state::AppState;

/// A job as the batch page shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BatchJob {
    pub id: i64,
    pub source_dir: String,
    pub out_dir: String,
    pub target_lang: String,
    pub status: JobStatus,
    pub files_total: i64,
    pub files_done: i64,
    pub files_failed: i64,
    pub segments_total: i64,
    pub segments_done: i64,
}

impl From<JobRecord> for BatchJob {
    fn from(j: JobRecord) -> Self {
        let status = wenshu_core::batch::shown_status(&j);
        Self {
            id: j.id,
            source_dir: j.source_dir,
            out_dir: j.out_dir,
            target_lang: j.target_lang,
            status,
            files_total: j.files_total,
            files_done: j.files_done,
            files_failed: j.files_failed,
            segments_total: j.segments_total,
            segments_done: j.segments_done,
        }
    }
}

/// What the batch page asks for.
#[derive(Debug, Clone, Deserialize)]
pub struct BatchRequest {
    pub source: PathBuf,
    pub out: PathBuf,
    pub target: Lang,
    #[serde(default)]
    pub bilingual: bool,
    /// Also write each file's HTML check report next to its output.
    #[serde(default)]
    pub check_reports: bool,
}

/// The latest job left unfinished, if any.
///
/// # Errors
/// The store's errors.
pub fn resumable(state: &AppState) -> Result<Option<BatchJob>, ApiError> {
    state.with_store(|s| {
        Ok(s.batch_jobs(20)?
            .into_iter()
            .find(wenshu_core::batch::is_resumable)
            .map(BatchJob::from))
    })
}

/// Starts a folder job; resolves when its process ends (completed, paused,
/// cancelled or interrupted) with the job's final row.
///
/// # Errors
/// Bad folders (checked before any model loads), no model, a job already
/// running, or the child dying (`batch_crashed`; the job can be resumed).
#[tauri::command]
pub async fn batch_start<R: Runtime>(
    app: AppHandle<R>,
    request: BatchRequest,
    on_event: Channel<serde_json::Value>,
) -> Result<BatchJob, ApiError> {
    let spec = BatchSpec {
        source: request.source,
        out: request.out,
        target: request.target,
        bilingual: request.bilingual,
        parallel: 0,
        check_reports: request.check_reports,
    };
    tauri::async_runtime::spawn_blocking(move || {
        run_child(&app.state::<AppState>(), &spec, &on_event)
    })
    .await
    .map_err(ApiError::internal)?
}

/// Resumes an unfinished job with its own folders and options.
///
/// # Errors
/// As [`batch_start`]; `job_not_found`.
#[tauri::command]
pub async fn batch_resume<R: Runtime>(
    app: AppHandle<R>,
    job: i64,
    on_event: Channel<serde_json::Value>,
) -> Result<BatchJob, ApiError> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let record = state.with_store(|s| Ok(s.batch_job(job)?))?;
        let spec = BatchSpec::resume_of(&record)?;
        run_child(&state, &spec, &on_event)
    })
    .await
    .map_err(ApiError::internal)?
}

/// Asks a running job to stop after its segments in flight; resume it later.
#[tauri::command]
pub fn batch_pause(state: State<'_, AppState>, job: i64) -> Result<(), ApiError> {
    stop_child(&state, job)
}

/// Stops a job for good (its finished files and report stay).
///
/// # Errors
/// The store's errors.
#[tauri::command]
pub fn batch_cancel(state: State<'_, AppState>, job: i64) -> Result<(), ApiError> {
    state.with_store(|s| Ok(wenshu_core::batch::cancel(s, job)?))?;
    // A job with no process here (paused, interrupted) is simply marked.
    let _ = stop_child(&state, job);
    Ok(())
}

/// Recent jobs, newest first.
///
/// # Errors
/// The store's errors.
#[tauri::command]
pub async fn batch_jobs<R: Runtime>(app: AppHandle<R>) -> Result<Vec<BatchJob>, ApiError> {
    tauri::async_runtime::spawn_blocking(move || {
        app.state::<AppState>()
            .with_store(|s| Ok(s.batch_jobs(20)?.into_iter().map(BatchJob::from).collect()))
    })
    .await
    .map_err(ApiError::internal)?
}

fn stop_child(state: &AppState, job: i64) -> Result<(), ApiError> {
    let batches = state.batches.lock().map_err(ApiError::internal)?;
    let input = batches.get(&job).ok_or(ShellError::BatchNotRunning(job))?;
    input.send_line("stop").map_err(ApiError::internal)
}

/// Checks the folders here, before a model loads, then runs the job in a
/// child (core's supervision), passing its events to the page.
fn run_child(
    state: &AppState,
    spec: &BatchSpec,
    on_event: &Channel<serde_json::Value>,
) -> Result<BatchJob, ApiError> {
    wenshu_core::batch::folders(&spec.options())?;
    let mut command = state.child_command("batch-worker")?;
    command
        .args
        .extend(["--db".into(), state.paths.db.clone().into_os_string()]);
    let mut planned = None;
    let ended = child::run(
        &command,
        spec,
        &mut |id, input| {
            planned = Some(id);
            if let Ok(mut batches) = state.batches.lock() {
                batches.insert(id, input);
            }
        },
        &mut |event| {
            let _ = on_event.send(event.clone());
        },
    );
    if let Some(id) = planned {
        if let Ok(mut batches) = state.batches.lock() {
            batches.remove(&id);
        }
    }
    match ended {
        Ok(id) => Ok(state.with_store(|s| Ok(s.batch_job(id)?))?.into()),
        Err(e) => Err(ApiError::from_batch(e)),
    }
}
