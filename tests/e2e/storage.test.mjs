// Two tabs never silently overwrite each other's kept model: the first tab open keeps its
// models; a second tab trains, and its page says its model is not kept and why. A browser whose
// storage is full (the origin's quota lowered through the DevTools protocol, as Chromium does
// for a full disk) says the same with that reason, and the page goes on working.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dropFiles, fixtures, launch, serveApp, trainToDone, waitForCounts, waitForModel } from "./support.mjs";

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

async function trainOneEpoch(page) {
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 300, 50);
  await page.selectOption('[data-testid="model-preset"]', "baseline");
  await page.fill('[data-testid="epochs"]', "1");
  await trainToDone(page);
}

test("a second tab's model is not kept over the first tab's, and its page says so", { timeout: 900_000 }, async () => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await first.goto(`${server.url}?backend=cpu`);
  await waitForModel(first);
  const second = await context.newPage();
  await second.goto(server.url);
  await waitForModel(second);
  assert.equal(await second.textContent('[data-testid="backend"]'), "WebGPU");

  await trainOneEpoch(second);
  await second.waitForFunction(() => !document.querySelector('[data-testid="storage-notice"]').hidden,
    null, { timeout: 60_000 });
  assert.equal(await second.textContent('[data-testid="storage-notice"]'),
    "This model is not kept for your next visit: another Atelier tab keeps its models: this tab's model is not kept (close the other tab to keep this one's).");

  // The first tab keeps its own, and says nothing.
  await trainOneEpoch(first);
  await first.waitForTimeout(2_000);
  assert.equal(await first.isHidden('[data-testid="storage-notice"]'), true);

  // Once the first tab is closed, the second keeps its next model.
  await first.close();
  await second.click('[data-testid="train-button"]');
  await second.waitForFunction(() => document.querySelector('[data-testid="storage-notice"]').hidden,
    null, { timeout: 400_000 });
  await context.close();
});

test("storage that is full: the trained model is not kept, the page says why and goes on", { timeout: 600_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Less than one model file; the quota holds for the origin in this profile.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url.replace(/\/$/, ""), quotaSize: 64 * 1024 });
  await page.goto(`${server.url}?backend=cpu`);
  await waitForModel(page);
  await trainOneEpoch(page);
  await page.waitForFunction(() => !document.querySelector('[data-testid="storage-notice"]').hidden,
    null, { timeout: 60_000 });
  assert.equal(await page.textContent('[data-testid="storage-notice"]'),
    "This model is not kept for your next visit: the browser's storage is full.");
  // The model is still the active one, and the page still works with it.
  assert.match(await page.textContent('[data-testid="active-model"]'), /^trained here: baseline, 1 epoch/);
  assert.equal(await page.getAttribute('[data-testid="status"]', "data-state"), "done");
  assert.equal(await page.isDisabled('[data-testid="download-predictions"]'), false);
  await context.close();
});
