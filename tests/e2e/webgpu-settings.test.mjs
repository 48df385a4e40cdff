// Every setting trains on WebGPU (SwiftShader here), not only on the CPU backend: each loss,
// optimizer, schedule, layer kind and activation, every augmentation, early stopping, a grid
// search, saving and loading the model, and predictions. A tiny set (400 images), one or two
// epochs a run, all in one page so the engine's compiled kernels carry over between runs.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { dropFiles, fixtures, launch, serveApp, strokeOnPad, trainToDone, waitForBackend, waitForCounts, waitForModel } from "./support.mjs";

let server;
let browser;
let data;

before(async () => {
  server = await serveApp();
  browser = await launch();
  data = fixtures(400, 100);
});

after(async () => {
  await browser?.close();
  server?.close();
});

const byTestId = (id) => `[data-testid="${id}"]`;

/** Every layer kind and every activation, in one stack that builds (28x28 in, 10 out). */
const EVERY_LAYER = [
  { type: "conv2d", filters: 8, kernel: 3, activation: "relu" },
  { type: "batch-norm" },
  { type: "conv2d", filters: 8, kernel: 3, padding: "same", activation: "gelu" },
  { type: "max-pool", size: 2 },
  { type: "conv2d", filters: 8, kernel: 3, stride: 1, activation: "leaky-relu" },
  { type: "avg-pool", size: 2 },
  { type: "dropout", rate: 0.2 },
  { type: "flatten" },
  { type: "dense", units: 32, activation: "sigmoid" },
  { type: "dense", units: 32, activation: "tanh" },
  { type: "dense", units: 32, activation: "elu" },
  { type: "dense", units: 10 },
];

/** Imports the layer stack `layers` through the editor's file picker, written to `name` in the fixtures' folder. */
async function importLayers(page, layers, name) {
  const stack = path.join(data.dir, name);
  fs.writeFileSync(stack, JSON.stringify(layers));
  await page.setInputFiles(byTestId("import-layers"), stack);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="layer-row"]').length === n, layers.length);
  assert.equal(await page.textContent(byTestId("layer-error")), "");
}

/** Sets the form's controls: `{ testId: value }`, checkboxes by true/false, selects by value. */
async function setControls(page, controls) {
  for (const [id, value] of Object.entries(controls)) {
    const selector = byTestId(id);
    const kind = await page.$eval(selector, (el) => (el.tagName === "SELECT" ? "select" : el.type));
    if (kind === "select") await page.selectOption(selector, value);
    else if (kind === "checkbox") await page.setChecked(selector, value);
    else await page.fill(selector, String(value));
  }
}

/** Trains to done and returns the last epoch's metrics; every figure a number. */
async function trainedMetrics(page) {
  await trainToDone(page, 600_000);
  const metrics = await page.$eval(byTestId("metrics"), (m) => ({ ...m.dataset }));
  for (const name of ["trainLoss", "valLoss", "valAccuracy"]) {
    assert.ok(Number.isFinite(Number(metrics[name])) && metrics[name] !== "", `${name}: ${JSON.stringify(metrics)}`);
  }
  return metrics;
}

