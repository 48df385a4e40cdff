// The browser app in headless Chromium, on WebGPU and on the CPU backend: drop train.csv and
// test.csv, train the notebook's baseline, watch the chart, download and check predictions,
// and see a malformed file rejected without losing what was loaded.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { CSP_RECORDER, LONG_TASK_RECORDER, ROOT, assertCspKept, datasetCounts, canvasPixels, dropFiles, fixtures, launch, serveApp, waitForBackend } from "./support.mjs";

let server;
let browser;
let data;

before(async () => {
  server = await serveApp();
  browser = await launch();
  data = fixtures(2000, 500);
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** The page at `query`, once its engine has chosen `expectedBackend`; `engines` lists the engine
 * WebAssembly files it fetched (`atelier-worker`, or the CPU-only `atelier-worker-cpu`). */
async function open(query, expectedBackend, inBrowser = browser) {
  const context = await inBrowser.newContext({ acceptDownloads: true });
  const engines = [];
  context.on("request", (request) => {
    const engine = /\/(atelier-worker[\w-]*)_bg\.wasm$/.exec(new URL(request.url()).pathname);
    if (engine) engines.push(engine[1]);
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.addInitScript(LONG_TASK_RECORDER);
  await page.addInitScript(CSP_RECORDER);
  await page.goto(server.url + query);
  assert.equal(await waitForBackend(page), expectedBackend);
  return { context, page, errors, engines };
}

for (const [label, query, backend] of [["WebGPU", "", "WebGPU"], ["CPU backend", "?backend=cpu", "CPU"]]) {
  describe(`train in the page on ${label}`, () => {
    test("drop, train baseline for 2 epochs, chart, metrics, predictions, bad file", { timeout: 900_000 }, async () => {
      const { context, page, errors, engines } = await open(query, backend);
      // Only the engine that trains is downloaded: the CPU-only one is a quarter of the size.
      assert.deepEqual(engines, [backend === "WebGPU" ? "atelier-worker" : "atelier-worker-cpu"]);
      // Autotune runs on WebGPU alone, with fewer samples per candidate than cubecl's ten.
      const tuneSamples = await page.getAttribute('[data-testid="kernels"]', "data-tune-samples");
      if (backend === "WebGPU") assert.ok(Number(tuneSamples) >= 1 && Number(tuneSamples) < 10, `tune samples: ${tuneSamples}`);
      else assert.equal(tuneSamples, "");
      // ...and tunes a new kernel shape one per batch, so the first batch does not wait for them.
      const tunePaced = await page.getAttribute('[data-testid="kernels"]', "data-tune-paced");
      assert.equal(tunePaced, backend === "WebGPU" ? "true" : "");
      // ...and on this software adapter measures the simple fallback kernels too.
      const tuneFallbacks = await page.getAttribute('[data-testid="kernels"]', "data-tune-fallbacks");
      assert.equal(tuneFallbacks, backend === "WebGPU" ? "true" : "");

      await dropFiles(page, [data.train, data.test]);
      await page.waitForFunction(() => {
        const s = document.querySelector('[data-testid="dataset-summary"]');
        return s.dataset.trainCount === "2000" && s.dataset.testCount === "500";
      }, null, { timeout: 60_000 });
      assert.equal(await page.textContent('[data-testid="error"]'), "");
      // A software WebGPU adapter (SwiftShader here) trains far slower than the CPU backend:
      // the page says so and how to switch; a real GPU gets no such notice.
      if (backend === "WebGPU") {
        const software = /swiftshader|llvmpipe|lavapipe/i.test(await page.textContent("#adapter"));
        assert.equal(await page.isVisible("#backend-notice"), software);
        if (software) assert.match(await page.textContent("#backend-notice"), /software renderer.*\?backend=cpu/);
      }

      await page.selectOption('[data-testid="model-preset"]', "baseline");
      await page.fill('[data-testid="epochs"]', "2");
      await page.fill('[data-testid="batch-size"]', "32");
      await page.fill('[data-testid="learning-rate"]', "0.001");
      await page.selectOption("#schedule", "constant"); // the notebook's: no decay
      await page.fill('[data-testid="team"]', "Z");
      const blankChart = await canvasPixels(page, "loss-chart");

      await page.evaluate(() => {
        window.__bodyAdditions = 0;
        new MutationObserver((records) => { for (const r of records) window.__bodyAdditions += r.addedNodes.length; })
          .observe(document.body, { childList: true });
      });
      const clicked = Date.now();
      await page.click('[data-testid="train-button"]');
      // Until the first batch, the wait is said and counted (on WebGPU: preparing its kernels).
      assert.match(await page.textContent("#speed"), backend === "WebGPU" ? /^preparing GPU kernels/ : /^starting/);
      await page.waitForFunction(
        () => ["done", "error"].includes(document.querySelector('[data-testid="status"]').dataset.state),
        null, { timeout: 840_000, polling: 500 },
      );
      const wholeRun = Date.now() - clicked;
      assert.equal(await page.getAttribute('[data-testid="status"]', "data-state"), "done",
        await page.textContent('[data-testid="error"]'));

      assert.notEqual(await canvasPixels(page, "loss-chart"), blankChart, "the loss chart was drawn");
      // The charts measure their text on their canvas: plotters' own measure appends a span to
      // the page for each label, a synchronous layout of the whole page every time.
      assert.equal(await page.evaluate(() => window.__bodyAdditions), 0, "nodes added to the page's body while training");
      const metrics = await page.$('[data-testid="metrics"]');
      assert.equal(await metrics.getAttribute("data-epoch"), "2");
      const valAccuracy = Number(await metrics.getAttribute("data-val-accuracy"));
      assert.ok(valAccuracy >= 0.7, `validation accuracy ${valAccuracy}`);
      assert.ok(Number(await metrics.getAttribute("data-train-loss")) > 0);
      assert.ok(Number(await metrics.getAttribute("data-val-loss")) > 0);
      // From the click to the first batch's loss: part of the run, more than nothing.
      const firstBatch = Number(await metrics.getAttribute("data-first-batch-ms"));
      assert.ok(firstBatch > 0 && firstBatch < wholeRun, `first batch after ${firstBatch} ms of ${wholeRun}`);
      assert.equal(Number(await page.getAttribute('[data-testid="progress"]', "value")),
        Number(await page.getAttribute('[data-testid="progress"]', "max")));

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click('[data-testid="download-predictions"]'),
      ]);
      assert.equal(download.suggestedFilename(), "fashion_mnist_pred_teamZ.csv");
      const csv = fs.readFileSync(await download.path(), "utf8");
      assert.ok(!csv.includes("\r"));
      const lines = csv.trimEnd().split("\n");
      assert.equal(lines[0], "Label");
      assert.equal(lines.length, 501);
      const right = lines.slice(1).filter((l, i) => Number(l) === data.testLabels[i]).length;
      assert.ok(right / 500 >= 0.7, `test accuracy ${right / 500}`);

      fs.mkdirSync(path.join(ROOT, "target", "e2e"), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, "target", "e2e", `after-training-${backend}.png`), fullPage: true });
      const longest = Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
      console.log(`${label}: validation accuracy ${valAccuracy}, test accuracy ${right / 500}, longest main-thread task ${longest} ms`);
      assert.ok(longest < 200, `longest main-thread task ${longest} ms`);

      // A malformed CSV: its error names file, line and problem; the data stays.
      const bad = path.join(data.dir, "bad.csv");
      const rows = fs.readFileSync(data.train, "utf8").split("\n").slice(0, 6);
      rows[2] = rows[2].replace(/,(\d+),/, ",abc,");
      fs.writeFileSync(bad, rows.join("\n"));
      await dropFiles(page, [bad]);
      await page.waitForFunction(() => document.querySelector('[data-testid="error"]').textContent !== "");
      const error = await page.textContent('[data-testid="error"]');
      assert.match(error, /^bad\.csv:3:\d+: "abc" is not an integer 0-255$/);
      assert.deepEqual(await datasetCounts(page), [2000, 500]);
      // Loading, training, predicting, downloading: nothing the policy refuses.
      await assertCspKept(page);
      assert.deepEqual(errors, []);
      await context.close();
    });
  });
}

