import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import SettingsPage from "../pages/SettingsPage.svelte";
import { SettingsStore } from "../lib/stores/settings.svelte";
import type { Settings } from "../api/types";
import { modelCheck, settings, shortcut } from "./fixtures";
import { fakeShell, flush } from "./shell";

const byId = (id: string) => screen.getByTestId(id);

function loaded(s: Settings = settings(), status = shortcut()): SettingsStore {
  const store = new SettingsStore();
  store.load(s, status);
  return store;
}

describe("the Settings page", () => {
  it("checks a model picked with Browse and shows what it found", async () => {
    const shell = fakeShell({
      "plugin:dialog|open": () => "/models/qwen.gguf",
      check_model: () => modelCheck(),
    });
    render(SettingsPage, { props: { settings: loaded() } });
    await fireEvent.click(byId("model-browse"));
    await flush();
    expect(shell.callsTo("check_model")).toEqual([{ path: "/models/qwen.gguf" }]);
    const check = byId("model-check").textContent ?? "";
    expect(check).toContain("qwen.gguf");
    expect(check).toContain("qwen2");
    expect(check).toContain("Qwen2.5 7B Instruct");
    expect(check).toContain("Apache-2.0");
    expect(byId("model-memory").textContent).toBe("5.3 GB");
    expect((byId("model-path") as HTMLInputElement).value).toBe("/models/qwen.gguf");
  });

  it("shows a broken model file's error by code", async () => {
    fakeShell({ check_model: () => Promise.reject({ code: "model_truncated", message: "expected 9 bytes, found 3", details: {} }) });
    render(SettingsPage, { props: { settings: loaded() } });
    await fireEvent.change(byId("model-path"), { target: { value: "/models/cut.gguf" } });
    await flush();
    expect(byId("model-error").textContent).toContain("模型檔案不完整");
  });

  it("shows why the shortcut is not registered and the command to bind instead", () => {
    render(SettingsPage, {
      props: {
        settings: loaded(settings(), shortcut({ registered: false, error: "Wayland does not allow global shortcuts" })),
      },
    });
    expect(byId("shortcut-status").textContent).toContain("Wayland does not allow global shortcuts");
    expect(byId("shortcut-alternative").textContent).toBe("wenshu-desktop --summarise-selection");
    expect((byId("shortcut") as HTMLInputElement).value).toBe("Ctrl+Alt+S");
  });

  it("saves the form with automatic values as null and numbers as numbers", async () => {
    const shell = fakeShell({ settings_save: (a) => a.settings, shortcut_status: () => shortcut() });
    render(SettingsPage, { props: { settings: loaded() } });
    await fireEvent.input(byId("threads"), { target: { value: "8" } });
    await fireEvent.input(byId("retention-days"), { target: { value: "90" } });
    await fireEvent.click(byId("mask-personal-data"));
    await fireEvent.click(byId("settings-save"));
    await flush();
    const sent = shell.callsTo("settings_save")[0].settings as Settings;
    expect(sent.engine.threads).toBe(8);
    expect(sent.engine.gpu_layers).toBeNull();
    expect(sent.history.retention_days).toBe(90);
    expect(sent.history.mask_personal_data).toBe(true);
    expect(screen.getByText("設定已儲存。")).toBeTruthy();
  });

  it("saves the choice of the bundled glossary of official names with the rest", async () => {
    const shell = fakeShell({ settings_save: (a) => a.settings, shortcut_status: () => shortcut() });
    const store = loaded();
    render(SettingsPage, { props: { settings: store } });
    const box = screen.getByLabelText("使用內置的官方名稱詞彙表") as HTMLInputElement;
    expect(box).toBe(byId("glossary-base"));
    expect(box.checked).toBe(true);
    await fireEvent.click(box);
    await fireEvent.input(byId("retention-days"), { target: { value: "30" } });
    await fireEvent.click(byId("settings-save"));
    await flush();
    const sent = shell.callsTo("settings_save")[0].settings as Settings;
    expect(sent.glossary).toEqual({ base: false });
    expect(sent.history.retention_days).toBe(30);
    expect(store.saved?.glossary.base).toBe(false);
  });

  it("shows the bundled glossary off when the settings say so, and keeps it off on a language switch", async () => {
    const shell = fakeShell({ settings_save: (a) => a.settings });
    const s = settings();
    s.glossary.base = false;
    render(SettingsPage, { props: { settings: loaded(s) } });
    expect((byId("glossary-base") as HTMLInputElement).checked).toBe(false);
    await fireEvent.change(byId("ui-lang"), { target: { value: "en" } });
    await flush();
    expect((shell.callsTo("settings_save")[0].settings as Settings).glossary).toEqual({ base: false });
  });

  it("refuses a non-number before asking the shell, and shows settings_invalid from it", async () => {
    const shell = fakeShell({
      settings_save: () => Promise.reject({ code: "settings_invalid", message: "engine.n_ctx: 100 is below 512", details: {} }),
    });
    render(SettingsPage, { props: { settings: loaded() } });
    await fireEvent.input(byId("gpu-layers"), { target: { value: "many" } });
    await fireEvent.click(byId("settings-save"));
    expect(shell.callsTo("settings_save")).toEqual([]);
    expect(screen.getByRole("alert").textContent).toContain("GPU 層數");

    await fireEvent.input(byId("gpu-layers"), { target: { value: "" } });
    await fireEvent.click(byId("settings-save"));
    await flush();
    expect(byId("error-banner").textContent).toContain("設定有誤：engine.n_ctx: 100 is below 512");
  });

  it("lists the keyboard shortcuts", () => {
    render(SettingsPage, { props: { settings: loaded() } });
    const keys = byId("key-list").textContent ?? "";
    for (const k of ["Ctrl+Enter", "Esc", "Alt+1 … Alt+4", "Ctrl+1 … Ctrl+4"]) expect(keys).toContain(k);
  });
});
