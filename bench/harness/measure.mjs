// Measurements shared by the browser benchmarks: driving Atelier's page through its public
// data-testid contract, as a user would, and the real data they give it.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { ROOT, waitForBackend } from "../../tests/e2e/support.mjs";

/** The value of `--name VALUE` among this process's arguments, or `fallback`. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
}

/** `--browser` and `--gpu-flags`: the browser to run, and the flags that give it WebGPU. */
export function browserOptions() {
  return {
    browser: option("browser", process.env.CHROMIUM || "/usr/bin/chromium"),
    gpuFlags: option("gpu-flags", "--enable-unsafe-webgpu").split(/\s+/).filter(Boolean),
  };
}

/**
 * A browser (`executable`, with `flags`) on a profile folder of its own, so that a second page
 * in it finds what the first kept; `close` removes the folder.
 */
export async function freshProfile(executable, flags) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-profile-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: executable,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage", ...flags],
  });
  return { context, close: async () => (await context.close(), fs.rmSync(dir, { recursive: true, force: true })) };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * `bench-out/train-COUNT.csv`: the first `count` real Fashion-MNIST training images in the
 * Kaggle layout, written by the command line (`target/release/atelier`) on first use.
 */
export function realTrainCsv(count) {
  const csv = path.join(ROOT, `bench-out/train-${count}.csv`);
  if (!fs.existsSync(csv)) {
    fs.mkdirSync(path.dirname(csv), { recursive: true });
    execFileSync(path.join(ROOT, "target/release/atelier"), ["export-csv", "--input",
      "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", "--out", csv, "--limit", String(count)], { stdio: "inherit" });
  }
  return csv;
}

/** Waits until the page has chosen its backend (WebGPU or CPU). */
export async function atelierReady(page) {
  await waitForBackend(page);
}

/**
 * Gives `csv` (`count` training images) to the page's file picker; resolves to the seconds
 * until the page shows the count.
 */
export async function readCsv(page, csv, count) {
  const start = Date.now();
  await page.setInputFiles('[data-testid="file-input"]', csv);
  await page.waitForFunction((n) => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === String(n), count, { timeout: 300_000, polling: 20 });
  return (Date.now() - start) / 1000;
}

/**
 * Trains the preset `model` (`baseline` unless given) on `csv` (80/20 split) for `epochs` with
 * `batchSize` and a constant rate; resolves to the page's images/second of the last epoch and
 * its metrics text.
 */
export async function trainPreset(page, csv, count, epochs, batchSize, model = "baseline") {
  await atelierReady(page);
  await readCsv(page, csv, count);
  await page.selectOption('[data-testid="model-preset"]', model);
  await page.fill('[data-testid="epochs"]', String(epochs));
  await page.fill('[data-testid="batch-size"]', String(batchSize));
  await page.selectOption("#schedule", "constant");
  await page.evaluate(() => { window.__longTasks = []; });
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => ["done", "error"].includes(document.querySelector('[data-testid="status"]').dataset.state), null, { timeout: 1_800_000, polling: 1000 });
  const metrics = await page.textContent('[data-testid="metrics"]');
  return { images_per_second: Number(/([\d.]+) images\/s/.exec(metrics)?.[1]), metrics };
}

/**
 * Draws `strokes` mouse strokes on the pad (after two warm-up strokes: the first kernels
 * compile) and collects the page's own stroke-end-to-probabilities latency for each.
 */
export async function strokeLatencies(page, strokes) {
  // The pad is far down the page: bring it into the viewport, where the mouse can reach it.
  await page.locator('[data-testid="draw-pad"]').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid="draw-pad"]').boundingBox();
  const scale = box.width / 280;
  const latencies = [];
  for (let i = 0; i < strokes + 2; i++) {
    const y = 20 + (i % 48) * 5;
    await page.mouse.move(box.x + 90 * scale, box.y + y * scale);
    await page.mouse.down();
    await page.mouse.move(box.x + 190 * scale, box.y + y * scale, { steps: 3 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').hasAttribute("data-latency-ms"), null, { timeout: 120_000 });
    if (i >= 2) latencies.push(Number(await page.getAttribute('[data-testid="prediction"]', "data-latency-ms")));
  }
  return latencies;
}
