// The page survives its engine: an engine that aborts (a test-only request, as a crash or an
// out-of-memory would) is replaced by a new one, the page says so, the model kept after the
// last epoch comes back, and the dropped files are read again from the page's handles. A lost
// GPU device (destroyed on purpose) in the middle of training moves the page to the CPU engine
// the same way, and the run goes on there from its last kept epoch. Both start on the WebGPU
// engine (SwiftShader here). A file deleted since it was picked cannot be read again: the new
// engine says so, and asks for it.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { datasetCounts, dropFiles, fixtures, launch, serveApp, trainToDone, waitForBackend, waitForCounts, waitForModel } from "./support.mjs";

let server;
let browser;
let data;

before(async () => {
  server = await serveApp();
  browser = await launch();
  data = fixtures(300, 50);
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh tab with the test hooks, on the WebGPU engine, the two CSVs loaded. */
async function openLoaded() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`${server.url}?test-hooks`);
  await waitForModel(page);
  assert.equal(await page.textContent('[data-testid="backend"]'), "WebGPU");
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 300, 50);
  return { context, page, pageErrors };
}

test("an engine that aborts is replaced; the kept model and the loaded files come back", { timeout: 900_000 }, async () => {
  const { context, page, pageErrors } = await openLoaded();
  await page.selectOption('[data-testid="model-preset"]', "baseline");
  await page.fill('[data-testid="epochs"]', "1");
  await page.fill('[data-testid="batch-size"]', "32");
  await trainToDone(page);
  const trained = await page.textContent('[data-testid="active-model"]');
  assert.match(trained, /^trained here: baseline, 1 epoch/);
  // The model is kept after its epoch; give the store a moment to finish writing.
  await page.waitForTimeout(2_000);

  await page.evaluate(() => window.atelierAbortEngine());
  await page.waitForFunction(() => !document.querySelector('[data-testid="engine-notice"]').hidden,
    null, { timeout: 60_000 });
  assert.match(await page.textContent('[data-testid="engine-notice"]'),
    /^The engine stopped \(.+\)\. A new one has started: the last kept model comes back, and the loaded files are read again\.$/);
  assert.equal(await page.getAttribute('[data-testid="status"]', "data-state"), "error");

  // The new engine: a backend, the kept model, the same sets read again.
  await waitForModel(page, "restored");
  assert.match(await page.textContent('[data-testid="active-model"]'), /^trained here: baseline, 1 epoch/);
  await waitForCounts(page, 300, 50);
  assert.deepEqual(await datasetCounts(page), [300, 50]);
  assert.equal(await page.textContent('[data-testid="backend"]'), "WebGPU");
  // It trains again.
  await trainToDone(page);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("a GPU lost while training moves to the CPU engine, and Continue goes on from the last kept epoch", { timeout: 900_000 }, async () => {
  const { context, page, pageErrors } = await openLoaded();
  await page.selectOption('[data-testid="model-preset"]', "baseline");
  await page.fill('[data-testid="epochs"]', "4");
  await page.fill('[data-testid="batch-size"]', "32");
  await page.waitForSelector('[data-testid="train-button"]:not([disabled])', { timeout: 60_000 });
  await page.click('[data-testid="train-button"]');
  // An epoch is kept before the page hears of it: from here on there is one to go on from.
  await page.waitForFunction(() => document.querySelector('[data-testid="metrics"]').dataset.epoch === "1",
    null, { timeout: 400_000 });
  await page.evaluate(() => window.atelierLoseDevice());
  await page.waitForFunction(() => !document.querySelector('[data-testid="engine-notice"]').hidden,
    null, { timeout: 60_000 });
  assert.match(await page.textContent('[data-testid="engine-notice"]'),
    /^The GPU was lost \(.+\)\. Training moved to the CPU engine: the last kept model comes back, and the loaded files are read again\. Continue goes on with the run from its last kept epoch\.$/);
  await waitForBackend(page, "CPU");
  await waitForModel(page, "restored");
  const restored = await page.textContent('[data-testid="active-model"]');
  const [, kept] = restored.match(/^trained here: baseline, (\d) of 4 epochs \(training was interrupted\)/) ?? [];
  assert.ok(kept >= 1 && kept < 4, restored);
  await waitForCounts(page, 300, 50);
  // The kept epochs are back on the chart, and Continue says where it goes on.
  assert.equal(await page.getAttribute('[data-testid="loss-chart"]', "data-epochs"), kept);
  await page.waitForSelector('[data-testid="continue-button"]:not([disabled])', { timeout: 60_000 });
  assert.equal(await page.textContent('[data-testid="continue-button"]'), `Continue (epoch ${Number(kept) + 1} of 4)`);

  await trainToDone(page, 300_000, "continue-button");
  assert.equal(await page.textContent('[data-testid="backend"]'), "CPU");
  assert.match(await page.textContent('[data-testid="active-model"]'),
    new RegExp(`^trained here: baseline, 4 epochs, resumed after epoch ${kept}`));
  assert.equal(await page.getAttribute('[data-testid="metrics"]', "data-epoch"), "4");
  assert.equal(await page.getAttribute('[data-testid="loss-chart"]', "data-epochs"), "4");
  // A finished run has nothing to continue.
  assert.equal(await page.isDisabled('[data-testid="continue-button"]'), true);
  assert.equal(await page.textContent('[data-testid="continue-button"]'), "Continue");
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("a file deleted since it was picked: the new engine says so and asks for it again", { timeout: 300_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`${server.url}?backend=cpu&test-hooks`);
  await waitForModel(page);
  // A picked file is a handle to the file on disk, unlike a drop built in the page.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-picked-"));
  const picked = path.join(folder, "train.csv");
  fs.copyFileSync(data.train, picked);
  await page.setInputFiles('[data-testid="file-input"]', picked);
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]')?.dataset.trainCount === "300",
    null, { timeout: 120_000 });
  fs.rmSync(folder, { recursive: true });

  await page.evaluate(() => window.atelierAbortEngine());
  await page.waitForFunction(() => document.querySelector('[data-testid="error"]').textContent.includes("could not be read"),
    null, { timeout: 120_000 });
  assert.equal(await page.textContent('[data-testid="error"]'),
    "train.csv: could not be read: it was moved, deleted or changed since it was chosen. Drop it again.");
  assert.equal(await page.getAttribute('[data-testid="status"]', "data-state"), "error");
  // Dropped again, it loads, and the page trains.
  await dropFiles(page, [data.train]);
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state !== "error"
    && document.querySelector('[data-testid="dataset-summary"]')?.dataset.trainCount === "300",
    null, { timeout: 120_000 });
  await page.selectOption('[data-testid="model-preset"]', "baseline");
  await page.fill('[data-testid="epochs"]', "1");
  await trainToDone(page, 120_000);
  assert.deepEqual(pageErrors, []);
  await context.close();
});
