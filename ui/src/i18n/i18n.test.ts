import { describe, expect, it } from "vitest";
import { en } from "./en";
import { bilingual, errorText, setLang, t, tables } from "./index";
import { zhHant } from "./zh-Hant";
import { ERROR_CODES } from "../api/generated";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the language tables", () => {
  it("have exactly the same keys in Traditional Chinese and English", () => {
    const zhKeys = Object.keys(zhHant).sort();
    const enKeys = Object.keys(en).sort();
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(zhKeys.length).toBeGreaterThan(100);
  });

  it("have no empty texts", () => {
    for (const [lang, table] of Object.entries(tables)) {
      for (const [key, text] of Object.entries(table)) {
        expect(text.trim(), `${lang} ${key}`).not.toBe("");
      }
    }
  });

  it("use the same placeholders for each key in both languages", () => {
    for (const key of Object.keys(zhHant) as (keyof typeof zhHant)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zhHant[key]));
    }
  });

  it("have a text for every error code the shell can send (generated from the Rust types)", () => {
    expect(ERROR_CODES.length).toBeGreaterThan(60);
    for (const code of ERROR_CODES) {
      expect(zhHant, code).toHaveProperty(`error.${code}`);
      expect(en, code).toHaveProperty(`error.${code}`);
    }
  });

  it("have no error text for a code nothing sends", () => {
    const known = new Set<string>(ERROR_CODES);
    const texts = Object.keys(en)
      .filter((k) => k.startsWith("error."))
      .map((k) => k.slice("error.".length))
      .filter((k) => k !== "details" && k !== "generic");
    expect(texts.filter((k) => !known.has(k))).toEqual([]);
  });

  it("write Chinese with Traditional characters, not Simplified ones", () => {
    // A few characters that differ between the scripts and are common in
    // these texts; a Simplified form slipping in would show here.
    const simplified = /[设历录择译读载钮键档删复导开关这个们为与时]/;
    for (const [key, text] of Object.entries(zhHant)) {
      expect(simplified.test(text), `${key}: ${text}`).toBe(false);
    }
  });
});

describe("t()", () => {
  it("follows the current language and sets <html lang>", () => {
    setLang("zh-Hant");
    expect(t("nav.history")).toBe("歷史紀錄");
    expect(document.documentElement.lang).toBe("zh-Hant");
    setLang("en");
    expect(t("nav.history")).toBe("History");
    expect(document.documentElement.lang).toBe("en");
  });

  it("fills parameters and leaves unknown ones visible", () => {
    setLang("en");
    expect(t("main.opened", { name: "a.docx", blocks: 3 })).toBe("Loaded a.docx (3 paragraphs)");
    expect(t("main.opened", { name: "a.docx" })).toBe("Loaded a.docx ({blocks} paragraphs)");
  });

  it("labels document types in both languages", () => {
    setLang("zh-Hant");
    expect(bilingual("doc.legco-reply")).toBe("立法會質詢答覆 LegCo reply");
    setLang("en");
    expect(bilingual("doc.memo")).toBe("Memo 便箋");
  });
});

describe("errorText()", () => {
  it("gives the text for a known code in the current language", () => {
    setLang("zh-Hant");
    expect(errorText({ code: "worker_crashed", message: "worker exited" })).toContain("輸入內容已保留");
    setLang("en");
    expect(errorText({ code: "worker_crashed", message: "worker exited" })).toContain("Your input is kept");
  });

  it("falls back to a generic text with the shell's English message", () => {
    setLang("zh-Hant");
    const text = errorText({ code: "something_new", message: "disk on fire" });
    expect(text).toContain("發生錯誤");
    expect(text).toContain("disk on fire");
  });
});
