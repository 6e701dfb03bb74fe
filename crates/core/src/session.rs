//! The one service layer both shells call.
//!
//! A [`Session`] is the settings and the places a shell works with. It owns
//! every rule the CLI and the desktop app would otherwise each write:
//!
//! - **The store**: [`Session::open_store`] opens the history database and
//!   applies the retention setting first thing.
//! - **The model and engine**, resolved in one order
//!   ([`Session::resolve_model`], [`Session::engine_config`]):
//!   1. the shell's flag (`wenshu --model`; the desktop app has none);
//!   2. the environment, `WENSHU_MODEL`;
//!   3. the settings file, `[engine] model`;
//!   4. the first catalogued model file found in the model folders
//!      (`$WENSHU_HOME/models`, the user's data folder, a development tree's
//!      `models/`).
//!
//!   GPU layers, threads and context length come from the flag, else the
//!   settings, else the defaults (automatic, every core, 4096 tokens).
//! - **Requests**: [`Session::prepare`] adds the glossary and the
//!   base-glossary setting; [`Session::validate`] plans a request without a
//!   model, so a bad one fails before a model loads, with the same code from
//!   either shell.
//! - **Runs**: [`Session::record`] and [`Session::record_failure`] store
//!   them (or not, by the history settings, masked or not);
//!   [`Session::export`] writes them in the one export format
//!   ([`crate::store::export`]); [`Session::rerun`] prepares a stored run
//!   for repetition and [`Rerun::compare`] says whether it came out the same.
//! - **Children**: [`Session::child_command`] is how a shell starts the
//!   model worker or a batch child (this binary with a mode and the
//!   resolved engine flags); [`crate::child`] supervises them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::child::ChildCommand;
use crate::engine::pseudo::PseudoEngine;
use crate::engine::{EngineConfig, GpuLayers, ModelInfo};
use crate::error::{Fix, Setting};
use crate::models::{self, Catalog, CatalogError, ModelMissing};
use crate::prompts::{self, PromptLibrary};
use crate::settings::{self, Settings, SettingsError};
use crate::store::export::{self, ExportFormat};
use crate::store::{self, RunRecord, Store, StoreError};
use crate::tasks::history::{record_of, record_of_failure, request_from_record};
use crate::tasks::{Plan, Request, Runner, TaskError, TaskKind, TaskResult};

/// Where a shell's files are.
#[derive(Debug, Clone)]
pub struct Places {
    /// The settings file.
    pub settings: PathBuf,
    /// The history database.
    pub db: PathBuf,
    /// A development tree's `models/` folder, searched last for models.
    pub dev_models: Option<PathBuf>,
    /// Extra folders of prompt files, searched after the user's own and
    /// before the bundled ones.
    pub prompts: Vec<PathBuf>,
}

impl Places {
    /// The standard places: `WENSHU_HOME`'s settings (else the user's config
    /// folder), `WENSHU_DB` (else the user's data folder), this source tree's
    /// `models/` and `prompts/` when they exist.
    pub fn standard() -> Self {
        let dev_models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        Self {
            settings: settings::default_path(),
            db: store::default_path(),
            dev_models: dev_models.is_dir().then_some(dev_models),
            prompts: prompts::dev_tree_dir().into_iter().collect(),
        }
    }

    /// Another history database, when one is given.
    pub fn with_db(mut self, db: Option<&Path>) -> Self {
        if let Some(db) = db {
            self.db = db.to_path_buf();
        }
        self
    }

    /// Another folder of prompt files, searched first among the extra ones.
    pub fn with_prompts(mut self, dir: Option<&Path>) -> Self {
        if let Some(dir) = dir {
            self.prompts.insert(0, dir.to_path_buf());
        }
        self
    }
}

/// What a shell's flags say about the engine; `None` leaves it to the
/// environment, the settings or the default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineFlags {
    pub model: Option<PathBuf>,
    pub gpu_layers: Option<GpuLayers>,
    pub threads: Option<u32>,
    pub n_ctx: Option<u32>,
}

/// Where the model file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    Flag,
    Environment,
    Settings,
    Catalog,
}

/// The model file to load, and why that one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelChoice {
    pub path: PathBuf,
    pub source: ModelSource,
}

/// Why a session could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    ModelMissing(#[from] ModelMissing),
    #[error(transparent)]
    Task(#[from] TaskError),
    #[error("run {0} was stored with personal data masked, so its input is not the original; it cannot be repeated exactly")]
    RunMasked(i64),
    #[error("run {id} used {file}, which is not in the model folders ({searched}); choose that model file to repeat the run")]
    RerunModelMissing {
        id: i64,
        file: String,
        searched: String,
    },
    #[error("run {id} used a model with sha256 {expected}, but {} has {actual}; find the original file to repeat the run", path.display())]
    ModelChanged {
        id: i64,
        path: PathBuf,
        expected: String,
        actual: String,
    },
}

