//! Turning task runs into stored records and stored records back into
//! requests (for `history rerun`).

use serde_json::json;

use super::{DocType, Request, Status, TaskKind, TaskResult};
use crate::engine::{ModelInfo, SamplingParams};
use crate::store::{mask_personal_data, now_ms, RunRecord, RunStatus, StoreError};
use crate::text::Lang;

fn request_json(request: &Request) -> serde_json::Value {
    json!({
        "target": request.target.map(|l| l.code()),
        "doc_type": request.doc_type.map(|d| d.as_str()),
        "tone": request.tone,
        "max_points": request.max_points,
        "max_tokens": request.max_tokens,
        "base_glossary": request.base_glossary,
    })
}

/// Provenance is plain structs of strings and numbers, which serialise
/// without fail; should one ever not, the column says why instead of
/// holding a silent `null`.
fn provenance_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_else(|e| json!({ "unserialisable": e.to_string() }))
}

/// The record of a finished or cancelled run.
pub fn record_of(request: &Request, result: &TaskResult, mask: bool) -> RunRecord {
    let p = &result.provenance;
    let main = p.prompts.first();
    let mut record = RunRecord {
        id: 0,
        created_at: now_ms(),
        task: result.task.as_str().to_string(),
        doc_type: result.doc_type.map(|d| d.as_str().to_string()),
        source_lang: result.source_lang.code().to_string(),
        target_lang: result.target_lang.code().to_string(),
        status: match result.status {
            Status::Completed => RunStatus::Completed,
            Status::Cancelled => RunStatus::Cancelled,
        },
        input: request.input.clone(),
        output: result.text.clone(),
        error: None,
        model_file: p.model_file.clone(),
        model_sha256: p.model_sha256.clone(),
        prompt_id: main.map(|m| m.id.clone()).unwrap_or_default(),
        prompt_version: main.map(|m| m.version).unwrap_or(0),
        prompt_hash: main.map(|m| m.hash.clone()).unwrap_or_default(),
        prompts: provenance_json(&p.prompts),
        request: request_json(request),
        sampling: provenance_json(&p.sampling),
        seed: p.sampling.seed,
        prompt_tokens: p.usage.prompt_tokens,
        generated_tokens: p.usage.generated_tokens,
        total_ms: p.usage.total_ms,
        usage: json!({
            "usage": p.usage,
            "n_ctx": p.n_ctx,
            "gpu_layers": p.gpu_layers,
            "threads": p.threads,
            "wenshu_version": p.wenshu_version,
        }),
        glossary: None,
        checks: result.checks.as_ref().map(provenance_json),
        masked: false,
    };
    if mask {
        apply_mask(&mut record);
    }
    record
}

/// The record of a run that failed, with whatever output it had produced.
#[allow(clippy::too_many_arguments)]
pub fn record_of_failure(
    request: &Request,
    source_lang: Lang,
    target_lang: Lang,
    model: &ModelInfo,
    prompt_id: &str,
    error: &str,
    partial: &str,
    mask: bool,
) -> RunRecord {
    let mut record = RunRecord {
        id: 0,
        created_at: now_ms(),
        task: request.task.as_str().to_string(),
        doc_type: request.doc_type.map(|d| d.as_str().to_string()),
        source_lang: source_lang.code().to_string(),
        target_lang: target_lang.code().to_string(),
        status: RunStatus::Failed,
        input: request.input.clone(),
        output: partial.to_string(),
        error: Some(error.to_string()),
        model_file: model.file_name.clone(),
        model_sha256: model.sha256.clone(),
        prompt_id: prompt_id.to_string(),
        prompt_version: 0,
        prompt_hash: String::new(),
        prompts: json!([]),
        request: request_json(request),
        sampling: provenance_json(&request.sampling),
        seed: request.sampling.seed,
        prompt_tokens: 0,
        generated_tokens: 0,
        total_ms: 0.0,
        usage: json!({}),
        glossary: None,
        checks: None,
        masked: false,
    };
    if mask {
        apply_mask(&mut record);
    }
    record
}

fn apply_mask(record: &mut RunRecord) {
    let (input, a) = mask_personal_data(&record.input);
    let (output, b) = mask_personal_data(&record.output);
    record.input = input;
    record.output = output;
    let mut c = 0;
    // The checks quote figures as written, phone numbers among them.
    if let Some(checks) = record.checks.take() {
        let (masked, n) = mask_personal_data(&checks.to_string());
        c = n;
        // Masking writes placeholders inside strings, never quotes, so the
        // text stays JSON; were it ever not, the checks are dropped rather
        // than stored unmasked.
        record.checks = serde_json::from_str(&masked).ok();
    }
    record.masked = a + b + c > 0;
}

/// The request that repeats a stored run (same task, languages, limits and
/// sampling, seed included).
///
/// # Errors
/// When the stored request cannot be understood.
pub fn request_from_record(record: &RunRecord) -> Result<Request, StoreError> {
    let bad = |what: &str| StoreError::Corrupt(format!("run {}: {what}", record.id));
    let task = match record.task.as_str() {
        "summarise" => TaskKind::Summarise,
        "translate" => TaskKind::Translate,
        "draft" => TaskKind::Draft,
        "polish" => TaskKind::Polish,
        other => return Err(bad(&format!("unknown task `{other}`"))),
    };
    let mut request = Request::new(task, record.input.clone());
    let r = &record.request;
    request.target = r["target"]
        .as_str()
        .map(|t| t.parse::<Lang>())
        .transpose()
        .map_err(|_| bad("target"))?;
    request.doc_type = r["doc_type"]
        .as_str()
        .map(|t| t.parse::<DocType>())
        .transpose()
        .map_err(|_| bad("doc_type"))?;
    if let Some(tone) = r["tone"].as_str() {
        request.tone = tone.to_string();
    }
    if let Some(n) = r["max_points"].as_u64() {
        request.max_points = n as u32;
    }
    request.max_tokens = r["max_tokens"].as_u64().map(|n| n as u32);
    if let Some(base) = r["base_glossary"].as_bool() {
        request.base_glossary = base;
    }
    request.sampling = serde_json::from_value::<SamplingParams>(record.sampling.clone())
        .map_err(|_| bad("sampling"))?;
    Ok(request)
}
