// Shapes the shell sends, filled with plausible values for tests.

import type {
  AppInfo,
  BatchJob,
  FileReport,
  ModelCheck,
  RunRecord,
  RunSummary,
  Settings,
  ShortcutStatus,
  TaskOutcome,
} from "../api/types";

export function settings(overrides: Partial<Settings["app"]> = {}): Settings {
  return {
    version: 1,
    history: { enabled: true, retention_days: 0, mask_personal_data: false },
    engine: { model: null, gpu_layers: null, threads: null, n_ctx: 4096 },
    app: { ui_lang: "zh-Hant", theme: "system", shortcut: "Ctrl+Alt+S", ...overrides },
  };
}

export function shortcut(overrides: Partial<ShortcutStatus> = {}): ShortcutStatus {
  return { accelerator: "Ctrl+Alt+S", registered: true, error: null, alternative: "wenshu-desktop --summarise-selection", ...overrides };
}

export function appInfo(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    version: "0.1.0",
    settings: settings(),
    shortcut: shortcut(),
    resumable_batch: null,
    model_file: "gemma-3-270m-Q4_K_M.gguf",
    model_loaded: false,
    ...overrides,
  };
}

export function outcome(overrides: Partial<TaskOutcome> = {}): TaskOutcome {
  return {
    run_id: 7,
    task: "summarise",
    text: "",
    source_lang: "en",
    target_lang: "en",
    status: "completed",
    key_points: null,
    source_paragraphs: [],
    output_paragraphs: [],
    glossary: [],
    missing_numbers: [],
    warnings: [],
    model_file: "gemma-3-270m-Q4_K_M.gguf",
    generated_tokens: 42,
    total_ms: 1500,
    ...overrides,
  };
}

export function summary(id: number, preview: string, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    created_at: Date.UTC(2026, 10, 24, 9, 30),
    task: "summarise",
    status: "completed",
    source_lang: "en",
    target_lang: "en",
    preview,
    ...overrides,
  };
}

export function record(id: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    created_at: Date.UTC(2026, 10, 24, 9, 30),
    task: "summarise",
    doc_type: null,
    source_lang: "en",
    target_lang: "en",
    status: "completed",
    input: "The department will install 250 recycling stations in Sha Tin.",
    output: "250 recycling stations in Sha Tin.",
    error: null,
    model_file: "gemma-3-270m-Q4_K_M.gguf",
    model_sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    prompt_id: "summarise.fewshot",
    prompt_version: 3,
    prompt_hash: "abc",
    seed: 1234,
    prompt_tokens: 210,
    generated_tokens: 38,
    total_ms: 2300,
    masked: false,
    ...overrides,
  };
}

export function job(overrides: Partial<BatchJob> = {}): BatchJob {
  return {
    id: 3,
    source_dir: "/data/in",
    out_dir: "/data/out",
    target_lang: "en",
    status: "interrupted",
    files_total: 4,
    files_done: 1,
    files_failed: 0,
    segments_total: 40,
    segments_done: 12,
    ...overrides,
  };
}

export function fileReport(path: string, overrides: Partial<FileReport> = {}): FileReport {
  return {
    path,
    status: "done",
    format: path.split(".").pop() ?? "txt",
    output: `/data/out/${path}`,
    segments: 2,
    translated: 2,
    cached: 0,
    kept: 0,
    glossary_missing: [],
    numbers_missing: [],
    warnings: [],
    ...overrides,
  };
}

export function modelCheck(overrides: Partial<ModelCheck> = {}): ModelCheck {
  return {
    path: "/models/qwen.gguf",
    file_name: "qwen.gguf",
    size_bytes: 4_680_000_000,
    architecture: "qwen2",
    parameters: "7.6B",
    has_chat_template: true,
    catalog_name: "Qwen2.5 7B Instruct",
    licence: "Apache-2.0",
    estimated_memory_bytes: 5_300_000_000,
    ...overrides,
  };
}
