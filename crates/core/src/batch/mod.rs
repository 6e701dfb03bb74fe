//! Batch translation of a folder tree: plan → run (resumable) → report.
//!
//! [`plan_files`] walks the source folder and decides, before any model
//! work, what happens to every file (translate, or skip and why). [`run`]
//! reads each document, splits it into segments (its text blocks), and takes
//! every segment from the cache when it was translated before under the same
//! model, prompt, glossary, direction and sampling; the rest go to a pool of
//! worker threads whose requests the engine decodes as parallel sequences.
//! Each translated segment is committed to SQLite at once, so a crash, kill
//! or Ctrl-C loses at most the segments in flight; running the same command
//! again finds the job by its identity and carries on. A finished file is
//! rendered back into its own format and written atomically under the output
//! folder; sources are only ever read. The report (`report.csv`,
//! `report.json`) has one line per file, including every failure.

pub mod child;
mod job;
mod report;
pub mod wire;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wenshu_documents::{inline, Block, Document, DocumentError, Format, Limits};
use wenshu_error::{Fix, Setting};

use crate::checks::{self, CheckOptions, CheckReport, Glossary, Mode};
use crate::engine::{CancelToken, Generator, SamplingParams};
use crate::prompts::PromptLibrary;
use crate::store::{GlossaryEntry, StoreError};
use crate::tasks::{NullSink, Request, Runner, Status, TaskError, TaskKind};
use crate::text::{self, Lang};

pub use crate::store::{FileStatus, JobStatus};
pub use job::{cancel, is_resumable, run, shown_status};
pub use report::{FileReport, Summary};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    pub source: PathBuf,
    pub out: PathBuf,
    pub target: Lang,
    /// Segments translated at the same time (parallel sequences).
    pub parallel: usize,
    /// Also write a two-column review copy of each file.
    pub bilingual: bool,
    pub sampling: SamplingParams,
    pub max_tokens: Option<u32>,
    pub glossary: Vec<GlossaryEntry>,
    /// Also use the bundled base glossary of official names.
    pub base_glossary: bool,
    /// Also write `NAME.check.html`, the reviewer's side-by-side report, next to each output.
    pub html_reports: bool,
    pub limits: Limits,
    /// Pseudo-translate instead of calling the model (see
    /// [`wenshu_documents::inline::pseudo`]): every block with words is
    /// marked and lengthened, whatever its language; nothing is cached.
    pub pseudo: bool,
}

/// Why a batch could not start or go on (a single bad file is never one of
/// these: it becomes a line in the report).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("the source {0} is not a folder; give the folder of documents to translate")]
    NoSource(PathBuf),
    #[error("the output folder is the source folder ({0}); choose a separate output folder so no source is overwritten")]
    OutIsSource(PathBuf),
    #[error("the source folder {source_dir} is inside the output folder {out}; outputs could overwrite sources, so pick an output folder outside it")]
    SourceInsideOut { source_dir: PathBuf, out: PathBuf },
    #[error("cannot batch-translate into {0}; choose en or zh-Hant as the output language")]
    Target(Lang),
    #[error("batch job {job} is already running in process {pid}; wait for it, or cancel it")]
    AlreadyRunning { job: i64, pid: i64 },
    #[error("cannot create the output folder {path}: {source}")]
    OutDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("batch job {0} has already completed; nothing is left to cancel")]
    JobCompleted(i64),
    #[error("the folder name {} is not valid Unicode; rename the folder", .0.to_string_lossy())]
    FolderName(PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
}

wenshu_error::coded! {
    BatchError {
        Self::NoSource(_) => "batch_no_source", usage;
        Self::OutIsSource(_) => "batch_out_is_source", usage, fix = Fix::choose(Setting::OutFolder);
        Self::SourceInsideOut { .. } => "batch_source_inside_out", usage, fix = Fix::choose(Setting::OutFolder);
        Self::Target(_) => "batch_target", usage,
            fix = Fix::Choose { setting: Setting::Target, suggest: Some("en".into()) };
        Self::AlreadyRunning { job, .. } => "batch_already_running", usage, fix = Fix::WaitOrCancelJob { job: *job };
        Self::OutDir { .. } => "batch_out_dir", runtime, fix = Fix::choose(Setting::OutFolder);
        Self::Write { .. } => "output_write", runtime;
        Self::FolderName(_) => "batch_folder_name", usage;
        Self::JobCompleted(_) => "job_completed", usage, fix = Fix::ListJobs;
    }
    delegate {
        Self::Store(e) => e,
    }
}

