use serde::{Deserialize, Serialize};

use crate::data::NUM_CLASSES;

/// `counts[true class][predicted class]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Images per (true, predicted) pair.
    pub counts: [[usize; NUM_CLASSES]; NUM_CLASSES],
}

impl ConfusionMatrix {
    /// Counts each (truth, prediction) pair.
    pub fn from_pairs(truth: &[u8], predicted: &[u8]) -> Self {
        let mut matrix = Self::default();
        for (&t, &p) in truth.iter().zip(predicted) {
            matrix.counts[t as usize][p as usize] += 1;
        }
        matrix
    }

    /// Images counted.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Share classified right (0 when empty).
    pub fn accuracy(&self) -> f32 {
        let right: usize = (0..NUM_CLASSES).map(|c| self.counts[c][c]).sum();
        right as f32 / self.total().max(1) as f32
    }

    /// For each class, the share of its images classified right (`None` when it has none).
    pub fn per_class_accuracy(&self) -> [Option<f32>; NUM_CLASSES] {
        std::array::from_fn(|class| {
            let row: usize = self.counts[class].iter().sum();
            (row > 0).then(|| self.counts[class][class] as f32 / row as f32)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accuracy_and_per_class() {
        let m = ConfusionMatrix::from_pairs(&[0, 0, 1, 1, 2], &[0, 1, 1, 1, 0]);
        assert_eq!(m.total(), 5);
        assert_eq!(m.counts[0][1], 1);
        assert!((m.accuracy() - 0.6).abs() < 1e-6);
        let per = m.per_class_accuracy();
        assert_eq!(per[0], Some(0.5));
        assert_eq!(per[1], Some(1.0));
        assert_eq!(per[2], Some(0.0));
        assert_eq!(per[3], None);
    }
}
