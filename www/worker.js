// The engine's worker: WebGPU patches and storage first, then the engine's WebAssembly (built by
// Trunk, named after its binary). Two engines exist: `atelier-worker` (WebGPU and the CPU
// backend) and `atelier-worker-cpu` (the CPU backend alone, about a quarter of the download).
// The CPU-only one loads wherever WebGPU would not be used: `?backend=cpu`, or no adapter.
importScripts("./gpu.js");
importScripts("./store.js");

// Messages that arrive while the WebAssembly loads would find no handler: keep them, and hand
// them to the engine's handler once it has installed itself.
const early = [];
self.onmessage = (event) => early.push(event);

async function engineName() {
  if (new URL(self.location.href).searchParams.get("backend") === "cpu") return "atelier-worker-cpu";
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
    self.postMessage(JSON.stringify({ type: "failed", message: `The engine could not start: ${error}` }));
  });
