// Every run kept and compared (the Runs panel): runs with different learning rates and layer
// stacks in the table with their accuracies, two of them overlaid and diffed, one restored
// (settings, layers and the very model: the same picture gets the same probabilities), kept
// across a reload, exported and imported into a fresh profile, a stopped run kept as stopped;
// two tabs training at once; the storage rule when space runs short.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { atelier, dropFiles, fixtures, launch, serveApp, trainToDone, waitForCounts, waitForModel } from "./support.mjs";

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

const byTestId = (id) => `[data-testid="${id}"]`;

/** A page of `context` at `query`, its engine ready (its model from `source`) and the fixtures loaded. */
async function open(context, query, source = "pretrained") {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.url + query);
  await waitForModel(page, source);
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 300, 50);
  return { page, errors };
}

/** The runs table as the page shows it: one entry per row, in the table's order. */
function table(page) {
  return page.$$eval('[data-testid="run-row"]', (rows) => rows.map((row) => ({
    id: row.dataset.runId,
    state: row.dataset.state,
    model: row.dataset.model,
    accuracy: row.dataset.valAccuracy,
    name: row.querySelector('[data-testid="run-name"]').value,
  })));
}

/**
 * Waits until the table has `count` rows, none of them running, and (when given) `models` of
 * them with their model kept (a run's model joins its record just after the run ends).
 */
function waitForRows(page, count, models) {
  return page.waitForFunction(([n, m]) => {
    const rows = [...document.querySelectorAll('[data-testid="run-row"]')];
    return rows.length === n && rows.every((r) => r.dataset.state !== "running")
      && (m === null || rows.filter((r) => r.dataset.model === "kept").length === m);
  }, [count, models ?? null], { timeout: 120_000 });
}

async function settings(page, { rate, epochs = 1, units }) {
  await page.fill(byTestId("learning-rate"), String(rate));
  await page.fill(byTestId("epochs"), String(epochs));
  await page.fill(byTestId("batch-size"), "60");
  if (units !== undefined) {
    await page.fill('[data-testid="layer-row"][data-index="2"] [data-field="units"]', String(units));
  }
}

/** The validation accuracy the page showed for the run just trained. */
const shownAccuracy = (page) => page.getAttribute(byTestId("metrics"), "data-val-accuracy");

/**
 * The probabilities the active model gives one fixed picture (a dark garment-like shape on
 * light paper, dropped on the drawing pad as a PNG): the same image whatever the page's layout.
 */
async function classifyPicture(page) {
  await page.evaluate(() => document.querySelector('[data-testid="prediction"]').removeAttribute("data-class"));
  const transfer = await page.evaluateHandle(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 120;
    canvas.height = 120;
    const context = canvas.getContext("2d");
    context.fillStyle = "rgb(230, 230, 230)";
    context.fillRect(0, 0, 120, 120);
    context.fillStyle = "rgb(40, 40, 40)";
    context.fillRect(35, 10, 50, 30);
    context.fillRect(35, 40, 20, 70);
    context.fillRect(65, 40, 20, 70);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const dt = new DataTransfer();
    dt.items.add(new File([blob], "picture.png", { type: "image/png" }));
    return dt;
  });
  for (const type of ["dragenter", "dragover", "drop"]) {
    await page.dispatchEvent(byTestId("draw-pad"), type, { dataTransfer: transfer });
  }
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').hasAttribute("data-class"),
    null, { timeout: 120_000 });
  return JSON.parse(await page.getAttribute(byTestId("prediction"), "data-probs"));
}

/** The rows of the settings diff: their settings' names. */
const diffSettings = (page) => page.$$eval('[data-testid="runs-diff-row"]', (rows) => rows.map((r) => r.dataset.setting));

async function tick(page, id, on = true) {
  const box = page.locator(`[data-testid="run-row"][data-run-id="${id}"] [data-testid="run-select"]`);
  if (on) await box.check();
  else await box.uncheck();
}

