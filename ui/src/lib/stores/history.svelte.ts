// The History page: a search that runs as the user types (debounced, and
// only the newest answer is shown), the selected run, delete and export.

import * as api from "../../api";
import type { ApiError, RunRecord, RunSummary } from "../../api";

export const SEARCH_DEBOUNCE_MS = 150;
export const SEARCH_LIMIT = 100;

export class HistoryStore {
  query = $state("");
  items = $state.raw<RunSummary[]>([]);
  loading = $state(false);
  /** The query whose answer `items` holds. */
  shownQuery = $state("");
  selected = $state.raw<RunRecord | null>(null);
  error = $state.raw<ApiError | null>(null);

  private timer: ReturnType<typeof setTimeout> | null = null;
  private searchSeq = 0;
  private selectSeq = 0;

  /** Sets the query and searches once typing pauses. */
  setQuery(query: string): void {
    this.query = query;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.search();
    }, SEARCH_DEBOUNCE_MS);
  }

  /** Searches now with the current query (an empty one lists the latest runs). */
  async search(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const seq = ++this.searchSeq;
    const query = this.query.trim();
    this.loading = true;
    try {
      const items = await api.historySearch(query, SEARCH_LIMIT);
      // A slower answer to an older query must not replace a newer one.
      if (seq !== this.searchSeq) return;
      this.items = items;
      this.shownQuery = query;
      this.error = null;
    } catch (e) {
      if (seq === this.searchSeq) this.error = api.toApiError(e);
    } finally {
      if (seq === this.searchSeq) this.loading = false;
    }
  }

  async select(id: number): Promise<void> {
    const seq = ++this.selectSeq;
    try {
      const record = await api.historyGet(id);
      if (seq === this.selectSeq) {
        this.selected = record;
        this.error = null;
      }
    } catch (e) {
      if (seq === this.selectSeq) this.error = api.toApiError(e);
    }
  }

  clearSelection(): void {
    this.selectSeq++;
    this.selected = null;
  }

  /** Deletes runs; they leave the list and the detail at once. */
  async remove(ids: number[]): Promise<number> {
    try {
      const removed = await api.historyDelete(ids);
      this.items = this.items.filter((item) => !ids.includes(item.id));
      if (this.selected && ids.includes(this.selected.id)) this.clearSelection();
      this.error = null;
      return removed;
    } catch (e) {
      this.error = api.toApiError(e);
      return 0;
    }
  }

  /** Exports runs to `path` (.md, .docx or .json); null when it failed. */
  async export(ids: number[], path: string): Promise<number | null> {
    try {
      const count = await api.historyExport(ids, path);
      this.error = null;
      return count;
    } catch (e) {
      this.error = api.toApiError(e);
      return null;
    }
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
