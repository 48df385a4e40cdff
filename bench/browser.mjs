// Browser benchmark, in headless Chromium on this machine (WebGPU runs on SwiftShader here):
//   - time for the page to read the full 133 MB train.csv (file picker to counts shown);
//   - `baseline` training images/second on WebGPU and on the CPU backend (2 epochs on 5,000
//     images, batch 32; the second epoch's figure, after kernels are compiled and tuned);
//   - the longest main-thread task during each run; the .wasm sizes, raw and gzip.
// Needs `trunk build --release` (dist/) and bench-out/train.csv (bench/run.sh writes it).
//   node bench/browser.mjs
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { LONG_TASK_RECORDER, ROOT, launch, serve } from "../tests/e2e/support.mjs";

const OUT = path.join(ROOT, "bench-out");
const fullCsv = path.join(OUT, "train.csv");
const smallCsv = path.join(OUT, "train-5000.csv");
const atelier = path.join(ROOT, "target/release/atelier");
if (!fs.existsSync(smallCsv)) {
  execFileSync(atelier, ["export-csv", "--input", "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
    "--out", smallCsv, "--limit", "5000"], { stdio: "inherit" });
}

const server = await serve(path.join(ROOT, "dist"));
const browser = await launch();
const results = { date: new Date().toISOString(), chromium: browser.version(), runs: {} };

async function open(query) {
  const page = await browser.newPage();
  await page.addInitScript(LONG_TASK_RECORDER);
  await page.goto(server.url + query);
  await page.waitForFunction(() => ["WebGPU", "CPU"].includes(document.querySelector('[data-testid="backend"]').textContent), null, { timeout: 120_000 });
  return page;
}

const trainCount = (page) => page.getAttribute('[data-testid="dataset-summary"]', "data-train-count");

// Parse time of the full train.csv.
{
  const page = await open("?backend=cpu");
  const start = Date.now();
  await page.setInputFiles('[data-testid="file-input"]', fullCsv);
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === "60000", null, { timeout: 300_000, polling: 50 });
  const seconds = (Date.now() - start) / 1000;
  const longest = Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
  results.parse = { bytes: fs.statSync(fullCsv).size, seconds, mb_per_second: fs.statSync(fullCsv).size / 1e6 / seconds, longest_task_ms: longest };
  await page.close();
}

for (const [name, query] of [["WebGPU", ""], ["CPU", "?backend=cpu"]]) {
  const page = await open(query);
  await page.setInputFiles('[data-testid="file-input"]', smallCsv);
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === "5000");
  await page.selectOption('[data-testid="model-preset"]', "baseline");
  await page.fill('[data-testid="epochs"]', "2");
  await page.fill('[data-testid="batch-size"]', "32");
  await page.selectOption("#schedule", "constant");
  await page.evaluate(() => { window.__longTasks = []; });
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => ["done", "error"].includes(document.querySelector('[data-testid="status"]').dataset.state), null, { timeout: 1_800_000, polling: 1000 });
  const text = await page.textContent('[data-testid="metrics"]');
  const imagesPerSecond = Number(/([\d.]+) images\/s/.exec(text)?.[1]);
  const longest = Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
  results.runs[name] = { adapter: await page.textContent("#adapter"), images_per_second: imagesPerSecond, longest_task_ms: longest, metrics: text };
  await page.close();
}

results.wasm = {};
for (const file of fs.readdirSync(path.join(ROOT, "dist")).filter((f) => f.endsWith(".wasm"))) {
  const bytes = fs.readFileSync(path.join(ROOT, "dist", file));
  results.wasm[file.replace(/-[0-9a-f]{16}_bg/, "_bg")] = { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
}
await browser.close();
server.close();
fs.writeFileSync(path.join(OUT, "browser.json"), JSON.stringify(results, null, 2));

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
console.log(`Measured ${results.date} in ${results.chromium} (headless).\n`);
console.log("| what | figure | longest main-thread task |\n|---|---|---|");
console.log(`| read and parse train.csv (${mb(results.parse.bytes)}) in the page | ${results.parse.seconds.toFixed(1)} s (${results.parse.mb_per_second.toFixed(0)} MB/s) | ${results.parse.longest_task_ms} ms |`);
for (const [name, run] of Object.entries(results.runs)) {
  console.log(`| train \`baseline\` on ${name} ${run.adapter ? `(${run.adapter})` : ""}, epoch 2 | ${run.images_per_second} images/s | ${run.longest_task_ms} ms |`);
}
for (const [file, size] of Object.entries(results.wasm)) {
  console.log(`| ${file} | ${mb(size.raw)} raw, ${mb(size.gzip)} gzip | |`);
}
