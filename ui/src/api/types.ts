// The contract between the UI and the Rust shell (src-tauri). Every type here
// mirrors a serde type on the Rust side; field names are as serde writes
// them (snake_case). Commands and their arguments are listed in `index.ts`.

export type Lang = "zh-Hant" | "zh-Hans" | "en" | "mixed";
export type TaskKind = "draft" | "summarise" | "translate" | "polish";
export type DocType =
  | "memo"
  | "letter"
  | "press-release"
  | "legco-reply"
  | "progress-report"
  | "minutes"
  | "circular"
  | "speech";
export type UiLang = "zh-Hant" | "en";
export type Theme = "system" | "light" | "dark";

/** Every failed command rejects with this. The UI shows its own text by `code`. */
export interface ApiError {
  code: string;
  /** English, for the log and for codes the UI has no text for. */
  message: string;
  /** Anything the UI may need: `partial` (text streamed before a failure), `path`, … */
  details: Record<string, unknown>;
}

/** What the user asks the model for (invoke `run_task`). */
export interface TaskRequest {
  task: TaskKind;
  input: string;
  /** Output language; inferred from the input when absent. */
  target?: Lang | null;
  /** Required for drafts. */
  doc_type?: DocType | null;
  /** "formal" (default) or "neutral". */
  tone?: "formal" | "neutral";
  /** Summaries: at most this many key points ("short" 3, "medium" 5, "long" 8). */
  max_points?: number;
}

/** Streamed over the `Channel` given to `run_task`. */
export type TaskEvent =
  | { kind: "started"; ticket: number }
  | { kind: "text"; text: string }
  | { kind: "progress"; stage: string; index: number; of: number };

export interface TermCheck {
  source: string;
  target: string;
  found: boolean;
}

export interface KeyPoint {
  text: string;
  paragraphs: number[];
}

/** What `run_task` resolves with. */
export interface TaskOutcome {
  /** The history row, when history is on. */
  run_id: number | null;
  task: TaskKind;
  text: string;
  source_lang: Lang;
  target_lang: Lang;
  status: "completed" | "cancelled";
  key_points: KeyPoint[] | null;
  /** Translations: source and output paragraphs, aligned by index. */
  source_paragraphs: string[];
  output_paragraphs: string[];
  glossary: TermCheck[];
  missing_numbers: string[];
  warnings: string[];
  model_file: string;
  generated_tokens: number;
  total_ms: number;
}

/** A document opened into the editor (invoke `open_document`). */
export interface OpenedDocument {
  path: string;
  /** "docx" | "md" | "txt" | "pdf" */
  format: string;
  /** Paragraphs joined by blank lines. */
  text: string;
  blocks: number;
}

export interface RunSummary {
  id: number;
  created_at: number;
  task: string;
  status: "completed" | "cancelled" | "failed";
  source_lang: string;
  target_lang: string;
  preview: string;
}

export interface RunRecord {
  id: number;
  created_at: number;
  task: string;
  doc_type: string | null;
  source_lang: string;
  target_lang: string;
  status: "completed" | "cancelled" | "failed";
  input: string;
  output: string;
  error: string | null;
  model_file: string;
  model_sha256: string;
  prompt_id: string;
  prompt_version: number;
  prompt_hash: string;
  seed: number;
  prompt_tokens: number;
  generated_tokens: number;
  total_ms: number;
  masked: boolean;
}

export interface EngineSettings {
  /** Absolute path of the .gguf file; null means the demo model. */
  model: string | null;
  /** null = auto (all layers on a GPU when there is one). */
  gpu_layers: number | null;
  /** null = auto. */
  threads: number | null;
  n_ctx: number;
}

export interface AppSettings {
  ui_lang: UiLang;
  theme: Theme;
  /** e.g. "Ctrl+Alt+S" */
  shortcut: string;
}

export interface HistorySettings {
  enabled: boolean;
  retention_days: number;
  mask_personal_data: boolean;
}

export interface Settings {
  version: number;
  history: HistorySettings;
  engine: EngineSettings;
  app: AppSettings;
}

/** `check_model`: a model file validated and looked up in the catalog. */
export interface ModelCheck {
  path: string;
  file_name: string;
  size_bytes: number;
  architecture: string;
  parameters: string | null;
  has_chat_template: boolean;
  /** Catalog name and licence when the file is catalogued. */
  catalog_name: string | null;
  licence: string | null;
  /** Estimated memory for weights plus the context at `n_ctx`. */
  estimated_memory_bytes: number;
}

export interface ShortcutStatus {
  accelerator: string;
  registered: boolean;
  /** Why it could not be registered (Wayland, taken by another program, …). */
  error: string | null;
  /** The command a desktop environment can bind instead. */
  alternative: string;
}

export interface BatchJob {
  id: number;
  source_dir: string;
  out_dir: string;
  target_lang: string;
  /** running | interrupted | paused | completed | cancelled */
  status: string;
  files_total: number;
  files_done: number;
  files_failed: number;
  segments_total: number;
  segments_done: number;
}

export interface BatchRequest {
  source: string;
  out: string;
  target: "en" | "zh-Hant";
  bilingual: boolean;
}

/** One line of the report (report.json's `files`). */
export interface FileReport {
  path: string;
  status: "done" | "failed" | "skipped" | "pending";
  format: string;
  output: string;
  segments: number;
  translated: number;
  cached: number;
  kept: number;
  glossary_missing: string[];
  numbers_missing: string[];
  warnings: string[];
  error_code?: string;
  error?: string;
}

/** Streamed over the `Channel` given to `batch_start` / `batch_resume`. */
export type BatchEvent =
  | { kind: "planned"; job: number; files: number; segments: number; done: number; resumed: boolean }
  | { kind: "file_started"; path: string; segments: number }
  | { kind: "segment"; path: string; done: number; of: number }
  | { kind: "file"; report: FileReport }
  | { kind: "finished"; job: number; status: string; report_json: string; report_csv: string; files: FileReport[] }
  | { kind: "failed"; error: ApiError };

/** `app_info`, called once at start. */
export interface AppInfo {
  version: string;
  settings: Settings;
  shortcut: ShortcutStatus;
  /** A job left unfinished when the app was last closed, offered for resumption. */
  resumable_batch: BatchJob | null;
  /** The model the worker will load (file name), and whether it is loaded yet. */
  model_file: string;
  model_loaded: boolean;
}

/** `popup_text`: what the shortcut captured. */
export interface Selection {
  text: string;
  /** "primary" | "clipboard" | "none" */
  source: string;
}

/** Sent by the shell to the main window (event `open-in-main`). */
export interface OpenInMain {
  input: string;
  output: string;
  task: TaskKind;
}