wenshu_error::coded! {
    SessionError {
        Self::RunMasked(_) => "run_masked", usage;
        Self::RerunModelMissing { .. } => "rerun_model_missing", usage, fix = Fix::choose(Setting::Model);
        Self::ModelChanged { .. } => "model_changed", usage, fix = Fix::choose(Setting::Model);
    }
    delegate {
        Self::Settings(e) => e,
        Self::Store(e) => e,
        Self::Catalog(e) => e,
        Self::ModelMissing(e) => e,
        Self::Task(e) => e,
    }
}

/// The settings and places a shell works with.
#[derive(Debug, Clone)]
pub struct Session {
    places: Places,
    settings: Settings,
}

impl Session {
    /// Loads the settings file at `places.settings` (defaults when there is
    /// none, then the environment).
    ///
    /// # Errors
    /// An unreadable or invalid settings file or environment value.
    pub fn load(places: Places) -> Result<Self, SettingsError> {
        let settings = Settings::load(&places.settings)?;
        Ok(Self { places, settings })
    }

    /// A session with settings already loaded (the desktop app keeps using
    /// the defaults while the settings page reports a broken file).
    pub fn with_settings(places: Places, settings: Settings) -> Self {
        Self { places, settings }
    }

    pub fn places(&self) -> &Places {
        &self.places
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Validates and saves new settings, and uses them from now on.
    ///
    /// # Errors
    /// An invalid value or an unwritable settings file.
    pub fn save_settings(&mut self, new: Settings) -> Result<(), SettingsError> {
        new.save(&self.places.settings)?;
        self.settings = new;
        Ok(())
    }

    /// The history database, created owner-only if needed, with the
    /// retention setting applied.
    ///
    /// # Errors
    /// The store's errors.
    pub fn open_store(&self) -> Result<Store, StoreError> {
        self.open_store_at(&self.places.db)
    }

    /// [`open_store`](Self::open_store) for a database given by a parent
    /// process.
    ///
    /// # Errors
    /// The store's errors.
    pub fn open_store_at(&self, db: &Path) -> Result<Store, StoreError> {
        let mut store = Store::open(db)?;
        let days = self.settings.history.retention_days;
        let n = store.apply_retention(days)?;
        if n > 0 {
            tracing::info!("retention: deleted {n} run(s) older than {days} days");
        }
        Ok(store)
    }

    /// The prompt library: the user's folders, the extra ones, the bundled copy.
    pub fn prompts(&self) -> PromptLibrary {
        PromptLibrary::standard(&self.places.prompts)
    }

    /// The folders searched for catalogued model files, in order.
    pub fn model_dirs(&self) -> Vec<PathBuf> {
        models::model_dirs(self.places.dev_models.as_deref())
    }

    /// The first `catalog.toml` of the model folders, else the bundled one.
    ///
    /// # Errors
    /// A catalog file that cannot be read or parsed.
    pub fn catalog(&self) -> Result<Catalog, CatalogError> {
        models::load_catalog(&self.model_dirs())
    }

    /// The model file, in the order the module documentation gives.
    ///
    /// # Errors
    /// `model_missing` naming the folders searched; a broken catalog.
    pub fn resolve_model(&self, flag: Option<&Path>) -> Result<ModelChoice, SessionError> {
        let choice = |path: PathBuf, source| Ok(ModelChoice { path, source });
        if let Some(path) = flag {
            return choice(path.to_path_buf(), ModelSource::Flag);
        }
        if let Some(path) = std::env::var_os("WENSHU_MODEL").filter(|p| !p.is_empty()) {
            return choice(PathBuf::from(path), ModelSource::Environment);
        }
        if let Some(path) = &self.settings.engine.model {
            return choice(path.clone(), ModelSource::Settings);
        }
        let dirs = self.model_dirs();
        let path = models::find_model(&models::load_catalog(&dirs)?, &dirs)?;
        choice(path, ModelSource::Catalog)
    }

    /// How to load the engine: the model as [`resolve_model`](Self::resolve_model)
    /// finds it, the other options from the flags, else the settings.
    ///
    /// # Errors
    /// As [`resolve_model`](Self::resolve_model).
    pub fn engine_config(&self, flags: &EngineFlags) -> Result<EngineConfig, SessionError> {
        let engine = &self.settings.engine;
        let mut config = EngineConfig::new(self.resolve_model(flags.model.as_deref())?.path);
        config.gpu_layers = flags
            .gpu_layers
            .or(engine.gpu_layers.map(GpuLayers::Count))
            .unwrap_or_default();
        config.threads = flags.threads.or(engine.threads);
        config.n_ctx = flags.n_ctx.unwrap_or(engine.n_ctx);
        Ok(config)
    }

    /// How to start `program` (the shell's own binary) in a child `mode`
    /// (`worker`, `batch-worker`) with the engine resolved here, so the
    /// child loads exactly what this session would.
    ///
    /// # Errors
    /// As [`engine_config`](Self::engine_config).
    pub fn child_command(
        &self,
        program: &Path,
        mode: &str,
        flags: &EngineFlags,
    ) -> Result<ChildCommand, SessionError> {
        let config = self.engine_config(flags)?;
        let mut args: Vec<OsString> = vec![
            mode.into(),
            "--model".into(),
            config.model.into_os_string(),
            "--ctx".into(),
            config.n_ctx.to_string().into(),
            "--gpu-layers".into(),
            match config.gpu_layers {
                GpuLayers::Auto => "auto".into(),
                GpuLayers::Count(n) => n.to_string().into(),
            },
        ];
        if let Some(t) = config.threads {
            args.extend(["--threads".into(), t.to_string().into()]);
        }
        Ok(ChildCommand::new(program, args))
    }

    /// Completes a request with what the session knows: the glossary (for
    /// translations) and the base-glossary setting.
    ///
    /// # Errors
    /// When the glossary cannot be read.
    pub fn prepare(&self, store: &Store, request: &mut Request) -> Result<(), StoreError> {
        if request.task == TaskKind::Translate {
            request.glossary = store.glossary_list()?;
        }
        request.base_glossary = self.settings.glossary.base;
        Ok(())
    }

    /// Plans a request without a model: empty input, a draft without a
    /// type, a key-point count out of range, an impossible direction or a
    /// missing prompt fail here, before any model loads.
    ///
    /// # Errors
    /// The request's [`TaskError`].
    pub fn validate(&self, request: &Request) -> Result<Plan, TaskError> {
        // Planning reads the prompts only; the generator is not asked.
        let library = self.prompts();
        let nobody = PseudoEngine::default();
        Runner::new(&nobody, &library).plan(request.clone())
    }

    /// Stores a finished or cancelled run when history is on; its id.
    ///
    /// # Errors
    /// The store's errors.
    pub fn record(
        &self,
        store: &mut Store,
        request: &Request,
        result: &TaskResult,
    ) -> Result<Option<i64>, StoreError> {
        let history = &self.settings.history;
        if !history.enabled {
            return Ok(None);
        }
        store
            .insert_run(&record_of(request, result, history.mask_personal_data))
            .map(Some)
    }

    /// Stores a failed run, with whatever it had written, when history is on.
    ///
    /// # Errors
    /// The store's errors.
    pub fn record_failure(
        &self,
        store: &mut Store,
        plan: &Plan,
        model: &ModelInfo,
        error: &TaskError,
    ) -> Result<Option<i64>, StoreError> {
        let history = &self.settings.history;
        if !history.enabled {
            return Ok(None);
        }
        let record = record_of_failure(
            &plan.request,
            plan.source_lang,
            plan.target_lang,
            model,
            plan.prompt_id(),
            &error.to_string(),
            error.partial().unwrap_or(""),
            history.mask_personal_data,
        );
        store.insert_run(&record).map(Some)
    }

    /// The runs `ids`, in that order, exported as `format`.
    ///
    /// # Errors
    /// `run_not_found` for an unknown id; a failure building the file.
    pub fn export(
        &self,
        store: &Store,
        ids: &[i64],
        format: ExportFormat,
    ) -> Result<Vec<u8>, StoreError> {
        let runs = ids
            .iter()
            .map(|&id| store.get(id))
            .collect::<Result<Vec<_>, _>>()?;
        export::render(&runs, format)
    }

    /// A stored run made ready to repeat: the same request (glossary as it
    /// is now), the recorded model file found in the model folders unless
    /// a flag names another, the recorded context length.
    ///
    /// # Errors
    /// `run_not_found`, `run_masked` (its input is not the original),
    /// `rerun_model_missing`.
    pub fn rerun(
        &self,
        store: &Store,
        id: i64,
        flags: &EngineFlags,
    ) -> Result<Rerun, SessionError> {
        let record = store.get(id)?;
        if record.masked {
            return Err(SessionError::RunMasked(id));
        }
        let mut request = request_from_record(&record)?;
        self.prepare(store, &mut request)?;
        let mut flags = flags.clone();
        if flags.model.is_none() {
            let dirs = self.model_dirs();
            let found = dirs
                .iter()
                .map(|d| d.join(&record.model_file))
                .find(|p| p.is_file());
            flags.model = Some(found.ok_or_else(|| {
                SessionError::RerunModelMissing {
                    id,
                    file: record.model_file.clone(),
                    searched: dirs
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?);
        }
        if let Some(n) = record.usage["n_ctx"].as_u64() {
            flags.n_ctx = u32::try_from(n).ok().or(flags.n_ctx);
        }
        let config = self.engine_config(&flags)?;
        Ok(Rerun {
            record,
            request,
            config,
        })
    }
}

/// A stored run ready to be repeated.
#[derive(Debug, Clone)]
pub struct Rerun {
    pub record: RunRecord,
    pub request: Request,
    pub config: EngineConfig,
}

/// What repeating a run gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RerunOutcome {
    /// The output is byte-identical to the stored one.
    pub identical: bool,
    /// The main prompt file is the one the run used.
    pub same_prompt: bool,
}

impl Rerun {
    /// Refuses a model whose checksum is not the recorded one.
    ///
    /// # Errors
    /// `model_changed`.
    pub fn check_model(&self, model: &ModelInfo) -> Result<(), SessionError> {
        if model.sha256 == self.record.model_sha256 {
            return Ok(());
        }
        Err(SessionError::ModelChanged {
            id: self.record.id,
            path: model.path.clone(),
            expected: self.record.model_sha256.clone(),
            actual: model.sha256.clone(),
        })
    }

    /// Compares the new result with the stored run.
    pub fn compare(&self, result: &TaskResult) -> RerunOutcome {
        RerunOutcome {
            identical: result.text == self.record.output,
            same_prompt: result.provenance.prompts.first().map(|p| p.hash.as_str())
                == Some(self.record.prompt_hash.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(dir: &Path) -> Places {
        Places {
            settings: dir.join("settings.toml"),
            db: dir.join("history.sqlite3"),
            dev_models: None,
            prompts: Vec::new(),
        }
    }

    #[test]
    fn a_flag_wins_over_the_settings_and_the_settings_over_the_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.engine.model = Some(dir.path().join("from-settings.gguf"));
        settings.engine.n_ctx = 2048;
        settings.engine.threads = Some(3);
        let session = Session::with_settings(places(dir.path()), settings);
        // WENSHU_MODEL would sit between the two; tests must not set it.
        if std::env::var_os("WENSHU_MODEL").is_none() {
            let choice = session.resolve_model(None).unwrap();
            assert_eq!(choice.source, ModelSource::Settings);
            assert_eq!(choice.path, dir.path().join("from-settings.gguf"));
        }
        let flag = dir.path().join("from-flag.gguf");
        let config = session
            .engine_config(&EngineFlags {
                model: Some(flag.clone()),
                n_ctx: None,
                threads: Some(1),
                gpu_layers: None,
            })
            .unwrap();
        assert_eq!(config.model, flag);
        assert_eq!(config.n_ctx, 2048, "the setting, as no flag gave one");
        assert_eq!(config.threads, Some(1), "the flag, over the setting");
        assert_eq!(config.gpu_layers, GpuLayers::Auto);
    }

    #[test]
    fn the_child_gets_the_resolved_engine_as_flags() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.engine.gpu_layers = Some(0);
        let session = Session::with_settings(places(dir.path()), settings);
        let command = session
            .child_command(
                Path::new("/bin/wenshu"),
                "worker",
                &EngineFlags {
                    model: Some("m.gguf".into()),
                    ..EngineFlags::default()
                },
            )
            .unwrap();
        let args: Vec<String> = command
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "worker",
                "--model",
                "m.gguf",
                "--ctx",
                "4096",
                "--gpu-layers",
                "0"
            ]
        );
    }

    #[test]
    fn a_bad_request_fails_without_a_model_with_the_one_code_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::with_settings(places(dir.path()), Settings::default());
        let code = |r: Request| session.validate(&r).unwrap_err().code();
        assert_eq!(
            code(Request::new(TaskKind::Summarise, "  \n")),
            "input_empty"
        );
        assert_eq!(
            code(Request::new(TaskKind::Draft, "開會通知")),
            "missing_doc_type"
        );
        let mut many = Request::new(TaskKind::Summarise, "政府今日公布新措施。");
        many.max_points = crate::tasks::MAX_POINTS + 1;
        assert_eq!(code(many), "points_out_of_range");
        let mut same = Request::new(TaskKind::Translate, "The Government announced.");
        same.target = Some(crate::text::Lang::En);
        assert_eq!(code(same), "unsupported_direction");
        assert!(session
            .validate(&Request::new(TaskKind::Summarise, "政府今日公布新措施。"))
            .is_ok());
    }
}
