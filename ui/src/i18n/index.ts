// The UI's texts in Traditional Chinese (Hong Kong) and English. The
// language comes from settings `app.ui_lang`; `t()` reads it reactively.

import type { ApiError, UiLang } from "../api/types";
import { en } from "./en";
import { zhHant, type Messages } from "./zh-Hant";
import { langState } from "./state.svelte";

export type MessageKey = keyof Messages;
export type Params = Record<string, string | number>;

export const tables: Record<UiLang, Messages> = { "zh-Hant": zhHant, en };
export const UI_LANGS: UiLang[] = ["zh-Hant", "en"];

export function isUiLang(value: unknown): value is UiLang {
  return value === "zh-Hant" || value === "en";
}

export function currentLang(): UiLang {
  return langState.current;
}

/** Switches the UI language; `<html lang>` follows so fonts and screen readers do too. */
export function setLang(lang: UiLang): void {
  const next = isUiLang(lang) ? lang : "zh-Hant";
  langState.current = next;
  if (typeof document !== "undefined") document.documentElement.lang = next;
}

function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function lookup(lang: UiLang, key: string): string | undefined {
  return (tables[lang] as Record<string, string>)[key];
}

export function hasKey(key: string): boolean {
  return lookup(currentLang(), key) !== undefined;
}

/** The text for `key` in the current language; English, then the key itself, when missing. */
export function t(key: MessageKey | (string & {}), params?: Params): string {
  const text = lookup(currentLang(), key) ?? lookup("en", key) ?? key;
  return fill(text, params);
}

/** A label in both languages, the current one first (e.g. document types). */
export function bilingual(key: MessageKey): string {
  const here = currentLang();
  const other: UiLang = here === "en" ? "zh-Hant" : "en";
  const a = lookup(here, key) ?? key;
  const b = lookup(other, key);
  return b && b !== a ? `${a} ${b}` : a;
}

/** The user's text for an error, by its code; unknown codes give a generic text with the English message. */
export function errorText(error: Pick<ApiError, "code" | "message">): string {
  const key = `error.${error.code}`;
  if (hasKey(key)) return t(key, { message: error.message });
  return t("error.generic", { message: error.message || error.code });
}
