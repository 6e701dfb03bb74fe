//! Model files and the model catalog.
//!
//! [`gguf`] checks a model file in pure Rust before llama.cpp loads it (a
//! broken file would otherwise abort the process) and hashes files;
//! [`catalog`] reads `models/catalog.toml`, the list of models Wenshu knows
//! with their checksums, licences and prompt styles. Model weights are data
//! the user provisions, never bundled code.

pub mod catalog;
pub mod gguf;
pub mod locate;

pub use catalog::{Catalog, CatalogEntry, CatalogError, PromptStyle, BUILTIN_CATALOG};
pub use gguf::{
    estimate_memory_bytes, sha256_file, validate, verify_sha256, GgufSummary, ModelFileError,
};
pub use locate::{find_model, load_catalog, model_dirs, ModelMissing};
