//! Checking a whole GGUF file: `open_model` (it exists, is a file, is not
//! empty), then [`validate`] checks the magic and version (`describe_start`
//! shows what a file that is not GGUF starts with), reads the metadata and
//! tensor table into a [`GgufSummary`] and checks that the file holds all
//! the tensor data they declare.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::memory::ggml_type_layout;
use super::reader::{
    limits, value_type_name, HeaderReader, Value, DEFAULT_ALIGNMENT, HEADER_LEN, MAGIC, T_U32,
};
use super::ModelFileError;

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

/// Opens a model file after checking that it exists, is a regular file and
/// is not empty; returns the file and its length.
pub(super) fn open_model(path: &Path) -> Result<(File, u64), ModelFileError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::gguf::estimate_memory_bytes;
    use crate::models::gguf::reader::T_U64;
    use crate::models::gguf::sha256_file;
    use crate::models::gguf::test_support::{corrupt_reason, tiny, write, Gguf};

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
