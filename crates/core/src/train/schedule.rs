use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How the learning rate changes over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LrSchedule {
    /// The same rate throughout.
    #[default]
    Constant,
    /// Half a cosine from the rate down to zero over all steps: big steps early, fine ones
    /// at the end.
    Cosine,
    /// The rate divided by 10 after half the epochs and again after three quarters.
    Step,
}

impl LrSchedule {
    /// The rate for step `step` of `total` (0-based), from the base `rate`.
    pub fn rate(self, rate: f64, step: usize, total: usize) -> f64 {
        let progress = step as f64 / total.max(1) as f64;
        match self {
            LrSchedule::Constant => rate,
            LrSchedule::Cosine => rate * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()),
            LrSchedule::Step if progress >= 0.75 => rate * 0.01,
            LrSchedule::Step if progress >= 0.5 => rate * 0.1,
            LrSchedule::Step => rate,
        }
    }
}

impl fmt::Display for LrSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LrSchedule::Constant => "constant",
            LrSchedule::Cosine => "cosine",
            LrSchedule::Step => "step",
        })
    }
}

impl FromStr for LrSchedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Constant, Self::Cosine, Self::Step]
            .into_iter()
            .find(|kind| kind.to_string() == s)
            .ok_or_else(|| format!("unknown schedule {s:?}: choose constant, cosine or step"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(LrSchedule::Constant.rate(0.1, 7, 10), 0.1);
        assert_eq!(LrSchedule::Cosine.rate(0.1, 0, 10), 0.1);
        assert!((LrSchedule::Cosine.rate(0.1, 5, 10) - 0.05).abs() < 1e-12);
        assert!(LrSchedule::Cosine.rate(0.1, 9, 10) < 0.003);
        assert_eq!(LrSchedule::Step.rate(1.0, 4, 10), 1.0);
        assert_eq!(LrSchedule::Step.rate(1.0, 5, 10), 0.1);
        assert_eq!(LrSchedule::Step.rate(1.0, 8, 10), 0.01);
    }
}