test("runs on WebGPU: kept with their accuracies, compared, restored, kept across a reload, exported and imported, a stopped one kept as stopped", { timeout: 1_500_000 }, async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const { page, errors } = await open(context, "");
  assert.equal(await page.textContent(byTestId("backend")), "WebGPU");
  await page.selectOption(byTestId("model-preset"), "baseline");

  // Run 1: the baseline at 0.001; a drawing classified with its model.
  await settings(page, { rate: 0.001 });
  await trainToDone(page, 900_000);
  const accuracies = [await shownAccuracy(page)];
  const drawn = await classifyPicture(page);
  // Run 2: another learning rate; run 3: another layer stack (the hidden layer's units).
  await settings(page, { rate: 0.01 });
  await trainToDone(page, 600_000);
  accuracies.push(await shownAccuracy(page));
  await settings(page, { rate: 0.01, units: 32 });
  await trainToDone(page, 900_000);
  accuracies.push(await shownAccuracy(page));

  await waitForRows(page, 3, 3);
  const rows = await table(page);
  // Newest first, each with the accuracy its run showed, done, its model kept.
  assert.deepEqual(rows.map((r) => Number(r.accuracy)), accuracies.reverse().map(Number));
  assert.ok(rows.every((r) => r.state === "done" && r.model === "kept"), JSON.stringify(rows));
  const [third, second, first] = rows.map((r) => r.id);
  assert.match(await page.textContent(byTestId("storage-meter")), /^3 runs \(3 with their model\) take/);
  assert.equal(await page.getAttribute(byTestId("runs-chart"), "data-series"), "0");

  // Two runs ticked: two series overlaid; the diff names the learning rate alone. With the
  // third, the layers differ too.
  await tick(page, first);
  await tick(page, second);
  assert.equal(await page.getAttribute(byTestId("runs-chart"), "data-series"), "2");
  assert.deepEqual(await diffSettings(page), ["learning rate"]);
  assert.match(await page.getAttribute(byTestId("runs-chart"), "aria-label"), /epoch 1: training loss/);
  await tick(page, third);
  assert.deepEqual(await diffSettings(page), ["layers", "learning rate"]);
  await tick(page, third, false);
  // The chart as pictures, ready for a report.
  const [png] = await Promise.all([page.waitForEvent("download"), page.click(byTestId("download-runs-chart-png"))]);
  assert.equal(png.suggestedFilename(), "atelier-runs.png");
  assert.deepEqual([...fs.readFileSync(await png.path()).subarray(1, 4)], [...Buffer.from("PNG")]);
  const [svg] = await Promise.all([page.waitForEvent("download"), page.click(byTestId("download-runs-chart-svg"))]);
  const svgText = fs.readFileSync(await svg.path(), "utf8");
  assert.ok(svgText.startsWith("<svg") && svgText.includes(rows[2].name) && svgText.includes(rows[1].name));

  // A name of the user's own.
  const name = page.locator(`[data-testid="run-row"][data-run-id="${first}"] [data-testid="run-name"]`);
  await name.fill("slow and steady");
  await name.press("Enter");
  await name.blur();
  await page.waitForFunction((id) => document.querySelector(`[data-run-id="${id}"] [data-testid="run-name"]`).value === "slow and steady"
    && document.activeElement?.dataset?.testid !== "run-name", first);

  // Restore run 1: its rate and its layers in the form, its model active: the same picture,
  // the same probabilities.
  await page.click(`[data-testid="run-row"][data-run-id="${first}"] [data-testid="run-restore"]`);
  await waitForModel(page, "run");
  assert.equal(await page.inputValue(byTestId("learning-rate")), "0.001");
  assert.equal(await page.inputValue('[data-testid="layer-row"][data-index="2"] [data-field="units"]'), "64");
  assert.equal(await page.inputValue(byTestId("model-preset")), "baseline");
  assert.match(await page.textContent(byTestId("active-model")), /^run slow and steady/);
  const again = await classifyPicture(page);
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(again[i] - drawn[i]) < 1e-6, `${again} vs ${drawn}`);

  // A reload keeps them all, names included.
  await page.reload();
  await waitForModel(page, "restored");
  await waitForRows(page, 3, 3);
  const reloaded = await table(page);
  assert.deepEqual(reloaded.map((r) => r.id), [third, second, first]);
  assert.equal(reloaded[2].name, "slow and steady");

  // Export all (none ticked), import into a fresh profile: the same table.
  const [exported] = await Promise.all([page.waitForEvent("download"), page.click(byTestId("export-runs"))]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "atelier-runs-")), exported.suggestedFilename());
  fs.writeFileSync(file, fs.readFileSync(await exported.path()));
  assert.equal(fs.readFileSync(file).subarray(0, 13).toString(), "ATELIER-RUNS\n");
  const fresh = await browser.newContext();
  const elsewhere = await fresh.newPage();
  await elsewhere.goto(server.url);
  await waitForModel(elsewhere);
  await waitForRows(elsewhere, 0);
  await elsewhere.setInputFiles(byTestId("import-runs"), file);
  await waitForRows(elsewhere, 3, 3);
  assert.deepEqual(await table(elsewhere), reloaded);
  assert.match(await elsewhere.textContent(byTestId("runs-notice")), /^Imported 3 runs from atelier-runs\.atelier-runs\./);
  // An imported run's model is restored there too.
  await elsewhere.click(`[data-testid="run-row"][data-run-id="${second}"] [data-testid="run-restore"]`);
  await waitForModel(elsewhere, "run");
  await fresh.close();

  // A run stopped midway is kept as stopped, with the epoch it finished.
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 300, 50);
  await settings(page, { rate: 0.001, epochs: 30 });
  await page.click(byTestId("train-button"));
  await page.waitForFunction(() => document.querySelector('[data-testid="metrics"]').dataset.epoch === "1", null, { timeout: 600_000 });
  await page.click(byTestId("stop-button"));
  await waitForRows(page, 4);
  const stopped = (await table(page))[0];
  assert.equal(stopped.state, "stopped");
  const [, done] = (await page.textContent(`[data-testid="run-row"][data-run-id="${stopped.id}"]`)).match(/(\d+) of 30 epochs/);
  assert.ok(Number(done) >= 1 && Number(done) < 30, done);
  assert.deepEqual(errors, []);
  await context.close();
});

