//! Checks a GGUF model file in pure Rust before llama.cpp ever sees it, and
//! hashes model files.
//!
//! llama.cpp answers some broken files with a `GGML_ASSERT` that aborts the
//! whole process, and others with a bare "failed to load model". Here every
//! way a file can be wrong — missing, a folder, empty, not GGUF, an old or
//! foreign-endian GGUF, damaged metadata, cut short — becomes its own
//! [`ModelFileError`] whose message tells the user what to do.
//!
//! # Why a reader of our own
//!
//! The `ggus` crate (0.5.1) was evaluated and rejected: it reads value-type
//! and tensor-type tags straight into Rust enums (undefined behaviour on an
//! unknown tag), sizes `IndexMap`s from the declared counts (a count of 2^60
//! aborts on allocation), slices the tensor data with the declared length (a
//! truncated file panics, which is the very case we must report) and has
//! `todo!()` in its type-size table. Making it safe would mean checking every
//! byte before handing it over, which is a parser in itself. So this module
//! reads the header with a small streaming reader that:
//!
//! - reads only the header region (metadata and tensor infos), never the
//!   tensor data, through a buffered file reader — no memory map, no `unsafe`;
//! - checks every declared length against fixed sanity limits and against the
//!   bytes left in the file *before* reading or allocating anything;
//! - keeps only short previews of metadata values, except the few strings the
//!   summary needs whole (architecture, name, chat template);
//! - applies the same structural rules as llama.cpp's own `gguf.cpp` (no
//!   nested arrays, power-of-two `general.alignment` of type u32, at most four
//!   dimensions, tensor names under 64 bytes, tensors stored in order at
//!   aligned offsets), so a file that passes here is one llama.cpp will parse.
//!
//! The format is GGUF versions 2 and 3, little-endian: magic `GGUF`, version
//! u32, tensor count u64, metadata count u64, the metadata key/value pairs,
//! the tensor infos, padding to the alignment, then the tensor data.

mod error;
mod hash;
mod memory;
mod reader;
#[cfg(test)]
mod test_support;
mod validate;

pub use error::ModelFileError;
pub use hash::{sha256_file, verify_sha256};
pub use memory::estimate_memory_bytes;
pub use validate::{validate, GgufSummary};
