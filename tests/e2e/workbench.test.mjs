// The page as a workbench: what a laptop's first screen shows, the charts kept in sight while
// the settings scroll, a phone's width and touch, the keyboard alone, and axe-core's
// accessibility rules in the light and dark schemes.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { launch, serveApp, strokeOnPad, waitForBackend, waitForCounts, waitForModel } from "./support.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
/** The page's sample (www/sample): its training and test images. */
const SAMPLE = [6000, 1000];

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

/** A fresh profile at `viewport`, the page open at `query` with its engine ready. */
async function open(query, contextOptions = {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...contextOptions });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.url + query);
  await waitForBackend(page);
  await waitForModel(page);
  return { context, page, errors };
}

/** The element's box lies wholly inside the viewport (as the page is scrolled now). */
async function assertInViewport(page, selector) {
  const box = await page.locator(selector).boundingBox();
  assert.ok(box, `${selector} is not displayed`);
  const { width, height } = page.viewportSize();
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height,
    `${selector} at ${JSON.stringify(box)}, outside the ${width}x${height} viewport`);
}

const byTestId = (id) => `[data-testid="${id}"]`;

async function loadSample(page) {
  await page.click(byTestId("sample-button"));
  await waitForCounts(page, ...SAMPLE);
}

test("a laptop's first screen: data, Train and the drawing pad; the header names the backend", { timeout: 300_000 }, async () => {
  const { context, page, errors } = await open("", { viewport: { width: 1366, height: 768 } });
  for (const id of ["drop-zone", "sample-button", "train-button", "draw-pad", "prediction"]) {
    await assertInViewport(page, byTestId(id));
  }
  // The header says what trains, as the badge does: WebGPU here (SwiftShader's adapter).
  assert.equal(await page.textContent(byTestId("backend")), "WebGPU");
  assert.match(await page.textContent(byTestId("backend-where")), /^WebGPU \(.+\)$/);
  // Empty canvases say what will appear on them; the pre-trained model's curves say its figures.
  assert.match(await page.getAttribute("#class-histogram", "aria-label"), /appears when data is loaded/);
  assert.match(await page.getAttribute(byTestId("loss-chart"), "aria-label"),
    /^Training loss \(no validation set\) by epoch\. epoch 1: training \d\.\d{4}; epoch 2: /);
  // The drawing pad works at once with the pre-trained model.
  await strokeOnPad(page, [0.3, 0.2], [0.3, 0.8]);
  await assertInViewport(page, byTestId("prediction"));
  assert.match(await page.getAttribute("#probability-chart", "aria-label"), /^Class probabilities: T-shirt\/top \d/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("while a run trains, its loss chart stays in sight with the settings scrolled to", { timeout: 300_000 }, async () => {
  const { context, page, errors } = await open("?backend=cpu", { viewport: { width: 1366, height: 768 } });
  assert.match(await page.textContent(byTestId("backend-where")), /^the CPU$/);
  await loadSample(page);
  await page.fill(byTestId("epochs"), "20");
  await page.click(byTestId("train-button"));
  await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]').dataset.epochs === "1",
    null, { timeout: 120_000 });
  for (const setting of ["learning-rate", "augment-erase", "grid-epochs"]) {
    await page.locator(byTestId(setting)).scrollIntoViewIfNeeded();
    await assertInViewport(page, byTestId(setting));
    await assertInViewport(page, byTestId("loss-chart"));
  }
  // The chart's text alternative carries the same figures as `metrics`.
  const trainLoss = Number(await page.getAttribute(byTestId("metrics"), "data-train-loss"));
  const described = await page.getAttribute(byTestId("loss-chart"), "aria-label");
  assert.ok(described.startsWith(`Training and validation loss by epoch. epoch 1: training ${trainLoss.toFixed(4)}, validation `), described);
  await page.click(byTestId("stop-button"));
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "done", null, { timeout: 120_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a 390-pixel phone: no sideways scrolling, the pad fits and takes a finger, controls are 40 px tall", { timeout: 300_000 }, async () => {
  const { context, page, errors } = await open("?backend=cpu",
    { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  const width = () => page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
  assert.ok((await width()) <= 390, `the document is ${await width()} pixels wide`);
  await loadSample(page);
  assert.ok((await width()) <= 390, `with data, the document is ${await width()} pixels wide`);

  const pad = await page.locator(byTestId("draw-pad")).boundingBox();
  assert.ok(pad.x >= 0 && pad.x + pad.width <= 390, `draw-pad at ${JSON.stringify(pad)}`);
  // Every control a finger may need is at least 40 px tall.
  const short = await page.$$eval("button, select, input:not([type=file]), .button", (controls) => controls
    .filter((c) => c.getClientRects().length > 0)
    .map((c) => [c.dataset.testid || c.id || c.textContent.trim(), c.getBoundingClientRect().height])
    .filter(([, height]) => height < 40));
  assert.deepEqual(short, []);

  // A finger's stroke on the pad (touch events, as a phone sends them) is classified.
  await page.locator(byTestId("draw-pad")).scrollIntoViewIfNeeded();
  const box = await page.locator(byTestId("draw-pad")).boundingBox();
  const cdp = await context.newCDPSession(page);
  const at = (fx, fy) => [{ x: box.x + box.width * fx, y: box.y + box.height * fy, id: 1 }];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: at(0.5, 0.15) });
  for (let i = 1; i <= 10; i++) {
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: at(0.5, 0.15 + 0.07 * i) });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').hasAttribute("data-class"), null, { timeout: 60_000 });
  assert.ok((await width()) <= 390);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Presses Tab until the element `testId` has the focus (at most `limit` presses). */
async function tabTo(page, testId, limit = 200) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((id) => document.activeElement?.dataset?.testid === id, testId)) {
      // Focus is visible: an outline drawn around it.
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, "none", `${testId} has the focus but shows no outline`);
      return;
    }
    await page.keyboard.press("Tab");
  }
  assert.fail(`${limit} presses of Tab never reached ${testId}`);
}

