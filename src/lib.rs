//! Atelier: train a Fashion-MNIST garment classifier on your own GPU, in the browser.
//!
//! The core (`data`, `model`, `train`, `eval`, `plot`, `saved`) knows nothing of the browser; the page
//! (`web`, wasm only) and the command line (`src/bin`) are thin faces over it.

pub mod data;
pub mod eval;
pub mod model;
pub mod plot;
pub mod saved;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod web;
