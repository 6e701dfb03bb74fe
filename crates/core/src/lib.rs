//! Wenshu core: everything the `wenshu` CLI and the desktop app share.
//!
//! Nouns first — [`engine`] (text generation), [`models`] (model files and the
//! catalog), [`prompts`] (prompt files), [`text`] (language, segmentation,
//! Hong Kong Traditional), [`store`] (SQLite) — then the verbs in [`tasks`]
//! that use them, and [`batch`] for whole folders (documents come from the
//! `wenshu-documents` crate, re-exported as [`documents`]). [`session`] is
//! the service layer both shells call; [`error`] gives every error its
//! code. No GUI and no argument parsing live here.

pub mod batch;
pub mod bench;
pub mod checks;
pub mod child;
pub mod engine;
pub mod error;
pub mod models;
pub mod prompts;
pub mod session;
pub mod settings;
pub mod store;
pub mod tasks;
pub mod text;
pub mod worker;

pub use wenshu_documents as documents;
