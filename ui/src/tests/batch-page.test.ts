import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import BatchPage from "../pages/BatchPage.svelte";
import { BatchStore } from "../lib/stores/batch.svelte";
import type { BatchJob } from "../api/types";
import { fileReport, job } from "./fixtures";
import { fakeShell, flush, pending } from "./shell";

const byId = (id: string) => screen.getByTestId(id);

describe("the Batch page", () => {
  it("starts a job from the form, shows progress per file, then the report with each file's checks", async () => {
    const run = pending<BatchJob>();
    const shell = fakeShell({ batch_start: run.handler, open_path: () => null });
    render(BatchPage, { props: { batch: new BatchStore() } });
    await fireEvent.input(byId("batch-source"), { target: { value: "/work/來源" } });
    await fireEvent.input(byId("batch-out"), { target: { value: "/work/輸出" } });
    await fireEvent.change(byId("batch-target"), { target: { value: "en" } });
    expect(screen.getByLabelText("為每個檔案另存核對報告")).toBe(byId("batch-check-reports"));
    await fireEvent.click(byId("batch-check-reports"));
    await fireEvent.click(byId("batch-start"));
    await run.called;
    expect(shell.callsTo("batch_start")[0].request).toEqual({
      source: "/work/來源",
      out: "/work/輸出",
      target: "en",
      bilingual: false,
      check_reports: true,
    });
    expect((byId("batch-start") as HTMLButtonElement).disabled).toBe(true);
    expect((byId("batch-pause") as HTMLButtonElement).disabled).toBe(true);

    run.emit({ kind: "planned", job: 2, files: 3, segments: 4, done: 0, resumed: false });
    run.emit({ kind: "file", report: fileReport("broken.docx", { status: "failed", segments: 0, translated: 0, error_code: "not_zip", error: "not a zip archive" }) });
    run.emit({ kind: "file_started", path: "notice.txt", segments: 2 });
    run.emit({ kind: "segment", path: "notice.txt", done: 0, of: 2 });
    run.emit({ kind: "segment", path: "notice.txt", done: 1, of: 2 });
    await flush();
    const progress = byId("batch-progress") as HTMLProgressElement;
    expect(progress.value).toBe(1);
    expect(progress.max).toBe(4);
    expect((byId("batch-pause") as HTMLButtonElement).disabled).toBe(false);
    const files = screen.getAllByTestId("batch-file");
    expect(files.map((f) => f.dataset.path)).toEqual(["broken.docx", "notice.txt"]);
    expect((files[1].querySelector("progress") as HTMLProgressElement).value).toBe(1);

    const report = [
      fileReport("broken.docx", { status: "failed", segments: 0, translated: 0, error_code: "not_zip", error: "not a zip archive" }),
      fileReport("notice.txt", {
        translated: 1,
        cached: 1,
        figures: 3,
        figures_flagged: ["phone number 2123 4567 is missing", "date 三月五日 became 5 May"],
        terms: 1,
        terms_missing: ["運輸署 → Transport Department"],
        script_flagged: ["Chinese left untranslated: 路面"],
        formatting_flagged: ["paragraph 2 (“Details on the website.”): the formatting of <g1> did not come back"],
        check_report: "notice.check.html",
      }),
      fileReport("sub/memo.md", {
        translated: 2,
        kept: 1,
        terms: 1,
        terms_missing: ["政務司司長 → Chief Secretary for Administration"],
        check_report: "sub/memo.check.html",
        error_code: "brand_new_code",
        error: "",
      }),
    ];
    run.emit({ kind: "finished", job: 2, status: "completed", report_json: "/work/輸出/report.json", report_csv: "/work/輸出/report.csv", files: report });
    run.resolve(job({ id: 2, status: "completed" }));
    await flush();

    const rows = within(byId("batch-report")).getAllByTestId("batch-report-row");
    expect(rows).toHaveLength(3);
    expect(rows[0].textContent).toContain("broken.docx");
    expect(rows[0].textContent).toContain("失敗");
    expect(rows[0].textContent).toContain("這個 .docx 檔案已損壞");
    const table = byId("batch-report");
    expect([...table.querySelectorAll("th")].map((th) => th.textContent)).toEqual([
      "檔案",
      "狀態",
      "已翻譯",
      "取自快取",
      "保留原文",
      "須覆核的數字",
      "欠缺的官方名稱",
      "字形問題",
      "須查看的格式",
      "核對報告",
      "錯誤",
    ]);
    const cells = (row: HTMLElement) => [...row.querySelectorAll("td")].map((td) => td.textContent?.trim());
    const lines = (row: HTMLElement, column: number) =>
      [...row.querySelectorAll("td")[column].querySelectorAll("li")].map((li) => li.textContent);
    expect(cells(rows[1]).slice(0, 5)).toEqual(["notice.txt", "完成", "1", "1", "0"]);
    expect(lines(rows[1], 5)).toEqual(["phone number 2123 4567 is missing", "date 三月五日 became 5 May"]);
    expect(lines(rows[1], 6)).toEqual(["運輸署 → Transport Department"]);
    expect(lines(rows[1], 7)).toEqual(["Chinese left untranslated: 路面"]);
    expect(lines(rows[1], 8)).toEqual(["paragraph 2 (“Details on the website.”): the formatting of <g1> did not come back"]);
    expect(cells(rows[1]).slice(9)).toEqual(["notice.check.html", ""]);
    expect(lines(rows[2], 5)).toEqual([]);
    expect(lines(rows[2], 6)).toEqual(["政務司司長 → Chief Secretary for Administration"]);
    expect(lines(rows[2], 8)).toEqual([]);
    expect(cells(rows[2])[9]).toBe("sub/memo.check.html");
    // A failed file has no checks and no report.
    expect([5, 6, 7, 8].map((c) => lines(rows[0], c))).toEqual([[], [], [], []]);
    expect(cells(rows[0])[9]).toBe("");
    expect(byId("batch-status").dataset.status).toBe("completed");

    await fireEvent.click(byId("batch-open-report"));
    expect(shell.callsTo("open_path")).toEqual([{ path: "/work/輸出/report.csv" }]);
  });

  it("leaves the check report column out when no file has a report", async () => {
    const run = pending<BatchJob>();
    fakeShell({ batch_start: run.handler });
    render(BatchPage, { props: { batch: new BatchStore() } });
    await fireEvent.input(byId("batch-source"), { target: { value: "/in" } });
    await fireEvent.input(byId("batch-out"), { target: { value: "/out" } });
    await fireEvent.click(byId("batch-start"));
    await run.called;
    const files = [fileReport("a.txt", { figures: 2 })];
    run.emit({ kind: "finished", job: 1, status: "completed", report_json: "/out/report.json", report_csv: "/out/report.csv", files });
    run.resolve(job({ id: 1, status: "completed" }));
    await flush();
    expect(screen.queryByText("核對報告")).toBeNull();
    expect(screen.queryAllByTestId("batch-check-report")).toEqual([]);
    expect(within(byId("batch-report")).getAllByTestId("batch-report-row")[0].querySelectorAll("td")).toHaveLength(10);
  });

  it("shows a folder error by its code and asks for both folders first", async () => {
    const shell = fakeShell({
      batch_start: () => Promise.reject({ code: "batch_source_inside_out", message: "source inside out", details: {} }),
    });
    render(BatchPage, { props: { batch: new BatchStore() } });
    await fireEvent.click(byId("batch-start"));
    expect(shell.callsTo("batch_start")).toEqual([]);
    expect(screen.getByText("請填寫來源資料夾及輸出資料夾。")).toBeTruthy();

    await fireEvent.input(byId("batch-source"), { target: { value: "/a/b" } });
    await fireEvent.input(byId("batch-out"), { target: { value: "/a" } });
    await fireEvent.click(byId("batch-start"));
    await flush();
    expect(shell.callsTo("batch_start")[0].request).toMatchObject({ source: "/a/b", out: "/a", check_reports: false });
    expect(byId("error-banner").textContent).toContain("來源資料夾不可位於輸出資料夾之內");
  });

  it("fills a folder from the Browse button", async () => {
    fakeShell({ "plugin:dialog|open": () => "/home/me/文件" });
    const batch = new BatchStore();
    render(BatchPage, { props: { batch } });
    await fireEvent.click(screen.getByRole("button", { name: "瀏覽來源資料夾" }));
    await flush();
    expect((byId("batch-source") as HTMLInputElement).value).toBe("/home/me/文件");
  });

  it("shows the notice for a job left unfinished and resumes it", async () => {
    const shell = fakeShell({ batch_resume: () => job({ id: 6, status: "completed" }) });
    const batch = new BatchStore();
    batch.offer(job({ id: 6, source_dir: "/in", out_dir: "/out", files_done: 2, files_total: 5 }));
    render(BatchPage, { props: { batch } });
    expect(byId("batch-resume-notice").textContent).toContain("已完成 2/5 個檔案");
    expect((byId("batch-resume") as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(byId("batch-resume"));
    await flush();
    expect(shell.callsTo("batch_resume")[0].job).toBe(6);
  });
});
