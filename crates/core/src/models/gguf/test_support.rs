//! Test support: building GGUF files byte by byte, valid or precisely
//! damaged, for the tests of the reader, the validator and the hasher.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use super::reader::{T_STRING, T_U32};
use super::{GgufSummary, ModelFileError};

/// Writes GGUF bytes field by field, so tests can build valid files and
/// damage them precisely.
#[derive(Default)]
pub(super) struct Gguf {
    pub(super) bytes: Vec<u8>,
}

impl Gguf {
    pub(super) fn header(version: u32, n_tensors: u64, n_kv: u64) -> Self {
        let mut g = Gguf::default();
        g.raw(b"GGUF").u32(version).u64(n_tensors).u64(n_kv);
        g
    }
    pub(super) fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(b);
        self
    }
    pub(super) fn u32(&mut self, v: u32) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }
    pub(super) fn u64(&mut self, v: u64) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }
    pub(super) fn str(&mut self, s: &str) -> &mut Self {
        self.u64(s.len() as u64).raw(s.as_bytes())
    }
    pub(super) fn kv_str(&mut self, key: &str, value: &str) -> &mut Self {
        self.str(key).u32(T_STRING).str(value)
    }
    pub(super) fn kv_u32(&mut self, key: &str, value: u32) -> &mut Self {
        self.str(key).u32(T_U32).u32(value)
    }
    pub(super) fn tensor(&mut self, name: &str, dims: &[u64], ty: u32, offset: u64) -> &mut Self {
        self.str(name).u32(dims.len() as u32);
        for &d in dims {
            self.u64(d);
        }
        self.u32(ty).u64(offset)
    }
    pub(super) fn pad_to(&mut self, alignment: usize) -> &mut Self {
        let len = self.bytes.len();
        self.bytes.resize(len.next_multiple_of(alignment), 0);
        self
    }
    pub(super) fn len(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// The tiny valid model: two metadata pairs and two F32 tensors,
/// `a` of 4×2 (32 bytes) and `b` of 3 (12 bytes, at offset 32).
/// Returns the bytes and the data section's offset.
pub(super) fn tiny() -> (Vec<u8>, u64) {
    let mut g = Gguf::header(3, 2, 2);
    g.kv_str("general.architecture", "llama")
        .kv_u32("llama.context_length", 128)
        .tensor("a", &[4, 2], 0, 0)
        .tensor("b", &[3], 0, 32)
        .pad_to(32);
    let data_offset = g.len();
    for i in 0..11u32 {
        g.raw(&(i as f32).to_le_bytes());
    }
    (g.bytes, data_offset)
}

pub(super) fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    let mut f = File::create(&path).expect("create test file");
    f.write_all(bytes).expect("write test file");
    path
}

pub(super) fn corrupt_reason(result: Result<GgufSummary, ModelFileError>) -> String {
    match result {
        Err(ModelFileError::Corrupt { reason, .. }) => reason,
        other => panic!("expected Corrupt, got {other:?}"),
    }
}
