//! Wenshu core: everything the `wenshu` CLI and the desktop app share.
//!
//! Nouns first — [`engine`] (text generation), [`models`] (model files and the
//! catalog), [`prompts`] (prompt files), [`text`] (language, segmentation,
//! Hong Kong Traditional), [`store`] (SQLite) — then the verbs in [`tasks`]
//! that use them, and [`batch`] for whole folders (documents come from the
//! `wenshu-documents` crate, re-exported as [`documents`]). No GUI
//! and no argument parsing live here.

pub mod batch;
pub mod bench;
pub mod checks;
pub mod engine;
pub mod models;
pub mod prompts;
pub mod settings;
pub mod store;
pub mod tasks;
pub mod text;
pub mod worker;

pub use wenshu_documents as documents;
