// Where the WebGPU engine's worker spends its CPU in the first epoch (kernels built, compiled,
// autotuned) and in the later ones: V8's sampling profiler, read from a Chromium trace, summed
// by wasm function (self time) and by crate (time with the crate anywhere on the stack, so one
// sample counts once for each crate it passes through). Needs a build whose engine keeps the
// wasm `name` section: scripts/test.sh's target/e2e-dist does (no wasm-opt); Trunk's release
// dist does not. Trains `baseline` (batch 32) on 1,600 real images for EPOCHS (default 2).
// Writes bench-out/profile_worker.json.
// Read its shares as where to look, not as what a change will save: under the profiler the
// worker's first epoch took 49.5 s of CPU against about 30 s without it, and the pass it put at
// 23.6 s (cubecl's common subexpression elimination), made linear, measured -16%, -5% and +8%
// of the first epoch's worker CPU unprofiled (BENCHMARKS.md, "Autotune"). Confirm any lead with
// bench/ab/ab_worker.mjs.
//   [EPOCHS=2] node bench/profile/profile_worker.mjs [DIST] [ROWS]
import fs from "node:fs";
import path from "node:path";
import { ROOT, launch, serve } from "../../tests/e2e/support.mjs";
import { atelierReady, realTrainCsv, trainPreset } from "../harness/measure.mjs";
import { epochMarks, markEpochs, threadsNamed } from "./trace.mjs";

const dist = path.resolve(process.argv[2] || path.join(ROOT, "target/e2e-dist"));
const ROWS = Number(process.argv[3] || 25);
const EPOCHS = Number(process.env.EPOCHS || 2);
const csv = realTrainCsv(2000);
const server = await serve(dist);
const browser = await launch();
const tracePath = path.join(ROOT, "bench-out/profile_worker-trace.json");

const page = await browser.newPage();
await page.goto(server.url);
await atelierReady(page);
await page.evaluate(markEpochs);
await browser.startTracing(page, {
  path: tracePath,
  categories: ["toplevel", "blink.user_timing", "__metadata", "v8", "disabled-by-default-v8.cpu_profiler"],
});
await trainPreset(page, csv, 2000, EPOCHS, 32);
await browser.stopTracing();
await browser.close();
server.close();

const events = JSON.parse(fs.readFileSync(tracePath, "utf8")).traceEvents;
const marks = epochMarks(events);

// Each profiled thread's samples as [timestamp, leaf node], and its call tree.
const workers = threadsNamed(events, "DedicatedWorker thread");
const profiles = new Map(); // profile id -> { thread, start, nodes, samples }
for (const e of events) {
  if (e.name === "Profile") {
    profiles.set(e.id, { thread: `${e.pid}:${e.tid}`, start: e.args.data.startTime, nodes: new Map(), samples: [] });
  }
}
for (const e of events) {
  if (e.name !== "ProfileChunk" || !profiles.has(e.id)) continue;
  const profile = profiles.get(e.id);
  const cpu = e.args.data.cpuProfile || {};
  for (const node of cpu.nodes || []) profile.nodes.set(node.id, node);
  let ts = profile.samples.length ? profile.samples.at(-1)[0] : profile.start;
  const deltas = e.args.data.timeDeltas || [];
  (cpu.samples || []).forEach((leaf, i) => {
    ts += deltas[i];
    profile.samples.push([ts, leaf]);
  });
}

/** A wasm function's crate: the first path segment of its (demangled) name, else "(js)". */
function crateOf(name, url) {
  const inner = /^<?(?:&(?:mut )?)?(?:dyn )?([a-z_][a-z0-9_]*)::/.exec(name.replace(/^core::ptr::drop_in_place<|^alloc::[a-z_]+::[A-Za-z_]+<|^core::[a-z_:]+::[A-Za-z_]+<|^std::[a-z_:]+::[A-Za-z_]+</, ""));
  if (inner) return inner[1].replace(/^(cubecl|cubek|burn|wgpu)_.*/, "$1*");
  return url?.includes("wasm") ? "(wasm, unnamed)" : name.startsWith("(") ? name : "(js)";
}

function summarize(profile, from, to) {
  const self = new Map();
  const byCrate = new Map();
  let total = 0;
  let previous = null;
  for (const [ts, leaf] of profile.samples) {
    const interval = previous === null ? 0 : (ts - previous) / 1000;
    previous = ts;
    if (ts < from || ts >= to) continue;
    const leafNode = profile.nodes.get(leaf);
    const leafName = leafNode?.callFrame.functionName || "(anonymous)";
    if (leafName === "(idle)" || leafName === "(program)") continue;
    total += interval;
    self.set(leafName, (self.get(leafName) || 0) + interval);
    const crates = new Set();
    for (let node = leafNode; node; node = profile.nodes.get(node.parent)) {
      crates.add(crateOf(node.callFrame.functionName || "", node.callFrame.url));
    }
    for (const c of crates) byCrate.set(c, (byCrate.get(c) || 0) + interval);
  }
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, ROWS).map(([name, ms]) => ({ name, ms: Math.round(ms) }));
  return { busy_ms: Math.round(total), self: top(self), crates: top(byCrate) };
}

// The engine's worker is the profiled worker thread busiest in the first epoch.
const engine = [...profiles.values()]
  .filter((p) => workers.has(p.thread))
  .map((p) => ({ profile: p, busy: summarize(p, marks.get(0), marks.get(1)).busy_ms }))
  .sort((a, b) => b.busy - a.busy)[0].profile;
const results = {};
for (const [label, from, to] of [["first_epoch", marks.get(0), marks.get(1)], ["later_epochs", marks.get(1), marks.get(EPOCHS)]]) {
  const summary = summarize(engine, from, to);
  results[label] = { seconds: (to - from) / 1e6, ...summary };
  console.log(`\n## ${label}: ${results[label].seconds.toFixed(1)} s, worker on CPU ${summary.busy_ms} ms`);
  console.log("\n| crate on the stack | ms |\n|---|---|");
  for (const r of summary.crates) console.log(`| ${r.name} | ${r.ms} |`);
  console.log("\n| function (self) | ms |\n|---|---|");
  for (const r of summary.self) console.log(`| ${r.name.slice(0, 140)} | ${r.ms} |`);
}
fs.writeFileSync(path.join(ROOT, "bench-out/profile_worker.json"), JSON.stringify({ dist, epochs: EPOCHS, ...results }, null, 2));
