// Drawing-to-prediction latency in the page, with the pre-trained model the page ships (`vgg`): 50 mouse
// strokes on the pad (a garment filled row by row); for each, the time from the stroke's end
// (pointerup) to its probabilities on screen, as the page measures it (`data-latency-ms`).
// On WebGPU (SwiftShader here) and on the CPU backend. Also the model file's size.
// Needs `trunk build --release` (dist/; ATELIER_DIST picks another build).
//   node bench/harness/draw.mjs
import fs from "node:fs";
import path from "node:path";
import { DIST, ROOT, launch, serve, waitForModel } from "../../tests/e2e/support.mjs";
import { median, strokeLatencies } from "./measure.mjs";

const STROKES = 50;
const OUT = path.join(ROOT, "bench-out");
fs.mkdirSync(OUT, { recursive: true });
const server = await serve(DIST);
const browser = await launch();
const results = { date: new Date().toISOString(), chromium: browser.version(), strokes: STROKES, runs: {} };

for (const [name, query] of [["WebGPU", ""], ["CPU", "?backend=cpu"]]) {
  const page = await browser.newPage();
  await page.goto(server.url + query);
  await waitForModel(page);
  const latencies = await strokeLatencies(page, STROKES);
  results.runs[name] = {
    adapter: await page.textContent("#adapter"),
    median_ms: median(latencies),
    worst_ms: Math.max(...latencies),
    latencies_ms: latencies,
  };
  await page.close();
}
await browser.close();
server.close();
results.model_file = { path: "www/model/pretrained.atelier", bytes: fs.statSync(path.join(ROOT, "www/model/pretrained.atelier")).size };
fs.writeFileSync(path.join(OUT, "draw.json"), JSON.stringify(results, null, 2));

console.log(`Measured ${results.date} in ${results.chromium} (headless), ${STROKES} strokes each.\n`);
console.log("| backend | median stroke-to-prediction | worst |\n|---|---|---|");
for (const [name, run] of Object.entries(results.runs)) {
  console.log(`| ${name}${run.adapter ? ` (${run.adapter})` : ""} | ${run.median_ms.toFixed(1)} ms | ${run.worst_ms.toFixed(1)} ms |`);
}
console.log(`\nmodel file ${results.model_file.path}: ${results.model_file.bytes} bytes`);
