//! Folder jobs from the batch page. Each runs in a child process (this
//! binary with `batch-worker`) whose JSON-line events are passed to the
//! page's channel as they are. Pause asks the child to stop after its
//! segments in flight (the job is then `interrupted` and resumes where it
//! stopped); cancel also marks the job cancelled in the store, as
//! `wenshu batch cancel` does. A job still running when the app closes is
//! paused, and offered for resumption at the next start.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use wenshu_core::batch::wire::{BatchEvent, BatchSpec};
use wenshu_core::store::JobRecord;
use wenshu_core::text::Lang;

use crate::error::ApiError;
use crate::state::AppState;

/// A job as the batch page shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BatchJob {
    pub id: i64,
    pub source_dir: String,
    pub out_dir: String,
    pub target_lang: String,
    pub status: String,
    pub files_total: i64,
    pub files_done: i64,
    pub files_failed: i64,
    pub segments_total: i64,
    pub segments_done: i64,
}

impl From<JobRecord> for BatchJob {
    fn from(j: JobRecord) -> Self {
        // A job whose process is gone is not running, whatever the row says.
        let status = if j.status == "running" && wenshu_core::batch::is_resumable(&j) {
            "interrupted".to_string()
        } else {
            j.status
        };
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
        let target = match record.target_lang.as_str() {
            "en" => Lang::En,
            _ => Lang::ZhHant,
        };
        let spec = BatchSpec {
            source: record.source_dir.into(),
            out: record.out_dir.into(),
            target,
            bilingual: record.options["bilingual"].as_bool().unwrap_or(false),
            parallel: record.options["parallel"].as_u64().unwrap_or(0) as usize,
            check_reports: record.options["html_reports"].as_bool().unwrap_or(false),
        };
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
    state.with_store(|s| Ok(s.batch_set_status(job, "cancelled")?))?;
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
    let mut batches = state.batches.lock().map_err(ApiError::internal)?;
    let stdin = batches.get_mut(&job).ok_or_else(|| {
        ApiError::new(
            "batch_not_running",
            format!("batch job {job} is not running in this app"),
        )
    })?;
    writeln!(stdin, "stop").map_err(ApiError::internal)
}

/// Checks the folders here, before a model loads; the child checks again.
fn check_folders(spec: &BatchSpec) -> Result<(), ApiError> {
    let opts = wenshu_core::batch::BatchOptions {
        source: spec.source.clone(),
        out: spec.out.clone(),
        target: spec.target,
        parallel: 1,
        bilingual: spec.bilingual,
        sampling: Default::default(),
        max_tokens: None,
        glossary: Vec::new(),
        base_glossary: true,
        html_reports: spec.check_reports,
        limits: Default::default(),
        pseudo: false,
    };
    wenshu_core::batch::folders(&opts)
        .map(|_| ())
        .map_err(|e| ApiError::new(e.code(), format!("{e:#}")))
}

fn run_child(
    state: &AppState,
    spec: &BatchSpec,
    on_event: &Channel<serde_json::Value>,
) -> Result<BatchJob, ApiError> {
    check_folders(spec)?;
    let model = state.model_path()?;
    let mut args = state.engine_args("batch-worker", &model);
    args.extend(["--db".into(), state.paths.db.clone().into_os_string()]);
    let mut child = Command::new(&state.paths.worker_exe)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            ApiError::new(
                "worker_start",
                format!("cannot start the batch process: {e}"),
            )
        })?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| ApiError::internal("no stdin"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| ApiError::internal("no stdout"))?;
    let mut stderr = child
        .stderr
        .take()
        .ok_or_else(|| ApiError::internal("no stderr"))?;
    // Its last words, if it dies before reporting.
    let stderr_tail = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text.lines().last().unwrap_or_default().to_string()
    });
    let line = serde_json::to_string(spec).map_err(ApiError::internal)?;
    writeln!(stdin, "{line}").map_err(ApiError::internal)?;
    let mut stdin = Some(stdin);
    let mut job = None;
    let mut ended = None::<BatchEvent>;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let event = serde_json::from_value::<BatchEvent>(value.clone()).ok();
        if let Some(BatchEvent::Planned { job: id, .. }) = &event {
            job = Some(*id);
            if let (Some(s), Ok(mut batches)) = (stdin.take(), state.batches.lock()) {
                batches.insert(*id, s);
            }
        }
        if matches!(
            event,
            Some(BatchEvent::Finished { .. } | BatchEvent::Failed { .. })
        ) {
            ended = event;
        }
        let _ = on_event.send(value);
    }
    if let Some(id) = job {
        if let Ok(mut batches) = state.batches.lock() {
            batches.remove(&id);
        }
    }
    let _ = child.wait();
    let last_words = stderr_tail.join().unwrap_or_default();
    match ended {
        Some(BatchEvent::Failed { error }) => Err(ApiError {
            code: error.code,
            message: error.message,
            details: error.details,
        }),
        Some(_) => {
            let id = job.ok_or_else(|| ApiError::internal("the batch process reported no job"))?;
            Ok(state.with_store(|s| Ok(s.batch_job(id)?))?.into())
        }
        None => {
            let mut err = ApiError::new(
                "batch_crashed",
                format!(
                    "the batch process stopped unexpectedly{}; finished files are kept and the job can be resumed",
                    if last_words.is_empty() { String::new() } else { format!(" ({last_words})") }
                ),
            );
            if let Some(id) = job {
                err = err.with("job", id);
            }
            let _ = on_event.send(serde_json::json!({ "kind": "failed", "error": err }));
            Err(err)
        }
    }
}
