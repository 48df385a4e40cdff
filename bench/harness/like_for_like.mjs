// Atelier against the in-browser peers, like for like, in one browser run: the notebook's
// `baseline` trained on the same images (the CSV's first 80%, the rest validated after each
// epoch), Adam 1e-3, the loss read back after every batch (`--loss-every`), batch 32 and 64:
//   Atelier's page on WebGPU and on its CPU backend (`?loss-every=N`);
//   TensorFlow.js's webgpu backend, jax-js's webgpu and wasm backends (bench/peers, a loop that
//   trains batch by batch as Atelier's engine does).
// Each run in a fresh profile (a cold start, as a user's first visit): the first batch's loss
// (Atelier: from the click on Train; the peers: from their loop's start, data in memory as
// Atelier's is), the first epoch's seconds, the later epochs' images/second, the longest
// main-thread task, and the download: the bytes Atelier's page fetched (the CSV, a local file,
// not counted), and for a peer the files its library loads (the peers' page holds all of them).
//
//   node bench/harness/like_for_like.mjs [--images N] [--epochs N] [--batches 32,64]
//        [--loss-every N] [--who atelier-webgpu,atelier-cpu,tfjs-webgpu,jax-webgpu,jax-wasm]
//        [--browser PATH] [--gpu-flags "FLAGS"] [--dispatches] [--kernel-times]
//        [--query "NAME=VALUE&..."]   (more of Atelier's page's address, as `tune-fallbacks=1`)
//        [--preset NAME]   (Atelier's sides only: another preset than `baseline`, to profile it)
//
// Needs `trunk build --release` (dist/; ATELIER_DIST picks another build), bench/peers's
// packages (`npm ci --prefix bench/peers`) and the release command line (for the CSV). Writes
// bench-out/like-for-like.json and prints a table.
import fs from "node:fs";
import path from "node:path";
import { DIST, LONG_TASK_RECORDER, ROOT, serve, waitForBackend } from "../../tests/e2e/support.mjs";
import { browserOptions, freshProfile, median, option, realTrainCsv } from "./measure.mjs";

const { browser: BROWSER, gpuFlags: BROWSER_GPU_FLAGS } = browserOptions();
const KERNEL_TIMES = process.argv.includes("--kernel-times");
const GPU_FLAGS = KERNEL_TIMES
  ? [...BROWSER_GPU_FLAGS, "--enable-dawn-features=allow_unsafe_apis", "--enable-webgpu-developer-features"]
  : BROWSER_GPU_FLAGS;
const IMAGES = Number(option("images", 1000));
const EPOCHS = Number(option("epochs", 10));
const BATCHES = option("batches", "32,64").split(",").map(Number);
const LOSS_EVERY = Number(option("loss-every", 1));
const DISPATCHES = process.argv.includes("--dispatches") || KERNEL_TIMES;
const QUERY = new URLSearchParams(option("query", ""));
const WHO = option("who", "atelier-webgpu,atelier-cpu,tfjs-webgpu,jax-webgpu,jax-wasm").split(",");
const PRESET = option("preset", "baseline");
if (PRESET !== "baseline" && WHO.some((who) => !who.startsWith("atelier-"))) {
  throw new Error("--preset: the peers train `baseline` only; name Atelier's sides alone with --who");
}
const log = (message) => console.error(`[like-for-like] ${message}`);

const app = await serve(DIST);
const peers = await serve(path.join(ROOT, "bench/peers"));
const csv = realTrainCsv(IMAGES);
const byTestId = (id) => `[data-testid="${id}"]`;

/**
 * `--dispatches`: counts the WebGPU compute dispatches where the GPU work runs (Atelier's engine
 * worker, the peers' page), each under the epoch that `self.__epoch` names when it is encoded.
 * The peers' loop sets it; for Atelier the harness sets it in the worker when the page shows an
 * epoch's metrics, which lags the worker by one poll, at most a batch here.
 */
const DISPATCH_COUNTER = `(() => {
  if (!self.GPUComputePassEncoder || self.__dispatches) return;
  const dispatches = self.__dispatches = {};
  const counted = () => { const epoch = self.__epoch ?? 0; dispatches[epoch] = (dispatches[epoch] ?? 0) + 1; };
  for (const name of ["dispatchWorkgroups", "dispatchWorkgroupsIndirect"]) {
    const original = GPUComputePassEncoder.prototype[name];
    GPUComputePassEncoder.prototype[name] = function (...args) { counted(); return original.apply(this, args); };
  }
})();`;

