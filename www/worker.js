// The engine's worker: WebGPU patches first, then the engine's WebAssembly (built by Trunk from
// the `atelier-worker` binary, named after it).
importScripts("./gpu.js");
importScripts("./atelier-worker.js");
wasm_bindgen("./atelier-worker_bg.wasm").catch((error) => {
  self.postMessage(JSON.stringify({ type: "failed", message: `The engine could not start: ${error}` }));
});
