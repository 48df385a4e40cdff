//! The architectures: a layer specification a user can edit, its validation and summary, and
//! the presets. The Burn module built from a spec is the engine's (`atelier_engine::Network`).

mod presets;
mod spec;
mod summary;

pub use presets::{PRESET_NAMES, preset, preset_name};
pub use spec::{
    Activation, LayerSpec, MAX_LAYERS, MAX_PARAMETERS, MAX_VALUES_PER_IMAGE, ModelSpec, Padding,
    Shape, SpecError, same_padding,
};
pub use summary::{LayerSummary, Summary};
