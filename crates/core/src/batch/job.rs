//! One run of a batch job, in four steps: open the job (or take over the
//! unfinished one with the same identity), prepare every file from the
//! cache, translate what is left on a pool of threads while writing each
//! file as soon as its last segment is in, and close with the report.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wenshu_documents::Document;

use super::report::{self, FileReport, Summary};
use super::{
    bilingual_rel, check_document, check_report_rel, folders, output_rel, plan_files,
    settings_hash, translate_segment, treat, Action, BatchError, BatchOptions, Detail, FilePlan,
    Folders, Identity, Observer, Treatment,
};
use crate::checks;
use crate::engine::{CancelToken, Generator};
use crate::prompts::PromptLibrary;
use crate::store::{FileStatus, JobFile, JobRecord, JobStatus, Store, StoreError};
use crate::tasks::{Runner, TaskError};
use crate::text::Lang;

/// Whether a job was left unfinished and nothing is running it: interrupted,
/// or marked running by a process that no longer exists. Such a job is
/// offered for resumption.
pub fn is_resumable(job: &JobRecord) -> bool {
    match job.status {
        JobStatus::Interrupted => true,
        JobStatus::Running => !job.pid.is_some_and(process_alive),
        JobStatus::Completed | JobStatus::Cancelled => false,
    }
}

/// A job's status as a user should see it: a job marked running whose
/// process is gone was interrupted.
pub fn shown_status(job: &JobRecord) -> JobStatus {
    if job.status == JobStatus::Running && is_resumable(job) {
        JobStatus::Interrupted
    } else {
        job.status
    }
}

/// Cancels a job for good: a process running it stops within a few seconds
/// (keeping its finished segments), and running the same request again
/// starts it afresh. Stopping a child this process supervises is the
/// caller's part.
///
/// # Errors
/// [`BatchError::JobCompleted`] for a completed job (there is nothing to
/// cancel), the store's errors (an unknown id among them).
pub fn cancel(store: &mut Store, job: i64) -> Result<(), BatchError> {
    if store.batch_job(job)?.status == JobStatus::Completed {
        return Err(BatchError::JobCompleted(job));
    }
    store.batch_set_status(job, JobStatus::Cancelled)?;
    Ok(())
}

/// Whether a process with this id is alive (Linux; elsewhere assumed gone,
/// so a stale job can always be resumed).
fn process_alive(pid: i64) -> bool {
    if pid == std::process::id() as i64 {
        return false;
    }
    cfg!(target_os = "linux") && Path::new(&format!("/proc/{pid}")).exists()
}

/// Runs (or resumes) a batch job.
///
/// # Errors
/// Bad folders, a job already running elsewhere, or the database failing;
/// problems with single files are lines in the report instead.
pub fn run(
    generator: &dyn Generator,
    prompts: &PromptLibrary,
    store: &mut Store,
    opts: &BatchOptions,
    observer: &mut dyn Observer,
    cancel: &CancelToken,
) -> Result<Summary, BatchError> {
    let started = Instant::now();
    if !matches!(opts.target, Lang::En | Lang::ZhHant) {
        return Err(BatchError::Target(opts.target));
    }
    let folders = folders(opts)?;
    let settings = settings_hash(generator, opts);
    let (job, resumed) = open_job(generator, store, opts, &folders, &settings)?;
    let runner = Runner::new(generator, prompts);
    let plans = plan_files(&folders);
    let mut files = Files {
        job,
        folders: &folders,
        plans: &plans,
        opts,
        store,
        observer,
        reports: vec![None; plans.len()],
        open: Vec::new(),
        queue: VecDeque::new(),
        files_total: 0,
        segments_total: 0,
        segments_done: 0,
    };
    files.prepare(&runner, &settings)?;
    files.announce(resumed);
    files.write_ready()?;
    let interrupted = files.translate(&runner, cancel)?;
    files.close(resumed, interrupted, started.elapsed())
}

