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

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Every model-file problem Wenshu can report, each with the fix in its message.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    /// Nothing exists at the path.
    #[error(
        "model file not found: {}; check the path or run models/fetch-demo for the demo model",
        path.display()
    )]
    Missing { path: PathBuf },
    /// The path is a folder or a device, not a regular file.
    #[error(
        "model path is not a file: {}; give the path of the .gguf file itself",
        path.display()
    )]
    NotAFile { path: PathBuf },
    /// The file exists but cannot be opened or read (permissions, I/O error).
    #[error(
        "cannot read model file {}; check that your account may read it and that its disk is attached",
        path.display()
    )]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file has zero bytes.
    #[error(
        "model file is empty (0 bytes): {}; the copy or download failed, re-copy it or pick another model",
        path.display()
    )]
    Empty { path: PathBuf },
    /// The file does not start with `GGUF`; `found` shows its first bytes.
    #[error(
        "not a GGUF model file: {} starts with {found} instead of \"GGUF\"; pick the .gguf model file itself",
        path.display()
    )]
    WrongMagic { path: PathBuf, found: String },
    /// A GGUF version other than 2 or 3 (or a big-endian file).
    #[error("{}", unsupported_version_message(path, *version))]
    UnsupportedVersion { path: PathBuf, version: u32 },
    /// The file ends before the data it declares. `expected` is the exact
    /// size the file must have when its header is complete, or the least size
    /// the header itself needs when the file ends inside the header.
    #[error(
        "model file is truncated: expected at least {expected} bytes, found {found} ({}); re-copy it or pick another model",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    /// The header is inconsistent: impossible counts, bad strings, unknown types.
    #[error(
        "model file is damaged: {}: {reason}; re-copy it or pick another model",
        path.display()
    )]
    Corrupt { path: PathBuf, reason: String },
    /// The file's sha256 is not the one the catalog (or the user) expects.
    #[error(
        "model file does not match its checksum: {}: expected sha256 {expected}, got {actual}; \
         the file is damaged or a different release, re-copy it or pick another model",
        path.display()
    )]
    ChecksumMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
}

impl ModelFileError {
    /// Stable machine-readable code, used by the CLI's JSON and the desktop UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "model_missing",
            Self::NotAFile { .. } => "model_not_a_file",
            Self::Unreadable { .. } => "model_unreadable",
            Self::Empty { .. } => "model_empty",
            Self::WrongMagic { .. } => "model_wrong_magic",
            Self::UnsupportedVersion { .. } => "model_unsupported_version",
            Self::Truncated { .. } => "model_truncated",
            Self::Corrupt { .. } => "model_corrupt",
            Self::ChecksumMismatch { .. } => "model_checksum_mismatch",
        }
    }

    /// The path of the file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Missing { path }
            | Self::NotAFile { path }
            | Self::Unreadable { path, .. }
            | Self::Empty { path }
            | Self::WrongMagic { path, .. }
            | Self::UnsupportedVersion { path, .. }
            | Self::Truncated { path, .. }
            | Self::Corrupt { path, .. }
            | Self::ChecksumMismatch { path, .. } => path,
        }
    }
}

fn unsupported_version_message(path: &Path, version: u32) -> String {
    // A little-endian reader sees a big-endian version 3 as 0x03000000: the
    // low half is zero for every plausible version (llama.cpp uses the same test).
    let why = if version != 0 && version & 0xFFFF == 0 {
        "it looks like a big-endian GGUF, made for another kind of computer"
    } else if version == 1 {
        "GGUF version 1 is obsolete"
    } else {
        "Wenshu reads GGUF versions 2 and 3"
    };
    format!(
        "model file {} uses GGUF version {version}, which Wenshu cannot read ({why}); \
         download a current GGUF of the model or pick another model",
        path.display()
    )
}

/// What [`validate`] learned about a GGUF file.
#[derive(Debug, Clone, Serialize)]
pub struct GgufSummary {
    pub path: PathBuf,
    pub file_name: String,
    /// Size of the file on disk.
    pub file_size: u64,
    /// Aligned start of the tensor data plus the end of the furthest tensor:
    /// the least size a complete file has.
    pub expected_size: u64,
    pub version: u32,
    pub n_tensors: u64,
    pub n_kv: u64,
    /// `general.architecture`, e.g. `gemma3`, `qwen2`, `llama`.
    pub architecture: Option<String>,
    /// `general.name`.
    pub name: Option<String>,
    /// `{architecture}.context_length`: the context the model was trained for.
    pub context_length: Option<u64>,
    /// `{architecture}.block_count`: number of transformer layers.
    pub block_count: Option<u64>,
    /// `general.file_type`: llama.cpp's quantisation mix (15 = Q4_K_M).
    pub file_type: Option<u32>,
    /// Sum of the element counts of all tensors.
    pub parameter_count: Option<u64>,
    /// `tokenizer.chat_template`, whole; `None` for base models.
    pub chat_template: Option<String>,
    /// Every metadata key, in file order, with a short display value: integers
    /// and floats as decimal text, strings cut to 80 characters,
    /// arrays as `[array of N u32]`.
    pub metadata: Vec<(String, String)>,
}

impl GgufSummary {
    /// The display value of a metadata key, if present.
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A scalar integer metadata value (arrays and strings give `None`).
    pub fn metadata_u64(&self, key: &str) -> Option<u64> {
        self.metadata_value(key)?.parse().ok()
    }

    /// `{architecture}.{suffix}` as an integer, e.g. `arch_u64("block_count")`.
    pub fn arch_u64(&self, suffix: &str) -> Option<u64> {
        let arch = self.architecture.as_deref()?;
        self.metadata_u64(&format!("{arch}.{suffix}"))
    }
}

/// Sanity limits that no real model comes near; anything above them is a
/// damaged length field, reported as corruption rather than truncation.
mod limits {
    /// Metadata pairs: real models have well under a hundred.
    pub const KV_COUNT: u64 = 1 << 16;
    /// Tensors: the largest mixture-of-experts models have a few thousand.
    pub const TENSOR_COUNT: u64 = 1 << 20;
    /// A metadata key or tensor name as read (real keys are under 100 bytes;
    /// the bound keeps 65,536 keys from holding gigabytes).
    pub const KEY_LEN: u64 = 4096;
    /// A metadata string value (chat templates are tens of kilobytes).
    pub const STRING_LEN: u64 = 64 << 20;
    /// Elements of one metadata array (vocabularies are ~260k tokens).
    pub const ARRAY_LEN: u64 = 1 << 32;
    /// llama.cpp's `GGML_MAX_NAME` is 64 bytes including the NUL.
    pub const TENSOR_NAME_LEN: u64 = 63;
    /// llama.cpp's `GGML_MAX_DIMS`.
    pub const DIMS: u32 = 4;
}

