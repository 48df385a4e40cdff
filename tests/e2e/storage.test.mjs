// Two tabs never silently overwrite each other's kept model: the first tab open keeps its
// models; a second tab trains, and its page says its model is not kept and why.

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
