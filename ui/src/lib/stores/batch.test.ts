import { describe, expect, it } from "vitest";
import { fakeShell, pending } from "../../tests/shell";
import { fileReport, job } from "../../tests/fixtures";
import type { BatchJob } from "../../api/types";
import { BatchStore } from "./batch.svelte";

describe("BatchStore", () => {
  it("updates per-file and overall progress from the job's events", async () => {
    const run = pending<BatchJob>();
    const shell = fakeShell({ batch_start: run.handler });
    const batch = new BatchStore();
    batch.source = " /data/in ";
    batch.out = "/data/out";
    batch.target = "zh-Hant";
    batch.bilingual = true;
    batch.checkReports = true;
    const done = batch.start();
    await run.called;
    expect(shell.callsTo("batch_start")[0].request).toEqual({
      source: "/data/in",
      out: "/data/out",
      target: "zh-Hant",
      bilingual: true,
      check_reports: true,
    });
    expect(batch.running).toBe(true);

    run.emit({ kind: "planned", job: 8, files: 2, segments: 5, done: 0, resumed: false });
    run.emit({ kind: "file_started", path: "a.txt", segments: 2 });
    run.emit({ kind: "segment", path: "a.txt", done: 0, of: 2 });
    run.emit({ kind: "file_started", path: "b.md", segments: 3 });
    run.emit({ kind: "segment", path: "b.md", done: 0, of: 3 });
    run.emit({ kind: "segment", path: "a.txt", done: 1, of: 2 });
    run.emit({ kind: "segment", path: "b.md", done: 1, of: 3 });
    run.emit({ kind: "segment", path: "a.txt", done: 2, of: 2 });
    expect(batch.job).toBe(8);
    expect(batch.segmentsTotal).toBe(5);
    expect(batch.segmentsDone).toBe(3);
    expect(batch.files.map((f) => [f.path, f.done, f.of, f.state])).toEqual([
      ["a.txt", 2, 2, "running"],
      ["b.md", 1, 3, "running"],
    ]);

    run.emit({ kind: "file", report: fileReport("a.txt") });
    run.emit({ kind: "file", report: fileReport("broken.docx", { status: "failed", error_code: "not_zip", error: "not a zip" }) });
    expect(batch.files.map((f) => f.state)).toEqual(["done", "running", "failed"]);

    const files = [fileReport("a.txt"), fileReport("b.md"), fileReport("broken.docx", { status: "failed" })];
    run.emit({ kind: "finished", job: 8, status: "completed", report_json: "/data/out/report.json", report_csv: "/data/out/report.csv", files });
    run.resolve(job({ id: 8, status: "completed" }));
    await done;
    expect(batch.status).toBe("completed");
    expect(batch.report).toHaveLength(3);
    expect(batch.reportCsv).toBe("/data/out/report.csv");
  });

  it("does not count a resumed job's earlier work twice", async () => {
    const run = pending<BatchJob>();
    fakeShell({ batch_resume: run.handler });
    const batch = new BatchStore();
    batch.offer(job({ id: 3 }));
    const done = batch.resume();
    await run.called;
    run.emit({ kind: "planned", job: 3, files: 1, segments: 10, done: 6, resumed: true });
    run.emit({ kind: "file_started", path: "a.txt", segments: 10 });
    run.emit({ kind: "segment", path: "a.txt", done: 6, of: 10 });
    expect(batch.segmentsDone).toBe(6);
    run.emit({ kind: "segment", path: "a.txt", done: 7, of: 10 });
    expect(batch.segmentsDone).toBe(7);
    run.resolve(job({ id: 3, status: "completed" }));
    await done;
  });

  it("resumes the job offered at start-up with its own folders", async () => {
    const shell = fakeShell({ batch_resume: () => job({ id: 3, status: "completed" }) });
    const batch = new BatchStore();
    batch.offer(job({ id: 3, source_dir: "/in", out_dir: "/out", target_lang: "zh-Hant" }));
    expect(batch.canResume).toBe(true);
    expect(batch.source).toBe("/in");
    await batch.resume();
    expect(shell.callsTo("batch_resume")[0].job).toBe(3);
    expect(batch.target).toBe("zh-Hant");
    expect(batch.resumable).toBeNull();
    expect(batch.status).toBe("completed");
  });

  it("pauses the running job and can resume it afterwards", async () => {
    const run = pending<BatchJob>();
    const shell = fakeShell({ batch_start: run.handler, batch_pause: () => null });
    const batch = new BatchStore();
    batch.source = "/in";
    batch.out = "/out";
    const done = batch.start();
    await run.called;
    run.emit({ kind: "planned", job: 5, files: 1, segments: 4, done: 0, resumed: false });
    await batch.pause();
    expect(shell.callsTo("batch_pause")).toEqual([{ job: 5 }]);
    expect(batch.status).toBe("pausing");
    run.emit({ kind: "finished", job: 5, status: "interrupted", report_json: "", report_csv: "", files: [] });
    run.resolve(job({ id: 5, status: "interrupted" }));
    await done;
    expect(batch.status).toBe("interrupted");
    expect(batch.canResume).toBe(true);
  });

  it("shows a rejected start as an error without losing the form", async () => {
    fakeShell({
      batch_start: () => Promise.reject({ code: "batch_out_is_source", message: "same folder", details: {} }),
    });
    const batch = new BatchStore();
    batch.source = "/same";
    batch.out = "/same";
    await batch.start();
    expect(batch.status).toBe("failed");
    expect(batch.error?.code).toBe("batch_out_is_source");
    expect(batch.source).toBe("/same");
    expect(batch.running).toBe(false);
  });
});
