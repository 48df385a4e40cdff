//! What an evaluation finds.

use super::ConfusionMatrix;

/// A model measured on labelled images.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean loss per image.
    pub loss: f32,
    /// Share classified right.
    pub accuracy: f32,
    /// Truth against prediction.
    pub confusion: ConfusionMatrix,
    /// Predicted class of each image, in the order given.
    pub predictions: Vec<u8>,
}

impl Evaluation {
    /// One evaluation of the images of both (`self` first, then `other`).
    pub fn merge(self, other: Evaluation) -> Evaluation {
        let (a, b) = (
            self.predictions.len() as f32,
            other.predictions.len() as f32,
        );
        let mut confusion = self.confusion;
        for (row, other_row) in confusion.counts.iter_mut().zip(other.confusion.counts) {
            for (count, other_count) in row.iter_mut().zip(other_row) {
                *count += other_count;
            }
        }
        let mut predictions = self.predictions;
        predictions.extend(other.predictions);
        Evaluation {
            loss: (self.loss * a + other.loss * b) / (a + b).max(1.0),
            accuracy: confusion.accuracy(),
            confusion,
            predictions,
        }
    }
}
