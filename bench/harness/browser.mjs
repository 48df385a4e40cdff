// Browser benchmark, in one headless Chromium on this machine (WebGPU and WebGL run on
// SwiftShader, a CPU implementation, where there is no GPU):
//   - reading the full 133 MB train.csv: Atelier's page (file picker to counts shown) and
//     papaparse (file picker to its `complete`), each with the longest main-thread task;
//   - `baseline` training images/second: Atelier on WebGPU and on its CPU backend, and the same
//     model in TensorFlow.js on its webgl, webgpu, wasm and cpu backends (its wasm backend has
//     no kernels for a convolution's gradients, so its cpu one is what trains without a GPU);
//     same 4,000 images (the first
//     80% of 5,000), batch 32, 2 epochs, the second epoch's figure (kernels compiled and tuned);
//     ROUNDS rounds, runs interleaved, medians kept;
//   - for every run: the longest main-thread task and the tab's peak memory;
//   - the .wasm sizes, raw and gzip.
// Needs `trunk build --release` (dist/), bench-out/train.csv and bench/peers/node_modules
// (bench/run.sh makes all three). Writes bench-out/browser.json; with ONLY=parse, only the two
// parse runs, to bench-out/browser-parse.json (the full results stay for
// bench/harness/report.py).
//   ROUNDS=2 [ONLY=parse] node bench/harness/browser.mjs
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { LONG_TASK_RECORDER, ROOT, launch, serve } from "../../tests/e2e/support.mjs";
import { atelierReady, readCsv, realTrainCsv, trainPreset } from "./measure.mjs";
import { rendererPeakMb, renderers } from "./memory.mjs";

const OUT = path.join(ROOT, "bench-out");
const ROUNDS = Number(process.env.ROUNDS || 2);
const EPOCHS = 2;
const BATCH = 32;
const fullCsv = path.join(OUT, "train.csv");
const smallCsv = realTrainCsv(5000);

const app = await serve(path.join(ROOT, "dist"));
const peers = await serve(path.join(ROOT, "bench/peers"));
// The test suite's Chromium, plus SwiftShader for WebGL, which TensorFlow.js's webgl backend
// needs on a machine without a GPU.
const browser = await launch(["--enable-unsafe-swiftshader"]);
const results = { date: new Date().toISOString(), chromium: browser.version(), rounds: ROUNDS, epochs: EPOCHS, batch_size: BATCH, runs: [] };
const log = (message) => console.error(`[browser] ${message}`);

/** Opens `url` in a fresh tab, runs `job(page)`, adds the tab's longest task and peak memory. */
async function inTab(url, job) {
  const before = new Set(renderers());
  const page = await browser.newPage();
  page.on("pageerror", (error) => log(`page error: ${error.message}`));
  await page.addInitScript(LONG_TASK_RECORDER);
  await page.goto(url);
  try {
    const result = await job(page);
    result.longest_task_ms = Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
    result.peak_memory_mb = rendererPeakMb(before);
    return result;
  } finally {
    await page.close();
  }
}

const atelierParse = () =>
  inTab(app.url + "?backend=cpu", async (page) => {
    await atelierReady(page);
    await page.evaluate(() => { window.__longTasks = []; });
    return { who: "atelier", what: "parse", seconds: await readCsv(page, fullCsv, 60000) };
  });

const papaparse = () =>
  inTab(peers.url + "index.html", async (page) => {
    await page.evaluate(() => { window.__longTasks = []; });
    const start = Date.now();
    await page.setInputFiles("#file", fullCsv);
    const parsed = await page.evaluate(() => window.papaparse());
    return { who: "papaparse", what: "parse", seconds: (Date.now() - start) / 1000, rows: parsed.rows, seconds_in_page: parsed.seconds };
  });

const atelierTrain = (backend) =>
  inTab(app.url + (backend === "CPU" ? "?backend=cpu" : ""), async (page) => {
    const run = await trainPreset(page, smallCsv, 5000, EPOCHS, BATCH);
    return { who: "atelier", what: `train ${backend}`, adapter: await page.textContent("#adapter"), ...run };
  });

const tfjsTrain = (backend) =>
  inTab(peers.url + "index.html", async (page) => {
    await page.setInputFiles("#file", smallCsv);
    await page.evaluate(() => { window.__longTasks = []; });
    try {
      const run = await page.evaluate(([b, e, s]) => window.trainTfjs(b, e, s), [backend, EPOCHS, BATCH]);
      return { who: "tfjs", what: `train ${backend}`, images_per_second: run.perEpoch.at(-1).images_per_second, ...run };
    } catch (error) {
      return { who: "tfjs", what: `train ${backend}`, images_per_second: null, error: String(error.message || error) };
    }
  });

const jobs = [
  ["Atelier parse", atelierParse],
  ["papaparse", papaparse],
  ["Atelier WebGPU", () => atelierTrain("WebGPU")],
  ["Atelier CPU", () => atelierTrain("CPU")],
  ["TF.js webgl", () => tfjsTrain("webgl")],
  ["TF.js webgpu", () => tfjsTrain("webgpu")],
  ["TF.js wasm", () => tfjsTrain("wasm")],
  ["TF.js cpu", () => tfjsTrain("cpu")],
];
const ONLY = process.env.ONLY;
// One untimed tab of each page first, the page reading train.csv once. The first run after
// Chromium starts, or after this machine has idled a minute, is slower (SwiftShader starting in
// the GPU process, which TF.js's webgl needs here; cold caches), and that one-time cost would
// go to whichever run came first, always the page's parse: 1.2-1.4 s against 0.7-0.8 s in the
// later rounds (BENCHMARKS.md, "The first tab / warm-up").
log("warm-up: one untimed tab of each page ...");
await inTab(app.url + "?backend=cpu", async (page) => (await atelierReady(page), await readCsv(page, fullCsv, 60000), {}));
await inTab(peers.url + "index.html", async () => ({}));
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, job] of jobs.filter(([name]) => !ONLY || name.toLowerCase().includes(ONLY))) {
    log(`round ${round}: ${name} ...`);
    const result = await job();
    result.round = round;
    log(`  ${JSON.stringify({ seconds: result.seconds, images_per_second: result.images_per_second, longest_task_ms: result.longest_task_ms, peak_memory_mb: result.peak_memory_mb, error: result.error })}`);
    results.runs.push(result);
  }
}

results.wasm = {};
for (const file of fs.readdirSync(path.join(ROOT, "dist")).filter((f) => f.endsWith(".wasm"))) {
  const bytes = fs.readFileSync(path.join(ROOT, "dist", file));
  results.wasm[file.replace(/-[0-9a-f]{16}_bg/, "_bg")] = { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
}
results.csv_bytes = fs.statSync(fullCsv).size;
await browser.close();
app.close();
peers.close();
const written = ONLY ? `browser-${ONLY}.json` : "browser.json";
fs.writeFileSync(path.join(OUT, written), JSON.stringify(results, null, 2));
log(`wrote bench-out/${written}`);
