//! Reading the GGUF header region: the bounded, position-tracking
//! [`HeaderReader`], the metadata [`Value`]s it keeps (short previews, not
//! whole arrays), the format's constants and the sanity [`limits`] every
//! declared length is checked against.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use super::ModelFileError;

/// Sanity limits that no real model comes near; anything above them is a
/// damaged length field, reported as corruption rather than truncation.
pub(super) mod limits {
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

pub(super) const MAGIC: [u8; 4] = *b"GGUF";
/// Magic, version, tensor count, metadata count.
pub(super) const HEADER_LEN: u64 = 24;
pub(super) const DEFAULT_ALIGNMENT: u64 = 32;
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
pub(super) const T_U8: u32 = 0;
pub(super) const T_I8: u32 = 1;
pub(super) const T_U16: u32 = 2;
pub(super) const T_I16: u32 = 3;
pub(super) const T_U32: u32 = 4;
pub(super) const T_I32: u32 = 5;
pub(super) const T_F32: u32 = 6;
pub(super) const T_BOOL: u32 = 7;
pub(super) const T_STRING: u32 = 8;
pub(super) const T_ARRAY: u32 = 9;
pub(super) const T_U64: u32 = 10;
pub(super) const T_I64: u32 = 11;
pub(super) const T_F64: u32 = 12;

pub(super) fn value_type_name(ty: u32) -> &'static str {
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

/// One metadata value, kept small: arrays are only counted and long strings
/// only previewed.
pub(super) enum Value {
    Unsigned(u64),
    Signed(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    Str { text: String, cut: bool },
    Array { elem: u32, len: u64 },
}

impl Value {
    pub(super) fn display(&self) -> String {
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

    pub(super) fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Unsigned(v) => Some(*v),
            Value::Signed(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }

    pub(super) fn into_string(self) -> Option<String> {
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
pub(super) struct HeaderReader<'a> {
    pub(super) src: BufReader<File>,
    pub(super) pos: u64,
    pub(super) len: u64,
    pub(super) path: &'a Path,
}

impl<'a> HeaderReader<'a> {
    pub(super) fn corrupt(&self, reason: String) -> ModelFileError {
        ModelFileError::Corrupt {
            path: self.path.to_path_buf(),
            reason,
        }
    }

    /// Fails unless `n` more bytes exist, so no read or allocation is ever
    /// sized by a number the file has not backed with bytes.
    pub(super) fn need(&self, n: u64) -> Result<(), ModelFileError> {
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

    pub(super) fn io_error(&self, err: io::Error, wanted: u64) -> ModelFileError {
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

    pub(super) fn u32(&mut self) -> Result<u32, ModelFileError> {
        self.array::<4>().map(u32::from_le_bytes)
    }

    pub(super) fn u64(&mut self) -> Result<u64, ModelFileError> {
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
    pub(super) fn count(
        &mut self,
        what: &str,
        max: u64,
        min_unit: u64,
    ) -> Result<u64, ModelFileError> {
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
    pub(super) fn string(&mut self, what: &str, max: u64) -> Result<String, ModelFileError> {
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
    pub(super) fn value(&mut self, key: &str, ty: u32) -> Result<Value, ModelFileError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::gguf::test_support::{corrupt_reason, write, Gguf};
    use crate::models::gguf::validate;

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
}
