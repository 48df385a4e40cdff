//! How cubecl's autotune measures the candidate kernels of a shape it meets for the first time,
//! in the browser.
//!
//! In a browser cubecl tunes by a fixed-count pass (its adaptive pass, which drops a slow
//! candidate early, resolves samples between launches and so is native only): before the batch
//! that met the shape goes on, every candidate of the shape's first priority is compiled, run
//! three times to warm up, then sampled `max_samples` times, ten by cubecl's default. On a
//! software adapter each of those runs is the CPU's work, on the first batch's critical path.
//! Fewer samples shorten that wait; what they cost in the winners' speed is measured in
//! BENCHMARKS.md, "Autotune". Natively the adaptive pass and cubecl's defaults stay.

/// Samples per candidate in the browser, after the warm-up.
pub const BROWSER_SAMPLES: usize = 3;

/// The most a caller may ask for (`?tune-samples=N`, for benchmarks): cubecl's own default.
pub const MAX_SAMPLES: usize = 10;

/// Sets the samples per candidate for this process, `samples` or [`BROWSER_SAMPLES`], clamped to
/// 1..=[`MAX_SAMPLES`]. Must run before the device starts: cubecl reads its configuration once.
/// Returns the count in force, which is cubecl's own when something read it first; natively and
/// on the CPU backend, where the browser's pass does not run, it changes nothing and says so.
pub fn configure(samples: Option<usize>) -> Option<usize> {
    set_browser_samples(samples.unwrap_or(BROWSER_SAMPLES).clamp(1, MAX_SAMPLES))
}

#[cfg(all(feature = "gpu", target_family = "wasm"))]
fn set_browser_samples(samples: usize) -> Option<usize> {
    use cubecl_runtime::config::{CubeClRuntimeConfig, RuntimeConfig};
    let mut config = CubeClRuntimeConfig::default();
    config.autotune.bench.min_samples = samples;
    config.autotune.bench.max_samples = samples;
    CubeClRuntimeConfig::try_set(config);
    Some(CubeClRuntimeConfig::get().autotune.bench.samples().1)
}

#[cfg(not(all(feature = "gpu", target_family = "wasm")))]
fn set_browser_samples(_samples: usize) -> Option<usize> {
    None
}
