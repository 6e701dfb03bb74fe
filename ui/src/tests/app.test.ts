import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import { AppStore } from "../lib/stores/app.svelte";
import type { Settings } from "../api/types";
import { appInfo, job, settings } from "./fixtures";
import { fakeShell, flush } from "./shell";

const byId = (id: string) => screen.getByTestId(id);

describe("the main window", () => {
  it("starts in Traditional Chinese and re-renders labels in English when the language is switched", async () => {
    const shell = fakeShell({ app_info: () => appInfo(), settings_save: (a) => a.settings });
    render(App, { props: { app: new AppStore() } });
    await flush();
    expect(document.documentElement.lang).toBe("zh-Hant");
    expect(byId("nav-main").textContent).toBe("主頁");
    expect(byId("nav-history").textContent).toBe("歷史紀錄");

    await fireEvent.click(byId("nav-settings"));
    const select = byId("ui-lang") as HTMLSelectElement;
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ["zh-Hant", "繁體中文"],
      ["en", "English"],
    ]);
    await fireEvent.change(select, { target: { value: "en" } });
    await flush();
    expect(document.documentElement.lang).toBe("en");
    expect(byId("nav-main").textContent).toBe("Main");
    expect(byId("nav-history").textContent).toBe("History");
    expect(byId("settings-save").textContent).toBe("Save settings");
    expect((shell.callsTo("settings_save")[0].settings as Settings).app.ui_lang).toBe("en");

    await fireEvent.change(select, { target: { value: "zh-Hant" } });
    await flush();
    expect(byId("nav-main").textContent).toBe("主頁");
    expect((shell.callsTo("settings_save")[1].settings as Settings).app.ui_lang).toBe("zh-Hant");
  });

  it("starts in English when the settings say so, with the theme applied", async () => {
    fakeShell({ app_info: () => appInfo({ settings: settings({ ui_lang: "en", theme: "dark" }) }) });
    render(App, { props: { app: new AppStore() } });
    await flush();
    expect(byId("nav-batch").textContent).toBe("Batch");
    expect(byId("task-translate").textContent).toBe("Translate");
    expect(document.documentElement.dataset.theme).toBe("dark");
  });

  it("switches pages with the navigation and Ctrl+1..4", async () => {
    fakeShell({ app_info: () => appInfo(), history_search: () => [] });
    render(App, { props: { app: new AppStore() } });
    await flush();
    await fireEvent.keyDown(window, { key: "2", code: "Digit2", ctrlKey: true });
    expect(byId("history-search")).toBeTruthy();
    expect(byId("nav-history").getAttribute("aria-current")).toBe("page");
    await fireEvent.keyDown(window, { key: "3", code: "Digit3", ctrlKey: true });
    expect(byId("batch-source")).toBeTruthy();
    await fireEvent.keyDown(window, { key: "1", code: "Digit1", altKey: true });
    expect(byId("editor")).toBeTruthy();
    expect(byId("task-draft").getAttribute("aria-selected")).toBe("true");
  });

  it("offers to resume an unfinished batch job, and dismissing hides the offer", async () => {
    const shell = fakeShell({
      app_info: () => appInfo({ resumable_batch: job({ id: 4, source_dir: "/公文/來源" }) }),
      batch_resume: () => job({ id: 4, status: "completed" }),
    });
    render(App, { props: { app: new AppStore() } });
    await flush();
    expect(byId("resume-offer").textContent).toContain("/公文/來源");
    await fireEvent.click(byId("resume-offer-dismiss"));
    expect(screen.queryByTestId("resume-offer")).toBeNull();
    expect(shell.callsTo("batch_resume")).toEqual([]);
  });

  it("resumes the offered job from the main window's banner", async () => {
    const shell = fakeShell({
      app_info: () => appInfo({ resumable_batch: job({ id: 4 }) }),
      batch_resume: () => job({ id: 4, status: "completed" }),
    });
    render(App, { props: { app: new AppStore() } });
    await flush();
    await fireEvent.click(byId("resume-offer-resume"));
    await flush();
    expect(shell.callsTo("batch_resume")[0].job).toBe(4);
    expect(byId("batch-status").dataset.status).toBe("completed");
  });

  it("shows a failed start-up in a banner and still works", async () => {
    fakeShell({
      app_info: () => Promise.reject({ code: "store_open", message: "database is locked", details: {} }),
      settings_get: () => settings(),
      shortcut_status: () => ({ accelerator: "Ctrl+Alt+S", registered: true, error: null, alternative: "" }),
    });
    render(App, { props: { app: new AppStore() } });
    await flush();
    expect(byId("load-error").textContent).toContain("未能開啟歷史紀錄資料庫");
    expect(byId("editor")).toBeTruthy();
  });
});
