import { render, screen, within } from "@testing-library/svelte";
import { tick } from "svelte";
import { describe, expect, it } from "vitest";
import Checks from "../components/Checks.svelte";
import SideBySide from "../components/SideBySide.svelte";
import { setLang } from "../i18n";
import type { CheckCounts, CheckReport, TaskOutcome, ViewRow } from "../api/types";
import { checkedOutcome, outcome } from "./fixtures";

const byId = (id: string) => screen.getByTestId(id);

function sideBySide(o: TaskOutcome, view: ViewRow[] = o.check_view) {
  return render(SideBySide, { props: { source: o.source_paragraphs, output: o.output_paragraphs, view } });
}

/** The cell of a row on one side. */
const cell = (row: HTMLElement, side: "source" | "target") => row.querySelector(`td[data-side="${side}"]`) as HTMLElement;
const paragraphs = (td: HTMLElement) => [...td.querySelectorAll("p")].map((p) => p.textContent);
const flagTexts = () => screen.getAllByTestId("check-flag").map((f) => f.querySelector(".flag-text")?.textContent);

function counts(overrides: Partial<CheckCounts> = {}): CheckCounts {
  return {
    figures: 0,
    figures_found: 0,
    figures_changed: 0,
    figures_missing: 0,
    figures_added: 0,
    terms: 0,
    terms_found: 0,
    terms_missing: 0,
    terms_changed: 0,
    script: 0,
    flagged: 0,
    ...overrides,
  };
}

function report(overrides: Partial<CheckReport>): CheckReport {
  return {
    version: 1,
    mode: "translation",
    source_lang: "zh-Hant",
    target_lang: "en",
    rows: [{ source: [0], target: [0] }],
    figures: [],
    terms: [],
    script: [],
    counts: counts(),
    ...overrides,
  };
}

describe("the side-by-side view", () => {
  it("draws a <mark> for each marked span, with core's mark and note", () => {
    const o = checkedOutcome();
    sideBySide(o);
    const marks = within(byId("side-by-side")).getAllByTestId("check-mark");
    expect(marks.map((m) => [m.tagName, m.dataset.mark, m.textContent])).toEqual([
      ["MARK", "missing", "運輸署"],
      ["MARK", "changed", "二千四百四十萬元"],
      ["MARK", "changed", "$2.44 million"],
      ["MARK", "found", "2835 1234"],
      ["MARK", "found", "2835 1234"],
      ["MARK", "script", "路面"],
    ]);
    expect(marks.map((m) => m.className)).toEqual(["missing", "changed", "changed", "found", "found", "script"]);
    expect(marks[2].title).toBe("amount 二千四百四十萬元 became $2.44 million");
    expect(marks[5].title).toBe("Chinese left untranslated: 路面");
  });

  it("keeps every paragraph's text intact, one <p> per paragraph, marks inside", () => {
    const o = checkedOutcome();
    const view: ViewRow[] = [
      ...o.check_view,
      // Two source paragraphs lined up with one of the output.
      { source: [[{ text: "甲段。" }], [{ text: "乙段，" }, { text: "三月五日", mark: "found", note: "date" }, { text: "。" }]], target: [[{ text: "A. B, 5 March." }]], flags: [] },
    ];
    sideBySide(o, view);
    const rows = screen.getAllByTestId("side-by-side-row");
    expect(rows).toHaveLength(3);
    expect(paragraphs(cell(rows[0], "source"))).toEqual([o.source_paragraphs[0]]);
    expect(paragraphs(cell(rows[0], "target"))).toEqual([o.output_paragraphs[0]]);
    expect(paragraphs(cell(rows[1], "source"))).toEqual([o.source_paragraphs[1]]);
    expect(paragraphs(cell(rows[1], "target"))).toEqual([o.output_paragraphs[1]]);
    expect(cell(rows[1], "target").textContent).toBe("Enquiries: 2835 1234, 路面.");
    expect(paragraphs(cell(rows[2], "source"))).toEqual(["甲段。", "乙段，三月五日。"]);
    expect(paragraphs(cell(rows[2], "target"))).toEqual(["A. B, 5 March."]);
    expect(within(cell(rows[2], "source")).getByTestId("check-mark").textContent).toBe("三月五日");
  });

  it("marks the rows with flags and lists each row's flags under it", () => {
    const o = checkedOutcome();
    const view: ViewRow[] = [...o.check_view, { source: [[{ text: "完。" }]], target: [[{ text: "End." }]], flags: [] }];
    sideBySide(o, view);
    const rows = screen.getAllByTestId("side-by-side-row");
    expect(rows.map((r) => r.dataset.flagged)).toEqual(["true", "true", "false"]);
    const lists = screen.getAllByTestId("side-by-side-flags");
    expect(lists).toHaveLength(2);
    expect([...lists[0].querySelectorAll("li")].map((li) => li.textContent)).toEqual(o.check_view[0].flags);
    expect([...lists[1].querySelectorAll("li")].map((li) => li.textContent)).toEqual(["Chinese left untranslated: 路面"]);
    // Each list sits right under its own row.
    expect(rows[0].nextElementSibling).toBe(lists[0]);
    expect(rows[1].nextElementSibling).toBe(lists[1]);
    expect(rows[2].nextElementSibling).toBeNull();
  });

  it("pairs paragraphs by index, unmarked, when there is no check view", () => {
    const o = checkedOutcome();
    sideBySide(o, []);
    const rows = screen.getAllByTestId("side-by-side-row");
    expect(rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent))).toEqual([
      [o.source_paragraphs[0], o.output_paragraphs[0]],
      [o.source_paragraphs[1], o.output_paragraphs[1]],
    ]);
    expect(screen.queryAllByTestId("check-mark")).toEqual([]);
    expect(screen.queryAllByTestId("side-by-side-flags")).toEqual([]);
  });
});

