//! A batch job run in a child process that reports over JSON lines.
//!
//! The desktop app runs each folder job in its own process (the app's binary
//! in batch mode), for the same reason it runs the interactive model in a
//! worker: a llama.cpp abort must not take the window with it, and the
//! interactive worker stays free while a long job runs. The parent writes
//! one [`BatchSpec`] line to the child's stdin; the child answers with
//! [`BatchEvent`] lines on stdout. A `stop` line on stdin, or stdin closing,
//! stops the job after the segments in flight; it can then be resumed like
//! any interrupted job.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{BatchError, BatchOptions, FileReport, Observer};
use crate::engine::{CancelToken, Generator};
use crate::error::Coded;
use crate::prompts::PromptLibrary;
use crate::store::{JobRecord, JobStatus, Store, StoreError};
use crate::text::Lang;

/// What the parent asks for (the first line on stdin).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BatchSpec {
    pub source: PathBuf,
    pub out: PathBuf,
    /// `en` or `zh-Hant`.
    pub target: crate::text::Lang,
    #[serde(default)]
    pub bilingual: bool,
    /// Parallel sequences; 0 means the default.
    #[serde(default)]
    pub parallel: usize,
    /// Also write each file's HTML check report next to its output.
    #[serde(default)]
    pub check_reports: bool,
}

impl BatchSpec {
    /// The spec that resumes a stored job with its own folders and options.
    ///
    /// # Errors
    /// `store_corrupt` when the stored target language is not one.
    pub fn resume_of(job: &JobRecord) -> Result<Self, StoreError> {
        let target = job.target_lang.parse::<Lang>().map_err(|_| {
            StoreError::Corrupt(format!(
                "batch job {}: `{}` is not a language",
                job.id, job.target_lang
            ))
        })?;
        // A job stored before an option existed ran without it.
        let flag = |key: &str| job.options[key].as_bool().unwrap_or(false);
        Ok(Self {
            source: job.source_dir.clone().into(),
            out: job.out_dir.clone().into(),
            target,
            bilingual: flag("bilingual"),
            parallel: job.options["parallel"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0),
            check_reports: flag("html_reports"),
        })
    }

    /// The options its folders are checked with before any model loads
    /// ([`super::folders`]); the child fills in the rest.
    pub fn options(&self) -> BatchOptions {
        BatchOptions {
            source: self.source.clone(),
            out: self.out.clone(),
            target: self.target,
            parallel: self.parallel.max(1),
            bilingual: self.bilingual,
            sampling: Default::default(),
            max_tokens: None,
            glossary: Vec::new(),
            base_glossary: true,
            html_reports: self.check_reports,
            limits: Default::default(),
            pseudo: false,
        }
    }
}

/// A failure the UI shows by `code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireError {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub details: serde_json::Value,
    /// Whether the job's arguments were at fault.
    #[serde(default)]
    pub usage: bool,
}

impl WireError {
    /// The wire form of a core error.
    pub fn of(e: &dyn Coded) -> Self {
        Self {
            code: e.code().into(),
            message: e.to_string(),
            details: serde_json::Value::Null,
            usage: e.is_usage(),
        }
    }
}

/// What the child reports, one JSON object per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BatchEvent {
    Planned {
        job: i64,
        files: usize,
        segments: usize,
        done: usize,
        resumed: bool,
    },
    FileStarted {
        path: String,
        segments: usize,
    },
    Segment {
        path: String,
        done: usize,
        of: usize,
    },
    File {
        report: Box<FileReport>,
    },
    Finished {
        job: i64,
        status: JobStatus,
        report_json: String,
        report_csv: String,
        files: Vec<FileReport>,
    },
    Failed {
        error: WireError,
    },
}

impl BatchEvent {
    /// The event for an error that stopped the job before or while it ran.
    pub fn failed(code: &str, message: impl Into<String>) -> Self {
        Self::Failed {
            error: WireError {
                code: code.into(),
                message: message.into(),
                details: serde_json::Value::Null,
                usage: false,
            },
        }
    }
}

/// Writes events as JSON lines; a parent that has gone away is ignored
/// (the job still finishes its segments in flight and records its state).
pub struct LineWriter<W: Write> {
    out: W,
    started: std::collections::HashSet<String>,
}

impl<W: Write> LineWriter<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            started: Default::default(),
        }
    }

    pub fn send(&mut self, event: &BatchEvent) {
        if let Ok(line) = serde_json::to_string(event) {
            let _ = writeln!(self.out, "{line}");
            let _ = self.out.flush();
        }
    }
}

impl<W: Write> Observer for LineWriter<W> {
    fn planned(&mut self, job: i64, resumed: bool, files: usize, segments: usize, done: usize) {
        self.send(&BatchEvent::Planned {
            job,
            files,
            segments,
            done,
            resumed,
        });
    }

    fn file_progress(&mut self, path: &str, done: usize, of: usize) {
        if self.started.insert(path.to_string()) {
            self.send(&BatchEvent::FileStarted {
                path: path.into(),
                segments: of,
            });
        }
        self.send(&BatchEvent::Segment {
            path: path.into(),
            done,
            of,
        });
    }

    fn file(&mut self, report: &FileReport) {
        self.send(&BatchEvent::File {
            report: Box::new(report.clone()),
        });
    }
}

