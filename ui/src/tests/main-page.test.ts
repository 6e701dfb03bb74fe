import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import MainPage from "../pages/MainPage.svelte";
import { AppStore } from "../lib/stores/app.svelte";
import { TaskStore } from "../lib/stores/task.svelte";
import type { TaskOutcome } from "../api/types";
import { appInfo, checkedOutcome, outcome } from "./fixtures";
import { emitEvent, fakeShell, flush, pending } from "./shell";

const byId = (id: string) => screen.getByTestId(id);

describe("the main page", () => {
  it("runs a summary and shows the pieces as they stream in", async () => {
    const run = pending<TaskOutcome>();
    const shell = fakeShell({ app_info: () => appInfo(), run_task: run.handler });
    render(App, { props: { app: new AppStore() } });
    await flush();

    const input = "The Environmental Protection Department will install 250 new recycling stations.";
    await fireEvent.input(byId("editor"), { target: { value: input } });
    await fireEvent.click(byId("task-summarise"));
    expect(byId("task-summarise").getAttribute("aria-selected")).toBe("true");
    expect(byId("task-draft").getAttribute("aria-selected")).toBe("false");
    expect(byId("output").dataset.state).toBe("idle");

    await fireEvent.click(byId("run"));
    await run.called;
    expect(shell.callsTo("run_task")[0].request).toEqual({ task: "summarise", input, max_points: 5 });
    expect(byId("output").dataset.state).toBe("running");
    expect((byId("run") as HTMLButtonElement).disabled).toBe(true);
    expect((byId("stop") as HTMLButtonElement).disabled).toBe(false);

    run.emit({ kind: "started", ticket: 1 });
    run.emit({ kind: "text", text: "• 250 new " });
    await flush();
    expect(byId("output").textContent).toBe("• 250 new ");
    run.emit({ kind: "text", text: "recycling stations" });
    run.emit({ kind: "text", text: " will be installed." });
    await flush();
    expect(byId("output").textContent).toBe("• 250 new recycling stations will be installed.");
    expect(byId("output").dataset.state).toBe("running");

    run.resolve(
      outcome({
        text: "• 250 new recycling stations will be installed.",
        key_points: [{ text: "250 new recycling stations", paragraphs: [1] }],
      }),
    );
    await flush();
    expect(byId("output").dataset.state).toBe("done");
    expect((byId("stop") as HTMLButtonElement).disabled).toBe(true);
    expect((byId("editor") as HTMLTextAreaElement).value).toBe(input);
    const checks = byId("checks");
    expect(within(checks).getByText("250 new recycling stations")).toBeTruthy();
    expect(checks.textContent).toContain("出自第 1 段");
  });

  it("shows the worker_crashed banner and keeps the input and the partial output", async () => {
    const run = pending<TaskOutcome>();
    fakeShell({ run_task: run.handler });
    const task = new TaskStore();
    render(MainPage, { props: { task } });
    const input = "第一段內容。\n\n第二段內容。";
    await fireEvent.input(byId("editor"), { target: { value: input } });
    await fireEvent.click(byId("task-polish"));
    await fireEvent.click(byId("run"));
    await run.called;
    run.emit({ kind: "started", ticket: 3 });
    run.emit({ kind: "text", text: "第一段" });
    await flush();
    run.reject({ code: "worker_crashed", message: "the model worker exited", details: { partial: "第一段內容已潤飾" } });
    await flush();

    const banner = byId("error-banner");
    expect(banner.textContent).toContain("模型程序已停止運作");
    expect(banner.textContent).toContain("輸入內容已保留");
    expect(byId("output").dataset.state).toBe("error");
    expect(byId("output").textContent).toBe("第一段內容已潤飾");
    expect((byId("editor") as HTMLTextAreaElement).value).toBe(input);
    expect((byId("run") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows a translation side by side as core marked it, with its checks below", async () => {
    fakeShell({ run_task: () => checkedOutcome() });
    const task = new TaskStore();
    render(MainPage, { props: { task } });
    await fireEvent.click(byId("task-translate"));
    await fireEvent.input(byId("editor"), { target: { value: "運輸署今日宣布撥款約二千四百四十萬元。\n\n查詢電話：2835 1234。" } });
    await fireEvent.click(byId("run"));
    await flush();
    const rows = screen.getAllByTestId("side-by-side-row");
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.dataset.flagged)).toEqual(["true", "true"]);
    expect(within(byId("side-by-side")).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["原文", "譯文"]);
    const marks = within(byId("output")).getAllByTestId("check-mark");
    expect(marks.map((m) => m.dataset.mark)).toEqual(["missing", "changed", "changed", "found", "found", "script"]);
    expect(byId("checks-summary").dataset.flagged).toBe("3");
    expect(screen.getAllByTestId("check-flag")).toHaveLength(3);
  });

  it("pairs paragraphs by index when the shell sent no check view", async () => {
    fakeShell({
      run_task: () =>
        outcome({
          task: "translate",
          text: "The office opens tomorrow.\n\nCall 2123 4567.",
          source_paragraphs: ["本署明日開放。", "查詢請致電 2123 4567。"],
          output_paragraphs: ["The office opens tomorrow.", "Call 2123 4567."],
        }),
    });
    const task = new TaskStore();
    render(MainPage, { props: { task } });
    await fireEvent.click(byId("task-translate"));
    await fireEvent.change(byId("translate-direction"), { target: { value: "en" } });
    await fireEvent.input(byId("editor"), { target: { value: "本署明日開放。\n\n查詢請致電 2123 4567。" } });
    await fireEvent.click(byId("run"));
    await flush();
    const rows = screen.getAllByTestId("side-by-side-row");
    expect(rows).toHaveLength(2);
    expect(rows[1].textContent).toContain("查詢請致電 2123 4567。");
    expect(rows[1].textContent).toContain("Call 2123 4567.");
    expect(screen.queryAllByTestId("check-mark")).toEqual([]);
    expect(screen.queryByTestId("checks-summary")).toBeNull();
  });

  it("shows a polished text side by side under its own heading when the shell sent a check view", async () => {
    const polished = checkedOutcome({ task: "polish" });
    fakeShell({ run_task: () => polished });
    render(MainPage, { props: { task: new TaskStore() } });
    await fireEvent.click(byId("task-polish"));
    await fireEvent.input(byId("editor"), { target: { value: "運輸署今日宣布撥款約二千四百四十萬元。" } });
    await fireEvent.click(byId("run"));
    await flush();
    expect(within(byId("side-by-side")).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["原文", "潤飾稿"]);
    expect(screen.getAllByTestId("side-by-side-row")).toHaveLength(2);
  });

  it("sends a draft's document type and options", async () => {
    const shell = fakeShell({ run_task: () => outcome({ task: "draft", text: "便箋" }) });
    render(MainPage, { props: { task: new TaskStore() } });
    await fireEvent.click(byId("task-draft"));
    const select = byId("draft-doc-type") as HTMLSelectElement;
    expect(select.options).toHaveLength(8);
    expect(select.options[3].textContent).toBe("立法會質詢答覆 LegCo reply");
    await fireEvent.change(select, { target: { value: "press-release" } });
    await fireEvent.change(byId("draft-tone"), { target: { value: "neutral" } });
    await fireEvent.input(byId("editor"), { target: { value: "要點：新服務下月推出" } });
    await fireEvent.click(byId("run"));
    await flush();
    expect(shell.callsTo("run_task")[0].request).toEqual({
      task: "draft",
      input: "要點：新服務下月推出",
      doc_type: "press-release",
      target: "zh-Hant",
      tone: "neutral",
    });
  });

  it("moves between the task tabs with the arrow keys", async () => {
    const task = new TaskStore();
    render(MainPage, { props: { task } });
    await fireEvent.keyDown(byId("task-summarise"), { key: "ArrowRight" });
    expect(task.task).toBe("translate");
    expect(document.activeElement).toBe(byId("task-translate"));
    expect(byId("task-translate").getAttribute("tabindex")).toBe("0");
    expect(byId("task-summarise").getAttribute("tabindex")).toBe("-1");
    await fireEvent.keyDown(byId("task-translate"), { key: "Home" });
    expect(task.task).toBe("draft");
    await fireEvent.keyDown(byId("task-draft"), { key: "ArrowLeft" });
    expect(task.task).toBe("polish");
  });

  it("opens a document into the editor and saves the output where the dialog says", async () => {
    const shell = fakeShell({
      "plugin:dialog|open": () => "/docs/通告.docx",
      open_document: () => ({ path: "/docs/通告.docx", format: "docx", text: "第一段\n\n第二段", blocks: 2 }),
      "plugin:dialog|save": () => "/docs/summary.md",
      save_output: () => null,
    });
    const task = new TaskStore();
    render(MainPage, { props: { task } });
    await fireEvent.click(byId("open-document"));
    await flush();
    expect(shell.callsTo("open_document")).toEqual([{ path: "/docs/通告.docx" }]);
    expect((byId("editor") as HTMLTextAreaElement).value).toBe("第一段\n\n第二段");
    expect(screen.getByText("已載入 通告.docx（2 段）")).toBeTruthy();

    task.show("第一段", "摘要內容", "summarise");
    await flush();
    await fireEvent.click(byId("save"));
    await flush();
    expect(shell.callsTo("save_output")).toEqual([{ path: "/docs/summary.md", text: "摘要內容" }]);
  });

  it("keeps the input when opening a document fails", async () => {
    fakeShell({
      "plugin:dialog|open": () => "/docs/scan.pdf",
      open_document: () => Promise.reject({ code: "pdf_no_text", message: "no text layer", details: {} }),
    });
    const task = new TaskStore();
    task.input = "已輸入的文字";
    render(MainPage, { props: { task } });
    await fireEvent.click(byId("open-document"));
    await flush();
    expect(byId("action-error").textContent).toContain("PDF 文件沒有可讀取的文字");
    expect((byId("editor") as HTMLTextAreaElement).value).toBe("已輸入的文字");
  });

  it("fills the editor and output from the open-in-main event", async () => {
    fakeShell({ app_info: () => appInfo() });
    render(App, { props: { app: new AppStore() } });
    await flush();
    await fireEvent.click(byId("nav-history"));
    await emitEvent("open-in-main", { input: "選取的文字", output: "一、要點", task: "summarise" });
    await flush();
    expect((byId("editor") as HTMLTextAreaElement).value).toBe("選取的文字");
    expect(byId("output").textContent).toBe("一、要點");
    expect(byId("output").dataset.state).toBe("done");
  });
});
