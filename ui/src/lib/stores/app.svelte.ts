// Everything the main window holds, created once by App.svelte (tests make
// their own), and the window-wide keyboard shortcuts.

import * as api from "../../api";
import type { ApiError, AppInfo, OpenInMain } from "../../api";
import { digitOf } from "../keys";
import { BatchStore } from "./batch.svelte";
import { HistoryStore } from "./history.svelte";
import { NavStore, PAGES } from "./nav.svelte";
import { SettingsStore } from "./settings.svelte";
import { TASKS, TaskStore } from "./task.svelte";

export class AppStore {
  nav = new NavStore();
  task = new TaskStore();
  history = new HistoryStore();
  batch = new BatchStore();
  settings = new SettingsStore();
  info = $state.raw<AppInfo | null>(null);
  loadError = $state.raw<ApiError | null>(null);

  /** Reads the shell's state once at start-up. */
  async start(): Promise<void> {
    try {
      const info = await api.appInfo();
      this.info = info;
      this.settings.load(info.settings, info.shortcut);
      this.batch.offer(info.resumable_batch);
    } catch (e) {
      this.loadError = api.toApiError(e);
      await this.settings.fetch();
    }
  }

  /** The popup handed its text and summary over. */
  openInMain(payload: OpenInMain): void {
    this.task.show(payload.input, payload.output, payload.task);
    this.nav.go("main");
  }

  /** Accepts the start-up offer to resume an unfinished batch job. */
  resumeOffered(): Promise<void> {
    this.nav.go("batch");
    return this.batch.resume();
  }

  /** Window-wide keys; true when the key was used. */
  onKey(event: KeyboardEvent): boolean {
    if (event.defaultPrevented) return false;
    const digit = digitOf(event);
    if (digit !== null && event.ctrlKey && !event.altKey && !event.shiftKey && !event.metaKey) {
      this.nav.go(PAGES[digit - 1]);
      event.preventDefault();
      return true;
    }
    if (digit !== null && event.altKey && !event.ctrlKey && !event.shiftKey && !event.metaKey) {
      this.task.task = TASKS[digit - 1];
      this.nav.go("main");
      event.preventDefault();
      return true;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && this.nav.page === "main") {
      event.preventDefault();
      if (!this.task.running) void this.task.run();
      return true;
    }
    if (event.key === "Escape" && this.task.running) {
      event.preventDefault();
      void this.task.stop();
      return true;
    }
    return false;
  }
}