test("two tabs training at once each keep their own run, and neither loses the other's", { timeout: 600_000 }, async () => {
  const context = await browser.newContext();
  const tabs = [await open(context, "?backend=cpu"), await open(context, "?backend=cpu")];
  for (const [index, { page }] of tabs.entries()) {
    // Runs of several seconds each, so that they overlap however the two clicks land.
    await settings(page, { rate: index ? 0.002 : 0.001, epochs: 12 });
  }
  await Promise.all(tabs.map(({ page }) => page.click(byTestId("train-button"))));
  for (const { page } of tabs) {
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "done", null, { timeout: 300_000 });
  }
  for (const { page, errors } of tabs) {
    await waitForRows(page, 2, 2);
    const rows = await table(page);
    assert.equal(new Set(rows.map((r) => r.id)).size, 2);
    assert.ok(rows.every((r) => r.state === "done" && r.model === "kept" && Number(r.accuracy) > 0), JSON.stringify(rows));
    assert.deepEqual(errors, []);
  }
  // Each run has all its epochs, and the two ran at the same time.
  const text = await tabs[0].page.textContent(byTestId("runs-table"));
  assert.equal(text.match(/12 of 12 epochs/g).length, 2);
  const spans = await tabs[1].page.evaluate(async () => (await self.atelierRuns.records())
    .map((r) => JSON.parse(r.json)).map((r) => [r.started_at, r.started_at + r.seconds * 1000]));
  assert.ok(spans[0][0] < spans[1][1] && spans[1][0] < spans[0][1], `the runs did not overlap: ${JSON.stringify(spans)}`);
  await context.close();
});