/// Takes over the unfinished job with this request's identity, or creates
/// one. Returns the job's id and whether it was resumed.
fn open_job(
    generator: &dyn Generator,
    store: &mut Store,
    opts: &BatchOptions,
    folders: &Folders,
    settings: &str,
) -> Result<(i64, bool), BatchError> {
    let identity_json = serde_json::to_string(&Identity {
        source: &folders.source,
        out: &folders.out,
        target: opts.target,
        bilingual: opts.bilingual,
        settings,
    })
    // Paths are the only part that can fail to serialise: not Unicode.
    .map_err(|_| {
        let bad = if folders.source.to_str().is_none() {
            &folders.source
        } else {
            &folders.out
        };
        BatchError::FolderName(bad.clone())
    })?;
    let identity = hex::encode(Sha256::digest(identity_json.as_bytes()));
    if let Some(job) = store.batch_resumable(&identity)? {
        if job.status == JobStatus::Running {
            if let Some(pid) = job.pid.filter(|&p| process_alive(p)) {
                return Err(BatchError::AlreadyRunning { job: job.id, pid });
            }
        }
        store.batch_set_status(job.id, JobStatus::Running)?;
        return Ok((job.id, true));
    }
    let options = serde_json::json!({
        "bilingual": opts.bilingual,
        "html_reports": opts.html_reports,
        "parallel": opts.parallel,
        "sampling": opts.sampling,
        "max_tokens": opts.max_tokens,
        "glossary_terms": opts.glossary.len(),
        "model": generator.info().file_name,
    });
    let job = store.batch_create(
        &identity,
        &folders.source.to_string_lossy(),
        &folders.out.to_string_lossy(),
        opts.target.code(),
        &options,
    )?;
    Ok((job, false))
}

/// A file being translated in this run.
struct Open {
    plan_index: usize,
    document: Document,
    translations: Vec<Option<String>>,
    remaining: usize,
    report: FileReport,
    /// Reached its final state in this run (written, or failed).
    finished: bool,
}

/// One segment waiting for the model.
struct Work {
    file: usize,
    block: usize,
    key: String,
    text: String,
}

/// A segment back from the model.
struct Translated {
    file: usize,
    block: usize,
    key: String,
    outcome: super::Outcome,
}

/// The files of one run of a job, from planned to final, and where the
/// run writes about them.
struct Files<'a> {
    job: i64,
    folders: &'a Folders,
    plans: &'a [FilePlan],
    opts: &'a BatchOptions,
    store: &'a mut Store,
    observer: &'a mut dyn Observer,
    /// One per plan: the file's report once it is final for this run.
    reports: Vec<Option<FileReport>>,
    /// Files with segments this run works on.
    open: Vec<Open>,
    queue: VecDeque<Work>,
    files_total: usize,
    segments_total: usize,
    segments_done: usize,
}

