// Two builds' WebGPU engines side by side, on the work of the engine's own thread (Burn, cubecl
// and wgpu compiled to wasm): its CPU time in the first epoch, where every kernel is built,
// compiled and autotuned, and in each later epoch, where they are cached and only launched;
// each epoch's seconds; and the time from opening the page to its engine being ready. The
// worker's busy time is CPU work whatever the GPU, so how the engine's wasm is compiled can be
// judged here even on a software adapter. Trains `baseline` (batch 32, constant rate) on
// `bench-out/train-2000.csv` (1,600 training images, 50 steps an epoch) for EPOCHS epochs,
// builds alternated round by round in one Chromium, every run in a fresh tab. Medians per
// build, and whether every run ended on the same losses (same seed and data: it should, where
// both engines' kernels compute the same thing); writes bench-out/ab_worker.json. EPOCHS >= 2.
//   [EPOCHS=3] node bench/ab/ab_worker.mjs BEFORE_DIST AFTER_DIST [ROUNDS]
import fs from "node:fs";
import path from "node:path";
import { ROOT, launch, serve } from "../../tests/e2e/support.mjs";
import { atelierReady, median, realTrainCsv, trainPreset } from "../harness/measure.mjs";
import { epochMarks, isTopLevelTask, markEpochs, threadsNamed } from "../profile/trace.mjs";

const [before, after] = process.argv.slice(2, 4).map((d) => path.resolve(d));
const ROUNDS = Number(process.argv[4] || 3);
const EPOCHS = Number(process.env.EPOCHS || 3);
const csv = realTrainCsv(2000);
const builds = { before: await serve(before), after: await serve(after) };
const browser = await launch();
const tracePath = path.join(ROOT, "bench-out/ab_worker-trace.json");
const runs = [];

/** The engine worker's busy milliseconds between consecutive epoch marks, from a trace. */
function workerBusyByEpoch(events) {
  const marks = epochMarks(events);
  const workers = threadsNamed(events, "DedicatedWorker thread");
  const busy = new Map(); // worker -> [ms per epoch]
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!workers.has(key) || !isTopLevelTask(e)) continue;
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      const [from, to] = [marks.get(epoch - 1), marks.get(epoch)];
      if (from === undefined || to === undefined || e.ts < from || e.ts >= to) continue;
      const row = busy.get(key) || new Array(EPOCHS).fill(0);
      row[epoch - 1] += e.dur / 1000;
      busy.set(key, row);
    }
  }
  // The engine's worker is the busiest one (the page has no other workers while training).
  const rows = [...busy.values()].sort((a, b) => b.reduce((x, y) => x + y) - a.reduce((x, y) => x + y));
  const epochSeconds = [];
  for (let epoch = 1; epoch <= EPOCHS; epoch++) epochSeconds.push((marks.get(epoch) - marks.get(epoch - 1)) / 1e6);
  return { busyMs: rows[0], epochSeconds };
}

for (let round = 1; round <= ROUNDS; round++) {
  for (const [build, server] of Object.entries(builds)) {
    const page = await browser.newPage(); // a fresh context: the engine's wasm compiled anew
    const opened = Date.now();
    await page.goto(server.url);
    await atelierReady(page);
    const engineReady = (Date.now() - opened) / 1000;
    await page.evaluate(markEpochs);
    await browser.startTracing(page, { path: tracePath, categories: ["toplevel", "blink.user_timing", "__metadata"] });
    const run = await trainPreset(page, csv, 2000, EPOCHS, 32);
    await browser.stopTracing();
    await page.close();
    const { busyMs, epochSeconds } = workerBusyByEpoch(JSON.parse(fs.readFileSync(tracePath, "utf8")).traceEvents);
    const result = {
      build, round,
      engine_ready_s: engineReady,
      first_epoch_worker_ms: busyMs[0],
      later_epoch_worker_ms: median(busyMs.slice(1)),
      first_epoch_s: epochSeconds[0],
      later_epoch_s: median(epochSeconds.slice(1)),
      images_per_second: run.images_per_second,
      // Same seed, same data: engines whose kernels compute the same thing end on the same losses.
      final_losses: /training loss [^,]+, validation loss [^,]+/.exec(run.metrics)?.[0],
    };
    runs.push(result);
    console.log(JSON.stringify(result));
  }
}
await browser.close();
for (const server of Object.values(builds)) server.close();

const keys = ["engine_ready_s", "first_epoch_worker_ms", "later_epoch_worker_ms", "first_epoch_s", "later_epoch_s", "images_per_second"];
const table = keys.map((what) => {
  const [b, a] = ["before", "after"].map((build) => median(runs.filter((r) => r.build === build).map((r) => r[what])));
  return { what, before: b, after: a, ratio: a / b };
});
console.log("\n| per build, median of rounds | before | after | after/before |\n|---|---|---|---|");
for (const r of table) console.log(`| ${r.what} | ${r.before.toFixed(2)} | ${r.after.toFixed(2)} | ${r.ratio.toFixed(2)}x |`);
const losses = new Set(runs.map((r) => r.final_losses));
console.log(losses.size === 1 ? `\nevery run ended on the same ${[...losses][0]}` : `\nruns ended on different losses: ${[...losses].join(" | ")}`);
fs.writeFileSync(path.join(ROOT, "bench-out/ab_worker.json"), JSON.stringify({ before, after, rounds: ROUNDS, epochs: EPOCHS, runs, table }, null, 2));