test("every setting trains on WebGPU: losses, optimizers, schedules, layers, activations, augmentation, early stopping, grid search, save and load, predictions", { timeout: 1_800_000 }, async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.url);
  await waitForBackend(page, "WebGPU");
  await waitForModel(page);
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 400, 100);

  // 1. Every layer kind and activation; mean squared error, SGD with momentum, step decay,
  //    every augmentation, early stopping.
  await importLayers(page, EVERY_LAYER, "every-layer.json");
  await setControls(page, {
    loss: "mse", optimizer: "sgd", momentum: 0.9, schedule: "step", "learning-rate": 0.05, "batch-size": 32, epochs: 2,
    "augment-translate-on": true, "augment-flip": true, "augment-erase-on": true,
    "early-stopping-on": true, "early-stopping": 1,
  });
  const first = await trainedMetrics(page);
  assert.equal(first.epoch, "2", JSON.stringify(first));

  // 2. AdamW, cross-entropy, constant rate; 3. RMSprop, cosine decay; on the notebook's baseline.
  await page.selectOption(byTestId("model-preset"), "baseline");
  await setControls(page, {
    "augment-translate-on": false, "augment-flip": false, "augment-erase-on": false, "early-stopping-on": false,
    epochs: 1, "batch-size": 32,
  });
  for (const [optimizer, schedule, rate] of [["adamw", "constant", 0.001], ["rmsprop", "cosine", 0.001]]) {
    await setControls(page, { loss: "cross-entropy", optimizer, schedule, "learning-rate": rate, "weight-decay": 0.0001 });
    const metrics = await trainedMetrics(page);
    // Ten batches: it learned when it beats chance (0.1) by three standard deviations on 80
    // validation images (how far each optimizer gets is the native tests' question).
    assert.ok(Number(metrics.valAccuracy) > 0.2, `${optimizer}: ${JSON.stringify(metrics)}`);
  }

  // Predictions for the test set, downloaded.
  await page.waitForSelector(`${byTestId("download-predictions")}:not([disabled])`);
  const [predictions] = await Promise.all([page.waitForEvent("download"), page.click(byTestId("download-predictions"))]);
  const rows = fs.readFileSync(await predictions.path(), "utf8").trim().split("\n");
  assert.equal(rows.length, 101, "a header and one row per test image");

  // Save the model, then load it back from its file: it becomes the active model and predicts.
  const [saved] = await Promise.all([page.waitForEvent("download"), page.click(byTestId("save-model"))]);
  const modelFile = path.join(data.dir, saved.suggestedFilename());
  await saved.saveAs(modelFile);
  await dropFiles(page, [modelFile]);
  await waitForModel(page, "file");
  await strokeOnPad(page, [0.5, 0.15], [0.5, 0.85]);

  // A grid search over two rates.
  await setControls(page, { "grid-rates": "0.01, 0.001", "grid-subset": 200, "grid-epochs": 1 });
  await page.click(byTestId("grid-button"));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-row"]').length === 2
    && ["done", "idle"].includes(document.querySelector('[data-testid="status"]').dataset.state), null, { timeout: 600_000 });
  const trials = await page.$$eval('[data-testid="grid-row"]', (rows) => rows.map((r) => Number(r.dataset.valAccuracy)));
  assert.ok(trials.every((a) => a >= 0 && a <= 1), JSON.stringify(trials));

  assert.equal(await page.textContent(byTestId("error")), "");
  assert.deepEqual(errors, []);
  await context.close();
});

test("WebGPU kernels are prepared once the user chooses settings with data loaded, again when the settings change them, and Train starts on them", { timeout: 900_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.url);
  await waitForBackend(page, "WebGPU");
  const kernels = () => page.getAttribute(byTestId("kernels"), "data-state");
  await page.selectOption(byTestId("model-preset"), "alexnet");
  await page.waitForTimeout(1500);
  assert.equal(await kernels(), "none", "nothing to prepare before there is data");
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 400, 100);
  // Loading alone prepares nothing (the drawing pad would wait behind it).
  await page.waitForTimeout(1500);
  assert.equal(await kernels(), "none");
  // A preset chosen with data loaded: the engine rehearses its run on a few images, and says so.
  await page.selectOption(byTestId("model-preset"), "baseline");
  await page.waitForFunction(() => document.querySelector('[data-testid="kernels"]').dataset.state === "preparing", null, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="kernels"]').dataset.state === "ready", null, { timeout: 600_000 });
  assert.match(await page.textContent(byTestId("kernels")), /^GPU kernels ready for these settings \(prepared in \d+\.\d s\)\.$/);
  // A new rate runs the same kernels: nothing to prepare. A new batch size does not.
  await page.fill(byTestId("learning-rate"), "0.002");
  await page.waitForTimeout(1500);
  assert.equal(await kernels(), "ready");
  await page.fill(byTestId("batch-size"), "16");
  await page.waitForFunction(() => document.querySelector('[data-testid="kernels"]').dataset.state === "preparing", null, { timeout: 30_000 });
  // Train while they are prepared: the preparation gives way, the run goes to the end.
  await page.fill(byTestId("epochs"), "1");
  await trainToDone(page, 600_000);
  assert.ok(Number(await page.getAttribute(byTestId("metrics"), "data-first-batch-ms")) > 0);
  assert.notEqual(await kernels(), "preparing");
  assert.equal(await page.textContent(byTestId("error")), "");
  assert.deepEqual(errors, []);
  await page.close();
});

