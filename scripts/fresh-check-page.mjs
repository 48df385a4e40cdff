// The page as scripts/serve.sh serves it (scripts/fresh-check.sh's step 1), in headless Chromium:
// it loads with no console error, its engine reports a backend (WebGPU where the browser gives
// an adapter), and on the CPU backend it trains the bundled sample for one epoch.
//   node scripts/fresh-check-page.mjs URL
import assert from "node:assert/strict";
import { launch } from "../tests/e2e/support.mjs";

const url = process.argv[2];
assert.ok(url, "usage: node scripts/fresh-check-page.mjs URL");

const browser = await launch();
try {
  /** Opens `query`, waits for the engine's backend and returns the page and its errors so far. */
  async function open(query) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(url + query);
    await page.waitForFunction(
      () => ["WebGPU", "CPU"].includes(document.querySelector('[data-testid="backend"]')?.textContent),
      null, { timeout: 180_000 },
    );
    return { page, errors, backend: await page.textContent('[data-testid="backend"]') };
  }

  const plain = await open("");
  assert.deepEqual(plain.errors, [], "console errors while loading the page");
  console.log(`the page loaded with no console error; its engine runs on ${plain.backend}`);
  await plain.page.close();

  const { page, errors, backend } = await open("?backend=cpu");
  assert.equal(backend, "CPU");
  await page.click('[data-testid="sample-button"]');
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount) > 0,
    null, { timeout: 120_000 },
  );
  await page.fill('[data-testid="epochs"]', "1");
  const started = Date.now();
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(
    () => ["done", "error"].includes(document.querySelector('[data-testid="status"]').dataset.state),
    null, { timeout: 900_000, polling: 500 },
  );
  assert.equal(await page.getAttribute('[data-testid="status"]', "data-state"), "done",
    await page.textContent('[data-testid="error"]'));
  const metrics = await page.$('[data-testid="metrics"]');
  assert.equal(await metrics.getAttribute("data-epoch"), "1");
  const accuracy = Number(await metrics.getAttribute("data-val-accuracy"));
  assert.ok(accuracy > 0.5, `validation accuracy ${accuracy} after one epoch`);
  assert.deepEqual(errors, [], "console errors while training");
  const preset = await page.inputValue('[data-testid="model-preset"]');
  console.log(`the sample trained for one epoch of "${preset}" on the CPU backend in ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s: validation accuracy ${accuracy}`);
} finally {
  await browser.close();
}