const MAGIC: [u8; 4] = *b"GGUF";
/// Magic, version, tensor count, metadata count.
const HEADER_LEN: u64 = 24;
const DEFAULT_ALIGNMENT: u64 = 32;
/// Characters kept of a string metadata value for display.
const PREVIEW_CHARS: usize = 80;
/// Bytes read of a string we only preview: 80 characters of up to 4 bytes.
const PREVIEW_BYTES: u64 = 4 * PREVIEW_CHARS as u64;
/// String values the summary needs whole rather than as a preview.
const WHOLE_STRINGS: [&str; 3] = [
    "general.architecture",
    "general.name",
    "tokenizer.chat_template",
];

// GGUF metadata value types.
const T_U8: u32 = 0;
const T_I8: u32 = 1;
const T_U16: u32 = 2;
const T_I16: u32 = 3;
const T_U32: u32 = 4;
const T_I32: u32 = 5;
const T_F32: u32 = 6;
const T_BOOL: u32 = 7;
const T_STRING: u32 = 8;
const T_ARRAY: u32 = 9;
const T_U64: u32 = 10;
const T_I64: u32 = 11;
const T_F64: u32 = 12;

fn value_type_name(ty: u32) -> &'static str {
    match ty {
        T_U8 => "u8",
        T_I8 => "i8",
        T_U16 => "u16",
        T_I16 => "i16",
        T_U32 => "u32",
        T_I32 => "i32",
        T_F32 => "f32",
        T_BOOL => "bool",
        T_STRING => "string",
        T_ARRAY => "array",
        T_U64 => "u64",
        T_I64 => "i64",
        T_F64 => "f64",
        _ => "unknown",
    }
}

/// Byte size of a fixed-size metadata value type.
fn fixed_value_size(ty: u32) -> Option<u64> {
    match ty {
        T_U8 | T_I8 | T_BOOL => Some(1),
        T_U16 | T_I16 => Some(2),
        T_U32 | T_I32 | T_F32 => Some(4),
        T_U64 | T_I64 | T_F64 => Some(8),
        _ => None,
    }
}

/// `(elements per block, bytes per block)` of a ggml tensor type, as in the
/// llama.cpp that Wenshu links (`GGML_TYPE_COUNT` = 43). Gaps are types that
/// llama.cpp removed and refuses to load; a test checks this table against
/// the linked library so an upgrade that adds types cannot go unnoticed.
pub(crate) fn ggml_type_layout(ty: u32) -> Option<(u64, u64)> {
    const QK_K: u64 = 256;
    let layout = match ty {
        0 => (1, 4),       // F32
        1 => (1, 2),       // F16
        2 => (32, 18),     // Q4_0
        3 => (32, 20),     // Q4_1
        6 => (32, 22),     // Q5_0
        7 => (32, 24),     // Q5_1
        8 => (32, 34),     // Q8_0
        9 => (32, 36),     // Q8_1
        10 => (QK_K, 84),  // Q2_K
        11 => (QK_K, 110), // Q3_K
        12 => (QK_K, 144), // Q4_K
        13 => (QK_K, 176), // Q5_K
        14 => (QK_K, 210), // Q6_K
        15 => (QK_K, 292), // Q8_K
        16 => (QK_K, 66),  // IQ2_XXS
        17 => (QK_K, 74),  // IQ2_XS
        18 => (QK_K, 98),  // IQ3_XXS
        19 => (QK_K, 50),  // IQ1_S
        20 => (32, 18),    // IQ4_NL
        21 => (QK_K, 110), // IQ3_S
        22 => (QK_K, 82),  // IQ2_S
        23 => (QK_K, 136), // IQ4_XS
        24 => (1, 1),      // I8
        25 => (1, 2),      // I16
        26 => (1, 4),      // I32
        27 => (1, 8),      // I64
        28 => (1, 8),      // F64
        29 => (QK_K, 56),  // IQ1_M
        30 => (1, 2),      // BF16
        34 => (QK_K, 54),  // TQ1_0
        35 => (QK_K, 66),  // TQ2_0
        39 => (32, 17),    // MXFP4
        40 => (64, 36),    // NVFP4
        41 => (128, 18),   // Q1_0
        42 => (64, 18),    // Q2_0
        _ => return None,
    };
    Some(layout)
}

