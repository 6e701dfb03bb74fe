//! Inference in a supervised worker process.
//!
//! A GGML abort, an out-of-memory kill or a `kill -9` ends a process, not
//! just a thread. The desktop app therefore runs the model in a child
//! process (the same binary, `wenshu worker`) and talks to it with JSON lines
//! over stdin and stdout: [`serve`] is the child's side, [`Supervisor`] the
//! parent's. When the child dies, every request in flight ends with the
//! `worker_crashed` code and the text streamed so far, and the next request
//! starts a fresh child. The parent never loads llama.cpp.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::child::{Child, ChildCommand, ChildInput};
use crate::engine::{CancelToken, Generator, ModelInfo};
use crate::error::{known_code, Coded, Kind};
use crate::prompts::PromptLibrary;
use crate::tasks::{Request, Runner, Sink, TaskKind, TaskResult};
use crate::text::Lang;

/// What the parent sends, one JSON object per line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum WorkerCommand {
    Run {
        id: u64,
        request: Request,
    },
    Cancel {
        id: u64,
    },
    /// Evaluate a task's fixed prompt ahead of time (the app sends this at
    /// start and after each use of the summary shortcut), so the next such
    /// request only pays for its own text.
    Warm {
        task: TaskKind,
        target: Lang,
    },
}

/// What the worker sends back, one JSON object per line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WorkerEvent {
    /// The model is loaded; requests may follow.
    Ready {
        model: Box<ModelInfoWire>,
    },
    /// A piece of the result's text.
    Text {
        id: u64,
        text: String,
    },
    Progress {
        id: u64,
        stage: String,
        index: usize,
        of: usize,
    },
    Done {
        id: u64,
        result: Box<TaskResult>,
    },
    Error {
        id: u64,
        code: String,
        /// Whether the request was at fault (older workers did not say).
        #[serde(default = "runtime")]
        kind: Kind,
        message: String,
        partial: String,
    },
}

fn runtime() -> Kind {
    Kind::Runtime
}

/// The loaded model as the worker reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelInfoWire {
    pub file_name: String,
    pub sha256: String,
    pub n_ctx: u32,
    pub gpu_layers: u32,
    pub threads: u32,
    pub has_chat_template: bool,
    pub description: String,
}

impl From<&ModelInfo> for ModelInfoWire {
    fn from(m: &ModelInfo) -> Self {
        Self {
            file_name: m.file_name.clone(),
            sha256: m.sha256.clone(),
            n_ctx: m.n_ctx,
            gpu_layers: m.gpu_layers,
            threads: m.threads,
            has_chat_template: m.has_chat_template,
            description: m.description.clone(),
        }
    }
}

type Out = Arc<Mutex<Box<dyn Write + Send>>>;