/**
 * `--kernel-times`: the GPU time of each compute dispatch, read from timestamps written around it
 * (Chromium's timestamp queries inside passes, unquantised with `--enable-webgpu-developer-features`),
 * summed by kernel (the pipeline's label, or for an unlabelled one a hash of its WGSL) under the
 * epoch that `self.__epoch` names, as the dispatch counter does.
 */
const KERNEL_TIMER = `(() => {
  if (!self.GPUAdapter || self.__kernelTimes) return;
  const times = self.__kernelTimes = {};
  const code = self.__kernelCode = {};
  const INSIDE = "chromium-experimental-timestamp-query-inside-passes";
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = function (descriptor = {}) {
    const features = new Set(descriptor.requiredFeatures ?? []);
    for (const f of ["timestamp-query", INSIDE]) if (this.features.has(f)) features.add(f);
    return requestDevice.call(this, { ...descriptor, requiredFeatures: [...features] });
  };
  const hash = (text) => { let h = 5381; for (let i = 0; i < text.length; i++) h = (h * 33 + text.charCodeAt(i)) | 0; return (h >>> 0).toString(36); };
  const createShaderModule = GPUDevice.prototype.createShaderModule;
  GPUDevice.prototype.createShaderModule = function (descriptor) {
    const module = createShaderModule.call(this, descriptor);
    module.__code = descriptor.code;
    return module;
  };
  const named = (descriptor, pipeline) => {
    const wgsl = descriptor.compute?.module?.__code ?? "";
    const name = descriptor.label || "wgsl-" + hash(wgsl);
    code[name] ??= wgsl;
    pipeline.__name = name;
    return pipeline;
  };
  const createComputePipeline = GPUDevice.prototype.createComputePipeline;
  GPUDevice.prototype.createComputePipeline = function (d) { return named(d, createComputePipeline.call(this, d)); };
  const createComputePipelineAsync = GPUDevice.prototype.createComputePipelineAsync;
  GPUDevice.prototype.createComputePipelineAsync = function (d) { return createComputePipelineAsync.call(this, d).then((p) => named(d, p)); };
  // Each encoder's dispatches: a query set of its own, two timestamps a dispatch.
  const beginComputePass = GPUCommandEncoder.prototype.beginComputePass;
  GPUCommandEncoder.prototype.beginComputePass = function (descriptor) {
    const pass = beginComputePass.call(this, descriptor);
    pass.__encoder = this;
    return pass;
  };
  const setPipeline = GPUComputePassEncoder.prototype.setPipeline;
  GPUComputePassEncoder.prototype.setPipeline = function (pipeline) { this.__name = pipeline.__name ?? "?"; return setPipeline.call(this, pipeline); };
  for (const name of ["dispatchWorkgroups", "dispatchWorkgroupsIndirect"]) {
    const original = GPUComputePassEncoder.prototype[name];
    GPUComputePassEncoder.prototype[name] = function (...args) {
      const encoder = this.__encoder;
      if (!encoder || !this.writeTimestamp) return original.apply(this, args);
      const device = self.__timedDevice;
      const p = encoder.__profile ??= { set: device.createQuerySet({ type: "timestamp", count: 4096 }), names: [], epoch: self.__epoch ?? 0 };
      if (p.names.length >= 2048) return original.apply(this, args);
      const at = p.names.length * 2;
      this.writeTimestamp(p.set, at);
      const result = original.apply(this, args);
      this.writeTimestamp(p.set, at + 1);
      p.names.push(this.__name);
      return result;
    };
  }
  const createCommandEncoder = GPUDevice.prototype.createCommandEncoder;
  GPUDevice.prototype.createCommandEncoder = function (descriptor) {
    if (this.features.has(INSIDE)) self.__timedDevice = this;
    return createCommandEncoder.call(this, descriptor);
  };
  const finish = GPUCommandEncoder.prototype.finish;
  GPUCommandEncoder.prototype.finish = function (descriptor) {
    const p = this.__profile;
    if (p) {
      const device = self.__timedDevice;
      const bytes = Math.ceil((p.names.length * 16) / 256) * 256;
      p.resolved = device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      p.read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      this.resolveQuerySet(p.set, 0, p.names.length * 2, p.resolved, 0);
      this.copyBufferToBuffer(p.resolved, 0, p.read, 0, bytes);
    }
    const buffer = finish.call(this, descriptor);
    buffer.__profile = p;
    return buffer;
  };
  const submit = GPUQueue.prototype.submit;
  GPUQueue.prototype.submit = function (buffers) {
    const result = submit.call(this, buffers);
    for (const buffer of buffers) {
      const p = buffer.__profile;
      if (!p) continue;
      p.read.mapAsync(GPUMapMode.READ).then(() => {
        const stamps = new BigInt64Array(p.read.getMappedRange());
        const epoch = (times[p.epoch] ??= {});
        p.names.forEach((name, i) => {
          const kernel = (epoch[name] ??= { ns: 0, count: 0 });
          kernel.ns += Number(stamps[2 * i + 1] - stamps[2 * i]);
          kernel.count += 1;
        });
        p.read.unmap();
        p.read.destroy();
        p.resolved.destroy();
        p.set.destroy();
      }).catch(() => {});
    }
    return result;
  };
})();`;

