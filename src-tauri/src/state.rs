//! What the app keeps between commands: settings, the model worker's
//! supervisor, running tasks and folder jobs, the history store and the
//! last captured selection.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use wenshu_core::child::{ChildCommand, ChildInput};
use wenshu_core::session::{EngineFlags, ModelChoice, Places, Session};
use wenshu_core::settings::Settings;
use wenshu_core::store::Store;
use wenshu_core::tasks::TaskKind;
use wenshu_core::text::Lang;
use wenshu_core::worker::Supervisor;

use crate::error::ApiError;

/// Files the app reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    pub settings: PathBuf,
    pub db: PathBuf,
    /// The program started as the model worker and the batch child: this
    /// binary, except in tests.
    pub worker_exe: PathBuf,
    /// A development tree's `models/` folder, searched last for models.
    pub dev_models: Option<PathBuf>,
}

impl Paths {
    /// The standard places (`WENSHU_HOME`, `WENSHU_DB` and the user's
    /// folders), with this executable as the worker.
    ///
    /// # Errors
    /// When the executable's own path is unknown.
    pub fn from_environment() -> anyhow::Result<Self> {
        Ok(Self {
            settings: wenshu_core::settings::default_path(),
            db: wenshu_core::store::default_path(),
            worker_exe: std::env::current_exe()?,
            dev_models: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../models")),
        })
    }
}

/// A task started from a window, by its ticket.
#[derive(Default)]
struct Ticket {
    worker_id: Option<u64>,
    supervisor: Option<Arc<Supervisor>>,
    stop_requested: bool,
}

/// What the global shortcut could do, for the settings page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ShortcutStatus {
    pub accelerator: String,
    pub registered: bool,
    pub error: Option<String>,
    pub alternative: String,
}

/// Text captured for the popup, and where it came from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Selection {
    pub text: String,
    /// `primary`, `clipboard` or `none`.
    pub source: String,
}

impl Default for Selection {
    fn default() -> Self {
        Self {
            text: String::new(),
            source: "none".into(),
        }
    }
}

pub struct AppState {
    pub paths: Paths,
    session: Mutex<Session>,
    supervisor: Mutex<Option<Arc<Supervisor>>>,
    tickets: Mutex<HashMap<u32, Ticket>>,
    next_ticket: AtomicU32,
    store: Mutex<Option<Store>>,
    /// Running folder jobs: job id → the child's stdin (a `stop` line
    /// pauses it).
    pub(crate) batches: Mutex<HashMap<i64, ChildInput>>,
    pub(crate) selection: Mutex<Selection>,
    pub(crate) shortcut: Mutex<ShortcutStatus>,
    /// The language the last shortcut summary was written in: what to warm.
    pub(crate) last_summary_lang: Mutex<Lang>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another command must not make every later one fail.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// State for the standard places; a broken settings file is reported by
    /// the settings page, and the defaults are used meanwhile.
    ///
    /// # Errors
    /// When the executable's own path is unknown.
    pub fn from_environment() -> anyhow::Result<Self> {
        Ok(Self::new(Paths::from_environment()?))
    }

    pub fn new(paths: Paths) -> Self {
        let settings = Settings::load(&paths.settings).unwrap_or_else(|e| {
            tracing::warn!("{e}; using the default settings");
            Settings::default()
        });
        let accelerator = settings.app.shortcut.clone();
        let places = Places {
            settings: paths.settings.clone(),
            db: paths.db.clone(),
            dev_models: paths.dev_models.clone(),
            prompts: wenshu_core::prompts::dev_tree_dir().into_iter().collect(),
        };
        Self {
            paths,
            session: Mutex::new(Session::with_settings(places, settings)),
            supervisor: Mutex::new(None),
            tickets: Mutex::default(),
            next_ticket: AtomicU32::new(1),
            store: Mutex::new(None),
            batches: Mutex::default(),
            selection: Mutex::default(),
            shortcut: Mutex::new(ShortcutStatus {
                accelerator,
                registered: false,
                error: Some("not registered yet".into()),
                alternative: shortcut_alternative(),
            }),
            last_summary_lang: Mutex::new(Lang::ZhHant),
        }
    }

    pub fn settings(&self) -> Settings {
        lock(&self.session).settings().clone()
    }

    /// The session as it is now (settings change only through
    /// [`save_settings`](Self::save_settings)).
    pub fn session(&self) -> Session {
        lock(&self.session).clone()
    }

