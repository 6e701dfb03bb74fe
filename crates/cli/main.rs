//! `wenshu`: the command-line shell over `wenshu-core`.
//!
//! It parses arguments, reads input, streams generated text to stdout and
//! progress to stderr, and maps errors to exit codes: 0 success, 1 a failure
//! while running (including Ctrl-C), 2 bad arguments or input. All logic
//! lives in the core; this file only wires it to a terminal.

mod args;
mod batch;
mod check;
mod history;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::anyhow;
use clap::Parser;
use serde_json::json;
use wenshu_core::engine::{CancelToken, EngineConfig, Generator, LlamaEngine, SamplingParams};
use wenshu_core::models::{self, Catalog};
use wenshu_core::prompts::{self, PromptLibrary};
use wenshu_core::settings::Settings;
use wenshu_core::store::Store;
use wenshu_core::tasks::history::{record_of, record_of_failure, request_from_record};
use wenshu_core::tasks::{
    Progress, Request, Runner, Sink, Status, TaskError, TaskKind, TaskResult,
};

use args::{BenchArgs, Cli, Command, EngineArgs, HistoryCommand, ModelsCommand, TaskArgs};

/// An error with the exit code it should end the process with.
pub(crate) struct Failure {
    pub(crate) code: u8,
    /// Machine code for --json output.
    pub(crate) kind: &'static str,
    pub(crate) error: anyhow::Error,
}

impl Failure {
    pub(crate) fn usage(kind: &'static str, error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: 2,
            kind,
            error: error.into(),
        }
    }
    pub(crate) fn runtime(kind: &'static str, error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: 1,
            kind,
            error: error.into(),
        }
    }
}

impl From<wenshu_core::store::StoreError> for Failure {
    fn from(e: wenshu_core::store::StoreError) -> Self {
        let code = if e.is_usage_error() { 2 } else { 1 };
        Self {
            code,
            kind: e.code(),
            error: e.into(),
        }
    }
}

