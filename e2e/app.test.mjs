// End-to-end: the built desktop app under Xvfb, driven through tauri-driver
// and WebKitWebDriver, with the real demo model in its worker. Each step
// saves a screenshot under target/e2e/. Started by scripts/e2e, which sets
// up the display, the session bus, the driver and an empty Wenshu home.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { remote } from "webdriverio";

const app = process.env.E2E_APP;
const shots = process.env.E2E_SCREENSHOTS;
const work = process.env.E2E_WORK;
const home = process.env.WENSHU_HOME;
assert.ok(app && shots && work && home, "run through scripts/e2e");

const PARAGRAPH =
  "The Environmental Protection Department will install 250 new recycling stations in Sha Tin and Tuen Mun " +
  "by June 2027. Residents can bring glass bottles, plastics and paper to any station from 8 am to 8 pm.";

let browser;
let step = 0;

/** A screenshot of the whole X display: the real window as drawn (WebKitWebDriver's own screenshot hangs without compositing). */
async function shot(name) {
  step += 1;
  const file = path.join(shots, `${String(step).padStart(2, "0")}-${name}.png`);
  await browser.pause(300);
  execFileSync("import", ["-window", "root", file]);
  assert.ok(fs.statSync(file).size > 1000, `screenshot ${file} is empty`);
}

/** Sets a text field's value as a paste would (typed newlines do not reach WebKit). */
async function paste(id, value) {
  const el = await byId(id);
  await browser.execute(
    (node, text) => {
      node.value = text;
      node.dispatchEvent(new Event("input", { bubbles: true }));
    },
    el,
    value,
  );
}

const byId = (id) => browser.$(`[data-testid="${id}"]`);

async function outputState() {
  return (await byId("output")).getAttribute("data-state");
}

async function outputText() {
  return (await byId("output")).getText();
}

/** Polls the output while a task runs; returns the texts seen while running. */
async function watchRun(timeoutMs) {
  const seen = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await outputState();
    if (state === "running") {
      const text = await outputText();
      if (text.trim() && seen[seen.length - 1] !== text) seen.push(text);
    } else if (state !== "idle") {
      return { state, seen };
    }
    assert.ok(Date.now() < deadline, `task still ${state} after ${timeoutMs} ms`);
    await browser.pause(40);
  }
}

async function nav(page) {
  await (await byId(`nav-${page}`)).click();
}

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  browser = await remote({
    hostname: "127.0.0.1",
    port: Number(process.env.E2E_DRIVER_PORT || 4444),
    logLevel: "warn",
    connectionRetryTimeout: 120000,
    // Classic WebDriver: WebKitWebDriver does not speak BiDi, which
    // WebdriverIO 9 would otherwise ask for.
    capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application: app } },
  });
  await (await byId("editor")).waitForDisplayed({ timeout: 30000 });
});

after(async () => {
  if (browser) await browser.deleteSession().catch(() => {});
});

test("a paragraph is summarised by the demo model and the summary streams in", async () => {
  await shot("launched");
  const lang = await browser.execute(() => document.documentElement.lang);
  assert.equal(lang, "zh-Hant", "the UI starts in Traditional Chinese");
  await (await byId("editor")).setValue(PARAGRAPH);
  await (await byId("task-summarise")).click();
  await (await byId("run")).click();
  const { state, seen } = await watchRun(120000);
  assert.equal(state, "done");
  const final = await outputText();
  assert.ok(final.trim().length > 0, "a summary was written");
  assert.ok(seen.length >= 1, "text appeared while the task was still running");
  assert.ok(
    seen.some((t) => t.length < final.length),
    `the text grew while streaming (seen ${seen.length} partial states)`,
  );
  assert.equal(await (await byId("editor")).getValue(), PARAGRAPH, "the input is kept");
  await shot("summary-streamed");
});

test("the run is found in History by searching a word of it", async () => {
  await nav("history");
  const search = await byId("history-search");
  await search.waitForDisplayed();
  await search.setValue("recycling");
  const item = await byId("history-item");
  await item.waitForDisplayed({ timeout: 10000 });
  assert.equal((await browser.$$('[data-testid="history-item"]')).length, 1);
  await item.click();
  const detail = await byId("history-detail");
  await detail.waitForDisplayed();
  assert.ok((await detail.getText()).includes("Sha Tin"), "the detail shows the run's input");
  await shot("history-search");
});

