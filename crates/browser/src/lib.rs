//! What the page and the engine's Web Worker share: the [`protocol`] between them (its
//! messages, and the envelope they travel in), the browser services both sides call ([`js`]),
//! and the runs kept in the browser's storage ([`runs_store`]).
//! The page never parses or trains, so it never freezes; the worker does both.

#[cfg(target_arch = "wasm32")]
pub mod js;
pub mod protocol;
#[cfg(target_arch = "wasm32")]
pub mod runs_store;

/// Runs the module's static constructors (cubecl registers its IR dialects with `inventory`),
/// once. Without an explicit call, wasm-ld treats the program as a "command" and wraps every
/// export (every event handler, every resumed future) in a call to all constructors again:
/// measured at about 100 ms per call into the page's wasm.
#[cfg(target_arch = "wasm32")]
pub fn run_constructors() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: called once, first thing in `main`, before any other code of the module runs.
    unsafe { __wasm_call_ctors() }
}
