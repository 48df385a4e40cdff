//! cubecl's kernel tuning results, kept across page loads.
//!
//! The first time a WebGPU engine meets a kernel shape, cubecl's autotune compiles and times
//! each candidate kernel, most of the wait before the first batch (BENCHMARKS.md, "The first
//! minute on WebGPU"). With burn-wgpu's `persistence` feature cubecl writes each winner to a
//! database in the origin's private file system (OPFS); a later page load reads it back and
//! compiles only the winner. Natively the same cache lives in a file and opens itself on
//! first use. In a browser its opening has to be awaited, from the engine's dedicated worker
//! (the only place OPFS gives synchronous file handles), before the device starts: a cache
//! not open by then serves memory alone, as does one whose file another tab holds.

/// Opens the tuning cache where that has to be awaited (the WebGPU engine in a browser);
/// elsewhere there is nothing to do.
pub async fn open() {
    #[cfg(all(feature = "gpu", target_family = "wasm"))]
    cubecl_environment::environment::open().await;
}

/// How many kernel choices the cache holds for this device, kept from earlier runs (and any
/// made since it opened); zero without a cache to read, as on the CPU backend.
pub fn kept() -> u64 {
    #[cfg(all(feature = "gpu", target_family = "wasm"))]
    return cubecl_environment::environment::namespaces()
        .iter()
        .filter(|summary| summary.namespace.starts_with("autotune/"))
        .map(|summary| summary.entries)
        .sum();
    #[cfg(not(all(feature = "gpu", target_family = "wasm")))]
    0
}
