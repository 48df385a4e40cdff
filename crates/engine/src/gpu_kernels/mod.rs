//! Kernels of our own for the WebGPU engine, where cubecl's choice for a layer's shapes is slow
//! on the adapter at hand: the dense layer's matrix products ([`product`]) and a convolution
//! with both its gradients ([`conv`]).
//!
//! They run only where [`configure`] turned them on: by default on a software adapter (a CPU
//! rasteriser such as SwiftShader), where they are measured faster than every candidate cubecl's
//! autotune has for those shapes (BENCHMARKS.md, "Kernels of our own on WebGPU"). On a GPU
//! cubecl's tuned kernels stay until these are measured there.

// Without `gpu` the extension routes to no backend, so its generated dispatch ignores the
// padding argument.
#[cfg_attr(not(feature = "gpu"), allow(unused_variables))]
pub mod conv;
pub mod product;

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns the kernels here on or off for this process: as `own_kernels` says, by default on a
/// software adapter. Returns whether they are on. Only the WebGPU engine calls it; natively and
/// on the CPU backend they stay off.
pub fn configure(own_kernels: Option<bool>, software_adapter: bool) -> bool {
    let on = own_kernels.unwrap_or(software_adapter);
    ENABLED.store(on, Ordering::Relaxed);
    on
}

/// Whether [`configure`] turned the kernels here on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Units per workgroup in the kernels here: few, so that even a small launch (the forward
/// product's few dozen blocks) spreads over several workgroups, which a software adapter runs
/// one per thread (BENCHMARKS.md, "Kernels of our own on WebGPU").
#[cfg(feature = "gpu")]
const UNITS: u32 = 16;

/// Workgroups of [`UNITS`] for `units` units of work, or `None` where there is no work or more
/// than one dispatch counts along x (WebGPU's default limit, 65,535).
#[cfg(feature = "gpu")]
fn workgroups(units: usize) -> Option<u32> {
    let groups = units.div_ceil(UNITS as usize);
    u32::try_from(groups)
        .ok()
        .filter(|&g| (1..=65_535).contains(&g))
}
