use std::fmt;
use std::str::FromStr;

#[cfg(feature = "engine")]
use burn::optim::decay::WeightDecayConfig;
#[cfg(feature = "engine")]
use burn::optim::momentum::MomentumConfig;
#[cfg(feature = "engine")]
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig, SgdConfig};
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
    /// the others add it to the gradient).
    pub fn init(self, momentum: f64, weight_decay: f64) -> ModuleOptimizer {
        let decay = (weight_decay > 0.0).then(|| WeightDecayConfig::new(weight_decay as f32));
        match self {
            OptimizerKind::Sgd => SgdConfig::new()
                .with_momentum((momentum > 0.0).then_some(MomentumConfig {
                    momentum,
                    dampening: 0.0,
                    nesterov: false,
                }))
                .with_weight_decay(decay)
                .init(),
            OptimizerKind::Adam => AdamConfig::new().with_weight_decay(decay).init(),
            OptimizerKind::Adamw => AdamWConfig::new()
                .with_weight_decay(weight_decay as f32)
                .init(),
            // Keras's defaults: rho 0.9, no momentum.
            OptimizerKind::Rmsprop => RmsPropConfig::new()
                .with_alpha(0.9)
                .with_momentum(0.0)
                .with_weight_decay(decay)
                .init(),
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