describe("the checks", () => {
  it("shows core's counts and one line per flagged item, in Traditional Chinese by default", () => {
    render(Checks, { props: { outcome: checkedOutcome() } });
    const summary = byId("checks-summary");
    expect(summary.dataset.flagged).toBe("3");
    expect(summary.textContent).toContain("須覆核項目：3 項");
    expect(summary.querySelector('[data-count="figures"]')?.textContent?.trim()).toBe(
      "數字 2 項：相符 1，改動 1，欠缺 0，多出 0",
    );
    expect(summary.querySelector('[data-count="terms"]')?.textContent?.trim()).toBe("官方名稱 1 項：已採用 0，欠缺 1");
    expect(summary.querySelector('[data-count="script"]')?.textContent?.trim()).toBe("字形問題 1 項");
    const flags = screen.getAllByTestId("check-flag");
    expect(flags.map((f) => f.dataset.verdict)).toEqual(["changed", "missing", "script"]);
    expect(flagTexts()).toEqual([
      "金額「二千四百四十萬元」變成「$2.44 million」",
      "官方名稱「運輸署」應譯作「Transport Department」",
      "英文譯文仍有中文：「路面」",
    ]);
    expect(flags.map((f) => f.querySelector(".refs")?.textContent)).toEqual(["原文第 1 段", "原文第 1 段", "譯文第 2 段"]);
  });

  it("follows a switch to English", async () => {
    render(Checks, { props: { outcome: checkedOutcome() } });
    setLang("en");
    await tick();
    expect(byId("checks-summary").textContent).toContain("Items to review: 3");
    expect(byId("checks-summary").querySelector('[data-count="figures"]')?.textContent?.trim()).toBe(
      "Figures (2): 1 kept, 1 changed, 0 missing, 0 added",
    );
    expect(flagTexts()).toEqual([
      "Changed amount: “二千四百四十萬元” became “$2.44 million”",
      "Official name “運輸署” should be translated as “Transport Department”",
      "Chinese left in the English translation: “路面”",
    ]);
  });

  it("words each kind of flag from its fields", () => {
    const checks = report({
      source_lang: "en",
      target_lang: "zh-Hant",
      figures: [
        { row: 0, verdict: "found", kind: "date", source: { paragraph: 0, start: 0, end: 7, text: "5 March" }, target: { paragraph: 0, start: 0, end: 4, text: "三月五日" } },
        { row: 0, verdict: "missing", kind: "number", source: { paragraph: 0, start: 10, end: 15, text: "1 300" }, source_value: { kind: "number", value: 1300 } },
        { row: 1, verdict: "added", kind: "phone", target: { paragraph: 1, start: 4, end: 13, text: "2835 1234" }, target_value: { kind: "phone", digits: "28351234" } },
      ],
      terms: [
        { row: 0, verdict: "missing", source_term: "Chief Executive", target_term: "行政長官", kind: "title", origin: "base", source: { paragraph: 0, start: 20, end: 35, text: "Chief Executive" } },
        { row: 0, verdict: "found", source_term: "Transport Department", target_term: "運輸署", kind: "body", origin: "user", source: { paragraph: 0, start: 40, end: 60, text: "Transport Department" } },
      ],
      script: [
        { row: 1, kind: "simplified", mention: { paragraph: 1, start: 0, end: 1, text: "们" }, suggestion: "們" },
        { row: 1, kind: "simplified", mention: { paragraph: 1, start: 2, end: 3, text: "乡" } },
        { row: 1, kind: "non_hk", mention: { paragraph: 1, start: 3, end: 4, text: "爲" }, suggestion: "為" },
      ],
      counts: counts({ figures: 3, figures_found: 1, figures_missing: 1, figures_added: 1, terms: 2, terms_found: 1, terms_missing: 1, script: 3, flagged: 6 }),
    });
    render(Checks, { props: { outcome: outcome({ task: "translate", checks }) } });
    expect(screen.getAllByTestId("check-flag").map((f) => f.dataset.verdict)).toEqual([
      "missing",
      "added",
      "missing",
      "script",
      "script",
      "script",
    ]);
    expect(flagTexts()).toEqual([
      "欠缺數字：「1 300」",
      "譯文多出原文沒有的電話號碼「2835 1234」",
      "職銜「Chief Executive」應譯作「行政長官」",
      "簡體字「们」（香港寫法：們）",
      "簡體字「乡」",
      "非香港寫法「爲」（香港寫法：為）",
    ]);
  });

  it("words a wrong variant of an official name with the name it should be", async () => {
    const checks = report({
      figures: [],
      terms: [
        { row: 0, verdict: "found", source_term: "運輸署", target_term: "Transport Department", kind: "body", origin: "base", source: { paragraph: 0, start: 0, end: 3, text: "運輸署" }, target: { paragraph: 0, start: 4, end: 24, text: "Transport Department" } },
        { row: 0, verdict: "changed", source_term: "運輸署", target_term: "Transport Department", kind: "body", origin: "base", source: { paragraph: 0, start: 0, end: 3, text: "運輸署" }, target: { paragraph: 0, start: 40, end: 56, text: "Transport Bureau" } },
      ],
      script: [],
      counts: counts({ terms: 1, terms_found: 1, terms_changed: 1, flagged: 1 }),
    });
    render(Checks, { props: { outcome: outcome({ task: "translate", checks }) } });
    expect(screen.getAllByTestId("check-flag").map((f) => f.dataset.verdict)).toEqual(["changed"]);
    expect(flagTexts()).toEqual(["官方名稱「運輸署」應譯作「Transport Department」，譯文卻寫作「Transport Bureau」"]);
    expect(byId("checks-summary").querySelector('[data-count="terms"]')?.textContent).toContain("寫錯 1 項");
    setLang("en");
    await tick();
    expect(flagTexts()).toEqual([
      "Official name “運輸署” should be translated as “Transport Department”, not “Transport Bureau”",
    ]);
  });

  it("words a summary's added figure as not in the source", async () => {
    const checks = report({
      mode: "summary",
      source_lang: "en",
      target_lang: "en",
      rows: [{ source: [], target: [0] }],
      figures: [
        { row: 0, verdict: "added", kind: "money", target: { paragraph: 0, start: 12, end: 22, text: "$3 million" }, target_value: { kind: "money", amount: 3e6, currency: "HKD" } },
      ],
      counts: counts({ figures: 1, figures_added: 1, flagged: 1 }),
    });
    render(Checks, { props: { outcome: outcome({ task: "summarise", checks }) } });
    const flag = byId("check-flag");
    expect(flag.dataset.verdict).toBe("added");
    expect(flag.querySelector(".flag-text")?.textContent).toBe("摘要中的金額「$3 million」不見於原文");
    expect(flag.querySelector(".refs")?.textContent).toBe("第 1 點");
    expect(byId("checks-summary").querySelector('[data-count="figures"]')?.textContent?.trim()).toBe(
      "數字 1 項：見於原文 0，改動 0，不見於原文 1",
    );
    setLang("en");
    await tick();
    expect(flag.querySelector(".flag-text")?.textContent).toBe("In the summary, not in the source: amount “$3 million”");
  });

  it("says there is nothing to review when core flagged nothing, and nothing at all without a report", () => {
    const o = checkedOutcome();
    const clean = report({
      figures: o.checks!.figures.filter((f) => f.verdict === "found"),
      counts: counts({ figures: 1, figures_found: 1 }),
    });
    const { unmount } = render(Checks, { props: { outcome: outcome({ task: "translate", checks: clean }) } });
    expect(byId("checks-summary").dataset.flagged).toBe("0");
    expect(byId("checks-summary").textContent).toContain("沒有需要覆核的項目。");
    expect(screen.queryAllByTestId("check-flag")).toEqual([]);
    unmount();

    render(Checks, { props: { outcome: outcome({ task: "translate", status: "cancelled", checks: null }) } });
    expect(screen.queryByTestId("checks-summary")).toBeNull();
    expect(screen.queryAllByTestId("check-flag")).toEqual([]);
  });
});