/// What happens to one file found under the source folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Translate(Format),
    Skip { code: &'static str, reason: String },
}

/// One file of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePlan {
    /// Path under the source folder, `/`-separated.
    pub rel: String,
    pub path: PathBuf,
    pub action: Action,
}

/// The checked source and output folders.
#[derive(Debug, Clone)]
pub struct Folders {
    pub source: PathBuf,
    pub out: PathBuf,
}

/// Checks the folders; creates the output folder.
///
/// # Errors
/// A missing source, an output folder that is the source or contains it.
pub fn folders(opts: &BatchOptions) -> Result<Folders, BatchError> {
    if !opts.source.is_dir() {
        return Err(BatchError::NoSource(opts.source.clone()));
    }
    let source = std::fs::canonicalize(&opts.source)
        .map_err(|_| BatchError::NoSource(opts.source.clone()))?;
    std::fs::create_dir_all(&opts.out).map_err(|e| BatchError::OutDir {
        path: opts.out.clone(),
        source: e,
    })?;
    let out = std::fs::canonicalize(&opts.out).map_err(|e| BatchError::OutDir {
        path: opts.out.clone(),
        source: e,
    })?;
    if out == source {
        return Err(BatchError::OutIsSource(source));
    }
    if source.starts_with(&out) {
        return Err(BatchError::SourceInsideOut {
            source_dir: source,
            out,
        });
    }
    Ok(Folders { source, out })
}

fn rel_string(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// Walks the source folder: every file with its action, in path order.
/// Hidden files and folders and Office lock files (`~$…`) are left out; an
/// output folder inside the source is not descended into and is reported.
pub fn plan_files(folders: &Folders) -> Vec<FilePlan> {
    let mut plans = Vec::new();
    let mut walker = walkdir::WalkDir::new(&folders.source)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_default();
                let rel = rel_string(path.strip_prefix(&folders.source).unwrap_or(&path));
                let (code, reason) = if e.loop_ancestor().is_some() {
                    (
                        "symlink_loop",
                        "a symbolic link here points back to a folder above it; it was not followed"
                            .to_string(),
                    )
                } else {
                    (
                        "unreadable",
                        format!("cannot be read ({e}); check its permissions"),
                    )
                };
                plans.push(FilePlan {
                    rel,
                    path,
                    action: Action::Skip { code, reason },
                });
                continue;
            }
        };
        let path = entry.path().to_path_buf();
        let rel = rel_string(path.strip_prefix(&folders.source).unwrap_or(&path));
        if entry.file_type().is_dir() {
            if entry.depth() > 0 && std::fs::canonicalize(&path).ok().as_ref() == Some(&folders.out)
            {
                plans.push(FilePlan {
                    rel,
                    path,
                    action: Action::Skip {
                        code: "output_folder",
                        reason: "this is the output folder; it is not translated".into(),
                    },
                });
                walker.skip_current_dir();
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name.starts_with("~$") {
            continue;
        }
        let action = match Format::from_path(&path) {
            Some(format) => Action::Translate(format),
            None => Action::Skip {
                code: "unsupported",
                reason: "not a .docx, .md, .txt or .pdf file".into(),
            },
        };
        plans.push(FilePlan { rel, path, action });
    }
    plans
}

/// The output path (under the output folder) of a source file.
pub fn output_rel(rel: &str, format: Format) -> String {
    let out_format = if format.can_write() {
        format
    } else {
        Format::Docx
    };
    if out_format == format {
        return rel.to_string();
    }
    match rel.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() && !stem.ends_with('/') => {
            format!("{stem}.{}", out_format.extension())
        }
        _ => format!("{rel}.{}", out_format.extension()),
    }
}

/// The review copy's path next to the output.
pub fn bilingual_rel(output_rel: &str) -> String {
    match output_rel.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => format!("{stem}.bilingual.docx"),
        _ => format!("{output_rel}.bilingual.docx"),
    }
}

/// What decides a job's outputs, hashed into its identity.
#[derive(Serialize)]
struct Identity<'a> {
    source: &'a Path,
    out: &'a Path,
    target: Lang,
    bilingual: bool,
    settings: &'a str,
}

/// Settings that decide a segment's translation, shared by every key.
fn settings_hash(generator: &dyn Generator, opts: &BatchOptions) -> String {
    let glossary = Glossary::shared(&opts.glossary, opts.base_glossary);
    let value = serde_json::json!({
        "model": generator.info().sha256,
        "glossary": glossary.fingerprint(),
        "target": opts.target,
        "sampling": opts.sampling,
        "max_tokens": opts.max_tokens,
    });
    hex::encode(Sha256::digest(value.to_string().as_bytes()))
}

