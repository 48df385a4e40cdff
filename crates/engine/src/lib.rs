//! Atelier's engine, on Burn: the [`Network`] built from a layer spec, the CPU backend's kernels
//! and WebGPU's own, the training loop (native and browser alike: `async`, so that every GPU
//! read can be awaited in a browser; driven natively with `pollster`), losses and optimizers,
//! evaluation and prediction, and a model file's weights.
//!
//! Layers, each using only those before it: [`autotune`], [`batch`], [`cpu_kernels`] <-
//! [`gpu_kernels`] <- [`network`] <- [`weights`], [`loss`], [`subnormals`] <- [`optimizer`],
//! [`host`] <- [`evaluate`] <- [`training`] <- [`grid_search`], [`prepare`]; [`tuning_cache`]
//! stands alone. `scripts/check-layers.py` fails on an import cycle.

pub mod autotune;
pub mod batch;
pub mod cpu_kernels;
pub mod evaluate;
pub mod gpu_kernels;
pub mod grid_search;
pub mod host;
pub mod loss;
pub mod network;
pub mod optimizer;
pub mod prepare;
pub mod subnormals;
pub mod training;
pub mod tuning_cache;
pub mod weights;

pub use batch::{Batch, augmented_batch, batch_images, images_to_tensor};
pub use evaluate::{
    evaluate, evaluate_in_slices, mistakes, predict, predict_mirrored, predict_probabilities,
};
pub use grid_search::grid_search;
pub use host::TrainHost;
pub use loss::Loss;
pub use network::Network;
pub use optimizer::BuildOptimizer;
pub use prepare::prepare;
pub use training::{Start, Trained, train, train_from};
pub use weights::{NetworkWeights, SavedNetwork};

/// Burn itself, for the faces that name its device or modules: one version, chosen here.
pub use burn;