test("a paragraph is translated side by side, with the figures core checked marked in it", async () => {
  await nav("main");
  await paste("editor", PARAGRAPH);
  await (await byId("task-translate")).click();
  await (await byId("translate-direction")).selectByAttribute("value", "zh-Hant");
  await (await byId("run")).click();
  const { state } = await watchRun(180000);
  assert.equal(state, "done");
  const table = await byId("side-by-side");
  await table.waitForDisplayed({ timeout: 10000 });
  const rows = await browser.$$('[data-testid="side-by-side-row"]');
  assert.ok(rows.length >= 1, "the translation is shown side by side");
  // The paragraph's figures (250, June 2027, 8 am, 8 pm) are each marked in
  // the source, found or flagged, whatever the model wrote.
  const marks = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="side-by-side"] [data-testid="check-mark"]')].map((m) => ({
      tag: m.tagName,
      mark: m.getAttribute("data-mark"),
      side: m.closest("td")?.getAttribute("data-side"),
      text: m.textContent,
    })),
  );
  assert.ok(marks.length >= 1, "the side-by-side view marks at least one checked item");
  for (const m of marks) {
    assert.equal(m.tag, "MARK");
    assert.ok(["found", "changed", "missing", "added", "script"].includes(m.mark), JSON.stringify(m));
  }
  assert.ok(
    marks.some((m) => m.side === "source" && m.text === "250"),
    `the source's 250 is marked: ${JSON.stringify(marks)}`,
  );
  const source = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="side-by-side-row"] td[data-side="source"] p')].map((p) => p.textContent).join(""),
  );
  assert.equal(source, PARAGRAPH, "the source reads as typed, marks and all");
  const summary = await byId("checks-summary");
  assert.ok(await summary.isExisting(), "the checks summary is shown");
  const flagged = Number(await summary.getAttribute("data-flagged"));
  assert.equal((await browser.$$('[data-testid="check-flag"]')).length, flagged, "one line per flagged item");
  await table.scrollIntoView();
  await shot("translation-checked");
});

test("the UI switches to English and back to Traditional Chinese", async () => {
  await nav("settings");
  const navLabel = async () => (await byId("nav-main")).getText();
  const chinese = await navLabel();
  await (await byId("ui-lang")).selectByAttribute("value", "en");
  await browser.waitUntil(
    async () => (await browser.execute(() => document.documentElement.lang)) === "en",
    { timeout: 5000, timeoutMsg: "html lang did not become en" },
  );
  const english = await navLabel();
  assert.notEqual(english, chinese);
  assert.match(english, /[A-Za-z]/);
  await shot("english");
  await (await byId("ui-lang")).selectByAttribute("value", "zh-Hant");
  await browser.waitUntil(
    async () => (await browser.execute(() => document.documentElement.lang)) === "zh-Hant",
    { timeout: 5000, timeoutMsg: "html lang did not return to zh-Hant" },
  );
  assert.equal(await navLabel(), chinese);
  const saved = fs.readFileSync(path.join(home, "settings.toml"), "utf8");
  assert.match(saved, /ui_lang = "zh-Hant"/);
  await shot("chinese-again");
});

