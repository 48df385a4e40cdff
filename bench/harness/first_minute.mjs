// The first minute as a user meets it, on WebGPU and on the CPU backend, for `baseline` and
// `default`:
//   (a) from opening the page to the engine being ready (its backend named);
//   (b) from clicking Train to the first batch's loss (the page's own `data-first-batch-ms`),
//       cold (Train clicked as soon as the data is loaded and the preset chosen) and warm (the
//       page open 30 s more, its kernels prepared meanwhile: `kernels` data-state);
//   (c) the first epoch's seconds (Train to the first epoch's metrics);
//   (d) the later epochs' images/second (the page's figure for the last epoch);
// each on a fresh profile, and (a) and (b) again on a second load in the same profile (where the
// WebGPU engine finds the first load's kernel tuning kept: `kernels` data-tuning-kept).
// Every run also keeps the longest main-thread task.
//
//   node bench/harness/first_minute.mjs [--browser PATH] [--gpu-flags "FLAGS"] [--images N]
//        [--epochs N] [--presets baseline,default] [--backends WebGPU,CPU] [--warm-seconds S]
//        [--starts cold,warm] [--tune-samples 10,3] [--tune-paced 1,0] [--own-kernels 1,0]
//        [--loads first,second] [--query "NAME=VALUE&..."]
//
// --browser runs another Chromium-family browser (a real GPU's Chrome); --gpu-flags replaces the
// WebGPU flags (default: NOTES.md's, which give SwiftShader here). --tune-samples runs each
// WebGPU start once per count of autotune's samples per candidate kernel (`?tune-samples=N`;
// default: the engine's own count), side by side, and --tune-paced once per choice of paced
// tuning (`?tune-paced=0|1`; default: the engine's own), and --own-kernels once per choice of
// the engine's own kernels (`?own-kernels=0|1`); --query adds more of the page's address (as
// `tune-fallbacks=0`) to every run; --loads first leaves out the second
// loads. With paced tuning the first epochs also tune: --epochs sets how many run before the
// last, whose images/s is (d).
// Needs `trunk build --release` (dist/; ATELIER_DIST picks another build) and the release command
// line (for the CSV). Writes bench-out/first-minute.json and prints a table.
import fs from "node:fs";
import path from "node:path";
import { DIST, LONG_TASK_RECORDER, ROOT, serve, waitForBackend } from "../../tests/e2e/support.mjs";
import { browserOptions, freshProfile, option, realTrainCsv } from "./measure.mjs";

const { browser: BROWSER, gpuFlags: GPU_FLAGS } = browserOptions();
const IMAGES = Number(option("images", 1000));
const EPOCHS = Number(option("epochs", 2));
const PRESETS = option("presets", "baseline,default").split(",");
const BACKENDS = option("backends", "WebGPU,CPU").split(",");
const WARM_SECONDS = Number(option("warm-seconds", 30));
const STARTS = option("starts", "cold,warm").split(",");
const TUNE_SAMPLES = option("tune-samples", "").split(",");
const TUNE_PACED = option("tune-paced", "").split(",");
const OWN_KERNELS = option("own-kernels", "").split(",");
const QUERY = new URLSearchParams(option("query", ""));
const LOADS = option("loads", "first,second").split(",");
const log = (message) => console.error(`[first-minute] ${message}`);

const app = await serve(DIST);
const csv = realTrainCsv(IMAGES);
const byTestId = (id) => `[data-testid="${id}"]`;

const profile = () => freshProfile(BROWSER, GPU_FLAGS);

/** Opens the page; resolves to it and (a), the milliseconds until the engine named its backend. */
async function openPage(context, backend, { samples, paced, own }) {
  const page = await context.newPage();
  await page.addInitScript(LONG_TASK_RECORDER);
  const opened = Date.now();
  const address = new URLSearchParams(QUERY);
  if (backend === "CPU") address.set("backend", "cpu");
  if (samples) address.set("tune-samples", samples);
  if (paced) address.set("tune-paced", paced);
  if (own) address.set("own-kernels", own);
  await page.goto(`${app.url}?${address}`);
  const named = await waitForBackend(page, undefined, { timeout: 300_000, polling: 20 });
  const ready_ms = Date.now() - opened;
  if (named !== backend) throw new Error(`asked for ${backend}, the page runs on ${named}`);
  const tune_samples = await page.getAttribute(byTestId("kernels"), "data-tune-samples");
  const tune_paced = await page.getAttribute(byTestId("kernels"), "data-tune-paced");
  const own_kernels = await page.getAttribute(byTestId("kernels"), "data-own-kernels");
  return { page, ready_ms, adapter: await page.textContent("#adapter"), tune_samples, tune_paced, own_kernels };
}

