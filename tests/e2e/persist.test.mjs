// Saving, loading and keeping models: train in the page, save the model file, reload (the model
// and its history come back from IndexedDB), load the saved file, and get byte-identical
// predictions each time; a damaged file is refused and the model stays. Also a reload in the
// middle of training keeps the last finished epoch. CPU backend: quick and deterministic.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { dropFiles, launch, serveApp, waitForModel } from "./support.mjs";

let server;
let browser;

before(async () => {
  server = await serveApp();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

const attr = (page, testId, name) => page.getAttribute(`[data-testid="${testId}"]`, name);

async function loadSample(page) {
  await page.click('[data-testid="sample-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]').dataset.testCount === "1000",
    null, { timeout: 60_000 });
}

/** Downloads what `testId`'s button offers once it is enabled; the file's bytes. */
async function download(page, testId) {
  await page.waitForSelector(`[data-testid="${testId}"]:not([disabled])`, { timeout: 120_000 });
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(`[data-testid="${testId}"]`)]);
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(await file.path()) };
}

async function train(page, epochs) {
  await page.selectOption('[data-testid="model-preset"]', "baseline");
  await page.fill('[data-testid="epochs"]', String(epochs));
  await page.fill('[data-testid="batch-size"]', "32");
  await page.fill('[data-testid="val-split"]', "0.2");
  await page.click('[data-testid="train-button"]');
}

test("save, reload, load: the same model and byte-identical predictions", { timeout: 600_000 }, async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${server.url}?backend=cpu`);
  await waitForModel(page);
  await loadSample(page);

  await train(page, 2);
  await waitForModel(page, "trained");
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "done", null, { timeout: 300_000 });
  assert.match(await page.textContent('[data-testid="active-model"]'), /^trained here: baseline, 2 epochs \(test accuracy \d+\.\d\d%\)$/);
  const before = await download(page, "download-predictions");
  const saved = await download(page, "save-model");
  assert.equal(saved.name, "fashion-mnist-baseline.atelier");
  assert.equal(saved.bytes.subarray(0, 14).toString(), "ATELIER-MODEL\n");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-model-"));
  const modelPath = path.join(dir, saved.name);
  fs.writeFileSync(modelPath, saved.bytes);

  // A reload: the model, its settings and its history come back from IndexedDB.
  await page.reload();
  await waitForModel(page, "restored");
  assert.match(await page.textContent('[data-testid="active-model"]'), /^trained here: baseline, 2 epochs/);
  // The charts are drawn in a task after the model's arrival.
  await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]').dataset.epochs === "2");
  assert.equal(await attr(page, "metrics", "data-epoch"), "2");
  assert.equal(await attr(page, "loss-chart", "data-epochs"), "2");
  assert.equal(await page.inputValue('[data-testid="model-preset"]'), "baseline");
  assert.equal(await page.inputValue('[data-testid="epochs"]'), "2");
  await loadSample(page);
  const restored = await download(page, "download-predictions");
  assert.ok(restored.bytes.equals(before.bytes), "the restored model predicts exactly as before");

  // A damaged model file is refused, and the model stays.
  const truncated = path.join(dir, "truncated.atelier");
  fs.writeFileSync(truncated, saved.bytes.subarray(0, saved.bytes.length - 1000));
  await dropFiles(page, [truncated]);
  await page.waitForFunction(() => document.querySelector('[data-testid="error"]').textContent !== "");
  assert.match(await page.textContent('[data-testid="error"]'), /^truncated\.atelier: the model file is truncated/);
  assert.equal(await attr(page, "active-model", "data-source"), "restored");

  // The saved file, dropped: the same predictions, byte for byte.
  await dropFiles(page, [modelPath]);
  await waitForModel(page, "file");
  assert.match(await page.textContent('[data-testid="active-model"]'), /^file fashion-mnist-baseline\.atelier \(test accuracy/);
  const loaded = await download(page, "download-predictions");
  assert.ok(loaded.bytes.equals(before.bytes), "the loaded model file predicts exactly as the saved model");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a reload in the middle of training keeps the last finished epoch", { timeout: 600_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}?backend=cpu`);
  await waitForModel(page);
  await loadSample(page);
  await train(page, 30);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="metrics"]').dataset.epoch) >= 1,
    null, { timeout: 300_000 });
  const seen = Number(await attr(page, "metrics", "data-epoch"));
  await page.reload();
  await waitForModel(page, "restored");
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]').dataset.epochs) >= 1);
  const epochs = Number(await attr(page, "metrics", "data-epoch"));
  assert.ok(epochs >= seen && epochs < 30, `restored after epoch ${epochs}, the page had shown ${seen}`);
  assert.match(await page.textContent('[data-testid="active-model"]'),
    new RegExp(`^trained here: baseline, ${epochs} of 30 epochs \\(training was interrupted\\) \\(validation accuracy \\d+\\.\\d\\d%\\)$`));
  assert.equal(await attr(page, "loss-chart", "data-epochs"), String(epochs));
  await context.close();
});
