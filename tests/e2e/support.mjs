import assert from "node:assert/strict";
// Shared pieces of the browser tests: a static server for the built app, Chromium with the flags that
// give WebGPU (SwiftShader) headless on a closed network, and fixtures cut from the real data.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(import.meta.dirname, "../..");
/** The built app: `ATELIER_DIST` where set (scripts/test.sh builds its own), else dist/. */
export const DIST = path.resolve(ROOT, process.env.ATELIER_DIST || "dist");
const DATA = "/usr/share/datasets/fashion-mnist";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".gz": "application/octet-stream",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** Serves `dir` on 127.0.0.1 (a free port); resolves to { url, close }. */
export function serve(dir) {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = path.join(dir, urlPath);
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    if (urlPath.endsWith("/")) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) {
        if (process.env.E2E_DEBUG) console.error(`404 ${urlPath}`);
        return res.writeHead(404).end("not found");
      }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() }),
    ),
  );
}

/** Serves the built app ({@link DIST}); fails with how to build it where it is missing. */
export function serveApp() {
  if (!fs.existsSync(path.join(DIST, "index.html"))) {
    throw new Error(`no app in ${DIST}: build it first (trunk build --release)`);
  }
  return serve(DIST);
}

/**
 * Headless Chromium with WebGPU (NOTES.md's flags; Playwright adds a fresh profile), plus
 * `extraArgs`. With `webgpu: false`, Chromium's default: `navigator.gpu` without an adapter here.
 */
export function launch(extraArgs = [], { webgpu = true } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
      ...(webgpu ? ["--enable-unsafe-webgpu"] : []), ...extraArgs,
    ],
  });
}

/** Records every Content-Security-Policy violation in window.__cspViolations. */
export const CSP_RECORDER = () => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation",
    (e) => window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`));
};

/** The page's policy is in place (its loader's hash filled in) and nothing broke it. */
export async function assertCspKept(page) {
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*';/);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
}

/** Records every long task (PerformanceObserver `longtask`) in window.__longTasks. */
export const LONG_TASK_RECORDER = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({ type: "longtask", buffered: true });
};

/** The `atelier` command line, built if needed. */
export function atelier(args) {
  const bin = path.join(ROOT, "target/release/atelier");
  if (!fs.existsSync(bin)) execFileSync("cargo", ["build", "--release", "--bin", "atelier"], { cwd: ROOT, stdio: "inherit" });
  return execFileSync(bin, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

/**
 * CSVs from the real Fashion-MNIST: `train.csv` (first `trainCount` training images, Kaggle
 * layout), `test.csv` (first `testCount` test images, pixels only, as in the notebook) and the
 * test labels.
 */
export function fixtures(trainCount, testCount) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-e2e-"));
  const train = path.join(dir, "train.csv");
  const test = path.join(dir, "test.csv");
  const labelled = path.join(dir, "test-labelled.csv");
  atelier(["export-csv", "--input", `${DATA}/train-images-idx3-ubyte.gz`, "--out", train, "--limit", `${trainCount}`]);
  atelier(["export-csv", "--input", `${DATA}/t10k-images-idx3-ubyte.gz`, "--out", test, "--limit", `${testCount}`, "--no-labels"]);
  atelier(["export-csv", "--input", `${DATA}/t10k-images-idx3-ubyte.gz`, "--out", labelled, "--limit", `${testCount}`]);
  const testLabels = fs.readFileSync(labelled, "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[0]));
  return { dir, train, test, testLabels };
}

const DROP_TYPES = { ".csv": "text/csv", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg" };

/** Drops files (any bytes) on the element `testId` the way a user's drag-and-drop does. */
export async function dropFiles(page, files, testId = "drop-zone") {
  const contents = files.map((f) => ({
    name: path.basename(f),
    base64: fs.readFileSync(f).toString("base64"),
    type: DROP_TYPES[path.extname(f).toLowerCase()] || "",
  }));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], item.name, { type: item.type }));
    }
    return dt;
  }, contents);
  for (const type of ["dragenter", "dragover", "drop"]) {
    await page.dispatchEvent(`[data-testid="${testId}"]`, type, { dataTransfer: transfer });
  }
}

/**
 * Waits until the page's engine has started on a backend: `expected` ("WebGPU" or "CPU"), or
 * either when none is given; `options` as Playwright's `waitForFunction` takes them. Resolves
 * to the backend's name.
 */
export async function waitForBackend(page, expected, options = {}) {
  await page.waitForFunction(
    (names) => names.includes(document.querySelector('[data-testid="backend"]').textContent),
    expected ? [expected] : ["WebGPU", "CPU"], { timeout: 120_000, ...options },
  );
  return page.textContent('[data-testid="backend"]');
}

/** Waits until the page names its active model (the pre-trained one, on a fresh profile). */
export async function waitForModel(page, source = "pretrained") {
  await page.waitForFunction(
    (wanted) => document.querySelector('[data-testid="active-model"]')?.dataset.source === wanted,
    source, { timeout: 120_000 },
  );
}

/**
 * Draws one mouse stroke on the drawing pad from `from` to `to` (fractions of its width and
 * height), and waits until the page has classified it.
 */
export async function strokeOnPad(page, from, to) {
  const pad = page.locator('[data-testid="draw-pad"]');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const at = ([fx, fy]) => [box.x + box.width * fx, box.y + box.height * fy];
  await page.evaluate(() => document.querySelector('[data-testid="prediction"]').removeAttribute("data-class"));
  await page.mouse.move(...at(from));
  await page.mouse.down();
  await page.mouse.move(...at(to), { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').hasAttribute("data-class"),
    null, { timeout: 120_000 });
}

/** The canvas's pixels as a data URL. */
export function canvasPixels(page, testId) {
  return page.$eval(`[data-testid="${testId}"]`, (c) => c.toDataURL());
}

/** The page's loaded sets: [training images, test images], as `dataset-summary` says. */
export async function datasetCounts(page) {
  const el = await page.$('[data-testid="dataset-summary"]');
  return [Number(await el.getAttribute("data-train-count")), Number(await el.getAttribute("data-test-count"))];
}

/** Waits until the page holds `train` training images and `test` test images. */
export function waitForCounts(page, train, test) {
  return page.waitForFunction(([wantedTrain, wantedTest]) => {
    const summary = document.querySelector('[data-testid="dataset-summary"]')?.dataset;
    return summary?.trainCount === String(wantedTrain) && summary?.testCount === String(wantedTest);
  }, [train, test], { timeout: 120_000 });
}

/**
 * Clicks Train (or `button`, e.g. `continue-button`) once it is enabled and waits until the run
 * has ended with its model active (`timeout`: the first WebGPU epoch on SwiftShader compiles and
 * tunes its kernels, minutes on a busy machine); the run must end done.
 */
export async function trainToDone(page, timeout = 400_000, button = "train-button") {
  await page.waitForSelector(`[data-testid="${button}"]:not([disabled])`, { timeout: 60_000 });
  await page.click(`[data-testid="${button}"]`);
  await page.waitForFunction(() => ["done", "error"].includes(document.querySelector('[data-testid="status"]').dataset.state)
    && document.querySelector('[data-testid="active-model"]').dataset.source === "trained",
    null, { timeout });
  assert.equal(await page.getAttribute('[data-testid="status"]', "data-state"), "done",
    await page.textContent('[data-testid="error"]'));
}
