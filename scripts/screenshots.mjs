// README's pictures of the page, taken from the built app: a laptop's screen while the notebook's
// baseline trains on the sample with the settings scrolled to, two runs compared in the Runs
// panel, the same screen after training with trousers drawn, and a phone's.
//   node scripts/screenshots.mjs        (after trunk build --release; ATELIER_DIST picks another build)
import path from "node:path";
import { ROOT, launch, serveApp, waitForCounts, waitForModel } from "../tests/e2e/support.mjs";

const server = await serveApp();
const browser = await launch();

/** Trousers, as two legs down from a filled waist, on the pad (fractions of its size). */
async function drawTrousers(page) {
  const pad = page.locator('[data-testid="draw-pad"]');
  await pad.scrollIntoViewIfNeeded();
  await page.$eval("#brush-size", (brush) => { brush.value = "40"; });
  const box = await pad.boundingBox();
  const at = (fx, fy) => [box.x + box.width * fx, box.y + box.height * fy];
  for (const stroke of [[[0.4, 0.1], [0.6, 0.1]], [[0.4, 0.22], [0.6, 0.22]], [[0.4, 0.1], [0.39, 0.9]], [[0.6, 0.1], [0.61, 0.9]]]) {
    await page.mouse.move(...at(...stroke[0]));
    await page.mouse.down();
    await page.mouse.move(...at(...stroke[1]), { steps: 12 });
    await page.mouse.up();
  }
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').hasAttribute("data-class"));
}

const picture = (file) => path.join(ROOT, "docs", file);

for (const [file, options] of [
  ["screenshot.png", { viewport: { width: 1366, height: 768 } }],
  ["phone.png", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
]) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${server.url}?backend=cpu`);
  await waitForModel(page);
  if (file === "screenshot.png") {
    await page.click('[data-testid="sample-button"]');
    await waitForCounts(page, 6000, 1000);
    await page.selectOption('[data-testid="model-preset"]', "baseline");
    await page.fill('[data-testid="epochs"]', "6");
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]').dataset.epochs === "3", null, { timeout: 300_000 });
    await page.click('[data-testid="pause-button"]');
    await page.locator('[data-testid="learning-rate"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: picture("training.png") });
    await page.click('[data-testid="pause-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "done", null, { timeout: 300_000 });
    // A second run at another rate, both ticked in the Runs panel.
    await page.fill('[data-testid="learning-rate"]', "0.003");
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"][data-model="kept"]').length === 2,
      null, { timeout: 300_000 });
    // Each tick redraws the table: find each box afresh.
    for (const index of [0, 1]) await page.locator('[data-testid="run-select"]').nth(index).check();
    await page.locator("#step-runs").scrollIntoViewIfNeeded();
    await page.screenshot({ path: picture("runs.png") });
  }
  await drawTrousers(page);
  // The laptop's first screen; the phone's drawing pad, under the data and Train.
  await page.evaluate((phone) => (phone ? document.querySelector("#step-try").scrollIntoView() : window.scrollTo(0, 0)),
    file === "phone.png");
  await page.screenshot({ path: picture(file) });
  await context.close();
}
await browser.close();
server.close();