fn segment_key(settings: &str, prompt: &str, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(settings.as_bytes());
    h.update([0]);
    h.update(prompt.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    hex::encode(h.finalize())
}

/// What the cache keeps about a segment besides its text (figures and
/// names are checked per file, once every segment is there).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Detail {
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    generated_tokens: u64,
    #[serde(default)]
    ms: f64,
}

impl Detail {
    /// The form the segment cache stores.
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "warnings": self.warnings,
            "generated_tokens": self.generated_tokens,
            "ms": self.ms,
        })
    }
}

/// How a block is handled.
enum Treatment {
    /// Already in the target language, or nothing to translate.
    Keep(String),
    Translate {
        key: String,
    },
}

/// What to do with a block: its words decide (language, whether it has
/// any); what is translated is its source, inline tags included.
fn treat(runner: &Runner<'_>, opts: &BatchOptions, settings: &str, block: &Block) -> Treatment {
    let source = block.source();
    if !block.text.chars().any(char::is_alphabetic) {
        return Treatment::Keep(source.to_string());
    }
    if opts.pseudo {
        return Treatment::Translate {
            key: segment_key(settings, "pseudo", source),
        };
    }
    let lang = text::detect(&block.text);
    match (opts.target, lang) {
        (Lang::En, Lang::En) | (Lang::ZhHant, Lang::ZhHant) => Treatment::Keep(source.to_string()),
        (Lang::ZhHant, Lang::ZhHans) => Treatment::Keep(text::zh::to_hk_traditional(source)),
        _ => match runner.plan(segment_request(opts, source)) {
            Ok(plan) => Treatment::Translate {
                key: segment_key(settings, &plan.prompt_identity(), source),
            },
            // A direction the prompts cannot do: keep the text for review.
            Err(_) => Treatment::Keep(source.to_string()),
        },
    }
}

fn segment_request(opts: &BatchOptions, text: &str) -> Request {
    let mut request = Request::new(TaskKind::Translate, text);
    request.target = Some(opts.target);
    request.sampling = opts.sampling;
    request.max_tokens = opts.max_tokens;
    request.glossary = opts.glossary.clone();
    request.base_glossary = opts.base_glossary;
    request
}

