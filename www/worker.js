// The engine's worker: WebGPU patches and storage first, then the engine's WebAssembly (built by Trunk from
// the `atelier-worker` binary, named after it).
importScripts("./gpu.js");
importScripts("./store.js");
importScripts("./atelier-worker.js");

// Messages that arrive while the WebAssembly loads would find no handler: keep them, and hand
// them to the engine's handler once it has installed itself.
const early = [];
self.onmessage = (event) => early.push(event);
wasm_bindgen({ module_or_path: "./atelier-worker_bg.wasm" })
  .then(() => {
    for (const event of early.splice(0)) self.onmessage(event);
  })
  .catch((error) => {
    self.postMessage(JSON.stringify({ type: "failed", message: `The engine could not start: ${error}` }));
  });
