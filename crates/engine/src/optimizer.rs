//! The optimizers on Burn: what [`OptimizerKind`] names, built.

use atelier_core::train::OptimizerKind;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, Optimizer, RmsPropConfig, SgdConfig};

use crate::subnormals::{FlushClock, Flushed};

/// An optimizer, built from its kind and settings.
pub trait BuildOptimizer {
    /// The optimizer, with `momentum` for SGD and `weight_decay` for all (AdamW's is decoupled,
    /// the others add it to the gradient). With a `flush` clock, its running averages are
    /// cleared of subnormal floats as the clock says, for the CPU backend's speed (see
    /// `subnormals`).
    fn init(self, momentum: f64, weight_decay: f64, flush: Option<&FlushClock>) -> ModuleOptimizer;
}

impl BuildOptimizer for OptimizerKind {
    fn init(self, momentum: f64, weight_decay: f64, flush: Option<&FlushClock>) -> ModuleOptimizer {
        fn wrap<O: Optimizer>(optimizer: O, flush: Option<&FlushClock>) -> ModuleOptimizer {
            match flush {
                Some(clock) => ModuleOptimizer::from(Flushed {
                    optimizer,
                    clock: clock.clone(),
                }),
                None => ModuleOptimizer::from(optimizer),
            }
        }
        let decay = (weight_decay > 0.0).then(|| WeightDecayConfig::new(weight_decay as f32));
        match self {
            OptimizerKind::Sgd => wrap(
                SgdConfig::new()
                    .with_momentum((momentum > 0.0).then_some(MomentumConfig {
                        momentum,
                        dampening: 0.0,
                        nesterov: false,
                    }))
                    .with_weight_decay(decay)
                    .build(),
                flush,
            ),
            OptimizerKind::Adam => wrap(AdamConfig::new().with_weight_decay(decay).build(), flush),
            OptimizerKind::Adamw => wrap(
                AdamWConfig::new()
                    .with_weight_decay(weight_decay as f32)
                    .build(),
                flush,
            ),
            // Keras's defaults: rho 0.9, no momentum.
            OptimizerKind::Rmsprop => wrap(
                RmsPropConfig::new()
                    .with_alpha(0.9)
                    .with_momentum(0.0)
                    .with_weight_decay(decay)
                    .build(),
                flush,
            ),
        }
    }
}
