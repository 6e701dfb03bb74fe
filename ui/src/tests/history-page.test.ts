import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import HistoryPage from "../pages/HistoryPage.svelte";
import { AppStore } from "../lib/stores/app.svelte";
import { HistoryStore } from "../lib/stores/history.svelte";
import { appInfo, record, summary } from "./fixtures";
import { fakeShell, flush } from "./shell";

const byId = (id: string) => screen.getByTestId(id);

describe("the History page", () => {
  it("lists the latest runs, searches as you type and shows the selected run", async () => {
    const shell = fakeShell({
      history_search: (a) =>
        a.query === "回收"
          ? [summary(2, "環保署將設立回收站", { source_lang: "zh-Hant", target_lang: "en", task: "translate" })]
          : [summary(1, "first"), summary(2, "環保署將設立回收站")],
      history_get: (a) => record(a.id as number, { input: "環保署將在沙田設立回收站。" }),
    });
    render(HistoryPage, { props: { history: new HistoryStore(), onreopen: () => {} } });
    await flush();
    expect(shell.callsTo("history_search")[0]).toEqual({ query: "", limit: 100 });
    expect(screen.getAllByTestId("history-item")).toHaveLength(2);

    await fireEvent.input(byId("history-search"), { target: { value: "回收" } });
    await new Promise((r) => setTimeout(r, 200));
    await flush();
    expect(shell.callsTo("history_search").at(-1)).toEqual({ query: "回收", limit: 100 });
    const items = screen.getAllByTestId("history-item");
    expect(items).toHaveLength(1);
    expect(items[0].dataset.id).toBe("2");
    expect(items[0].textContent).toContain("翻譯");
    expect(items[0].textContent).toContain("繁體中文 → 英文");

    await fireEvent.click(items[0]);
    await flush();
    const detail = byId("history-detail");
    expect(detail.textContent).toContain("環保署將在沙田設立回收站。");
    expect(detail.textContent).toContain("summarise.fewshot@3");
    expect(detail.textContent).toContain("a5fd3b62230a");
    expect(detail.textContent).toContain("1234");
    expect(detail.textContent).toContain("gemma-3-270m-Q4_K_M.gguf");
  });

  it("asks in the page before deleting, and Cancel deletes nothing", async () => {
    const confirmSpy = vi.spyOn(window, "confirm");
    const shell = fakeShell({
      history_search: () => [summary(5, "x")],
      history_get: () => record(5),
      history_delete: (a) => (a.ids as number[]).length,
    });
    render(HistoryPage, { props: { history: new HistoryStore(), onreopen: () => {} } });
    await flush();
    await fireEvent.click(screen.getAllByTestId("history-item")[0]);
    await flush();
    await fireEvent.click(byId("history-delete"));
    expect(byId("history-confirm").textContent).toContain("確定刪除這項紀錄");
    await fireEvent.click(byId("history-cancel-delete"));
    expect(shell.callsTo("history_delete")).toEqual([]);

    await fireEvent.click(byId("history-delete"));
    await fireEvent.click(byId("history-confirm-delete"));
    await flush();
    expect(shell.callsTo("history_delete")).toEqual([{ ids: [5] }]);
    expect(screen.queryAllByTestId("history-item")).toHaveLength(0);
    expect(screen.queryByTestId("history-detail")).toBeNull();
    expect(confirmSpy).not.toHaveBeenCalled();
  });

  it("exports the selected run to the path from the save dialog", async () => {
    const shell = fakeShell({
      history_search: () => [summary(5, "x")],
      history_get: () => record(5),
      "plugin:dialog|save": () => "/tmp/run.docx",
      history_export: () => 1,
    });
    render(HistoryPage, { props: { history: new HistoryStore(), onreopen: () => {} } });
    await flush();
    await fireEvent.click(screen.getAllByTestId("history-item")[0]);
    await flush();
    await fireEvent.click(byId("history-export"));
    await flush();
    expect(shell.callsTo("history_export")).toEqual([{ ids: [5], path: "/tmp/run.docx" }]);
    expect(screen.getByText("已匯出 1 項紀錄至 /tmp/run.docx")).toBeTruthy();
  });

  it("reopens a run in the main page", async () => {
    fakeShell({
      app_info: () => appInfo(),
      history_search: () => [summary(5, "x")],
      history_get: () => record(5, { task: "translate", input: "本署明日開放。", output: "The office opens tomorrow." }),
    });
    render(App, { props: { app: new AppStore() } });
    await flush();
    await fireEvent.click(byId("nav-history"));
    await flush();
    await fireEvent.click(screen.getAllByTestId("history-item")[0]);
    await flush();
    await fireEvent.click(byId("history-reopen"));
    await flush();
    expect((byId("editor") as HTMLTextAreaElement).value).toBe("本署明日開放。");
    expect(byId("output").textContent).toBe("The office opens tomorrow.");
    expect(byId("task-translate").getAttribute("aria-selected")).toBe("true");
  });
});
