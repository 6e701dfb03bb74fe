// The only module that talks to the Rust shell. Command names and argument
// shapes live here and nowhere else, so the rest of the UI (and its tests)
// depends on typed functions rather than on strings passed to invoke().

import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open, save, type DialogFilter } from "@tauri-apps/plugin-dialog";
import type {
  ApiError,
  AppInfo,
  BatchEvent,
  BatchJob,
  BatchRequest,
  ModelCheck,
  OpenedDocument,
  OpenInMain,
  RunRecord,
  RunSummary,
  Selection,
  Settings,
  ShortcutStatus,
  TaskEvent,
  TaskOutcome,
  TaskRequest,
} from "./types";

export type * from "./types";
export type { DialogFilter, UnlistenFn };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whatever a command, a plugin or the JS runtime rejected with, as an
 * ApiError. Plugins reject with bare strings and the batch worker may send
 * `details: null`, so the UI can rely on the shape everywhere.
 */
export function toApiError(e: unknown): ApiError {
  if (isRecord(e) && typeof e.code === "string") {
    return {
      code: e.code,
      message: typeof e.message === "string" ? e.message : String(e.message ?? ""),
      details: isRecord(e.details) ? e.details : {},
    };
  }
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e) ?? String(e);
  return { code: "internal", message, details: {} };
}

export function isApiError(e: unknown): e is ApiError {
  return isRecord(e) && typeof e.code === "string" && typeof e.message === "string" && isRecord(e.details);
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

function channelTo<E>(handler: (event: E) => void): Channel<E> {
  // The handler is set before the channel is sent: messages that arrive
  // before a handler exists are dropped by the Tauri API.
  return new Channel<E>(handler);
}

export const appInfo = () => call<AppInfo>("app_info");

/** Runs a task. `onEvent` receives `started` (with the ticket), then the text as it streams. */
export const runTask = (request: TaskRequest, onEvent: (event: TaskEvent) => void) =>
  call<TaskOutcome>("run_task", { request, onEvent: channelTo(onEvent) });

/** The run then resolves with status "cancelled" and its partial text. */
export const stopTask = (ticket: number) => call<void>("stop_task", { ticket });

export const openDocument = (path: string) => call<OpenedDocument>("open_document", { path });

/** Saves as .docx, .md or .txt, chosen by the path's extension. */
export const saveOutput = (path: string, text: string) => call<void>("save_output", { path, text });

/** An empty query lists the latest runs. */
export const historySearch = (query: string, limit = 100) =>
  call<RunSummary[]>("history_search", { query, limit });
export const historyGet = (id: number) => call<RunRecord>("history_get", { id });
export const historyDelete = (ids: number[]) => call<number>("history_delete", { ids });
/** Exports as .md, .docx or .json, chosen by the path's extension. */
export const historyExport = (ids: number[], path: string) => call<number>("history_export", { ids, path });

export const settingsGet = () => call<Settings>("settings_get");
/** Resolves with the settings as saved and validated; rejects with `settings_invalid`. */
export const settingsSave = (settings: Settings) => call<Settings>("settings_save", { settings });
export const checkModel = (path: string) => call<ModelCheck>("check_model", { path });
export const shortcutStatus = () => call<ShortcutStatus>("shortcut_status");

/** Resolves when the job's process ends: completed, paused, cancelled or interrupted. */
export const batchStart = (request: BatchRequest, onEvent: (event: BatchEvent) => void) =>
  call<BatchJob>("batch_start", { request, onEvent: channelTo(onEvent) });
export const batchResume = (job: number, onEvent: (event: BatchEvent) => void) =>
  call<BatchJob>("batch_resume", { job, onEvent: channelTo(onEvent) });
export const batchPause = (job: number) => call<void>("batch_pause", { job });
export const batchCancel = (job: number) => call<void>("batch_cancel", { job });
export const batchJobs = () => call<BatchJob[]>("batch_jobs");

/** Opens a file (e.g. a job's report.csv) in the desktop's program for it. */
export const openPath = (path: string) => call<void>("open_path", { path });

export const popupText = () => call<Selection>("popup_text");
export const popupOpenInMain = (payload: OpenInMain) => call<void>("popup_open_in_main", { payload });
export const popupClose = () => call<void>("popup_close");

/** The popup handed its text to the main window. */
export async function onOpenInMain(handler: (payload: OpenInMain) => void): Promise<UnlistenFn> {
  try {
    return await listen<OpenInMain>("open-in-main", (event) => handler(event.payload));
  } catch (e) {
    throw toApiError(e);
  }
}

function single(picked: string | string[] | null): string | null {
  if (Array.isArray(picked)) return picked[0] ?? null;
  return picked;
}

/** One existing file; null when the user cancels. */
export async function pickFile(filters: DialogFilter[] = []): Promise<string | null> {
  try {
    return single(await open({ multiple: false, directory: false, filters }));
  } catch (e) {
    throw toApiError(e);
  }
}

/** One folder; null when the user cancels. */
export async function pickFolder(defaultPath?: string): Promise<string | null> {
  try {
    return single(await open({ multiple: false, directory: true, defaultPath: defaultPath || undefined }));
  } catch (e) {
    throw toApiError(e);
  }
}

/** A path to write; null when the user cancels. */
export async function pickSavePath(defaultPath: string, filters: DialogFilter[] = []): Promise<string | null> {
  try {
    return await save({ defaultPath, filters });
  } catch (e) {
    throw toApiError(e);
  }
}
