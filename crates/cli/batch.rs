//! `wenshu batch …` and `wenshu translate FILE -o OUT`: documents in and out.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use wenshu_core::batch::{
    self, BatchOptions, FileError, FileReport, FileStatus, JobStatus, Observer,
};
use wenshu_core::documents::Limits;
use wenshu_core::session::Session;
use wenshu_core::store::export::format_time;
use wenshu_core::store::JobRecord;

use crate::args::{BatchArgs, BatchCommand, TaskArgs};
use crate::{cancel_on_ctrl_c, flags, load_engine, sampling, CliError, Failure};

pub fn run_batch(cmd: BatchCommand, db: Option<&Path>) -> Result<u8, Failure> {
    match cmd {
        BatchCommand::Translate(args) => translate_folder(args, db),
        BatchCommand::Status { job, json } => {
            let store = crate::session(db, None)?.open_store()?;
            let job = match job {
                Some(id) => store.batch_job(id)?,
                None => store
                    .batch_jobs(1)?
                    .into_iter()
                    .next()
                    .ok_or(CliError::NoJobs)?,
            };
            let files = store.batch_files(job.id)?;
            if json {
                let body = serde_json::json!({ "job": job, "state": batch::shown_status(&job), "files": files });
                crate::print_json(&body)?;
                return Ok(0);
            }
            print_job(&job);
            for f in files {
                let detail = f.report["error"].as_str().unwrap_or("").to_string();
                println!(
                    "  {:<8} {}{}",
                    <&str>::from(f.status),
                    f.rel_path,
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!(" — {detail}")
                    }
                );
            }
            Ok(0)
        }
        BatchCommand::List { limit, json } => {
            let store = crate::session(db, None)?.open_store()?;
            let jobs = store.batch_jobs(limit)?;
            if json {
                crate::print_json(&jobs)?;
                return Ok(0);
            }
            if jobs.is_empty() {
                println!("no batch jobs yet");
            }
            for job in &jobs {
                print_job(job);
            }
            Ok(0)
        }
        BatchCommand::Cancel { job } => {
            let mut store = crate::session(db, None)?.open_store()?;
            batch::cancel(&mut store, job)?;
            eprintln!("job {job} cancelled; a running process stops within a few seconds, keeping finished segments");
            Ok(0)
        }
    }
}

fn print_job(job: &JobRecord) {
    println!(
        "job {}: {} — {} → {} ({}), files {}/{} done, {} failed, segments {}/{}, started {}, updated {}",
        job.id,
        batch::shown_status(job),
        job.source_dir,
        job.out_dir,
        job.target_lang,
        job.files_done,
        job.files_total,
        job.files_failed,
        job.segments_done,
        job.segments_total,
        format_time(job.created_at),
        format_time(job.updated_at),
    );
}

struct Bar {
    bar: ProgressBar,
    tty: bool,
    files_total: usize,
    files_done: usize,
    tokens: u64,
    started: Instant,
}

impl Bar {
    fn message(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let tps = if secs > 0.0 {
            self.tokens as f64 / secs
        } else {
            0.0
        };
        format!(
            "files {}/{} · {tps:.1} tokens/s",
            self.files_done, self.files_total
        )
    }
}

impl Observer for Bar {
    fn planned(&mut self, job: i64, resumed: bool, files: usize, segments: usize, done: usize) {
        self.files_total = files;
        self.bar.set_length(segments as u64);
        self.bar.set_position(done as u64);
        self.bar.reset_eta();
        let line = format!(
            "{} job {job}: {files} file(s), {segments} segment(s), {done} already done",
            if resumed { "resuming" } else { "starting" }
        );
        self.bar.println(&line);
        if !self.tty {
            eprintln!("{line}");
        }
        self.bar.set_message(self.message());
    }

    fn segment(&mut self, tokens: u64) {
        self.tokens += tokens;
        self.bar.inc(1);
        self.bar.set_message(self.message());
    }

    fn file(&mut self, report: &FileReport) {
        if matches!(report.status, FileStatus::Done | FileStatus::Failed) {
            self.files_done += 1;
        }
        let mut line = format!("{:<7} {}", <&str>::from(report.status), report.path);
        if let Some(error) = &report.error {
            line.push_str(&format!(" — {error}"));
        } else if report.status == FileStatus::Done {
            line.push_str(&format!(
                " → {} ({} segments)",
                report.output, report.segments
            ));
            let flags = report.figures_flagged.len()
                + report.terms_missing.len()
                + report.script_flagged.len();
            if flags > 0 {
                line.push_str(&format!("; {flags} check(s) to review"));
            }
            if let Some(html) = &report.check_report {
                line.push_str(&format!("; report {html}"));
            }
        }
        if self.tty {
            self.bar.println(line);
        } else {
            eprintln!("{line}");
        }
        self.bar.set_message(self.message());
    }
}