/// One metadata value, kept small: arrays are only counted and long strings
/// only previewed.
enum Value {
    Unsigned(u64),
    Signed(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    Str { text: String, cut: bool },
    Array { elem: u32, len: u64 },
}

impl Value {
    fn display(&self) -> String {
        match self {
            Value::Unsigned(v) => v.to_string(),
            Value::Signed(v) => v.to_string(),
            Value::F32(v) => v.to_string(),
            Value::F64(v) => v.to_string(),
            Value::Bool(v) => v.to_string(),
            Value::Str { text, cut } => preview(text, *cut),
            Value::Array { elem, len } => format!("[array of {len} {}]", value_type_name(*elem)),
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Unsigned(v) => Some(*v),
            Value::Signed(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }

    fn into_string(self) -> Option<String> {
        match self {
            Value::Str { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// A one-line display form of a string: control characters escaped or
/// replaced so a chat template does not break a table, cut to 80 characters.
fn preview(text: &str, already_cut: bool) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(PREVIEW_CHARS) {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    if already_cut || chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Bounded, position-tracking reader over the header region of the file.
struct HeaderReader<'a> {
    src: BufReader<File>,
    pos: u64,
    len: u64,
    path: &'a Path,
}

impl<'a> HeaderReader<'a> {
    fn corrupt(&self, reason: String) -> ModelFileError {
        ModelFileError::Corrupt {
            path: self.path.to_path_buf(),
            reason,
        }
    }

    /// Fails unless `n` more bytes exist, so no read or allocation is ever
    /// sized by a number the file has not backed with bytes.
    fn need(&self, n: u64) -> Result<(), ModelFileError> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.len => Ok(()),
            Some(end) => Err(ModelFileError::Truncated {
                path: self.path.to_path_buf(),
                expected: end,
                found: self.len,
            }),
            None => Err(self.corrupt(format!(
                "a field at byte {} declares {n} bytes, more than any file holds",
                self.pos
            ))),
        }
    }

    fn io_error(&self, err: io::Error, wanted: u64) -> ModelFileError {
        if err.kind() == io::ErrorKind::UnexpectedEof {
            // The file shrank while we read it: report what we know.
            ModelFileError::Truncated {
                path: self.path.to_path_buf(),
                expected: self.pos.saturating_add(wanted),
                found: self.len,
            }
        } else {
            ModelFileError::Unreadable {
                path: self.path.to_path_buf(),
                source: err,
            }
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelFileError> {
        let n = N as u64;
        self.need(n)?;
        let mut buf = [0u8; N];
        self.src
            .read_exact(&mut buf)
            .map_err(|e| self.io_error(e, n))?;
        self.pos += n;
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32, ModelFileError> {
        self.array::<4>().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, ModelFileError> {
        self.array::<8>().map(u64::from_le_bytes)
    }

    /// Reads `n` bytes; callers bound `n` by a sanity limit first.
    fn bytes(&mut self, n: u64) -> Result<Vec<u8>, ModelFileError> {
        self.need(n)?;
        let size = usize::try_from(n)
            .map_err(|_| self.corrupt(format!("a field of {n} bytes is too large")))?;
        let mut buf = vec![0u8; size];
        self.src
            .read_exact(&mut buf)
            .map_err(|e| self.io_error(e, n))?;
        self.pos += n;
        Ok(buf)
    }

    fn skip(&mut self, n: u64) -> Result<(), ModelFileError> {
        self.need(n)?;
        // `need` bounds n by the file length, which fits in i64 on every
        // file system; the fallback only guards the conversion.
        let step = i64::try_from(n).map_err(|_| self.corrupt(format!("cannot skip {n} bytes")))?;
        self.src
            .seek_relative(step)
            .map_err(|e| self.io_error(e, n))?;
        self.pos += n;
        Ok(())
    }

    /// Reads a count or length field and checks it against a sanity limit
    /// and against the bytes left, given the least bytes one unit takes.
    fn count(&mut self, what: &str, max: u64, min_unit: u64) -> Result<u64, ModelFileError> {
        let at = self.pos;
        let n = self.u64()?;
        if n > max {
            return Err(self.corrupt(format!(
                "{what} at byte {at} is {n}, more than the {max} any real model has"
            )));
        }
        // n ≤ 2^32 and min_unit ≤ 8, so the product cannot overflow.
        self.need(n * min_unit)?;
        Ok(n)
    }

    /// Reads a whole length-prefixed string (lossy UTF-8, as llama.cpp does
    /// not require valid UTF-8 either).
    fn string(&mut self, what: &str, max: u64) -> Result<String, ModelFileError> {
        let n = self.count(what, max, 1)?;
        let raw = self.bytes(n)?;
        Ok(String::from_utf8_lossy(&raw).into_owned())
    }

    /// Reads the start of a string and skips the rest.
    fn string_preview(&mut self, what: &str) -> Result<Value, ModelFileError> {
        let n = self.count(what, limits::STRING_LEN, 1)?;
        let keep = n.min(PREVIEW_BYTES);
        let raw = self.bytes(keep)?;
        self.skip(n - keep)?;
        Ok(Value::Str {
            text: String::from_utf8_lossy(&raw).into_owned(),
            cut: keep < n,
        })
    }

    fn scalar(&mut self, key: &str, ty: u32) -> Result<Value, ModelFileError> {
        let at = self.pos;
        Ok(match ty {
            T_U8 => Value::Unsigned(u64::from(self.array::<1>()?[0])),
            T_I8 => Value::Signed(i64::from(i8::from_le_bytes(self.array::<1>()?))),
            T_U16 => Value::Unsigned(u64::from(u16::from_le_bytes(self.array::<2>()?))),
            T_I16 => Value::Signed(i64::from(i16::from_le_bytes(self.array::<2>()?))),
            T_U32 => Value::Unsigned(u64::from(self.u32()?)),
            T_I32 => Value::Signed(i64::from(i32::from_le_bytes(self.array::<4>()?))),
            T_F32 => Value::F32(f32::from_le_bytes(self.array::<4>()?)),
            // llama.cpp reads any non-zero byte as true; so do we.
            T_BOOL => Value::Bool(self.array::<1>()?[0] != 0),
            T_U64 => Value::Unsigned(self.u64()?),
            T_I64 => Value::Signed(i64::from_le_bytes(self.array::<8>()?)),
            T_F64 => Value::F64(f64::from_le_bytes(self.array::<8>()?)),
            other => {
                return Err(self.corrupt(format!(
                    "metadata '{key}' has unknown value type {other} (type field ends at byte {at})"
                )));
            }
        })
    }

    /// Reads one metadata value of type `ty` for `key`.
    fn value(&mut self, key: &str, ty: u32) -> Result<Value, ModelFileError> {
        match ty {
            T_STRING if WHOLE_STRINGS.contains(&key) => {
                let text = self.string(
                    &format!("length of the value of '{key}'"),
                    limits::STRING_LEN,
                )?;
                Ok(Value::Str { text, cut: false })
            }
            T_STRING => self.string_preview(&format!("length of the value of '{key}'")),
            T_ARRAY => {
                let at = self.pos;
                let elem = self.u32()?;
                let min_unit = match elem {
                    T_STRING => 8,
                    T_ARRAY => {
                        return Err(self.corrupt(format!(
                            "metadata '{key}' at byte {at} is an array of arrays, which llama.cpp does not accept"
                        )))
                    }
                    other => fixed_value_size(other).ok_or_else(|| {
                        self.corrupt(format!(
                            "metadata '{key}' at byte {at} is an array of unknown type {other}"
                        ))
                    })?,
                };
                let len = self.count(
                    &format!("length of the array '{key}'"),
                    limits::ARRAY_LEN,
                    min_unit,
                )?;
                if elem == T_STRING {
                    for _ in 0..len {
                        let n = self.count(
                            &format!("length of a string in the array '{key}'"),
                            limits::STRING_LEN,
                            1,
                        )?;
                        self.skip(n)?;
                    }
                } else {
                    // len ≤ 2^32 and min_unit ≤ 8: no overflow.
                    self.skip(len * min_unit)?;
                }
                Ok(Value::Array { elem, len })
            }
            _ => self.scalar(key, ty),
        }
    }
}

/// Opens a model file after checking that it exists, is a regular file and
/// is not empty; returns the file and its length.
fn open_model(path: &Path) -> Result<(File, u64), ModelFileError> {
    let unreadable = |source: io::Error| {
        if source.kind() == io::ErrorKind::NotFound {
            ModelFileError::Missing {
                path: path.to_path_buf(),
            }
        } else {
            ModelFileError::Unreadable {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(ModelFileError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(unreadable)?;
    let len = meta.len();
    if len == 0 {
        return Err(ModelFileError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok((file, len))
}

/// Shows the first bytes of a non-GGUF file as hex and text, with a guess at
/// what the file is when the guess points at a common mistake.
fn describe_start(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let text: String = bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    let guess = if bytes.starts_with(b"version ") {
        Some("a Git LFS pointer, not the model: fetch the real file with git lfs pull")
    } else if bytes.starts_with(b"<") {
        Some("a web page: the download probably failed")
    } else if bytes.starts_with(b"{") || bytes.starts_with(b"[") {
        Some("a JSON file")
    } else if bytes.starts_with(b"PK") {
        Some("a zip archive: unpack it first")
    } else if [b"tjgg", b"lmgg", b"fmgg"]
        .iter()
        .any(|m| bytes.starts_with(*m))
    {
        // GGML's old magics 'ggjt', 'ggml', 'ggmf' were written as
        // little-endian u32s, so they appear reversed on disk.
        Some("an old GGML model, which llama.cpp no longer reads")
    } else if bytes.starts_with(&[0x80]) {
        Some("a PyTorch checkpoint: convert it to GGUF first")
    } else if bytes.len() >= 8 && bytes[..8].iter().all(|&b| b == 0) {
        Some("zeros: the copy did not finish")
    } else {
        None
    };
    match guess {
        Some(guess) => format!("{} \"{text}\" (looks like {guess})", hex.join(" ")),
        None => format!("{} \"{text}\"", hex.join(" ")),
    }
}

/// Checks a GGUF model file's header, metadata and tensor table, and that the
/// file is long enough for the tensor data they declare.
///
/// `expected_size` is the aligned start of the tensor data
/// (`general.alignment`, default 32) plus the end of the furthest tensor
/// (its offset plus its byte size from the ggml type's block size); a file
/// shorter than that is [`ModelFileError::Truncated`]. Only the header region
/// is read, in small buffered pieces, never the tensor data.
///
/// # Errors
///
/// One [`ModelFileError`] variant per problem: missing, not a file,
/// unreadable, empty, wrong magic, unsupported version, truncated (in the
/// header or in the data), or corrupt (impossible counts or lengths, unknown
/// value or tensor types, duplicate keys or names, misplaced tensors).
pub fn validate(path: &Path) -> Result<GgufSummary, ModelFileError> {
    let (file, len) = open_model(path)?;
    let mut r = HeaderReader {
        src: BufReader::with_capacity(64 * 1024, file),
        pos: 0,
        len,
        path,
    };

    // Magic: a short file that starts like "GGUF" is a cut GGUF, anything
    // else is some other kind of file.
    let head_len = len.min(8) as usize;
    let mut head = [0u8; 8];
    r.src
        .read_exact(&mut head[..head_len])
        .map_err(|e| r.io_error(e, head_len as u64))?;
    let head = &head[..head_len];
    let magic_len = head.len().min(4);
    if head[..magic_len] != MAGIC[..magic_len] {
        return Err(ModelFileError::WrongMagic {
            path: path.to_path_buf(),
            found: describe_start(head),
        });
    }
    let version = match *head {
        [_, _, _, _, a, b, c, d] => Some(u32::from_le_bytes([a, b, c, d])),
        _ => None,
    };
    if let Some(version) = version.filter(|v| *v != 2 && *v != 3) {
        return Err(ModelFileError::UnsupportedVersion {
            path: path.to_path_buf(),
            version,
        });
    }
    let (Some(version), true) = (version, len >= HEADER_LEN) else {
        return Err(ModelFileError::Truncated {
            path: path.to_path_buf(),
            expected: HEADER_LEN,
            found: len,
        });
    };
    // The eight bytes already read are the magic and the version.
    r.pos = 8;

    // Cheap early check that the declared counts fit in the file: a tensor
    // info takes at least 8 (name length) + 4 (dims) + 4 (type) + 8 (offset)
    // bytes, a pair 8 (key length) + 1 (key) + 4 (type) + 1 (value).
    let n_tensors = r.count("tensor count", limits::TENSOR_COUNT, 0)?;
    let n_kv = r.count("metadata count", limits::KV_COUNT, 0)?;
    r.need(n_kv * 14 + n_tensors * 24)?;

    let mut seen_keys: HashSet<String> = HashSet::new();
    let mut metadata = Vec::new();
    let mut alignment = DEFAULT_ALIGNMENT;
    let mut architecture = None;
    let mut name = None;
    let mut chat_template = None;
    let mut file_type = None;
    let mut integers: Vec<(String, u64)> = Vec::new();
    for _ in 0..n_kv {
        let at = r.pos;
        let key = r.string("length of a metadata key", limits::KEY_LEN)?;
        if key.is_empty() {
            return Err(r.corrupt(format!("metadata key at byte {at} is empty")));
        }
        if !seen_keys.insert(key.clone()) {
            return Err(r.corrupt(format!("metadata key '{key}' appears twice")));
        }
        let ty = r.u32()?;
        let value = r.value(&key, ty)?;
        metadata.push((key.clone(), value.display()));
        match key.as_str() {
            "general.alignment" => {
                // llama.cpp insists on u32 and a power of two.
                let a = match value {
                    Value::Unsigned(a) if ty == T_U32 => a,
                    _ => {
                        return Err(r.corrupt(format!(
                            "general.alignment has type {} but must be u32",
                            value_type_name(ty)
                        )))
                    }
                };
                if !a.is_power_of_two() {
                    return Err(r.corrupt(format!("general.alignment is {a}, not a power of two")));
                }
                alignment = a;
            }
            "general.architecture" => architecture = value.into_string(),
            "general.name" => name = value.into_string(),
            "tokenizer.chat_template" => chat_template = value.into_string(),
            "general.file_type" => file_type = value.as_u64().and_then(|v| u32::try_from(v).ok()),
            _ => {
                if let Some(v) = value.as_u64() {
                    integers.push((key, v));
                }
            }
        }
    }

    let mut seen_names: HashSet<String> = HashSet::new();
    // Running end of the data section, padded after each tensor: llama.cpp
    // requires each tensor to start exactly there.
    let mut data_len: u64 = 0;
    let mut data_end: u64 = 0;
    let mut parameters: u64 = 0;
    for _ in 0..n_tensors {
        let at = r.pos;
        let tname = r.string("length of a tensor name", limits::KEY_LEN)?;
        if tname.len() as u64 > limits::TENSOR_NAME_LEN {
            return Err(r.corrupt(format!(
                "tensor name at byte {at} is {} bytes, llama.cpp allows {}",
                tname.len(),
                limits::TENSOR_NAME_LEN
            )));
        }
        if !seen_names.insert(tname.clone()) {
            return Err(r.corrupt(format!("tensor '{tname}' appears twice")));
        }
        let n_dims = r.u32()?;
        if n_dims > limits::DIMS {
            return Err(r.corrupt(format!(
                "tensor '{tname}' has {n_dims} dimensions, llama.cpp allows {}",
                limits::DIMS
            )));
        }
        let mut dims = [1u64; 4];
        for d in dims.iter_mut().take(n_dims as usize) {
            let raw = r.u64()?;
            // Dimensions are signed 64-bit in ggml; a negative one is damage.
            if i64::try_from(raw).is_err() {
                return Err(r.corrupt(format!("tensor '{tname}' has a negative dimension")));
            }
            *d = raw;
        }
        let ty = r.u32()?;
        let offset = r.u64()?;
        let (block, block_bytes) = ggml_type_layout(ty).ok_or_else(|| {
            r.corrupt(format!(
                "tensor '{tname}' has ggml type {ty}, which the linked llama.cpp does not support \
                 (a removed repacked type, damage, or a model newer than this Wenshu)"
            ))
        })?;
        if dims[0] % block != 0 {
            return Err(r.corrupt(format!(
                "tensor '{tname}' rows have {} elements, not a multiple of its type's block of {block}",
                dims[0]
            )));
        }
        let too_big = || r.corrupt(format!("tensor '{tname}' is impossibly large"));
        let elements = dims
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
            .filter(|&n| i64::try_from(n).is_ok())
            .ok_or_else(too_big)?;
        let nbytes = (elements / block)
            .checked_mul(block_bytes)
            .ok_or_else(too_big)?;
        if offset != data_len {
            return Err(r.corrupt(format!(
                "tensor '{tname}' starts at data offset {offset}, but the tensors before it end at {data_len}"
            )));
        }
        let end = offset.checked_add(nbytes).ok_or_else(too_big)?;
        data_end = data_end.max(end);
        data_len = align_up(end, alignment).ok_or_else(too_big)?;
        parameters = parameters.saturating_add(elements);
    }

    let data_offset = if n_tensors > 0 {
        align_up(r.pos, alignment).ok_or_else(|| r.corrupt("bad alignment".into()))?
    } else {
        r.pos
    };
    let expected_size = data_offset
        .checked_add(data_end)
        .ok_or_else(|| r.corrupt("the tensor data is impossibly large".into()))?;
    if len < expected_size {
        return Err(ModelFileError::Truncated {
            path: path.to_path_buf(),
            expected: expected_size,
            found: len,
        });
    }

    let arch_int = |suffix: &str| {
        let arch = architecture.as_deref()?;
        let key = format!("{arch}.{suffix}");
        integers.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    };
    Ok(GgufSummary {
        path: path.to_path_buf(),
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
        file_size: len,
        expected_size,
        version,
        n_tensors,
        n_kv,
        context_length: arch_int("context_length"),
        block_count: arch_int("block_count"),
        architecture,
        name,
        file_type,
        parameter_count: (n_tensors > 0).then_some(parameters),
        chat_template,
        metadata,
    })
}

fn align_up(pos: u64, alignment: u64) -> Option<u64> {
    let rem = pos % alignment;
    if rem == 0 {
        Some(pos)
    } else {
        pos.checked_add(alignment - rem)
    }
}

/// Streams a file through sha256 in 1 MiB pieces and returns the lowercase
/// hex digest; `progress` receives the bytes hashed so far after each piece.
///
/// # Errors
///
/// [`ModelFileError::Missing`], [`ModelFileError::NotAFile`],
/// [`ModelFileError::Empty`] or [`ModelFileError::Unreadable`].
pub fn sha256_file(path: &Path, progress: &mut dyn FnMut(u64)) -> Result<String, ModelFileError> {
    let (mut file, _) = open_model(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done: u64 = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(ModelFileError::Unreadable {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        hasher.update(&buf[..n]);
        done += n as u64;
        progress(done);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Hashes a file and compares it with `expected` (hex, any case); returns
/// the actual lowercase digest when they match.
///
/// # Errors
///
/// [`ModelFileError::ChecksumMismatch`] when they differ, or any error of
/// [`sha256_file`].
pub fn verify_sha256(
    path: &Path,
    expected: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<String, ModelFileError> {
    let actual = sha256_file(path, progress)?;
    let expected = expected.trim();
    if actual.eq_ignore_ascii_case(expected) {
        Ok(actual)
    } else {
        Err(ModelFileError::ChecksumMismatch {
            path: path.to_path_buf(),
            expected: expected.to_ascii_lowercase(),
            actual,
        })
    }
}

/// Estimates the memory needed to run a model with a context of `n_ctx`
/// tokens: the file size (weights are memory-mapped and all touched) plus an
/// f16 key/value cache.
///
/// The cache is `2 bytes × n_ctx × block_count × head_count_kv ×
/// (key_length + value_length)`, from the `{architecture}.*` metadata, where
/// `key_length` and `value_length` default to `embedding_length /
/// head_count` and `head_count_kv` defaults to `head_count` (no grouped-query
/// attention). Without `block_count` or `embedding_length` only the file size
/// is returned. The figure ignores llama.cpp's compute buffers (tens to a few
/// hundred MB) and sliding-window savings, so keep some headroom.
pub fn estimate_memory_bytes(summary: &GgufSummary, n_ctx: u32) -> u64 {
    summary
        .file_size
        .saturating_add(kv_cache_bytes(summary, n_ctx).unwrap_or(0))
}

fn kv_cache_bytes(summary: &GgufSummary, n_ctx: u32) -> Option<u64> {
    let layers = summary
        .block_count
        .or_else(|| summary.arch_u64("block_count"))?;
    let embedding = summary.arch_u64("embedding_length")?;
    let heads = summary.arch_u64("attention.head_count").filter(|&h| h > 0);
    // Per-layer head counts are stored as arrays in a few models; they then
    // read as absent and the model is treated as having no GQA.
    let kv_heads = summary
        .arch_u64("attention.head_count_kv")
        .or(heads)
        .unwrap_or(1);
    let per_head = heads.map(|h| embedding / h);
    let (key_len, value_len) = match (
        summary.arch_u64("attention.key_length").or(per_head),
        summary.arch_u64("attention.value_length").or(per_head),
    ) {
        (Some(k), Some(v)) => (k, v),
        // Without head geometry, one head of the full width is the same size.
        _ => (embedding, embedding),
    };
    let f16 = 2u64;
    f16.checked_mul(u64::from(n_ctx))?
        .checked_mul(layers)?
        .checked_mul(kv_heads)?
        .checked_mul(key_len.checked_add(value_len)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Writes GGUF bytes field by field, so tests can build valid files and
    /// damage them precisely.
    #[derive(Default)]
    struct Gguf {
        bytes: Vec<u8>,
    }

    impl Gguf {
        fn header(version: u32, n_tensors: u64, n_kv: u64) -> Self {
            let mut g = Gguf::default();
            g.raw(b"GGUF").u32(version).u64(n_tensors).u64(n_kv);
            g
        }
        fn raw(&mut self, b: &[u8]) -> &mut Self {
            self.bytes.extend_from_slice(b);
            self
        }
        fn u32(&mut self, v: u32) -> &mut Self {
            self.raw(&v.to_le_bytes())
        }
        fn u64(&mut self, v: u64) -> &mut Self {
            self.raw(&v.to_le_bytes())
        }
        fn str(&mut self, s: &str) -> &mut Self {
            self.u64(s.len() as u64).raw(s.as_bytes())
        }
        fn kv_str(&mut self, key: &str, value: &str) -> &mut Self {
            self.str(key).u32(T_STRING).str(value)
        }
        fn kv_u32(&mut self, key: &str, value: u32) -> &mut Self {
            self.str(key).u32(T_U32).u32(value)
        }
        fn tensor(&mut self, name: &str, dims: &[u64], ty: u32, offset: u64) -> &mut Self {
            self.str(name).u32(dims.len() as u32);
            for &d in dims {
                self.u64(d);
            }
            self.u32(ty).u64(offset)
        }
        fn pad_to(&mut self, alignment: usize) -> &mut Self {
            let len = self.bytes.len();
            self.bytes.resize(len.next_multiple_of(alignment), 0);
            self
        }
        fn len(&self) -> u64 {
            self.bytes.len() as u64
        }
    }

    /// The tiny valid model: two metadata pairs and two F32 tensors,
    /// `a` of 4×2 (32 bytes) and `b` of 3 (12 bytes, at offset 32).
    /// Returns the bytes and the data section's offset.
    fn tiny() -> (Vec<u8>, u64) {
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

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        let mut f = File::create(&path).expect("create test file");
        f.write_all(bytes).expect("write test file");
        path
    }

    fn corrupt_reason(result: Result<GgufSummary, ModelFileError>) -> String {
        match result {
            Err(ModelFileError::Corrupt { reason, .. }) => reason,
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn a_tiny_valid_file_validates_with_its_exact_expected_size() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, data_offset) = tiny();
        // 24 header + pair 1 (8+20+4+8+5) + pair 2 (8+20+4+4) + tensors
        // (8+1+4+16+4+8, 8+1+4+8+4+8) = 174, padded to 192.
        assert_eq!(data_offset, 192);
        let path = write(&dir, "tiny.gguf", &bytes);
        let s = validate(&path).unwrap();
        assert_eq!(s.expected_size, 192 + 32 + 12);
        assert_eq!(s.file_size, s.expected_size);
        assert_eq!(s.version, 3);
        assert_eq!((s.n_tensors, s.n_kv), (2, 2));
        assert_eq!(s.architecture.as_deref(), Some("llama"));
        assert_eq!(s.context_length, Some(128));
        assert_eq!(s.parameter_count, Some(11));
        assert_eq!(s.file_name, "tiny.gguf");
        assert_eq!(s.chat_template, None);
        assert_eq!(
            s.metadata,
            vec![
                ("general.architecture".to_string(), "llama".to_string()),
                ("llama.context_length".to_string(), "128".to_string()),
            ]
        );
    }

    #[test]
    fn the_tiny_file_is_also_accepted_by_llama_cpps_own_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "tiny.gguf", &tiny().0);
        let ctx = llama_cpp_2::gguf::GgufContext::from_file(&path)
            .expect("llama.cpp rejected the file this module accepts");
        assert_eq!((ctx.n_tensors(), ctx.n_kv()), (2, 2));
    }

    #[test]
    fn the_ggml_type_table_matches_the_linked_llama_cpp() {
        let count = llama_cpp_sys_2::GGML_TYPE_COUNT;
        assert_eq!(
            count, 43,
            "llama.cpp's type list changed: update ggml_type_layout"
        );
        for ty in 0..count + 8 {
            let ours = ggml_type_layout(ty);
            if ty >= count {
                assert_eq!(ours, None, "type {ty}");
                continue;
            }
            // SAFETY: both functions only index ggml's static type table,
            // and `ty` is below GGML_TYPE_COUNT.
            let (block, size) = unsafe {
                (
                    llama_cpp_sys_2::ggml_blck_size(ty as _),
                    llama_cpp_sys_2::ggml_type_size(ty as _),
                )
            };
            let theirs = (block > 0).then_some((block as u64, size as u64));
            assert_eq!(ours, theirs, "ggml type {ty}");
        }
    }

    #[test]
    fn trailing_bytes_after_the_last_tensor_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let (mut bytes, _) = tiny();
        bytes.extend_from_slice(&[0; 20]);
        let path = write(&dir, "padded.gguf", &bytes);
        let s = validate(&path).unwrap();
        assert_eq!((s.expected_size, s.file_size), (236, 256));
    }

    #[test]
    fn a_zero_byte_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "empty.gguf", b"");
        assert!(matches!(validate(&path), Err(ModelFileError::Empty { .. })));
        assert!(matches!(
            sha256_file(&path, &mut |_| {}),
            Err(ModelFileError::Empty { .. })
        ));
    }

    #[test]
    fn a_file_cut_after_100_bytes_of_header_is_truncated_at_the_field_it_cuts() {
        let dir = tempfile::tempdir().unwrap();
        let mut g = Gguf::header(3, 0, 2);
        g.kv_str("general.architecture", "llama")
            .kv_str("general.name", "a tiny test model");
        // Pair 1 ends at 24 + 45 = 69; pair 2's key and type end at 93, so
        // its 8-byte value length needs bytes 93..101.
        let path = write(&dir, "cut.gguf", &g.bytes[..100]);
        match validate(&path) {
            Err(ModelFileError::Truncated {
                expected, found, ..
            }) => assert_eq!((expected, found), (101, 100)),
            other => panic!("expected Truncated, got {other:?}"),
        }
    }

    #[test]
    fn a_file_shorter_than_the_fixed_header_is_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "short.gguf", b"GGUF\x03\0\0\0\x01");
        assert!(matches!(
            validate(&path),
            Err(ModelFileError::Truncated {
                expected: 24,
                found: 9,
                ..
            })
        ));
        let path = write(&dir, "three.gguf", b"GGU");
        assert!(matches!(
            validate(&path),
            Err(ModelFileError::Truncated { found: 3, .. })
        ));
    }

    #[test]
    fn a_file_with_other_magic_is_wrong_magic_and_shows_its_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "page.gguf", b"<!DOCTYPE html><html>");
        match validate(&path) {
            Err(e @ ModelFileError::WrongMagic { .. }) => {
                let ModelFileError::WrongMagic { found, .. } = &e else {
                    unreachable!()
                };
                assert!(
                    found.starts_with("3c 21 44 4f 43 54 59 50 \"<!DOCTYP\""),
                    "{found}"
                );
                assert!(e.to_string().contains("web page"), "{e}");
            }
            other => panic!("expected WrongMagic, got {other:?}"),
        }
        let path = write(
            &dir,
            "lfs.gguf",
            b"version https://git-lfs.github.com/spec/v1\n",
        );
        let e = validate(&path).unwrap_err();
        assert_eq!(e.code(), "model_wrong_magic");
        assert!(e.to_string().contains("git lfs pull"), "{e}");
    }

    #[test]
    fn a_missing_file_is_missing_and_says_how_to_get_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let e = validate(&dir.path().join("nope.gguf")).unwrap_err();
        assert!(matches!(e, ModelFileError::Missing { .. }));
        assert!(e.to_string().contains("models/fetch-demo"), "{e}");
        assert!(matches!(
            sha256_file(&dir.path().join("nope.gguf"), &mut |_| {}),
            Err(ModelFileError::Missing { .. })
        ));
    }

    #[test]
    fn a_directory_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = validate(dir.path()).unwrap_err();
        assert!(matches!(e, ModelFileError::NotAFile { .. }));
        assert_eq!(e.code(), "model_not_a_file");
    }

    #[test]
    fn old_and_big_endian_versions_are_unsupported() {
        let dir = tempfile::tempdir().unwrap();
        for version in [0u32, 1, 4, 0x0300_0000] {
            let g = Gguf::header(version, 0, 0);
            let path = write(&dir, "v.gguf", &g.bytes);
            match validate(&path) {
                Err(ModelFileError::UnsupportedVersion { version: v, .. }) => {
                    assert_eq!(v, version)
                }
                other => panic!("version {version}: got {other:?}"),
            }
        }
        let g = Gguf::header(0x0300_0000, 0, 0);
        let path = write(&dir, "be.gguf", &g.bytes);
        assert!(validate(&path)
            .unwrap_err()
            .to_string()
            .contains("big-endian"));
    }

    #[test]
    fn version_2_files_with_no_tensors_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut g = Gguf::header(2, 0, 1);
        g.kv_str("general.name", "vocab only");
        let path = write(&dir, "v2.gguf", &g.bytes);
        let s = validate(&path).unwrap();
        assert_eq!(
            (s.version, s.expected_size, s.parameter_count),
            (2, g.len(), None)
        );
        assert_eq!(s.name.as_deref(), Some("vocab only"));
    }

    #[test]
    fn huge_declared_counts_and_lengths_are_corrupt_without_allocating() {
        let dir = tempfile::tempdir().unwrap();
        let huge = 1u64 << 60;

        let g = Gguf::header(3, 0, huge);
        let path = write(&dir, "kv.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("metadata count"));

        let g = Gguf::header(3, huge, 0);
        let path = write(&dir, "tensors.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("tensor count"));

        let mut g = Gguf::header(3, 0, 1);
        g.u64(huge).raw(b"general.name");
        let path = write(&dir, "key.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("metadata key"));

        let mut g = Gguf::header(3, 0, 1);
        g.str("general.name").u32(T_STRING).u64(huge).raw(b"x");
        let path = write(&dir, "string.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("general.name"));

        let mut g = Gguf::header(3, 0, 1);
        g.str("tokenizer.ggml.tokens")
            .u32(T_ARRAY)
            .u32(T_STRING)
            .u64(huge);
        let path = write(&dir, "array.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("tokenizer.ggml.tokens"));

        let mut g = Gguf::header(3, 0, 1);
        g.str("tokenizer.ggml.tokens")
            .u32(T_ARRAY)
            .u32(T_STRING)
            .u64(1)
            .u64(u64::MAX);
        let path = write(&dir, "element.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("a string in the array"));
    }

    #[test]
    fn unknown_value_types_and_nested_arrays_are_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let mut g = Gguf::header(3, 0, 1);
        g.str("x.y").u32(77).u32(0);
        let path = write(&dir, "type.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("unknown value type 77"));

        let mut g = Gguf::header(3, 0, 1);
        g.str("x.y").u32(T_ARRAY).u32(99).u64(1).u32(0);
        let path = write(&dir, "elem.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("unknown type 99"));

        let mut g = Gguf::header(3, 0, 1);
        g.str("x.y")
            .u32(T_ARRAY)
            .u32(T_ARRAY)
            .u64(1)
            .u32(T_U8)
            .u64(1)
            .raw(&[0]);
        let path = write(&dir, "nested.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("array of arrays"));
    }

    #[test]
    fn unknown_removed_and_misshapen_tensors_are_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u64], u32, u64, &str); 6] = [
            ("t", &[32], 99, 0, "ggml type 99"),
            ("t", &[32], 31, 0, "ggml type 31"),
            ("t", &[1, 1, 1, 1, 1], 0, 0, "5 dimensions"),
            ("t", &[1u64 << 63], 0, 0, "negative dimension"),
            ("t", &[1 << 40, 1 << 40], 0, 0, "impossibly large"),
            ("t", &[31], 2, 0, "not a multiple"),
        ];
        for (name, dims, ty, offset, want) in cases {
            let mut g = Gguf::header(3, 1, 0);
            g.tensor(name, dims, ty, offset).pad_to(32).raw(&[0; 64]);
            let path = write(&dir, "t.gguf", &g.bytes);
            let reason = corrupt_reason(validate(&path));
            assert!(reason.contains(want), "{want}: {reason}");
        }
    }

    #[test]
    fn misplaced_tensors_and_duplicates_are_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let mut g = Gguf::header(3, 2, 0);
        // `b` must start at 32 (16 bytes of `a` padded to 32).
        g.tensor("a", &[4], 0, 0)
            .tensor("b", &[4], 0, 16)
            .pad_to(32)
            .raw(&[0; 64]);
        let path = write(&dir, "gap.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("end at 32"));

        let mut g = Gguf::header(3, 2, 0);
        g.tensor("a", &[4], 0, 0)
            .tensor("a", &[4], 0, 32)
            .pad_to(32)
            .raw(&[0; 64]);
        let path = write(&dir, "dup.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("appears twice"));

        let mut g = Gguf::header(3, 0, 2);
        g.kv_u32("a.b", 1).kv_u32("a.b", 2);
        let path = write(&dir, "dupkey.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("appears twice"));
    }

    #[test]
    fn general_alignment_is_honoured_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let mut g = Gguf::header(3, 1, 1);
        g.kv_u32("general.alignment", 64)
            .tensor("a", &[4], 0, 0)
            .pad_to(64);
        let data_offset = g.len();
        g.raw(&[0; 16]);
        let path = write(&dir, "a64.gguf", &g.bytes);
        assert_eq!(validate(&path).unwrap().expected_size, data_offset + 16);
        assert_eq!(data_offset % 64, 0);

        let mut g = Gguf::header(3, 0, 1);
        g.kv_u32("general.alignment", 48);
        let path = write(&dir, "a48.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("power of two"));

        let mut g = Gguf::header(3, 0, 1);
        g.str("general.alignment").u32(T_U64).u64(32);
        let path = write(&dir, "a64bit.gguf", &g.bytes);
        assert!(corrupt_reason(validate(&path)).contains("must be u32"));
    }

    #[test]
    fn a_data_region_shorter_than_the_tensors_is_truncated_with_exact_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, _) = tiny();
        let path = write(&dir, "short.gguf", &bytes[..bytes.len() - 10]);
        let e = validate(&path).unwrap_err();
        assert!(
            matches!(
                e,
                ModelFileError::Truncated {
                    expected: 236,
                    found: 226,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .contains("expected at least 236 bytes, found 226"),
            "{e}"
        );
        // Cut exactly at the data offset: header complete, no data at all.
        let path = write(&dir, "nodata.gguf", &bytes[..192]);
        assert!(matches!(
            validate(&path),
            Err(ModelFileError::Truncated {
                expected: 236,
                found: 192,
                ..
            })
        ));
    }

    #[test]
    fn long_strings_are_previewed_and_arrays_summarised() {
        let dir = tempfile::tempdir().unwrap();
        let long = "長".repeat(500);
        let template = "{% for m in messages %}\n{{ m.content }}{% endfor %}".repeat(40);
        let mut g = Gguf::header(3, 0, 4);
        g.kv_str("general.description", &long)
            .kv_str("tokenizer.chat_template", &template)
            .str("tokenizer.ggml.tokens")
            .u32(T_ARRAY)
            .u32(T_STRING)
            .u64(3)
            .str("a")
            .str("bc")
            .str("")
            .str("tokenizer.ggml.scores")
            .u32(T_ARRAY)
            .u32(T_F32)
            .u64(3)
            .raw(&[0; 12]);
        let path = write(&dir, "strings.gguf", &g.bytes);
        let s = validate(&path).unwrap();
        assert_eq!(s.chat_template.as_deref(), Some(template.as_str()));
        let description = s.metadata_value("general.description").unwrap();
        assert_eq!(description, format!("{}…", "長".repeat(80)));
        let shown = s.metadata_value("tokenizer.chat_template").unwrap();
        assert!(shown.starts_with("{% for m in messages %}\\n{{"), "{shown}");
        assert_eq!(
            s.metadata_value("tokenizer.ggml.tokens"),
            Some("[array of 3 string]")
        );
        assert_eq!(
            s.metadata_value("tokenizer.ggml.scores"),
            Some("[array of 3 f32]")
        );
    }

    #[test]
    fn sha256_of_a_known_small_file_streams_with_progress() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "abc.txt", b"abc");
        let mut seen = Vec::new();
        let sha = sha256_file(&path, &mut |n| seen.push(n)).unwrap();
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(seen, vec![3]);
        let upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assert_eq!(verify_sha256(&path, upper, &mut |_| {}).unwrap(), sha);
    }

    #[test]
    fn a_checksum_mismatch_reports_both_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "abc.txt", b"abc");
        let wrong = "0".repeat(64);
        match verify_sha256(&path, &wrong, &mut |_| {}) {
            Err(e @ ModelFileError::ChecksumMismatch { .. }) => {
                assert_eq!(e.code(), "model_checksum_mismatch");
                let text = e.to_string();
                assert!(text.contains(&wrong) && text.contains("ba7816bf"), "{text}");
            }
            other => panic!("expected ChecksumMismatch, got {other:?}"),
        }
    }

    #[test]
    fn error_codes_are_stable() {
        let p = || PathBuf::from("m.gguf");
        let codes: Vec<&str> = [
            ModelFileError::Missing { path: p() },
            ModelFileError::NotAFile { path: p() },
            ModelFileError::Unreadable {
                path: p(),
                source: io::Error::from(io::ErrorKind::PermissionDenied),
            },
            ModelFileError::Empty { path: p() },
            ModelFileError::WrongMagic {
                path: p(),
                found: String::new(),
            },
            ModelFileError::UnsupportedVersion {
                path: p(),
                version: 9,
            },
            ModelFileError::Truncated {
                path: p(),
                expected: 2,
                found: 1,
            },
            ModelFileError::Corrupt {
                path: p(),
                reason: String::new(),
            },
            ModelFileError::ChecksumMismatch {
                path: p(),
                expected: String::new(),
                actual: String::new(),
            },
        ]
        .iter()
        .map(ModelFileError::code)
        .collect();
        assert_eq!(
            codes,
            [
                "model_missing",
                "model_not_a_file",
                "model_unreadable",
                "model_empty",
                "model_wrong_magic",
                "model_unsupported_version",
                "model_truncated",
                "model_corrupt",
                "model_checksum_mismatch"
            ]
        );
    }

    #[test]
    fn memory_estimate_adds_an_f16_kv_cache_from_the_metadata() {
        let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
        let mut s = GgufSummary {
            path: PathBuf::from("m.gguf"),
            file_name: "m.gguf".into(),
            file_size: 1_000_000,
            expected_size: 1_000_000,
            version: 3,
            n_tensors: 0,
            n_kv: 0,
            architecture: Some("qwen2".into()),
            name: None,
            context_length: Some(32768),
            block_count: Some(28),
            file_type: None,
            parameter_count: None,
            chat_template: None,
            metadata: vec![
                kv("qwen2.embedding_length", "3584"),
                kv("qwen2.attention.head_count", "28"),
                kv("qwen2.attention.head_count_kv", "4"),
            ],
        };
        // 2 bytes × 4096 × 28 layers × 4 heads × (128 + 128).
        assert_eq!(
            estimate_memory_bytes(&s, 4096),
            1_000_000 + 2 * 4096 * 28 * 4 * 256
        );
        s.metadata.push(kv("qwen2.attention.key_length", "64"));
        s.metadata.push(kv("qwen2.attention.value_length", "64"));
        assert_eq!(
            estimate_memory_bytes(&s, 4096),
            1_000_000 + 2 * 4096 * 28 * 4 * 128
        );
        s.metadata.clear();
        assert_eq!(estimate_memory_bytes(&s, 4096), 1_000_000);
    }

    #[test]
    fn the_real_demo_model_validates() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/gemma-3-270m-q4_k_m.gguf");
        assert!(
            path.is_file(),
            "the demo model is missing at {}; run models/fetch-demo to provision it",
            path.display()
        );
        let s = validate(&path).unwrap();
        assert_eq!(s.architecture.as_deref(), Some("gemma3"));
        assert_eq!(s.file_size, 253_113_024);
        assert_eq!(s.file_size, s.expected_size);
        assert_eq!(s.chat_template, None);
        assert_eq!(s.context_length, Some(32768));
        assert_eq!(s.file_type, Some(15));
        assert!(s.block_count.is_some());
        let params = s.parameter_count.unwrap();
        assert!((200_000_000..350_000_000).contains(&params), "{params}");
        let mem = estimate_memory_bytes(&s, 4096);
        assert!(mem > s.file_size && mem < 2 * s.file_size, "{mem}");
    }
}
