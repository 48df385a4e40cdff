// Loaded before the engine's WebAssembly starts (in its worker).
//
// WebGPU with Burn 0.22.1 / wgpu 30: cubecl's WGSL matmul kernels begin with `enable subgroups;`
// but wgpu never requests the `subgroups` device feature, and Chromium then rejects
// `subgroupAdd` outside subgroup-uniform control flow. Request the feature when the adapter has
// it, and turn that uniformity diagnostic off. (An upstream cubecl fix is pending.)
(function patchWebGpu() {
  if (!("gpu" in navigator) || typeof GPUAdapter === "undefined") return;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = function (descriptor = {}) {
    const features = new Set(descriptor.requiredFeatures || []);
    if (this.features.has("subgroups")) features.add("subgroups");
    return requestDevice.call(this, { ...descriptor, requiredFeatures: [...features] }).then(watchDevice);
  };
  // A lost device (a driver reset, the GPU unplugged, the tab's GPU process gone) never comes
  // back to this engine: the page hears of it at once and moves to the CPU engine.
  function watchDevice(device) {
    self.atelierGpuDevice = device;
    device.lost.then((info) => {
      // The envelope of crates/browser/src/protocol/envelope.rs, with a `device-lost` reply.
      const message = info.message ? `${info.reason}: ${info.message}` : info.reason;
      self.postMessage({ json: JSON.stringify({ type: "device-lost", message }) });
    });
    return device;
  }
  // For the tests of that move (the page asks for it only with `test-hooks` in its address).
  self.atelierLoseDevice = () => self.atelierGpuDevice?.destroy();
  const createShaderModule = GPUDevice.prototype.createShaderModule;
  GPUDevice.prototype.createShaderModule = function (descriptor) {
    if (descriptor && typeof descriptor.code === "string" && this.features.has("subgroups")) {
      descriptor = { ...descriptor, code: "diagnostic(off, subgroup_uniformity);\n" + descriptor.code };
    }
    return createShaderModule.call(this, descriptor);
  };
})();

// A turn of the event loop for the engine, taken about every 30 ms of work. A short timer, not
// an immediately runnable task: scheduler.yield() and MessageChannel continuations can run
// ahead of the page's queued messages, and then a pause or stop waits until training ends.
// The timer leaves the thread idle for a moment, and queued messages run then.
self.atelierYield = function () {
  return new Promise((resolve) => setTimeout(resolve, 1));
};

// The adapter's name ("" when there is no WebGPU adapter). Asked once: worker.js picks the
// engine by it, and the engine then picks its backend by the same answer.
let adapterName = null;
self.atelierAdapterName = function () {
  adapterName ??= (async () => {
    if (!("gpu" in navigator)) return "";
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return "";
    const info = adapter.info || {};
    return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(" ") || "WebGPU adapter";
  })().catch(() => "");
  return adapterName;
};
