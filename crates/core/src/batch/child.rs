//! A folder job in a child process, both sides: [`run`] is the parent's
//! (the desktop app starts the job and follows its events), [`serve`] the
//! child's (it loads the model and runs the job). The wire format is in
//! [`super::wire`]; starting, reading and burying the process is
//! [`crate::child`]'s, as for the model worker.

use std::io::BufRead;
use std::path::Path;

use serde_json::Value;

use super::wire::{self, BatchEvent, BatchSpec, LineWriter, WireError};
use super::BatchOptions;
use crate::child::{self, Child, ChildCommand, ChildInput};
use crate::engine::{CancelToken, EngineConfig, LlamaEngine, SamplingParams};
use crate::error::{known_code, Coded, Kind};
use crate::session::Session;

/// Why a folder job run in a child did not end normally.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BatchChildError {
    #[error("cannot start the batch process {program}: {reason}")]
    Start { program: String, reason: String },
    /// The job reported its own error (bad folders, no model, …).
    #[error("{}", .0.message)]
    Failed(WireError),
    #[error(
        "the batch process stopped unexpectedly{}; finished files are kept and the job can be resumed",
        if last_words.is_empty() { String::new() } else { format!(" ({last_words})") }
    )]
    Crashed {
        job: Option<i64>,
        last_words: String,
    },
}

impl BatchChildError {
    pub const CODES: &'static [&'static str] = &["batch_crashed", "worker_start"];

    /// What the UI gets besides code and message: the wire error's own
    /// details, or the job a crash interrupted.
    pub fn details(&self) -> Value {
        match self {
            Self::Failed(e) => e.details.clone(),
            Self::Crashed { job: Some(job), .. } => serde_json::json!({ "job": job }),
            _ => serde_json::json!({}),
        }
    }

    fn wire(&self) -> WireError {
        WireError {
            code: self.code().into(),
            message: self.to_string(),
            details: self.details(),
            usage: self.is_usage(),
        }
    }
}

impl Coded for BatchChildError {
    fn code(&self) -> &'static str {
        match self {
            Self::Start { .. } => "worker_start",
            Self::Failed(e) => known_code(&e.code),
            Self::Crashed { .. } => "batch_crashed",
        }
    }
    fn kind(&self) -> Kind {
        match self {
            Self::Failed(e) if e.usage => Kind::Usage,
            _ => Kind::Runtime,
        }
    }
}

/// Starts the job in a child, passes every event line to `on_event` as it
/// comes, and `on_planned` the job's id and the child's stdin once it is
/// known (a `stop` line written there pauses the job). Returns the job's id
/// when the child reported the job's end.
///
/// # Errors
/// The job's own failure, or the child's death (the event for it is passed
/// to `on_event` too, so a page following the events sees it).
pub fn run(
    command: &ChildCommand,
    spec: &BatchSpec,
    on_planned: &mut dyn FnMut(i64, ChildInput),
    on_event: &mut dyn FnMut(&Value),
) -> Result<i64, BatchChildError> {
    let (mut process, stdout) = Child::spawn(command).map_err(|e| BatchChildError::Start {
        program: command.program.display().to_string(),
        reason: e.to_string(),
    })?;
    let input = process.input();
    let line = serde_json::to_string(spec).map_err(|e| BatchChildError::Start {
        program: command.program.display().to_string(),
        reason: format!("the job could not be described: {e}"),
    })?;
    if let Err(e) = input.send_line(&line) {
        process.bury();
        return Err(BatchChildError::Start {
            program: command.program.display().to_string(),
            reason: e.to_string(),
        });
    }
    let mut job = None;
    let mut ended = None::<BatchEvent>;
    for line in child::lines(stdout) {
        // The child writes one JSON event per line; anything else (a stray
        // line from a library) is not ours to interpret. A JSON value that is
        // not a known event is still passed on whole, for a newer child.
        let Ok(value) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let event = serde_json::from_value::<BatchEvent>(value.clone()).ok();
        if let Some(BatchEvent::Planned { job: id, .. }) = &event {
            job = Some(*id);
            on_planned(*id, input.clone());
        }
        if matches!(
            event,
            Some(BatchEvent::Finished { .. } | BatchEvent::Failed { .. })
        ) {
            ended = event;
        }
        on_event(&value);
    }
    process.wait();
    match (ended, job) {
        (Some(BatchEvent::Failed { error }), _) => Err(BatchChildError::Failed(error)),
        (Some(_), Some(id)) => Ok(id),
        (_, job) => {
            let err = BatchChildError::Crashed {
                job,
                last_words: process.last_words(),
            };
            if let Ok(event) = serde_json::to_value(BatchEvent::Failed { error: err.wire() }) {
                on_event(&event);
            }
            Err(err)
        }
    }
}

/// The child's side: reads one [`BatchSpec`] line from `input`, runs the
/// job with the session's settings and glossary, and reports it as JSON
/// lines on stdout; a `stop` line (or `input` closing) pauses it. Returns
/// the process exit code: 0 completed, 2 for a bad job description, 1
/// otherwise.
pub fn serve(
    session: &Session,
    config: EngineConfig,
    mut input: impl BufRead + Send + 'static,
    db: &Path,
) -> i32 {
    let mut out = LineWriter::new(std::io::stdout());
    let mut first = String::new();
    let spec: BatchSpec = match input
        .read_line(&mut first)
        .map(|_| serde_json::from_str(&first))
    {
        Ok(Ok(spec)) => spec,
        _ => {
            out.send(&BatchEvent::failed(
                crate::error::INTERNAL,
                "the batch process got no job description",
            ));
            return 2;
        }
    };
    let report = |out: &mut LineWriter<std::io::Stdout>, e: &dyn Coded| {
        out.send(&BatchEvent::Failed {
            error: WireError::of(e),
        });
        1
    };
    let mut store = match session.open_store_at(db) {
        Ok(store) => store,
        Err(e) => return report(&mut out, &e),
    };
    let glossary = match store.glossary_list() {
        Ok(glossary) => glossary,
        Err(e) => return report(&mut out, &e),
    };
    // Two sequences keep a small machine responsive while a job runs.
    let parallel = if spec.parallel == 0 { 2 } else { spec.parallel };
    let opts = BatchOptions {
        source: spec.source,
        out: spec.out,
        target: spec.target,
        parallel,
        bilingual: spec.bilingual,
        sampling: SamplingParams::default(),
        max_tokens: None,
        glossary,
        base_glossary: session.settings().glossary.base,
        html_reports: spec.check_reports,
        limits: Default::default(),
        pseudo: false,
    };
    if let Err(e) = super::folders(&opts) {
        return report(&mut out, &e);
    }
    let mut config = config;
    config.parallel = parallel as u32;
    let engine = match LlamaEngine::load(config) {
        Ok(engine) => engine,
        Err(e) => return report(&mut out, &e),
    };
    let cancel = CancelToken::new();
    wire::stop_on_request(input, cancel.clone());
    wire::run_and_report(
        &engine,
        &session.prompts(),
        &mut store,
        &opts,
        &mut out,
        &cancel,
    )
}