impl From<TaskError> for Failure {
    fn from(e: TaskError) -> Self {
        let code = if e.is_usage_error() { 2 } else { 1 };
        Self {
            code,
            kind: e.code(),
            error: e.into(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let json = match &cli.command {
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
        Command::Glossary(args::GlossaryCommand::List { json, .. }) => *json,
        Command::Check(a) => a.json,
        Command::Glossary(_) => false,
        Command::Batch(args::BatchCommand::Translate(a)) => a.json,
        Command::Batch(
            args::BatchCommand::Status { json, .. } | args::BatchCommand::List { json, .. },
        ) => *json,
        Command::Batch(_) | Command::Worker(_) => false,
    };
    let db = cli.db.clone();
    let outcome = match cli.command {
        Command::Summarise(a) => run_task(TaskKind::Summarise, a, db.as_deref()),
        Command::Translate(a) if batch::is_document_job(&a) => {
            batch::translate_document(a, db.as_deref())
        }
        Command::Translate(a) => run_task(TaskKind::Translate, a, db.as_deref()),
        Command::Draft(a) => run_task(TaskKind::Draft, a, db.as_deref()),
        Command::Polish(a) => run_task(TaskKind::Polish, a, db.as_deref()),
        Command::Models(cmd) => run_models(cmd),
        Command::Bench(a) => run_bench(a, db.as_deref()),
        Command::History(cmd) => history::run_history(cmd, db.as_deref()),
        Command::Glossary(cmd) => history::run_glossary(cmd, db.as_deref()),
        Command::Batch(cmd) => batch::run_batch(cmd, db.as_deref()),
        Command::Check(a) => check::run_check(a, db.as_deref()),
        Command::Worker(args) => run_worker(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if json {
                let body = json!({ "error": { "code": failure.kind, "message": format!("{:#}", failure.error) } });
                println!("{body}");
            }
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
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

/// Reads the task input from a file or standard input.
fn read_input(path: Option<&Path>) -> Result<String, Failure> {
    let bytes = match path {
        Some(p) if p != Path::new("-") => std::fs::read(p).map_err(|e| {
            Failure::usage(
                "input_unreadable",
                anyhow!("cannot read {}: {e}", p.display()),
            )
        })?,
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(Failure::usage(
                    "input_missing",
                    anyhow!("no input: give a file, or pipe text in (e.g. `wenshu summarise < notice.txt`)"),
                ));
            }
            let mut buf = Vec::new();
            stdin.lock().read_to_end(&mut buf).map_err(|e| {
                Failure::usage(
                    "input_unreadable",
                    anyhow!("cannot read standard input: {e}"),
                )
            })?;
            buf
        }
    };
    let source = path.map_or("standard input".to_string(), |p| p.display().to_string());
    // UTF-8 first; otherwise the same detection documents get (UTF-16 with a
    // BOM, Big5, GB18030, …), so a file saved by an older Chinese editor works.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            wenshu_core::documents::decode_text(e.as_bytes()).map_err(|_| {
                Failure::usage(
                    "input_not_utf8",
                    anyhow!(
                        "{source} is not text in a known encoding (invalid UTF-8 at byte {offset}); save it as UTF-8 and try again"
                    ),
                )
            })?
        }
    };
    // A byte-order mark is not part of the text.
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// Directories searched for catalogued model files, in order.
fn model_dirs() -> Vec<PathBuf> {
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    wenshu_core::models::model_dirs(Some(&dev))
}

/// The catalog: `$WENSHU_HOME/models/catalog.toml`, the dev tree's, or the
/// copy compiled into the binary.
fn load_catalog() -> Result<Catalog, Failure> {
    wenshu_core::models::load_catalog(&model_dirs())
        .map_err(|e| Failure::usage("catalog_invalid", e))
}

/// The model to use: --model / WENSHU_MODEL, else the first catalogued file
/// found in the model directories.
fn resolve_model(explicit: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    wenshu_core::models::find_model(&load_catalog()?, &model_dirs())
        .map_err(|e| Failure::usage(e.code(), e))
}

/// Prompts: the user's and `extra` directories, the dev tree, then the bundled copy.
pub(crate) fn prompt_library(extra_dir: Option<&Path>) -> PromptLibrary {
    let mut extra = Vec::new();
    extra.extend(extra_dir.map(Path::to_path_buf));
    extra.extend(prompts::dev_tree_dir());
    PromptLibrary::standard(&extra)
}

/// Prints `value` as pretty JSON on standard output (the `--json` modes).
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::runtime("json", e))?;
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

pub(crate) fn engine_config(args: &EngineArgs) -> Result<EngineConfig, Failure> {
    let model = resolve_model(args.model.as_deref())?;
    let mut config = EngineConfig::new(model);
    config.gpu_layers = args.gpu_layers;
    config.threads = args.threads;
    config.n_ctx = args.n_ctx;
    Ok(config)
}

