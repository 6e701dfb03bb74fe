import { describe, expect, it } from "vitest";
import { fakeShell, flush, pending } from "../../tests/shell";
import { outcome } from "../../tests/fixtures";
import type { TaskOutcome } from "../../api/types";
import { buildRequest, defaultOptions, TaskStore } from "./task.svelte";

describe("buildRequest", () => {
  it("maps summary lengths to point counts and leaves the target out for 'same as input'", () => {
    const o = defaultOptions();
    expect(buildRequest("summarise", "x", { ...o, length: "short" })).toEqual({ task: "summarise", input: "x", max_points: 3 });
    expect(buildRequest("summarise", "x", { ...o, length: "long", summaryLang: "en" })).toEqual({
      task: "summarise",
      input: "x",
      max_points: 8,
      target: "en",
    });
  });

  it("sends a draft's document type, language and tone, and a translation's direction", () => {
    const o = { ...defaultOptions(), docType: "legco-reply" as const, draftLang: "en" as const, tone: "neutral" as const };
    expect(buildRequest("draft", "notes", o)).toEqual({
      task: "draft",
      input: "notes",
      doc_type: "legco-reply",
      target: "en",
      tone: "neutral",
    });
    expect(buildRequest("translate", "文字", { ...o, direction: "en" })).toEqual({ task: "translate", input: "文字", target: "en" });
    expect(buildRequest("polish", "文字", o)).toEqual({ task: "polish", input: "文字" });
  });
});

describe("TaskStore", () => {
  it("appends streamed pieces in order while running, then shows the outcome's text", async () => {
    const run = pending<TaskOutcome>();
    const shell = fakeShell({ run_task: run.handler });
    const task = new TaskStore();
    task.input = "Residents can recycle glass.";
    const done = task.run();
    await run.called;
    expect(task.state).toBe("running");
    run.emit({ kind: "started", ticket: 4 });
    run.emit({ kind: "text", text: "Residents " });
    run.emit({ kind: "text", text: "can " });
    run.emit({ kind: "text", text: "recycle." });
    expect(task.output).toBe("Residents can recycle.");
    expect(task.state).toBe("running");
    run.resolve(outcome({ text: "Residents can recycle glass." }));
    await done;
    expect(task.state).toBe("done");
    expect(task.output).toBe("Residents can recycle glass.");
    expect(shell.callsTo("run_task")[0].request).toEqual({ task: "summarise", input: "Residents can recycle glass.", max_points: 5 });
  });

  it("keeps the input and the partial text when the worker crashes, and moves to error", async () => {
    const run = pending<TaskOutcome>();
    fakeShell({ run_task: run.handler });
    const task = new TaskStore();
    task.input = "第一段。\n\n第二段。";
    const done = task.run();
    await run.called;
    run.emit({ kind: "started", ticket: 1 });
    run.emit({ kind: "text", text: "第一" });
    run.reject({ code: "worker_crashed", message: "worker exited", details: { partial: "第一段摘要" } });
    await done;
    expect(task.state).toBe("error");
    expect(task.error?.code).toBe("worker_crashed");
    expect(task.input).toBe("第一段。\n\n第二段。");
    expect(task.output).toBe("第一段摘要");
  });

  it("keeps what streamed when the error carries no partial text", async () => {
    const run = pending<TaskOutcome>();
    fakeShell({ run_task: run.handler });
    const task = new TaskStore();
    task.input = "abc";
    const done = task.run();
    await run.called;
    run.emit({ kind: "text", text: "partial" });
    run.reject({ code: "generation_failed", message: "x", details: {} });
    await done;
    expect(task.output).toBe("partial");
    expect(task.input).toBe("abc");
  });

  it("stops with the ticket from the started event and ends as cancelled", async () => {
    const run = pending<TaskOutcome>();
    const shell = fakeShell({ run_task: run.handler, stop_task: () => null });
    const task = new TaskStore();
    task.input = "text";
    const done = task.run();
    await run.called;
    run.emit({ kind: "started", ticket: 17 });
    run.emit({ kind: "text", text: "half" });
    await task.stop();
    expect(shell.callsTo("stop_task")).toEqual([{ ticket: 17 }]);
    run.resolve(outcome({ text: "half", status: "cancelled" }));
    await done;
    expect(task.state).toBe("cancelled");
    expect(task.output).toBe("half");
  });

  it("sends a stop asked for before the started event as soon as the ticket arrives", async () => {
    const run = pending<TaskOutcome>();
    const shell = fakeShell({ run_task: run.handler, stop_task: () => null });
    const task = new TaskStore();
    task.input = "text";
    const done = task.run();
    await run.called;
    await task.stop();
    expect(shell.callsTo("stop_task")).toEqual([]);
    run.emit({ kind: "started", ticket: 2 });
    await flush();
    expect(shell.callsTo("stop_task")).toEqual([{ ticket: 2 }]);
    run.resolve(outcome({ status: "cancelled" }));
    await done;
  });

  it("leaves empty input to the shell to refuse, and shows its error", async () => {
    const shell = fakeShell({
      run_task: () => Promise.reject({ code: "input_empty", message: "the input is empty", details: {} }),
    });
    const task = new TaskStore();
    task.input = "   \n";
    await task.run();
    expect(shell.callsTo("run_task")).toHaveLength(1);
    expect(task.state).toBe("error");
    expect(task.error?.code).toBe("input_empty");
    expect(task.input).toBe("   \n");
  });

  it("ignores text that arrives after the run has finished", async () => {
    const run = pending<TaskOutcome>();
    fakeShell({ run_task: run.handler });
    const task = new TaskStore();
    task.input = "x";
    const done = task.run();
    await run.called;
    run.resolve(outcome({ text: "final" }));
    await done;
    run.emit({ kind: "text", text: " late" });
    expect(task.output).toBe("final");
  });

  it("shows a reopened run and drops the result of the run it replaced", async () => {
    const run = pending<TaskOutcome>();
    fakeShell({ run_task: run.handler, stop_task: () => null });
    const task = new TaskStore();
    task.input = "old";
    const done = task.run();
    await run.called;
    task.show("history input", "history output", "translate");
    run.resolve(outcome({ text: "stale" }));
    await done;
    expect(task.input).toBe("history input");
    expect(task.output).toBe("history output");
    expect(task.task).toBe("translate");
    expect(task.state).toBe("done");
  });
});