impl Files<'_> {
    /// Decides every file: skipped, finished in an earlier run, unreadable,
    /// or open with its segments from the cache and the rest queued.
    fn prepare(&mut self, runner: &Runner<'_>, settings: &str) -> Result<(), BatchError> {
        let previous: HashMap<String, JobFile> = self
            .store
            .batch_files(self.job)?
            .into_iter()
            .map(|f| (f.rel_path.clone(), f))
            .collect();
        for index in 0..self.plans.len() {
            let rel = &self.plans[index].rel;
            self.prepare_file(index, runner, settings, previous.get(rel))?;
        }
        self.files_total = self
            .plans
            .iter()
            .filter(|p| matches!(p.action, Action::Translate(_)))
            .count();
        Ok(())
    }

    fn prepare_file(
        &mut self,
        index: usize,
        runner: &Runner<'_>,
        settings: &str,
        previous: Option<&JobFile>,
    ) -> Result<(), BatchError> {
        let plans = self.plans;
        let plan = &plans[index];
        let format = match &plan.action {
            Action::Skip { code, reason } => {
                let report = FileReport::skipped(&plan.rel, code, reason);
                self.record(&plan.rel, &report)?;
                self.reports[index] = Some(report);
                return Ok(());
            }
            Action::Translate(format) => *format,
        };
        let out_rel = output_rel(&plan.rel, format);
        if let Some(report) = previous.and_then(|f| resumed(f, &self.folders.out.join(&out_rel))) {
            self.segments_total += report.segments;
            self.segments_done += report.segments;
            self.reports[index] = Some(report);
            return Ok(());
        }
        let mut report = FileReport::new(&plan.rel, format, &out_rel);
        let document = match Document::read(&plan.path, &self.opts.limits) {
            Ok(d) => d,
            Err(e) => {
                report.fail(e.code(), &e.to_string());
                self.record(&plan.rel, &report)?;
                self.reports[index] = Some(report);
                return Ok(());
            }
        };
        let blocks = document.blocks().len();
        let mut translations = vec![None; blocks];
        let mut remaining = 0;
        let file = self.open.len();
        for (b, block) in document.blocks().iter().enumerate() {
            match treat(runner, self.opts, settings, block) {
                Treatment::Keep(text) => {
                    report.kept += 1;
                    translations[b] = Some(text);
                }
                Treatment::Translate { key } => match self.store.segment_get(&key)? {
                    Some((text, detail)) => {
                        report.cached += 1;
                        let detail: Detail = serde_json::from_value(detail).map_err(|e| {
                            StoreError::Corrupt(format!("a cached segment's detail: {e}"))
                        })?;
                        report.absorb(&detail.warnings, 0, 0.0);
                        translations[b] = Some(text);
                    }
                    None => {
                        remaining += 1;
                        self.queue.push_back(Work {
                            file,
                            block: b,
                            key,
                            text: block.source().to_string(),
                        });
                    }
                },
            }
        }
        report.segments = blocks;
        self.segments_total += blocks;
        self.segments_done += blocks - remaining;
        self.record(&plan.rel, &report)?;
        self.open.push(Open {
            plan_index: index,
            document,
            translations,
            remaining,
            report,
            finished: false,
        });
        Ok(())
    }

    /// Tells the observer the plan, the files already final, and where each
    /// open file stands.
    fn announce(&mut self, resumed: bool) {
        self.observer.planned(
            self.job,
            resumed,
            self.files_total,
            self.segments_total,
            self.segments_done,
        );
        for r in self.reports.iter().flatten() {
            self.observer.file(r);
        }
        for file in &self.open {
            let of = file.report.segments;
            let rel = &self.plans[file.plan_index].rel;
            self.observer.file_progress(rel, of - file.remaining, of);
        }
    }

    /// Writes the files with nothing left for the model.
    fn write_ready(&mut self) -> Result<(), BatchError> {
        for f in 0..self.open.len() {
            if self.open[f].remaining == 0 {
                self.complete(f)?;
            }
        }
        self.save_progress()?;
        Ok(())
    }

    /// Translates the queue on `opts.parallel` threads, committing each
    /// segment as it comes back. Returns whether the run was stopped (by
    /// the token, or by a cancel from another process) before the end.
    fn translate(&mut self, runner: &Runner<'_>, cancel: &CancelToken) -> Result<bool, BatchError> {
        if self.queue.is_empty() {
            return Ok(false);
        }
        let queue = Mutex::new(std::mem::take(&mut self.queue));
        let stop = cancel.child();
        let (tx, rx) = mpsc::channel::<Translated>();
        let opts = self.opts;
        std::thread::scope(|scope| -> Result<(), BatchError> {
            for _ in 0..opts.parallel.max(1) {
                let tx = tx.clone();
                let queue = &queue;
                let stop = stop.clone();
                scope.spawn(move || loop {
                    if stop.is_cancelled() {
                        return;
                    }
                    let Some(work) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                        return;
                    };
                    let outcome = translate_segment(runner, opts, &work.text, &stop);
                    let back = Translated {
                        file: work.file,
                        block: work.block,
                        key: work.key,
                        outcome,
                    };
                    if tx.send(back).is_err() {
                        return;
                    }
                });
            }
            drop(tx);
            let mut last_check = Instant::now();
            loop {
                let message = match rx.recv_timeout(Duration::from_millis(500)) {
                    Ok(m) => Some(m),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                };
                if last_check.elapsed() >= Duration::from_secs(1) {
                    last_check = Instant::now();
                    if self.cancelled_elsewhere() {
                        stop.cancel();
                    }
                }
                let Some(back) = message else {
                    continue;
                };
                if self.open[back.file].finished {
                    continue;
                }
                match back.outcome {
                    Ok((text, detail)) => {
                        self.take_segment(back.file, back.block, &back.key, text, &detail)?;
                    }
                    Err(_) if stop.is_cancelled() => {}
                    Err(e) => {
                        // One bad segment fails its file, never the batch.
                        if let Ok(mut q) = queue.lock() {
                            q.retain(|w| w.file != back.file);
                        }
                        self.fail(back.file, &e)?;
                        self.save_progress()?;
                    }
                }
            }
            Ok(())
        })?;
        Ok(stop.is_cancelled())
    }

    /// Commits one translated segment; writes its file when it was the last.
    fn take_segment(
        &mut self,
        f: usize,
        block: usize,
        key: &str,
        text: String,
        detail: &Detail,
    ) -> Result<(), BatchError> {
        self.store
            .segment_put(self.job, key, &text, &detail.to_json())?;
        let file = &mut self.open[f];
        file.report.translated += 1;
        file.report
            .absorb(&detail.warnings, detail.generated_tokens, detail.ms);
        file.translations[block] = Some(text);
        file.remaining -= 1;
        self.segments_done += 1;
        self.observer.segment(detail.generated_tokens);
        let (of, remaining) = (file.report.segments, file.remaining);
        let rel = &self.plans[file.plan_index].rel;
        self.observer.file_progress(rel, of - remaining, of);
        if remaining == 0 {
            self.complete(f)?;
            self.save_progress()?;
        }
        Ok(())
    }

    /// Renders and writes an open file whose segments are all in.
    fn complete(&mut self, f: usize) -> Result<(), BatchError> {
        let file = &mut self.open[f];
        file.finished = true;
        let rel = &self.plans[file.plan_index].rel;
        let report = finish_file(self.folders, self.opts, file, rel)?;
        let index = file.plan_index;
        self.final_report(index, report)
    }

    /// Fails an open file on a segment's error.
    fn fail(&mut self, f: usize, e: &TaskError) -> Result<(), BatchError> {
        let file = &mut self.open[f];
        file.finished = true;
        let mut report = file.report.clone();
        report.fail(e.code(), &format!("{e:#}"));
        let index = file.plan_index;
        self.final_report(index, report)
    }

    fn final_report(&mut self, index: usize, report: FileReport) -> Result<(), BatchError> {
        self.record(&self.plans[index].rel, &report)?;
        self.observer.file(&report);
        self.reports[index] = Some(report);
        Ok(())
    }

    /// Stores a file's state and report.
    fn record(&mut self, rel: &str, report: &FileReport) -> Result<(), StoreError> {
        let output = (report.status == FileStatus::Done).then_some(report.output.as_str());
        self.store
            .batch_file_set(self.job, rel, report.status, output, &report.to_json())
    }

    fn save_progress(&mut self) -> Result<(), StoreError> {
        let count = |status: FileStatus| {
            self.reports
                .iter()
                .flatten()
                .filter(|r| r.status == status)
                .count() as i64
        };
        let files = (
            self.files_total as i64,
            count(FileStatus::Done),
            count(FileStatus::Failed),
        );
        let segments = (self.segments_total as i64, self.segments_done as i64);
        self.store.batch_progress(self.job, files, segments)
    }

    /// Whether `wenshu batch cancel` (or the app) cancelled the job from
    /// another process. A read that fails (the database busy for a moment)
    /// counts as not cancelled: the next poll asks again, and at the close
    /// the job stays resumable as interrupted.
    fn cancelled_elsewhere(&self) -> bool {
        self.store
            .batch_status(self.job)
            .is_ok_and(|s| s == JobStatus::Cancelled)
    }

    /// Marks what did not finish as pending, stores the job's status and
    /// writes the report.
    fn close(
        mut self,
        resumed: bool,
        interrupted: bool,
        elapsed: Duration,
    ) -> Result<Summary, BatchError> {
        for file in &self.open {
            if !file.finished {
                self.reports[file.plan_index] = Some(file.report.pending());
            }
        }
        let status = if !interrupted {
            JobStatus::Completed
        } else if self.cancelled_elsewhere() {
            JobStatus::Cancelled
        } else {
            JobStatus::Interrupted
        };
        self.save_progress()?;
        self.store.batch_set_status(self.job, status)?;
        let reports: Vec<FileReport> = self.reports.into_iter().flatten().collect();
        let summary = Summary::new(
            self.job,
            resumed,
            status,
            &reports,
            elapsed,
            &self.folders.out,
        );
        report::write(&self.folders.out, &summary, &reports)?;
        Ok(summary)
    }
}

