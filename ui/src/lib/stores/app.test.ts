import { describe, expect, it } from "vitest";
import { fakeShell } from "../../tests/shell";
import { appInfo, job, outcome } from "../../tests/fixtures";
import { AppStore } from "./app.svelte";

function key(init: KeyboardEventInit & { key: string }): KeyboardEvent {
  return new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init });
}

describe("AppStore", () => {
  it("loads settings and the resumable job from app_info", async () => {
    fakeShell({ app_info: () => appInfo({ resumable_batch: job({ id: 11 }) }) });
    const app = new AppStore();
    await app.start();
    expect(app.settings.saved?.app.shortcut).toBe("Ctrl+Alt+S");
    expect(app.batch.resumable?.id).toBe(11);
    expect(document.documentElement.lang).toBe("zh-Hant");
  });

  it("switches pages with Ctrl+1..4 and tasks with Alt+1..4", () => {
    const app = new AppStore();
    expect(app.onKey(key({ key: "2", code: "Digit2", ctrlKey: true }))).toBe(true);
    expect(app.nav.page).toBe("history");
    app.onKey(key({ key: "4", code: "Digit4", ctrlKey: true }));
    expect(app.nav.page).toBe("settings");
    app.onKey(key({ key: "¡", code: "Digit3", altKey: true }));
    expect(app.task.task).toBe("translate");
    expect(app.nav.page).toBe("main");
    app.onKey(key({ key: "1", code: "Digit1", altKey: true }));
    expect(app.task.task).toBe("draft");
    expect(app.onKey(key({ key: "5", code: "Digit5", ctrlKey: true }))).toBe(false);
  });

  it("runs with Ctrl+Enter and stops with Esc", async () => {
    let resolve: (v: unknown) => void = () => {};
    const shell = fakeShell({
      run_task: (a) => {
        (a.onEvent as { onmessage: (m: unknown) => void }).onmessage({ kind: "started", ticket: 9 });
        return new Promise((r) => (resolve = r));
      },
      stop_task: () => null,
    });
    const app = new AppStore();
    app.task.input = "some text";
    app.onKey(key({ key: "Enter", ctrlKey: true }));
    await new Promise((r) => setTimeout(r, 0));
    expect(shell.callsTo("run_task")).toHaveLength(1);
    expect(app.task.running).toBe(true);
    app.onKey(key({ key: "Escape" }));
    await new Promise((r) => setTimeout(r, 0));
    expect(shell.callsTo("stop_task")).toEqual([{ ticket: 9 }]);
    resolve(outcome({ status: "cancelled" }));
  });

  it("fills the main page from the popup's hand-over", () => {
    const app = new AppStore();
    app.nav.go("settings");
    app.openInMain({ input: "選取的文字", output: "摘要", task: "summarise" });
    expect(app.nav.page).toBe("main");
    expect(app.task.input).toBe("選取的文字");
    expect(app.task.output).toBe("摘要");
    expect(app.task.state).toBe("done");
  });
});
