// What the page's main thread does while it reads train.csv: records a Chromium trace of the
// page reading the full file on the CPU backend (file picker to counts shown), then lists the
// main thread's longest top-level tasks and, inside each, the longest nested events, so a task
// over the 50 ms aim can be pinned on its cause.
//   node bench/profile/parse_tasks.mjs [dist] [ROUNDS]
// Needs bench-out/train.csv (bench/harness/native.sh writes it).
import fs from "node:fs";
import path from "node:path";
import { ROOT, launch, serve } from "../../tests/e2e/support.mjs";
import { atelierReady, readCsv } from "../harness/measure.mjs";
import { isTopLevelTask, longestInside, outermost, threadsNamed } from "./trace.mjs";

const dist = path.resolve(process.argv[2] || path.join(ROOT, "dist"));
const ROUNDS = Number(process.argv[3] || 1);
const server = await serve(dist);
const browser = await launch();
const tracePath = path.join(ROOT, "bench-out/parse-trace.json");

for (let round = 1; round <= ROUNDS; round++) {
  const page = await browser.newPage();
  await page.goto(server.url + "?backend=cpu");
  await atelierReady(page);
  await browser.startTracing(page, { path: tracePath, categories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "blink", "__metadata"] });
  const seconds = await readCsv(page, path.join(ROOT, "bench-out/train.csv"), 60000);
  await browser.stopTracing();
  await page.close();

  const events = JSON.parse(fs.readFileSync(tracePath, "utf8")).traceEvents;
  const main = threadsNamed(events, "CrRendererMain");
  const onMain = events.filter((e) => e.ph === "X" && e.dur && main.has(`${e.pid}:${e.tid}`));
  const tasks = outermost(onMain.filter(isTopLevelTask).sort((a, b) => b.dur - a.dur));
  const traceStart = Math.min(...onMain.map((e) => e.ts));
  console.log(`round ${round}: read in ${seconds} s; main-thread tasks over 20 ms: ${tasks.filter((t) => t.dur > 20000).length}`);
  for (const task of tasks.slice(0, 4)) {
    const inside = longestInside(onMain, task);
    console.log(`  ${(task.dur / 1000).toFixed(1)} ms at ${((task.ts - traceStart) / 1000).toFixed(0)} ms into the trace: ${inside.join(", ")}`);
  }
}
await browser.close();
server.close();