test("the sample button loads the bundled real sample", { timeout: 120_000 }, async () => {
  const { context, page } = await open("?backend=cpu", "CPU");
  await page.click('[data-testid="sample-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === "6000",
    null, { timeout: 60_000 });
  assert.deepEqual(await datasetCounts(page), [6000, 1000]);
  await context.close();
});

test("the file picker takes several files at once", { timeout: 120_000 }, async () => {
  const { context, page } = await open("?backend=cpu", "CPU");
  await page.setInputFiles('[data-testid="file-input"]', [data.test, data.train]);
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]').dataset.testCount === "500",
    null, { timeout: 60_000 });
  assert.deepEqual(await datasetCounts(page), [2000, 500]);
  await context.close();
});

test("a browser whose WebGPU gives no adapter gets the CPU-only engine, and the page says why", { timeout: 180_000 }, async () => {
  const noAdapter = await launch([], { webgpu: false });
  try {
    const { context, page, errors, engines } = await open("", "CPU", noAdapter);
    assert.deepEqual(engines, ["atelier-worker-cpu"]);
    assert.match(await page.textContent("#backend-notice"), /no GPU adapter/);
    await dropFiles(page, [data.train]);
    await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === "2000",
      null, { timeout: 60_000 });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await noAdapter.close();
  }
});
