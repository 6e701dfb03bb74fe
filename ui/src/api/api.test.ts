import { describe, expect, it } from "vitest";
import * as api from "./index";
import { fakeShell, send } from "../tests/shell";
import { outcome } from "../tests/fixtures";
import type { TaskEvent } from "./types";

describe("toApiError", () => {
  it("keeps a shell error as it is", () => {
    const e = { code: "output_write", message: "disk full", details: { path: "/x.docx" } };
    expect(api.toApiError(e)).toEqual(e);
  });

  it("turns strings, Errors and odd shapes into internal errors", () => {
    expect(api.toApiError("dialog plugin not found")).toEqual({
      code: "internal",
      message: "dialog plugin not found",
      details: {},
    });
    expect(api.toApiError(new Error("boom"))).toMatchObject({ code: "internal", message: "boom" });
    expect(api.toApiError({ code: "batch_crashed", message: "gone", details: null })).toEqual({
      code: "batch_crashed",
      message: "gone",
      details: {},
    });
  });
});

describe("commands", () => {
  it("are invoked with the names and camelCase argument keys the shell expects", async () => {
    const shell = fakeShell({
      stop_task: () => null,
      history_search: () => [],
      history_delete: () => 2,
      history_export: () => 1,
      save_output: () => null,
      batch_pause: () => null,
      open_path: () => null,
      popup_open_in_main: () => null,
    });
    await api.stopTask(5);
    await api.historySearch("回收", 20);
    await api.historyDelete([1, 2]);
    await api.historyExport([1], "/tmp/a.md");
    await api.saveOutput("/tmp/a.docx", "文字");
    await api.batchPause(9);
    await api.openPath("/out/report.csv");
    await api.popupOpenInMain({ input: "a", output: "b", task: "summarise" });
    expect(shell.calls.map((c) => [c.cmd, c.args])).toEqual([
      ["stop_task", { ticket: 5 }],
      ["history_search", { query: "回收", limit: 20 }],
      ["history_delete", { ids: [1, 2] }],
      ["history_export", { ids: [1], path: "/tmp/a.md" }],
      ["save_output", { path: "/tmp/a.docx", text: "文字" }],
      ["batch_pause", { job: 9 }],
      ["open_path", { path: "/out/report.csv" }],
      ["popup_open_in_main", { payload: { input: "a", output: "b", task: "summarise" } }],
    ]);
  });

  it("run_task passes the request and a channel named onEvent whose messages reach the handler", async () => {
    const seen: TaskEvent[] = [];
    fakeShell({
      run_task: (args) => {
        send(args.onEvent, { kind: "started", ticket: 1 });
        send(args.onEvent, { kind: "text", text: "hi" });
        return outcome({ text: "hi" });
      },
    });
    const result = await api.runTask({ task: "polish", input: "x" }, (e) => seen.push(e));
    expect(result.text).toBe("hi");
    expect(seen).toEqual([
      { kind: "started", ticket: 1 },
      { kind: "text", text: "hi" },
    ]);
  });

  it("reject with an ApiError whatever the shell rejected with", async () => {
    fakeShell({ history_get: () => Promise.reject("store is locked") });
    await expect(api.historyGet(1)).rejects.toEqual({ code: "internal", message: "store is locked", details: {} });
  });
});
