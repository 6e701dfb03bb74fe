// Settings as the shell keeps them. The form edits a draft; Save sends it
// for validation and shows what was actually saved. The UI language and
// theme are exceptions: they apply at once and are saved on their own, so a
// half-edited form is not saved with them.

import * as api from "../../api";
import type { ApiError, ModelCheck, Settings, ShortcutStatus, Theme, UiLang } from "../../api";
import { setLang } from "../../i18n";
import { applyTheme } from "../theme";

/** How long a language switch waits for its save before showing anyway. */
export const LANG_SAVE_GRACE_MS = 300;

function copy(settings: Settings): Settings {
  // `model` and friends are left out of the shell's JSON when unset; the
  // shell rejects unknown fields, so only known ones are sent back.
  return {
    version: settings.version,
    history: {
      enabled: settings.history.enabled,
      retention_days: settings.history.retention_days,
      mask_personal_data: settings.history.mask_personal_data,
    },
    engine: {
      model: settings.engine.model ?? null,
      gpu_layers: settings.engine.gpu_layers ?? null,
      threads: settings.engine.threads ?? null,
      n_ctx: settings.engine.n_ctx,
    },
    app: {
      ui_lang: settings.app.ui_lang,
      theme: settings.app.theme,
      shortcut: settings.app.shortcut,
    },
    glossary: {
      base: settings.glossary.base,
    },
  };
}

export class SettingsStore {
  /** What the shell has saved. */
  saved = $state.raw<Settings | null>(null);
  /** What the form shows and edits. */
  draft = $state<Settings | null>(null);
  shortcut = $state.raw<ShortcutStatus | null>(null);
  model = $state.raw<ModelCheck | null>(null);
  modelError = $state.raw<ApiError | null>(null);
  checking = $state(false);
  error = $state.raw<ApiError | null>(null);
  /** Set after a successful Save, cleared by the next edit or save. */
  justSaved = $state(false);
  saving = $state(false);

  // Saves run one after another: two quick language switches must reach
  // the file in the order they were made.
  private queue: Promise<unknown> = Promise.resolve();
  private checkSeq = 0;

  /** Takes the settings the shell started with and applies language and theme. */
  load(settings: Settings, shortcut: ShortcutStatus | null = null): void {
    this.saved = copy(settings);
    this.draft = copy(settings);
    if (shortcut) this.shortcut = shortcut;
    setLang(settings.app.ui_lang);
    applyTheme(settings.app.theme);
  }

  /** Fetches the settings from the shell (when app_info was not available). */
  async fetch(): Promise<void> {
    try {
      this.load(await api.settingsGet(), await api.shortcutStatus().catch(() => null));
    } catch (e) {
      this.error = api.toApiError(e);
    }
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async send(settings: Settings): Promise<Settings | null> {
    this.saving = true;
    try {
      const saved = copy(await api.settingsSave(settings));
      this.saved = saved;
      this.error = null;
      return saved;
    } catch (e) {
      this.error = api.toApiError(e);
      return null;
    } finally {
      this.saving = false;
    }
  }

  /** Saves the form; true when the shell accepted it. */
  save(): Promise<boolean> {
    if (!this.draft) return Promise.resolve(false);
    const draft = copy($state.snapshot(this.draft) as Settings);
    this.justSaved = false;
    return this.enqueue(async () => {
      const saved = await this.send(draft);
      if (!saved) return false;
      this.draft = copy(saved);
      setLang(saved.app.ui_lang);
      applyTheme(saved.app.theme);
      this.justSaved = true;
      // A new shortcut is registered on save; its status may have changed.
      try {
        this.shortcut = await api.shortcutStatus();
      } catch {
        // The status line keeps its last value; the save itself succeeded.
      }
      return true;
    });
  }

  /** Switches the interface language, and saves just that; resolves when saved. */
  async setUiLang(lang: UiLang): Promise<boolean> {
    if (this.draft) this.draft.app.ui_lang = lang;
    const saved = this.saveOne((s) => (s.app.ui_lang = lang));
    // The switch shows as soon as the choice is saved (a few milliseconds),
    // so the language on screen is the one a restart will bring back; a
    // shell that does not answer promptly does not hold the switch up.
    await Promise.race([saved, new Promise((r) => setTimeout(r, LANG_SAVE_GRACE_MS))]);
    setLang(lang);
    return saved;
  }

  /** Switches the theme now, and saves just that. */
  setTheme(theme: Theme): Promise<boolean> {
    applyTheme(theme);
    if (this.draft) this.draft.app.theme = theme;
    return this.saveOne((s) => (s.app.theme = theme));
  }

  private saveOne(change: (s: Settings) => void): Promise<boolean> {
    return this.enqueue(async () => {
      if (!this.saved) return false;
      const next = copy(this.saved);
      change(next);
      return (await this.send(next)) !== null;
    });
  }

  /** Validates a model file and looks it up in the catalog. */
  async checkModel(path: string): Promise<void> {
    const seq = ++this.checkSeq;
    this.model = null;
    this.modelError = null;
    if (!path.trim()) {
      this.checking = false;
      return;
    }
    this.checking = true;
    try {
      const check = await api.checkModel(path.trim());
      if (seq === this.checkSeq) this.model = check;
    } catch (e) {
      if (seq === this.checkSeq) this.modelError = api.toApiError(e);
    } finally {
      if (seq === this.checkSeq) this.checking = false;
    }
  }
}
