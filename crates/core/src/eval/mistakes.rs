//! The error gallery's choice: which misclassified images to show.

use serde::{Deserialize, Serialize};

use crate::data::NUM_CLASSES;

/// One misclassified image, for the error gallery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mistake {
    pub pixels: Vec<u8>,
    pub truth: u8,
    pub predicted: u8,
    /// The model's probability for the class it chose.
    pub confidence: f32,
}

/// Most misclassified images shown per confusion-matrix cell, and in all: every cell gets a
/// few, and the gallery stays small enough to send and draw at once.
pub const MISTAKES_PER_CELL: usize = 12;
pub const MISTAKES_IN_ALL: usize = 300;

/// The misclassified images to show, as (index, truth, predicted), in the order evaluated:
/// `indices` are the images evaluated, `truth` the labels of the whole set, `predictions` one
/// per evaluated image; at most [`MISTAKES_PER_CELL`] per cell and [`MISTAKES_IN_ALL`] in all.
pub fn choose_mistakes(
    truth: &[u8],
    indices: &[usize],
    predictions: &[u8],
) -> Vec<(usize, u8, u8)> {
    let mut per_cell = [[0usize; NUM_CLASSES]; NUM_CLASSES];
    let mut chosen = Vec::new();
    for (&index, &predicted) in indices.iter().zip(predictions) {
        let truth = truth[index];
        let cell = &mut per_cell[truth as usize][predicted as usize];
        if truth != predicted && *cell < MISTAKES_PER_CELL && chosen.len() < MISTAKES_IN_ALL {
            *cell += 1;
            chosen.push((index, truth, predicted));
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mistakes_and_at_most_a_few_per_cell() {
        let truth = vec![0u8; 40];
        let indices: Vec<usize> = (0..40).rev().collect();
        let mut predictions = vec![1u8; 40];
        predictions[3] = 0; // right: not a mistake
        let chosen = choose_mistakes(&truth, &indices, &predictions);
        assert_eq!(chosen.len(), MISTAKES_PER_CELL);
        assert_eq!(chosen[0], (39, 0, 1));
        assert!(chosen.iter().all(|&(i, t, p)| i != 36 && t == 0 && p == 1));
    }
}