pub(crate) fn load_engine(config: EngineConfig) -> Result<LlamaEngine, Failure> {
    let started = std::time::Instant::now();
    let engine = LlamaEngine::load(config).map_err(|e| {
        let code = if matches!(e, wenshu_core::engine::EngineError::ModelFile(_)) {
            2
        } else {
            1
        };
        Failure {
            code,
            kind: e.code(),
            error: e.into(),
        }
    })?;
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

/// Streams text to stdout as it arrives; progress goes to stderr.
struct Terminal {
    stream: bool,
    verbose: bool,
    wrote: bool,
}

impl Sink for Terminal {
    fn text(&mut self, piece: &str) {
        if self.stream {
            let mut out = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not worth a panic.
            let _ = out.write_all(piece.as_bytes());
            let _ = out.flush();
            self.wrote = true;
        }
    }

    fn progress(&mut self, stage: &Progress) {
        if self.verbose || stage.of > 1 && stage.stage != "paragraph" {
            eprintln!("[{}/{}] {}", stage.index, stage.of, stage.stage);
        }
    }
}

fn run_task(task: TaskKind, args: TaskArgs, db: Option<&Path>) -> Result<u8, Failure> {
    let input = read_input(args.input.as_deref())?;
    let settings = history::load_settings()?;
    let mut store = history::open_store(db, &settings)?;
    let mut request = Request::new(task, input);
    request.target = args.to;
    request.doc_type = args.doc_type;
    request.tone = args.tone.clone();
    request.max_points = args.max_points;
    request.max_tokens = args.max_tokens;
    request.sampling = sampling(args.temperature, args.seed);
    if task == TaskKind::Translate {
        request.glossary = store
            .glossary_list()
            .map_err(|e| Failure::runtime(e.code(), e))?;
    }
    request.base_glossary = settings.glossary.base;
    let library = prompt_library(args.prompts.as_deref());
    // Validate the request's shape before paying for a model load.
    if task == TaskKind::Draft && request.doc_type.is_none() {
        return Err(TaskError::MissingDocType.into());
    }
    let engine = load_engine(engine_config(&args.engine)?)?;
    let runner = Runner::new(&engine, &library);
    let plan = runner.plan(request)?;

    let cancel = cancel_on_ctrl_c(None);

    let mut sink = Terminal {
        stream: !args.json,
        verbose: false,
        wrote: false,
    };
    let result = runner.run(&plan, &mut sink, &cancel);
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            if sink.wrote {
                println!();
            }
            if settings.history.enabled {
                let record = record_of_failure(
                    &plan.request,
                    plan.source_lang,
                    plan.target_lang,
                    engine.info(),
                    plan.prompt_id(),
                    &format!("{e:#}"),
                    e.partial().unwrap_or(""),
                    settings.history.mask_personal_data,
                );
                if let Ok(id) = store.insert_run(&record) {
                    eprintln!("saved as run {id} (failed)");
                }
            }
            return Err(e.into());
        }
    };
    let run_id = save_run(&mut store, &settings, &plan.request, &result)?;
    if args.json {
        let mut body =
            serde_json::to_value(&result).map_err(|e| Failure::runtime("json", anyhow!(e)))?;
        body["run_id"] = json!(run_id);
        print_json(&body)?;
    } else if sink.wrote {
        println!();
    }
    let usage = &result.provenance.usage;
    eprintln!(
        "{task}: {} → {}, {} model call(s), {} prompt ({} cached) + {} generated tokens, first output {:.0} ms, total {:.1} s, {:.1} tokens/s generation ({})",
        result.source_lang,
        result.target_lang,
        usage.calls,
        usage.prompt_tokens,
        usage.cached_prompt_tokens,
        usage.generated_tokens,
        usage.first_output_ms,
        usage.total_ms / 1000.0,
        if usage.generation_ms > 0.0 { usage.generated_tokens as f64 * 1000.0 / usage.generation_ms } else { 0.0 },
        result.provenance.model_file,
    );
    if let Some(checks) = &result.checks {
        check::report_task_checks(checks);
    }
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(id) = run_id {
        eprintln!("saved as run {id} (`wenshu history show {id}`)");
    }
    if result.status == Status::Cancelled {
        eprintln!("cancelled: the output above is partial");
        return Ok(1);
    }
    Ok(0)
}

