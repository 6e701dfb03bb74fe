// The contract between the UI and the Rust shell (src-tauri). The error
// codes and the string enums come from the Rust types (`generated.ts`,
// checked by src-tauri/tests/contract.rs); every other type here mirrors a
// serde type on the Rust side, field names as serde writes them
// (snake_case). Commands and their arguments are listed in `index.ts`.

import type {
  DocType,
  FileStatus,
  JobStatus,
  Lang,
  RunStatus,
  TaskKind,
  TaskStatus,
  Theme,
  UiLang,
} from "./generated";

export type {
  DocType,
  ErrorCode,
  ExportFormat,
  FileStatus,
  JobStatus,
  Lang,
  RunStatus,
  TaskKind,
  TaskStatus,
  Theme,
  UiLang,
} from "./generated";

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

// The checks core runs after every task (`wenshu_core::checks`). The UI
// shows them as they come; it never re-checks or re-orders them.

/** What was compared, which decides what may differ. */
export type CheckMode = "translation" | "polish" | "summary" | "draft";
/** "added": in the output, not in the source. */
export type Verdict = "found" | "changed" | "missing" | "added";
export type FigureKind = "number" | "money" | "percent" | "points" | "date" | "time" | "ordinal" | "year" | "phone";
export type Currency = "HKD" | "CNY" | "USD" | "EUR" | "GBP" | "JPY" | "MOP" | "TWD";

/** Where an item is: a paragraph of one side, offsets in characters (not bytes), and the text there. */
export interface Mention {
  paragraph: number;
  start: number;
  end: number;
  text: string;
}

/** A figure's value as compared, tagged by its kind. */
export type FigureValue =
  | { kind: "number"; value: number }
  | { kind: "money"; amount: number; currency: Currency }
  | { kind: "percent"; value: number }
  | { kind: "points"; value: number }
  | { kind: "date"; year?: number; month?: number; day?: number }
  /** Minutes after midnight; `exact` when morning or afternoon is known. */
  | { kind: "time"; minutes: number; exact: boolean }
  | { kind: "ordinal"; value: number }
  | { kind: "year"; value: number }
  | { kind: "phone"; digits: string };

/** Source and output paragraphs lined up. */
export interface CheckRow {
  source: number[];
  target: number[];
}

export interface FigureCheck {
  /** The aligned row it belongs to. */
  row: number;
  verdict: Verdict;
  kind: FigureKind;
  source?: Mention;
  source_value?: FigureValue;
  target?: Mention;
  target_value?: FigureValue;
}

/** One official name of the source and whether its rendering is in the output. */
export interface TermCheck {
  row: number;
  /** "changed": a wrong variant of the name is in the output (its `target`). */
  verdict: "found" | "missing" | "changed";
  /** The name in the source's language, as the glossary has it. */
  source_term: string;
  /** Its official rendering. */
  target_term: string;
  kind: "body" | "title";
  origin: "user" | "base";
  source: Mention;
  target?: Mention;
  /** The abbreviation or back-reference accepted instead of the full form. */
  via?: string;
}

/** One script problem in the output. */
export interface ScriptIssue {
  row: number;
  kind: "simplified" | "non_hk" | "untranslated" | "untranslated_english";
  /** Where, on the output side. */
  mention: Mention;
  /** The form to use instead, when there is one. */
  suggestion?: string;
}

export interface CheckCounts {
  figures: number;
  figures_found: number;
  figures_changed: number;
  figures_missing: number;
  figures_added: number;
  terms: number;
  terms_found: number;
  terms_missing: number;
  /** Wrong variants of an official name in the output. */
  terms_changed: number;
  script: number;
  /** Items a reviewer must look at. */
  flagged: number;
}

/** Everything checked in one source/output pair. */
export interface CheckReport {
  version: number;
  mode: CheckMode;
  source_lang: Lang;
  target_lang: Lang;
  rows: CheckRow[];
  figures: FigureCheck[];
  terms: TermCheck[];
  script: ScriptIssue[];
  counts: CheckCounts;
}

export type SpanMark = Verdict | "script";

/** A piece of a paragraph: plain text, or a checked item (with a one-line English note). */
export interface Span {
  text: string;
  mark?: SpanMark;
  note?: string;
}

/** One aligned row; each side is a list of paragraphs, each paragraph a list of spans. */
export interface ViewRow {
  source: Span[][];
  target: Span[][];
  /** English one-line messages of the row's flagged items. */
  flags: string[];
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
  status: TaskStatus;
  key_points: KeyPoint[] | null;
  /** Translations: source and output paragraphs, aligned by index. */
  source_paragraphs: string[];
  output_paragraphs: string[];
  /** Every figure, official name and script problem with its verdict; null when the run was cancelled. */
  checks: CheckReport | null;
  /**
   * Translations and polish (empty otherwise): source and output side by
   * side, row by row, already cut into spans with every checked item marked.
   */
  check_view: ViewRow[];
  /** Other things to look at (a paragraph the model left unprocessed, …). */
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
  status: RunStatus;
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
  status: RunStatus;
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

export interface GlossarySettings {
  /** Use the bundled base glossary of official names (the user's own entries win over it). */
  base: boolean;
}

export interface Settings {
  version: number;
  history: HistorySettings;
  engine: EngineSettings;
  app: AppSettings;
  glossary: GlossarySettings;
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
  status: JobStatus;
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
  /** Also write each file's HTML check report (`NAME.check.html`) beside its output. */
  check_reports?: boolean;
}

/** One line of the report (report.json's `files`). */
export interface FileReport {
  path: string;
  status: FileStatus;
  format: string;
  /** Output path under the output folder. */
  output: string;
  bilingual?: string;
  segments: number;
  translated: number;
  cached: number;
  kept: number;
  generated_tokens: number;
  seconds: number;
  /** Figures checked (those of the source, and those only the translation has). */
  figures: number;
  /** Figures changed, missing or added, one English line each. */
  figures_flagged: string[];
  /** Official names found in the source. */
  terms: number;
  /** `source → official rendering` for names whose rendering is missing. */
  terms_missing: string[];
  /** Simplified or non-HK characters, Chinese left in English, one English line each. */
  script_flagged: string[];
  /** Paragraphs whose inline formatting (bold, links, fields…) did not all come back, one English line each. */
  formatting_flagged?: string[];
  /** The HTML check report under the output folder, when asked for. */
  check_report?: string;
  warnings: string[];
  error_code?: string;
  error?: string;
  /** Finished in an earlier run of the same job. */
  resumed: boolean;
}

/** Streamed over the `Channel` given to `batch_start` / `batch_resume`. */
export type BatchEvent =
  | { kind: "planned"; job: number; files: number; segments: number; done: number; resumed: boolean }
  | { kind: "file_started"; path: string; segments: number }
  | { kind: "segment"; path: string; done: number; of: number }
  | { kind: "file"; report: FileReport }
  | { kind: "finished"; job: number; status: JobStatus; report_json: string; report_csv: string; files: FileReport[] }
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