    /// Saves new settings; a change to how the model is loaded retires the
    /// current worker (the next request starts one with the new settings).
    ///
    /// # Errors
    /// An invalid value or an unwritable settings file.
    pub fn save_settings(&self, new: Settings) -> Result<Settings, ApiError> {
        let mut session = lock(&self.session);
        let engine_changed = session.settings().engine != new.engine;
        session.save_settings(new.clone())?;
        if engine_changed {
            lock(&self.supervisor).take();
        }
        Ok(new)
    }

    /// The model file the worker loads, as core resolves it (the app has no
    /// flag: `WENSHU_MODEL`, the settings, then the catalog).
    ///
    /// # Errors
    /// `model_missing`, naming the folders searched.
    pub fn model(&self) -> Result<ModelChoice, ApiError> {
        Ok(self.session().resolve_model(None)?)
    }

    /// How to start this binary as a model child in `mode`.
    ///
    /// # Errors
    /// When no model file can be found.
    pub fn child_command(&self, mode: &str) -> Result<ChildCommand, ApiError> {
        Ok(self
            .session()
            .child_command(&self.paths.worker_exe, mode, &EngineFlags::default())?)
    }

    /// The worker's supervisor for the current settings (no process is
    /// started until a request needs one).
    ///
    /// # Errors
    /// When no model file can be found.
    pub fn supervisor(&self) -> Result<Arc<Supervisor>, ApiError> {
        let mut slot = lock(&self.supervisor);
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let supervisor = Arc::new(Supervisor::for_command(self.child_command("worker")?));
        *slot = Some(supervisor.clone());
        Ok(supervisor)
    }

    /// Whether a worker process is running (the model is loaded or loading).
    pub fn model_loaded(&self) -> bool {
        lock(&self.supervisor)
            .as_ref()
            .is_some_and(|s| s.pid().is_some())
    }

    /// The worker's process id, when one runs.
    pub fn worker_pid(&self) -> Option<u32> {
        lock(&self.supervisor).as_ref().and_then(|s| s.pid())
    }

    /// Starts the worker and evaluates the summary prompt in the background,
    /// so the first shortcut use only pays for its own text. Set
    /// `WENSHU_NO_PRELOAD=1` to start without a model (the idle-memory
    /// benchmark does).
    pub fn preload(&self) {
        if std::env::var_os("WENSHU_NO_PRELOAD").is_some_and(|v| v == "1") {
            return;
        }
        self.warm_summary();
    }

    /// Asks the worker (starting it if needed) to evaluate the fixed part of
    /// the summary prompt, on a background thread.
    pub fn warm_summary(&self) {
        let Ok(supervisor) = self.supervisor() else {
            return;
        };
        let lang = *lock(&self.last_summary_lang);
        std::thread::spawn(move || {
            if let Err(e) = supervisor.warm(TaskKind::Summarise, lang) {
                tracing::warn!("could not warm the model: {e}");
            }
        });
    }

    /// A new ticket for a task a window starts.
    pub fn open_ticket(&self) -> u32 {
        let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
        lock(&self.tickets).insert(ticket, Ticket::default());
        ticket
    }

    /// The worker accepted the ticket's request as `id`; a stop that came
    /// first is passed on now.
    pub fn ticket_started(&self, ticket: u32, supervisor: &Arc<Supervisor>, id: u64) {
        let mut tickets = lock(&self.tickets);
        let entry = tickets.entry(ticket).or_default();
        entry.worker_id = Some(id);
        entry.supervisor = Some(supervisor.clone());
        if entry.stop_requested {
            supervisor.cancel(id);
        }
    }

    /// Stops the ticket's request (its partial text is kept).
    pub fn stop_ticket(&self, ticket: u32) {
        let mut tickets = lock(&self.tickets);
        if let Some(entry) = tickets.get_mut(&ticket) {
            entry.stop_requested = true;
            if let (Some(id), Some(s)) = (entry.worker_id, &entry.supervisor) {
                s.cancel(id);
            }
        }
    }

    pub fn close_ticket(&self, ticket: u32) {
        lock(&self.tickets).remove(&ticket);
    }

    /// Runs `f` with the history store, opened (and retention applied) on
    /// first use.
    ///
    /// # Errors
    /// The store's errors.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut slot = lock(&self.store);
        let store = match slot.take() {
            Some(store) => store,
            None => self.session().open_store()?,
        };
        let store = slot.insert(store);
        f(store)
    }

    /// Pauses every running folder job (they resume at the next start) and
    /// ends the worker; called when the app exits.
    pub fn shutdown(&self) {
        for input in lock(&self.batches).values() {
            let _ = input.send_line("stop");
        }
        lock(&self.supervisor).take();
    }
}

/// The command a desktop environment can bind when the app cannot register
/// its own shortcut (Wayland).
pub fn shortcut_alternative() -> String {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "wenshu-desktop".into());
    format!("{exe} --summarise-selection")
}
