//! `wenshu summarise|translate|draft|polish`, `wenshu history rerun` and the
//! hidden `wenshu worker`: a request in, text streamed out.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use serde_json::json;
use wenshu_core::engine::{CancelToken, Generator};
use wenshu_core::session::Session;
use wenshu_core::store::Store;
use wenshu_core::tasks::{Progress, Request, Runner, Sink, Status, TaskKind};

use crate::args::{EngineArgs, TaskArgs, WorkerArgs};
use crate::{cancel_on_ctrl_c, flags, load_engine, print_json, sampling, CliError, Failure};

/// Reads the task input from a file or standard input.
fn read_input(path: Option<&Path>) -> Result<String, Failure> {
    let source_name = path.map_or("standard input".to_string(), |p| p.display().to_string());
    let unreadable = |e: std::io::Error| CliError::InputUnreadable {
        source_name: source_name.clone(),
        reason: e.to_string(),
    };
    let bytes = match path {
        Some(p) if p != Path::new("-") => std::fs::read(p).map_err(unreadable)?,
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(CliError::InputMissing.into());
            }
            let mut buf = Vec::new();
            stdin.lock().read_to_end(&mut buf).map_err(unreadable)?;
            buf
        }
    };
    // UTF-8 first; otherwise the same detection documents get (UTF-16 with a
    // BOM, Big5, GB18030, …), so a file saved by an older Chinese editor works.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            wenshu_core::documents::decode_text(e.as_bytes()).map_err(|_| {
                CliError::InputNotText {
                    source_name: source_name.clone(),
                    offset,
                }
            })?
        }
    };
    // A byte-order mark is not part of the text.
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// Streams text to stdout as it arrives; progress goes to stderr.
struct Terminal {
    stream: bool,
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
        if stage.of > 1 && stage.stage != "paragraph" {
            eprintln!("[{}/{}] {}", stage.index, stage.of, stage.stage);
        }
    }
}

pub fn run_task(task: TaskKind, args: TaskArgs, db: Option<&Path>) -> Result<u8, Failure> {
    let input = read_input(args.input.as_deref())?;
    let session = crate::session(db, args.prompts.as_deref())?;
    let mut store = session.open_store()?;
    let mut request = Request::new(task, input);
    request.target = args.to;
    request.doc_type = args.doc_type;
    request.tone = args.tone.clone();
    request.max_points = args.max_points;
    request.max_tokens = args.max_tokens;
    request.sampling = sampling(args.temperature, args.seed);
    session.prepare(&store, &mut request)?;
    // The request is checked before paying for a model load.
    let plan = session.validate(&request)?;
    let engine = load_engine(session.engine_config(&flags(&args.engine))?)?;
    let library = session.prompts();
    let runner = Runner::new(&engine, &library);
    let cancel = cancel_on_ctrl_c(None);
    let mut sink = Terminal {
        stream: !args.json,
        wrote: false,
    };
    let result = match runner.run(&plan, &mut sink, &cancel) {
        Ok(r) => r,
        Err(e) => {
            if sink.wrote {
                println!();
            }
            if let Ok(Some(id)) = session.record_failure(&mut store, &plan, engine.info(), &e) {
                eprintln!("saved as run {id} (failed)");
            }
            return Err(e.into());
        }
    };
    let run_id = session.record(&mut store, &plan.request, &result)?;
    if args.json {
        let mut body = serde_json::to_value(&result).map_err(|e| CliError::Json(e.to_string()))?;
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
        crate::check::report_task_checks(checks);
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

/// `wenshu history rerun ID`: the same request, model file, prompt and seed.
pub fn rerun(
    session: &Session,
    store: &mut Store,
    id: i64,
    json: bool,
    engine_args: &EngineArgs,
) -> Result<u8, Failure> {
    let rerun = session.rerun(store, id, &flags(engine_args))?;
    let plan = session.validate(&rerun.request)?;
    let engine = load_engine(rerun.config.clone())?;
    rerun.check_model(engine.info())?;
    let library = session.prompts();
    let runner = Runner::new(&engine, &library);
    let mut sink = Terminal {
        stream: false,
        wrote: false,
    };
    let result = runner.run(&plan, &mut sink, &CancelToken::new())?;
    let outcome = rerun.compare(&result);
    let new_id = session.record(store, &plan.request, &result)?;
    if json {
        print_json(&json!({
            "run_id": id,
            "rerun_id": new_id,
            "identical": outcome.identical,
            "same_prompt": outcome.same_prompt,
            "text": result.text,
        }))?;
    } else {
        println!("{}", result.text);
        eprintln!(
            "rerun of run {id}: output is {}{}",
            if outcome.identical {
                "byte-identical"
            } else {
                "DIFFERENT"
            },
            if outcome.same_prompt {
                ""
            } else {
                " (the prompt file has changed since)"
            }
        );
    }
    Ok(if outcome.identical { 0 } else { 1 })
}

/// `wenshu worker`: load the model, then answer JSON-line requests until
/// stdin closes (the desktop app's supervised model process, and the
/// worker tests').
pub fn run_worker(args: WorkerArgs) -> Result<u8, Failure> {
    let session = crate::session(None, args.prompts.as_deref())?;
    let engine = load_engine(session.engine_config(&flags(&args.engine))?)?;
    wenshu_core::worker::serve(
        &engine,
        &session.prompts(),
        std::io::BufReader::new(std::io::stdin()),
        Box::new(std::io::stdout()),
    );
    Ok(0)
}
