use std::fmt;
use std::str::FromStr;

#[cfg(feature = "engine")]
use burn::optim::decay::WeightDecayConfig;
#[cfg(feature = "engine")]
use burn::optim::momentum::MomentumConfig;
#[cfg(feature = "engine")]
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, Optimizer, RmsPropConfig, SgdConfig};

#[cfg(feature = "engine")]
use super::subnormals::{FlushClock, Flushed};
use serde::{Deserialize, Serialize};

/// How the weights follow their gradients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// Stochastic gradient descent, with momentum.
    Sgd,
    /// Adam (the notebook's choice).
    #[default]
    Adam,
    /// Adam with decoupled weight decay.
    Adamw,
    /// RMSprop.
    Rmsprop,
}

impl OptimizerKind {
    /// All of them, in the order the page lists them.
    pub const ALL: [OptimizerKind; 4] = [Self::Sgd, Self::Adam, Self::Adamw, Self::Rmsprop];

    #[cfg(feature = "engine")]
    /// The optimizer, with `momentum` for SGD and `weight_decay` for all (AdamW's is decoupled,
    /// the others add it to the gradient). With a `flush` clock, its running averages are
    /// cleared of subnormal floats as the clock says, for the CPU backend's speed (see
    /// `subnormals`).
    pub fn init(
        self,
        momentum: f64,
        weight_decay: f64,
        flush: Option<&FlushClock>,
    ) -> ModuleOptimizer {
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

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adam => "adam",
            OptimizerKind::Adamw => "adamw",
            OptimizerKind::Rmsprop => "rmsprop",
        })
    }
}

impl FromStr for OptimizerKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.to_string() == s.to_ascii_lowercase())
            .ok_or_else(|| format!("unknown optimizer {s:?}: choose sgd, adam, adamw or rmsprop"))
    }
}
