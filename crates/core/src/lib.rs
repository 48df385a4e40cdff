//! Atelier's core: everything the page, the engine and the command line share, with no Burn in
//! it, so that the page's WebAssembly carries none.
//!
//! Layers, each using only those before it: [`size`] (sizes read from input, checked) <-
//! [`data`] (files to a dataset) <- [`model`] (layer specs, their checks and summary) <-
//! [`train`] (settings, events, history) <- [`eval`] (records of how good a model is, the
//! predictions CSV), [`plot`] (charts) and [`saved`] (the model file's container) <- [`runs`]
//! (runs kept and compared). `scripts/check-layers.py` fails on an import cycle.

pub mod data;
pub mod eval;
pub mod model;
pub mod plot;
pub mod runs;
pub mod saved;
pub mod size;
pub mod train;