fn run_models(cmd: ModelsCommand) -> Result<u8, Failure> {
    match cmd {
        ModelsCommand::List { json } => {
            let catalog = load_catalog()?;
            let dirs = model_dirs();
            let rows: Vec<_> = catalog
                .models
                .iter()
                .map(|m| {
                    let present = dirs.iter().map(|d| d.join(&m.file)).find(|p| p.is_file());
                    (m, present)
                })
                .collect();
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(m, p)| {
                        let mut v = serde_json::to_value(m).unwrap_or_default();
                        v["present"] = json!(p.as_ref().map(|p| p.display().to_string()));
                        v
                    })
                    .collect();
                print_json(&json!({ "models": list }))?;
            } else {
                for (m, present) in rows {
                    println!("{}", m.name);
                    println!("  file:      {}", m.file);
                    println!("  sha256:    {}", display_opt(&m.sha256));
                    println!(
                        "  size:      {}",
                        m.size
                            .map_or("unverified".to_string(), |s| format!("{s} bytes"))
                    );
                    println!("  licence:   {}", m.licence);
                    println!("  style:     {:?}", m.style);
                    println!("  context:   {}", m.context);
                    println!("  hardware:  {}", m.hardware);
                    if let Some(who) = &m.recommended_for {
                        println!("  recommended for {who}");
                    }
                    println!(
                        "  on disk:   {}",
                        present.map_or("no".to_string(), |p| p.display().to_string())
                    );
                    println!("  {}", m.description);
                    println!();
                }
            }
            Ok(0)
        }
        ModelsCommand::Info { path, json } => {
            let path = resolve_model(path.as_deref())?;
            let summary = models::validate(&path).map_err(|e| Failure::usage(e.code(), e))?;
            if json {
                print_json(&summary)?;
            } else {
                println!("file:          {}", summary.path.display());
                println!(
                    "size:          {} bytes (header implies {})",
                    summary.file_size, summary.expected_size
                );
                println!("GGUF version:  {}", summary.version);
                println!(
                    "architecture:  {}",
                    summary.architecture.as_deref().unwrap_or("?")
                );
                println!("name:          {}", summary.name.as_deref().unwrap_or("?"));
                println!(
                    "context:       {}",
                    summary.context_length.map_or("?".into(), |c| c.to_string())
                );
                println!(
                    "layers:        {}",
                    summary.block_count.map_or("?".into(), |c| c.to_string())
                );
                println!(
                    "parameters:    {}",
                    summary
                        .parameter_count
                        .map_or("?".into(), |c| c.to_string())
                );
                println!("tensors:       {}", summary.n_tensors);
                println!(
                    "chat template: {}",
                    if summary.chat_template.is_some() {
                        "yes (chat-style prompts)"
                    } else {
                        "no (completion-style prompts)"
                    }
                );
                println!("metadata ({} keys):", summary.n_kv);
                for (k, v) in &summary.metadata {
                    println!("  {k} = {v}");
                }
            }
            Ok(0)
        }
        ModelsCommand::Verify { path, sha256, json } => {
            let path = resolve_model(path.as_deref())?;
            let catalog = load_catalog()?;
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let expected = match sha256 {
                Some(s) => s.to_lowercase(),
                None => catalog
                    .find_by_file_name(&file_name)
                    .and_then(|e| e.sha256.clone())
                    .ok_or_else(|| {
                        Failure::usage(
                            "model_not_catalogued",
                            anyhow!("{file_name} has no catalogued sha256; pass --sha256 HEX to check it"),
                        )
                    })?,
            };
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let mut last = 0u64;
            let show = !json && std::io::stderr().is_terminal();
            let outcome = models::verify_sha256(&path, &expected, &mut |done| {
                if show && (done - last > 64 << 20 || done == size) {
                    last = done;
                    eprint!("\rchecking {}: {:>3}%", file_name, done * 100 / size.max(1));
                }
            });
            if show {
                eprintln!();
            }
            match outcome {
                Ok(actual) => {
                    if json {
                        println!("{}", json!({ "path": path, "sha256": actual, "ok": true }));
                    } else {
                        println!("ok: {} sha256 {actual}", path.display());
                    }
                    Ok(0)
                }
                Err(e) => Err(Failure::runtime(e.code(), e)),
            }
        }
    }
}

fn display_opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "unverified".to_string())
}

fn run_bench_history(args: &BenchArgs, db: Option<&Path>) -> Result<u8, Failure> {
    let path = db
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("wenshu-bench-history.sqlite3"));
    if args.fill_only {
        // Distinct seeds per process so concurrent fills write distinct runs.
        let base = u64::from(std::process::id()) << 32;
        let rate = wenshu_core::bench::history::fill(&path, args.runs, base, &mut |_| {})
            .map_err(|e| Failure::runtime(e.code(), e))?;
        eprintln!(
            "added {} runs to {} at {rate:.0} runs/s",
            args.runs,
            path.display()
        );
        return Ok(0);
    }
    let report =
        wenshu_core::bench::history::run(&path, args.runs, 20, &mut |m| eprintln!("bench: {m}"))
            .map_err(|e| Failure::runtime(e.code(), e))?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "{} runs inserted at {:.0} runs/s (one transaction each); database {:.1} MB at {}",
        report.runs,
        report.insert_runs_per_s,
        report.database_bytes as f64 / 1e6,
        path.display()
    );
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>9} {:>10}",
        "query class", "queries", "p50 ms", "p95 ms", "max ms", "mean hits"
    );
    for c in &report.classes {
        println!(
            "{:<34} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>10.1}",
            c.class, c.queries, c.p50_ms, c.p95_ms, c.max_ms, c.mean_hits
        );
    }
    println!(
        "{:<34} {:>8} {:>9.2} {:>9.2}",
        "all", "", report.all_p50_ms, report.all_p95_ms
    );
    Ok(0)
}