/// A file finished in an earlier run whose output is still there is taken
/// as it is. A stored report that does not parse (an older version's) means
/// the file is prepared again, from the cache, so no segment goes to the
/// model twice.
fn resumed(previous: &JobFile, output: &Path) -> Option<FileReport> {
    if previous.status != FileStatus::Done || !output.is_file() {
        return None;
    }
    let mut report = serde_json::from_value::<FileReport>(previous.report.clone()).ok()?;
    report.resumed = true;
    Some(report)
}

/// Renders a file whose segments are all translated and writes it (and its
/// review copy) atomically.
fn finish_file(
    folders: &Folders,
    opts: &BatchOptions,
    file: &mut Open,
    title: &str,
) -> Result<FileReport, BatchError> {
    // Called once every segment is in, so none is missing here.
    let translations: Vec<String> = file
        .translations
        .iter()
        .map(|t| t.clone().unwrap_or_default())
        .collect();
    let mut report = file.report.clone();
    let out_format = file.document.output_format();
    let rendered = match file.document.render(&translations, out_format) {
        Ok(r) => r,
        Err(e) => {
            report.fail(e.code(), &e.to_string());
            return Ok(report);
        }
    };
    let target = folders.out.join(&report.output);
    write_under(&folders.out, &target, &rendered.bytes)?;
    report.set_needs_look(&file.document, &rendered.needs_look);
    // The checks, the review report and the bilingual copy read the words, not the tags.
    let translations = file.document.plain_translations(&translations);
    let check = check_document(opts, &file.document, &translations);
    report.set_checks(&check);
    if opts.html_reports {
        let source: Vec<String> = file
            .document
            .blocks()
            .iter()
            .map(|b| b.text.clone())
            .collect();
        let html = checks::html::render(title, &check, &source, &translations);
        let rel = check_report_rel(&report.output);
        write_under(&folders.out, &folders.out.join(&rel), html.as_bytes())?;
        report.check_report = Some(rel);
    }
    if opts.bilingual {
        let pairs: Vec<(String, String)> = file
            .document
            .blocks()
            .iter()
            .zip(&translations)
            .map(|(b, t)| (b.text.clone(), t.clone()))
            .collect();
        match wenshu_documents::bilingual_docx(title, &pairs) {
            Ok(bytes) => {
                let rel = bilingual_rel(&report.output);
                write_under(&folders.out, &folders.out.join(&rel), &bytes)?;
                report.bilingual = Some(rel);
            }
            Err(e) => report
                .warnings
                .push(format!("the review copy could not be made: {e}")),
        }
    }
    report.status = FileStatus::Done;
    Ok(report)
}

/// Writes `bytes` to `path` (which must be inside `root`) through a
/// temporary file and a rename, creating folders as needed.
fn write_under(root: &Path, path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    let err = |reason: String| BatchError::Write {
        path: path.to_path_buf(),
        reason,
    };
    if !path.starts_with(root)
        || path
            .components()
            .any(|c| c == std::path::Component::ParentDir)
    {
        return Err(err("the path leaves the output folder".into()));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| err(e.to_string()))?;
    }
    crate::store::export::write_atomically(path, bytes).map_err(|e| err(e.to_string()))
}
