//! `wenshu`: the command-line shell over `wenshu-core`.
//!
//! It parses arguments, reads input, streams generated text to stdout and
//! progress to stderr, and maps errors to exit codes: 0 success, 1 a failure
//! while running (including Ctrl-C), 2 bad arguments or input. Every rule —
//! validation, the model's resolution order, the export format, error codes
//! and kinds — is core's (`wenshu_core::session`, `wenshu_core::error`);
//! this crate only wires them to a terminal and words each fix as a flag.

mod args;
mod batch;
mod bench;
mod check;
mod history;
mod models;
mod task;

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use serde_json::json;
use wenshu_core::engine::{CancelToken, EngineConfig, Generator, LlamaEngine, SamplingParams};
use wenshu_core::error::{Coded, Fix, Setting};
use wenshu_core::session::{EngineFlags, Places, Session};

use args::{
    BatchCommand, Cli, Command, EngineArgs, GlossaryCommand, HistoryCommand, ModelsCommand,
};

/// An error with the exit code it should end the process with.
pub(crate) struct Failure {
    pub(crate) code: u8,
    /// Machine code for --json output.
    pub(crate) kind: &'static str,
    pub(crate) fix: Option<Fix>,
    pub(crate) error: anyhow::Error,
}

impl<E: Coded + Send + Sync + 'static> From<E> for Failure {
    fn from(e: E) -> Self {
        Self {
            code: if e.is_usage() { 2 } else { 1 },
            kind: e.code(),
            fix: e.fix(),
            error: anyhow::Error::new(e),
        }
    }
}

/// Conditions only the command line has (its own input and arguments).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error("no input: give a file, or pipe text in (e.g. `wenshu summarise < notice.txt`)")]
    InputMissing,
    #[error("cannot read {source_name}: {reason}")]
    InputUnreadable { source_name: String, reason: String },
    #[error("{source_name} is not text in a known encoding (invalid UTF-8 at byte {offset}); save it as UTF-8 and try again")]
    InputNotText { source_name: String, offset: usize },
    #[error("a .docx or .pdf is translated into a file: add -o OUT.docx")]
    OutputMissing,
    #[error("a .docx export needs a file: add -o FILE.docx")]
    DocxNeedsOutput,
    #[error("say the output language of the document: --to en or --to zh-Hant")]
    TargetMissing,
    #[error("the output would overwrite the source; write to another file")]
    OutputIsInput,
    #[error("{0}")]
    CorpusMissing(String),
    #[error("no batch jobs yet; start one with `wenshu batch translate`")]
    NoJobs,
    #[error("no glossary entry matches `{0}`; `wenshu glossary list` shows them")]
    GlossaryNotFound(String),
    #[error("`{0}` is not an age; write a number and a unit, e.g. 90d, 12w, 24h")]
    InvalidAge(String),
    #[error("{0} has no catalogued sha256; pass --sha256 HEX to check it")]
    NotCatalogued(String),
    #[error("cannot print JSON: {0}")]
    Json(String),
}

wenshu_core::error::coded! {
    CliError {
        Self::InputMissing => "input_missing", usage;
        Self::InputUnreadable { .. } => "input_unreadable", usage;
        Self::InputNotText { .. } => "input_not_utf8", usage;
        Self::OutputMissing => "output_missing", usage;
        Self::DocxNeedsOutput => "output_missing", usage;
        Self::TargetMissing => "target_missing", usage;
        Self::OutputIsInput => "output_is_input", usage;
        Self::CorpusMissing(_) => "corpus_missing", usage;
        Self::NoJobs => "job_not_found", usage;
        Self::GlossaryNotFound(_) => "glossary_not_found", usage;
        Self::InvalidAge(_) => "invalid_age", usage;
        Self::NotCatalogued(_) => "model_not_catalogued", usage;
        Self::Json(_) => "internal", runtime;
    }
}

/// A fix as the command line spells it.
fn hint(fix: &Fix) -> String {
    match fix {
        Fix::Raise { setting } => format!("raise {}", flag(*setting)),
        Fix::Lower { setting } => format!("lower {}", flag(*setting)),
        Fix::Choose {
            setting: Setting::Target,
            suggest: Some(lang),
        } => format!("use --to {lang}"),
        Fix::Choose { setting, .. } => format!("set {}", flag(*setting)),
        Fix::ListRuns => "`wenshu history list` shows the ids".into(),
        Fix::ListJobs => "`wenshu batch list` shows the ids".into(),
        Fix::WaitOrCancelJob { job } => format!("`wenshu batch cancel {job}` stops it"),
    }
}

fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Model => "--model PATH or WENSHU_MODEL",
        Setting::Context => "--ctx",
        Setting::Target => "--to en|zh-Hant",
        Setting::DocType => "--type",
        Setting::Output => "-o FILE",
        Setting::OutFolder => "--out",
        Setting::Database => "--db PATH or WENSHU_DB",
        Setting::Points => "--max-points",
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let json = wants_json(&cli.command);
    let db = cli.db.clone();
    let outcome = run(cli.command, db.as_deref());
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            let message = format!("{:#}", failure.error);
            let hint = failure.fix.as_ref().map(hint);
            if json {
                let body = json!({ "error": {
                    "code": failure.kind,
                    "message": message,
                    "fix": failure.fix,
                } });
                println!("{body}");
            }
            match hint {
                Some(hint) => eprintln!("error: {message} ({hint})"),
                None => eprintln!("error: {message}"),
            }
            ExitCode::from(failure.code)
        }
    }
}

fn run(command: Command, db: Option<&Path>) -> Result<u8, Failure> {
    use wenshu_core::tasks::TaskKind;
    match command {
        Command::Summarise(a) => task::run_task(TaskKind::Summarise, a, db),
        Command::Translate(a) if batch::is_document_job(&a) => batch::translate_document(a, db),
        Command::Translate(a) => task::run_task(TaskKind::Translate, a, db),
        Command::Draft(a) => task::run_task(TaskKind::Draft, a, db),
        Command::Polish(a) => task::run_task(TaskKind::Polish, a, db),
        Command::Models(cmd) => models::run_models(cmd),
        Command::Bench(a) => bench::run_bench(a, db),
        Command::History(cmd) => history::run_history(cmd, db),
        Command::Glossary(cmd) => history::run_glossary(cmd, db),
        Command::Batch(cmd) => batch::run_batch(cmd, db),
        Command::Check(a) => check::run_check(a, db),
        Command::Worker(args) => task::run_worker(args),
    }
}

/// Whether the command prints JSON, so its error must be JSON too.
fn wants_json(command: &Command) -> bool {
    match command {
        Command::Summarise(a) | Command::Translate(a) | Command::Draft(a) | Command::Polish(a) => {
            a.json
        }
        Command::Models(ModelsCommand::List { json })
        | Command::Models(ModelsCommand::Info { json, .. })
        | Command::Models(ModelsCommand::Verify { json, .. }) => *json,
        Command::Bench(a) => a.json,
        Command::History(
            HistoryCommand::List { json, .. }
            | HistoryCommand::Search { json, .. }
            | HistoryCommand::Show { json, .. }
            | HistoryCommand::Rerun { json, .. },
        ) => *json,
        Command::History(_) => false,
        Command::Glossary(GlossaryCommand::List { json, .. }) => *json,
        Command::Check(a) => a.json,
        Command::Glossary(_) => false,
        Command::Batch(BatchCommand::Translate(a)) => a.json,
        Command::Batch(BatchCommand::Status { json, .. } | BatchCommand::List { json, .. }) => {
            *json
        }
        Command::Batch(_) | Command::Worker(_) => false,
    }
}

fn init_logging(verbose: u8) {
    // llama.cpp's own log is routed into tracing under the llama_cpp_2 target;
    // keep it to errors unless asked, so stderr stays readable.
    let default = match verbose {
        0 => "warn,llama-cpp-2=error,llama_cpp_2=error",
        1 => "info,llama-cpp-2=warn,llama_cpp_2=warn",
        _ => "debug,llama-cpp-2=info,llama_cpp_2=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}

/// The session for this command: the standard places, `--db` and
/// `--prompts` when given, and the settings file.
pub(crate) fn session(db: Option<&Path>, prompts: Option<&Path>) -> Result<Session, Failure> {
    let places = Places::standard().with_db(db).with_prompts(prompts);
    Ok(Session::load(places)?)
}

/// The engine flags as core takes them.
pub(crate) fn flags(args: &EngineArgs) -> EngineFlags {
    EngineFlags {
        model: args.model.clone(),
        gpu_layers: args.gpu_layers,
        threads: args.threads,
        n_ctx: args.n_ctx,
    }
}

/// Prints `value` as pretty JSON on standard output (the `--json` modes).
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Json(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// Sampling from the command line's temperature and seed.
pub(crate) fn sampling(temperature: f32, seed: u32) -> SamplingParams {
    SamplingParams {
        temperature: temperature.max(0.0),
        seed,
        ..SamplingParams::default()
    }
}

/// The first Ctrl-C cancels the token (printing `message`, if any); a
/// second one leaves at once.
pub(crate) fn cancel_on_ctrl_c(message: Option<&'static str>) -> CancelToken {
    let cancel = CancelToken::new();
    let on_signal = cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if on_signal.is_cancelled() {
            std::process::exit(130);
        }
        if let Some(message) = message {
            eprintln!("\n{message}");
        }
        on_signal.cancel();
    });
    cancel
}

pub(crate) fn load_engine(config: EngineConfig) -> Result<LlamaEngine, Failure> {
    let started = std::time::Instant::now();
    let engine = LlamaEngine::load(config)?;
    let info = engine.info();
    tracing::info!(
        "loaded {} in {:.1} s ({} GPU layers, {} threads, context {})",
        info.file_name,
        started.elapsed().as_secs_f64(),
        info.gpu_layers,
        info.threads,
        info.n_ctx
    );
    Ok(engine)
}
