//! How cubecl's autotune treats the kernel shapes it meets for the first time, in the browser.
//!
//! In a browser cubecl tunes by a fixed-count pass (its adaptive pass, which drops a slow
//! candidate early, resolves samples between launches and so is native only): every candidate
//! of a new shape's first priority is compiled, run three times to warm up, then sampled
//! `max_samples` times, ten by cubecl's default. On a software adapter each of those runs is the
//! CPU's work. Two settings shorten the wait before the first batch:
//!
//! - **Pacing**: cubecl as patched in `vendor/cubecl-runtime` (its PATCH.md) tunes a new shape
//!   only when the engine allows it, and until then runs the shape's first working candidate. A
//!   run starts with no allowance ([`withhold`]) and gains one per batch ([`allow_one`]), which
//!   a later batch's shape takes if no earlier one did: the first batch runs untuned, and the
//!   tuning is spread over the batches that follow instead of all paid before the first.
//! - **Samples**: fewer samples per candidate make each tuning shorter.
//! - **Fallbacks**: cubecl measures only the candidates of a shape's first priority that launch,
//!   and keeps the simpler ones of lower priority as fallbacks; measuring those too (patched in
//!   as well) lets them win where they are faster, as on a software adapter.
//!
//! What each costs and saves is measured in BENCHMARKS.md, "Autotune". Natively the adaptive
//! pass, unpaced, and cubecl's defaults stay.

/// Samples per candidate in the browser, after the warm-up.
pub const BROWSER_SAMPLES: usize = 3;

/// The most a caller may ask for (`?tune-samples=N`, for benchmarks): cubecl's own default.
pub const MAX_SAMPLES: usize = 10;

/// How autotune runs in this process, where the browser's pass runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuning {
    /// Samples per candidate.
    pub samples: usize,
    /// Whether new shapes are tuned one per batch (see the module's header).
    pub paced: bool,
    /// Whether a new shape's fallback kernels are measured too (see the module's header).
    pub fallbacks: bool,
}

/// Sets the samples per candidate for this process, `samples` or [`BROWSER_SAMPLES`], clamped to
/// 1..=[`MAX_SAMPLES`], and pacing, on unless `paced` says otherwise. Must run before the device
/// starts: cubecl reads its configuration once. The fallbacks are measured as `fallbacks` says,
/// by default on a software adapter (a CPU, where the simple kernels can win: BENCHMARKS.md,
/// "Autotune"). Returns the settings in force (the samples are
/// cubecl's own when something read its configuration first); natively and on the CPU backend,
/// where the browser's pass does not run, it changes nothing and returns `None`.
pub fn configure(
    samples: Option<usize>,
    paced: Option<bool>,
    fallbacks: Option<bool>,
    software_adapter: bool,
) -> Option<Tuning> {
    set_browser_tuning(
        samples.unwrap_or(BROWSER_SAMPLES).clamp(1, MAX_SAMPLES),
        paced.unwrap_or(true),
        fallbacks.unwrap_or(software_adapter),
    )
}

/// One batch has run: one more shape that needs tuning may be tuned. Allowances add up until a
/// shape takes them (the shapes of a last partial batch or of validation are met once an epoch).
/// None in a rehearsal ([`rehearsing`]).
pub fn allow_one() {
    #[cfg(all(feature = "gpu", target_family = "wasm"))]
    if !REHEARSING.load(std::sync::atomic::Ordering::Relaxed) {
        cubecl_runtime::tune::pace::allow_one();
    }
}

static REHEARSING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Withholds tuning (when paced) until the returned guard is dropped: a rehearsal ahead of Train
/// compiles the run's kernels but tunes none, because a Train clicked while a tuning's launches
/// are queued waits for them all (BENCHMARKS.md, "The first minute on WebGPU").
pub fn rehearsing() -> impl Drop {
    struct Rehearsal;
    impl Drop for Rehearsal {
        fn drop(&mut self) {
            REHEARSING.store(false, std::sync::atomic::Ordering::Relaxed);
        }
    }
    REHEARSING.store(true, std::sync::atomic::Ordering::Relaxed);
    withhold();
    Rehearsal
}

/// A run starts: its first batch runs untuned whatever an earlier run left allowed.
pub fn withhold() {
    #[cfg(all(feature = "gpu", target_family = "wasm"))]
    cubecl_runtime::tune::pace::withhold();
}

/// How many shapes were met and run untuned, and are not tuned yet (zero unless paced).
pub fn deferred() -> usize {
    #[cfg(all(feature = "gpu", target_family = "wasm"))]
    return cubecl_runtime::tune::pace::deferred();
    #[cfg(not(all(feature = "gpu", target_family = "wasm")))]
    0
}

#[cfg(all(feature = "gpu", target_family = "wasm"))]
fn set_browser_tuning(samples: usize, paced: bool, fallbacks: bool) -> Option<Tuning> {
    use cubecl_runtime::config::{CubeClRuntimeConfig, RuntimeConfig};
    let mut config = CubeClRuntimeConfig::default();
    config.autotune.bench.min_samples = samples;
    config.autotune.bench.max_samples = samples;
    CubeClRuntimeConfig::try_set(config);
    cubecl_runtime::tune::pace::set_paced(paced);
    cubecl_runtime::tune::pace::set_measure_fallbacks(fallbacks);
    Some(Tuning {
        samples: CubeClRuntimeConfig::get().autotune.bench.samples().1,
        paced: cubecl_runtime::tune::pace::is_paced(),
        fallbacks: cubecl_runtime::tune::pace::measures_fallbacks(),
    })
}

#[cfg(not(all(feature = "gpu", target_family = "wasm")))]
fn set_browser_tuning(_samples: usize, _paced: bool, _fallbacks: bool) -> Option<Tuning> {
    None
}