const state = (page) => page.getAttribute(byTestId("status"), "data-state");

test("the keyboard alone: the sample, a preset, Train, pause, stop, download, save", { timeout: 600_000 }, async () => {
  const { context, page, errors } = await open("?backend=cpu", { viewport: { width: 1366, height: 768 } });
  await tabTo(page, "sample-button");
  await page.keyboard.press("Enter");
  await waitForCounts(page, ...SAMPLE);

  // The preset by arrow keys on its list (and back to the recommended one).
  await tabTo(page, "model-preset");
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.inputValue(byTestId("model-preset")), "alexnet");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.inputValue(byTestId("model-preset")), "default");
  await tabTo(page, "epochs");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("1");

  // Train, pause, resume: one epoch to done.
  await tabTo(page, "train-button");
  await page.keyboard.press("Enter");
  await tabTo(page, "pause-button");
  await page.keyboard.press("Space");
  assert.equal(await state(page), "paused");
  await page.keyboard.press("Space");
  assert.equal(await state(page), "training");
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "done"
    && document.querySelector('[data-testid="active-model"]').dataset.source === "trained", null, { timeout: 300_000 });
  assert.equal(await page.getAttribute(byTestId("metrics"), "data-epoch"), "1");

  await page.waitForSelector('[data-testid="download-predictions"]:not([disabled])');
  await tabTo(page, "download-predictions");
  const [predictions] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  assert.match(predictions.suggestedFilename(), /\.csv$/);
  await tabTo(page, "save-model");
  const [model] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  assert.match(model.suggestedFilename(), /\.atelier$/);

  // A second run, stopped from the keyboard.
  await tabTo(page, "epochs");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("20");
  await tabTo(page, "train-button");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="progress"]').getAttribute("value")) > 0);
  await tabTo(page, "stop-button");
  await page.keyboard.press("Space");
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "done", null, { timeout: 120_000 });
  assert.match(await page.textContent("#speed"), /^Stopped after/);
  assert.deepEqual(errors, []);
  await context.close();
});

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return violations
    .filter((v) => ["serious", "critical"].includes(v.impact))
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core finds no serious violation, idle and trained (${colorScheme} scheme)`, { timeout: 600_000 }, async () => {
    // The page's policy allows only its own scripts: axe is added around it.
    const { context, page, errors } = await open("?backend=cpu",
      { viewport: { width: 1366, height: 768 }, colorScheme, bypassCSP: true });
    // The scheme reaches the page and its charts: the empty loss chart's paper.
    const [pageBackground, chartPaper] = await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid="loss-chart"]');
      const pixel = canvas.getContext("2d").getImageData(2, 2, 1, 1).data;
      return [getComputedStyle(document.documentElement).backgroundColor, [...pixel.slice(0, 3)]];
    });
    const dark = colorScheme === "dark";
    const lightness = (rgb) => rgb.reduce((a, b) => a + b, 0) / 3;
    assert.equal(lightness(chartPaper) < 60, dark, `chart paper ${chartPaper}`);
    assert.equal(lightness(pageBackground.match(/\d+/g).slice(0, 3).map(Number)) < 60, dark, pageBackground);
    assert.deepEqual(await seriousViolations(page), [], "idle");

    await loadSample(page);
    await page.selectOption(byTestId("model-preset"), "baseline");
    await page.fill(byTestId("epochs"), "1");
    await page.click(byTestId("train-button"));
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "done"
      && document.querySelector('[data-testid="active-model"]').dataset.source === "trained", null, { timeout: 300_000 });
    await page.waitForSelector('[data-testid="mistake"]');
    assert.deepEqual(await seriousViolations(page), [], "trained");
    const trainedPaper = await page.evaluate(() =>
      [...document.querySelector('[data-testid="loss-chart"]').getContext("2d").getImageData(2, 2, 1, 1).data.slice(0, 3)]);
    assert.equal(lightness(trainedPaper) < 60, dark, `trained chart paper ${trainedPaper}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
