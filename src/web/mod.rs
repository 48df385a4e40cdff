//! The browser face (wasm32 only), two programs: the page (main thread: DOM, charts) and the
//! engine (a dedicated Web Worker: data, device, model, training), talking through
//! [`protocol`] messages. The page never parses or trains, so it never freezes.

mod js;
pub mod page;
mod protocol;
#[cfg(feature = "engine")]
pub mod worker;

/// Runs the module's static constructors (cubecl registers its IR dialects with `inventory`),
/// once. Without an explicit call, wasm-ld treats the program as a "command" and wraps every
/// export (every event handler, every resumed future) in a call to all constructors again:
/// measured at about 100 ms per call into the page's wasm.
pub fn run_constructors() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: called once, first thing in `main`, before any other code of the module runs.
    unsafe { __wasm_call_ctors() }
}