fn send(out: &Out, event: &WorkerEvent) {
    if let Ok(mut out) = out.lock() {
        if let Ok(line) = serde_json::to_string(event) {
            // A parent that has gone away cannot be told anything.
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

struct WireSink<'a> {
    id: u64,
    out: &'a Out,
}

impl Sink for WireSink<'_> {
    fn text(&mut self, piece: &str) {
        send(
            self.out,
            &WorkerEvent::Text {
                id: self.id,
                text: piece.to_string(),
            },
        );
    }
    fn progress(&mut self, stage: &crate::tasks::Progress) {
        send(
            self.out,
            &WorkerEvent::Progress {
                id: self.id,
                stage: stage.stage.to_string(),
                index: stage.index,
                of: stage.of,
            },
        );
    }
}

/// The worker's loop: announce the model, then run requests one at a time
/// while still reading cancels. Returns when stdin closes.
pub fn serve(
    generator: &dyn Generator,
    prompts: &PromptLibrary,
    input: impl BufRead + Send,
    output: Box<dyn Write + Send>,
) {
    let out: Out = Arc::new(Mutex::new(output));
    send(
        &out,
        &WorkerEvent::Ready {
            model: Box::new(generator.info().into()),
        },
    );
    let cancels: Arc<Mutex<HashMap<u64, CancelToken>>> = Arc::default();
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::scope(|scope| {
        let reader_cancels = cancels.clone();
        scope.spawn(move || {
            for line in input.lines() {
                let Ok(line) = line else { break };
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<WorkerCommand>(&line) {
                    Ok(WorkerCommand::Run { id, request }) => {
                        if let Ok(mut c) = reader_cancels.lock() {
                            c.insert(id, CancelToken::new());
                        }
                        if tx.send(Job::Run(id, request)).is_err() {
                            break;
                        }
                    }
                    Ok(WorkerCommand::Warm { task, target }) => {
                        if tx.send(Job::Warm(task, target)).is_err() {
                            break;
                        }
                    }
                    Ok(WorkerCommand::Cancel { id }) => {
                        if let Some(token) =
                            reader_cancels.lock().ok().and_then(|c| c.get(&id).cloned())
                        {
                            token.cancel();
                        }
                    }
                    Err(e) => tracing::warn!("worker: ignoring a malformed command: {e}"),
                }
            }
            // stdin closed: the parent is gone; stop what is running.
            if let Ok(c) = reader_cancels.lock() {
                c.values().for_each(CancelToken::cancel);
            }
        });
        let runner = Runner::new(generator, prompts);
        for job in rx {
            let (id, request) = match job {
                Job::Run(id, request) => (id, request),
                Job::Warm(task, target) => {
                    // Only an optimisation: a failure costs the next request time.
                    if let Err(e) = runner.warm(task, target) {
                        tracing::warn!("worker: warming the {task} prompt failed: {e}");
                    }
                    continue;
                }
            };
            let cancel = cancels
                .lock()
                .ok()
                .and_then(|c| c.get(&id).cloned())
                .unwrap_or_default();
            let outcome = runner
                .plan(request)
                .and_then(|plan| runner.run(&plan, &mut WireSink { id, out: &out }, &cancel));
            let event = match outcome {
                Ok(result) => WorkerEvent::Done {
                    id,
                    result: Box::new(result),
                },
                Err(e) => WorkerEvent::Error {
                    id,
                    code: e.code().to_string(),
                    kind: e.kind(),
                    message: format!("{e:#}"),
                    partial: e.partial().unwrap_or("").to_string(),
                },
            };
            send(&out, &event);
            if let Ok(mut c) = cancels.lock() {
                c.remove(&id);
            }
        }
    });
}

/// Work for the worker's runner thread, in arrival order.
enum Job {
    Run(u64, Request),
    Warm(TaskKind, Lang),
}

/// A request that did not complete: the worker's error, or its death.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WorkerError {
    /// `worker_crashed`, `worker_start`, or the task's own code.
    pub code: &'static str,
    pub kind: Kind,
    pub message: String,
    /// Text streamed before the failure; the caller keeps it.
    pub partial: String,
}

impl WorkerError {
    /// The codes a worker's death gives (a task's own error keeps its code).
    pub const CODES: &'static [&'static str] = &["worker_crashed", "worker_start"];

    fn crashed(message: String, partial: String) -> Self {
        Self {
            code: "worker_crashed",
            kind: Kind::Runtime,
            message,
            partial,
        }
    }
}

impl Coded for WorkerError {
    fn code(&self) -> &'static str {
        self.code
    }
    fn kind(&self) -> Kind {
        self.kind
    }
}

struct Live {
    child: Child,
    input: ChildInput,
    model: ModelInfoWire,
    /// Set when the worker's stdout closed: it is gone, or going.
    gone: Arc<AtomicBool>,
    generation: u64,
}

impl Live {
    fn alive(&mut self) -> bool {
        !self.gone.load(Ordering::SeqCst) && self.child.alive()
    }
}

/// Request id → (worker generation serving it, where its events go).
type Routes = Arc<Mutex<HashMap<u64, (u64, Sender<WorkerEvent>)>>>;

/// The parent's side: starts the worker on demand, restarts it after a
/// crash, and routes its events to the request they belong to.
pub struct Supervisor {
    command: ChildCommand,
    live: Mutex<Option<Live>>,
    routes: Routes,
    generation: Mutex<u64>,
    next_id: Mutex<u64>,
    /// How many times a worker was started (the first start included).
    pub starts: Mutex<u32>,
}

impl Supervisor {
    /// A supervisor for `program args…` (normally this binary with `worker`).
    /// Nothing is started until the first request.
    pub fn new(program: impl Into<PathBuf>, args: Vec<OsString>) -> Self {
        Self::for_command(ChildCommand::new(program, args))
    }

    /// A supervisor for a prepared command (see `session::Session::worker_command`).
    pub fn for_command(command: ChildCommand) -> Self {
        Self {
            command,
            live: Mutex::new(None),
            routes: Arc::default(),
            generation: Mutex::new(0),
            next_id: Mutex::new(1),
            starts: Mutex::new(0),
        }
    }

