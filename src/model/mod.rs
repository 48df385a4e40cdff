//! The architectures: a layer specification a user can edit, its validation and summary, the
//! Burn module built from it, and the presets; and the CPU backend's faster training paths for
//! its layers (`cpu_kernels`).

#[cfg(feature = "engine")]
pub mod cpu_kernels;
#[cfg(feature = "engine")]
mod network;
mod presets;
mod spec;
mod summary;

#[cfg(feature = "engine")]
pub use network::Network;
pub use presets::{PRESET_NAMES, preset, preset_name};
pub use spec::{Activation, LayerSpec, ModelSpec, Padding, Shape, SpecError};
pub use summary::{LayerSummary, Summary};