fn run_bench(args: BenchArgs, db: Option<&Path>) -> Result<u8, Failure> {
    if args.what == "history" {
        return run_bench_history(&args, db);
    }
    if args.what == "batch" {
        return run_bench_batch(&args);
    }
    if args.what == "shortcut" {
        return run_bench_shortcut(&args);
    }
    if args.what == "checks" {
        return run_bench_checks(&args);
    }
    if args.what == "tasks" {
        return run_bench_tasks(&args);
    }
    if args.what == "docs" {
        return run_bench_docs(&args);
    }
    let mut config = engine_config(&args.engine)?;
    config.n_batch = args.batch.max(1);
    // Every rep must evaluate the whole prompt, as the bare loop does.
    config.prefix_cache = false;
    config.n_ctx = config
        .n_ctx
        .max((args.prompt_tokens as u32 + args.gen_tokens + 64).next_power_of_two());
    let bench = wenshu_core::bench::BenchConfig {
        engine: config,
        prompt_tokens: args.prompt_tokens.max(8),
        gen_tokens: args.gen_tokens.max(2),
        reps: args.reps as usize,
    };
    let report = wenshu_core::bench::run(&bench, &mut |msg| eprintln!("bench: {msg}"))
        .map_err(|e| Failure::runtime(e.code(), e))?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "model {} | {} threads | {} GPU layers | prompt {} tokens (batch {}) | generate {} tokens | {} runs each, medians",
        report.model_file, report.threads, report.gpu_layers, report.prompt_tokens, report.n_batch, report.gen_tokens, report.reps
    );
    println!(
        "{:<12} {:>14} {:>16} {:>16}",
        "path", "prompt tok/s", "generate tok/s", "first token ms"
    );
    for (name, f) in [("engine", &report.engine), ("bare loop", &report.bare)] {
        println!(
            "{:<12} {:>14.1} {:>16.1} {:>16.1}",
            name, f.prompt_tps, f.generation_tps, f.first_token_ms
        );
    }
    println!(
        "{:<12} {:>14.3} {:>16.3}",
        "engine/bare", report.prompt_ratio, report.generation_ratio
    );
    Ok(0)
}

/// `wenshu worker`: load the model, then answer JSON-line requests until
/// stdin closes. Errors before the model is ready go to stderr, where the
/// supervisor reads them.
fn run_worker(args: args::WorkerArgs) -> Result<u8, Failure> {
    let library = prompt_library(args.prompts.as_deref());
    let engine = load_engine(engine_config(&args.engine)?)?;
    wenshu_core::worker::serve(
        &engine,
        &library,
        std::io::BufReader::new(std::io::stdin()),
        Box::new(std::io::stdout()),
    );
    Ok(0)
}

fn run_bench_shortcut(args: &BenchArgs) -> Result<u8, Failure> {
    let config = engine_config(&args.engine)?;
    let library = prompt_library(None);
    // The "selection": the first three paragraphs of the sample press release.
    let sample = include_str!("../../samples/press-release.zh-Hant.txt");
    let text = wenshu_core::text::paragraphs(sample)
        .into_iter()
        .take(3)
        .collect::<Vec<_>>()
        .join("\n\n");
    let report = wenshu_core::bench::shortcut::run(
        config,
        &library,
        &text,
        args.reps as usize,
        &mut |msg| eprintln!("bench: {msg}"),
    )?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "model {} | {} threads | selection {} tokens | {} runs each, medians",
        report.model_file, report.threads, report.text_tokens, report.reps
    );
    println!(
        "selection alone, prompt to first token: {:>8.1} ms",
        report.text_alone_ms
    );
    println!(
        "shortcut → first token, prefix cached:  {:>8.1} ms ({:.2}x; planning {:.1} ms, {} tokens evaluated)",
        report.warm_ms, report.warm_ratio, report.warm_plan_ms, report.warm_evaluated_tokens
    );
    println!(
        "shortcut → first token, nothing cached: {:>8.1} ms ({:.2}x)",
        report.cold_ms, report.cold_ratio
    );
    Ok(0)
}

