import { describe, expect, it, vi } from "vitest";
import { fakeShell } from "../../tests/shell";
import { modelCheck, settings, shortcut } from "../../tests/fixtures";
import type { Settings } from "../../api/types";
import { t } from "../../i18n";
import { LANG_SAVE_GRACE_MS, SettingsStore } from "./settings.svelte";

describe("SettingsStore", () => {
  it("applies the language and theme it loads", () => {
    const store = new SettingsStore();
    store.load(settings({ ui_lang: "en", theme: "dark" }), shortcut());
    expect(document.documentElement.lang).toBe("en");
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(t("nav.settings")).toBe("Settings");
  });

  it("switches the language once it is saved, and saves only that change", async () => {
    const shell = fakeShell({ settings_save: (a) => a.settings });
    const store = new SettingsStore();
    store.load(settings());
    // An unsaved edit in the form must not be saved with the language.
    store.draft!.app.shortcut = "Ctrl+Shift+Q";
    const saved = store.setUiLang("en");
    expect(store.draft!.app.ui_lang).toBe("en");
    expect(await saved).toBe(true);
    expect(document.documentElement.lang).toBe("en");
    expect(t("nav.history")).toBe("History");
    const sent = shell.callsTo("settings_save")[0].settings as Settings;
    expect(sent.app.ui_lang).toBe("en");
    expect(sent.app.shortcut).toBe("Ctrl+Alt+S");
    expect(store.draft!.app.shortcut).toBe("Ctrl+Shift+Q");
    expect(store.draft!.app.ui_lang).toBe("en");
  });

  it("switches the language even when the shell is slow to save it", async () => {
    vi.useFakeTimers();
    try {
      fakeShell({ settings_save: () => new Promise(() => {}) });
      const store = new SettingsStore();
      store.load(settings());
      void store.setUiLang("en");
      await vi.advanceTimersByTimeAsync(LANG_SAVE_GRACE_MS - 50);
      expect(document.documentElement.lang).toBe("zh-Hant");
      await vi.advanceTimersByTimeAsync(100);
      expect(document.documentElement.lang).toBe("en");
    } finally {
      vi.useRealTimers();
    }
  });

  it("saves two quick language switches in the order they were made", async () => {
    const order: string[] = [];
    fakeShell({
      settings_save: async (a) => {
        const s = a.settings as Settings;
        await new Promise((r) => setTimeout(r, s.app.ui_lang === "en" ? 20 : 0));
        order.push(s.app.ui_lang);
        return s;
      },
    });
    const store = new SettingsStore();
    store.load(settings());
    const a = store.setUiLang("en");
    const b = store.setUiLang("zh-Hant");
    await Promise.all([a, b]);
    expect(order).toEqual(["en", "zh-Hant"]);
    expect(store.saved?.app.ui_lang).toBe("zh-Hant");
    expect(document.documentElement.lang).toBe("zh-Hant");
  });

  it("sends only the fields the shell knows, with unset engine values as null", async () => {
    const shell = fakeShell({ settings_save: (a) => a.settings, shortcut_status: () => shortcut() });
    const store = new SettingsStore();
    const fromShell = settings() as Settings & { extra?: number };
    delete (fromShell.engine as Partial<Settings["engine"]>).model;
    store.load(fromShell);
    store.draft!.history.retention_days = 30;
    expect(await store.save()).toBe(true);
    const sent = shell.callsTo("settings_save")[0].settings as Settings;
    expect(Object.keys(sent).sort()).toEqual(["app", "engine", "glossary", "history", "version"]);
    expect(sent.engine).toEqual({ model: null, gpu_layers: null, threads: null, n_ctx: 4096 });
    expect(sent.glossary).toEqual({ base: true });
    expect(sent.history.retention_days).toBe(30);
    expect(store.justSaved).toBe(true);
    expect(shell.callsTo("shortcut_status")).toHaveLength(1);
  });

  it("shows settings_invalid and keeps the form as edited", async () => {
    fakeShell({
      settings_save: () => Promise.reject({ code: "settings_invalid", message: "engine.n_ctx: 10", details: {} }),
    });
    const store = new SettingsStore();
    store.load(settings());
    store.draft!.engine.n_ctx = 10;
    expect(await store.save()).toBe(false);
    expect(store.error?.code).toBe("settings_invalid");
    expect(store.draft!.engine.n_ctx).toBe(10);
  });

  it("checks a model file and keeps only the newest answer", async () => {
    const shell = fakeShell({ check_model: (a) => modelCheck({ path: a.path as string }) });
    const store = new SettingsStore();
    await store.checkModel(" /models/qwen.gguf ");
    expect(shell.callsTo("check_model")).toEqual([{ path: "/models/qwen.gguf" }]);
    expect(store.model?.catalog_name).toBe("Qwen2.5 7B Instruct");
    shell.on("check_model", () => Promise.reject({ code: "model_truncated", message: "expected 5 bytes", details: {} }));
    await store.checkModel("/models/bad.gguf");
    expect(store.model).toBeNull();
    expect(store.modelError?.code).toBe("model_truncated");
  });
});
