//! Integration tests of the `wenshu` CLI and core against the real demo model.
//!
//! One binary, so the model is loaded once per process and shared. The demo
//! model is provisioned by `models/fetch-demo` (CI runs it first); a missing
//! model fails these tests with that instruction, never skips them.
//!
//! Modules:
//! - `util`      shared engine, paths, sample documents, a tiny GGUF writer
//! - `model`     real-model behaviour: determinism, streaming, structure, script, cancel, long input
//! - `files`     broken model files each give their own clear error (no model needed)
//! - `cli`       the binary end to end: exit codes, --json, stdin
//! - `history`   runs in SQLite: provenance, search, rerun, glossary, concurrency, kill -9, purge, masking
//! - `batch`     documents in and out, folder jobs: bad files, SIGKILL and resume, review copies
//! - `worker`    the supervised model process: kill -9 mid-generation, restart, start errors
//! - `check`     `wenshu check` on .docx pairs: exit codes, JSON, the HTML report in a real browser
//! - `word`      .docx formatting through --pseudo and the demo model: spans, links, fields, note marks, the paragraphs to check
//! - `instruct`  chat style on a real instruct model (Qwen2.5-Coder-1.5B-Instruct): every task, placeholders, Stop, rerun, checks

// A test binary: its helpers may panic like its tests (clippy.toml
// allows `unwrap` in `#[test]` functions only).
#![allow(clippy::unwrap_used)]

mod util;

mod batch;
mod check;
mod cli;
mod files;
mod history;
mod instruct;
mod model;
mod word;
mod worker;
