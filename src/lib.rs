//! Atelier: train a Fashion-MNIST garment classifier on your own GPU, in the browser.
//!
//! The core (`data`, `model`, `train`, `eval`, `plot`, `saved`) knows nothing of the browser; the page
//! (`web`, wasm only) and the command line (`src/bin`) are thin faces over it.
//!
//! Burn sits behind the `engine` feature (on by default): models, training, evaluation and
//! model files. Data, plots and settings build without it, and so does the page, whose
//! WebAssembly then carries none of Burn's kernels, IR or autotune cache.

pub mod data;
pub mod eval;
pub mod model;
pub mod plot;
#[cfg(feature = "engine")]
pub mod saved;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod web;
