// Where the time goes while the page trains on WebGPU: records a Chromium trace of `baseline`
// training (5,000 images, 1 epoch, batch 32) and sums, per process and thread, the time spent
// in top-level tasks. A busy worker thread means CPU-side overhead (Burn, cubecl, wgpu in wasm);
// busy GPU-process threads mean the GPU (SwiftShader here) is the limit.
//   node bench/profile/threads.mjs [dist]     writes bench-out/trace.json
import fs from "node:fs";
import path from "node:path";
import { ROOT, launch, serve } from "../../tests/e2e/support.mjs";
import { realTrainCsv, trainPreset } from "../harness/measure.mjs";
import { isTopLevelTask } from "./trace.mjs";

const dist = path.resolve(process.argv[2] || path.join(ROOT, "dist"));
const server = await serve(dist);
const browser = await launch();
const page = await browser.newPage();
await page.goto(server.url);
const tracePath = path.join(ROOT, "bench-out/trace.json");
await browser.startTracing(page, { path: tracePath, categories: ["toplevel", "disabled-by-default-devtools.timeline", "__metadata"] });
const started = Date.now();
const run = await trainPreset(page, realTrainCsv(5000), 5000, 1, 32);
const wall = (Date.now() - started) / 1000;
await browser.stopTracing();
await browser.close();
server.close();

const events = JSON.parse(fs.readFileSync(tracePath, "utf8")).traceEvents;
const names = new Map();
const processes = new Map();
for (const e of events) {
  if (e.ph === "M" && e.name === "thread_name") names.set(`${e.pid}:${e.tid}`, e.args.name);
  if (e.ph === "M" && e.name === "process_name") processes.set(e.pid, e.args.name);
}
// Top-level tasks only (nested slices would count twice).
const busy = new Map();
for (const e of events) {
  if (!isTopLevelTask(e)) continue;
  const key = `${e.pid}:${e.tid}`;
  busy.set(key, (busy.get(key) || 0) + e.dur / 1000);
}
console.log(`baseline on WebGPU, 1 epoch: ${run.images_per_second} images/s; traced ${wall.toFixed(1)} s of wall time\n`);
console.log("| process | thread | busy (s) | share of wall time |\n|---|---|---|---|");
for (const [key, ms] of [...busy].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
  const pid = Number(key.split(":")[0]);
  console.log(`| ${processes.get(pid) || pid} | ${names.get(key) || key} | ${(ms / 1000).toFixed(1)} | ${((ms / 1000 / wall) * 100).toFixed(0)}% |`);
}
