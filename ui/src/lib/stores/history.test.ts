import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeShell } from "../../tests/shell";
import { record, summary } from "../../tests/fixtures";
import { HistoryStore, SEARCH_DEBOUNCE_MS } from "./history.svelte";

describe("HistoryStore", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("searches once typing pauses, with the last query", async () => {
    const shell = fakeShell({ history_search: (a) => [summary(1, `match ${a.query}`)] });
    const history = new HistoryStore();
    history.setQuery("r");
    history.setQuery("re");
    history.setQuery("回收");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 10);
    expect(shell.callsTo("history_search")).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(shell.callsTo("history_search")).toEqual([{ query: "回收", limit: 100 }]);
    expect(history.items.map((i) => i.preview)).toEqual(["match 回收"]);
    expect(history.shownQuery).toBe("回收");
  });

  it("never lets an older, slower answer replace a newer one", async () => {
    const answers: Record<string, (v: unknown) => void> = {};
    fakeShell({ history_search: (a) => new Promise((r) => (answers[a.query as string] = r)) });
    const history = new HistoryStore();
    history.query = "old";
    const first = history.search();
    history.query = "new";
    const second = history.search();
    answers["new"]([summary(2, "new one")]);
    await second;
    answers["old"]([summary(1, "old one")]);
    await first;
    expect(history.items.map((i) => i.id)).toEqual([2]);
  });

  it("loads the selected run, deletes it from list and detail, and exports by id", async () => {
    const shell = fakeShell({
      history_search: () => [summary(1, "a"), summary(2, "b")],
      history_get: (a) => record(a.id as number),
      history_delete: (a) => (a.ids as number[]).length,
      history_export: () => 1,
    });
    const history = new HistoryStore();
    await history.search();
    await history.select(2);
    expect(history.selected?.id).toBe(2);
    expect(await history.export([2], "/tmp/run.md")).toBe(1);
    expect(shell.callsTo("history_export")).toEqual([{ ids: [2], path: "/tmp/run.md" }]);
    expect(await history.remove([2])).toBe(1);
    expect(shell.callsTo("history_delete")).toEqual([{ ids: [2] }]);
    expect(history.items.map((i) => i.id)).toEqual([1]);
    expect(history.selected).toBeNull();
  });

  it("shows a failed search as an error and keeps the list", async () => {
    const shell = fakeShell({ history_search: () => [summary(1, "a")] });
    const history = new HistoryStore();
    await history.search();
    shell.on("history_search", () => Promise.reject({ code: "store_sql", message: "locked", details: {} }));
    await history.search();
    expect(history.error?.code).toBe("store_sql");
    expect(history.items).toHaveLength(1);
  });
});