/**
 * A page in `context` that opens (or reloads) the app at `query` and trains `baseline` (or the
 * stack `layers`) for one epoch on the tiny set; each visit returns the kernel choices the
 * engine found kept.
 */
async function visitor(context) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // Every text the speed line shows, kept for the tests to read after the run.
  await page.addInitScript(() => {
    window.__speedTexts = [];
    document.addEventListener("DOMContentLoaded", () => {
      const speed = document.getElementById("speed");
      new MutationObserver(() => window.__speedTexts.push(speed.textContent))
        .observe(speed, { childList: true, characterData: true, subtree: true });
    });
  });
  const speedTexts = () => page.evaluate(() => window.__speedTexts);
  const kernelsAttribute = (name) => page.getAttribute(byTestId("kernels"), name);
  const visit = async (query, layers) => {
    await page.goto(`${server.url}${query}`);
    await waitForBackend(page, "WebGPU");
    const kept = Number(await kernelsAttribute("data-tuning-kept"));
    await dropFiles(page, [data.train, data.test]);
    await waitForCounts(page, 400, 100);
    if (layers) {
      await importLayers(page, layers, "stack.json");
    } else {
      await page.selectOption(byTestId("model-preset"), "baseline");
    }
    await page.fill(byTestId("epochs"), "1");
    await trainToDone(page, 600_000);
    assert.equal(await page.textContent(byTestId("error")), "");
    return kept;
  };
  return { page, errors, visit, kernelsAttribute, speedTexts };
}

test("WebGPU kernel tuning is kept across page loads: the second visit says so and tunes nothing the first one tuned", { timeout: 900_000 }, async () => {
  const context = await browser.newContext();
  const { page, errors, visit, kernelsAttribute } = await visitor(context);
  // Unpaced (`?tune-paced=0`), each visit tunes every shape it meets before the batch goes on,
  // so the first visit leaves nothing of the run untuned. It tunes with a single sample per
  // candidate (`?tune-samples`, the fewest), and trains on its choices.
  // It measures only each shape's first-priority candidates (`?tune-fallbacks=0`, cubecl's own
  // way; on this software adapter the fallbacks are measured too by default).
  assert.equal(await visit("?tune-samples=1&tune-paced=0&tune-fallbacks=0"), 0, "a fresh profile has nothing kept");
  assert.equal(await kernelsAttribute("data-tune-samples"), "1");
  assert.equal(await kernelsAttribute("data-tune-paced"), "false");
  assert.equal(await kernelsAttribute("data-tune-fallbacks"), "false");
  const kept = await visit("?tune-samples=99&tune-paced=0");
  assert.ok(kept > 0, `the first visit's tuning was kept: ${kept}`);
  assert.equal(await kernelsAttribute("data-tune-samples"), "10", "a count past cubecl's own is held to it");
  // The same run again tuned no new kernel: a third visit finds exactly as many choices.
  await page.goto(server.url);
  await waitForBackend(page, "WebGPU");
  assert.equal(Number(await kernelsAttribute("data-tuning-kept")), kept);
  assert.equal(await page.textContent(byTestId("kernels")), `${kept} GPU kernel choices kept from an earlier visit: the first batch comes sooner.`);
  assert.equal(await page.textContent(byTestId("error")), "");
  assert.deepEqual(errors, []);
  await context.close();
});