fn run_bench_tasks(args: &BenchArgs) -> Result<u8, Failure> {
    let engine = load_engine(engine_config(&args.engine)?)?;
    let library = prompt_library(None);
    let options = wenshu_core::bench::tasks::Options {
        tasks: !args.no_tasks,
        every: args.every,
        without_glossary: args.without_glossary,
    };
    let report = wenshu_core::bench::tasks::run(&engine, &library, &options, &mut |m| {
        eprintln!("bench: {m}")
    })
    .map_err(|e| Failure::runtime(e.code(), e))?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "model {} | {} style | {} threads | greedy",
        report.model_file,
        match report.style {
            wenshu_core::prompts::Style::Chat => "chat",
            wenshu_core::prompts::Style::Completion => "completion",
        },
        report.threads
    );
    if !report.tasks.is_empty() {
        println!();
        println!(
            "{:<22} {:<16} {:>5} {:>8} {:>7} {:>6} {:>9} {:>8} {:>10} {:>9} {:>7}",
            "task",
            "direction",
            "calls",
            "prompt",
            "cached",
            "gen",
            "first ms",
            "total s",
            "prompt t/s",
            "gen t/s",
            "flagged"
        );
        for t in &report.tasks {
            println!(
                "{:<22} {:<16} {:>5} {:>8} {:>7} {:>6} {:>9.0} {:>8.1} {:>10.1} {:>9.1} {:>7}",
                t.task,
                t.direction,
                t.calls,
                t.prompt_tokens,
                t.cached_prompt_tokens,
                t.generated_tokens,
                t.first_output_ms,
                t.total_ms / 1000.0,
                t.prompt_tokens_per_s,
                t.generation_tokens_per_s,
                t.flagged
            );
        }
    }
    for f in &report.fidelity {
        println!();
        println!(
            "{} over {} reference pairs, base glossary {}: {:.0} s, {} tokens generated",
            f.direction,
            f.pairs,
            if f.base_glossary { "on" } else { "off" },
            f.seconds,
            f.generated_tokens
        );
        println!(
            "  figures kept   {:>5.1}%  ({} of {}; {} changed, {} missing; {} added)",
            f.figures_share(),
            f.figures_found,
            f.figures,
            f.figures_changed,
            f.figures_missing,
            f.figures_added
        );
        println!(
            "  names kept     {:>5.1}%  ({} of {}; {} written wrongly)",
            f.names_share(),
            f.names_found,
            f.names,
            f.names_changed
        );
        println!(
            "  script issues  {:>6}   pairs with nothing to review: {} of {}",
            f.script, f.pairs_clean, f.pairs
        );
        for e in &f.examples {
            println!("  e.g. {e}");
        }
    }
    Ok(0)
}

