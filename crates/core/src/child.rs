//! Child processes that run the model for a shell: the model worker and the
//! batch child. Both are started, talked to and buried the same way, here:
//! stdin takes JSON lines (or `stop`), stdout gives JSON lines, and stderr's
//! last line is kept as the child's last words, for the error when it dies
//! before saying anything useful.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

/// How to start a child: the program (the shell's own binary), its
/// arguments (a mode and the engine flags) and extra environment.
#[derive(Debug, Clone)]
pub struct ChildCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub envs: Vec<(OsString, OsString)>,
}

impl ChildCommand {
    pub fn new(program: impl Into<PathBuf>, args: Vec<OsString>) -> Self {
        Self {
            program: program.into(),
            args,
            envs: Vec::new(),
        }
    }
}

/// A child's stdin, shared by whoever may need to write to it (a pause
/// button writes `stop` while another thread reads the child's events).
#[derive(Debug, Clone, Default)]
pub struct ChildInput(Arc<Mutex<Option<ChildStdin>>>);

impl ChildInput {
    /// Writes one line and flushes it.
    ///
    /// # Errors
    /// When the child has closed its stdin (it is gone) or stdin was closed here.
    pub fn send_line(&self, line: &str) -> std::io::Result<()> {
        let mut slot = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("the child's stdin lock is poisoned"))?;
        let stdin = slot
            .as_mut()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "stdin closed"))?;
        writeln!(stdin, "{line}")?;
        stdin.flush()
    }

    /// Closes stdin: the child sees end of input.
    pub fn close(&self) {
        if let Ok(mut slot) = self.0.lock() {
            slot.take();
        }
    }
}

/// A running child process.
#[derive(Debug)]
pub struct Child {
    process: std::process::Child,
    input: ChildInput,
    last_words: Arc<Mutex<String>>,
    stderr: Option<std::thread::JoinHandle<()>>,
}

impl Child {
    /// Starts `command` with piped stdio; its stdout is returned to be read
    /// (see [`lines`]), its stderr is drained on a thread of its own.
    ///
    /// # Errors
    /// When the program cannot be started.
    pub fn spawn(command: &ChildCommand) -> std::io::Result<(Self, ChildStdout)> {
        let mut cmd = Command::new(&command.program);
        cmd.args(&command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &command.envs {
            cmd.env(k, v);
        }
        let mut process = cmd.spawn()?;
        let missing = |what: &str| std::io::Error::other(format!("the child has no {what}"));
        let stdin = process.stdin.take().ok_or_else(|| missing("stdin"))?;
        let stdout = process.stdout.take().ok_or_else(|| missing("stdout"))?;
        let stderr = process.stderr.take().ok_or_else(|| missing("stderr"))?;
        let last_words: Arc<Mutex<String>> = Arc::default();
        let last = last_words.clone();
        let stderr = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !line.trim().is_empty() {
                    if let Ok(mut l) = last.lock() {
                        *l = line;
                    }
                }
            }
        });
        Ok((
            Self {
                process,
                input: ChildInput(Arc::new(Mutex::new(Some(stdin)))),
                last_words,
                stderr: Some(stderr),
            },
            stdout,
        ))
    }

    /// Its stdin, to write lines to.
    pub fn input(&self) -> ChildInput {
        self.input.clone()
    }

    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// The last non-empty line it wrote to stderr (empty when none).
    pub fn last_words(&self) -> String {
        self.last_words
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// Whether the process has not exited yet.
    pub fn alive(&mut self) -> bool {
        matches!(self.process.try_wait(), Ok(None))
    }

    /// Waits for it to exit (after its stdout closed, this is at once) and
    /// for its stderr to be read to the end, so [`last_words`](Self::last_words)
    /// is complete.
    pub fn wait(&mut self) {
        let _ = self.process.wait();
        if let Some(reader) = self.stderr.take() {
            let _ = reader.join();
        }
    }

    /// Ends the process if it is still running, and reaps it.
    pub fn bury(mut self) {
        self.input.close();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A child's stdout as lines, until it closes.
pub fn lines(stdout: ChildStdout) -> impl Iterator<Item = String> {
    BufReader::new(stdout).lines().map_while(Result::ok)
}