test("WebGPU tuning is paced by default: a run tunes new kernel shapes between its batches, and leaves the rest for later", { timeout: 900_000 }, async () => {
  const context = await browser.newContext();
  const { errors, visit, kernelsAttribute, speedTexts } = await visitor(context);
  assert.equal(await visit(""), 0, "a fresh profile has nothing kept");
  assert.equal(await kernelsAttribute("data-tune-paced"), "true");
  // The speed line said so while kernels waited.
  const said = (await speedTexts()).filter((text) => /, tuning GPU kernels \(\d+ to go\)$/.test(text));
  assert.ok(said.length > 0, `the speed line named the kernels left to tune: ${JSON.stringify(await speedTexts())}`);
  // The paced run (a handful of batches, one tuning after each) tuned some of its shapes and
  // ran the others untuned: the same run unpaced finds some kept and tunes the rest.
  const pacedKept = await visit("?tune-paced=0");
  assert.ok(pacedKept > 0, `the paced run tuned shapes between its batches: ${pacedKept}`);
  const allKept = await visit("");
  assert.ok(allKept > pacedKept, `the paced run left shapes untuned: ${pacedKept} kept, ${allKept} after a run unpaced`);
  assert.deepEqual(errors, []);
  await context.close();
});

/**
 * Convolutions of every shape the own kernels treat apart: one input channel (the filters'
 * gradient split over the images), an even kernel with `same` padding (one more row below than
 * above), filter counts that 8 does not divide, and a `valid` layer after others (its input's
 * gradient padded by the kernel's size less one); and dense layers.
 */
const CONVOLUTIONS = [
  { type: "conv2d", filters: 8, kernel: 3, activation: "relu" },
  { type: "conv2d", filters: 12, kernel: 4, padding: "same", activation: "relu" },
  { type: "batch-norm" },
  { type: "max-pool", size: 2 },
  { type: "conv2d", filters: 5, kernel: 3, activation: "relu" },
  { type: "flatten" },
  { type: "dense", units: 16, activation: "relu" },
  { type: "dense", units: 10 },
];

test("WebGPU's own kernels (the dense layers' products, the convolutions and their gradients) train as Burn's do: on by default on this software adapter, the same losses after an epoch", { timeout: 900_000 }, async (t) => {
  const context = await browser.newContext();
  const { page, errors, visit, kernelsAttribute } = await visitor(context);
  const losses = async () => {
    const metrics = await page.$eval(byTestId("metrics"), (m) => ({ ...m.dataset }));
    return [Number(metrics.trainLoss), Number(metrics.valLoss)];
  };
  await visit("", CONVOLUTIONS);
  assert.equal(await kernelsAttribute("data-own-kernels"), "true");
  const own = await losses();
  await visit("?own-kernels=0", CONVOLUTIONS);
  assert.equal(await kernelsAttribute("data-own-kernels"), "false");
  const burns = await losses();
  // The same seed, data and steps: only the order of the kernels' sums differs, so the losses
  // agree to rounding (about 1e-7 apart). A wrong output or gradient moves them by far more:
  // ten batches of Adam from the same start. The input's gradient with the filters not flipped
  // moved the training loss by 1.5e-3, the filters' gradient with its taps transposed by 7e-3.
  t.diagnostic(`losses with the own kernels ${own.join(", ")}; with Burn's ${burns.join(", ")}`);
  for (const [i, name] of ["training", "validation"].entries()) {
    assert.ok(Number.isFinite(own[i]) && Math.abs(own[i] - burns[i]) <= 1e-4 * burns[i],
      `${name} loss: ${own[i]} with the own kernel, ${burns[i]} with Burn's`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});
