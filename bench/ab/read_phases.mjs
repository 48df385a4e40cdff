// Where the page's time to read train.csv goes, two builds side by side in one Chromium,
// alternating: the File read into the engine's memory (until the engine's progress restarts
// at 0) and the parse after it, from the engine's progress messages timestamped in the page.
// A build that parses the file as it arrives (since 2026-12-04) has no such restart: its
// reading and parsing overlap, and the table shows "overlapped" and their total.
// On the CPU backend (?backend=cpu). Needs bench-out/train.csv (bench/harness/native.sh
// writes it).
//   node bench/ab/read_phases.mjs BEFORE_DIST AFTER_DIST [ROUNDS]
import path from "node:path";
import { ROOT, launch, serve } from "../../tests/e2e/support.mjs";
import { atelierReady, median } from "../harness/measure.mjs";

const builds = {
  before: await serve(path.resolve(process.argv[2])),
  after: await serve(path.resolve(process.argv[3])),
};
const ROUNDS = Number(process.argv[4] || 6);
const browser = await launch();
const runs = { before: { read: [], parse: [], total: [] }, after: { read: [], parse: [], total: [] } };

for (let round = 0; round < ROUNDS; round++) {
  for (const [build, server] of Object.entries(builds)) {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      window.__progress = [];
      const PageWorker = window.Worker;
      window.Worker = function (...args) {
        const worker = new PageWorker(...args);
        worker.addEventListener("message", (e) => {
          if (typeof e.data === "string" && e.data.includes('"progress"')) window.__progress.push([performance.now(), JSON.parse(e.data).done]);
        });
        return worker;
      };
    });
    await page.goto(server.url + "?backend=cpu");
    await atelierReady(page);
    const start = await page.evaluate(() => performance.now());
    await page.setInputFiles('[data-testid="file-input"]', path.join(ROOT, "bench-out/train.csv"));
    await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === "60000",
      null, { timeout: 300_000, polling: 20 });
    const [progress, end] = await page.evaluate(() => [window.__progress, performance.now()]);
    const parseStarts = progress.findIndex(([, done], i) => i > 0 && done < progress[i - 1][1]);
    if (parseStarts > 0) {
      const readEnd = progress[parseStarts - 1][0];
      runs[build].read.push(readEnd - start);
      runs[build].parse.push(progress.at(-1)[0] - readEnd);
    }
    runs[build].total.push(end - start);
    await page.close();
  }
}
await browser.close();
Object.values(builds).forEach((s) => s.close());
console.log("| build | read, ms | parse, ms | file picker to counts shown, ms |\n|---|---|---|---|");
for (const [build, r] of Object.entries(runs)) {
  const phase = (times) => (times.length ? median(times).toFixed(0) : "overlapped");
  console.log(`| ${build} | ${phase(r.read)} | ${phase(r.parse)} | ${median(r.total).toFixed(0)} |`);
}
for (const [build, r] of Object.entries(runs)) console.log(`${build}, per round (ms): ${r.total.map((t) => t.toFixed(0)).join(" / ")}`);
