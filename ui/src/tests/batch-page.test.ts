import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import BatchPage from "../pages/BatchPage.svelte";
import { BatchStore } from "../lib/stores/batch.svelte";
import type { BatchJob } from "../api/types";
import { fileReport, job } from "./fixtures";
import { fakeShell, flush, pending } from "./shell";

const byId = (id: string) => screen.getByTestId(id);

describe("the Batch page", () => {
  it("starts a job from the form, shows progress per file, then the report", async () => {
    const run = pending<BatchJob>();
    const shell = fakeShell({ batch_start: run.handler, open_path: () => null });
    render(BatchPage, { props: { batch: new BatchStore() } });
    await fireEvent.input(byId("batch-source"), { target: { value: "/work/來源" } });
    await fireEvent.input(byId("batch-out"), { target: { value: "/work/輸出" } });
    await fireEvent.change(byId("batch-target"), { target: { value: "en" } });
    await fireEvent.click(byId("batch-start"));
    await run.called;
    expect(shell.callsTo("batch_start")[0].request).toEqual({
      source: "/work/來源",
      out: "/work/輸出",
      target: "en",
      bilingual: false,
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
      fileReport("notice.txt", { translated: 1, cached: 1, numbers_missing: ["2123 4567"] }),
      fileReport("sub/memo.md", { translated: 2, kept: 1, glossary_missing: ["政務司司長"], error_code: "brand_new_code", error: "" }),
    ];
    run.emit({ kind: "finished", job: 2, status: "completed", report_json: "/work/輸出/report.json", report_csv: "/work/輸出/report.csv", files: report });
    run.resolve(job({ id: 2, status: "completed" }));
    await flush();

    const rows = within(byId("batch-report")).getAllByTestId("batch-report-row");
    expect(rows).toHaveLength(3);
    expect(rows[0].textContent).toContain("broken.docx");
    expect(rows[0].textContent).toContain("失敗");
    expect(rows[0].textContent).toContain("這個 .docx 檔案已損壞");
    const cells = (row: HTMLElement) => [...row.querySelectorAll("td")].map((td) => td.textContent);
    expect(cells(rows[1])).toEqual(["notice.txt", "完成", "1", "1", "0", "", "2123 4567", ""]);
    expect(cells(rows[2])[5]).toBe("政務司司長");
    expect(byId("batch-status").dataset.status).toBe("completed");

    await fireEvent.click(byId("batch-open-report"));
    expect(shell.callsTo("open_path")).toEqual([{ path: "/work/輸出/report.csv" }]);
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
