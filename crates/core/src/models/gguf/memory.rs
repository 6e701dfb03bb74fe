//! How many bytes things take: the block layout of each ggml tensor type,
//! and the memory a model needs to run with a given context.

use super::GgufSummary;

/// `(elements per block, bytes per block)` of a ggml tensor type, as in the
/// llama.cpp that Wenshu links (`GGML_TYPE_COUNT` = 43). Gaps are types that
/// llama.cpp removed and refuses to load; a test checks this table against
/// the linked library so an upgrade that adds types cannot go unnoticed.
pub(super) fn ggml_type_layout(ty: u32) -> Option<(u64, u64)> {
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
    use std::path::PathBuf;

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
            #[allow(unsafe_code)]
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
}