/// Reads the parent's stop request: a `stop` line, or stdin closing.
pub fn stop_on_request(input: impl BufRead + Send + 'static, cancel: CancelToken) {
    std::thread::spawn(move || {
        for line in input.lines() {
            match line {
                Ok(l) if l.trim() == "stop" => break,
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        cancel.cancel();
    });
}

/// Runs the job and reports it; the `Finished` or `Failed` event is the last
/// line. Returns the process exit code: 0 completed, 1 otherwise.
pub fn run_and_report<W: Write>(
    generator: &dyn Generator,
    prompts: &PromptLibrary,
    store: &mut Store,
    opts: &BatchOptions,
    out: &mut LineWriter<W>,
    cancel: &CancelToken,
) -> i32 {
    match super::run(generator, prompts, store, opts, out, cancel) {
        Ok(summary) => {
            // The reports were written by this very run; should the store
            // not give them back now, the job still finished, and the event
            // says so with the paths of report.csv and report.json.
            let files = store
                .batch_files(summary.job)
                .map(|files| {
                    files
                        .into_iter()
                        .filter_map(|f| serde_json::from_value::<FileReport>(f.report).ok())
                        .collect()
                })
                .unwrap_or_default();
            let completed = summary.status == JobStatus::Completed;
            out.send(&BatchEvent::Finished {
                job: summary.job,
                status: summary.status,
                report_json: summary.report_json,
                report_csv: summary.report_csv,
                files,
            });
            if completed {
                0
            } else {
                1
            }
        }
        Err(e) => {
            out.send(&failed(&e));
            1
        }
    }
}

fn failed(e: &BatchError) -> BatchEvent {
    BatchEvent::Failed {
        error: WireError::of(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fake::FakeGenerator;
    use crate::engine::SamplingParams;
    use crate::text::Lang;
    use wenshu_documents::Limits;

    fn events(bytes: &[u8]) -> Vec<BatchEvent> {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn options(src: PathBuf, out: PathBuf) -> BatchOptions {
        BatchOptions {
            source: src,
            out,
            target: Lang::En,
            parallel: 1,
            bilingual: false,
            sampling: SamplingParams::greedy(),
            max_tokens: None,
            glossary: Vec::new(),
            base_glossary: true,
            html_reports: false,
            limits: Limits::default(),
            pseudo: false,
        }
    }

    #[test]
    fn a_job_reports_its_plan_each_files_progress_and_a_finished_line_with_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.txt"), "第一段。\n\n第二段。\n").unwrap();
        std::fs::write(src.join("b.txt"), "第三段。\n").unwrap();
        std::fs::write(src.join("c.png"), b"x").unwrap();
        let fake = FakeGenerator::new(4000, |_| "A paragraph.".to_string());
        let prompts = PromptLibrary::from_dirs(vec![], true);
        let mut store = Store::open(&dir.path().join("h.db")).unwrap();
        let opts = options(src, dir.path().join("out"));
        let mut out = LineWriter::new(Vec::new());
        let code = run_and_report(
            &fake,
            &prompts,
            &mut store,
            &opts,
            &mut out,
            &CancelToken::new(),
        );
        assert_eq!(code, 0);
        let events = events(&out.out);
        assert!(matches!(
            events[0],
            BatchEvent::Planned {
                files: 2,
                segments: 3,
                done: 0,
                resumed: false,
                ..
            }
        ));
        let last_a = events
            .iter()
            .rev()
            .filter_map(|e| match e {
                BatchEvent::Segment { path, done, of } if path == "a.txt" => Some((*done, *of)),
                _ => None,
            })
            .next();
        assert_eq!(last_a, Some((2, 2)));
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, BatchEvent::FileStarted { .. }))
                .count(),
            2
        );
        let BatchEvent::Finished {
            status,
            files,
            report_json,
            ..
        } = events.last().unwrap()
        else {
            panic!("last event is not Finished: {events:?}");
        };
        assert_eq!(*status, JobStatus::Completed);
        assert!(std::path::Path::new(report_json).is_file());
        let statuses: Vec<(&str, &str)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.status.into()))
            .collect();
        assert_eq!(
            statuses,
            vec![("a.txt", "done"), ("b.txt", "done"), ("c.png", "skipped")]
        );
    }

    #[test]
    fn a_bad_folder_is_one_failed_line_with_its_code() {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeGenerator::new(4000, |_| String::new());
        let prompts = PromptLibrary::from_dirs(vec![], true);
        let mut store = Store::open(&dir.path().join("h.db")).unwrap();
        let opts = options(dir.path().join("missing"), dir.path().join("out"));
        let mut out = LineWriter::new(Vec::new());
        let code = run_and_report(
            &fake,
            &prompts,
            &mut store,
            &opts,
            &mut out,
            &CancelToken::new(),
        );
        assert_eq!(code, 1);
        let events = events(&out.out);
        assert_eq!(events.len(), 1);
        assert!(
            matches!(&events[0], BatchEvent::Failed { error } if error.code == "batch_no_source"),
            "{events:?}"
        );
    }

    #[test]
    fn a_stop_line_cancels_the_token() {
        let cancel = CancelToken::new();
        stop_on_request(
            std::io::Cursor::new(b"noise\nstop\n".to_vec()),
            cancel.clone(),
        );
        for _ in 0..100 {
            if cancel.is_cancelled() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("not cancelled");
    }
}
