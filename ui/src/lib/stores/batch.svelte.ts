// A folder job as the Batch page shows it, fed by the job's events.
//
// Overall progress counts segments. A resumed job's `planned` event already
// counts the segments done in earlier runs, and each open file first reports
// where it stands: that first figure is its base, and only what comes after
// it is new work, so nothing is counted twice.

import * as api from "../../api";
import type { ApiError, BatchEvent, BatchJob, FileReport, JobStatus } from "../../api";

/** The page's state: a job's own status, or what the page is doing. */
export type BatchStatus = "idle" | "pausing" | "failed" | JobStatus;

export type FileState = "pending" | "running" | FileReport["status"];

export interface FileRow {
  path: string;
  done: number;
  of: number;
  /** Segments already done when this run first reported the file. */
  base: number | null;
  state: FileState;
}

export class BatchStore {
  source = $state("");
  out = $state("");
  target = $state<"en" | "zh-Hant">("en");
  bilingual = $state(false);
  /** Also write each file's HTML check report beside its output. */
  checkReports = $state(false);

  status = $state<BatchStatus>("idle");
  job = $state<number | null>(null);
  files = $state<FileRow[]>([]);
  segmentsTotal = $state(0);
  private plannedDone = $state(0);
  report = $state.raw<FileReport[] | null>(null);
  reportCsv = $state<string | null>(null);
  error = $state.raw<ApiError | null>(null);
  /** A job left unfinished last time, offered at start-up. */
  resumable = $state.raw<BatchJob | null>(null);
  offerDismissed = $state(false);

  segmentsDone = $derived(
    this.plannedDone + this.files.reduce((sum, f) => sum + (f.base === null ? 0 : Math.max(0, f.done - f.base)), 0),
  );

  get running(): boolean {
    return this.status === "running" || this.status === "pausing";
  }

  /** A stopped job of this session that can go on. */
  get canResume(): boolean {
    if (this.running) return false;
    if (this.job !== null && (this.status === "interrupted" || this.status === "failed"))
      return true;
    return this.resumable !== null;
  }

  /** Shows the start-up offer to resume a job left unfinished. */
  offer(job: BatchJob | null): void {
    this.resumable = job;
    this.offerDismissed = false;
    if (job && this.status === "idle") {
      this.source = job.source_dir;
      this.out = job.out_dir;
      this.target = job.target_lang === "zh-Hant" ? "zh-Hant" : "en";
    }
  }

  dismissOffer(): void {
    this.offerDismissed = true;
  }

  private row(path: string): FileRow {
    let row = this.files.find((f) => f.path === path);
    if (!row) {
      this.files.push({ path, done: 0, of: 0, base: null, state: "pending" });
      row = this.files[this.files.length - 1];
    }
    return row;
  }

  /** Applies one event from the running job. */
  apply(event: BatchEvent): void {
    switch (event.kind) {
      case "planned":
        this.job = event.job;
        this.segmentsTotal = event.segments;
        this.plannedDone = event.done;
        break;
      case "file_started": {
        const row = this.row(event.path);
        row.of = event.segments;
        row.state = "running";
        break;
      }
      case "segment": {
        const row = this.row(event.path);
        if (row.base === null) row.base = event.done;
        row.done = event.done;
        row.of = event.of;
        if (row.state === "pending") row.state = "running";
        break;
      }
      case "file": {
        const row = this.row(event.report.path);
        row.state = event.report.status;
        if (event.report.status === "done") {
          row.of = Math.max(row.of, event.report.segments);
          row.done = row.of;
        }
        break;
      }
      case "finished":
        this.job = event.job;
        this.report = event.files;
        this.reportCsv = event.report_csv || null;
        this.status = event.status;
        break;
      case "failed":
        this.error = api.toApiError(event.error);
        this.status = "failed";
        break;
    }
  }

  private reset(): void {
    this.files = [];
    this.segmentsTotal = 0;
    this.plannedDone = 0;
    this.report = null;
    this.reportCsv = null;
    this.error = null;
  }

  private async drive(start: () => Promise<BatchJob>): Promise<void> {
    this.reset();
    this.status = "running";
    this.offerDismissed = true;
    try {
      const job = await start();
      this.job = job.id;
      // The process has ended, so a row still saying "running" is a job
      // that stopped without recording why: it can be resumed.
      this.status = job.status === "running" ? "interrupted" : job.status;
      this.resumable = null;
    } catch (e) {
      this.error = api.toApiError(e);
      const job = this.error.details.job;
      if (typeof job === "number") this.job = job;
      this.status = "failed";
    }
  }

  /** Starts a job on the folders in the form. */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    const source = this.source.trim();
    const out = this.out.trim();
    this.job = null;
    this.resumable = null;
    const request = { source, out, target: this.target, bilingual: this.bilingual, check_reports: this.checkReports };
    return this.drive(() => api.batchStart(request, (e) => this.apply(e)));
  }

  /** Resumes this session's stopped job, or the one offered at start-up. */
  resume(): Promise<void> {
    if (this.running) return Promise.resolve();
    let id = this.job;
    const offered = this.resumable;
    if ((id === null || this.status === "idle" || this.status === "completed") && offered) {
      id = offered.id;
      this.source = offered.source_dir;
      this.out = offered.out_dir;
      this.target = offered.target_lang === "zh-Hant" ? "zh-Hant" : "en";
    }
    if (id === null) return Promise.resolve();
    const job = id;
    this.job = job;
    return this.drive(() => api.batchResume(job, (e) => this.apply(e)));
  }

  /** Stops after the segments in flight; the job can be resumed. */
  async pause(): Promise<void> {
    if (this.job === null || this.status !== "running") return;
    this.status = "pausing";
    try {
      await api.batchPause(this.job);
    } catch (e) {
      this.error = api.toApiError(e);
      this.status = "running";
    }
  }

  /** Stops for good; finished files and the report stay. */
  async cancel(): Promise<void> {
    const id = this.job ?? this.resumable?.id ?? null;
    if (id === null) return;
    try {
      await api.batchCancel(id);
      if (!this.running) this.status = "cancelled";
      this.resumable = null;
    } catch (e) {
      this.error = api.toApiError(e);
    }
  }

  async openReport(): Promise<void> {
    if (!this.reportCsv) return;
    try {
      await api.openPath(this.reportCsv);
    } catch (e) {
      this.error = api.toApiError(e);
    }
  }
}
