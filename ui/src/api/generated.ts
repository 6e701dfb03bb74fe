// Generated from the Rust types by src-tauri/tests/contract.rs; do not edit.
// `WENSHU_BLESS=1 cargo test -p wenshu-desktop --test contract` rewrites it.

/** Every code a command can reject with (core's and the shell's). */
export const ERROR_CODES = ["batch_already_running", "batch_crashed", "batch_folder_name", "batch_no_source", "batch_not_running", "batch_out_dir", "batch_out_is_source", "batch_source_inside_out", "batch_target", "binary", "cancelled", "cannot_write", "catalog_bad_entry", "catalog_bad_sha256", "catalog_bad_size", "catalog_duplicate_name", "catalog_syntax", "catalog_unreadable", "catalog_unsupported_version", "check_same_language", "context_too_small", "corrupt_zip", "empty", "engine_backend", "engine_context", "engine_decode", "engine_stopped", "engine_tokenize", "export_format", "generation_failed", "glossary_invalid", "input_empty", "internal", "io", "job_completed", "job_not_found", "malformed_xml", "missing_doc_type", "missing_part", "model_changed", "model_chat_template", "model_checksum_mismatch", "model_corrupt", "model_empty", "model_load", "model_missing", "model_no_chat_template", "model_not_a_file", "model_truncated", "model_unreadable", "model_unsupported_version", "model_wrong_magic", "not_zip", "open_failed", "output_format", "output_format_change", "output_write", "part_too_large", "password_protected", "pdf_encrypted", "pdf_no_text", "pdf_unreadable", "points_out_of_range", "prompt_invalid", "prompt_missing_style", "prompt_not_found", "prompt_render", "prompt_too_long", "rerun_model_missing", "run_masked", "run_not_found", "save_format", "settings_invalid", "settings_write", "store_corrupt", "store_create", "store_migration", "store_open", "store_sql", "store_too_new", "too_large", "too_many_entries", "translation_count", "truncated", "unsafe_entry_name", "unsupported_direction", "unsupported_format", "worker_crashed", "worker_start", "write_failed", "xml_doctype", "zip_bomb"] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A language Wenshu reads or writes. */
export const LANGS = ["zh-Hant", "zh-Hans", "en", "mixed"] as const;
export type Lang = (typeof LANGS)[number];

/** The four verbs. */
export const TASK_KINDS = ["draft", "summarise", "translate", "polish"] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Kinds of official document a draft can be. */
export const DOC_TYPES = ["memo", "letter", "press-release", "legco-reply", "progress-report", "minutes", "circular", "speech"] as const;
export type DocType = (typeof DOC_TYPES)[number];

/** How a task ended. */
export const TASK_STATUSES = ["completed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What runs are exported as. */
export const EXPORT_FORMATS = ["md", "json", "docx"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where a batch job stands. */
export const JOB_STATUSES = ["running", "interrupted", "completed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Where one file of a batch job stands. */
export const FILE_STATUSES = ["pending", "done", "failed", "skipped"] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

/** How a stored run ended. */
export const RUN_STATUSES = ["completed", "cancelled", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The language of the app's own words. */
export const UI_LANGS = ["zh-Hant", "en"] as const;
export type UiLang = (typeof UI_LANGS)[number];

/** Light, dark or the desktop's. */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