/// Progress callbacks, all on the calling thread.
pub trait Observer {
    /// The plan is ready: files to translate, segments in them, and how many
    /// of those were already done (cached or kept).
    fn planned(
        &mut self,
        _job: i64,
        _resumed: bool,
        _files: usize,
        _segments: usize,
        _done: usize,
    ) {
    }
    /// The model finished a segment.
    fn segment(&mut self, _generated_tokens: u64) {}
    /// A file being translated has `done` of its `of` segments ready (cached
    /// and kept ones count); called once per such file after [`planned`],
    /// then after each of its segments.
    ///
    /// [`planned`]: Observer::planned
    fn file_progress(&mut self, _path: &str, _done: usize, _of: usize) {}
    /// A file reached its final state for this run.
    fn file(&mut self, _report: &FileReport) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

/// A segment's translation and what the cache keeps with it, or why not.
type Outcome = Result<(String, Detail), TaskError>;

/// One segment through the translate task.
fn translate_segment(
    runner: &Runner<'_>,
    opts: &BatchOptions,
    text: &str,
    cancel: &CancelToken,
) -> Outcome {
    if opts.pseudo {
        return Ok((inline::pseudo(text), Detail::default()));
    }
    let plan = runner.plan(segment_request(opts, text))?;
    let result = runner.run(&plan, &mut NullSink, cancel)?;
    if result.status == Status::Cancelled {
        return Err(TaskError::Engine(crate::engine::EngineError::Generation {
            message: "cancelled".into(),
            partial: result.text,
        }));
    }
    let usage = result.provenance.usage;
    Ok((
        result.text,
        Detail {
            warnings: result.warnings,
            generated_tokens: usage.generated_tokens,
            ms: usage.total_ms,
        },
    ))
}

/// Translates one document file to `output` (same format, or .docx/.md
/// for a PDF), decoding up to `opts.parallel` segments at once. No job or
/// cache is kept: this is the single-file `wenshu translate FILE -o OUT`.
/// `opts.source` and `opts.out` are ignored.
///
/// # Errors
/// The document's own error (unreadable, malformed, too large, …), a
/// translation failure, or the output not being writable.
pub fn translate_file(
    generator: &dyn Generator,
    prompts: &PromptLibrary,
    source: &Path,
    output: &Path,
    opts: &BatchOptions,
    cancel: &CancelToken,
) -> Result<(FileReport, CheckReport), FileError> {
    let document = Document::read(source, &opts.limits)?;
    let to = match Format::from_path(output) {
        Some(f) if f.can_write() => f,
        _ => return Err(FileError::OutputFormat(output.to_path_buf())),
    };
    if to != document.format() && document.format().can_write() {
        return Err(FileError::FormatChange {
            from: document.format(),
            to,
        });
    }
    let runner = Runner::new(generator, prompts);
    let settings = settings_hash(generator, opts);
    let rel = source.to_string_lossy();
    let mut report = FileReport::new(&rel, document.format(), &output.to_string_lossy());
    report.segments = document.blocks().len();
    let mut translations: Vec<Option<String>> = vec![None; document.blocks().len()];
    let mut queue = VecDeque::new();
    for (b, block) in document.blocks().iter().enumerate() {
        match treat(&runner, opts, &settings, block) {
            Treatment::Keep(text) => {
                report.kept += 1;
                translations[b] = Some(text);
            }
            Treatment::Translate { .. } => queue.push_back((b, block.source().to_string())),
        }
    }
    let queue = Mutex::new(queue);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..opts.parallel.max(1) {
            let tx = tx.clone();
            let queue = &queue;
            let runner = &runner;
            scope.spawn(move || loop {
                if cancel.is_cancelled() {
                    return;
                }
                let Some((b, text)) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                    return;
                };
                let outcome = translate_segment(runner, opts, &text, cancel);
                let failed = outcome.is_err();
                if tx.send((b, outcome)).is_err() || failed {
                    return;
                }
            });
        }
    });
    drop(tx);
    for (b, outcome) in rx {
        let (text, detail) = outcome?;
        report.translated += 1;
        report.absorb(&detail.warnings, detail.generated_tokens, detail.ms);
        translations[b] = Some(text);
    }
    if translations.iter().any(Option::is_none) {
        return Err(FileError::Cancelled);
    }
    let translations: Vec<String> = translations.into_iter().flatten().collect();
    let rendered = document.render(&translations, to)?;
    crate::store::export::write_atomically(output, &rendered.bytes).map_err(|e| {
        FileError::Write {
            path: output.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    let check = check_document(opts, &document, &document.plain_translations(&translations));
    report.set_checks(&check);
    report.set_needs_look(&document, &rendered.needs_look);
    report.status = FileStatus::Done;
    Ok((report, check))
}

/// The file's figures, names and script, checked block by block (blocks are
/// the document's paragraphs, table cells, headers, footnotes …).
pub fn check_document(
    opts: &BatchOptions,
    document: &Document,
    translations: &[String],
) -> CheckReport {
    let glossary = Glossary::shared(&opts.glossary, opts.base_glossary);
    let source: Vec<String> = document.blocks().iter().map(|b| b.text.clone()).collect();
    let target_lang = if opts.target.is_chinese() {
        Lang::ZhHant
    } else {
        Lang::En
    };
    let source_lang = if target_lang == Lang::En {
        Lang::ZhHant
    } else {
        Lang::En
    };
    checks::check(
        &source,
        translations,
        &CheckOptions {
            mode: Mode::Translation,
            source_lang,
            target_lang,
            glossary: Some(&glossary),
        },
    )
}

/// The check report's path next to the output.
pub fn check_report_rel(output_rel: &str) -> String {
    match output_rel.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => format!("{stem}.check.html"),
        _ => format!("{output_rel}.check.html"),
    }
}

/// Why a single-file translation failed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error(transparent)]
    Task(#[from] TaskError),
    #[error("cannot write {} documents; name the output .docx, .md or .txt", .0.display())]
    OutputFormat(PathBuf),
    #[error("a .{} document is translated into the same format; name the output .{}", from.extension(), from.extension())]
    FormatChange { from: Format, to: Format },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("cancelled before every paragraph was translated; nothing was written")]
    Cancelled,
}

wenshu_error::coded! {
    FileError {
        Self::OutputFormat(_) => "output_format", usage, fix = Fix::choose(Setting::Output);
        Self::FormatChange { .. } => "output_format_change", usage, fix = Fix::choose(Setting::Output);
        Self::Write { .. } => "output_write", runtime;
        Self::Cancelled => "cancelled", runtime;
    }
    delegate {
        Self::Document(e) => e,
        Self::Task(e) => e,
    }
}

#[cfg(test)]
mod tests;