/** Loads the CSV, waits `warm` seconds if asked, trains `preset`; the run's figures. */
async function run(page, preset, { warm, epochs, firstBatchOnly = false }) {
  await page.setInputFiles(byTestId("file-input"), csv);
  await page.waitForFunction((n) => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === String(n),
    IMAGES, { timeout: 300_000, polling: 20 });
  // Chosen with the data in, as a user does: on WebGPU the page starts preparing its kernels.
  await page.selectOption(byTestId("model-preset"), preset);
  await page.fill(byTestId("epochs"), String(epochs));
  await page.selectOption("#schedule", "constant");
  const loaded = Date.now();
  if (warm) await page.waitForTimeout(WARM_SECONDS * 1000);
  const kernels = await page.getAttribute(byTestId("kernels"), "data-state");
  const kernels_after_s = warm ? (Date.now() - loaded) / 1000 : 0;
  await page.waitForSelector(`${byTestId("train-button")}:not([disabled])`);
  await page.evaluate(() => { window.__longTasks = []; });
  const clicked = Date.now();
  await page.click(byTestId("train-button"));
  await page.waitForFunction(() => document.querySelector('[data-testid="metrics"]').dataset.firstBatchMs, null,
    { timeout: 900_000, polling: 20 });
  const first_batch_ms = Number(await page.getAttribute(byTestId("metrics"), "data-first-batch-ms"));
  let first_epoch_s = null;
  let images_per_second = null;
  if (!firstBatchOnly) {
    await page.waitForFunction(() => document.querySelector('[data-testid="metrics"]').dataset.epoch === "1", null,
      { timeout: 1_800_000, polling: 100 });
    first_epoch_s = (Date.now() - clicked) / 1000;
    await page.waitForFunction(() => ["done", "error"].includes(document.querySelector('[data-testid="status"]').dataset.state),
      null, { timeout: 1_800_000, polling: 200 });
    images_per_second = Number(/([\d.]+) images\/s\.$/.exec(await page.textContent(byTestId("metrics")))?.[1]);
  } else {
    await page.click(byTestId("stop-button"));
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state !== "training", null, { timeout: 900_000 });
  }
  const longest_task_ms = Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
  return { kernels_at_click: kernels, kernels_after_s, first_batch_ms, first_epoch_s, images_per_second, longest_task_ms };
}

const results = { date: new Date().toISOString(), browser: BROWSER, gpu_flags: GPU_FLAGS, images: IMAGES, epochs: EPOCHS, runs: [] };
for (const backend of BACKENDS) {
  for (const preset of PRESETS) {
    const starts = STARTS.filter((start) => backend === "WebGPU" || start === "cold");
    const tunings = backend === "WebGPU"
      ? TUNE_SAMPLES.flatMap((samples) => TUNE_PACED.flatMap((paced) => OWN_KERNELS.map((own) => ({ samples, paced, own }))))
      : [{}];
    for (const warm of starts.map((start) => start === "warm")) {
      for (const tuning of tunings) {
        const { context, close } = await profile();
        try {
          const first = await openPage(context, backend, tuning);
          const measured = await run(first.page, preset, { warm, epochs: EPOCHS });
          const record = { backend, adapter: first.adapter, tune_samples: first.tune_samples, tune_paced: first.tune_paced, own_kernels: first.own_kernels, preset, start: warm ? "warm" : "cold", load: "first", ready_ms: first.ready_ms, ...measured };
          log(JSON.stringify(record));
          results.runs.push(record);
          await first.page.close();
          if (!LOADS.includes("second")) continue;
          // A second load in the same profile (the engine's tuning kept from the first): the
          // engine's start and the first batch again, started the same way.
          const second = await openPage(context, backend, tuning);
          const tuning_kept = Number(await second.page.getAttribute(byTestId("kernels"), "data-tuning-kept"));
          const again = await run(second.page, preset, { warm, epochs: EPOCHS, firstBatchOnly: true });
          const record2 = { backend, adapter: second.adapter, tune_samples: second.tune_samples, tune_paced: second.tune_paced, own_kernels: second.own_kernels, preset, start: warm ? "warm" : "cold", load: "second", ready_ms: second.ready_ms, tuning_kept, ...again };
          log(JSON.stringify(record2));
          results.runs.push(record2);
        } finally {
          await close();
        }
      }
    }
  }
}

fs.mkdirSync(path.join(ROOT, "bench-out"), { recursive: true });
fs.writeFileSync(path.join(ROOT, "bench-out/first-minute.json"), JSON.stringify(results, null, 2));
const cell = (v, digits = 1) => (v == null || Number.isNaN(v) ? "-" : Number(v).toFixed(digits));
console.log(`| backend | tune samples | paced | own kernels | preset | start | load | (a) ready s | tuning kept | kernels at click | (b) first batch s | (c) first epoch s | (d) images/s | longest task ms |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
for (const r of results.runs) {
  console.log(`| ${r.backend} | ${r.tune_samples || "-"} | ${r.tune_paced || "-"} | ${r.own_kernels || "-"} | ${r.preset} | ${r.start} | ${r.load} | ${cell(r.ready_ms / 1000)} | ${r.tuning_kept ?? "-"} | ${r.kernels_at_click} | ${cell(r.first_batch_ms / 1000)} | ${cell(r.first_epoch_s)} | ${cell(r.images_per_second, 0)} | ${cell(r.longest_task_ms, 0)} |`);
}
app.close();