fn run_bench_docs(args: &BenchArgs) -> Result<u8, Failure> {
    use wenshu_core::bench::docs;
    let Some(corpus) = args.corpus.as_deref() else {
        return Err(Failure::usage(
            "corpus_missing",
            anyhow!("give the folder of .docx files: --corpus DIR (scripts/docx-corpus fetch makes one)"),
        ));
    };
    if !corpus.is_dir() {
        return Err(Failure::usage(
            "corpus_missing",
            anyhow!(
                "{} is not a folder; give the folder of .docx files with --corpus",
                corpus.display()
            ),
        ));
    }
    let library = prompt_library(None);
    let engine = if args.with_model {
        Some(load_engine(engine_config(&args.engine)?)?)
    } else {
        None
    };
    let options = docs::Options {
        corpus,
        out: args.out.as_deref(),
        model: engine.as_ref().map(|e| {
            (
                e as &dyn wenshu_core::engine::Generator,
                &library,
                args.every,
            )
        }),
    };
    let report = docs::run(&options, &mut |_| {}).map_err(|e| Failure::runtime(e.code(), e))?;
    let broken: usize = report.passes.iter().map(|p| p.broken.len()).sum();
    if args.json {
        print_json(&report)?;
        return Ok(u8::from(broken > 0));
    }
    println!(
        "corpus: {} ({} .docx, {} do not read: {})",
        report.corpus,
        report.docx_files,
        report.unreadable.len(),
        report
            .unreadable
            .iter()
            .map(|(n, c)| format!("{n} [{c}]"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let share = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    for p in &report.passes {
        println!(
            "{:<8} {} files, {} broken; hyperlinks {}/{}, fields {}/{}, content controls {}/{} kept; mixed-format paragraphs {}/{} ({:.1} %) keep their formatting; {} need a look",
            p.name,
            p.files,
            p.broken.len(),
            p.hyperlinks.1,
            p.hyperlinks.0,
            p.fields.1,
            p.fields.0,
            p.content_controls.1,
            p.content_controls.0,
            p.mixed_kept,
            p.mixed,
            share(p.mixed_kept, p.mixed),
            p.needs_look
        );
        for b in &p.broken {
            println!("  broken  {b}");
        }
    }
    if let Some(m) = &report.model {
        println!(
            "model {}: {} mixed-format paragraphs: {} exact, {} repaired, {} lost formatting ({:.1} % keep it)",
            m.model,
            m.paragraphs,
            m.exact,
            m.repaired,
            m.lost,
            share(m.exact + m.repaired, m.paragraphs)
        );
    }
    println!(
        "read + rewrite: {} pages ({} blocks) in {:.1} ms (median of 5)",
        report.pages, report.blocks, report.read_rewrite_ms
    );
    Ok(u8::from(broken > 0))
}

fn run_bench_checks(args: &BenchArgs) -> Result<u8, Failure> {
    let report = wenshu_core::bench::checks::run(&mut |msg| eprintln!("bench: {msg}"));
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "reference set: {} correct bilingual pairs, checked in both directions",
        report.pairs
    );
    for d in &report.directions {
        println!();
        println!(
            "{}: {} items checked on correct pairs; false alarms: {} figures, {} names, {} script",
            d.direction,
            d.items_checked,
            d.false_alarms_figures,
            d.false_alarms_terms,
            d.false_alarms_script
        );
        for f in &d.false_alarms {
            println!("  false alarm  {f}");
        }
        println!(
            "  {:<26} {:>6} {:>7} {:>8}",
            "perturbation", "made", "caught", "share"
        );
        for p in &d.perturbations {
            let share = if p.made == 0 {
                0.0
            } else {
                100.0 * p.caught as f64 / p.made as f64
            };
            println!(
                "  {:<26} {:>6} {:>7} {:>7.1}%",
                p.kind, p.made, p.caught, share
            );
        }
        println!(
            "  {:<26} {:>6} {:>7} {:>7.1}%",
            "all",
            d.made,
            d.caught,
            100.0 * d.caught_share
        );
        for p in d.perturbations.iter().filter(|p| !p.missed.is_empty()) {
            println!("  missed ({}): {}", p.kind, p.missed.join(", "));
        }
    }
    println!();
    println!(
        "protection: {} names protected; {} would alter a correct translation",
        report.protection.names_protected,
        report.protection.altered.len()
    );
    for a in &report.protection.altered {
        println!("  altered  {a}");
    }
    let s = &report.speed;
    println!(
        "speed: {} pages ({} paragraphs, {} + {} characters, {} items): zh→en {:.0} ms, en→zh {:.0} ms",
        s.pages, s.paragraphs, s.source_chars, s.target_chars, s.items, s.zh_to_en_ms, s.en_to_zh_ms
    );
    Ok(0)
}

fn run_bench_batch(args: &BenchArgs) -> Result<u8, Failure> {
    let config = engine_config(&args.engine)?;
    let report = wenshu_core::bench::batch::run(
        config,
        &[1, 4, 8],
        args.gen_tokens.max(8),
        args.reps as usize,
        &mut |msg| eprintln!("bench: {msg}"),
    )
    .map_err(|e| Failure::runtime(e.code(), e))?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "model {} | {} threads | {} tokens per sequence | {} runs each, medians",
        report.model_file, report.threads, report.gen_tokens, report.reps
    );
    println!(
        "{:<12} {:>16} {:>10}",
        "sequences", "tokens/s (all)", "vs 1"
    );
    for level in &report.levels {
        println!(
            "{:<12} {:>16.1} {:>9.2}x",
            level.sequences, level.tokens_per_second, level.speedup
        );
    }
    let d = &report.docx;
    println!(
        "docx: {} pages, {} bytes, {} blocks: read {:.1} ms + rewrite {:.1} ms = {:.1} ms",
        d.pages, d.bytes, d.blocks, d.read_ms, d.render_ms, d.total_ms
    );
    Ok(0)
}

/// Stores a run when history is on; returns its id.
fn save_run(
    store: &mut Store,
    settings: &Settings,
    request: &Request,
    result: &TaskResult,
) -> Result<Option<i64>, Failure> {
    if !settings.history.enabled {
        return Ok(None);
    }
    let record = record_of(request, result, settings.history.mask_personal_data);
    store
        .insert_run(&record)
        .map(Some)
        .map_err(|e| Failure::runtime(e.code(), e))
}

/// `wenshu history rerun ID`: the same request, model file, prompt and seed.
pub(crate) fn rerun(
    store: &mut Store,
    id: i64,
    json: bool,
    engine_args: &EngineArgs,
    settings: &Settings,
) -> Result<u8, Failure> {
    let record = store.get(id).map_err(|e| Failure::usage(e.code(), e))?;
    if record.masked {
        return Err(Failure::usage(
            "run_masked",
            anyhow!("run {id} was stored with personal data masked, so its input is not the original; it cannot be repeated exactly"),
        ));
    }
    let mut request = request_from_record(&record).map_err(|e| Failure::runtime(e.code(), e))?;
    if request.task == TaskKind::Translate {
        request.glossary = store
            .glossary_list()
            .map_err(|e| Failure::runtime(e.code(), e))?;
    }
    // The recorded model file, found where catalogued models live, unless --model says otherwise.
    let model = match &engine_args.model {
        Some(path) => path.clone(),
        None => model_dirs()
            .into_iter()
            .map(|d| d.join(&record.model_file))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                Failure::usage(
                    "model_missing",
                    anyhow!("run {id} used {}, which is not in the model directories; pass --model PATH", record.model_file),
                )
            })?,
    };
    let mut config = EngineConfig::new(model);
    config.gpu_layers = engine_args.gpu_layers;
    config.threads = engine_args.threads;
    config.n_ctx = record.usage["n_ctx"]
        .as_u64()
        .map_or(engine_args.n_ctx, |n| n as u32);
    let engine = load_engine(config)?;
    if engine.info().sha256 != record.model_sha256 {
        return Err(Failure::usage(
            "model_changed",
            anyhow!(
                "run {id} used a model with sha256 {}, but {} has {}; find the original file to repeat the run",
                record.model_sha256,
                engine.info().path.display(),
                engine.info().sha256
            ),
        ));
    }
    let library = prompt_library(None);
    let runner = Runner::new(&engine, &library);
    let plan = runner.plan(request)?;
    let mut sink = Terminal {
        stream: false,
        verbose: false,
        wrote: false,
    };
    let result = runner.run(&plan, &mut sink, &CancelToken::new())?;
    let prompt_same = result.provenance.prompts.first().map(|p| p.hash.as_str())
        == Some(record.prompt_hash.as_str());
    let identical = result.text == record.output;
    let new_id = save_run(store, settings, &plan.request, &result)?;
    if json {
        print_json(&json!({
            "run_id": id,
            "rerun_id": new_id,
            "identical": identical,
            "same_prompt": prompt_same,
            "text": result.text,
        }))?;
    } else {
        println!("{}", result.text);
        eprintln!(
            "rerun of run {id}: output is {}{}",
            if identical {
                "byte-identical"
            } else {
                "DIFFERENT"
            },
            if prompt_same {
                ""
            } else {
                " (the prompt file has changed since)"
            }
        );
    }
    Ok(if identical { 0 } else { 1 })
}