    /// Adds an environment variable for the worker.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.command.envs.push((key.into(), value.into()));
        self
    }

    /// The worker's process id, when one is running.
    pub fn pid(&self) -> Option<u32> {
        self.live.lock().ok()?.as_ref().map(|l| l.child.pid())
    }

    /// Starts the worker if none is alive; returns its model.
    ///
    /// # Errors
    /// `worker_start` when it cannot be spawned or dies before it is ready
    /// (bad model file, …), with its last stderr line.
    pub fn ensure_started(&self) -> Result<ModelInfoWire, WorkerError> {
        let mut live = self
            .live
            .lock()
            .map_err(|_| start_error("lock poisoned".into()))?;
        if let Some(l) = live.as_mut() {
            if l.alive() {
                return Ok(l.model.clone());
            }
            // Its stdout may close a moment before the process can be
            // reaped; either sign means it is gone.
            if let Some(dead) = live.take() {
                dead.child.bury();
            }
        }
        let (child, stdout) = Child::spawn(&self.command).map_err(|e| {
            start_error(format!(
                "cannot start {}: {e}",
                self.command.program.display()
            ))
        })?;
        if let Ok(mut n) = self.starts.lock() {
            *n += 1;
        }
        let (ready_tx, ready_rx) = mpsc::channel();
        let routes = self.routes.clone();
        let gone: Arc<AtomicBool> = Arc::default();
        let reader_gone = gone.clone();
        let generation = {
            let mut g = self
                .generation
                .lock()
                .map_err(|_| start_error("lock poisoned".into()))?;
            *g += 1;
            *g
        };
        std::thread::spawn(move || {
            read_events(stdout, &routes, ready_tx);
            reader_gone.store(true, Ordering::SeqCst);
            // This worker's requests still waiting end as crashed: their
            // senders go. A newer worker's requests are not touched.
            if let Ok(mut r) = routes.lock() {
                r.retain(|_, (g, _)| *g != generation);
            }
        });
        match ready_rx.recv() {
            Ok(model) => {
                let input = child.input();
                *live = Some(Live {
                    child,
                    input,
                    model: model.clone(),
                    gone,
                    generation,
                });
                Ok(model)
            }
            Err(_) => {
                let mut child = child;
                child.wait();
                let detail = child.last_words();
                Err(start_error(if detail.is_empty() {
                    "the worker exited before it was ready".into()
                } else {
                    detail
                }))
            }
        }
    }

    /// Runs a request in the worker, calling `on_text` with streamed text.
    ///
    /// # Errors
    /// The task's error, or `worker_crashed` (with the partial text) when
    /// the worker died; the next call starts a new worker.
    pub fn run(
        &self,
        request: &Request,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<TaskResult, WorkerError> {
        self.run_tracked(request, &mut |_| {}, on_text)
    }

    /// [`run`](Self::run), telling `on_started` the request's id first, so
    /// another thread can [`cancel`](Self::cancel) it.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn run_tracked(
        &self,
        request: &Request,
        on_started: &mut dyn FnMut(u64),
        on_text: &mut dyn FnMut(&str),
    ) -> Result<TaskResult, WorkerError> {
        let (id, rx) = self.submit(request)?;
        on_started(id);
        let generation = self.live_generation();
        let mut partial = String::new();
        loop {
            let event = match rx.recv_timeout(Duration::from_millis(250)) {
                Ok(event) => event,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // Never wait on a worker that is no longer there.
                    if self.live_generation() != generation || !self.worker_alive() {
                        break;
                    }
                    continue;
                }
            };
            match event {
                WorkerEvent::Text { text, .. } => {
                    on_text(&text);
                    partial.push_str(&text);
                }
                WorkerEvent::Done { result, .. } => return Ok(*result),
                WorkerEvent::Error {
                    code,
                    kind,
                    message,
                    partial: p,
                    ..
                } => {
                    return Err(WorkerError {
                        code: known_code(&code),
                        kind,
                        message,
                        partial: if p.is_empty() { partial } else { p },
                    })
                }
                WorkerEvent::Progress { .. } | WorkerEvent::Ready { .. } => {}
            }
        }
        if let Ok(mut r) = self.routes.lock() {
            r.remove(&id);
        }
        Err(WorkerError::crashed(
            "the model worker stopped unexpectedly; your text is kept and the worker restarts with the next request".into(),
            partial,
        ))
    }

    fn live_generation(&self) -> Option<u64> {
        self.live.lock().ok()?.as_ref().map(|l| l.generation)
    }

    fn worker_alive(&self) -> bool {
        self.live
            .lock()
            .ok()
            .is_some_and(|mut l| l.as_mut().is_some_and(Live::alive))
    }

    /// Sends a request; events for it arrive on the returned receiver (it
    /// closes when the worker dies).
    ///
    /// # Errors
    /// When no worker can be started.
    pub fn submit(&self, request: &Request) -> Result<(u64, Receiver<WorkerEvent>), WorkerError> {
        self.ensure_started()?;
        let generation = self.live_generation().unwrap_or(0);
        let id = {
            let mut n = self
                .next_id
                .lock()
                .map_err(|_| start_error("lock poisoned".into()))?;
            *n += 1;
            *n
        };
        let (tx, rx) = mpsc::channel();
        if let Ok(mut r) = self.routes.lock() {
            r.insert(id, (generation, tx));
        }
        self.write(&WorkerCommand::Run {
            id,
            request: request.clone(),
        })?;
        Ok((id, rx))
    }

    /// Asks the worker to evaluate a task's fixed prompt now (see
    /// [`WorkerCommand::Warm`]).
    ///
    /// # Errors
    /// When no worker can be started.
    pub fn warm(&self, task: TaskKind, target: Lang) -> Result<(), WorkerError> {
        self.ensure_started()?;
        self.write(&WorkerCommand::Warm { task, target })
    }

    /// Asks the worker to stop request `id` (its partial text is returned).
    pub fn cancel(&self, id: u64) {
        let _ = self.write(&WorkerCommand::Cancel { id });
    }

    fn write(&self, command: &WorkerCommand) -> Result<(), WorkerError> {
        let mut live = self
            .live
            .lock()
            .map_err(|_| start_error("lock poisoned".into()))?;
        let l = live
            .as_mut()
            .ok_or_else(|| start_error("no worker".into()))?;
        let line = serde_json::to_string(command).map_err(|e| start_error(e.to_string()))?;
        l.input.send_line(&line).map_err(|e| {
            WorkerError::crashed(
                format!("the model worker is not answering ({e}); try again"),
                String::new(),
            )
        })
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        if let Ok(mut live) = self.live.lock() {
            if let Some(l) = live.take() {
                l.child.bury();
            }
        }
    }
}