fn translate_folder(args: BatchArgs, db: Option<&Path>) -> Result<u8, Failure> {
    let session = crate::session(db, args.prompts.as_deref())?;
    let settings = session.settings();
    let mut store = session.open_store()?;
    let glossary = store.glossary_list()?;
    let opts = BatchOptions {
        source: args.source.clone(),
        out: args.out.clone(),
        target: args.to,
        parallel: args.parallel as usize,
        bilingual: args.bilingual,
        sampling: sampling(args.temperature, args.seed),
        max_tokens: args.max_tokens,
        glossary,
        base_glossary: settings.glossary.base,
        html_reports: args.html,
        limits: Limits::default(),
        pseudo: args.pseudo,
    };
    // Bad folders fail before the model is loaded.
    batch::folders(&opts)?;
    let library = session.prompts();
    let engine = load_generator(&session, &args.engine, args.parallel, args.pseudo)?;
    let engine = engine.as_ref();
    let cancel = cancel_on_ctrl_c(Some(
        "stopping after the segments in flight; run the same command again to resume",
    ));
    let tty = std::io::stderr().is_terminal();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} segments · {msg} · ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if !tty {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut observer = Bar {
        bar,
        tty,
        files_total: 0,
        files_done: 0,
        tokens: 0,
        started: Instant::now(),
    };
    let summary = batch::run(engine, &library, &mut store, &opts, &mut observer, &cancel)?;
    observer.bar.finish_and_clear();
    if args.json {
        crate::print_json(&summary)?;
    }
    eprintln!(
        "job {}: {} — {} done, {} failed, {} skipped, {} pending; {} need review; {} segments translated, {} from cache, {} tokens in {:.1} s",
        summary.job,
        summary.status,
        summary.done,
        summary.failed,
        summary.skipped,
        summary.pending,
        summary.needs_review,
        summary.translated,
        summary.cached,
        summary.generated_tokens,
        summary.seconds
    );
    eprintln!("report: {} and {}", summary.report_csv, summary.report_json);
    if summary.status != JobStatus::Completed {
        eprintln!("run the same command again to resume");
        return Ok(1);
    }
    Ok(if summary.failed > 0 { 1 } else { 0 })
}

/// The model, or for a pseudo-translation no model at all.
fn load_generator(
    session: &Session,
    args: &crate::args::EngineArgs,
    parallel: u32,
    pseudo: bool,
) -> Result<Box<dyn wenshu_core::engine::Generator>, Failure> {
    if pseudo {
        return Ok(Box::new(
            wenshu_core::engine::pseudo::PseudoEngine::default(),
        ));
    }
    let mut config = session.engine_config(&flags(args))?;
    config.parallel = parallel;
    Ok(Box::new(load_engine(config)?))
}

/// Whether `wenshu translate FILE` should work on the document as a file.
pub fn is_document_job(args: &TaskArgs) -> bool {
    let Some(input) = args.input.as_deref().filter(|p| *p != Path::new("-")) else {
        return false;
    };
    let ext = input
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    args.output.is_some() || matches!(ext.as_str(), "docx" | "pdf")
}

/// `wenshu translate FILE.docx -o OUT.docx` (also .md, .txt, .pdf).
pub fn translate_document(args: TaskArgs, db: Option<&Path>) -> Result<u8, Failure> {
    let input = args.input.clone().unwrap_or_default();
    let Some(output) = args.output.clone() else {
        return Err(CliError::OutputMissing.into());
    };
    let to = args.to.ok_or(CliError::TargetMissing)?;
    if output.exists() && std::fs::canonicalize(&output).ok() == std::fs::canonicalize(&input).ok()
    {
        return Err(CliError::OutputIsInput.into());
    }
    let session = crate::session(db, args.prompts.as_deref())?;
    let settings = session.settings();
    let store = session.open_store()?;
    let glossary = store.glossary_list()?;
    let opts = BatchOptions {
        source: input.clone(),
        out: output.clone(),
        target: to,
        parallel: args.parallel as usize,
        bilingual: false,
        sampling: sampling(args.temperature, args.seed),
        max_tokens: args.max_tokens,
        glossary,
        base_glossary: settings.glossary.base,
        html_reports: false,
        limits: Limits::default(),
        pseudo: args.pseudo,
    };
    let library = session.prompts();
    // Check the document before loading the model.
    wenshu_core::documents::Document::read(&input, &opts.limits).map_err(FileError::from)?;
    let engine = load_generator(&session, &args.engine, args.parallel, args.pseudo)?;
    let engine = engine.as_ref();
    let cancel = cancel_on_ctrl_c(Some(
        "stopping after the segments in flight; run the same command again to resume",
    ));
    let (report, checks) =
        batch::translate_file(engine, &library, &input, &output, &opts, &cancel)?;
    if input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
    {
        eprintln!("note: a PDF is read as text only; the translation was written as {} without the PDF's layout", output.display());
    }
    if args.json {
        let json = |e: serde_json::Error| CliError::Json(e.to_string());
        let mut body = serde_json::to_value(&report).map_err(json)?;
        body["checks"] = serde_json::to_value(&checks).map_err(json)?;
        crate::print_json(&body)?;
    }
    eprintln!(
        "translate: {} → {}: {} segments ({} translated, {} kept), {} tokens, {:.1} s of model time ({})",
        input.display(),
        output.display(),
        report.segments,
        report.translated,
        report.kept,
        report.generated_tokens,
        report.seconds,
        engine.info().file_name
    );
    crate::check::report_task_checks(&checks);
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for line in &report.formatting_flagged {
        eprintln!("needs a look: {line}");
    }
    Ok(0)
}
