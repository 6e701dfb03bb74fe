// jsdom differs from a webview in a few ways the UI and the Tauri mocks
// rely on; each test starts from a clean IPC mock and the default language.
import { randomFillSync } from "node:crypto";
import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach } from "vitest";
import { setLang } from "../i18n";

if (!globalThis.crypto?.getRandomValues) {
  Object.defineProperty(globalThis, "crypto", {
    value: { getRandomValues: (buffer: Uint8Array) => randomFillSync(buffer) },
    configurable: true,
  });
}

beforeEach(() => {
  setLang("zh-Hant");
  document.documentElement.removeAttribute("data-theme");
});

afterEach(() => {
  cleanup();
  clearMocks();
});