fn start_error(message: String) -> WorkerError {
    WorkerError {
        code: "worker_start",
        kind: Kind::Runtime,
        message,
        partial: String::new(),
    }
}

/// Reads the worker's events until its stdout closes, routing each to the
/// request it belongs to.
fn read_events(stdout: std::process::ChildStdout, routes: &Routes, ready: Sender<ModelInfoWire>) {
    for line in crate::child::lines(stdout) {
        let Ok(event) = serde_json::from_str::<WorkerEvent>(&line) else {
            continue;
        };
        let id = match &event {
            WorkerEvent::Ready { model } => {
                let _ = ready.send((**model).clone());
                continue;
            }
            WorkerEvent::Text { id, .. }
            | WorkerEvent::Progress { id, .. }
            | WorkerEvent::Done { id, .. }
            | WorkerEvent::Error { id, .. } => *id,
        };
        let finished = matches!(event, WorkerEvent::Done { .. } | WorkerEvent::Error { .. });
        if let Ok(mut r) = routes.lock() {
            if let Some((_, tx)) = r.get(&id) {
                let _ = tx.send(event);
            }
            if finished {
                r.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fake::FakeGenerator;
    use crate::tasks::TaskKind;

    #[test]
    fn the_worker_answers_a_request_with_text_events_then_its_result() {
        let generator = FakeGenerator::new(4096, |_| "- 政府公布新措施 [1]\n".to_string());
        let prompts = PromptLibrary::standard(&[]);
        let request = Request::new(
            TaskKind::Summarise,
            "政府今日公布新措施。\n\n措施下月生效。",
        );
        let warm = serde_json::to_string(&WorkerCommand::Warm {
            task: TaskKind::Summarise,
            target: Lang::ZhHant,
        })
        .unwrap();
        let line = serde_json::to_string(&WorkerCommand::Run { id: 7, request }).unwrap();
        let input = std::io::Cursor::new(format!("{warm}\n{line}\nnot json\n"));
        let buffer: Arc<Mutex<Vec<u8>>> = Arc::default();
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        serve(
            &generator,
            &prompts,
            input,
            Box::new(Shared(buffer.clone())),
        );
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        let events: Vec<WorkerEvent> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(matches!(events[0], WorkerEvent::Ready { .. }));
        let streamed: String = events
            .iter()
            .filter_map(|e| match e {
                WorkerEvent::Text { id: 7, text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        match events.last().unwrap() {
            WorkerEvent::Done { id: 7, result } => assert_eq!(result.text, streamed),
            other => panic!("expected the result last, got {other:?}"),
        }
        // The warm-up went to the model first, with the summary prompt's
        // fixed part, and produced no event of its own.
        let prompts = generator.prompts();
        assert_eq!(prompts.len(), 2, "{prompts:?}");
        let shared = prompts[0]
            .chars()
            .zip(prompts[1].chars())
            .take_while(|(a, b)| a == b)
            .count();
        assert!(
            shared * 10 > prompts[1].chars().count() * 7,
            "the warm prompt is the prefix"
        );
        assert_eq!(
            events.len(),
            1 + 1
                + events
                    .iter()
                    .filter(|e| matches!(e, WorkerEvent::Text { .. }))
                    .count()
        );
    }
}
