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

// TEMP(split): replaced by `coded!` in gguf once the gguf split lands.
impl ModelFileError {
    pub const CODES: &'static [&'static str] = &[
        "model_missing",
        "model_not_a_file",
        "model_unreadable",
        "model_empty",
        "model_wrong_magic",
        "model_unsupported_version",
        "model_truncated",
        "model_corrupt",
        "model_checksum_mismatch",
    ];
}

impl wenshu_error::Coded for ModelFileError {
    fn code(&self) -> &'static str {
        ModelFileError::code(self)
    }
    fn kind(&self) -> wenshu_error::Kind {
        wenshu_error::Kind::Usage
    }
    fn fix(&self) -> Option<wenshu_error::Fix> {
        Some(wenshu_error::Fix::choose(wenshu_error::Setting::Model))
    }
}
