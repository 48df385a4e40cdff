// Two builds of the page side by side in one Chromium, runs alternated round by round, so a
// change is measured against what it replaced on the same noisy machine: reading the full
// train.csv (seconds, and the tab's peak memory), training a preset (5,000 images, 2 epochs;
// `baseline` at batch 32 unless MODEL=default, which trains at batch 64, as
// bench/harness/native.sh does), the time from opening the page to its engine being ready, and
// drawing-to-prediction (20 strokes), each on WebGPU and on the CPU backend. Medians per build;
// writes bench-out/ab.json. Needs bench-out/train.csv (bench/harness/native.sh writes it).
//   [CPU_ONLY=1] [MODEL=default] node bench/ab/ab.mjs BEFORE_DIST AFTER_DIST [ROUNDS]
import fs from "node:fs";
import path from "node:path";
import { ROOT, launch, serve, waitForModel } from "../../tests/e2e/support.mjs";
import { atelierReady, median, readCsv, realTrainCsv, strokeLatencies, trainPreset } from "../harness/measure.mjs";
import { rendererPeakMb, renderers } from "../harness/memory.mjs";

const [before, after] = process.argv.slice(2, 4).map((d) => path.resolve(d));
const ROUNDS = Number(process.argv[4] || 3);
// CPU_ONLY=1 skips WebGPU (on a software adapter its training run is the slow part).
const BACKENDS = [["WebGPU", ""], ["CPU", "?backend=cpu"]].filter(([name]) => !process.env.CPU_ONLY || name === "CPU");
const MODEL = process.env.MODEL || "baseline";
const BATCH = MODEL === "baseline" ? 32 : 64;
const csv = realTrainCsv(5000);
const builds = { before: await serve(before), after: await serve(after) };
const browser = await launch();
const runs = [];

for (let round = 1; round <= ROUNDS; round++) {
  for (const [build, server] of Object.entries(builds)) {
    const tabs = new Set(renderers());
    let page = await browser.newPage();
    await page.goto(server.url + "?backend=cpu");
    await atelierReady(page);
    const seconds = await readCsv(page, path.join(ROOT, "bench-out/train.csv"), 60000);
    runs.push({ build, round, what: "parse train.csv, s", value: seconds });
    runs.push({ build, round, what: "parse, tab peak memory MB", value: rendererPeakMb(tabs) });
    await page.close();
    for (const [backend, query] of BACKENDS) {
      page = await browser.newPage();
      await page.goto(server.url + query);
      const { images_per_second } = await trainPreset(page, csv, 5000, 2, BATCH, MODEL);
      await page.close();
      runs.push({ build, round, what: `train ${MODEL} ${backend}, images/s`, value: images_per_second });
    }
    for (const [backend, query] of BACKENDS) {
      page = await browser.newPage(); // a fresh context: nothing cached
      const opened = Date.now();
      await page.goto(server.url + query);
      await atelierReady(page);
      runs.push({ build, round, what: `engine ready ${backend}, s`, value: (Date.now() - opened) / 1000 });
      await waitForModel(page);
      runs.push({ build, round, what: `draw ${backend}, median ms`, value: median(await strokeLatencies(page, 20)) });
      await page.close();
    }
    console.error(`[ab] round ${round} ${build}: ${JSON.stringify(runs.filter((r) => r.round === round && r.build === build).map((r) => r.value))}`);
  }
}
await browser.close();
Object.values(builds).forEach((s) => s.close());
fs.writeFileSync(path.join(ROOT, "bench-out/ab.json"), JSON.stringify({ date: new Date().toISOString(), before, after, runs }, null, 2));
console.log(`| what | before | after | after / before |\n|---|---|---|---|`);
for (const what of [...new Set(runs.map((r) => r.what))]) {
  const [b, a] = ["before", "after"].map((build) => median(runs.filter((r) => r.build === build && r.what === what).map((r) => r.value)));
  console.log(`| ${what} | ${b.toFixed(2)} | ${a.toFixed(2)} | ${(a / b).toFixed(2)}x |`);
}
