use std::fmt;
use std::str::FromStr;

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