/** The last epoch's GPU time by kernel, per training batch: [{ kernel, ms, dispatches }], longest first. */
function kernelsPerBatch(times, batch) {
  const batches = Math.ceil(Math.floor(IMAGES * 0.8) / batch);
  return Object.entries(times?.[EPOCHS] ?? {})
    .map(([kernel, { ns, count }]) => ({ kernel, ms: ns / 1e6 / batches, dispatches: count / batches }))
    .sort((a, b) => b.ms - a.ms);
}

/** The median of the images/second of the second half of the epochs, `perEpoch[i]` epoch i + 1's. */
const laterImagesPerSecond = (perEpoch) => median(perEpoch.slice(Math.floor(perEpoch.length / 2)));

/** The last epoch's dispatches per training batch (its validation's share included); NaN if none. */
const perBatch = (dispatches, batch) => (dispatches?.[EPOCHS] ?? NaN) / Math.ceil(Math.floor(IMAGES * 0.8) / batch);

/**
 * `summarise(read())` in the one of Atelier's `workers` that ran the GPU work: the first summary
 * that is `found`, else `none`.
 */
async function fromGpuWorker(workers, read, summarise, found, none) {
  const values = await Promise.all(workers.map((w) => w.evaluate(read).catch(() => null)));
  return values.map(summarise).find(found) ?? none;
}

/** A fresh browser profile; every response's body size counted. */
async function profile() {
  const { context, close } = await freshProfile(BROWSER, GPU_FLAGS);
  const downloaded = { bytes: 0 };
  context.on("requestfinished", async (request) => {
    downloaded.bytes += (await request.sizes().catch(() => ({ responseBodySize: 0 }))).responseBodySize;
  });
  return { context, downloaded, close };
}

