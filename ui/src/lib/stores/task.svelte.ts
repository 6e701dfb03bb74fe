// The main page's work: the input, the chosen task and its options, and one
// run at a time through idle → running → done | cancelled | error.
//
// Two promises matter here. The input is never cleared or rewritten by a
// run, whatever happens to it. And text already streamed is never thrown
// away: a failure keeps it (the shell also sends it as `details.partial`).

import * as api from "../../api";
import type { ApiError, DocType, Lang, TaskEvent, TaskKind, TaskOutcome, TaskRequest } from "../../api";

export type RunState = "idle" | "running" | "done" | "cancelled" | "error";

export const TASKS: readonly TaskKind[] = ["draft", "summarise", "translate", "polish"];
export const DOC_TYPES: readonly DocType[] = [
  "memo",
  "letter",
  "press-release",
  "legco-reply",
  "progress-report",
  "minutes",
  "circular",
  "speech",
];
export const SUMMARY_POINTS = { short: 3, medium: 5, long: 8 } as const;
export type SummaryLength = keyof typeof SUMMARY_POINTS;

export interface TaskOptions {
  docType: DocType;
  draftLang: "zh-Hant" | "en";
  tone: "formal" | "neutral";
  length: SummaryLength;
  /** "auto" leaves the target out, so the shell infers it from the input. */
  summaryLang: "auto" | "zh-Hant" | "en";
  direction: "en" | "zh-Hant";
}

export function defaultOptions(): TaskOptions {
  return {
    docType: "memo",
    draftLang: "zh-Hant",
    tone: "formal",
    length: "medium",
    summaryLang: "auto",
    direction: "en",
  };
}

/** The shell's request for a task, its input and options. */
export function buildRequest(task: TaskKind, input: string, o: TaskOptions): TaskRequest {
  switch (task) {
    case "draft":
      return { task, input, doc_type: o.docType, target: o.draftLang, tone: o.tone };
    case "summarise": {
      const request: TaskRequest = { task, input, max_points: SUMMARY_POINTS[o.length] };
      if (o.summaryLang !== "auto") request.target = o.summaryLang;
      return request;
    }
    case "translate":
      return { task, input, target: o.direction };
    case "polish":
      return { task, input };
  }
}

export class TaskStore {
  input = $state("");
  task = $state<TaskKind>("summarise");
  options = $state<TaskOptions>(defaultOptions());
  /** The document the input was loaded from, if any. */
  document = $state<{ name: string; blocks: number } | null>(null);

  state = $state<RunState>("idle");
  output = $state("");
  outcome = $state.raw<TaskOutcome | null>(null);
  error = $state.raw<ApiError | null>(null);
  /** The task of the output on show (the tab may have changed since). */
  outputTask = $state<TaskKind | null>(null);

  private ticket: number | null = null;
  private stopWanted = false;
  // Each run gets a number; events and results from an older run (one that
  // was replaced by reopening a history item, say) are ignored.
  private generation = 0;

  get running(): boolean {
    return this.state === "running";
  }

  request(): TaskRequest {
    return buildRequest(this.task, this.input, $state.snapshot(this.options) as TaskOptions);
  }

  /** Runs the current task on the current input (Ctrl+Enter, the Run button). */
  run(): Promise<void> {
    return this.runRequest(this.request());
  }

  async runRequest(request: TaskRequest): Promise<void> {
    if (this.running) return;
    const generation = ++this.generation;
    this.output = "";
    this.outcome = null;
    this.error = null;
    this.outputTask = request.task;
    this.ticket = null;
    this.stopWanted = false;
    this.state = "running";
    const onEvent = (event: TaskEvent) => {
      if (generation !== this.generation || this.state !== "running") return;
      if (event.kind === "started") {
        this.ticket = event.ticket;
        if (this.stopWanted) void this.sendStop(event.ticket);
      } else if (event.kind === "text") {
        this.output += event.text;
      }
    };
    try {
      const outcome = await api.runTask(request, onEvent);
      if (generation !== this.generation) return;
      this.outcome = outcome;
      // The outcome's text is the cleaned-up whole (HK punctuation, zh-Hant
      // conversion), which can differ from the raw pieces streamed.
      this.output = outcome.text;
      this.state = outcome.status === "cancelled" ? "cancelled" : "done";
    } catch (e) {
      if (generation !== this.generation) return;
      const error = api.toApiError(e);
      const partial = error.details.partial;
      if (typeof partial === "string" && partial.length > this.output.length) this.output = partial;
      this.error = error;
      this.state = error.code === "cancelled" ? "cancelled" : "error";
    } finally {
      if (generation === this.generation) this.ticket = null;
    }
  }

  /** Asks the running task to stop; it then ends as cancelled with its partial text. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopWanted = true;
    // Before the started event there is no ticket yet: the stop is sent
    // as soon as it arrives.
    if (this.ticket !== null) await this.sendStop(this.ticket);
  }

  private async sendStop(ticket: number): Promise<void> {
    const generation = this.generation;
    try {
      await api.stopTask(ticket);
    } catch (e) {
      // The run may have ended on its own meanwhile; only a live run's
      // failed stop is worth showing.
      if (generation === this.generation && this.running) this.error = api.toApiError(e);
    }
  }

  /** Puts a finished run on the page (History's reopen, the popup's hand-over). */
  show(input: string, output: string, task: TaskKind): void {
    if (this.running) void this.stop();
    this.generation++;
    this.ticket = null;
    this.input = input;
    this.task = task;
    this.document = null;
    this.output = output;
    this.outputTask = task;
    this.outcome = null;
    this.error = null;
    this.state = output ? "done" : "idle";
  }

  /** Loads a document's text into the editor. */
  async openDocument(path: string): Promise<void> {
    const doc = await api.openDocument(path);
    this.input = doc.text;
    this.document = { name: baseName(doc.path || path), blocks: doc.blocks };
  }
}

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
