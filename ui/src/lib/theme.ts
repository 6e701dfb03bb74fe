// Light, dark or the system's choice, as `data-theme` on <html>; the CSS
// resolves "system" with prefers-color-scheme.

import type { Theme } from "../api/types";

export function isTheme(value: unknown): value is Theme {
  return value === "system" || value === "light" || value === "dark";
}

export function applyTheme(theme: Theme): void {
  if (typeof document === "undefined") return;
  document.documentElement.dataset.theme = isTheme(theme) ? theme : "system";
}