/** Atelier's page: load the CSV, `--preset` (baseline) at `batch`, train; its own figures. */
async function atelier(context, backend, batch) {
  const page = await context.newPage();
  await page.addInitScript(LONG_TASK_RECORDER);
  const workers = [];
  const timers = KERNEL_TIMES ? [DISPATCH_COUNTER, KERNEL_TIMER] : [DISPATCH_COUNTER];
  if (DISPATCHES) page.on("worker", (worker) => (workers.push(worker), timers.map((t) => worker.evaluate(t).catch(() => {}))));
  const query = new URLSearchParams({ ...Object.fromEntries(QUERY), "loss-every": String(LOSS_EVERY), ...(backend === "CPU" ? { backend: "cpu" } : {}) });
  await page.goto(`${app.url}?${query}`);
  const named = await waitForBackend(page, undefined, { timeout: 300_000 });
  if (named !== backend) throw new Error(`asked for ${backend}, the page runs on ${named}`);
  await page.setInputFiles(byTestId("file-input"), csv);
  await page.waitForFunction((n) => document.querySelector('[data-testid="dataset-summary"]').dataset.trainCount === String(n),
    IMAGES, { timeout: 300_000 });
  await page.selectOption(byTestId("model-preset"), PRESET);
  await page.fill(byTestId("epochs"), String(EPOCHS));
  await page.fill(byTestId("batch-size"), String(batch));
  await page.fill(byTestId("learning-rate"), "0.001");
  await page.selectOption("#optimizer", "adam");
  await page.selectOption("#schedule", "constant");
  await page.fill(byTestId("val-split"), "0.2");
  await page.waitForSelector(`${byTestId("train-button")}:not([disabled])`);
  await page.evaluate(() => {
    window.__longTasks = [];
    // Each epoch's images/second as the metrics show it, by epoch.
    const metrics = document.querySelector('[data-testid="metrics"]');
    window.__epochSpeeds = [];
    new MutationObserver(() => {
      const speed = /([\d.]+) images\/s\.$/.exec(metrics.textContent);
      if (speed && metrics.dataset.epoch) window.__epochSpeeds[Number(metrics.dataset.epoch) - 1] = Number(speed[1]);
    }).observe(metrics, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const clicked = Date.now();
  await page.click(byTestId("train-button"));
  await page.waitForFunction(() => document.querySelector('[data-testid="metrics"]').dataset.epoch === "1", null,
    { timeout: 1_800_000, polling: 100 });
  const first_epoch_s = (Date.now() - clicked) / 1000;
  if (DISPATCHES) {
    // The worker's epoch `EPOCHS` begins when the page shows the one before it.
    for (const [shown, next] of [[EPOCHS - 1, EPOCHS], [EPOCHS, EPOCHS + 1]]) {
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="metrics"]').dataset.epoch) >= n, shown,
        { timeout: 1_800_000, polling: 20 });
      await Promise.all(workers.map((w) => w.evaluate((n) => { self.__epoch = n; }, next).catch(() => {})));
    }
  }
  await page.waitForFunction(() => ["done", "error"].includes(document.querySelector('[data-testid="status"]').dataset.state),
    null, { timeout: 1_800_000, polling: 200 });
  return {
    first_batch_ms: Number(await page.getAttribute(byTestId("metrics"), "data-first-batch-ms")),
    first_epoch_s,
    images_per_second: laterImagesPerSecond(await page.evaluate(() => window.__epochSpeeds)),
    adapter: await page.textContent("#adapter"),
    longest_task_ms: Math.max(0, ...(await page.evaluate(() => window.__longTasks))),
    ...(DISPATCHES && backend === "WebGPU" ? { dispatches_per_batch: await fromGpuWorker(workers, () => self.__dispatches,
      (d) => perBatch(d, batch), (n) => !Number.isNaN(n), NaN) } : {}),
    ...(KERNEL_TIMES && backend === "WebGPU" ? { kernels: await fromGpuWorker(workers, () => self.__kernelTimes,
      (t) => kernelsPerBatch(t, batch), (k) => k.length > 0, []) } : {}),
  };
}

/** The files each peer's library loads, as served from bench/peers/node_modules. */
const PEER_FILES = {
  "tfjs-webgpu": ["@tensorflow/tfjs/dist/tf.min.js", "@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js"],
  "jax-webgpu": ["@jax-js/jax/dist/index.js", /^@jax-js\/jax\/dist\/backend-.*\.js$/, /^@jax-js\/jax\/dist\/webgpu-.*\.js$/],
  "jax-wasm": ["@jax-js/jax/dist/index.js", /^@jax-js\/jax\/dist\/backend-.*\.js$/],
};

/** Bytes of `who`'s library files. */
function peerBytes(who) {
  const modules = path.join(ROOT, "bench/peers/node_modules");
  return PEER_FILES[who].reduce((sum, file) => {
    if (typeof file === "string") return sum + fs.statSync(path.join(modules, file)).size;
    const dir = "@jax-js/jax/dist";
    return sum + fs.readdirSync(path.join(modules, dir)).map((name) => `${dir}/${name}`)
      .filter((name) => file.test(name)).reduce((s, name) => s + fs.statSync(path.join(modules, name)).size, 0);
  }, 0);
}

/** A peer in bench/peers: the same CSV, its stepwise loop. */
async function peer(context, library, backend, batch) {
  const page = await context.newPage();
  await page.addInitScript(LONG_TASK_RECORDER);
  if (DISPATCHES) await page.addInitScript(DISPATCH_COUNTER);
  if (KERNEL_TIMES) await page.addInitScript(KERNEL_TIMER);
  await page.goto(`${peers.url}index.html`);
  await page.waitForFunction(() => window.trainStepwise && (window.jax || !document.querySelector("script[type=module]")), null, { timeout: 60_000 });
  await page.setInputFiles("#file", csv);
  await page.evaluate(() => { window.__longTasks = []; });
  const run = await page.evaluate(([l, b, options]) => window.trainStepwise(l, b, options),
    [library, backend, { batchSize: batch, epochs: EPOCHS, lossEvery: LOSS_EVERY }]);
  return {
    first_batch_ms: run.first_batch_ms,
    first_epoch_s: run.first_epoch_s,
    images_per_second: laterImagesPerSecond(run.perEpoch.map((e) => e.images_per_second)),
    backend_used: run.backend,
    version: run.version,
    losses: run.perEpoch.map((e) => [e.loss, e.val_loss]),
    longest_task_ms: Math.max(0, ...(await page.evaluate(() => window.__longTasks))),
    ...(DISPATCHES ? { dispatches_per_batch: perBatch(await page.evaluate(() => self.__dispatches), batch) } : {}),
    ...(KERNEL_TIMES && backend === "webgpu" ? { kernels: kernelsPerBatch(await page.evaluate(() => self.__kernelTimes), batch) } : {}),
  };
}

const RUNNERS = {
  "atelier-webgpu": (context, batch) => atelier(context, "WebGPU", batch),
  "atelier-cpu": (context, batch) => atelier(context, "CPU", batch),
  "tfjs-webgpu": (context, batch) => peer(context, "tfjs", "webgpu", batch),
  "jax-webgpu": (context, batch) => peer(context, "jax", "webgpu", batch),
  "jax-wasm": (context, batch) => peer(context, "jax", "wasm", batch),
};

const results = { date: new Date().toISOString(), browser: BROWSER, gpu_flags: GPU_FLAGS, images: IMAGES, epochs: EPOCHS, loss_every: LOSS_EVERY, runs: [] };
for (const batch of BATCHES) {
  for (const who of WHO) {
    const { context, downloaded, close } = await profile();
    let record;
    try {
      const measured = await RUNNERS[who](context, batch);
      record = { who, batch, ...measured, downloaded_bytes: who.startsWith("atelier") ? downloaded.bytes : peerBytes(who) };
    } catch (error) {
      record = { who, batch, error: String(error.message || error).split("\n")[0] };
    } finally {
      await close();
    }
    log(JSON.stringify(record));
    results.runs.push(record);
  }
}

fs.mkdirSync(path.join(ROOT, "bench-out"), { recursive: true });
fs.writeFileSync(path.join(ROOT, "bench-out/like-for-like.json"), JSON.stringify(results, null, 2));
const cell = (v, digits = 1) => (v == null || Number.isNaN(v) ? "-" : Number(v).toFixed(digits));
const extra = DISPATCHES ? [" dispatches per batch |", "---|"] : ["", ""];
console.log(`| who | batch | first batch s | first epoch s | later epochs images/s | longest task ms | downloaded MB |${extra[0]}`);
console.log(`|---|---|---|---|---|---|---|${extra[1]}`);
for (const r of results.runs) {
  const dispatches = DISPATCHES ? ` ${cell(r.dispatches_per_batch, 0)} |` : "";
  console.log(r.error ? `| ${r.who} | ${r.batch} | ${r.error} | | | | |`
    : `| ${r.who} | ${r.batch} | ${cell(r.first_batch_ms / 1000)} | ${cell(r.first_epoch_s)} | ${cell(r.images_per_second, 0)} | ${cell(r.longest_task_ms, 0)} | ${cell(r.downloaded_bytes / 1e6, 2)} |${dispatches}`);
}
for (const r of results.runs.filter((r) => r.kernels?.length)) {
  const total = r.kernels.reduce((sum, k) => sum + k.ms, 0);
  console.log(`\n${r.who}, batch ${r.batch}: ${cell(total, 2)} ms of GPU time per batch in epoch ${EPOCHS}, by kernel`);
  console.log("| kernel | ms per batch | share | dispatches per batch |\n|---|---|---|---|");
  for (const k of r.kernels.slice(0, 12)) {
    console.log(`| ${k.kernel.slice(0, 60)} | ${cell(k.ms, 2)} | ${cell((100 * k.ms) / total, 0)}% | ${cell(k.dispatches, 1)} |`);
  }
}
app.close();
peers.close();
