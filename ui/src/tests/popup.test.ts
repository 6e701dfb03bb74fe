import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import Popup from "../Popup.svelte";
import type { TaskOutcome } from "../api/types";
import { appInfo, outcome, settings } from "./fixtures";
import { fakeShell, flush, pending } from "./shell";

const byId = (id: string) => screen.getByTestId(id);

describe("the shortcut popup", () => {
  it("summarises the captured text in at most five points, streaming, in the saved UI language", async () => {
    const run = pending<TaskOutcome>();
    const shell = fakeShell({
      app_info: () => appInfo({ settings: settings({ ui_lang: "en" }) }),
      popup_text: () => ({ text: "A long paragraph about recycling.", source: "primary" }),
      run_task: run.handler,
    });
    render(Popup);
    await run.called;
    expect(shell.callsTo("run_task")[0].request).toEqual({
      task: "summarise",
      input: "A long paragraph about recycling.",
      max_points: 5,
    });
    expect(document.documentElement.lang).toBe("en");
    run.emit({ kind: "started", ticket: 1 });
    run.emit({ kind: "text", text: "Recycling " });
    run.emit({ kind: "text", text: "stations." });
    await flush();
    expect(byId("popup-output").textContent).toBe("Recycling stations.");
    expect(byId("popup-output").dataset.state).toBe("running");
    expect(byId("popup-open-main").textContent).toBe("Open in main window");
    run.resolve(outcome({ text: "Recycling stations." }));
    await flush();
    expect(byId("popup-output").dataset.state).toBe("done");
  });

  it("says so when nothing was selected and runs nothing", async () => {
    const shell = fakeShell({
      app_info: () => appInfo(),
      popup_text: () => ({ text: "  ", source: "none" }),
      run_task: () => outcome(),
    });
    render(Popup);
    await flush();
    expect(byId("popup-empty").textContent).toContain("沒有選取任何文字");
    expect(shell.callsTo("run_task")).toEqual([]);
  });

  it("stops the running task before closing on Esc", async () => {
    const run = pending<TaskOutcome>();
    const shell = fakeShell({
      app_info: () => appInfo(),
      popup_text: () => ({ text: "文字", source: "clipboard" }),
      run_task: run.handler,
      stop_task: () => {
        run.resolve(outcome({ status: "cancelled" }));
        return null;
      },
      popup_close: () => null,
    });
    render(Popup);
    await run.called;
    run.emit({ kind: "started", ticket: 12 });
    await fireEvent.keyDown(window, { key: "Escape" });
    await flush();
    expect(shell.callsTo("stop_task")).toEqual([{ ticket: 12 }]);
    const order = shell.calls.map((c) => c.cmd).filter((c) => c === "stop_task" || c === "popup_close");
    expect(order).toEqual(["stop_task", "popup_close"]);
  });

  it("copies the summary and hands it to the main window", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const shell = fakeShell({
      app_info: () => appInfo(),
      popup_text: () => ({ text: "原文", source: "primary" }),
      run_task: () => outcome({ text: "摘要" }),
      popup_open_in_main: () => null,
    });
    render(Popup);
    await flush();
    await fireEvent.click(byId("popup-copy"));
    expect(writeText).toHaveBeenCalledWith("摘要");
    await fireEvent.click(byId("popup-open-main"));
    await flush();
    expect(shell.callsTo("popup_open_in_main")).toEqual([{ payload: { input: "原文", output: "摘要", task: "summarise" } }]);
  });

  it("falls back to a selection copy when the clipboard API is refused", async () => {
    Object.defineProperty(navigator, "clipboard", {
      value: { writeText: () => Promise.reject(new Error("not allowed")) },
      configurable: true,
    });
    const exec = vi.fn(() => true);
    Object.defineProperty(document, "execCommand", { value: exec, configurable: true });
    fakeShell({
      app_info: () => appInfo(),
      popup_text: () => ({ text: "原文", source: "primary" }),
      run_task: () => outcome({ text: "摘要" }),
    });
    render(Popup);
    await flush();
    await fireEvent.click(byId("popup-copy"));
    await flush();
    expect(exec).toHaveBeenCalledWith("copy");
    expect(byId("popup-copy").textContent).toBe("已複製");
  });
});
