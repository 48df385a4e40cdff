// The engine's worker: WebGPU patches and storage first, then the engine's WebAssembly (built by
// Trunk, named after its binary). Two engines exist: `atelier-worker` (WebGPU and the CPU
// backend) and `atelier-worker-cpu` (the CPU backend alone, about a quarter of the download).
// The CPU-only one loads wherever WebGPU would not be used: `?backend=cpu`, or no adapter.
importScripts("./gpu.js");
importScripts("./store.js");
importScripts("./runs.js");

// Messages that arrive while the WebAssembly loads would find no handler: keep them, and hand
// them to the engine's handler once it has installed itself.
const early = [];
self.onmessage = (event) => early.push(event);

// The backend is the worker's choice alone, made here once from the page's address (which the
// page hands on as it is): `?backend=cpu` asks for the CPU. The engine reads it back as
// `atelierForceCpu` to say why it runs where it runs.
const address = new URL(self.location.href).searchParams;
self.atelierForceCpu = address.get("backend") === "cpu";
// `?tune-samples=N` (benchmarks): how many samples the WebGPU engine's autotune takes of each
// candidate kernel, handed on as written; the engine decides what it accepts
// (crates/engine/src/autotune.rs).
self.atelierTuneSamples = address.get("tune-samples") ?? "";
// `?tune-paced=0` (benchmarks): tune every new kernel shape before the batch that meets it goes
// on, as cubecl does, instead of one shape per batch.
self.atelierTunePaced = address.get("tune-paced") ?? "";
// `?tune-fallbacks=1` (benchmarks): measure a new shape's fallback kernels too.
self.atelierTuneFallbacks = address.get("tune-fallbacks") ?? "";
// `?own-kernels=0|1` (benchmarks): the WebGPU engine's own kernels off or on
// (crates/engine/src/gpu_kernels).
self.atelierOwnKernels = address.get("own-kernels") ?? "";

async function engineName() {
  if (self.atelierForceCpu) return "atelier-worker-cpu";
  return (await self.atelierAdapterName()) ? "atelier-worker" : "atelier-worker-cpu";
}

engineName()
  .then((name) => {
    importScripts(`./${name}.js`);
    return wasm_bindgen({ module_or_path: `./${name}_bg.wasm` });
  })
  .then(() => {
    for (const event of early.splice(0)) self.onmessage(event);
  })
  .catch((error) => {
    // The envelope of crates/browser/src/protocol/envelope.rs, with an `engine-failed` reply.
    const reply = { type: "engine-failed", message: `The engine could not start: ${error}` };
    self.postMessage({ json: JSON.stringify(reply) });
  });