test("a run left by a closed tab is settled as failed with its epochs; a run that ended meanwhile is left as it ended", { timeout: 600_000 }, async () => {
  const context = await browser.newContext();
  const left = await open(context, "?backend=cpu");
  await settings(left.page, { rate: 0.001, epochs: 200 });
  await left.page.click(byTestId("train-button"));
  await left.page.waitForFunction(() => Number(document.querySelector('[data-testid="metrics"]').dataset.epoch) >= 2, null, { timeout: 300_000 });
  await left.page.close();
  const { page, errors } = await open(context, "?backend=cpu", "restored");
  await page.waitForFunction(() => document.querySelector('[data-testid="run-row"]')?.dataset.state === "failed");
  const [row] = await table(page);
  const [, done] = (await page.textContent(`[data-testid="run-row"][data-run-id="${row.id}"]`)).match(/(\d+) of 200 epochs/);
  // The epoch shown last may not be written yet when the tab goes; the one before it is.
  assert.ok(Number(done) >= 1 && Number(done) < 200, done);

  // A page settles a record it read as running only if it still is: a run that has ended since
  // keeps its end (the store's check, on a copy of that record made to look running, then done).
  const states = await page.evaluate(async (id) => {
    const [kept] = (await self.atelierRuns.records()).filter((r) => r.id === id);
    const as = (state) => kept.json.replace(/"state":"failed"/, `"state":"${state}"`).replace(`"${id}"`, '"copy"');
    const state = async () => JSON.parse((await self.atelierRuns.records()).find((r) => r.id === "copy").json).state;
    await self.atelierRuns.putRun("copy", as("running"), "copy", null, []);
    await self.atelierRuns.settle("copy", as("failed"));
    const settled = await state();
    await self.atelierRuns.putRun("copy", as("done"), "copy", null, []);
    await self.atelierRuns.settle("copy", as("failed"));
    return [settled, await state()];
  }, row.id);
  assert.deepEqual(states, ["failed", "done"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("storage short: the oldest models make room, the records stay whole, and the page says so", { timeout: 600_000 }, async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context, "?backend=cpu");
  await settings(page, { rate: 0.001 });
  await trainToDone(page);
  await waitForRows(page, 1, 1);
  const one = Number(await page.getAttribute(byTestId("storage-meter"), "data-used-bytes"));
  // Room for two and a half runs (of the quota's usable nine tenths): the third run's model
  // makes the first's go.
  const quota = Math.floor((one * 2.5) / 0.9);
  await page.goto(`${server.url}?backend=cpu&storage-quota=${quota}`);
  await waitForModel(page, "restored");
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 300, 50);
  assert.equal(await page.getAttribute(byTestId("storage-meter"), "data-quota-bytes"), String(quota));
  for (const rate of [0.002, 0.003]) {
    await settings(page, { rate });
    await trainToDone(page);
  }
  await waitForRows(page, 3, 2);
  await page.waitForFunction(() => document.querySelector('[data-testid="runs-notice"]').dataset.dropped === "1");
  assert.match(await page.textContent(byTestId("runs-notice")), /Storage is short: to keep .*'s model, the models of 1 older run were dropped \(.*\); their records stay\./);
  let rows = await table(page);
  assert.deepEqual(rows.map((r) => r.model), ["kept", "kept", "dropped"]);
  assert.ok(rows.every((r) => r.state === "done" && Number(r.accuracy) > 0));

  // No record is half-written: each one parses whole, with its epoch, and its model is there
  // exactly when its row says so.
  const stored = await page.evaluate(async () => {
    const records = await self.atelierRuns.records();
    return Promise.all(records.map(async (r) => {
      const record = JSON.parse(r.json);
      return { id: r.id, epochs: record.history.epochs.length, model: (await self.atelierRuns.model(r.id))?.length ?? 0, bytes: record.model_bytes, dropped: record.model_dropped };
    }));
  });
  assert.equal(stored.length, 3);
  for (const run of stored) {
    const row = rows.find((r) => r.id === run.id);
    assert.equal(run.epochs, 1);
    assert.equal(run.model > 0, row.model === "kept", JSON.stringify(run));
    if (row.model === "kept") assert.equal(run.model, run.bytes);
  }
  // The dropped run restores its settings, says its model is gone, and keeps the active model.
  await page.click(`[data-testid="run-row"][data-run-id="${rows[2].id}"] [data-testid="run-restore"]`);
  assert.match(await page.textContent(byTestId("runs-notice")), /its model is not kept/);
  assert.equal(await page.inputValue(byTestId("learning-rate")), "0.001");

  // A quota too small for any model: the run's record is kept without it, and said.
  await page.goto(`${server.url}?backend=cpu&storage-quota=1000`);
  await waitForModel(page, "restored");
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 300, 50);
  await settings(page, { rate: 0.004 });
  await trainToDone(page);
  await page.waitForFunction(() => /does not fit/.test(document.querySelector('[data-testid="runs-notice"]').textContent));
  await waitForRows(page, 4, 2);
  rows = await table(page);
  assert.equal(rows[0].model, "none");
  assert.equal(rows[0].state, "done");
  assert.deepEqual(rows.slice(1).map((r) => r.model), ["kept", "kept", "dropped"]);
  assert.match(await page.textContent(byTestId("runs-notice")), /its model is not kept: its model \(.* MB\) does not fit/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("two runs ending together apply the storage rule one after the other: the second counts the first's model and makes room", { timeout: 900_000 }, async () => {
  const context = await browser.newContext();
  const first = await open(context, "?backend=cpu");
  await settings(first.page, { rate: 0.001, epochs: 12 });
  await trainToDone(first.page);
  await waitForRows(first.page, 1, 1);
  const one = Number(await first.page.getAttribute(byTestId("storage-meter"), "data-used-bytes"));
  await first.page.close();
  // Room for two and a half runs: the run that ends second must drop the first run's model.
  const quota = Math.floor((one * 2.5) / 0.9);
  // A slow disk: the write of a run's model waits a second and a half before it starts, so that
  // the two runs' ends overlap however the clicks land.
  context.on("page", (page) => page.on("worker", (worker) => worker.evaluate(() => {
    const slowed = setInterval(() => {
      if (!self.atelierRuns) return;
      clearInterval(slowed);
      const putRun = self.atelierRuns.putRun;
      self.atelierRuns.putRun = (id, json, name, model, drops) => model
        ? new Promise((wait) => setTimeout(wait, 1500)).then(() => putRun(id, json, name, model, drops))
        : putRun(id, json, name, model, drops);
    }, 1);
  }).catch(() => {})));
  const tabs = [];
  for (let i = 0; i < 2; i++) tabs.push(await open(context, `?backend=cpu&storage-quota=${quota}`, "restored"));
  for (const [index, { page }] of tabs.entries()) {
    await settings(page, { rate: index ? 0.003 : 0.002, epochs: 12 });
  }
  await Promise.all(tabs.map(({ page }) => trainToDone(page)));
  // Had both ends counted the room as it was before either, all three models would be kept.
  await waitForRows(tabs[0].page, 3, 2);
  const rows = await table(tabs[0].page);
  assert.deepEqual(rows.map((r) => r.model), ["kept", "kept", "dropped"], JSON.stringify(rows));
  for (const { errors } of tabs) assert.deepEqual(errors, []);
  await context.close();
});

test("a run trained by the command line, dropped on the page, joins the table, restores, and is deleted for good", { timeout: 600_000 }, async () => {
  const record = path.join(data.dir, "native.atelier-runs");
  atelier(["train", "--train", data.train, "--model", "baseline", "--epochs", "2", "--learning-rate", "0.002", "--run-record", record]);
  const bytes = fs.readFileSync(record);
  const header = JSON.parse(bytes.subarray(21, 21 + bytes.readUInt32LE(17)).toString());
  const [native] = header.runs;
  const context = await browser.newContext();
  const { page, errors } = await open(context, "?backend=cpu");
  await dropFiles(page, [record]);
  await waitForRows(page, 1, 1);
  const [row] = await table(page);
  assert.equal(row.id, native.id);
  assert.equal(Number(row.accuracy), native.validation.accuracy);
  const text = await page.textContent(`[data-testid="run-row"][data-run-id="${row.id}"]`);
  assert.match(text, /command line, CPU/);
  assert.match(text, /2 of 2 epochs/);
  await page.click(`[data-testid="run-row"][data-run-id="${row.id}"] [data-testid="run-restore"]`);
  await waitForModel(page, "run");
  assert.equal(await page.inputValue(byTestId("learning-rate")), "0.002");
  assert.equal(await page.inputValue(byTestId("epochs")), "2");
  await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]').dataset.epochs === "2");

  await page.click(`[data-testid="run-row"][data-run-id="${row.id}"] [data-testid="run-delete"]`);
  await waitForRows(page, 0);
  await page.reload();
  await waitForModel(page, "restored");
  await page.waitForFunction(() => /^0 runs/.test(document.querySelector('[data-testid="storage-meter"]').textContent));
  assert.equal((await table(page)).length, 0);
  assert.deepEqual(errors, []);
  await context.close();
});
