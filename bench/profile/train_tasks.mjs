// What the page's main thread does while it trains: records a Chromium trace (with V8's
// sampling profiler) from the click on Train to the end of the run, then lists the main thread's
// longest top-level tasks, and inside each the longest nested events and the functions the
// profiler sampled most (the page's JavaScript glue names each call into the browser, such as a
// canvas's `fillText`), so that a task over the 50 ms aim can be pinned on its cause.
//   node bench/profile/train_tasks.mjs [--backend cpu|webgpu] [--batch 64] [--epochs 2]
//        [--images 1000] [--rounds 1] [--preset baseline]
// Needs a build (dist/; ATELIER_DIST picks another) and the release command line (for the CSV).
import fs from "node:fs";
import path from "node:path";
import { DIST, ROOT, launch, serve, waitForBackend } from "../../tests/e2e/support.mjs";
import { option, realTrainCsv } from "../harness/measure.mjs";
import { isTopLevelTask, longestInside, markEpochs, outermost, threadsNamed } from "./trace.mjs";

const BACKEND = option("backend", "cpu");
const BATCH = option("batch", "64");
const EPOCHS = option("epochs", "2");
const IMAGES = Number(option("images", 1000));
const ROUNDS = Number(option("rounds", 1));
const PRESET = option("preset", "baseline");
const byTestId = (id) => `[data-testid="${id}"]`;

const server = await serve(DIST);
const browser = await launch();
const csv = realTrainCsv(IMAGES);
const tracePath = path.join(ROOT, "bench-out/train-trace.json");

/**
 * The samples of V8's profiler on thread `pid:tid` ([{ ts, stack: [function names] }]): its
 * `Profile` event is on that thread, its chunks (same id) on the profiler's own thread.
 */
function samplesOn(events, pid, tid) {
  const samples = [];
  for (const profile of events.filter((e) => e.name === "Profile" && e.pid === pid && e.tid === tid)) {
    const nodes = new Map();
    let ts = profile.args.data.startTime;
    for (const chunk of events.filter((e) => e.name === "ProfileChunk" && e.pid === pid && e.id === profile.id)) {
      const data = chunk.args.data;
      for (const node of data.cpuProfile?.nodes ?? []) {
        const { functionName, url } = node.callFrame;
        nodes.set(node.id, { name: functionName || (url ? "(anonymous)" : "(native)"), parent: node.parent });
      }
      const ids = data.cpuProfile?.samples ?? [];
      for (let i = 0; i < ids.length; i++) {
        ts += data.timeDeltas?.[i] ?? 0;
        samples.push({ ts, id: ids[i], nodes });
      }
    }
  }
  return samples.map(({ ts, id, nodes }) => {
    const stack = [];
    for (let n = nodes.get(id); n; n = nodes.get(n.parent)) stack.push(n.name);
    return { ts, stack };
  });
}

for (let round = 1; round <= ROUNDS; round++) {
  const page = await browser.newPage();
  await page.goto(`${server.url}?loss-every=1${BACKEND === "cpu" ? "&backend=cpu" : ""}`);
  await waitForBackend(page, BACKEND === "cpu" ? "CPU" : "WebGPU", { timeout: 300_000 });
  await page.setInputFiles(byTestId("file-input"), csv);
  await page.waitForFunction((n) => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === String(n),
    IMAGES, { timeout: 300_000 });
  await page.selectOption(byTestId("model-preset"), PRESET);
  await page.fill(byTestId("epochs"), EPOCHS);
  await page.fill(byTestId("batch-size"), BATCH);
  await page.waitForSelector(`${byTestId("train-button")}:not([disabled])`);
  await page.evaluate(markEpochs);
  await browser.startTracing(page, {
    path: tracePath,
    categories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "blink", "__metadata",
      "disabled-by-default-v8.cpu_profiler"],
  });
  await page.click(byTestId("train-button"));
  await page.waitForFunction(() => ["done", "error"].includes(document.querySelector('[data-testid="status"]').dataset.state),
    null, { timeout: 1_800_000, polling: 200 });
  await browser.stopTracing();
  await page.close();

  const events = JSON.parse(fs.readFileSync(tracePath, "utf8")).traceEvents;
  const main = threadsNamed(events, "CrRendererMain");
  const onMain = events.filter((e) => e.ph === "X" && e.dur && main.has(`${e.pid}:${e.tid}`));
  const clicked = events.find((e) => e.name === "atelier-epoch-0")?.ts ?? Math.min(...onMain.map((e) => e.ts));
  // The profiler's own start is a task of the trace, not of the page.
  const profilerStart = onMain.filter((e) => e.name === "CpuProfiler::StartProfiling");
  const tasks = outermost(onMain.filter(isTopLevelTask)
    .filter((t) => t.ts >= clicked && !profilerStart.some((e) => e.ts >= t.ts && e.ts <= t.ts + t.dur))
    .sort((a, b) => b.dur - a.dur));
  console.log(`round ${round}: ${BACKEND}, ${PRESET}, batch ${BATCH}, ${EPOCHS} epochs; main-thread tasks over 16 ms: ${
    tasks.filter((t) => t.dur > 16_000).length}`);
  for (const task of tasks.slice(0, 4)) {
    const inside = longestInside(onMain, task);
    console.log(`  ${(task.dur / 1000).toFixed(1)} ms at ${((task.ts - clicked) / 1000).toFixed(0)} ms after the click: ${inside.join(", ")}`);
    // The functions sampled in the task: each counted once a sample wherever it is on the stack.
    const counts = new Map();
    const samples = samplesOn(events, task.pid, task.tid).filter((s) => s.ts >= task.ts && s.ts <= task.ts + task.dur);
    for (const sample of samples) for (const name of new Set(sample.stack)) counts.set(name, (counts.get(name) ?? 0) + 1);
    const top = [...counts].filter(([name]) => !["(root)", "(program)"].includes(name)).sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(`    ${samples.length} samples: ${top.map(([name, n]) => `${name} ${n}`).join(", ")}`);
  }
}
await browser.close();
server.close();
