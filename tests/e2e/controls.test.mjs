// Pause, resume and stop in the page (CPU backend: fast and deterministic enough to catch the
// loop between batches).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fixtures, launch, serveApp, waitForBackend } from "./support.mjs";

let server;
let browser;
let data;

before(async () => {
  server = await serveApp();
  browser = await launch();
  data = fixtures(3000, 100);
});

after(async () => {
  await browser?.close();
  server?.close();
});

const progress = (page) => page.getAttribute('[data-testid="progress"]', "value").then(Number);
const state = (page) => page.getAttribute('[data-testid="status"]', "data-state");

test("pause holds training, resume goes on, stop keeps the model trained so far", { timeout: 300_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}?backend=cpu`);
  await waitForBackend(page, "CPU");
  await page.setInputFiles('[data-testid="file-input"]', [data.train, data.test]);
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]').dataset.testCount === "100");
  await page.selectOption('[data-testid="model-preset"]', "default");
  await page.fill('[data-testid="epochs"]', "50");
  await page.fill('[data-testid="batch-size"]', "16");
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="progress"]').getAttribute("value")) > 0);

  await page.click('[data-testid="pause-button"]');
  assert.equal(await state(page), "paused");
  // The pause takes effect at the engine's next batch boundary, and progress reports already
  // on their way still arrive: wait until the progress settles (at most 30 s), then it must hold.
  let held = await progress(page);
  for (let waited = 0; ; waited += 2) {
    await page.waitForTimeout(2000);
    const now = await progress(page);
    if (now === held) break;
    assert.ok(waited < 30, `training still running ${waited} s after pause`);
    held = now;
  }
  await page.waitForTimeout(3000);
  assert.equal(await progress(page), held, "no batch runs while paused");

  await page.click('[data-testid="pause-button"]');
  assert.equal(await state(page), "training");
  await page.waitForFunction((before) => Number(document.querySelector('[data-testid="progress"]').getAttribute("value")) > before, held);

  await page.click('[data-testid="stop-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "done", null, { timeout: 120_000 });
  const max = Number(await page.getAttribute('[data-testid="progress"]', "max"));
  assert.ok((await progress(page)) < max, "stopped before the end");
  assert.match(await page.textContent("#speed"), /^Stopped after/);
  assert.equal(await page.isEnabled('[data-testid="download-predictions"]'), true, "the model trained so far predicts");
  assert.equal(await page.textContent('[data-testid="error"]'), "");
  await page.close();
});
