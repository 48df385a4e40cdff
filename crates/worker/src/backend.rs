//! Which Burn backend trains: wgpu on WebGPU when the browser gives an adapter, otherwise (or
//! with `?backend=cpu`) Burn's CPU backend compiled to wasm, with a notice saying why.
//!
//! `www/worker.js` makes the same checks first to load the smaller CPU-only engine
//! (`atelier-worker-cpu`, built without the `gpu` feature) wherever WebGPU would not be used;
//! it alone reads the address, and leaves its verdict in `atelierForceCpu`.

use atelier_engine::burn::prelude::Device;

use atelier_browser::js;

/// The chosen device and what the page says about it.
pub struct Backend {
    pub device: Device,
    /// Exactly `WebGPU` or `CPU`.
    pub name: &'static str,
    /// The GPU adapter, when there is one.
    pub adapter: String,
    /// Why the CPU is used, when it is.
    pub notice: Option<String>,
    /// How autotune runs, on WebGPU.
    pub tuning: Option<atelier_engine::autotune::Tuning>,
    /// Whether the engine's own kernels run where they apply, on WebGPU.
    pub own_kernels: Option<bool>,
}

fn cpu(notice: String) -> Backend {
    Backend {
        device: Device::flex(),
        name: "CPU",
        adapter: String::new(),
        notice: Some(notice),
        tuning: None,
        own_kernels: None,
    }
}

/// Picks the backend once, at start.
pub async fn choose() -> Backend {
    if js::global_flag("atelierForceCpu") {
        return cpu(
            "Training runs on the CPU because the address asks for it (?backend=cpu).".into(),
        );
    }
    if !js::has_webgpu() {
        return cpu(
            "This browser has no WebGPU, so training runs on the CPU (slower). Chrome, Edge and recent Safari have WebGPU."
                .into(),
        );
    }
    let adapter = js::call_global_string("atelierAdapterName")
        .await
        .unwrap_or_default();
    if adapter.is_empty() {
        return cpu("WebGPU gave no GPU adapter, so training runs on the CPU (slower).".into());
    }
    webgpu(adapter).await
}

#[cfg(feature = "gpu")]
async fn webgpu(adapter: String) -> Backend {
    let samples = js::global_string("atelierTuneSamples").and_then(|text| text.parse().ok());
    let paced = global_switch("atelierTunePaced");
    let fallbacks = global_switch("atelierTuneFallbacks");
    let software = is_software(&adapter);
    let tuning = atelier_engine::autotune::configure(samples, paced, fallbacks, software);
    let own_kernels =
        atelier_engine::gpu_kernels::configure(global_switch("atelierOwnKernels"), software);
    atelier_engine::tuning_cache::open().await;
    match Device::wgpu_options().init_async().await {
        Ok(device) => Backend {
            device,
            name: "WebGPU",
            notice: software.then(|| {
                format!(
                    "WebGPU here is {adapter}, a software renderer running on the CPU: Burn's CPU backend usually trains far faster than that (8 times on the baseline on our 2-core test machine). Open the page with ?backend=cpu to use it."
                )
            }),
            adapter,
            tuning,
            own_kernels: Some(own_kernels),
        },
        Err(error) => cpu(format!(
            "WebGPU could not start ({error:?}), so training runs on the CPU (slower)."
        )),
    }
}

/// The CPU-only engine: worker.js loads it only where there is no adapter, so this is the case
/// of an adapter that appeared in between.
#[cfg(not(feature = "gpu"))]
async fn webgpu(adapter: String) -> Backend {
    cpu(format!(
        "The page loaded its CPU engine, so training runs on the CPU although WebGPU now offers {adapter}. Reload the page to train on it."
    ))
}

/// A switch the page's address handed on (`www/worker.js`): on, off, or not said.
#[cfg(feature = "gpu")]
fn global_switch(name: &str) -> Option<bool> {
    js::global_string(name).and_then(|text| match text.as_str() {
        "0" | "false" => Some(false),
        "1" | "true" => Some(true),
        _ => None,
    })
}

/// True for the adapters browsers fall back to without a GPU (Chromium's SwiftShader, Mesa's
/// llvmpipe/lavapipe): WebGPU works there, but on the CPU and far slower than the CPU backend.
#[cfg(feature = "gpu")]
fn is_software(adapter: &str) -> bool {
    let adapter = adapter.to_ascii_lowercase();
    ["swiftshader", "llvmpipe", "lavapipe"]
        .iter()
        .any(|name| adapter.contains(name))
}
