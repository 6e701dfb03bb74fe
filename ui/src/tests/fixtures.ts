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
    glossary: { base: true },
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
    checks: null,
    check_view: [],
    warnings: [],
    model_file: "gemma-3-270m-Q4_K_M.gguf",
    generated_tokens: 42,
    total_ms: 1500,
    ...overrides,
  };
}

/**
 * What the shell sent for a real translation (`run_task`'s `checks` and
 * `check_view`, as core wrote them): 二千四百四十萬元 rendered "$2.44 million"
 * (changed), the phone number kept (found), 運輸署 not rendered Transport
 * Department (a missing official name), and 路面 left in the English.
 */
const CHECKED: Pick<TaskOutcome, "checks" | "check_view"> = {
  checks: {
    counts: {
      figures: 2,
      figures_added: 0,
      figures_changed: 1,
      figures_found: 1,
      figures_missing: 0,
      flagged: 3,
      script: 1,
      terms: 1,
      terms_found: 0,
      terms_missing: 1,
      terms_changed: 0
    },
    figures: [
      {
        kind: "money",
        row: 0,
        source: {
          end: 18,
          paragraph: 0,
          start: 10,
          text: "二千四百四十萬元"
        },
        source_value: {
          amount: 24400000.0,
          currency: "HKD",
          kind: "money"
        },
        target: {
          end: 61,
          paragraph: 0,
          start: 48,
          text: "$2.44 million"
        },
        target_value: {
          amount: 2440000.0,
          currency: "HKD",
          kind: "money"
        },
        verdict: "changed"
      },
      {
        kind: "phone",
        row: 1,
        source: {
          end: 14,
          paragraph: 1,
          start: 5,
          text: "2835 1234"
        },
        source_value: {
          digits: "28351234",
          kind: "phone"
        },
        target: {
          end: 20,
          paragraph: 1,
          start: 11,
          text: "2835 1234"
        },
        target_value: {
          digits: "28351234",
          kind: "phone"
        },
        verdict: "found"
      }
    ],
    mode: "translation",
    rows: [
      {
        source: [
          0
        ],
        target: [
          0
        ]
      },
      {
        source: [
          1
        ],
        target: [
          1
        ]
      }
    ],
    script: [
      {
        kind: "untranslated",
        mention: {
          end: 24,
          paragraph: 1,
          start: 22,
          text: "路面"
        },
        row: 1
      }
    ],
    source_lang: "zh-Hant",
    target_lang: "en",
    terms: [
      {
        kind: "body",
        origin: "base",
        row: 0,
        source: {
          end: 3,
          paragraph: 0,
          start: 0,
          text: "運輸署"
        },
        source_term: "運輸署",
        target_term: "Transport Department",
        verdict: "missing"
      }
    ],
    version: 1
  },
  check_view: [
    {
      flags: [
        "amount 二千四百四十萬元 became $2.44 million",
        "official name 運輸署 should be rendered Transport Department, which is not in the translation"
      ],
      source: [
        [
          {
            mark: "missing",
            note: "official name 運輸署 should be rendered Transport Department, which is not in the translation",
            text: "運輸署"
          },
          {
            text: "今日宣布撥款約"
          },
          {
            mark: "changed",
            note: "amount 二千四百四十萬元 became $2.44 million",
            text: "二千四百四十萬元"
          },
          {
            text: "。"
          }
        ]
      ],
      target: [
        [
          {
            text: "The Transport Bureau announced funding of about "
          },
          {
            mark: "changed",
            note: "amount 二千四百四十萬元 became $2.44 million",
            text: "$2.44 million"
          },
          {
            text: " today."
          }
        ]
      ]
    },
    {
      flags: [
        "Chinese left untranslated: 路面"
      ],
      source: [
        [
          {
            text: "查詢電話："
          },
          {
            mark: "found",
            note: "phone number 2835 1234 kept as 2835 1234",
            text: "2835 1234"
          },
          {
            text: "。"
          }
        ]
      ],
      target: [
        [
          {
            text: "Enquiries: "
          },
          {
            mark: "found",
            note: "phone number 2835 1234 kept as 2835 1234",
            text: "2835 1234"
          },
          {
            text: ", "
          },
          {
            mark: "script",
            note: "Chinese left untranslated: 路面",
            text: "路面"
          },
          {
            text: "."
          }
        ]
      ]
    }
  ]
};

/** A translation whose checks flag three items (see CHECKED). */
export function checkedOutcome(overrides: Partial<TaskOutcome> = {}): TaskOutcome {
  const source_paragraphs = ["運輸署今日宣布撥款約二千四百四十萬元。", "查詢電話：2835 1234。"];
  const output_paragraphs = ["The Transport Bureau announced funding of about $2.44 million today.", "Enquiries: 2835 1234, 路面."];
  return outcome({
    task: "translate",
    text: output_paragraphs.join("\n\n"),
    source_lang: "zh-Hant",
    target_lang: "en",
    source_paragraphs,
    output_paragraphs,
    ...structuredClone(CHECKED),
    ...overrides,
  });
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
    generated_tokens: 120,
    seconds: 2.5,
    figures: 0,
    figures_flagged: [],
    terms: 0,
    terms_missing: [],
    script_flagged: [],
    formatting_flagged: [],
    warnings: [],
    resumed: false,
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