test("the batch page translates a small folder and shows the report", async () => {
  const src = path.join(work, "batch-src");
  const out = path.join(work, "batch-out");
  fs.mkdirSync(path.join(src, "sub"), { recursive: true });
  fs.writeFileSync(path.join(src, "notice.txt"), "本署將於下月推出新服務。\n\n查詢請致電 2123 4567。\n");
  fs.writeFileSync(path.join(src, "sub", "memo.md"), "# 會議通知\n\n會議將於三月五日舉行。\n");
  fs.writeFileSync(path.join(src, "broken.docx"), "not a zip file");
  await nav("batch");
  await paste("batch-source", src);
  await paste("batch-out", out);
  await (await byId("batch-target")).selectByAttribute("value", "en");
  await (await byId("batch-check-reports")).click();
  await (await byId("batch-start")).click();
  await (await byId("batch-progress")).waitForExist({ timeout: 10000 });
  const report = await byId("batch-report");
  await report.waitForDisplayed({ timeout: 240000, interval: 500 });
  const rows = await browser.$$('[data-testid="batch-report-row"]');
  assert.equal(rows.length, 3);
  const texts = [];
  for (const row of rows) texts.push(await row.getText());
  assert.ok(texts.some((t) => t.includes("broken.docx")), texts.join("\n"));
  assert.ok(fs.existsSync(path.join(out, "notice.txt")), "the translated .txt was written");
  assert.ok(fs.existsSync(path.join(out, "sub", "memo.md")), "the translated .md was written");
  assert.ok(fs.existsSync(path.join(out, "report.csv")));
  const json = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8"));
  const statuses = Object.fromEntries(json.files.map((f) => [f.path, f.status]));
  assert.deepEqual(statuses, { "broken.docx": "failed", "notice.txt": "done", "sub/memo.md": "done" });
  // Ticked: each translated file has its check report beside it, named in the report and on the page.
  const reports = Object.fromEntries(json.files.map((f) => [f.path, f.check_report ?? null]));
  assert.deepEqual(reports, { "broken.docx": null, "notice.txt": "notice.check.html", "sub/memo.md": "sub/memo.check.html" });
  assert.ok(fs.existsSync(path.join(out, "notice.check.html")), "the check report of notice.txt was written");
  assert.ok(fs.existsSync(path.join(out, "sub", "memo.check.html")), "the check report of sub/memo.md was written");
  const shown = [];
  for (const cell of await browser.$$('[data-testid="batch-check-report"]')) shown.push(await cell.getText());
  assert.deepEqual(shown.filter(Boolean).sort(), ["notice.check.html", "sub/memo.check.html"]);
  await shot("batch-report");
});

test("killing the worker mid-generation keeps the input, shows the error, and the next run succeeds", async () => {
  await nav("main");
  const input = Array(5).fill(PARAGRAPH).join("\n\n");
  await paste("editor", input);
  // Polishing five paragraphs keeps the model busy long enough to kill it.
  await (await byId("task-polish")).click();
  await (await byId("run")).click();
  await browser.waitUntil(async () => (await outputText()).trim().length > 0 && (await outputState()) === "running", {
    timeout: 60000,
    interval: 50,
    timeoutMsg: "translation did not start streaming",
  });
  const pids = execFileSync("pgrep", ["-f", "wenshu-desktop worker"]).toString().trim().split(/\s+/);
  assert.ok(pids.length >= 1);
  for (const pid of pids) process.kill(Number(pid), "SIGKILL");
  const banner = await byId("error-banner");
  await banner.waitForDisplayed({ timeout: 20000 });
  assert.equal(await outputState(), "error");
  assert.equal(await (await byId("editor")).getValue(), input, "the input survives the crash");
  await shot("worker-crashed");

  await paste("editor", "本署明日開放。");
  await (await byId("run")).click();
  const { state } = await watchRun(120000);
  assert.equal(state, "done", "the next request succeeds with a fresh worker");
  assert.ok((await outputText()).trim().length > 0);
  await shot("worker-restarted");
});

test("Ctrl+Alt+S summarises the X selection in a popup, which Esc closes", async () => {
  const main = await browser.getWindowHandle();
  // Select text the way another program would: own the PRIMARY selection.
  const owner = spawn("xclip", ["-selection", "primary", "-loops", "3"], { stdio: ["pipe", "ignore", "ignore"] });
  owner.stdin.end(PARAGRAPH);
  await browser.pause(300);
  execFileSync("xdotool", ["key", "--clearmodifiers", "ctrl+alt+s"]);
  let popup;
  await browser.waitUntil(
    async () => {
      popup = (await browser.getWindowHandles()).find((h) => h !== main);
      return Boolean(popup);
    },
    { timeout: 20000, interval: 200, timeoutMsg: "no popup window appeared after the shortcut" },
  );
  await browser.switchToWindow(popup);
  const output = await byId("popup-output");
  await output.waitForExist({ timeout: 20000 });
  await browser.waitUntil(async () => (await output.getAttribute("data-state")) === "done", {
    timeout: 120000,
    interval: 100,
    timeoutMsg: "the popup's summary did not finish",
  });
  assert.ok((await output.getText()).trim().length > 0, "the popup shows a summary");
  await shot("shortcut-popup");
  // The popup closes while the key action is still in flight, so the
  // driver may report the window gone; the check below is what counts.
  await browser.keys(["Escape"]).catch((e) => {
    if (!/no such window|unknown error/.test(String(e))) throw e;
  });
  await browser.waitUntil(async () => (await browser.getWindowHandles()).length === 1, {
    timeout: 10000,
    timeoutMsg: "Esc did not close the popup",
  });
  await browser.switchToWindow(main);
  owner.kill();
});
